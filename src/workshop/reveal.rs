//! Step 3, the reveal: both hidden queues side by side, where each team's
//! hours went during the standoff and how much of it the other knew of.
//!
//! The engine's managers work down their queue in priority order and never
//! hold work back, so in a week a commitment was missed for lack of
//! capacity, every hour went to work ahead of it in the queue. The reveal
//! shows those hours, by kind, from the state.

use super::document::{Block, Section, Span, Table, Tone, muted, plain, strong};
use super::observe::Known;
use super::{Story, hours, percent, share};

/// Hours below this are no miss and no idle time.
const SMALL_HOURS: f64 = 0.05;

/// One team's standoff weeks in hours.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Hours worked, by kind.
    pub worked: Vec<f64>,
    /// Of those, hours on items the other manager knew of.
    pub known: Vec<f64>,
    /// Hours the team owed the other, and fell short of (missed and unowned).
    pub owed: f64,
    pub short: f64,
    /// Hours worked in weeks of a miss on work the other could not see
    /// (everything ahead of the project in the queue), by kind, and of those
    /// the hours the other knew of.
    pub ahead: Vec<f64>,
    pub ahead_known: f64,
    /// Hours worked in those weeks on the project's earlier, overdue
    /// commitments (which the other sees).
    pub ahead_overdue: f64,
    /// Hours taken off the team's weeks by the friction of the week before.
    pub lost: f64,
    pub idle: f64,
}

