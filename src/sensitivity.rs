//! A Morris screening of a scenario's parameters (`empathy-gap sensitivity`):
//! which parameters each conclusion rests on.
//!
//! The parameters screened by default are the scenario's model parameters:
//! every number in `[team]`, `[disclosure]`, `[attribution]`, `[conflict]`
//! and `[triage]`, the initial trust, the organisation's own values (the
//! `[defaults]` and each project's values of a named organisation, or the
//! ranges of a generated one) and every intervention's settings, each from
//! half to one and a half times its value in the scenario (see
//! [`default_range`]). A parameter whose value is 0 has no such range and
//! is screened only when named with `--param PATH=FROM:TO`.
//!
//! Each point of the design (see [`crate::morris`]) is the scenario with
//! the parameters set by `--set`-style overrides and run like `run` runs
//! it, with the scenario's seed at every point (common random numbers), so
//! differences between points come from the parameters, not from luck.

use serde::Serialize;

use crate::metrics::Summary;
use crate::morris::{self, Design, Effects};
use crate::output::{csv_field, number};
use crate::runner::Results;
use crate::scenario::{Override, Scenario};

/// The default replicates at each point (fewer when the scenario has fewer).
pub const DEFAULT_REPLICATES: u64 = 100;
/// The default number of trajectories and of levels.
pub const DEFAULT_TRAJECTORIES: usize = 10;
pub const DEFAULT_LEVELS: usize = 4;
/// The default range is the scenario's value times these.
pub const RANGE_FACTORS: (f64, f64) = (0.5, 1.5);

/// A parameter the scenario sets, found by [`candidates`].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Dotted path, as `--set` takes it.
    pub path: String,
    pub value: f64,
    /// A whole-number field: its values are rounded.
    pub integer: bool,
}

/// A screened parameter and its range.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Param {
    pub path: String,
    pub value: f64,
    pub from: f64,
    pub to: f64,
    pub integer: bool,
}

impl Param {
    /// The value at `unit` in [0, 1] of the range (rounded for a whole number).
    pub fn at(&self, unit: f64) -> f64 {
        let value = self.from + unit * (self.to - self.from);
        if self.integer { value.round() } else { value }
    }
}

/// A parameter left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Sections whose every number is a model parameter.
const MODEL_SECTIONS: [&str; 5] = ["team", "disclosure", "attribution", "conflict", "triage"];

/// The `[generate]` values that describe the people, not the structure
/// (how many leaders, teams and projects there are stays fixed).
const GENERATED_TRAITS: [&str; 11] = [
    "demand_min",
    "demand_max",
    "ambiguity_min",
    "ambiguity_max",
    "insecurity_min",
    "insecurity_max",
    "disclosure_min",
    "disclosure_max",
    "support_min",
    "support_max",
    "shared_share",
];

/// The `[defaults]` a generated organisation uses (it draws the rest).
const GENERATED_DEFAULTS: [&str; 2] = ["project_priority", "unowned_share"];

/// Values that say how to run, not what is modelled.
const NOT_PARAMETERS: [&str; 2] = ["start_week", "every_weeks"];

/// Every number the scenario sets that the default screening covers, in a
/// fixed order (the order of the sections above, then of the file).
pub fn candidates(scenario: &Scenario) -> Vec<Candidate> {
    let resolved = serde_json::to_value(&scenario.resolved).unwrap_or_default();
    let mut found = Vec::new();
    for section in MODEL_SECTIONS {
        collect(&resolved[section], section, &mut found);
    }
    if let Some(initial) = resolved["trust"]["initial"].as_f64() {
        found.push(Candidate {
            path: "trust.initial".to_string(),
            value: initial,
            integer: false,
        });
    }
    let generated = !resolved["generate"].is_null();
    if generated {
        for key in GENERATED_DEFAULTS {
            collect(
                &resolved["defaults"][key],
                &format!("defaults.{key}"),
                &mut found,
            );
        }
        for key in GENERATED_TRAITS {
            collect(
                &resolved["generate"][key],
                &format!("generate.{key}"),
                &mut found,
            );
        }
    } else {
        collect(&resolved["defaults"], "defaults", &mut found);
    }
    if let Some(projects) = resolved["projects"].as_array() {
        for (index, project) in projects.iter().enumerate() {
            for key in [
                "project_share",
                "hours_per_week",
                "priority",
                "ambiguity",
                "unowned_share",
            ] {
                collect(
                    &project[key],
                    &format!("projects.{index}.{key}"),
                    &mut found,
                );
            }
        }
    }
    if let Some(arms) = resolved["arms"].as_object() {
        for (name, arm) in arms {
            // A name with a dot cannot be addressed by a dotted path.
            if name.contains('.') {
                continue;
            }
            let Some(interventions) = arm["interventions"].as_array() else {
                continue;
            };
            for (index, intervention) in interventions.iter().enumerate() {
                let Some(fields) = intervention.as_object() else {
                    continue;
                };
                for (key, value) in fields {
                    if NOT_PARAMETERS.contains(&key.as_str()) {
                        continue;
                    }
                    collect(
                        value,
                        &format!("arms.{name}.interventions.{index}.{key}"),
                        &mut found,
                    );
                }
            }
        }
    }
    found
}

