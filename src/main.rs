//! The `empathy-gap` command line: run, validate, list, report.
//!
//! Exit codes: 0 success, 2 bad input (scenario or arguments), 1 a failure
//! while running or writing, 130 interrupted (Ctrl-C or a kill signal).
//! Errors are one line each, never a backtrace.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use empathy_gap::model::World;
use empathy_gap::output::{self, RunBytes, RunInfo};
use empathy_gap::report::RunFiles;
use empathy_gap::runner::{self, RunError, RunOptions};
use empathy_gap::scenario::{self, Budget, Override, Scenario, ScenarioError};
use empathy_gap::staging::Staging;
use empathy_gap::words::{bytes_in_words, count, seconds_in_words, thousands};

/// Scenarios bundled with the tool: usable by name from any folder.
const BUNDLED: &[(&str, &str)] = &[
    (
        "two-managers",
        include_str!("../scenarios/two-managers.toml"),
    ),
    ("typical-org", include_str!("../scenarios/typical-org.toml")),
    ("high-demand", include_str!("../scenarios/high-demand.toml")),
];

#[derive(Parser)]
#[command(
    name = "empathy-gap",
    version,
    about = "Simulate the empathy gap between leaders who share a project"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every arm of a scenario and write weekly.csv, summary.csv and manifest.json.
    Run {
        /// A scenario file, or the name of a bundled scenario (see `list`).
        scenario: String,
        /// Output root; files go to OUT/<scenario name>/.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        #[arg(long)]
        replicates: Option<u64>,
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long)]
        weeks: Option<u64>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Override a scenario value by its dotted path, e.g. arms.connection-first.start_week=3.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// No progress bar and no summary table.
        #[arg(long)]
        quiet: bool,
        /// Skip the charts and report.html (the CSV files and manifest are still written).
        #[arg(long)]
        no_charts: bool,
        /// Run even a size estimated to exceed this machine's memory or a day of time.
        #[arg(long)]
        force: bool,
    },
    /// Redraw the charts and report.html of an earlier run from its CSV files.
    Report {
        /// A run's output folder, e.g. output/two-managers.
        dir: PathBuf,
    },
    /// Check scenario files without running them.
    Validate {
        #[arg(required = true)]
        files: Vec<String>,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Accept a size estimated to exceed this machine's memory or a day of time.
        #[arg(long)]
        force: bool,
    },
    /// List the bundled scenarios.
    List,
}

/// A failure and the exit code it maps to.
enum Failure {
    /// Exit 2: the scenario or the arguments.
    BadInput(String),
    /// Exit 1: running or writing.
    Runtime(String),
    /// Exit 130: stopped by Ctrl-C or a kill signal.
    Interrupted(String),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Run {
            scenario,
            out,
            replicates,
            seed,
            weeks,
            threads,
            set,
            quiet,
            no_charts,
            force,
        } => {
            // The shorthand flags are overrides like any other, validated the same way.
            let shorthands = [("replicates", replicates), ("seed", seed), ("weeks", weeks)]
                .into_iter()
                .filter_map(|(key, value)| Some(Override::shorthand(key, value?)));
            let flags = RunFlags {
                threads,
                quiet,
                charts: !no_charts,
                force,
            };
            parse_overrides(&set).and_then(|mut overrides| {
                overrides.extend(shorthands);
                run(&scenario, &out, &overrides, &flags)
            })
        }
        Command::Validate { files, set, force } => {
            parse_overrides(&set).and_then(|overrides| validate(&files, &overrides, force))
        }
        Command::Report { dir } => report(&dir),
        Command::List => {
            list();
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(message)) => {
            for line in message.lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(2)
        }
        Err(Failure::Runtime(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Interrupted(message)) => {
            eprintln!("{message}");
            ExitCode::from(130)
        }
    }
}

fn parse_overrides(set: &[String]) -> Result<Vec<Override>, Failure> {
    let mut overrides = Vec::new();
    let mut problems = Vec::new();
    for argument in set {
        match Override::parse(argument) {
            Ok(parsed) => overrides.push(parsed),
            Err(message) => problems.push(message),
        }
    }
    if problems.is_empty() {
        Ok(overrides)
    } else {
        Err(Failure::BadInput(problems.join("\n")))
    }
}

