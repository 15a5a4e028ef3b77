//! The fuzz corpus as a regression test: every input of the committed,
//! minimised corpus (fuzz/corpus-min/<target>/) and every saved crash input
//! (fuzz/regressions/<target>/) goes through the same checks as the fuzz
//! targets (fuzz/checks.rs), on stable Rust and without libFuzzer. See
//! fuzz/README.md for how the corpus is made.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use empathy_gap::scenario::{self, Override};

#[allow(dead_code)] // the test uses the checks' entry points only
#[path = "../fuzz/checks.rs"]
mod checks;

/// The files of `fuzz/<folder>/<target>/`, sorted; none if it does not exist.
fn inputs(folder: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(folder)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("read the corpus folder").path())
        .filter(|path| path.is_file())
        .filter(|path| path.file_name().is_some_and(|name| name != "README.md"))
        .collect();
    files.sort();
    files
}

/// Runs `check` on every input, and fails naming each input that panicked.
fn run_all(target: &str, check: fn(&[u8])) -> usize {
    let files: Vec<PathBuf> = ["corpus-min", "regressions"]
        .iter()
        .flat_map(|folder| inputs(folder, target))
        .collect();
    let mut failures = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("read a corpus input");
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&data))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} `{target}` inputs failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    files.len()
}

/// Runs a target's inputs, and checks that there are enough of them and that
/// some reach the engine (are small enough to be simulated).
fn run_target(target: &str, check: fn(&[u8]), at_least: usize) {
    let before = checks::SIMULATED.with(|count| count.get());
    let inputs = run_all(target, check);
    let simulated = checks::SIMULATED.with(|count| count.get()) - before;
    println!("{target}: {inputs} inputs, {simulated} simulated");
    assert!(
        inputs >= at_least,
        "only {inputs} {target} inputs: is fuzz/corpus-min there?"
    );
    assert!(
        simulated >= 3,
        "only {simulated} {target} inputs reached the engine"
    );
}

#[test]
fn scenario_corpus_loads_without_panicking() {
    run_target("scenario", checks::scenario_bytes, 100);
}

#[test]
fn set_override_corpus_applies_without_panicking() {
    run_target("set_override", checks::set_override_bytes, 100);
}

/// The `set_override` target's base text, the bundled scenario with its
/// comments blanked, is the same scenario as the bundled file.
#[test]
fn two_managers_without_comments_is_the_same_scenario() {
    let load = |text| scenario::load_text("two-managers.toml", text, &[]).unwrap();
    let bundled = load(checks::TWO_MANAGERS);
    let stripped = load(checks::two_managers_without_comments());
    assert_eq!(
        format!("{:?}", bundled.resolved),
        format!("{:?}", stripped.resolved)
    );
    assert_eq!(
        checks::TWO_MANAGERS.lines().count(),
        checks::two_managers_without_comments().lines().count()
    );
    assert!(checks::two_managers_without_comments().len() < checks::TWO_MANAGERS.len() / 2 + 400);
}

/// The bundled scenario passes the checks, and once `--set` makes it short
/// the checks simulate it, so they do exercise the engine (a long one is not
/// simulated).
#[test]
fn checks_simulate_a_short_scenario() {
    let loaded = scenario::load_text("two-managers.toml", checks::TWO_MANAGERS, &[]).unwrap();
    checks::check_scenario(&loaded);
    let long = [Override::parse("weeks=200").unwrap()];
    let long = scenario::load_text("two-managers.toml", checks::TWO_MANAGERS, &long).unwrap();
    assert!(!checks::small_enough_to_simulate(&long));
    let short = "weeks=6\nwarmup_weeks=0\nteam.initial_backlog_weeks=1\ndefaults.team_size=1\n";
    let overrides: Vec<Override> = short
        .lines()
        .map(|line| Override::parse(line).unwrap())
        .collect();
    let loaded =
        scenario::load_text("two-managers.toml", checks::TWO_MANAGERS, &overrides).unwrap();
    assert!(checks::small_enough_to_simulate(&loaded));
    let before = checks::SIMULATED.with(|count| count.get());
    checks::set_override_bytes(short.as_bytes());
    assert_eq!(checks::SIMULATED.with(|count| count.get()), before + 1);
}
