//! Each mechanism on a tiny hand-made scenario.

use empathy_gap::model::{State, World};
use empathy_gap::runner::simulate_arm_with;
use empathy_gap::scenario::Scenario;

use crate::common::{pair_scenario, scenario};

/// Sums over all weeks and relationships of (missed hours, unexplained hours),
/// and the mean final frustration, over `replicates` replicates of arm `arm`.
fn run_pair(scenario: &Scenario, arm: usize, replicates: u64) -> (f64, f64, Vec<f64>) {
    let world = World::new(scenario);
    let (mut missed, mut unexplained) = (0.0, 0.0);
    let mut frustration = vec![0.0; world.relationships.len()];
    for replicate in 0..replicates {
        let mut state = State::new(&world, scenario.seed, replicate, scenario.first_week());
        simulate_arm_with(
            scenario,
            &world,
            &scenario.arms[arm],
            &mut state,
            |_, state| {
                for view in &state.relationships {
                    missed += view.missed + view.unowned;
                    unexplained += view.unexplained;
                }
            },
        );
        for (total, view) in frustration.iter_mut().zip(&state.relationships) {
            *total += view.frustration / replicates as f64;
        }
    }
    (missed, unexplained, frustration)
}

#[test]
fn full_disclosure_and_full_trust_explain_every_miss() {
    let text = pair_scenario(
        "[defaults]\ndemand = 1.1\ndisclosure = 1.0\ninsecurity = 0.0\nambiguity = 0.0\n[trust]\ninitial = 1.0\n",
    );
    let (missed, unexplained, _) = run_pair(&scenario(&text), 0, 10);
    assert!(
        missed > 100.0,
        "the scenario must produce misses to explain (missed {missed:.1} h)"
    );
    assert!(
        unexplained < 0.01 * missed,
        "unexplained {unexplained:.2} h of {missed:.1} h missed"
    );
}

#[test]
fn without_disclosure_frustration_grows_with_misses() {
    let frustration_at = |demand: f64| {
        let text = pair_scenario(&format!(
            "[defaults]\ndemand = {demand}\ndisclosure = 0.0\nambiguity = 0.0\n[trust]\ninitial = 0.1\n[disclosure]\nk_trust = 0.0\n"
        ));
        let (missed, unexplained, frustration) = run_pair(&scenario(&text), 0, 10);
        (missed, unexplained, frustration.iter().sum::<f64>() / 2.0)
    };
    let (missed_low, _, low) = frustration_at(0.7);
    let (missed_high, unexplained_high, high) = frustration_at(1.05);
    assert!(
        missed_high > 2.0 * missed_low,
        "higher demand must miss more"
    );
    // Nothing disclosed: only work the peer can see explains a miss.
    assert!(
        unexplained_high <= missed_high + 1e-9 && unexplained_high > 0.3 * missed_high,
        "unexplained {unexplained_high:.1} of {missed_high:.1} h missed"
    );
    assert!(
        high > 2.0 * low && high > 0.2,
        "frustration {low:.2} at low demand vs {high:.2} at high demand"
    );
}

#[test]
fn role_ambiguity_frustrates_both_sides_even_with_full_disclosure() {
    let text = pair_scenario(
        "[defaults]\ndemand = 0.6\ndisclosure = 1.0\ninsecurity = 0.0\nambiguity = 1.0\n[trust]\ninitial = 1.0\n",
    );
    let (_, unexplained, frustration) = run_pair(&scenario(&text), 0, 5);
    assert!(unexplained > 0.0);
    assert!(
        frustration.iter().all(|&f| f > 0.5),
        "both sides frustrated: {frustration:?}"
    );

    let clear = pair_scenario(
        "[defaults]\ndemand = 0.6\ndisclosure = 1.0\ninsecurity = 0.0\nambiguity = 0.0\n[trust]\ninitial = 1.0\n",
    );
    let (_, _, calm) = run_pair(&scenario(&clear), 0, 5);
    assert!(
        calm.iter().all(|&f| f < 0.05),
        "without ambiguity nobody is frustrated: {calm:?}"
    );
}

