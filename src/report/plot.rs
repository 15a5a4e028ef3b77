//! Draws the chart models of `charts.rs` with plotters, on any backend.
//!
//! Every chart has the same frame: a left-aligned title and subtitle on
//! top, the plot, and a side column on the right for the legend and the
//! labels of reference lines, so that no legend ever covers data. The
//! weekly charts share one set of helpers for axes, bands, lines and the
//! start marker.

use std::ops::Range;

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{
    AxisUnit, Bar, BarChart, Chart, GapChart, GapPanel, Header, LineChart, ReferenceLine,
};
use super::data::{Interval, WeekPoint, point_in_week};
use super::sensitivity::plot as sensitivity_plot;
use super::sweep::plot as sweep_plot;
use super::text;
use super::theme::{self, Colour, TextRole, Theme};

pub(crate) type DrawResult<T, DB> =
    Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;
type WeekChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordi32, RangedCoordf64>>;

/// Pixel sizes at 1280x720; see [`Theme::px`].
pub(crate) const MARGIN: f64 = 28.0;
const HEADER_HEIGHT: f64 = 104.0;
/// Space above each plot for the start marker's label.
pub(crate) const PLOT_TOP_GAP: f64 = 34.0;
pub(crate) const LINE_WIDTH: f64 = 3.0;
pub(crate) const LEGEND_KEY_WIDTH: f64 = 40.0;
pub(crate) const LEGEND_ROW_GAP: f64 = 14.0;
/// Space around the key and label of a legend entry, left and right.
const LEGEND_PADDING: f64 = 36.0;
const SIDE_COLUMN_MIN: f64 = 200.0;
const SIDE_COLUMN_MAX: f64 = 330.0;
/// The empathy-gap shading is a little stronger than a 95% band: it is
/// the point of the chart.
const GAP_OPACITY: f64 = 0.25;

pub(crate) fn draw_chart<DB: DrawingBackend>(
    chart: &Chart,
    root: &Area<DB>,
    theme: Theme,
) -> DrawResult<(), DB> {
    root.fill(&theme::BACKGROUND)?;
    match chart {
        Chart::Lines(line_chart) => draw_line_chart(line_chart, root, theme),
        Chart::Bars(bar_chart) => draw_bar_chart(bar_chart, root, theme),
        Chart::GapPanels(gap_chart) => draw_gap_chart(gap_chart, root, theme),
        Chart::Heatmap(heatmap) => sweep_plot::draw_heatmap(heatmap, root, theme),
        Chart::SweepLines(line_chart) => sweep_plot::draw_sweep_lines(line_chart, root, theme),
        Chart::SensitivityScatter(scatter) => sensitivity_plot::draw_scatter(scatter, root, theme),
        Chart::SensitivityRanking(ranking) => sensitivity_plot::draw_ranking(ranking, root, theme),
    }
}

// ---------------------------------------------------------------- frame --

/// The areas of a drawn frame: the plot and the side column.
pub(crate) struct Frame<DB: DrawingBackend> {
    pub plot: Area<DB>,
    pub side: Area<DB>,
}

/// Draws the title and subtitle and splits the rest into plot and side
/// column, sized to fit the legend labels.
pub(crate) fn draw_frame<DB: DrawingBackend>(
    root: &Area<DB>,
    theme: Theme,
    header: &Header,
    legend: &[LegendEntry],
) -> DrawResult<Frame<DB>, DB> {
    let left = theme.px(MARGIN);
    let width = root.dim_in_pixel().0 as i32 - 2 * left;
    for (text, role, top) in [
        (&header.title, TextRole::Title, 22.0),
        (&header.subtitle, TextRole::Subtitle, 66.0),
    ] {
        let style = theme.text(role);
        let fitted = fit_text(root, text, &style, width)?;
        draw_text(root, &fitted, (left, theme.px(top)), style, TOP_LEFT)?;
    }
    let (_, body) = root.split_vertically(theme.px(HEADER_HEIGHT));
    let body = body.margin(
        0,
        theme.px(MARGIN * 0.6),
        theme.px(MARGIN * 0.4),
        theme.px(MARGIN * 0.6),
    );
    let mut widest_label = 0;
    for entry in legend {
        for line in &entry.label {
            widest_label = widest_label.max(
                root.estimate_text_size(line, &theme.text(TextRole::Legend))?
                    .0,
            );
        }
    }
    let wanted = f64::from(widest_label) / theme.scale + LEGEND_KEY_WIDTH + LEGEND_PADDING;
    let side_width = theme.px(wanted.clamp(SIDE_COLUMN_MIN, SIDE_COLUMN_MAX));
    let (plot, side) = body.split_horizontally(body.dim_in_pixel().0 as i32 - side_width);
    Ok(Frame { plot, side })
}

