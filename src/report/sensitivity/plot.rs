//! Draws the sensitivity charts with plotters, in the frame every chart
//! shares (title and subtitle on top, the plot, a side column on the right
//! for the legend).
//!
//! The scatter's labels are placed in pixels: each beside its dot where
//! there is room, else further out with a thin leader line, so that no
//! label covers another or a labelled dot when that can be helped. The
//! ranking's parameter names are drawn left of the bars, right-aligned,
//! and shortened from the left ("…interventions.0.trust_gain") when they
//! are too long, because the end of a path names the parameter.

use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::TextStyle;

use super::super::plot::{
    Area, CENTER_LEFT, CENTER_RIGHT, DrawResult, LegendKey, PLOT_TOP_GAP, Rect, apply_axis_style,
    dot, draw_frame, draw_side_column, draw_text, fit_text, legend_entries, title_that_fits,
};
use super::super::text;
use super::super::theme::{self, TextRole, Theme, is_dark};
use super::charts::{RankingChart, ScatterChart};

type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Pixel sizes at 1280x720; see [`Theme::px`].
const X_LABEL_AREA: f64 = 66.0;
const Y_LABEL_AREA: f64 = 90.0;
const PLOT_RIGHT_GAP: f64 = 16.0;
/// Between a dot and its label, and left and right of the label's text.
const LABEL_GAP: f64 = 6.0;
const LABEL_PADDING: f64 = 3.0;
/// How many label heights a label may move out from its dot.
const MAX_LABEL_RINGS: i32 = 10;
/// The directions a label may take from its dot, in degrees clockwise
/// from the right (y grows downwards), in order of preference: beside it,
/// then diagonally, then straight above or below, so that leader lines
/// fan out instead of running side by side.
const LABEL_DIRECTIONS: [f64; 24] = [
    0.0, -15.0, 15.0, 180.0, 195.0, 165.0, -30.0, 30.0, 210.0, 150.0, -45.0, 45.0, 225.0, 135.0,
    -60.0, 60.0, 240.0, 120.0, -75.0, 75.0, 255.0, 105.0, -90.0, 90.0,
];
/// Tick labels on each axis, at most.
const TICK_LABELS: usize = 8;
/// What a label's place costs besides its order among the places around
/// its dot (a ring holds `LABEL_DIRECTIONS.len()` places): covering an
/// unlabelled dot about half a ring further out, a leader line crossing
/// another or passing through a labelled dot two rings, a leader line
/// passing under a label twenty, and text over text or over a labelled
/// dot more than anything else.
const UNLABELLED_DOT_COST: usize = LABEL_DIRECTIONS.len() / 2;
const CROSSING_COST: usize = 2 * LABEL_DIRECTIONS.len();
const UNDER_LABEL_COST: usize = 20 * LABEL_DIRECTIONS.len();
const COVER_COST: usize = 1_000_000;
/// Rounds of moving each label to its best place given all the others.
const LABEL_PASSES: usize = 6;
/// Layouts tried from shuffled orders when those from the natural orders
/// collide.
const SHUFFLED_STARTS: usize = 24;
/// A bar's thickness and its whisker's caps, in rows.
const BAR_THICKNESS: f64 = 0.62;
const CAP_HEIGHT: f64 = 0.3;

// ------------------------------------------------------------- scatter --

