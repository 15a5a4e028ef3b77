//! Status meetings: every member of every project meets on a schedule. Ownership
//! gets clearer (role ambiguity falls), and each member's open private work is
//! listed to the others as *data*, which a listener credits only as far as
//! they trust the speaker (credit = trust^data_exponent): "more data, same
//! frustration" when trust is low.

use crate::model::{CONTEXT, DATA, State, World};
use crate::scenario::StatusMeetingParams;

pub fn meet(world: &World, params: &StatusMeetingParams, state: &mut State) {
    let hours = params.meeting_hours + params.prep_hours;
    for (project, members) in world.project_members.iter().enumerate() {
        let (start, end) = world.project_weeks[project];
        if state.week < start || state.week > end {
            continue;
        }
        state.ambiguity[project] *= params.ambiguity_factor;
        for &membership in members {
            state.leaders[world.memberships[membership as usize].leader.0 as usize]
                .meeting_hours += hours;
        }
    }
    // Every observer in a project hears each member's open private list.
    for (actor, info) in world.leaders.iter().enumerate() {
        let observers = info.observed_by.len();
        let leader = &mut state.leaders[actor];
        for (observer_slot, &relationship) in info.observed_by.iter().enumerate() {
            let rel = &world.relationships[relationship as usize];
            if !rel.shared_projects.iter().any(|&p| {
                let (start, end) = world.project_weeks[p as usize];
                (start..=end).contains(&state.week)
            }) {
                continue;
            }
            for (slot, item) in leader.items.iter().enumerate() {
                let byte = slot * observers + observer_slot;
                if item.live && !rel.sees(item.project) && leader.known[byte] != CONTEXT {
                    leader.known[byte] = DATA;
                }
            }
        }
    }
}
