//! Reads a sweep's `sweep.json` and streams its `sweep.csv`, gathering what
//! the report needs without holding the rows: for each arm and metric the
//! report uses, how many points fall in each verdict; what the sentences
//! say about every point (see [`super::across`]); and the conflict rows of
//! only the points the charts draw.
//!
//! Like the run reader it is forgiving about content (a missing row, an
//! empty or non-finite number becomes a missing value that the charts and
//! text notice) and strict about form: a cell that should hold a number but
//! holds text, a point outside the grid, a parameter value that is not the
//! one `sweep.json` gives for that point or a row out of point order is an
//! error naming the file, line and column, because drawing it anyway would
//! put a number in the wrong cell. The CSV is read twice: first only for
//! its arms (so that the baseline and the compared arm are known), then,
//! one point at a time, for the numbers. Memory grows with the arms, the
//! parameters' values and the cells a chart draws, never with the number
//! of points or the size of the file.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::super::ReportError;
use super::super::data::{
    Arm, CsvReader, HeadedManifest, Interval, ManifestArm, ManifestHead, SummaryRow,
    arms_with_colours, check_kind, parse_manifest, read_input,
};
use super::super::metrics;
use super::across::{AcrossGrid, Tally};
use super::charts::{DrawnPoints, drawn_points};

pub(crate) const SWEEP_CSV_FILE: &str = "sweep.csv";
pub(crate) const SWEEP_MANIFEST_FILE: &str = "sweep.json";

/// The metrics the sweep report reads from `sweep.csv`; rows of any other
/// metric are skipped.
pub(crate) const SWEEP_REPORT_METRICS: &[&str] = &[
    metrics::CONFLICT_AFTER_START,
    metrics::ANNUAL_LOST_HOURS_PER_LEADER,
    metrics::DELIVERY_RATIO,
    metrics::FINAL_TRUST,
];

/// More points than any sweep may have are taken as a corrupt manifest.
const MAX_POINTS: usize = crate::sweep::MAX_POINTS as usize;

/// The columns of `sweep.csv` besides the parameters'.
const FIXED_COLUMNS: [&str; 9] = [
    "point",
    "arm",
    "metric",
    "mean",
    "ci_low",
    "ci_high",
    "diff_vs_baseline",
    "diff_ci_low",
    "diff_ci_high",
];

/// The fields of `sweep.json` the report uses; all others are ignored.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SweepManifest {
    /// What every manifest says of the scenario and how to reproduce it
    /// (read on its own: see [`parse_manifest`]).
    #[serde(skip)]
    pub head: ManifestHead,
    pub kind: Option<String>,
    /// The name of the scenario's `[sweeps.NAME]` that was run, if one was.
    pub sweep: Option<String>,
    #[serde(default)]
    pub arms: Vec<ManifestArm>,
    pub intervention_start_week: Option<u32>,
    #[serde(default)]
    pub params: Vec<ManifestParam>,
    pub points: Option<u64>,
    #[serde(default)]
    pub scenario: serde_json::Value,
}

impl HeadedManifest for SweepManifest {
    fn head_mut(&mut self) -> &mut ManifestHead {
        &mut self.head
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ManifestParam {
    pub path: String,
    pub from: Option<f64>,
    pub to: Option<f64>,
    pub steps: Option<u64>,
    pub values: Option<Vec<f64>>,
}

/// One swept parameter and the values it takes, in grid order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Param {
    pub path: String,
    pub values: Vec<f64>,
}

impl Param {
    /// Decimals that write every value of this parameter exactly (up to
    /// six, as the CSV files do): 0.1, 0.2 need one, 0.15 needs two.
    pub fn places(&self) -> usize {
        super::super::text::exact_places(&self.values)
    }

    /// The smallest and the largest of the values.
    pub fn range(&self) -> (f64, f64) {
        value_range(&self.values)
    }
}

/// The smallest and the largest of `values`.
pub(crate) fn value_range(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), &value| {
            (low.min(value), high.max(value))
        })
}

/// The sweep's grid: every combination of the parameters' values, numbered
/// row-major (the first parameter varies slowest).
#[derive(Debug)]
pub(crate) struct Grid {
    pub params: Vec<Param>,
    /// Points between consecutive values of each parameter.
    strides: Vec<usize>,
    pub points: usize,
}

impl Grid {
    /// The grid of `params`; `None` beyond [`MAX_POINTS`] points.
    pub(crate) fn new(params: Vec<Param>) -> Option<Self> {
        let mut strides = vec![1; params.len()];
        let mut points = 1_usize;
        for (index, param) in params.iter().enumerate().rev() {
            strides[index] = points;
            points = points
                .checked_mul(param.values.len())
                .filter(|&points| points <= MAX_POINTS)?;
        }
        Some(Self {
            params,
            strides,
            points,
        })
    }

