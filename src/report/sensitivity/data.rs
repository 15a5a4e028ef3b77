//! Reads a screening's `sensitivity.json` and `sensitivity.csv` into the
//! effects of every screened parameter on every output.
//!
//! Like the other readers it is forgiving about content and strict about
//! form. An empty number is a missing value (the charts leave the parameter
//! out and the table shows a dash); an output that the manifest names but
//! the CSV has no rows for gets no charts, and one the CSV has but the
//! manifest does not name is shown after the others; the report says both.
//! Text in a number cell, a rank that is not a whole number from 1, or an
//! empty arm, metric or parameter is an error naming the file, line and
//! column: drawing the rest would rank parameters wrongly.

use std::path::Path;

use serde::Deserialize;

use super::super::ReportError;
use super::super::data::{
    Arm, CsvReader, CsvRow, HeadedManifest, Interval, ManifestHead, arms_with_colours, check_kind,
    parse_manifest, read_input,
};

pub(crate) const SENSITIVITY_CSV_FILE: &str = "sensitivity.csv";
pub(crate) const SENSITIVITY_MANIFEST_FILE: &str = "sensitivity.json";

const COLUMNS: [&str; 11] = [
    "arm",
    "metric",
    "parameter",
    "value",
    "from",
    "to",
    "mu",
    "mu_star",
    "mu_star_ci",
    "sigma",
    "rank",
];

/// The fields of `sensitivity.json` the report uses; all others are ignored.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SensitivityManifest {
    /// What every manifest says of the scenario and how to reproduce it
    /// (read on its own: see [`parse_manifest`]).
    #[serde(skip)]
    pub head: ManifestHead,
    pub kind: Option<String>,
    pub trajectories: Option<u64>,
    pub levels: Option<u64>,
    pub points: Option<u64>,
    #[serde(default)]
    pub outputs: Vec<ManifestOutput>,
    /// The screened parameters, only counted: their values and ranges
    /// are read from the CSV, with the effects.
    #[serde(default)]
    pub params: Vec<serde::de::IgnoredAny>,
    #[serde(default)]
    pub skipped: Vec<SkippedParam>,
    #[serde(default)]
    pub scenario: serde_json::Value,
}

impl HeadedManifest for SensitivityManifest {
    fn head_mut(&mut self) -> &mut ManifestHead {
        &mut self.head
    }
}

/// An output screened: an arm's metric, or its paired difference from the
/// baseline (a metric named `diff_...`).
#[derive(Debug, Deserialize)]
pub(crate) struct ManifestOutput {
    pub arm: String,
    pub metric: String,
    #[serde(default)]
    pub label: String,
}

/// A parameter the screening left out, and why.
#[derive(Debug, Deserialize)]
pub(crate) struct SkippedParam {
    pub path: String,
    #[serde(default)]
    pub reason: String,
}

/// One parameter's effect on one output: a row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Effect {
    pub path: String,
    /// The scenario's own value, and the range screened.
    pub value: Option<f64>,
    pub from: Option<f64>,
    pub to: Option<f64>,
    /// The Morris statistics, in the output's units per whole screened
    /// range: the mean effect, the mean absolute effect, the half-width of
    /// its 95% interval, and the effects' standard deviation.
    pub mu: Option<f64>,
    pub mu_star: Option<f64>,
    pub mu_star_ci: Option<f64>,
    pub sigma: Option<f64>,
    /// 1 for the largest `mu_star` of the output.
    pub rank: Option<u32>,
}

impl Effect {
    /// The 95% interval of `mu_star`, which cannot go below zero.
    pub fn interval(&self) -> Option<Interval> {
        let (mu_star, half_width) = (self.mu_star?, self.mu_star_ci?);
        Some(Interval {
            low: (mu_star - half_width).max(0.0),
            high: mu_star + half_width,
        })
    }
}

/// One output and every parameter's effect on it.
pub(crate) struct ScreenedOutput {
    /// The arm, coloured as in the run report.
    pub arm: Arm,
    pub metric: String,
    /// The output in words, from the manifest.
    pub label: String,
    /// By rank: the largest `mu_star` first, parameters without one last.
    pub effects: Vec<Effect>,
    /// Whether the manifest lists it (else only the CSV has it).
    pub in_manifest: bool,
}

impl ScreenedOutput {
    /// The effects with both a `mu_star` and a `sigma`, by rank.
    pub fn measured(&self) -> impl Iterator<Item = (&Effect, f64, f64)> {
        self.effects
            .iter()
            .filter_map(|effect| Some((effect, effect.mu_star?, effect.sigma?)))
    }
}

