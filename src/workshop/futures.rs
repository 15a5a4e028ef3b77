//! Step 4, the futures: the same run continued under every response (the
//! arms of one replicate face the same workload), then the same comparison
//! over every replicate, with 95% intervals.

use crate::metrics::{Summary, Weekly};
use crate::runner::Results;
use crate::scenario::Scenario;
use crate::words::count;

use super::document::{
    Bar, Block, Chart, Head, Section, Series, Span, Table, Tone, muted, plain, strong,
};
use super::{
    Story, capitalised, hours, number, percent, signed, signed_percent, small_count, small_number,
};

/// The tone of arm `index`: the baseline's, or the colour of its
/// interventions, as in the charts (`report::theme::arm_palette`).
pub fn arm_tone(scenario: &Scenario, index: usize) -> Tone {
    match crate::report::theme::scenario_palette(scenario)[index] {
        Some(place) => Tone::Arm(place),
        None => Tone::Baseline,
    }
}

/// "Three futures", from the number of arms compared with the baseline.
pub fn futures_title(scenario: &Scenario) -> String {
    capitalised(&small_count(scenario.arms.len() - 1, "future"))
}

/// The week the responses start (the earliest), or week 1.
pub fn start_week(scenario: &Scenario) -> u32 {
    scenario.intervention_start_week().unwrap_or(1)
}

/// An arm's run metric over replicates, and its paired difference from the
/// baseline, as the summary files write them.
#[derive(Debug, Clone, Copy)]
pub struct Effect {
    pub mean: Option<f64>,
    pub interval: Option<(f64, f64)>,
    pub difference: Option<f64>,
    pub difference_interval: Option<(f64, f64)>,
    /// The baseline's mean.
    pub baseline: Option<f64>,
}

impl Effect {
    pub fn of(scenario: &Scenario, results: &Results, arm: usize, metric: Summary) -> Effect {
        let running = results.summary(arm, metric);
        let difference = results.difference(arm, metric);
        let is_baseline = arm == scenario.baseline;
        Effect {
            mean: running.mean(),
            interval: running.interval95(),
            difference: if is_baseline {
                running.mean().map(|_| 0.0)
            } else {
                difference.mean()
            },
            difference_interval: if is_baseline {
                None
            } else {
                difference.interval95()
            },
            baseline: results.summary(scenario.baseline, metric).mean(),
        }
    }

    /// Whether the whole interval of the difference is below zero.
    pub fn clearly_lower(&self) -> bool {
        self.difference_interval.is_some_and(|(_, high)| high < 0.0)
    }

    /// Whether the whole interval of the difference is above zero.
    pub fn clearly_higher(&self) -> bool {
        self.difference_interval.is_some_and(|(low, _)| low > 0.0)
    }

    /// The difference relative to the baseline's mean.
    pub fn relative(&self, value: f64) -> Option<f64> {
        self.baseline
            .filter(|base| *base > 0.0)
            .map(|base| value / base)
    }

    /// "3.49 [3.37, 3.61]".
    pub fn mean_text(&self, decimals: usize) -> String {
        match (self.mean, self.interval) {
            (Some(mean), Some((low, high))) => format!(
                "{} [{}, {}]",
                number(mean, decimals),
                number(low, decimals),
                number(high, decimals)
            ),
            (Some(mean), None) => number(mean, decimals),
            _ => "-".to_string(),
        }
    }

    /// "-17% [-17%, -16%]", relative to the baseline.
    pub fn difference_text(&self) -> String {
        match (self.difference, self.difference_interval) {
            (Some(d), Some((low, high))) => {
                match (self.relative(d), self.relative(low), self.relative(high)) {
                    (Some(d), Some(low), Some(high)) => {
                        format!(
                            "{} [{}, {}]",
                            signed_percent(d),
                            signed_percent(low),
                            signed_percent(high)
                        )
                    }
                    _ => format!("{}\u{a0}h", number(d, 2)),
                }
            }
            (Some(d), None) => match self.relative(d) {
                Some(relative) => signed_percent(relative),
                None => number(d, 2),
            },
            _ => "-".to_string(),
        }
    }

