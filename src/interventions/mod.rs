//! Interventions act through the hooks of the week, and all of each one's
//! logic lives in its own file (`escalation.rs`, `status_meeting.rs`,
//! `connection.rs`). This module is the only place the engine calls: it
//! dispatches each hook to the interventions an arm has, so the engine names
//! no intervention. The hooks, in the order of the week:
//!
//! - [`scheduled`]: at the start of the week, what the meetings and 1:1s of
//!   this week do to the organisation (ownership clarified, trust warmed),
//!   then each pair's coordination status from the trusts as they now stand;
//! - [`begin_leader_week`], [`attend`]: each leader's share of them;
//! - [`commitment_priority`], [`agree`]: the priority of a commitment and the
//!   hours agreed for it;
//! - [`triggered`]: after attribution and conflict (escalation).
//!
//! Interventions change behaviour and cost hours; they never touch the
//! outcome metrics.

pub mod connection;
pub mod escalation;
pub mod status_meeting;

use crate::engine::{LeaderParts, LeaderWeek};
use crate::model::{LeaderState, MembershipState, Scratch, State, World};
use crate::scenario::{Arm, ConnectionParams, StatusMeetingParams};

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
/// organisation (ownership clarified, trust warmed) happen now, and then each
/// pair's coordination starts or stops from the trusts as they stand after
/// the 1:1s (so a pair can coordinate in the week of its 1:1). What each
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
    if let Some(connection) = &arm.connection
        && state.week >= connection.start_week as i32
    {
        connection::update_coordination(world, &connection.params, state);
    }
    scheduled
}

/// A leader's week begins: what earlier interventions left fades.
pub fn begin_leader_week(arm: &Arm, leader: &mut LeaderState) {
    if let Some(escalation) = &arm.escalation {
        escalation::fade(&escalation.params, leader);
    }
}

/// One leader in this week's scheduled meetings and 1:1s.
pub fn attend(context: &LeaderWeek, parts: &mut LeaderParts, scratch: &mut Scratch) {
    if let Some(meeting) = context.scheduled.status_meeting {
        status_meeting::attend(context, meeting, parts.info, parts.leader);
    }
    if let Some(connection) = context.scheduled.one_to_ones {
        connection::attend_one_to_ones(context, connection, parts, scratch);
    }
}

/// The priority a member gives the project's work this week: their own, or
/// raised while complying after an escalation.
pub fn commitment_priority(arm: &Arm, base: f64, member: &MembershipState, week: i32) -> f64 {
    match &arm.escalation {
        Some(escalation) => escalation::compliance_priority(&escalation.params, base, member, week),
        None => base,
    }
}

/// The hours a member commits this week out of the `planned` hours of the
/// membership at `position`: all of them, or fewer when renegotiated.
pub fn agree(context: &LeaderWeek, parts: &LeaderParts, position: usize, planned: f64) -> f64 {
    match &context.arm.connection {
        Some(connection) => connection::renegotiate(context, connection, parts, position, planned),
        None => planned,
    }
}

/// Triggered interventions, after attribution and conflict.
pub fn triggered(world: &World, arm: &Arm, state: &mut State) {
    if let Some(escalation) = &arm.escalation
        && state.week >= escalation.start_week as i32
    {
        escalation::escalate(world, &escalation.params, state);
    }
}
