//! The sweep's numbers in words: what the compared arm does across the
//! grid, where it stops paying off, how large its effect is, which arm has
//! the least conflict, and how each chart reads.
//!
//! As in the run report, every sentence is built from the numbers and is
//! left out when they are missing; a point counts as a cut or a rise only
//! when the 95% interval of the paired difference excludes zero, and as
//! "no clear difference" otherwise. "Stops paying off" means exactly that:
//! the points where the interval includes zero or lies above it.

use super::super::metrics;
use super::super::text::{decimal, join_with_and, signed, thousands};
use super::across::{Cut, EndMeans, StaircaseRuns, value_order};
use super::charts::{Layout, SweepChartId, conflict_period, layout, value_text};
use super::data::{Compared, SweepOutput, Verdict, value_range};

const CONFLICT: &str = metrics::CONFLICT_AFTER_START;

/// Steps of a staircase described in words, at most.
const MAX_STAIRCASE_STEPS: usize = 8;

/// "1 point", "81 points".
fn points(count: usize) -> String {
    if count == 1 {
        "1 point".to_owned()
    } else {
        format!("{} points", thousands(count as u64))
    }
}

/// The swept parameter's value in words, with the ratio that gives
/// `attribution.lambda_loss` its meaning when the gain is known.
pub(crate) fn param_value(sweep: &SweepOutput, param: usize, value: f64) -> String {
    let written = value_text(sweep, param, value);
    match sweep.loss_gain(param) {
        Some(gain) => format!(
            "{written} ({} \u{00d7} lambda_gain)",
            ratio_text(value / gain)
        ),
        None => written,
    }
}

/// A ratio with at most two decimals and no trailing zeros: "3", "1.5".
pub(crate) fn ratio_text(ratio: f64) -> String {
    let written = decimal(ratio, 2);
    if written.contains('.') {
        written
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        written
    }
}

/// "trust.initial = 0.9 and defaults.disclosure = 0.1": the varying
/// parameters at `point`.
fn point_text(sweep: &SweepOutput, point: usize) -> String {
    let parts: Vec<String> = sweep
        .grid
        .varying()
        .into_iter()
        .map(|param| param_at(sweep, param, point))
        .collect();
    join_with_and(&parts)
}

/// "trust.initial = 0.9": one parameter's value at `point`.
pub(crate) fn param_at(sweep: &SweepOutput, param: usize, point: usize) -> String {
    format!(
        "{} = {}",
        sweep.grid.params[param].path,
        param_value(sweep, param, sweep.grid.value(point, param))
    )
}

fn hours(value: f64) -> String {
    format!("{} h", decimal(value, 2))
}

/// "−16%" of the baseline's mean at the same point, when it is positive.
fn relative(baseline_mean: Option<f64>, difference: f64) -> Option<String> {
    let mean = baseline_mean.filter(|mean| *mean > 0.0)?;
    let percent = 100.0 * difference / mean;
    let places = if percent.abs() < 10.0 { 1 } else { 0 };
    Some(format!("{}%", signed(percent, places)))
}

/// The sentences of the report's "What the sweep shows" list.
pub(crate) fn key_findings(sweep: &SweepOutput) -> Vec<String> {
    let mut findings = Vec::new();
    if let Some(compared) = sweep.compared() {
        findings.extend(compared_arm_counts(sweep, compared));
        findings.extend(where_it_stops_paying_off(sweep, compared));
        findings.extend(size_of_the_cut(sweep, compared));
    }
    findings.extend(lowest_conflict(sweep));
    findings
}