/// Everything the sensitivity report needs.
pub(crate) struct SensitivityOutput {
    pub manifest: SensitivityManifest,
    /// In the manifest's order, then any only the CSV has.
    pub outputs: Vec<ScreenedOutput>,
}

impl SensitivityOutput {
    pub fn read(dir: &Path) -> Result<Self, ReportError> {
        let manifest = read_input(dir, SENSITIVITY_MANIFEST_FILE)?;
        let csv = read_input(dir, SENSITIVITY_CSV_FILE)?;
        Self::parse(dir, &manifest, &csv)
    }

    /// Parses a screening's files; `dir` is where they are (or will be),
    /// for messages.
    pub fn parse(dir: &Path, manifest: &[u8], csv: &[u8]) -> Result<Self, ReportError> {
        let manifest_path = dir.join(SENSITIVITY_MANIFEST_FILE);
        let manifest: SensitivityManifest = parse_manifest(&manifest_path, manifest)?;
        check_kind(
            &manifest_path,
            manifest.kind.as_deref(),
            "sensitivity",
            "a sensitivity screening",
        )?;
        let mut groups = read_rows(&dir.join(SENSITIVITY_CSV_FILE), csv)?;
        let arms = colour_arms(&manifest, &groups);
        let arm = |name: &str| {
            let arm = arms.iter().find(|arm| arm.name == name);
            Arm {
                name: name.to_owned(),
                is_baseline: arm.is_some_and(|arm| arm.is_baseline),
                colour: arm.map_or(super::super::theme::BASELINE_COLOUR, |arm| arm.colour),
            }
        };
        let mut outputs: Vec<ScreenedOutput> = manifest
            .outputs
            .iter()
            .map(|listed| {
                let effects = groups
                    .iter()
                    .position(|group| group.arm == listed.arm && group.metric == listed.metric)
                    .map(|index| groups.remove(index).effects)
                    .unwrap_or_default();
                ScreenedOutput {
                    arm: arm(&listed.arm),
                    metric: listed.metric.clone(),
                    label: if listed.label.is_empty() {
                        default_label(&listed.arm, &listed.metric)
                    } else {
                        listed.label.clone()
                    },
                    effects,
                    in_manifest: true,
                }
            })
            .collect();
        outputs.extend(groups.into_iter().map(|group| ScreenedOutput {
            arm: arm(&group.arm),
            label: default_label(&group.arm, &group.metric),
            metric: group.metric,
            effects: group.effects,
            in_manifest: false,
        }));
        for output in &mut outputs {
            output.effects.sort_by(|a, b| {
                let rank = |effect: &Effect| effect.rank.unwrap_or(u32::MAX);
                let size = |effect: &Effect| effect.mu_star.unwrap_or(f64::NEG_INFINITY);
                rank(a)
                    .cmp(&rank(b))
                    .then_with(|| size(b).total_cmp(&size(a)))
            });
        }
        Ok(Self { manifest, outputs })
    }

    /// How many parameters were screened: the manifest's count, else the
    /// most any output has rows for.
    pub fn parameter_count(&self) -> usize {
        if self.manifest.params.is_empty() {
            self.outputs
                .iter()
                .map(|output| output.effects.len())
                .max()
                .unwrap_or(0)
        } else {
            self.manifest.params.len()
        }
    }
}

/// "diff_final_trust of connection-first", for an output the manifest does
/// not describe.
fn default_label(arm: &str, metric: &str) -> String {
    format!("{metric} of {arm}")
}

/// The rows of one output, in the order the CSV has them.
struct RowGroup {
    arm: String,
    metric: String,
    effects: Vec<Effect>,
}

