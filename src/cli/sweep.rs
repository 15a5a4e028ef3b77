//! `sweep`: a scenario at every point of a grid, or one shard of the
//! points, its rows streamed to `sweep.csv`, then its manifest and report.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use empathy_gap::model::World;
use empathy_gap::output;
use empathy_gap::report;
use empathy_gap::runner::{self, ArmOutcome, EntitySink, RunError, RunOptions};
use empathy_gap::scenario::{self, Budget, FieldPath, Override, Scenario};
use empathy_gap::shard::{SavedSweep, ShardManifest, ShardSpec};
use empathy_gap::staging::Staging;
use empathy_gap::sweep::{Grid, SweepInfo, SweepParam};
use empathy_gap::words::{count, seconds_in_words, thousands};

use super::folder::{OutputFolder, commit, commit_shard, listen_for_interruptions};
use super::run::{
    RunFlags, append_detail, command_line, detail_replicates, progress_bar, stage_detail_headers,
    with_progress,
};
use super::scenarios::{Source, load};
use super::{Failure, thread_count};

/// What `sweep` was asked to sweep: `--param`s, or one of the scenario's sweeps.
pub(crate) struct SweepAsked<'a> {
    pub(crate) params: &'a [String],
    pub(crate) name: Option<&'a str>,
}

/// A sweep resolved against its scenario.
pub(crate) struct SweepPlan {
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
        source: &Source,
        asked: &SweepAsked<'_>,
        replicates_flag: Option<u64>,
    ) -> Result<SweepPlan, Failure> {
        let (base, label) = (&source.scenario, source.label.as_str());
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
                .map(|index| {
                    let path = FieldPath::root()
                        .key("sweeps")
                        .key(name)
                        .key("params")
                        .index(index);
                    let location = scenario::locate(label, &source.text, &path);
                    format!("{location}: {path}")
                })
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

    /// The scenario at `point`, with the run's own `overrides`.
    fn load_point(
        &self,
        source: &Source,
        overrides: &[Override],
        point: u64,
        budget: Option<&Budget>,
    ) -> Result<Scenario, Failure> {
        source
            .reload(&self.overrides(overrides, point), budget)
            .map_err(|error| Failure::BadInput(error.to_string()))
    }

    /// Loads the scenario at the grid's corners and along each axis (every
    /// value of every parameter), so that a value the scenario refuses is
    /// reported before any point runs.
    fn probe(
        &self,
        source: &Source,
        overrides: &[Override],
        budget: Option<&Budget>,
    ) -> Result<(), Failure> {
        for point in self.grid.probe_points() {
            self.load_point(source, overrides, point, budget)?;
        }
        Ok(())
    }

    /// What one point of the sweep costs to run, in seconds on `threads`
    /// threads: the mean of the size estimates at the grid's corners.
    fn seconds_per_point(
        &self,
        source: &Source,
        overrides: &[Override],
        threads: usize,
    ) -> Result<f64, Failure> {
        let corners = self.grid.corner_points();
        let mut total = 0.0;
        for &point in &corners {
            let scenario = self.load_point(source, overrides, point, None)?;
            total +=
                scenario::size::estimate(&scenario.resolved, scenario.arms.len(), threads).seconds;
        }
        Ok(total / corners.len().max(1) as f64)
    }

    /// The sweep's output folder name under OUT: `<scenario>-<sweep>`.
    fn folder_name(&self, scenario: &str) -> String {
        format!("{scenario}-{}", self.name.as_deref().unwrap_or("sweep"))
    }
}

/// Checks the scenario's sweep `name` as `sweep --sweep NAME` does before
/// it runs anything: its parameters, and every value they take.
pub(crate) fn check_named(
    source: &Source,
    overrides: &[Override],
    name: &str,
    budget: Option<&Budget>,
) -> Result<SweepSize, Failure> {
    let asked = SweepAsked {
        params: &[],
        name: Some(name),
    };
    let plan = SweepPlan::new(source, &asked, None)?;
    plan.probe(source, overrides, budget)?;
    Ok(SweepSize {
        points: plan.grid.points(),
        replicates: plan.replicates,
    })
}

/// How large a named sweep is: its points, and the replicates at each.
pub(crate) struct SweepSize {
    pub points: u64,
    pub replicates: u64,
}

