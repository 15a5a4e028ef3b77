//! The story a run's report leads with, and its appendix: one sentence per
//! arm with its paired difference, what the model assumes (with this
//! scenario's values), the values that differ from the defaults, and the
//! full scenario as a file to download and run again.
//!
//! Everything here is read from the run's files: the summary for the
//! sentences, the manifest's resolved scenario for the rest. The defaults
//! are the binary's own ([`RawScenario`]'s serde defaults), so the appendix
//! lists what a reader would have to write to get this run.

use serde_json::Value;

use super::data::{Arm, ManifestArm, RunOutput, SummaryRow};
use super::metrics;
use super::text::{decimal, hours, interval_clause, join_with_and, percent_of_ratio, whole_number};
use crate::scenario::raw::{RawIntervention, RawScenario};

/// What one arm did, in one sentence after its name and what it is.
pub(crate) struct ArmFinding<'a> {
    pub arm: &'a Arm,
    /// "a non-work 1:1 between leaders who share work, from week 5".
    pub what: String,
    pub sentence: String,
}

/// The headline metric of every report and of the terminal's table.
const HEADLINE: &str = metrics::ANNUAL_LOST_HOURS_PER_EMPLOYEE;

/// One sentence per arm, baseline first, with the headline metric, its
/// paired difference from the baseline and on-time delivery.
pub(crate) fn arm_findings(run: &RunOutput) -> Vec<ArmFinding<'_>> {
    let baseline = run.baseline();
    let baseline_delivery =
        baseline.and_then(|arm| run.summary.mean(&arm.name, metrics::DELIVERY_RATIO));
    let mut arms: Vec<&Arm> = baseline.into_iter().collect();
    arms.extend(run.alternatives());
    arms.into_iter()
        .filter_map(|arm| {
            let listed = run
                .manifest
                .arms
                .iter()
                .find(|listed| listed.name == arm.name);
            let row = run.summary.get(&arm.name, HEADLINE)?;
            let mut sentence = match (arm.is_baseline, baseline) {
                (false, Some(baseline)) => difference_sentence(row, &baseline.name)?,
                _ => level_sentence(row)?,
            };
            if let Some(delivery) = run.summary.mean(&arm.name, metrics::DELIVERY_RATIO) {
                sentence.push_str(&delivery_clause(
                    delivery,
                    baseline_delivery,
                    arm.is_baseline,
                ));
            }
            sentence.push('.');
            if let Some(why) = listed.and_then(|listed| no_escalation(run, listed)) {
                sentence.push(' ');
                sentence.push_str(&why);
            }
            Some(ArmFinding {
                arm,
                what: what_it_does(listed, arm.is_baseline),
                sentence,
            })
        })
        .collect()
}

/// "each employee loses 44 h a year to conflict, meetings and escalations
/// (95% interval 43 to 46)".
fn level_sentence(row: &SummaryRow) -> Option<String> {
    let mean = row.mean?;
    let interval = interval_clause(row.interval, whole_number);
    Some(format!(
        "each employee loses {} h a year to conflict, meetings and escalations{interval}",
        whole_number(mean)
    ))
}

