//! The weekly step (DESIGN.md section 3). Pure: it reads and writes the
//! [`State`] it is given, draws only from the state's own streams, does no I/O
//! and cannot fail.
//!
//! Each phase reads what the previous phase left, in this order: scheduled
//! interventions, each pair's coordination status, commitments, arrivals,
//! work (with triage), delivery, disclosure, attribution, conflict, triggered
//! interventions. The engine names no intervention: it calls the hooks of
//! [`crate::interventions`], which dispatch to each intervention's own file.
//!
//! The week runs in passes. Each pass writes only its own elements and reads
//! only what earlier passes left, so its elements can be done in any order,
//! or at once:
//!
//! 1. organisation-wide preparation (cheap): the scheduled interventions'
//!    effects on the organisation (ownership clarified, trust warmed by
//!    1:1s, then which pairs coordinate), unclear ownership drawn per project;
//! 2. the **leader pass**, one leader at a time: last week's finished items
//!    close, what the leader does in this week's meetings and 1:1s, this
//!    week's commitments (renegotiated through the hooks; deferred and
//!    unowned hours to the project's backlog item), private arrivals and
//!    capacity, triage and work, disclosure to each peer, and, for each peer,
//!    what the peer was owed and how much of a miss the peer can explain
//!    (written to the leader's [`Link`]s). It reads only the leader's own
//!    queue, streams and links, and trust that no leader changes during the
//!    pass;
//! 3. commitments settled into the memberships, and delivery totals;
//! 4. the **relationship pass**, one relationship at a time: attribution and
//!    the observer's conflict hours, from the actor's link;
//! 5. each leader's conflict hours, summed over their relationships in
//!    relationship order, and the managers' share;
//! 6. triggered interventions (escalation runs in relationship order, since
//!    each escalation changes the other side of the pair).
//!
//! Organisations of at least [`PARALLEL_LEADERS`] leaders run passes 2 to 5
//! with rayon. Every sum across leaders or relationships is added up in index
//! order after the parallel part, so results are the same bytes on any number
//! of threads.

use std::cell::RefCell;

use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use crate::interventions::{self, Scheduled};
use crate::model::{
    CONTEXT, Commitment, DATA, DONE_EPSILON, Item, LeaderInfo, LeaderState, Link, MembershipState,
    NO_SLOT, PRIVATE, QueueEntry, RelationshipState, Scratch, SlotBits, State, Worked, World,
};
use crate::scenario::{Arm, Params, TriageParams};

pub use crate::scenario::size::PARALLEL_LEADERS;

/// Fewest leaders a parallel task takes on.
const MIN_TASK: usize = 32;

/// Items put in order at a time when working down a queue.
const QUEUE_ROUND: usize = 16;

/// How many relationships ahead the relationship pass asks for the actor's
/// link, so that it arrives from memory before it is needed.
const LINK_AHEAD: usize = 8;

/// Most bytes asked for at once: a long queue's first lines are enough for
/// the processor to see the rest coming.
const PREFETCH_MOST: usize = 4096;

