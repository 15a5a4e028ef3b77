//! Every bundled scenario validates and runs briefly.

use empathy_gap::scenario::{Override, load_file};

use crate::common::run_all;

#[test]
fn every_bundled_scenario_validates_and_runs() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        // The file as bundled loads and generates its organisation...
        let bundled = load_file(&path, &[]).unwrap_or_else(|e| panic!("{}:\n{e}", path.display()));
        // ...and runs, briefly; an organisation of many thousands of leaders
        // runs at 2,000 (its full size is a benchmark's job, not a test's).
        let mut overrides = vec![
            Override::parse("replicates=2").unwrap(),
            Override::parse("weeks=6").unwrap(),
        ];
        if bundled.organisation.leaders.len() > 5_000 {
            overrides.push(Override::parse("generate.leaders=2000").unwrap());
        }
        let scenario =
            load_file(&path, &overrides).unwrap_or_else(|e| panic!("{}:\n{e}", path.display()));
        assert!(
            !scenario.description.is_empty(),
            "{} needs a description",
            path.display()
        );
        let results = run_all(&scenario);
        assert_eq!(results.replicates_done, 2);
        count += 1;
    }
    assert!(count >= 3, "found only {count} scenarios");
}