pub(crate) fn draw_scatter<DB: DrawingBackend>(
    chart: &ScatterChart,
    root: &Area<DB>,
    theme: Theme,
) -> DrawResult<(), DB> {
    let labelled = chart.dots.iter().filter(|dot| dot.label.is_some()).count();
    let mut keys = vec![(
        format!("The {labelled} largest \u{03bc}*, labelled"),
        LegendKey::Dot {
            colour: chart.colour,
            filled: true,
        },
    )];
    if chart.dots.len() > labelled {
        keys.push((
            "The other parameters".to_owned(),
            LegendKey::Dot {
                colour: theme::AXIS,
                filled: false,
            },
        ));
    }
    keys.push((
        "\u{03c3} = \u{03bc}*: above it, the effect depends on the other parameters".to_owned(),
        LegendKey::Line {
            colour: theme::REFERENCE,
            dashed: true,
        },
    ));
    let legend = legend_entries(root, theme, keys)?;
    let frame = draw_frame(root, theme, &chart.header, &legend)?;
    let (width, height) = frame.plot.dim_in_pixel();
    let axis_style = theme.text(TextRole::AxisTitle);
    let x_room = width as i32 - theme.px(Y_LABEL_AREA + PLOT_RIGHT_GAP);
    let y_room = height as i32 - theme.px(X_LABEL_AREA + PLOT_TOP_GAP);
    let x_title = title_that_fits(
        &frame.plot,
        &chart.x_title,
        &chart.short_x_title,
        &axis_style,
        x_room,
    )?;
    let y_title = title_that_fits(
        &frame.plot,
        &chart.y_title,
        &chart.short_y_title,
        &axis_style,
        y_room,
    )?;
    let mut plot = ChartBuilder::on(&frame.plot)
        .margin_top(theme.px(PLOT_TOP_GAP))
        .margin_right(theme.px(PLOT_RIGHT_GAP))
        .x_label_area_size(theme.px(X_LABEL_AREA))
        .y_label_area_size(theme.px(Y_LABEL_AREA))
        .build_cartesian_2d(chart.x_range.clone(), chart.y_range.clone())?;
    let x_formatter = tick_formatter(&chart.x_range);
    let y_formatter = tick_formatter(&chart.y_range);
    let mut mesh = plot.configure_mesh();
    apply_axis_style(&mut mesh, theme);
    mesh.x_labels(TICK_LABELS)
        .y_labels(TICK_LABELS)
        .x_label_formatter(&x_formatter)
        .y_label_formatter(&y_formatter)
        .x_desc(x_title)
        .y_desc(y_title)
        .draw()?;
    // sigma = mu-star, as far as both axes reach.
    let reach = chart.x_range.end.min(chart.y_range.end);
    plot.draw_series(std::iter::once(DashedPathElement::new(
        [(0.0, 0.0), (reach, reach)],
        theme.px(10.0),
        theme.px(6.0),
        theme::REFERENCE.stroke_width(theme.upx(2.0)),
    )))?;
    let labels = layout_labels(chart, &frame.plot, &plot, theme)?;
    for label in &labels {
        if let Some(end) = label.leader_end {
            let line = PathElement::new(
                vec![label.dot, end],
                theme::MUTED_TEXT.stroke_width(theme.upx(1.0)),
            );
            frame.plot.draw(&line)?;
        }
    }
    // The unlabelled dots first, so that the labelled ones stay on top.
    for labelled in [false, true] {
        let colour = if labelled { chart.colour } else { theme::AXIS };
        for point in chart
            .dots
            .iter()
            .filter(|point| point.label.is_some() == labelled)
        {
            let centre = (point.mu_star, point.sigma);
            plot.draw_series(std::iter::once(dot(theme, centre, colour, labelled)))?;
        }
    }
    let style = theme.text(TextRole::Annotation);
    for label in &labels {
        let Rect {
            left,
            top,
            right,
            bottom,
        } = label.rect;
        // A light patch keeps the text readable over grid and dashed lines.
        frame.plot.draw(&Rectangle::new(
            [(left, top), (right, bottom)],
            theme::BACKGROUND.mix(0.8).filled(),
        ))?;
        let position = (left + theme.px(LABEL_PADDING), (top + bottom) / 2);
        draw_text(
            &frame.plot,
            &label.text,
            position,
            style.clone(),
            CENTER_LEFT,
        )?;
    }
    draw_side_column(&frame.side, theme, &legend, None)
}

/// A dot's label as drawn: its text, its box and, when the box is away
/// from the dot, where the leader line from the dot ends. Pixels are in
/// the plot area's coordinates.
struct DotLabel {
    text: String,
    dot: (i32, i32),
    rect: Rect,
    leader_end: Option<(i32, i32)>,
}