pub(crate) fn sweep(
    name: &str,
    overrides: &[Override],
    flags: &RunFlags,
    asked: &SweepAsked<'_>,
    shard: Option<ShardSpec>,
) -> Result<(), Failure> {
    let threads = thread_count(flags.threads)?;
    let budget = Budget::of_this_machine(threads);
    let budget = (!flags.force).then_some(&budget);
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    let source =
        load(name, overrides, budget).map_err(|error| Failure::BadInput(error.to_string()))?;
    let (base, label) = (&source.scenario, source.label.clone());
    let plan = SweepPlan::new(&source, asked, flags.replicates)?;
    // Values the scenario refuses are found now, not hours into the sweep.
    plan.probe(&source, overrides, budget)?;
    // The points this sweep (or shard) runs, counted rather than listed.
    let points =
        || (0..plan.grid.points()).filter(|&point| shard.is_none_or(|spec| spec.has_point(point)));
    let point_count = points().count() as u64;
    if point_count == 0 {
        return Err(Failure::BadInput(format!(
            "--shard {}: the sweep has only {}; split it into at most {}",
            shard.map_or(String::new(), |s| format!("{}/{}", s.index, s.count)),
            count(plan.grid.points() as f64, "point"),
            count(plan.grid.points() as f64, "shard")
        )));
    }
    // The whole sweep is estimated, as one run is: points x arms x
    // replicates x weeks, from the estimate at the grid's corners.
    refuse_beyond_budget(
        &label,
        budget,
        threads,
        &format!(
            "{} x {} of {}",
            count(point_count as f64, "point"),
            count(plan.replicates as f64, "replicate"),
            count(base.arms.len() as f64, "arm"),
        ),
        "points or replicates",
        || Ok(plan.seconds_per_point(&source, overrides, threads)? * point_count as f64),
    )?;
    let mut path = output::output_folder(&flags.out, &plan.folder_name(&base.name));
    if let Some(spec) = shard {
        path.push(spec.folder_name());
    }
    // The detail's size, from the base scenario's organisation at every point.
    let detail = detail_replicates(
        flags,
        plan.replicates,
        output::entities::estimated_bytes(base, &World::new(base), 1) * point_count as f64,
        &format!(" at each of {}", count(point_count as f64, "point")),
    )?;
    let folder = OutputFolder::prepare(path)?;
    folder.check_scenario(&base.name)?;
    let started = Instant::now();
    let bar = points_bar(base, point_count, plan.replicates, flags.quiet);
    let pool = runner::pool::<std::convert::Infallible>(threads)
        .map_err(|error| Failure::Runtime(error.to_string()))?;
    let mut staging = Staging::new(&folder.path);
    let outcome = with_progress(&bar, |done| -> Result<(), Failure> {
        let options = RunOptions {
            threads,
            cancel: Some(&stop),
            progress: Some(done),
        };
        let write_failed =
            |error: empathy_gap::staging::WriteError| folder.failed(&error.to_string());
        staging
            .write(
                SWEEP_CSV,
                empathy_gap::sweep::csv_header(&plan.grid).as_bytes(),
            )
            .map_err(write_failed)?;
        stage_detail_headers(&mut staging, detail, &point_columns(&plan.grid))
            .map_err(write_failed)?;
        for (finished, point) in points().enumerate() {
            let scenario = plan.load_point(&source, overrides, point, None)?;
            let world = World::new(&scenario);
            let prefix = point_fields(&plan.grid, point);
            let mut write = |replicate: u64, outcomes: &[ArmOutcome]| {
                append_detail(
                    &mut staging,
                    &prefix,
                    &scenario,
                    &world,
                    replicate,
                    outcomes,
                )
            };
            let sink = (detail > 0).then_some(EntitySink {
                replicates: detail,
                write: &mut write,
            });
            let run = runner::run_blocks_on(
                &pool,
                &scenario,
                &world,
                &options,
                0..runner::block_count(scenario.replicates),
                |_, _| Ok(()),
                sink,
            );
            let results =
                run.map_err(|error| point_failure(&folder, error, finished, point_count))?;
            let rows = empathy_gap::sweep::csv_rows(&plan.grid, point, &scenario, &results);
            staging
                .append(SWEEP_CSV, rows.as_bytes())
                .map_err(write_failed)?;
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
            sweep: Some(SavedSweep {
                name: plan.name.clone(),
                params: plan.texts.clone(),
                replicates: plan.replicates,
            }),
            ..ShardManifest::new(
                "sweep",
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
            print_points_shard(
                &base.name,
                spec,
                point_count,
                plan.grid.points(),
                wall_time_seconds,
                &folder,
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
    let manifest = empathy_gap::sweep::manifest_json(base, &plan.grid, &info);
    write_sweep(staging, &folder, &manifest, flags.charts, &stop)?;
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
pub(crate) const SWEEP_CSV: &str = "sweep.csv";
/// The sweep's manifest.
pub(crate) const SWEEP_JSON: &str = "sweep.json";

/// Stages a sweep's manifest and report (its `sweep.csv` is staged already,
/// and the report reads it back from there) and puts the files in place
/// together.
pub(crate) fn write_sweep(
    mut staging: Staging,
    folder: &OutputFolder,
    manifest: &[u8],
    charts: bool,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    let written = (|| {
        staging.write(SWEEP_JSON, manifest)?;
        if charts {
            report::stage_sweep_report(&mut staging, manifest)?;
        } else {
            for name in report::sweep_file_names() {
                staging.remove(&name);
            }
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })();
    commit(staging, folder, written, stop)
}

/// The columns a sweep's detail rows start with: the point and each
/// parameter's path, as in `sweep.csv`.
pub(crate) fn point_columns(grid: &Grid) -> String {
    let mut columns = String::from("point,");
    for param in &grid.params {
        columns.push_str(&output::csv_field(&param.path));
        columns.push(',');
    }
    columns
}

/// The fields a sweep's detail row of `point` starts with.
fn point_fields(grid: &Grid, point: u64) -> String {
    let mut fields = format!("{point},");
    for value in grid.values_at(point) {
        fields.push_str(value);
        fields.push(',');
    }
    fields
}

/// The progress bar of a command that runs a scenario at many points (a
/// sweep, a screening): every arm-week of every point.
/// Refuses the points of a sweep or screening (`what` would run, on
/// `threads` threads) when `seconds`, their estimate, passes the budget's
/// time; nothing is estimated when forced (no budget). `fewer` names what to
/// lower.
pub(crate) fn refuse_beyond_budget(
    label: &str,
    budget: Option<&Budget>,
    threads: usize,
    what: &str,
    fewer: &str,
    seconds: impl FnOnce() -> Result<f64, Failure>,
) -> Result<(), Failure> {
    let Some(budget) = budget else {
        return Ok(());
    };
    let seconds = seconds()?;
    if seconds <= budget.seconds {
        return Ok(());
    }
    Err(Failure::BadInput(format!(
        "{label}: too long to run here: {what} would take about {} on {}, more than {}; use fewer {fewer} (or --shard it across machines), or pass --force to run it anyway",
        seconds_in_words(seconds),
        count(threads as f64, "thread"),
        seconds_in_words(budget.seconds),
    )))
}

pub(crate) fn points_bar(
    base: &Scenario,
    points: u64,
    replicates: u64,
    quiet: bool,
) -> indicatif::ProgressBar {
    let units = runner::work_units_of(base, replicates) * points;
    let bar = progress_bar(base, replicates, units, quiet);
    if !quiet {
        bar.set_message(format!(
            "{}: {} x {} x {}",
            base.name,
            count(points as f64, "point"),
            count(replicates as f64, "replicate"),
            count(base.arms.len() as f64, "arm")
        ));
    }
    bar
}

/// Why a point's run stopped, as the command reports it: interrupted after
/// `finished` of `points` points, a file that could not be written, or a
/// failure to start.
pub(crate) fn point_failure<E: std::fmt::Display>(
    folder: &OutputFolder,
    error: RunError<E>,
    finished: usize,
    points: u64,
) -> Failure {
    match error {
        RunError::Interrupted { .. } => folder.interrupted(&format!(
            "after {} of {}",
            thousands(finished as u64),
            count(points as f64, "point")
        )),
        RunError::Finished(error) => folder.failed(&error.to_string()),
        error => Failure::Runtime(error.to_string()),
    }
}

/// The line a shard of a many-point command prints when it is done.
pub(crate) fn print_points_shard(
    name: &str,
    spec: ShardSpec,
    points: u64,
    total: u64,
    seconds: f64,
    folder: &OutputFolder,
) {
    println!(
        "{name}: shard {} of {}: {} of {} ({seconds:.2} s)\nwrote {}",
        spec.index,
        spec.count,
        count(points as f64, "point"),
        thousands(total),
        folder.path.display()
    );
}
