//! Each mechanism on a tiny hand-made scenario.

use empathy_gap::model::{State, World};
use empathy_gap::runner::simulate_arm_with;
use empathy_gap::scenario::Scenario;

use crate::common::{pair_scenario, run_all, scenario};

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
    assert!(
        (unexplained_high - missed_high).abs() < 1e-6 * missed_high,
        "nothing disclosed, nothing explained"
    );
    assert!(
        high > 2.0 * low && high > 1.0,
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
        "[defaults]\ndemand = 1.0\ndisclosure = 0.05\ninsecurity = 0.4\n[trust]\ninitial = 0.2\n\
         [arms.power-through]\nbaseline = true\n\
         [arms.escalation]\nstart_week = 1\ninterventions = [{ kind = \"escalation\", threshold = 3.0 }]\n",
    );
    let scenario = scenario(&text);
    let world = World::new(&scenario);
    let (mut lift, mut trust_drop, mut events) = (0.0, 0.0, 0);
    for replicate in 0..40 {
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

/// A virtual cohort, as in De Raeve et al. (2008): episode onsets rise with job
/// demands, role ambiguity and job insecurity, and fall with manager support.
#[test]
fn risk_factors_raise_conflict_onsets_and_support_protects() {
    use empathy_gap::metrics::Summary;

    let onsets = |setting: &str| {
        let text = pair_scenario(
            "[defaults]\ndemand = 0.9\nambiguity = 0.08\ninsecurity = 0.3\nsupport = 0.2\n",
        )
        .replace("weeks = 20", "weeks = 52")
        // A long warm-up, so the first episodes of a new relationship are not counted.
        .replace("warmup_weeks = 4", "warmup_weeks = 12")
        .replace("replicates = 1", "replicates = 300");
        let overrides = [empathy_gap::scenario::Override::parse(setting).unwrap()];
        let scenario = empathy_gap::scenario::load_text("cohort.toml", &text, &overrides).unwrap();
        run_all(&scenario)
            .summary(0, Summary::OnsetsPerPairYear)
            .mean()
            .unwrap()
    };
    for (low, high, rises) in [
        ("defaults.demand=0.8", "defaults.demand=1.0", true),
        ("defaults.ambiguity=0.0", "defaults.ambiguity=0.3", true),
        ("defaults.insecurity=0.0", "defaults.insecurity=0.7", true),
        ("defaults.support=0.0", "defaults.support=1.0", false),
    ] {
        let (at_low, at_high) = (onsets(low), onsets(high));
        let (more, less) = if rises {
            (at_high, at_low)
        } else {
            (at_low, at_high)
        };
        assert!(
            more > 1.5 * less + 0.02,
            "{low}: {at_low:.3} onsets per pair-year, {high}: {at_high:.3}"
        );
    }
}
