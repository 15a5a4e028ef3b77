//! The per-entity files of `--detail`, written row by row as replicates
//! finish (in replicate order, so the bytes do not depend on thread count):
//!
//! - `replicates.csv`: one row per replicate and arm, with that replicate's
//!   summary metrics (the names of `summary.csv`) and each one's paired
//!   difference from the baseline in the same replicate (`diff_<metric>`);
//! - `leaders.csv`: one row per replicate, arm and leader;
//! - `relationships.csv`: one row per replicate, arm and ordered pair
//!   (observer, actor).
//!
//! A sweep's files (`sweep --detail`) start each row with the point and its
//! parameters' values, as `sweep.csv` does: the `prefix` of the functions
//! below, empty for a run.
//!
//! Flags are written 0 or 1; a value that does not exist (the onset of a
//! leader who was already in an episode in week 1, an onset week when there
//! was no onset) is an empty field, which pandas and R read as missing.

use crate::detail::EntityRows;
use crate::metrics::Summary;
use crate::model::World;
use crate::runner::ArmOutcome;
use crate::scenario::Scenario;

use super::{csv_field, number};

pub const REPLICATES_CSV: &str = "replicates.csv";
pub const LEADERS_CSV: &str = "leaders.csv";
pub const RELATIONSHIPS_CSV: &str = "relationships.csv";

/// The three files, in the order they are listed.
pub const FILES: [&str; 3] = [REPLICATES_CSV, LEADERS_CSV, RELATIONSHIPS_CSV];

/// `replicates.csv`'s header line, after `prefix` (column names, each
/// followed by a comma).
pub fn replicates_header(prefix: &str) -> String {
    let mut header = format!("{prefix}replicate,arm");
    for metric in Summary::ALL {
        header.push(',');
        header.push_str(metric.name());
    }
    for metric in Summary::ALL {
        header.push_str(",diff_");
        header.push_str(metric.name());
    }
    header.push('\n');
    header
}

/// `replicates.csv`'s rows for one replicate: one per arm, each after
/// `prefix` (fields, each followed by a comma).
pub fn replicates_rows(
    prefix: &str,
    scenario: &Scenario,
    replicate: u64,
    outcomes: &[ArmOutcome],
) -> String {
    let base = &outcomes[scenario.baseline].summary;
    let mut rows = String::new();
    for (arm, outcome) in scenario.arms.iter().zip(outcomes) {
        rows.push_str(&format!("{prefix}{replicate},{}", csv_field(&arm.name)));
        for &value in &outcome.summary {
            rows.push(',');
            rows.push_str(&number(Some(value)));
        }
        for (&value, &base) in outcome.summary.iter().zip(base) {
            rows.push(',');
            rows.push_str(&number(Some(value - base)));
        }
        rows.push('\n');
    }
    rows
}

/// `leaders.csv`'s header line, after `prefix`.
pub fn leaders_header(prefix: &str) -> String {
    format!("{prefix}{LEADERS_COLUMNS}")
}

/// `relationships.csv`'s header line, after `prefix`.
pub fn relationships_header(prefix: &str) -> String {
    format!("{prefix}{RELATIONSHIPS_COLUMNS}")
}

const LEADERS_COLUMNS: &str = "replicate,arm,leader,manager,team_size,demand,insecurity,disclosure,support,peers,conflict_hours,conflict_hours_given,conflict_hours_received,spillover_hours,lost_hours,dropped_hours,episode_weeks,free_at_week_1,onset,onset_week,trust_given,trust_received,escalations_made,escalations_received\n";

const RELATIONSHIPS_COLUMNS: &str = "replicate,arm,observer,actor,projects,ambiguity,trust_initial,trust_start,trust_final,frustration_final,free_at_week_1,onset,onset_week,episode_weeks,escalations,known_private_hours,coordinated,coordinated_weeks\n";

