//! The calibration checks of DESIGN.md section 6, computed from the model's
//! own runs: each figure beside its target and the published source it is
//! anchored to. `empathy-gap calibrate` prints them and writes them as CSV;
//! nothing here feeds back into the model or adjusts a parameter.
//!
//! The checks:
//! - **typical-org** (baseline): conflict hours per employee per week, the
//!   share of employees touched, episode prevalence and onset incidence
//!   among leaders free of an episode in week 1 (CPP 2008; De Raeve et al.
//!   2008, 2009);
//! - **steady state**: weeks 1 to 4 of a scenario against the same weeks
//!   after a warm-up three times as long ([`crate::steady`]);
//! - **risk factors**: a virtual cohort (typical-org's structure with wide,
//!   documented ranges of demand, role ambiguity, insecurity and support),
//!   whose per-relationship onsets are fitted by logistic regression with
//!   intervals clustered by replicate ([`crate::logit`]): odds ratios per
//!   standard deviation of each factor;
//! - **demand response**: onset incidence at demand 0.6 to 1.3 in steps of
//!   0.1, every leader at the same demand, and the largest ratio between
//!   neighbours;
//! - **the story** (two-managers, high-demand): what each response does.

use crate::logit;
use crate::metrics::{Summary, Weekly};
use crate::model::{State, World};
use crate::output::{csv_field, number};
use crate::runner::{self, Results, RunError, RunOptions};
use crate::scenario::{Override, Scenario, ScenarioError};
use crate::steady;

/// One figure of the calibration table.
#[derive(Debug, Clone)]
pub struct Check {
    /// What is measured, in a few words.
    pub what: String,
    pub value: f64,
    /// 95% interval, when the figure has one.
    pub interval: Option<(f64, f64)>,
    /// The target, as text ("2.5 to 3.1", ">= 0.8", "> 1").
    pub target: String,
    /// Whether the figure meets the target (`None`: a figure shown for
    /// reference, with no target of its own).
    pub met: Option<bool>,
    /// Where the target comes from.
    pub source: &'static str,
}

/// Loads a bundled scenario by name with overrides.
pub type Load<'a> = &'a dyn Fn(&str, &[Override]) -> Result<Scenario, ScenarioError>;

/// How to run the checks.
pub struct Plan<'a> {
    pub load: Load<'a>,
    pub options: RunOptions<'a>,
    /// Replicates of the two-person stories (default 1,000).
    pub story_replicates: u64,
}

/// Why the checks could not run.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("virtual cohort: {0}")]
    Fit(#[from] logit::LogitError),
}

const CPP: &str = "CPP 2008";
const DE_RAEVE_2009: &str = "De Raeve et al. 2009";
const DE_RAEVE_2008: &str = "De Raeve et al. 2008";
const SEED: &str = "DESIGN.md (the seed)";
const NO_KNIFE_EDGE: &str = "DESIGN.md (no knife-edge)";
const STEADY: &str = "DESIGN.md section 3";

/// Runs every check, in the order of DESIGN.md section 6.
pub fn run(plan: &Plan) -> Result<Vec<Check>, CalibrateError> {
    let mut checks = Vec::new();
    typical_org(plan, &mut checks)?;
    steady_state(plan, "typical-org", &mut checks)?;
    steady_state(plan, "two-managers", &mut checks)?;
    steady_state(plan, "high-demand", &mut checks)?;
    virtual_cohort(plan, &mut checks)?;
    demand_response(plan, &mut checks)?;
    story(plan, &mut checks)?;
    Ok(checks)
}

fn set(path: &str, value: impl std::fmt::Display) -> Override {
    Override::parse(&format!("{path}={value}")).expect("a well-formed override")
}

fn within(value: f64, low: f64, high: f64) -> Option<bool> {
    Some(value.is_finite() && value >= low && value <= high)
}

/// A summary metric of the baseline (`arm`) with its interval.
fn summary_check(results: &Results, arm: usize, metric: Summary) -> (f64, Option<(f64, f64)>) {
    let stat = results.summary(arm, metric);
    (stat.mean().unwrap_or(f64::NAN), stat.interval95())
}

