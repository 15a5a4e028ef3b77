//! `run`: every replicate of every arm, or one shard of them, with a
//! progress bar, and the run's files put in place together.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use empathy_gap::model::World;
use empathy_gap::output::{self, RunBytes, RunInfo};
use empathy_gap::report::RunFiles;
use empathy_gap::runner::{self, ArmOutcome, EntitySink, RunError, RunOptions};
use empathy_gap::scenario::{self, Budget, Override, Scenario};
use empathy_gap::shard::{self, ShardManifest, ShardSpec};
use empathy_gap::staging::{Staging, WriteError};
use empathy_gap::words::{bytes_in_words, count, thousands};

use super::folder::{OutputFolder, commit, commit_shard, listen_for_interruptions};
use super::scenarios::load;
use super::{Failure, thread_count};

/// How `run` and `sweep` behave, from their flags.
pub(crate) struct RunFlags {
    pub(crate) out: PathBuf,
    pub(crate) threads: Option<usize>,
    pub(crate) quiet: bool,
    pub(crate) charts: bool,
    /// `--wide`: every metric in the summary table.
    pub(crate) wide: bool,
    pub(crate) force: bool,
    /// `--replicates`, which beats a sweep's own number of replicates.
    pub(crate) replicates: Option<u64>,
    /// `--detail`: `Some(None)` for every replicate, `Some(Some(n))` for the
    /// first `n` (`--detail-replicates`).
    pub(crate) detail: Option<Option<u64>>,
}

/// Largest detail files a run writes without `--force` (bytes).
pub(crate) const DETAIL_LIMIT_BYTES: f64 = 2.0 * 1024.0 * 1024.0 * 1024.0;

/// How many replicates get per-entity rows, of `replicates`, when each
/// replicate's rows take about `bytes_per_replicate`; refused with the
/// estimate when the files would pass [`DETAIL_LIMIT_BYTES`] (unless
/// forced). `scope` follows "replicates" in the message (a sweep's points).
pub(crate) fn detail_replicates(
    flags: &RunFlags,
    replicates: u64,
    bytes_per_replicate: f64,
    scope: &str,
) -> Result<u64, Failure> {
    let Some(asked) = flags.detail else {
        return Ok(0);
    };
    let replicates = asked.unwrap_or(replicates).min(replicates);
    let bytes = replicates as f64 * bytes_per_replicate;
    if bytes > DETAIL_LIMIT_BYTES && !flags.force {
        let fits = (DETAIL_LIMIT_BYTES / bytes_per_replicate).floor() as u64;
        let lower = if fits >= 1 {
            format!("--detail-replicates {fits} to stay under it")
        } else {
            "a smaller organisation".to_string()
        };
        return Err(Failure::BadInput(format!(
            "--detail: the detail files of {}{scope} would take about {} (the limit is {}); use {lower}, or --force to write them anyway",
            count(replicates as f64, "replicate"),
            bytes_in_words(bytes),
            bytes_in_words(DETAIL_LIMIT_BYTES),
        )));
    }
    Ok(replicates)
}

/// Stages the detail files' headers (when `replicates` > 0), each after
/// `prefix` (a sweep's point and parameter columns), or the removal of an
/// earlier run's detail files, which would no longer match.
pub(crate) fn stage_detail_headers(
    staging: &mut Staging,
    replicates: u64,
    prefix: &str,
) -> Result<(), WriteError> {
    if replicates == 0 {
        for name in output::entities::FILES {
            staging.remove(name);
        }
        return Ok(());
    }
    staging.write(
        output::entities::REPLICATES_CSV,
        output::entities::replicates_header(prefix).as_bytes(),
    )?;
    staging.write(
        output::entities::LEADERS_CSV,
        output::entities::leaders_header(prefix).as_bytes(),
    )?;
    staging.write(
        output::entities::RELATIONSHIPS_CSV,
        output::entities::relationships_header(prefix).as_bytes(),
    )
}

/// Appends one replicate's per-entity rows to the staged detail files,
/// each row after `prefix`.
pub(crate) fn append_detail(
    staging: &mut Staging,
    prefix: &str,
    scenario: &Scenario,
    world: &World,
    replicate: u64,
    outcomes: &[ArmOutcome],
) -> Result<(), WriteError> {
    let (mut leaders, mut relationships) = (String::new(), String::new());
    for (arm, outcome) in outcomes.iter().enumerate() {
        if let Some(rows) = &outcome.entities {
            let (l, r) =
                output::entities::entity_rows(prefix, scenario, world, replicate, arm, rows);
            leaders.push_str(&l);
            relationships.push_str(&r);
        }
    }
    staging.append(
        output::entities::REPLICATES_CSV,
        output::entities::replicates_rows(prefix, scenario, replicate, outcomes).as_bytes(),
    )?;
    staging.append(output::entities::LEADERS_CSV, leaders.as_bytes())?;
    staging.append(
        output::entities::RELATIONSHIPS_CSV,
        relationships.as_bytes(),
    )
}

