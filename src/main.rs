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
use empathy_gap::shard::{self, SavedOverride, SavedSweep, ShardManifest, ShardSpec};
use empathy_gap::staging::Staging;
use empathy_gap::sweep::{Grid, SweepInfo, SweepParam};
use empathy_gap::words::{bytes_in_words, count, seconds_in_words, thousands};

// TEMPORARY SHIM until the report side lands.
mod sweep_report {
    pub const SWEEP_REPORT_METRICS: &[&str] = &["conflict_hours_per_leader_after_start"];
    pub struct SweepFiles<'a> {
        pub csv: &'a [u8],
        pub manifest: &'a [u8],
    }
    pub fn stage_sweep_report(
        _: &mut empathy_gap::staging::Staging,
        _: &SweepFiles<'_>,
    ) -> Result<(), empathy_gap::report::ReportError> {
        Ok(())
    }
    pub fn sweep_file_names() -> Vec<String> {
        Vec::new()
    }
}

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
        #[command(flatten)]
        common: CommonArgs,
        /// Run only the K-th of N shards of the replicates, into OUT/<name>/shard-K-of-N/;
        /// `merge` combines the shards into the files one run writes.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
    },
    /// Run a scenario at every point of a grid of values and write sweep.csv,
    /// heatmaps and report.html.
    Sweep {
        /// A scenario file, or the name of a bundled scenario (see `list`).
        scenario: String,
        /// A value to sweep: its dotted path (as for --set) and STEPS evenly spaced
        /// values from FROM to TO, e.g. trust.initial=0.1:0.9:9. Repeat for a grid.
        #[arg(long = "param", value_name = "PATH=FROM:TO:STEPS")]
        params: Vec<String>,
        /// One of the scenario's own [sweeps.NAME] (instead of --param).
        #[arg(long = "sweep", value_name = "NAME")]
        sweep_name: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
        /// Run only the K-th of N shards of the points, into OUT/<name>/shard-K-of-N/.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
    },
    /// Combine the shards of a run or sweep (made with --shard) into the files
    /// one unsharded run writes.
    Merge {
        /// Shard folders, or folders that hold them (e.g. output/two-managers).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write (default: the folder that holds the first shard).
        #[arg(long)]
        out: Option<PathBuf>,
        /// No summary table.
        #[arg(long)]
        quiet: bool,
        /// Skip the charts and report.html.
        #[arg(long)]
        no_charts: bool,
    },
    /// Redraw the charts and report.html of an earlier run or sweep from its CSV files.
    Report {
        /// A run's or sweep's output folder, e.g. output/two-managers.
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

/// Options `run` and `sweep` share.
#[derive(clap::Args)]
struct CommonArgs {
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
}

impl CommonArgs {
    /// The `--set` overrides, then the shorthand flags (overrides like any
    /// other, validated the same way), and how to run.
    fn parse(self) -> Result<(Vec<Override>, RunFlags), Failure> {
        let mut overrides = parse_overrides(&self.set)?;
        let shorthands = [
            ("replicates", self.replicates),
            ("seed", self.seed),
            ("weeks", self.weeks),
        ];
        overrides.extend(
            shorthands
                .into_iter()
                .filter_map(|(key, value)| Some(Override::shorthand(key, value?))),
        );
        let flags = RunFlags {
            out: self.out,
            threads: self.threads,
            quiet: self.quiet,
            charts: !self.no_charts,
            force: self.force,
            replicates: self.replicates,
        };
        Ok((overrides, flags))
    }
}

fn parse_shard(shard: Option<&str>) -> Result<Option<ShardSpec>, Failure> {
    shard
        .map(|text| ShardSpec::parse(text).map_err(Failure::BadInput))
        .transpose()
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
            common,
            shard,
        } => common.parse().and_then(|(overrides, flags)| {
            let shard = parse_shard(shard.as_deref())?;
            run(&scenario, &overrides, &flags, shard)
        }),
        Command::Sweep {
            scenario,
            params,
            sweep_name,
            common,
            shard,
        } => common.parse().and_then(|(overrides, flags)| {
            let shard = parse_shard(shard.as_deref())?;
            let asked = SweepAsked {
                params: &params,
                name: sweep_name.as_deref(),
            };
            sweep(&scenario, &overrides, &flags, &asked, shard)
        }),
        Command::Merge {
            dirs,
            out,
            quiet,
            no_charts,
        } => merge(&dirs, out.as_deref(), quiet, !no_charts),
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

/// How `run` and `sweep` behave, from their flags.
struct RunFlags {
    out: PathBuf,
    threads: Option<usize>,
    quiet: bool,
    charts: bool,
    force: bool,
    /// `--replicates`, which beats a sweep's own number of replicates.
    replicates: Option<u64>,
}

/// The command line as typed, for manifests.
fn command_line() -> Vec<String> {
    std::env::args().collect()
}

/// The text of a scenario given by file or bundled name, for a shard to keep.
fn scenario_text(name: &str, label: &str) -> Result<String, Failure> {
    if let Some((_, text)) = BUNDLED
        .iter()
        .find(|(bundled, _)| format!("scenarios/{bundled}.toml") == label)
    {
        return Ok((*text).to_string());
    }
    std::fs::read_to_string(name)
        .map_err(|error| Failure::Runtime(format!("{name}: cannot read again: {error}")))
}

/// Runs `work` with a progress bar of `units` arm-weeks fed from the counter
/// it is given.
fn with_progress<T>(bar: &indicatif::ProgressBar, work: impl FnOnce(&AtomicU64) -> T + Send) -> T
where
    T: Send,
{
    let done = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let outcome = std::thread::scope(|scope| {
        let ticker = scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                bar.set_position(done.load(Ordering::Relaxed));
                std::thread::park_timeout(Duration::from_millis(100));
            }
        });
        let outcome = work(&done);
        finished.store(true, Ordering::Relaxed);
        ticker.thread().unpark();
        outcome
    });
    bar.finish_and_clear();
    outcome
}