/// Asks the processor to bring the cache lines of the first `bytes` bytes
/// from `start` (at most [`PREFETCH_MOST`]) closer, without waiting for
/// them: a hint that changes no result.
#[inline(always)]
fn prefetch_bytes(start: *const u8, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        if bytes == 0 {
            return;
        }
        let misalignment = start as usize % 64;
        let first_line = start.wrapping_sub(misalignment);
        let end = misalignment + bytes.min(PREFETCH_MOST);
        for offset in (0..end).step_by(64) {
            // SAFETY: a prefetch reads nothing and cannot fault, whatever the
            // address; SSE is part of every x86_64 target.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(first_line.wrapping_add(offset).cast()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (start, bytes);
}

/// [`prefetch_bytes`] for one value.
#[inline(always)]
fn prefetch<T>(value: &T) {
    prefetch_bytes((value as *const T).cast(), size_of::<T>());
}

/// [`prefetch_bytes`] for a slice.
#[inline(always)]
fn prefetch_slice<T>(values: &[T]) {
    prefetch_bytes(values.as_ptr().cast(), size_of_val(values));
}

/// [`prefetch_bytes`] for the first items of a vector's room, used or not
/// (a vector emptied and filled again each week).
#[inline(always)]
fn prefetch_room<T>(values: &Vec<T>) {
    prefetch_bytes(
        values.as_ptr().cast(),
        (values.capacity() * size_of::<T>()).min(256),
    );
}

/// Asks for what a leader's week reads first, while the previous leader's
/// week runs: the state of the leader's memberships, the leader's own state,
/// bit sets, queue, free slots, list of worked items and links, and their
/// plans and arrival streams.
fn prefetch_leader(info: &LeaderInfo, leader: &LeaderState, links: &[Link], context: &LeaderWeek) {
    for &membership in &info.memberships {
        prefetch(&context.memberships[membership as usize]);
    }
    prefetch(leader);
    prefetch_slice(leader.slots.words());
    prefetch_slice(&leader.items);
    prefetch_slice(&leader.commitments);
    // Written before they are read: what capacity they have, not their length.
    prefetch_room(&leader.free_slots);
    prefetch_room(&leader.worked_items);
    prefetch_slice(links);
    prefetch_slice(&info.arrivals);
    prefetch_slice(&info.own);
}

thread_local! {
    /// The leader pass's buffers, one set per thread.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Simulates one week of one arm.
pub fn step(world: &World, params: &Params, arm: &Arm, state: &mut State) {
    begin_week(state);
    let scheduled = interventions::scheduled(world, arm, state);
    draw_ambiguity(state);
    leader_pass(world, params, arm, &scheduled, state);
    settle_commitments(world, state);
    relationship_pass(world, params, state);
    gather_conflict(world, params, state);
    interventions::triggered(world, arm, state);
    state.started = true;
}

/// Ends the week. Its finished items close, and its lost hours become the
/// next week's lost capacity, when the next week starts (in its leader pass,
/// so that each queue is visited once a week).
pub fn end_week(_world: &World, _params: &Params, state: &mut State) {
    state.week += 1;
}

/// Whether the week's passes run in parallel.
fn parallel(world: &World) -> bool {
    world.leaders.len() >= PARALLEL_LEADERS
}

/// Calls `visit` on each element of `fixed` with the state element of the
/// same index: in parallel (tasks of at least `min_task` elements) when the
/// organisation is large. Each call writes only its own state element.
fn visit_each<A: Sync, B: Send>(
    world: &World,
    fixed: &[A],
    state: &mut [B],
    min_task: usize,
    visit: impl Fn(&A, &mut B) + Sync + Send,
) {
    if parallel(world) {
        fixed
            .par_iter()
            .zip(state.par_iter_mut())
            .with_min_len(min_task)
            .for_each(|(fixed, state)| visit(fixed, state));
    } else {
        fixed
            .iter()
            .zip(state)
            .for_each(|(fixed, state)| visit(fixed, state));
    }
}

fn begin_week(state: &mut State) {
    state.manager_hearing.fill(0.0);
    state.manager_escalation.fill(0.0);
    state.onsets = 0;
    state.escalations = 0;
    state.disclosures = 0;
    state.on_time = 0.0;
    state.planned = 0.0;
    state.delivered = 0.0;
}

/// Unclear ownership is workload: drawn every week from each project's own
/// stream whatever the arm does, so arms stay paired.
fn draw_ambiguity(state: &mut State) {
    for (project, rng) in state.ambiguity_rngs.iter_mut().enumerate() {
        let draw = rng.random::<f64>();
        state.ambiguous[project] = draw < state.ambiguity[project];
    }
}

/// What the leader pass reads and no leader changes during it.
pub struct LeaderWeek<'a> {
    pub world: &'a World,
    pub params: &'a Params,
    pub arm: &'a Arm,
    pub week: i32,
    pub scheduled: &'a Scheduled<'a>,
    pub relationships: &'a [RelationshipState],
    pub memberships: &'a [MembershipState],
    pub ambiguous: &'a [bool],
    pub coordinating: &'a [bool],
    /// Whether a previous week's finished items are waiting to close.
    pub started: bool,
}

/// One leader's part of the leader pass: its state, its links, and its two
/// streams, resumed for the week (and paused again after it).
pub struct LeaderParts<'a> {
    pub info: &'a LeaderInfo,
    pub leader: &'a mut LeaderState,
    pub links: &'a mut [Link],
    pub arrivals: ChaCha8Rng,
    /// Behaviour: triage, then disclosure.
    pub behaviour: ChaCha8Rng,
}

fn leader_pass(
    world: &World,
    params: &Params,
    arm: &Arm,
    scheduled: &Scheduled,
    state: &mut State,
) {
    let State {
        week,
        leaders,
        relationships,
        links,
        memberships,
        ambiguous,
        coordinating,
        started,
        ..
    } = state;
    let context = LeaderWeek {
        world,
        params,
        arm,
        week: *week,
        scheduled,
        relationships,
        memberships,
        ambiguous,
        coordinating,
        started: *started,
    };
    // Large organisations run the pass in parallel and outgrow the caches,
    // so they also ask ahead; small ones stay in the caches, where asking
    // would only cost.
    let large = parallel(world);
    let run = |infos: &[LeaderInfo], leaders: &mut [LeaderState], links: &mut [Link]| {
        SCRATCH.with_borrow_mut(|scratch| {
            let mut links = links;
            for (index, info) in infos.iter().enumerate() {
                let (own, rest) = links.split_at_mut(info.observed_by.len());
                links = rest;
                if large
                    && let (Some(next), Some(next_leader)) =
                        (infos.get(index + 1), leaders.get(index + 1))
                {
                    let next_links = links.get(..next.observed_by.len()).unwrap_or_default();
                    prefetch_leader(next, next_leader, next_links, &context);
                }
                let leader = &mut leaders[index];
                let mut parts = LeaderParts {
                    info,
                    arrivals: leader.arrivals.resume(),
                    behaviour: leader.behaviour.resume(),
                    leader,
                    links: own,
                };
                leader_week(&context, &mut parts, scratch);
                parts.leader.arrivals.pause(&parts.arrivals);
                parts.leader.behaviour.pause(&parts.behaviour);
            }
        });
    };
    if large {
        split_leaders(&world.leaders, leaders, links, &run);
    } else {
        run(&world.leaders, leaders, links);
    }
    state.disclosures = state.leaders.iter().map(|leader| leader.disclosures).sum();
}

