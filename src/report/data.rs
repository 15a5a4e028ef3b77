//! Reads the engine's output files (`weekly.csv`, `summary.csv`,
//! `manifest.json`) into plain tables.
//!
//! The reader is deliberately forgiving about *content*: unknown metrics and
//! manifest fields are ignored, empty or non-finite numbers become missing
//! values, and missing metrics are left for the charts and the text to
//! notice. It is strict about *form*: a cell that should hold a number but
//! holds text is an error that names the file, line and column, because
//! silently dropping it would draw a chart that looks right and is wrong.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ReportError;
use super::theme::{self, Colour};

pub(crate) const WEEKLY_FILE: &str = "weekly.csv";
pub(crate) const SUMMARY_FILE: &str = "summary.csv";
pub(crate) const MANIFEST_FILE: &str = "manifest.json";

/// The three files of a run, as bytes: read from a folder, or just made by a
/// run that has not written them yet.
pub struct RunFiles<'a> {
    pub weekly: &'a [u8],
    pub summary: &'a [u8],
    pub manifest: &'a [u8],
}

impl<'a> RunFiles<'a> {
    /// The files a run has just made, before they are written.
    pub fn of(bytes: &'a crate::output::RunBytes) -> Self {
        RunFiles {
            weekly: &bytes.weekly,
            summary: &bytes.summary,
            manifest: &bytes.manifest,
        }
    }
}

/// Weeks beyond this (nearly 2,000 years) are taken as corrupt data; the
/// bound also keeps week numbers safely inside the charts' `i32` axis.
const MAX_WEEK: u32 = 100_000;

/// Everything the report needs from one run of the engine.
pub(crate) struct RunOutput {
    pub manifest: Manifest,
    pub arms: Vec<Arm>,
    pub weekly: WeeklyTable,
    pub summary: SummaryTable,
}

impl RunOutput {
    pub fn read(out_dir: &Path) -> Result<Self, ReportError> {
        let read = |name: &str| read_input(out_dir, name);
        let (manifest, weekly, summary) = (
            read(MANIFEST_FILE)?,
            read(WEEKLY_FILE)?,
            read(SUMMARY_FILE)?,
        );
        let files = RunFiles {
            weekly: &weekly,
            summary: &summary,
            manifest: &manifest,
        };
        Self::parse(out_dir, &files)
    }

    /// Parses a run's files; `out_dir` is where they are (or will be), for messages.
    pub fn parse(out_dir: &Path, files: &RunFiles<'_>) -> Result<Self, ReportError> {
        let manifest = Manifest::parse(&out_dir.join(MANIFEST_FILE), files.manifest)?;
        let weekly = WeeklyTable::parse(&out_dir.join(WEEKLY_FILE), files.weekly)?;
        let summary = SummaryTable::parse(&out_dir.join(SUMMARY_FILE), files.summary)?;
        let arms = arms_in_display_order(&manifest, &weekly, &summary);
        Ok(Self {
            manifest,
            arms,
            weekly,
            summary,
        })
    }

    pub fn baseline(&self) -> Option<&Arm> {
        self.arms.iter().find(|arm| arm.is_baseline)
    }

    /// The arms that are compared with the baseline.
    pub fn alternatives(&self) -> impl Iterator<Item = &Arm> {
        self.arms.iter().filter(|arm| !arm.is_baseline)
    }
}

/// One arm of the experiment, with the colour it wears in every chart.
pub(crate) struct Arm {
    pub name: String,
    pub is_baseline: bool,
    pub colour: Colour,
}

/// What every manifest (a run's `manifest.json`, a sweep's `sweep.json`, a
/// screening's `sensitivity.json`) says of the scenario and of how to
/// reproduce the output; each report reads it the same way.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ManifestHead {
    #[serde(default)]
    pub name: String,
    pub description: Option<String>,
    pub question: Option<String>,
    pub scenario_file: Option<String>,
    pub version: Option<String>,
    pub command: Option<String>,
    pub seed: Option<u64>,
    /// Replicates of each arm (at each point, for a sweep or screening).
    pub replicates: Option<u64>,
    pub weeks: Option<u32>,
    pub baseline: Option<String>,
}

