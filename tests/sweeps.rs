//! Sweeps and shards through the command line: a sweep's rows are the runs
//! of its points, and shards merged are the unsharded run, byte for byte.

use std::path::Path;

use crate::common::{binary, stderr_of, succeeds};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Runs the binary in `dir` and returns its stderr, asserting exit code 2.
fn refused(dir: &Path, args: &[&str]) -> String {
    let output = binary(dir).args(args).output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

#[test]
fn shards_merge_to_the_unsharded_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 450 replicates: five blocks, the last one short, over three shards
    // run with different thread counts.
    let common = [
        "two-managers",
        "--replicates",
        "450",
        "--seed",
        "9",
        "--quiet",
    ];
    succeeds(
        d,
        &[&["run"][..], &common, &["--out", "whole", "--no-charts"]].concat(),
    );
    for (shard, threads) in [("1/3", "1"), ("2/3", "2"), ("3/3", "3")] {
        let args = [
            &["run"][..],
            &common,
            &["--out", "parts", "--shard", shard, "--threads", threads],
        ]
        .concat();
        succeeds(d, &args);
    }
    let parts = d.join("parts/two-managers");
    assert!(parts.join("shard-2-of-3/shard.json").is_file());
    assert!(
        !parts.join("weekly.csv").exists(),
        "a shard writes only its part"
    );
    // Shards may be named one by one, in any order.
    succeeds(
        d,
        &[
            "merge",
            "parts/two-managers/shard-3-of-3",
            "parts/two-managers/shard-1-of-3",
            "parts/two-managers/shard-2-of-3",
            "--quiet",
        ],
    );
    for file in ["weekly.csv", "summary.csv"] {
        assert!(
            read(&parts.join(file)) == read(&d.join("whole/two-managers").join(file)),
            "merged {file} differs from the unsharded run's"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&parts.join("manifest.json"))).unwrap();
    assert_eq!(manifest["replicates"], 450);
    assert_eq!(manifest["shards"], 3);
    assert!(
        !manifest["command"].as_str().unwrap().contains("--shard"),
        "{}",
        manifest["command"]
    );
    // Merging also draws the report, like a run.
    assert!(parts.join("report.html").is_file());
}

#[test]
fn merge_refuses_missing_repeated_foreign_and_damaged_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (out, seed, shard) in [("a", "1", "1/2"), ("a", "1", "2/2"), ("b", "2", "2/2")] {
        succeeds(
            d,
            &[
                "run",
                "two-managers",
                "--replicates",
                "200",
                "--seed",
                seed,
                "--out",
                out,
                "--shard",
                shard,
                "--quiet",
            ],
        );
    }
    let missing = refused(d, &["merge", "a/two-managers/shard-1-of-2", "--out", "m"]);
    assert!(
        missing.contains("1 of 2 shards given; missing: 2"),
        "{missing}"
    );
    let foreign = refused(
        d,
        &[
            "merge",
            "a/two-managers/shard-1-of-2",
            "b/two-managers/shard-2-of-2",
            "--out",
            "m",
        ],
    );
    assert!(foreign.contains("a shard of another job"), "{foreign}");
    let twice = refused(
        d,
        &[
            "merge",
            "a/two-managers",
            "a/two-managers/shard-2-of-2",
            "--out",
            "m",
        ],
    );
    assert!(twice.contains("is given twice"), "{twice}");
    let nothing = refused(d, &["merge", "b", "--out", "m"]);
    assert!(nothing.contains("no shard here"), "{nothing}");

    // A shard of another version of the tool.
    let manifest = d.join("a/two-managers/shard-1-of-2/shard.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    std::fs::write(&manifest, text.replace(&version, "\"version\": \"0.0.1\"")).unwrap();
    let old = refused(d, &["merge", "a/two-managers", "--out", "m"]);
    assert!(old.contains("was written by version 0.0.1"), "{old}");
    std::fs::write(&manifest, &text).unwrap();

    // A blocks file cut short (a copy that did not finish), or with one bit
    // flipped, is named: it no longer matches the checksum its shard wrote.
    let blocks = d.join("a/two-managers/shard-2-of-2/blocks.bin");
    let bytes = read(&blocks);
    std::fs::write(&blocks, &bytes[..bytes.len() - 7]).unwrap();
    let damaged = refused(d, &["merge", "a/two-managers", "--out", "m"]);
    assert!(
        damaged.contains("shard-2-of-2/blocks.bin: does not match its checksum in shard.json (")
            && damaged.contains("it was changed or damaged since; run the shard again"),
        "{damaged}"
    );
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x10;
    std::fs::write(&blocks, &flipped).unwrap();
    let damaged = refused(d, &["merge", "a/two-managers", "--out", "m"]);
    assert!(
        damaged.contains("shard-2-of-2/blocks.bin: does not match its checksum"),
        "{damaged}"
    );
    // A shard without checksums (of an older build) is refused too.
    std::fs::write(&blocks, &bytes).unwrap();
    let manifest = d.join("a/two-managers/shard-2-of-2/shard.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json.as_object_mut().unwrap().remove("checksums");
    std::fs::write(&manifest, json.to_string()).unwrap();
    let unchecked = refused(d, &["merge", "a/two-managers", "--out", "m"]);
    assert!(
        unchecked.contains("shard.json: lists no checksums of its files; run the shard again"),
        "{unchecked}"
    );
    assert!(
        !d.join("m").exists(),
        "a refused merge leaves no output folder"
    );
}

