//! Draws the sweep's chart models with plotters, in the frame every chart
//! shares (title and subtitle on top, the plot, a side column on the right).
//!
//! Heatmaps are laid out in pixels rather than through a plotters chart:
//! cells must tile the plot exactly, tick labels sit at cell centres and
//! thin out when they would collide, and values are written inside the
//! cells when they fit. The side column holds the colour bar and the keys
//! for hatched and empty cells.

use plotters::prelude::*;

use super::super::plot::{
    Area, BOTTOM_CENTRE, BOTTOM_LEFT, CENTER_LEFT, CENTER_RIGHT, CENTRE, DrawResult, LegendKey,
    Line, PLOT_TOP_GAP, Rect, TOP_CENTRE, apply_mesh_style, band_outline, draw_frame,
    draw_reference_line, draw_side_column, draw_text, fit_text, legend_entries, line_legend,
    line_style, reference_label, title_that_fits, wrap_text,
};
use super::super::text;
use super::super::theme::{self, Colour, TextRole, Theme, is_dark};
use super::charts::{
    ColourScale, GridAxis, HeatCell, HeatmapChart, MISSING_COLOUR, SweepLineChart, SweepPoint,
    tick_places,
};

const COLOUR_BAR_WIDTH: f64 = 26.0;
const COLOUR_BAR_MAX_HEIGHT: f64 = 290.0;
const HATCH_SPACING: f64 = 9.0;
const HATCH_OPACITY: f64 = 0.6;
const SIDE_LEFT: f64 = 14.0;
const SIDE_LINE_HEIGHT: f64 = 25.0;
/// The key swatches in the side column.
const KEY_WIDTH: f64 = 40.0;
const KEY_HEIGHT: f64 = 26.0;

// ------------------------------------------------------------- heatmap --

pub(crate) fn draw_heatmap<DB: DrawingBackend>(
    chart: &HeatmapChart,
    root: &Area<DB>,
    theme: Theme,
) -> DrawResult<(), DB> {
    // The side column is sized, as for a legend, to its widest words.
    let keys = heatmap_keys(chart);
    let mut sizing: Vec<String> = keys.iter().map(|(label, _)| label.clone()).collect();
    sizing.push(chart.scale_title.clone());
    if let ColourScale::Diverging { above, below, .. } = &chart.scale {
        sizing.extend([above.clone(), below.clone()]);
    }
    let legend = legend_entries(
        root,
        theme,
        sizing.into_iter().map(|label| {
            (
                label,
                LegendKey::Swatch {
                    colour: theme::BACKGROUND,
                    opacity: 0.0,
                },
            )
        }),
    )?;
    let frame = draw_frame(root, theme, &chart.header, &legend)?;
    draw_heatmap_plot(chart, &frame.plot, theme)?;
    draw_heatmap_side(chart, &frame.side, theme, &keys)
}

#[derive(Clone, Copy)]
enum HeatKey {
    Hatched,
    Missing,
}

fn heatmap_keys(chart: &HeatmapChart) -> Vec<(String, HeatKey)> {
    let mut keys = Vec::new();
    if chart.has_unclear {
        keys.push((
            "95% interval includes 0: no clear difference".to_owned(),
            HeatKey::Hatched,
        ));
    }
    if chart.has_missing {
        keys.push(("No value".to_owned(), HeatKey::Missing));
    }
    keys
}

/// Columns of the panel grid: one row up to three panels, then two rows.
fn panel_columns(panels: usize) -> usize {
    match panels {
        0..=3 => panels.max(1),
        _ => panels.div_ceil(2),
    }
}