/// Reads every row of `sensitivity.csv`, grouped by output in the order
/// the outputs first appear. A parameter repeated within an output keeps
/// its first row.
fn read_rows(path: &Path, csv: &[u8]) -> Result<Vec<RowGroup>, ReportError> {
    let mut reader = CsvReader::new(path, csv, &COLUMNS)?;
    let mut groups: Vec<RowGroup> = Vec::new();
    while let Some(row) = reader.next_row()? {
        let (arm, metric) = (row.text("arm")?, row.text("metric")?);
        let effect = Effect {
            path: row.text("parameter")?.to_owned(),
            value: row.number("value")?,
            from: row.number("from")?,
            to: row.number("to")?,
            mu: row.number("mu")?,
            mu_star: row.number("mu_star")?,
            mu_star_ci: row.number("mu_star_ci")?,
            sigma: row.number("sigma")?,
            rank: rank(&row)?,
        };
        let index = match groups
            .iter()
            .position(|group| group.arm == arm && group.metric == metric)
        {
            Some(index) => index,
            None => {
                groups.push(RowGroup {
                    arm: arm.to_owned(),
                    metric: metric.to_owned(),
                    effects: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let effects = &mut groups[index].effects;
        if !effects.iter().any(|earlier| earlier.path == effect.path) {
            effects.push(effect);
        }
    }
    Ok(groups)
}

/// The row's rank: empty (undefined) or a whole number from 1.
fn rank<R>(row: &CsvRow<'_, R>) -> Result<Option<u32>, ReportError> {
    let Some(number) = row.number("rank")? else {
        return Ok(None);
    };
    let whole = number.round();
    if whole >= 1.0 && whole == number && whole <= f64::from(u32::MAX) {
        Ok(Some(whole as u32))
    } else {
        Err(row.field_error("rank", "not a rank (1, 2, 3, ...)"))
    }
}

/// The arms in the scenario's order (as the run report orders them, so
/// that an arm wears the same colour in both), then any only the rows name.
fn colour_arms(manifest: &SensitivityManifest, groups: &[RowGroup]) -> Vec<Arm> {
    let scenario_arms = manifest.scenario["arms"]
        .as_object()
        .into_iter()
        .flat_map(|arms| arms.keys().map(String::as_str));
    let named = manifest
        .outputs
        .iter()
        .map(|output| output.arm.as_str())
        .chain(groups.iter().map(|group| group.arm.as_str()));
    arms_with_colours(
        manifest.head.baseline.as_deref(),
        &[],
        scenario_arms.chain(named),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A screening of five parameters on two outputs.
    pub(crate) const MANIFEST: &str = r#"{
        "kind": "sensitivity",
        "name": "two-managers", "description": "Two strong managers.",
        "question": "Does connecting first bring the lost hours down?",
        "scenario_file": "scenarios/two-managers.toml", "version": "0.1.0",
        "command": "empathy-gap sensitivity two-managers",
        "seed": 42, "replicates": 100, "trajectories": 10, "levels": 4, "points": 60,
        "threads": 2, "wall_time_seconds": 25.1, "baseline": "power-through",
        "outputs": [
            {"arm": "power-through", "metric": "conflict_hours_per_leader_after_start",
             "label": "Conflict hours per leader a week, power-through"},
            {"arm": "connection-first", "metric": "diff_conflict_hours_per_leader_after_start",
             "label": "Connection-first's paired difference in conflict hours per leader a week"}
        ],
        "params": [
            {"path": "attribution.lambda_loss", "value": 0.3, "from": 0.15, "to": 0.45, "integer": false},
            {"path": "trust.initial", "value": 0.35, "from": 0.175, "to": 0.525, "integer": false},
            {"path": "defaults.disclosure", "value": 0.1, "from": 0.05, "to": 0.15, "integer": false},
            {"path": "arms.connection-first.interventions.0.trust_gain", "value": 0.2, "from": 0.1, "to": 0.3, "integer": false},
            {"path": "defaults.team_size", "value": 6, "from": 3, "to": 9, "integer": true}
        ],
        "skipped": [{"path": "generate.support_min", "reason": "its value is 0; name it with --param PATH=FROM:TO to screen it"}],
        "scenario": {"arms": {"power-through": {"baseline": true}, "escalation": {}, "connection-first": {}}}
    }"#;

    pub(crate) const CSV: &str = "\
arm,metric,parameter,value,from,to,mu,mu_star,mu_star_ci,sigma,rank
power-through,conflict_hours_per_leader_after_start,attribution.lambda_loss,0.300000,0.150000,0.450000,1.200000,1.250000,0.200000,0.400000,1
power-through,conflict_hours_per_leader_after_start,trust.initial,0.350000,0.175000,0.525000,-0.900000,0.950000,0.150000,1.100000,2
power-through,conflict_hours_per_leader_after_start,defaults.disclosure,0.100000,0.050000,0.150000,-0.300000,0.300000,0.050000,0.100000,3
power-through,conflict_hours_per_leader_after_start,defaults.team_size,6.000000,3.000000,9.000000,0.050000,0.120000,0.040000,0.150000,4
power-through,conflict_hours_per_leader_after_start,arms.connection-first.interventions.0.trust_gain,0.200000,0.100000,0.300000,0.000000,0.000000,0.000000,0.000000,5
connection-first,diff_conflict_hours_per_leader_after_start,arms.connection-first.interventions.0.trust_gain,0.200000,0.100000,0.300000,-0.600000,0.600000,0.100000,0.200000,1
connection-first,diff_conflict_hours_per_leader_after_start,trust.initial,0.350000,0.175000,0.525000,0.400000,0.450000,0.120000,0.500000,2
connection-first,diff_conflict_hours_per_leader_after_start,attribution.lambda_loss,0.300000,0.150000,0.450000,-0.200000,0.250000,0.080000,0.300000,3
connection-first,diff_conflict_hours_per_leader_after_start,defaults.disclosure,0.100000,0.050000,0.150000,0.010000,0.020000,,0.030000,4
connection-first,diff_conflict_hours_per_leader_after_start,defaults.team_size,6.000000,3.000000,9.000000,,,,,
";

    pub(crate) fn parse(manifest: &str, csv: &str) -> Result<SensitivityOutput, ReportError> {
        SensitivityOutput::parse(Path::new("out"), manifest.as_bytes(), csv.as_bytes())
    }

    fn message(result: Result<SensitivityOutput, ReportError>) -> String {
        match result {
            Ok(_) => panic!("expected an error"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn rows_are_grouped_by_output_and_ordered_by_rank() {
        let screening = parse(MANIFEST, CSV).unwrap();
        assert_eq!(screening.outputs.len(), 2);
        assert_eq!(screening.parameter_count(), 5);
        let baseline = &screening.outputs[0];
        assert!(baseline.arm.is_baseline);
        assert_eq!(
            baseline.label,
            "Conflict hours per leader a week, power-through"
        );
        let difference = &screening.outputs[1];
        // Coloured as in a run report of the scenario's three arms.
        assert_eq!(
            difference.arm.colour,
            super::super::super::theme::alternative_colour(1)
        );
        let paths: Vec<&str> = difference
            .effects
            .iter()
            .map(|effect| effect.path.as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "arms.connection-first.interventions.0.trust_gain",
                "trust.initial",
                "attribution.lambda_loss",
                "defaults.disclosure",
                "defaults.team_size"
            ]
        );
        // Undefined numbers are missing values.
        assert_eq!(difference.effects[3].interval(), None);
        assert_eq!(difference.effects[4].mu_star, None);
        assert_eq!(difference.measured().count(), 4);
        let interval = baseline.effects[0].interval().unwrap();
        assert!((interval.low - 1.05).abs() < 1e-9 && (interval.high - 1.45).abs() < 1e-9);
    }

    #[test]
    fn outputs_missing_from_either_file_are_kept_and_marked() {
        let csv: String = CSV
            .lines()
            .filter(|line| !line.starts_with("connection-first"))
            .chain(["escalation,final_trust,trust.initial,0.35,0.175,0.525,0.1,0.1,0.01,0.02,1"])
            .map(|line| format!("{line}\n"))
            .collect();
        let screening = parse(MANIFEST, &csv).unwrap();
        assert_eq!(screening.outputs.len(), 3);
        assert!(screening.outputs[1].effects.is_empty());
        let extra = &screening.outputs[2];
        assert!(!extra.in_manifest);
        assert_eq!(extra.label, "final_trust of escalation");
        assert_eq!(
            extra.arm.colour,
            super::super::super::theme::alternative_colour(0)
        );
    }

    #[test]
    fn malformed_cells_are_errors_with_line_and_column() {
        let csv = CSV.replacen(",0.950000,", ",lots,", 1);
        assert_eq!(
            message(parse(MANIFEST, &csv)),
            "out/sensitivity.csv: line 3: column `mu_star`: not a number"
        );
        let csv = CSV.replacen(",0.100000,3\n", ",0.100000,0\n", 1);
        assert_eq!(
            message(parse(MANIFEST, &csv)),
            "out/sensitivity.csv: line 4: column `rank`: not a rank (1, 2, 3, ...)"
        );
        let csv = CSV.replacen(
            "power-through,conflict_hours_per_leader_after_start,trust",
            ",conflict_hours_per_leader_after_start,trust",
            1,
        );
        assert_eq!(
            message(parse(MANIFEST, &csv)),
            "out/sensitivity.csv: line 3: column `arm`: empty"
        );
        let csv = CSV.replacen(",sigma,", ",spread,", 1);
        assert_eq!(
            message(parse(MANIFEST, &csv)),
            "out/sensitivity.csv: line 1: the header has no column `sigma`"
        );
    }

    #[test]
    fn manifest_problems_name_the_field() {
        let manifest = MANIFEST.replace(r#""kind": "sensitivity""#, r#""kind": "sweep""#);
        assert_eq!(
            message(parse(&manifest, CSV)),
            "out/sensitivity.json: field `kind`: this is the manifest of a sweep, not of a sensitivity screening"
        );
        let manifest = MANIFEST.replace(r#""trajectories": 10"#, r#""trajectories": "ten""#);
        assert!(
            message(parse(&manifest, CSV))
                .starts_with("out/sensitivity.json: field `trajectories`:")
        );
    }
}