impl ManifestHead {
    /// The scenario's name, or what to call it when the manifest has none.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            "Unnamed scenario"
        } else {
            &self.name
        }
    }
}

/// The fields of `manifest.json` the report uses; all others are ignored.
///
/// Nearly everything is optional so that output from older engine versions
/// still produces a report; the HTML says what is missing.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Manifest {
    /// What every manifest says of the scenario and how to reproduce it
    /// (read on its own: see [`parse_manifest`]).
    #[serde(skip)]
    pub head: ManifestHead,
    #[serde(default)]
    pub arms: Vec<ManifestArm>,
    pub intervention_start_week: Option<u32>,
    pub n_leaders: Option<u64>,
    pub n_managers: Option<u64>,
    pub n_employees: Option<u64>,
    pub n_pairs: Option<u64>,
    pub n_projects: Option<u64>,
    #[serde(default)]
    pub scenario: serde_json::Value,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ManifestArm {
    pub name: String,
    #[serde(default)]
    pub baseline: bool,
    /// The interventions' kinds ("connection-first", ...): names, or (in
    /// older manifests) tables with a `kind`; `null` or absent means none.
    #[serde(default, deserialize_with = "intervention_kinds")]
    pub interventions: Vec<String>,
    /// The week its first intervention starts, if it has any.
    #[serde(default)]
    pub start_week: Option<u32>,
}

/// Intervention kinds from a list of names or of `{"kind": ...}` tables;
/// entries of any other shape are skipped (the report only looks for
/// connection-first).
fn intervention_kinds<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    let entries = Option::<Vec<serde_json::Value>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(entries
        .iter()
        .filter_map(|entry| match entry {
            serde_json::Value::String(kind) => Some(kind.clone()),
            other => other.get("kind")?.as_str().map(str::to_owned),
        })
        .collect())
}

impl Manifest {
    fn parse(path: &Path, bytes: &[u8]) -> Result<Self, ReportError> {
        parse_manifest(path, bytes)
    }
}

impl HeadedManifest for Manifest {
    fn head_mut(&mut self) -> &mut ManifestHead {
        &mut self.head
    }
}

/// Deserialises a JSON manifest; an error names the file and the field.
/// The bytes of the output file `name` in `dir`.
pub(crate) fn read_input(dir: &Path, name: &str) -> Result<Vec<u8>, ReportError> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|source| ReportError::Read { path, source })
}

/// Refuses a manifest (at `path`) whose `kind` is not `expected`: the
/// manifest of another kind of output, given where `what` was expected.
pub(crate) fn check_kind(
    path: &Path,
    kind: Option<&str>,
    expected: &str,
    what: &str,
) -> Result<(), ReportError> {
    match kind.filter(|kind| *kind != expected) {
        Some(kind) => Err(ReportError::Invalid {
            path: path.to_path_buf(),
            problem: format!("field `kind`: this is the manifest of a {kind}, not of {what}"),
        }),
        None => Ok(()),
    }
}

/// A manifest whose head is read on its own (see [`parse_manifest`]).
pub(crate) trait HeadedManifest: serde::de::DeserializeOwned {
    fn head_mut(&mut self) -> &mut ManifestHead;
}

/// Reads a manifest: its head, then the fields of its kind. Each read names
/// a malformed field by its path, which serde's `flatten` would lose.
pub(crate) fn parse_manifest<T: HeadedManifest>(
    path: &Path,
    bytes: &[u8],
) -> Result<T, ReportError> {
    let head: ManifestHead = parse_json(path, bytes)?;
    let mut manifest: T = parse_json(path, bytes)?;
    *manifest.head_mut() = head;
    Ok(manifest)
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    bytes: &[u8],
) -> Result<T, ReportError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    // serde_path_to_error names the offending field ("arms[1].name"),
    // which serde_json alone does not.
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let field = error.path().to_string();
        let problem = if field == "." {
            error.inner().to_string()
        } else {
            format!("field `{field}`: {}", error.inner())
        };
        ReportError::Invalid {
            path: path.to_path_buf(),
            problem,
        }
    })
}