/// Runs `run` over contiguous blocks of leaders (with their links) in
/// parallel, splitting in halves down to [`MIN_TASK`] leaders.
fn split_leaders<F>(infos: &[LeaderInfo], leaders: &mut [LeaderState], links: &mut [Link], run: &F)
where
    F: Fn(&[LeaderInfo], &mut [LeaderState], &mut [Link]) + Sync,
{
    if leaders.len() <= MIN_TASK {
        run(infos, leaders, links);
        return;
    }
    let middle = leaders.len() / 2;
    let (left_infos, right_infos) = infos.split_at(middle);
    let (left_leaders, right_leaders) = leaders.split_at_mut(middle);
    let link_split = (right_infos[0].link_start - left_infos[0].link_start) as usize;
    let (left_links, right_links) = links.split_at_mut(link_split);
    rayon::join(
        || split_leaders(left_infos, left_leaders, left_links, run),
        || split_leaders(right_infos, right_leaders, right_links, run),
    );
}

/// Hours a leader's team loses (re-planning, rework, tension) per hour of
/// the leader's conflict: each member loses `spillover_hours_per_hour`.
/// The engine takes them off the team's next week; the metrics count them.
#[inline]
pub fn team_hours_lost_per_conflict_hour(team_size: f64, spillover_hours_per_hour: f64) -> f64 {
    team_size * spillover_hours_per_hour
}

/// One leader's week, up to disclosure, and what their peers need from it.
fn leader_week(context: &LeaderWeek, parts: &mut LeaderParts, scratch: &mut Scratch) {
    let params = context.params;
    let info = parts.info;
    {
        let leader = &mut *parts.leader;
        // Last week ends: its finished items close, its lost hours are this
        // week's lost capacity.
        if context.started {
            leader.close_finished();
        }
        let team_spillover = team_hours_lost_per_conflict_hour(
            info.team_size,
            params.conflict.spillover_hours_per_hour,
        ) * leader.conflict_hours;
        leader.lost_last_week =
            leader.conflict_hours + leader.meeting_hours + leader.escalation_hours + team_spillover;
        begin_leader_week(leader);
        interventions::begin_leader_week(context.arm, leader);
    }
    interventions::attend(context, parts, scratch);
    commit(context, parts);
    let leader = &mut *parts.leader;
    arrive(info, leader, &mut parts.arrivals, context.week);
    let noise: f64 = parts.arrivals.sample(StandardNormal);
    let gross = info.capacity_hours * (1.0 + params.team.capacity_noise_sd * noise);
    leader.capacity = (gross - leader.lost_last_week).max(0.0);
    work(
        context,
        parts.info,
        parts.leader,
        &mut parts.behaviour,
        scratch,
    );
    tell(context, parts, scratch);
    deliver(context, parts);
}

fn begin_leader_week(leader: &mut LeaderState) {
    leader.conflict_hours = 0.0;
    leader.meeting_hours = 0.0;
    leader.escalation_hours = 0.0;
    leader.worked = 0.0;
    leader.dropped = 0.0;
    leader.disclosures = 0;
    leader.worked_items.clear();
}

/// One week of a leader's private arrivals, per workstream: a Poisson count,
/// then each item's effort, priority jitter and due week.
fn arrive(info: &LeaderInfo, leader: &mut LeaderState, rng: &mut ChaCha8Rng, arrival_week: i32) {
    for stream in &info.arrivals {
        let Some(count) = &stream.count else { continue };
        let n = count.sample(rng) as u64;
        for _ in 0..n {
            let effort = stream.effort.sample(rng);
            let jitter = rng.random::<f64>() * 2.0 - 1.0;
            let due = rng.random_range(stream.due_weeks_min..=stream.due_weeks_max);
            let item = Item::private(
                effort,
                stream.priority + jitter * stream.priority_jitter,
                arrival_week + due as i32,
            );
            // Private work is hidden from every peer.
            leader.push_item(item, |_| false);
        }
    }
}