fn typical_org(plan: &Plan, checks: &mut Vec<Check>) -> Result<(), CalibrateError> {
    let scenario = (plan.load)("typical-org", &[])?;
    let world = World::new(&scenario);
    let results = runner::run(&scenario, &world, &plan.options)?;
    let rows = [
        (
            "typical-org: conflict h per employee per week",
            Summary::ConflictHoursPerEmployee,
            "2.5 to 3.1",
            2.5,
            3.1,
            CPP,
        ),
        (
            "typical-org: employees touched in a year",
            Summary::EmployeesTouchedShare,
            ">= 0.80",
            0.8,
            1.0,
            CPP,
        ),
        (
            "typical-org: episode prevalence (leaders, weekly)",
            Summary::EpisodePrevalence,
            "0.03 to 0.15",
            0.03,
            0.15,
            DE_RAEVE_2009,
        ),
        (
            "typical-org: onset incidence among the free (year)",
            Summary::OnsetIncidence,
            "0.02 to 0.15",
            0.02,
            0.15,
            DE_RAEVE_2008,
        ),
    ];
    for (what, metric, target, low, high, source) in rows {
        let (value, interval) = summary_check(&results, scenario.baseline, metric);
        checks.push(Check {
            what: what.to_string(),
            value,
            interval,
            target: target.to_string(),
            met: within(value, low, high),
            source,
        });
    }
    Ok(())
}

/// Weeks 1 to 4 of the baseline after the scenario's warm-up against the
/// same weeks after one three times as long ([`crate::steady`]): how many of
/// the compared metrics still drift.
fn steady_state(plan: &Plan, name: &str, checks: &mut Vec<Check>) -> Result<(), CalibrateError> {
    let warmup = (plan.load)(name, &[])?.warmup_weeks;
    let longer = steady::longer_warmup(warmup);
    let pilot = |warmup: u32| -> Result<Scenario, CalibrateError> {
        Ok(steady::pilot((plan.load)(
            name,
            &steady::overrides(warmup, 200),
        )?))
    };
    let verdict = steady::check(&pilot(warmup)?, &pilot(longer)?, &plan.options)?;
    // Which metrics drift is what `validate` names; the table counts them.
    let drifting = verdict.drifting().count();
    checks.push(Check {
        what: format!("{name}: metrics drifting in weeks 1-4, {warmup}- vs {longer}-week warm-up"),
        value: drifting as f64,
        interval: None,
        target: format!("0 of {}", steady::METRICS.len()),
        met: Some(drifting == 0),
        source: STEADY,
    });
    Ok(())
}

/// The virtual cohort: typical-org's structure with wide ranges of the four
/// risk factors, 52 weeks, baseline only.
pub const COHORT_RANGES: [(&str, f64, f64); 4] = [
    ("demand", 0.7, 1.1),
    ("ambiguity", 0.0, 0.3),
    ("insecurity", 0.0, 0.8),
    ("support", 0.0, 1.0),
];

/// Replicates of the virtual cohort (each a generated organisation of 200
/// leaders): the clusters of the regression.
pub const COHORT_REPLICATES: u64 = 20;

/// The overrides that make typical-org the virtual cohort.
pub fn cohort_overrides() -> Vec<Override> {
    let mut overrides = vec![set("replicates", COHORT_REPLICATES), set("weeks", 52)];
    for (factor, low, high) in COHORT_RANGES {
        overrides.push(set(&format!("generate.{factor}_min"), low));
        overrides.push(set(&format!("generate.{factor}_max"), high));
    }
    overrides
}

/// The cohort's per-relationship onsets, fitted: odds ratios per standard
/// deviation of each factor of [`COHORT_RANGES`] (in that order, intercept
/// first), with intervals clustered by replicate; and the relationships free
/// in week 1 and their onsets.
pub fn cohort_odds_ratios(
    scenario: &Scenario,
) -> Result<(Vec<logit::OddsRatio>, usize, usize), logit::LogitError> {
    let world = World::new(scenario);
    let arm = &scenario.arms[scenario.baseline];
    let organisation = &scenario.organisation;
    let (mut rows, mut outcomes, mut clusters) = (Vec::new(), Vec::new(), Vec::new());
    for replicate in 0..scenario.replicates {
        let mut state = State::new(&world, scenario.seed, replicate, scenario.first_week());
        runner::simulate_arm_with(scenario, &world, arm, &mut state, |_, _| {});
        for (rel, view) in world.relationships.iter().zip(&state.relationships) {
            if !view.free_at_week_1 {
                continue;
            }
            let observer = &organisation.leaders[rel.observer.0 as usize];
            let ambiguity = world.shared_ambiguity(rel);
            rows.extend([
                observer.demand,
                ambiguity,
                observer.insecurity,
                organisation.managers[observer.manager.0 as usize].support,
            ]);
            outcomes.push(view.onset_week > 0);
            clusters.push(replicate);
        }
    }
    // Standardise, so each odds ratio is per standard deviation of its factor.
    let k = COHORT_RANGES.len();
    let n = outcomes.len();
    for column in 0..k {
        let values = || rows.iter().skip(column).step_by(k);
        let mean = values().sum::<f64>() / n.max(1) as f64;
        let sd = (values().map(|v| (v - mean).powi(2)).sum::<f64>() / n.max(2) as f64).sqrt();
        for row in 0..n {
            let value = &mut rows[row * k + column];
            *value = if sd > 0.0 { (*value - mean) / sd } else { 0.0 };
        }
    }
    let fit = logit::fit(&rows, k, &outcomes, Some(&clusters))?;
    let onsets = outcomes.iter().filter(|&&onset| onset).count();
    Ok((fit.odds_ratios(), n, onsets))
}

