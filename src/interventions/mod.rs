//! Interventions act through two hooks of the week: scheduled ones at its
//! start (status meetings, 1:1s) and triggered ones after attribution
//! (escalation, and coordination between pairs who trust each other). They
//! change behaviour and cost hours; they never touch the outcome metrics.

pub mod connection;
pub mod escalation;
pub mod status_meeting;

use crate::model::{State, World};
use crate::scenario::raw::RawIntervention;
use crate::scenario::{Arm, Checker, ConnectionParams, FieldPath, StatusMeetingParams};

/// Whether a recurring intervention meets this week.
pub fn meets_this_week(week: i32, start_week: u32, every_weeks: i64) -> bool {
    let since = week - start_week as i32;
    if since < 0 {
        return false;
    }
    match every_weeks {
        0 => since == 0,
        every => since % every as i32 == 0,
    }
}

/// What the scheduled interventions ask of each leader this week; the
/// engine's leader pass carries it out (hours in the meeting, what is listed
/// or told).
#[derive(Debug, Clone, Copy, Default)]
pub struct Scheduled<'a> {
    pub status_meeting: Option<&'a StatusMeetingParams>,
    pub one_to_ones: Option<&'a ConnectionParams>,
}

/// Scheduled interventions at the start of the week: their effects on the
/// organisation (ownership clarified, trust warmed) happen now; what each
/// leader does in them is returned for the leader pass.
pub fn scheduled<'a>(world: &World, arm: &'a Arm, state: &mut State) -> Scheduled<'a> {
    let mut scheduled = Scheduled::default();
    if let Some(meeting) = &arm.status_meeting
        && meets_this_week(state.week, meeting.start_week, meeting.params.every_weeks)
    {
        status_meeting::clarify_ownership(world, &meeting.params, state);
        scheduled.status_meeting = Some(&meeting.params);
    }
    if let Some(connection) = &arm.connection
        && meets_this_week(
            state.week,
            connection.start_week,
            connection.params.every_weeks,
        )
    {
        connection::warm_pairs(world, &connection.params, state);
        scheduled.one_to_ones = Some(&connection.params);
    }
    scheduled
}

pub fn triggered(world: &World, arm: &Arm, state: &mut State) {
    if let Some(escalation) = &arm.escalation
        && state.week >= escalation.start_week as i32
    {
        escalation::escalate(world, &escalation.params, state);
    }
    if let Some(connection) = &arm.connection
        && state.week >= connection.start_week as i32
    {
        connection::update_coordination(world, &connection.params, state);
    }
}

/// Range checks of each intervention's parameters.
pub fn check(check: &mut Checker, at: &FieldPath, intervention: &RawIntervention) {
    match intervention {
        RawIntervention::Escalation(p) => {
            check.range(&at.key("threshold"), p.threshold, 0.0, 1000.0);
            check.whole(&at.key("cooldown_weeks"), p.cooldown_weeks, 0, 520);
            check.range(&at.key("complainer_hours"), p.complainer_hours, 0.0, 40.0);
            check.range(&at.key("target_hours"), p.target_hours, 0.0, 40.0);
            check.range(&at.key("manager_hours"), p.manager_hours, 0.0, 40.0);
            check.whole(&at.key("compliance_weeks"), p.compliance_weeks, 0, 520);
            check.range(&at.key("hard_priority"), p.hard_priority, -100.0, 100.0);
            check.probability(&at.key("repeat_factor"), p.repeat_factor);
            check.probability(&at.key("relief"), p.relief);
            check.probability(&at.key("target_trust_factor"), p.target_trust_factor);
            check.range(
                &at.key("target_frustration"),
                p.target_frustration,
                0.0,
                100.0,
            );
            check.probability(&at.key("target_insecurity"), p.target_insecurity);
            check.probability(&at.key("insecurity_fade"), p.insecurity_fade);
        }
        RawIntervention::StatusMeeting(p) => {
            check.whole(&at.key("every_weeks"), p.every_weeks, 1, 520);
            check.range(&at.key("meeting_hours"), p.meeting_hours, 0.0, 40.0);
            check.range(&at.key("prep_hours"), p.prep_hours, 0.0, 40.0);
            check.probability(&at.key("ambiguity_factor"), p.ambiguity_factor);
        }
        RawIntervention::ConnectionFirst(p) => {
            check.whole(&at.key("every_weeks"), p.every_weeks, 0, 520);
            check.range(&at.key("hours"), p.hours, 0.0, 40.0);
            check.probability(&at.key("trust_gain"), p.trust_gain);
            check.probability(&at.key("disclosure_gain"), p.disclosure_gain);
            check.probability(&at.key("coordinate_trust"), p.coordinate_trust);
            check.probability(&at.key("stop_trust"), p.stop_trust);
            check.range(&at.key("buffer"), p.buffer, 0.0, 0.9);
            if p.stop_trust > p.coordinate_trust {
                check.fail(
                    &at.key("stop_trust"),
                    format!(
                        "must not exceed coordinate_trust ({}) (got {})",
                        p.coordinate_trust, p.stop_trust
                    ),
                );
            }
        }
    }
}
