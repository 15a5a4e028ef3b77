//! Step 1, the standoff: the first weeks under the baseline, each manager
//! complaining about the other in their own words.
//!
//! What a manager says is chosen by rules from their state that week, and
//! always comes with the numbers that triggered it:
//!
//! - about delivery (the first rule that applies): a quarter or more of what
//!   the other owed them this week is unexplained: "They are not delivering
//!   what they promised"; something was missed but mostly explained by what
//!   they know of the other's work: "They slipped, but I know what they are
//!   dealing with"; nothing missed: "They delivered what they promised" (or
//!   "for once" while still frustrated);
//! - about the relationship: in a conflict episode with the other and trust
//!   below a half: "Their team is not pulling their weight"; in an episode
//!   with more trust: "I am running out of patience"; otherwise, an hour or
//!   more spent answering the other's complaints: "And I spend my week
//!   defending my team".
//!
//! A manager with no grounds says nothing.

use crate::scenario::Params;

use super::Story;
use super::document::{Block, Section, Span, Tone, muted, plain, strong};
use super::featured::Choice;
use super::futures::start_week;
use super::observe::PairWeek;
use super::{hours, number};

/// Share of what was owed that, unexplained, reads as not delivering.
const UNEXPLAINED_SHARE: f64 = 0.25;
/// Trust below which an episode becomes "not pulling their weight".
const LOW_TRUST: f64 = 0.5;
/// Hours of replies a week that feel like a week spent defending.
const DEFENDING_HOURS: f64 = 1.0;
/// Hours below this are no miss (floating-point dust).
const SMALL_HOURS: f64 = 0.05;

/// What one manager says about the other in one week.
#[derive(Debug, Clone, PartialEq)]
pub struct Complaint {
    pub said: Vec<&'static str>,
    /// The numbers behind each sentence, in the same order.
    pub evidence: Vec<String>,
}

/// What manager `me` says about the other in `week`, from their state;
/// `None` when they have nothing to say.
pub fn complaint(me: usize, week: &PairWeek, params: &Params, other: &str) -> Option<Complaint> {
    let view = &week.views[me];
    let mut said = Vec::new();
    let mut evidence = Vec::new();
    let short = view.missed + view.unowned;
    let delivered = (view.owed - short).max(0.0);
    if view.owed > SMALL_HOURS {
        if view.unexplained >= UNEXPLAINED_SHARE * view.owed {
            said.push("They are not delivering what they promised.");
            let mut numbers = format!(
                "{} of {} promised, {} I can't explain",
                hours(delivered),
                hours(view.owed),
                hours(view.unexplained)
            );
            if view.unowned > SMALL_HOURS {
                numbers.push_str(&format!(
                    " ({} of it nobody picked up)",
                    hours(view.unowned)
                ));
            }
            evidence.push(numbers);
        } else if short > SMALL_HOURS {
            said.push("They slipped, but I know what they are dealing with.");
            evidence.push(format!(
                "{} late, {} of it explained by what I know of their work",
                hours(short),
                hours(short - view.unexplained)
            ));
        } else if view.frustration >= params.conflict.episode_offset {
            said.push("They delivered this week, for once.");
            evidence.push(format!("{} of {}", hours(delivered), hours(view.owed)));
        } else {
            said.push("They delivered what they promised.");
            evidence.push(format!("{} of {}", hours(delivered), hours(view.owed)));
        }
    }
    // Said only in a conflict episode: what that means, in plain words.
    let episode = format!(
        "trusts {other} {} (0 none, 1 fully), frustrated enough to complain every week",
        number(view.trust, 2),
    );
    let replies = params.conflict.reply_share * week.views[1 - me].conflict_hours;
    if view.in_episode && view.trust < LOW_TRUST {
        said.push("Their team is not pulling their weight.");
        evidence.push(episode);
    } else if view.in_episode {
        said.push("I am running out of patience.");
        evidence.push(episode);
    } else if replies >= DEFENDING_HOURS {
        said.push("And I spend my week defending my team.");
        evidence.push(format!("{} answering {other}'s complaints", hours(replies)));
    }
    (!said.is_empty()).then_some(Complaint { said, evidence })
}

