//! The weekly step allocates nothing once its buffers have room: every
//! buffer it fills is kept from week to week, and grows only when a queue
//! holds more items than it ever has.
//!
//! A test binary of its own: it counts every allocation of the process with
//! a global allocator, so no other test may run beside it.
//!
//! Each case runs an arm once, then runs it again from a fresh state whose
//! queues were given the room the first run ended with (buffers never
//! shrink, so that is the most each needed). The second run makes the same
//! draws and holds the same items week by week, so no buffer has to grow:
//! every allocation it makes in a week is one the week did not need.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use empathy_gap::model::{State, World};
use empathy_gap::runner::simulate_arm_with;
use empathy_gap::scenario::{Override, Scenario, load_file};

/// The system allocator, counting allocations and reallocations.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's guarantees are the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn bundled(name: &str, overrides: &[&str]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|o| Override::parse(o).expect("a valid override"))
        .collect();
    load_file(&path, &overrides).expect("a valid bundled scenario")
}

/// Checks that no week of each arm's second run allocates.
fn check(scenario: &Scenario) {
    let world = World::new(scenario);
    let weeks = (scenario.weeks + scenario.warmup_weeks) as usize;
    for arm in &scenario.arms {
        let mut first = State::new(&world, scenario.seed, 0, scenario.first_week());
        let first_outcome = simulate_arm_with(scenario, &world, arm, &mut first, |_, _| {});
        let mut state = State::new(&world, scenario.seed, 0, scenario.first_week());
        for (leader, roomy) in state.leaders.iter_mut().zip(&first.leaders) {
            leader.reserve_like(roomy);
        }
        let mut counts = Vec::with_capacity(weeks);
        let mut last = ALLOCATIONS.load(Ordering::Relaxed);
        let outcome = simulate_arm_with(scenario, &world, arm, &mut state, |week, _| {
            let now = ALLOCATIONS.load(Ordering::Relaxed);
            counts.push((week, now - last));
            last = ALLOCATIONS.load(Ordering::Relaxed);
        });
        // The second run is the first one again: the room changed nothing.
        let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&outcome.summary),
            bits(&first_outcome.summary),
            "{}",
            arm.name
        );
        assert_eq!(counts.len(), weeks);
        // The first week also counts the starting backlog, which fills the
        // queues before any week and may allocate.
        let allocating: Vec<(i32, u64)> = counts[1..]
            .iter()
            .copied()
            .filter(|&(_, allocations)| allocations > 0)
            .collect();
        assert!(
            allocating.is_empty(),
            "{} {}: {} of {weeks} weeks allocated, (week, allocations): {allocating:?}",
            scenario.name,
            arm.name,
            allocating.len()
        );
    }
}

/// One test, so that nothing else allocates while it counts.
#[test]
fn a_week_allocates_nothing_once_its_buffers_have_room() {
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let cases = [
        // Two leaders: the week runs on the calling thread.
        bundled("two-managers", &[]),
        bundled("typical-org", &[]),
        // Over 256 leaders: the week's passes run with rayon, here on one
        // worker, whose buffers the first run grew for every leader.
        bundled("large-org", &["generate.leaders=400"]),
    ];
    for scenario in &cases {
        single.install(|| check(scenario));
    }
}