fn virtual_cohort(plan: &Plan, checks: &mut Vec<Check>) -> Result<(), CalibrateError> {
    let scenario = (plan.load)("typical-org", &cohort_overrides())?;
    let (ratios, free, onsets) = cohort_odds_ratios(&scenario)?;
    for (index, (factor, low, high)) in COHORT_RANGES.iter().enumerate() {
        let ratio = ratios[index + 1];
        let protective = *factor == "support";
        let met = if protective {
            ratio.upper < 1.0
        } else {
            ratio.lower > 1.0
        };
        checks.push(Check {
            what: format!("cohort: onset odds ratio per SD of {factor} ({low} to {high})"),
            value: ratio.ratio,
            interval: Some((ratio.lower, ratio.upper)),
            target: if protective { "< 1" } else { "> 1" }.to_string(),
            met: Some(met),
            source: DE_RAEVE_2008,
        });
    }
    checks.push(Check {
        what: format!("cohort: relationships free in week 1 ({COHORT_REPLICATES} replicates)"),
        value: free as f64,
        interval: None,
        target: format!("{onsets} onsets"),
        met: None,
        source: DE_RAEVE_2008,
    });
    Ok(())
}

/// Demands of the demand response.
pub fn demand_steps() -> impl Iterator<Item = f64> {
    (6..=13).map(|tenths| f64::from(tenths) / 10.0)
}

fn demand_response(plan: &Plan, checks: &mut Vec<Check>) -> Result<(), CalibrateError> {
    let mut incidences = Vec::new();
    for demand in demand_steps() {
        let scenario = (plan.load)(
            "typical-org",
            &[
                set("generate.demand_min", demand),
                set("generate.demand_max", demand),
            ],
        )?;
        let world = World::new(&scenario);
        let results = runner::run(&scenario, &world, &plan.options)?;
        let (value, interval) = summary_check(&results, scenario.baseline, Summary::OnsetIncidence);
        incidences.push(value);
        checks.push(Check {
            what: format!("demand {demand:.1}: onset incidence among the free"),
            value,
            interval,
            target: String::new(),
            met: None,
            source: NO_KNIFE_EDGE,
        });
    }
    // A step from or to zero onsets is measured against one onset's worth
    // of incidence in the smaller run, so that it stays finite.
    let floor = 1e-3;
    let largest = incidences
        .windows(2)
        .map(|pair| {
            let (a, b) = (pair[0].max(floor), pair[1].max(floor));
            a.max(b) / a.min(b)
        })
        .fold(1.0, f64::max);
    checks.push(Check {
        what: "demand 0.6-1.3: largest ratio of incidence between neighbours".to_string(),
        value: largest,
        interval: None,
        target: "<= 10".to_string(),
        met: Some(largest <= 10.0),
        source: NO_KNIFE_EDGE,
    });
    Ok(())
}

/// Mean of a weekly metric over weeks `from..=to` (numbered from 1).
fn weekly_mean(results: &Results, arm: usize, metric: Weekly, from: usize, to: usize) -> f64 {
    let to = to.min(results.weeks);
    let weeks = from..=to;
    let count = weeks.clone().count().max(1) as f64;
    weeks
        .map(|week| {
            results
                .weekly(arm, week - 1, metric)
                .mean()
                .unwrap_or(f64::NAN)
        })
        .sum::<f64>()
        / count
}

fn arm_index(scenario: &Scenario, name: &str) -> Option<usize> {
    scenario.arms.iter().position(|arm| arm.name == name)
}

