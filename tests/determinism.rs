//! Same scenario and seed give the same bytes on 1 thread or many, and every
//! arm of a replicate faces the same workload.

use empathy_gap::model::{State, World};
use empathy_gap::runner::simulate_arm_with;
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
                .map(|l| l.arrivals_rng.get_word_pos())
                .collect();
            let ambiguity: Vec<u128> = state
                .ambiguity_rngs
                .iter()
                .map(|r| r.get_word_pos())
                .collect();
            trace.push((arrivals, ambiguity));
        });
        // The behaviour stream does differ between arms (disclosures depend on trust).
        let behaviour = state.leaders[0].disclosure_rng.clone().next_u64();
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
