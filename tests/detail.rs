//! `--detail`: the per-replicate, per-leader and per-relationship files, and
//! the paired weekly differences and spreads of `weekly.csv` and `summary.csv`.

use std::collections::HashMap;
use std::path::Path;

use crate::common::{binary, read_summary, read_weekly};

const FILES: [&str; 5] = [
    "replicates.csv",
    "leaders.csv",
    "relationships.csv",
    "weekly.csv",
    "summary.csv",
];

/// A CSV file as its header and rows, each a map from column to field.
fn table(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("readable CSV");
    let header = reader.headers().expect("a header").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("a valid row");
            header
                .iter()
                .zip(record.iter())
                .map(|(column, field)| (column.to_string(), field.to_string()))
                .collect()
        })
        .collect()
}

fn value(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column}: `{}` is not a number", row[column]))
}

fn run(dir: &Path, args: &[&str]) {
    binary(dir)
        .args([
            "run",
            "two-managers",
            "--replicates",
            "250",
            "--quiet",
            "--no-charts",
        ])
        .args(args)
        .assert()
        .success();
}

#[test]
fn detail_files_are_the_same_bytes_on_one_and_two_threads_and_merged_from_shards() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["--detail", "--threads", "1", "--out", "one"]);
    run(dir.path(), &["--detail", "--threads", "2", "--out", "two"]);
    for shard in ["1/3", "2/3", "3/3"] {
        run(
            dir.path(),
            &["--detail", "--shard", shard, "--out", "sharded"],
        );
    }
    binary(dir.path())
        .args(["merge", "sharded/two-managers", "--quiet", "--no-charts"])
        .assert()
        .success();
    for file in FILES {
        let read =
            |root: &str| std::fs::read(dir.path().join(root).join("two-managers").join(file));
        let one = read("one").unwrap();
        assert_eq!(one, read("two").unwrap(), "{file}: 1 and 2 threads");
        assert_eq!(one, read("sharded").unwrap(), "{file}: merged shards");
    }
}

#[test]
fn detail_rows_add_up_to_each_replicates_summary() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["--detail", "--out", "out"]);
    let folder = dir.path().join("out/two-managers");
    let replicates = table(&folder.join("replicates.csv"));
    let leaders = table(&folder.join("leaders.csv"));
    let relationships = table(&folder.join("relationships.csv"));
    // 250 replicates x 4 arms; two leaders and two relationships each.
    assert_eq!(replicates.len(), 1000);
    assert_eq!(leaders.len(), 2000);
    assert_eq!(relationships.len(), 2000);
    let key = |row: &HashMap<String, String>| (row["replicate"].clone(), row["arm"].clone());
    let mut conflict: HashMap<(String, String), f64> = HashMap::new();
    let mut onsets: HashMap<(String, String), (f64, f64)> = HashMap::new();
    for row in &leaders {
        *conflict.entry(key(row)).or_default() += value(row, "conflict_hours");
        if row["free_at_week_1"] == "1" {
            let entry = onsets.entry(key(row)).or_default();
            entry.0 += value(row, "onset");
            entry.1 += 1.0;
        } else {
            assert_eq!(row["onset"], "", "only the free are at risk");
        }
    }
    for row in &replicates {
        // The weekly mean per leader over 26 weeks, from the summary's two
        // periods around the start in week 5.
        let weekly = (4.0 * value(row, "conflict_hours_per_leader_before_start")
            + 22.0 * value(row, "conflict_hours_per_leader_after_start"))
            / 26.0;
        let from_leaders = conflict[&key(row)] / 2.0 / 26.0;
        assert!(
            (weekly - from_leaders).abs() < 1e-5,
            "{:?}: {weekly} vs {from_leaders}",
            key(row)
        );
        match onsets.get(&key(row)) {
            Some((onset, free)) => {
                assert!((value(row, "onset_incidence") - onset / free).abs() < 1e-6);
            }
            None => assert_eq!(row["onset_incidence"], ""),
        }
        // The baseline's paired differences are zero; escalation's own
        // difference from it is the difference of the two rows.
        if row["arm"] == "power-through" {
            assert_eq!(value(row, "diff_final_trust"), 0.0);
        }
    }
    for row in &relationships {
        assert!((0.0..=1.0).contains(&value(row, "trust_final")));
        let coordinated = value(row, "coordinated_weeks");
        assert_eq!(row["coordinated"] == "1", coordinated > 0.0);
        if row["arm"] != "connection-first" {
            assert_eq!(coordinated, 0.0, "only connection-first coordinates");
        }
    }
    // Connection-first pairs coordinate in most replicates.
    let coordinating = relationships
        .iter()
        .filter(|row| row["arm"] == "connection-first" && row["coordinated"] == "1")
        .count();
    assert!(coordinating > 250, "{coordinating} of 500");
}

