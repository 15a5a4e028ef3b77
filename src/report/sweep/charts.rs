//! What the sweep's two charts show, decided from the shape of its grid.
//!
//! - No parameter takes two values: there is nothing to chart.
//! - One parameter varies: lines over its values, conflict per arm with 95%
//!   bands, and each arm's paired difference from the baseline with a zero
//!   line. A heatmap of one row would hide the bands.
//! - Two or more vary: heatmaps over the first two (x the first, y the
//!   second) of the baseline's conflict and of the compared arm's
//!   difference. A third varying parameter gives one panel per value (all
//!   of them up to [`MAX_PANELS`], else that many spread over its range);
//!   any further parameters are held at their first value, which the
//!   subtitle says. The text readings count every point of the grid.
//!
//! Like `charts.rs`, these models know nothing about plotters.

use std::ops::Range;

use super::super::charts::{Chart, Header, ReferenceLine, nice_ceiling};
use super::super::data::Interval;
use super::super::metrics;
use super::super::text;
use super::super::theme::Colour;
use super::data::{Compared, Grid, SweepOutput, Verdict};
use super::text as sweep_text;
use plotters::style::RGBColor;

/// Panels for the values of a third parameter, at most.
pub(crate) const MAX_PANELS: usize = 4;

/// Heatmaps with more cells than this (200 x 200) are not drawn: each cell
/// is an SVG element in the page, and beyond this the cells are a few
/// pixels wide on a slide.
const MAX_HEATMAP_CELLS: usize = 40_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SweepChartId {
    Conflict,
    Difference,
}

impl SweepChartId {
    pub const ALL: [Self; 2] = [Self::Conflict, Self::Difference];

    /// File name without extension; the same for the PNG and the SVG.
    pub fn file_stem(self) -> &'static str {
        match self {
            Self::Conflict => "sweep-conflict",
            Self::Difference => "sweep-difference",
        }
    }
}

/// How the grid is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layout {
    /// No parameter takes two values.
    SinglePoint,
    /// Exactly one parameter varies.
    Lines { param: usize },
    /// Two or more vary.
    Heatmap(HeatmapLayout),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeatmapLayout {
    pub x: usize,
    pub y: usize,
    /// A third varying parameter and the indexes of its values that get a
    /// panel each.
    pub panels: Option<(usize, Vec<usize>)>,
    /// Varying parameters beyond the third, held at their first value.
    pub held: Vec<usize>,
}

impl HeatmapLayout {
    /// The point at column `x`, row `y` of panel `panel`: every parameter
    /// not shown at its first value.
    pub fn point(&self, grid: &Grid, x: usize, y: usize, panel: usize) -> usize {
        let mut indexes = vec![0; grid.params.len()];
        indexes[self.x] = x;
        indexes[self.y] = y;
        if let Some((param, values)) = &self.panels {
            indexes[*param] = values[panel];
        }
        grid.point(&indexes)
    }

    pub fn panel_count(&self) -> usize {
        self.panels.as_ref().map_or(1, |(_, values)| values.len())
    }

    /// The cells of every panel.
    pub fn cell_count(&self, grid: &Grid) -> usize {
        grid.params[self.x].values.len() * grid.params[self.y].values.len() * self.panel_count()
    }

    /// The point of every cell, in increasing order.
    fn points(&self, grid: &Grid) -> Vec<usize> {
        let (columns, rows) = (
            grid.params[self.x].values.len(),
            grid.params[self.y].values.len(),
        );
        let mut points: Vec<usize> = (0..self.panel_count())
            .flat_map(|panel| {
                (0..rows).flat_map(move |row| {
                    (0..columns).map(move |column| self.point(grid, column, row, panel))
                })
            })
            .collect();
        points.sort_unstable();
        points.dedup();
        points
    }
}

/// The points whose rows the charts (and the sentences that go along one
/// parameter) read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DrawnPoints {
    /// Every point of a grid of this many: at most one parameter varies,
    /// so the points are its values.
    Every(usize),
    /// The heatmaps' cells, in increasing order; none when there are too
    /// many to draw.
    Listed(Vec<usize>),
}