fn story(plan: &Plan, checks: &mut Vec<Check>) -> Result<(), CalibrateError> {
    let replicates = set("replicates", plan.story_replicates);
    let scenario = (plan.load)("two-managers", std::slice::from_ref(&replicates))?;
    let world = World::new(&scenario);
    let results = runner::run(&scenario, &world, &plan.options)?;
    let baseline = scenario.baseline;
    let start = scenario.intervention_start_week().unwrap_or(1) as usize;
    let last = scenario.weeks as usize;
    let conflict = |arm: usize, from: usize, to: usize| {
        weekly_mean(&results, arm, Weekly::ConflictHoursPerLeader, from, to)
    };
    let cut = |arm: usize, from: usize, to: usize| {
        1.0 - conflict(arm, from, to) / conflict(baseline, from, to)
    };
    if let Some(connection) = arm_index(&scenario, "connection-first") {
        let first = cut(connection, start, start + 1);
        let later = cut(connection, 14, last);
        checks.push(Check {
            what: format!(
                "two-managers: connection-first cut, weeks {start}-{}",
                start + 1
            ),
            value: first,
            interval: None,
            target: ">= 0.50".to_string(),
            met: Some(first >= 0.5),
            source: SEED,
        });
        checks.push(Check {
            what: format!("two-managers: connection-first cut, weeks 14-{last}"),
            value: later,
            interval: None,
            target: ">= 0.40".to_string(),
            met: Some(later >= 0.4),
            source: SEED,
        });
        if let Some(status) = arm_index(&scenario, "status-meeting") {
            let status_cut = cut(status, start, last);
            let connection_cut = cut(connection, start, last);
            let meetings = weekly_mean(&results, status, Weekly::MeetingHours, start, last);
            checks.push(Check {
                what: format!(
                    "two-managers: status-meeting cut from week {start} ({meetings:.1} meeting h/wk)"
                ),
                value: status_cut,
                interval: None,
                target: format!("< half of connection-first's {connection_cut:.2}"),
                met: Some(status_cut < connection_cut / 2.0 && meetings > 0.0),
                source: SEED,
            });
        }
    }
    if let Some(escalation) = arm_index(&scenario, "escalation") {
        let delivery = |arm: usize, from: usize, to: usize| {
            weekly_mean(&results, arm, Weekly::DeliveryRatio, from, to)
        };
        let lift =
            delivery(escalation, start + 1, start + 3) - delivery(baseline, start + 1, start + 3);
        checks.push(Check {
            what: format!(
                "two-managers: escalation's lift in on-time delivery, weeks {}-{}",
                start + 1,
                start + 3
            ),
            value: lift,
            interval: None,
            target: "> 0".to_string(),
            met: Some(lift > 0.0),
            source: SEED,
        });
        let early = cut(escalation, start + 1, start + 3);
        let later = cut(escalation, 14, last);
        checks.push(Check {
            what: format!(
                "two-managers: escalation's cut, weeks 14-{last} (weeks {}-{}: {early:.2})",
                start + 1,
                start + 3
            ),
            value: later,
            interval: None,
            target: "conflict returns: below the early cut".to_string(),
            met: Some(later < early),
            source: SEED,
        });
    }
    let high = (plan.load)("high-demand", &[replicates])?;
    let world = World::new(&high);
    let results = runner::run(&high, &world, &plan.options)?;
    let best = (0..high.arms.len())
        .map(|arm| {
            results
                .summary(arm, Summary::DeliveryRatio)
                .mean()
                .unwrap_or(f64::NAN)
        })
        .fold(f64::NEG_INFINITY, f64::max);
    checks.push(Check {
        what: "high-demand: best arm's on-time delivery".to_string(),
        value: best,
        interval: None,
        target: "< 0.25 (no arm on time)".to_string(),
        met: Some(best < 0.25),
        source: SEED,
    });
    Ok(())
}

/// The checks as CSV: `check,value,ci_low,ci_high,target,met,source`, numbers
/// as the other CSV files write them (six decimals, empty when undefined).
pub fn to_csv(checks: &[Check]) -> Vec<u8> {
    let mut text = String::from("check,value,ci_low,ci_high,target,met,source\n");
    for check in checks {
        let met = match check.met {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let fields = [
            csv_field(&check.what).into_owned(),
            number(Some(check.value)),
            number(check.interval.map(|(low, _)| low)),
            number(check.interval.map(|(_, high)| high)),
            csv_field(&check.target).into_owned(),
            met.to_string(),
            csv_field(check.source).into_owned(),
        ];
        text.push_str(&fields.join(","));
        text.push('\n');
    }
    text.into_bytes()
}
