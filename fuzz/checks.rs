//! The checks the fuzz targets run on every input, shared with the main
//! crate's regression test (tests/fuzz_corpus.rs), which runs the committed
//! corpus and the saved crash inputs through the same code on stable Rust.
//!
//! Included with `#[path = "..."] mod checks;` from fuzz/fuzz_targets/*.rs and
//! tests/fuzz_corpus.rs; it uses only the `empathy_gap` crate.
//!
//! A check fails by panicking (libFuzzer records the input as a crash).

use empathy_gap::metrics::{Summary, Weekly};
use empathy_gap::model::World;
use empathy_gap::runner;
use empathy_gap::scenario::{self, Budget, Location, Override, Scenario, ScenarioError};

/// The name given to fuzzed scenario text in messages.
pub const LABEL: &str = "fuzz.toml";

/// The scenario the `set_override` target applies its `--set` lines to.
pub const TWO_MANAGERS: &str = include_str!("../scenarios/two-managers.toml");

/// [`TWO_MANAGERS`] with its comments blanked out (same lines, same
/// positions of every key and value): half the bytes to parse, so the
/// `set_override` target runs faster. The regression test checks that both
/// texts load to the same scenario.
pub fn two_managers_without_comments() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        TWO_MANAGERS
            .lines()
            .map(|line| {
                // The file's comments follow the values; no value holds a `#`.
                let code = line.split('#').next().unwrap_or("");
                code.trim_end().to_string() + "\n"
            })
            .collect()
    })
}

/// At most this many `--set` lines are read from one input.
pub const MAX_OVERRIDES: usize = 64;

/// Simulation is skipped unless the scenario is small, so that an execution
/// stays well under a millisecond: at most this many leader-weeks
/// (leaders x (initial backlog + warm-up + reported weeks)) ...
pub const MAX_LEADER_WEEKS: u64 = 150;
/// ... at most this many private items drawn in expectation, summed over
/// the arms (the bundled two-manager scenario, with its 30-week warm-up,
/// draws about 5,000 per arm) ...
pub const MAX_EXPECTED_ITEMS: f64 = 8_000.0;
/// ... and at most this many leaders and projects.
pub const MAX_SIMULATED_LEADERS: usize = 8;
pub const MAX_SIMULATED_PROJECTS: usize = 16;

/// The budget the harness loads within: 24 MiB of estimated memory (16 MiB
/// of it the fixed base) and an hour of estimated run time on one thread.
/// That admits the bundled scenarios (two-managers with its 1,000
/// replicates, typical-org with its 200 generated leaders) and generated
/// organisations of up to about 600 leaders with the default project sizes
/// (1,800 with the smallest), and refuses the million-leader organisations
/// the loader otherwise accepts, which would cost seconds and gigabytes per
/// execution.
pub fn budget() -> Budget {
    Budget {
        memory_bytes: 24.0 * 1024.0 * 1024.0,
        seconds: 3600.0,
        threads: 1,
    }
}

/// Target `scenario`: the bytes are a scenario file. Loading must not panic,
/// and what it returns must make sense.
pub fn scenario_bytes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match scenario::load_bytes_within(LABEL, data, &[], Some(&budget())) {
        Ok(loaded) => {
            assert!(
                std::str::from_utf8(data).is_ok(),
                "bytes that are not UTF-8 loaded as a scenario"
            );
            check_scenario(&loaded);
        }
        Err(error) => check_error(&error, &text, &[]),
    }
}

/// Target `set_override`: each line of the bytes is one `--set PATH=VALUE`
/// argument, applied to scenarios/two-managers.toml.
pub fn set_override_bytes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut overrides = Vec::new();
    for line in text.split('\n').take(MAX_OVERRIDES) {
        let argument = line.strip_suffix('\r').unwrap_or(line);
        match Override::parse(argument) {
            Ok(parsed) => {
                check_override(argument, &parsed);
                overrides.push(parsed);
            }
            Err(message) => {
                assert!(!message.is_empty(), "an empty parse error for {argument:?}");
                assert!(
                    !message.contains('\n'),
                    "a parse error of more than one line: {message:?}"
                );
            }
        }
    }
    let base = two_managers_without_comments();
    match scenario::load_text_within("two-managers.toml", base, &overrides, &budget()) {
        Ok(loaded) => check_scenario(&loaded),
        Err(error) => check_error(&error, base, &overrides),
    }
}

fn check_override(argument: &str, parsed: &Override) {
    assert!(!parsed.path.is_empty(), "an override without a path");
    assert!(
        parsed.path.iter().all(|segment| !segment.trim().is_empty()),
        "an override path with an empty part: {:?}",
        parsed.path
    );
    assert_eq!(parsed.argument, format!("--set {argument}"));
}

/// A problem list must be non-empty, every position must lie in the text, and
/// every message must be printable on its own line.
pub fn check_error(error: &ScenarioError, text: &str, overrides: &[Override]) {
    assert!(!error.problems.is_empty(), "an error without problems");
    let lines = text.split('\n').count().max(1);
    for problem in &error.problems {
        assert!(
            !problem.message.trim().is_empty(),
            "a problem without a message: {problem:?}"
        );
        match &problem.location {
            Location::File { line, column, .. } => {
                assert!(*line >= 1 && *column >= 1, "position 0 in {problem:?}");
                assert!(
                    *line <= lines,
                    "line {line} of a text of {lines} lines: {problem:?}"
                );
            }
            Location::WholeFile { .. } => {}
            Location::Override { position, argument } => {
                assert!(
                    *position < overrides.len(),
                    "override {position} of {}: {problem:?}",
                    overrides.len()
                );
                assert_eq!(
                    argument, &overrides[*position].argument,
                    "a problem names the wrong override"
                );
            }
        }
    }
    let _ = error.to_string();
}