/// Every number under `value`, at `path`.
fn collect(value: &serde_json::Value, path: &str, found: &mut Vec<Candidate>) {
    match value {
        serde_json::Value::Number(number) => {
            if let Some(value) = number.as_f64() {
                found.push(Candidate {
                    path: path.to_string(),
                    value,
                    integer: number.is_i64() || number.is_u64(),
                });
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, value) in fields {
                if !NOT_PARAMETERS.contains(&key.as_str()) {
                    collect(value, &format!("{path}.{key}"), found);
                }
            }
        }
        _ => {}
    }
}

/// A parameter's default range: [`RANGE_FACTORS`] times its value (for a
/// whole number, widened to whole numbers either side), `None` for a value
/// of 0. The caller narrows an end the scenario refuses towards the value.
pub fn default_range(candidate: &Candidate) -> Option<(f64, f64)> {
    let value = candidate.value;
    if value == 0.0 || !value.is_finite() {
        return None;
    }
    let (a, b) = (value * RANGE_FACTORS.0, value * RANGE_FACTORS.1);
    let (low, high) = (a.min(b), a.max(b));
    if candidate.integer {
        Some((low.floor(), high.ceil()))
    } else {
        Some((low, high))
    }
}

/// Pairs of parameters that must stay ordered (first at most second): a
/// range of each ends where the other's begins, at the midpoint of their
/// values, so that no point of the design puts them out of order.
pub fn keep_ordered(params: &mut [Param]) {
    let ordered = |low: &str, high: &str| -> bool {
        (low.ends_with("_min")
            && high.ends_with("_max")
            && low[..low.len() - 4] == high[..high.len() - 4])
            || (low.ends_with("episode_offset") && high.ends_with("episode_onset"))
            || (low.ends_with("stop_trust")
                && high.ends_with("coordinate_trust")
                && low[..low.len() - "stop_trust".len()]
                    == high[..high.len() - "coordinate_trust".len()])
    };
    for low in 0..params.len() {
        for high in 0..params.len() {
            if low == high || !ordered(&params[low].path, &params[high].path) {
                continue;
            }
            let middle = (params[low].value + params[high].value) / 2.0;
            let (low_integer, high_integer) = (params[low].integer, params[high].integer);
            params[low].to = params[low]
                .to
                .min(if low_integer { middle.floor() } else { middle });
            params[high].from =
                params[high]
                    .from
                    .max(if high_integer { middle.ceil() } else { middle });
        }
    }
}

/// The override that sets the parameter at `path` to `value` (rounded to a
/// whole number when `integer`); `argument` names it in messages.
pub fn set(path: &str, value: f64, integer: bool, argument: String) -> Override {
    Override {
        argument,
        path: path.split('.').map(str::to_string).collect(),
        value: if integer {
            toml::Value::Integer(value.round() as i64)
        } else {
            toml::Value::Float(value)
        },
    }
}

/// The overrides that set each parameter to its value at the design point
/// `unit` (values in [0, 1], one per parameter).
pub fn overrides_at(params: &[Param], unit: &[f64]) -> Vec<Override> {
    params
        .iter()
        .zip(unit)
        .map(|(param, &unit)| {
            set(
                &param.path,
                param.at(unit),
                param.integer,
                format!("--param {}", param.path),
            )
        })
        .collect()
}

/// One output screened: a summary metric of the baseline, or another arm's
/// paired difference from the baseline in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub arm: usize,
    pub metric: Summary,
    /// Whether it is the arm's paired difference from the baseline.
    pub difference: bool,
}

impl Output {
    /// Its name in `sensitivity.csv`: the metric, `diff_` first for a difference.
    pub fn metric_name(&self) -> String {
        if self.difference {
            format!("diff_{}", self.metric.name())
        } else {
            self.metric.name().to_string()
        }
    }

    /// Its value in a run's results: the mean over replicates.
    pub fn value(&self, results: &Results) -> f64 {
        let stat = if self.difference {
            results.difference(self.arm, self.metric)
        } else {
            results.summary(self.arm, self.metric)
        };
        stat.mean().unwrap_or(f64::NAN)
    }