    /// The index into `param`'s values at `point`.
    pub fn index(&self, point: usize, param: usize) -> usize {
        (point / self.strides[param]) % self.params[param].values.len()
    }

    pub fn value(&self, point: usize, param: usize) -> f64 {
        self.params[param].values[self.index(point, param)]
    }

    /// The point whose parameters have the value indexes `indexes`.
    pub fn point(&self, indexes: &[usize]) -> usize {
        indexes
            .iter()
            .zip(&self.strides)
            .map(|(index, stride)| index * stride)
            .sum()
    }

    /// The parameters that take more than one value, in sweep order: the
    /// dimensions a chart can show.
    pub fn varying(&self) -> Vec<usize> {
        (0..self.params.len())
            .filter(|&param| self.params[param].values.len() > 1)
            .collect()
    }
}

/// An arm of the sweep, with the interventions that identify the
/// connection-first arm.
pub(crate) struct SweepArm {
    pub arm: Arm,
    pub interventions: Vec<String>,
}

/// Which arm the difference chart compares with the baseline, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compared {
    /// The arm whose interventions include connection-first.
    ConnectionFirst(usize),
    /// No arm uses connection-first: the first arm that is not the baseline.
    FirstAlternative(usize),
}

impl Compared {
    pub fn arm(self) -> usize {
        match self {
            Self::ConnectionFirst(arm) | Self::FirstAlternative(arm) => arm,
        }
    }
}

/// Everything the sweep report needs.
pub(crate) struct SweepOutput {
    pub manifest: SweepManifest,
    pub grid: Grid,
    pub arms: Vec<SweepArm>,
    /// Counts and extremes over every point, for the sentences.
    pub across: AcrossGrid,
    /// The conflict rows of the points the charts draw.
    drawn: DrawnRows,
}

impl SweepManifest {
    /// "two-managers: trust-disclosure" for a scenario's named sweep, else
    /// the scenario's name.
    pub fn display_name(&self) -> String {
        match self.sweep.as_deref().filter(|sweep| !sweep.is_empty()) {
            Some(sweep) if !self.head.name.is_empty() => format!("{}: {sweep}", self.head.name),
            Some(sweep) => sweep.to_owned(),
            None => self.head.name.clone(),
        }
    }
}

impl SweepOutput {
    /// Reads `sweep.json` and `sweep.csv` from `dir`; the CSV is read as a
    /// stream, twice.
    pub fn read(dir: &Path) -> Result<Self, ReportError> {
        let manifest = read_input(dir, SWEEP_MANIFEST_FILE)?;
        Self::parse(dir, &manifest, || {
            std::fs::File::open(dir.join(SWEEP_CSV_FILE)).map(std::io::BufReader::new)
        })
    }

    /// Parses a sweep's files: its manifest as bytes, and `open_csv` to
    /// read `sweep.csv` from its start (it is called twice; a failure is
    /// reported as one to read `dir`'s `sweep.csv`). `dir` is where the
    /// files are (or will be), for messages.
    pub fn parse<R: Read>(
        dir: &Path,
        manifest: &[u8],
        open_csv: impl Fn() -> std::io::Result<R>,
    ) -> Result<Self, ReportError> {
        let manifest_path = dir.join(SWEEP_MANIFEST_FILE);
        let manifest: SweepManifest = parse_manifest(&manifest_path, manifest)?;
        let invalid = |problem: String| ReportError::Invalid {
            path: manifest_path.clone(),
            problem,
        };
        check_kind(&manifest_path, manifest.kind.as_deref(), "sweep", "a sweep")?;
        let params = manifest
            .params
            .iter()
            .enumerate()
            .map(|(index, param)| param_values(index, param).map_err(&invalid))
            .collect::<Result<Vec<_>, _>>()?;
        let grid = Grid::new(params).ok_or_else(|| {
            invalid(format!(
                "field `params`: the grid has more than {} points",
                crate::words::thousands(MAX_POINTS as u64)
            ))
        })?;
        if let Some(points) = manifest
            .points
            .filter(|&points| points != grid.points as u64)
        {
            return Err(invalid(format!(
                "field `points`: {points}, but the parameters' values make {} points",
                grid.points
            )));
        }
        let csv_path = dir.join(SWEEP_CSV_FILE);
        let open_csv = || {
            open_csv().map_err(|source| ReportError::Read {
                path: csv_path.clone(),
                source,
            })
        };
        let mut names = Vec::new();
        for arm in &manifest.arms {
            arm_index(&mut names, &arm.name);
        }
        // The first reading finds every arm, so that the baseline and the
        // compared arm are known when the second gathers the numbers. It
        // stops at the first problem it meets and leaves it to the second,
        // which checks every row in order and so reports that problem or an
        // earlier one.
        let _ = read_arms(&csv_path, open_csv()?, &mut names);
        let arms = colour_arms(&manifest, &names);
        let mut output = Self {
            // Filled in by the second reading.
            across: AcrossGrid::default(),
            drawn: DrawnRows::new(drawn_points(&grid), arms.len()),
            manifest,
            grid,
            arms,
        };
        output.gather(&csv_path, open_csv()?, &mut names)?;
        if names.len() != output.arms.len() {
            return Err(ReportError::Invalid {
                path: csv_path,
                problem: "changed while the report was read from it".to_owned(),
            });
        }
        Ok(output)
    }