pub(crate) fn drawn_points(grid: &Grid) -> DrawnPoints {
    match layout(grid) {
        Layout::SinglePoint | Layout::Lines { .. } => DrawnPoints::Every(grid.points),
        Layout::Heatmap(layout) if layout.cell_count(grid) > MAX_HEATMAP_CELLS => {
            DrawnPoints::Listed(Vec::new())
        }
        Layout::Heatmap(layout) => DrawnPoints::Listed(layout.points(grid)),
    }
}

pub(crate) fn layout(grid: &Grid) -> Layout {
    let varying = grid.varying();
    match varying[..] {
        [] => Layout::SinglePoint,
        [param] => Layout::Lines { param },
        [x, y, ref rest @ ..] => {
            let panels = rest.first().map(|&param| {
                let count = grid.params[param].values.len();
                (param, panel_values(count))
            });
            Layout::Heatmap(HeatmapLayout {
                x,
                y,
                panels,
                held: rest.iter().skip(1).copied().collect(),
            })
        }
    }
}

/// Indexes of the values that get a panel: all up to [`MAX_PANELS`], else
/// that many spread evenly from the first to the last.
fn panel_values(count: usize) -> Vec<usize> {
    if count <= MAX_PANELS {
        return (0..count).collect();
    }
    let last = count - 1;
    (0..MAX_PANELS)
        .map(|panel| (panel * last + (MAX_PANELS - 1) / 2) / (MAX_PANELS - 1))
        .collect()
}

pub(crate) struct GridAxis {
    pub title: String,
    /// The parameter's path alone, for when `title` does not fit.
    pub short_title: String,
    /// One label per value, in grid order.
    pub labels: Vec<String>,
}

/// Heatmap panels sharing one colour scale.
pub(crate) struct HeatmapChart {
    pub header: Header,
    pub x_axis: GridAxis,
    pub y_axis: GridAxis,
    pub panels: Vec<HeatmapPanel>,
    pub scale: ColourScale,
    /// What the colours measure, above the colour bar.
    pub scale_title: String,
    /// Decimals of the values written in the cells.
    pub places: usize,
    /// Whether any cell is hatched (a key is drawn only then).
    pub has_unclear: bool,
    /// Whether any cell has no value.
    pub has_missing: bool,
}

pub(crate) struct HeatmapPanel {
    pub title: Option<String>,
    /// `cells[row][column]`, row 0 at the bottom.
    pub cells: Vec<Vec<HeatCell>>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct HeatCell {
    pub value: Option<f64>,
    /// The 95% interval of the difference includes zero.
    pub unclear: bool,
}

pub(crate) enum ColourScale {
    /// Light (low) to dark (high) over `range`.
    Sequential { range: Range<f64>, ticks: Vec<f64> },
    /// Blue below zero, red above, white at zero, saturating at `limit`.
    Diverging {
        limit: f64,
        ticks: Vec<f64>,
        /// The words at the bar's top and bottom ends.
        above: String,
        below: String,
    },
}

/// ColorBrewer's YlOrRd without its palest step, which is hard to tell from
/// the white page: more conflict reads as hotter.
const SEQUENTIAL_STOPS: [Colour; 7] = [
    RGBColor(0xFF, 0xED, 0xA0),
    RGBColor(0xFE, 0xD9, 0x76),
    RGBColor(0xFE, 0xB2, 0x4C),
    RGBColor(0xFD, 0x8D, 0x3C),
    RGBColor(0xFC, 0x4E, 0x2A),
    RGBColor(0xE3, 0x1A, 0x1C),
    RGBColor(0xB1, 0x00, 0x26),
];

/// ColorBrewer's RdBu (safe for the common colour-vision deficiencies),
/// reversed so that less conflict is blue and more is red, as in the
/// sequential scale.
const DIVERGING_STOPS: [Colour; 9] = [
    RGBColor(0x21, 0x66, 0xAC),
    RGBColor(0x43, 0x93, 0xC3),
    RGBColor(0x92, 0xC5, 0xDE),
    RGBColor(0xD1, 0xE5, 0xF0),
    RGBColor(0xF7, 0xF7, 0xF7),
    RGBColor(0xFD, 0xDB, 0xC7),
    RGBColor(0xF4, 0xA5, 0x82),
    RGBColor(0xD6, 0x60, 0x4D),
    RGBColor(0xB2, 0x18, 0x2B),
];

/// Cells without a value.
pub(crate) const MISSING_COLOUR: Colour = RGBColor(0xEB, 0xEB, 0xEB);

impl ColourScale {
    /// The bottom and top of the colour bar.
    pub fn range(&self) -> (f64, f64) {
        match self {
            Self::Sequential { range, .. } => (range.start, range.end),
            Self::Diverging { limit, .. } => (-limit, *limit),
        }
    }