#[test]
fn shards_refuse_bad_numbers_and_more_shards_than_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let zero = refused(d, &["run", "two-managers", "--shard", "0/4"]);
    assert!(
        zero.contains("--shard 0/4: K must be from 1 to N (4)"),
        "{zero}"
    );
    let form = refused(d, &["run", "two-managers", "--shard", "2"]);
    assert!(form.contains("write it as K/N"), "{form}");
    let many = refused(
        d,
        &[
            "run",
            "two-managers",
            "--replicates",
            "250",
            "--shard",
            "4/4",
        ],
    );
    assert!(many.contains("at most 3 shards"), "{many}");
    let one = refused(
        d,
        &["run", "two-managers", "--replicates", "8", "--shard", "2/2"],
    );
    assert!(
        one.contains("8 replicates make 1 block of 100 replicates")
            && one.ends_with("split the run into at most 1 shard\n"),
        "{one}"
    );
    assert!(!d.join("output").exists(), "nothing written");
}

/// The rows of one arm and metric of a CSV, without the first `skip` columns.
fn rows_after(text: &str, skip: usize) -> Vec<String> {
    text.lines()
        .skip(1)
        .map(|line| line.splitn(skip + 1, ',').last().unwrap().to_string())
        .collect()
}

#[test]
fn each_sweep_point_is_the_run_with_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    succeeds(
        d,
        &[
            "sweep",
            "two-managers",
            "--param",
            "trust.initial=0.2:0.6:3",
            "--param",
            "defaults.disclosure=0.1:0.3:2",
            "--replicates",
            "120",
            "--out",
            "s",
            "--quiet",
            "--no-charts",
        ],
    );
    let sweep = String::from_utf8(read(&d.join("s/two-managers-sweep/sweep.csv"))).unwrap();
    assert!(
        sweep
            .starts_with("point,trust.initial,defaults.disclosure,arm,metric,mean,ci_low,ci_high,")
    );
    // Point 3 is trust 0.4 (second value of the first parameter), disclosure 0.3.
    let point: Vec<&str> = sweep
        .lines()
        .filter(|line| line.starts_with("3,"))
        .collect();
    assert!(point.iter().all(|line| line.starts_with("3,0.4,0.3,")));
    succeeds(
        d,
        &[
            "run",
            "two-managers",
            "--set",
            "trust.initial=0.4",
            "--set",
            "defaults.disclosure=0.3",
            "--replicates",
            "120",
            "--out",
            "r",
            "--quiet",
            "--no-charts",
        ],
    );
    let summary = String::from_utf8(read(&d.join("r/two-managers/summary.csv"))).unwrap();
    let from_sweep: Vec<String> = point
        .iter()
        .map(|line| line.splitn(4, ',').last().unwrap().to_string())
        .collect();
    assert_eq!(from_sweep, rows_after(&summary, 0));
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&d.join("s/two-managers-sweep/sweep.json"))).unwrap();
    assert_eq!(manifest["points"], 6);
    assert_eq!(manifest["replicates"], 120);
    assert_eq!(
        manifest["params"][1]["values"],
        serde_json::json!([0.1, 0.3])
    );
}