/// The command line as typed, for manifests (an argument that is not UTF-8,
/// such as a folder's name, with U+FFFD for each byte that is not).
pub(crate) fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect()
}

/// Runs `work` with a progress bar of `units` arm-weeks fed from the counter
/// it is given.
pub(crate) fn with_progress<T>(
    bar: &indicatif::ProgressBar,
    work: impl FnOnce(&AtomicU64) -> T,
) -> T {
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

pub(crate) fn run(
    name: &str,
    overrides: &[Override],
    flags: &RunFlags,
    shard: Option<ShardSpec>,
) -> Result<(), Failure> {
    let threads = thread_count(flags.threads)?;
    let budget = Budget::of_this_machine(threads);
    let source = load(name, overrides, (!flags.force).then_some(&budget))
        .map_err(|error| Failure::BadInput(error.to_string()))?;
    let (scenario, label) = (&source.scenario, source.label.clone());
    let total_blocks = runner::block_count(scenario.replicates);
    let blocks = match shard {
        Some(spec) if spec.count > total_blocks => {
            return Err(Failure::BadInput(format!(
                "--shard {}/{}: {} replicates make {} of {} replicates, the smallest part a shard runs; split the run into at most {}",
                spec.index,
                spec.count,
                thousands(scenario.replicates),
                count(total_blocks as f64, "block"),
                runner::BLOCK,
                count(total_blocks as f64, "shard")
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
    let world = World::new(scenario);
    let detail = detail_replicates(
        flags,
        scenario.replicates,
        output::entities::estimated_bytes(scenario, &world, 1),
        "",
    )?;
    let folder = OutputFolder::prepare(path)?;
    folder.check_scenario(&scenario.name)?;
    // Said before the run, since it does not depend on it; the run's own
    // measure of growing queues would then only repeat it.
    let unbounded = scenario::overload::unbounded_queues_warning(scenario);
    if let Some(warning) = &unbounded {
        eprintln!("warning: {label}: {warning}");
    }
    let started = Instant::now();
    let replicates = runner::block_replicates(&blocks, scenario.replicates);
    let bar = progress_bar(
        scenario,
        replicates.end - replicates.start,
        runner::work_units_of(scenario, replicates.end - replicates.start),
        flags.quiet,
    );
    let staging = RefCell::new(Staging::new(&folder.path));
    let outcome = with_progress(&bar, |done| {
        let options = RunOptions {
            threads,
            cancel: Some(&stop),
            progress: Some(done),
        };
        if shard.is_some() {
            staging
                .borrow_mut()
                .write(shard::BLOCKS, &shard::blocks_header(scenario))
                .map_err(RunError::Finished)?;
        }
        stage_detail_headers(&mut staging.borrow_mut(), detail, "").map_err(RunError::Finished)?;
        let mut write = |replicate: u64, outcomes: &[ArmOutcome]| {
            append_detail(
                &mut staging.borrow_mut(),
                "",
                scenario,
                &world,
                replicate,
                outcomes,
            )
        };
        let pool = runner::pool(threads)?;
        runner::run_blocks_on(
            &pool,
            scenario,
            &world,
            &options,
            blocks.clone(),
            |block, stats| match shard {
                Some(_) => staging
                    .borrow_mut()
                    .append(shard::BLOCKS, &shard::encode_block(block, stats)),
                None => Ok(()),
            },
            (detail > 0).then_some(EntitySink {
                replicates: detail,
                write: &mut write,
            }),
        )
    });
    let staging = staging.into_inner();
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
            blocks: Some([blocks.start, blocks.end]),
            n_pairs: world.pairs.len(),
            ..ShardManifest::new(
                "run",
                spec,
                &label,
                &source.text,
                overrides,
                &args,
                threads,
                wall_time_seconds,
            )
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
        scenario,
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
        print!("{}", output::summary_table(scenario, &results, flags.wide));
        println!("\nwrote {}", folder.path.display());
    }
    if unbounded.is_none()
        && let Some(warning) = output::growing_queues(scenario, &results)
    {
        eprintln!("{warning}");
    }
    Ok(())
}

/// Stages a run's files (and its charts and report, or the removal of an
/// earlier run's) and puts them in place together.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_run(
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
            // The charts are drawn at once, on no more threads than the run
            // had (nor than this machine has, for shards run elsewhere).
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let pool = runner::pool::<std::convert::Infallible>(info.threads.min(cores))?;
            pool.install(|| {
                empathy_gap::report::stage_report(&mut staging, &RunFiles::of(&files))
            })?;
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

pub(crate) fn progress_bar(
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