impl Story<'_> {
    /// Step 1: the standoff.
    pub fn standoff(&self) -> Section {
        let scenario = self.scenario;
        let featured = self.featured;
        let names = &self.names;
        let last = featured.weeks.len();
        let baseline = &scenario.arms[scenario.baseline].name;
        let mut blocks = vec![
            Block::Text(self.introduction()),
            Block::Text(self.which_run()),
            Block::Gap,
        ];
        let width = names
            .iter()
            .map(|name| name.chars().count())
            .max()
            .unwrap_or(0);
        for week in &featured.weeks {
            let mut head = vec![strong(format!("Week {}", week.week))];
            head.push(muted(" · conflict hours: "));
            for (side, name) in names.iter().enumerate() {
                if side > 0 {
                    head.push(muted(" · "));
                }
                head.push(Span::new(name.clone(), Tone::Person(side)));
                head.push(plain(format!(" {}", hours(week.hours[side].conflict))));
            }
            let quotes: Vec<Vec<Block>> = (0..2)
                .map(|side| {
                    let name = Span::new(format!("{:<width$}", names[side]), Tone::Person(side));
                    let quote = match complaint(side, week, &scenario.params, &names[1 - side]) {
                        Some(complaint) => Block::Quote {
                            name,
                            said: complaint.said.join(" "),
                            evidence: vec![plain(complaint.evidence.join("; "))],
                        },
                        None => Block::Quote {
                            name,
                            said: "...".to_string(),
                            evidence: vec![plain("nothing to complain about this week")],
                        },
                    };
                    vec![quote]
                })
                .collect();
            blocks.push(Block::Together(vec![
                Block::Heading(head),
                Block::Columns(quotes),
                Block::Gap,
            ]));
        }
        blocks.push(Block::Text(self.standoff_cost()));
        Section {
            number: 1,
            title: "The standoff".to_string(),
            subtitle: format!("weeks 1 to {last} under {baseline}"),
            blocks,
        }
    }

    /// Who the two are and what they share.
    fn introduction(&self) -> Vec<Span> {
        let scenario = self.scenario;
        let names = &self.names;
        let mut spans = vec![Span::new(names[0].clone(), Tone::Person(0))];
        spans.push(plain(" and "));
        spans.push(Span::new(names[1].clone(), Tone::Person(1)));
        spans.push(plain(format!(" share {}", self.shared_work())));
        spans.push(plain(format!(
            ". Under {} they keep restating deadlines and sending reminders. Their words are generated from their state in the simulation.",
            scenario.arms[scenario.baseline].name,
        )));
        spans
    }

    /// Which run this is and why, for the facilitator.
    fn which_run(&self) -> Vec<Span> {
        let scenario = self.scenario;
        let featured = self.featured;
        let last = featured.weeks.len();
        // Plain words for the room; the run's number and seed at the end,
        // for whoever wants to replay it.
        let replay = format!(
            "(run {} of seed {}, to replay it: --replicate {})",
            featured.replicate, scenario.seed, featured.replicate
        );
        let text = match featured.choice {
            Choice::Asked => format!(
                "This is the simulated run you asked for: by week {last} the two managers are {}frustrated enough with each other to complain every week {replay}.",
                if featured.standoff() { "" } else { "not yet " }
            ),
            Choice::TypicalStandoff {
                standoffs,
                searched,
            } => format!(
                "This is one of {searched} possible versions of these weeks. In {standoffs} of them the two managers are frustrated enough with each other by week {last} to complain every week; this one is the typical one of those, by the hours lost from week {} under {} {replay}.",
                start_week(scenario),
                scenario.arms[scenario.baseline].name
            ),
            Choice::NoStandoff { searched } => format!(
                "This is one of {searched} possible versions of these weeks. In none of them are the two managers frustrated enough with each other by week {last} to complain every week, so this is simply the first {replay}."
            ),
        };
        vec![muted(text)]
    }

    /// "checkout-rewrite, each owing the other 48 h a week".
    fn shared_work(&self) -> String {
        let projects: Vec<&crate::scenario::Project> = self
            .scenario
            .organisation
            .projects
            .iter()
            .filter(|project| {
                self.featured
                    .pair
                    .leaders
                    .iter()
                    .all(|leader| project.members.iter().any(|m| m.leader == *leader))
            })
            .collect();
        let owed: Vec<f64> = self
            .featured
            .pair
            .leaders
            .iter()
            .map(|leader| {
                projects
                    .iter()
                    .flat_map(|project| project.members.iter())
                    .filter(|member| member.leader == *leader)
                    .map(|member| member.hours_per_week)
                    .sum()
            })
            .collect();
        let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
        let what = match names.as_slice() {
            [one] => format!("a project, {one}"),
            many => format!("{} projects ({})", many.len(), many.join(", ")),
        };
        if (owed[0] - owed[1]).abs() < SMALL_HOURS {
            format!("{what}, each owing it {} a week", hours(owed[0]))
        } else {
            format!(
                "{what}: {} owes it {} a week, {} {}",
                self.names[0],
                hours(owed[0]),
                self.names[1],
                hours(owed[1])
            )
        }
    }

    /// What the standoff cost in hours.
    fn standoff_cost(&self) -> Vec<Span> {
        let scenario = self.scenario;
        let spill = scenario.params.conflict.spillover_hours_per_hour;
        let weeks = &self.featured.weeks;
        let leaders = self.featured.pair.leaders;
        let own: f64 = weeks
            .iter()
            .map(|week| week.hours[0].conflict + week.hours[1].conflict)
            .sum();
        let teams: f64 = weeks
            .iter()
            .map(|week| {
                (0..2)
                    .map(|side| {
                        let team = f64::from(
                            scenario.organisation.leaders[leaders[side].0 as usize].team_size,
                        );
                        // The engine's rule (`team_hours_lost_per_conflict_hour`
                        // times conflict hours), multiplied in another order: the
                        // sum can differ from the engine's in the last bit.
                        week.hours[side].conflict * spill * team
                    })
                    .sum::<f64>()
            })
            .sum();
        vec![
            plain(format!("In {} weeks the two managers spent ", weeks.len())),
            strong(hours(own)),
            plain(" on the conflict (complaints, reminders, replies), and their teams lost "),
            strong(hours(teams)),
            plain(" more to it (re-planning, rework, tension)."),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::observe::View;

    fn params() -> Params {
        let text = include_str!("../../scenarios/two-managers.toml");
        crate::scenario::load_text("two-managers.toml", text, &[])
            .expect("valid")
            .params
    }

    /// A week in which manager 0 sees `view` of manager 1, and manager 1
    /// spends `complaints` hours complaining about manager 0.
    fn said(view: View, complaints: f64) -> Option<Vec<&'static str>> {
        let other = View {
            conflict_hours: complaints,
            ..View::default()
        };
        let week = PairWeek {
            week: 1,
            hours: Default::default(),
            views: [view, other],
            queues: [Vec::new(), Vec::new()],
        };
        complaint(0, &week, &params(), "Blake").map(|complaint| complaint.said)
    }

    #[test]
    fn complaints_follow_the_state() {
        let owed = |missed: f64, unexplained: f64| View {
            owed: 48.0,
            missed,
            unexplained,
            trust: 0.6,
            ..View::default()
        };
        // Mostly unexplained misses read as broken promises.
        assert_eq!(
            said(owed(48.0, 40.0), 0.0),
            Some(vec!["They are not delivering what they promised."])
        );
        // A miss explained by what they know is forgiven.
        assert_eq!(
            said(owed(20.0, 2.0), 0.0),
            Some(vec!["They slipped, but I know what they are dealing with."])
        );
        // Delivered, and calm.
        assert_eq!(
            said(owed(0.0, 0.0), 0.0),
            Some(vec!["They delivered what they promised."])
        );
        // In an episode at low trust, whatever was delivered.
        let episode = View {
            trust: 0.2,
            frustration: 7.0,
            in_episode: true,
            ..owed(0.0, 0.0)
        };
        assert_eq!(
            said(episode, 0.0),
            Some(vec![
                "They delivered this week, for once.",
                "Their team is not pulling their weight."
            ])
        );
        // On the receiving end of the other's complaints.
        assert_eq!(
            said(View::default(), 3.0),
            Some(vec!["And I spend my week defending my team."])
        );
        // Nothing owed, nothing heard: nothing to say.
        assert_eq!(said(View::default(), 0.0), None);
    }
}