/// "Compared with power-through, connection-first lowers conflict hours per
/// leader at 73 of the 81 points …".
fn compared_arm_counts(sweep: &SweepOutput, compared: Compared) -> Option<String> {
    let arm = compared.arm();
    let tally = sweep.tally(CONFLICT, arm);
    let total = sweep.grid.points;
    if tally.missing == total {
        return None;
    }
    let name = sweep.arm_name(arm);
    let baseline = baseline_name(sweep);
    let mut sentence = if total == 1 {
        let period = conflict_period(sweep);
        let effect = match Verdict::of(sweep.conflict(arm, 0)) {
            Verdict::Lower => format!(
                "lowers conflict hours per leader ({period}): the 95% interval of the paired difference is below zero"
            ),
            Verdict::Higher => format!(
                "raises conflict hours per leader ({period}): the 95% interval of the paired difference is above zero"
            ),
            Verdict::Unclear => format!(
                "makes no clear difference to conflict hours per leader ({period}): the 95% interval of the paired difference includes zero"
            ),
            Verdict::NoInterval => format!(
                "changes conflict hours per leader ({period}) without an interval (one run, so possibly chance)"
            ),
            Verdict::Missing => return None,
        };
        format!("Compared with {baseline}, at the one point swept {name} {effect}.")
    } else if tally.lower == total {
        format!(
            "Compared with {baseline}, {name} lowers conflict hours per leader ({}) at all {}: the 95% interval of the paired difference is below zero everywhere, so it does not stop paying off anywhere in this grid.",
            conflict_period(sweep),
            points(total)
        )
    } else {
        let mut others = Vec::new();
        if tally.unclear > 0 {
            others.push(format!("makes no clear difference at {}", tally.unclear));
        }
        if tally.higher > 0 {
            others.push(format!("raises them at {}", tally.higher));
        }
        if tally.no_interval > 0 {
            others.push(format!(
                "changes them at {} without an interval (one run per point, so possibly chance)",
                tally.no_interval
            ));
        }
        if tally.missing > 0 {
            others.push(format!("has no value at {}", tally.missing));
        }
        let lower = if tally.lower == 0 {
            format!("none of the {}", points(total))
        } else {
            format!(
                "{} of the {} (95% interval below zero)",
                thousands(tally.lower as u64),
                points(total)
            )
        };
        format!(
            "Compared with {baseline}, {name} lowers conflict hours per leader ({}) at {lower}; it {}.",
            conflict_period(sweep),
            join_with_and(&others)
        )
    };
    if let Compared::FirstAlternative(_) = compared {
        sentence.push_str(
            " (No arm uses connection-first, so this compares the first arm after the baseline.)",
        );
    }
    Some(sentence)
}

fn baseline_name(sweep: &SweepOutput) -> &str {
    sweep
        .baseline()
        .map_or("the baseline", |baseline| sweep.arm_name(baseline))
}

/// Where the compared arm's interval includes zero or lies above it,
/// described as the range of each parameter those points span and, on a
/// two-parameter grid where they form a staircase, the threshold along one
/// parameter at each value of the other.
fn where_it_stops_paying_off(sweep: &SweepOutput, compared: Compared) -> Option<String> {
    let stopped = &sweep.across.stopped;
    if stopped.count == 0 {
        return None;
    }
    if let Layout::Lines { param } = layout(&sweep.grid) {
        let arm = compared.arm();
        return Some(format!(
            "Along {}, conflict with {} is {}.",
            sweep.grid.params[param].path,
            sweep.arm_name(arm),
            verdict_runs(sweep, arm, param, &|value| param_value(sweep, param, value))
        ));
    }
    let mut conditions = Vec::new();
    let mut box_points = 1_usize;
    for param in sweep.grid.varying() {
        let (first, last) = stopped.spans[param].unwrap_or((0, 0));
        box_points *= last - first + 1;
        if let Some(condition) = range_condition(sweep, param, first, last) {
            conditions.push(condition);
        }
    }
    let count = stopped.count;
    let them = if count == 1 {
        "The point where it stops paying off (95% interval including zero or above it) is"
            .to_owned()
    } else {
        format!(
            "The {} where it stops paying off (95% interval including zero or above it) are",
            points(count)
        )
    };
    let mut sentence = if conditions.is_empty() {
        format!("{them} spread over the whole grid.")
    } else if box_points == count {
        format!("{them} exactly those where {}.", join_with_and(&conditions))
    } else {
        format!(
            "{them} all where {} ({} of the {} there).",
            join_with_and(&conditions),
            thousands(count as u64),
            points(box_points)
        )
    };
    if box_points != count
        && let Some(staircase) = staircase(sweep)
    {
        sentence.push(' ');
        sentence.push_str(&staircase);
    }
    Some(sentence)
}

/// On a grid of exactly two varying parameters: "In detail, it stops
/// paying off at trust.initial ≥ 0.9 where defaults.disclosure = 0.5, at
/// trust.initial ≥ 0.8 where defaults.disclosure is from 0.6 to 0.8, …",
/// when at every value of one parameter the points form one run reaching
/// an end of the other's range. `None` when they do not.
fn staircase(sweep: &SweepOutput) -> Option<String> {
    // Along the first parameter at each value of the second, then the
    // other way round (empty unless exactly two parameters vary).
    sweep
        .across
        .stopped
        .staircases
        .iter()
        .find_map(|runs| staircase_along(sweep, runs))
}