fn draw_heatmap_plot<DB: DrawingBackend>(
    chart: &HeatmapChart,
    area: &Area<DB>,
    theme: Theme,
) -> DrawResult<(), DB> {
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let tick_style = theme.text(TextRole::TickLabel);
    let mut widest_y_label = 0;
    for label in &chart.y_axis.labels {
        widest_y_label = widest_y_label.max(area.estimate_text_size(label, &tick_style)?.0 as i32);
    }
    let y_title_band = theme.px(36.0);
    let left = y_title_band + widest_y_label + theme.px(12.0);
    let right = width - theme.px(16.0);
    let top = theme.px(PLOT_TOP_GAP);
    let bottom = height - theme.px(66.0);
    let count = chart.panels.len().max(1);
    let columns = panel_columns(count);
    let rows = count.div_ceil(columns);
    let gap_x = theme.px(28.0);
    // Between rows: the upper row's breathing room and the lower row's title.
    let gap_y = theme.px(48.0);
    let panel_width = (right - left - gap_x * (columns as i32 - 1)) / columns as i32;
    let panel_height = (bottom - top - gap_y * (rows as i32 - 1)) / rows as i32;
    let value_labels = cell_labels_fit(chart, area, theme, panel_width, panel_height)?;
    for (index, panel) in chart.panels.iter().enumerate() {
        let (column, row) = ((index % columns) as i32, (index / columns) as i32);
        let rect = Rect {
            left: left + column * (panel_width + gap_x),
            top: top + row * (panel_height + gap_y),
            right: left + column * (panel_width + gap_x) + panel_width,
            bottom: top + row * (panel_height + gap_y) + panel_height,
        };
        draw_cells(chart, &panel.cells, area, theme, rect, value_labels)?;
        let bottom_row = index + columns >= chart.panels.len();
        if bottom_row {
            draw_x_ticks(chart, area, theme, rect)?;
        }
        if column == 0 {
            draw_y_ticks(chart, area, theme, rect)?;
        }
        if let Some(title) = &panel.title {
            let style = theme.text(TextRole::Legend);
            let fitted = fit_text(area, title, &style, rect.right - rect.left)?;
            draw_text(
                area,
                &fitted,
                (rect.left, rect.top - theme.px(8.0)),
                style,
                BOTTOM_LEFT,
            )?;
        }
    }
    let axis_style = theme.text(TextRole::AxisTitle);
    let x_title = axis_title(area, &chart.x_axis, &axis_style, right - left)?;
    draw_text(
        area,
        &x_title,
        ((left + right) / 2, height - theme.px(6.0)),
        axis_style.clone(),
        BOTTOM_CENTRE,
    )?;
    let y_title = axis_title(area, &chart.y_axis, &axis_style, bottom - top)?;
    draw_text(
        area,
        &y_title,
        (y_title_band / 2, (top + bottom) / 2),
        axis_style.transform(FontTransform::Rotate270),
        CENTRE,
    )
}

/// The axis' title, or its short form when the title does not fit.
fn axis_title<DB: DrawingBackend>(
    area: &Area<DB>,
    axis: &GridAxis,
    style: &TextStyle<'_>,
    room: i32,
) -> DrawResult<String, DB> {
    title_that_fits(area, &axis.title, &axis.short_title, style, room)
}

/// The text written in a cell.
fn cell_label(chart: &HeatmapChart, value: f64) -> String {
    match chart.scale {
        ColourScale::Sequential { .. } => text::decimal(value, chart.places),
        ColourScale::Diverging { .. } => text::signed(value, chart.places),
    }
}

/// Whether every cell's value fits inside its cell: all or none, so that a
/// missing label never reads as a missing value.
fn cell_labels_fit<DB: DrawingBackend>(
    chart: &HeatmapChart,
    area: &Area<DB>,
    theme: Theme,
    panel_width: i32,
    panel_height: i32,
) -> DrawResult<bool, DB> {
    let columns = chart.x_axis.labels.len().max(1) as i32;
    let rows = chart.y_axis.labels.len().max(1) as i32;
    let (cell_width, cell_height) = (panel_width / columns, panel_height / rows);
    let style = theme.text(TextRole::Annotation);
    let mut widest = (0, 0);
    for cell in chart
        .panels
        .iter()
        .flat_map(|panel| panel.cells.iter().flatten())
    {
        if let Some(value) = cell.value {
            let (width, height) = area.estimate_text_size(&cell_label(chart, value), &style)?;
            widest = (widest.0.max(width as i32), widest.1.max(height as i32));
        }
    }
    Ok(widest.0 + theme.px(10.0) <= cell_width && widest.1 + theme.px(8.0) <= cell_height)
}

/// The pixel edges of `count` equal cells from `start` to `end`.
fn edges(start: i32, end: i32, count: usize) -> Vec<i32> {
    let count = count.max(1) as i64;
    (0..=count)
        .map(|index| start + ((i64::from(end - start) * index) / count) as i32)
        .collect()
}

