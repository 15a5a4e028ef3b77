//! Workshop mode: the empathy gap told as a story, one step at a time, by
//! the simulation itself, for a facilitator in front of a room.
//!
//! The story follows one pair of managers in one run of a scenario
//! ([`featured`]), seen from inside the engine's state ([`observe`], the
//! only file that reads it):
//!
//! 1. the standoff ([`standoff`]): the first weeks under the baseline, each
//!    manager's complaints generated from their state;
//! 2. the three questions ([`questions`]): what each is working on, what each
//!    has told the other, and what each believes the other is working on;
//! 3. the reveal ([`reveal`]): where each team's hours really went;
//! 4. three futures ([`futures`]): the same run under every response, then
//!    the comparison over all replicates with intervals;
//! 5. the takeaway ([`takeaway`]): what the numbers support, and where it
//!    stops holding (the same story with demand far above capacity).
//!
//! Every sentence is computed from the state or the results; a claim is
//! made only when the numbers carry it. Each step is a [`document::Section`],
//! which [`render`] lays out for a terminal. Nothing here does I/O.

pub mod document;
pub mod featured;
pub mod futures;
pub mod handout;
pub mod html;
pub mod kinds;
pub mod observe;
pub mod questions;
pub mod render;
pub mod reveal;
pub mod standoff;
pub mod takeaway;
pub mod voices;

use crate::scenario::Scenario;
use crate::words::thousands;

use featured::Featured;
use kinds::Catalogue;
use observe::PairWeek;
use voices::{Complaint, Occasion, Speakers, Voices};

/// Steps of the walk-through.
pub const STEPS: usize = 5;

/// The run a story follows, and what is needed to tell it.
pub struct Story<'a> {
    pub scenario: &'a Scenario,
    pub featured: &'a Featured,
    pub catalogue: Catalogue,
    /// The two managers' names.
    pub names: [String; 2],
    /// Everything the two say in the session.
    pub quotes: Quotes,
}

/// What the two managers say in a session, worked out once, in the order
/// the room hears it, so that no line is said twice.
pub struct Quotes {
    /// Per week of the standoff, what each manager says (`None`: nothing).
    pub standoff: Vec<[Option<Complaint>; 2]>,
    /// Per arm (`None` for the baseline): the week the story listens in
    /// under that response, and what each manager says.
    pub responses: Vec<Option<Heard>>,
}

/// A week of the featured run under one response, in the managers' words.
pub struct Heard {
    pub week: i32,
    pub occasion: Occasion,
    pub quotes: [Option<Complaint>; 2],
}

impl Quotes {
    fn new(scenario: &Scenario, featured: &Featured, speakers: &Speakers<'_>) -> Quotes {
        let mut voices = Voices::new();
        let baseline = &scenario.arms[scenario.baseline];
        let mut before: Option<&PairWeek> = None;
        let mut standoff = Vec::new();
        for week in &featured.weeks {
            let occasion = Occasion::of(baseline, before, week);
            standoff.push([0, 1].map(|side| voices.speak(side, week, occasion, speakers)));
            before = Some(week);
        }
        let start = futures::start_week(scenario) as i32;
        let responses = scenario
            .arms
            .iter()
            .zip(&featured.responses)
            .enumerate()
            .map(|(index, (arm, weeks))| {
                if index == scenario.baseline {
                    return None;
                }
                // The first week from the start in which something happened
                // besides the work (a 1:1, a meeting, an escalation), else
                // the start week.
                let listened: Vec<(Option<&PairWeek>, &PairWeek, Occasion)> = weeks
                    .iter()
                    .enumerate()
                    .filter(|(_, week)| week.week >= start)
                    .map(|(at, week)| {
                        let before = at.checked_sub(1).map(|at| &weeks[at]);
                        (before, week, Occasion::of(arm, before, week))
                    })
                    .collect();
                let &(_, week, occasion) = listened
                    .iter()
                    .find(|(_, _, occasion)| occasion.any())
                    .or(listened.first())?;
                Some(Heard {
                    week: week.week,
                    occasion,
                    quotes: [0, 1].map(|side| voices.speak(side, week, occasion, speakers)),
                })
            })
            .collect();
        Quotes {
            standoff,
            responses,
        }
    }
}

