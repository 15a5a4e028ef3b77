//! What the two managers say about each other, week by week, in their own
//! words: chosen by rules from what the simulation says happened that week,
//! always with the numbers behind it, and never the same line twice in a
//! session.
//!
//! A manager says up to two things. First, what happened between them this
//! week, the first that applies:
//!
//! - they escalated about the other, or the other escalated about them;
//! - they had a 1:1 with the other (connection-first);
//! - they sat through a status meeting with the other;
//! - the other's delivery: a quarter or more of what was owed unexplained
//!   ("not delivering"); a miss mostly explained by what they know of the
//!   other's work ("slipped, but I know why"); nothing missed ("delivered",
//!   or "for once" while still frustrated).
//!
//! Then how it feels, the first that applies: in a conflict episode at low
//! trust ("not pulling their weight") or higher trust ("running out of
//! patience"); an hour or more answering the other's complaints ("defending
//! my team"); or, when their own team fell short of what it owed the other,
//! the private work that came first (the hidden queue, in their words).
//!
//! Each rule has a set of lines that say the same thing in different words.
//! [`Voices`] remembers which lines were said, so a room hears each one at
//! most once. The sets of the weekly rules have 14 lines: enough for the
//! standoff's four weeks and three responses of two managers all in the
//! same situation. In a longer session, a used-up set repeats its lines.

use std::collections::HashSet;

use crate::interventions::meets_this_week;
use crate::scenario::{Arm, Params};

use super::hours;
use super::kinds::Catalogue;
use super::number;
use super::observe::{Known, PairWeek};

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
    pub said: Vec<String>,
    /// The numbers behind each sentence, in the same order.
    pub evidence: Vec<String>,
}

/// What happened to the pair in a week besides the work, from the arm's
/// schedule and the state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Occasion {
    /// The two had their non-work 1:1 this week.
    pub one_on_one: bool,
    /// A status meeting of their shared project was held this week.
    pub status_meeting: bool,
    /// `escalated[i]`: manager `i` escalated about the other this week.
    pub escalated: [bool; 2],
}

impl Occasion {
    /// What happened in `week` under `arm`, with the week `before` it (to
    /// see escalations) when it was recorded.
    pub fn of(arm: &Arm, before: Option<&PairWeek>, week: &PairWeek) -> Occasion {
        let meets = |start: u32, every: i64| meets_this_week(week.week, start, every);
        let escalated = |side: usize| {
            before
                .is_some_and(|before| week.views[side].escalations > before.views[side].escalations)
        };
        Occasion {
            one_on_one: arm
                .connection
                .as_ref()
                .is_some_and(|one| meets(one.start_week, one.params.every_weeks)),
            status_meeting: arm
                .status_meeting
                .as_ref()
                .is_some_and(|meeting| meets(meeting.start_week, meeting.params.every_weeks)),
            escalated: [escalated(0), escalated(1)],
        }
    }

    /// Whether anything happened besides the work.
    pub fn any(&self) -> bool {
        self.one_on_one || self.status_meeting || self.escalated.contains(&true)
    }
}

/// Who is speaking, to whom, and what the work is called.
pub struct Speakers<'a> {
    pub params: &'a Params,
    pub names: &'a [String; 2],
    pub catalogue: &'a Catalogue,
}

/// The lines of a session so far.
#[derive(Debug, Default)]
pub struct Voices {
    said: HashSet<&'static str>,
}

impl Voices {
    pub fn new() -> Voices {
        Voices::default()
    }

