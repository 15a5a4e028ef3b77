//! Connection-first: a non-work 1:1 between each pair that shares a project.
//! It moves trust toward 1 and makes each side more willing to tell the other
//! about their work (and, in the 1:1 itself, does). Pairs whose mutual trust passes a threshold start
//! coordinating: each week they renegotiate shared commitments toward what
//! their known loads make feasible. Deferred hours stay owed to the project;
//! delivery is always measured against the original plan.

use crate::model::{State, World};
use crate::scenario::{Connection, ConnectionParams, Params};

/// Each pair's 1:1: trust closes part of its gap to 1, each side becomes more
/// willing to tell the other about their work, and, talking, each side tells
/// the other about their open work once, at that new willingness (context).
pub fn one_to_ones(world: &World, model: &Params, params: &ConnectionParams, state: &mut State) {
    for pair in &world.pairs {
        for &relationship in pair {
            let view = &mut state.relationships[relationship as usize];
            view.trust += params.trust_gain * (1.0 - view.trust);
            view.disclosure_boost = (view.disclosure_boost + params.disclosure_gain).min(1.0);
            let observer = world.relationships[relationship as usize].observer.0 as usize;
            state.leaders[observer].meeting_hours += params.hours;
        }
        for &relationship in pair {
            crate::engine::disclose(world, model, state, relationship as usize);
        }
    }
}

/// Starts coordination when both trusts reach `coordinate_trust`, stops it
/// when either falls below `stop_trust` (hysteresis, like episodes).
pub fn update_coordination(world: &World, params: &ConnectionParams, state: &mut State) {
    for (pair, [a, b]) in world.pairs.iter().enumerate() {
        let trust_a = state.relationships[*a as usize].trust;
        let trust_b = state.relationships[*b as usize].trust;
        let coordinating = &mut state.coordinating[pair];
        if !*coordinating
            && trust_a >= params.coordinate_trust
            && trust_b >= params.coordinate_trust
        {
            *coordinating = true;
        } else if *coordinating && (trust_a < params.stop_trust || trust_b < params.stop_trust) {
            *coordinating = false;
        }
    }
}

/// The hours a member agrees to deliver this week, out of `target` (planned
/// plus deferred). Each coordinating peer proposes cutting the commitment to
/// what the member's load, as the peer knows it, leaves room for, and more
/// fully the higher their mutual trust; the member takes the mean proposal
/// over all peers in the project (a peer who does not coordinate proposes no
/// cut and holds the member to the whole target).
pub fn renegotiate(
    world: &World,
    params: &Params,
    connection: &Connection,
    state: &State,
    membership: usize,
    target: f64,
) -> f64 {
    let observed_in = &world.memberships[membership].observed_in;
    if observed_in.is_empty() || state.week < connection.start_week as i32 {
        return target;
    }
    let info = &world.memberships[membership];
    let leader = info.leader.0 as usize;
    let leader_state = &state.leaders[leader];
    let observers = world.leaders[leader].observed_by.len();
    let expected_capacity = (world.leaders[leader].capacity_hours
        * (1.0 - connection.params.buffer)
        - leader_state.lost_last_week)
        .max(0.0);
    let ageing = params.team.ageing_per_week;
    let mut agreed_sum = 0.0;
    for &relationship in observed_in {
        let rel = &world.relationships[relationship as usize];
        if !state.coordinating[rel.pair as usize] {
            agreed_sum += target;
            continue;
        }
        // Work the peer knows about (or shares) that outranks this commitment.
        let mut outranking = 0.0;
        for (slot, item) in leader_state.items.iter().enumerate() {
            if !item.live || item.remaining <= 0.0 {
                continue;
            }
            let priority =
                crate::engine::queue_priority(item, &state.memberships, state.week, ageing);
            let known = rel.sees(item.project)
                || leader_state.known[slot * observers + rel.observer_slot as usize]
                    != crate::model::UNKNOWN;
            if known && priority > state.memberships[membership].priority {
                outranking += item.remaining;
            }
        }
        let feasible = (expected_capacity - outranking).max(0.0);
        let mutual = state.relationships[relationship as usize]
            .trust
            .min(state.relationships[rel.reverse as usize].trust);
        let cut = mutual * (target - feasible).max(0.0);
        agreed_sum += target - cut;
    }
    agreed_sum / observed_in.len() as f64
}