/// Loads a scenario from a file, or from the bundled set when no such file
/// exists; refuses sizes beyond `budget` when one is given.
fn load(
    name: &str,
    overrides: &[Override],
    budget: Option<&Budget>,
) -> Result<(Scenario, String), ScenarioError> {
    let path = Path::new(name);
    if !path.exists()
        && let Some((bundled, text)) = BUNDLED.iter().find(|(bundled, _)| *bundled == name)
    {
        let label = format!("scenarios/{bundled}.toml");
        return scenario::load_bytes_within(&label, text.as_bytes(), overrides, budget)
            .map(|s| (s, label));
    }
    let loaded = match budget {
        Some(budget) => scenario::load_file_within(path, overrides, budget),
        None => scenario::load_file(path, overrides),
    };
    loaded
        .map(|s| (s, name.to_string()))
        .map_err(|error| with_bundled_hint(error, name))
}

/// A missing file may be a misspelt bundled scenario: say which ones exist.
fn with_bundled_hint(mut error: ScenarioError, name: &str) -> ScenarioError {
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

/// Worker threads: as asked, or one per core.
fn thread_count(threads: Option<usize>) -> Result<usize, Failure> {
    match threads {
        Some(0) => Err(Failure::BadInput(
            "--threads must be at least 1".to_string(),
        )),
        Some(threads) => Ok(threads),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// How `run` behaves, from its flags.
struct RunFlags {
    threads: Option<usize>,
    quiet: bool,
    charts: bool,
    force: bool,
}

fn run(name: &str, out: &Path, overrides: &[Override], flags: &RunFlags) -> Result<(), Failure> {
    let threads = thread_count(flags.threads)?;
    let budget = Budget::of_this_machine(threads);
    let (scenario, label) = load(name, overrides, (!flags.force).then_some(&budget))
        .map_err(|error| Failure::BadInput(error.to_string()))?;
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    // The folder is made and tested before the run, not after an hour of it.
    let folder = OutputFolder::prepare(out, &scenario.name)?;
    let world = World::new(&scenario);
    let started = Instant::now();
    let done = AtomicU64::new(0);
    let options = RunOptions {
        threads,
        cancel: Some(&stop),
        progress: Some(&done),
    };
    let bar = progress_bar(&scenario, flags.quiet);
    let finished = AtomicBool::new(false);
    let outcome = std::thread::scope(|scope| {
        let ticker = scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                bar.set_position(done.load(Ordering::Relaxed));
                std::thread::park_timeout(Duration::from_millis(100));
            }
        });
        let outcome = runner::run(&scenario, &world, &options);
        finished.store(true, Ordering::Relaxed);
        ticker.thread().unpark();
        outcome
    });
    bar.finish_and_clear();
    let results = match outcome {
        Ok(results) => results,
        Err(RunError::Interrupted { done, total }) => {
            return Err(folder.interrupted(&format!(
                "after {} of {} replicates",
                thousands(done),
                thousands(total)
            )));
        }
        Err(error) => return Err(Failure::Runtime(error.to_string())),
    };
    let info = RunInfo {
        scenario_file: label,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        threads,
        wall_time_seconds: started.elapsed().as_secs_f64(),
    };
    let files = RunBytes::new(&scenario, &results, &info, world.pairs.len());
    let mut staging = Staging::new(&folder.path);
    let written = (|| {
        files.stage(&mut staging)?;
        if flags.charts {
            let run_files = RunFiles {
                weekly: &files.weekly,
                summary: &files.summary,
                manifest: &files.manifest,
            };
            empathy_gap::report::stage_report(&mut staging, &run_files)?;
        } else {
            // Charts of an earlier run would no longer match its numbers.
            for name in empathy_gap::report::file_names() {
                staging.remove(&name);
            }
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })();
    if let Err(error) = written {
        drop(staging);
        return Err(folder.failed(&error.to_string()));
    }
    if stop.load(Ordering::Relaxed) {
        drop(staging);
        return Err(folder.interrupted("while writing the results"));
    }
    // Renames seldom fail once every file is staged; if one does, the files
    // renamed before it are already the new run's.
    staging.commit().map_err(|error| {
        Failure::Runtime(format!(
            "{error}; in {} the new run's files written before it are in place and the others are still the previous run's (or missing)",
            folder.path.display()
        ))
    })?;
    if !flags.quiet {
        println!(
            "{}: {} x {} x {} (seed {}, {}, {:.2} s)\n",
            scenario.name,
            count(scenario.arms.len() as f64, "arm"),
            count(results.replicates_done as f64, "replicate"),
            count(f64::from(scenario.weeks), "week"),
            scenario.seed,
            count(threads as f64, "thread"),
            info.wall_time_seconds
        );
        print!("{}", output::summary_table(&scenario, &results));
        println!("\nwrote {}", folder.path.display());
    }
    Ok(())
}

/// Ctrl-C (and a polite kill) sets `stop`: the run stops within a week of
/// simulation and writes nothing. A second Ctrl-C ends the program at once.
fn listen_for_interruptions(stop: &Arc<AtomicBool>) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so that it sees the flag set by an earlier signal.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(stop));
        let _ = signal_hook::flag::register(signal, Arc::clone(stop));
    }
    #[cfg(unix)]
    {
        let _ = signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(stop));
    }
}

