//! The real binary, run in a temporary folder. Malformed scenarios and bad
//! `--set` values are covered case by case in `bad_scenarios`.

use crate::common::{PAIR_ORGANISATION, binary, read_summary, repo_file, stderr_of, succeeds};

const WEEKLY_HEADER: &str = "arm,week,metric,mean,ci_low,ci_high";
const SUMMARY_HEADER: &str =
    "arm,metric,mean,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high,n,sd,diff_sd";

#[test]
fn run_writes_the_contract_files() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary(dir.path())
        .args([
            "run",
            &repo_file("scenarios/two-managers.toml"),
            "--replicates",
            "4",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let folder = dir.path().join("output/two-managers");
    let weekly = std::fs::read_to_string(folder.join("weekly.csv")).unwrap();
    assert_eq!(weekly.lines().next(), Some(WEEKLY_HEADER));
    // 4 arms x 26 weeks x every metric, 3 arms' paired differences from the
    // baseline, and the header.
    let metrics = empathy_gap::metrics::Weekly::COUNT;
    assert_eq!(weekly.lines().count(), 1 + (4 + 3) * 26 * metrics);
    for metric in [
        "conflict_hours_per_leader",
        "empathy_gap_hours",
        "believed_peer_load_hours",
        "disclosures",
    ] {
        assert!(
            weekly.contains(&format!(",{metric},")),
            "weekly.csv lacks {metric}"
        );
    }
    let summary = std::fs::read_to_string(folder.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().next(), Some(SUMMARY_HEADER));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["seed"], 42);
    assert_eq!(manifest["replicates"], 4);
    assert_eq!(manifest["baseline"], "power-through");
    assert_eq!(manifest["scenario"]["name"], "two-managers");
    assert!(
        manifest["command"]
            .as_str()
            .unwrap()
            .contains("--replicates 4")
    );
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn run_prints_a_summary_row_per_arm() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary(dir.path())
        .args(["run", "two-managers", "--replicates", "3", "--weeks", "8"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for arm in [
        "power-through",
        "escalation",
        "status-meeting",
        "connection-first",
    ] {
        assert!(
            stdout.lines().any(|line| line.starts_with(arm)),
            "no row for {arm} in\n{stdout}"
        );
    }
    assert!(stdout.contains("lost h/yr per employee"));
}

#[test]
fn an_arm_is_added_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    binary(dir.path())
        .args([
            "run",
            "two-managers",
            "--replicates",
            "10",
            "--no-charts",
            "--quiet",
        ])
        .args(["--arm", "both=connection-first,status-meeting@5"])
        .assert()
        .success();
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("output/two-managers/manifest.json")).unwrap(),
    )
    .unwrap();
    let both = manifest["arms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|arm| arm["name"] == "both")
        .expect("the added arm is in the manifest");
    assert_eq!(both["start_week"], 5);
    assert_eq!(
        both["interventions"],
        serde_json::json!(["status-meeting", "connection-first"])
    );
    // Refused as a --set would be, naming the argument.
    assert_refused(
        dir.path(),
        &["run", "two-managers", "--arm", "both=connection-frist"],
        "error: --arm both=connection-frist: arms.both.interventions[0].kind: unknown kind `connection-frist`; did you mean `connection-first`?\n",
    );
    assert_refused(
        dir.path(),
        &["run", "two-managers", "--arm", "both"],
        "error: --arm both: must be of the form NAME=KIND[,KIND][@WEEK], like both=connection-first,status-meeting@5\n",
    );
}

#[test]
fn a_run_whose_queues_grow_all_run_says_so_and_which_value_to_lower() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = |scenario: &str| {
        let run = [
            "run",
            scenario,
            "--replicates",
            "10",
            "--no-charts",
            "--quiet",
        ];
        stderr_of(&succeeds(dir.path(), &run))
    };
    // typical-org's queues grow all year (the README's calibration notes).
    let warning = stderr("typical-org");
    assert!(
        warning.starts_with(
            "warning: queues grew all run under power-through: a leader's open work rose from "
        ),
        "{warning}"
    );
    assert!(warning.contains("lower demand (defaults.demand, or generate.demand_min and _max)"));
    assert_eq!(warning.lines().count(), 1);
    // two-managers' are steady after its warm-up.
    assert_eq!(stderr("two-managers"), "");
}

