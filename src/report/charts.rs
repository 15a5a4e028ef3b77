//! What each of the five charts shows: titles, series, axis ranges and
//! reference lines, built from the run's tables.
//!
//! These models know nothing about plotters; `plot.rs` draws them. Keeping
//! the two apart lets the text readings and the tests reason about exactly
//! the numbers a chart shows.

use std::ops::{Range, RangeInclusive};

use super::data::{Interval, RunOutput, WeekPoint};
use super::metrics;
use super::sensitivity::charts::{RankingChart, ScatterChart};
use super::sweep::charts::{HeatmapChart, SweepLineChart};
use super::text;
use super::theme::{self, Colour};

/// The published US average of time lost to workplace conflict: 2.8 hours a
/// week per employee (CPP Global Human Capital Report, 2008), about 145
/// hours a year.
pub(crate) const US_AVERAGE_ANNUAL_HOURS: f64 = 145.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChartId {
    LostHours,
    AnnualLostHours,
    EmpathyGap,
    Trust,
    Delivery,
    /// Conflict hours per leader by week (the live page's, not the report's).
    Conflict,
    /// Each arm's paired difference in conflict hours from the baseline.
    ConflictDifference,
}

impl ChartId {
    /// The charts of the live page (`explore`), in its order.
    pub const LIVE: [Self; 5] = [
        Self::Conflict,
        Self::ConflictDifference,
        Self::Trust,
        Self::Delivery,
        Self::EmpathyGap,
    ];

    pub const ALL: [Self; 5] = [
        Self::LostHours,
        Self::AnnualLostHours,
        Self::EmpathyGap,
        Self::Trust,
        Self::Delivery,
    ];

    /// File name without extension; the same for the PNG and the SVG.
    pub fn file_stem(self) -> &'static str {
        match self {
            Self::LostHours => "lost_hours",
            Self::AnnualLostHours => "annual_lost_hours",
            Self::EmpathyGap => "empathy_gap",
            Self::Trust => "trust",
            Self::Delivery => "delivery",
            Self::Conflict => "conflict",
            Self::ConflictDifference => "conflict_difference",
        }
    }

    /// A short name for the report's figure headings.
    pub fn heading(self) -> &'static str {
        match self {
            Self::LostHours => "Weekly lost hours per leader",
            Self::AnnualLostHours => "Annual lost hours per employee",
            Self::EmpathyGap => "The empathy gap",
            Self::Trust => "Trust between leaders",
            Self::Delivery => "On-time delivery of the shared work",
            Self::Conflict => "Conflict hours per leader",
            Self::ConflictDifference => "Difference from the baseline",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::LostHours => {
                "Hours each leader loses every week to conflict, meetings and escalation"
            }
            Self::AnnualLostHours => "Hours each employee loses a year, and where they go",
            Self::EmpathyGap => {
                "The peer's open work you can see vs. what they are really juggling"
            }
            Self::Trust => "How much the leaders trust each other, week by week",
            Self::Delivery => "Shared work delivered on time, week by week",
            Self::Conflict => "Hours each leader spends on conflict every week",
            Self::ConflictDifference => "Conflict hours: each response minus the baseline",
        }
    }
}

pub(crate) enum Chart {
    Lines(LineChart),
    Bars(BarChart),
    GapPanels(GapChart),
    /// A sweep over two or more parameters.
    Heatmap(HeatmapChart),
    /// A sweep over one parameter.
    SweepLines(SweepLineChart),
    /// A screening's mu-star against sigma, one dot per parameter.
    SensitivityScatter(ScatterChart),
    /// A screening's largest mu-stars, as ranked bars.
    SensitivityRanking(RankingChart),
}

pub(crate) struct Header {
    pub title: String,
    pub subtitle: String,
}

/// How axis tick labels are written.
#[derive(Clone, Copy)]
pub(crate) enum AxisUnit {
    Hours,
    Percent,
    Fraction,
}

/// A horizontal reference line with a label beside the plot.
pub(crate) struct ReferenceLine {
    pub value: f64,
    pub label: Vec<String>,
}

