//! `merge`: the shards of one run or sweep, checked to be complete and of
//! one job, into exactly the files the unsharded run or sweep writes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use empathy_gap::metrics::Summary;
use empathy_gap::output;
use empathy_gap::output::RunInfo;
use empathy_gap::runner;
use empathy_gap::scenario::{self, Budget};
use empathy_gap::sensitivity;
use empathy_gap::shard::{self, SavedOverride, ShardManifest, ShardSpec};
use empathy_gap::staging::Staging;
use empathy_gap::sweep::{Grid, SweepInfo, SweepParam};
use empathy_gap::words::{count, thousands};

use super::Failure;
use super::folder::{OutputFolder, listen_for_interruptions};
use super::run::write_run;
use super::sensitivity::{POINTS_CSV, Screening, write_screening};
use super::sweep::{SWEEP_CSV, write_sweep};

/// `merge`: the shards of one run or sweep into its files.
pub(crate) fn merge(
    dirs: &[PathBuf],
    out: Option<&Path>,
    quiet: bool,
    charts: bool,
    wide: bool,
) -> Result<(), Failure> {
    let folders = shard::find(dirs).map_err(Failure::BadInput)?;
    let shards = shard::read_all(&folders).map_err(Failure::BadInput)?;
    let (first_folder, first) = &shards[0];
    let overrides = SavedOverride::restore(&first.overrides);
    // A shard's scenario is read like any input: checked for size before its
    // organisation is built, so a damaged or doctored shard.json cannot
    // claim an organisation or a run larger than this machine holds.
    let budget = Budget::of_this_machine(super::thread_count(None)?);
    let scenario = scenario::load_bytes_within(
        &first.scenario_file,
        first.scenario_text.as_bytes(),
        &overrides,
        Some(&budget),
    )
    .map_err(|error| {
        // A merge builds nothing that --force could allow.
        let error = error
            .to_string()
            .replace(", or pass --force to run it anyway", "");
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
    if let Some(saved) = &first.sensitivity {
        return merge_sensitivity(
            &shards,
            &scenario,
            saved,
            target,
            threads,
            wall_time_seconds,
            charts,
            quiet,
            &stop,
        );
    }
    match &first.sweep {
        None => {
            let mut results = runner::Results::new(scenario.arms.len(), scenario.weeks as usize);
            let mut expected = 0;
            let total_blocks = runner::block_count(scenario.replicates);
            for (shard_folder, manifest) in &shards {
                let spec = ShardSpec {
                    index: manifest.shard,
                    count: manifest.of,
                };
                let blocks = spec.blocks(total_blocks);
                if manifest.blocks != Some([blocks.start, blocks.end]) {
                    let claimed = match manifest.blocks {
                        Some([start, end]) => format!("blocks {start} to {end}"),
                        None => "no blocks".to_string(),
                    };
                    return Err(Failure::BadInput(format!(
                        "{}: says it holds {claimed}, but shard {} of {} of this run holds blocks {} to {}",
                        shard_folder.join(shard::MANIFEST).display(),
                        spec.index,
                        spec.count,
                        blocks.start,
                        blocks.end
                    )));
                }
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
            let with_detail = detail_in_shards(&shards)?;
            // Written only once every block has been read.
            let folder = OutputFolder::prepare(target)?;
            folder.check_scenario(&scenario.name)?;
            let mut staging = Staging::new(&folder.path);
            merge_detail(&mut staging, &shards, with_detail)
                .map_err(|error| folder.failed(&error))?;
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
                print!("{}", output::summary_table(&scenario, &results, wide));
                println!("\nwrote {}", folder.path.display());
            }
            if let Some(warning) = output::growing_queues(&scenario, &results) {
                eprintln!("{warning}");
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
            let with_detail = detail_in_shards(&shards)?;
            let folder = OutputFolder::prepare(target)?;
            folder.check_scenario(&scenario.name)?;
            let mut staging = Staging::new(&folder.path);
            let rows_per_point = scenario.arms.len() * Summary::COUNT;
            let merged = merge_sweep_rows(&shards, &grid, rows_per_point, &mut staging)
                .and_then(|()| merge_sweep_detail(&shards, &grid, with_detail, &mut staging));
            if let Err(failure) = merged {
                drop(staging);
                folder.tidy();
                return Err(failure);
            }
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
            write_sweep(staging, &folder, &manifest, charts, &stop)?;
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

/// One shard's `sweep.csv`, read a line ahead.
struct RowReader {
    path: PathBuf,
    lines: std::io::Lines<std::io::BufReader<std::fs::File>>,
    /// The line number of `next`.
    line: u64,
    next: Option<String>,
}

impl RowReader {
    /// Opens the shard's `sweep.csv` and checks its header.
    fn open(folder: &Path, header: &str) -> Result<RowReader, Failure> {
        RowReader::open_file(folder, SWEEP_CSV, header)
    }

    /// Opens the shard's file `name` and checks its header.
    fn open_file(folder: &Path, name: &str, header: &str) -> Result<RowReader, Failure> {
        use std::io::BufRead;
        let path = folder.join(name);
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
        let mut reader = RowReader {
            path,
            lines,
            line: 1,
            next: None,
        };
        reader.advance()?;
        Ok(reader)
    }

    fn advance(&mut self) -> Result<(), Failure> {
        self.next = match self.lines.next() {
            Some(Ok(line)) => Some(line),
            Some(Err(error)) => {
                return Err(Failure::BadInput(format!(
                    "{}: line {}: cannot read: {error}",
                    self.path.display(),
                    self.line + 1
                )));
            }
            None => None,
        };
        self.line += 1;
        Ok(())
    }

    fn problem(&self, message: &str) -> Failure {
        Failure::BadInput(format!(
            "{}: line {}: {message}",
            self.path.display(),
            self.line
        ))
    }
}

/// Stages `sweep.csv` from the shards' rows, in point order (shard K holds
/// the points `p` with `p mod N = K - 1`, each in order), checking that every
/// point has all its rows (every arm, every metric).
pub(crate) fn merge_sweep_rows(
    shards: &[(PathBuf, ShardManifest)],
    grid: &Grid,
    rows_per_point: usize,
    staging: &mut Staging,
) -> Result<(), Failure> {
    let header = empathy_gap::sweep::csv_header(grid);
    let mut readers = shards
        .iter()
        .map(|(folder, _)| RowReader::open(folder, &header))
        .collect::<Result<Vec<_>, _>>()?;
    let write_failed =
        |error: empathy_gap::staging::WriteError| Failure::Runtime(error.to_string());
    staging
        .write(SWEEP_CSV, header.as_bytes())
        .map_err(write_failed)?;
    for point in 0..grid.points() {
        let reader = &mut readers[(point % shards.len() as u64) as usize];
        let mut rows = String::new();
        for _ in 0..rows_per_point {
            let Some(line) = reader.next.take() else {
                return Err(reader.problem(&format!(
                    "ends before the rows of point {point} (a shard stopped early, or was changed)"
                )));
            };
            if empathy_gap::sweep::row_point(&line) != Some(point) {
                return Err(reader.problem(&format!(
                    "expected a row of point {point} (a shard stopped early, or was changed)"
                )));
            }
            rows.push_str(&line);
            rows.push('\n');
            reader.advance()?;
        }
        staging
            .append(SWEEP_CSV, rows.as_bytes())
            .map_err(write_failed)?;
    }
    if let Some(reader) = readers.iter().find(|reader| reader.next.is_some()) {
        return Err(reader.problem("a row beyond this sweep's points"));
    }
    Ok(())
}

/// Whether the shards were run with `--detail`: all of them, or none.
fn detail_in_shards(shards: &[(PathBuf, ShardManifest)]) -> Result<bool, Failure> {
    let has = |folder: &Path| {
        output::entities::FILES
            .iter()
            .all(|name| folder.join(name).is_file())
    };
    let with = has(&shards[0].0);
    match shards.iter().find(|(folder, _)| has(folder) != with) {
        None => Ok(with),
        Some((other, _)) => {
            let (detailed, plain) = if with {
                (&shards[0].0, other)
            } else {
                (other, &shards[0].0)
            };
            Err(Failure::BadInput(format!(
                "{} holds the detail files (--detail) but {} does not; run every shard with the same flags",
                detailed.display(),
                plain.display()
            )))
        }
    }
}

/// Stages the detail files of the shards, one after the other (each
/// shard's rows are its replicates', in order, so this is the unsharded
/// run's file), or the removal of an earlier run's when there are none.
fn merge_detail(
    staging: &mut Staging,
    shards: &[(PathBuf, ShardManifest)],
    with_detail: bool,
) -> Result<(), String> {
    use std::io::{BufRead, BufReader, Read};
    if !with_detail {
        for name in output::entities::FILES {
            staging.remove(name);
        }
        return Ok(());
    }
    for name in output::entities::FILES {
        let mut header: Option<String> = None;
        for (folder, _) in shards {
            let path = folder.join(name);
            let failed = |error: std::io::Error| format!("{}: {error}", path.display());
            let mut reader = BufReader::new(std::fs::File::open(&path).map_err(failed)?);
            let mut first = String::new();
            reader.read_line(&mut first).map_err(failed)?;
            match &header {
                None => {
                    staging
                        .write(name, first.as_bytes())
                        .map_err(|error| error.to_string())?;
                    header = Some(first);
                }
                Some(header) if *header != first => {
                    return Err(format!(
                        "{}: its header differs from the first shard's; the shards are not of one run",
                        path.display()
                    ));
                }
                Some(_) => {}
            }
            let mut chunk = vec![0; 1 << 20];
            loop {
                let read = reader.read(&mut chunk).map_err(failed)?;
                if read == 0 {
                    break;
                }
                staging
                    .append(name, &chunk[..read])
                    .map_err(|error| error.to_string())?;
            }
        }
    }
    Ok(())
}

/// Stages a sweep's detail files from the shards' rows, in point order (as
/// [`merge_sweep_rows`] does; each point's rows are contiguous in its
/// shard), or the removal of an earlier sweep's when there are none.
fn merge_sweep_detail(
    shards: &[(PathBuf, ShardManifest)],
    grid: &Grid,
    with_detail: bool,
    staging: &mut Staging,
) -> Result<(), Failure> {
    if !with_detail {
        for name in output::entities::FILES {
            staging.remove(name);
        }
        return Ok(());
    }
    let write_failed =
        |error: empathy_gap::staging::WriteError| Failure::Runtime(error.to_string());
    let prefix = super::sweep::point_columns(grid);
    for name in output::entities::FILES {
        let header = match name {
            output::entities::REPLICATES_CSV => output::entities::replicates_header(&prefix),
            output::entities::LEADERS_CSV => output::entities::leaders_header(&prefix),
            _ => output::entities::relationships_header(&prefix),
        };
        let mut readers = shards
            .iter()
            .map(|(folder, _)| RowReader::open_file(folder, name, &header))
            .collect::<Result<Vec<_>, _>>()?;
        staging
            .write(name, header.as_bytes())
            .map_err(write_failed)?;
        for point in 0..grid.points() {
            let reader = &mut readers[(point % shards.len() as u64) as usize];
            let mut rows = String::new();
            while let Some(line) = reader
                .next
                .take_if(|line| empathy_gap::sweep::row_point(line) == Some(point))
            {
                rows.push_str(&line);
                rows.push('\n');
                reader.advance()?;
            }
            if rows.is_empty() {
                return Err(reader.problem(&format!(
                    "expected the rows of point {point} (a shard stopped early, or was changed)"
                )));
            }
            staging
                .append(name, rows.as_bytes())
                .map_err(write_failed)?;
        }
        if let Some(reader) = readers.iter().find(|reader| reader.next.is_some()) {
            return Err(reader.problem("a row beyond this sweep's points"));
        }
    }
    Ok(())
}

/// Merges the shards of a sensitivity screening: their `points.csv` rows in
/// point order (shard K holds the points `p` with `p mod N = K - 1`), then
/// the screening of those outputs, as the unsharded command writes it.
#[allow(clippy::too_many_arguments)]
fn merge_sensitivity(
    shards: &[(PathBuf, ShardManifest)],
    scenario: &scenario::Scenario,
    saved: &shard::SavedSensitivity,
    target: PathBuf,
    threads: usize,
    wall_time_seconds: f64,
    charts: bool,
    quiet: bool,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    let (first_folder, first) = &shards[0];
    let screening = Screening::restore(scenario, saved)
        .map_err(|message| Failure::BadInput(format!("{}: {message}", first_folder.display())))?;
    let header = screening.points_header(scenario);
    let mut readers = shards
        .iter()
        .map(|(folder, _)| RowReader::open_file(folder, POINTS_CSV, &header))
        .collect::<Result<Vec<_>, _>>()?;
    let folder = OutputFolder::prepare(target)?;
    folder.check_scenario(&scenario.name)?;
    let mut staging = Staging::new(&folder.path);
    let points = screening.points();
    let outputs = screening.outputs();
    let mut y = Vec::with_capacity(points);
    let mut rows = header.clone();
    for point in 0..points {
        let reader = &mut readers[point % shards.len()];
        let Some(line) = reader.next.take() else {
            folder.tidy();
            return Err(reader.problem(&format!(
                "ends before the row of point {point} (a shard stopped early, or was changed)"
            )));
        };
        let values = sensitivity::outputs_of_row(&line, outputs);
        let (Some(values), Some(true)) = (
            values,
            line.split(',')
                .next()
                .map(|field| field == point.to_string()),
        ) else {
            folder.tidy();
            return Err(reader.problem(&format!(
                "expected the row of point {point} (a shard stopped early, or was changed)"
            )));
        };
        y.push(values);
        rows.push_str(&line);
        rows.push('\n');
        reader.advance()?;
    }
    if let Some(reader) = readers.iter().find(|reader| reader.next.is_some()) {
        folder.tidy();
        return Err(reader.problem("a row beyond this screening's points"));
    }
    staging
        .write(POINTS_CSV, rows.as_bytes())
        .map_err(|error| folder.failed(&error.to_string()))?;
    let info = sensitivity::ScreeningInfo {
        scenario_file: &first.scenario_file,
        command: &first.command,
        replicates: saved.replicates,
        trajectories: saved.trajectories,
        levels: saved.levels,
        points,
        threads,
        wall_time_seconds,
        shards: Some(first.of),
    };
    write_screening(
        staging, &folder, scenario, &screening, &y, &info, charts, quiet, stop,
    )
}
