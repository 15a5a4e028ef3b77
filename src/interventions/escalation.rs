//! Escalation: an observer in a conflict episode whose frustration passes a
//! threshold takes it to the lowest manager both report to. The target
//! complies for a few weeks (the shared project jumps the queue, except for
//! work at or above a hard priority such as incidents), the observer feels
//! relieved, and the target resents it: less trust in the observer, more
//! frustration with them, more insecurity (so they disclose less). Compliance
//! weakens with each repeat on the same pair.

use crate::model::{LeaderState, MembershipState, State, World};
use crate::scenario::EscalationParams;

/// The priority a member gives the project this week: its own, or, while
/// complying after an escalation, raised toward just below the hard priority
/// by the compliance strength (which weakens with each repeat on the pair).
pub fn compliance_priority(
    params: &EscalationParams,
    base: f64,
    member: &MembershipState,
    week: i32,
) -> f64 {
    if week <= member.compliance_until {
        let top = params.hard_priority - 0.01;
        base + member.compliance_strength * (top - base).max(0.0)
    } else {
        base
    }
}

/// The insecurity a leader gained from being escalated against fades back.
pub fn fade(params: &EscalationParams, leader: &mut LeaderState) {
    leader.insecurity_extra *= 1.0 - params.insecurity_fade;
}

pub fn escalate(world: &World, params: &EscalationParams, state: &mut State) {
    let week = state.week;
    for (index, rel) in world.relationships.iter().enumerate() {
        let view = &state.relationships[index];
        if !view.in_episode
            || view.frustration <= params.threshold
            || week < view.escalation_allowed_from
        {
            continue;
        }
        let repeats = view.escalations;
        let observer = rel.observer.0 as usize;
        let actor = rel.actor.0 as usize;

        let view = &mut state.relationships[index];
        view.escalations += 1;
        view.escalation_allowed_from = week + params.cooldown_weeks as i32;
        view.frustration *= 1.0 - params.relief;

        let resentment = &mut state.relationships[rel.reverse as usize];
        resentment.trust *= params.target_trust_factor;
        resentment.frustration += params.target_frustration;
        let reverse_link = world.relationships[rel.reverse as usize].link;
        state.links[reverse_link as usize].mirror(resentment);
        state.leaders[actor].insecurity_extra =
            (state.leaders[actor].insecurity_extra + params.target_insecurity).min(1.0);

        let strength = params.repeat_factor.powi(repeats as i32);
        for &membership in &world.leaders[actor].memberships {
            if world.sees(rel, world.memberships[membership as usize].project) {
                let member = &mut state.memberships[membership as usize];
                member.compliance_until = week + params.compliance_weeks as i32;
                member.compliance_strength = strength;
            }
        }

        state.leaders[observer].escalation_hours += params.complainer_hours;
        state.leaders[actor].escalation_hours += params.target_hours;
        state.manager_escalation[rel.common_manager.0 as usize] += params.manager_hours;
        state.escalations += 1;
    }
}