/// One line per arm over the weeks, with its 95% band.
pub(crate) struct LineChart {
    pub header: Header,
    pub y_title: String,
    pub weeks: RangeInclusive<u32>,
    pub y_range: Range<f64>,
    pub y_unit: AxisUnit,
    pub series: Vec<LineSeries>,
    pub start_week: Option<u32>,
    pub reference: Option<ReferenceLine>,
}

pub(crate) struct LineSeries {
    pub label: String,
    pub colour: Colour,
    pub points: Vec<WeekPoint>,
}

/// Stacked bars, one per arm.
pub(crate) struct BarChart {
    pub header: Header,
    pub y_title: String,
    pub y_range: Range<f64>,
    /// Stack components from the bottom up.
    pub components: Vec<BarComponent>,
    pub bars: Vec<Bar>,
    pub reference: Option<ReferenceLine>,
}

pub(crate) struct BarComponent {
    pub label: String,
    pub colour: Colour,
}

pub(crate) struct Bar {
    pub label: String,
    pub colour: Colour,
    /// One value per component; missing components count as zero.
    pub segments: Vec<f64>,
    pub total: Option<f64>,
    pub interval: Option<Interval>,
}

/// Small multiples, one panel per arm, of believed versus actual peer load.
pub(crate) struct GapChart {
    pub header: Header,
    pub y_title: String,
    pub weeks: RangeInclusive<u32>,
    pub y_range: Range<f64>,
    pub start_week: Option<u32>,
    pub panels: Vec<GapPanel>,
}

pub(crate) struct GapPanel {
    pub label: String,
    pub colour: Colour,
    pub believed: Vec<WeekPoint>,
    pub actual: Vec<WeekPoint>,
}

/// Builds chart `id`, or says in plain words why the run's files cannot
/// support it.
pub(crate) fn build_chart(id: ChartId, run: &RunOutput) -> Result<Chart, String> {
    match id {
        ChartId::LostHours => {
            let chart = weekly_line_chart(run, id, metrics::LOST_HOURS_PER_LEADER, |value| value)?;
            Ok(Chart::Lines(LineChart {
                y_title: "Lost hours per leader per week".to_owned(),
                y_range: 0.0..nice_ceiling(highest_value(&chart.series) * 1.05),
                ..chart
            }))
        }
        ChartId::Trust => {
            let chart = weekly_line_chart(run, id, metrics::TRUST_MEAN, |value| value)?;
            Ok(Chart::Lines(LineChart {
                y_title: "Mean trust (0 = none, 1 = full)".to_owned(),
                y_range: 0.0..1.0,
                y_unit: AxisUnit::Fraction,
                ..chart
            }))
        }
        ChartId::Delivery => {
            // The share of each week's commitment delivered by its due date:
            // the table's "On time". Late work counted too, every arm ends
            // near the whole plan; the reading says so.
            let chart = weekly_line_chart(run, id, metrics::WEEKLY_DELIVERY_RATIO, |ratio| {
                ratio * 100.0
            })?;
            Ok(Chart::Lines(LineChart {
                y_title: "Delivered on time, % of the week's commitment".to_owned(),
                y_range: 0.0..(highest_value(&chart.series).max(100.0) * 1.04 / 10.0).ceil() * 10.0,
                y_unit: AxisUnit::Percent,
                reference: Some(ReferenceLine {
                    value: 100.0,
                    label: vec!["All on time".to_owned(), "(100%)".to_owned()],
                }),
                ..chart
            }))
        }
        ChartId::Conflict => {
            let chart =
                weekly_line_chart(run, id, metrics::CONFLICT_HOURS_PER_LEADER, |value| value)?;
            Ok(Chart::Lines(LineChart {
                y_title: "Conflict hours per leader per week".to_owned(),
                y_range: 0.0..nice_ceiling(highest_value(&chart.series) * 1.05),
                ..chart
            }))
        }
        ChartId::ConflictDifference => {
            let chart = weekly_line_chart(
                run,
                id,
                metrics::CONFLICT_HOURS_PER_LEADER_DIFFERENCE,
                |value| value,
            )?;
            if chart.series.is_empty() {
                return Err("there is no arm to compare with the baseline".to_owned());
            }
            let reach = finite_values(&chart.series)
                .filter(|value| value.is_finite())
                .fold(0.0_f64, |most, value| most.max(value.abs()));
            let limit = nice_ceiling((reach * 1.05).max(0.1));
            Ok(Chart::Lines(LineChart {
                y_title: "Difference in conflict hours per leader per week".to_owned(),
                y_range: -limit..limit,
                reference: Some(ReferenceLine {
                    value: 0.0,
                    label: vec!["No difference".to_owned()],
                }),
                ..chart
            }))
        }
        ChartId::AnnualLostHours => annual_bar_chart(run).map(Chart::Bars),
        ChartId::EmpathyGap => gap_chart(run).map(Chart::GapPanels),
    }
}