    /// The tone of the difference: better (lower) or worse, when clear.
    pub fn tone(&self) -> Tone {
        if self.clearly_lower() {
            Tone::Good
        } else if self.clearly_higher() {
            Tone::Bad
        } else {
            Tone::Plain
        }
    }
}

impl Story<'_> {
    /// Step 4, first part: the featured run under every response.
    pub fn futures(&self) -> Section {
        let scenario = self.scenario;
        let featured = self.featured;
        let start = start_week(scenario) as i32;
        let baseline = scenario.baseline;
        let conflict: Vec<Vec<f64>> = (0..scenario.arms.len())
            .map(|arm| featured.weekly(arm, Weekly::ConflictHoursPerLeader))
            .collect();
        let after = |arm: usize| featured.summary(arm, Summary::ConflictHoursPerLeaderAfterStart);
        let series = scenario
            .arms
            .iter()
            .enumerate()
            .map(|(index, arm)| {
                let mut note = vec![strong(format!("{}\u{a0}h", number(after(index), 1)))];
                if index != baseline {
                    let difference = after(index) - after(baseline);
                    let tone = if difference < -0.05 {
                        Tone::Good
                    } else if difference > 0.05 {
                        Tone::Bad
                    } else {
                        Tone::Muted
                    };
                    note.push(Span::new(format!(" {:>5}", signed(difference, 1)), tone));
                }
                Series {
                    label: Span::new(arm.name.clone(), arm_tone(scenario, index)),
                    values: conflict[index].clone(),
                    note,
                    compare: (index != baseline).then(|| conflict[baseline].clone()),
                }
            })
            .collect();
        let same_before = conflict.iter().all(|values| {
            values[..(start - 1).max(0) as usize]
                == conflict[baseline][..(start - 1).max(0) as usize]
        });
        let top = conflict
            .iter()
            .flatten()
            .copied()
            .filter(|value| value.is_finite())
            .fold(0.0, f64::max);
        let mut intro = vec![plain(format!(
            "The same run continued from week {start} under each response. Every response faces the same workload: the same work arrives in the same weeks, so what differs is what the managers do."
        ))];
        if same_before && start > 1 {
            intro.push(plain(format!(
                " Weeks 1 to {} are the same in every arm.",
                start - 1
            )));
        }
        let mut blocks = vec![
            Block::Text(intro),
            Block::Gap,
            Block::Heading(vec![
                plain("Conflict hours per manager, week by week"),
                muted(format!(
                    " (full height {}; right: the mean from week {start}, and its difference)",
                    hours(top)
                )),
            ]),
            Block::Chart(Chart {
                series,
                first_week: 1,
                marker_week: Some(start),
            }),
            Block::Gap,
        ];
        let best = (0..scenario.arms.len())
            .filter(|&arm| arm != baseline)
            .min_by(|&a, &b| after(a).total_cmp(&after(b)));
        if let Some(best) = best {
            let spans = if after(best) < after(baseline) - 0.05 {
                vec![
                    plain(format!("In this run, from week {start}, ")),
                    Span::new(scenario.arms[best].name.clone(), arm_tone(scenario, best)),
                    plain(" had the fewest conflict hours: "),
                    strong(format!("{}\u{a0}h", number(after(best), 1))),
                    plain(format!(
                        " a week per manager, against {}\u{a0}h under {}. One run is one story; the next step asks whether it holds.",
                        number(after(baseline), 1),
                        scenario.arms[baseline].name
                    )),
                ]
            } else {
                vec![plain(format!(
                    "In this run no response had fewer conflict hours than {} from week {start} ({}\u{a0}h a week per manager). One run is one story; the next step asks what usually happens.",
                    scenario.arms[baseline].name,
                    number(after(baseline), 1)
                ))]
            };
            blocks.push(Block::Text(spans));
        }
        blocks.extend(self.in_their_words());
        Section {
            number: 4,
            title: futures_title(scenario),
            subtitle: "the same run under each response".to_string(),
            blocks,
        }
    }
}