    /// The second reading: every point's rows into the counts and extremes
    /// over the grid, and the rows of the points drawn.
    fn gather(
        &mut self,
        path: &Path,
        csv: impl Read,
        names: &mut Vec<String>,
    ) -> Result<(), ReportError> {
        let mut across = AcrossGrid::new(
            &self.grid,
            self.arms.len(),
            self.baseline(),
            self.compared().map(Compared::arm),
        );
        read_points(&self.grid, path, csv, names, |rows| {
            across.add(&self.grid, rows);
            self.drawn.add(rows);
        })?;
        self.across = across.finish(self.grid.points);
        Ok(())
    }

    /// The conflict row of `arm` at `point`, if the CSV had one; only for
    /// the points the charts draw (every point when at most one parameter
    /// varies), as the others are not kept.
    pub fn conflict(&self, arm: usize, point: usize) -> Option<SummaryRow> {
        self.drawn.get(arm, point)
    }

    /// How many points fall in each verdict for `arm` and `metric`.
    pub fn tally(&self, metric: &str, arm: usize) -> Tally {
        self.across.tally(metric_index(metric), arm)
    }

    /// Whether any arm has a finite mean for `metric` at any point.
    pub fn has_values(&self, metric: &str) -> bool {
        self.across.has_values(metric_index(metric))
    }

    pub fn baseline(&self) -> Option<usize> {
        self.arms.iter().position(|arm| arm.arm.is_baseline)
    }

    pub fn alternatives(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.arms.len()).filter(|&arm| !self.arms[arm].arm.is_baseline)
    }

    /// The arm the difference chart shows: the one whose interventions
    /// include connection-first (preferring one with nothing else), else
    /// the first that is not the baseline.
    pub fn compared(&self) -> Option<Compared> {
        let uses = |arm: usize| {
            self.arms[arm]
                .interventions
                .iter()
                .any(|kind| kind == CONNECTION_FIRST)
        };
        let only = self
            .alternatives()
            .find(|&arm| uses(arm) && self.arms[arm].interventions.len() == 1);
        only.or_else(|| self.alternatives().find(|&arm| uses(arm)))
            .map(Compared::ConnectionFirst)
            .or_else(|| self.alternatives().next().map(Compared::FirstAlternative))
    }

    pub fn arm_name(&self, arm: usize) -> &str {
        &self.arms[arm].arm.name
    }

    /// `attribution.lambda_gain` when `param` is `attribution.lambda_loss`
    /// and the gain is a positive number the sweep does not vary: the
    /// loss then reads best as a ratio to it (the asymmetry of trust).
    pub fn loss_gain(&self, param: usize) -> Option<f64> {
        const LOSS: &str = "attribution.lambda_loss";
        const GAIN: &str = "attribution.lambda_gain";
        let params = &self.grid.params;
        if params[param].path != LOSS || params.iter().any(|other| other.path == GAIN) {
            return None;
        }
        self.manifest.scenario["attribution"]["lambda_gain"]
            .as_f64()
            .filter(|gain| *gain > 0.0)
    }
}

/// The index of `metric` in [`SWEEP_REPORT_METRICS`]; the report asks
/// only for those.
pub(crate) fn metric_index(metric: &str) -> usize {
    SWEEP_REPORT_METRICS
        .iter()
        .position(|name| *name == metric)
        .unwrap_or_else(|| unreachable!("`{metric}` is not a metric the report reads"))
}

/// The index of arm `name`, added to `names` when it is new.
fn arm_index(names: &mut Vec<String>, name: &str) -> usize {
    if let Some(index) = names.iter().position(|known| known == name) {
        return index;
    }
    names.push(name.to_owned());
    names.len() - 1
}

/// The rows of one point, by arm and metric ([`SWEEP_REPORT_METRICS`]).
pub(crate) struct PointRows {
    point: usize,
    /// By [`PointRows::index`].
    rows: Vec<Option<CompactRow>>,
}

impl PointRows {
    pub fn point(&self) -> usize {
        self.point
    }

    /// The row of `arm` and the `metric`th metric, if the CSV had one.
    pub fn get(&self, arm: usize, metric: usize) -> Option<SummaryRow> {
        self.compact(arm, metric).map(CompactRow::row)
    }

