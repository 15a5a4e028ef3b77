//! Workshop benchmarks: the time from Enter to each step on the screen, on
//! the bundled two-managers story at 80 x 24.
//!
//! - `standoff`: choosing the replicate (a standoff among the first 100),
//!   simulating every arm of it, and the first step laid out;
//! - `questions`, `reveal`, `futures`: each step laid out from that run;
//! - `comparison`: 4 arms x 1,000 replicates on 2 threads, and the step laid
//!   out (the workshop starts this run in the background when the show
//!   starts, so the room does not wait for it);
//! - `limit`: the same story at demand 1.4 (the high-demand scenario), 4 arms
//!   x 1,000 replicates on 2 threads, also run in the background;
//! - `takeaway`: the last step laid out from both runs' results.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use empathy_gap::model::World;
use empathy_gap::runner::{Results, RunOptions, pool, run_on};
use empathy_gap::scenario::{Scenario, load_file};
use empathy_gap::workshop::document::Section;
use empathy_gap::workshop::featured::Featured;
use empathy_gap::workshop::futures::comparison;
use empathy_gap::workshop::render::{Colour, Screen, pages};
use empathy_gap::workshop::takeaway::{Limit, LimitRun, takeaway};
use empathy_gap::workshop::{STEPS, Story};

const THREADS: usize = 2;

fn bundled(name: &str) -> Scenario {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
    load_file(&path, &[]).expect("bundled scenario is valid")
}

/// A terminal of 80 x 24 with colour, as a projector's laptop has.
fn screen() -> Screen {
    Screen {
        width: 80,
        height: Some(24),
        colour: Colour::Extended,
        unicode: true,
    }
}

fn laid_out(section: &Section) -> usize {
    pages(section, STEPS, &screen()).len()
}

fn run(scenario: &Scenario, world: &World, threads: &rayon::ThreadPool) -> Results {
    let options = RunOptions {
        threads: THREADS,
        cancel: None,
        progress: None,
    };
    run_on(threads, scenario, world, &options).expect("the run completes")
}

fn workshop(criterion: &mut Criterion) {
    let scenario = bundled("two-managers");
    let world = World::new(&scenario);
    let pair = Featured::pair_of(&scenario, &world).expect("a pair and arms");
    let limit_scenario = bundled("high-demand");
    let limit_world = World::new(&limit_scenario);
    let threads = pool::<std::convert::Infallible>(THREADS).expect("a thread pool");

    let mut group = criterion.benchmark_group("workshop");
    group.sample_size(20);
    group.bench_function("standoff", |bencher| {
        bencher.iter(|| {
            let featured = Featured::simulate(&scenario, &world, pair, None);
            let story = Story::new(&scenario, &featured);
            black_box(laid_out(&story.standoff()))
        });
    });
    let featured = Featured::simulate(&scenario, &world, pair, None);
    let story = Story::new(&scenario, &featured);
    group.bench_function("questions", |bencher| {
        bencher.iter(|| black_box(laid_out(&story.questions())));
    });
    group.bench_function("reveal", |bencher| {
        bencher.iter(|| black_box(laid_out(&story.reveal())));
    });
    group.bench_function("futures", |bencher| {
        bencher.iter(|| black_box(laid_out(&story.futures())));
    });
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("comparison", |bencher| {
        bencher.iter(|| {
            let results = run(&scenario, &world, &threads);
            black_box(laid_out(&comparison(&scenario, &results)))
        });
    });
    group.bench_function("limit", |bencher| {
        bencher.iter(|| black_box(run(&limit_scenario, &limit_world, &threads)));
    });
    let results = run(&scenario, &world, &threads);
    let limit_results = run(&limit_scenario, &limit_world, &threads);
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("takeaway", |bencher| {
        bencher.iter(|| {
            let limit = LimitRun::Ran(Limit {
                demand: 1.4,
                bundled: Some("the high-demand scenario".to_string()),
                scenario: &limit_scenario,
                results: &limit_results,
            });
            black_box(laid_out(&takeaway(&scenario, &results, &limit)))
        });
    });
    group.finish();
}

criterion_group!(benches, workshop);
criterion_main!(benches);