#[test]
fn escalation_raises_delivery_next_weeks_and_costs_the_targets_trust() {
    let text = pair_scenario(
        "[defaults]\ndemand = 1.15\ndisclosure = 0.05\ninsecurity = 0.4\n[trust]\ninitial = 0.2\n\
         [conflict]\nepisode_onset = 5.0\nepisode_offset = 2.5\n\
         [arms.power-through]\nbaseline = true\n\
         [arms.escalation]\nstart_week = 1\ninterventions = [{ kind = \"escalation\", threshold = 3.0 }]\n",
    );
    let scenario = scenario(&text);
    let world = World::new(&scenario);
    let (mut lift, mut trust_drop, mut events) = (0.0, 0.0, 0);
    for replicate in 0..60 {
        // Per week: (escalations, on-time / planned, each relationship's trust).
        let mut traces = Vec::new();
        for arm in &scenario.arms {
            let mut state = State::new(&world, scenario.seed, replicate, scenario.first_week());
            let mut trace = Vec::new();
            simulate_arm_with(&scenario, &world, arm, &mut state, |week, state| {
                let trust: Vec<f64> = state.relationships.iter().map(|r| r.trust).collect();
                trace.push((
                    week,
                    state.escalations,
                    state.on_time / state.planned.max(1e-9),
                    trust,
                ));
            });
            traces.push(trace);
        }
        let (baseline, escalation) = (&traces[0], &traces[1]);
        let Some(at) = escalation
            .iter()
            .position(|(week, n, _, _)| *week >= 1 && *n > 0)
        else {
            continue;
        };
        if at + 2 >= escalation.len() {
            continue;
        }
        events += 1;
        // Delivery in the two weeks of compliance, against the same weeks of the same workload.
        lift += (escalation[at + 1].2 + escalation[at + 2].2)
            - (baseline[at + 1].2 + baseline[at + 2].2);
        // Someone's trust in the escalating peer fell below the baseline's.
        let fall = escalation[at]
            .3
            .iter()
            .zip(&baseline[at].3)
            .map(|(e, b)| b - e)
            .fold(f64::MIN, f64::max);
        trust_drop += fall;
    }
    assert!(events >= 20, "too few escalations to judge ({events})");
    assert!(
        lift / events as f64 > 0.05,
        "mean delivery lift {:.3}",
        lift / events as f64
    );
    assert!(
        trust_drop / events as f64 > 0.02,
        "mean trust drop {:.3}",
        trust_drop / events as f64
    );
}

/// The virtual cohort of `empathy-gap calibrate`, as in De Raeve et al.
/// (2008): episode onsets rise with job demands, role ambiguity and job
/// insecurity, and fall with manager support, each 95% interval (clustered
/// by replicate) excluding 1.
#[test]
fn risk_factors_raise_conflict_onsets_and_support_protects() {
    use empathy_gap::calibrate::{COHORT_RANGES, cohort_odds_ratios, cohort_overrides};

    let text =
        std::fs::read_to_string(crate::common::repo_file("scenarios/typical-org.toml")).unwrap();
    let cohort =
        empathy_gap::scenario::load_text("typical-org.toml", &text, &cohort_overrides()).unwrap();
    let (ratios, free, onsets) = cohort_odds_ratios(&cohort).unwrap();
    assert!(onsets >= 50, "{onsets} onsets among {free} relationships");
    for (index, (factor, _, _)) in COHORT_RANGES.iter().enumerate() {
        let ratio = ratios[index + 1];
        if *factor == "support" {
            assert!(ratio.upper < 1.0, "{factor}: {ratio:?}");
        } else {
            assert!(ratio.lower > 1.0, "{factor}: {ratio:?}");
        }
    }
}