#[test]
fn summary_gains_n_and_spreads_and_weekly_gains_paired_differences() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["--out", "out"]);
    let folder = dir.path().join("out/two-managers");
    let summary = table(&folder.join("summary.csv"));
    let row = summary
        .iter()
        .find(|row| row["arm"] == "connection-first" && row["metric"] == "final_trust")
        .unwrap();
    assert_eq!(row["n"], "250");
    assert!(value(row, "sd") > 0.0 && value(row, "diff_sd") > 0.0);
    // The interval is the mean +/- t * sd / sqrt(n).
    let half = (value(row, "ci_high") - value(row, "ci_low")) / 2.0;
    let t = half / (value(row, "sd") / 250f64.sqrt());
    assert!((t - 1.9695).abs() < 1e-3, "t = {t}");
    // The weekly paired difference's mean is the difference of the means.
    let weekly = read_weekly(&folder.join("weekly.csv"));
    let metric = "conflict_hours_per_leader";
    let get = |arm: &str, metric: &str| &weekly[&(arm.to_string(), metric.to_string())];
    let (arm, base) = (
        get("connection-first", metric),
        get("power-through", metric),
    );
    let diff = get("connection-first", &format!("diff_{metric}"));
    assert_eq!(diff.len(), 26);
    for week in 0..26 {
        assert!((diff[week] - (arm[week] - base[week])).abs() < 2e-6);
    }
    assert!(!weekly.contains_key(&("power-through".to_string(), format!("diff_{metric}"))));
    // Existing readers by position still find the columns they knew.
    let old = read_summary(&folder.join("summary.csv"));
    assert!(old.contains_key(&("escalation".to_string(), "final_trust".to_string())));
}

#[test]
fn detail_replicates_limits_the_rows_and_bad_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["--detail-replicates", "3", "--out", "out"]);
    let leaders = table(&dir.path().join("out/two-managers/leaders.csv"));
    assert_eq!(leaders.len(), 3 * 4 * 2);
    assert_eq!(leaders.last().unwrap()["replicate"], "2");
    // A run without --detail removes an earlier run's detail files.
    run(dir.path(), &["--out", "out"]);
    assert!(!dir.path().join("out/two-managers/leaders.csv").exists());

    let output = binary(dir.path())
        .args([
            "run",
            "two-managers",
            "--detail-replicates",
            "0",
            "--out",
            "zero",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        "error: --detail-replicates: must be at least 1 (leave out --detail for none)"
    );
    assert!(!dir.path().join("zero").exists());
}

#[test]
fn detail_files_over_the_limit_are_refused_with_the_estimate_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    // 100,000 leaders in 4 arms, 20 replicates: about 20 GB of rows.
    let output = binary(dir.path())
        .args(["run", "large-org", "--detail", "--out", "big"])
        .args(["--replicates", "20"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: --detail: the detail files of 20 replicates would take about ")
            && stderr.contains("(the limit is 2.0 GB); use --detail-replicates ")
            && stderr.contains(" to stay under it, or --force to write them anyway"),
        "{stderr}"
    );
    assert!(!dir.path().join("big").exists(), "nothing is written");
}

#[test]
fn merge_refuses_shards_of_which_only_some_have_detail() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        &["--detail", "--shard", "1/2", "--out", "mixed"],
    );
    run(dir.path(), &["--shard", "2/2", "--out", "mixed"]);
    let output = binary(dir.path())
        .args(["merge", "mixed/two-managers", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("shard-1-of-2 holds the detail files (--detail) but ")
            && stderr.contains("shard-2-of-2 does not; run every shard with the same flags"),
        "{stderr}"
    );
    assert!(!dir.path().join("mixed/two-managers/summary.csv").exists());
}

#[test]
fn a_sweeps_detail_starts_each_row_with_its_point_and_merges_from_shards() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = |args: &[&str]| {
        binary(dir.path())
            .args([
                "sweep",
                "two-managers",
                "--param",
                "trust.initial=0.2:0.8:3",
            ])
            .args(["--replicates", "20", "--detail", "--quiet", "--no-charts"])
            .args(args)
            .assert()
            .success();
    };
    sweep(&["--threads", "1", "--out", "one"]);
    sweep(&["--threads", "2", "--out", "two"]);
    sweep(&["--shard", "1/2", "--out", "sharded"]);
    sweep(&["--shard", "2/2", "--out", "sharded"]);
    binary(dir.path())
        .args([
            "merge",
            "sharded/two-managers-sweep",
            "--quiet",
            "--no-charts",
        ])
        .assert()
        .success();
    for file in ["replicates.csv", "leaders.csv", "relationships.csv"] {
        let read =
            |root: &str| std::fs::read(dir.path().join(root).join("two-managers-sweep").join(file));
        let one = read("one").unwrap();
        assert_eq!(one, read("two").unwrap(), "{file}: 1 and 2 threads");
        assert_eq!(one, read("sharded").unwrap(), "{file}: merged shards");
    }
    let leaders = table(&dir.path().join("one/two-managers-sweep/leaders.csv"));
    // 3 points x 20 replicates x 4 arms x 2 leaders, points in order.
    assert_eq!(leaders.len(), 480);
    assert_eq!(leaders[0]["point"], "0");
    assert_eq!(leaders[0]["trust.initial"], "0.2");
    assert_eq!(leaders[479]["point"], "2");
    assert_eq!(leaders[479]["trust.initial"], "0.8");
}