/// A 95% interval. Only built when both ends are finite numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    pub(crate) fn from_bounds(low: Option<f64>, high: Option<f64>) -> Option<Self> {
        let (low, high) = (low?, high?);
        Some(Self {
            low: low.min(high),
            high: low.max(high),
        })
    }

    pub fn map(self, transform: impl Fn(f64) -> f64) -> Self {
        let (a, b) = (transform(self.low), transform(self.high));
        Self {
            low: a.min(b),
            high: a.max(b),
        }
    }
}

/// One arm's value of one metric in one week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WeekPoint {
    pub week: u32,
    pub mean: Option<f64>,
    pub interval: Option<Interval>,
}

impl WeekPoint {
    pub fn map(self, transform: impl Fn(f64) -> f64 + Copy) -> Self {
        Self {
            week: self.week,
            mean: self.mean.map(transform),
            interval: self.interval.map(|interval| interval.map(transform)),
        }
    }
}

/// The point of `week` in a series sorted by week.
pub(crate) fn point_in_week(points: &[WeekPoint], week: u32) -> Option<&WeekPoint> {
    let index = points
        .binary_search_by_key(&week, |point| point.week)
        .ok()?;
    points.get(index)
}

/// `weekly.csv`, indexed by metric and arm; each series is sorted by week.
#[derive(Default)]
pub(crate) struct WeeklyTable {
    series: HashMap<String, HashMap<String, Vec<WeekPoint>>>,
    /// Arms in the order they first appear, for arms the manifest omits.
    arms_seen: Vec<String>,
}

impl WeeklyTable {
    fn parse(path: &Path, bytes: &[u8]) -> Result<Self, ReportError> {
        let mut table = Self::default();
        let mut reader = CsvReader::new(
            path,
            bytes,
            &["arm", "week", "metric", "mean", "ci_low", "ci_high"],
        )?;
        while let Some(row) = reader.next_row()? {
            let arm = row.text("arm")?;
            let point = WeekPoint {
                week: row.week("week")?,
                mean: row.number("mean")?,
                interval: Interval::from_bounds(row.number("ci_low")?, row.number("ci_high")?),
            };
            if !table.arms_seen.iter().any(|seen| seen == arm) {
                table.arms_seen.push(arm.to_owned());
            }
            table
                .series
                .entry(row.text("metric")?.to_owned())
                .or_default()
                .entry(arm.to_owned())
                .or_default()
                .push(point);
        }
        for points in table.series.values_mut().flat_map(HashMap::values_mut) {
            // A duplicated week would make a line double back on itself;
            // the first row wins.
            points.sort_by_key(|point| point.week);
            points.dedup_by_key(|point| point.week);
        }
        Ok(table)
    }

    /// The weekly points of `metric` for `arm`; empty when absent.
    pub fn series(&self, metric: &str, arm: &str) -> &[WeekPoint] {
        self.series
            .get(metric)
            .and_then(|by_arm| by_arm.get(arm))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether any arm has at least one finite mean for `metric`.
    pub fn has_values(&self, metric: &str) -> bool {
        self.series
            .get(metric)
            .is_some_and(|by_arm| by_arm.values().flatten().any(|point| point.mean.is_some()))
    }

    /// The highest week number in the file (0 when it has no rows).
    pub fn last_week(&self) -> u32 {
        self.series
            .values()
            .flat_map(HashMap::values)
            .filter_map(|points| points.last())
            .map(|point| point.week)
            .max()
            .unwrap_or(0)
    }
}

/// One row of `summary.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SummaryRow {
    pub mean: Option<f64>,
    pub interval: Option<Interval>,
    pub diff_vs_baseline: Option<f64>,
    pub diff_interval: Option<Interval>,
}

