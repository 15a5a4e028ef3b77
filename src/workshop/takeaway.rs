//! Step 5, the takeaway: what the comparison supports, arm by arm, and where
//! it stops holding: the same story with far more work than the teams can do.
//!
//! A response is said to lower (or raise) conflict, lost hours or delivery
//! only when the 95% interval of its paired difference from the baseline
//! excludes zero. At the limit, "it cannot create capacity" is said only when
//! the response still lowers conflict there, clearly and by at least
//! [`MATERIAL`] of the baseline's, and no arm delivers even half the share of
//! the shared work on time that the baseline does at the scenario's own
//! demand.

use crate::metrics::Summary;
use crate::runner::Results;
use crate::scenario::Scenario;
use crate::words::count;

use super::document::{Block, Head, Section, Span, Table, muted, plain, strong};
use super::futures::{Effect, arm_tone};
use super::{capitalised, decimal, number, percent, signed_percent, small_count};

/// A cut in conflict smaller than this share of the baseline's is called
/// slight, however clear its interval.
pub const MATERIAL: f64 = 0.05;

/// The same story at a demand far above capacity, and its results.
pub struct Limit<'a> {
    pub demand: f64,
    /// The bundled scenario the limit run is, when it is one: "the
    /// high-demand scenario".
    pub bundled: Option<String>,
    pub scenario: &'a Scenario,
    pub results: &'a Results,
}

/// Whether and how the limit was run.
pub enum LimitRun<'a> {
    Ran(Limit<'a>),
    /// The scenario's own demand is already at or above the limit's.
    AlreadyAt {
        own: f64,
        limit: f64,
    },
}

impl LimitRun<'_> {
    /// No limit run: `scenario`'s own demand is already at or above `limit`.
    pub fn already_at(scenario: &Scenario, limit: f64) -> Self {
        LimitRun::AlreadyAt {
            own: own_demand(scenario),
            limit,
        }
    }
}

/// Mean demand of the scenario's leaders (expected arriving work over capacity).
pub fn own_demand(scenario: &Scenario) -> f64 {
    let leaders = &scenario.organisation.leaders;
    leaders.iter().map(|leader| leader.demand).sum::<f64>() / leaders.len().max(1) as f64
}

/// The arm the takeaway is about: the one that lowered conflict the most
/// (clearly), else the one with a connection-first 1:1, else the first
/// other arm.
pub fn headline_arm(scenario: &Scenario, results: &Results) -> Option<usize> {
    let others = || (0..scenario.arms.len()).filter(|&arm| arm != scenario.baseline);
    let difference = |arm: usize| conflict(scenario, results, arm).difference;
    others()
        .filter(|&arm| conflict(scenario, results, arm).clearly_lower())
        .min_by(|&a, &b| {
            let (a, b) = (difference(a), difference(b));
            a.unwrap_or(0.0).total_cmp(&b.unwrap_or(0.0))
        })
        .or_else(|| others().find(|&arm| scenario.arms[arm].connection.is_some()))
        .or_else(|| others().next())
}

/// Step 5: the takeaway.
pub fn takeaway(scenario: &Scenario, results: &Results, limit: &LimitRun<'_>) -> Section {
    let replicates = count(results.replicates_done as f64, "simulated run");
    let mut blocks = vec![
        Block::Text(vec![
            plain("From the "),
            strong(replicates),
            plain(format!(
                ", a change is named only when the 95% interval of its difference from {} excludes no change:",
                scenario.arms[scenario.baseline].name
            )),
        ]),
        Block::Gap,
    ];
    for arm in (0..scenario.arms.len()).filter(|&arm| arm != scenario.baseline) {
        blocks.push(Block::Point(arm_sentence(scenario, results, arm)));
    }
    let headline = headline_arm(scenario, results);
    let lowered = headline.filter(|&arm| conflict(scenario, results, arm).clearly_lower());
    blocks.push(Block::Gap);
    let responses = small_count(scenario.arms.len() - 1, "response");
    blocks.push(Block::Text(match lowered {
        Some(arm) => vec![
            strong(format!("Of the {responses}, ")),
            Span::new(scenario.arms[arm].name.clone(), arm_tone(scenario, arm)),
            strong(" lowered conflict the most."),
        ],
        None => vec![strong(
            "None of the responses clearly lowered conflict at these values.",
        )],
    }));
    blocks.push(Block::Gap);
    let mut stops = vec![Block::Heading(vec![plain("Where it stops holding")])];
    match limit {
        LimitRun::Ran(limit) => stops.extend(limit_blocks(scenario, results, limit, headline)),
        LimitRun::AlreadyAt { own, limit } => stops.push(Block::Text(vec![plain(format!(
            "This scenario's demand is already {}, at or above the {} used to show the limit: what you see above is the limit.",
            decimal(*own),
            decimal(*limit)
        ))])),
    }
    blocks.push(Block::Together(stops));
    Section {
        number: 5,
        title: "The takeaway".to_string(),
        subtitle: "what the numbers support".to_string(),
        blocks,
    }
}