#[test]
fn validate_and_run_say_when_queues_grow_without_bound_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = |args: &[&str]| stderr_of(&succeeds(dir.path(), args));
    // At demand 1.8 the work triage keeps is 197 h of a 192 h week.
    let expected = "warning: scenarios/two-managers.toml: queues grow without bound at these values: all 2 leaders get more work that triage never drops (private work of priority 5.5 and above, and shared commitments) than the team can do (the most: Alex, 197 h a week against 192 h of capacity); lower demand (defaults.demand, a leader's own demand, or generate.demand_min and demand_max), the shares of those workstreams or the projects' weekly hours, or raise triage.below_priority so triage may drop more\n";
    let validate = ["validate", "two-managers", "--check-warmup", "never"];
    let run = [
        "run",
        "two-managers",
        "--replicates",
        "10",
        "--no-charts",
        "--quiet",
    ];
    let overloaded = ["--set", "defaults.demand=1.8"];
    assert_eq!(stderr(&[&validate[..], &overloaded[..]].concat()), expected);
    assert_eq!(stderr(&[&run[..], &overloaded[..]].concat()), expected);
    // high-demand's 1.4 keeps up with what triage keeps, and says nothing.
    assert_eq!(
        stderr(&[&validate[..], &["--set", "defaults.demand=1.4"]].concat()),
        ""
    );
}

#[test]
fn the_summary_table_fits_80_columns_unless_asked_for_every_metric() {
    let dir = tempfile::tempdir().unwrap();
    let table = |wide: bool| {
        let mut command = binary(dir.path());
        command.args(["run", "two-managers", "--replicates", "20", "--no-charts"]);
        if wide {
            command.arg("--wide");
        }
        let output = command.output().unwrap();
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let narrow = table(false);
    let header = narrow.lines().find(|line| line.starts_with("arm")).unwrap();
    assert!(header.contains("lost h/yr per employee") && header.contains("vs power-through"));
    assert!(
        narrow.lines().all(|line| line.chars().count() <= 80),
        "wider than 80 columns:\n{narrow}"
    );
    let wide = table(true);
    let header = wide.lines().find(|line| line.starts_with("arm")).unwrap();
    for column in [
        "lost h/yr per leader",
        "conflict h/wk from wk 5",
        "final trust",
    ] {
        assert!(header.contains(column), "{header}");
    }
}

#[test]
fn set_overrides_a_value_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let status = binary(dir.path())
        .args([
            "run",
            "two-managers",
            "--replicates",
            "2",
            "--weeks",
            "6",
            "--set",
            "arms.connection-first.start_week=3",
            "--set",
            "leaders.Alex.demand=0.8",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("output/two-managers/manifest.json")).unwrap(),
    )
    .unwrap();
    let arms = manifest["arms"].as_array().unwrap();
    let connection = arms
        .iter()
        .find(|arm| arm["name"] == "connection-first")
        .unwrap();
    assert_eq!(connection["start_week"], 3);
    assert_eq!(manifest["scenario"]["leaders"][0]["demand"], 0.8);
    assert_eq!(manifest["intervention_start_week"], 3);
}

#[test]
fn validate_accepts_the_bundled_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary(dir.path())
        .args([
            "validate",
            &repo_file("scenarios/two-managers.toml"),
            &repo_file("scenarios/typical-org.toml"),
            &repo_file("scenarios/high-demand.toml"),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout)
            .matches(": ok")
            .count(),
        3
    );
}

