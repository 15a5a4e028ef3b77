//! The files a run writes: `weekly.csv`, `summary.csv` and `manifest.json`
//! (the output contract other tools read; keep the names), staged with the
//! charts and the report and put in place together (see [`crate::staging`]).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::metrics::{Summary, Weekly};
use crate::runner::Results;
use crate::scenario::Scenario;
use crate::staging::{Staging, WriteError};
use crate::stats::Running;

pub mod entities;

/// A number as the CSV files write it: six decimals, empty when undefined.
pub fn number(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let text = format!("{v:.6}");
            if text == "-0.000000" {
                "0.000000".to_string()
            } else {
                text
            }
        }
        _ => String::new(),
    }
}

/// A text field as RFC 4180 writes it: quoted, with quotes doubled, when it
/// holds a comma, a quote or a line break (an arm may be named anything).
pub fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

/// A standard deviation over replicates, empty when undefined.
fn sd(running: &Running) -> String {
    number(running.variance().map(f64::sqrt))
}

fn mean_and_interval(running: &Running) -> [String; 3] {
    let interval = running.interval95();
    [
        number(running.mean()),
        number(interval.map(|i| i.0)),
        number(interval.map(|i| i.1)),
    ]
}

/// `weekly.csv`: arm,week,metric,mean,ci_low,ci_high. Each arm other than
/// the baseline also has, per week, its paired difference from the baseline
/// of each metric (metric `diff_<metric>`: the mean over replicates of the
/// arm's value minus the baseline's in the same replicate, and its interval).
pub fn weekly_csv(scenario: &Scenario, results: &Results) -> Vec<u8> {
    let mut text = String::from("arm,week,metric,mean,ci_low,ci_high\n");
    for (arm_index, arm) in scenario.arms.iter().enumerate() {
        let name = csv_field(&arm.name);
        for week in 0..results.weeks {
            for &metric in Weekly::ALL {
                let [mean, low, high] = mean_and_interval(results.weekly(arm_index, week, metric));
                text.push_str(&format!(
                    "{name},{},{},{mean},{low},{high}\n",
                    week + 1,
                    metric.name()
                ));
            }
            if arm_index == scenario.baseline {
                continue;
            }
            for &metric in Weekly::ALL {
                let [mean, low, high] =
                    mean_and_interval(results.weekly_difference(arm_index, week, metric));
                text.push_str(&format!(
                    "{name},{},diff_{},{mean},{low},{high}\n",
                    week + 1,
                    metric.name()
                ));
            }
        }
    }
    text.into_bytes()
}

/// `summary.csv`: arm, then [`SUMMARY_COLUMNS`].
pub fn summary_csv(scenario: &Scenario, results: &Results) -> Vec<u8> {
    let mut text = String::from("arm,");
    text.push_str(SUMMARY_COLUMNS);
    text.push('\n');
    for (arm, row) in summary_rows(scenario, results) {
        text.push_str(&csv_field(&scenario.arms[arm].name));
        text.push(',');
        text.push_str(&row);
        text.push('\n');
    }
    text.into_bytes()
}

/// The columns of a summary row after the arm.
pub const SUMMARY_COLUMNS: &str =
    "metric,mean,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high,n,sd,diff_sd";

/// Each arm's summary rows (arm index, then the row from `metric` on), in
/// arm then metric order: shared by `summary.csv` and a sweep's `sweep.csv`.
pub fn summary_rows(scenario: &Scenario, results: &Results) -> Vec<(usize, String)> {
    let mut rows = Vec::with_capacity(scenario.arms.len() * Summary::COUNT);
    for arm_index in 0..scenario.arms.len() {
        for &metric in Summary::ALL {
            let [mean, low, high] = mean_and_interval(results.summary(arm_index, metric));
            let running = results.summary(arm_index, metric);
            let (n, _, _) = running.parts();
            let [diff, diff_low, diff_high, diff_sd] = if arm_index == scenario.baseline {
                // The baseline minus itself, exactly.
                let zero = if mean.is_empty() {
                    String::new()
                } else {
                    number(Some(0.0))
                };
                [zero.clone(), zero.clone(), zero.clone(), zero]
            } else {
                let difference = results.difference(arm_index, metric);
                let [diff, low, high] = mean_and_interval(difference);
                [diff, low, high, sd(difference)]
            };
            rows.push((
                arm_index,
                format!(
                    "{},{mean},{low},{high},{diff},{diff_low},{diff_high},{n},{},{diff_sd}",
                    metric.name(),
                    sd(running),
                ),
            ));
        }
    }
    rows
}