fn staircase_along(sweep: &SweepOutput, runs: &StaircaseRuns) -> Option<String> {
    let grid = &sweep.grid;
    let (along, across) = (runs.along, runs.across);
    let along_values = &grid.params[along].values;
    // Value indexes of `along` in increasing order of value.
    let order = &runs.order;
    let across_order = value_order(&grid.params[across].values);
    // For each value of `across`, the run of `along` values that stopped:
    // `Some(rank)` from that rank up (or down) to the end, `None` if none.
    let mut upward = true;
    let mut downward = true;
    let mut rows: Vec<(usize, Option<(usize, usize)>)> = Vec::new();
    for &row in &across_order {
        let run = match runs.runs[row] {
            Some(run) if run.high - run.low + 1 == run.count => Some((run.low, run.high)),
            Some(_) => return None,
            None => None,
        };
        if let Some((low, high)) = run {
            upward &= high == order.len() - 1;
            downward &= low == 0;
        }
        rows.push((row, run));
    }
    if !upward && !downward {
        return None;
    }
    // Consecutive values of `across` with the same threshold.
    let threshold =
        |run: Option<(usize, usize)>| run.map(|(low, high)| if upward { low } else { high });
    let mut groups: Vec<(Option<usize>, usize, usize)> = Vec::new();
    for (position, &(_, run)) in rows.iter().enumerate() {
        match groups.last_mut() {
            Some((last, _, end)) if *last == threshold(run) => *end = position,
            _ => groups.push((threshold(run), position, position)),
        }
    }
    // Beyond a handful of steps the sentence is harder to read than the
    // heatmap it describes.
    if groups.len() < 2 || groups.len() > MAX_STAIRCASE_STEPS {
        return None;
    }
    let along_path = &grid.params[along].path;
    let sign = if upward { "\u{2265}" } else { "\u{2264}" };
    // The thresholds first, in order of `across`; then where it never stops.
    let mut parts: Vec<String> = Vec::new();
    let mut nowhere: Vec<String> = Vec::new();
    for &(threshold, start, end) in &groups {
        let (first_row, last_row) = (across_order[start], across_order[end]);
        let (low, high) = (first_row.min(last_row), first_row.max(last_row));
        let where_ = range_condition(sweep, across, low, high)
            .unwrap_or_else(|| format!("at every {}", grid.params[across].path));
        let whole_range = if upward { 0 } else { order.len() - 1 };
        match threshold {
            Some(rank) if rank == whole_range => {
                parts.push(format!("at every {along_path} where {where_}"));
            }
            Some(rank) => parts.push(format!(
                "at {along_path} {sign} {} where {where_}",
                param_value(sweep, along, along_values[order[rank]])
            )),
            None => nowhere.push(format!("nowhere where {where_}")),
        }
    }
    parts.extend(nowhere);
    Some(format!(
        "In detail, it stops paying off {}.",
        join_with_and(&parts)
    ))
}

/// "trust.initial ≥ 0.8", "defaults.disclosure = 0.3" or "demand from 0.9
/// to 1" for value indexes `first..=last`; `None` when that is every value.
fn range_condition(sweep: &SweepOutput, param: usize, first: usize, last: usize) -> Option<String> {
    let values = &sweep.grid.params[param].values;
    let path = &sweep.grid.params[param].path;
    let end = values.len() - 1;
    if first == 0 && last == end {
        return None;
    }
    let (low, high) = value_range(&values[first..=last]);
    let (grid_low, grid_high) = sweep.grid.params[param].range();
    let value = |value: f64| param_value(sweep, param, value);
    Some(if first == last {
        format!("{path} = {}", value(low))
    } else if high >= grid_high {
        format!("{path} \u{2265} {}", value(low))
    } else if low <= grid_low {
        format!("{path} \u{2264} {}", value(high))
    } else {
        format!("{path} is from {} to {}", value(low), value(high))
    })
}

