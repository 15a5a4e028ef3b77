//! The `empathy-gap` command line: run, validate, list, report.
//!
//! Exit codes: 0 success, 2 bad input (scenario or arguments), 1 a failure
//! while running or writing. Errors are one line each, never a backtrace.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use empathy_gap::model::World;
use empathy_gap::output::{self, RunInfo};
use empathy_gap::runner::{self, RunOptions};
use empathy_gap::scenario::{self, Override, Scenario, ScenarioError};

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
    },
    /// List the bundled scenarios.
    List,
}

/// A failure and the exit code it maps to.
enum Failure {
    BadInput(String),
    Runtime(String),
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
        } => {
            // The shorthand flags are overrides like any other, validated the same way.
            let shorthands = [("replicates", replicates), ("seed", seed), ("weeks", weeks)]
                .into_iter()
                .filter_map(|(key, value)| Some(Override::shorthand(key, key, value?)));
            match parse_overrides(&set) {
                Ok(mut overrides) => {
                    overrides.extend(shorthands);
                    run(&scenario, &out, threads, &overrides, quiet, !no_charts)
                }
                Err(failure) => Err(failure),
            }
        }
        Command::Validate { files, set } => {
            parse_overrides(&set).and_then(|overrides| validate(&files, &overrides))
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

/// Loads a scenario from a file, or from the bundled set when no such file exists.
fn load(name: &str, overrides: &[Override]) -> Result<(Scenario, String), ScenarioError> {
    let path = Path::new(name);
    if !path.exists()
        && let Some((bundled, text)) = BUNDLED.iter().find(|(bundled, _)| *bundled == name)
    {
        let label = format!("scenarios/{bundled}.toml");
        return scenario::load_text(&label, text, overrides).map(|s| (s, label));
    }
    scenario::load_file(path, overrides).map(|s| (s, name.to_string()))
}

fn run(
    name: &str,
    out: &Path,
    threads: Option<usize>,
    overrides: &[Override],
    quiet: bool,
    charts: bool,
) -> Result<(), Failure> {
    let (scenario, label) =
        load(name, overrides).map_err(|error| Failure::BadInput(error.to_string()))?;
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if threads == 0 {
        return Err(Failure::BadInput(
            "--threads must be at least 1".to_string(),
        ));
    }
    let world = World::new(&scenario);
    let started = Instant::now();
    let bar = progress_bar(&scenario, quiet);
    let progress = |done: u64| bar.set_position(done);
    let options = RunOptions {
        threads,
        cancel: None,
        progress: Some(&progress),
    };
    let results = runner::run(&scenario, &world, &options)
        .map_err(|error| Failure::Runtime(error.to_string()))?;
    bar.finish_and_clear();
    let info = RunInfo {
        scenario_file: label,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        threads,
        wall_time_seconds: started.elapsed().as_secs_f64(),
    };
    let folder = output::output_folder(out, &scenario.name);
    output::write_run(&folder, &scenario, &results, &info, world.pairs.len())
        .map_err(|error| Failure::Runtime(error.to_string()))?;
    if charts {
        empathy_gap::report::write_report(&folder)
            .map_err(|error| Failure::Runtime(error.to_string()))?;
    }
    if !quiet {
        println!(
            "{}: {} arms x {} replicates x {} weeks (seed {}, {} threads, {:.2} s)\n",
            scenario.name,
            scenario.arms.len(),
            results.replicates_done,
            scenario.weeks,
            scenario.seed,
            threads,
            info.wall_time_seconds
        );
        print!("{}", output::summary_table(&scenario, &results));
        println!("\nwrote {}", folder.display());
    }
    Ok(())
}

fn progress_bar(scenario: &Scenario, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(scenario.replicates);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {msg} [{bar:30}] {pos}/{len} replicates, {elapsed} elapsed, ETA {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(scenario.name.clone());
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

fn validate(files: &[String], overrides: &[Override]) -> Result<(), Failure> {
    let mut problems = Vec::new();
    for file in files {
        match load(file, overrides) {
            Ok((scenario, label)) => println!(
                "{label}: ok ({} leaders, {} projects, {} arms, {} weeks)",
                scenario.organisation.leaders.len(),
                scenario.organisation.projects.len(),
                scenario.arms.len(),
                scenario.weeks
            ),
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