fn draw_cells<DB: DrawingBackend>(
    chart: &HeatmapChart,
    cells: &[Vec<HeatCell>],
    area: &Area<DB>,
    theme: Theme,
    rect: Rect,
    value_labels: bool,
) -> DrawResult<(), DB> {
    let columns = chart.x_axis.labels.len();
    let rows = chart.y_axis.labels.len();
    let x_edges = edges(rect.left, rect.right, columns);
    // Row 0 at the bottom.
    let y_edges = edges(rect.bottom, rect.top, rows);
    let cell_width = (rect.right - rect.left) / columns.max(1) as i32;
    let cell_height = (rect.bottom - rect.top) / rows.max(1) as i32;
    // A white gap between cells, unless they are too small to spare it.
    let gap = if cell_width >= theme.px(14.0) && cell_height >= theme.px(14.0) {
        theme.px(2.0)
    } else {
        0
    };
    let (gap_before, gap_after) = (gap / 2, gap - gap / 2);
    for (row, row_cells) in cells.iter().enumerate().take(rows) {
        for (column, cell) in row_cells.iter().enumerate().take(columns) {
            let cell_rect = Rect {
                left: x_edges[column] + gap_before,
                right: x_edges[column + 1] - gap_after,
                top: y_edges[row + 1] + gap_before,
                bottom: y_edges[row] - gap_after,
            };
            draw_cell(chart, cell, area, theme, cell_rect, value_labels)?;
        }
    }
    Ok(())
}