fn layout_labels<DB: DrawingBackend>(
    chart: &ScatterChart,
    area: &Area<DB>,
    plot: &Plot<'_, DB>,
    theme: Theme,
) -> DrawResult<Vec<DotLabel>, DB> {
    let (base_x, base_y) = area.get_base_pixel();
    let dots: Vec<(i32, i32)> = chart
        .dots
        .iter()
        .map(|point| {
            let (x, y) = plot.backend_coord(&(point.mu_star, point.sigma));
            (x - base_x, y - base_y)
        })
        .collect();
    let (x_pixels, y_pixels) = plot.plotting_area().get_pixel_range();
    let bounds = Rect {
        left: x_pixels.start - base_x,
        top: y_pixels.start - base_y,
        right: x_pixels.end - base_x,
        bottom: y_pixels.end - base_y,
    };
    let style = theme.text(TextRole::Annotation);
    let padding = theme.px(LABEL_PADDING);
    let mut texts = Vec::new();
    let mut wanted = Vec::new();
    for (index, point) in chart.dots.iter().enumerate() {
        let Some(label) = &point.label else { continue };
        let text = fit_path(area, label, &style, (bounds.right - bounds.left) / 2)?;
        let (width, height) = area.estimate_text_size(&text, &style)?;
        // Text boxes have room above and below the letters already.
        let size = (width as i32 + 2 * padding, height as i32);
        texts.push(text);
        wanted.push(WantedLabel { dot: index, size });
    }
    let spacing = LabelSpacing {
        gap: theme.px(LABEL_GAP),
        radius: theme.px(6.0),
    };
    let rects = place_labels(&dots, &wanted, bounds, spacing);
    Ok(texts
        .into_iter()
        .zip(&wanted)
        .zip(rects)
        .map(|((text, wanted), rect)| {
            let dot = dots[wanted.dot];
            DotLabel {
                text,
                dot,
                rect,
                leader_end: leader(dot, rect, spacing).map(|(_, end)| end),
            }
        })
        .collect())
}

/// A label to place: beside which dot, and how large (pixels, padding
/// included).
#[derive(Clone, Copy)]
struct WantedLabel {
    dot: usize,
    size: (i32, i32),
}

#[derive(Clone, Copy)]
struct LabelSpacing {
    /// Between a dot's edge and its label.
    gap: i32,
    /// Of a dot.
    radius: i32,
}