#[derive(Serialize)]
struct ManifestArm<'a> {
    name: &'a str,
    baseline: bool,
    start_week: Option<u32>,
    interventions: Vec<&'static str>,
}

/// The arms as a manifest lists them (a run's and a sweep's alike).
pub fn manifest_arms(scenario: &Scenario) -> serde_json::Value {
    let arms: Vec<ManifestArm> = scenario
        .arms
        .iter()
        .map(|arm| ManifestArm {
            name: &arm.name,
            baseline: arm.baseline,
            start_week: arm.start_week(),
            interventions: arm.intervention_names(),
        })
        .collect();
    serde_json::json!(arms)
}

/// How a run was made, for `manifest.json`.
pub struct RunInfo {
    pub scenario_file: String,
    pub command: String,
    pub threads: usize,
    pub wall_time_seconds: f64,
    /// Shards merged into this run, if it was run in shards.
    pub shards: Option<u64>,
}

/// `manifest.json`: the resolved scenario and everything needed to reproduce the run.
pub fn manifest_json(
    scenario: &Scenario,
    results: &Results,
    info: &RunInfo,
    world_pairs: usize,
) -> Vec<u8> {
    let arms = manifest_arms(scenario);
    let organisation = &scenario.organisation;
    let manifest = serde_json::json!({
        "name": scenario.name,
        "description": scenario.description,
        "question": scenario.question,
        "scenario_file": info.scenario_file,
        "version": env!("CARGO_PKG_VERSION"),
        "command": info.command,
        "seed": scenario.seed,
        "replicates": results.replicates_done,
        "threads": info.threads,
        "weeks": scenario.weeks,
        "warmup_weeks": scenario.warmup_weeks,
        "wall_time_seconds": (info.wall_time_seconds * 1000.0).round() / 1000.0,
        "baseline": scenario.arms[scenario.baseline].name,
        "arms": arms,
        "intervention_start_week": scenario.intervention_start_week(),
        "n_leaders": organisation.leaders.len(),
        "n_managers": organisation.managers.len(),
        "n_employees": organisation.headcount(),
        "n_pairs": world_pairs,
        "n_projects": organisation.projects.len(),
        "scenario": scenario.resolved,
    });
    crate::output::manifest_bytes(manifest, info.shards)
}

/// A manifest as written: with the number of shards it was merged from,
/// when it was, as pretty JSON ending in a line break.
pub fn manifest_bytes(mut manifest: serde_json::Value, shards: Option<u64>) -> Vec<u8> {
    if let Some(shards) = shards {
        manifest["shards"] = shards.into();
    }
    json_bytes(&manifest)
}

/// A value as pretty JSON ending in a line break: every JSON file written.
pub fn json_bytes(value: &impl Serialize) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// The output folder for a scenario: `<root>/<sanitised name>`. The name is
/// reduced to ASCII letters, digits, `-` and `_` (each run of anything else
/// becomes one `-`), so it cannot leave `root` or name a device.
pub fn output_folder(root: &Path, scenario_name: &str) -> PathBuf {
    root.join(safe_name(scenario_name))
}

