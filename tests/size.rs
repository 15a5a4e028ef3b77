//! The size estimate's queue against simulated runs: the mean number of
//! items a leader holds, estimated before anything is built, is within a
//! factor of 3 of what the engine's queues actually hold, from two leaders
//! to hundreds, from calm to meltdown, and from teams of 6 to teams of 600.

use empathy_gap::model::{SlotBits, State, World};
use empathy_gap::runner::simulate_arm_with;
use empathy_gap::scenario::{self, Override};

use crate::common::repo_file;

/// Mean live items per leader over every simulated week of replicate 0 of
/// the first arm, and the estimate's.
fn measured_and_estimated(file: &str, sets: &[&str]) -> (f64, f64) {
    let overrides: Vec<Override> = sets
        .iter()
        .map(|set| Override::parse(set).unwrap())
        .collect();
    let scenario = scenario::load_file(std::path::Path::new(&repo_file(file)), &overrides).unwrap();
    let world = World::new(&scenario);
    let mut state = State::new(&world, scenario.seed, 0, scenario.first_week());
    let (mut live, mut weeks) = (0.0, 0.0);
    simulate_arm_with(
        &scenario,
        &world,
        &scenario.arms[0],
        &mut state,
        |_, state| {
            let items: usize = state
                .leaders
                .iter()
                .map(|leader| leader.slots.count(SlotBits::LIVE))
                .sum();
            live += items as f64 / world.leaders.len() as f64;
            weeks += 1.0;
        },
    );
    let estimate = scenario::size::estimate(&scenario.resolved, 1, 1);
    (live / weeks, estimate.items_per_leader)
}

#[test]
fn the_estimated_queue_is_within_a_factor_of_3_of_the_simulated_one() {
    // A 300-leader cut of large-org, one arm (its own calibration).
    const ORG: &str = "generate.leaders=300";
    let cases: [(&str, &[&str]); 14] = [
        ("scenarios/two-managers.toml", &[]),
        ("scenarios/two-managers.toml", &["defaults.demand=0.8"]),
        ("scenarios/two-managers.toml", &["defaults.demand=1.5"]),
        ("scenarios/two-managers.toml", &["defaults.team_size=60"]),
        (
            "scenarios/two-managers.toml",
            &["defaults.team_size=600", "weeks=5", "warmup_weeks=8"],
        ),
        (
            "scenarios/two-managers.toml",
            &["team.initial_backlog_weeks=20"],
        ),
        ("scenarios/high-demand.toml", &[]),
        ("scenarios/typical-org.toml", &["weeks=26"]),
        // Many peers: conflict takes most of the capacity (meltdown).
        (
            "scenarios/large-org.toml",
            &[
                ORG,
                "generate.projects_per_leader_min=6",
                "generate.projects_per_leader_max=10",
                "weeks=26",
            ],
        ),
        (
            "scenarios/large-org.toml",
            &[
                ORG,
                "generate.demand_min=2",
                "generate.demand_max=3",
                "weeks=26",
            ],
        ),
        (
            "scenarios/large-org.toml",
            &[
                ORG,
                "generate.demand_min=0.5",
                "generate.demand_max=0.7",
                "weeks=26",
            ],
        ),
        (
            "scenarios/large-org.toml",
            &[
                ORG,
                "generate.team_size_min=40",
                "generate.team_size_max=60",
                "generate.team_size_mean=50",
                "weeks=26",
            ],
        ),
        // Nothing is ever dropped.
        (
            "scenarios/large-org.toml",
            &[ORG, "triage.drop_probability=0", "weeks=26"],
        ),
        // Four years: queues keep growing (the README's calibration notes).
        ("scenarios/large-org.toml", &[ORG, "weeks=200"]),
    ];
    let mut failures = Vec::new();
    let mut spread = Vec::new();
    for (file, sets) in cases {
        let (measured, estimated) = measured_and_estimated(file, sets);
        let ratio = estimated / measured;
        eprintln!(
            "{file} {sets:?}: simulated {measured:.1}, estimated {estimated:.1}, ratio {ratio:.2}"
        );
        spread.push(measured);
        if !(1.0 / 3.0..=3.0).contains(&ratio) {
            failures.push(format!(
                "{file} {sets:?}: simulated {measured:.1} items a leader, estimated {estimated:.1}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The cases span queues from about ten items to thousands.
    let (shortest, longest) = spread.iter().fold((f64::MAX, 0.0f64), |(low, high), &q| {
        (low.min(q), high.max(q))
    });
    assert!(
        shortest < 20.0 && longest > 1000.0,
        "{shortest} to {longest}"
    );
}