/// "lower from 0.15 to 0.35 and not clearly different from 0.4 to 0.5": how
/// conflict with `arm` compares with the baseline along the one varying
/// parameter, in increasing order, with values written by `format`.
fn verdict_runs(
    sweep: &SweepOutput,
    arm: usize,
    param: usize,
    format: &dyn Fn(f64) -> String,
) -> String {
    let mut along: Vec<(f64, Verdict)> = (0..sweep.grid.points)
        .map(|point| {
            (
                sweep.grid.value(point, param),
                Verdict::of(sweep.conflict(arm, point)),
            )
        })
        .collect();
    along.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut runs: Vec<(Verdict, f64, f64)> = Vec::new();
    for (value, verdict) in along {
        match runs.last_mut() {
            Some((last, _, end)) if *last == verdict => *end = value,
            _ => runs.push((verdict, value, value)),
        }
    }
    if let [(verdict, ..)] = runs[..] {
        return format!("{} at every value", verdict_phrase(verdict));
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|&(verdict, start, end)| {
            let span = if start == end {
                format!("at {}", format(start))
            } else {
                format!("from {} to {}", format(start), format(end))
            };
            format!("{} {span}", verdict_phrase(verdict))
        })
        .collect();
    join_with_and(&parts)
}

/// How conflict with an arm compares with the baseline's, after "is".
fn verdict_phrase(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Lower => "lower",
        Verdict::Higher => "higher",
        Verdict::Unclear => "not clearly different",
        Verdict::NoInterval => "different without an interval",
        Verdict::Missing => "missing",
    }
}

/// "Where it lowers conflict, the cut ranges from 0.53 h a week (−16%) at
/// … to 1.16 h (−40%) at …."
fn size_of_the_cut(sweep: &SweepOutput, compared: Compared) -> Option<String> {
    let arm = compared.arm();
    let (smallest, largest) = (sweep.across.smallest_cut?, sweep.across.largest_cut?);
    let cuts = sweep.tally(CONFLICT, arm).lower;
    let share = |cut: &Cut| {
        relative(cut.baseline_mean, cut.difference)
            .map(|share| format!(" ({share})"))
            .unwrap_or_default()
    };
    let describe = |cut: &Cut| {
        format!(
            "{}{} at {}",
            hours(cut.difference.abs()),
            share(cut),
            point_text(sweep, cut.point)
        )
    };
    // Along one parameter, how the cut moves from end to end says how the
    // conclusion depends on it.
    if let (Layout::Lines { param }, true) = (layout(&sweep.grid), cuts == sweep.grid.points) {
        // Every point is a cut, and along one parameter every point is drawn.
        let by_value = |point: usize| sweep.grid.value(point, param);
        let first = (0..sweep.grid.points).min_by(|&a, &b| by_value(a).total_cmp(&by_value(b)))?;
        let last = (0..sweep.grid.points).max_by(|&a, &b| by_value(a).total_cmp(&by_value(b)))?;
        if first != last {
            let (first, last) = (drawn_cut(sweep, arm, first)?, drawn_cut(sweep, arm, last)?);
            let verb = if last.difference.abs() < first.difference.abs() {
                "shrinks"
            } else {
                "grows"
            };
            return Some(format!(
                "From {} = {} to {}, the cut per leader and week {verb} from {}{} to {}{}.",
                sweep.grid.params[param].path,
                param_value(sweep, param, by_value(first.point)),
                param_value(sweep, param, by_value(last.point)),
                hours(first.difference.abs()),
                share(&first),
                hours(last.difference.abs()),
                share(&last),
            ));
        }
    }
    Some(if cuts == 1 && sweep.grid.varying().is_empty() {
        format!(
            "It cuts them by {}{}.",
            hours(smallest.difference.abs()),
            share(&smallest)
        )
    } else if cuts == 1 {
        format!("Where it lowers conflict, it cuts {}.", describe(&smallest))
    } else {
        format!(
            "Where it lowers conflict, the cut per leader and week ranges from {} to {}.",
            describe(&smallest),
            describe(&largest)
        )
    })
}

/// `arm`'s difference from the baseline at `point`, one the charts draw.
fn drawn_cut(sweep: &SweepOutput, arm: usize, point: usize) -> Option<Cut> {
    Some(Cut {
        point,
        difference: sweep.conflict(arm, point)?.diff_vs_baseline?,
        baseline_mean: drawn_baseline_mean(sweep, point),
    })
}

/// The baseline's mean conflict at `point`, one the charts draw.
fn drawn_baseline_mean(sweep: &SweepOutput, point: usize) -> Option<f64> {
    sweep.conflict(sweep.baseline()?, point)?.mean
}

