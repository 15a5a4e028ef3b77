//! Scenarios by file or bundled name: loading them (within this machine's
//! budget), their text for a shard to keep, `validate` and `list`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::sweep::SweepSize;
use empathy_gap::runner::{RunError, RunOptions};
use empathy_gap::scenario::{self, Budget, FieldPath, Override, Scenario, ScenarioError, import};
use empathy_gap::steady;
use empathy_gap::words::{bytes_in_words, count, seconds_in_words};

use super::folder::listen_for_interruptions;
use super::{Failure, thread_count};

/// Scenarios bundled with the tool: usable by name from any folder.
pub(crate) const BUNDLED: &[(&str, &str)] = &[
    (
        "two-managers",
        include_str!("../../scenarios/two-managers.toml"),
    ),
    (
        "typical-org",
        include_str!("../../scenarios/typical-org.toml"),
    ),
    (
        "high-demand",
        include_str!("../../scenarios/high-demand.toml"),
    ),
    ("large-org", include_str!("../../scenarios/large-org.toml")),
];

/// A scenario as loaded, with the text it was loaded from.
pub(crate) struct Source {
    pub(crate) scenario: Scenario,
    /// The file as messages name it (`scenarios/<name>.toml` for a bundled one).
    pub(crate) label: String,
    /// The text every later use (a sweep's points, a shard's record) must load again.
    pub(crate) text: String,
}

impl Source {
    /// The scenario again from the same text, with other overrides.
    pub(crate) fn reload(
        &self,
        overrides: &[Override],
        budget: Option<&Budget>,
    ) -> Result<Scenario, ScenarioError> {
        scenario::load_bytes_within(&self.label, self.text.as_bytes(), overrides, budget)
    }
}