    pub fn ticks(&self) -> &[f64] {
        match self {
            Self::Sequential { ticks, .. } | Self::Diverging { ticks, .. } => ticks,
        }
    }

    pub fn colour(&self, value: f64) -> Colour {
        let (low, high) = self.range();
        let position = if high > low {
            ((value - low) / (high - low)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        match self {
            Self::Sequential { .. } => interpolate(&SEQUENTIAL_STOPS, position),
            Self::Diverging { .. } => interpolate(&DIVERGING_STOPS, position),
        }
    }
}

/// The colour at `position` (0 to 1) along evenly spaced `stops`.
fn interpolate(stops: &[Colour], position: f64) -> Colour {
    let scaled = position.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
    let index = (scaled.floor() as usize).min(stops.len() - 2);
    let fraction = scaled - index as f64;
    let (RGBColor(r0, g0, b0), RGBColor(r1, g1, b1)) = (stops[index], stops[index + 1]);
    let mix =
        |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * fraction).round() as u8;
    RGBColor(mix(r0, r1), mix(g0, g1), mix(b0, b1))
}

/// Lines over the one varying parameter.
pub(crate) struct SweepLineChart {
    pub header: Header,
    pub x_title: String,
    pub x_range: Range<f64>,
    /// Decimals of the x tick labels.
    pub x_places: usize,
    pub y_title: String,
    pub y_range: Range<f64>,
    pub series: Vec<SweepSeries>,
    pub zero_line: Option<ReferenceLine>,
}

pub(crate) struct SweepSeries {
    pub label: String,
    pub colour: Colour,
    /// In increasing order of `x`.
    pub points: Vec<SweepPoint>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SweepPoint {
    pub x: f64,
    pub mean: Option<f64>,
    pub interval: Option<Interval>,
}

/// Builds chart `id`, or says in plain words why the sweep cannot support it.
pub(crate) fn build_chart(id: SweepChartId, sweep: &SweepOutput) -> Result<Chart, String> {
    let metric = metrics::CONFLICT_AFTER_START;
    if !sweep.has_values(metric) {
        return Err(format!(
            "sweep.csv has no values for `{metric}`, so this chart is left out."
        ));
    }
    let Some(baseline) = sweep.baseline() else {
        return Err("The sweep has no arms, so there is nothing to chart.".to_owned());
    };
    let compared = sweep.compared();
    if id == SweepChartId::Difference && compared.is_none() {
        return Err(format!(
            "The sweep has no arm besides {}, so there is no difference to chart.",
            sweep.arm_name(baseline)
        ));
    }
    match layout(&sweep.grid) {
        Layout::SinglePoint => Err(
            "No parameter takes more than one value, so the sweep is a single point: there is nothing to chart, and its numbers are in the table below."
                .to_owned(),
        ),
        Layout::Lines { param } => Ok(Chart::SweepLines(match id {
            SweepChartId::Conflict => conflict_lines(sweep, param),
            SweepChartId::Difference => difference_lines(sweep, param),
        })),
        Layout::Heatmap(layout) => {
            let cells = layout.cell_count(&sweep.grid);
            if cells > MAX_HEATMAP_CELLS {
                return Err(format!(
                    "The heatmap would have {} cells, too many to draw; sweep.csv holds every value.",
                    text::thousands(cells as u64)
                ));
            }
            let chart = match (id, compared) {
                (SweepChartId::Difference, Some(compared)) => {
                    difference_heatmap(sweep, &layout, compared)
                }
                _ => conflict_heatmap(sweep, &layout, baseline),
            };
            Ok(Chart::Heatmap(chart))
        }
    }
}

/// "two-managers · mean of 200 simulated runs per point · {detail}".
fn subtitle(sweep: &SweepOutput, parts: &[&str]) -> String {
    let runs = match sweep.manifest.head.replicates {
        Some(1) => "one simulated run per point (no intervals)".to_owned(),
        Some(count) => format!("means of {} runs per point", text::thousands(count)),
        None => "simulated means".to_owned(),
    };
    let name = sweep.manifest.display_name();
    [name.as_str(), runs.as_str()]
        .into_iter()
        .chain(parts.iter().copied())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" \u{00b7} ")
}

/// "from week 5", or "over all weeks" without an intervention start, or
/// "from each point's intervention start" when an arm's start week is swept.
pub(crate) fn conflict_period(sweep: &SweepOutput) -> String {
    if sweeps_start_week(sweep) {
        return "from each point's first intervention week".to_owned();
    }
    match sweep.manifest.intervention_start_week {
        Some(week) => format!("from week {week}"),
        None => "over all weeks".to_owned(),
    }
}

/// Whether an arm's start week is one of the swept parameters, so that the
/// week interventions start (and conflict is measured from) varies by point.
pub(crate) fn sweeps_start_week(sweep: &SweepOutput) -> bool {
    sweep
        .grid
        .params
        .iter()
        .any(|param| param.path.starts_with("arms.") && param.path.ends_with(".start_week"))
}

/// The swept number of weeks, when `weeks` is one of the swept parameters.
pub(crate) fn swept_weeks(sweep: &SweepOutput) -> Option<&super::data::Param> {
    sweep.grid.params.iter().find(|param| param.path == "weeks")
}

/// A parameter's value as the charts and text write it.
pub(crate) fn value_text(sweep: &SweepOutput, param: usize, value: f64) -> String {
    text::decimal(value, sweep.grid.params[param].places())
}

/// The parameter's path, with the range of its ratio to the trust gain
/// when it is the trust loss.
fn param_axis_title(sweep: &SweepOutput, param: usize) -> String {
    let path = &sweep.grid.params[param].path;
    match sweep.loss_gain(param) {
        Some(gain) => {
            let (low, high) = sweep.grid.params[param].range();
            format!(
                "{path} (= {} to {} \u{00d7} lambda_gain)",
                sweep_text::ratio_text(low / gain),
                sweep_text::ratio_text(high / gain)
            )
        }
        None => path.clone(),
    }
}

fn grid_axis(sweep: &SweepOutput, param: usize) -> GridAxis {
    GridAxis {
        title: param_axis_title(sweep, param),
        short_title: sweep.grid.params[param].path.clone(),
        labels: sweep.grid.params[param]
            .values
            .iter()
            .map(|&value| value_text(sweep, param, value))
            .collect(),
    }
}

/// "drawn at defaults.demand = 0.9, team.size = 6", for the subtitle.
fn held_note(sweep: &SweepOutput, layout: &HeatmapLayout) -> String {
    if layout.held.is_empty() {
        return String::new();
    }
    format!(
        "drawn at {}",
        held_values(sweep, &layout.held, value_text).join(", ")
    )
}

/// "defaults.demand = 0.9" for each parameter a heatmap holds at its
/// first value, the value written by `write`.
pub(crate) fn held_values(
    sweep: &SweepOutput,
    held: &[usize],
    write: fn(&SweepOutput, usize, f64) -> String,
) -> Vec<String> {
    held.iter()
        .map(|&param| {
            let values = &sweep.grid.params[param];
            format!(
                "{} = {}",
                values.path,
                write(sweep, param, values.values[0])
            )
        })
        .collect()
}

fn heatmap_panels(
    sweep: &SweepOutput,
    layout: &HeatmapLayout,
    cell: impl Fn(usize) -> HeatCell,
) -> Vec<HeatmapPanel> {
    let (columns, rows) = (
        sweep.grid.params[layout.x].values.len(),
        sweep.grid.params[layout.y].values.len(),
    );
    (0..layout.panel_count())
        .map(|panel| HeatmapPanel {
            title: layout.panels.as_ref().map(|(param, values)| {
                let value = sweep.grid.params[*param].values[values[panel]];
                format!(
                    "{} = {}",
                    sweep.grid.params[*param].path,
                    value_text(sweep, *param, value)
                )
            }),
            cells: (0..rows)
                .map(|row| {
                    (0..columns)
                        .map(|column| cell(layout.point(&sweep.grid, column, row, panel)))
                        .collect()
                })
                .collect(),
        })
        .collect()
}

fn conflict_heatmap(sweep: &SweepOutput, layout: &HeatmapLayout, baseline: usize) -> HeatmapChart {
    let panels = heatmap_panels(sweep, layout, |point| HeatCell {
        value: sweep.conflict(baseline, point).and_then(|row| row.mean),
        unclear: false,
    });
    let (low, high) = panel_values_of(&panels)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
            (low.min(value), high.max(value))
        });
    let (range, ticks) = if low.is_finite() {
        nice_range(low, high)
    } else {
        (0.0..1.0, vec![0.0, 0.5, 1.0])
    };
    let places = places_for(range.end.abs().max(range.start.abs()));
    let baseline_name = sweep.arm_name(baseline);
    let detail = conflict_period(sweep);
    HeatmapChart {
        header: Header {
            title: format!("Weekly conflict hours per leader under {baseline_name}"),
            subtitle: subtitle(sweep, &[&detail, &held_note(sweep, layout)]),
        },
        x_axis: grid_axis(sweep, layout.x),
        y_axis: grid_axis(sweep, layout.y),
        has_missing: panels_have_missing(&panels),
        panels,
        scale: ColourScale::Sequential { range, ticks },
        scale_title: "Hours per leader per week".to_owned(),
        places,
        has_unclear: false,
    }
}