impl Story<'_> {
    /// Each team's standoff weeks, from the state.
    pub fn accounts(&self) -> [Account; 2] {
        let kinds = self.catalogue.kinds.len();
        let mut accounts: [Account; 2] = Default::default();
        for account in &mut accounts {
            account.worked = vec![0.0; kinds];
            account.known = vec![0.0; kinds];
            account.ahead = vec![0.0; kinds];
        }
        for week in &self.featured.weeks {
            for (side, account) in accounts.iter_mut().enumerate() {
                let owed_view = &week.views[1 - side];
                account.owed += owed_view.owed;
                account.short += owed_view.missed + owed_view.unowned;
                account.lost += week.hours[side].lost;
                account.idle += week.hours[side].idle;
                let missed = owed_view.missed > SMALL_HOURS;
                for item in &week.queues[side] {
                    if item.worked_hours <= 0.0 {
                        continue;
                    }
                    let kind = self.catalogue.kind_of(side, item);
                    account.worked[kind] += item.worked_hours;
                    if item.peer.counts() {
                        account.known[kind] += item.worked_hours;
                    }
                    if !missed {
                        continue;
                    }
                    if item.peer == Known::Sees {
                        // This week's commitment is the one missed; the
                        // project's other items are its overdue work.
                        if item.due_week < week.week {
                            account.ahead_overdue += item.worked_hours;
                        }
                    } else {
                        account.ahead[kind] += item.worked_hours;
                        if item.peer.counts() {
                            account.ahead_known += item.worked_hours;
                        }
                    }
                }
            }
        }
        accounts
    }

    /// Step 3: the reveal.
    pub fn reveal(&self) -> Section {
        let accounts = self.accounts();
        let weeks = self.featured.weeks.len();
        let blocks = vec![
            Block::Text(vec![plain(format!(
                "Both hidden queues, side by side: where each team's hours went in weeks 1 to {weeks}, and how much of it the other manager knew of by the end of each week."
            ))]),
            Block::Gap,
            Block::Table(self.reveal_table(&accounts)),
            Block::Gap,
            Block::Point(self.account_sentence(&accounts, 0)),
            Block::Point(self.account_sentence(&accounts, 1)),
            Block::Gap,
            Block::Text(self.verdict(&accounts)),
        ];
        Section {
            number: 3,
            title: "The reveal".to_string(),
            subtitle: format!("where the hours went, weeks 1 to {weeks}"),
            blocks,
        }
    }

    fn reveal_table(&self, accounts: &[Account; 2]) -> Table {
        let mut rows = Vec::new();
        for (kind, info) in self.catalogue.kinds.iter().enumerate() {
            if accounts.iter().all(|a| a.worked[kind] <= 0.0) {
                continue;
            }
            let name = if info.shared {
                Span::new(format!("{} (shared)", info.name), Tone::Strong)
            } else {
                plain(info.name.clone())
            };
            let mut row = vec![name];
            for account in accounts {
                let (worked, known) = (account.worked[kind], account.known[kind]);
                row.push(plain(hours(worked)));
                let tone = if worked - known > 0.5 {
                    Tone::Bad
                } else {
                    Tone::Muted
                };
                row.push(Span::new(hours(known), tone));
            }
            rows.push(row);
        }
        let mut worked_row = vec![muted("hours worked")];
        let mut lost_row = vec![muted("lost to the conflict")];
        let mut idle_row = vec![muted("idle")];
        for account in accounts {
            let worked: f64 = account.worked.iter().sum();
            let known: f64 = account.known.iter().sum();
            worked_row.push(strong(hours(worked)));
            worked_row.push(muted(hours(known)));
            lost_row.push(plain(hours(account.lost)));
            lost_row.push(plain(""));
            idle_row.push(plain(hours(account.idle)));
            idle_row.push(plain(""));
        }
        rows.extend([worked_row, lost_row, idle_row]);
        let team = |side: usize| format!("{}'s team", self.names[side]);
        let knew = |side: usize| {
            [
                "worked".to_string(),
                format!("{} knew", self.names[1 - side]),
            ]
        };
        Table::two_sides([team(0), team(1)], "kind of work", [knew(0), knew(1)], rows)
    }

    /// What one team delivered, and where its hours went when it fell short.
    fn account_sentence(&self, accounts: &[Account; 2], side: usize) -> Vec<Span> {
        let account = &accounts[side];
        let (me, other) = (&self.names[side], &self.names[1 - side]);
        let mut spans = vec![
            Span::new(format!("{me}'s team"), Tone::Person(side)),
            plain(format!(
                " owed {other} {} and delivered ",
                hours(account.owed)
            )),
        ];
        if account.short <= SMALL_HOURS {
            spans.push(strong("all of it on time."));
        } else {
            spans.push(strong(hours(account.owed - account.short)));
            spans.push(plain(" of it on time."));
        }
        let ahead: f64 = account.ahead.iter().sum();
        if ahead > SMALL_HOURS {
            let mut kinds: Vec<(usize, f64)> = account
                .ahead
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, h)| *h > SMALL_HOURS)
                .collect();
            kinds.sort_by(|a, b| b.1.total_cmp(&a.1));
            let named: Vec<String> = kinds
                .iter()
                .take(3)
                .map(|&(kind, h)| format!("{} {}", hours(h), self.catalogue.kinds[kind].name))
                .collect();
            spans.push(plain(
                " In the weeks it fell short, every hour went to work ahead of that week's commitment in its queue: ",
            ));
            spans.push(strong(hours(ahead)));
            spans.push(plain(format!(
                " of its own work (mostly {}), of which {other} knew of {}",
                named.join(", "),
                hours(account.ahead_known)
            )));
            if account.ahead_overdue > SMALL_HOURS {
                spans.push(plain(format!(
                    ", and {} of the project's overdue work",
                    hours(account.ahead_overdue)
                )));
            }
            spans.push(plain("."));
        }
        if account.lost > SMALL_HOURS {
            spans.push(plain(" The conflict itself took "));
            spans.push(strong(hours(account.lost)));
            spans.push(plain(" of the team's time."));
        }
        spans
    }

    /// "Nobody was sabotaging anything", with the numbers that show it.
    fn verdict(&self, accounts: &[Account; 2]) -> Vec<Span> {
        let idle = accounts.iter().all(|account| account.idle <= SMALL_HOURS);
        let how = if idle {
            "Each team worked every hour it had"
        } else {
            "Each team worked down its queue in priority order"
        };
        let seen: Vec<String> = (0..2)
            .map(|side| {
                let worked: f64 = accounts[side].worked.iter().sum();
                let known: f64 = accounts[side].known.iter().sum();
                percent(share(known, worked))
            })
            .collect();
        vec![
            strong("Nobody was sabotaging anything. "),
            plain(format!(
                "{how}, on a queue the other could mostly not see: {} knew of {} of the hours {}'s team worked, and {} of {} of {}'s.",
                self.names[1], seen[0], self.names[0], self.names[0], seen[1], self.names[1]
            )),
        ]
    }
}
