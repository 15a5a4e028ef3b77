//! Connection-first: a non-work 1:1 between each pair that shares a project.
//! It moves trust toward 1 and makes each side more willing to tell the other
//! about their work (and, in the 1:1 itself, does). Pairs whose mutual trust passes a threshold start
//! coordinating: each week they renegotiate shared commitments toward what
//! their known loads make feasible. Deferred hours stay owed to the project;
//! delivery is always measured against the original plan.

use crate::engine::{LeaderParts, LeaderWeek, queue_priority, tell};
use crate::model::{Scratch, SlotBits, State, World};
use crate::scenario::{Connection, ConnectionParams};

/// Each pair's 1:1, for the organisation: trust closes part of its gap to 1,
/// and each side becomes more willing to tell the other about their work.
pub fn warm_pairs(world: &World, params: &ConnectionParams, state: &mut State) {
    for pair in &world.pairs {
        for &relationship in pair {
            let view = &mut state.relationships[relationship as usize];
            view.trust += params.trust_gain * (1.0 - view.trust);
            view.disclosure_boost = (view.disclosure_boost + params.disclosure_gain).min(1.0);
            let link = world.relationships[relationship as usize].link;
            state.links[link as usize].mirror(view);
        }
    }
}

/// One leader's 1:1s, after [`warm_pairs`]: an hour or so with each peer and,
/// talking, telling each peer about their open work once, at that new
/// willingness (context). Peers are met in pair order, which for one leader
/// is the order of their peers.
pub fn attend_one_to_ones(
    context: &LeaderWeek,
    params: &ConnectionParams,
    parts: &mut LeaderParts,
    scratch: &mut Scratch,
) {
    for _ in parts.info.observing.clone() {
        parts.leader.meeting_hours += params.hours;
    }
    tell(context, parts, scratch);
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
    context: &LeaderWeek,
    connection: &Connection,
    parts: &LeaderParts,
    position: usize,
    target: f64,
) -> f64 {
    let world = context.world;
    let membership = parts.info.memberships[position] as usize;
    let observed_in = &world.memberships[membership].observed_in;
    if observed_in.is_empty() || context.week < connection.start_week as i32 {
        return target;
    }
    let info = parts.info;
    let leader = &*parts.leader;
    let expected_capacity =
        (info.capacity_hours * (1.0 - connection.params.buffer) - leader.lost_last_week).max(0.0);
    let ageing = context.params.team.ageing_per_week;
    let own_priority = leader.commitments[position].priority;
    let mut agreed_sum = 0.0;
    for &relationship in observed_in {
        let rel = &world.relationships[relationship as usize];
        if !context.coordinating[rel.pair as usize] {
            agreed_sum += target;
            continue;
        }
        let observer_slot = rel.observer_slot as usize;
        // Work the peer knows about (or shares) that outranks this commitment.
        let mut outranking = 0.0;
        for slot in leader.slots.iter(SlotBits::LIVE) {
            let item = &leader.items[slot];
            if item.remaining <= 0.0 {
                continue;
            }
            let priority = queue_priority(item, info, &leader.commitments, context.week, ageing);
            // Seen, told or listed: the item is not in the peer's unknown set.
            let known = !leader.slots.get(SlotBits::unknown(observer_slot), slot);
            if known && priority > own_priority {
                outranking += item.remaining;
            }
        }
        let feasible = (expected_capacity - outranking).max(0.0);
        // The peer's trust in this leader, and this leader's in the peer.
        let mutual = parts.links[observer_slot]
            .trust()
            .min(context.relationships[rel.reverse as usize].trust);
        let cut = mutual * (target - feasible).max(0.0);
        agreed_sum += target - cut;
    }
    agreed_sum / observed_in.len() as f64
}
