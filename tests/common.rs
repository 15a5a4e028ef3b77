//! Helpers shared by the test modules.

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::Command;
use empathy_gap::scenario::{self, Scenario};

/// The real binary, run in `dir`.
pub fn binary(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("empathy-gap").expect("binary is built");
    command.current_dir(dir);
    command
}

/// What the binary wrote to stderr.
pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs the binary in `dir` with `args`, asserts it succeeded (showing its
/// stderr if not), and returns what it wrote.
pub fn succeeds(dir: &Path, args: &[&str]) -> std::process::Output {
    let output = binary(dir).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        stderr_of(&output)
    );
    output
}

pub fn repo_file(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A checked scenario from text; panics with the problems if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match scenario::load_text("test.toml", text, &[]) {
        Ok(scenario) => scenario,
        Err(error) => panic!("test scenario is invalid:\n{error}"),
    }
}

/// Runs every replicate of every arm on two threads, as `run` does.
pub fn run_all(scenario: &Scenario) -> empathy_gap::runner::Results {
    let world = empathy_gap::model::World::new(scenario);
    let options = empathy_gap::runner::RunOptions {
        threads: 2,
        cancel: None,
        progress: None,
    };
    empathy_gap::runner::run(scenario, &world, &options).expect("the run completes")
}

/// Two leaders, A and B, under one manager, sharing one project.
pub const PAIR_ORGANISATION: &str = r#"
[[managers]]
name = "M"
[[leaders]]
name = "A"
manager = "M"
[[leaders]]
name = "B"
manager = "M"
[[projects]]
name = "p"
members = ["A", "B"]
"#;

/// A short scenario of [`PAIR_ORGANISATION`]; `extra` is inserted before the
/// organisation (so it sets sections such as [defaults] or [arms.*]).
pub fn pair_scenario(extra: &str) -> String {
    format!(
        "\nname = \"pair\"\nweeks = 20\nwarmup_weeks = 4\nreplicates = 1\nseed = 11\n{extra}\n{PAIR_ORGANISATION}"
    )
}

/// `summary.csv` as (arm, metric) -> [mean, ci_low, ci_high, diff, diff_low, diff_high].
pub fn read_summary(path: &Path) -> HashMap<(String, String), Vec<f64>> {
    let mut reader = csv::Reader::from_path(path).expect("summary.csv readable");
    reader
        .records()
        .map(|record| {
            let record = record.expect("valid row");
            let values = (2..8)
                .map(|i| record[i].parse().unwrap_or(f64::NAN))
                .collect();
            ((record[0].to_string(), record[1].to_string()), values)
        })
        .collect()
}

/// `weekly.csv` as (arm, metric) -> weekly means, week 1 first.
pub fn read_weekly(path: &Path) -> HashMap<(String, String), Vec<f64>> {
    let mut reader = csv::Reader::from_path(path).expect("weekly.csv readable");
    let mut series: HashMap<(String, String), Vec<f64>> = HashMap::new();
    for record in reader.records() {
        let record = record.expect("valid row");
        series
            .entry((record[0].to_string(), record[2].to_string()))
            .or_default()
            .push(record[3].parse().unwrap_or(f64::NAN));
    }
    series
}
