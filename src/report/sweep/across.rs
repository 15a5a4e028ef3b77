//! What the sweep's sentences say about the whole grid, gathered one point
//! at a time as `sweep.csv` is read: how many points fall in each verdict,
//! where the compared arm stops paying off, its smallest and largest cut,
//! which arm has the least conflict, the baseline's lowest and highest
//! conflict, and the means at each parameter's first and last value.
//!
//! It holds numbers per arm, metric and parameter value, none per point,
//! so a grid of a million points needs no more memory than one of ten.
//! Where the text picks one point among equals, the choice is the one a
//! search over the points in order would make (`min_by` keeps the first,
//! `max_by` the last), and sums run in point order, so the words do not
//! depend on how the rows were gathered.

use std::cmp::Ordering;

use super::super::metrics;
use super::data::{Grid, PointRows, SWEEP_REPORT_METRICS, Verdict, metric_index};

/// How many points fall in each verdict, for one arm and metric.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tally {
    pub lower: usize,
    pub higher: usize,
    pub unclear: usize,
    pub no_interval: usize,
    pub missing: usize,
}

impl Tally {
    fn count(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Lower => self.lower += 1,
            Verdict::Higher => self.higher += 1,
            Verdict::Unclear => self.unclear += 1,
            Verdict::NoInterval => self.no_interval += 1,
            Verdict::Missing => self.missing += 1,
        }
    }
}

/// A value at one point of the grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AtPoint {
    pub point: usize,
    pub value: f64,
}

/// The compared arm's difference in conflict at one point, with the
/// baseline's mean conflict there (the difference as a share of it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cut {
    pub point: usize,
    pub difference: f64,
    pub baseline_mean: Option<f64>,
}

/// A mean over points, summed in point order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunningMean {
    sum: f64,
    count: usize,
}

impl Default for RunningMean {
    fn default() -> Self {
        // `Iterator::sum` of floats starts from negative zero, so that a
        // sum of negative zeros stays negative; so does this one.
        Self {
            sum: -0.0,
            count: 0,
        }
    }
}

impl RunningMean {
    fn add(&mut self, value: f64) {
        self.sum += value;
        self.count += 1;
    }

    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

/// Means over the points at a parameter's first value and at its last.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct EndMeans {
    pub first: RunningMean,
    pub last: RunningMean,
}

impl EndMeans {
    fn add(&mut self, grid: &Grid, point: usize, param: usize, value: Option<f64>) {
        let Some(value) = value else {
            return;
        };
        let index = grid.index(point, param);
        if index == 0 {
            self.first.add(value);
        }
        if index == grid.params[param].values.len() - 1 {
            self.last.add(value);
        }
    }
}

/// The indexes of `values` in increasing order of value (equal values in
/// index order).
pub(crate) fn value_order(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    order
}

/// The lowest rank, the highest and how many, of the stopped points along
/// one value of the other parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RankRun {
    pub low: usize,
    pub high: usize,
    pub count: usize,
}

/// The stopped points of a grid where exactly two parameters vary, read
/// along one of them (`along`) at each value of the other (`across`).
#[derive(Debug)]
pub(crate) struct StaircaseRuns {
    pub along: usize,
    pub across: usize,
    /// The indexes of `along`'s values in increasing order of value: a
    /// value's rank is its position here.
    pub order: Vec<usize>,
    /// The rank of each of `along`'s values.
    rank: Vec<usize>,
    /// By value index of `across`, the ranks of its stopped points.
    pub runs: Vec<Option<RankRun>>,
}

impl StaircaseRuns {
    fn new(grid: &Grid, along: usize, across: usize) -> Self {
        let order = value_order(&grid.params[along].values);
        let mut rank = vec![0; order.len()];
        for (position, &index) in order.iter().enumerate() {
            rank[index] = position;
        }
        Self {
            along,
            across,
            order,
            rank,
            runs: vec![None; grid.params[across].values.len()],
        }
    }

    fn add(&mut self, grid: &Grid, point: usize) {
        let rank = self.rank[grid.index(point, self.along)];
        let run = &mut self.runs[grid.index(point, self.across)];
        *run = Some(match *run {
            None => RankRun {
                low: rank,
                high: rank,
                count: 1,
            },
            Some(run) => RankRun {
                low: run.low.min(rank),
                high: run.high.max(rank),
                count: run.count + 1,
            },
        });
    }
}

/// Where the compared arm stops paying off: the points where the 95%
/// interval of its difference includes zero or lies above it.
#[derive(Debug, Default)]
pub(crate) struct Stopped {
    pub count: usize,
    /// By parameter, the lowest and highest index of its values at a
    /// stopped point.
    pub spans: Vec<Option<(usize, usize)>>,
    /// When exactly two parameters vary: the points read along the first
    /// at each value of the second, then the other way round.
    pub staircases: Vec<StaircaseRuns>,
}

impl Stopped {
    fn new(grid: &Grid) -> Self {
        let staircases = match grid.varying()[..] {
            [first, second] => vec![
                StaircaseRuns::new(grid, first, second),
                StaircaseRuns::new(grid, second, first),
            ],
            _ => Vec::new(),
        };
        Self {
            count: 0,
            spans: vec![None; grid.params.len()],
            staircases,
        }
    }

    fn add(&mut self, grid: &Grid, point: usize) {
        self.count += 1;
        for (param, span) in self.spans.iter_mut().enumerate() {
            let index = grid.index(point, param);
            *span = Some(span.map_or((index, index), |(low, high)| {
                (low.min(index), high.max(index))
            }));
        }
        for staircase in &mut self.staircases {
            staircase.add(grid, point);
        }
    }
}

