//! Invariants over generated scenarios (proptest).

use empathy_gap::model::{State, UNKNOWN, World};
use empathy_gap::runner::simulate_arm_with;
use proptest::prelude::*;

use crate::common::{pair_scenario, scenario};

fn scenario_text(
    demand: f64,
    disclosure: f64,
    insecurity: f64,
    trust: f64,
    ambiguity: f64,
    seed: u64,
) -> String {
    pair_scenario(&format!(
        "[defaults]\ndemand = {demand}\ndisclosure = {disclosure}\ninsecurity = {insecurity}\nambiguity = {ambiguity}\n\
         [trust]\ninitial = {trust}\n\
         [arms.power-through]\nbaseline = true\n\
         [arms.all]\nstart_week = 2\ninterventions = [{{ kind = \"escalation\", threshold = 2.0 }}, {{ kind = \"status-meeting\", every_weeks = 2 }}, {{ kind = \"connection-first\", every_weeks = 5 }}]\n"
    ))
    .replace("seed = 11", &format!("seed = {seed}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn hours_trust_frustration_and_knowledge_stay_valid(
        demand in 0.3f64..1.6,
        disclosure in 0.0f64..1.0,
        insecurity in 0.0f64..1.0,
        trust in 0.0f64..1.0,
        ambiguity in 0.0f64..1.0,
        seed in 0u64..1000,
    ) {
        let scenario = scenario(&scenario_text(demand, disclosure, insecurity, trust, ambiguity, seed));
        let world = World::new(&scenario);
        for arm in &scenario.arms {
            let mut state = State::new(&world, scenario.seed, 0, scenario.first_week());
            let mut failures = Vec::new();
            let outcome = simulate_arm_with(&scenario, &world, arm, &mut state, |week, state| {
                for (index, leader) in state.leaders.iter().enumerate() {
                    // Capacity is spent on work or left idle, never more, never less.
                    let worked: f64 = leader.items.iter().filter(|i| i.live).map(|i| i.worked).sum();
                    if (worked + leader.idle - leader.capacity).abs() > 1e-6 || (worked - leader.worked).abs() > 1e-6 {
                        failures.push(format!("week {week} leader {index}: capacity {} != worked {worked} + idle {}", leader.capacity, leader.idle));
                    }
                    if leader.items.iter().any(|i| i.remaining < -1e-9) {
                        failures.push(format!("week {week}: negative remaining hours"));
                    }
                    // Knowledge only of items that exist.
                    let observers = world.leaders[index].observed_by.len();
                    for (slot, item) in leader.items.iter().enumerate() {
                        if !item.live && leader.known[slot * observers..(slot + 1) * observers].iter().any(|&k| k != UNKNOWN) {
                            failures.push(format!("week {week}: knowledge of a closed item"));
                        }
                    }
                }
                for view in &state.relationships {
                    if !(0.0..=1.0).contains(&view.trust) || view.frustration < 0.0 || !view.frustration.is_finite() {
                        failures.push(format!("week {week}: trust {} frustration {}", view.trust, view.frustration));
                    }
                }
            });
            prop_assert!(failures.is_empty(), "{}", failures[..failures.len().min(5)].join("\n"));
            prop_assert!(outcome.summary.iter().all(|v| v.is_finite() || v.is_nan()));
            prop_assert!(outcome.weekly.iter().all(|v| !v.is_infinite()));
        }
    }
}
