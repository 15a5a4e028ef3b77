//! Parameter sweeps: a full grid over scenario values, every arm at every
//! point.
//!
//! A swept value is an override like `--set`, by the same dotted path, so any
//! value of a scenario can be swept. Every point runs with the scenario's seed:
//! the workload streams of replicate `r` are the same at every point and in
//! every arm (common random numbers), so differences between points, like
//! differences between arms, come from the swept values and not from luck.
//!
//! Points are numbered in row-major order (the first parameter varies
//! slowest) and their rows are written to `sweep.csv` as they finish, in point
//! order, so memory does not grow with the number of points or replicates.

use serde::Serialize;

use crate::metrics::Summary;
use crate::output::{SUMMARY_COLUMNS, csv_field, summary_rows};
use crate::runner::Results;
use crate::scenario::Scenario;
pub use crate::scenario::grid::{Grid, MAX_POINTS, MAX_STEPS, SweepParam};

/// `sweep.csv`'s header line.
pub fn csv_header(grid: &Grid) -> String {
    let mut header = String::from("point,");
    for param in &grid.params {
        header.push_str(&csv_field(&param.path));
        header.push(',');
    }
    header.push_str("arm,");
    header.push_str(SUMMARY_COLUMNS);
    header.push('\n');
    header
}

/// `sweep.csv`'s rows for one point, each ending in a line break.
pub fn csv_rows(grid: &Grid, point: u64, scenario: &Scenario, results: &Results) -> String {
    let mut prefix = format!("{point},");
    for value in grid.values_at(point) {
        prefix.push_str(value);
        prefix.push(',');
    }
    let mut rows = String::new();
    for (arm, row) in summary_rows(scenario, results) {
        rows.push_str(&format!(
            "{prefix}{},{row}\n",
            csv_field(&scenario.arms[arm].name)
        ));
    }
    rows
}

/// The first column of a `sweep.csv` row: its point.
pub fn row_point(line: &str) -> Option<u64> {
    line.split(',').next()?.parse().ok()
}

#[derive(Serialize)]
struct ManifestParam<'a> {
    path: &'a str,
    from: f64,
    to: f64,
    steps: u64,
    values: Vec<f64>,
}

/// How a sweep was made, for `sweep.json`.
pub struct SweepInfo<'a> {
    /// The scenario's named sweep, or `None` for `--param` on the command line.
    pub sweep_name: Option<&'a str>,
    pub description: &'a str,
    pub scenario_file: &'a str,
    pub command: &'a str,
    pub replicates: u64,
    pub threads: usize,
    pub wall_time_seconds: f64,
    /// Shards merged into this sweep, if it was run in shards.
    pub shards: Option<u64>,
}

/// `sweep.json`: the grid, the arms and the base scenario, to read
/// `sweep.csv` by and to reproduce it.
pub fn manifest_json(base: &Scenario, grid: &Grid, info: &SweepInfo<'_>) -> Vec<u8> {
    let params: Vec<ManifestParam> = grid
        .params
        .iter()
        .map(|param| ManifestParam {
            path: &param.path,
            from: param.from,
            to: param.to,
            steps: param.steps,
            values: param
                .values
                .iter()
                .map(|value| value.parse().unwrap_or(f64::NAN))
                .collect(),
        })
        .collect();
    let arms = crate::output::manifest_arms(base);
    let manifest = serde_json::json!({
        "kind": "sweep",
        "name": base.name,
        "sweep": info.sweep_name,
        "description": if info.description.is_empty() { &base.description } else { info.description },
        "question": base.question,
        "scenario_file": info.scenario_file,
        "version": env!("CARGO_PKG_VERSION"),
        "command": info.command,
        "seed": base.seed,
        "replicates": info.replicates,
        "threads": info.threads,
        "weeks": base.weeks,
        "warmup_weeks": base.warmup_weeks,
        "wall_time_seconds": (info.wall_time_seconds * 1000.0).round() / 1000.0,
        "baseline": base.arms[base.baseline].name,
        "arms": arms,
        "intervention_start_week": base.intervention_start_week(),
        "params": params,
        "points": grid.points(),
        "metrics": Summary::ALL.iter().map(|metric| metric.name()).collect::<Vec<_>>(),
        "scenario": base.resolved,
    });
    crate::output::manifest_bytes(manifest, info.shards)
}
