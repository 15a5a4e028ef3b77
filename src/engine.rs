//! The weekly step (DESIGN.md section 3). Pure: it reads and writes the
//! [`State`] it is given, draws only from the state's own streams, does no I/O
//! and cannot fail.
//!
//! Each phase reads what the previous phase left, in this order: scheduled
//! interventions, arrivals and commitments, work, delivery, disclosure,
//! attribution, conflict, triggered interventions, and the end of the week
//! (closing items, hours lost for next week).

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use crate::interventions;
use crate::model::{
    CONTEXT, DATA, Item, MembershipState, NO_SLOT, PRIVATE, QueueEntry, State, UNKNOWN, World,
};
use crate::scenario::{Arm, Params};

/// Hours below this count as done (floating-point dust from partial work).
const DONE_EPSILON: f64 = 1e-9;

/// Simulates one week of one arm.
pub fn step(world: &World, params: &Params, arm: &Arm, state: &mut State) {
    begin_week(state, arm);
    interventions::scheduled(world, params, arm, state);
    arrivals(world, params, state);
    commitments(world, params, arm, state);
    work(params, state);
    delivery(world, state);
    disclosure(world, params, state);
    attribution(world, params, state);
    conflict(world, params, state);
    interventions::triggered(world, arm, state);
}

/// Ends the week: closes finished items and turns this week's lost hours into
/// next week's lost capacity. Call after the week's metrics are recorded.
pub fn end_week(world: &World, params: &Params, state: &mut State) {
    for (info, leader) in world.leaders.iter().zip(&mut state.leaders) {
        let observers = info.observed_by.len();
        for slot in 0..leader.items.len() {
            let item = &mut leader.items[slot];
            if item.live && item.remaining <= DONE_EPSILON {
                item.live = false;
                leader.known[slot * observers..(slot + 1) * observers].fill(UNKNOWN);
                leader.free_slots.push(slot as u32);
            }
        }
        let team_spillover =
            info.team_size * params.conflict.spillover_hours_per_hour * leader.conflict_hours;
        leader.lost_last_week =
            leader.conflict_hours + leader.meeting_hours + leader.escalation_hours + team_spillover;
    }
    state.week += 1;
}

fn begin_week(state: &mut State, arm: &Arm) {
    let fade = arm
        .escalation
        .as_ref()
        .map_or(0.0, |e| e.params.insecurity_fade);
    for leader in &mut state.leaders {
        leader.conflict_hours = 0.0;
        leader.meeting_hours = 0.0;
        leader.escalation_hours = 0.0;
        leader.worked = 0.0;
        leader.insecurity_extra *= 1.0 - fade;
        for item in leader.items.iter_mut().filter(|item| item.live) {
            item.worked = 0.0;
        }
    }
    for relationship in &mut state.relationships {
        relationship.owed = 0.0;
        relationship.missed = 0.0;
        relationship.unowned = 0.0;
        relationship.unexplained = 0.0;
    }
    state.manager_hearing.fill(0.0);
    state.manager_escalation.fill(0.0);
    state.onsets = 0;
    state.escalations = 0;
    state.disclosures = 0;
    state.on_time = 0.0;
    state.planned = 0.0;
    state.delivered = 0.0;
}

/// Draws one week of private arrivals for every leader into its queue.
pub fn draw_private_arrivals(world: &World, state: &mut State, arrival_week: i32) {
    for (info, leader) in world.leaders.iter().zip(&mut state.leaders) {
        let observers = info.observed_by.len();
        for stream in &info.arrivals {
            let Some(count) = &stream.count else { continue };
            let n = count.sample(&mut leader.arrivals_rng) as u64;
            for _ in 0..n {
                let effort = stream.effort.sample(&mut leader.arrivals_rng);
                let jitter = leader.arrivals_rng.random::<f64>() * 2.0 - 1.0;
                let due = leader
                    .arrivals_rng
                    .random_range(stream.due_weeks_min..=stream.due_weeks_max);
                let item = Item {
                    id: 0,
                    remaining: effort,
                    worked: 0.0,
                    priority: stream.priority + jitter * stream.priority_jitter,
                    due_week: arrival_week + due as i32,
                    project: PRIVATE,
                    membership: 0,
                    live: true,
                };
                leader.push_item(item, observers);
            }
        }
    }
}