/// `summary.csv`, indexed by arm and metric.
#[derive(Default)]
pub(crate) struct SummaryTable {
    rows: HashMap<(String, String), SummaryRow>,
    arms_seen: Vec<String>,
}

impl SummaryTable {
    fn parse(path: &Path, bytes: &[u8]) -> Result<Self, ReportError> {
        let mut table = Self::default();
        let columns = [
            "arm",
            "metric",
            "mean",
            "ci_low",
            "ci_high",
            "diff_vs_baseline",
            "diff_ci_low",
            "diff_ci_high",
        ];
        let mut reader = CsvReader::new(path, bytes, &columns)?;
        while let Some(row) = reader.next_row()? {
            let arm = row.text("arm")?;
            let summary_row = row.summary_row()?;
            if !table.arms_seen.iter().any(|seen| seen == arm) {
                table.arms_seen.push(arm.to_owned());
            }
            let key = (arm.to_owned(), row.text("metric")?.to_owned());
            table.rows.entry(key).or_insert(summary_row);
        }
        Ok(table)
    }

    pub fn get(&self, arm: &str, metric: &str) -> Option<&SummaryRow> {
        self.rows.get(&(arm.to_owned(), metric.to_owned()))
    }

    pub fn mean(&self, arm: &str, metric: &str) -> Option<f64> {
        self.get(arm, metric).and_then(|row| row.mean)
    }

    /// Whether any arm has a finite mean for `metric`.
    pub fn has_values(&self, metric: &str) -> bool {
        self.rows
            .iter()
            .any(|((_, name), row)| name == metric && row.mean.is_some())
    }
}

/// Orders arms as the manifest lists them, then any arm that only the CSV
/// files mention, and picks the baseline: the manifest's `baseline`, else the
/// arm flagged `baseline: true`, else the first arm.
fn arms_in_display_order(
    manifest: &Manifest,
    weekly: &WeeklyTable,
    summary: &SummaryTable,
) -> Vec<Arm> {
    let seen = weekly.arms_seen.iter().chain(&summary.arms_seen);
    arms_with_colours(
        manifest.head.baseline.as_deref(),
        &manifest.arms,
        seen.map(String::as_str),
    )
}

/// The arms of `listed` (a manifest's) then those only `seen` in data, in
/// that order, with the baseline picked and every arm coloured.
pub(crate) fn arms_with_colours<'a>(
    baseline: Option<&str>,
    listed: &'a [ManifestArm],
    seen: impl Iterator<Item = &'a str>,
) -> Vec<Arm> {
    let mut names: Vec<&str> = Vec::new();
    for name in listed.iter().map(|arm| arm.name.as_str()).chain(seen) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let baseline = baseline
        .filter(|name| names.contains(name))
        .or_else(|| {
            listed
                .iter()
                .find(|arm| arm.baseline)
                .map(|arm| arm.name.as_str())
        })
        .or_else(|| names.first().copied());
    // Each arm's colour follows its interventions, not its place (see
    // `theme::intervention_index`), so the same response has the same
    // colour in every run; the baseline is grey.
    let wanted = names.iter().map(|&name| {
        let kinds = listed
            .iter()
            .find(|arm| arm.name == name)
            .map(|arm| arm.interventions.as_slice())
            .unwrap_or_default();
        (
            Some(name) == baseline,
            theme::intervention_index(kinds.iter().map(String::as_str)),
        )
    });
    let palette = theme::arm_palette(wanted);
    names
        .into_iter()
        .zip(palette)
        .map(|(name, place)| Arm {
            name: name.to_owned(),
            is_baseline: place.is_none(),
            colour: theme::place_colour(place),
        })
        .collect()
}