fn difference_heatmap(
    sweep: &SweepOutput,
    layout: &HeatmapLayout,
    compared: Compared,
) -> HeatmapChart {
    let arm = compared.arm();
    let panels = heatmap_panels(sweep, layout, |point| {
        let row = sweep.conflict(arm, point);
        HeatCell {
            value: row.and_then(|row| row.diff_vs_baseline),
            unclear: Verdict::of(row) == Verdict::Unclear,
        }
    });
    let largest =
        panel_values_of(&panels).fold(0.0, |largest: f64, value| largest.max(value.abs()));
    let limit = nice_ceiling(largest);
    let ticks = diverging_ticks(limit);
    let arm_name = sweep.arm_name(arm);
    let baseline_name = sweep
        .baseline()
        .map_or("the baseline", |baseline| sweep.arm_name(baseline));
    let has_unclear = panels
        .iter()
        .flat_map(|panel| panel.cells.iter().flatten())
        .any(|cell| cell.unclear);
    let hatch = if has_unclear {
        "hatched: 95% interval includes 0"
    } else {
        ""
    };
    HeatmapChart {
        header: Header {
            title: format!("Weekly conflict hours: {arm_name} minus {baseline_name}"),
            subtitle: subtitle(
                sweep,
                &[&conflict_period(sweep), hatch, &held_note(sweep, layout)],
            ),
        },
        x_axis: grid_axis(sweep, layout.x),
        y_axis: grid_axis(sweep, layout.y),
        has_missing: panels_have_missing(&panels),
        panels,
        scale: ColourScale::Diverging {
            limit,
            ticks,
            above: format!("More conflict with {arm_name}"),
            below: format!("Less conflict with {arm_name}"),
        },
        scale_title: "Difference, hours per leader per week".to_owned(),
        places: places_for(limit),
        has_unclear,
    }
}