fn run(
    name: &str,
    overrides: &[Override],
    flags: &RunFlags,
    shard: Option<ShardSpec>,
) -> Result<(), Failure> {
    let threads = thread_count(flags.threads)?;
    let budget = Budget::of_this_machine(threads);
    let (scenario, label) = load(name, overrides, (!flags.force).then_some(&budget))
        .map_err(|error| Failure::BadInput(error.to_string()))?;
    let total_blocks = runner::block_count(scenario.replicates);
    let blocks = match shard {
        Some(spec) if spec.count > total_blocks => {
            return Err(Failure::BadInput(format!(
                "--shard {}/{}: {} replicates make {} of {} replicates, the smallest part a shard runs; split the run into at most {} shards",
                spec.index,
                spec.count,
                thousands(scenario.replicates),
                count(total_blocks as f64, "block"),
                runner::BLOCK,
                total_blocks
            )));
        }
        Some(spec) => spec.blocks(total_blocks),
        None => 0..total_blocks,
    };
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    // The folder is made and tested before the run, not after an hour of it.
    let mut path = output::output_folder(&flags.out, &scenario.name);
    if let Some(spec) = shard {
        path.push(spec.folder_name());
    }
    let folder = OutputFolder::prepare(path)?;
    let world = World::new(&scenario);
    let started = Instant::now();
    let replicates = runner::block_replicates(&blocks, scenario.replicates);
    let bar = progress_bar(
        &scenario,
        replicates.end - replicates.start,
        runner::work_units_of(&scenario, replicates.end - replicates.start),
        flags.quiet,
    );
    let mut staging = Staging::new(&folder.path);
    let outcome = with_progress(&bar, |done| {
        let options = RunOptions {
            threads,
            cancel: Some(&stop),
            progress: Some(done),
        };
        if shard.is_some() {
            staging
                .write(shard::BLOCKS, &shard::blocks_header(&scenario))
                .map_err(RunError::Finished)?;
        }
        runner::run_blocks(
            &scenario,
            &world,
            &options,
            blocks.clone(),
            |block, stats| match shard {
                Some(_) => staging.append(shard::BLOCKS, &shard::encode_block(block, stats)),
                None => Ok(()),
            },
        )
    });
    let results = match outcome {
        Ok(results) => results,
        Err(RunError::Interrupted { done, total }) => {
            drop(staging);
            return Err(folder.interrupted(&format!(
                "after {} of {} replicates",
                thousands(done),
                thousands(total)
            )));
        }
        Err(RunError::Finished(error)) => {
            drop(staging);
            return Err(folder.failed(&error.to_string()));
        }
        Err(error) => return Err(Failure::Runtime(error.to_string())),
    };
    let args = command_line();
    let wall_time_seconds = started.elapsed().as_secs_f64();
    if let Some(spec) = shard {
        let manifest = ShardManifest {
            kind: "run".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            shard: spec.index,
            of: spec.count,
            scenario_text: scenario_text(name, &label)?,
            scenario_file: label,
            overrides: SavedOverride::save(overrides),
            sweep: None,
            blocks: Some([blocks.start, blocks.end]),
            command: shard::unsharded_command(&args),
            threads,
            wall_time_seconds,
            n_pairs: world.pairs.len(),
        };
        commit_shard(staging, &folder, &manifest, &stop)?;
        if !flags.quiet {
            println!(
                "{}: shard {} of {}: replicates {} to {} ({}, {:.2} s)\nwrote {}",
                scenario.name,
                spec.index,
                spec.count,
                thousands(replicates.start),
                thousands(replicates.end.saturating_sub(1)),
                count(threads as f64, "thread"),
                wall_time_seconds,
                folder.path.display()
            );
        }
        return Ok(());
    }
    let info = RunInfo {
        scenario_file: label,
        command: args.join(" "),
        threads,
        wall_time_seconds,
        shards: None,
    };
    write_run(
        staging,
        &folder,
        &scenario,
        &results,
        &info,
        world.pairs.len(),
        flags.charts,
        &stop,
    )?;
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

/// Stages a run's files (and its charts and report, or the removal of an
/// earlier run's) and puts them in place together.
#[allow(clippy::too_many_arguments)]
fn write_run(
    mut staging: Staging,
    folder: &OutputFolder,
    scenario: &Scenario,
    results: &runner::Results,
    info: &RunInfo,
    pairs: usize,
    charts: bool,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    let files = RunBytes::new(scenario, results, info, pairs);
    let written = (|| {
        files.stage(&mut staging)?;
        if charts {
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
    commit(staging, folder, written, stop)
}

/// Puts staged files in place, unless staging failed or a stop was asked for.
fn commit(
    staging: Staging,
    folder: &OutputFolder,
    written: Result<(), Box<dyn std::error::Error>>,
    stop: &AtomicBool,
) -> Result<(), Failure> {
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
    Ok(())
}

/// Stages a shard's manifest, last (it says the shard is complete), and
/// commits the shard's files.
fn commit_shard(
    mut staging: Staging,
    folder: &OutputFolder,
    manifest: &ShardManifest,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(manifest).unwrap_or_default();
    text.push('\n');
    let written = staging
        .write(shard::MANIFEST, text.as_bytes())
        .map_err(Into::into);
    commit(staging, folder, written, stop)
}

/// What `sweep` was asked to sweep: `--param`s, or one of the scenario's sweeps.
struct SweepAsked<'a> {
    params: &'a [String],
    name: Option<&'a str>,
}

/// A sweep resolved against its scenario.
struct SweepPlan {
    grid: Grid,
    /// The scenario's sweep, or `None` for `--param`.
    name: Option<String>,
    description: String,
    /// `PATH=FROM:TO:STEPS` of each parameter, as given.
    texts: Vec<String>,
    /// Where each parameter was asked for, for messages.
    origins: Vec<String>,
    replicates: u64,
    /// Sets the sweep's own replicates at every point, when it has them.
    replicates_override: Option<Override>,
}

impl SweepPlan {
    fn new(
        base: &Scenario,
        label: &str,
        asked: &SweepAsked<'_>,
        replicates_flag: Option<u64>,
    ) -> Result<SweepPlan, Failure> {
        let bad = |message: String| Failure::BadInput(message);
        if !asked.params.is_empty() {
            if asked.name.is_some() {
                return Err(bad(
                    "--sweep and --param cannot be combined: --param sweeps a grid of its own"
                        .to_string(),
                ));
            }
            let mut params = Vec::new();
            let mut problems = Vec::new();
            for text in asked.params {
                match SweepParam::parse(text) {
                    Ok(param) => params.push(param),
                    Err(message) => problems.push(format!("--param {text}: {message}")),
                }
            }
            if !problems.is_empty() {
                return Err(bad(problems.join("\n")));
            }
            let grid = Grid::new(params).map_err(|message| bad(format!("--param: {message}")))?;
            return Ok(SweepPlan {
                grid,
                name: None,
                description: String::new(),
                texts: asked.params.to_vec(),
                origins: asked
                    .params
                    .iter()
                    .map(|t| format!("--param {t}"))
                    .collect(),
                replicates: base.replicates,
                replicates_override: None,
            });
        }
        let sweeps = &base.resolved.sweeps;
        let names: Vec<&str> = sweeps.keys().map(String::as_str).collect();
        let (name, raw) = match asked.name {
            Some(name) => sweeps.get_key_value(name).ok_or_else(|| {
                let hint = match scenario::did_you_mean(name, &names) {
                    Some(near) => format!("; did you mean `{near}`?"),
                    None if names.is_empty() => "; it has none".to_string(),
                    None => format!("; it has {}", names.join(", ")),
                };
                bad(format!("--sweep {name}: {label} has no such sweep{hint}"))
            })?,
            None => match sweeps.len() {
                1 => sweeps.iter().next().expect("one sweep"),
                0 => {
                    return Err(bad(format!(
                        "{label}: has no [sweeps] of its own; say what to sweep with --param PATH=FROM:TO:STEPS, like --param trust.initial=0.1:0.9:9"
                    )));
                }
                _ => {
                    return Err(bad(format!(
                        "{label}: has several sweeps ({}); choose one with --sweep NAME",
                        names.join(", ")
                    )));
                }
            },
        };
        let params = raw
            .params
            .iter()
            .map(|text| SweepParam::parse(text).map_err(bad))
            .collect::<Result<Vec<_>, _>>()?;
        let grid = Grid::new(params).map_err(bad)?;
        let own = raw.replicates.map(|r| r.max(1) as u64);
        let replicates = replicates_flag.or(own).unwrap_or(base.replicates);
        let replicates_override = match (replicates_flag, own) {
            (None, Some(own)) => {
                let mut set = Override::shorthand("replicates", own);
                set.argument = format!("{label}: sweeps.{name}.replicates");
                Some(set)
            }
            _ => None,
        };
        Ok(SweepPlan {
            grid,
            name: Some(name.clone()),
            description: raw.description.trim().to_string(),
            texts: raw.params.clone(),
            origins: (0..raw.params.len())
                .map(|index| format!("{label}: sweeps.{name}.params[{index}]"))
                .collect(),
            replicates,
            replicates_override,
        })
    }

    /// Every override of `point`: the run's own, the sweep's replicates, the point's values.
    fn overrides(&self, base: &[Override], point: u64) -> Vec<Override> {
        let mut overrides = base.to_vec();
        overrides.extend(self.replicates_override.clone());
        overrides.extend(
            self.grid
                .overrides_at(point, &|index| self.origins[index].clone()),
        );
        overrides
    }

    /// The sweep's output folder name under OUT: `<scenario>-<sweep>`.
    fn folder_name(&self, scenario: &str) -> String {
        format!("{scenario}-{}", self.name.as_deref().unwrap_or("sweep"))
    }
}

fn sweep(
    name: &str,
    overrides: &[Override],
    flags: &RunFlags,
    asked: &SweepAsked<'_>,
    shard: Option<ShardSpec>,
) -> Result<(), Failure> {
    let threads = thread_count(flags.threads)?;
    let budget = Budget::of_this_machine(threads);
    let budget = (!flags.force).then_some(&budget);
    let (base, label) =
        load(name, overrides, budget).map_err(|error| Failure::BadInput(error.to_string()))?;
    let plan = SweepPlan::new(&base, &label, asked, flags.replicates)?;
    let text = scenario_text(name, &label)?;
    let load_point = |point: u64, budget: Option<&Budget>| {
        scenario::load_bytes_within(
            &label,
            text.as_bytes(),
            &plan.overrides(overrides, point),
            budget,
        )
        .map_err(|error| Failure::BadInput(error.to_string()))
    };
    // Values the scenario refuses are found now, not hours into the sweep.
    for point in plan.grid.probe_points() {
        load_point(point, budget)?;
    }
    let points: Vec<u64> = (0..plan.grid.points())
        .filter(|&point| shard.is_none_or(|spec| spec.has_point(point)))
        .collect();
    if points.is_empty() {
        return Err(Failure::BadInput(format!(
            "--shard {}: the sweep has only {}; split it into at most {} shards",
            shard.map_or(String::new(), |s| format!("{}/{}", s.index, s.count)),
            count(plan.grid.points() as f64, "point"),
            plan.grid.points()
        )));
    }
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    let mut path = output::output_folder(&flags.out, &plan.folder_name(&base.name));
    if let Some(spec) = shard {
        path.push(spec.folder_name());
    }
    let folder = OutputFolder::prepare(path)?;
    let started = Instant::now();
    let bar = progress_bar(
        &base,
        plan.replicates,
        runner::work_units_of(&base, plan.replicates) * points.len() as u64,
        flags.quiet,
    );
    if !flags.quiet {
        bar.set_message(format!(
            "{}: {} x {} x {}",
            base.name,
            count(points.len() as f64, "point"),
            count(plan.replicates as f64, "replicate"),
            count(base.arms.len() as f64, "arm")
        ));
    }
    let pool = runner::pool(threads).map_err(|error| Failure::Runtime(error.to_string()))?;
    let mut staging = Staging::new(&folder.path);
    let mut report_rows = plan.grid.csv_header();
    let keep = sweep_report::SWEEP_REPORT_METRICS;
    let outcome = with_progress(&bar, |done| -> Result<(), Failure> {
        let options = RunOptions {
            threads,
            cancel: Some(&stop),
            progress: Some(done),
        };
        let write_failed =
            |error: empathy_gap::staging::WriteError| folder.failed(&error.to_string());
        staging
            .write(SWEEP_CSV, plan.grid.csv_header().as_bytes())
            .map_err(write_failed)?;
        for (finished, &point) in points.iter().enumerate() {
            let scenario = load_point(point, None)?;
            let world = World::new(&scenario);
            let results = match runner::run_on(&pool, &scenario, &world, &options) {
                Ok(results) => results,
                Err(RunError::Interrupted { .. }) => {
                    return Err(folder.interrupted(&format!(
                        "after {} of {}",
                        thousands(finished as u64),
                        count(points.len() as f64, "point")
                    )));
                }
                Err(error) => return Err(Failure::Runtime(error.to_string())),
            };
            let (rows, kept) = plan.grid.csv_rows(point, &scenario, &results, keep);
            staging
                .append(SWEEP_CSV, rows.as_bytes())
                .map_err(write_failed)?;
            report_rows.push_str(&kept);
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        drop(staging);
        return Err(failure);
    }
    let args = command_line();
    let wall_time_seconds = started.elapsed().as_secs_f64();
    if let Some(spec) = shard {
        let manifest = ShardManifest {
            kind: "sweep".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            shard: spec.index,
            of: spec.count,
            scenario_file: label.clone(),
            scenario_text: text,
            overrides: SavedOverride::save(overrides),
            sweep: Some(SavedSweep {
                name: plan.name.clone(),
                params: plan.texts.clone(),
                replicates: plan.replicates,
            }),
            blocks: None,
            command: shard::unsharded_command(&args),
            threads,
            wall_time_seconds,
            n_pairs: 0,
        };
        commit_shard(staging, &folder, &manifest, &stop)?;
        if !flags.quiet {
            println!(
                "{}: shard {} of {}: {} of {} ({:.2} s)\nwrote {}",
                base.name,
                spec.index,
                spec.count,
                count(points.len() as f64, "point"),
                thousands(plan.grid.points()),
                wall_time_seconds,
                folder.path.display()
            );
        }
        return Ok(());
    }
    let info = SweepInfo {
        sweep_name: plan.name.as_deref(),
        description: &plan.description,
        scenario_file: &label,
        command: &args.join(" "),
        replicates: plan.replicates,
        threads,
        wall_time_seconds,
        shards: None,
    };
    let manifest = empathy_gap::sweep::manifest_json(&base, &plan.grid, &info);
    write_sweep(
        staging,
        &folder,
        &manifest,
        &report_rows,
        flags.charts,
        &stop,
    )?;
    if !flags.quiet {
        println!(
            "{}: {} x {} x {} (seed {}, {}, {:.2} s)\nwrote {}",
            plan.folder_name(&base.name),
            count(plan.grid.points() as f64, "point"),
            count(base.arms.len() as f64, "arm"),
            count(plan.replicates as f64, "replicate"),
            base.seed,
            count(threads as f64, "thread"),
            wall_time_seconds,
            folder.path.display()
        );
    }
    Ok(())
}

/// The sweep's table of results.
const SWEEP_CSV: &str = "sweep.csv";
/// The sweep's manifest.
const SWEEP_JSON: &str = "sweep.json";

/// Stages a sweep's manifest and report (its `sweep.csv` is staged already)
/// and puts the files in place together.
fn write_sweep(
    mut staging: Staging,
    folder: &OutputFolder,
    manifest: &[u8],
    report_rows: &str,
    charts: bool,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    let written = (|| {
        staging.write(SWEEP_JSON, manifest)?;
        if charts {
            let files = sweep_report::SweepFiles {
                csv: report_rows.as_bytes(),
                manifest,
            };
            sweep_report::stage_sweep_report(&mut staging, &files)?;
        } else {
            for name in sweep_report::sweep_file_names() {
                staging.remove(&name);
            }
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })();
    commit(staging, folder, written, stop)
}

/// `merge`: the shards of one run or sweep into its files.
fn merge(dirs: &[PathBuf], out: Option<&Path>, quiet: bool, charts: bool) -> Result<(), Failure> {
    let folders = shard::find(dirs).map_err(Failure::BadInput)?;
    let shards = shard::read_all(&folders).map_err(Failure::BadInput)?;
    let (first_folder, first) = &shards[0];
    let overrides = SavedOverride::restore(&first.overrides);
    let scenario = scenario::load_bytes_within(
        &first.scenario_file,
        first.scenario_text.as_bytes(),
        &overrides,
        None,
    )
    .map_err(|error| {
        Failure::BadInput(format!(
            "{}: the shards' scenario no longer loads: {error}",
            first_folder.display()
        ))
    })?;
    let target = match out {
        Some(out) => out.to_path_buf(),
        None => first_folder
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    let threads = shards.iter().map(|(_, m)| m.threads).sum();
    let wall_time_seconds = shards
        .iter()
        .map(|(_, m)| m.wall_time_seconds)
        .fold(0.0, f64::max);
    match &first.sweep {
        None => {
            let mut results = runner::Results::new(scenario.arms.len(), scenario.weeks as usize);
            let mut expected = 0;
            for (shard_folder, _) in &shards {
                let path = shard_folder.join(shard::BLOCKS);
                let mut reader =
                    shard::BlockReader::open(&path, &scenario).map_err(Failure::BadInput)?;
                while let Some((block, stats)) = reader.next_block().map_err(Failure::BadInput)? {
                    if block != expected {
                        return Err(Failure::BadInput(format!(
                            "{}: holds block {block} where block {expected} was expected",
                            path.display()
                        )));
                    }
                    results.merge(&stats);
                    expected += 1;
                }
            }
            if results.replicates_done != scenario.replicates {
                return Err(Failure::BadInput(format!(
                    "the shards hold {} of {} replicates: a shard was stopped before it finished",
                    thousands(results.replicates_done),
                    thousands(scenario.replicates)
                )));
            }
            // Written only once every block has been read.
            let folder = OutputFolder::prepare(target)?;
            let staging = Staging::new(&folder.path);
            let info = RunInfo {
                scenario_file: first.scenario_file.clone(),
                command: first.command.clone(),
                threads,
                wall_time_seconds,
                shards: Some(first.of),
            };
            write_run(
                staging,
                &folder,
                &scenario,
                &results,
                &info,
                first.n_pairs,
                charts,
                &stop,
            )?;
            if !quiet {
                println!(
                    "{}: merged {} ({} x {})\n",
                    scenario.name,
                    count(shards.len() as f64, "shard"),
                    count(scenario.arms.len() as f64, "arm"),
                    count(results.replicates_done as f64, "replicate"),
                );
                print!("{}", output::summary_table(&scenario, &results));
                println!("\nwrote {}", folder.path.display());
            }
        }
        Some(saved) => {
            let grid = saved
                .params
                .iter()
                .map(|text| SweepParam::parse(text))
                .collect::<Result<Vec<_>, _>>()
                .and_then(Grid::new)
                .map_err(|message| {
                    Failure::BadInput(format!("{}: {message}", first_folder.display()))
                })?;
            let folder = OutputFolder::prepare(target)?;
            let mut staging = Staging::new(&folder.path);
            let report_rows =
                merge_sweep_rows(&shards, &grid, &mut staging).map_err(|failure| {
                    folder.tidy();
                    failure
                })?;
            let description = saved
                .name
                .as_ref()
                .and_then(|name| scenario.resolved.sweeps.get(name))
                .map_or(String::new(), |sweep| sweep.description.trim().to_string());
            let info = SweepInfo {
                sweep_name: saved.name.as_deref(),
                description: &description,
                scenario_file: &first.scenario_file,
                command: &first.command,
                replicates: saved.replicates,
                threads,
                wall_time_seconds,
                shards: Some(first.of),
            };
            let manifest = empathy_gap::sweep::manifest_json(&scenario, &grid, &info);
            write_sweep(staging, &folder, &manifest, &report_rows, charts, &stop)?;
            if !quiet {
                println!(
                    "{}: merged {} ({})\nwrote {}",
                    scenario.name,
                    count(shards.len() as f64, "shard"),
                    count(grid.points() as f64, "point"),
                    folder.path.display()
                );
            }
        }
    }
    Ok(())
}

/// Stages `sweep.csv` from the shards' rows, in point order (shard K holds
/// the points `p` with `p mod N = K - 1`, each in order), and returns the
/// rows the report draws.
fn merge_sweep_rows(
    shards: &[(PathBuf, ShardManifest)],
    grid: &Grid,
    staging: &mut Staging,
) -> Result<String, Failure> {
    use std::io::BufRead;
    let header = grid.csv_header();
    let keep = sweep_report::SWEEP_REPORT_METRICS;
    let mut readers = Vec::with_capacity(shards.len());
    for (folder, _) in shards {
        let path = folder.join(SWEEP_CSV);
        let file = std::fs::File::open(&path).map_err(|error| {
            Failure::BadInput(format!("{}: cannot read: {error}", path.display()))
        })?;
        let mut lines = std::io::BufReader::new(file).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        if first != header.trim_end() {
            return Err(Failure::BadInput(format!(
                "{}: line 1: not the header of this sweep's rows",
                path.display()
            )));
        }
        readers.push((path, lines, 1u64, None::<String>));
    }
    let read_next = |reader: &mut (
        PathBuf,
        std::io::Lines<std::io::BufReader<std::fs::File>>,
        u64,
        Option<String>,
    )|
     -> Result<(), Failure> {
        reader.3 = match reader.1.next() {
            Some(Ok(line)) => {
                reader.2 += 1;
                Some(line)
            }
            Some(Err(error)) => {
                return Err(Failure::BadInput(format!(
                    "{}: line {}: cannot read: {error}",
                    reader.0.display(),
                    reader.2 + 1
                )));
            }
            None => None,
        };
        Ok(())
    };
    for reader in &mut readers {
        read_next(reader)?;
    }
    let write_failed =
        |error: empathy_gap::staging::WriteError| Failure::Runtime(error.to_string());
    staging
        .write(SWEEP_CSV, header.as_bytes())
        .map_err(write_failed)?;
    let mut report_rows = header.clone();
    for point in 0..grid.points() {
        let reader = &mut readers[(point % shards.len() as u64) as usize];
        let mut rows = String::new();
        while let Some(line) = reader.3.take() {
            if empathy_gap::sweep::row_point(&line) != Some(point) {
                reader.3 = Some(line);
                break;
            }
            if empathy_gap::sweep::row_metric(&line, grid.params.len())
                .is_some_and(|metric| keep.contains(&metric))
            {
                report_rows.push_str(&line);
                report_rows.push('\n');
            }
            rows.push_str(&line);
            rows.push('\n');
            read_next(reader)?;
        }
        if rows.is_empty() {
            return Err(Failure::BadInput(format!(
                "{}: line {}: expected the rows of point {point} (a shard stopped early, or was changed)",
                reader.0.display(),
                reader.2
            )));
        }
        staging
            .append(SWEEP_CSV, rows.as_bytes())
            .map_err(write_failed)?;
    }
    if let Some(reader) = readers.iter().find(|reader| reader.3.is_some()) {
        return Err(Failure::BadInput(format!(
            "{}: line {}: a row beyond this sweep's points",
            reader.0.display(),
            reader.2
        )));
    }
    Ok(report_rows)
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
    fn prepare(path: PathBuf) -> Result<OutputFolder, Failure> {
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
            had_run: ["manifest.json", "sweep.json", shard::MANIFEST]
                .iter()
                .any(|name| path.join(name).is_file()),
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

fn progress_bar(
    scenario: &Scenario,
    replicates: u64,
    units: u64,
    quiet: bool,
) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(units);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {msg} [{bar:30}] {percent}%, {elapsed} elapsed, ETA {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(format!(
        "{}: {} x {}",
        scenario.name,
        count(replicates as f64, "replicate"),
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
                for (name, sweep) in &scenario.resolved.sweeps {
                    let points: u64 = sweep
                        .params
                        .iter()
                        .filter_map(|text| SweepParam::parse(text).ok())
                        .map(|param| param.steps)
                        .product();
                    let replicates = sweep
                        .replicates
                        .map_or(scenario.replicates, |r| r.max(1) as u64);
                    println!(
                        "  sweep {name}: {} x {} ({}), run with: empathy-gap sweep {file} --sweep {name}",
                        count(points as f64, "point"),
                        count(replicates as f64, "replicate"),
                        sweep.params.join(", "),
                    );
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

fn list() {
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
