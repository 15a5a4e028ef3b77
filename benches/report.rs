//! Benchmark of `write_report` on the four-arm, 26-week two-managers
//! fixture: reading the CSVs, drawing five charts as PNG and SVG, and
//! writing the HTML report.

use std::fs;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use empathy_gap::report::write_report;

fn write_report_two_managers(criterion: &mut Criterion) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/two-managers");
    let dir = tempfile::tempdir().expect("a temporary folder");
    for file in ["weekly.csv", "summary.csv", "manifest.json"] {
        fs::copy(fixture.join(file), dir.path().join(file)).expect("the fixture is readable");
    }
    criterion.bench_function("write_report/two-managers", |bencher| {
        bencher.iter(|| write_report(dir.path()).expect("the report is written"));
    });
}

criterion_group! {
    name = benches;
    // Each iteration takes a few hundred milliseconds; 20 samples keep the
    // run short on a 2-core machine.
    config = Criterion::default().sample_size(20);
    targets = write_report_two_managers
}
criterion_main!(benches);