fn panel_values_of(panels: &[HeatmapPanel]) -> impl Iterator<Item = f64> + '_ {
    panels
        .iter()
        .flat_map(|panel| panel.cells.iter().flatten())
        .filter_map(|cell| cell.value)
}

fn panels_have_missing(panels: &[HeatmapPanel]) -> bool {
    panels
        .iter()
        .flat_map(|panel| panel.cells.iter().flatten())
        .any(|cell| cell.value.is_none())
}

/// Decimals for values on a scale reaching `magnitude`: "−0.56", "3.53",
/// "12.5" and "120".
fn places_for(magnitude: f64) -> usize {
    if magnitude < 10.0 {
        2
    } else if magnitude < 100.0 {
        1
    } else {
        0
    }
}

/// A range that covers `low..high` and ends on round ticks, with the ticks
/// (four to eight of them).
pub(crate) fn nice_range(low: f64, high: f64) -> (Range<f64>, Vec<f64>) {
    let (low, high) = if high - low < 1e-9 * high.abs().max(1.0) {
        let pad = (high.abs() * 0.1).max(0.05);
        (low - pad, high + pad)
    } else {
        (low, high)
    };
    let step = nice_step((high - low) / 4.0);
    let start = (low / step - 1e-9).floor() * step;
    let end = (high / step + 1e-9).ceil() * step;
    let count = ((end - start) / step).round() as usize;
    let ticks = (0..=count)
        .map(|index| start + step * index as f64)
        .collect();
    (start..end, ticks)
}