/// "32 h a year per employee, 12 h fewer than under power-through (27%
/// fewer; 95% interval 11 to 13 h fewer)", or no clear difference.
fn difference_sentence(row: &SummaryRow, baseline: &str) -> Option<String> {
    let mean = row.mean?;
    let difference = row.diff_vs_baseline?;
    let baseline_mean = mean - difference;
    let level = format!("{} h a year per employee", whole_number(mean));
    let Some(interval) = row.diff_interval else {
        return Some(format!(
            "{level}, {} h {} than under {baseline} (no 95% interval: a single run, so this may be chance)",
            hours(difference.abs()),
            if difference < 0.0 { "fewer" } else { "more" },
        ));
    };
    if interval.low == 0.0 && interval.high == 0.0 {
        return Some(format!(
            "{level}, exactly as many as under {baseline} in every run"
        ));
    }
    let share = if baseline_mean > 0.0 {
        format!(
            "{}% ",
            whole_number(100.0 * difference.abs() / baseline_mean)
        )
    } else {
        String::new()
    };
    Some(if interval.high < 0.0 {
        format!(
            "{level}, {} h fewer than under {baseline} ({share}fewer; 95% interval {} to {} h fewer)",
            hours(-difference),
            hours(-interval.high),
            hours(-interval.low)
        )
    } else if interval.low > 0.0 {
        format!(
            "{level}, {} h more than under {baseline} ({share}more; 95% interval {} to {} h more)",
            hours(difference),
            hours(interval.low),
            hours(interval.high)
        )
    } else {
        format!(
            "{level}, no clear difference from {baseline} ({} h; 95% interval {} to {} h)",
            signed_hours(difference),
            signed_hours(interval.low),
            signed_hours(interval.high)
        )
    })
}

fn signed_hours(value: f64) -> String {
    super::text::signed(value, if value.abs() < 10.0 { 1 } else { 0 })
}

/// "; 65% of the shared work on time, against 60%".
fn delivery_clause(delivery: f64, baseline: Option<f64>, is_baseline: bool) -> String {
    match baseline {
        Some(baseline)
            if !is_baseline && percent_of_ratio(delivery) == percent_of_ratio(baseline) =>
        {
            format!(
                "; {} of the shared work delivered on time, the same share",
                percent_of_ratio(delivery)
            )
        }
        Some(baseline) if !is_baseline => format!(
            "; {} of the shared work delivered on time, against {}",
            percent_of_ratio(delivery),
            percent_of_ratio(baseline)
        ),
        _ => format!(
            "; {} of the shared work is delivered on time",
            percent_of_ratio(delivery)
        ),
    }
}

/// Why an escalation arm changed nothing, when no run escalated.
fn no_escalation(run: &RunOutput, arm: &ManifestArm) -> Option<String> {
    if !arm.interventions.iter().any(|kind| kind == "escalation") {
        return None;
    }
    let escalations = run
        .summary
        .get(&arm.name, metrics::ESCALATIONS_PER_PAIR_YEAR)?;
    if escalations.mean? != 0.0 {
        return None;
    }
    let onsets = run.summary.mean(&arm.name, metrics::ONSETS_PER_PAIR_YEAR);
    Some(if onsets == Some(0.0) {
        "No run escalated: a leader escalates only in a conflict episode, and no pair's frustration reached one.".to_owned()
    } else {
        "No run escalated: frustration never passed the escalation threshold during an episode."
            .to_owned()
    })
}

/// What an arm does, in words: its interventions and when they start.
fn what_it_does(arm: Option<&ManifestArm>, is_baseline: bool) -> String {
    let kinds = arm
        .map(|arm| arm.interventions.as_slice())
        .unwrap_or_default();
    let mut what = if kinds.is_empty() {
        "no intervention".to_owned()
    } else {
        let parts: Vec<&str> = kinds.iter().map(|kind| kind_in_words(kind)).collect();
        join_with_and(&parts)
    };
    if let Some(week) = arm
        .and_then(|arm| arm.start_week)
        .filter(|_| !kinds.is_empty())
    {
        what.push_str(&format!(", from week {week}"));
    }
    if is_baseline {
        what.push_str("; the baseline");
    }
    what
}

fn kind_in_words(kind: &str) -> &str {
    match kind {
        "escalation" => "escalating to the shared manager in a conflict episode",
        "status-meeting" => "status meetings of every project's members",
        "connection-first" => "a non-work 1:1 between leaders who share work",
        other => other,
    }
}