/// Fills every queue with the private work of `weeks` weeks before the first
/// simulated week: the long queue a leader already has. Each leader draws from
/// their own stream, so leaders can fill their queues in any order, or at once.
pub fn seed_backlog(world: &World, params: &Params, state: &mut State) {
    let weeks = params.team.initial_backlog_weeks.round() as i32;
    let first = state.week;
    visit_each(
        world,
        &world.leaders,
        &mut state.leaders,
        MIN_TASK,
        |info, leader| {
            let mut rng = leader.arrivals.resume();
            for before in (1..=weeks).rev() {
                arrive(info, leader, &mut rng, first - before);
            }
            leader.arrivals.pause(&rng);
        },
    );
}

/// Agrees this week's commitments and pushes them onto the queue. The
/// hours of the plan that are not committed (deferred by renegotiation, or
/// owned by nobody this week) go to the membership's backlog item: they are
/// never committed again. Renegotiation reads the queue as it is before any
/// of this week's commitments and arrivals, with every commitment's priority
/// of this week.
fn commit(context: &LeaderWeek, parts: &mut LeaderParts) {
    let world = context.world;
    let info = parts.info;
    let week = context.week;
    for (position, own) in info.own.iter().enumerate() {
        let last = parts.leader.commitments[position];
        let member = &context.memberships[info.memberships[position] as usize];
        let priority = interventions::commitment_priority(context.arm, own.priority, member, week);
        let planned = if (own.start_week..=own.end_week).contains(&week) {
            own.hours_per_week
        } else {
            0.0
        };
        parts.leader.commitments[position] = Commitment {
            planned,
            priority,
            backlog_slot: last.backlog_slot,
            backlog_id: last.backlog_id,
            ..Default::default()
        };
    }
    // Every commitment is agreed on the queue as it stands, before any is pushed.
    for position in 0..info.memberships.len() {
        let planned = parts.leader.commitments[position].planned;
        if planned > 0.0 {
            let agreed = interventions::agree(context, parts, position, planned);
            parts.leader.commitments[position].agreed = agreed.clamp(0.0, planned);
        }
    }
    let leader = &mut *parts.leader;
    for position in 0..info.memberships.len() {
        let commitment = &mut leader.commitments[position];
        if commitment.planned <= 0.0 {
            continue;
        }
        let project = info.projects[position];
        let unowned = if context.ambiguous[project as usize] {
            commitment.agreed * world.project_unowned_share[project as usize]
        } else {
            0.0
        };
        // Nobody schedules the unowned part: it is missed this week, and
        // joins the backlog with the hours deferred.
        commitment.pushed = commitment.agreed - unowned;
        commitment.deferred = commitment.planned - commitment.pushed;
        let (pushed, deferred) = (commitment.pushed, commitment.deferred);
        let seen = |observer_slot| info.peer_sees(observer_slot, position);
        let slot = leader.push_item(Item::shared(pushed, project, week), seen);
        leader.commitments[position].item_slot = slot;
        if deferred > 0.0 {
            add_to_backlog(leader, info, position, deferred);
        }
    }
}

/// Adds hours to the membership's backlog item: one open shared item per
/// member and project, visible to every member, due at the project's end
/// week (DESIGN.md section 5). A backlog that was finished is started anew.
fn add_to_backlog(leader: &mut LeaderState, info: &LeaderInfo, position: usize, hours: f64) {
    let commitment = leader.commitments[position];
    let slot = commitment.backlog_slot as usize;
    let open = commitment.backlog_slot != NO_SLOT
        && leader.is_live(slot)
        && leader.slots.get(SlotBits::OPEN, slot)
        && leader.items[slot].id == commitment.backlog_id;
    if open {
        leader.items[slot].remaining += hours;
        return;
    }
    let project = info.projects[position];
    let item = Item::shared(hours, project, info.own[position].end_week);
    let slot = leader.push_item(item, |observer_slot| {
        info.peer_sees(observer_slot, position)
    });
    let commitment = &mut leader.commitments[position];
    commitment.backlog_slot = slot;
    commitment.backlog_id = leader.items[slot as usize].id;
}

/// The item's place in the queue: its priority (a shared commitment takes its
/// membership's this week, raised while complying) plus ageing when overdue.
#[inline]
pub fn queue_priority(
    item: &Item,
    info: &LeaderInfo,
    commitments: &[Commitment],
    week: i32,
    ageing: f64,
) -> f64 {
    let base = match item.priority() {
        Some(priority) => priority,
        None => commitments[info.position_of(item.project())].priority,
    };
    base + ageing * (week - item.due_week).max(0) as f64
}

/// Whether triage may drop a private item of base `priority` due in
/// `due_week` (DESIGN.md section 5): it is overdue by more than
/// `overdue_weeks` and of base priority below `below_priority`.
#[inline]
fn stale(triage: &TriageParams, priority: f64, due_week: i32, week: i32) -> bool {
    priority < triage.below_priority && week - due_week > triage.overdue_weeks as i32
}