    /// What manager `me` says about the other in `week`; `None` when they
    /// have nothing to say.
    pub fn speak(
        &mut self,
        me: usize,
        week: &PairWeek,
        occasion: Occasion,
        speakers: &Speakers<'_>,
    ) -> Option<Complaint> {
        let other = 1 - me;
        let other_name = &speakers.names[other];
        let view = &week.views[me];
        // Where to start in a set: varies with the week and the speaker, so
        // the two managers do not open with the same line.
        let turn = week.week.unsigned_abs() as usize * 3 + me * 5;
        let mut said = Vec::new();
        let mut evidence = Vec::new();
        let mut say = |voices: &mut Voices, lines: &'static [&'static str], numbers: String| {
            let line = voices.line(lines, turn);
            said.push(line.replace("{other}", other_name));
            evidence.push(numbers);
        };
        let known = |side: usize, wanted: Known| -> f64 {
            week.queues[side]
                .iter()
                .filter(|item| item.is_open() && item.peer == wanted)
                .map(|item| item.remaining_hours)
                .sum()
        };
        let trust = format!(
            "trusts {other_name} {} (0 none, 1 fully)",
            number(view.trust, 2)
        );
        let knows = format!(
            "knows of {} of {other_name}'s {} of open work",
            hours(view.believed_load),
            hours(view.actual_load)
        );
        if occasion.escalated[me] {
            say(
                self,
                ESCALATED,
                format!("took it to their manager; {trust}"),
            );
        } else if occasion.escalated[other] {
            say(
                self,
                ESCALATED_AGAINST,
                format!("{other_name} escalated about my team; {trust}"),
            );
        } else if occasion.one_on_one {
            say(
                self,
                ONE_ON_ONE,
                format!(
                    "an hour's 1:1; now {trust}; {knows}, {} of it told",
                    hours(known(other, Known::Told))
                ),
            );
        } else if occasion.status_meeting {
            say(
                self,
                STATUS_MEETING,
                format!(
                    "{} of {other_name}'s work listed in meetings; at trust {} a listed hour is worth {} h of explanation; {knows}",
                    hours(known(other, Known::Listed)),
                    number(view.trust, 2),
                    number(view.trust.powf(speakers.params.disclosure.data_exponent), 2)
                ),
            );
        } else if view.owed > SMALL_HOURS {
            let short = view.missed + view.unowned;
            let delivered = (view.owed - short).max(0.0);
            if view.unexplained >= UNEXPLAINED_SHARE * view.owed {
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
                say(self, NOT_DELIVERING, numbers);
            } else if short > SMALL_HOURS {
                say(
                    self,
                    SLIPPED,
                    format!(
                        "{} late, {} of it explained by what I know of their work",
                        hours(short),
                        hours(short - view.unexplained)
                    ),
                );
            } else if view.frustration >= speakers.params.conflict.episode_offset {
                say(
                    self,
                    FOR_ONCE,
                    format!("{} of {}", hours(delivered), hours(view.owed)),
                );
            } else {
                say(
                    self,
                    DELIVERED,
                    format!("{} of {}", hours(delivered), hours(view.owed)),
                );
            }
        }
        // How it feels.
        let episode = format!("{trust}, frustrated enough to complain every week");
        let replies = speakers.params.conflict.reply_share * week.views[other].conflict_hours;
        let own_short = week.views[other].missed;
        if view.in_episode && view.trust < LOW_TRUST {
            say(self, NOT_PULLING_WEIGHT, episode);
        } else if view.in_episode {
            say(self, OUT_OF_PATIENCE, episode);
        } else if replies >= DEFENDING_HOURS {
            say(
                self,
                DEFENDING,
                format!("{} answering {other_name}'s complaints", hours(replies)),
            );
        } else if own_short > SMALL_HOURS
            && let Some((kind, worked, known)) = first_in_queue(me, week, speakers.catalogue)
        {
            let line = self.line(OWN_QUEUE, turn);
            said.push(line.replace("{other}", other_name).replace("{kind}", &kind));
            evidence.push(format!(
                "my team was {} short of what it owed; {} went to {kind}, {} of it known to {other_name}",
                hours(own_short),
                hours(worked),
                hours(known)
            ));
        }
        (!said.is_empty()).then_some(Complaint { said, evidence })
    }

    /// The first line of `lines` not yet said this session, looking from
    /// `turn`; when every one was said, the one at `turn` again.
    fn line(&mut self, lines: &'static [&'static str], turn: usize) -> &'static str {
        let count = lines.len();
        (0..count)
            .map(|step| lines[(turn + step) % count])
            .find(|line| self.said.insert(line))
            .unwrap_or(lines[turn % count])
    }
}