/// What a legend entry's key looks like.
#[derive(Clone, Copy)]
pub(crate) enum LegendKey {
    Line {
        colour: Colour,
        dashed: bool,
    },
    LineWithBand {
        colour: Colour,
    },
    Swatch {
        colour: Colour,
        opacity: f64,
    },
    /// A scatter chart's dot, filled or as a ring.
    Dot {
        colour: Colour,
        filled: bool,
    },
}

pub(crate) struct LegendEntry {
    /// Already wrapped to the side column's width.
    pub label: Vec<String>,
    pub key: LegendKey,
}

/// Legend entries for labels that may need wrapping; wrapping needs the
/// text measurements of a drawing area.
pub(crate) fn legend_entries<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: Theme,
    entries: impl IntoIterator<Item = (String, LegendKey)>,
) -> DrawResult<Vec<LegendEntry>, DB> {
    let width = theme.px(SIDE_COLUMN_MAX - LEGEND_KEY_WIDTH - LEGEND_PADDING);
    entries
        .into_iter()
        .map(|(label, key)| {
            Ok(LegendEntry {
                label: wrap_text(area, &label, &theme.text(TextRole::Legend), width)?,
                key,
            })
        })
        .collect()
}

/// A line of a chart, as its legend sees it.
pub(crate) trait Line {
    fn label(&self) -> &str;
    fn colour(&self) -> Colour;
    /// Whether any of its points has a 95% interval (drawn as a band).
    fn has_interval(&self) -> bool;
}

/// The legend of a chart of lines: each key a line, over a band when any
/// line has intervals.
pub(crate) fn line_legend<DB: DrawingBackend, L: Line>(
    area: &Area<DB>,
    theme: Theme,
    lines: &[L],
) -> DrawResult<Vec<LegendEntry>, DB> {
    let has_bands = lines.iter().any(Line::has_interval);
    legend_entries(
        area,
        theme,
        lines.iter().map(|line| {
            let colour = line.colour();
            let key = if has_bands {
                LegendKey::LineWithBand { colour }
            } else {
                LegendKey::Line {
                    colour,
                    dashed: false,
                }
            };
            (line.label().to_owned(), key)
        }),
    )
}

impl Line for super::charts::LineSeries {
    fn label(&self) -> &str {
        &self.label
    }
    fn colour(&self) -> Colour {
        self.colour
    }
    fn has_interval(&self) -> bool {
        self.points.iter().any(|point| point.interval.is_some())
    }
}

/// The outline of a 95% band over a run of points: along the tops, then
/// back along the bottoms.
pub(crate) fn band_outline<X: Copy>(run: &[(X, Interval)]) -> Vec<(X, f64)> {
    let upper = run.iter().map(|&(x, interval)| (x, interval.high));
    let lower = run.iter().rev().map(|&(x, interval)| (x, interval.low));
    upper.chain(lower).collect()
}

/// Fills the side column: the legend and, level with its line, the label
/// of a reference line. The legend sits at the top unless that would
/// collide with the label, in which case it moves to the bottom.
pub(crate) fn draw_side_column<DB: DrawingBackend>(
    side: &Area<DB>,
    theme: Theme,
    legend: &[LegendEntry],
    reference_label: Option<(i32, &[String])>,
) -> DrawResult<(), DB> {
    let line_height = theme.px(25.0);
    let row_height =
        |entry: &LegendEntry| line_height * entry.label.len() as i32 + theme.px(LEGEND_ROW_GAP);
    let legend_height: i32 = legend.iter().map(row_height).sum();
    let side_height = side.dim_in_pixel().1 as i32;
    let mut top = theme.px(PLOT_TOP_GAP);
    if let Some((y, lines)) = reference_label {
        let label_height = line_height * lines.len() as i32;
        let label_top = (y - line_height / 2).clamp(0, (side_height - label_height).max(0));
        for (index, line) in lines.iter().enumerate() {
            let role = if index == 0 {
                TextRole::Annotation
            } else {
                TextRole::Subtitle
            };
            let position = (
                theme.px(14.0),
                label_top + line_height * index as i32 + line_height / 2,
            );
            draw_text(side, line, position, theme.text(role), CENTER_LEFT)?;
        }
        let overlaps = label_top < top + legend_height && label_top + label_height > top;
        if overlaps {
            top = (side_height - legend_height - theme.px(60.0))
                .max(label_top + label_height + line_height);
        }
    }
    for entry in legend {
        let centre_y = top + line_height / 2;
        draw_legend_key(side, theme, entry.key, (theme.px(14.0), centre_y))?;
        for (index, line) in entry.label.iter().enumerate() {
            let position = (
                theme.px(14.0 + LEGEND_KEY_WIDTH + 12.0),
                centre_y + line_height * index as i32,
            );
            draw_text(
                side,
                line,
                position,
                theme.text(TextRole::Legend),
                CENTER_LEFT,
            )?;
        }
        top += row_height(entry);
    }
    Ok(())
}