    /// As [`PointRows::get`], in the form the rows are kept.
    fn compact(&self, arm: usize, metric: usize) -> Option<CompactRow> {
        self.rows.get(Self::index(arm, metric)).copied().flatten()
    }

    /// Where the row of `arm` and the `metric`th metric is kept in `rows`.
    fn index(arm: usize, metric: usize) -> usize {
        arm * SWEEP_REPORT_METRICS.len() + metric
    }

    /// Empties the rows for those of `point`.
    fn start(&mut self, point: usize) {
        self.point = point;
        self.rows.fill(None);
    }

    /// Keeps `row` unless the point has this arm and metric already: a
    /// repeated row would otherwise overwrite silently, so the first wins.
    fn insert(&mut self, arm: usize, metric: usize, row: CompactRow) {
        let index = Self::index(arm, metric);
        if self.rows.len() <= index {
            self.rows.resize(index + 1, None);
        }
        self.rows[index].get_or_insert(row);
    }
}

/// Reads only the `metric` and `arm` of each row of `sweep.csv` from `csv`,
/// adding the arms of the report's metrics that are not in `names` to it,
/// in the order [`read_points`] meets them. Every problem it can find,
/// [`read_points`] finds too, at the same row or an earlier one.
fn read_arms(path: &Path, csv: impl Read, names: &mut Vec<String>) -> Result<(), ReportError> {
    let mut reader = CsvReader::new(path, csv, &["metric", "arm"])?;
    while let Some(row) = reader.next_row()? {
        if SWEEP_REPORT_METRICS.contains(&row.text("metric")?) {
            arm_index(names, row.text("arm")?);
        }
    }
    Ok(())
}

/// Reads `sweep.csv` from `csv` and hands each point's rows to `each`, in
/// point order; arms not in `names` are added to it. Rows of metrics the
/// report does not use are skipped unread.
fn read_points(
    grid: &Grid,
    path: &Path,
    csv: impl Read,
    names: &mut Vec<String>,
    mut each: impl FnMut(&PointRows),
) -> Result<(), ReportError> {
    let mut reader = CsvReader::new(path, csv, &FIXED_COLUMNS)?;
    let param_columns = param_columns(grid, path, reader.header())?;
    let invalid = |line: u64, column: &str, problem: String| ReportError::Invalid {
        path: path.to_path_buf(),
        problem: format!("line {line}: column `{column}`: {problem}"),
    };
    let mut current: Option<PointRows> = None;
    while let Some(row) = reader.next_row()? {
        let metric_name = row.text("metric")?;
        let Some(metric) = SWEEP_REPORT_METRICS
            .iter()
            .position(|wanted| *wanted == metric_name)
        else {
            continue;
        };
        let point = row
            .text("point")?
            .parse::<usize>()
            .map_err(|_| row.field_error("point", "not a point number (0, 1, 2, ...)"))?;
        if point >= grid.points {
            return Err(invalid(
                row.line(),
                "point",
                format!(
                    "point {point} is not in the grid of {} (0 to {})",
                    SWEEP_MANIFEST_FILE,
                    grid.points - 1
                ),
            ));
        }
        if let Some(earlier) = current.as_ref().filter(|rows| rows.point > point) {
            return Err(invalid(
                row.line(),
                "point",
                format!(
                    "point {point} after point {}: the rows must come in point order, as sweep and merge write them",
                    earlier.point
                ),
            ));
        }
        for (param, &column) in param_columns.iter().enumerate() {
            let name = &grid.params[param].path;
            let cell = row.cell_at(column).unwrap_or_default();
            let value = cell
                .parse::<f64>()
                .map_err(|_| invalid(row.line(), name, "not a number".to_owned()))?;
            let expected = grid.value(point, param);
            if !same_value(value, expected) {
                return Err(invalid(
                    row.line(),
                    name,
                    format!(
                        "{cell} at point {point}, where {SWEEP_MANIFEST_FILE} gives {expected}"
                    ),
                ));
            }
        }
        let summary_row = row.summary_row()?;
        let arm = arm_index(names, row.text("arm")?);
        let rows = match &mut current {
            Some(rows) if rows.point == point => rows,
            Some(rows) => {
                each(rows);
                rows.start(point);
                rows
            }
            None => current.insert(PointRows {
                point,
                rows: Vec::new(),
            }),
        };
        rows.insert(arm, metric, CompactRow::new(&summary_row));
    }
    if let Some(finished) = &current {
        each(finished);
    }
    Ok(())
}