/// A loaded scenario satisfies what the engine relies on; a small one is also
/// simulated, one replicate of each arm.
pub fn check_scenario(scenario: &Scenario) {
    assert!(scenario.weeks >= 1, "weeks = {}", scenario.weeks);
    assert!(!scenario.name.trim().is_empty(), "an empty name");
    assert!(scenario.replicates >= 1, "replicates = 0");
    assert!(!scenario.arms.is_empty(), "no arms");
    assert!(
        scenario.baseline < scenario.arms.len(),
        "baseline {} of {} arms",
        scenario.baseline,
        scenario.arms.len()
    );
    assert!(
        scenario.arms.iter().filter(|arm| arm.baseline).count() <= 1,
        "more than one baseline arm"
    );
    let organisation = &scenario.organisation;
    assert!(!organisation.leaders.is_empty(), "no leaders");
    assert!(!organisation.managers.is_empty(), "no managers");
    let n_leaders = organisation.leaders.len();
    let n_managers = organisation.managers.len();
    assert!(
        (0.0..=1.0).contains(&organisation.initial_trust),
        "initial trust {}",
        organisation.initial_trust
    );
    for leader in &organisation.leaders {
        assert!(
            (leader.manager.0 as usize) < n_managers,
            "leader {} has manager {} of {n_managers}",
            leader.name,
            leader.manager.0
        );
        assert!(leader.team_size >= 1, "leader {} has no team", leader.name);
        assert!(
            leader.capacity_hours.is_finite() && leader.capacity_hours > 0.0,
            "leader {} has capacity {}",
            leader.name,
            leader.capacity_hours
        );
        for value in [leader.demand, leader.disclosure, leader.insecurity] {
            assert!(value.is_finite(), "leader {}: {value}", leader.name);
        }
        for stream in &leader.workstreams {
            assert!(
                stream.arrivals_per_week.is_finite() && stream.arrivals_per_week >= 0.0,
                "workstream {} of {}: {} arrivals a week",
                stream.name,
                leader.name,
                stream.arrivals_per_week
            );
            assert!(
                stream.due_weeks_min <= stream.due_weeks_max,
                "workstream {} of {}: due {}..{}",
                stream.name,
                leader.name,
                stream.due_weeks_min,
                stream.due_weeks_max
            );
        }
    }
    for manager in &organisation.managers {
        if let Some(boss) = manager.reports_to {
            assert!((boss.0 as usize) < n_managers, "manager {}", manager.name);
        }
    }
    for project in &organisation.projects {
        assert!(
            project.members.len() >= 2,
            "project {} has {} members",
            project.name,
            project.members.len()
        );
        assert!(
            project.start_week <= project.end_week,
            "project {} runs {}..{}",
            project.name,
            project.start_week,
            project.end_week
        );
        for member in &project.members {
            assert!(
                (member.leader.0 as usize) < n_leaders,
                "project {} has leader {} of {n_leaders}",
                project.name,
                member.leader.0
            );
            assert!(
                member.hours_per_week.is_finite() && member.hours_per_week >= 0.0,
                "project {}: {} hours a week",
                project.name,
                member.hours_per_week
            );
        }
    }
    for (observer, actor, trust) in &organisation.trust_overrides {
        assert!((observer.0 as usize) < n_leaders && (actor.0 as usize) < n_leaders);
        assert!((0.0..=1.0).contains(trust), "trust {trust}");
    }
    if small_enough_to_simulate(scenario) {
        simulate(scenario);
    }
}

/// Whether one replicate of every arm is cheap enough to run per execution.
pub fn small_enough_to_simulate(scenario: &Scenario) -> bool {
    let organisation = &scenario.organisation;
    let backlog = scenario.params.team.initial_backlog_weeks.max(0.0).ceil();
    if !backlog.is_finite() || backlog > 1000.0 {
        return false;
    }
    let weeks = u64::from(scenario.weeks) + u64::from(scenario.warmup_weeks) + backlog as u64;
    let leaders = organisation.leaders.len();
    let per_week: f64 = organisation
        .leaders
        .iter()
        .flat_map(|leader| &leader.workstreams)
        .map(|stream| stream.arrivals_per_week)
        .sum();
    leaders <= MAX_SIMULATED_LEADERS
        && organisation.projects.len() <= MAX_SIMULATED_PROJECTS
        && leaders as u64 * weeks <= MAX_LEADER_WEEKS
        && per_week * weeks as f64 * scenario.arms.len() as f64 <= MAX_EXPECTED_ITEMS
}

std::thread_local! {
    /// Scenarios simulated by this thread, so the regression test can tell
    /// that its corpus reaches the engine.
    pub static SIMULATED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// One replicate of each arm: no panic, the expected shape, no infinity.
pub fn simulate(scenario: &Scenario) {
    SIMULATED.with(|count| count.set(count.get() + 1));
    let world = World::new(scenario);
    for arm in &scenario.arms {
        let outcome = runner::simulate_arm(scenario, &world, arm, 0);
        assert_eq!(
            outcome.weekly.len(),
            scenario.weeks as usize * Weekly::COUNT,
            "arm {}: weekly rows",
            arm.name
        );
        assert_eq!(
            outcome.summary.len(),
            Summary::COUNT,
            "arm {}: summary",
            arm.name
        );
        for (index, value) in outcome.weekly.iter().enumerate() {
            assert!(
                !value.is_infinite(),
                "arm {}: week {} metric {} is {value}",
                arm.name,
                index / Weekly::COUNT + 1,
                index % Weekly::COUNT
            );
        }
        for (index, value) in outcome.summary.iter().enumerate() {
            assert!(
                !value.is_infinite(),
                "arm {}: summary metric {index} is {value}",
                arm.name
            );
        }
    }
}