pub(crate) fn draw_legend_key<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: Theme,
    key: LegendKey,
    (left, centre_y): (i32, i32),
) -> DrawResult<(), DB> {
    let right = left + theme.px(LEGEND_KEY_WIDTH);
    let half_height = theme.px(9.0);
    let line = [(left, centre_y), (right, centre_y)];
    match key {
        LegendKey::Line { colour, dashed } => {
            draw_path(area, theme, &line, line_style(theme, colour), dashed)
        }
        LegendKey::LineWithBand { colour } => {
            let band = [
                (left, centre_y - half_height),
                (right, centre_y + half_height),
            ];
            area.draw(&Rectangle::new(
                band,
                colour.mix(theme::BAND_OPACITY).filled(),
            ))?;
            draw_path(area, theme, &line, line_style(theme, colour), false)
        }
        LegendKey::Swatch { colour, opacity } => {
            let swatch = [
                (left, centre_y - half_height),
                (right, centre_y + half_height),
            ];
            area.draw(&Rectangle::new(swatch, colour.mix(opacity).filled()))
        }
        LegendKey::Dot { colour, filled } => {
            let centre = ((left + right) / 2, centre_y);
            area.draw(&dot(theme, centre, colour, filled))
        }
    }
}

/// A scatter chart's dot at `centre`: filled, or a ring for the dots that
/// matter less.
pub(crate) fn dot<C>(theme: Theme, centre: C, colour: Colour, filled: bool) -> Circle<C, i32> {
    if filled {
        Circle::new(centre, theme.px(6.0), colour.filled())
    } else {
        Circle::new(centre, theme.px(5.0), colour.stroke_width(theme.upx(1.5)))
    }
}

/// A rectangle in pixels: left, top, right, bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rect {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

// -------------------------------------------------------- weekly charts --

/// How to set up the axes of one weekly plot.
struct WeekAxes<'a> {
    weeks: (u32, u32),
    y_range: Range<f64>,
    y_unit: AxisUnit,
    y_title: Option<&'a str>,
    show_x_labels: bool,
    show_y_labels: bool,
    /// Tick-label budget: wide plots get more.
    x_label_count: usize,
}

/// Builds a plot with weeks on x, draws its grid and axes, and returns it
/// for the series to be drawn on.
fn build_week_chart<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    theme: Theme,
    axes: &WeekAxes,
) -> DrawResult<WeekChart<'a, DB>, DB> {
    let (first, last) = axes.weeks;
    // One week gets a little room on either side instead of a zero-width axis.
    let x_range = if first == last {
        first as i32 - 1..last as i32 + 1
    } else {
        first as i32..last as i32
    };
    let y_label_area = if axes.y_title.is_some() { 104.0 } else { 62.0 };
    let mut chart = ChartBuilder::on(area)
        .margin_top(theme.px(PLOT_TOP_GAP))
        .margin_right(theme.px(16.0))
        .x_label_area_size(theme.px(if axes.show_x_labels { 66.0 } else { 12.0 }))
        .y_label_area_size(theme.px(if axes.show_y_labels {
            y_label_area
        } else {
            12.0
        }))
        .build_cartesian_2d(x_range, axes.y_range.clone())?;
    let y_formatter = axis_formatter(axes.y_unit, axes.y_range.end - axes.y_range.start);
    let hide = |_: &f64| String::new();
    let mut mesh = chart.configure_mesh();
    apply_mesh_style(&mut mesh, theme);
    mesh.x_labels(axes.x_label_count)
        .x_label_formatter(&|week: &i32| {
            if *week >= 1 {
                week.to_string()
            } else {
                String::new()
            }
        });
    if axes.show_y_labels {
        mesh.y_label_formatter(&y_formatter);
    } else {
        mesh.y_label_formatter(&hide);
    }
    if axes.show_x_labels {
        mesh.x_desc("Week");
    } else {
        mesh.x_label_formatter(&|_: &i32| String::new());
    }
    if let Some(title) = axes.y_title {
        mesh.y_desc(title);
    }
    mesh.draw()?;
    Ok(chart)
}

/// The look of every plot's grid and axes: horizontal grid lines only,
/// light axes, the theme's fonts.
pub(crate) fn apply_mesh_style<X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &mut MeshStyle<'_, '_, X, Y, DB>,
    theme: Theme,
) {
    apply_axis_style(mesh, theme);
    mesh.disable_x_mesh();
}