/// Whether an onset happened, for those at risk (free in week 1); empty for
/// the others.
fn onset(free: bool, week: i32) -> (&'static str, String) {
    match (free, week > 0) {
        (false, _) => ("", String::new()),
        (true, false) => ("0", String::new()),
        (true, true) => ("1", week.to_string()),
    }
}

fn flag(value: bool) -> &'static str {
    if value { "1" } else { "0" }
}

/// `leaders.csv`'s and `relationships.csv`'s rows for one arm of one
/// replicate, each after `prefix`.
pub fn entity_rows(
    prefix: &str,
    scenario: &Scenario,
    world: &World,
    replicate: u64,
    arm: usize,
    rows: &EntityRows,
) -> (String, String) {
    let organisation = &scenario.organisation;
    let arm_name = csv_field(&scenario.arms[arm].name);
    let mut leaders = String::new();
    for ((leader, info), row) in organisation
        .leaders
        .iter()
        .zip(&world.leaders)
        .zip(&rows.leaders)
    {
        let manager = &organisation.managers[leader.manager.0 as usize];
        let (onset, onset_week) = onset(row.free_at_week_1, row.onset_week);
        let numbers = [
            leader.demand,
            leader.insecurity,
            leader.disclosure,
            manager.support,
        ]
        .map(|value| number(Some(value)))
        .join(",");
        let hours = [
            row.conflict_hours,
            row.conflict_hours_given,
            row.conflict_hours_received,
            row.spillover_hours,
            row.lost_hours,
            row.dropped_hours,
        ]
        .map(|value| number(Some(value)))
        .join(",");
        leaders.push_str(&format!(
            "{prefix}{replicate},{arm_name},{},{},{},{numbers},{},{hours},{},{},{onset},{onset_week},{},{},{},{}\n",
            csv_field(&leader.name),
            csv_field(&manager.name),
            leader.team_size,
            info.observed_by.len(),
            row.episode_weeks,
            flag(row.free_at_week_1),
            number(Some(row.trust_given)),
            number(Some(row.trust_received)),
            row.escalations_made,
            row.escalations_received,
        ));
    }
    let mut relationships = String::new();
    for (index, (rel, row)) in world
        .relationships
        .iter()
        .zip(&rows.relationships)
        .enumerate()
    {
        let observer = &organisation.leaders[rel.observer.0 as usize];
        let actor = &organisation.leaders[rel.actor.0 as usize];
        let ambiguity = world.shared_ambiguity(rel);
        let (onset, onset_week) = onset(row.free_at_week_1, row.onset_week);
        relationships.push_str(&format!(
            "{prefix}{replicate},{arm_name},{},{},{},{},{},{},{},{},{},{onset},{onset_week},{},{},{},{},{}\n",
            csv_field(&observer.name),
            csv_field(&actor.name),
            world.shared_projects(rel).len(),
            number(Some(ambiguity)),
            number(Some(world.initial_trust[index])),
            number(Some(row.trust_start)),
            number(Some(row.trust_final)),
            number(Some(row.frustration_final)),
            flag(row.free_at_week_1),
            row.episode_weeks,
            row.escalations,
            number(Some(row.known_private_hours)),
            flag(row.coordinated_weeks > 0),
            row.coordinated_weeks,
        ));
    }
    (leaders, relationships)
}

/// Bytes of the three files for `replicates` replicates, estimated from the
/// organisation's size (measured on the bundled scenarios: about 180 bytes
/// per leader row, 105 per relationship row, and 20 per summary value of a
/// replicate row), for the refusal of a detail too large to write.
pub fn estimated_bytes(scenario: &Scenario, world: &World, replicates: u64) -> f64 {
    let arms = scenario.arms.len() as f64;
    let per_arm = 180.0 * world.leaders.len() as f64
        + 105.0 * world.relationships.len() as f64
        + 20.0 * (2 * Summary::COUNT + 1) as f64;
    replicates as f64 * arms * per_arm
}