#[test]
fn sweep_shards_merge_to_the_unsharded_sweep_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let common = [
        "sweep",
        "two-managers",
        "--param",
        "attribution.lambda_loss=0.15:0.45:4",
        "--param",
        "trust.initial=0.3:0.5:2",
        "--replicates",
        "60",
        "--quiet",
    ];
    succeeds(
        d,
        &[&common[..], &["--out", "whole", "--no-charts"]].concat(),
    );
    for shard in ["1/3", "2/3", "3/3"] {
        succeeds(
            d,
            &[&common[..], &["--out", "parts", "--shard", shard]].concat(),
        );
    }
    succeeds(d, &["merge", "parts/two-managers-sweep", "--quiet"]);
    assert!(
        read(&d.join("parts/two-managers-sweep/sweep.csv"))
            == read(&d.join("whole/two-managers-sweep/sweep.csv")),
        "merged sweep.csv differs from the unsharded sweep's"
    );
    // A shard's rows cut short, or missing one row, are refused.
    let rows = d.join("parts/two-managers-sweep/shard-2-of-3/sweep.csv");
    let text = std::fs::read_to_string(&rows).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(40);
    std::fs::write(&rows, lines.join("\n") + "\n").unwrap();
    let missing = refused(d, &["merge", "parts/two-managers-sweep", "--out", "m"]);
    assert!(
        missing.contains("shard-2-of-3/sweep.csv: does not match its checksum in shard.json"),
        "{missing}"
    );
    let too_many = refused(
        d,
        &[&common[..], &["--out", "x", "--shard", "9/9"]].concat(),
    );
    assert!(too_many.contains("only 8 points"), "{too_many}");
}

#[test]
fn a_sweeps_report_is_the_one_its_files_redraw_and_merged_shards_draw() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Three parameters: heatmaps with a panel for each value of the third.
    let common = [
        "sweep",
        "two-managers",
        "--param",
        "trust.initial=0.2:0.8:3",
        "--param",
        "defaults.disclosure=0:0.4:2",
        "--param",
        "defaults.demand=0.8:1:2",
        "--replicates",
        "20",
        "--quiet",
    ];
    succeeds(d, &[&common[..], &["--out", "whole"]].concat());
    let whole = d.join("whole/two-managers-sweep");
    let charts = [
        "sweep-conflict.png",
        "sweep-conflict.svg",
        "sweep-difference.png",
        "sweep-difference.svg",
    ];
    let drawn: Vec<Vec<u8>> = charts
        .iter()
        .chain(&["report.html"])
        .map(|name| read(&whole.join(name)))
        .collect();
    // The sweep drew its report from the rows it staged; `report` draws it
    // again from the files.
    for name in charts.iter().chain(&["report.html"]) {
        std::fs::remove_file(whole.join(name)).unwrap();
    }
    succeeds(d, &["report", "whole/two-managers-sweep"]);
    for (name, bytes) in charts.iter().chain(&["report.html"]).zip(&drawn) {
        assert!(
            read(&whole.join(name)) == *bytes,
            "{name} redrawn from the files differs from the sweep's own"
        );
    }
    // Merged shards draw the same charts (the page differs in the command).
    for shard in ["1/2", "2/2"] {
        succeeds(
            d,
            &[&common[..], &["--out", "parts", "--shard", shard]].concat(),
        );
    }
    succeeds(d, &["merge", "parts/two-managers-sweep", "--quiet"]);
    for (name, bytes) in charts.iter().zip(&drawn) {
        assert!(
            read(&d.join("parts/two-managers-sweep").join(name)) == *bytes,
            "{name} of the merged shards differs from the unsharded sweep's"
        );
    }
}