/// Fills every queue with the private work of `weeks` weeks before the first
/// simulated week: the long queue a leader already has.
pub fn seed_backlog(world: &World, params: &Params, state: &mut State) {
    let weeks = params.team.initial_backlog_weeks.round() as i32;
    for before in (1..=weeks).rev() {
        draw_private_arrivals(world, state, state.week - before);
    }
}

fn arrivals(world: &World, params: &Params, state: &mut State) {
    draw_private_arrivals(world, state, state.week);
    // Capacity noise and unclear ownership are workload, drawn every week from
    // workload streams whatever the arm does, so arms stay paired.
    for (info, leader) in world.leaders.iter().zip(&mut state.leaders) {
        let noise: f64 = leader.arrivals_rng.sample(StandardNormal);
        let gross = info.capacity_hours * (1.0 + params.team.capacity_noise_sd * noise);
        leader.capacity = (gross - leader.lost_last_week).max(0.0);
    }
    for (project, rng) in state.ambiguity_rngs.iter_mut().enumerate() {
        let draw = rng.random::<f64>();
        state.ambiguous[project] = draw < state.ambiguity[project];
    }
}

/// Pushes this week's shared commitments onto each member's queue.
fn commitments(world: &World, params: &Params, arm: &Arm, state: &mut State) {
    for (index, membership) in world.memberships.iter().enumerate() {
        let project = membership.project as usize;
        let (start, end) = world.project_weeks[project];
        let member = &mut state.memberships[index];
        member.item_slot = NO_SLOT;
        member.planned = 0.0;
        member.agreed = 0.0;
        member.pushed = 0.0;
        member.priority = compliance_priority(membership.priority, member, state.week, arm);
        if state.week < start || state.week > end {
            continue;
        }
        member.planned = membership.hours_per_week;
    }
    // Renegotiation reads the queues as they are before this week's commitments.
    for index in 0..world.memberships.len() {
        let target = state.memberships[index].planned + state.memberships[index].deferred;
        if state.memberships[index].planned <= 0.0 {
            continue;
        }
        let agreed = match &arm.connection {
            Some(connection) => interventions::connection::renegotiate(
                world, params, connection, state, index, target,
            ),
            None => target,
        };
        let member = &mut state.memberships[index];
        member.deferred = (target - agreed).max(0.0);
        member.agreed = agreed;
    }
    for (index, membership) in world.memberships.iter().enumerate() {
        let member = &mut state.memberships[index];
        if member.planned <= 0.0 {
            continue;
        }
        let project = membership.project as usize;
        let unowned = if state.ambiguous[project] {
            member.agreed * world.project_unowned_share[project]
        } else {
            0.0
        };
        // Nobody schedules the unowned part; it stays owed to the project and,
        // once its miss is noticed, is committed again the next week.
        member.deferred += unowned;
        member.pushed = member.agreed - unowned;
        let leader = membership.leader.0 as usize;
        let observers = world.leaders[leader].observed_by.len();
        member.item_slot = state.leaders[leader].push_item(
            Item {
                id: 0,
                remaining: member.pushed,
                worked: 0.0,
                priority: membership.priority,
                due_week: state.week,
                project: membership.project,
                membership: index as u32,
                live: true,
            },
            observers,
        );
    }
}

/// The priority a member gives the project this week: its own, or raised
/// toward the hard priority while complying after an escalation.
fn compliance_priority(base: f64, member: &MembershipState, week: i32, arm: &Arm) -> f64 {
    match &arm.escalation {
        Some(escalation) if week <= member.compliance_until => {
            let top = escalation.params.hard_priority - 0.01;
            base + member.compliance_strength * (top - base).max(0.0)
        }
        _ => base,
    }
}

/// The item's place in the queue: its priority (a shared commitment takes its
/// membership's, raised while complying) plus ageing when overdue.
#[inline]
pub fn queue_priority(item: &Item, memberships: &[MembershipState], week: i32, ageing: f64) -> f64 {
    let base = if item.project == PRIVATE {
        item.priority
    } else {
        memberships[item.membership as usize].priority
    };
    base + ageing * (week - item.due_week).max(0) as f64
}

