//! Engine benchmarks (see benches/README.md for what each measures and the
//! figures):
//!
//! - `step`: one arm of one two-managers replicate;
//! - `two-managers`: the whole run, 4 arms x 1,000 replicates, on 1 and 2
//!   threads (parallel across replicates);
//! - `large-org-1k`, `large-org-10k`: one arm of one replicate of large-org
//!   cut to 1,000 and 10,000 leaders, world building included, on 1 and 2
//!   threads (parallel across leaders within the week);
//! - `large-org`: the same at the bundled 100,000 leaders, only when
//!   `EMPATHY_GAP_BENCH_LARGE` is set (a sample takes tens of seconds);
//! - `chacha8`: the raw throughput of the random generator every draw comes
//!   from, the floor of the engine's speed.
//!
//! Throughputs are in leader-weeks (leaders x simulated weeks, warm-up
//! included) per second, or in bytes per second for ChaCha8. Before the
//! groups run, the number of random draws per leader-week is printed.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use empathy_gap::model::{State, World};
use empathy_gap::runner::{RunOptions, run_on, simulate_arm, simulate_arm_with, work_units};
use empathy_gap::scenario::{Override, Scenario, load_file};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn bundled(name: &str, overrides: &[&str]) -> Scenario {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|o| Override::parse(o).expect("valid override"))
        .collect();
    load_file(&path, &overrides).expect("bundled scenario is valid")
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

/// Leaders x simulated weeks (warm-up included) of one arm of one replicate.
fn leader_weeks(scenario: &Scenario, world: &World) -> u64 {
    world.leaders.len() as u64 * u64::from(scenario.weeks + scenario.warmup_weeks)
}

/// 64-bit draws per leader-week in one arm of one replicate: every leader's
/// arrival and disclosure streams, and every project's ownership stream.
fn draws_per_leader_week(scenario: &Scenario, world: &World, arm: usize) -> f64 {
    let mut state = State::new(world, scenario.seed, 0, scenario.first_week());
    simulate_arm_with(scenario, world, &scenario.arms[arm], &mut state, |_, _| {});
    let words: u128 = state
        .leaders
        .iter()
        .map(|l| l.arrivals.word_pos() + l.behaviour.word_pos())
        .chain(state.ambiguity_rngs.iter().map(|r| r.get_word_pos()))
        .sum();
    // A 64-bit draw is two 32-bit words of the stream.
    words as f64 / 2.0 / leader_weeks(scenario, world) as f64
}

fn step(c: &mut Criterion) {
    let scenario = bundled("two-managers", &[]);
    let world = World::new(&scenario);
    let mut group = c.benchmark_group("step");
    group.throughput(Throughput::Elements(leader_weeks(&scenario, &world)));
    group.bench_function("two-managers: one arm, one replicate", |b| {
        b.iter(|| simulate_arm(&scenario, &world, &scenario.arms[0], black_box(7)))
    });
    group.finish();
}

fn two_managers(c: &mut Criterion) {
    let scenario = bundled("two-managers", &[]);
    let world = World::new(&scenario);
    println!(
        "two-managers: {:.1} draws per leader-week (power-through), {:.1} (connection-first)",
        draws_per_leader_week(&scenario, &world, 0),
        draws_per_leader_week(&scenario, &world, 3),
    );
    let mut group = c.benchmark_group("two-managers");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(8));
    // The leader-weeks simulated: the weeks the arms share count once.
    group.throughput(Throughput::Elements(
        work_units(&scenario) * world.leaders.len() as u64,
    ));
    for threads in [1, 2] {
        let pool = pool(threads);
        let options = RunOptions {
            threads,
            cancel: None,
            progress: None,
        };
        group.bench_function(
            BenchmarkId::new("4 arms x 1000 replicates, threads", threads),
            |b| b.iter(|| run_on(&pool, &scenario, &world, &options).expect("runs")),
        );
    }
    group.finish();
}

/// One arm of one replicate of a large organisation, world building
/// included, on 1 and 2 threads.
fn large(c: &mut Criterion, name: &str, overrides: &[&str], measurement: Duration) {
    let scenario = bundled("large-org", overrides);
    let world = World::new(&scenario);
    println!(
        "{name}: {} leaders, {} relationships, {:.1} draws per leader-week (power-through)",
        world.leaders.len(),
        world.relationships.len(),
        draws_per_leader_week(&scenario, &world, 0),
    );
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(measurement);
    group.throughput(Throughput::Elements(leader_weeks(&scenario, &world)));
    for threads in [1, 2] {
        let pool = pool(threads);
        group.bench_function(
            BenchmarkId::new("power-through, one replicate, threads", threads),
            |b| {
                b.iter(|| {
                    pool.install(|| {
                        let world = World::new(&scenario);
                        simulate_arm(&scenario, &world, &scenario.arms[0], black_box(0))
                    })
                })
            },
        );
    }
    group.finish();
}

fn large_org(c: &mut Criterion) {
    large(
        c,
        "large-org-1k",
        &["generate.leaders=1000"],
        Duration::from_secs(10),
    );
    large(
        c,
        "large-org-10k",
        &["generate.leaders=10000"],
        Duration::from_secs(20),
    );
    if std::env::var_os("EMPATHY_GAP_BENCH_LARGE").is_some() {
        large(c, "large-org", &[], Duration::from_secs(60));
    }
}

fn chacha8(c: &mut Criterion) {
    let mut group = c.benchmark_group("chacha8");
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut buffer = vec![0u64; 8192];
    group.throughput(Throughput::Bytes(8 * buffer.len() as u64));
    group.bench_function("fill 64 KiB", |b| {
        b.iter(|| {
            rng.fill(&mut buffer[..]);
            black_box(buffer[0])
        })
    });
    group.bench_function("next_u64 x 8192", |b| {
        b.iter(|| (0..8192).fold(0u64, |sum, _| sum.wrapping_add(rng.next_u64())))
    });
    group.finish();
}

criterion_group!(benches, step, two_managers, large_org, chacha8);
criterion_main!(benches);