#[test]
fn validate_checks_the_warm_up_against_one_three_times_as_long() {
    let dir = tempfile::tempdir().unwrap();
    let validate = |args: &[&str]| {
        let output = binary(dir.path())
            .arg("validate")
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    // Two managers settle within their 30-week warm-up.
    let (stdout, stderr) = validate(&["two-managers"]);
    assert!(
        stdout.contains(
            "  warm-up: 30 weeks reach the steady state (weeks 1-4 as after 90, 100 replicates)"
        ),
        "{stdout}"
    );
    assert!(stderr.is_empty(), "{stderr}");
    // Without a warm-up, the pair is far from it: a warning at the field,
    // and the scenario is still valid.
    let (_, stderr) = validate(&["two-managers", "--set", "warmup_weeks=0"]);
    assert!(
        stderr.starts_with("warning: --set warmup_weeks=0: warmup_weeks: a warm-up of 0 weeks does not reach the steady state: weeks 1-4 still differ from those after 3 warm-up weeks (")
            && stderr.contains("trust_mean "),
        "{stderr}"
    );
    // A file's warm-up is named by its line.
    let text = std::fs::read_to_string(repo_file("scenarios/two-managers.toml")).unwrap();
    let short = text.replace("warmup_weeks = 30", "warmup_weeks = 1");
    assert_ne!(short, text);
    std::fs::write(dir.path().join("short.toml"), &short).unwrap();
    let line = short
        .lines()
        .position(|l| l.starts_with("warmup_weeks"))
        .unwrap()
        + 1;
    let (_, stderr) = validate(&["short.toml"]);
    assert!(
        stderr.starts_with(&format!(
            "warning: short.toml:{line}:1: warmup_weeks: a warm-up of 1 week does not reach"
        )),
        "{stderr}"
    );
    // Never: no check, no line.
    let (stdout, stderr) = validate(&["short.toml", "--check-warmup", "never"]);
    assert!(
        !stdout.contains("warm-up") && stderr.is_empty(),
        "{stdout}{stderr}"
    );
}

#[test]
fn validate_reports_a_missing_file_and_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary(dir.path())
        .args(["validate", "nope.toml", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: nope.toml: no such file"),
        "{stderr}"
    );
    assert!(stderr.contains("error: .: is a directory"), "{stderr}");
}

#[test]
fn validate_checks_every_value_of_a_scenarios_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo_file("scenarios/two-managers.toml")).unwrap();
    let good = "params = [\"trust.initial=0.05:0.85:9\", \"defaults.disclosure=0:0.4:9\"]";
    assert!(text.contains(good));
    // The sweep's fifth value of initial trust, 1.175, is out of range.
    let bad = text.replace(good, &good.replace("0.05:0.85:9", "0.05:1.85:9"));
    std::fs::write(dir.path().join("swept.toml"), &bad).unwrap();
    let line = bad.lines().position(|l| l.contains("1.85")).unwrap() + 1;
    let commands: [&[&str]; 2] = [
        &["validate", "swept.toml"],
        &["sweep", "swept.toml", "--sweep", "trust-disclosure"],
    ];
    for args in commands {
        let command = args[0];
        let output = binary(dir.path()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            stderr.trim_end(),
            format!(
                "error: swept.toml:{line}:11: sweeps.trust-disclosure.params[0] (at trust.initial=1.175): trust.initial: must be at least 0 and at most 1 (got 1.175)"
            ),
            "{command}"
        );
        // Nothing is said to be ok, and nothing is written.
        assert!(
            !String::from_utf8_lossy(&output.stdout).contains("ok"),
            "{command}"
        );
        assert!(!dir.path().join("output").exists(), "{command}");
    }
}

/// Runs the binary in `dir` with `args` and checks that it refuses them:
/// exit code 2 and exactly `stderr`.
fn assert_refused(dir: &std::path::Path, args: &[&str], stderr: &str) {
    let output = binary(dir)
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), stderr, "{args:?}");
}