fn work(params: &Params, state: &mut State) {
    let week = state.week;
    let ageing = params.team.ageing_per_week;
    let memberships = &state.memberships;
    for leader in &mut state.leaders {
        // Keys are computed once per item, not once per comparison.
        let mut order = std::mem::take(&mut leader.order);
        order.clear();
        order.extend(
            leader
                .items
                .iter()
                .enumerate()
                .filter(|(_, item)| item.live && item.remaining > DONE_EPSILON)
                .map(|(slot, item)| QueueEntry {
                    key: QueueEntry::key(
                        queue_priority(item, memberships, week, ageing),
                        item.due_week,
                        item.id,
                    ),
                    slot: slot as u32,
                }),
        );
        order.sort_unstable_by_key(|entry| entry.key);
        let mut available = leader.capacity;
        for entry in &order {
            if available <= 0.0 {
                break;
            }
            let item = &mut leader.items[entry.slot as usize];
            let hours = item.remaining.min(available);
            item.remaining -= hours;
            item.worked += hours;
            available -= hours;
        }
        leader.worked = leader.capacity - available;
        leader.idle = available;
        leader.order = order;
    }
}

/// Measures this week's shared delivery and tells each observer what they were owed.
fn delivery(world: &World, state: &mut State) {
    for (index, membership) in world.memberships.iter().enumerate() {
        let leader = &state.leaders[membership.leader.0 as usize];
        let member = &state.memberships[index];
        if member.item_slot == NO_SLOT {
            continue;
        }
        let item = &leader.items[member.item_slot as usize];
        let delivered = member.pushed - item.remaining;
        let unowned = member.agreed - member.pushed;
        state.planned += member.planned;
        state.on_time += delivered.min(member.planned);
        for &relationship in &membership.observed_in {
            let view = &mut state.relationships[relationship as usize];
            view.owed += member.agreed;
            view.missed += item.remaining;
            view.unowned += unowned;
        }
    }
    for leader in &state.leaders {
        state.delivered += leader
            .items
            .iter()
            .filter(|item| item.live && item.project != PRIVATE)
            .map(|item| item.worked)
            .sum::<f64>();
    }
    if state.week >= 1 {
        state.planned_cumulative += state.planned;
        state.delivered_cumulative += state.delivered;
    }
}

/// Each leader tells each peer about open work the peer cannot see, with a
/// probability that rises with trust in the peer and falls with insecurity.
fn disclosure(world: &World, params: &Params, state: &mut State) {
    for relationship in 0..world.relationships.len() {
        disclose(world, params, state, relationship);
    }
}

/// One round of disclosure from a relationship's actor to its observer:
/// each open item the observer cannot see, and does not already know as
/// context, is told with probability
/// `clamp((d + boost + k_trust * trust_in_observer) * (1 - insecurity))`.
pub fn disclose(world: &World, params: &Params, state: &mut State, relationship: usize) {
    let rel = &world.relationships[relationship];
    let actor = rel.actor.0 as usize;
    let info = &world.leaders[actor];
    let observers = info.observed_by.len();
    let insecurity = state.leaders[actor].insecurity(info);
    let trust_in_observer = state.relationships[rel.reverse as usize].trust;
    let boost = state.relationships[relationship].disclosure_boost;
    let probability = ((info.disclosure + boost + params.disclosure.k_trust * trust_in_observer)
        * (1.0 - insecurity))
        .clamp(0.0, 1.0);
    if probability <= 0.0 {
        return;
    }
    let leader = &mut state.leaders[actor];
    for slot in 0..leader.items.len() {
        let item = &leader.items[slot];
        let byte = slot * observers + rel.observer_slot as usize;
        if !item.live || rel.sees(item.project) || leader.known[byte] == CONTEXT {
            continue;
        }
        if leader.disclosure_rng.random::<f64>() < probability {
            leader.known[byte] = CONTEXT;
            state.disclosures += 1;
        }
    }
}

/// Credit an observer gives what they know, by channel.
#[inline]
fn credit(channel: u8, context_credit: f64, data_credit: f64) -> f64 {
    match channel {
        CONTEXT => context_credit,
        DATA => data_credit,
        _ => 0.0,
    }
}