/// The private work that took most of manager `me`'s team's week, with
/// its hours and the hours of it the other knew of; `None` if none.
fn first_in_queue(me: usize, week: &PairWeek, catalogue: &Catalogue) -> Option<(String, f64, f64)> {
    let mut by_kind: Vec<(usize, f64, f64)> = Vec::new();
    for item in week.queues[me].iter().filter(|item| item.project.is_none()) {
        if item.worked_hours <= SMALL_HOURS {
            continue;
        }
        let kind = catalogue.kind_of(me, item);
        let known = if item.peer.counts() {
            item.worked_hours
        } else {
            0.0
        };
        match by_kind.iter_mut().find(|(k, _, _)| *k == kind) {
            Some(entry) => {
                entry.1 += item.worked_hours;
                entry.2 += known;
            }
            None => by_kind.push((kind, item.worked_hours, known)),
        }
    }
    let (kind, worked, known) = by_kind.into_iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    // Said, not written: "technical debt", not "technical-debt".
    Some((
        catalogue.kinds[kind].name.replace(['-', '_'], " "),
        worked,
        known,
    ))
}

const NOT_DELIVERING: &[&str] = &[
    "They are not delivering what they promised.",
    "Our shared work slipped again, and nobody told me why.",
    "I don't see what {other}'s team does all week.",
    "{other} committed to this. Where did the hours go?",
    "Another week, another gap in what we agreed.",
    "If it mattered to them, it would be done.",
    "I had to chase {other} for work that was due this week.",
    "Their part is late and I have nothing to tell my director.",
    "I keep my promises. I expect the same.",
    "What they owed us just didn't show up.",
    "We planned around their part, and it isn't there.",
    "I can't build on promises that keep moving.",
    "Nobody on their side has said a word about the gap.",
    "It's the same story every week with {other}.",
];

const SLIPPED: &[&str] = &[
    "They slipped, but I know what they are dealing with.",
    "A bit late, but I know what landed on their desk.",
    "Late again, but at least I know why.",
    "They were short this week; I could see it coming.",
    "It slipped, and for once it made sense to me.",
    "Not everything arrived, but {other} kept me in the loop.",
    "I would have made the same call with their queue.",
    "Part of it slipped; their week was clearly full.",
    "Some of it is late. I know where their hours went.",
    "Late, but {other} had told me what was coming.",
    "Short again, but I know they had a rough week.",
    "It's late, and I know what got in the way.",
    "I'm not thrilled, but I understand where the time went.",
    "{other} warned me this might happen.",
];

const DELIVERED: &[&str] = &[
    "They delivered what they promised.",
    "Everything we agreed arrived on time.",
    "{other}'s team came through this week.",
    "No complaints: their part is done.",
    "On time, as agreed.",
    "That is what a good week looks like.",
    "Their side is in; we can move on.",
    "They did what they said they would.",
    "All of it, on time. Good.",
    "Nothing to chase this week.",
    "A quiet week: their part arrived.",
    "Delivered in full.",
    "Credit where it's due: {other} delivered.",
    "Everything came in; no chasing needed.",
];

const FOR_ONCE: &[&str] = &[
    "They delivered this week, for once.",
    "On time for a change. Let's see if it lasts.",
    "Fine, it arrived. That doesn't make up for last month.",
    "One good week doesn't change much.",
    "They delivered, but I'm waiting for the pattern to change.",
    "It came in. I'll believe it when it happens twice.",
    "Finally. It only took a month.",
    "Good, but I'm not relaxing yet.",
    "They made it this time. I'm keeping an eye on it.",
    "Delivered. Pity it isn't always like this.",
    "This week was fine. The last few weren't.",
    "Nice to see it arrive without three reminders.",
    "All there, this time. We'll see next week.",
    "It arrived, but the damage of last month is done.",
];

const NOT_PULLING_WEIGHT: &[&str] = &[
    "Their team is not pulling their weight.",
    "I don't think {other} cares about this project.",
    "I've stopped expecting anything from their side.",
    "I'm copying my director on everything with {other} now.",
    "Honestly, I'd rather do it without them.",
    "I can't rely on {other} for anything.",
    "Every conversation with {other} ends in the same argument.",
    "They say yes in the meeting and then nothing happens.",
    "My team is carrying this project.",
    "I've given up explaining why this matters.",
    "I no longer take what {other} says at face value.",
    "If this fails, everyone will know whose fault it is.",
    "Working with {other} has become a chore.",
    "I plan as if their part will be late. It usually is.",
];

const OUT_OF_PATIENCE: &[&str] = &[
    "I am running out of patience.",
    "I like {other}, but this is wearing thin.",
    "I want this to work, but I'm tired of chasing.",
    "We need to talk, and it won't be a nice conversation.",
    "I've raised it twice already this month.",
    "I'm spending more time on reminders than on the work.",
    "This is starting to sour every meeting.",
    "I used to give them the benefit of the doubt.",
    "I keep telling myself they're busy. It's getting harder.",
    "Every week I dread the update from {other}.",
    "I'm close to asking for a different partner on this.",
    "My team has started to complain about them too.",
    "One more slip and I'm raising it.",
    "We used to get on. Not lately.",
];

