//! Connection-first: a non-work 1:1 between each pair that shares a project.
//! It moves trust toward 1 and makes each side more willing to tell the other
//! about their work (and, in the 1:1 itself, does). Pairs whose trusts both
//! reach `coordinate_trust` coordinate until either falls below `stop_trust`:
//! each week a coordinating peer proposes cutting the member's commitment to
//! what the member's own queue leaves room for, by a share that ramps from
//! nothing at `stop_trust` to the whole gap at `coordinate_trust` (DESIGN.md
//! section 4). Deferred hours go to the project's backlog, and delivery is
//! always measured against the original plan.

use crate::engine::{LeaderParts, LeaderWeek, queue_priority, tell};
use crate::model::{QueueEntry, Scratch, SlotBits, State, World};
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
/// when either falls below `stop_trust` (hysteresis, like episodes). Runs at
/// the start of the week, after the week's 1:1s and before commitments.
pub fn update_coordination(world: &World, params: &ConnectionParams, state: &mut State) {
    for (pair, &[a, b]) in world.pairs.iter().enumerate() {
        let trust_a = state.relationships[a as usize].trust;
        let trust_b = state.relationships[b as usize].trust;
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

/// How much of the gap between plan and feasible hours a coordinating pair
/// cuts, from the lower of their two trusts: nothing at `stop_trust`, all of
/// it once both reach `coordinate_trust`, linear in between.
pub fn ramp(params: &ConnectionParams, mutual_trust: f64) -> f64 {
    let span = params.coordinate_trust - params.stop_trust;
    if span <= 0.0 {
        return if mutual_trust >= params.coordinate_trust {
            1.0
        } else {
            0.0
        };
    }
    ((mutual_trust - params.stop_trust) / span).clamp(0.0, 1.0)
}

/// The hours a member agrees to deliver this week out of the `planned` hours.
/// Each coordinating peer proposes `planned - ramp x max(0, planned -
/// feasible)`, where `feasible` is what the member's own queue leaves room
/// for (see [`feasible_hours`]); a peer who does not coordinate proposes the
/// whole plan. The member takes the mean proposal over the project's peers.
pub fn renegotiate(
    context: &LeaderWeek,
    connection: &Connection,
    parts: &LeaderParts,
    position: usize,
    planned: f64,
) -> f64 {
    let world = context.world;
    let membership = parts.info.memberships[position] as usize;
    let observed_in = &world.memberships[membership].observed_in;
    if observed_in.is_empty() || context.week < connection.start_week as i32 {
        return planned;
    }
    let params = &connection.params;
    // What the member brings to the conversation is the same for every peer.
    let mut feasible = None;
    let mut agreed_sum = 0.0;
    for &relationship in observed_in {
        let rel = &world.relationships[relationship as usize];
        if !context.coordinating[rel.pair as usize] {
            agreed_sum += planned;
            continue;
        }
        // The peer's trust in this leader, and this leader's in the peer.
        let mutual = parts.links[rel.observer_slot as usize]
            .trust()
            .min(context.relationships[rel.reverse as usize].trust);
        let feasible =
            *feasible.get_or_insert_with(|| feasible_hours(context, params, parts, position));
        let cut = ramp(params, mutual) * (planned - feasible).max(0.0);
        agreed_sum += planned - cut;
    }
    agreed_sum / observed_in.len() as f64
}

/// The hours of the commitment at `position` the member can expect to
/// deliver, from their own knowledge of their own queue: expected capacity
/// less the buffer, less last week's lost hours, less the hours of their
/// open work queued ahead of the commitment (before any of this week's
/// commitments and arrivals), floored at 0.
pub fn feasible_hours(
    context: &LeaderWeek,
    params: &ConnectionParams,
    parts: &LeaderParts,
    position: usize,
) -> f64 {
    let info = parts.info;
    let leader = &*parts.leader;
    let week = context.week;
    let ageing = context.params.team.ageing_per_week;
    // The commitment would be the newest item, due this week.
    let commitment_key =
        QueueEntry::key(leader.commitments[position].priority, week, leader.next_id);
    let mut ahead = 0.0;
    leader.slots.for_each(SlotBits::OPEN, |slot| {
        let item = &leader.items[slot];
        let priority = queue_priority(item, info, &leader.commitments, week, ageing);
        if QueueEntry::key(priority, item.due_week, item.id) < commitment_key {
            ahead += item.remaining;
        }
    });
    (info.capacity_hours * (1.0 - params.buffer) - leader.lost_last_week - ahead).max(0.0)
}
