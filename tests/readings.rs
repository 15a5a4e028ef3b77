//! The readings of DESIGN.md version 2 (sections 3 to 5), one test each.
//! Each fails under the version-1 behaviour it replaces.

use empathy_gap::interventions::connection::ramp;
use empathy_gap::metrics::Summary;
use empathy_gap::model::{SlotBits, State, World};
use empathy_gap::runner::simulate_arm_with;
use empathy_gap::scenario::{ConnectionParams, Scenario};

use crate::common::{pair_scenario, run_all, scenario};

/// A pair under connection-first from week 3, with demand high enough that
/// commitments are cut when the pair coordinates.
fn coordinating_pair(extra: &str) -> Scenario {
    scenario(&pair_scenario(&format!(
        "[defaults]\ndemand = 1.2\nambiguity = 0.0\n[trust]\ninitial = 0.5\n{extra}\n\
         [arms.connection-first]\nbaseline = true\nstart_week = 3\n\
         interventions = [{{ kind = \"connection-first\", coordinate_trust = 0.65, stop_trust = 0.4 }}]\n"
    )))
}

/// Calls `visit(week, state)` after every week of `replicates` replicates of the first arm.
fn each_week(scenario: &Scenario, replicates: u64, mut visit: impl FnMut(i32, &State)) {
    let world = World::new(scenario);
    for replicate in 0..replicates {
        let mut state = State::new(&world, scenario.seed, replicate, scenario.first_week());
        simulate_arm_with(scenario, &world, &scenario.arms[0], &mut state, &mut visit);
    }
}

#[test]
fn coordination_can_start_in_the_week_of_the_one_to_one() {
    // Trust 0.5 closes 60% of its gap in the 1:1 (to 0.8), past the start
    // threshold: the commitments of that same week are already renegotiated.
    let scenario = coordinating_pair("");
    let (mut coordinating, mut cut) = (0, 0);
    each_week(&scenario, 20, |week, state| {
        if week == 3 {
            coordinating += state.coordinating.iter().filter(|&&c| c).count();
            cut += state
                .memberships
                .iter()
                .filter(|member| member.agreed < member.planned - 1e-9)
                .count();
        }
    });
    assert_eq!(coordinating, 20, "every pair coordinates in week 3");
    assert!(cut > 0, "no commitment was cut in the week of the 1:1");
}

#[test]
fn deferred_hours_go_to_the_backlog_and_are_not_committed_again() {
    let scenario = coordinating_pair("");
    let world = World::new(&scenario);
    let (mut deferred_weeks, mut checked) = (0, 0);
    each_week(&scenario, 20, |week, state| {
        for (membership, member) in world.memberships.iter().zip(&state.memberships) {
            if member.planned <= 0.0 {
                continue;
            }
            checked += 1;
            // Never more than this week's plan, whatever was deferred before.
            assert!(
                member.agreed <= member.planned + 1e-9,
                "week {week}: agreed {} > planned {}",
                member.agreed,
                member.planned
            );
            assert!((member.pushed + member.deferred - member.planned).abs() < 1e-9);
            if member.deferred > 0.0 {
                deferred_weeks += 1;
                // The backlog: a shared item of the project due at its end
                // (it may have been worked off within the week).
                let leader = &state.leaders[membership.leader.0 as usize];
                let (_, end_week) = world.project_weeks[membership.project as usize];
                let backlogs = leader
                    .slots
                    .iter(SlotBits::LIVE)
                    .map(|slot| &leader.items[slot])
                    .filter(|item| {
                        item.project() == membership.project && item.due_week == end_week
                    })
                    .count();
                assert!(
                    backlogs >= 1,
                    "week {week}: deferred {} hours, but no backlog item",
                    member.deferred
                );
            }
        }
    });
    assert!(checked > 0 && deferred_weeks > 0, "nothing was deferred");
}

#[test]
fn the_ramp_cuts_nothing_at_stop_trust_and_everything_at_coordinate_trust() {
    let params = ConnectionParams {
        coordinate_trust: 0.65,
        stop_trust: 0.4,
        ..ConnectionParams::default()
    };
    assert_eq!(ramp(&params, 0.4), 0.0);
    assert_eq!(ramp(&params, 0.3), 0.0);
    assert!((ramp(&params, 0.525) - 0.5).abs() < 1e-12);
    assert_eq!(ramp(&params, 0.65), 1.0);
    assert_eq!(ramp(&params, 0.9), 1.0);
}

#[test]
fn visible_work_explains_a_miss_without_any_disclosure() {
    // Nothing is ever told, so under version 1 (only told items explain)
    // every missed hour was unexplained. Overdue shared remainders and the
    // backlog are work the peer sees: hours spent on them explain a miss.
    let text = pair_scenario(
        "[defaults]\ndemand = 1.1\ndisclosure = 0.0\ninsecurity = 0.0\nambiguity = 0.0\n\
         [disclosure]\nk_trust = 0.0\n",
    );
    let scenario = scenario(&text);
    let (mut missed, mut unexplained) = (0.0, 0.0);
    each_week(&scenario, 10, |_, state| {
        for view in &state.relationships {
            missed += view.missed;
            unexplained += view.unexplained;
        }
    });
    assert!(missed > 50.0, "the pair must miss (missed {missed:.1} h)");
    assert!(
        unexplained < 0.95 * missed,
        "visible work explained nothing: {unexplained:.1} of {missed:.1} h unexplained"
    );
}

#[test]
fn triage_drops_only_long_overdue_low_priority_private_work() {
    let text = pair_scenario(
        "[defaults]\ndemand = 1.4\n[triage]\noverdue_weeks = 3\nbelow_priority = 5.5\ndrop_probability = 0.5\n",
    );
    let annual = |set: &str| {
        let results = run_all(&scenario_with(&text, set));
        results
            .summary(0, Summary::AnnualDroppedHoursPerLeader)
            .mean()
            .unwrap_or(f64::NAN)
    };
    assert!(
        annual("triage.overdue_weeks=3") > 0.0,
        "an overloaded pair must triage"
    );
    assert_eq!(annual("triage.drop_probability=0"), 0.0);
    // No private item's base priority is below -100, and none is 520 weeks late.
    assert_eq!(annual("triage.below_priority=-100"), 0.0);
    assert_eq!(annual("triage.overdue_weeks=520"), 0.0);
}

fn scenario_with(text: &str, set: &str) -> Scenario {
    let overrides = [empathy_gap::scenario::Override::parse(set).expect("override")];
    empathy_gap::scenario::load_text("test.toml", text, &overrides).expect("valid scenario")
}

#[test]
fn touched_counts_hours_charged_to_each_employee() {
    let text = pair_scenario("[defaults]\ndemand = 1.1\n");
    let touched = |hours: &str| {
        let results = run_all(&scenario_with(
            &text,
            &format!("conflict.touched_hours={hours}"),
        ));
        results
            .summary(0, Summary::EmployeesTouchedShare)
            .mean()
            .unwrap_or(f64::NAN)
    };
    assert_eq!(touched("0"), 1.0, "everyone reaches zero hours");
    assert_eq!(touched("10000"), 0.0, "nobody reaches 10,000 hours");
    let default = touched("8");
    assert!(default > 0.0 && default <= 1.0);
}