impl Story<'_> {
    /// What the two say under each response, in the week the story listens
    /// in: the first from the start with a 1:1, a meeting or an escalation.
    fn in_their_words(&self) -> Vec<Block> {
        let scenario = self.scenario;
        let width = self
            .names
            .iter()
            .map(|name| name.chars().count())
            .max()
            .unwrap_or(0);
        let mut blocks = Vec::new();
        for (index, heard) in self.quotes.responses.iter().enumerate() {
            let Some(heard) = heard else {
                continue;
            };
            if blocks.is_empty() {
                blocks.push(Block::Gap);
                blocks.push(Block::Heading(vec![strong("In their words")]));
            }
            let occasion = heard.occasion;
            let mut what = Vec::new();
            if occasion.escalated.contains(&true) {
                what.push("an escalation");
            }
            if occasion.one_on_one {
                what.push("their 1:1");
            }
            if occasion.status_meeting {
                what.push("a status meeting");
            }
            let mut head = vec![
                Span::new(scenario.arms[index].name.clone(), arm_tone(scenario, index)),
                muted(format!(" \u{b7} week {}", heard.week)),
            ];
            if !what.is_empty() {
                head.push(muted(format!(", {}", crate::words::join_with_and(&what))));
            }
            blocks.push(Block::Together(vec![
                Block::Heading(head),
                super::standoff::quote_columns(&self.names, width, &heard.quotes),
                Block::Gap,
            ]));
        }
        blocks
    }
}

/// Step 4, second part: the comparison over every replicate.
pub fn comparison(scenario: &Scenario, results: &Results) -> Section {
    let start = start_week(scenario);
    let baseline = &scenario.arms[scenario.baseline].name;
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    for (index, arm) in scenario.arms.iter().enumerate() {
        let tone = arm_tone(scenario, index);
        let conflict = Effect::of(
            scenario,
            results,
            index,
            Summary::ConflictHoursPerLeaderAfterStart,
        );
        let delivery = Effect::of(scenario, results, index, Summary::DeliveryRatio);
        let lost = Effect::of(scenario, results, index, Summary::AnnualLostHoursPerLeader);
        let versus = if index == scenario.baseline {
            muted("(baseline)")
        } else {
            Span::new(conflict.difference_text(), conflict.tone())
        };
        rows.push(vec![
            Span::new(arm.name.clone(), tone),
            strong(conflict.mean_text(2)),
            versus,
            plain(delivery.mean.map_or("-".to_string(), percent)),
            plain(lost.mean.map_or("-".to_string(), |h| number(h, 0))),
        ]);
        bars.push(Bar {
            label: Span::new(arm.name.clone(), tone),
            filled: conflict.mean.unwrap_or(0.0),
            total: 0.0,
            text: vec![strong(format!(
                "{}\u{a0}h",
                number(conflict.mean.unwrap_or(f64::NAN), 2)
            ))],
        });
    }
    let mut table = Table::labelled(
        vec![
            Head::new("", 1),
            Head::new("conflict h/wk", 1),
            Head::new("vs", 1),
            Head::new("on", 1),
            Head::new("lost", 1),
        ],
        rows,
    );
    table.heads.push(vec![
        Head::new("", 1),
        Head::new(format!("from week {start}"), 1),
        Head::new(baseline.clone(), 1),
        Head::new("time", 1),
        Head::new("h/yr", 1),
    ]);
    // On a narrow screen, the lost hours and delivery give way first.
    table.optional = vec![4, 3];
    let replicates = count(results.replicates_done as f64, "simulated run");
    Section {
        number: 4,
        title: futures_title(scenario),
        subtitle: format!("over {replicates}"),
        blocks: vec![
            Block::Text(vec![
                plain("The same comparison over "),
                strong(replicates.clone()),
                plain(format!(
                    ", each with its own workload, faced by all {} responses alike. Per manager: conflict hours a week from week {start} (mean, 95% interval), the paired difference from {baseline}, shared work on time, and hours lost a year to conflict, meetings and escalations.",
                    small_number(scenario.arms.len())
                )),
            ]),
            Block::Gap,
            Block::Table(table),
            Block::Gap,
            Block::Heading(vec![plain(format!(
                "Conflict hours per manager per week, from week {start}"
            ))]),
            Block::Bars(bars),
        ],
    }
}
