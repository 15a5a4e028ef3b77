//! The model live (`empathy-gap explore`): which controls the page offers
//! for a scenario, how the settings it sends back become `--set` overrides
//! (checked by the scenario validator like any other), and what each update
//! of a run carries: the charts, drawn by the report's own code, and the
//! numbers behind them.
//!
//! Nothing here does I/O; the server is `cli::explore`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::metrics::Summary;
use crate::output::{RunBytes, RunInfo};
use crate::report::{self, RunFiles};
use crate::runner::Results;
use crate::scenario::{Arm, Override, Scenario};
use crate::stats::Running;

/// A slider of the page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Control {
    /// The scenario value it sets, as `--set` names it.
    pub path: String,
    pub label: String,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    /// The scenario's own value: where the slider starts and resets to.
    pub value: f64,
    /// The README's one-line explanation.
    pub help: &'static str,
    /// The heading it is listed under.
    pub group: &'static str,
}

/// One arm, for the page's toggles.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ArmInfo {
    pub name: String,
    pub baseline: bool,
    /// The colour it wears in every chart (`#rrggbb`).
    pub colour: String,
}

/// What the page is built from.
#[derive(Debug, Clone, Serialize)]
pub struct Setup {
    pub name: String,
    pub description: String,
    pub question: String,
    pub controls: Vec<Control>,
    pub arms: Vec<ArmInfo>,
}

/// What the page sends: a value per control it changed, the arms to run
/// (the baseline always runs), replicates and weeks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub values: BTreeMap<String, f64>,
    #[serde(default)]
    pub arms: Option<Vec<String>>,
}

/// The most replicates a live run may ask for.
pub const MAX_REPLICATES: f64 = 5000.0;