    /// In words, for the report: "conflict hours per leader after start,
    /// power-through", or "connection-first minus power-through, ...".
    pub fn label(&self, scenario: &Scenario) -> String {
        let arm = &scenario.arms[self.arm].name;
        let metric = self.metric.name().replace('_', " ");
        if self.difference {
            let base = &scenario.arms[scenario.baseline].name;
            format!("{arm} minus {base}, {metric}")
        } else {
            format!("{metric}, {arm}")
        }
    }
}

/// The default outputs: the baseline's weekly conflict hours per leader
/// from the start week, and each connection-first arm's paired difference
/// in it (what the story's claim rests on).
pub fn default_outputs(scenario: &Scenario) -> Vec<Output> {
    let metric = Summary::ConflictHoursPerLeaderAfterStart;
    let mut outputs = vec![Output {
        arm: scenario.baseline,
        metric,
        difference: false,
    }];
    for (index, arm) in scenario.arms.iter().enumerate() {
        if index != scenario.baseline && arm.intervention_names().contains(&"connection-first") {
            outputs.push(Output {
                arm: index,
                metric,
                difference: true,
            });
        }
    }
    outputs
}

/// One row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub output: usize,
    pub param: usize,
    pub effects: Effects,
    pub rank: usize,
}

/// The effects of every parameter on every output, from the outputs at
/// each point of the design (`y[point][output]`), ranked within each output
/// by `mu_star` (largest first; ties by parameter order).
pub fn screen(
    design: &Design,
    outputs: usize,
    y: &[Vec<f64>],
    rng: &mut impl rand::Rng,
) -> Result<Vec<Row>, morris::AnalysisError> {
    let mut rows = Vec::new();
    for output in 0..outputs {
        let values: Vec<f64> = y.iter().map(|point| point[output]).collect();
        let effects = morris::analyse(&design.points, &values, design.levels, rng)?;
        let mut order: Vec<usize> = (0..effects.len()).collect();
        order.sort_by(|&a, &b| {
            effects[b]
                .mu_star
                .total_cmp(&effects[a].mu_star)
                .then(a.cmp(&b))
        });
        for (rank, param) in order.into_iter().enumerate() {
            rows.push(Row {
                output,
                param,
                effects: effects[param],
                rank: rank + 1,
            });
        }
    }
    Ok(rows)
}

/// `sensitivity.csv`'s header line.
pub const CSV_HEADER: &str =
    "arm,metric,parameter,value,from,to,mu,mu_star,mu_star_ci,sigma,rank\n";

/// `sensitivity.csv`: the rows of [`screen`].
pub fn csv(scenario: &Scenario, params: &[Param], outputs: &[Output], rows: &[Row]) -> Vec<u8> {
    let mut text = String::from(CSV_HEADER);
    for row in rows {
        let (output, param) = (&outputs[row.output], &params[row.param]);
        let numbers = [
            param.value,
            param.from,
            param.to,
            row.effects.mu,
            row.effects.mu_star,
            row.effects.mu_star_ci,
            row.effects.sigma,
        ]
        .map(|value| number(Some(value)))
        .join(",");
        text.push_str(&format!(
            "{},{},{},{numbers},{}\n",
            csv_field(&scenario.arms[output.arm].name),
            output.metric_name(),
            csv_field(&param.path),
            row.rank
        ));
    }
    text.into_bytes()
}

/// `points.csv`'s header: each point's trajectory, parameter values and
/// outputs, the raw material of the screening (and a shard's result).
pub fn points_header(params: &[Param], outputs: &[Output], scenario: &Scenario) -> String {
    let mut header = String::from("point,trajectory");
    for param in params {
        header.push(',');
        header.push_str(&csv_field(&param.path));
    }
    for output in outputs {
        header.push(',');
        let name = format!(
            "{}:{}",
            scenario.arms[output.arm].name,
            output.metric_name()
        );
        header.push_str(&csv_field(&name));
    }
    header.push('\n');
    header
}

/// `points.csv`'s row of one point. Outputs are written in full precision
/// (the shortest text that reads back as the same number), so a screening
/// merged from shards' rows is the unsharded one, bit for bit.
pub fn points_row(point: usize, params: &[Param], unit: &[f64], values: &[f64]) -> String {
    let trajectory = point / (params.len() + 1);
    let mut row = format!("{point},{trajectory}");
    for (param, &unit) in params.iter().zip(unit) {
        row.push(',');
        row.push_str(&format!("{}", param.at(unit)));
    }
    for value in values {
        row.push(',');
        if value.is_finite() {
            row.push_str(&format!("{value:?}"));
        }
    }
    row.push('\n');
    row
}

