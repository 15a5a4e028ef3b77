//! Step 2, the three questions, answered for each manager from their state
//! at the end of the standoff: what is your team working on right now (the
//! whole queue), what have you told the other manager (the items told), and
//! what do you think the other team is working on (what they know of the
//! other's queue, next to the truth).

use super::document::{Bar, Block, Section, Span, Table, Tone, muted, plain, strong};
use super::observe::{Known, PairWeek, QueueItem};
use super::{Story, hours, percent, share};

/// Per kind and in total, for each side: (items, hours).
type Counts = Vec<[(usize, f64); 2]>;

impl Story<'_> {
    /// Step 2: the three questions.
    pub fn questions(&self) -> Section {
        let week = self
            .featured
            .weeks
            .last()
            .expect("the standoff has at least one week");
        let names = &self.names;
        let loads = [0, 1].map(|side| self.believed_load(week, side));
        let blocks = vec![
            Block::Text(vec![plain(format!(
                "Ask each manager three questions. The answers are read from the simulation at the end of week {}.",
                week.week
            ))]),
            Block::Gap,
            Block::Together(vec![
                Block::Heading(vec![plain("1. What is your team working on right now?")]),
                Block::Table(self.queue_table(week)),
                Block::Gap,
            ]),
            Block::Together(self.told(week)),
            Block::Together(vec![
                Block::Heading(vec![plain(
                    "3. What do you think the other team is working on?",
                )]),
                Block::Table(self.belief_table(week)),
                Block::Gap,
                Block::Bars(self.belief_bars(&loads)),
                Block::Gap,
            ]),
            Block::Text(self.gap_sentence(&loads)),
        ];
        Section {
            number: 2,
            title: "The three questions".to_string(),
            subtitle: format!("{} and {}, end of week {}", names[0], names[1], week.week),
            blocks,
        }
    }

    /// Items and hours of each side's open items that pass `keep`, by kind.
    fn counts(&self, week: &PairWeek, keep: impl Fn(usize, &QueueItem) -> bool) -> Counts {
        let mut counts = vec![[(0, 0.0); 2]; self.catalogue.kinds.len()];
        for (side, queue) in week.queues.iter().enumerate() {
            for item in queue.iter().filter(|item| item.is_open()) {
                if keep(side, item) {
                    let row = &mut counts[self.catalogue.kind_of(side, item)][side];
                    row.0 += 1;
                    row.1 += item.remaining_hours;
                }
            }
        }
        counts
    }

    /// A kind's name, marked when it is the shared project.
    fn kind_cell(&self, kind: usize) -> Span {
        let kind = &self.catalogue.kinds[kind];
        if kind.shared {
            Span::new(format!("{} (shared)", kind.name), Tone::Strong)
        } else {
            plain(kind.name.clone())
        }
    }

    /// Question 1: both queues by kind, highest priority first.
    fn queue_table(&self, week: &PairWeek) -> Table {
        let counts = self.counts(week, |_, _| true);
        let mut rows = Vec::new();
        let mut total = [(0, 0.0); 2];
        for (kind, sides) in counts.iter().enumerate() {
            if sides.iter().all(|(items, _)| *items == 0) {
                continue;
            }
            let mut row = vec![self.kind_cell(kind)];
            for (side, (items, work)) in sides.iter().enumerate() {
                if *items == 0 {
                    row.extend([muted("-"), muted("-")]);
                } else {
                    row.push(plain(items.to_string()));
                    row.push(plain(hours(*work)));
                }
                total[side].0 += items;
                total[side].1 += work;
            }
            rows.push(row);
        }
        let mut row = vec![muted("whole queue")];
        for (items, work) in total {
            row.push(strong(items.to_string()));
            row.push(strong(hours(work)));
        }
        rows.push(row);
        let left = || ["items".to_string(), "left".to_string()];
        Table::two_sides(
            self.names.clone(),
            "open work, by kind",
            [left(), left()],
            rows,
        )
    }

    /// Question 2: what each has told the other, as points.
    fn told(&self, week: &PairWeek) -> Vec<Block> {
        let mut blocks = vec![Block::Heading(vec![plain(
            "2. What have you told the other manager?",
        )])];
        let told = self.counts(week, |_, item| item.peer == Known::Told);
        let listed = self.counts(week, |_, item| item.peer == Known::Listed);
        let hidden = self.counts(week, |_, item| item.peer != Known::Sees);
        for side in 0..2 {
            let other = 1 - side;
            let sum = |counts: &Counts| {
                counts.iter().fold((0, 0.0), |(n, h), sides| {
                    (n + sides[side].0, h + sides[side].1)
                })
            };
            let (told_items, told_hours) = sum(&told);
            let (hidden_items, hidden_hours) = sum(&hidden);
            let mut spans = vec![
                Span::new(self.names[side].clone(), Tone::Person(side)),
                plain(format!(
                    " has told {} about {} of the {} items {} cannot see (",
                    self.names[other], told_items, hidden_items, self.names[other]
                )),
                strong(hours(told_hours)),
                plain(format!(" of {})", hours(hidden_hours))),
            ];
            let kinds: Vec<String> = told
                .iter()
                .enumerate()
                .filter(|(_, sides)| sides[side].0 > 0)
                .map(|(kind, sides)| {
                    format!("{} {}", sides[side].0, self.catalogue.kinds[kind].name)
                })
                .collect();
            spans.push(plain(if kinds.is_empty() {
                ".".to_string()
            } else {
                format!(": {}.", kinds.join(", "))
            }));
            let (listed_items, listed_hours) = sum(&listed);
            if listed_items > 0 {
                spans.push(plain(format!(
                    " {} more ({}) were listed in status meetings.",
                    listed_items,
                    hours(listed_hours)
                )));
            }
            blocks.push(Block::Point(spans));
        }
        blocks.push(Block::Gap);
        blocks
    }

    /// For each side: hours of the other's open work they know of, by kind,
    /// and the other's real hours.
    fn beliefs(&self, week: &PairWeek) -> (Counts, Counts) {
        // Side `s` of `known` is what manager `s` knows of the other's queue.
        let mut known = self.counts(week, |_, item| item.peer.counts());
        let mut actual = self.counts(week, |_, _| true);
        for row in known.iter_mut().chain(actual.iter_mut()) {
            row.swap(0, 1);
        }
        (known, actual)
    }

    /// Question 3: what each knows of the other's queue, next to the truth.
    fn belief_table(&self, week: &PairWeek) -> Table {
        let (known, actual) = self.beliefs(week);
        let mut rows = Vec::new();
        let mut totals = [[0.0; 2]; 2];
        for kind in 0..self.catalogue.kinds.len() {
            if (0..2).all(|side| actual[kind][side].0 == 0) {
                continue;
            }
            let mut row = vec![self.kind_cell(kind)];
            for side in 0..2 {
                let (thinks, truth) = (known[kind][side].1, actual[kind][side].1);
                let tone = if truth - thinks > 0.5 {
                    Tone::Bad
                } else {
                    Tone::Plain
                };
                row.push(Span::new(hours(thinks), tone));
                row.push(plain(hours(truth)));
                totals[side][0] += thinks;
                totals[side][1] += truth;
            }
            rows.push(row);
        }
        let mut row = vec![muted("whole queue")];
        for [thinks, truth] in totals {
            row.push(strong(hours(thinks)));
            row.push(strong(hours(truth)));
        }
        rows.push(row);
        let about = |side: usize| format!("{} about {}", self.names[side], self.names[1 - side]);
        let known = || ["knows of".to_string(), "real".to_string()];
        Table::two_sides(
            [about(0), about(1)],
            "the other's open work",
            [known(), known()],
            rows,
        )
    }

    /// Believed against real load (`loads[side]`, as [`Self::believed_load`]
    /// gives them), as bars.
    fn belief_bars(&self, loads: &[(f64, f64); 2]) -> Vec<Bar> {
        (0..2)
            .map(|side| {
                let (believed, actual) = loads[side];
                Bar {
                    label: Span::new(format!("{} believes", self.names[side]), Tone::Person(side)),
                    filled: believed,
                    total: actual,
                    text: vec![
                        strong(hours(believed)),
                        plain(format!(" of {}'s {} ", self.names[1 - side], hours(actual))),
                        muted(format!("({})", percent(share(believed, actual)))),
                    ],
                }
            })
            .collect()
    }

    /// The open work manager `side` believes the other has, and the other's
    /// real open work: the engine's `believed_peer_load_hours` and
    /// `actual_peer_load_hours` of this relationship.
    pub fn believed_load(&self, week: &PairWeek, side: usize) -> (f64, f64) {
        let (known, actual) = self.beliefs(week);
        let total = |counts: &Counts| counts.iter().map(|sides| sides[side].1).sum::<f64>();
        (total(&known), total(&actual))
    }

    /// What each believed load leaves out (`loads` as for the bars).
    fn gap_sentence(&self, loads: &[(f64, f64); 2]) -> Vec<Span> {
        let gaps = loads.map(|(believed, actual)| actual - believed);
        vec![
            plain("The rest, "),
            strong(hours(gaps[0])),
            plain(format!(" of {}'s open work and ", self.names[1])),
            strong(hours(gaps[1])),
            plain(format!(
                " of {}'s, is invisible to the other: that is the empathy gap. A miss that what you know cannot explain reads as lack of commitment.",
                self.names[0]
            )),
        ]
    }
}

#[cfg(test)]
mod tests {
    use crate::model::World;
    use crate::scenario::Override;
    use crate::workshop::Story;
    use crate::workshop::featured::Featured;

    #[test]
    fn believed_loads_are_the_engines() {
        let text = include_str!("../../scenarios/two-managers.toml");
        let overrides = [Override::shorthand("replicates", 20)];
        let scenario =
            crate::scenario::load_text("two-managers.toml", text, &overrides).expect("valid");
        let world = World::new(&scenario);
        let pair = Featured::pair_of(&scenario, &world).expect("a pair and arms");
        for replicate in [0, 3, 7] {
            let featured = Featured::simulate(&scenario, &world, pair, Some(replicate));
            let story = Story::new(&scenario, &featured);
            for week in &featured.weeks {
                for side in 0..2 {
                    let (believed, actual) = story.believed_load(week, side);
                    let view = &week.views[side];
                    assert!(
                        (believed - view.believed_load).abs() < 1e-6,
                        "{believed} {view:?}"
                    );
                    assert!(
                        (actual - view.actual_load).abs() < 1e-6,
                        "{actual} {view:?}"
                    );
                }
            }
        }
    }
}