/// A CSV reader that finds columns by header name, so column order and extra
/// columns do not matter, and reports problems with line numbers.
pub(crate) struct CsvReader<R> {
    path: PathBuf,
    reader: csv::Reader<R>,
    header: csv::StringRecord,
    columns: Vec<(&'static str, usize)>,
    record: csv::StringRecord,
}

impl<R: Read> CsvReader<R> {
    pub fn new(path: &Path, input: R, wanted: &[&'static str]) -> Result<Self, ReportError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(input);
        let header = reader
            .headers()
            .map_err(|error| csv_error(path, &error))?
            .clone();
        let mut columns = Vec::with_capacity(wanted.len());
        for &name in wanted {
            let index = header
                .iter()
                .position(|field| field == name)
                .ok_or_else(|| ReportError::Invalid {
                    path: path.to_path_buf(),
                    problem: format!("line 1: the header has no column `{name}`"),
                })?;
            columns.push((name, index));
        }
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            header,
            columns,
            record: csv::StringRecord::new(),
        })
    }

    /// The header's column names, in file order.
    pub fn header(&self) -> &csv::StringRecord {
        &self.header
    }

    pub fn next_row(&mut self) -> Result<Option<CsvRow<'_, R>>, ReportError> {
        let more = self
            .reader
            .read_record(&mut self.record)
            .map_err(|error| csv_error(&self.path, &error))?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, csv::Position::line);
        Ok(Some(CsvRow { reader: self, line }))
    }
}

pub(crate) struct CsvRow<'a, R> {
    reader: &'a CsvReader<R>,
    line: u64,
}

impl<R> CsvRow<'_, R> {
    /// The line of the file this row starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The raw (trimmed) cell of the `index`th column, which may be empty.
    pub fn cell_at(&self, index: usize) -> Option<&str> {
        self.reader.record.get(index)
    }

    /// The raw (trimmed) cell, which may be empty.
    fn cell(&self, column: &'static str) -> Result<&str, ReportError> {
        self.reader
            .columns
            .iter()
            .find(|(name, _)| *name == column)
            .and_then(|&(_, index)| self.reader.record.get(index))
            .ok_or_else(|| self.field_error(column, "missing (the row has too few fields)"))
    }

    pub fn text(&self, column: &'static str) -> Result<&str, ReportError> {
        match self.cell(column)? {
            "" => Err(self.field_error(column, "empty")),
            text => Ok(text),
        }
    }

    /// An empty cell, `NaN` or an infinity is a missing value; anything
    /// else that is not a number is an error.
    pub fn number(&self, column: &'static str) -> Result<Option<f64>, ReportError> {
        match self.cell(column)? {
            "" => Ok(None),
            text => match text.parse::<f64>() {
                Ok(value) => Ok(value.is_finite().then_some(value)),
                Err(_) => Err(self.field_error(column, "not a number")),
            },
        }
    }

    /// The row's mean, interval and paired difference, from the columns of
    /// `summary.csv` (which `sweep.csv` shares).
    pub fn summary_row(&self) -> Result<SummaryRow, ReportError> {
        Ok(SummaryRow {
            mean: self.number("mean")?,
            interval: Interval::from_bounds(self.number("ci_low")?, self.number("ci_high")?),
            diff_vs_baseline: self.number("diff_vs_baseline")?,
            diff_interval: Interval::from_bounds(
                self.number("diff_ci_low")?,
                self.number("diff_ci_high")?,
            ),
        })
    }

    fn week(&self, column: &'static str) -> Result<u32, ReportError> {
        self.text(column)?
            .parse::<u32>()
            .ok()
            .filter(|week| (1..=MAX_WEEK).contains(week))
            .ok_or_else(|| self.field_error(column, "not a week number (1, 2, 3, ...)"))
    }

    pub fn field_error(&self, column: &'static str, problem: &'static str) -> ReportError {
        ReportError::Field {
            path: self.reader.path.clone(),
            line: self.line,
            column,
            problem,
        }
    }
}

fn csv_error(path: &Path, error: &csv::Error) -> ReportError {
    let problem = match (error.position(), error.kind()) {
        (Some(position), csv::ErrorKind::Utf8 { .. }) => {
            format!("line {}: not valid UTF-8", position.line())
        }
        (Some(position), _) => format!("line {}: {error}", position.line()),
        (None, _) => error.to_string(),
    };
    ReportError::Invalid {
        path: path.to_path_buf(),
        problem,
    }
}
