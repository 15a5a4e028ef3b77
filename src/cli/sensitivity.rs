//! `sensitivity`: a Morris screening of a scenario's parameters (see
//! [`empathy_gap::sensitivity`]), or one shard of its points: each point's
//! outputs streamed to `points.csv`, then `sensitivity.csv`, its manifest
//! and report.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use empathy_gap::metrics::Summary;
use empathy_gap::model::World;
use empathy_gap::morris::Design;
use empathy_gap::output::{self, aligned_columns};
use empathy_gap::rng::{Purpose, stream};
use empathy_gap::runner::{self, RunOptions};
use empathy_gap::scenario::{self, Budget, Override, Scenario};
use empathy_gap::sensitivity::{
    self, Candidate, Output, Param, ScreeningInfo, Skipped, default_range, keep_ordered,
};
use empathy_gap::shard::{SavedSensitivity, ShardManifest, ShardSpec};
use empathy_gap::staging::Staging;
use empathy_gap::words::{count, thousands};

use super::folder::{OutputFolder, commit, commit_shard, listen_for_interruptions};
use super::run::{RunFlags, command_line, with_progress};
use super::scenarios::{Source, load};
use super::sweep::{point_failure, points_bar, print_points_shard, refuse_beyond_budget};
use super::{Failure, thread_count};

/// Each point's parameter values and outputs.
pub(crate) const POINTS_CSV: &str = "points.csv";
/// The screening's figures, per output and parameter.
pub(crate) const SENSITIVITY_CSV: &str = "sensitivity.csv";
/// Its manifest.
pub(crate) const SENSITIVITY_JSON: &str = "sensitivity.json";

/// What `sensitivity` was asked to screen.
pub(crate) struct SensitivityAsked<'a> {
    /// `PATH=FROM:TO` of each parameter; none for the default screening.
    pub(crate) params: &'a [String],
    /// `METRIC` (the baseline's) or `ARM:METRIC` (the arm's paired difference).
    pub(crate) metrics: &'a [String],
    pub(crate) trajectories: usize,
    pub(crate) levels: usize,
}

/// A screening resolved against its scenario.
pub(crate) struct Screening {
    params: Vec<Param>,
    skipped: Vec<Skipped>,
    outputs: Vec<Output>,
    design: Design,
    replicates: u64,
}

impl Screening {
    pub(crate) fn points(&self) -> usize {
        self.design.points.len()
    }

    pub(crate) fn outputs(&self) -> usize {
        self.outputs.len()
    }

    pub(crate) fn points_header(&self, scenario: &Scenario) -> String {
        sensitivity::points_header(&self.params, &self.outputs, scenario)
    }

    fn saved(&self, scenario: &Scenario) -> SavedSensitivity {
        SavedSensitivity {
            params: self.params.clone(),
            skipped: self.skipped.clone(),
            outputs: self
                .outputs
                .iter()
                .map(|output| {
                    (
                        scenario.arms[output.arm].name.clone(),
                        output.metric.name().to_string(),
                        output.difference,
                    )
                })
                .collect(),
            trajectories: self.design.trajectories,
            levels: self.design.levels,
            replicates: self.replicates,
        }
    }

