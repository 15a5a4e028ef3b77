//! The one run of the simulation the story follows: which replicate, its
//! first weeks under the baseline seen from inside, and every arm of it.

use crate::metrics::{Summary, Weekly};
use crate::model::{State, World};
use crate::runner::{ArmOutcome, simulate_arm_with};
use crate::scenario::Scenario;

use super::observe::{Pair, PairWeek};

/// Weeks of the standoff (fewer if the scenario is shorter).
pub const STANDOFF_WEEKS: u32 = 4;

/// Weeks from the responses' start in which the story listens to the
/// managers under each response.
pub const RESPONSE_WEEKS: i32 = 4;

/// Replicates searched for a standoff.
pub const SEARCHED: u64 = 100;

/// How the replicate was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Asked for by number (`--replicate`).
    Asked,
    /// A typical standoff: of the first `searched` replicates, `standoffs`
    /// have both leaders in a conflict episode with each other by the end of
    /// the standoff, and this is the median of those by the baseline's
    /// conflict hours from the interventions' start.
    TypicalStandoff { standoffs: u64, searched: u64 },
    /// None of the first `searched` replicates has both leaders in an
    /// episode by then: the first replicate.
    NoStandoff { searched: u64 },
}

/// The replicate the story follows.
#[derive(Debug, Clone)]
pub struct Featured {
    pub replicate: u64,
    pub choice: Choice,
    pub pair: Pair,
    /// The standoff's weeks under the baseline, from week 1.
    pub weeks: Vec<PairWeek>,
    /// Per arm, the week before the responses start (when it is simulated)
    /// and the [`RESPONSE_WEEKS`] from their start.
    pub responses: Vec<Vec<PairWeek>>,
    /// Every arm of this replicate, in the scenario's order.
    pub outcomes: Vec<ArmOutcome>,
}

/// Why a scenario cannot be shown in a workshop.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsuitable {
    #[error("no two leaders share a project, so there is no pair to follow")]
    NoPair,
    #[error(
        "it has only one arm (`{0}`); a workshop compares the baseline with other responses, so add [arms.NAME] tables"
    )]
    OneArm(String),
}

/// The last week of the standoff.
pub fn standoff_weeks(scenario: &Scenario) -> u32 {
    STANDOFF_WEEKS.min(scenario.weeks)
}

impl Featured {
    /// Checks that the scenario has a pair and arms to compare.
    pub fn pair_of(scenario: &Scenario, world: &World) -> Result<Pair, Unsuitable> {
        let pair = Pair::first(world).ok_or(Unsuitable::NoPair)?;
        if scenario.arms.len() < 2 {
            return Err(Unsuitable::OneArm(scenario.arms[0].name.clone()));
        }
        Ok(pair)
    }

    /// Chooses the replicate (`asked`, or a typical standoff among the
    /// first [`SEARCHED`]) and simulates every arm of it.
    pub fn simulate(
        scenario: &Scenario,
        world: &World,
        pair: Pair,
        asked: Option<u64>,
    ) -> Featured {
        let (replicate, choice) = match asked {
            Some(replicate) => (replicate, Choice::Asked),
            None => search(scenario, world, pair),
        };
        let last = standoff_weeks(scenario) as i32;
        let start = super::futures::start_week(scenario) as i32;
        let listened = (start - 1)..=(start + RESPONSE_WEEKS - 1).min(scenario.weeks as i32);
        let mut weeks = Vec::new();
        let mut responses = Vec::with_capacity(scenario.arms.len());
        let mut outcomes = Vec::with_capacity(scenario.arms.len());
        for (index, arm) in scenario.arms.iter().enumerate() {
            let mut heard = Vec::new();
            let mut state = State::new(world, scenario.seed, replicate, scenario.first_week());
            let outcome = simulate_arm_with(scenario, world, arm, &mut state, |week, state| {
                if index == scenario.baseline && (1..=last).contains(&week) {
                    weeks.push(PairWeek::read(world, state, &pair, week));
                }
                if listened.contains(&week) {
                    heard.push(PairWeek::read(world, state, &pair, week));
                }
            });
            outcomes.push(outcome);
            responses.push(heard);
        }
        Featured {
            replicate,
            choice,
            pair,
            weeks,
            responses,
            outcomes,
        }
    }

    /// Whether both leaders are in an episode with each other by the end of
    /// the standoff in this replicate.
    pub fn standoff(&self) -> bool {
        self.weeks
            .last()
            .is_some_and(|week| week.views.iter().all(|view| view.in_episode))
    }

    /// A weekly metric of one arm of this replicate, week 1 first.
    pub fn weekly(&self, arm: usize, metric: Weekly) -> Vec<f64> {
        self.outcomes[arm]
            .weekly
            .chunks(Weekly::COUNT)
            .map(|row| row[metric as usize])
            .collect()
    }

    /// A run metric of one arm of this replicate.
    pub fn summary(&self, arm: usize, metric: Summary) -> f64 {
        self.outcomes[arm].summary[metric as usize]
    }
}

/// A typical standoff among the first [`SEARCHED`] replicates (or the
/// scenario's replicates, if fewer): of those in which both leaders are in an
/// episode with each other at the end of the standoff under the baseline,
/// the one with the median conflict hours from the interventions' start
/// (the lower median; the earlier replicate on a tie).
fn search(scenario: &Scenario, world: &World, pair: Pair) -> (u64, Choice) {
    let searched = SEARCHED.min(scenario.replicates).max(1);
    let last = standoff_weeks(scenario) as i32;
    let arm = &scenario.arms[scenario.baseline];
    let mut standoffs: Vec<(f64, u64)> = Vec::new();
    for replicate in 0..searched {
        let mut state = State::new(world, scenario.seed, replicate, scenario.first_week());
        let mut standoff = false;
        let outcome = simulate_arm_with(scenario, world, arm, &mut state, |week, state| {
            if week == last {
                standoff = pair.both_in_episode(state);
            }
        });
        if standoff {
            let conflict = outcome.summary[Summary::ConflictHoursPerLeaderAfterStart as usize];
            standoffs.push((conflict, replicate));
        }
    }
    standoffs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    match standoffs.get(standoffs.len().saturating_sub(1) / 2) {
        Some(&(_, replicate)) => (
            replicate,
            Choice::TypicalStandoff {
                standoffs: standoffs.len() as u64,
                searched,
            },
        ),
        None => (0, Choice::NoStandoff { searched }),
    }
}