#[test]
#[cfg(target_os = "linux")]
fn a_reader_that_stops_reading_ends_the_program_quietly() {
    use std::os::unix::process::ExitStatusExt;
    // The pipe's reading end is closed before the program writes a byte.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_empathy-gap"))
        .arg("list")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "stderr: {stderr}");
    assert_eq!(
        output.status.signal(),
        Some(libc::SIGPIPE),
        "{:?}",
        output.status
    );
}

#[test]
#[cfg(target_os = "linux")]
fn arguments_that_are_not_utf8_are_refused_or_used_without_a_panic() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    // A value that must be text: refused in one line, exit 2.
    let output = binary(dir.path())
        .args([
            OsStr::new("validate"),
            OsStr::new("two-managers"),
            OsStr::new("--set"),
        ])
        .arg(OsStr::from_bytes(b"name=\xff"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.starts_with("error: invalid UTF-8"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 2, "{stderr}");
    // A folder whose name is not UTF-8: a valid name on Linux, used as given.
    let out = dir.path().join(OsStr::from_bytes(b"out-\xff"));
    let output = binary(dir.path())
        .args([
            "run",
            "two-managers",
            "--replicates",
            "10",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(out.join("two-managers").join("weekly.csv").is_file());
}

#[test]
fn a_bad_command_line_is_one_error_line_and_one_hint() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["run", "two-managers", "--threads", "-1"],
            "error: unexpected argument '-1' found",
            "hint: -1 is negative; no option takes a negative number",
        ),
        (
            &["run", "two-managers", "--thredas", "2"],
            "error: unexpected argument '--thredas' found",
            "hint: a similar argument exists: '--threads'",
        ),
        (
            &["run"],
            "error: the following required arguments were not provided: <SCENARIO>",
            "hint: see 'empathy-gap run --help'",
        ),
        (
            &["sweep", "two-managers", "--threads", "many"],
            "error: invalid value 'many' for '--threads <THREADS>': invalid digit found in string",
            "hint: see 'empathy-gap sweep --help'",
        ),
        (
            &["runn", "two-managers"],
            "error: unrecognized subcommand 'runn'",
            "hint: a similar subcommand exists: 'run'",
        ),
    ];
    for (args, error, hint) in cases {
        assert_refused(dir.path(), args, &format!("{error}\n{hint}\n"));
    }
}

#[test]
fn more_threads_than_four_per_core_are_refused_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let run = ["run", "two-managers", "--replicates", "10", "--out", "out"];
    for threads in [4 * cores + 1, 100_000, usize::MAX] {
        let threads = threads.to_string();
        let args: Vec<&str> = run.iter().copied().chain(["--threads", &threads]).collect();
        assert_refused(
            dir.path(),
            &args,
            &format!(
                "error: --threads {threads}: at most {} here (4 per core, {cores} cores available); more only slow a run down\n",
                4 * cores
            ),
        );
        assert!(!dir.path().join("out").exists());
    }
    // Four per core is allowed.
    binary(dir.path())
        .args(run)
        .args(["--quiet", "--threads", &(4 * cores).to_string()])
        .assert()
        .success();
}

#[test]
#[cfg(unix)]
fn a_scenario_from_an_endless_stream_is_read_only_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    assert_refused(
        dir.path(),
        &["validate", "/dev/zero"],
        "error: /dev/zero: gives more than 4 MB, which no scenario is (describe large organisations with [generate])\n",
    );
}