/// The arm's conflict hours per manager a week from the responses' start,
/// against the baseline's.
fn conflict(scenario: &Scenario, results: &Results, arm: usize) -> Effect {
    Effect::of(
        scenario,
        results,
        arm,
        Summary::ConflictHoursPerLeaderAfterStart,
    )
}

/// "17% (95% interval 16% to 17%)" for a cut, from the relative difference.
fn size_and_interval(effect: &Effect, cut: bool) -> String {
    let sign = if cut { -1.0 } else { 1.0 };
    let relative = |value: f64| effect.relative(sign * value).map(percent);
    match (effect.difference, effect.difference_interval) {
        (Some(d), Some((low, high))) => {
            let (from, to) = if cut { (high, low) } else { (low, high) };
            match (relative(d), relative(from), relative(to)) {
                (Some(d), Some(from), Some(to)) => {
                    format!("{d}; 95% interval {from} to {to}")
                }
                _ => String::new(),
            }
        }
        _ => String::new(),
    }
}

/// "-0.4%; 95% interval -1.2% to +0.3%, which includes no change".
fn unclear(effect: &Effect) -> String {
    let relative = |value: Option<f64>| {
        value
            .and_then(|value| effect.relative(value))
            .map_or("-".to_string(), signed_percent)
    };
    match effect.difference_interval {
        Some((low, high)) => format!(
            "{}; 95% interval {} to {}, which includes no change",
            relative(effect.difference),
            relative(Some(low)),
            relative(Some(high))
        ),
        None => format!(
            "{}; no interval from one simulated run",
            relative(effect.difference)
        ),
    }
}

/// What one arm did, as far as the intervals carry it.
fn arm_sentence(scenario: &Scenario, results: &Results, arm: usize) -> Vec<Span> {
    let conflict = conflict(scenario, results, arm);
    let lost = Effect::of(scenario, results, arm, Summary::AnnualLostHoursPerLeader);
    let delivery = Effect::of(scenario, results, arm, Summary::DeliveryRatio);
    let meetings = results
        .summary(arm, Summary::MeetingHoursPerLeaderAfterStart)
        .mean()
        .unwrap_or(0.0);
    let difference = conflict.difference.unwrap_or(0.0);
    let mut spans = vec![
        Span::new(scenario.arms[arm].name.clone(), arm_tone(scenario, arm)),
        plain(" "),
    ];
    if conflict.clearly_lower() {
        spans.push(strong(format!(
            "lowered conflict by {}\u{a0}h a week per manager",
            number(-difference, 2)
        )));
        spans.push(plain(format!(" ({})", size_and_interval(&conflict, true))));
    } else if conflict.clearly_higher() {
        spans.push(strong(format!(
            "raised conflict by {}\u{a0}h a week per manager",
            number(difference, 2)
        )));
        spans.push(plain(format!(" ({})", size_and_interval(&conflict, false))));
    } else {
        spans.push(strong("made no clear difference to conflict"));
        spans.push(plain(format!(" ({})", unclear(&conflict))));
    }
    let lost_difference = lost.difference.unwrap_or(0.0);
    if lost.clearly_lower() {
        spans.push(plain(format!(
            ", and saved each manager {} lost hours a year",
            number(-lost_difference, 0)
        )));
    } else if lost.clearly_higher() {
        spans.push(plain(format!(
            ", but cost each manager {} more lost hours a year",
            number(lost_difference, 0)
        )));
    } else {
        spans.push(plain(", with no clear change in lost hours"));
    }
    if meetings > 0.05 {
        spans.push(plain(format!(
            " ({}\u{a0}h of meetings a week included)",
            number(meetings, 1)
        )));
    }
    let delivery_difference = delivery.difference.unwrap_or(0.0);
    if (delivery.clearly_lower() || delivery.clearly_higher()) && delivery_difference.abs() >= 0.005
    {
        spans.push(plain(format!(
            "; on-time delivery {} from {} to {}",
            if delivery_difference > 0.0 {
                "rose"
            } else {
                "fell"
            },
            delivery.baseline.map_or("-".to_string(), percent),
            delivery.mean.map_or("-".to_string(), percent)
        )));
    }
    spans.push(plain("."));
    spans
}