/// A scenario's name reduced to one safe file name: ASCII letters, digits,
/// `-` and `_`, never empty and never a name Windows reserves for a device.
pub fn safe_name(scenario_name: &str) -> String {
    let mut safe = String::new();
    for c in scenario_name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            safe.push(c);
        } else if !safe.ends_with('-') {
            safe.push('-');
        }
    }
    let mut safe = safe.trim_matches('-').to_string();
    if safe.is_empty() {
        safe = "scenario".to_string();
    }
    // Names Windows reserves for devices, in any case.
    let reserved = [
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "lpt1", "lpt2", "lpt3",
    ];
    if reserved.contains(&safe.to_ascii_lowercase().as_str()) {
        safe.push_str("-scenario");
    }
    safe
}

/// The three contract files of a run, as bytes.
pub struct RunBytes {
    pub weekly: Vec<u8>,
    pub summary: Vec<u8>,
    pub manifest: Vec<u8>,
}

impl RunBytes {
    pub fn new(scenario: &Scenario, results: &Results, info: &RunInfo, world_pairs: usize) -> Self {
        RunBytes {
            weekly: weekly_csv(scenario, results),
            summary: summary_csv(scenario, results),
            manifest: manifest_json(scenario, results, info, world_pairs),
        }
    }

    /// Stages the files, the manifest last: it says the run is complete.
    pub fn stage(&self, staging: &mut Staging) -> Result<(), WriteError> {
        staging.write("weekly.csv", &self.weekly)?;
        staging.write("summary.csv", &self.summary)?;
        staging.write("manifest.json", &self.manifest)
    }
}

/// The summary table printed after a run: one row per arm, headed by the
/// one metric every summary leads with (the report's too): hours lost a year
/// per employee, with its paired difference from the baseline. The default
/// table fits 80 columns with on-time delivery beside it; `wide` adds the
/// leader's hours, conflict hours from the interventions' start with their
/// difference, and final trust.
pub fn summary_table(scenario: &Scenario, results: &Results, wide: bool) -> String {
    let baseline_name = &scenario.arms[scenario.baseline].name;
    let cell = |running: &Running, decimals: usize| match (running.mean(), running.interval95()) {
        (Some(mean), Some((low, high))) => {
            format!("{mean:.decimals$} [{low:.decimals$}, {high:.decimals$}]")
        }
        (Some(mean), None) => format!("{mean:.decimals$}"),
        _ => "-".to_string(),
    };
    let percent = |running: &Running| match running.mean() {
        Some(mean) => format!("{:.0}%", mean * 100.0),
        None => "-".to_string(),
    };
    // An arm's paired difference from the baseline in `metric`: hours (with
    // the share of the baseline's figure) or a share alone.
    let versus = |index: usize, metric: Summary, hours: bool| {
        if index == scenario.baseline {
            return "(baseline)".to_string();
        }
        let difference = results.difference(index, metric);
        let base = results.summary(scenario.baseline, metric).mean();
        match (difference.mean(), difference.interval95(), base) {
            (Some(d), Some((low, high)), Some(base)) if base > 0.0 && hours => format!(
                "{d:+.0} h ({:+.0}%) [{low:+.0}, {high:+.0}]",
                100.0 * d / base
            ),
            (Some(d), Some((low, high)), Some(base)) if base > 0.0 => format!(
                "{:+.0}% [{:+.0}%, {:+.0}%]",
                100.0 * d / base,
                100.0 * low / base,
                100.0 * high / base
            ),
            (Some(d), _, _) => format!("{d:+.2} h"),
            _ => "-".to_string(),
        }
    };
    let conflict_header = match scenario.intervention_start_week() {
        Some(week) => format!("conflict h/wk from wk {week}"),
        None => "conflict h/wk".to_string(),
    };
    let mut headers = vec![
        "arm".to_string(),
        "lost h/yr per employee".to_string(),
        format!("vs {baseline_name}"),
        "on time".to_string(),
    ];
    if wide {
        headers.extend([
            "lost h/yr per leader".to_string(),
            conflict_header,
            "conflict vs baseline".to_string(),
            "final trust".to_string(),
        ]);
    }
    let mut rows = vec![headers];
    for (index, arm) in scenario.arms.iter().enumerate() {
        let mut row = vec![
            arm.name.clone(),
            cell(
                results.summary(index, Summary::AnnualLostHoursPerEmployee),
                0,
            ),
            versus(index, Summary::AnnualLostHoursPerEmployee, true),
            percent(results.summary(index, Summary::DeliveryRatio)),
        ];
        if wide {
            row.extend([
                cell(results.summary(index, Summary::AnnualLostHoursPerLeader), 0),
                cell(
                    results.summary(index, Summary::ConflictHoursPerLeaderAfterStart),
                    2,
                ),
                versus(index, Summary::ConflictHoursPerLeaderAfterStart, false),
                format!(
                    "{:.2}",
                    results
                        .summary(index, Summary::FinalTrust)
                        .mean()
                        .unwrap_or(f64::NAN)
                ),
            ]);
        }
        rows.push(row);
    }
    // The arm's name on the left, the numbers on the right.
    aligned_columns(&rows, |column| column > 0)
}

