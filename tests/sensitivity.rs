//! `sensitivity`: a Morris screening, reproducible, shardable, and refusing
//! bad input before it runs.

use std::path::Path;

use crate::common::binary;

/// A small screening of two-managers: four parameters, one of which
/// (`touched_hours`) only decides who counts as touched and so cannot move
/// conflict hours.
const SMALL: [&str; 12] = [
    "--param",
    "defaults.demand=0.9:1.3",
    "--param",
    "attribution.lambda_loss=0.15:0.45",
    "--param",
    "conflict.touched_hours=4:12",
    "--param",
    "triage.overdue_weeks=1:4",
    "--trajectories",
    "6",
    "--replicates",
    "30",
];

fn screen(dir: &Path, args: &[&str]) {
    binary(dir)
        .args(["sensitivity", "two-managers", "--quiet"])
        .args(SMALL)
        .args(args)
        .assert()
        .success();
}

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .expect("readable")
        .records()
        .map(|record| record.expect("a valid row"))
        .collect()
}

#[test]
fn a_screening_is_the_same_bytes_on_any_thread_count_and_from_shards() {
    let dir = tempfile::tempdir().unwrap();
    screen(dir.path(), &["--threads", "1", "--out", "one"]);
    screen(
        dir.path(),
        &["--threads", "2", "--out", "two", "--no-charts"],
    );
    for shard in ["1/3", "2/3", "3/3"] {
        screen(dir.path(), &["--shard", shard, "--out", "sharded"]);
    }
    binary(dir.path())
        .args(["merge", "sharded/two-managers-sensitivity", "--quiet"])
        .assert()
        .success();
    for file in ["points.csv", "sensitivity.csv"] {
        let read = |root: &str| {
            std::fs::read(
                dir.path()
                    .join(root)
                    .join("two-managers-sensitivity")
                    .join(file),
            )
            .unwrap()
        };
        assert_eq!(read("one"), read("two"), "{file}: 1 and 2 threads");
        assert_eq!(read("one"), read("sharded"), "{file}: merged shards");
    }
    let folder = dir.path().join("one/two-managers-sensitivity");
    for file in ["report.html", "sensitivity.json"] {
        assert!(folder.join(file).is_file(), "{file}");
    }
    // 6 trajectories of 5 points.
    assert_eq!(rows(&folder.join("points.csv")).len(), 30);
}

#[test]
fn a_screening_ranks_every_parameter_for_every_output_and_finds_what_cannot_matter() {
    let dir = tempfile::tempdir().unwrap();
    screen(dir.path(), &["--out", "out", "--no-charts"]);
    let rows = rows(
        &dir.path()
            .join("out/two-managers-sensitivity/sensitivity.csv"),
    );
    // Two outputs (the baseline's level, connection-first's difference) x 4.
    assert_eq!(rows.len(), 8);
    let field = |row: &csv::StringRecord, column: usize| row[column].parse::<f64>().unwrap();
    for output in rows.chunks(4) {
        let ranks: Vec<&str> = output.iter().map(|row| &row[10]).collect();
        assert_eq!(ranks, ["1", "2", "3", "4"]);
        for pair in output.windows(2) {
            assert!(
                field(&pair[0], 7) >= field(&pair[1], 7),
                "ranked by mu_star"
            );
        }
        for row in output {
            assert!(
                field(row, 7) + 1e-12 >= field(row, 6).abs(),
                "mu_star >= |mu|"
            );
        }
        let touched = output
            .iter()
            .find(|row| &row[2] == "conflict.touched_hours")
            .unwrap();
        assert_eq!(
            field(touched, 7),
            0.0,
            "touched_hours cannot move conflict hours"
        );
        assert_eq!(&touched[10], "4");
    }
    // Demand moves the baseline's conflict, and more conflict comes with more demand.
    let demand = &rows[0];
    assert_eq!(&demand[0], "power-through");
    assert_eq!(&demand[2], "defaults.demand");
    assert!(field(demand, 6) > 0.0);
    assert_eq!(&rows[4][1], "diff_conflict_hours_per_leader_after_start");
}

#[test]
fn bad_screenings_are_refused_before_anything_runs_or_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            vec!["--param", "attribution.alfa=1:2"],
            "error: --param attribution.alfa=1:2: attribution.alfa: unknown field `alfa`; did you mean `alpha`?",
        ),
        (
            vec!["--param", "attribution.lambda_loss=0.5:1.5"],
            "error: --param attribution.lambda_loss=0.5:1.5: attribution.lambda_loss: must be at least 0 and at most 1 (got 1.5)",
        ),
        (
            vec!["--param", "trust.initial=0.6:0.2"],
            "error: --param trust.initial=0.6:0.2: FROM (0.6) must be below TO (0.2)",
        ),
        (
            vec!["--param", "seed=1:3"],
            "error: --param seed=1:3: seed says how to run, not what is modelled, and cannot be screened",
        ),
        (
            vec!["--param", "trust.initial=0.2:0.6", "--levels", "1"],
            "error: --levels: needs an even number of levels, at least 2 (got 1)",
        ),
        (
            vec!["--param", "trust.initial=0.2:0.6", "--trajectories", "1"],
            "error: --trajectories: needs at least 2 trajectories (got 1)",
        ),
        (
            vec!["--metric", "final_trusts"],
            "error: --metric final_trusts: no summary metric is named `final_trusts`; did you mean `final_trust`?",
        ),
    ] {
        let output = binary(dir.path())
            .args(["sensitivity", "two-managers", "--out", "bad"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr).trim_end(),
            expected,
            "{args:?}"
        );
        assert!(
            !dir.path().join("bad").exists(),
            "{args:?}: nothing written"
        );
    }
}