/// The common part of the three weekly line charts; callers set the axis.
fn weekly_line_chart(
    run: &RunOutput,
    id: ChartId,
    metric: &str,
    transform: impl Fn(f64) -> f64 + Copy,
) -> Result<LineChart, String> {
    if !run.weekly.has_values(metric) {
        return Err(missing_weekly_metric(metric));
    }
    let series = run
        .arms
        .iter()
        .map(|arm| LineSeries {
            label: arm.name.clone(),
            colour: arm.colour,
            points: run
                .weekly
                .series(metric, &arm.name)
                .iter()
                .map(|point| point.map(transform))
                .collect(),
        })
        .filter(|series| !series.points.is_empty())
        .collect();
    Ok(LineChart {
        header: Header {
            title: id.title().to_owned(),
            subtitle: subtitle(run, "shaded bands: 95% interval"),
        },
        y_title: String::new(),
        weeks: displayed_weeks(run),
        y_range: 0.0..1.0,
        y_unit: AxisUnit::Hours,
        series,
        start_week: run.manifest.intervention_start_week,
        reference: None,
    })
}

fn annual_bar_chart(run: &RunOutput) -> Result<BarChart, String> {
    let summary = &run.summary;
    if !summary.has_values(metrics::ANNUAL_LOST_HOURS_PER_EMPLOYEE) {
        return Err(missing_summary_metric(
            metrics::ANNUAL_LOST_HOURS_PER_EMPLOYEE,
        ));
    }
    let present: Vec<_> = metrics::ANNUAL_COMPONENTS
        .iter()
        .zip(theme::COMPONENT_COLOURS)
        .filter(|((metric, _), _)| summary.has_values(metric))
        .collect();
    // Without any breakdown the bars still show the totals, in one colour.
    let components: Vec<BarComponent> = if present.is_empty() {
        vec![BarComponent {
            label: "All lost hours".to_owned(),
            colour: theme::COMPONENT_COLOURS[1],
        }]
    } else {
        present
            .iter()
            .map(|((_, label), colour)| BarComponent {
                label: (*label).to_owned(),
                colour: *colour,
            })
            .collect()
    };
    let bars: Vec<Bar> = run
        .arms
        .iter()
        .map(|arm| {
            let total_row = summary.get(&arm.name, metrics::ANNUAL_LOST_HOURS_PER_EMPLOYEE);
            let total = total_row.and_then(|row| row.mean);
            let segments = if present.is_empty() {
                vec![total.unwrap_or(0.0)]
            } else {
                present
                    .iter()
                    .map(|((metric, _), _)| summary.mean(&arm.name, metric).unwrap_or(0.0).max(0.0))
                    .collect()
            };
            Bar {
                label: arm.name.clone(),
                colour: arm.colour,
                segments,
                total,
                interval: total_row.and_then(|row| row.interval),
            }
        })
        .collect();
    let highest_bar = bars
        .iter()
        .map(|bar| {
            let stacked: f64 = bar.segments.iter().sum();
            let whisker = bar.interval.map_or(0.0, |interval| interval.high);
            stacked.max(whisker).max(bar.total.unwrap_or(0.0))
        })
        .fold(US_AVERAGE_ANNUAL_HOURS, f64::max);
    Ok(BarChart {
        header: Header {
            title: ChartId::AnnualLostHours.title().to_owned(),
            subtitle: subtitle(run, "whiskers: 95% interval of the total"),
        },
        y_title: "Lost hours per employee per year".to_owned(),
        // Headroom for the value printed above each bar.
        y_range: 0.0..nice_ceiling(highest_bar * 1.12),
        components,
        bars,
        reference: Some(ReferenceLine {
            value: US_AVERAGE_ANNUAL_HOURS,
            label: vec![
                "US average:".to_owned(),
                format!("{} h a year", text::whole_number(US_AVERAGE_ANNUAL_HOURS)),
                "(CPP 2008,".to_owned(),
                "2.8 h a week)".to_owned(),
            ],
        }),
    })
}