/// The CSV column of each parameter: the header must name the manifest's
/// parameters, in order, between `point` and `arm`.
fn param_columns(
    grid: &Grid,
    path: &Path,
    header: &csv::StringRecord,
) -> Result<Vec<usize>, ReportError> {
    let position = |name: &str| header.iter().position(|field| field == name);
    let (Some(point), Some(arm)) = (position("point"), position("arm")) else {
        return Err(ReportError::Invalid {
            path: path.to_path_buf(),
            problem: "line 1: the header has no column `point` or `arm`".to_owned(),
        });
    };
    let in_csv: Vec<&str> = header
        .iter()
        .skip(point + 1)
        .take(arm.saturating_sub(point + 1))
        .collect();
    let in_manifest: Vec<&str> = grid
        .params
        .iter()
        .map(|param| param.path.as_str())
        .collect();
    if in_csv != in_manifest {
        let list = |names: &[&str]| {
            if names.is_empty() {
                "none".to_owned()
            } else {
                names
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        return Err(ReportError::Invalid {
            path: path.to_path_buf(),
            problem: format!(
                "line 1: the parameter columns between `point` and `arm` are {}, but {SWEEP_MANIFEST_FILE} sweeps {}",
                list(&in_csv),
                list(&in_manifest)
            ),
        });
    }
    Ok((point + 1..arm).collect())
}

/// The conflict rows, every arm's, of the points the charts draw.
struct DrawnRows {
    points: DrawnPoints,
    arms: usize,
    /// `[slot * arms + arm]`, slots in the order of `points`.
    rows: Vec<Option<CompactRow>>,
}

impl DrawnRows {
    fn new(points: DrawnPoints, arms: usize) -> Self {
        let slots = match &points {
            DrawnPoints::Every(count) => *count,
            DrawnPoints::Listed(points) => points.len(),
        };
        Self {
            points,
            arms,
            rows: vec![None; slots * arms],
        }
    }

    fn slot(&self, point: usize) -> Option<usize> {
        match &self.points {
            DrawnPoints::Every(count) => (point < *count).then_some(point),
            DrawnPoints::Listed(points) => points.binary_search(&point).ok(),
        }
    }

    fn add(&mut self, rows: &PointRows) {
        let Some(slot) = self.slot(rows.point) else {
            return;
        };
        let conflict = metric_index(metrics::CONFLICT_AFTER_START);
        for arm in 0..self.arms {
            self.rows[slot * self.arms + arm] = rows.compact(arm, conflict);
        }
    }

    fn get(&self, arm: usize, point: usize) -> Option<SummaryRow> {
        let slot = self.slot(point);
        debug_assert!(slot.is_some(), "point {point} is not one the charts draw");
        if arm >= self.arms {
            return None;
        }
        self.rows[slot? * self.arms + arm].map(CompactRow::row)
    }
}

/// The kind of the connection-first intervention in manifests.
pub(crate) const CONNECTION_FIRST: &str = "connection-first";

fn colour_arms(manifest: &SweepManifest, names: &[String]) -> Vec<SweepArm> {
    let arms = arms_with_colours(
        manifest.head.baseline.as_deref(),
        &manifest.arms,
        names.iter().map(String::as_str),
    );
    arms.into_iter()
        .map(|arm| SweepArm {
            interventions: manifest
                .arms
                .iter()
                .find(|listed| listed.name == arm.name)
                .map(|listed| listed.interventions.clone())
                .unwrap_or_default(),
            arm,
        })
        .collect()
}

/// A parameter's values: as listed, or else spread evenly from `from` to
/// `to` in `steps` steps.
fn param_values(index: usize, param: &ManifestParam) -> Result<Param, String> {
    let field = |name: &str| format!("field `params[{index}].{name}`");
    if param.path.is_empty() {
        return Err(format!("{}: empty", field("path")));
    }
    let values = match (&param.values, param.from, param.to, param.steps) {
        (Some(values), ..) => values.clone(),
        (None, Some(from), Some(to), Some(steps)) if (1..=MAX_POINTS as u64).contains(&steps) => {
            let last = (steps - 1).max(1) as f64;
            (0..steps)
                .map(|step| from + (to - from) * step as f64 / last)
                .collect()
        }
        (None, ..) => {
            return Err(format!(
                "{}: missing (and no `from`, `to` and `steps` to make them from)",
                field("values")
            ));
        }
    };
    if values.is_empty() {
        return Err(format!("{}: empty", field("values")));
    }
    if values.iter().any(|value| !value.is_finite()) {
        return Err(format!("{}: not all finite numbers", field("values")));
    }
    Ok(Param {
        path: param.path.clone(),
        values,
    })
}

/// A summary row in single precision, a missing value as NaN: 24 bytes
/// instead of 80, and more digits than the report ever writes.
#[derive(Debug, Clone, Copy)]
struct CompactRow([f32; 6]);

impl CompactRow {
    fn new(row: &SummaryRow) -> Self {
        let value = |value: Option<f64>| value.map_or(f32::NAN, |value| value as f32);
        let low = |interval: Option<Interval>| value(interval.map(|interval| interval.low));
        let high = |interval: Option<Interval>| value(interval.map(|interval| interval.high));
        Self([
            value(row.mean),
            low(row.interval),
            high(row.interval),
            value(row.diff_vs_baseline),
            low(row.diff_interval),
            high(row.diff_interval),
        ])
    }

    fn row(self) -> SummaryRow {
        let [mean, low, high, diff, diff_low, diff_high] = self.0.map(|value| {
            let value = f64::from(value);
            value.is_finite().then_some(value)
        });
        SummaryRow {
            mean,
            interval: Interval::from_bounds(low, high),
            diff_vs_baseline: diff,
            diff_interval: Interval::from_bounds(diff_low, diff_high),
        }
    }
}

/// Whether a CSV value is the manifest's, allowing for the six decimals
/// the CSV is written with.
fn same_value(csv: f64, manifest: f64) -> bool {
    (csv - manifest).abs() <= 1e-6 * manifest.abs().max(1.0)
}

/// How a difference from the baseline reads at one point, by the 95%
/// interval of the paired difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The interval lies below zero.
    Lower,
    /// The interval lies above zero.
    Higher,
    /// The interval includes zero.
    Unclear,
    /// A difference without an interval (one replicate).
    NoInterval,
    /// No difference at all.
    Missing,
}

impl Verdict {
    pub fn of(row: Option<SummaryRow>) -> Self {
        let Some(row) = row else {
            return Self::Missing;
        };
        match (row.diff_vs_baseline, row.diff_interval) {
            // An interval without its estimate is a damaged row.
            (None, _) => Self::Missing,
            (Some(_), Some(interval)) if interval.high < 0.0 => Self::Lower,
            (Some(_), Some(interval)) if interval.low > 0.0 => Self::Higher,
            (Some(_), Some(_)) => Self::Unclear,
            (Some(_), None) => Self::NoInterval,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const MANIFEST_2D: &str = r#"{
        "kind": "sweep", "name": "two-managers", "question": "Where does it stop paying off?",
        "seed": 7, "replicates": 50, "weeks": 26, "baseline": "power-through",
        "arms": [
            {"name": "power-through", "baseline": true, "start_week": null, "interventions": []},
            {"name": "connection-first", "baseline": false, "start_week": 5, "interventions": ["connection-first"]}
        ],
        "intervention_start_week": 5,
        "params": [
            {"path": "trust.initial", "from": 0.2, "to": 0.8, "steps": 3, "values": [0.2, 0.5, 0.8]},
            {"path": "defaults.disclosure", "from": 0.1, "to": 0.3, "steps": 2, "values": [0.1, 0.3]}
        ],
        "points": 6, "unknown_field": {"ignored": true}
    }"#;

    const HEADER: &str = "point,trust.initial,defaults.disclosure,arm,metric,mean,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high\n";

    /// A 3 x 2 sweep where connection-first stops paying off at high trust.
    pub(crate) fn csv_2d() -> String {
        let mut csv = HEADER.to_owned();
        let trust = [0.2, 0.5, 0.8];
        let disclosure = [0.1, 0.3];
        for point in 0..6 {
            let (t, d) = (trust[point / 2], disclosure[point % 2]);
            let base = 3.0 - 2.0 * t - d;
            let diff = -0.75 + t;
            csv.push_str(&format!(
                "{point},{t},{d},power-through,conflict_hours_per_leader_after_start,{base:.6},{:.6},{:.6},0.000000,0.000000,0.000000\n",
                base - 0.1,
                base + 0.1
            ));
            csv.push_str(&format!(
                "{point},{t},{d},power-through,onsets_per_pair_year,1.0,0.9,1.1,0.000000,0.000000,0.000000\n"
            ));
            csv.push_str(&format!(
                "{point},{t},{d},connection-first,conflict_hours_per_leader_after_start,{:.6},{:.6},{:.6},{diff:.6},{:.6},{:.6}\n",
                base + diff,
                base + diff - 0.1,
                base + diff + 0.1,
                diff - 0.15,
                diff + 0.15
            ));
        }
        csv
    }

    /// [`MANIFEST_2D`] with `params` (its `params` field, as JSON) instead
    /// of its own parameters and everything after them.
    pub(crate) fn manifest_with_params(params: &str) -> String {
        let start = MANIFEST_2D.split(r#""params""#).next().unwrap_or_default();
        format!(r#"{start}"params": {params}}}"#)
    }

    pub(crate) fn parse(manifest: &str, csv: &str) -> Result<SweepOutput, ReportError> {
        SweepOutput::parse(Path::new("out"), manifest.as_bytes(), || Ok(csv.as_bytes()))
    }

    fn message(result: Result<SweepOutput, ReportError>) -> String {
        match result {
            Ok(_) => panic!("expected an error"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_small_sweep_is_read_into_its_grid() {
        let sweep = parse(MANIFEST_2D, &csv_2d()).unwrap();
        assert_eq!(sweep.grid.points, 6);
        assert_eq!(sweep.grid.varying(), [0, 1]);
        assert_eq!(sweep.grid.index(3, 0), 1);
        assert_eq!(sweep.grid.index(3, 1), 1);
        assert_eq!(sweep.grid.point(&[2, 0]), 4);
        assert_eq!(sweep.arms.len(), 2);
        assert!(sweep.arms[0].arm.is_baseline);
        assert_eq!(sweep.compared(), Some(Compared::ConnectionFirst(1)));
        // Rows of metrics the report does not use are skipped.
        assert_eq!(sweep.across.rows_read, 12);
        let row = sweep.conflict(1, 5).unwrap();
        assert!((row.diff_vs_baseline.unwrap() - 0.05).abs() < 1e-6);
        assert_eq!(Verdict::of(sweep.conflict(1, 0)), Verdict::Lower);
        assert_eq!(Verdict::of(sweep.conflict(1, 4)), Verdict::Unclear);
        let trust = sweep.tally(metrics::FINAL_TRUST, 1);
        assert_eq!(trust.missing, 6);
        let conflict = sweep.tally(metrics::CONFLICT_AFTER_START, 1);
        assert_eq!((conflict.lower, conflict.unclear), (4, 2));
    }

    #[test]
    fn a_grid_of_millions_of_points_is_read_without_holding_them() {
        let manifest = manifest_with_params(
            r#"[
                {"path": "trust.initial", "from": 0, "to": 1, "steps": 2000},
                {"path": "defaults.disclosure", "from": 0, "to": 1, "steps": 1500}
            ]"#,
        );
        let rows: String = csv_2d()
            .lines()
            .skip(1)
            .take(3)
            .map(|line| format!("{line}\n"))
            .collect();
        let last = rows.replace("0,0.2,0.1,", "2999999,1,1,");
        let csv = format!("{HEADER}{}{last}", rows.replace("0,0.2,0.1,", "0,0,0,"));
        let sweep = parse(&manifest, &csv).unwrap();
        assert_eq!(sweep.grid.points, 3_000_000);
        assert_eq!(sweep.across.rows_read, 4);
        let conflict = sweep.tally(metrics::CONFLICT_AFTER_START, 1);
        assert_eq!((conflict.lower, conflict.missing), (2, 2_999_998));
    }

    #[test]
    fn values_come_from_from_to_and_steps_when_not_listed() {
        let manifest = MANIFEST_2D.replace(r#", "values": [0.2, 0.5, 0.8]"#, "");
        let sweep = parse(&manifest, &csv_2d()).unwrap();
        assert_eq!(sweep.grid.params[0].values, [0.2, 0.5, 0.8]);
        assert_eq!(sweep.grid.params[0].places(), 1);
    }

    #[test]
    fn a_value_that_is_not_the_points_is_an_error_with_line_and_column() {
        let csv = csv_2d().replacen("1,0.2,0.3,", "1,0.2,0.4,", 1);
        assert_eq!(
            message(parse(MANIFEST_2D, &csv)),
            "out/sweep.csv: line 5: column `defaults.disclosure`: 0.4 at point 1, where sweep.json gives 0.3"
        );
    }

    #[test]
    fn a_point_outside_the_grid_is_an_error() {
        let csv = format!("{}9,0.2,0.1,power-through,final_trust,0.5,,,,,\n", csv_2d());
        assert_eq!(
            message(parse(MANIFEST_2D, &csv)),
            "out/sweep.csv: line 20: column `point`: point 9 is not in the grid of sweep.json (0 to 5)"
        );
    }

    #[test]
    fn rows_out_of_point_order_are_an_error() {
        let csv = csv_2d();
        let mut lines: Vec<&str> = csv.lines().collect();
        lines.swap(3, 7);
        let csv = lines.join("\n") + "\n";
        assert_eq!(
            message(parse(MANIFEST_2D, &csv)),
            "out/sweep.csv: line 5: column `point`: point 1 after point 2: the rows must come in point order, as sweep and merge write them"
        );
    }

    #[test]
    fn a_repeated_row_counts_once_and_the_first_wins() {
        let mut lines: Vec<String> = csv_2d().lines().map(str::to_owned).collect();
        // Point 0's connection-first row again, now with a rise.
        let rise = lines[3].replace(
            ",-0.550000,-0.700000,-0.400000",
            ",0.500000,0.400000,0.600000",
        );
        assert_ne!(rise, lines[3]);
        lines.insert(4, rise);
        let sweep = parse(MANIFEST_2D, &(lines.join("\n") + "\n")).unwrap();
        assert_eq!(sweep.across.rows_read, 12);
        assert_eq!(Verdict::of(sweep.conflict(1, 0)), Verdict::Lower);
        assert_eq!(sweep.tally(metrics::CONFLICT_AFTER_START, 1).lower, 4);
    }

    #[test]
    fn text_in_a_number_cell_is_an_error() {
        let csv = csv_2d().replacen(",2.500000,", ",lots,", 1);
        assert_eq!(
            message(parse(MANIFEST_2D, &csv)),
            "out/sweep.csv: line 2: column `mean`: not a number"
        );
    }

    #[test]
    fn the_first_problem_in_the_file_is_reported_though_arms_are_read_first() {
        let empty_arm = |csv: &str| csv.replacen("5,0.8,0.3,connection-first,", "5,0.8,0.3,,", 1);
        let late_arm = empty_arm(&csv_2d().replacen(",2.500000,", ",lots,", 1));
        assert_eq!(
            message(parse(MANIFEST_2D, &late_arm)),
            "out/sweep.csv: line 2: column `mean`: not a number"
        );
        assert_eq!(
            message(parse(MANIFEST_2D, &empty_arm(&csv_2d()))),
            "out/sweep.csv: line 19: column `arm`: empty"
        );
        let same_row = csv_2d().replacen("0,0.2,0.1,power-through,", "x,0.2,0.1,,", 1);
        assert_eq!(
            message(parse(MANIFEST_2D, &same_row)),
            "out/sweep.csv: line 2: column `point`: not a point number (0, 1, 2, ...)"
        );
        let header = csv_2d().replacen(",mean,", ",average,", 1);
        assert_eq!(
            message(parse(MANIFEST_2D, &header)),
            "out/sweep.csv: line 1: the header has no column `mean`"
        );
    }

    #[test]
    fn parameter_columns_must_match_the_manifest() {
        let csv = csv_2d().replacen("defaults.disclosure", "defaults.demand", 1);
        assert_eq!(
            message(parse(MANIFEST_2D, &csv)),
            "out/sweep.csv: line 1: the parameter columns between `point` and `arm` are `trust.initial`, `defaults.demand`, but sweep.json sweeps `trust.initial`, `defaults.disclosure`"
        );
    }

    #[test]
    fn manifest_problems_name_the_field() {
        let manifest = MANIFEST_2D.replace(r#""points": 6"#, r#""points": 8"#);
        assert_eq!(
            message(parse(&manifest, &csv_2d())),
            "out/sweep.json: field `points`: 8, but the parameters' values make 6 points"
        );
        let manifest = MANIFEST_2D.replace(r#""kind": "sweep""#, r#""kind": "run""#);
        assert_eq!(
            message(parse(&manifest, &csv_2d())),
            "out/sweep.json: field `kind`: this is the manifest of a run, not of a sweep"
        );
        let manifest = MANIFEST_2D.replace(r#""seed": 7"#, r#""seed": "seven""#);
        assert!(message(parse(&manifest, &csv_2d())).starts_with("out/sweep.json: field `seed`:"));
    }

    #[test]
    fn without_connection_first_the_first_alternative_is_compared() {
        let manifest = MANIFEST_2D.replace(r#"["connection-first"]"#, r#"["escalation"]"#);
        let sweep = parse(&manifest, &csv_2d()).unwrap();
        assert_eq!(sweep.compared(), Some(Compared::FirstAlternative(1)));
    }

    #[test]
    fn interventions_may_be_tables_with_a_kind_as_in_older_manifests() {
        let manifest = MANIFEST_2D.replace(
            r#"["connection-first"]"#,
            r#"[{"kind": "connection-first", "start_week": 5}, 3]"#,
        );
        let sweep = parse(&manifest, &csv_2d()).unwrap();
        assert_eq!(sweep.arms[1].interventions, ["connection-first"]);
        assert_eq!(sweep.compared(), Some(Compared::ConnectionFirst(1)));
    }

    #[test]
    fn the_connection_first_arm_alone_is_preferred_to_a_combination() {
        let manifest = MANIFEST_2D.replace(
            r#"{"name": "connection-first""#,
            r#"{"name": "both", "interventions": ["escalation", "connection-first"]},
            {"name": "connection-first""#,
        );
        let sweep = parse(&manifest, &csv_2d()).unwrap();
        assert_eq!(sweep.arm_name(1), "both");
        assert_eq!(sweep.compared(), Some(Compared::ConnectionFirst(2)));
    }

    #[test]
    fn places_write_each_value_exactly() {
        let param = |values: &[f64]| Param {
            path: "p".to_owned(),
            values: values.to_vec(),
        };
        assert_eq!(param(&[1.0, 3.0]).places(), 0);
        assert_eq!(param(&[0.15, 0.2, 0.5]).places(), 2);
        assert_eq!(param(&[1.0 / 3.0]).places(), 6);
    }
}
