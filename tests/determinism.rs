//! Same scenario and seed give the same bytes on 1 thread or many, and every
//! arm of a replicate faces the same workload.

use empathy_gap::model::{State, World};
use empathy_gap::runner::{simulate_arm, simulate_arm_with};
use rand::Rng;

use crate::common::{binary, repo_file, scenario};

#[test]
fn csv_bytes_are_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = format!("out-{threads}");
        binary(dir.path())
            .args([
                "run",
                "two-managers",
                "--replicates",
                "40",
                "--threads",
                threads,
                "--out",
                &out,
                "--quiet",
            ])
            .assert()
            .success();
        let folder = dir.path().join(&out).join("two-managers");
        outputs.push((
            std::fs::read(folder.join("weekly.csv")).unwrap(),
            std::fs::read(folder.join("summary.csv")).unwrap(),
        ));
    }
    assert!(
        outputs[0] == outputs[1],
        "outputs differ between 1 and 2 threads"
    );
}

#[test]
fn every_arm_draws_the_same_workload() {
    let text = std::fs::read_to_string(repo_file("scenarios/two-managers.toml")).unwrap();
    let scenario = scenario(&text);
    let world = World::new(&scenario);
    // Per arm: how far each workload stream has been read, week by week.
    let mut traces = Vec::new();
    for arm in &scenario.arms {
        let mut state = State::new(&world, scenario.seed, 3, scenario.first_week());
        let mut trace = Vec::new();
        simulate_arm_with(&scenario, &world, arm, &mut state, |_, state| {
            let arrivals: Vec<u128> = state
                .leaders
                .iter()
                .map(|l| l.arrivals.word_pos())
                .collect();
            let ambiguity: Vec<u128> = state
                .ambiguity_rngs
                .iter()
                .map(|r| r.get_word_pos())
                .collect();
            trace.push((arrivals, ambiguity));
        });
        // The behaviour stream does differ between arms (disclosures depend on trust).
        let behaviour = state.leaders[0].behaviour.resume().next_u64();
        traces.push((trace, behaviour));
    }
    for (trace, _) in &traces[1..] {
        assert!(trace == &traces[0].0, "an arm drew a different workload");
    }
    assert!(
        traces.iter().any(|(_, b)| *b != traces[0].1),
        "behaviour streams never differed"
    );
}

/// An organisation large enough that the week's leader and relationship
/// passes run in parallel, with every intervention.
const PARALLEL_ORGANISATION: &str = r#"
name = "parallel"
weeks = 10
warmup_weeks = 3
replicates = 1
seed = 5

[generate]
leaders = 320
projects_per_leader_min = 1
projects_per_leader_max = 3
project_size_min = 2
project_size_max = 5
demand_min = 0.6
demand_max = 1.1

[arms.power-through]
baseline = true

[arms.all-three]
start_week = 2
interventions = [
    { kind = "escalation" },
    { kind = "status-meeting", every_weeks = 3 },
    { kind = "connection-first", every_weeks = 4 },
]
"#;

#[test]
fn a_large_organisation_gives_the_same_outcomes_on_one_two_and_four_threads() {
    let scenario = scenario(PARALLEL_ORGANISATION);
    let world = World::new(&scenario);
    assert!(world.leaders.len() >= empathy_gap::engine::PARALLEL_LEADERS);
    let outcomes = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            scenario
                .arms
                .iter()
                .map(|arm| {
                    let outcome = simulate_arm(&scenario, &world, arm, 1);
                    let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect();
                    (bits(&outcome.weekly), bits(&outcome.summary))
                })
                .collect::<Vec<(Vec<u64>, Vec<u64>)>>()
        })
    };
    let one = outcomes(1);
    assert!(
        one.iter().all(|(weekly, _)| weekly.iter().any(|&v| v != 0)),
        "the run recorded nothing"
    );
    for threads in [2, 4] {
        assert!(
            outcomes(threads) == one,
            "outcomes differ between 1 and {threads} threads"
        );
    }
}