/// Where each label goes, in `labels`' order (the most important first).
///
/// Each label has places on rings around its dot (see [`candidates`]),
/// nearest first, of which those inside `bounds` count (when none is, the
/// nearest moved inside). A place's cost is how far out it is plus what it
/// collides with (see [`LabelCosts`]). The labels are placed
/// one by one, most important first, each at its cheapest place given
/// those before it; then, a few times over, each is moved to its cheapest
/// place given all the others, which lets an early label make room for a
/// later one.
fn place_labels(
    dots: &[(i32, i32)],
    labels: &[WantedLabel],
    bounds: Rect,
    spacing: LabelSpacing,
) -> Vec<Rect> {
    let costs = LabelCosts {
        dots,
        labels,
        spacing,
    };
    let choices: Vec<Vec<Rect>> = labels
        .iter()
        .map(|label| {
            let all = candidates(dots[label.dot], label.size, spacing);
            let inside: Vec<Rect> = all
                .iter()
                .copied()
                .filter(|rect| shift_inside(*rect, bounds) == *rect)
                .collect();
            if inside.is_empty() {
                all.iter().map(|rect| shift_inside(*rect, bounds)).collect()
            } else {
                inside
            }
        })
        .collect();
    let others_of = |label: usize, placed: &[Option<usize>]| -> Vec<(usize, Rect)> {
        placed
            .iter()
            .enumerate()
            .filter(|&(other, _)| other != label)
            .filter_map(|(other, choice)| Some((other, choices[other][(*choice)?])))
            .collect()
    };
    let cheapest = |label: usize, placed: &[Option<usize>]| {
        let others = others_of(label, placed);
        choices[label]
            .iter()
            .enumerate()
            .map(|(order, rect)| (costs.of(label, order, *rect, &others), order))
            .min()
    };
    let cost_now = |label: usize, placed: &[Option<usize>]| {
        let order = placed[label]?;
        let others = others_of(label, placed);
        Some(costs.of(label, order, choices[label][order], &others))
    };
    // A layout from labels placed first in `sequence`, then improved.
    let layout = |sequence: &[usize]| {
        let mut placed: Vec<Option<usize>> = vec![None; labels.len()];
        for &label in sequence {
            placed[label] = cheapest(label, &placed).map(|(_, order)| order);
        }
        for _ in 0..LABEL_PASSES {
            let mut moved = false;
            for &label in sequence {
                let best = cheapest(label, &placed).map(|(_, order)| order);
                if best != placed[label] {
                    placed[label] = best;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        let total: usize = (0..labels.len())
            .filter_map(|label| cost_now(label, &placed))
            .sum();
        (total, placed)
    };
    // The first sequence's layout unless another's costs less: by
    // importance, its reverse, left to right, top to bottom, then shuffled
    // (always the same way, so a report is drawn the same every time).
    let by_importance: Vec<usize> = (0..labels.len()).collect();
    let mut sequences = vec![
        by_importance.clone(),
        by_importance.iter().rev().copied().collect(),
    ];
    for axis in [0, 1] {
        let mut sequence = by_importance.clone();
        sequence.sort_by_key(|&label| {
            let (x, y) = dots[labels[label].dot];
            if axis == 0 { x } else { y }
        });
        sequences.push(sequence);
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..SHUFFLED_STARTS {
        let mut sequence = by_importance.clone();
        for index in (1..sequence.len()).rev() {
            // xorshift64: enough to vary the order, and seeded by nothing.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            sequence.swap(index, (state % (index as u64 + 1)) as usize);
        }
        sequences.push(sequence);
    }
    let mut best: Option<(usize, Vec<Option<usize>>)> = None;
    for sequence in &sequences {
        let (total, placed) = layout(sequence);
        if best.as_ref().is_none_or(|(lowest, _)| total < *lowest) {
            best = Some((total, placed));
        }
        // Nothing collides: the next layouts could only be a little nearer.
        if best
            .as_ref()
            .is_some_and(|(lowest, _)| *lowest < CROSSING_COST)
        {
            break;
        }
    }
    let placed = best.map(|(_, placed)| placed).unwrap_or_default();
    placed
        .iter()
        .zip(&choices)
        .map(|(choice, rects)| choice.map_or(bounds, |choice| rects[choice]))
        .collect()
}

/// What a label's place costs, given the places of other labels.
struct LabelCosts<'a> {
    dots: &'a [(i32, i32)],
    labels: &'a [WantedLabel],
    spacing: LabelSpacing,
}

impl LabelCosts<'_> {
    /// The cost of `label` at `rect`, its `order`th place, with `others`
    /// (label, place) placed.
    fn of(&self, label: usize, order: usize, rect: Rect, others: &[(usize, Rect)]) -> usize {
        let radius = self.spacing.radius;
        let dot_box = |(x, y): (i32, i32)| Rect {
            left: x - radius,
            top: y - radius,
            right: x + radius,
            bottom: y + radius,
        };
        let is_labelled = |dot: usize| self.labels.iter().any(|wanted| wanted.dot == dot);
        let (labelled, unlabelled) = self
            .dots
            .iter()
            .enumerate()
            .filter(|&(_, &dot)| overlap(rect, dot_box(dot)))
            .fold((0, 0), |(labelled, unlabelled), (dot, _)| {
                if is_labelled(dot) {
                    (labelled + 1, unlabelled)
                } else {
                    (labelled, unlabelled + 1)
                }
            });
        let own_dot = self.labels[label].dot;
        let own_leader = leader(self.dots[own_dot], rect, self.spacing);
        // A leader line through another labelled dot seems to point at it,
        // but in a tight cluster some must pass close to a neighbour.
        let dots_crossed = own_leader.map_or(0, |line| {
            self.labels
                .iter()
                .filter(|wanted| wanted.dot != own_dot)
                .filter(|wanted| crosses_rect(line, dot_box(self.dots[wanted.dot])))
                .count()
        });
        let mut covered = labelled;
        let mut under_labels = 0;
        let mut crossings = dots_crossed;
        for &(other, other_rect) in others {
            let other_leader = leader(self.dots[self.labels[other].dot], other_rect, self.spacing);
            covered += usize::from(overlap(rect, other_rect));
            under_labels += usize::from(other_leader.is_some_and(|line| crosses_rect(line, rect)))
                + usize::from(own_leader.is_some_and(|line| crosses_rect(line, other_rect)));
            crossings += usize::from(
                own_leader
                    .zip(other_leader)
                    .is_some_and(|(own, other)| crosses(own, other)),
            );
        }
        COVER_COST * covered
            + UNDER_LABEL_COST * under_labels
            + CROSSING_COST * crossings
            + UNLABELLED_DOT_COST * unlabelled
            + order
    }
}

/// A line from one pixel to another.
type Segment = ((i32, i32), (i32, i32));

/// The leader line from `dot` to its label at `rect`, when the label is
/// far enough from the dot to need one.
fn leader(dot: (i32, i32), rect: Rect, spacing: LabelSpacing) -> Option<Segment> {
    let end = nearest_point(rect, dot);
    (distance(end, dot) > f64::from(spacing.radius + spacing.gap + 3)).then_some((dot, end))
}

/// Whether two segments cross (touching at an end counts).
fn crosses((a, b): Segment, (c, d): Segment) -> bool {
    let side = |(px, py): (i32, i32), (qx, qy): (i32, i32), (rx, ry): (i32, i32)| {
        (i64::from(qx - px) * i64::from(ry - py) - i64::from(qy - py) * i64::from(rx - px)).signum()
    };
    let straddles = |p, q, r, s| side(p, q, r) * side(p, q, s) <= 0;
    // Collinear segments straddle each other everywhere on their line;
    // they cross only where their boxes meet.
    let boxes_meet = a.0.min(b.0) <= c.0.max(d.0)
        && c.0.min(d.0) <= a.0.max(b.0)
        && a.1.min(b.1) <= c.1.max(d.1)
        && c.1.min(d.1) <= a.1.max(b.1);
    straddles(a, b, c, d) && straddles(c, d, a, b) && boxes_meet
}

/// Whether a segment passes through (or ends inside) `rect`.
fn crosses_rect(segment: Segment, rect: Rect) -> bool {
    let inside = |(x, y): (i32, i32)| {
        (rect.left..=rect.right).contains(&x) && (rect.top..=rect.bottom).contains(&y)
    };
    let (top_left, top_right) = ((rect.left, rect.top), (rect.right, rect.top));
    let (bottom_left, bottom_right) = ((rect.left, rect.bottom), (rect.right, rect.bottom));
    inside(segment.0)
        || inside(segment.1)
        || [
            (top_left, top_right),
            (top_right, bottom_right),
            (bottom_right, bottom_left),
            (bottom_left, top_left),
        ]
        .into_iter()
        .any(|edge| crosses(segment, edge))
}

/// The places a label of `size` may take around the dot at `(x, y)`,
/// nearest first: on rings a label height apart, in each of
/// [`LABEL_DIRECTIONS`], the label's nearest point to the dot on the ring.
fn candidates((x, y): (i32, i32), (width, height): (i32, i32), spacing: LabelSpacing) -> Vec<Rect> {
    let near = spacing.radius + spacing.gap;
    let mut rects = Vec::new();
    for ring in 0..=MAX_LABEL_RINGS {
        let reach = f64::from(near + ring * height);
        for degrees in LABEL_DIRECTIONS {
            let (sin, cos) = degrees.to_radians().sin_cos();
            let (end_x, end_y) = (
                x + (reach * cos).round() as i32,
                y + (reach * sin).round() as i32,
            );
            // The label hangs off the ring on the side away from the dot.
            let left = if cos > 0.3 {
                end_x
            } else if cos < -0.3 {
                end_x - width
            } else {
                end_x - width / 2
            };
            let top = if sin > 0.3 {
                end_y
            } else if sin < -0.3 {
                end_y - height
            } else {
                end_y - height / 2
            };
            rects.push(Rect {
                left,
                top,
                right: left + width,
                bottom: top + height,
            });
        }
    }
    rects
}

/// `rect` moved the least to lie inside `bounds` (to its top left when it
/// is larger).
fn shift_inside(rect: Rect, bounds: Rect) -> Rect {
    let dx = (bounds.right - rect.right)
        .min(0)
        .max(bounds.left - rect.left);
    let dy = (bounds.bottom - rect.bottom)
        .min(0)
        .max(bounds.top - rect.top);
    Rect {
        left: rect.left + dx,
        top: rect.top + dy,
        right: rect.right + dx,
        bottom: rect.bottom + dy,
    }
}

fn overlap(a: Rect, b: Rect) -> bool {
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
}

/// The point of `rect` nearest to `point`.
fn nearest_point(rect: Rect, (x, y): (i32, i32)) -> (i32, i32) {
    (
        x.clamp(rect.left, rect.right),
        y.clamp(rect.top, rect.bottom),
    )
}

fn distance(a: (i32, i32), b: (i32, i32)) -> f64 {
    f64::from(a.0 - b.0).hypot(f64::from(a.1 - b.1))
}

// ------------------------------------------------------------- ranking --

pub(crate) fn draw_ranking<DB: DrawingBackend>(
    chart: &RankingChart,
    root: &Area<DB>,
    theme: Theme,
) -> DrawResult<(), DB> {
    let legend = legend_entries(
        root,
        theme,
        [
            (
                "\u{03bc}*: mean absolute change".to_owned(),
                LegendKey::Swatch {
                    colour: chart.colour,
                    opacity: 1.0,
                },
            ),
            (
                "Its 95% interval".to_owned(),
                LegendKey::Line {
                    colour: theme::TEXT,
                    dashed: false,
                },
            ),
        ],
    )?;
    let frame = draw_frame(root, theme, &chart.header, &legend)?;
    let (width, _) = frame.plot.dim_in_pixel();
    let label_style = theme.text(TextRole::Annotation);
    let mut labels = Vec::with_capacity(chart.bars.len());
    let mut widest = 0;
    for bar in &chart.bars {
        let label = fit_path(&frame.plot, &bar.label, &label_style, width as i32 * 2 / 5)?;
        widest = widest.max(frame.plot.estimate_text_size(&label, &label_style)?.0 as i32);
        labels.push(label);
    }
    let label_area = widest + theme.px(20.0);
    let axis_style = theme.text(TextRole::AxisTitle);
    let x_title = title_that_fits(
        &frame.plot,
        &chart.x_title,
        &chart.short_x_title,
        &axis_style,
        width as i32 - label_area - theme.px(PLOT_RIGHT_GAP),
    )?;
    let rows = chart.rows as f64;
    let mut plot = ChartBuilder::on(&frame.plot)
        .margin_top(theme.px(PLOT_TOP_GAP))
        .margin_right(theme.px(PLOT_RIGHT_GAP))
        .x_label_area_size(theme.px(X_LABEL_AREA))
        .y_label_area_size(label_area)
        .build_cartesian_2d(chart.x_range.clone(), 0.0..rows)?;
    let x_formatter = tick_formatter(&chart.x_range);
    let mut mesh = plot.configure_mesh();
    apply_axis_style(&mut mesh, theme);
    // Vertical grid lines to read the bars against; the names are drawn
    // by `draw_bar_name`.
    mesh.disable_y_mesh()
        .set_tick_mark_size(LabelAreaPosition::Left, 0)
        .y_label_formatter(&|_: &f64| String::new())
        .x_labels(TICK_LABELS)
        .x_label_formatter(&x_formatter)
        .x_desc(x_title)
        .draw()?;
    for (index, (bar, label)) in chart.bars.iter().zip(&labels).enumerate() {
        let centre = rows - index as f64 - 0.5;
        let half = BAR_THICKNESS / 2.0;
        plot.draw_series(std::iter::once(Rectangle::new(
            [(0.0, centre - half), (bar.mu_star, centre + half)],
            chart.colour.filled(),
        )))?;
        if let Some(interval) = bar.interval {
            let cap = CAP_HEIGHT / 2.0;
            let whisker = [
                vec![(interval.low, centre), (interval.high, centre)],
                vec![(interval.low, centre - cap), (interval.low, centre + cap)],
                vec![(interval.high, centre - cap), (interval.high, centre + cap)],
            ];
            let style = theme::TEXT.stroke_width(theme.upx(2.0));
            plot.draw_series(
                whisker
                    .into_iter()
                    .map(|points| PathElement::new(points, style)),
            )?;
        }
        let (base_x, base_y) = frame.plot.get_base_pixel();
        let (x, y) = plot.backend_coord(&(0.0, centre));
        let position = (x - base_x - theme.px(10.0), y - base_y);
        draw_text(
            &frame.plot,
            label,
            position,
            label_style.clone(),
            CENTER_RIGHT,
        )?;
        draw_bar_value(&frame.plot, &plot, theme, chart, bar, centre)?;
    }
    draw_side_column(&frame.side, theme, &legend, None)
}

/// "1.25 ± 0.20" beside the bar's whisker, or inside the bar when there is
/// no room beside it, or not at all when neither fits (the table has it).
fn draw_bar_value<DB: DrawingBackend>(
    area: &Area<DB>,
    plot: &Plot<'_, DB>,
    theme: Theme,
    chart: &RankingChart,
    bar: &super::charts::RankedBar,
    centre: f64,
) -> DrawResult<(), DB> {
    let (base_x, base_y) = area.get_base_pixel();
    let to_area = |value: f64| {
        let (x, y) = plot.backend_coord(&(value, centre));
        (x - base_x, y - base_y)
    };
    let style = theme.text(TextRole::TickLabel);
    let text_width = area.estimate_text_size(&bar.value_text, &style)?.0 as i32;
    let gap = theme.px(8.0);
    let high = bar.interval.map_or(bar.mu_star, |interval| interval.high);
    let (right_end, y) = to_area(high);
    let plot_right = plot.plotting_area().get_pixel_range().0.end - base_x;
    if right_end + gap + text_width <= plot_right {
        return draw_text(
            area,
            &bar.value_text,
            (right_end + gap, y),
            style,
            CENTER_LEFT,
        );
    }
    let low = bar.interval.map_or(bar.mu_star, |interval| interval.low);
    let (inner_end, _) = to_area(low);
    let (bar_start, _) = to_area(0.0);
    if inner_end - gap - text_width < bar_start + gap {
        return Ok(());
    }
    let ink = if is_dark(chart.colour) {
        theme::BACKGROUND
    } else {
        theme::TEXT
    };
    let style = theme.coloured_text(TextRole::TickLabel, ink);
    draw_text(
        area,
        &bar.value_text,
        (inner_end - gap, y),
        style,
        CENTER_RIGHT,
    )
}

// ---------------------------------------------------------------- text --

/// Writes the tick labels of an axis over `range` with the decimals that
/// write all of its ticks exactly ("0", "0.5", "1" as "0.0", "0.5", "1.0").
fn tick_formatter(range: &Range<f64>) -> impl Fn(&f64) -> String {
    let ticks = RangedCoordf64::from(range.clone()).key_points(TICK_LABELS);
    let places = text::exact_places(&ticks);
    move |value: &f64| text::decimal(*value, places)
}

/// `path` whole when it fits in `max_width` pixels, else its last dotted
/// parts after an ellipsis ("…interventions.0.trust_gain"), as many as
/// fit: the end of a path names the parameter.
fn fit_path<DB: DrawingBackend>(
    area: &Area<DB>,
    path: &str,
    style: &TextStyle<'_>,
    max_width: i32,
) -> DrawResult<String, DB> {
    let parts: Vec<&str> = path.split('.').collect();
    for skipped in 0..parts.len() {
        let candidate = if skipped == 0 {
            path.to_owned()
        } else {
            format!("\u{2026}{}", parts[skipped..].join("."))
        };
        if area.estimate_text_size(&candidate, style)?.0 as i32 <= max_width {
            return Ok(candidate);
        }
    }
    fit_text(area, parts.last().unwrap_or(&path), style, max_width)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPACING: LabelSpacing = LabelSpacing { gap: 6, radius: 6 };
    const BOUNDS: Rect = Rect {
        left: 0,
        top: 0,
        right: 800,
        bottom: 500,
    };

    fn label(dot: usize) -> WantedLabel {
        WantedLabel {
            dot,
            size: (120, 24),
        }
    }

    #[test]
    fn a_lone_label_sits_right_of_its_dot() {
        let rects = place_labels(&[(400, 250)], &[label(0)], BOUNDS, SPACING);
        assert_eq!(
            rects,
            [Rect {
                left: 412,
                top: 238,
                right: 532,
                bottom: 262
            }]
        );
    }

    #[test]
    fn crowded_labels_do_not_overlap_and_stay_inside() {
        // Ten dots in a tight cluster near the right edge.
        let dots: Vec<(i32, i32)> = (0..10)
            .map(|index| (760 + index % 3, 200 + index * 4))
            .collect();
        let labels: Vec<WantedLabel> = (0..10).map(label).collect();
        let rects = place_labels(&dots, &labels, BOUNDS, SPACING);
        for (index, rect) in rects.iter().enumerate() {
            assert!(rect.left >= 0 && rect.right <= 800 && rect.top >= 0 && rect.bottom <= 500);
            for other in &rects[..index] {
                assert!(!overlap(*rect, *other), "{rect:?} overlaps {other:?}");
            }
        }
    }

    #[test]
    fn segments_cross_only_where_they_meet() {
        assert!(crosses(((0, 0), (10, 10)), ((0, 10), (10, 0))));
        assert!(!crosses(((0, 0), (10, 0)), ((20, 0), (30, 0))));
        assert!(crosses(((0, 0), (10, 0)), ((5, 0), (30, 0))));
        let rect = Rect {
            left: 10,
            top: 10,
            right: 20,
            bottom: 20,
        };
        assert!(crosses_rect(((0, 15), (30, 15)), rect));
        assert!(!crosses_rect(((0, 0), (30, 5)), rect));
    }

    #[test]
    fn labels_are_pushed_inside_the_plot() {
        let inside = shift_inside(
            Rect {
                left: 780,
                top: -10,
                right: 900,
                bottom: 14,
            },
            BOUNDS,
        );
        assert_eq!(
            inside,
            Rect {
                left: 680,
                top: 0,
                right: 800,
                bottom: 24
            }
        );
    }

    #[test]
    fn ticks_get_the_decimals_their_axis_needs() {
        let written = |range: Range<f64>| {
            let format = tick_formatter(&range);
            RangedCoordf64::from(range.clone())
                .key_points(TICK_LABELS)
                .iter()
                .map(&format)
                .collect::<Vec<_>>()
        };
        assert_eq!(written(0.0..4.0), ["0", "1", "2", "3", "4"]);
        assert_eq!(
            written(0.0..2.5),
            ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]
        );
        assert_eq!(written(0.0..0.25)[1], "0.05");
    }
}