/// Triage, then spends the week's capacity down the queue (highest priority
/// first, then earliest due week, then arrival).
///
/// One pass over the open items does both: each stale private item (see
/// [`stale`]) is dropped or descoped with probability `drop_probability`,
/// one draw from the leader's behaviour stream per such item in slot order;
/// its remaining hours are counted as dropped and it closes when the next
/// week starts. Every other open item gets its queue key, computed once;
/// only as much of the queue is put in order as capacity reaches.
fn work(
    context: &LeaderWeek,
    info: &LeaderInfo,
    leader: &mut LeaderState,
    behaviour: &mut ChaCha8Rng,
    scratch: &mut Scratch,
) {
    let week = context.week;
    let ageing = context.params.team.ageing_per_week;
    let triage = &context.params.triage;
    // The same decision as `random::<f64>() < p` from the same draw (see
    // `tell`); 0 when nothing is ever dropped, and then nothing is drawn.
    let drop_threshold = (triage.drop_probability * (1u64 << 53) as f64).ceil() as u64;
    let order = &mut scratch.order;
    order.clear();
    order.reserve(leader.slots.count(SlotBits::OPEN));
    let LeaderState {
        items,
        slots,
        commitments,
        dropped,
        ..
    } = leader;
    for word_index in 0..slots.n_words() {
        let mut open = slots.word(SlotBits::OPEN, word_index);
        let shared = slots.word(SlotBits::SHARED, word_index);
        let mut gone = 0u64;
        while open != 0 {
            let bit = open.trailing_zeros() as usize;
            open &= open - 1;
            let slot = word_index * 64 + bit;
            let item = &mut items[slot];
            if drop_threshold > 0
                && shared >> bit & 1 == 0
                && item
                    .priority()
                    .is_some_and(|priority| stale(triage, priority, item.due_week, week))
                && behaviour.next_u64() >> 11 < drop_threshold
            {
                *dropped += item.remaining;
                item.remaining = 0.0;
                gone |= 1 << bit;
                continue;
            }
            order.push(QueueEntry {
                key: QueueEntry::key(
                    queue_priority(item, info, commitments, week, ageing),
                    item.due_week,
                    item.id,
                ),
                slot: slot as u32,
            });
        }
        slots.clear_word(SlotBits::OPEN, word_index, gone);
    }
    let mut available = leader.capacity;
    // Capacity usually runs out after a dozen items or so: the queue is put
    // in order a round of QUEUE_ROUND items at a time (a linear-time
    // selection, then a sort of the round), and the rest never is.
    let mut rest = &mut order[..];
    while available > 0.0 && !rest.is_empty() {
        let take = QUEUE_ROUND.min(rest.len());
        if take < rest.len() {
            rest.select_nth_unstable_by_key(take - 1, |entry| entry.key);
        }
        let (round, tail) = rest.split_at_mut(take);
        round.sort_unstable_by_key(|entry| entry.key);
        for entry in round.iter() {
            if available <= 0.0 {
                break;
            }
            let slot = entry.slot as usize;
            let item = &mut leader.items[slot];
            let hours = item.remaining.min(available);
            item.remaining -= hours;
            available -= hours;
            leader.worked_items.push(Worked {
                slot: entry.slot,
                hours,
            });
            if item.remaining <= DONE_EPSILON {
                leader.slots.clear(SlotBits::OPEN, slot);
            }
        }
        rest = tail;
    }
    leader.worked = leader.capacity - available;
    leader.idle = available;
    leader
        .worked_items
        .sort_unstable_by_key(|worked| worked.slot);
}

/// A leader tells each peer about open work the peer cannot see, with a
/// probability that rises with trust in the peer and falls with insecurity.
///
/// Peers are told in the order of `observed_by`, each about the items in slot
/// order: each live item the peer cannot see, and does not already know as
/// context, is told with probability
/// `clamp((d + boost + k_trust * trust_in_observer) * (1 - insecurity))`,
/// one draw from the leader's behaviour stream per item.
pub fn tell(context: &LeaderWeek, parts: &mut LeaderParts, scratch: &mut Scratch) {
    let info = parts.info;
    let leader = &mut *parts.leader;
    let observers = info.observed_by.len();
    let insecurity = leader.insecurity(info);
    let k_trust = context.params.disclosure.k_trust;
    // Each peer's threshold (0: told nothing, no draws), and how many draws
    // the whole round takes, so that they come from the stream in one go.
    let thresholds = &mut scratch.thresholds;
    thresholds.clear();
    let mut wanted = 0;
    for observer_slot in 0..observers {
        let trust_in_observer = context.relationships[info.reverse[observer_slot] as usize].trust;
        let boost = parts.links[observer_slot].boost();
        let probability = ((info.disclosure + boost + k_trust * trust_in_observer)
            * (1.0 - insecurity))
            .clamp(0.0, 1.0);
        if probability <= 0.0 {
            thresholds.push(0);
            continue;
        }
        // `random::<f64>() < p` is `(x >> 11) * 2^-53 < p` for a 64-bit draw
        // x, exactly `(x >> 11) < ceil(p * 2^53)` (scaling by a power of two
        // is exact): the same decision from the same draw, without the float.
        thresholds.push((probability * (1u64 << 53) as f64).ceil() as u64);
        wanted += leader.slots.count(SlotBits::untold(observer_slot));
    }
    if wanted == 0 {
        return;
    }
    // Filling a buffer gives the same numbers as drawing them one by one.
    let draws = &mut scratch.draws;
    if draws.len() < wanted {
        draws.resize(wanted, 0);
    }
    let draws = &mut draws[..wanted];
    parts.behaviour.fill(draws);
    let mut draws = draws.iter();
    for (observer_slot, &threshold) in thresholds.iter().enumerate() {
        if threshold == 0 {
            continue;
        }
        let set = SlotBits::untold(observer_slot);
        for word_index in 0..leader.slots.n_words() {
            let mut word = leader.slots.word(set, word_index);
            if word == 0 {
                continue;
            }
            // Branch-free: whether a peer is told is a coin toss.
            let mut told = 0u64;
            while word != 0 {
                let bit = word.trailing_zeros() as usize;
                word &= word - 1;
                let draw = draws.next().copied().unwrap_or(u64::MAX);
                told |= u64::from(draw >> 11 < threshold) << bit;
            }
            // Told: the peer knows the item as context.
            leader.slots.clear_word(set, word_index, told);
            leader
                .slots
                .clear_word(SlotBits::unknown(observer_slot), word_index, told);
            leader.disclosures += told.count_ones();
        }
    }
}

