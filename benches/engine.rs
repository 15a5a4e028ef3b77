//! Engine benchmarks: one arm of one replicate, and a whole two-managers run.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use empathy_gap::model::World;
use empathy_gap::runner::{RunOptions, run, simulate_arm};
use empathy_gap::scenario::{Override, load_file};

fn bundled(name: &str, overrides: &[&str]) -> empathy_gap::scenario::Scenario {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|o| Override::parse(o).expect("valid override"))
        .collect();
    load_file(&path, &overrides).expect("bundled scenario is valid")
}

fn engine(c: &mut Criterion) {
    let scenario = bundled("two-managers", &[]);
    let world = World::new(&scenario);
    c.bench_function("two-managers: one arm, one replicate (34 weeks)", |b| {
        b.iter(|| simulate_arm(&scenario, &world, &scenario.arms[0], black_box(7)))
    });

    let mut group = c.benchmark_group("runs");
    group.sample_size(10);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = RunOptions {
        threads,
        cancel: None,
        progress: None,
    };
    group.bench_function("two-managers: 4 arms x 1000 replicates", |b| {
        b.iter(|| run(&scenario, &world, &options).expect("runs"))
    });
    let organisation = bundled("typical-org", &["replicates=2"]);
    let organisation_world = World::new(&organisation);
    group.bench_function("typical-org: 200 leaders x 60 weeks x 2 replicates", |b| {
        b.iter(|| run(&organisation, &organisation_world, &options).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