/// Ticks from `-limit` to `limit` through zero: the ends, zero, and the
/// halves, thirds or quarters between when they are as round as the ends
/// (±2.5 gets no ±1.25).
fn diverging_ticks(limit: f64) -> Vec<f64> {
    let places = tick_places(&[limit]).max(1);
    [2_i32, 3, 4]
        .into_iter()
        .find(|&parts| tick_places(&[limit / f64::from(parts)]) <= places)
        .map_or_else(
            || vec![-limit, 0.0, limit],
            |parts| {
                (-parts..=parts)
                    .map(|index| limit * f64::from(index) / f64::from(parts))
                    .collect()
            },
        )
}

/// Decimals that write every tick exactly (up to three).
pub(crate) fn tick_places(ticks: &[f64]) -> usize {
    (0..=3)
        .find(|&places| {
            let factor = 10_f64.powi(places as i32);
            ticks
                .iter()
                .all(|tick| ((tick * factor) - (tick * factor).round()).abs() < 1e-6)
        })
        .unwrap_or(3)
}

/// The round step (1, 2, 2.5 or 5 times a power of ten) nearest above `raw`.
fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|&step| step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// The points of the grid along `param`, in increasing order of its value.
fn points_along(sweep: &SweepOutput, param: usize) -> Vec<(f64, usize)> {
    let mut points: Vec<(f64, usize)> = sweep.grid.params[param]
        .values
        .iter()
        .enumerate()
        .map(|(index, &value)| {
            let mut indexes = vec![0; sweep.grid.params.len()];
            indexes[param] = index;
            (value, sweep.grid.point(&indexes))
        })
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points
}

fn x_range(points: &[(f64, usize)]) -> Range<f64> {
    let (low, high) = (
        points.first().map_or(0.0, |point| point.0),
        points.last().map_or(1.0, |point| point.0),
    );
    // A little room either side so the end points are not on the frame.
    let pad = if high > low { (high - low) * 0.04 } else { 0.5 };
    low - pad..high + pad
}

fn conflict_lines(sweep: &SweepOutput, param: usize) -> SweepLineChart {
    let points = points_along(sweep, param);
    let series: Vec<SweepSeries> = sweep
        .arms
        .iter()
        .enumerate()
        .map(|(arm, sweep_arm)| SweepSeries {
            label: sweep_arm.arm.name.clone(),
            colour: sweep_arm.arm.colour,
            points: points
                .iter()
                .map(|&(x, point)| {
                    let row = sweep.conflict(arm, point);
                    SweepPoint {
                        x,
                        mean: row.and_then(|row| row.mean),
                        interval: row.and_then(|row| row.interval),
                    }
                })
                .collect(),
        })
        .filter(|series| series.points.iter().any(|point| point.mean.is_some()))
        .collect();
    let highest = series_values(&series).fold(0.0, f64::max);
    let path = &sweep.grid.params[param].path;
    SweepLineChart {
        header: Header {
            title: format!("Conflict hours per leader per week, by {path}"),
            subtitle: subtitle(
                sweep,
                &[&conflict_period(sweep), "shaded bands: 95% interval"],
            ),
        },
        x_title: param_axis_title(sweep, param),
        x_range: x_range(&points),
        x_places: sweep.grid.params[param].places(),
        y_title: "Conflict hours per leader per week".to_owned(),
        y_range: 0.0..nice_ceiling(highest * 1.05),
        series,
        zero_line: None,
    }
}