/// Keeps `candidate` in `kept` when `replaces(ordering of candidate against kept)`.
fn keep<T: Copy>(
    kept: &mut Option<T>,
    candidate: T,
    compare: impl Fn(&T, &T) -> Ordering,
    replaces: impl Fn(Ordering) -> bool,
) {
    if kept.is_none_or(|kept| replaces(compare(&candidate, &kept))) {
        *kept = Some(candidate);
    }
}

/// Everything the sentences need from every point of the grid.
#[derive(Debug, Default)]
pub(crate) struct AcrossGrid {
    arms: usize,
    baseline: Option<usize>,
    /// The arm the difference chart and the findings compare with the baseline.
    compared: Option<usize>,
    /// `[metric][arm]`, metrics as in [`SWEEP_REPORT_METRICS`].
    tallies: Vec<Vec<Tally>>,
    /// By metric: whether any arm has a mean at any point.
    has_values: Vec<bool>,
    /// Points with at least one row.
    points_read: usize,
    /// Rows of the report's metrics read (the first of any repeated row).
    pub rows_read: usize,
    /// Arm-and-point combinations with a conflict row.
    pub conflict_rows: usize,
    pub stopped: Stopped,
    /// The compared arm's smallest cut (the last of equal ones) and its
    /// largest (the first), where the 95% interval lies below zero.
    pub smallest_cut: Option<Cut>,
    pub largest_cut: Option<Cut>,
    /// By arm, the points where it has the lowest mean conflict (the
    /// first of equal arms).
    pub wins: Vec<usize>,
    /// The baseline's lowest mean conflict (the first of equal ones) and
    /// its highest (the last).
    pub baseline_lowest: Option<AtPoint>,
    pub baseline_highest: Option<AtPoint>,
    /// By parameter: the baseline's mean conflict at its first and last
    /// value, and the compared arm's difference from it.
    pub baseline_ends: Vec<EndMeans>,
    pub compared_ends: Vec<EndMeans>,
}

impl AcrossGrid {
    pub fn new(grid: &Grid, arms: usize, baseline: Option<usize>, compared: Option<usize>) -> Self {
        let metrics = SWEEP_REPORT_METRICS.len();
        Self {
            arms,
            baseline,
            compared,
            tallies: vec![vec![Tally::default(); arms]; metrics],
            has_values: vec![false; metrics],
            stopped: Stopped::new(grid),
            wins: vec![0; arms],
            baseline_ends: vec![EndMeans::default(); grid.params.len()],
            compared_ends: vec![EndMeans::default(); grid.params.len()],
            ..Self::default()
        }
    }

    /// Counts in the rows of one point; each point is added once.
    pub fn add(&mut self, grid: &Grid, rows: &PointRows) {
        let point = rows.point();
        self.points_read += 1;
        for arm in 0..self.arms {
            for (metric, tallies) in self.tallies.iter_mut().enumerate() {
                let row = rows.get(arm, metric);
                self.rows_read += usize::from(row.is_some());
                self.has_values[metric] |= row.is_some_and(|row| row.mean.is_some());
                tallies[arm].count(Verdict::of(row));
            }
        }
        let conflict = metric_index(metrics::CONFLICT_AFTER_START);
        let conflict_at = |arm: usize| rows.get(arm, conflict);
        self.conflict_rows += (0..self.arms)
            .filter(|&arm| conflict_at(arm).is_some())
            .count();
        let lowest = (0..self.arms)
            .filter_map(|arm| Some((arm, conflict_at(arm)?.mean?)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((arm, _)) = lowest {
            self.wins[arm] += 1;
        }
        let baseline_mean = self.baseline.and_then(|arm| conflict_at(arm)?.mean);
        if let Some(value) = baseline_mean {
            let at = AtPoint { point, value };
            let by_value = |a: &AtPoint, b: &AtPoint| a.value.total_cmp(&b.value);
            keep(&mut self.baseline_lowest, at, by_value, Ordering::is_lt);
            keep(&mut self.baseline_highest, at, by_value, Ordering::is_ge);
        }
        let compared = self.compared.map(conflict_at);
        let difference = compared.flatten().and_then(|row| row.diff_vs_baseline);
        for param in 0..grid.params.len() {
            self.baseline_ends[param].add(grid, point, param, baseline_mean);
            self.compared_ends[param].add(grid, point, param, difference);
        }
        match (compared.map(Verdict::of), difference) {
            (Some(Verdict::Unclear | Verdict::Higher), _) => self.stopped.add(grid, point),
            (Some(Verdict::Lower), Some(difference)) => {
                let cut = Cut {
                    point,
                    difference,
                    baseline_mean,
                };
                let by_difference = |a: &Cut, b: &Cut| a.difference.total_cmp(&b.difference);
                keep(&mut self.smallest_cut, cut, by_difference, Ordering::is_ge);
                keep(&mut self.largest_cut, cut, by_difference, Ordering::is_lt);
            }
            _ => {}
        }
    }

    /// Counts the points without any row as missing in every tally.
    pub fn finish(mut self, points: usize) -> Self {
        let unread = points.saturating_sub(self.points_read);
        for tally in self.tallies.iter_mut().flatten() {
            tally.missing += unread;
        }
        self
    }

    /// How many points fall in each verdict for `arm` and the `metric`th
    /// metric.
    pub fn tally(&self, metric: usize, arm: usize) -> Tally {
        self.tallies[metric].get(arm).copied().unwrap_or_default()
    }

    /// Whether any arm has a mean for the `metric`th metric at any point.
    pub fn has_values(&self, metric: usize) -> bool {
        self.has_values[metric]
    }
}