impl<'a> Story<'a> {
    pub fn new(scenario: &'a Scenario, featured: &'a Featured) -> Story<'a> {
        let leaders = featured.pair.leaders;
        let name = |side: usize| {
            scenario.organisation.leaders[leaders[side].0 as usize]
                .name
                .clone()
        };
        let catalogue = Catalogue::new(scenario, leaders);
        let names = [name(0), name(1)];
        let quotes = Quotes::new(
            scenario,
            featured,
            &Speakers {
                params: &scenario.params,
                names: &names,
                catalogue: &catalogue,
            },
        );
        Story {
            scenario,
            featured,
            catalogue,
            names,
            quotes,
        }
    }
}

/// A count in words up to ten ("three"), in digits above.
pub fn small_number(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    WORDS
        .get(n)
        .map_or_else(|| thousands(n as u64), |word| (*word).to_string())
}

/// A count of a noun, the count as [`small_number`] writes it: "one
/// response", "three futures", "no responses".
pub fn small_count(n: usize, noun: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{} {noun}{plural}", small_number(n))
}

/// The text with its first letter in capitals: "Three futures".
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A value as a scenario file writes it, without trailing zeros: "1.4",
/// "0.95", "5".
pub fn decimal(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Hours as people say them: "0 h", "3.4 h" below ten, "48 h", "1,204 h".
pub fn hours(value: f64) -> String {
    let decimals = if value.abs() < 0.05 || value.abs() >= 9.95 {
        0
    } else {
        1
    };
    // A non-breaking space: a number is never wrapped away from its unit.
    format!("{}\u{a0}h", number(value, decimals))
}

/// A number with `decimals` decimals, thousands grouped, never "-0".
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "-".to_string();
    }
    let text = format!("{:.decimals$}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let grouped = thousands(whole.parse::<u64>().unwrap_or(0));
    let negative = value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// A share as a whole percentage: "17%"; below 10% with a decimal, "0.4%",
/// so that a small share is not shown as none.
pub fn percent(share: f64) -> String {
    let value = 100.0 * share;
    let decimals = if value.abs() < 9.95 && value.abs() >= 0.05 {
        1
    } else {
        0
    };
    format!("{}%", number(value, decimals))
}

/// A change as a signed percentage: "-17%", "+0.3%", "0%".
pub fn signed_percent(share: f64) -> String {
    plus_sign(percent(share))
}

/// A change as a signed number: "+0.4", "-1.3", "0.0".
pub fn signed(value: f64, decimals: usize) -> String {
    plus_sign(number(value, decimals))
}

/// A number as [`number`] or [`percent`] writes it, with "+" in front when
/// it is above zero as written.
fn plus_sign(text: String) -> String {
    let zero = text.chars().all(|c| matches!(c, '0' | '.' | '%'));
    if text.starts_with('-') || zero {
        text
    } else {
        format!("+{text}")
    }
}

/// A share of `whole`, or 0 when there is no whole.
pub fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_say_them() {
        assert_eq!(hours(3.44), "3.4\u{a0}h");
        assert_eq!(hours(9.96), "10\u{a0}h");
        assert_eq!(hours(1204.4), "1,204\u{a0}h");
        assert_eq!(number(-0.001, 2), "0.00");
        assert_eq!(number(-0.4, 0), "0");
        assert_eq!(number(-1.5, 1), "-1.5");
        assert_eq!(hours(0.01), "0\u{a0}h");
        assert_eq!(percent(0.434), "43%");
        assert_eq!(percent(0.0034), "0.3%");
        assert_eq!(signed_percent(-0.004), "-0.4%");
        assert_eq!(signed_percent(0.0001), "0%");
        assert_eq!(signed_percent(0.17), "+17%");
        assert_eq!(signed(0.04, 1), "0.0");
        assert_eq!(signed(0.4, 1), "+0.4");
        assert_eq!(signed(-1.26, 1), "-1.3");
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(small_count(1, "response"), "one response");
        assert_eq!(small_count(0, "response"), "no responses");
        assert_eq!(small_count(12, "future"), "12 futures");
        assert_eq!(capitalised(&small_count(3, "future")), "Three futures");
        assert_eq!(capitalised(""), "");
    }
}