/// The page's controls for `scenario`, starting at its values.
pub fn setup(scenario: &Scenario) -> Setup {
    let raw = &scenario.resolved;
    // What the leaders, projects and managers have: their own values where
    // they set them, the defaults elsewhere, averaged. Moving a slider sets
    // them all (see `RawScenario::paths_of_default`).
    let mean = |values: Vec<f64>, default: f64| {
        if values.is_empty() {
            default
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    let defaults = &raw.defaults;
    let leaders = |own: fn(&crate::scenario::raw::RawLeader) -> Option<f64>, default: f64| {
        let values = raw
            .leaders
            .iter()
            .map(|leader| own(leader).unwrap_or(default));
        mean(values.collect(), default)
    };
    let demand = leaders(|leader| leader.demand, defaults.demand);
    let disclosure = leaders(|leader| leader.disclosure, defaults.disclosure);
    let insecurity = leaders(|leader| leader.insecurity, defaults.insecurity);
    let team_size = leaders(
        |leader| leader.team_size.map(|size| size as f64),
        defaults.team_size as f64,
    )
    .round();
    let support = mean(
        raw.managers
            .iter()
            .map(|manager| manager.support.unwrap_or(defaults.support))
            .collect(),
        defaults.support,
    );
    let ambiguity = mean(
        raw.projects
            .iter()
            .map(|project| project.ambiguity.unwrap_or(defaults.ambiguity))
            .collect(),
        defaults.ambiguity,
    );
    let mut controls = vec![
        control(
            "trust.initial",
            "Initial trust",
            "",
            (0.0, 1.0, 0.05),
            raw.trust.initial,
            "Trust every observer starts with in every peer (after the warm-up it has mostly settled where the model takes it).",
            "People",
        ),
        control(
            "defaults.disclosure",
            "Base disclosure",
            "chance a week",
            (0.0, 1.0, 0.05),
            disclosure,
            "Base weekly chance that a leader mentions an item of their queue to a peer.",
            "People",
        ),
        control(
            "defaults.insecurity",
            "Job insecurity",
            "",
            (0.0, 1.0, 0.05),
            insecurity,
            "Job insecurity cuts disclosure (x (1 - insecurity)) and raises blame.",
            "People",
        ),
        control(
            "defaults.support",
            "Manager support",
            "",
            (0.0, 1.0, 0.05),
            support,
            "How much a supportive manager damps frustration.",
            "People",
        ),
        control(
            "attribution.lambda_loss",
            "Trust lost per miss",
            "share of trust",
            (0.05, 0.8, 0.05),
            raw.attribution.lambda_loss,
            "Trust lost per fully unexplained commitment, times trust; divided by trust gained per kept one (lambda_gain), the asymmetry of trust.",
            "People",
        ),
        control(
            "defaults.demand",
            "Demand",
            "work / capacity",
            (0.5, 2.0, 0.05),
            demand,
            "Expected arriving hours (private and shared) over capacity; above 1 means misses.",
            "Work",
        ),
        control(
            "defaults.ambiguity",
            "Role ambiguity",
            "chance a week",
            (0.0, 0.5, 0.01),
            ambiguity,
            "The chance that a week's deliverable has no clear owner.",
            "Work",
        ),
        control(
            "defaults.team_size",
            "Team size",
            "people",
            (1.0, 30.0, 1.0),
            team_size,
            "People in each team besides the leader.",
            "Work",
        ),
    ];
    // A generated organisation draws these per leader, project and manager
    // from its [generate] ranges: their sliders would move nothing.
    if raw.generate.is_some() {
        controls.retain(|control| !control.path.starts_with("defaults."));
    }
    // Each kind of intervention's key settings, in the first arm that has it.
    let mut seen = Vec::new();
    for (arm, settings) in &raw.arms {
        let interventions = settings
            .get("interventions")
            .and_then(toml::Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (index, intervention) in interventions.iter().enumerate() {
            let Some(kind) = intervention.get("kind").and_then(toml::Value::as_str) else {
                continue;
            };
            if seen.contains(&kind.to_owned()) {
                continue;
            }
            seen.push(kind.to_owned());
            // The values come from the checked arm, which has applied the
            // defaults and the start-week rule.
            let Some(checked) = scenario.arms.iter().find(|checked| checked.name == *arm) else {
                continue;
            };
            let at = |key: &str| format!("arms.{arm}.interventions.{index}.{key}");
            let weeks = f64::from(scenario.weeks);
            match (kind, checked) {
                (
                    "connection-first",
                    Arm {
                        connection: Some(connection),
                        ..
                    },
                ) => {
                    // The intervention's own start week, if it has one,
                    // beats the arm's.
                    let path = if intervention.get("start_week").is_some() {
                        at("start_week")
                    } else {
                        format!("arms.{arm}.start_week")
                    };
                    controls.push(control(
                        &path,
                        "1:1 week",
                        "week",
                        (1.0, weeks, 1.0),
                        f64::from(connection.start_week),
                        "The week of the first non-work 1:1 (and the start of this arm).",
                        "Responses",
                    ));
                    controls.push(control(
                        &at("every_weeks"),
                        "1:1 every",
                        "weeks (0: once)",
                        (0.0, 12.0, 1.0),
                        connection.params.every_weeks as f64,
                        "Weeks between 1:1s; 0 means once.",
                        "Responses",
                    ));
                }
                (
                    "status-meeting",
                    Arm {
                        status_meeting: Some(meeting),
                        ..
                    },
                ) => controls.push(control(
                    &at("every_weeks"),
                    "Status meeting every",
                    "weeks",
                    (1.0, 8.0, 1.0),
                    meeting.params.every_weeks as f64,
                    "Weeks between status meetings.",
                    "Responses",
                )),
                (
                    "escalation",
                    Arm {
                        escalation: Some(escalation),
                        ..
                    },
                ) => controls.push(control(
                    &at("threshold"),
                    "Escalation threshold",
                    "frustration",
                    (1.0, 20.0, 0.5),
                    escalation.params.threshold,
                    "Frustration above which an observer who is in an episode escalates.",
                    "Responses",
                )),
                _ => {}
            }
        }
    }
    controls.push(control(
        "replicates",
        "Replicates",
        "runs per arm",
        (20.0, MAX_REPLICATES, 20.0),
        (scenario.replicates as f64).min(MAX_REPLICATES),
        "Independent runs of every arm; more runs, narrower intervals.",
        "Run",
    ));
    controls.push(control(
        "weeks",
        "Weeks",
        "reported weeks",
        (4.0, 104.0, 1.0),
        f64::from(scenario.weeks),
        "Reported weeks, after the warm-up.",
        "Run",
    ));
    Setup {
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        question: scenario.question.clone(),
        controls,
        arms: arm_info(scenario),
    }
}

fn control(
    path: &str,
    label: &str,
    unit: &'static str,
    (min, max, step): (f64, f64, f64),
    value: f64,
    help: &'static str,
    group: &'static str,
) -> Control {
    Control {
        path: path.to_owned(),
        label: label.to_owned(),
        unit,
        min: min.min(value),
        max: max.max(value),
        step,
        value,
        help,
        group,
    }
}

fn arm_info(scenario: &Scenario) -> Vec<ArmInfo> {
    report::theme::scenario_palette(scenario)
        .into_iter()
        .zip(&scenario.arms)
        .enumerate()
        .map(|(index, (place, arm))| ArmInfo {
            name: arm.name.clone(),
            baseline: index == scenario.baseline,
            colour: report::theme::css_hex(report::theme::place_colour(place)),
        })
        .collect()
}

/// The settings as overrides: only the page's own controls may be set, each
/// within its slider's range (the validator then checks the scenario as a
/// whole). Whole-number controls take whole numbers.
pub fn overrides(
    settings: &Settings,
    controls: &[Control],
    scenario: &Scenario,
) -> Result<Vec<Override>, String> {
    let mut overrides = Vec::new();
    for (path, &value) in &settings.values {
        let Some(control) = controls.iter().find(|control| &control.path == path) else {
            return Err(format!("`{path}` is not a setting of this page"));
        };
        if !value.is_finite() || value < control.min || value > control.max {
            return Err(format!(
                "{}: must be from {} to {} (got {value})",
                control.label, control.min, control.max
            ));
        }
        let whole = control.step.fract() == 0.0 && control.min.fract() == 0.0;
        if whole && value.fract() != 0.0 {
            return Err(format!(
                "{}: must be a whole number (got {value})",
                control.label
            ));
        }
        let written = if whole {
            format!("{}", value as i64)
        } else {
            format!("{value:?}")
        };
        // A default's slider sets it for everyone (`paths_of_default`).
        let paths = match path.strip_prefix("defaults.") {
            Some(key) => scenario.resolved.paths_of_default(key),
            None => vec![path.clone()],
        };
        for path in paths {
            overrides.push(Override::parse(&format!("{path}={written}"))?);
        }
    }
    Ok(overrides)
}

/// Keeps the baseline and the arms in `arms`, in the scenario's order.
pub fn keep_arms(scenario: &mut Scenario, arms: &[String]) -> Result<(), String> {
    if let Some(unknown) = arms
        .iter()
        .find(|name| !scenario.arms.iter().any(|arm| &arm.name == *name))
    {
        return Err(format!("no arm is named `{unknown}`"));
    }
    let baseline = scenario.arms[scenario.baseline].name.clone();
    scenario
        .arms
        .retain(|arm| arm.name == baseline || arms.contains(&arm.name));
    scenario.baseline = scenario
        .arms
        .iter()
        .position(|arm| arm.name == baseline)
        .unwrap_or(0);
    scenario
        .resolved
        .arms
        .retain(|name, _| *name == baseline || arms.iter().any(|arm| arm == name));
    Ok(())
}

/// The scenario as a TOML file that `empathy-gap run` reads back to the
/// same run: every value, defaults included; `None` if it cannot be
/// written.
pub fn scenario_toml(scenario: &Scenario) -> Option<String> {
    toml::to_string(&scenario.resolved).ok()
}

/// The run's files as `run` would write them, for the charts and for
/// exports; the manifest names `explore` as its command.
pub fn run_bytes(scenario: &Scenario, results: &Results, pairs: usize) -> RunBytes {
    let info = RunInfo {
        scenario_file: "explore".to_owned(),
        command: "empathy-gap explore".to_owned(),
        threads: 0,
        wall_time_seconds: 0.0,
        shards: None,
    };
    RunBytes::new(scenario, results, &info, pairs)
}

/// An update of a run for the page: its charts and the numbers behind
/// them, after `done` of `total` replicates.
pub fn update(
    scenario: &Scenario,
    results: &Results,
    files: &RunBytes,
    done: u64,
    total: u64,
) -> Value {
    let charts: Vec<Value> = match report::live_charts(&RunFiles::of(files)) {
        Ok(charts) => charts
            .into_iter()
            .map(|chart| match chart {
                Ok(chart) => json!({
                    "id": chart.id, "heading": chart.heading,
                    "svg": chart.svg, "reading": chart.reading,
                }),
                Err((id, reason)) => json!({ "id": id, "missing": reason }),
            })
            .collect(),
        Err(error) => vec![json!({ "id": "all", "missing": error.to_string() })],
    };
    let number = |running: &Running| {
        json!({
            "mean": running.mean(),
            "low": running.interval95().map(|(low, _)| low),
            "high": running.interval95().map(|(_, high)| high),
        })
    };
    let arms: Vec<Value> = arm_info(scenario)
        .into_iter()
        .enumerate()
        .map(|(index, arm)| {
            let metric = |metric: Summary| number(results.summary(index, metric));
            let difference = |metric: Summary| {
                (index != scenario.baseline).then(|| number(results.difference(index, metric)))
            };
            json!({
                "name": arm.name,
                "baseline": arm.baseline,
                "colour": arm.colour,
                "lost_hours_per_employee": metric(Summary::AnnualLostHoursPerEmployee),
                "lost_hours_difference": difference(Summary::AnnualLostHoursPerEmployee),
                "conflict": metric(Summary::ConflictHoursPerLeaderAfterStart),
                "conflict_difference": difference(Summary::ConflictHoursPerLeaderAfterStart),
                "on_time": metric(Summary::DeliveryRatio),
                "final_trust": metric(Summary::FinalTrust),
            })
        })
        .collect();
    json!({
        "done": done,
        "total": total,
        "weeks": scenario.weeks,
        "start_week": scenario.intervention_start_week(),
        "arms": arms,
        "charts": charts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_managers() -> Scenario {
        let text = include_str!("../scenarios/two-managers.toml");
        crate::scenario::load_text("two-managers.toml", text, &[]).expect("valid")
    }

    #[test]
    fn controls_start_at_the_scenarios_values() {
        let setup = setup(&two_managers());
        let value = |path: &str| {
            setup
                .controls
                .iter()
                .find(|control| control.path == path)
                .map(|control| control.value)
        };
        assert_eq!(value("trust.initial"), Some(0.35));
        assert_eq!(value("defaults.demand"), Some(1.1));
        assert_eq!(value("arms.connection-first.start_week"), Some(5.0));
        assert_eq!(
            value("arms.status-meeting.interventions.0.every_weeks"),
            Some(1.0)
        );
        assert_eq!(
            value("arms.escalation.interventions.0.threshold"),
            Some(6.0)
        );
        assert_eq!(setup.arms.len(), 4);
        assert!(setup.arms[0].baseline);
    }

    #[test]
    fn only_the_pages_controls_within_range_become_overrides() {
        let scenario = two_managers();
        let controls = setup(&scenario).controls;
        let settings = |path: &str, value: f64| Settings {
            values: [(path.to_owned(), value)].into_iter().collect(),
            arms: None,
        };
        let set = overrides(&settings("trust.initial", 0.8), &controls, &scenario).unwrap();
        assert_eq!(set[0].argument, "--set trust.initial=0.8");
        assert_eq!(
            overrides(&settings("seed", 1.0), &controls, &scenario).unwrap_err(),
            "`seed` is not a setting of this page"
        );
        assert_eq!(
            overrides(&settings("trust.initial", 1.5), &controls, &scenario).unwrap_err(),
            "Initial trust: must be from 0 to 1 (got 1.5)"
        );
        assert_eq!(
            overrides(&settings("defaults.team_size", 2.5), &controls, &scenario).unwrap_err(),
            "Team size: must be a whole number (got 2.5)"
        );
        assert!(overrides(&settings("trust.initial", f64::NAN), &controls, &scenario).is_err());
    }

    #[test]
    fn every_control_changes_the_scenario_it_runs() {
        let scenario = two_managers();
        let controls = setup(&scenario).controls;
        let text = include_str!("../scenarios/two-managers.toml");
        let seen = |scenario: &Scenario| {
            format!(
                "{:?} {:?} {:?} {} {}",
                scenario.organisation,
                scenario.params,
                scenario.arms,
                scenario.replicates,
                scenario.weeks
            )
        };
        for control in &controls {
            // A value other than the scenario's, within the range.
            let value = if control.value + control.step <= control.max {
                control.value + control.step
            } else {
                control.value - control.step
            };
            let settings = Settings {
                values: [(control.path.clone(), value)].into_iter().collect(),
                arms: None,
            };
            let set = overrides(&settings, &controls, &scenario).unwrap();
            let moved = crate::scenario::load_text("two-managers.toml", text, &set)
                .unwrap_or_else(|error| panic!("{}: {error}", control.path));
            assert_ne!(
                seen(&moved),
                seen(&scenario),
                "{} moved nothing",
                control.path
            );
        }
    }

    #[test]
    fn the_baseline_always_runs() {
        let mut scenario = two_managers();
        keep_arms(&mut scenario, &["connection-first".to_owned()]).unwrap();
        let names: Vec<&str> = scenario.arms.iter().map(|arm| arm.name.as_str()).collect();
        assert_eq!(names, ["power-through", "connection-first"]);
        assert_eq!(scenario.baseline, 0);
        assert_eq!(scenario.resolved.arms.len(), 2);
        assert!(keep_arms(&mut scenario, &["nobody".to_owned()]).is_err());
    }
}
