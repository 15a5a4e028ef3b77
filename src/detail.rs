//! Per-entity outcomes of one arm of one replicate (`--detail`): what each
//! leader and each relationship went through over the reported weeks, for
//! analysts who fit their own models. [`Tally`] is fed the state after each
//! reported week's step (it reads the state and never changes it) and gives
//! the rows at the end; `output` writes them as CSV.

use crate::engine::team_hours_lost_per_conflict_hour;
use crate::model::{PRIVATE, SlotBits, State, UNKNOWN, World};
use crate::scenario::Params;

/// One leader over the reported weeks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeaderRow {
    /// The leader's own conflict hours: complaints about peers and replies
    /// to peers' complaints (`conflict_hours_per_leader`).
    pub conflict_hours: f64,
    /// Hours the leader spent complaining about peers.
    pub conflict_hours_given: f64,
    /// Hours peers spent complaining about the leader.
    pub conflict_hours_received: f64,
    /// Hours the leader's team lost to the leader's conflict (spill-over).
    pub spillover_hours: f64,
    /// The leader's conflict, meeting and escalation hours.
    pub lost_hours: f64,
    /// Private hours the leader dropped or descoped by triage.
    pub dropped_hours: f64,
    /// Weeks in a conflict episode, on either side of a relationship.
    pub episode_weeks: u32,
    /// Free of any episode in week 1, and the first week of the first
    /// reported year with an episode (0: none).
    pub free_at_week_1: bool,
    pub onset_week: i32,
    /// Mean final trust of the leader in peers, and of peers in the leader.
    pub trust_given: f64,
    pub trust_received: f64,
    pub escalations_made: u32,
    pub escalations_received: u32,
}

/// One ordered pair (observer, actor) over the reported weeks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelationshipRow {
    /// Trust when reporting starts (after the warm-up) and at the end.
    pub trust_start: f64,
    pub trust_final: f64,
    pub frustration_final: f64,
    /// Free of an episode with the actor in week 1, and the first week of
    /// the first reported year with one (0: none).
    pub free_at_week_1: bool,
    pub onset_week: i32,
    pub episode_weeks: u32,
    /// Escalations by the observer about the actor in the reported weeks.
    pub escalations: u32,
    /// Open hours of the actor's private work the observer knew about at
    /// the end (told, or listed in a status meeting).
    pub known_private_hours: f64,
    /// Weeks the pair coordinated (connection-first).
    pub coordinated_weeks: u32,
}

/// Every leader's and relationship's row of one arm of one replicate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntityRows {
    pub leaders: Vec<LeaderRow>,
    pub relationships: Vec<RelationshipRow>,
}

/// Accumulates the rows week by week.
#[derive(Debug, Clone)]
pub struct Tally {
    rows: EntityRows,
    /// Escalations counted before reporting started, per relationship.
    escalations_before: Vec<u32>,
    started: bool,
}

impl Tally {
    pub fn new(world: &World) -> Tally {
        Tally {
            rows: EntityRows {
                leaders: vec![LeaderRow::default(); world.leaders.len()],
                relationships: vec![RelationshipRow::default(); world.relationships.len()],
            },
            escalations_before: vec![0; world.relationships.len()],
            started: false,
        }
    }

    /// Reads the state as reporting starts, before week 1's step.
    pub fn start(&mut self, state: &State) {
        for ((row, before), view) in self
            .rows
            .relationships
            .iter_mut()
            .zip(&mut self.escalations_before)
            .zip(&state.relationships)
        {
            row.trust_start = view.trust;
            *before = view.escalations;
        }
        self.started = true;
    }

    /// Adds a reported week, read after its step.
    pub fn add_week(&mut self, world: &World, params: &Params, state: &State) {
        debug_assert!(
            self.started,
            "start is called before the first reported week"
        );
        let spill = params.conflict.spillover_hours_per_hour;
        let EntityRows {
            leaders,
            relationships,
        } = &mut self.rows;
        for ((row, info), leader) in leaders.iter_mut().zip(&world.leaders).zip(&state.leaders) {
            row.conflict_hours += leader.conflict_hours;
            row.spillover_hours +=
                team_hours_lost_per_conflict_hour(info.team_size, spill) * leader.conflict_hours;
            row.lost_hours +=
                leader.conflict_hours + leader.meeting_hours + leader.escalation_hours;
            row.dropped_hours += leader.dropped;
            row.episode_weeks += u32::from(leader.in_episode);
        }
        for ((row, rel), view) in relationships
            .iter_mut()
            .zip(&world.relationships)
            .zip(&state.relationships)
        {
            leaders[rel.observer.0 as usize].conflict_hours_given += view.conflict_hours;
            leaders[rel.actor.0 as usize].conflict_hours_received += view.conflict_hours;
            row.episode_weeks += u32::from(view.in_episode);
            row.coordinated_weeks += u32::from(state.coordinating[rel.pair as usize]);
        }
    }

    /// The rows, from the state after the last reported week.
    pub fn finish(mut self, world: &World, state: &State) -> EntityRows {
        let EntityRows {
            leaders,
            relationships,
        } = &mut self.rows;
        for (row, leader) in leaders.iter_mut().zip(&state.leaders) {
            row.free_at_week_1 = leader.free_at_week_1;
            row.onset_week = leader.onset_week;
        }
        let mut peers = vec![(0u32, 0u32); world.leaders.len()];
        for (index, ((row, rel), view)) in relationships
            .iter_mut()
            .zip(&world.relationships)
            .zip(&state.relationships)
            .enumerate()
        {
            let (observer, actor) = (rel.observer.0 as usize, rel.actor.0 as usize);
            row.trust_final = view.trust;
            row.frustration_final = view.frustration;
            row.free_at_week_1 = view.free_at_week_1;
            row.onset_week = view.onset_week;
            row.escalations = view
                .escalations
                .saturating_sub(self.escalations_before[index]);
            row.known_private_hours = known_private_hours(state, rel.actor.0, rel.observer_slot);
            leaders[observer].trust_given += view.trust;
            leaders[actor].trust_received += view.trust;
            leaders[observer].escalations_made += row.escalations;
            leaders[actor].escalations_received += row.escalations;
            peers[observer].0 += 1;
            peers[actor].1 += 1;
        }
        // A mean over no peers is undefined, and written empty.
        let mean = |sum: f64, n: u32| if n > 0 { sum / f64::from(n) } else { f64::NAN };
        for (row, (observing, observed)) in leaders.iter_mut().zip(peers) {
            row.trust_given = mean(row.trust_given, observing);
            row.trust_received = mean(row.trust_received, observed);
        }
        self.rows
    }
}

/// Open hours of the actor's private items that the observer (at
/// `observer_slot` among the actor's observers) was told of or shown.
fn known_private_hours(state: &State, actor: u32, observer_slot: u32) -> f64 {
    let leader = &state.leaders[actor as usize];
    let mut hours = 0.0;
    leader.slots.for_each(SlotBits::OPEN, |slot| {
        let item = &leader.items[slot];
        if item.project() == PRIVATE
            && leader.hidden_channel(slot, observer_slot as usize) != UNKNOWN
        {
            hours += item.remaining;
        }
    });
    hours
}