/// The look of [`apply_mesh_style`] with grid lines in both directions,
/// for a chart to turn off the ones it does not want.
pub(crate) fn apply_axis_style<X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &mut MeshStyle<'_, '_, X, Y, DB>,
    theme: Theme,
) {
    // plotters' minor grid lines, made invisible: the major ones are enough.
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(theme::GRID.stroke_width(theme.upx(1.0)))
        .axis_style(theme::AXIS.stroke_width(theme.upx(1.5)))
        .set_all_tick_mark_size(theme.px(6.0))
        .y_labels(6)
        .label_style(theme.text(TextRole::TickLabel))
        .axis_desc_style(theme.text(TextRole::AxisTitle));
}

/// Formats y tick labels with as many decimals as the axis span needs.
pub(crate) fn axis_formatter(unit: AxisUnit, span: f64) -> impl Fn(&f64) -> String {
    move |value: &f64| match unit {
        AxisUnit::Percent => format!("{}%", text::whole_number(*value)),
        AxisUnit::Fraction => text::decimal(*value, 1),
        AxisUnit::Hours if span <= 5.0 => text::decimal(*value, 1),
        AxisUnit::Hours => text::whole_number(*value),
    }
}

/// Splits a series into runs of consecutive weeks where `value` exists, so
/// that missing weeks show as gaps instead of straight lines across them.
fn runs<T>(points: &[WeekPoint], value: impl Fn(&WeekPoint) -> Option<T>) -> Vec<Vec<(i32, T)>> {
    let mut runs: Vec<Vec<(i32, T)>> = Vec::new();
    let mut previous_week = None;
    for point in points {
        match value(point) {
            Some(value) => {
                let continues = previous_week == Some(point.week.wrapping_sub(1));
                match runs.last_mut() {
                    Some(run) if continues => run.push((point.week as i32, value)),
                    _ => runs.push(vec![(point.week as i32, value)]),
                }
                previous_week = Some(point.week);
            }
            None => previous_week = None,
        }
    }
    runs
}

/// A filled band over each run of weeks that have an interval.
fn draw_interval_band<DB: DrawingBackend>(
    chart: &mut WeekChart<'_, DB>,
    points: &[WeekPoint],
    colour: Colour,
    opacity: f64,
) -> DrawResult<(), DB> {
    for run in runs(points, |point| point.interval)
        .iter()
        .filter(|run| run.len() >= 2)
    {
        chart.draw_series(std::iter::once(Polygon::new(
            band_outline(run),
            colour.mix(opacity).filled(),
        )))?;
    }
    Ok(())
}

/// A series' mean as a line; an isolated week becomes a dot (with its
/// interval as a whisker) so that it does not vanish.
fn draw_series_line<DB: DrawingBackend>(
    chart: &mut WeekChart<'_, DB>,
    theme: Theme,
    points: &[WeekPoint],
    colour: Colour,
    dashed: bool,
) -> DrawResult<(), DB> {
    let style = line_style(theme, colour);
    for run in runs(points, |point| point.mean) {
        if let [(week, mean)] = run[..] {
            let dot = Circle::new((week, mean), theme.px(5.0), colour.filled());
            chart.draw_series(std::iter::once(dot))?;
            if let Some(interval) = points
                .iter()
                .find(|point| point.week as i32 == week)
                .and_then(|p| p.interval)
            {
                let whisker =
                    PathElement::new(vec![(week, interval.low), (week, interval.high)], style);
                chart.draw_series(std::iter::once(whisker))?;
            }
        } else if dashed {
            let dashes = DashedPathElement::new(run, theme.px(11.0), theme.px(7.0), style);
            chart.draw_series(std::iter::once(dashes))?;
        } else {
            chart.draw_series(std::iter::once(PathElement::new(run, style)))?;
        }
    }
    Ok(())
}

/// The vertical dashed line at the start week and, when `label` is set,
/// its label above the plot (where it cannot cover data).
fn draw_start_marker<DB: DrawingBackend>(
    area: &Area<DB>,
    chart: &mut WeekChart<'_, DB>,
    theme: Theme,
    week: u32,
    label: bool,
) -> DrawResult<(), DB> {
    let x_range = chart.x_range();
    let week = week as i32;
    if !x_range.contains(&week) && week != x_range.end {
        return Ok(());
    }
    let y_range = chart.y_range();
    // Without a label (the empathy-gap panels) the marker is grey and thin,
    // so it is not mistaken for the dashed "what you can see" line.
    let style = if label {
        theme::REFERENCE.stroke_width(theme.upx(2.0))
    } else {
        theme::AXIS.stroke_width(theme.upx(1.5))
    };
    let marker = DashedPathElement::new(
        [(week, y_range.start), (week, y_range.end)],
        theme.px(8.0),
        theme.px(6.0),
        style,
    );
    chart.draw_series(std::iter::once(marker))?;
    if !label {
        return Ok(());
    }
    let (base_x, base_y) = area.get_base_pixel();
    let (x, top) = chart.backend_coord(&(week, y_range.end));
    let (x, top) = (x - base_x, top - base_y);
    let text = format!("Interventions start (week {week})");
    let style = theme.text(TextRole::Annotation);
    let text_width = area.estimate_text_size(&text, &style)?.0 as i32;
    let gap = theme.px(8.0);
    let fits_right = x + gap + text_width <= area.dim_in_pixel().0 as i32;
    let (x, anchor) = if fits_right {
        (x + gap, BOTTOM_LEFT)
    } else {
        (x - gap, BOTTOM_RIGHT)
    };
    draw_text(area, &text, (x, top - theme.px(6.0)), style, anchor)
}

