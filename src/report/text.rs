//! Numbers and plain-language readings.
//!
//! Every reading is built from candidate sentences that return `None` when
//! the numbers behind them are missing; a chart's reading is the first two
//! that exist. So a run with one arm gets descriptive sentences, a run with
//! alternatives gets comparisons, and nothing is claimed that the files do
//! not support. Comparisons follow the 95% interval of the paired
//! difference: an interval that crosses zero is "no clear difference", and
//! a missing interval is said to be possibly chance.

use super::charts::{ChartId, US_AVERAGE_ANNUAL_HOURS};
use super::data::{Arm, Interval, RunOutput, SummaryRow, WeekPoint, point_in_week};
use super::metrics;
pub(crate) use crate::words::{join_with_and, thousands};

const MINUS: char = '\u{2212}';

/// `value` with `places` decimals, thousands separators and a typographic
/// minus; a value that rounds to zero is written without a sign.
pub(crate) fn decimal(value: f64, places: usize) -> String {
    // Round half away from zero first, as people do ("296.5" is "297");
    // `format!` alone rounds half to even.
    let factor = 10_f64.powi(places as i32);
    let rounded = format!("{:.*}", places, (value.abs() * factor).round() / factor);
    let is_zero = rounded
        .chars()
        .all(|character| matches!(character, '0' | '.'));
    let (whole, fraction) = rounded.split_once('.').unwrap_or((&rounded, ""));
    let whole = whole
        .parse::<u64>()
        .map_or_else(|_| whole.to_owned(), thousands);
    let sign = if value < 0.0 && !is_zero {
        MINUS.to_string()
    } else {
        String::new()
    };
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

pub(crate) fn whole_number(value: f64) -> String {
    decimal(value, 0)
}

/// Hours at a precision that suits their size: "3.6" but "296".
pub(crate) fn hours(value: f64) -> String {
    decimal(value, if value.abs() < 10.0 { 1 } else { 0 })
}

/// Like [`decimal`] but with an explicit "+" on positive values.
pub(crate) fn signed(value: f64, places: usize) -> String {
    let unsigned = decimal(value, places);
    if value > 0.0
        && unsigned
            .chars()
            .any(|character| matches!(character, '1'..='9'))
    {
        format!("+{unsigned}")
    } else {
        unsigned
    }
}

/// Decimals that write every one of `values` exactly, up to six (as the
/// CSV files write them): 0.1 and 0.2 need one, 0.15 needs two.
pub(crate) fn exact_places(values: &[f64]) -> usize {
    (0..=6)
        .find(|&places| {
            let factor = 10_f64.powi(places as i32);
            values.iter().all(|value| {
                let scaled = value * factor;
                (scaled - scaled.round()).abs() <= 1e-6 * scaled.abs().max(1.0)
            })
        })
        .unwrap_or(6)
}

/// A 0..1 ratio as a whole percentage: "78%".
pub(crate) fn percent_of_ratio(ratio: f64) -> String {
    format!("{}%", whole_number(ratio * 100.0))
}

/// " (95% interval 43 to 46)", each end written by `format`; empty
/// without an interval.
pub(crate) fn interval_clause(interval: Option<Interval>, format: fn(f64) -> String) -> String {
    interval
        .map(|interval| {
            format!(
                " (95% interval {} to {})",
                format(interval.low),
                format(interval.high)
            )
        })
        .unwrap_or_default()
}

/// "weeks 1–4", or "week 3" when the window is one week.
fn week_span(first: u32, last: u32) -> String {
    if first == last {
        format!("week {first}")
    } else {
        format!("weeks {first}\u{2013}{last}")
    }
}

/// The two-sentence reading shown under chart `id`.
///
/// Candidates are listed in reading order, each with a rank: the two best
/// ranked that exist are shown, in reading order. So a level sentence
/// comes first when it is needed, and gives way to comparisons when there
/// are two of them.
pub(crate) fn chart_reading(id: ChartId, run: &RunOutput) -> String {
    let readings = Readings::new(run);
    let candidates = match id {
        ChartId::LostHours => vec![
            (3, readings.weekly_level_of_lost_hours()),
            (1, readings.first_two_weeks_comparison()),
            (
                2,
                readings.comparison(
                    "Over a year",
                    metrics::ANNUAL_LOST_HOURS_PER_LEADER,
                    &LEADER_LOST_HOURS,
                ),
            ),
            (
                4,
                readings.baseline_trend(
                    metrics::LOST_HOURS_PER_LEADER,
                    "The weekly figure",
                    &|value| format!("{} h", hours(value)),
                ),
            ),
        ],
        ChartId::AnnualLostHours => vec![
            (1, readings.annual_level_against_us_average()),
            (
                2,
                readings.comparison(
                    "",
                    metrics::ANNUAL_LOST_HOURS_PER_EMPLOYEE,
                    &EMPLOYEE_LOST_HOURS,
                ),
            ),
            (3, readings.annual_composition()),
        ],
        ChartId::EmpathyGap => vec![
            (1, readings.invisible_work_level()),
            (2, readings.invisible_share_by_arm()),
            (3, readings.invisible_share_trend()),
        ],
        ChartId::Trust => vec![
            (1, readings.trust_level()),
            (
                2,
                readings.comparison("By the last week", metrics::FINAL_TRUST, &FINAL_TRUST),
            ),
            (3, readings.trust_low_point()),
        ],
        ChartId::ConflictDifference => vec![(
            1,
            readings.comparison(
                "From the responses' start, on the same workload",
                metrics::CONFLICT_AFTER_START,
                &CONFLICT_HOURS,
            ),
        )],
        ChartId::Conflict => vec![
            (1, readings.conflict_level()),
            (
                2,
                readings.comparison(
                    "From the responses' start",
                    metrics::CONFLICT_AFTER_START,
                    &CONFLICT_HOURS,
                ),
            ),
        ],
        ChartId::Delivery => vec![
            (1, readings.delivery_level()),
            (
                2,
                readings.comparison("", metrics::DELIVERY_RATIO, &ON_TIME_DELIVERY),
            ),
            (
                3,
                readings.baseline_trend(
                    metrics::WEEKLY_DELIVERY_RATIO,
                    "The weekly share",
                    &percent_of_ratio,
                ),
            ),
        ],
    };
    let sentences = best_two_in_order(candidates);
    if sentences.is_empty() {
        "The output files do not hold the numbers needed to describe this chart.".to_owned()
    } else {
        sentences.join(" ")
    }
}

/// The two best-ranked (lowest rank) sentences that exist, in list order.
fn best_two_in_order(candidates: Vec<(u8, Option<String>)>) -> Vec<String> {
    let mut available: Vec<(usize, u8, String)> = candidates
        .into_iter()
        .enumerate()
        .filter_map(|(position, (rank, sentence))| Some((position, rank, sentence?)))
        .collect();
    available.sort_by_key(|&(_, rank, _)| rank);
    available.truncate(2);
    available.sort_by_key(|&(position, _, _)| position);
    available
        .into_iter()
        .map(|(_, _, sentence)| sentence)
        .collect()
}

/// How a difference from the baseline is put into words.
struct Quantity {
    /// Named in the first clause: "the hours a leader loses".
    noun: &'static str,
    /// Refers back to the noun in later clauses.
    pronoun: &'static str,
    decrease_verb: &'static str,
    increase_verb: &'static str,
    measure: Measure,
}

enum Measure {
    /// Per cent of the baseline mean (or, when that is not positive, plain
    /// differences in the given unit).
    PercentOfBaseline { fallback_unit: &'static str },
    /// Differences on the metric's own scale, multiplied by `scale`.
    Points {
        scale: f64,
        unit: &'static str,
        places: usize,
    },
}

const CONFLICT_HOURS: Quantity = Quantity {
    noun: "conflict hours per leader",
    pronoun: "them",
    decrease_verb: "cut",
    increase_verb: "raised",
    measure: Measure::PercentOfBaseline {
        fallback_unit: " h a week",
    },
};

const LEADER_LOST_HOURS: Quantity = Quantity {
    noun: "the hours a leader loses",
    pronoun: "them",
    decrease_verb: "cut",
    increase_verb: "raised",
    measure: Measure::PercentOfBaseline {
        fallback_unit: " h a year",
    },
};

const EMPLOYEE_LOST_HOURS: Quantity = Quantity {
    noun: "the hours each employee loses",
    pronoun: "them",
    decrease_verb: "cut",
    increase_verb: "raised",
    measure: Measure::PercentOfBaseline {
        fallback_unit: " h a year",
    },
};

const FINAL_TRUST: Quantity = Quantity {
    noun: "trust",
    pronoun: "it",
    decrease_verb: "lowered",
    increase_verb: "raised",
    measure: Measure::Points {
        scale: 1.0,
        unit: "",
        places: 2,
    },
};

const ON_TIME_DELIVERY: Quantity = Quantity {
    noun: "on-time delivery",
    pronoun: "it",
    decrease_verb: "lowered",
    increase_verb: "raised",
    measure: Measure::Points {
        scale: 100.0,
        unit: " percentage points",
        places: 1,
    },
};

/// A difference expressed in display units, with its interval.
struct Change {
    estimate: f64,
    interval: Option<(f64, f64)>,
    places: usize,
    unit: &'static str,
}

impl Change {
    fn new(quantity: &Quantity, baseline_mean: Option<f64>, arm_row: &SummaryRow) -> Option<Self> {
        // The engine's paired difference is preferred; the difference of
        // means stands in (without an interval) when it is missing.
        let difference = arm_row
            .diff_vs_baseline
            .or_else(|| Some(arm_row.mean? - baseline_mean?))?;
        let interval = arm_row
            .diff_interval
            .map(|interval| (interval.low, interval.high));
        let (scale, places, unit) = match quantity.measure {
            Measure::PercentOfBaseline { fallback_unit } => match baseline_mean {
                Some(mean) if mean > 0.0 => {
                    let percent = 100.0 * difference / mean;
                    (100.0 / mean, if percent.abs() < 10.0 { 1 } else { 0 }, "%")
                }
                _ => (1.0, 1, fallback_unit),
            },
            Measure::Points {
                scale,
                unit,
                places,
            } => (scale, places, unit),
        };
        Some(Self {
            estimate: difference * scale,
            interval: interval.map(|(low, high)| (low * scale, high * scale)),
            places,
            unit,
        })
    }

    /// "cut them by 71% (95% interval 64 to 77%)" and its variants.
    fn clause(&self, quantity: &Quantity, object: &str) -> String {
        let magnitude = |value: f64| decimal(value.abs(), self.places);
        let unit = self.unit;
        // "64 to 77%" reads well; "6.4 to 12.1 percentage points" after
        // "by 9.2 percentage points" only repeats itself.
        let interval_unit = if unit == "%" { "%" } else { "" };
        match self.interval {
            Some((low, high)) if high < 0.0 => format!(
                "{} {object} by {}{unit} (95% interval {} to {}{interval_unit})",
                quantity.decrease_verb,
                magnitude(self.estimate),
                magnitude(high),
                magnitude(low),
            ),
            Some((low, high)) if low > 0.0 => format!(
                "{} {object} by {}{unit} (95% interval {} to {}{interval_unit})",
                quantity.increase_verb,
                magnitude(self.estimate),
                magnitude(low),
                magnitude(high),
            ),
            Some((low, high)) => format!(
                "made no clear difference to {object} ({}{unit}, 95% interval {} to {}{interval_unit})",
                signed(self.estimate, self.places),
                signed(low, self.places),
                signed(high, self.places),
            ),
            None => format!(
                "changed {object} by {}{unit} (there is no 95% interval, so this may be chance)",
                signed(self.estimate, self.places),
            ),
        }
    }
}

/// The candidate sentences, sharing the run and its baseline.
struct Readings<'a> {
    run: &'a RunOutput,
    baseline: Option<&'a Arm>,
}

impl<'a> Readings<'a> {
    fn new(run: &'a RunOutput) -> Self {
        Self {
            run,
            baseline: run.baseline(),
        }
    }

    /// "Under power-through", naming the arm the levels describe.
    fn under_baseline(&self) -> Option<String> {
        self.baseline.map(|arm| format!("Under {}", arm.name))
    }

    fn baseline_series(&self, metric: &str) -> &'a [WeekPoint] {
        self.baseline
            .map_or(&[], |arm| self.run.weekly.series(metric, &arm.name))
    }

    /// The weeks a level sentence averages over: from the start week on
    /// when there is one, else all weeks.
    fn level_period(&self) -> (u32, String) {
        match self.run.manifest.intervention_start_week {
            Some(week) => (week, format!("from week {week} on")),
            None => (
                1,
                format!(
                    "on average over {}",
                    week_count(self.run.weekly.last_week())
                ),
            ),
        }
    }

    /// "{lead}, compared with power-through, a cut …; b raised …." for
    /// every alternative arm with a number.
    fn comparison(&self, lead: &str, metric: &str, quantity: &Quantity) -> Option<String> {
        let baseline = self.baseline?;
        let baseline_mean = self.run.summary.mean(&baseline.name, metric);
        let mut clauses = Vec::new();
        for arm in self.run.alternatives() {
            let Some(change) = self
                .run
                .summary
                .get(&arm.name, metric)
                .and_then(|row| Change::new(quantity, baseline_mean, row))
            else {
                continue;
            };
            let object = if clauses.is_empty() {
                quantity.noun
            } else {
                quantity.pronoun
            };
            clauses.push(format!("{} {}", arm.name, change.clause(quantity, object)));
        }
        if clauses.is_empty() {
            return None;
        }
        let opening = if lead.is_empty() {
            format!("Compared with {}", baseline.name)
        } else {
            format!("{lead}, compared with {}", baseline.name)
        };
        Some(format!("{opening}, {}.", join_clauses(&clauses)))
    }

    fn first_two_weeks_comparison(&self) -> Option<String> {
        let start = self.run.manifest.intervention_start_week?;
        self.comparison(
            &format!("In the two weeks from week {start}"),
            metrics::CONFLICT_FIRST_TWO_WEEKS,
            &CONFLICT_HOURS,
        )
    }

    fn conflict_level(&self) -> Option<String> {
        let baseline = self.baseline?;
        let row = self
            .run
            .summary
            .get(&baseline.name, metrics::CONFLICT_AFTER_START)?;
        let (_, period) = self.level_period();
        Some(format!(
            "{}, each leader spends {} hours a week on conflict {period}{}.",
            self.under_baseline()?,
            hours(row.mean?),
            interval_clause(row.interval, hours)
        ))
    }

    fn weekly_level_of_lost_hours(&self) -> Option<String> {
        let (from_week, period) = self.level_period();
        let level = mean_from_week(
            self.baseline_series(metrics::LOST_HOURS_PER_LEADER),
            from_week,
        )?;
        Some(format!(
            "{}, each leader loses {} hours a week to conflict, meetings and escalation {period}.",
            self.under_baseline()?,
            hours(level),
        ))
    }

    /// "The weekly figure goes from 5.1 h in weeks 1–4 to 6.3 h in weeks 23–26."
    fn baseline_trend(
        &self,
        metric: &str,
        subject: &str,
        format: &dyn Fn(f64) -> String,
    ) -> Option<String> {
        trend_sentence(subject, self.baseline_series(metric), format)
    }

    fn annual_level_against_us_average(&self) -> Option<String> {
        let baseline = self.baseline?;
        let row = self
            .run
            .summary
            .get(&baseline.name, metrics::ANNUAL_LOST_HOURS_PER_EMPLOYEE)?;
        let level = row.mean?;
        let interval = interval_clause(row.interval, whole_number);
        let average = format!(
            "the US average of {} hours",
            whole_number(US_AVERAGE_ANNUAL_HOURS)
        );
        let relative = 100.0 * (level - US_AVERAGE_ANNUAL_HOURS) / US_AVERAGE_ANNUAL_HOURS;
        let within_interval = row.interval.is_some_and(|interval| {
            (interval.low..=interval.high).contains(&US_AVERAGE_ANNUAL_HOURS)
        });
        let relation = if within_interval || relative.abs() < 0.5 {
            format!("in line with {average}")
        } else if relative > 0.0 {
            format!("{}% more than {average}", whole_number(relative))
        } else {
            format!("{}% less than {average}", whole_number(relative.abs()))
        };
        Some(format!(
            "{}, each employee loses {} hours a year{interval}, {relation}.",
            self.under_baseline()?,
            whole_number(level),
        ))
    }

    fn annual_composition(&self) -> Option<String> {
        let baseline = self.baseline?;
        let mut parts: Vec<(f64, &str)> = metrics::ANNUAL_COMPONENTS
            .iter()
            .filter_map(|(metric, label)| {
                Some((self.run.summary.mean(&baseline.name, metric)?, *label))
            })
            .collect();
        parts.sort_by(|a, b| b.0.total_cmp(&a.0));
        let ((largest, largest_label), rest) = parts.split_first()?;
        let rest: Vec<String> = rest
            .iter()
            .map(|(value, label)| format!("{} ({} h)", label.to_lowercase(), whole_number(*value)))
            .collect();
        let then = if rest.is_empty() {
            String::new()
        } else {
            format!(", then {}", join_with_and(&rest))
        };
        Some(format!(
            "{largest_label} takes the largest share ({} h){then}.",
            whole_number(*largest)
        ))
    }

    /// Mean believed and actual peer load of `arm` over the level period.
    fn peer_load(&self, arm: &Arm) -> Option<(f64, f64)> {
        let (from_week, _) = self.level_period();
        let weekly = &self.run.weekly;
        let actual = mean_from_week(
            weekly.series(metrics::ACTUAL_PEER_LOAD_HOURS, &arm.name),
            from_week,
        )?;
        // The engine's own gap metric is preferred; actual minus believed
        // stands in for older outputs.
        let gap = mean_from_week(
            weekly.series(metrics::EMPATHY_GAP_HOURS, &arm.name),
            from_week,
        )
        .or_else(|| {
            let believed = mean_from_week(
                weekly.series(metrics::BELIEVED_PEER_LOAD_HOURS, &arm.name),
                from_week,
            )?;
            Some(actual - believed)
        })?;
        (actual > 0.0).then_some((actual, gap))
    }

    fn invisible_work_level(&self) -> Option<String> {
        let baseline = self.baseline?;
        let (actual, gap) = self.peer_load(baseline)?;
        let (_, period) = self.level_period();
        Some(format!(
            "{}, a leader can see about {} h of a peer's open work while the peer is really juggling {} h, \
             so {} of it is invisible ({period}).",
            self.under_baseline()?,
            hours(actual - gap),
            hours(actual),
            percent_of_ratio(gap / actual),
        ))
    }

    fn invisible_share_by_arm(&self) -> Option<String> {
        let shares: Vec<String> = self
            .run
            .alternatives()
            .filter_map(|arm| {
                let (actual, gap) = self.peer_load(arm)?;
                Some(format!(
                    "{} with {}",
                    percent_of_ratio(gap / actual),
                    arm.name
                ))
            })
            .collect();
        if shares.is_empty() {
            return None;
        }
        let (_, period) = self.level_period();
        let mut period = period;
        if let Some(first) = period.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        Some(format!(
            "{period}, the invisible share is {} (means of the simulated weeks).",
            join_with_and(&shares)
        ))
    }

    fn invisible_share_trend(&self) -> Option<String> {
        let baseline = self.baseline?;
        let weekly = &self.run.weekly;
        let gaps = weekly.series(metrics::EMPATHY_GAP_HOURS, &baseline.name);
        let shares: Vec<WeekPoint> = weekly
            .series(metrics::ACTUAL_PEER_LOAD_HOURS, &baseline.name)
            .iter()
            .map(|actual| WeekPoint {
                week: actual.week,
                mean: actual
                    .mean
                    .filter(|actual| *actual > 0.0)
                    .zip(point_in_week(gaps, actual.week).and_then(|gap| gap.mean))
                    .map(|(actual, gap)| gap / actual),
                interval: None,
            })
            .collect();
        trend_sentence("The invisible share", &shares, &percent_of_ratio)
    }

    fn trust_level(&self) -> Option<String> {
        let points = self.baseline_series(metrics::TRUST_MEAN);
        let (first_week, first) = first_value(points.iter())?;
        let (last_week, last) = first_value(points.iter().rev())?;
        if first_week == last_week {
            return Some(format!(
                "{}, trust between the leaders is {} in week {first_week}, on a scale from 0 (none) to 1 (full).",
                self.under_baseline()?,
                decimal(first, 2),
            ));
        }
        Some(format!(
            "{}, trust between the leaders goes from {} in week {first_week} to {} in week {last_week}, \
             on a scale from 0 (none) to 1 (full).",
            self.under_baseline()?,
            decimal(first, 2),
            decimal(last, 2),
        ))
    }

    /// Where trust bottoms out, which the level sentence's two end points
    /// do not show.
    fn trust_low_point(&self) -> Option<String> {
        let points = self.baseline_series(metrics::TRUST_MEAN);
        let (first_week, _) = first_value(points.iter())?;
        let (last_week, _) = first_value(points.iter().rev())?;
        let (week, lowest) = points
            .iter()
            .filter_map(|point| Some((point.week, point.mean?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(if week == last_week {
            "It ends at its lowest point of the run.".to_owned()
        } else if week == first_week {
            "It never falls below where it started.".to_owned()
        } else {
            format!("It is lowest in week {week}, at {}.", decimal(lowest, 2))
        })
    }

    /// What the chart shows (the share of each week's commitment delivered
    /// on time, over the run), and beside it the plan delivered by the last
    /// week counting late work, which ends near the whole plan in every arm.
    fn delivery_level(&self) -> Option<String> {
        let baseline = self.baseline?;
        let on_time = self
            .run
            .summary
            .mean(&baseline.name, metrics::DELIVERY_RATIO)?;
        let late = first_value(
            self.baseline_series(metrics::CUMULATIVE_DELIVERY_RATIO)
                .iter()
                .rev(),
        )
        .map(|(week, ratio)| {
            format!(
                "; counting late work, it has delivered {} of the plan by week {week}",
                percent_of_ratio(ratio)
            )
        })
        .unwrap_or_default();
        Some(format!(
            "{}, {} of each week's shared commitment is delivered by its due date over the run (the table's \"On time\"){late}.",
            self.under_baseline()?,
            percent_of_ratio(on_time),
        ))
    }
}

/// "{subject} goes from 5.1 h in weeks 1–4 to 6.3 h in weeks 23–26", or
/// "stays at about …" when both ends read the same.
fn trend_sentence(
    subject: &str,
    points: &[WeekPoint],
    format: &dyn Fn(f64) -> String,
) -> Option<String> {
    let (early, late) = early_and_late(points)?;
    let (from, to) = (format(early.value), format(late.value));
    let early_weeks = week_span(early.first_week, early.last_week);
    let late_weeks = week_span(late.first_week, late.last_week);
    Some(if from == to {
        format!("{subject} stays at about {from} from {early_weeks} to {late_weeks}.")
    } else {
        format!("{subject} goes from {from} in {early_weeks} to {to} in {late_weeks}.")
    })
}

/// Clauses that contain commas of their own are separated by semicolons.
fn join_clauses(clauses: &[String]) -> String {
    match clauses {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{}; and {last}", init.join("; ")),
    }
}

fn week_count(weeks: u32) -> String {
    if weeks == 1 {
        "1 week".to_owned()
    } else {
        format!("{weeks} weeks")
    }
}

/// Mean of the finite weekly means from `from_week` on.
fn mean_from_week(points: &[WeekPoint], from_week: u32) -> Option<f64> {
    let values: Vec<f64> = points
        .iter()
        .filter(|point| point.week >= from_week)
        .filter_map(|point| point.mean)
        .collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn first_value<'a>(mut points: impl Iterator<Item = &'a WeekPoint>) -> Option<(u32, f64)> {
    points.find_map(|point| Some((point.week, point.mean?)))
}

/// The mean of a few weeks at one end of a series.
struct Window {
    first_week: u32,
    last_week: u32,
    value: f64,
}

/// Averages of the first and last quarter of the weeks (one to four weeks
/// each), so a trend sentence is not at the mercy of one noisy week.
fn early_and_late(points: &[WeekPoint]) -> Option<(Window, Window)> {
    let finite: Vec<(u32, f64)> = points
        .iter()
        .filter_map(|point| Some((point.week, point.mean?)))
        .collect();
    if finite.len() < 2 {
        return None;
    }
    let width = (finite.len() / 4).clamp(1, 4);
    let window = |slice: &[(u32, f64)]| {
        let (first_week, _) = *slice.first()?;
        let (last_week, _) = *slice.last()?;
        let value = slice.iter().map(|(_, value)| value).sum::<f64>() / slice.len() as f64;
        Some(Window {
            first_week,
            last_week,
            value,
        })
    };
    Some((
        window(&finite[..width])?,
        window(&finite[finite.len() - width..])?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::data::Interval;

    fn row(diff: f64, low: f64, high: f64) -> SummaryRow {
        SummaryRow {
            mean: None,
            interval: None,
            diff_vs_baseline: Some(diff),
            diff_interval: Some(Interval { low, high }),
        }
    }

    #[test]
    fn numbers_are_formatted_for_reading() {
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(decimal(-1234.56, 1), "\u{2212}1,234.6");
        assert_eq!(decimal(-0.04, 1), "0.0");
        assert_eq!(signed(2.5, 1), "+2.5");
        assert_eq!(signed(0.01, 1), "0.0");
        assert_eq!(hours(3.64), "3.6");
        assert_eq!(hours(296.5), "297");
        assert_eq!(percent_of_ratio(0.7849), "78%");
    }

    #[test]
    fn a_clear_cut_is_reported_as_a_cut_with_magnitudes() {
        let change = Change::new(&CONFLICT_HOURS, Some(4.0), &row(-2.84, -3.08, -2.56)).unwrap();
        assert_eq!(
            change.clause(&CONFLICT_HOURS, "them"),
            "cut them by 71% (95% interval 64 to 77%)"
        );
    }

    #[test]
    fn an_increase_is_reported_as_an_increase() {
        let change = Change::new(&CONFLICT_HOURS, Some(4.0), &row(0.4, 0.2, 0.6)).unwrap();
        assert_eq!(
            change.clause(&CONFLICT_HOURS, "them"),
            "raised them by 10% (95% interval 5 to 15%)"
        );
    }

    #[test]
    fn an_interval_across_zero_is_no_clear_difference() {
        let change = Change::new(&CONFLICT_HOURS, Some(4.0), &row(-0.2, -0.5, 0.1)).unwrap();
        assert_eq!(
            change.clause(&CONFLICT_HOURS, "them"),
            "made no clear difference to them (\u{2212}5.0%, 95% interval \u{2212}12.5 to +2.5%)"
        );
    }

    #[test]
    fn a_missing_interval_is_flagged_as_possibly_chance() {
        let arm_row = SummaryRow {
            diff_interval: None,
            ..row(0.1, 0.0, 0.0)
        };
        let change = Change::new(&FINAL_TRUST, Some(0.4), &arm_row).unwrap();
        assert_eq!(
            change.clause(&FINAL_TRUST, "it"),
            "changed it by +0.10 (there is no 95% interval, so this may be chance)"
        );
    }

    #[test]
    fn a_zero_baseline_falls_back_to_hours() {
        let change = Change::new(&LEADER_LOST_HOURS, Some(0.0), &row(-2.0, -3.0, -1.0)).unwrap();
        assert_eq!(
            change.clause(&LEADER_LOST_HOURS, "them"),
            "cut them by 2.0 h a year (95% interval 1.0 to 3.0)"
        );
    }

    #[test]
    fn the_best_ranked_sentences_keep_their_reading_order() {
        let candidates = vec![
            (3, Some("level".to_owned())),
            (1, None),
            (2, Some("comparison".to_owned())),
            (4, Some("trend".to_owned())),
        ];
        assert_eq!(best_two_in_order(candidates), ["level", "comparison"]);
    }

    #[test]
    fn trends_average_a_quarter_of_the_weeks_at_each_end() {
        let points: Vec<WeekPoint> = (1..=8)
            .map(|week| WeekPoint {
                week,
                mean: Some(f64::from(week)),
                interval: None,
            })
            .collect();
        let (early, late) = early_and_late(&points).unwrap();
        assert_eq!(
            (early.first_week, early.last_week, early.value),
            (1, 2, 1.5)
        );
        assert_eq!((late.first_week, late.last_week, late.value), (7, 8, 7.5));
        assert!(early_and_late(&points[..1]).is_none());
    }
}