/// The share of the actor's hidden work this week the observer can explain,
/// weighted by how much the observer credits what they know.
pub fn explained_share(world: &World, params: &Params, state: &State, relationship: usize) -> f64 {
    let rel = &world.relationships[relationship];
    let trust = state.relationships[relationship].trust;
    let context_credit = trust.powf(params.disclosure.context_exponent);
    let data_credit = trust.powf(params.disclosure.data_exponent);
    let actor = &state.leaders[rel.actor.0 as usize];
    let observers = world.leaders[rel.actor.0 as usize].observed_by.len();
    let (mut hidden_hours, mut credited_hours) = (0.0, 0.0);
    for (slot, item) in actor.items.iter().enumerate() {
        if !item.live || item.worked <= 0.0 || rel.sees(item.project) {
            continue;
        }
        hidden_hours += item.worked;
        let channel = actor.known[slot * observers + rel.observer_slot as usize];
        credited_hours += item.worked * credit(channel, context_credit, data_credit);
    }
    if hidden_hours > 0.0 {
        credited_hours / hidden_hours
    } else if actor.worked > 0.0 {
        // Every hour went to work the observer can see (usually this project's
        // own overdue backlog): the observer saw where the time went.
        1.0
    } else {
        // No hours at all (lost to conflict and meetings): nothing to explain it.
        0.0
    }
}

/// Misses the observer cannot explain become frustration and cost trust;
/// kept or explained commitments rebuild trust.
fn attribution(world: &World, params: &Params, state: &mut State) {
    let p = &params.attribution;
    for relationship in 0..world.relationships.len() {
        let owed = state.relationships[relationship].owed;
        if owed <= 0.0 {
            continue;
        }
        let explained = if state.relationships[relationship].missed > 0.0 {
            explained_share(world, params, state, relationship)
        } else {
            0.0
        };
        let rel = &world.relationships[relationship];
        let observer_info = &world.leaders[rel.observer.0 as usize];
        let observer_insecurity = state.leaders[rel.observer.0 as usize].insecurity(observer_info);
        let view = &mut state.relationships[relationship];
        // Unowned work is not excused by load: the observer thinks it was simply dropped.
        let unexplained = (view.missed * (1.0 - explained) + view.unowned).min(owed);
        let share = unexplained / owed;
        view.unexplained = unexplained;
        view.frustration = (1.0 - p.decay) * view.frustration
            + p.alpha
                * share
                * (1.0 + p.blame_insecurity * observer_insecurity)
                * (1.0 - p.rho * view.trust)
                * (1.0 - p.support_damp * observer_info.support);
        let trust = view.trust;
        view.trust = (trust - p.lambda_loss * trust * share
            + p.lambda_gain * (1.0 - trust) * (1.0 - share))
            .clamp(0.0, 1.0);
    }
    // Frustration fades in weeks with nothing owed, too.
    for view in state
        .relationships
        .iter_mut()
        .filter(|view| view.owed <= 0.0)
    {
        view.frustration *= 1.0 - p.decay;
    }
}

/// Frustration becomes hours: the observer's complaints, the actor's replies,
/// the observer's manager listening. Episodes start and end with hysteresis.
fn conflict(world: &World, params: &Params, state: &mut State) {
    let c = &params.conflict;
    for (index, rel) in world.relationships.iter().enumerate() {
        let view = &mut state.relationships[index];
        let hours = c.max_hours * (1.0 - (-view.frustration / c.half_frustration).exp());
        let observer = rel.observer.0 as usize;
        let actor = rel.actor.0 as usize;
        if !view.in_episode && view.frustration >= c.episode_onset {
            view.in_episode = true;
            state.onsets += 1;
        } else if view.in_episode && view.frustration < c.episode_offset {
            view.in_episode = false;
        }
        let in_episode = view.in_episode;
        state.leaders[observer].conflict_hours += hours;
        state.leaders[actor].conflict_hours += c.reply_share * hours;
        state.manager_hearing[world.leaders[observer].manager.0 as usize] +=
            c.manager_share * hours;
        if in_episode && (1..=52).contains(&state.week) {
            state.leaders[observer].touched = true;
            state.leaders[actor].touched = true;
        }
    }
}