/// A horizontal dashed reference line across the plot; returns its height
/// in the side column's coordinates, for the label.
pub(crate) fn draw_reference_line<DB: DrawingBackend, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    side: &Area<DB>,
    theme: Theme,
    x_range: (X::ValueType, X::ValueType),
    value: Y::ValueType,
) -> DrawResult<i32, DB>
where
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone,
    Y::ValueType: Clone,
{
    let (start, end) = x_range;
    let line = DashedPathElement::new(
        [(start, value.clone()), (end.clone(), value.clone())],
        theme.px(10.0),
        theme.px(6.0),
        theme::REFERENCE.stroke_width(theme.upx(2.0)),
    );
    chart.draw_series(std::iter::once(line))?;
    Ok(chart.backend_coord(&(end, value)).1 - side.get_base_pixel().1)
}

fn draw_line_chart<DB: DrawingBackend>(
    chart: &LineChart,
    root: &Area<DB>,
    theme: Theme,
) -> DrawResult<(), DB> {
    let legend = line_legend(root, theme, &chart.series)?;
    let frame = draw_frame(root, theme, &chart.header, &legend)?;
    let axes = WeekAxes {
        weeks: (*chart.weeks.start(), *chart.weeks.end()),
        y_range: chart.y_range.clone(),
        y_unit: chart.y_unit,
        y_title: Some(&chart.y_title),
        show_x_labels: true,
        show_y_labels: true,
        x_label_count: 14,
    };
    let mut plot = build_week_chart(&frame.plot, theme, &axes)?;
    // All bands first so that no band is painted over another arm's line.
    for series in &chart.series {
        draw_interval_band(
            &mut plot,
            &series.points,
            series.colour,
            theme::BAND_OPACITY,
        )?;
    }
    let reference_y = match &chart.reference {
        Some(reference) => {
            let x_range = plot.x_range();
            Some(draw_reference_line(
                &mut plot,
                &frame.side,
                theme,
                (x_range.start, x_range.end),
                reference.value,
            )?)
        }
        None => None,
    };
    if let Some(week) = chart.start_week {
        draw_start_marker(&frame.plot, &mut plot, theme, week, true)?;
    }
    for series in &chart.series {
        draw_series_line(&mut plot, theme, &series.points, series.colour, false)?;
    }
    let reference_label = reference_label(chart.reference.as_ref(), reference_y);
    draw_side_column(&frame.side, theme, &legend, reference_label)
}

pub(crate) fn reference_label(
    reference: Option<&ReferenceLine>,
    y: Option<i32>,
) -> Option<(i32, &[String])> {
    Some((y?, reference?.label.as_slice()))
}

// ------------------------------------------------------ empathy-gap panels --

fn draw_gap_chart<DB: DrawingBackend>(
    chart: &GapChart,
    root: &Area<DB>,
    theme: Theme,
) -> DrawResult<(), DB> {
    let neutral = theme::TEXT;
    let legend = legend_entries(
        root,
        theme,
        [
            (
                "What the peer is really juggling".to_owned(),
                LegendKey::Line {
                    colour: neutral,
                    dashed: false,
                },
            ),
            (
                "What you can see of it".to_owned(),
                LegendKey::Line {
                    colour: neutral,
                    dashed: true,
                },
            ),
            (
                "The empathy gap: work you cannot see".to_owned(),
                LegendKey::Swatch {
                    colour: neutral,
                    opacity: GAP_OPACITY,
                },
            ),
        ],
    )?;
    let frame = draw_frame(root, theme, &chart.header, &legend)?;
    let (title_strip, grid) = frame.plot.split_horizontally(theme.px(30.0));
    let axis_title = theme
        .text(TextRole::AxisTitle)
        .transform(FontTransform::Rotate270);
    let (strip_width, strip_height) = title_strip.dim_in_pixel();
    let centre = (strip_width as i32 / 2, strip_height as i32 / 2);
    draw_text(&title_strip, &chart.y_title, centre, axis_title, CENTRE)?;
    let columns = panel_columns(chart.panels.len());
    let rows = chart.panels.len().div_ceil(columns).max(1);
    let cells = grid.split_evenly((rows, columns));
    for (index, (panel, cell)) in chart.panels.iter().zip(&cells).enumerate() {
        let layout = PanelLayout {
            bottom_row: index + columns >= chart.panels.len(),
            first_column: index % columns == 0,
        };
        draw_gap_panel(chart, panel, cell, theme, layout, columns)?;
    }
    draw_side_column(&frame.side, theme, &legend, None)
}