#[test]
fn sweeps_and_screenings_too_long_to_run_are_refused_before_they_start() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |args: &[&str], expected: &str| {
        let output = binary(dir.path())
            .args(args)
            .args(["--out", "out", "--threads", "1"])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
        assert!(
            stderr
                .trim_end()
                .ends_with("or pass --force to run it anyway"),
            "{stderr}"
        );
        assert!(!dir.path().join("out").exists());
    };
    // Ten million points.
    refused(
        &[
            "sweep",
            "two-managers",
            "--param",
            "trust.initial=0:1:10000",
            "--param",
            "defaults.disclosure=0:1:1000",
        ],
        "error: scenarios/two-managers.toml: too long to run here: 10,000,000 points x 1,000 replicates of 4 arms would take about ",
    );
    // 10,000 trajectories of the default parameters at 1,000 replicates.
    refused(
        &[
            "sensitivity",
            "two-managers",
            "--trajectories",
            "10000",
            "--replicates",
            "1000",
        ],
        "error: scenarios/two-managers.toml: too long to run here: ",
    );
    // A design too large to hold is refused before it is made.
    assert_refused(
        dir.path(),
        &[
            "sensitivity",
            "two-managers",
            "--trajectories",
            "100000000",
            "--out",
            "out",
        ],
        "error: --trajectories 100000000: at most 10,000 (a screening runs trajectories x (parameters + 1) points; 10 to 50 trajectories is usual)\n",
    );
}

#[test]
fn list_names_the_bundled_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let output = binary(dir.path()).arg("list").output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for name in ["two-managers", "typical-org", "high-demand"] {
        assert!(stdout.contains(name));
    }
}

#[test]
fn summary_baseline_differences_are_zero() {
    let dir = tempfile::tempdir().unwrap();
    binary(dir.path())
        .args([
            "run",
            "two-managers",
            "--replicates",
            "3",
            "--weeks",
            "6",
            "--quiet",
        ])
        .assert()
        .success();
    let summary = read_summary(&dir.path().join("output/two-managers/summary.csv"));
    let row = &summary[&(
        "power-through".to_string(),
        "annual_lost_hours_per_leader".to_string(),
    )];
    assert_eq!(row[3], 0.0);
    assert!(row[0] > 0.0);
}

const CHARTS: [&str; 5] = [
    "lost_hours",
    "annual_lost_hours",
    "empathy_gap",
    "trust",
    "delivery",
];

#[test]
fn run_draws_every_chart_and_the_report_for_each_bundled_scenario() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["two-managers", "typical-org", "high-demand"] {
        binary(dir.path())
            .args(["run", name, "--replicates", "2", "--weeks", "6", "--quiet"])
            .assert()
            .success();
        let folder = dir.path().join("output").join(name);
        for chart in CHARTS {
            for extension in ["png", "svg"] {
                let path = folder.join(format!("{chart}.{extension}"));
                assert!(path.is_file(), "{name}: no {chart}.{extension}");
            }
        }
        let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
        assert_eq!(
            html.matches("<svg").count(),
            CHARTS.len(),
            "{name}: report.html lacks charts"
        );
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{name}: external reference"
        );
    }
}

#[test]
fn report_redraws_from_the_csv_files_and_no_charts_skips_them() {
    let dir = tempfile::tempdir().unwrap();
    binary(dir.path())
        .args([
            "run",
            "two-managers",
            "--replicates",
            "2",
            "--weeks",
            "6",
            "--quiet",
            "--no-charts",
        ])
        .assert()
        .success();
    let folder = dir.path().join("output/two-managers");
    assert!(folder.join("weekly.csv").is_file());
    assert!(
        !folder.join("report.html").exists(),
        "--no-charts drew a report"
    );
    binary(dir.path())
        .args(["report", "output/two-managers"])
        .assert()
        .success();
    assert!(folder.join("report.html").is_file());
    assert!(folder.join("trust.png").is_file());

    let output = binary(dir.path())
        .args(["report", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("error: nowhere: not a run's, a sweep's or a screening's output folder")
    );
}

#[test]
fn arm_names_with_commas_and_quotes_stay_one_csv_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "name = \"quoting\"\nweeks = 6\nreplicates = 3\n[arms.\"power, \\\"through\\\"\"]\nbaseline = true\n[arms.other]\n{PAIR_ORGANISATION}"
    );
    std::fs::write(dir.path().join("quoting.toml"), text).unwrap();
    binary(dir.path())
        .args(["run", "quoting.toml", "--quiet"])
        .assert()
        .success();
    let summary = read_summary(&dir.path().join("output/quoting/summary.csv"));
    assert!(summary.contains_key(&("power, \"through\"".to_string(), "final_trust".to_string())));
    assert!(dir.path().join("output/quoting/report.html").is_file());
}