/// The limit run: delivery and conflict of every arm, and what it shows.
fn limit_blocks(
    scenario: &Scenario,
    results: &Results,
    limit: &Limit<'_>,
    headline: Option<usize>,
) -> Vec<Block> {
    let more = (limit.demand - 1.0) * 100.0;
    let what = if more > 0.5 {
        format!(
            "{}% more work arriving than the teams can do",
            number(more, 0)
        )
    } else {
        "more work arriving".to_string()
    };
    let bundled = limit
        .bundled
        .as_ref()
        .map_or(String::new(), |name| format!(", {name}"));
    let mut blocks = vec![
        Block::Text(vec![plain(format!(
            "The same story with {what} (demand {}{bundled}), over {}:",
            decimal(limit.demand),
            count(limit.results.replicates_done as f64, "simulated run")
        ))]),
        Block::Gap,
    ];
    let mut rows = Vec::new();
    let mut best_delivery: f64 = 0.0;
    for (index, arm) in limit.scenario.arms.iter().enumerate() {
        let conflict = conflict(limit.scenario, limit.results, index);
        let delivery = Effect::of(limit.scenario, limit.results, index, Summary::DeliveryRatio);
        best_delivery = best_delivery.max(delivery.mean.unwrap_or(0.0));
        rows.push(vec![
            Span::new(arm.name.clone(), arm_tone(limit.scenario, index)),
            plain(delivery.mean.map_or("-".to_string(), percent)),
            strong(conflict.mean_text(2)),
            if index == limit.scenario.baseline {
                muted("(baseline)")
            } else {
                Span::new(conflict.difference_text(), conflict.tone())
            },
        ]);
    }
    let mut table = Table::labelled(
        vec![
            Head::new(format!("at demand {}", decimal(limit.demand)), 1),
            Head::new("on time", 1),
            Head::new("conflict h/wk", 1),
            Head::new(
                format!("vs {}", limit.scenario.arms[limit.scenario.baseline].name),
                1,
            ),
        ],
        rows,
    );
    // On a narrow screen the difference says enough.
    table.optional = vec![2];
    blocks.push(Block::Table(table));
    blocks.push(Block::Gap);
    let normal = Effect::of(scenario, results, scenario.baseline, Summary::DeliveryRatio)
        .mean
        .unwrap_or(0.0);
    let no_capacity = best_delivery < 0.5 * normal;
    let Some(arm) = headline.filter(|&arm| arm < limit.scenario.arms.len()) else {
        return blocks;
    };
    let name = &limit.scenario.arms[arm].name;
    let at_limit = conflict(limit.scenario, limit.results, arm);
    let mut spans = vec![Span::new(name.clone(), arm_tone(scenario, arm))];
    let cut = at_limit
        .difference
        .and_then(|d| at_limit.relative(-d))
        .unwrap_or(0.0);
    let material = at_limit.clearly_lower() && cut >= MATERIAL;
    if material {
        spans.push(plain(format!(
            " still lowers conflict ({})",
            size_and_interval(&at_limit, true)
        )));
    } else if at_limit.clearly_lower() {
        spans.push(plain(format!(
            " lowers conflict only slightly ({})",
            size_and_interval(&at_limit, true)
        )));
    } else {
        spans.push(plain(format!(
            " no longer clearly lowers conflict ({})",
            unclear(&at_limit)
        )));
    }
    if no_capacity {
        spans.push(plain(format!(
            ", but no response gets the shared work done on time: at best {} on time, against {} under {} at demand {}.",
            percent(best_delivery),
            percent(normal),
            scenario.arms[scenario.baseline].name,
            decimal(own_demand(scenario))
        )));
    } else {
        spans.push(plain(format!(
            "; the best arm delivers {} of the shared work on time.",
            percent(best_delivery)
        )));
    }
    blocks.push(Block::Text(spans));
    if no_capacity && material {
        blocks.push(Block::Gap);
        blocks.push(Block::Text(vec![strong(format!(
            "{} lowers conflict; it cannot create capacity.",
            capitalised(name)
        ))]));
    }
    blocks
}