const DEFENDING: &[&str] = &[
    "And I spend my week defending my team.",
    "Half a morning went to answering {other}'s messages.",
    "I keep explaining the same thing to {other}.",
    "My team is working flat out and still getting blamed.",
    "Every reply to {other} is an hour I don't spend on the work.",
    "I'm tired of justifying every hour.",
    "I wrote another long email about why we're late.",
    "My people are starting to feel the heat too.",
    "Another round of questions from {other} about dates.",
    "I'd rather be fixing things than explaining them.",
    "Every status question from {other} feels like an accusation.",
    "I spent the afternoon on a reply to {other}.",
    "They ask why it's late; nobody asks what else we're carrying.",
    "My week was meetings about why my week was full.",
];

const OWN_QUEUE: &[&str] = &[
    "We were late too: {kind} had to come first.",
    "Our own week went to {kind}, not that anyone noticed.",
    "We were short as well; {kind} doesn't wait.",
    "My team spent the week on {kind}. {other} never sees that.",
    "We had {kind} to deal with. It's not as if we were idle.",
    "Yes, we slipped too: {kind} comes first.",
    "If {other} saw our {kind}, they'd understand.",
    "We owed them hours too, and {kind} took them.",
    "Between us, {kind} took most of our week.",
    "Nobody outside my team sees the {kind}.",
    "We lost the week to {kind}; that's how it goes.",
    "I never mention the {kind}. Maybe I should.",
    "{other} sees our misses, not our {kind}.",
    "We did our best, but {kind} came first.",
];

const ONE_ON_ONE: &[&str] = &[
    "We had an hour with no agenda. I had no idea how much was on {other}'s plate.",
    "After our 1:1 I understand why their part keeps slipping.",
    "{other} told me about their week. It changes how I read the delays.",
    "Turns out we're fighting the same fires.",
    "An hour with {other} and no slides. Best meeting of the month.",
    "I told {other} what my team is really juggling. They listened.",
    "We agreed to say early when something will slip.",
    "I'd been assuming the worst about {other}.",
];

const STATUS_MEETING: &[&str] = &[
    "The status meeting listed everything, but it's just a list.",
    "Another hour of status updates. I skimmed their list.",
    "Their list was long. I didn't have time to read it properly.",
    "We reported status. Nothing changed.",
    "Now I know what they're working on. I still don't know why it comes first.",
    "Good to see the list, but it doesn't tell me what's urgent for them.",
    "Meetings every week, and we're still late.",
    "An hour preparing slides so we could read lists to each other.",
];

const ESCALATED: &[&str] = &[
    "I took it to our manager. Something has to change.",
    "I escalated. I don't enjoy it, but the project matters.",
    "Our manager knows now. Let's see if that helps.",
    "I had no choice but to go over {other}'s head.",
    "I've asked our manager to sort out the priorities.",
    "It's with our manager now. I'm done asking nicely.",
];

const ESCALATED_AGAINST: &[&str] = &[
    "{other} went to our manager instead of talking to me.",
    "So now I'm the problem? Our queue has been on fire for weeks.",
    "Fine, the project comes first now. Everything else will slip.",
    "I got a call from our manager. I won't forget that.",
    "Escalating won't make our other work go away.",
    "I'll do what I'm told. Don't expect me to volunteer anything.",
];