/// Which arm has the lowest mean conflict, counted over the points (or,
/// for one parameter, along it).
fn lowest_conflict(sweep: &SweepOutput) -> Option<String> {
    if sweep.arms.len() < 2 {
        return None;
    }
    if let Layout::Lines { param } = layout(&sweep.grid) {
        // Along one parameter every point is drawn.
        let best_at = |point: usize| {
            (0..sweep.arms.len())
                .filter_map(|arm| Some((arm, sweep.conflict(arm, point)?.mean?)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(arm, _)| arm)
        };
        let mut along: Vec<(f64, usize)> = (0..sweep.grid.points)
            .filter_map(|point| Some((sweep.grid.value(point, param), best_at(point)?)))
            .collect();
        along.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut runs: Vec<(usize, f64, f64)> = Vec::new();
        for (value, arm) in along {
            match runs.last_mut() {
                Some((last, _, end)) if *last == arm => *end = value,
                _ => runs.push((arm, value, value)),
            }
        }
        return Some(match runs[..] {
            [] => return None,
            [(arm, ..)] => format!(
                "Of all arms, {} has the lowest mean conflict at every value of {}.",
                sweep.arm_name(arm),
                sweep.grid.params[param].path
            ),
            _ => {
                let parts: Vec<String> = runs
                    .iter()
                    .map(|&(arm, start, end)| {
                        let span = if start == end {
                            format!("at {}", param_value(sweep, param, start))
                        } else {
                            format!(
                                "from {} to {}",
                                param_value(sweep, param, start),
                                param_value(sweep, param, end)
                            )
                        };
                        format!("{} {span}", sweep.arm_name(arm))
                    })
                    .collect();
                format!(
                    "The arm with the lowest mean conflict changes along {}: {}.",
                    sweep.grid.params[param].path,
                    join_with_and(&parts)
                )
            }
        });
    }
    let wins = &sweep.across.wins;
    let counted: usize = wins.iter().sum();
    let mut ranked: Vec<(usize, usize)> = wins
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, count)| count > 0)
        .collect();
    ranked.sort_by_key(|&(_, count)| std::cmp::Reverse(count));
    Some(match ranked[..] {
        [] => return None,
        [(arm, count)] => format!(
            "Of all arms, {} has the lowest mean conflict at {}.",
            sweep.arm_name(arm),
            if count == 1 && sweep.grid.points == 1 {
                "the point swept".to_owned()
            } else if count == sweep.grid.points {
                format!("every one of the {}", points(count))
            } else {
                format!("all {} with values", points(count))
            }
        ),
        _ => {
            let parts: Vec<String> = ranked
                .iter()
                .map(|&(arm, count)| {
                    format!("{} at {}", sweep.arm_name(arm), thousands(count as u64))
                })
                .collect();
            format!(
                "The arm with the lowest mean conflict differs across the grid: {} of the {}.",
                join_with_and(&parts),
                points(counted)
            )
        }
    })
}

/// The reading under chart `id`.
pub(crate) fn chart_reading(id: SweepChartId, sweep: &SweepOutput) -> String {
    let sentences: Vec<String> = match (id, layout(&sweep.grid)) {
        (SweepChartId::Conflict, Layout::Lines { param }) => {
            [baseline_along(sweep, param), lowest_conflict(sweep)]
                .into_iter()
                .flatten()
                .collect()
        }
        (SweepChartId::Difference, Layout::Lines { param }) => {
            differences_along(sweep, param).into_iter().collect()
        }
        (SweepChartId::Conflict, _) => [
            baseline_range(sweep),
            marginal_trends(sweep, Trend::Conflict),
        ]
        .into_iter()
        .flatten()
        .collect(),
        (SweepChartId::Difference, _) => {
            let arm = sweep.compared().map(Compared::arm);
            [
                arm.and_then(|arm| colour_key(sweep, arm)),
                arm.and_then(|_| marginal_trends(sweep, Trend::Difference)),
            ]
            .into_iter()
            .flatten()
            .collect()
        }
    };
    if sentences.is_empty() {
        "The sweep's files do not hold the numbers needed to describe this chart.".to_owned()
    } else {
        sentences.join(" ")
    }
}