fn draw_cell<DB: DrawingBackend>(
    chart: &HeatmapChart,
    cell: &HeatCell,
    area: &Area<DB>,
    theme: Theme,
    rect: Rect,
    value_labels: bool,
) -> DrawResult<(), DB> {
    let fill = cell
        .value
        .map_or(MISSING_COLOUR, |value| chart.scale.colour(value));
    area.draw(&Rectangle::new(
        [(rect.left, rect.top), (rect.right, rect.bottom)],
        fill.filled(),
    ))?;
    if cell.unclear {
        draw_hatching(area, theme, rect)?;
    }
    let Some(value) = cell.value.filter(|_| value_labels) else {
        return Ok(());
    };
    let label = cell_label(chart, value);
    let ink = if is_dark(fill) {
        theme::BACKGROUND
    } else {
        theme::TEXT
    };
    let style = theme.coloured_text(TextRole::Annotation, ink);
    let centre = ((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2);
    if cell.unclear {
        // A patch of the cell's own colour keeps the hatching off the digits.
        let (width, height) = area.estimate_text_size(&label, &style)?;
        let (half_width, half_height) = (
            width as i32 / 2 + theme.px(4.0),
            height as i32 / 2 + theme.px(2.0),
        );
        area.draw(&Rectangle::new(
            [
                (centre.0 - half_width, centre.1 - half_height),
                (centre.0 + half_width, centre.1 + half_height),
            ],
            fill.filled(),
        ))?;
    }
    draw_text(area, &label, centre, style, CENTRE)
}

/// Diagonal lines ("/") across `rect`, clipped to it.
fn draw_hatching<DB: DrawingBackend>(
    area: &Area<DB>,
    theme: Theme,
    rect: Rect,
) -> DrawResult<(), DB> {
    let spacing = theme.px(HATCH_SPACING).max(2);
    let style = theme::REFERENCE
        .mix(HATCH_OPACITY)
        .stroke_width(theme.upx(1.5));
    // Lines x + y = c, from the top-left corner to the bottom-right one.
    let mut sum = rect.left + rect.top + spacing / 2;
    while sum < rect.right + rect.bottom {
        let start_x = rect.left.max(sum - rect.bottom);
        let end_x = rect.right.min(sum - rect.top);
        if start_x < end_x {
            area.draw(&PathElement::new(
                vec![(start_x, sum - start_x), (end_x, sum - end_x)],
                style,
            ))?;
        }
        sum += spacing;
    }
    Ok(())
}

/// Labels at the centres of the columns, every `step`th when they would
/// otherwise collide.
fn draw_x_ticks<DB: DrawingBackend>(
    chart: &HeatmapChart,
    area: &Area<DB>,
    theme: Theme,
    rect: Rect,
) -> DrawResult<(), DB> {
    let labels = &chart.x_axis.labels;
    let style = theme.text(TextRole::TickLabel);
    let mut widest = 0;
    for label in labels {
        widest = widest.max(area.estimate_text_size(label, &style)?.0 as i32);
    }
    let x_edges = edges(rect.left, rect.right, labels.len());
    let cell_width = ((rect.right - rect.left) / labels.len().max(1) as i32).max(1);
    let step = label_step(widest + theme.px(12.0), cell_width);
    for (index, label) in labels.iter().enumerate().step_by(step) {
        let centre = (x_edges[index] + x_edges[index + 1]) / 2;
        draw_text(
            area,
            label,
            (centre, rect.bottom + theme.px(10.0)),
            style.clone(),
            TOP_CENTRE,
        )?;
    }
    Ok(())
}

fn draw_y_ticks<DB: DrawingBackend>(
    chart: &HeatmapChart,
    area: &Area<DB>,
    theme: Theme,
    rect: Rect,
) -> DrawResult<(), DB> {
    let labels = &chart.y_axis.labels;
    let style = theme.text(TextRole::TickLabel);
    let y_edges = edges(rect.bottom, rect.top, labels.len());
    let cell_height = ((rect.bottom - rect.top) / labels.len().max(1) as i32).max(1);
    let step = label_step(theme.px(26.0), cell_height);
    for (index, label) in labels.iter().enumerate().step_by(step) {
        let centre = (y_edges[index] + y_edges[index + 1]) / 2;
        draw_text(
            area,
            label,
            (rect.left - theme.px(10.0), centre),
            style.clone(),
            CENTER_RIGHT,
        )?;
    }
    Ok(())
}

/// Every how many cells a label fits, for labels `needed` pixels apart on
/// cells `cell` pixels wide.
fn label_step(needed: i32, cell: i32) -> usize {
    let cell = cell.max(1);
    ((needed + cell - 1) / cell).max(1) as usize
}

/// The colour bar with its ticks and end words, then the keys.
fn draw_heatmap_side<DB: DrawingBackend>(
    chart: &HeatmapChart,
    side: &Area<DB>,
    theme: Theme,
    keys: &[(String, HeatKey)],
) -> DrawResult<(), DB> {
    let (side_width, side_height) = side.dim_in_pixel();
    let (side_width, side_height) = (side_width as i32, side_height as i32);
    let left = theme.px(SIDE_LEFT);
    let line_height = theme.px(SIDE_LINE_HEIGHT);
    let text_width = side_width - left - theme.px(8.0);
    let legend_style = theme.text(TextRole::Legend);
    let small_style = theme.text(TextRole::Subtitle);
    let mut top = theme.px(PLOT_TOP_GAP) - line_height / 2;
    for line in wrap_text(side, &chart.scale_title, &legend_style, text_width)? {
        draw_text(
            side,
            &line,
            (left, top + line_height / 2),
            legend_style.clone(),
            CENTER_LEFT,
        )?;
        top += line_height;
    }
    top += theme.px(8.0);
    let (above, below) = match &chart.scale {
        ColourScale::Diverging { above, below, .. } => (
            wrap_text(side, above, &small_style, text_width)?,
            wrap_text(side, below, &small_style, text_width)?,
        ),
        ColourScale::Sequential { .. } => (Vec::new(), Vec::new()),
    };
    for line in &above {
        draw_text(
            side,
            line,
            (left, top + line_height / 2),
            small_style.clone(),
            CENTER_LEFT,
        )?;
        top += line_height;
    }
    // Room for the top tick label, which is centred on the bar's top.
    top += theme.px(14.0);
    // What the keys and the words below the bar need, so the bar leaves room.
    let mut keys_height = 0;
    let mut wrapped_keys = Vec::with_capacity(keys.len());
    let key_text_width = text_width - theme.px(KEY_WIDTH + 12.0);
    for (label, key) in keys {
        let lines = wrap_text(side, label, &legend_style, key_text_width)?;
        keys_height += line_height * lines.len().max(1) as i32 + theme.px(14.0);
        wrapped_keys.push((lines, *key));
    }
    let below_height = line_height * below.len() as i32 + theme.px(6.0);
    let room = side_height - top - below_height - keys_height - theme.px(28.0);
    let bar_height = room
        .min(theme.px(COLOUR_BAR_MAX_HEIGHT))
        .max(theme.px(60.0));
    let bar = Rect {
        left,
        top,
        right: left + theme.px(COLOUR_BAR_WIDTH),
        bottom: top + bar_height,
    };
    draw_colour_bar(chart, side, theme, bar)?;
    top = bar.bottom + theme.px(16.0);
    for line in &below {
        draw_text(
            side,
            line,
            (left, top + line_height / 2),
            small_style.clone(),
            CENTER_LEFT,
        )?;
        top += line_height;
    }
    top += theme.px(22.0);
    for (lines, key) in wrapped_keys {
        let swatch = Rect {
            left,
            top: top + line_height / 2 - theme.px(KEY_HEIGHT / 2.0),
            right: left + theme.px(KEY_WIDTH),
            bottom: top + line_height / 2 + theme.px(KEY_HEIGHT / 2.0),
        };
        match key {
            HeatKey::Hatched => {
                let fill = chart.scale.colour(0.0);
                side.draw(&Rectangle::new(
                    [(swatch.left, swatch.top), (swatch.right, swatch.bottom)],
                    fill.filled(),
                ))?;
                draw_hatching(side, theme, swatch)?;
            }
            HeatKey::Missing => {
                side.draw(&Rectangle::new(
                    [(swatch.left, swatch.top), (swatch.right, swatch.bottom)],
                    MISSING_COLOUR.filled(),
                ))?;
            }
        }
        for (index, line) in lines.iter().enumerate() {
            draw_text(
                side,
                line,
                (
                    swatch.right + theme.px(12.0),
                    top + line_height / 2 + line_height * index as i32,
                ),
                legend_style.clone(),
                CENTER_LEFT,
            )?;
        }
        top += line_height * lines.len().max(1) as i32 + theme.px(14.0);
    }
    Ok(())
}

/// A vertical bar of the scale, low at the bottom, with tick labels to its
/// right.
fn draw_colour_bar<DB: DrawingBackend>(
    chart: &HeatmapChart,
    side: &Area<DB>,
    theme: Theme,
    bar: Rect,
) -> DrawResult<(), DB> {
    let (low, high) = chart.scale.range();
    let height = (bar.bottom - bar.top).max(1);
    // One strip per two pixels of the final image is smooth to the eye.
    let strips = (height / theme.px(2.0).max(1)).clamp(1, 200);
    for strip in 0..strips {
        let top = bar.top + height * strip / strips;
        let bottom = bar.top + height * (strip + 1) / strips;
        let position = 1.0 - (f64::from(strip) + 0.5) / f64::from(strips);
        let colour = chart.scale.colour(low + (high - low) * position);
        side.draw(&Rectangle::new(
            [(bar.left, top), (bar.right, bottom)],
            colour.filled(),
        ))?;
    }
    side.draw(&Rectangle::new(
        [(bar.left, bar.top), (bar.right, bar.bottom)],
        theme::AXIS.stroke_width(theme.upx(1.0)),
    ))?;
    let places = tick_places(chart.scale.ticks());
    let style = theme.text(TextRole::TickLabel);
    for &tick in chart.scale.ticks() {
        if high <= low {
            break;
        }
        let y = bar.bottom - ((tick - low) / (high - low) * f64::from(height)).round() as i32;
        side.draw(&PathElement::new(
            vec![(bar.right, y), (bar.right + theme.px(6.0), y)],
            theme::AXIS.stroke_width(theme.upx(1.5)),
        ))?;
        let label = match chart.scale {
            ColourScale::Sequential { .. } => text::decimal(tick, places),
            ColourScale::Diverging { .. } => text::signed(tick, places),
        };
        draw_text(
            side,
            &label,
            (bar.right + theme.px(10.0), y),
            style.clone(),
            CENTER_LEFT,
        )?;
    }
    Ok(())
}

// --------------------------------------------------------------- lines --

pub(crate) fn draw_sweep_lines<DB: DrawingBackend>(
    chart: &SweepLineChart,
    root: &Area<DB>,
    theme: Theme,
) -> DrawResult<(), DB> {
    let legend = line_legend(root, theme, &chart.series)?;
    let frame = draw_frame(root, theme, &chart.header, &legend)?;
    let mut plot = ChartBuilder::on(&frame.plot)
        .margin_top(theme.px(PLOT_TOP_GAP))
        .margin_right(theme.px(16.0))
        .x_label_area_size(theme.px(66.0))
        .y_label_area_size(theme.px(104.0))
        .build_cartesian_2d(chart.x_range.clone(), chart.y_range.clone())?;
    let y_span = chart.y_range.end - chart.y_range.start;
    let x_places = chart.x_places;
    let x_formatter = |value: &f64| {
        // plotters' ticks are round numbers; write them as the values are
        // written, with a decimal more when a tick falls between them.
        let places = (0..=x_places + 2)
            .find(|&places| {
                let scaled = value * 10_f64.powi(places as i32);
                (scaled - scaled.round()).abs() < 1e-6
            })
            .unwrap_or(x_places + 2);
        text::decimal(*value, places.max(x_places.min(1)))
    };
    let y_formatter = |value: &f64| {
        if y_span <= 0.6 {
            text::decimal(*value, 2)
        } else if y_span <= 6.0 {
            text::decimal(*value, 1)
        } else {
            text::whole_number(*value)
        }
    };
    let mut mesh = plot.configure_mesh();
    apply_mesh_style(&mut mesh, theme);
    mesh.x_labels(10)
        .x_label_formatter(&x_formatter)
        .y_label_formatter(&y_formatter)
        .x_desc(chart.x_title.as_str())
        .y_desc(chart.y_title.as_str())
        .draw()?;
    for series in &chart.series {
        for run in runs(&series.points, |point| point.interval) {
            if run.len() < 2 {
                continue;
            }
            plot.draw_series(std::iter::once(Polygon::new(
                band_outline(&run),
                series.colour.mix(theme::BAND_OPACITY).filled(),
            )))?;
        }
    }
    let reference_y = match &chart.zero_line {
        Some(line) => Some(draw_reference_line(
            &mut plot,
            &frame.side,
            theme,
            (chart.x_range.start, chart.x_range.end),
            line.value,
        )?),
        None => None,
    };
    for series in &chart.series {
        let style = line_style(theme, series.colour);
        for run in runs(&series.points, |point| point.mean) {
            if run.len() >= 2 {
                plot.draw_series(std::iter::once(PathElement::new(run, style)))?;
            }
        }
        for point in &series.points {
            let Some(mean) = point.mean else { continue };
            // A lone point shows its interval as a whisker; elsewhere the
            // band does.
            if let Some(interval) = point
                .interval
                .filter(|_| is_isolated(&series.points, point))
            {
                plot.draw_series(std::iter::once(PathElement::new(
                    vec![(point.x, interval.low), (point.x, interval.high)],
                    style,
                )))?;
            }
            plot.draw_series(std::iter::once(Circle::new(
                (point.x, mean),
                theme.px(5.0),
                series.colour.filled(),
            )))?;
        }
    }
    if chart.series.is_empty() {
        let (width, height) = frame.plot.dim_in_pixel();
        draw_text(
            &frame.plot,
            "No values to draw",
            (width as i32 / 2, height as i32 / 2),
            theme.text(TextRole::Annotation),
            CENTRE,
        )?;
    }
    draw_side_column(
        &frame.side,
        theme,
        &legend,
        reference_label(chart.zero_line.as_ref(), reference_y),
    )
}

impl Line for super::charts::SweepSeries {
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

/// Runs of consecutive points where `value` exists, so that a missing
/// point shows as a gap.
fn runs<T: Copy>(
    points: &[SweepPoint],
    value: impl Fn(&SweepPoint) -> Option<T>,
) -> Vec<Vec<(f64, T)>> {
    let mut runs: Vec<Vec<(f64, T)>> = vec![Vec::new()];
    for point in points {
        match value(point) {
            Some(value) => {
                if let Some(run) = runs.last_mut() {
                    run.push((point.x, value));
                }
            }
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|run| !run.is_empty());
    runs
}

/// Whether neither neighbour of `point` has a mean.
fn is_isolated(points: &[SweepPoint], point: &SweepPoint) -> bool {
    let Some(index) = points.iter().position(|other| std::ptr::eq(other, point)) else {
        return true;
    };
    let has_mean = |index: Option<usize>| {
        index
            .and_then(|index| points.get(index))
            .is_some_and(|neighbour| neighbour.mean.is_some())
    };
    !has_mean(index.checked_sub(1)) && !has_mean(Some(index + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_edges_tile_the_panel_exactly() {
        assert_eq!(edges(0, 10, 3), [0, 3, 6, 10]);
        assert_eq!(edges(100, 0, 4), [100, 75, 50, 25, 0]);
    }

    #[test]
    fn labels_thin_out_when_they_would_collide() {
        assert_eq!(label_step(40, 90), 1);
        assert_eq!(label_step(40, 30), 2);
        assert_eq!(label_step(40, 0), 40);
    }
}