fn gap_chart(run: &RunOutput) -> Result<GapChart, String> {
    for metric in [
        metrics::BELIEVED_PEER_LOAD_HOURS,
        metrics::ACTUAL_PEER_LOAD_HOURS,
    ] {
        if !run.weekly.has_values(metric) {
            return Err(missing_weekly_metric(metric));
        }
    }
    let panels: Vec<GapPanel> = run
        .arms
        .iter()
        .map(|arm| GapPanel {
            label: arm.name.clone(),
            colour: arm.colour,
            believed: run
                .weekly
                .series(metrics::BELIEVED_PEER_LOAD_HOURS, &arm.name)
                .to_vec(),
            actual: run
                .weekly
                .series(metrics::ACTUAL_PEER_LOAD_HOURS, &arm.name)
                .to_vec(),
        })
        .filter(|panel| !panel.believed.is_empty() || !panel.actual.is_empty())
        .collect();
    let highest = panels
        .iter()
        .flat_map(|panel| panel.believed.iter().chain(&panel.actual))
        .filter_map(|point| point.mean)
        .fold(0.0, f64::max);
    let subtitle_detail = match run.manifest.intervention_start_week {
        Some(week) => format!("grey dashed line: interventions start (week {week})"),
        None => "one panel per arm".to_owned(),
    };
    Ok(GapChart {
        header: Header {
            title: ChartId::EmpathyGap.title().to_owned(),
            subtitle: subtitle(run, &subtitle_detail),
        },
        y_title: "Hours of the peer's open work".to_owned(),
        weeks: displayed_weeks(run),
        y_range: 0.0..nice_ceiling(highest * 1.05),
        start_week: run.manifest.intervention_start_week,
        panels,
    })
}

/// "two-managers · mean of 1,000 simulated runs · {detail}".
fn subtitle(run: &RunOutput, detail: &str) -> String {
    let runs = match run.manifest.head.replicates {
        Some(1) => "one simulated run (no intervals)".to_owned(),
        Some(count) => format!("mean of {} simulated runs", text::thousands(count)),
        None => "simulated means".to_owned(),
    };
    let detail = if run.manifest.head.replicates == Some(1) {
        ""
    } else {
        detail
    };
    [run.manifest.head.name.as_str(), runs.as_str(), detail]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Weeks 1..=W, with W from the manifest or, failing that, the data.
fn displayed_weeks(run: &RunOutput) -> RangeInclusive<u32> {
    let last = run
        .manifest
        .head
        .weeks
        .unwrap_or(0)
        .max(run.weekly.last_week())
        .max(1);
    1..=last
}

fn missing_weekly_metric(metric: &str) -> String {
    format!("weekly.csv has no values for `{metric}`, so this chart is left out.")
}

fn missing_summary_metric(metric: &str) -> String {
    format!("summary.csv has no values for `{metric}`, so this chart is left out.")
}

fn finite_values(series: &[LineSeries]) -> impl Iterator<Item = f64> + '_ {
    series
        .iter()
        .flat_map(|series| &series.points)
        .flat_map(|point| {
            let interval = point.interval.map(|interval| [interval.low, interval.high]);
            point.mean.into_iter().chain(interval.into_iter().flatten())
        })
}

fn highest_value(series: &[LineSeries]) -> f64 {
    finite_values(series).fold(0.0, f64::max)
}

/// The smallest "round" number at or above `value` (1, 1.2, 1.5, 2, 2.5,
/// 3, 4, 5, 6, 8 times a power of ten), so axes end on a tick.
pub(crate) fn nice_ceiling(value: f64) -> f64 {
    if !value.is_finite() || value <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|&candidate| candidate >= value * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceiling_rounds_up_to_round_numbers() {
        assert_eq!(nice_ceiling(7.3), 8.0);
        assert_eq!(nice_ceiling(160.0), 200.0);
        assert_eq!(nice_ceiling(0.93), 1.0);
        assert_eq!(nice_ceiling(100.0), 100.0);
        assert_eq!(nice_ceiling(f64::NAN), 1.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
    }
}