/// What the model assumes, with this scenario's values: each sentence is
/// left out when the manifest lacks a value it names.
pub(crate) fn assumptions(scenario: &Value, replicates: Option<u64>) -> Vec<String> {
    let number = |pointer: &str| scenario.pointer(pointer).and_then(Value::as_f64);
    let text = |value: f64| decimal(value, super::text::exact_places(&[value]).min(3));
    let mut said = Vec::new();
    let workstreams: Vec<&str> = scenario
        .pointer("/workstreams")
        .and_then(Value::as_array)
        .map(|streams| {
            streams
                .iter()
                .filter_map(|stream| stream.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    if !workstreams.is_empty() {
        said.push(format!(
            "Every leader runs one queue: the shared project's weekly commitment and private work ({}), worked in order of priority. A peer sees only the shared slice.",
            join_with_and(&workstreams)
        ));
    }
    if let (Some(k_trust), Some(disclosure)) = (
        number("/disclosure/k_trust"),
        number("/defaults/disclosure"),
    ) {
        said.push(format!(
            "A leader tells a peer about each private item with a weekly chance of {} plus {} times their trust in that peer (unless a leader sets their own base chance), less in proportion to their job insecurity.",
            text(disclosure),
            text(k_trust)
        ));
    }
    said.push(
        "A missed commitment is excused in proportion to the peer's work the observer can see or was told of; the rest is unexplained and becomes frustration, softened by trust and by a supportive manager.".to_owned(),
    );
    if let (Some(gain), Some(loss)) = (
        number("/attribution/lambda_gain"),
        number("/attribution/lambda_loss"),
    ) {
        let ratio = if gain > 0.0 {
            format!("{} times as fast as", text(loss / gain))
        } else {
            "while it never".to_owned()
        };
        said.push(format!(
            "Trust falls with unexplained misses {ratio} it grows with kept or explained ones ({} against {} of the distance a week).",
            text(loss),
            text(gain)
        ));
    }
    if let (Some(max_hours), Some(reply), Some(spill)) = (
        number("/conflict/max_hours"),
        number("/conflict/reply_share"),
        number("/conflict/spillover_hours_per_hour"),
    ) {
        said.push(format!(
            "Frustration becomes conflict hours, at most {} h a week per peer; the peer spends {} h replying per hour, each team member loses {} h per conflict hour of their leader, and every lost hour comes off next week's capacity.",
            text(max_hours),
            text(reply),
            text(spill)
        ));
    }
    if let (Some(weeks), Some(below), Some(chance)) = (
        number("/triage/overdue_weeks"),
        number("/triage/below_priority"),
        number("/triage/drop_probability"),
    ) {
        said.push(format!(
            "Overloaded leaders triage: private work more than {} weeks overdue with a priority below {} is dropped with a chance of {} a week, so queues do not grow without bound.",
            whole_number(weeks),
            text(below),
            text(chance)
        ));
    }
    let runs = replicates
        .map(|count| {
            format!(
                " The 95% intervals are over {} such runs.",
                super::text::thousands(count)
            )
        })
        .unwrap_or_default();
    said.push(format!(
        "In each simulated run every arm faces the same arriving work, so the differences between arms are paired.{runs}"
    ));
    said.push(
        "Not in the model: hiring, turnover or reorganisation during the run, and differences in skill or commitment. Every leader is equally competent and committed; outcomes differ through workload and what each side knows.".to_owned(),
    );
    said
}

/// The scenario's values that differ from the defaults, as (dotted key,
/// value) rows. The scenario's name, description and question are left
/// out (the page's header shows them), and so are values left to inherit
/// (`null`).
pub(crate) fn non_default_values(scenario: &Value) -> Vec<(String, String)> {
    let defaults = default_scenario();
    let mut rows = Vec::new();
    if let Value::Object(fields) = scenario {
        for (name, value) in fields {
            match name.as_str() {
                // Shown in the page's header; named sweeps are not part of
                // a run (the full scenario keeps them).
                "name" | "description" | "question" | "sweeps" => {}
                "arms" => {
                    for (arm, settings) in value.as_object().into_iter().flatten() {
                        rows.push((format!("arms.{arm}"), arm_line(settings)));
                    }
                }
                _ => differences(value, defaults.get(name), name.clone(), &mut rows),
            }
        }
    }
    rows
}

/// The scenario every default gives: what a file with only a name reads as.
fn default_scenario() -> Value {
    toml::from_str::<RawScenario>("name = \"\"")
        .ok()
        .and_then(|raw| serde_json::to_value(raw).ok())
        .unwrap_or(Value::Null)
}

/// Adds a row for each leaf of `value` that differs from `default` (absent
/// when the defaults have nothing there).
fn differences(
    value: &Value,
    default: Option<&Value>,
    key: String,
    rows: &mut Vec<(String, String)>,
) {
    if default == Some(value) || value.is_null() {
        return;
    }
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                let child = default.and_then(|default| default.get(name));
                differences(field, child, format!("{key}.{name}"), rows);
            }
        }
        Value::Array(items)
            if items.iter().all(|item| item.get("name").is_some()) && !items.is_empty() =>
        {
            // Named entries (workstreams, leaders, projects) are matched by
            // name, so one changed workstream is one row, not six.
            for item in items {
                let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
                let same_name = default.and_then(Value::as_array).and_then(|defaults| {
                    defaults.iter().find(|d| d.get("name") == item.get("name"))
                });
                let child_key = format!("{key}[{name}]");
                match same_name {
                    Some(default_item) => differences(item, Some(default_item), child_key, rows),
                    None => rows.push((child_key, fields_in_one_line(item))),
                }
            }
            // A default entry the scenario left out (a workstream removed).
            for default_item in default.and_then(Value::as_array).into_iter().flatten() {
                let name = default_item.get("name").and_then(Value::as_str);
                if let Some(name) = name
                    && !items
                        .iter()
                        .any(|item| item.get("name") == default_item.get("name"))
                {
                    rows.push((format!("{key}[{name}]"), "(removed)".to_owned()));
                }
            }
        }
        Value::Array(items) => rows.push((
            key,
            items.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        )),
        scalar => rows.push((key, scalar_text(scalar))),
    }
}

