//! Step 1, the standoff: the first weeks under the baseline, each manager
//! complaining about the other in their own words.
//!
//! What a manager says is chosen by rules from what happened to them that
//! week, always with the numbers that triggered it, and never the same line
//! twice in a session: see [`super::voices`].

use super::Story;
use super::document::{Block, Section, Span, Tone, muted, plain, strong};
use super::featured::Choice;
use super::futures::start_week;
use super::hours;
use super::voices::Complaint;

/// Hours below this are no difference (floating-point dust).
const SMALL_HOURS: f64 = 0.05;

/// The two managers' words side by side, each under their name padded to
/// `width`.
pub fn quote_columns(names: &[String; 2], width: usize, quotes: &[Option<Complaint>; 2]) -> Block {
    let columns = (0..2)
        .map(|side| {
            let name = Span::new(format!("{:<width$}", names[side]), Tone::Person(side));
            let quote = match &quotes[side] {
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
    Block::Columns(columns)
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
        for (week, quotes) in featured.weeks.iter().zip(&self.quotes.standoff) {
            let mut head = vec![strong(format!("Week {}", week.week))];
            head.push(muted(" · conflict hours: "));
            for (side, name) in names.iter().enumerate() {
                if side > 0 {
                    head.push(muted(" · "));
                }
                head.push(Span::new(name.clone(), Tone::Person(side)));
                head.push(plain(format!(" {}", hours(week.hours[side].conflict))));
            }
            blocks.push(Block::Together(vec![
                Block::Heading(head),
                quote_columns(names, width, quotes),
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

    /// Who the two are and what they share, in one sentence.
    pub fn introduction_in_brief(&self) -> Vec<Span> {
        let names = &self.names;
        vec![
            Span::new(names[0].clone(), Tone::Person(0)),
            plain(" and "),
            Span::new(names[1].clone(), Tone::Person(1)),
            plain(format!(" share {}.", self.shared_work())),
        ]
    }

    /// Who the two are and what they share.
    fn introduction(&self) -> Vec<Span> {
        let scenario = self.scenario;
        let mut spans = self.introduction_in_brief();
        spans.push(plain(format!(
            " Under {} they keep restating deadlines and sending reminders. Their words are generated from their state in the simulation.",
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
    pub fn standoff_cost(&self) -> Vec<Span> {
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