#[derive(Clone, Copy)]
struct PanelLayout {
    bottom_row: bool,
    first_column: bool,
}

/// Columns of the small-multiple grid: one row up to three arms, then two
/// rows.
fn panel_columns(panels: usize) -> usize {
    match panels {
        0..=3 => panels.max(1),
        4 => 2,
        _ => panels.div_ceil(2),
    }
}

fn draw_gap_panel<DB: DrawingBackend>(
    chart: &GapChart,
    panel: &GapPanel,
    cell: &Area<DB>,
    theme: Theme,
    layout: PanelLayout,
    columns: usize,
) -> DrawResult<(), DB> {
    let axes = WeekAxes {
        weeks: (*chart.weeks.start(), *chart.weeks.end()),
        y_range: chart.y_range.clone(),
        y_unit: AxisUnit::Hours,
        y_title: None,
        show_x_labels: layout.bottom_row,
        show_y_labels: layout.first_column,
        x_label_count: if columns <= 2 { 8 } else { 5 },
    };
    let mut plot = build_week_chart(cell, theme, &axes)?;
    draw_interval_band(
        &mut plot,
        &gap_bounds(&panel.believed, &panel.actual),
        panel.colour,
        GAP_OPACITY,
    )?;
    if let Some(week) = chart.start_week {
        draw_start_marker(cell, &mut plot, theme, week, false)?;
    }
    draw_series_line(&mut plot, theme, &panel.believed, panel.colour, true)?;
    draw_series_line(&mut plot, theme, &panel.actual, panel.colour, false)?;
    // The arm's name in its colour, in the space above the plot.
    let (base_x, base_y) = cell.get_base_pixel();
    let (left, top) = plot.backend_coord(&(plot.x_range().start, chart.y_range.end));
    let name_style = theme.coloured_text(TextRole::Legend, panel.colour);
    let room = cell.dim_in_pixel().0 as i32 - (left - base_x) - theme.px(8.0);
    let name = fit_text(cell, &panel.label, &name_style, room)?;
    draw_text(
        cell,
        &name,
        (left - base_x, top - base_y - theme.px(8.0)),
        name_style,
        BOTTOM_LEFT,
    )
}

/// The band between believed and actual peer load, as interval points, for
/// the weeks where both exist.
fn gap_bounds(believed: &[WeekPoint], actual: &[WeekPoint]) -> Vec<WeekPoint> {
    actual
        .iter()
        .map(|actual_point| {
            let believed_mean =
                point_in_week(believed, actual_point.week).and_then(|point| point.mean);
            let interval = believed_mean
                .zip(actual_point.mean)
                .map(|(believed, actual)| Interval {
                    low: believed.min(actual),
                    high: believed.max(actual),
                });
            WeekPoint {
                week: actual_point.week,
                mean: None,
                interval,
            }
        })
        .collect()
}

// ----------------------------------------------------------------- bars --

fn draw_bar_chart<DB: DrawingBackend>(
    chart: &BarChart,
    root: &Area<DB>,
    theme: Theme,
) -> DrawResult<(), DB> {
    // Top of the legend = top of the stack.
    let legend = legend_entries(
        root,
        theme,
        chart.components.iter().rev().map(|component| {
            (
                component.label.clone(),
                LegendKey::Swatch {
                    colour: component.colour,
                    opacity: 1.0,
                },
            )
        }),
    )?;
    let frame = draw_frame(root, theme, &chart.header, &legend)?;
    let bar_count = chart.bars.len().max(1);
    let mut plot = ChartBuilder::on(&frame.plot)
        .margin_top(theme.px(PLOT_TOP_GAP))
        .margin_right(theme.px(16.0))
        .x_label_area_size(theme.px(78.0))
        .y_label_area_size(theme.px(104.0))
        .build_cartesian_2d(0.0..bar_count as f64, chart.y_range.clone())?;
    let y_formatter = axis_formatter(AxisUnit::Hours, chart.y_range.end - chart.y_range.start);
    let mut mesh = plot.configure_mesh();
    apply_mesh_style(&mut mesh, theme);
    // Arm names are drawn by `draw_bar_label`, wrapped to their slot.
    mesh.set_tick_mark_size(LabelAreaPosition::Bottom, 0)
        .x_labels(1)
        .x_label_formatter(&|_: &f64| String::new())
        .y_label_formatter(&y_formatter)
        .y_desc(chart.y_title.as_str())
        .draw()?;
    let slot_width_px = plot.plotting_area().dim_in_pixel().0 as i32 / bar_count as i32;
    // Bars fill about half their slot, but a lone bar should not become a
    // wall: never wider than 180 px.
    let bar_width = (f64::from(theme.px(180.0)) / f64::from(slot_width_px.max(1))).min(0.56);
    for (index, bar) in chart.bars.iter().enumerate() {
        draw_stacked_bar(&mut plot, theme, chart, bar, index as f64, bar_width)?;
    }
    // Over the bars, so it can be compared with every bar top, but under
    // the totals, whose labels must stay readable.
    let reference_y = match &chart.reference {
        Some(reference) => Some(draw_reference_line(
            &mut plot,
            &frame.side,
            theme,
            (0.0, bar_count as f64),
            reference.value,
        )?),
        None => None,
    };
    for (index, bar) in chart.bars.iter().enumerate() {
        draw_bar_total(&plot, theme, bar, index as f64)?;
        draw_bar_label(&frame.plot, &plot, theme, bar, index as f64, slot_width_px)?;
    }
    draw_side_column(
        &frame.side,
        theme,
        &legend,
        reference_label(chart.reference.as_ref(), reference_y),
    )
}