/// "baseline, no intervention" or "from week 5: status-meeting
/// (every_weeks = 1)": an arm, with each intervention's settings that
/// differ from that kind's defaults.
fn arm_line(arm: &Value) -> String {
    let mut parts = Vec::new();
    if arm.get("baseline") == Some(&Value::Bool(true)) {
        parts.push("baseline".to_owned());
    }
    let interventions = arm
        .get("interventions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let listed: Vec<String> = interventions
        .iter()
        .map(|intervention| {
            let kind = intervention
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("?");
            let defaults =
                serde_json::from_value::<RawIntervention>(serde_json::json!({ "kind": kind }))
                    .ok()
                    .and_then(|defaults| serde_json::to_value(defaults).ok());
            let mut changed = Vec::new();
            differences(intervention, defaults.as_ref(), String::new(), &mut changed);
            if changed.is_empty() {
                kind.to_owned()
            } else {
                let settings: Vec<String> = changed
                    .iter()
                    .map(|(key, value)| format!("{} = {value}", key.trim_start_matches('.')))
                    .collect();
                format!("{kind} ({})", settings.join(", "))
            }
        })
        .collect();
    if listed.is_empty() {
        parts.push("no intervention".to_owned());
    } else {
        let start = arm
            .get("start_week")
            .and_then(Value::as_u64)
            .map(|week| format!("from week {week}: "))
            .unwrap_or_default();
        parts.push(format!("{start}{}", listed.join(", ")));
    }
    parts.join(", ")
}

/// "manager = Dana, demand = 1.2": a named entry's set fields but its name.
fn fields_in_one_line(item: &Value) -> String {
    let Value::Object(fields) = item else {
        return scalar_text(item);
    };
    let set: Vec<String> = fields
        .iter()
        .filter(|(name, value)| name.as_str() != "name" && !value.is_null())
        .map(|(name, value)| format!("{name} = {}", scalar_text(value)))
        .collect();
    if set.is_empty() {
        "(all defaults)".to_owned()
    } else {
        set.join(", ")
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(scalar_text).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(_) => fields_in_one_line(value),
        other => other.to_string(),
    }
}

/// The resolved scenario as a TOML file that `empathy-gap run` reads back
/// to the same run; `None` when the manifest's scenario is not one this
/// version can read (an older or newer output).
pub(crate) fn scenario_toml(scenario: &Value) -> Option<String> {
    let raw: RawScenario = serde_json::from_value(scenario.clone()).ok()?;
    toml::to_string(&raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(text: &str) -> Value {
        let scenario = crate::scenario::load_text("test.toml", text, &[]).expect("valid");
        serde_json::to_value(&scenario.resolved).expect("serialisable")
    }

    const BUNDLED: &str = include_str!("../../scenarios/two-managers.toml");

    #[test]
    fn only_changed_values_are_listed() {
        let rows = non_default_values(&resolved(BUNDLED));
        let keys: Vec<&str> = rows.iter().map(|(key, _)| key.as_str()).collect();
        // two-managers changes the warm-up and initial trust from their
        // defaults, and keeps the default workstreams and team hours.
        assert!(keys.contains(&"warmup_weeks"), "{keys:?}");
        assert!(keys.contains(&"trust.initial"), "{keys:?}");
        assert!(
            !keys.iter().any(|key| key.starts_with("workstreams")),
            "{keys:?}"
        );
        assert!(!keys.contains(&"team.hours_per_person"), "{keys:?}");
        assert!(!keys.contains(&"name"), "{keys:?}");
        // Leaders are listed by name with what they set.
        let alex = rows
            .iter()
            .find(|(key, _)| key == "leaders[Alex]")
            .expect("Alex");
        assert_eq!(alex.1, "manager = Dana");
        // Arms in one row each, with only the settings the file changed.
        let arm = |name: &str| {
            rows.iter()
                .find(|(key, _)| key == &format!("arms.{name}"))
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(arm("power-through"), Some("baseline, no intervention"));
        assert_eq!(arm("escalation"), Some("from week 5: escalation"));
        assert_eq!(arm("status-meeting"), Some("from week 5: status-meeting"));
        assert!(
            !keys.iter().any(|key| key.starts_with("sweeps")),
            "{keys:?}"
        );
    }

    #[test]
    fn a_changed_workstream_is_one_row() {
        let mut scenario = resolved(BUNDLED);
        scenario["workstreams"][0]["priority"] = 7.5.into();
        let streams = scenario["workstreams"].as_array_mut().unwrap();
        let mut added = streams[1].clone();
        added["name"] = "ops".into();
        streams.push(added);
        let rows = non_default_values(&scenario);
        let streams: Vec<&(String, String)> = rows
            .iter()
            .filter(|(key, _)| key.starts_with("workstreams"))
            .collect();
        assert_eq!(streams.len(), 2, "{streams:?}");
        // A default workstream left out is listed as removed.
        let mut fewer = resolved(BUNDLED);
        fewer["workstreams"].as_array_mut().unwrap().remove(5);
        let rows = non_default_values(&fewer);
        assert!(
            rows.contains(&(
                "workstreams[technical-debt]".to_owned(),
                "(removed)".to_owned()
            )),
            "{rows:?}"
        );
        assert_eq!(streams[0].0, "workstreams[incidents].priority");
        assert_eq!(streams[0].1, "7.5");
        assert_eq!(streams[1].0, "workstreams[ops]");
        assert!(streams[1].1.starts_with("priority = 8.0"), "{streams:?}");
    }

    #[test]
    fn the_scenario_file_reads_back_the_same() {
        let first = resolved(BUNDLED);
        let text = scenario_toml(&first).expect("writable");
        let again = resolved(&text);
        assert_eq!(first, again);
    }
}