/// A run's output folder: `<out>/<sanitised scenario name>`.
struct OutputFolder {
    path: PathBuf,
    /// Folders this run created (innermost last), removed again if the run
    /// writes nothing into them.
    created: Vec<PathBuf>,
    /// Whether the folder already held a run's files.
    had_run: bool,
}

impl OutputFolder {
    fn prepare(out: &Path, scenario_name: &str) -> Result<OutputFolder, Failure> {
        let path = output::output_folder(out, scenario_name);
        let mut created: Vec<PathBuf> = path
            .ancestors()
            .filter(|folder| !folder.as_os_str().is_empty() && !folder.exists())
            .map(Path::to_path_buf)
            .collect();
        created.reverse();
        let cannot = |error: std::io::Error| {
            Failure::Runtime(format!(
                "{}: cannot create the output folder: {}",
                path.display(),
                error
            ))
        };
        if path.exists() && !path.is_dir() {
            return Err(Failure::Runtime(format!(
                "{}: is a file, not a folder; choose another --out",
                path.display()
            )));
        }
        std::fs::create_dir_all(&path).map_err(cannot)?;
        let folder = OutputFolder {
            had_run: path.join("manifest.json").is_file(),
            path,
            created,
        };
        if let Err(error) = Staging::probe(&folder.path) {
            return Err(folder.failed(&format!(
                "{}: cannot write in the output folder: {}",
                folder.path.display(),
                error.source
            )));
        }
        Ok(folder)
    }

    /// Removes the folders this run created, if they are still empty.
    fn tidy(&self) {
        for folder in self.created.iter().rev() {
            if std::fs::remove_dir(folder).is_err() {
                break;
            }
        }
    }

    /// What a user needs to know about the folder after a run that wrote nothing.
    fn nothing_written(&self) -> String {
        let mut text = format!("nothing was written to {}", self.path.display());
        if self.had_run {
            text.push_str(", which still holds the previous run's complete files");
        }
        text
    }

    fn failed(&self, message: &str) -> Failure {
        self.tidy();
        Failure::Runtime(format!("{message}; {}", self.nothing_written()))
    }

    fn interrupted(&self, when: &str) -> Failure {
        self.tidy();
        Failure::Interrupted(format!("interrupted {when}: {}", self.nothing_written()))
    }
}

fn progress_bar(scenario: &Scenario, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(runner::work_units(scenario));
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {msg} [{bar:30}] {percent}%, {elapsed} elapsed, ETA {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(format!(
        "{}: {} x {}",
        scenario.name,
        count(scenario.replicates as f64, "replicate"),
        count(scenario.arms.len() as f64, "arm")
    ));
    bar
}

fn report(dir: &Path) -> Result<(), Failure> {
    if !dir.join("weekly.csv").is_file() {
        return Err(Failure::BadInput(format!(
            "{}: not a run's output folder (no weekly.csv); give a folder like output/two-managers",
            dir.display()
        )));
    }
    let written = empathy_gap::report::write_report(dir)
        .map_err(|error| Failure::Runtime(error.to_string()))?;
    println!("wrote {} files in {}", written.files.len(), dir.display());
    Ok(())
}

fn validate(files: &[String], overrides: &[Override], force: bool) -> Result<(), Failure> {
    let budget = Budget::of_this_machine(thread_count(None)?);
    let mut problems = Vec::new();
    for file in files {
        match load(file, overrides, (!force).then_some(&budget)) {
            Ok((scenario, label)) => {
                let cost = scenario::size::estimate(
                    &scenario.resolved,
                    scenario.arms.len(),
                    budget.threads,
                );
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

fn list() {
    let width = BUNDLED
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, text) in BUNDLED {
        let description = toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|table| {
                table
                    .get("description")
                    .and_then(|d| d.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        println!(
            "{name:<width$}  {}",
            description.lines().next().unwrap_or("")
        );
    }
}