/// After work and disclosure: hours delivered on shared work, each
/// commitment's undone hours, and for each peer what they were owed, missed
/// and can explain, and (in reported weeks) the open load they can see.
fn deliver(context: &LeaderWeek, parts: &mut LeaderParts) {
    let info = parts.info;
    let leader = &mut *parts.leader;
    let items = &leader.items;
    // Items not worked this week add zero.
    leader.delivered = leader
        .worked_items
        .iter()
        .filter(|worked| items[worked.slot as usize].project() != PRIVATE)
        .map(|worked| worked.hours)
        .sum::<f64>();
    for commitment in &mut leader.commitments {
        if commitment.item_slot != NO_SLOT {
            commitment.undelivered = items[commitment.item_slot as usize].remaining;
        }
    }
    if context.week >= 1 {
        measure_overrun(info, leader, context.week);
    }
    let disclosure = &context.params.disclosure;
    for (observer_slot, link) in parts.links.iter_mut().enumerate() {
        // What the peer was owed: this leader's commitments to projects the
        // peer shares, in membership order.
        let (mut owed, mut missed, mut unowned) = (0.0, 0.0, 0.0);
        for (position, commitment) in leader.commitments.iter().enumerate() {
            if commitment.item_slot == NO_SLOT || !info.peer_sees(observer_slot, position) {
                continue;
            }
            owed += commitment.agreed;
            missed += commitment.undelivered;
            unowned += commitment.agreed - commitment.pushed;
        }
        link.owed = owed;
        link.missed = missed;
        link.unowned = unowned;
        link.explained = if owed > 0.0 && missed > 0.0 {
            explained_share(info, leader, observer_slot, link.trust(), disclosure)
        } else {
            0.0
        };
    }
    if context.week >= 1 {
        measure_loads(leader, parts.links);
    }
}

/// In a project's end week, the member's shared hours of it still open (the
/// backlog and unfinished commitments): the project's overrun.
fn measure_overrun(info: &LeaderInfo, leader: &mut LeaderState, week: i32) {
    for (position, own) in info.own.iter().enumerate() {
        if own.end_week != week {
            continue;
        }
        let project = info.projects[position];
        let mut open = 0.0;
        leader.slots.for_each(SlotBits::SHARED, |slot| {
            if leader.items[slot].project() == project {
                open += leader.items[slot].remaining;
            }
        });
        leader.commitments[position].overrun = open;
    }
}

/// How much of the actor's miss this week the observer at `observer_slot`
/// can explain by where the actor's hours went (DESIGN.md section 5): of
/// every hour the actor worked other than on the commitments the observer
/// judges, the hours on work the observer can see (other shared projects,
/// the project's backlog, overdue shared remainders) count in full, and the
/// hours on hidden items the observer knows about count as far as the
/// observer credits them (`trust` is the observer's trust in the actor).
/// An actor who worked on nothing else has nothing to explain the miss.
fn explained_share(
    info: &LeaderInfo,
    actor: &LeaderState,
    observer_slot: usize,
    trust: f64,
    disclosure: &crate::scenario::DisclosureParams,
) -> f64 {
    // Each credit is computed the first time a channel needs it (pure, so
    // when it is computed does not change it).
    let (mut context_credit, mut data_credit) = (None, None);
    let (mut other_hours, mut credited_hours) = (0.0, 0.0);
    // Only items worked this week have hours to explain, in slot order.
    for worked in &actor.worked_items {
        let slot = worked.slot as usize;
        if worked.hours <= 0.0 {
            continue;
        }
        if let Some(position) = info.seen_position(observer_slot, actor.items[slot].project()) {
            // The commitment being judged explains nothing about itself.
            if actor.commitments[position].item_slot == worked.slot {
                continue;
            }
            other_hours += worked.hours;
            credited_hours += worked.hours;
            continue;
        }
        other_hours += worked.hours;
        // Worked this week, so live; hidden from the observer, as just checked.
        let credit = match actor.hidden_channel(slot, observer_slot) {
            CONTEXT => {
                *context_credit.get_or_insert_with(|| trust.powf(disclosure.context_exponent))
            }
            DATA => *data_credit.get_or_insert_with(|| trust.powf(disclosure.data_exponent)),
            _ => 0.0,
        };
        credited_hours += worked.hours * credit;
    }
    if other_hours > 0.0 {
        credited_hours / other_hours
    } else {
        0.0
    }
}