type BarPlot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// One stacked bar in slot `slot`, `width` slots wide, with the whisker
/// and the total above.
fn draw_stacked_bar<DB: DrawingBackend>(
    plot: &mut BarPlot<'_, DB>,
    theme: Theme,
    chart: &BarChart,
    bar: &Bar,
    slot: f64,
    width: f64,
) -> DrawResult<(), DB> {
    let centre = slot + 0.5;
    let (left, right) = (centre - width / 2.0, centre + width / 2.0);
    let mut bottom = 0.0;
    for (value, component) in bar.segments.iter().zip(&chart.components) {
        let top = bottom + value;
        plot.draw_series(std::iter::once(Rectangle::new(
            [(left, bottom), (right, top)],
            component.colour.filled(),
        )))?;
        // A thin white rule keeps adjacent segments apart in print.
        let rule = PathElement::new(
            vec![(left, top), (right, top)],
            theme::BACKGROUND.stroke_width(theme.upx(1.5)),
        );
        plot.draw_series(std::iter::once(rule))?;
        bottom = top;
    }
    if let Some(interval) = bar.interval {
        let cap = 0.06;
        let whisker = [
            vec![(centre, interval.low), (centre, interval.high)],
            vec![(centre - cap, interval.low), (centre + cap, interval.low)],
            vec![(centre - cap, interval.high), (centre + cap, interval.high)],
        ];
        let whisker_style = theme::TEXT.stroke_width(theme.upx(2.0));
        plot.draw_series(
            whisker
                .into_iter()
                .map(|points| PathElement::new(points, whisker_style)),
        )?;
    }
    Ok(())
}

/// The total above a bar (and its whisker), on a white patch so that a
/// reference line running behind it does not cross the digits.
fn draw_bar_total<DB: DrawingBackend>(
    plot: &BarPlot<'_, DB>,
    theme: Theme,
    bar: &Bar,
    slot: f64,
) -> DrawResult<(), DB> {
    let Some(total) = bar.total else {
        return Ok(());
    };
    let stacked: f64 = bar.segments.iter().sum();
    let whisker_top = bar.interval.map_or(total, |interval| interval.high);
    let (x, y) = plot.backend_coord(&(slot + 0.5, total.max(stacked).max(whisker_top)));
    let area = plot.plotting_area().strip_coord_spec();
    let (base_x, base_y) = area.get_base_pixel();
    let (x, bottom) = (x - base_x, y - base_y - theme.px(6.0));
    let label = format!("{} h", text::whole_number(total));
    let style = theme.text(TextRole::Annotation);
    let (width, height) = area.estimate_text_size(&label, &style)?;
    let (half_width, height) = (
        width as i32 / 2 + theme.px(4.0),
        height as i32 + theme.px(2.0),
    );
    let patch = [
        (x - half_width, bottom - height),
        (x + half_width, bottom + theme.px(2.0)),
    ];
    area.draw(&Rectangle::new(patch, theme::BACKGROUND.filled()))?;
    draw_text(&area, &label, (x, bottom), style, BOTTOM_CENTRE)
}