fn difference_lines(sweep: &SweepOutput, param: usize) -> SweepLineChart {
    let points = points_along(sweep, param);
    let series: Vec<SweepSeries> = sweep
        .alternatives()
        .map(|arm| SweepSeries {
            label: sweep.arm_name(arm).to_owned(),
            colour: sweep.arms[arm].arm.colour,
            points: points
                .iter()
                .map(|&(x, point)| {
                    let row = sweep.conflict(arm, point);
                    SweepPoint {
                        x,
                        mean: row.and_then(|row| row.diff_vs_baseline),
                        interval: row.and_then(|row| row.diff_interval),
                    }
                })
                .collect(),
        })
        .filter(|series| series.points.iter().any(|point| point.mean.is_some()))
        .collect();
    let (low, high) = series_values(&series).fold((0.0, 0.0), |(low, high): (f64, f64), value| {
        (low.min(value), high.max(value))
    });
    let span = (high - low).max(1e-9);
    let (range, _) = nice_range(low - span * 0.04, high + span * 0.04);
    let baseline_name = sweep
        .baseline()
        .map_or("the baseline", |baseline| sweep.arm_name(baseline));
    let path = &sweep.grid.params[param].path;
    SweepLineChart {
        header: Header {
            title: format!("Each arm minus {baseline_name}, by {path}"),
            subtitle: subtitle(
                sweep,
                &[
                    &conflict_period(sweep),
                    "bands: 95% interval of the paired difference",
                ],
            ),
        },
        x_title: param_axis_title(sweep, param),
        x_range: x_range(&points),
        x_places: sweep.grid.params[param].places(),
        y_title: "Difference, hours per leader per week".to_owned(),
        y_range: range,
        series,
        zero_line: Some(ReferenceLine {
            value: 0.0,
            label: vec!["No difference".to_owned(), format!("(= {baseline_name})")],
        }),
    }
}