/// "Under power-through, conflict ranges from 1.70 h … to 3.53 h …."
fn baseline_range(sweep: &SweepOutput) -> Option<String> {
    let baseline = sweep.baseline()?;
    let lowest = sweep.across.baseline_lowest?;
    let highest = sweep.across.baseline_highest?;
    Some(format!(
        "Under {}, conflict per leader {} ranges from {} a week at {} to {} at {}.",
        sweep.arm_name(baseline),
        conflict_period(sweep),
        hours(lowest.value),
        point_text(sweep, lowest.point),
        hours(highest.value),
        point_text(sweep, highest.point),
    ))
}

/// What a marginal trend follows.
#[derive(Clone, Copy)]
enum Trend {
    /// The baseline's conflict.
    Conflict,
    /// The compared arm's difference from the baseline.
    Difference,
}

/// "Averaged over the other parameter, it goes from … at p = a to … at b,
/// and from …": the baseline's conflict or the compared arm's difference,
/// at the first and last value of each varying parameter.
fn marginal_trends(sweep: &SweepOutput, trend: Trend) -> Option<String> {
    sweep.baseline()?;
    let ends: &[EndMeans] = match trend {
        Trend::Conflict => &sweep.across.baseline_ends,
        Trend::Difference => &sweep.across.compared_ends,
    };
    let format = |value: f64| match trend {
        Trend::Difference => format!("{} h", signed(value, 2)),
        Trend::Conflict => hours(value),
    };
    let varying = sweep.grid.varying();
    let mut parts = Vec::new();
    for &param in &varying {
        let last = sweep.grid.params[param].values.len() - 1;
        let (Some(first_mean), Some(last_mean)) =
            (ends[param].first.mean(), ends[param].last.mean())
        else {
            continue;
        };
        let values = &sweep.grid.params[param].values;
        parts.push(format!(
            "from {} at {} = {} to {} at {}",
            format(first_mean),
            sweep.grid.params[param].path,
            param_value(sweep, param, values[0]),
            format(last_mean),
            param_value(sweep, param, values[last]),
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let others = if varying.len() == 2 {
        "the other parameter"
    } else {
        "the other parameters"
    };
    let subject = match trend {
        Trend::Difference => "the difference",
        Trend::Conflict => "conflict",
    };
    Some(format!(
        "Averaged over {others}, {subject} goes {}.",
        join_with_and(&parts)
    ))
}

/// What the colours and hatching of the difference heatmap mean, with counts.
fn colour_key(sweep: &SweepOutput, arm: usize) -> Option<String> {
    let tally = sweep.tally(CONFLICT, arm);
    if tally.missing == sweep.grid.points {
        return None;
    }
    let name = sweep.arm_name(arm);
    let mut sentence = format!(
        "Blue cells are points where {name} has less conflict than {}, red cells more",
        sweep
            .baseline()
            .map_or("the baseline", |baseline| sweep.arm_name(baseline))
    );
    if tally.unclear > 0 {
        sentence.push_str(&format!(
            "; the {} hatched are where the 95% interval of the difference includes zero",
            points(tally.unclear)
        ));
    } else if tally.no_interval == 0 {
        sentence.push_str("; no cell is hatched, because no 95% interval includes zero");
    }
    sentence.push('.');
    Some(sentence)
}

/// Under power-through, conflict along the one parameter.
fn baseline_along(sweep: &SweepOutput, param: usize) -> Option<String> {
    let baseline = sweep.baseline()?;
    let mut along: Vec<(f64, f64)> = (0..sweep.grid.points)
        .filter_map(|point| {
            Some((
                sweep.grid.value(point, param),
                sweep.conflict(baseline, point)?.mean?,
            ))
        })
        .collect();
    along.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (first, last) = (along.first()?, along.last()?);
    let path = &sweep.grid.params[param].path;
    Some(if along.len() == 1 {
        format!(
            "Under {}, conflict per leader {} is {} a week at {path} = {}.",
            sweep.arm_name(baseline),
            conflict_period(sweep),
            hours(first.1),
            param_value(sweep, param, first.0)
        )
    } else {
        format!(
            "Under {}, conflict per leader {} goes from {} a week at {path} = {} to {} at {}.",
            sweep.arm_name(baseline),
            conflict_period(sweep),
            hours(first.1),
            param_value(sweep, param, first.0),
            hours(last.1),
            param_value(sweep, param, last.0)
        )
    })
}

/// For each arm compared with the baseline along the one parameter: where
/// its conflict is lower, and its difference at both ends. The axis shows
/// the values' ratios, so the values are written plainly here.
fn differences_along(sweep: &SweepOutput, param: usize) -> Option<String> {
    let mut arms: Vec<usize> = sweep.alternatives().collect();
    // The compared arm first: it is the one the reader came for.
    if let Some(compared) = sweep.compared() {
        arms.sort_by_key(|&arm| arm != compared.arm());
    }
    let plain = |value: f64| value_text(sweep, param, value);
    let sentences: Vec<String> = arms
        .into_iter()
        .filter_map(|arm| {
            let mut along: Vec<(f64, usize, f64)> = (0..sweep.grid.points)
                .filter_map(|point| {
                    let difference = sweep.conflict(arm, point)?.diff_vs_baseline?;
                    Some((sweep.grid.value(point, param), point, difference))
                })
                .collect();
            along.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (first, last) = (along.first()?, along.last()?);
            let end = |&(value, point, difference): &(f64, usize, f64)| {
                let share = relative(drawn_baseline_mean(sweep, point), difference)
                    .map(|share| format!(" ({share})"))
                    .unwrap_or_default();
                format!("{} h{share} at {}", signed(difference, 2), plain(value))
            };
            let ends = if along.len() == 1 {
                end(first)
            } else {
                format!("{} and {}", end(first), end(last))
            };
            Some(format!(
                "With {}, conflict is {}: {ends}.",
                sweep.arm_name(arm),
                verdict_runs(sweep, arm, param, &plain)
            ))
        })
        .collect();
    if sentences.is_empty() {
        return None;
    }
    Some(format!(
        "Differences from {} along {}. {}",
        baseline_name(sweep),
        sweep.grid.params[param].path,
        sentences.join(" ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sweep::data::tests::{MANIFEST_2D, csv_2d, parse};

    #[test]
    fn the_points_where_it_stops_paying_off_are_described_from_the_data() {
        let sweep = parse(MANIFEST_2D, &csv_2d()).unwrap();
        let findings = key_findings(&sweep);
        assert_eq!(
            findings[0],
            "Compared with power-through, connection-first lowers conflict hours per leader (from week 5) at 4 of the 6 points (95% interval below zero); it makes no clear difference at 2."
        );
        assert_eq!(
            findings[1],
            "The 2 points where it stops paying off (95% interval including zero or above it) are exactly those where trust.initial = 0.8."
        );
        assert!(
            findings[2].starts_with("Where it lowers conflict, the cut per leader and week ranges from 0.25 h (−15%) at trust.initial = 0.5"),
            "{}",
            findings[2]
        );
        assert_eq!(
            findings[3],
            "The arm with the lowest mean conflict differs across the grid: connection-first at 4 and power-through at 2 of the 6 points."
        );
    }

    #[test]
    fn a_staircase_is_read_as_a_threshold_at_each_value() {
        // Point 3 (trust 0.5, disclosure 0.3) stops paying off too.
        let csv: String = csv_2d()
            .lines()
            .map(|line| {
                if line.starts_with("3,") && line.contains("connection-first") {
                    line.replace("-0.400000,-0.100000", "-0.300000,0.050000")
                } else {
                    line.to_owned()
                }
            })
            .map(|line| line + "\n")
            .collect();
        let sweep = parse(MANIFEST_2D, &csv).unwrap();
        assert_eq!(
            key_findings(&sweep)[1],
            "The 3 points where it stops paying off (95% interval including zero or above it) are all where \
             trust.initial \u{2265} 0.5 (3 of the 4 points there). In detail, it stops paying off at \
             trust.initial \u{2265} 0.8 where defaults.disclosure = 0.1 and at trust.initial \u{2265} 0.5 \
             where defaults.disclosure = 0.3."
        );
    }

    #[test]
    fn one_parameter_readings_follow_the_values_in_order() {
        let sweep = parse(MANIFEST_1D, &csv_1d()).unwrap();
        let findings = key_findings(&sweep);
        assert_eq!(
            findings[1],
            "Along attribution.lambda_loss, conflict with connection-first is lower from 0.15 (1.5 \u{00d7} lambda_gain) \
             to 0.30 (3 \u{00d7} lambda_gain) and not clearly different at 0.50 (5 \u{00d7} lambda_gain)."
        );
        assert_eq!(
            chart_reading(SweepChartId::Difference, &sweep),
            "Differences from power-through along attribution.lambda_loss. With connection-first, conflict is \
             lower from 0.15 to 0.30 and not clearly different at 0.50: \u{2212}0.60 h (\u{2212}20%) at 0.15 and \
             \u{2212}0.05 h (\u{2212}1.7%) at 0.50."
        );
    }

    const MANIFEST_1D: &str = r#"{
        "kind": "sweep", "name": "lambda", "replicates": 100, "baseline": "power-through",
        "arms": [
            {"name": "power-through", "baseline": true, "interventions": []},
            {"name": "connection-first", "interventions": ["connection-first"]}
        ],
        "intervention_start_week": 5,
        "params": [{"path": "attribution.lambda_loss", "values": [0.15, 0.3, 0.5]}],
        "scenario": {"attribution": {"lambda_gain": 0.1, "lambda_loss": 0.3}}
    }"#;

    fn csv_1d() -> String {
        let mut csv = "point,attribution.lambda_loss,arm,metric,mean,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high\n".to_owned();
        for (point, (loss, diff)) in [(0.15, -0.6), (0.3, -0.3), (0.5, -0.05)]
            .into_iter()
            .enumerate()
        {
            csv.push_str(&format!(
                "{point},{loss},power-through,conflict_hours_per_leader_after_start,3.000000,2.800000,3.200000,0.000000,0.000000,0.000000\n"
            ));
            csv.push_str(&format!(
                "{point},{loss},connection-first,conflict_hours_per_leader_after_start,{:.6},,,{diff:.6},{:.6},{:.6}\n",
                3.0 + diff,
                diff - 0.1,
                diff + 0.1
            ));
        }
        csv
    }

    #[test]
    fn a_grid_where_it_always_pays_off_says_so() {
        let csv = csv_2d().replace(
            ",0.050000,-0.100000,0.200000",
            ",-0.100000,-0.200000,-0.010000",
        );
        let sweep = parse(MANIFEST_2D, &csv).unwrap();
        let findings = key_findings(&sweep);
        assert!(
            findings[0].contains("at all 6 points: the 95% interval of the paired difference is below zero everywhere"),
            "{}",
            findings[0]
        );
        assert!(
            !findings
                .iter()
                .any(|finding| finding.contains("stops paying off ("))
        );
    }

    #[test]
    fn ranges_are_written_as_thresholds_at_the_edges_of_the_grid() {
        let sweep = parse(MANIFEST_2D, &csv_2d()).unwrap();
        assert_eq!(
            range_condition(&sweep, 0, 1, 2).unwrap(),
            "trust.initial \u{2265} 0.5"
        );
        assert_eq!(
            range_condition(&sweep, 0, 0, 1).unwrap(),
            "trust.initial \u{2264} 0.5"
        );
        assert_eq!(
            range_condition(&sweep, 0, 1, 1).unwrap(),
            "trust.initial = 0.5"
        );
        assert_eq!(range_condition(&sweep, 0, 0, 2), None);
    }

    #[test]
    fn the_loss_parameter_is_also_written_as_a_ratio_to_the_gain() {
        let manifest = MANIFEST_2D
            .replace("trust.initial", "attribution.lambda_loss")
            .replace(
                r#""points": 6"#,
                r#""points": 6, "scenario": {"attribution": {"lambda_gain": 0.1}}"#,
            );
        let csv = csv_2d().replace("trust.initial", "attribution.lambda_loss");
        let sweep = parse(&manifest, &csv).unwrap();
        assert_eq!(param_value(&sweep, 0, 0.2), "0.2 (2 \u{00d7} lambda_gain)");
        assert_eq!(param_value(&sweep, 1, 0.1), "0.1");
        assert_eq!(ratio_text(3.0), "3");
    }

    #[test]
    fn the_difference_heatmap_reading_explains_colours_and_trends() {
        let sweep = parse(MANIFEST_2D, &csv_2d()).unwrap();
        let reading = chart_reading(SweepChartId::Difference, &sweep);
        assert!(
            reading.contains("the 2 points hatched are where the 95% interval"),
            "{reading}"
        );
        assert!(
            reading.contains(
                "the difference goes from \u{2212}0.55 h at trust.initial = 0.2 to +0.05 h at 0.8"
            ),
            "{reading}"
        );
    }
}