/// Weeks at each end of a run that [`growing_queues`] compares.
const QUEUE_WINDOW: usize = 4;

/// A warning when the baseline's queues grew all run: the open hours a
/// leader holds (`actual_peer_load_hours`), averaged over the last
/// [`QUEUE_WINDOW`] reported weeks, more than a quarter above the first
/// ones, with the two 95% intervals apart. Measured, not foreseen: at these
/// values the leaders get more work than they do or triage drops, so what a
/// run reports depends on how long it runs. `None` otherwise, or for runs of
/// fewer than twice [`QUEUE_WINDOW`] weeks.
pub fn growing_queues(scenario: &Scenario, results: &Results) -> Option<String> {
    let weeks = results.weeks;
    if weeks < 2 * QUEUE_WINDOW {
        return None;
    }
    let arm = scenario.baseline;
    let window = |first: usize| -> Option<(f64, f64, f64)> {
        let (mut mean, mut low, mut high) = (0.0, 0.0, 0.0);
        for week in first..first + QUEUE_WINDOW {
            let running = results.weekly(arm, week, Weekly::ActualPeerLoadHours);
            let (l, h) = running.interval95()?;
            mean += running.mean()?;
            low += l;
            high += h;
        }
        let n = QUEUE_WINDOW as f64;
        Some((mean / n, low / n, high / n))
    };
    let (early, _, early_high) = window(0)?;
    let (late, late_low, _) = window(weeks - QUEUE_WINDOW)?;
    if !(late > 1.25 * early && late_low > early_high) {
        return None;
    }
    Some(format!(
        "warning: queues grew all run under {}: a leader's open work rose from {:.0} h in weeks 1-{QUEUE_WINDOW} to {:.0} h in weeks {}-{weeks} ({:+.0}%), so the leaders get more work than they do or triage drops, and what the run reports depends on how long it runs; lower demand (defaults.demand, or generate.demand_min and _max) for an organisation that keeps up",
        scenario.arms[arm].name,
        early,
        late,
        weeks - QUEUE_WINDOW + 1,
        100.0 * (late / early - 1.0),
    ))
}

/// Rows of cells as a plain-text table: each column as wide as its widest
/// cell, two spaces apart, right-aligned where `right_aligned(column)`.
pub fn aligned_columns<R: AsRef<[String]>>(
    rows: &[R],
    right_aligned: impl Fn(usize) -> bool,
) -> String {
    let columns = rows.iter().map(|row| row.as_ref().len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.as_ref().get(column))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    for row in rows {
        let line: Vec<String> = row
            .as_ref()
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(column, (value, width))| {
                if right_aligned(column) {
                    format!("{value:>width$}")
                } else {
                    format!("{value:<width$}")
                }
            })
            .collect();
        text.push_str(line.join("  ").trim_end());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn a_safe_name_holds_nothing_that_could_end_a_header_or_a_path() {
        assert_eq!(safe_name("two-managers"), "two-managers");
        assert_eq!(safe_name("a \"b\"\r\nc/../d"), "a-b-c-d");
        assert_eq!(safe_name("///"), "scenario");
        assert_eq!(safe_name("NUL"), "NUL-scenario");
    }
}