/// The arm's name under its bar, wrapped to the slot, with a chip of the
/// arm's colour so that arms keep their colour from the other charts.
fn draw_bar_label<DB: DrawingBackend>(
    area: &Area<DB>,
    plot: &BarPlot<'_, DB>,
    theme: Theme,
    bar: &Bar,
    slot: f64,
    slot_width: i32,
) -> DrawResult<(), DB> {
    let (base_x, base_y) = area.get_base_pixel();
    let (x, axis_y) = plot.backend_coord(&(slot + 0.5, plot.y_range().start));
    let (x, axis_y) = (x - base_x, axis_y - base_y);
    let chip_half_width = theme.px(18.0);
    let chip = [
        (x - chip_half_width, axis_y + theme.px(10.0)),
        (x + chip_half_width, axis_y + theme.px(16.0)),
    ];
    area.draw(&Rectangle::new(chip, bar.colour.filled()))?;
    let style = theme.text(TextRole::Legend);
    let max_width = slot_width - theme.px(8.0);
    let mut lines = wrap_text(area, &bar.label, &style, max_width)?;
    // Two lines fit under the axis; the rest of a long name is elided.
    if lines.len() > 2 {
        let rest = bar
            .label
            .get(lines[0].len()..)
            .unwrap_or_default()
            .trim_start();
        lines = vec![lines[0].clone(), fit_text(area, rest, &style, max_width)?];
    }
    for (index, line) in lines.iter().enumerate() {
        let y = axis_y + theme.px(24.0) + theme.px(24.0) * index as i32;
        draw_text(area, line, (x, y), style.clone(), TOP_CENTRE)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- text --

pub(crate) const CENTRE: Pos = Pos {
    h_pos: HPos::Center,
    v_pos: VPos::Center,
};
pub(crate) const TOP_LEFT: Pos = Pos {
    h_pos: HPos::Left,
    v_pos: VPos::Top,
};
pub(crate) const TOP_CENTRE: Pos = Pos {
    h_pos: HPos::Center,
    v_pos: VPos::Top,
};
pub(crate) const CENTER_LEFT: Pos = Pos {
    h_pos: HPos::Left,
    v_pos: VPos::Center,
};
pub(crate) const CENTER_RIGHT: Pos = Pos {
    h_pos: HPos::Right,
    v_pos: VPos::Center,
};
pub(crate) const BOTTOM_LEFT: Pos = Pos {
    h_pos: HPos::Left,
    v_pos: VPos::Bottom,
};
pub(crate) const BOTTOM_RIGHT: Pos = Pos {
    h_pos: HPos::Right,
    v_pos: VPos::Bottom,
};
pub(crate) const BOTTOM_CENTRE: Pos = Pos {
    h_pos: HPos::Center,
    v_pos: VPos::Bottom,
};

pub(crate) fn draw_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    position: (i32, i32),
    style: TextStyle<'_>,
    anchor: Pos,
) -> DrawResult<(), DB> {
    area.draw(&Text::new(text, position, style.pos(anchor)))
}

/// Greedy word wrap to `max_width` pixels, breaking after spaces and
/// hyphens ("connection-first" becomes "connection-" / "first" if needed).
pub(crate) fn wrap_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle<'_>,
    max_width: i32,
) -> DrawResult<Vec<String>, DB> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_inclusive([' ', '-']) {
        let candidate = format!("{current}{word}");
        let fits = area.estimate_text_size(candidate.trim_end(), style)?.0 as i32 <= max_width;
        if fits || current.is_empty() {
            current = candidate;
        } else {
            lines.push(current.trim_end().to_owned());
            current = word.to_owned();
        }
    }
    if !current.trim().is_empty() || lines.is_empty() {
        lines.push(current.trim_end().to_owned());
    }
    Ok(lines)
}

/// `title`, or `short_title` (shortened if need be) when `title` is wider
/// than `room` pixels.
pub(crate) fn title_that_fits<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    short_title: &str,
    style: &TextStyle<'_>,
    room: i32,
) -> DrawResult<String, DB> {
    if area.estimate_text_size(title, style)?.0 as i32 <= room {
        return Ok(title.to_owned());
    }
    fit_text(area, short_title, style, room)
}

/// `text`, shortened with an ellipsis if needed to fit `max_width` pixels.
pub(crate) fn fit_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle<'_>,
    max_width: i32,
) -> DrawResult<String, DB> {
    let fits = |candidate: &str| -> DrawResult<bool, DB> {
        Ok(area.estimate_text_size(candidate, style)?.0 as i32 <= max_width)
    };
    if fits(text)? {
        return Ok(text.to_owned());
    }
    let mut characters: Vec<char> = text.chars().collect();
    while !characters.is_empty() {
        characters.pop();
        let candidate = format!("{}\u{2026}", String::from_iter(&characters).trim_end());
        if fits(&candidate)? {
            return Ok(candidate);
        }
    }
    Ok("\u{2026}".to_owned())
}

pub(crate) fn line_style(theme: Theme, colour: Colour) -> ShapeStyle {
    colour.stroke_width(theme.upx(LINE_WIDTH))
}

pub(crate) fn draw_path<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: Theme,
    points: &[(i32, i32)],
    style: ShapeStyle,
    dashed: bool,
) -> DrawResult<(), DB> {
    if dashed {
        area.draw(&DashedPathElement::new(
            points.iter().copied(),
            theme.px(11.0),
            theme.px(7.0),
            style,
        ))
    } else {
        area.draw(&PathElement::new(points.to_vec(), style))
    }
}