fn series_values(series: &[SweepSeries]) -> impl Iterator<Item = f64> + '_ {
    series
        .iter()
        .flat_map(|series| &series.points)
        .flat_map(|point| {
            let interval = point.interval.map(|interval| [interval.low, interval.high]);
            point.mean.into_iter().chain(interval.into_iter().flatten())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sweep::data::Param;
    use crate::report::sweep::data::tests::{MANIFEST_2D, csv_2d, manifest_with_params, parse};
    use crate::report::theme::is_dark;

    fn grid(steps: &[usize]) -> Grid {
        let params = steps
            .iter()
            .enumerate()
            .map(|(index, &count)| Param {
                path: format!("p{index}"),
                values: (0..count).map(|value| value as f64).collect(),
            })
            .collect();
        Grid::new(params).unwrap()
    }

    #[test]
    fn the_layout_follows_the_parameters_that_vary() {
        assert_eq!(layout(&grid(&[1])), Layout::SinglePoint);
        assert_eq!(layout(&grid(&[1, 5, 1])), Layout::Lines { param: 1 });
        assert_eq!(
            layout(&grid(&[9, 1, 9])),
            Layout::Heatmap(HeatmapLayout {
                x: 0,
                y: 2,
                panels: None,
                held: vec![],
            })
        );
        assert_eq!(
            layout(&grid(&[3, 3, 7, 2])),
            Layout::Heatmap(HeatmapLayout {
                x: 0,
                y: 1,
                panels: Some((2, vec![0, 2, 4, 6])),
                held: vec![3],
            })
        );
    }

    #[test]
    fn panels_spread_over_the_range() {
        assert_eq!(panel_values(3), [0, 1, 2]);
        assert_eq!(panel_values(5), [0, 1, 3, 4]);
        assert_eq!(panel_values(10), [0, 3, 6, 9]);
    }

    #[test]
    fn the_difference_heatmap_marks_cells_whose_interval_includes_zero() {
        let sweep = parse(MANIFEST_2D, &csv_2d()).unwrap();
        let Ok(Chart::Heatmap(chart)) = build_chart(SweepChartId::Difference, &sweep) else {
            panic!("a 3 x 2 sweep is drawn as a heatmap");
        };
        let cells = &chart.panels[0].cells;
        // Rows are disclosure (2), columns trust (3): the difference is
        // -0.55, -0.25 and +0.05 with intervals of +-0.15.
        assert_eq!(cells.len(), 2);
        let unclear: Vec<bool> = cells[0].iter().map(|cell| cell.unclear).collect();
        assert_eq!(unclear, [false, false, true]);
        assert!(chart.has_unclear);
        let ColourScale::Diverging { limit, .. } = chart.scale else {
            panic!("differences use a diverging scale");
        };
        assert!((limit - 0.6).abs() < 1e-9);
        assert_eq!(chart.x_axis.labels, ["0.2", "0.5", "0.8"]);
        assert_eq!(chart.y_axis.title, "defaults.disclosure");
    }

    #[test]
    fn a_one_parameter_sweep_is_drawn_as_lines() {
        let manifest = MANIFEST_2D.replace(
            r#""from": 0.1, "to": 0.3, "steps": 2, "values": [0.1, 0.3]"#,
            r#""from": 0.1, "to": 0.1, "steps": 1, "values": [0.1]"#,
        );
        let csv: String = csv_2d()
            .lines()
            .filter(|line| !line.contains(",0.3,"))
            .map(|line| {
                let mut fields: Vec<String> = line.split(',').map(str::to_owned).collect();
                if let Ok(point) = fields[0].parse::<usize>() {
                    fields[0] = (point / 2).to_string();
                }
                fields.join(",") + "\n"
            })
            .collect();
        let manifest = manifest.replace(r#""points": 6"#, r#""points": 3"#);
        let sweep = parse(&manifest, &csv).unwrap();
        let Ok(Chart::SweepLines(chart)) = build_chart(SweepChartId::Difference, &sweep) else {
            panic!("one varying parameter is drawn as lines");
        };
        assert_eq!(chart.series.len(), 1);
        let means: Vec<f64> = chart.series[0]
            .points
            .iter()
            .filter_map(|point| point.mean)
            .collect();
        assert_eq!(means.len(), 3);
        assert!(chart.zero_line.is_some());
        assert!(chart.y_range.start < -0.7 && chart.y_range.end >= 0.2);
    }

    #[test]
    fn a_grid_too_large_to_draw_is_left_out_with_a_reason() {
        let manifest = manifest_with_params(
            r#"[
                {"path": "trust.initial", "from": 0.2, "to": 20.2, "steps": 201},
                {"path": "defaults.disclosure", "from": 0.1, "to": 20.0, "steps": 200}
            ]"#,
        );
        let csv: String = csv_2d()
            .lines()
            .take(2)
            .map(|line| format!("{line}\n"))
            .collect();
        let sweep = parse(&manifest, &csv).unwrap();
        let Err(reason) = build_chart(SweepChartId::Conflict, &sweep) else {
            panic!("40,200 cells are not drawn");
        };
        assert_eq!(
            reason,
            "The heatmap would have 40,200 cells, too many to draw; sweep.csv holds every value."
        );
    }

    #[test]
    fn colour_scales_are_centred_and_ordered() {
        let diverging = ColourScale::Diverging {
            limit: 1.0,
            ticks: vec![],
            above: String::new(),
            below: String::new(),
        };
        assert_eq!(diverging.colour(0.0), DIVERGING_STOPS[4]);
        assert_eq!(diverging.colour(-5.0), DIVERGING_STOPS[0]);
        assert_eq!(diverging.colour(1.0), DIVERGING_STOPS[8]);
        assert!(is_dark(diverging.colour(-1.0)));
        assert!(!is_dark(diverging.colour(0.1)));
        let sequential = ColourScale::Sequential {
            range: 2.0..2.0,
            ticks: vec![],
        };
        // A flat scale does not divide by zero.
        assert_eq!(sequential.colour(2.0), interpolate(&SEQUENTIAL_STOPS, 0.5));
    }

    #[test]
    fn tick_places_write_each_tick_exactly() {
        assert_eq!(tick_places(&[-1.0, -0.5, 0.0, 0.5, 1.0]), 1);
        assert_eq!(tick_places(&[1.5, 2.0, 2.5]), 1);
        assert_eq!(tick_places(&[-0.25, 0.0, 0.25]), 2);
        assert_eq!(tick_places(&[2.0, 4.0]), 0);
    }

    #[test]
    fn diverging_ticks_stay_round() {
        assert_eq!(diverging_ticks(2.5), [-2.5, 0.0, 2.5]);
        assert_eq!(diverging_ticks(3.0), [-3.0, -1.5, 0.0, 1.5, 3.0]);
        assert_eq!(diverging_ticks(1.0), [-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert_eq!(diverging_ticks(1.5).len(), 7);
    }

    #[test]
    fn nice_ranges_end_on_round_ticks() {
        let (range, ticks) = nice_range(1.69, 3.53);
        assert_eq!(range, 1.5..4.0);
        assert_eq!(ticks, [1.5, 2.0, 2.5, 3.0, 3.5, 4.0]);
        let (range, ticks) = nice_range(3.0, 3.0);
        assert!(range.start < 3.0 && range.end > 3.0);
        assert!(ticks.len() >= 2);
    }
}