/// The outputs of a `points.csv` row (the last `outputs` fields), read
/// back exactly; `None` when the row is not of that shape.
pub fn outputs_of_row(line: &str, outputs: usize) -> Option<Vec<f64>> {
    let fields: Vec<&str> = line.split(',').collect();
    let start = fields.len().checked_sub(outputs)?;
    fields[start..]
        .iter()
        .map(|field| {
            if field.is_empty() {
                Some(f64::NAN)
            } else {
                field.parse().ok()
            }
        })
        .collect()
}

/// How a screening was made, for `sensitivity.json`.
pub struct ScreeningInfo<'a> {
    pub scenario_file: &'a str,
    pub command: &'a str,
    pub replicates: u64,
    pub trajectories: usize,
    pub levels: usize,
    pub points: usize,
    pub threads: usize,
    pub wall_time_seconds: f64,
    /// Shards merged into this screening, if it was run in shards.
    pub shards: Option<u64>,
}

/// `sensitivity.json`: the parameters and their ranges, the outputs, the
/// design's size and the resolved scenario, to read `sensitivity.csv` by
/// and to reproduce it.
pub fn manifest_json(
    scenario: &Scenario,
    params: &[Param],
    skipped: &[Skipped],
    outputs: &[Output],
    info: &ScreeningInfo<'_>,
) -> Vec<u8> {
    let outputs: Vec<serde_json::Value> = outputs
        .iter()
        .map(|output| {
            serde_json::json!({
                "arm": scenario.arms[output.arm].name,
                "metric": output.metric_name(),
                "label": output.label(scenario),
            })
        })
        .collect();
    let manifest = serde_json::json!({
        "kind": "sensitivity",
        "name": scenario.name,
        "description": scenario.description,
        "question": scenario.question,
        "scenario_file": info.scenario_file,
        "version": env!("CARGO_PKG_VERSION"),
        "command": info.command,
        "seed": scenario.seed,
        "replicates": info.replicates,
        "trajectories": info.trajectories,
        "levels": info.levels,
        "points": info.points,
        "threads": info.threads,
        "wall_time_seconds": (info.wall_time_seconds * 1000.0).round() / 1000.0,
        "weeks": scenario.weeks,
        "warmup_weeks": scenario.warmup_weeks,
        "baseline": scenario.arms[scenario.baseline].name,
        "outputs": outputs,
        "params": params,
        "skipped": skipped,
        "scenario": scenario.resolved,
    });
    crate::output::manifest_bytes(manifest, info.shards)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(path: &str, value: f64, integer: bool) -> Param {
        let candidate = Candidate {
            path: path.to_string(),
            value,
            integer,
        };
        let (from, to) = default_range(&candidate).unwrap();
        Param {
            path: path.to_string(),
            value,
            from,
            to,
            integer,
        }
    }

    #[test]
    fn ranges_span_half_to_one_and_a_half_times_the_value() {
        let alpha = param("attribution.alpha", 4.8, false);
        assert!((alpha.from - 2.4).abs() < 1e-12 && (alpha.to - 7.2).abs() < 1e-12);
        let weeks = param("triage.overdue_weeks", 3.0, true);
        assert_eq!((weeks.from, weeks.to), (1.0, 5.0));
        assert_eq!(weeks.at(0.5), 3.0);
        let negative = param("x", -2.0, false);
        assert_eq!((negative.from, negative.to), (-3.0, -1.0));
        let zero = Candidate {
            path: "generate.support_min".to_string(),
            value: 0.0,
            integer: false,
        };
        assert_eq!(default_range(&zero), None);
    }

    #[test]
    fn ordered_pairs_meet_at_their_midpoint() {
        let mut params = vec![
            param("conflict.episode_onset", 10.0, false),
            param("conflict.episode_offset", 5.0, false),
            param("generate.demand_min", 0.75, false),
            param("generate.demand_max", 1.05, false),
            param("attribution.alpha", 4.8, false),
        ];
        keep_ordered(&mut params);
        assert_eq!((params[0].from, params[0].to), (7.5, 15.0));
        assert_eq!((params[1].from, params[1].to), (2.5, 7.5));
        assert!((params[2].to - 0.9).abs() < 1e-12 && (params[3].from - 0.9).abs() < 1e-12);
        assert!((params[4].from - 2.4).abs() < 1e-12);
    }

    #[test]
    fn points_rows_read_back_exactly() {
        let params = vec![param("a", 1.0, false), param("b", 2.0, true)];
        let values = [0.1 + 0.2, f64::NAN, -1e-300];
        let row = points_row(4, &params, &[0.0, 1.0], &values);
        assert!(row.starts_with("4,1,0.5,3,"), "{row}");
        let back = outputs_of_row(row.trim_end(), 3).unwrap();
        assert_eq!(back[0].to_bits(), values[0].to_bits());
        assert!(back[1].is_nan());
        assert_eq!(back[2].to_bits(), values[2].to_bits());
    }
}