#[test]
fn a_size_beyond_this_machine_is_refused_with_an_estimate_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    // A million leaders with 20 to 50 projects each: terabytes.
    let huge = [
        "validate",
        "typical-org",
        "--set",
        "generate.leaders=1000000",
        "--set",
        "generate.projects_per_leader_min=20",
        "--set",
        "generate.projects_per_leader_max=50",
    ];
    let output = binary(dir.path()).args(huge).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: --set generate.leaders=1000000: generate.leaders: too large to run here: it would need about ")
            && stderr.contains(" TB of memory (this machine can give ")
            && stderr.contains("pass --force to run it anyway"),
        "{stderr}"
    );
    // Forced, the same check lets a long but small run through.
    let long = [
        "validate",
        "two-managers",
        "--set",
        "replicates=1000000000000",
    ];
    let refused = binary(dir.path()).args(long).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let forced = binary(dir.path())
        .args(long)
        .arg("--force")
        .output()
        .unwrap();
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let stdout = String::from_utf8_lossy(&forced.stdout);
    assert!(stdout.contains("years"), "{stdout}");
}

#[test]
fn init_writes_a_bundled_scenario_under_a_new_name_and_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    binary(dir.path())
        .args(["init", "my-org", "--from", "typical-org"])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("my-org.toml")).unwrap();
    assert!(text.starts_with("# my-org: started from the bundled scenario `typical-org`"));
    assert!(text.contains("\nname = \"my-org\"\n"));
    // The comments of the bundled scenario come along.
    assert!(text.contains("# A typical organisation: about 200 leaders"));
    binary(dir.path())
        .args(["validate", "my-org.toml", "--check-warmup", "never"])
        .assert()
        .success();
    std::fs::write(dir.path().join("mine.toml"), "mine").unwrap();
    for (args, expected) in [
        (
            vec!["init", "mine"],
            "error: mine.toml: already exists; choose another name, or remove it first",
        ),
        (
            vec!["init", "x", "--from", "two-manager"],
            "error: --from two-manager: no bundled scenario has that name; did you mean `two-managers`? the bundled ones: two-managers, typical-org, high-demand, large-org",
        ),
    ] {
        let output = binary(dir.path()).args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr).trim_end(), expected);
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine.toml")).unwrap(),
        "mine"
    );
    assert!(!dir.path().join("x.toml").exists());
}