/// For each peer: the open hours of this leader's work the peer sees or was
/// told about, and all of them. Most of a leader's work is known to each peer,
/// so each peer's load is all the open hours less those of the items the peer
/// does not know about, each sum in slot order. Also lists each live shared
/// item's remaining hours, for the shared backlog.
fn measure_loads(leader: &mut LeaderState, links: &mut [Link]) {
    let items = &leader.items;
    let mut actual = 0.0;
    // Hours are never negative: adding a done item's zero changes nothing.
    leader
        .slots
        .for_each(SlotBits::LIVE, |slot| actual += items[slot].remaining);
    for (observer_slot, link) in links.iter_mut().enumerate() {
        let mut unknown = 0.0;
        leader
            .slots
            .for_each(SlotBits::unknown(observer_slot), |slot| {
                unknown += items[slot].remaining;
            });
        link.believed_load = actual - unknown;
        link.actual_load = actual;
    }
    let shared_remaining = &mut leader.shared_remaining;
    shared_remaining.clear();
    leader.slots.for_each(SlotBits::SHARED, |slot| {
        shared_remaining.push(items[slot].remaining);
    });
}

/// Copies each membership's commitment from its leader's pass and totals
/// this week's shared delivery, in membership and leader order.
fn settle_commitments(world: &World, state: &mut State) {
    let leaders = &state.leaders;
    let settle = |membership: &crate::model::Membership, member: &mut MembershipState| {
        let leader = &leaders[membership.leader.0 as usize];
        let commitment = &leader.commitments[membership.position as usize];
        member.planned = commitment.planned;
        member.priority = commitment.priority;
        member.agreed = commitment.agreed;
        member.deferred = commitment.deferred;
        member.pushed = commitment.pushed;
        member.item_slot = commitment.item_slot;
        member.undelivered = commitment.undelivered;
    };
    visit_each(
        world,
        &world.memberships,
        &mut state.memberships,
        MIN_TASK * 8,
        settle,
    );
    for member in &state.memberships {
        if member.item_slot == NO_SLOT {
            continue;
        }
        let delivered = member.pushed - member.undelivered;
        state.planned += member.planned;
        state.on_time += delivered.min(member.planned);
    }
    for leader in &state.leaders {
        state.delivered += leader.delivered;
    }
    if state.week >= 1 {
        state.planned_cumulative += state.planned;
        state.delivered_cumulative += state.delivered;
        for (project, &(_, end_week)) in world.project_weeks.iter().enumerate() {
            if end_week != state.week {
                continue;
            }
            state.projects_ended += 1;
            for &membership in &world.project_members[project] {
                let membership = &world.memberships[membership as usize];
                let leader = &state.leaders[membership.leader.0 as usize];
                state.overrun_hours += leader.commitments[membership.position as usize].overrun;
            }
        }
    }
}

/// What the relationship pass reads.
struct RelationshipWeek<'a> {
    world: &'a World,
    params: &'a Params,
    week: i32,
    leaders: &'a [LeaderState],
    links: &'a [Link],
    /// Whether the pass runs in parallel and asks for links ahead (large
    /// organisations only).
    ahead: bool,
}

fn relationship_pass(world: &World, params: &Params, state: &mut State) {
    let State {
        week,
        leaders,
        relationships,
        links,
        ..
    } = state;
    let context = RelationshipWeek {
        world,
        params,
        week: *week,
        leaders,
        links,
        ahead: parallel(world),
    };
    let onsets: u32 = if context.ahead {
        relationships
            .par_iter_mut()
            .enumerate()
            .with_min_len(MIN_TASK * 8)
            .map(|(index, view)| relationship_week(&context, index, view))
            .sum()
    } else {
        relationships
            .iter_mut()
            .enumerate()
            .map(|(index, view)| relationship_week(&context, index, view))
            .sum()
    };
    state.onsets = onsets;
}