#[test]
fn a_named_sweep_runs_with_its_own_replicates() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The bundled asymmetry sweep, with fewer replicates for speed: the flag
    // beats the sweep's own number.
    succeeds(
        d,
        &[
            "sweep",
            "two-managers",
            "--sweep",
            "asymmetry",
            "--replicates",
            "40",
            "--out",
            "s",
            "--quiet",
            "--no-charts",
        ],
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&d.join("s/two-managers-asymmetry/sweep.json"))).unwrap();
    assert_eq!(manifest["sweep"], "asymmetry");
    assert_eq!(manifest["replicates"], 40);
    assert_eq!(manifest["points"], 8);
    let choose = refused(d, &["sweep", "two-managers"]);
    assert!(
        choose.contains(
            "has several sweeps (asymmetry, trust-disclosure); choose one with --sweep NAME"
        ),
        "{choose}"
    );
    let typo = refused(d, &["sweep", "two-managers", "--sweep", "asymetry"]);
    assert!(typo.contains("did you mean `asymmetry`?"), "{typo}");
}

#[test]
fn sweep_values_the_scenario_refuses_are_named_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases = [
        // The last value is out of range.
        (
            "trust.initial=0.5:1.5:3",
            "--param trust.initial=0.5:1.5:3 (at trust.initial=1.5)",
        ),
        // A fraction for a whole number, in the middle of the range.
        ("weeks=10:11:3", "--param weeks=10:11:3 (at weeks=10.5)"),
        ("trust.intial=0:1:2", "did you mean `initial`?"),
        ("trust.initial=0:1", "three parts after `=`"),
    ];
    for (param, expected) in cases {
        let stderr = refused(
            d,
            &["sweep", "two-managers", "--param", param, "--out", "s"],
        );
        assert!(stderr.contains(expected), "{param}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let both = refused(
        d,
        &[
            "sweep",
            "two-managers",
            "--sweep",
            "asymmetry",
            "--param",
            "trust.initial=0:1:2",
        ],
    );
    assert!(both.contains("cannot be combined"), "{both}");
    assert!(!d.join("s").exists(), "nothing written");
}

#[test]
fn a_file_named_like_a_bundled_scenario_is_run_from_its_own_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bundled =
        std::fs::read_to_string(crate::common::repo_file("scenarios/two-managers.toml")).unwrap();
    std::fs::create_dir(d.join("scenarios")).unwrap();
    std::fs::write(
        d.join("scenarios/two-managers.toml"),
        bundled.replace("seed = 42", "seed = 7"),
    )
    .unwrap();
    let sweep = |scenario: &str, out: &str, extra: &[&str]| {
        let args = [
            &[
                "sweep",
                scenario,
                "--param",
                "trust.initial=0.3:0.5:2",
                "--replicates",
                "30",
                "--out",
                out,
                "--quiet",
                "--no-charts",
                "--shard",
                "1/1",
            ][..],
            extra,
        ]
        .concat();
        succeeds(d, &args);
    };
    sweep("scenarios/two-managers.toml", "file", &[]);
    sweep("two-managers", "bundled", &["--seed", "7"]);
    let manifest = read(&d.join("file/two-managers-sweep/shard-1-of-1/shard.json"));
    assert!(String::from_utf8_lossy(&manifest).contains("seed = 7"));
    assert!(
        read(&d.join("file/two-managers-sweep/shard-1-of-1/sweep.csv"))
            == read(&d.join("bundled/two-managers-sweep/shard-1-of-1/sweep.csv")),
        "the edited file's seed was not used"
    );
}

/// A shard.json whose scenario claims an organisation larger than this
/// machine holds is refused with the estimate, before anything is built.
#[test]
fn merge_checks_a_shards_scenario_for_size_before_building_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    succeeds(
        d,
        &[
            "run",
            "typical-org",
            "--replicates",
            "4",
            "--shard",
            "1/1",
            "--quiet",
            "--no-charts",
        ],
    );
    let manifest = d.join("output/typical-org/shard-1-of-1/shard.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let scenario = json["scenario_text"].as_str().unwrap().to_string();
    let doctored = scenario.replace("leaders = 200", "leaders = 100000000");
    assert_ne!(doctored, scenario);
    json["scenario_text"] = doctored.into();
    std::fs::write(&manifest, json.to_string()).unwrap();
    let started = std::time::Instant::now();
    let refused = refused(d, &["merge", "output/typical-org", "--quiet"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(
        refused.contains("the shards' scenario no longer loads: ")
            && refused.contains("generate.leaders: too large to run here: it would need about ")
            && !refused.contains("--force"),
        "{refused}"
    );
    assert!(!d.join("output/typical-org/summary.csv").exists());
}