#[test]
fn init_imports_an_organisation_from_csv_and_names_bad_rows_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let example = |name: &str| repo_file(&format!("docs/examples/{name}"));
    let (people, projects) = (example("people.csv"), example("projects.csv"));
    let init = [
        "init",
        "my-org",
        "--people",
        &people,
        "--projects",
        &projects,
    ];
    let output = succeeds(dir.path(), &init);
    assert!(String::from_utf8_lossy(&output.stdout)
        .starts_with("wrote my-org.toml (6 leaders under 3 managers, 4 shared projects, the rest from two-managers)"));
    let text = std::fs::read_to_string(dir.path().join("my-org.toml")).unwrap();
    let scenario: toml::Table = toml::from_str(&text).unwrap();
    // The template's organisation is gone, its parameters and arms stay.
    let names = |table: &str| -> Vec<String> {
        scenario[table]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("managers"), ["Morgan", "Dana", "Eli"]);
    assert_eq!(
        names("leaders"),
        ["Alex", "Blake", "Casey", "Drew", "Emery", "Finley"]
    );
    assert_eq!(names("projects").len(), 4);
    assert_eq!(
        scenario["projects"][1]["members"].as_array().unwrap().len(),
        3
    );
    assert_eq!(scenario["defaults"]["demand"].as_float(), Some(1.1));
    assert!(scenario["arms"].get("connection-first").is_some());
    binary(dir.path())
        .args([
            "run",
            "my-org.toml",
            "--replicates",
            "10",
            "--quiet",
            "--no-charts",
        ])
        .assert()
        .success();

    // Bad rows: every problem, by file, line and column; nothing written.
    let import_bad = |people: &str, projects: &str| {
        std::fs::write(dir.path().join("people.csv"), people).unwrap();
        std::fs::write(dir.path().join("projects.csv"), projects).unwrap();
        binary(dir.path())
            .args(["init", "bad", "--people", "people.csv"])
            .args(["--projects", "projects.csv"])
            .output()
            .unwrap()
    };
    let output = import_bad(
        "name,team_size,manager,demand\nMorgan,,,\nAlex,6,Morgan,9\nBlake,5,Mrogan,\nAlex,4,Morgan,\n",
        "project,members,weekly_share\nx,Alex;Blake,1.5\ny,Alex\n",
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        "error: people.csv:4: manager: unknown manager `Mrogan`: no row is named so; did you mean `Morgan`? add a row for them, with their own manager or none\n\
         error: people.csv:5: name: Alex is already on line 3; names must be unique\n\
         error: projects.csv:3: members: y has 1 member; a shared project needs at least two leaders, separated by `;`"
    );
    assert!(!dir.path().join("bad.toml").exists());
    // Values the scenario refuses are named by the row they came from.
    let output = import_bad(
        "name,team_size,manager,demand\nMorgan,,,\nAlex,6,Morgan,-1\nBlake,5,Morgan,\n",
        "project,members,weekly_share\nx,Alex;Blake,1.5\n",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("error: people.csv:3: demand: "), "{stderr}");
    assert!(
        stderr.contains("error: projects.csv:2: weekly_share: "),
        "{stderr}"
    );
    assert!(!dir.path().join("bad.toml").exists());
}

#[test]
fn an_out_that_is_a_file_is_bad_input_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("results.csv"), "keep").unwrap();
    for out in ["results.csv", "results.csv/sub"] {
        let output = binary(dir.path())
            .args(["run", "two-managers", "--replicates", "5", "--out", out])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{out}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr).trim_end(),
            "error: results.csv: is a file, not a folder; give --out a folder, like --out results"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("results.csv")).unwrap(),
        "keep"
    );
}

#[test]
fn set_with_a_space_instead_of_equals_says_how_to_write_it() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["run", "validate"] {
        let output = binary(dir.path())
            .args([command, "two-managers", "--set", "defaults.demand", "0.9"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{command}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr).trim_end(),
            "error: --set defaults.demand 0.9: write it as --set defaults.demand=0.9, with `=` and no spaces",
            "{command}"
        );
    }
    assert!(!dir.path().join("output").exists());
}

#[test]
fn every_option_has_a_description_and_every_command_an_example() {
    let dir = tempfile::tempdir().unwrap();
    for command in [
        "run",
        "sweep",
        "sensitivity",
        "merge",
        "report",
        "validate",
        "list",
        "init",
        "calibrate",
        "workshop",
    ] {
        let short = binary(dir.path()).args([command, "-h"]).output().unwrap();
        let text = String::from_utf8_lossy(&short.stdout).into_owned();
        for line in text.lines() {
            let trimmed = line.trim_start();
            if !(trimmed.starts_with('-') || trimmed.starts_with('<')) {
                continue;
            }
            // The flag or argument, then at least two spaces and a description.
            let described = trimmed
                .split_once("  ")
                .is_some_and(|(_, rest)| !rest.trim().is_empty());
            assert!(described, "{command}: `{trimmed}` has no description");
        }
        let long = binary(dir.path())
            .args([command, "--help"])
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&long.stdout).contains("\nExample"),
            "{command} --help shows no example"
        );
    }
}