    /// The screening a shard recorded, for the merge.
    pub(crate) fn restore(scenario: &Scenario, saved: &SavedSensitivity) -> Result<Self, String> {
        let outputs = saved
            .outputs
            .iter()
            .map(|(arm, metric, difference)| {
                let arm = scenario
                    .arms
                    .iter()
                    .position(|a| &a.name == arm)
                    .ok_or_else(|| format!("the scenario has no arm `{arm}`"))?;
                let metric = Summary::ALL
                    .iter()
                    .copied()
                    .find(|m| m.name() == metric)
                    .ok_or_else(|| format!("no summary metric is named `{metric}`"))?;
                Ok(Output {
                    arm,
                    metric,
                    difference: *difference,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let design = design(
            scenario,
            saved.params.len(),
            saved.trajectories,
            saved.levels,
        )
        .map_err(|error| match error {
            Failure::BadInput(message) | Failure::Runtime(message) => message,
            Failure::Interrupted(message) => message,
        })?;
        Ok(Screening {
            params: saved.params.clone(),
            skipped: saved.skipped.clone(),
            outputs,
            design,
            replicates: saved.replicates,
        })
    }
}

/// Most trajectories a screening may ask for.
const MAX_TRAJECTORIES: usize = 10_000;

/// The design of a screening of `inputs` parameters: from the scenario's
/// seed, so every shard and the merge make the same one.
fn design(
    scenario: &Scenario,
    inputs: usize,
    trajectories: usize,
    levels: usize,
) -> Result<Design, Failure> {
    // The design is held in memory (trajectories x (inputs + 1) points of
    // `inputs` values each): a number of trajectories far beyond any use
    // would exhaust the machine before the estimate could refuse it.
    if trajectories > MAX_TRAJECTORIES {
        return Err(Failure::BadInput(format!(
            "--trajectories {trajectories}: at most {} (a screening runs trajectories x (parameters + 1) points; 10 to 50 trajectories is usual)",
            thousands(MAX_TRAJECTORIES as u64)
        )));
    }
    let mut rng = stream(scenario.seed, 0, Purpose::Sensitivity, 0);
    Design::new(inputs, trajectories, levels, &mut rng).map_err(|error| {
        Failure::BadInput(match error {
            empathy_gap::morris::DesignError::NoInputs => {
                "sensitivity: no parameter to screen; name one with --param PATH=FROM:TO"
                    .to_string()
            }
            empathy_gap::morris::DesignError::Trajectories(_) => format!("--trajectories: {error}"),
            empathy_gap::morris::DesignError::Levels(_) => format!("--levels: {error}"),
        })
    })
}

pub(crate) fn sensitivity(
    name: &str,
    overrides: &[Override],
    flags: &RunFlags,
    asked: &SensitivityAsked<'_>,
    shard: Option<ShardSpec>,
) -> Result<(), Failure> {
    let threads = thread_count(flags.threads)?;
    let budget = Budget::of_this_machine(threads);
    let budget = (!flags.force).then_some(&budget);
    if flags.detail.is_some() {
        return Err(Failure::BadInput(
            "--detail: a sensitivity screening writes no per-entity files; run the points of interest with `run --detail`".to_string(),
        ));
    }
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    let source =
        load(name, overrides, budget).map_err(|error| Failure::BadInput(error.to_string()))?;
    let base = &source.scenario;
    let replicates = flags
        .replicates
        .unwrap_or(base.replicates.min(sensitivity::DEFAULT_REPLICATES));
    let mut fixed = overrides.to_vec();
    if flags.replicates.is_none() {
        fixed.push(Override::shorthand("replicates", replicates));
    }
    let screening = plan(&source, &fixed, asked, replicates, budget)?;
    let points = screening.design.points.len();
    let ours = |point: usize| shard.is_none_or(|spec| spec.has_point(point as u64));
    let point_count = (0..points).filter(|&point| ours(point)).count();
    if point_count == 0 {
        return Err(Failure::BadInput(format!(
            "--shard {}: the screening has only {}; split it into at most {}",
            shard.map_or(String::new(), |s| format!("{}/{}", s.index, s.count)),
            count(points as f64, "point"),
            count(points as f64, "shard")
        )));
    }
    // Every point the scenario refuses is found now, not an hour in.
    let load_point = |point: usize| -> Result<Scenario, Failure> {
        let mut all = fixed.clone();
        all.extend(sensitivity::overrides_at(
            &screening.params,
            &screening.design.points[point],
        ));
        source.reload(&all, budget).map_err(|error| {
            Failure::BadInput(format!(
                "sensitivity point {point} is refused; narrow the ranges with --param PATH=FROM:TO:\n{error}"
            ))
        })
    };
    // The whole screening is estimated, as one run is (from its first
    // trajectory's points), before every point is checked.
    refuse_beyond_budget(
        &source.label,
        budget,
        threads,
        &format!(
            "{} x {}",
            count(point_count as f64, "point"),
            count(replicates as f64, "replicate"),
        ),
        "trajectories, parameters or replicates",
        || {
            let sample = 0..points.min(screening.params.len() + 1);
            let mut per_point = 0.0;
            for point in sample.clone() {
                let scenario = load_point(point)?;
                per_point +=
                    scenario::size::estimate(&scenario.resolved, scenario.arms.len(), threads)
                        .seconds;
            }
            Ok(per_point / sample.len().max(1) as f64 * point_count as f64)
        },
    )?;
    for point in (0..points).filter(|&point| ours(point)) {
        load_point(point)?;
    }
    let mut path = output::output_folder(&flags.out, &format!("{}-sensitivity", base.name));
    if let Some(spec) = shard {
        path.push(spec.folder_name());
    }
    let folder = OutputFolder::prepare(path)?;
    folder.check_scenario(&base.name)?;
    let started = Instant::now();
    let bar = points_bar(base, point_count as u64, replicates, flags.quiet);
    let pool = runner::pool::<std::convert::Infallible>(threads)
        .map_err(|error| Failure::Runtime(error.to_string()))?;
    let mut staging = Staging::new(&folder.path);
    let mut y = Vec::with_capacity(points);
    let outcome = with_progress(&bar, |done| -> Result<(), Failure> {
        let options = RunOptions {
            threads,
            cancel: Some(&stop),
            progress: Some(done),
        };
        let write_failed =
            |error: empathy_gap::staging::WriteError| folder.failed(&error.to_string());
        let header = screening.points_header(base);
        staging
            .write(POINTS_CSV, header.as_bytes())
            .map_err(write_failed)?;
        for (finished, point) in (0..points).filter(|&point| ours(point)).enumerate() {
            let scenario = load_point(point)?;
            let world = World::new(&scenario);
            let results = runner::run_on(&pool, &scenario, &world, &options)
                .map_err(|error| point_failure(&folder, error, finished, point_count as u64))?;
            let values: Vec<f64> = screening
                .outputs
                .iter()
                .map(|output| output.value(&results))
                .collect();
            let row = sensitivity::points_row(
                point,
                &screening.params,
                &screening.design.points[point],
                &values,
            );
            staging
                .append(POINTS_CSV, row.as_bytes())
                .map_err(write_failed)?;
            // Read back as the merge reads it, so both screen the same numbers.
            y.push(
                sensitivity::outputs_of_row(row.trim_end(), values.len())
                    .expect("a row just written"),
            );
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
            sensitivity: Some(screening.saved(base)),
            ..ShardManifest::new(
                "sensitivity",
                spec,
                &source.label,
                &source.text,
                &fixed,
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
                point_count as u64,
                points as u64,
                wall_time_seconds,
                &folder,
            );
        }
        return Ok(());
    }
    let info = ScreeningInfo {
        scenario_file: &source.label,
        command: &args.join(" "),
        replicates,
        trajectories: screening.design.trajectories,
        levels: screening.design.levels,
        points,
        threads,
        wall_time_seconds,
        shards: None,
    };
    write_screening(
        staging,
        &folder,
        base,
        &screening,
        &y,
        &info,
        flags.charts,
        flags.quiet,
        &stop,
    )
}

/// Screens the points' outputs `y` and stages `sensitivity.csv`, its
/// manifest and report beside the staged `points.csv`, then puts the files
/// in place together; prints the five largest effects on each output.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_screening(
    mut staging: Staging,
    folder: &OutputFolder,
    scenario: &Scenario,
    screening: &Screening,
    y: &[Vec<f64>],
    info: &ScreeningInfo<'_>,
    charts: bool,
    quiet: bool,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    let mut rng = stream(scenario.seed, 0, Purpose::Sensitivity, 1);
    let rows = sensitivity::screen(&screening.design, screening.outputs.len(), y, &mut rng)
        .map_err(|error| folder.failed(&error.to_string()))?;
    let csv = sensitivity::csv(scenario, &screening.params, &screening.outputs, &rows);
    let manifest = sensitivity::manifest_json(
        scenario,
        &screening.params,
        &screening.skipped,
        &screening.outputs,
        info,
    );
    let written = (|| {
        staging.write(SENSITIVITY_CSV, &csv)?;
        staging.write(SENSITIVITY_JSON, &manifest)?;
        if charts {
            empathy_gap::report::stage_sensitivity_report(&mut staging, &manifest, &csv)?;
        } else {
            for name in empathy_gap::report::sensitivity_file_names(screening.outputs.len()) {
                staging.remove(&name);
            }
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })();
    commit(staging, folder, written, stop)?;
    if !quiet {
        println!(
            "{}: Morris screening of {} ({} trajectories on {} levels, {}, {} each; {:.2} s)\n",
            scenario.name,
            count(screening.params.len() as f64, "parameter"),
            screening.design.trajectories,
            screening.design.levels,
            count(info.points as f64, "point"),
            count(info.replicates as f64, "replicate"),
            info.wall_time_seconds,
        );
        for (index, output) in screening.outputs.iter().enumerate() {
            println!("{}", output.label(scenario));
            let mut table =
                vec![["rank", "parameter", "range", "mu*", "+/-", "sigma"].map(String::from)];
            for row in rows.iter().filter(|row| row.output == index).take(5) {
                let param = &screening.params[row.param];
                table.push([
                    row.rank.to_string(),
                    param.path.clone(),
                    format!("{} to {}", short(param.from), short(param.to)),
                    format!("{:.3}", row.effects.mu_star),
                    format!("{:.3}", row.effects.mu_star_ci),
                    format!("{:.3}", row.effects.sigma),
                ]);
            }
            print!("{}", aligned_columns(&table, |column| column >= 3));
            println!();
        }
        println!("wrote {}", folder.path.display());
    }
    Ok(())
}

/// A range end as short text.
fn short(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The parameters, their ranges and the outputs of a screening.
fn plan(
    source: &Source,
    fixed: &[Override],
    asked: &SensitivityAsked<'_>,
    replicates: u64,
    budget: Option<&Budget>,
) -> Result<Screening, Failure> {
    let base = &source.scenario;
    let refused = |set: Override| -> Option<String> {
        let mut all = fixed.to_vec();
        all.push(set);
        source
            .reload(&all, budget)
            .err()
            .map(|error| error.to_string())
    };
    let mut params = Vec::new();
    let mut skipped = Vec::new();
    if asked.params.is_empty() {
        for candidate in sensitivity::candidates(base) {
            match default_range(&candidate) {
                None => skipped.push(Skipped {
                    path: candidate.path.clone(),
                    reason: "its value is 0, so it has no default range; name it with --param PATH=FROM:TO to screen it".to_string(),
                }),
                Some(range) => match within_what_loads(&candidate, range, &refused) {
                    Ok((from, to)) => params.push(Param {
                        path: candidate.path,
                        value: candidate.value,
                        from,
                        to,
                        integer: candidate.integer,
                    }),
                    Err(reason) => skipped.push(Skipped {
                        path: candidate.path,
                        reason,
                    }),
                },
            }
        }
    } else {
        let known = sensitivity::candidates(base);
        for text in asked.params {
            params.push(asked_param(text, &known, &params, &refused)?);
        }
    }
    keep_ordered(&mut params);
    let outputs = if asked.metrics.is_empty() {
        sensitivity::default_outputs(base)
    } else {
        asked
            .metrics
            .iter()
            .map(|text| asked_output(base, text))
            .collect::<Result<Vec<_>, _>>()?
    };
    let design = design(base, params.len(), asked.trajectories, asked.levels)?;
    Ok(Screening {
        params,
        skipped,
        outputs,
        design,
        replicates,
    })
}

/// The default range, each end moved towards the value (halving the
/// distance, up to 8 times) until the scenario accepts it; the reason the
/// scenario refuses the value itself when no end is accepted.
fn within_what_loads(
    candidate: &Candidate,
    (from, to): (f64, f64),
    refused: &dyn Fn(Override) -> Option<String>,
) -> Result<(f64, f64), String> {
    let set = |value: f64| {
        sensitivity::set(
            &candidate.path,
            value,
            candidate.integer,
            format!("--param {}", candidate.path),
        )
    };
    let settle = |mut end: f64| -> Result<f64, String> {
        let mut last = String::new();
        for _ in 0..8 {
            match refused(set(end)) {
                None => return Ok(end),
                Some(reason) => last = reason,
            }
            end = candidate.value + (end - candidate.value) / 2.0;
            if candidate.integer {
                end = end.round();
            }
        }
        Err(last.lines().next().unwrap_or_default().to_string())
    };
    let (from, to) = (settle(from)?, settle(to)?);
    if from == to {
        return Err("its range narrows to a single value".to_string());
    }
    Ok((from, to))
}

/// A `--param PATH=FROM:TO`, checked: two numbers in order, a path given
/// once, and both ends accepted by the scenario.
fn asked_param(
    text: &str,
    known: &[Candidate],
    params: &[Param],
    refused: &dyn Fn(Override) -> Option<String>,
) -> Result<Param, Failure> {
    let form = "write it as PATH=FROM:TO, like attribution.lambda_loss=0.15:0.5";
    let bad = |message: String| Failure::BadInput(format!("--param {text}: {message}"));
    let (path, range) = text
        .split_once('=')
        .ok_or_else(|| bad(format!("no `=`; {form}")))?;
    let path = path.trim();
    if path.is_empty() || path.split('.').any(|part| part.trim().is_empty()) {
        return Err(bad(format!("the path has an empty part; {form}")));
    }
    let (from, to) = range
        .split_once(':')
        .ok_or_else(|| bad(format!("needs FROM:TO after `=`; {form}")))?;
    let number = |name: &str, part: &str| match part.trim().parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(bad(format!("{name} `{}` is not a number", part.trim()))),
    };
    let (from, to) = (number("FROM", from)?, number("TO", to)?);
    if from >= to {
        return Err(bad(format!("FROM ({from}) must be below TO ({to})")));
    }
    if params.iter().any(|param| param.path == path) {
        return Err(bad(format!("`{path}` is named twice")));
    }
    if ["seed", "replicates", "weeks", "warmup_weeks"].contains(&path) {
        return Err(bad(format!(
            "{path} says how to run, not what is modelled, and cannot be screened"
        )));
    }
    let candidate = known.iter().find(|candidate| candidate.path == path);
    let integer = candidate.is_some_and(|candidate| candidate.integer);
    for end in [from, to] {
        if let Some(reason) = refused(sensitivity::set(
            path,
            end,
            integer,
            format!("--param {text}"),
        )) {
            return Err(Failure::BadInput(reason));
        }
    }
    Ok(Param {
        path: path.to_string(),
        value: candidate.map_or(f64::NAN, |candidate| candidate.value),
        from,
        to,
        integer,
    })
}

/// A `--metric METRIC` (the baseline's) or `--metric ARM:METRIC` (that
/// arm's paired difference from the baseline).
fn asked_output(scenario: &Scenario, text: &str) -> Result<Output, Failure> {
    let bad = |message: String| Failure::BadInput(format!("--metric {text}: {message}"));
    let (arm, metric) = match text.split_once(':') {
        Some((arm, metric)) => {
            let names: Vec<&str> = scenario.arms.iter().map(|a| a.name.as_str()).collect();
            let index = names.iter().position(|name| *name == arm).ok_or_else(|| {
                let hint = scenario::did_you_mean(arm, &names)
                    .map_or(format!(" (the arms: {})", names.join(", ")), |name| {
                        format!("; did you mean `{name}`?")
                    });
                bad(format!("no arm is named `{arm}`{hint}"))
            })?;
            (index, metric)
        }
        None => (scenario.baseline, text),
    };
    let names: Vec<&str> = Summary::ALL.iter().map(|m| m.name()).collect();
    let metric = Summary::ALL
        .iter()
        .copied()
        .find(|m| m.name() == metric)
        .ok_or_else(|| {
            let hint = scenario::did_you_mean(metric, &names).map_or(
                " (see summary.csv's metrics in the README)".to_string(),
                |name| format!("; did you mean `{name}`?"),
            );
            bad(format!("no summary metric is named `{metric}`{hint}"))
        })?;
    Ok(Output {
        arm,
        metric,
        difference: arm != scenario.baseline,
    })
}