/// Loads a scenario from a file, or from the bundled set when no such file
/// exists; refuses sizes beyond `budget` when one is given. The file is read
/// once: the text returned is the text that was checked.
pub(crate) fn load(
    name: &str,
    overrides: &[Override],
    budget: Option<&Budget>,
) -> Result<Source, ScenarioError> {
    let path = Path::new(name);
    if !path.is_file()
        && let Some((bundled, text)) = BUNDLED.iter().find(|(bundled, _)| *bundled == name)
    {
        let label = format!("scenarios/{bundled}.toml");
        let scenario = scenario::load_bytes_within(&label, text.as_bytes(), overrides, budget)?;
        return Ok(Source {
            scenario,
            label,
            text: (*text).to_string(),
        });
    }
    let bytes = scenario::read_file(path).map_err(|error| with_bundled_hint(error, name))?;
    let scenario = scenario::load_bytes_within(name, &bytes, overrides, budget)?;
    Ok(Source {
        scenario,
        label: name.to_string(),
        // Loading succeeded, so the bytes are UTF-8 text.
        text: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// A missing file may be a misspelt bundled scenario: say which ones exist.
pub(crate) fn with_bundled_hint(mut error: ScenarioError, name: &str) -> ScenarioError {
    if Path::new(name).exists() {
        return error;
    }
    let names: Vec<&str> = BUNDLED.iter().map(|(bundled, _)| *bundled).collect();
    let stem = name.trim_end_matches(".toml");
    let hint = match scenario::did_you_mean(stem, &names) {
        Some(bundled) => format!("; did you mean the bundled scenario `{bundled}`?"),
        None => format!(
            " (and no bundled scenario has that name: {})",
            names.join(", ")
        ),
    };
    for problem in &mut error.problems {
        problem.message.push_str(&hint);
    }
    error
}

pub(crate) fn validate(
    files: &[String],
    overrides: &[Override],
    force: bool,
    warmup: WarmupCheck,
) -> Result<(), Failure> {
    let threads = thread_count(None)?;
    let budget = Budget::of_this_machine(threads);
    let budget = (!force).then_some(&budget);
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    let mut problems = Vec::new();
    for file in files {
        match load(file, overrides, budget) {
            Ok(source) => {
                // Every value each sweep takes, as `sweep` checks it before running.
                let mut sweeps = Vec::new();
                let mut sweep_problems = Vec::new();
                for name in source.scenario.resolved.sweeps.keys() {
                    match super::sweep::check_named(&source, overrides, name, budget) {
                        Ok(size) => sweeps.push(size),
                        Err(Failure::BadInput(message) | Failure::Runtime(message)) => {
                            sweep_problems.push(message);
                        }
                        Err(interrupted) => return Err(interrupted),
                    }
                }
                if sweep_problems.is_empty() {
                    describe(&source, file, threads, &sweeps);
                    if let Some(warning) =
                        scenario::overload::unbounded_queues_warning(&source.scenario)
                    {
                        eprintln!("warning: {}: {warning}", source.label);
                    }
                    check_warmup(&source, overrides, warmup, threads, &stop)?;
                } else {
                    problems.extend(sweep_problems);
                }
            }
            Err(error) => problems.push(error.to_string()),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::BadInput(problems.join("\n")))
    }
}

/// Whether `validate` checks that a scenario's warm-up reaches the steady state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum WarmupCheck {
    /// When the check is estimated to take under 10 seconds.
    Auto,
    /// Whatever it takes.
    Always,
    /// Not at all.
    Never,
}

/// The longest a warm-up check runs without being asked for.
const WARMUP_CHECK_SECONDS: f64 = 10.0;

/// Replicates of each warm-up check run (fewer if the scenario has fewer).
const WARMUP_CHECK_REPLICATES: u64 = 100;

/// Checks the scenario's warm-up against one three times as long (see
/// [`empathy_gap::steady`]): prints a line when it is long enough, and a
/// warning naming the file, line and field when it is not.
fn check_warmup(
    source: &Source,
    overrides: &[Override],
    when: WarmupCheck,
    threads: usize,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    if when == WarmupCheck::Never {
        return Ok(());
    }
    let scenario = &source.scenario;
    let warmup = scenario.warmup_weeks;
    let longer = steady::longer_warmup(warmup);
    let replicates = WARMUP_CHECK_REPLICATES.min(scenario.replicates);
    let pilot = |warmup: u32| -> Result<Scenario, Failure> {
        let mut all = overrides.to_vec();
        all.extend(steady::overrides(warmup, replicates));
        let scenario = source
            .reload(&all, None)
            .map_err(|error| Failure::BadInput(error.to_string()))?;
        Ok(steady::pilot(scenario))
    };
    let (short, long) = (pilot(warmup)?, pilot(longer)?);
    let seconds: f64 = [&short, &long]
        .iter()
        .map(|pilot| scenario::size::estimate(&pilot.resolved, 1, threads).seconds)
        .sum();
    if when == WarmupCheck::Auto && seconds > WARMUP_CHECK_SECONDS {
        println!(
            "  warm-up: not checked (the check would take {}); check it with --check-warmup always",
            seconds_in_words(seconds)
        );
        return Ok(());
    }
    let options = RunOptions {
        threads,
        cancel: Some(stop),
        progress: None,
    };
    let verdict = steady::check(&short, &long, &options).map_err(|error| match error {
        RunError::Interrupted { .. } => {
            Failure::Interrupted("interrupted while checking the warm-up".to_string())
        }
        other => Failure::Runtime(other.to_string()),
    })?;
    if verdict.steady() {
        println!(
            "  warm-up: {} reach the steady state (weeks 1-{} as after {longer}, {})",
            count(f64::from(warmup), "week"),
            steady::WEEKS.min(scenario.weeks),
            count(verdict.replicates as f64, "replicate"),
        );
        return Ok(());
    }
    let drifts: Vec<String> = verdict
        .drifting()
        .map(|c| {
            let change = if c.long == 0.0 {
                String::new()
            } else {
                format!(" ({:+.0}%)", 100.0 * (c.short / c.long - 1.0))
            };
            format!(
                "{} {:.3} vs {:.3}{change}",
                c.metric.name(),
                c.short,
                c.long
            )
        })
        .collect();
    // The last override of the warm-up is the value checked, else the file's.
    let location = match overrides.iter().rev().find(|o| o.path == ["warmup_weeks"]) {
        Some(set) => set.argument.clone(),
        None => scenario::locate(
            &source.label,
            &source.text,
            &FieldPath::root().key("warmup_weeks"),
        )
        .to_string(),
    };
    eprintln!(
        "warning: {location}: warmup_weeks: a warm-up of {} does not reach the steady state: weeks 1-{} still differ from those after {longer} warm-up weeks ({}; {}); lengthen the warm-up (see the README, steady state)",
        count(f64::from(warmup), "week"),
        steady::WEEKS.min(scenario.weeks),
        drifts.join(", "),
        count(verdict.replicates as f64, "replicate"),
    );
    Ok(())
}

/// The line `validate` prints for a valid scenario, and one for each of its
/// sweeps (`sweeps` in the scenario's order of sweeps).
fn describe(source: &Source, file: &str, threads: usize, sweeps: &[SweepSize]) {
    let Source {
        scenario, label, ..
    } = source;
    let cost = scenario::size::estimate(&scenario.resolved, scenario.arms.len(), threads);
    println!(
        "{label}: ok ({}, {}, {}, {}; estimated run: {} and {} on {})",
        count(scenario.organisation.leaders.len() as f64, "leader"),
        count(scenario.organisation.projects.len() as f64, "project"),
        count(scenario.arms.len() as f64, "arm"),
        count(f64::from(scenario.weeks), "week"),
        seconds_in_words(cost.seconds),
        bytes_in_words(cost.memory_bytes),
        count(cost.threads as f64, "thread"),
    );
    for ((name, sweep), size) in scenario.resolved.sweeps.iter().zip(sweeps) {
        println!(
            "  sweep {name}: {} x {} ({}), run with: empathy-gap sweep {file} --sweep {name}",
            count(size.points as f64, "point"),
            count(size.replicates as f64, "replicate"),
            sweep.params.join(", "),
        );
    }
}

pub(crate) fn list() {
    let width = BUNDLED
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, text) in BUNDLED {
        let table = toml::from_str::<toml::Table>(text).unwrap_or_default();
        let description = table
            .get("description")
            .and_then(|d| d.as_str())
            .unwrap_or_default();
        println!(
            "{name:<width$}  {}",
            description.lines().next().unwrap_or("")
        );
        if let Some(sweeps) = table.get("sweeps").and_then(|s| s.as_table()) {
            let names: Vec<&str> = sweeps.keys().map(String::as_str).collect();
            println!(
                "{:<width$}  sweeps: {} (empathy-gap sweep {name} --sweep NAME)",
                "",
                names.join(", ")
            );
        }
    }
}

/// `init NAME [--from SCENARIO] [--people FILE --projects FILE]`: writes
/// `NAME.toml`, a bundled scenario's commented text under a new name, to
/// start one's own organisation from; with the two CSV files, its
/// organisation replaced by theirs. Refuses to replace a file, and checks
/// the new file loads, naming the CSV row of any value it refuses.
pub(crate) fn init(name: &str, from: &str, csv: Option<(&Path, &Path)>) -> Result<(), Failure> {
    let names: Vec<&str> = BUNDLED.iter().map(|(bundled, _)| *bundled).collect();
    let Some((_, text)) = BUNDLED.iter().find(|(bundled, _)| *bundled == from) else {
        let hint = scenario::did_you_mean(from, &names)
            .map_or(String::new(), |name| format!("did you mean `{name}`? "));
        return Err(Failure::BadInput(format!(
            "--from {from}: no bundled scenario has that name; {hint}the bundled ones: {}",
            names.join(", ")
        )));
    };
    let file = if name.ends_with(".toml") {
        name.to_string()
    } else {
        format!("{name}.toml")
    };
    let stem = Path::new(&file)
        .file_stem()
        .map_or_else(String::new, |stem| stem.to_string_lossy().into_owned());
    if stem.trim().is_empty() {
        return Err(Failure::BadInput(format!(
            "init {name}: needs a name for the scenario, like my-org"
        )));
    }
    let imported = match csv {
        Some((people, projects)) => Some(import_organisation(people, projects)?),
        None => None,
    };
    let template = match &imported {
        Some(imported) => import::replace_organisation(text, &imported.toml),
        None => (*text).to_string(),
    };
    if imported.is_some()
        && text
            .lines()
            .any(|line| line.trim_start().starts_with("[generate]"))
    {
        eprintln!(
            "note: --from {from}: its [generate] table (the ranges its generated leaders' demand, disclosure, insecurity, support and ambiguity are drawn from) is replaced by the imported organisation, whose leaders take [defaults] unless the people file sets their values"
        );
    }
    let quote = |text: &str| toml::Value::String(text.to_owned()).to_string();
    // The template's own description and question are about its
    // organisation, not an imported one.
    let (description, question) = match &imported {
        Some(imported) => (
            Some(format!("{stem}: {} (imported).", imported.summary())),
            Some(
                "Which response brings the hours lost to conflict down in this organisation?"
                    .to_owned(),
            ),
        ),
        None => (None, None),
    };
    let mut renamed = String::new();
    let mut done = [false; 3];
    for line in template.lines() {
        let replaced = [
            ("name = ", Some(stem.clone())),
            ("description = ", description.clone()),
            ("question = ", question.clone()),
        ]
        .into_iter()
        .enumerate()
        .find_map(|(at, (key, value))| {
            (!done[at] && line.starts_with(key)).then(|| {
                done[at] = true;
                value.map(|value| format!("{key}{}", quote(&value)))
            })
        });
        match replaced {
            Some(Some(line)) => renamed.push_str(&line),
            _ => renamed.push_str(line),
        }
        renamed.push('\n');
    }
    let origin = match csv {
        Some((people, projects)) => format!(
            "its organisation imported from {} and {}, the rest from the bundled scenario `{from}`",
            people.display(),
            projects.display()
        ),
        None => format!("started from the bundled scenario `{from}`"),
    };
    let header = format!(
        "# {stem}: {origin} by `empathy-gap init`.\n\
         # Change the values to your organisation's; every key is explained in the\n\
         # README's scenario file reference. Check it with `empathy-gap validate {file}`\n\
         # and run it with `empathy-gap run {file}`.\n\n"
    );
    let contents = header + &renamed;
    // The new file must load as it is, before it is written; a value it
    // refuses is named by the CSV row it came from.
    if let Err(error) = scenario::load_bytes_within(&file, contents.as_bytes(), &[], None) {
        let Some(imported) = &imported else {
            return Err(Failure::Runtime(format!(
                "init: the new scenario does not load: {error}"
            )));
        };
        let problems: Vec<String> = error
            .problems
            .iter()
            .map(|problem| {
                match problem
                    .field
                    .as_deref()
                    .and_then(|field| imported.locate(field))
                {
                    Some((file, line, column)) => {
                        format!("{file}:{line}: {column}: {}", problem.message)
                    }
                    None => problem.to_string(),
                }
            })
            .collect();
        return Err(Failure::BadInput(problems.join("\n")));
    }
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&file)
        .and_then(|mut created| std::io::Write::write_all(&mut created, contents.as_bytes()));
    match written {
        Ok(()) => {
            let organisation = match &imported {
                Some(imported) => format!("{}, the rest from {from}", imported.summary()),
                None => format!("from {from}"),
            };
            println!(
                "wrote {file} ({organisation}); check it with `empathy-gap validate {file}`, run it with `empathy-gap run {file}`"
            );
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Err(Failure::BadInput(
            format!("{file}: already exists; choose another name, or remove it first"),
        )),
        Err(error) => Err(Failure::Runtime(format!("{file}: cannot write: {error}"))),
    }
}

/// The organisation of the two CSV files, or every problem in them, one
/// line each; columns it did not read are named on standard error.
fn import_organisation(people: &Path, projects: &Path) -> Result<import::Imported, Failure> {
    let read = |path: &Path| {
        scenario::read_file(path).map_err(|error| Failure::BadInput(error.to_string()))
    };
    let (people_bytes, project_bytes) = (read(people)?, read(projects)?);
    let imported = import::import(
        &people.display().to_string(),
        &people_bytes,
        &projects.display().to_string(),
        &project_bytes,
    )
    .map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        Failure::BadInput(lines.join("\n"))
    })?;
    for (file, columns) in &imported.ignored {
        eprintln!(
            "note: {file}: columns not read: {} (see `empathy-gap init --help` for the ones that are)",
            columns.join(", ")
        );
    }
    Ok(imported)
}
