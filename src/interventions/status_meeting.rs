//! Status meetings: every member of every project meets on a schedule. Ownership
//! gets clearer (role ambiguity falls), and each member's open private work is
//! listed to the others as *data*, which a listener credits only as far as
//! they trust the speaker (credit = trust^data_exponent): "more data, same
//! frustration" when trust is low.

use crate::engine::LeaderWeek;
use crate::model::{LeaderInfo, LeaderState, SlotBits, State, World};
use crate::scenario::StatusMeetingParams;

/// Each running project's meeting clarifies ownership.
pub fn clarify_ownership(world: &World, params: &StatusMeetingParams, state: &mut State) {
    for (project, ambiguity) in state.ambiguity.iter_mut().enumerate() {
        let (start, end) = world.project_weeks[project];
        if (start..=end).contains(&state.week) {
            *ambiguity *= params.ambiguity_factor;
        }
    }
}

/// One leader in this week's meetings: the hours of each running project's
/// meeting, and their open private list read out to every peer they share a
/// running project with (as data, unless the peer already knows it as context).
pub fn attend(
    context: &LeaderWeek,
    params: &StatusMeetingParams,
    info: &LeaderInfo,
    leader: &mut LeaderState,
) {
    let world = context.world;
    let running = |project: u32| {
        let (start, end) = world.project_weeks[project as usize];
        (start..=end).contains(&context.week)
    };
    let hours = params.meeting_hours + params.prep_hours;
    for &project in &info.projects {
        if running(project) {
            leader.meeting_hours += hours;
        }
    }
    for (observer_slot, &relationship) in info.observed_by.iter().enumerate() {
        let rel = &world.relationships[relationship as usize];
        if !world.shared_projects(rel).iter().any(|&p| running(p)) {
            continue;
        }
        // Now the peer knows of every item, at least as data: the ones it
        // neither sees nor was told about (still untold) become data.
        for word in 0..leader.slots.n_words() {
            leader
                .slots
                .clear_word(SlotBits::unknown(observer_slot), word, u64::MAX);
        }
    }
}