/// Every set of lines, for the tests.
#[cfg(test)]
const ALL: [&[&str]; 12] = [
    NOT_DELIVERING,
    SLIPPED,
    DELIVERED,
    FOR_ONCE,
    NOT_PULLING_WEIGHT,
    OUT_OF_PATIENCE,
    DEFENDING,
    OWN_QUEUE,
    ONE_ON_ONE,
    STATUS_MEETING,
    ESCALATED,
    ESCALATED_AGAINST,
];

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

    /// Which set of lines each sentence comes from.
    fn sets_of(said: &[String]) -> Vec<&'static [&'static str]> {
        said.iter()
            .map(|sentence| {
                *ALL.iter()
                    .find(|lines| {
                        lines
                            .iter()
                            .any(|line| line.replace("{other}", "Blake") == *sentence)
                    })
                    .unwrap_or_else(|| panic!("{sentence} is in no set"))
            })
            .collect()
    }

    /// What manager 0 says in a week in which they see `view` of manager 1,
    /// manager 1 spends `complaints` hours complaining, and `occasion`.
    fn said(
        voices: &mut Voices,
        view: View,
        complaints: f64,
        occasion: Occasion,
    ) -> Option<Vec<&'static [&'static str]>> {
        let text = include_str!("../../scenarios/two-managers.toml");
        let scenario = crate::scenario::load_text("two-managers.toml", text, &[]).expect("valid");
        let catalogue = Catalogue::new(
            &scenario,
            [crate::scenario::LeaderId(0), crate::scenario::LeaderId(1)],
        );
        let names = ["Alex".to_string(), "Blake".to_string()];
        let speakers = Speakers {
            params: &params(),
            names: &names,
            catalogue: &catalogue,
        };
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
        voices
            .speak(0, &week, occasion, &speakers)
            .map(|complaint| sets_of(&complaint.said))
    }

    #[test]
    fn what_is_said_follows_the_state() {
        let voices = &mut Voices::new();
        let calm = Occasion::default();
        let owed = |missed: f64, unexplained: f64| View {
            owed: 48.0,
            missed,
            unexplained,
            trust: 0.6,
            ..View::default()
        };
        // Mostly unexplained misses read as broken promises.
        assert_eq!(
            said(voices, owed(48.0, 40.0), 0.0, calm),
            Some(vec![NOT_DELIVERING])
        );
        // A miss explained by what they know is forgiven.
        assert_eq!(
            said(voices, owed(20.0, 2.0), 0.0, calm),
            Some(vec![SLIPPED])
        );
        // Delivered, and calm.
        assert_eq!(
            said(voices, owed(0.0, 0.0), 0.0, calm),
            Some(vec![DELIVERED])
        );
        // In an episode at low trust, whatever was delivered.
        let episode = View {
            trust: 0.2,
            frustration: 7.0,
            in_episode: true,
            ..owed(0.0, 0.0)
        };
        assert_eq!(
            said(voices, episode, 0.0, calm),
            Some(vec![FOR_ONCE, NOT_PULLING_WEIGHT])
        );
        // On the receiving end of the other's complaints.
        assert_eq!(
            said(voices, View::default(), 3.0, calm),
            Some(vec![DEFENDING])
        );
        // The week's occasions come before the delivery.
        let one_on_one = Occasion {
            one_on_one: true,
            ..calm
        };
        assert_eq!(
            said(voices, owed(48.0, 40.0), 0.0, one_on_one),
            Some(vec![ONE_ON_ONE])
        );
        let meeting = Occasion {
            status_meeting: true,
            ..calm
        };
        assert_eq!(
            said(voices, owed(0.0, 0.0), 0.0, meeting),
            Some(vec![STATUS_MEETING])
        );
        let escalated = Occasion {
            escalated: [true, false],
            status_meeting: true,
            ..calm
        };
        assert_eq!(
            said(voices, owed(0.0, 0.0), 0.0, escalated),
            Some(vec![ESCALATED])
        );
        let escalated_against = Occasion {
            escalated: [false, true],
            ..calm
        };
        assert_eq!(
            said(voices, owed(0.0, 0.0), 0.0, escalated_against),
            Some(vec![ESCALATED_AGAINST])
        );
        // Nothing owed, nothing heard: nothing to say.
        assert_eq!(said(voices, View::default(), 0.0, calm), None);
    }

    #[test]
    fn no_line_is_said_twice_until_its_set_is_used_up() {
        let mut voices = Voices::new();
        let lines: Vec<&str> = (0..DELIVERED.len())
            .map(|turn| voices.line(DELIVERED, turn * 3))
            .collect();
        let distinct: HashSet<&&str> = lines.iter().collect();
        assert_eq!(distinct.len(), DELIVERED.len());
        // The set used up, lines come round again rather than nothing.
        assert!(DELIVERED.contains(&voices.line(DELIVERED, 0)));
    }

    #[test]
    fn every_set_has_distinct_lines() {
        let mut seen = HashSet::new();
        for line in ALL.iter().flat_map(|lines| lines.iter()) {
            assert!(seen.insert(*line), "{line} is in two sets or twice");
        }
    }
}