/// One relationship's week: what the actor owed and missed, how much of it
/// the observer cannot explain, frustration, trust and conflict. Returns 1
/// when an episode starts.
fn relationship_week(
    context: &RelationshipWeek,
    index: usize,
    view: &mut RelationshipState,
) -> u32 {
    let relationships = &context.world.relationships;
    if context.ahead
        && let Some(ahead) = relationships.get(index + LINK_AHEAD)
    {
        prefetch(&context.links[ahead.link as usize]);
    }
    let rel = &relationships[index];
    let link = &context.links[rel.link as usize];
    view.owed = link.owed;
    view.missed = link.missed;
    view.unowned = link.unowned;
    view.unexplained = 0.0;
    attribute(context, index, link.explained, view);
    if context.week >= 1 {
        view.believed_load = link.believed_load;
        view.actual_load = link.actual_load;
    }
    let onset = conflict(context.params, view);
    if context.week >= 1 {
        track_onset(
            context.week,
            view.in_episode,
            &mut view.free_at_week_1,
            &mut view.onset_week,
        );
    }
    link.mirror(view);
    link.set_conflict(view);
    onset
}

/// Onset among the free (DESIGN.md section 6): whether a leader, or an
/// observer toward one peer, was free of an episode in week 1, and the first
/// later week of the first reported year in which they were in one.
#[inline]
fn track_onset(week: i32, in_episode: bool, free_at_week_1: &mut bool, onset_week: &mut i32) {
    if week == 1 {
        *free_at_week_1 = !in_episode;
    } else if week <= 52 && *free_at_week_1 && *onset_week == 0 && in_episode {
        *onset_week = week;
    }
}

/// Misses the observer cannot explain become frustration and cost trust;
/// kept or explained commitments rebuild trust. Frustration fades in weeks
/// with nothing owed, too.
fn attribute(
    context: &RelationshipWeek,
    index: usize,
    explained: f64,
    view: &mut RelationshipState,
) {
    let p = &context.params.attribution;
    let owed = view.owed;
    if owed <= 0.0 {
        view.frustration *= 1.0 - p.decay;
        return;
    }
    let rel = &context.world.relationships[index];
    let observer_info = &context.world.leaders[rel.observer.0 as usize];
    let observer_insecurity = context.leaders[rel.observer.0 as usize].insecurity(observer_info);
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

/// Frustration becomes the observer's hours of complaints and reminders;
/// episodes start and end with hysteresis. Returns 1 when an episode starts.
fn conflict(params: &Params, view: &mut RelationshipState) -> u32 {
    let c = &params.conflict;
    view.conflict_hours = c.max_hours * (1.0 - (-view.frustration / c.half_frustration).exp());
    if !view.in_episode && view.frustration >= c.episode_onset {
        view.in_episode = true;
        return 1;
    } else if view.in_episode && view.frustration < c.episode_offset {
        view.in_episode = false;
    }
    0
}

/// Each leader's conflict hours: their complaints as observer and their
/// replies as actor, summed in relationship order; the managers' share of
/// what observers complain about; who is in an episode, and each leader's
/// conflict hours in the first reported year.
fn gather_conflict(world: &World, params: &Params, state: &mut State) {
    let c = &params.conflict;
    let week = state.week;
    let relationships = &state.relationships;
    let links = &state.links;
    let gather = |info: &LeaderInfo, leader: &mut LeaderState| {
        let own_links = &links[info.link_start as usize..][..info.observed_by.len()];
        let mut as_observer =
            (info.observing.start as usize..info.observing.end as usize).peekable();
        let mut as_actor = info.observed_by.iter().zip(own_links).peekable();
        let mut hours = 0.0;
        let mut in_episode = false;
        // Merge the two ascending lists, so the sum follows relationship order.
        loop {
            let next_observer = as_observer.peek().copied();
            let next_actor = as_actor.peek().map(|&(&r, _)| r as usize);
            match (next_observer, next_actor) {
                (Some(o), Some(a)) if o < a => {
                    as_observer.next();
                    hours += relationships[o].conflict_hours;
                    in_episode |= relationships[o].in_episode;
                }
                (Some(o), None) => {
                    as_observer.next();
                    hours += relationships[o].conflict_hours;
                    in_episode |= relationships[o].in_episode;
                }
                (_, Some(_)) => {
                    let (_, link) = as_actor.next().expect("peeked");
                    hours += c.reply_share * link.conflict_hours();
                    in_episode |= link.in_episode();
                }
                (None, None) => break,
            }
        }
        leader.conflict_hours = hours;
        leader.in_episode = in_episode;
        if (1..=52).contains(&week) {
            leader.conflict_first_year += hours;
        }
        if week >= 1 {
            track_onset(
                week,
                in_episode,
                &mut leader.free_at_week_1,
                &mut leader.onset_week,
            );
        }
    };
    visit_each(
        world,
        &world.leaders,
        &mut state.leaders,
        MIN_TASK * 4,
        gather,
    );
    for (rel, view) in world.relationships.iter().zip(&state.relationships) {
        state.manager_hearing[world.leaders[rel.observer.0 as usize].manager.0 as usize] +=
            c.manager_share * view.conflict_hours;
    }
}
