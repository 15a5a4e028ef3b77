//! Every read of the engine's state the workshop makes, in one place: the
//! two leaders a story follows, and a week of their queues, knowledge and
//! relationships copied out into plain values. The rest of the workshop reads
//! only these values, so a change to the engine's data layout is adapted
//! here and nowhere else.

use crate::model::{CONTEXT, DATA, DONE_EPSILON, PRIVATE, SlotBits, State, World};
use crate::scenario::LeaderId;

/// The two leaders a story follows: the first pair that shares a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub leaders: [LeaderId; 2],
    /// `views[i]`: the relationship in which leader `i` observes the other.
    views: [usize; 2],
}

impl Pair {
    /// The first pair of the organisation, or `None` if nobody shares a project.
    pub fn first(world: &World) -> Option<Pair> {
        let &[a, b] = world.pairs.first()?;
        let (a, b) = (a as usize, b as usize);
        let leaders = [
            world.relationships[a].observer,
            world.relationships[b].observer,
        ];
        Some(Pair {
            leaders,
            views: [a, b],
        })
    }

    /// Whether both leaders are in a conflict episode with each other.
    pub fn both_in_episode(&self, state: &State) -> bool {
        self.views
            .iter()
            .all(|&view| state.relationships[view].in_episode)
    }
}

/// How the other leader of the pair knows of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// A commitment to a project they share: they see it.
    Sees,
    /// Told about it (voluntarily or in a 1:1).
    Told,
    /// Listed in a status meeting.
    Listed,
    /// Not at all.
    Unknown,
}

impl Known {
    /// Whether the peer counts the item in the load they believe the leader has.
    pub fn counts(self) -> bool {
        self != Known::Unknown
    }
}

/// One item of a leader's queue, after the week's work.
#[derive(Debug, Clone, Copy)]
pub struct QueueItem {
    /// Arrival order within the leader's queue.
    pub id: u32,
    /// The project of a shared commitment; `None` for private work.
    pub project: Option<u32>,
    /// A private item's base priority (before ageing).
    pub priority: Option<f64>,
    pub remaining_hours: f64,
    /// Hours worked on it this week.
    pub worked_hours: f64,
    pub due_week: i32,
    /// How the other leader of the pair knows of it.
    pub peer: Known,
}

impl QueueItem {
    /// Whether work is left on it (a finished item stays in the queue until
    /// the next week starts).
    pub fn is_open(&self) -> bool {
        self.remaining_hours > DONE_EPSILON
    }
}

/// One leader's hours in a week.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeaderHours {
    /// Hours of the week's capacity left when the queue ran out.
    pub idle: f64,
    /// The leader's own conflict hours: complaints and replies.
    pub conflict: f64,
    /// Hours of the team's week lost to last week's conflict, meetings and
    /// escalations (the leader's and the team's spill-over).
    pub lost: f64,
}

/// One leader's view of the other, this week.
#[derive(Debug, Clone, Copy, Default)]
pub struct View {
    /// Hours the other owed this leader this week, missed for lack of
    /// capacity, and left unowned (role ambiguity).
    pub owed: f64,
    pub missed: f64,
    pub unowned: f64,
    /// Of the missed and unowned hours, those this leader cannot explain.
    pub unexplained: f64,
    pub trust: f64,
    pub frustration: f64,
    pub in_episode: bool,
    /// This leader's conflict hours toward the other (complaints, reminders).
    pub conflict_hours: f64,
    /// The other's open hours this leader sees or was told about, and all of them.
    pub believed_load: f64,
    pub actual_load: f64,
    /// Times this leader has escalated about the other so far.
    pub escalations: u32,
}

/// A week of the pair, as the week's step left it.
#[derive(Debug, Clone)]
pub struct PairWeek {
    pub week: i32,
    pub hours: [LeaderHours; 2],
    /// `views[i]`: leader `i`'s view of the other.
    pub views: [View; 2],
    /// `queues[i]`: every item in leader `i`'s queue (open, or finished this
    /// week), in arrival order, with how the other leader knows of it.
    pub queues: [Vec<QueueItem>; 2],
}

impl PairWeek {
    /// Copies the pair's week out of the state; call it from
    /// [`crate::runner::simulate_arm_with`]'s observer, after the week's step.
    pub fn read(world: &World, state: &State, pair: &Pair, week: i32) -> PairWeek {
        let side = |i: usize| {
            let leader = &state.leaders[pair.leaders[i].0 as usize];
            LeaderHours {
                idle: leader.idle,
                conflict: leader.conflict_hours,
                lost: leader.lost_last_week,
            }
        };
        let view = |i: usize| {
            let view = &state.relationships[pair.views[i]];
            View {
                owed: view.owed,
                missed: view.missed,
                unowned: view.unowned,
                unexplained: view.unexplained,
                trust: view.trust,
                frustration: view.frustration,
                in_episode: view.in_episode,
                conflict_hours: view.conflict_hours,
                believed_load: view.believed_load,
                actual_load: view.actual_load,
                escalations: view.escalations,
            }
        };
        PairWeek {
            week,
            hours: [side(0), side(1)],
            views: [view(0), view(1)],
            queues: [queue(world, state, pair, 0), queue(world, state, pair, 1)],
        }
    }
}

/// Leader `i`'s queue, each item with how the other leader knows of it.
fn queue(world: &World, state: &State, pair: &Pair, i: usize) -> Vec<QueueItem> {
    let actor = pair.leaders[i].0 as usize;
    let info = &world.leaders[actor];
    let leader = &state.leaders[actor];
    // The other leader observes this one in the other's view.
    let observer_slot = world.relationships[pair.views[1 - i]].observer_slot as usize;
    let mut items: Vec<QueueItem> = leader
        .slots
        .iter(SlotBits::LIVE)
        .map(|slot| {
            let item = &leader.items[slot];
            let project = item.project();
            let peer = if info.peer_sees_project(observer_slot, project) {
                Known::Sees
            } else {
                match leader.channel(info, slot, observer_slot) {
                    CONTEXT => Known::Told,
                    DATA => Known::Listed,
                    _ => Known::Unknown,
                }
            };
            QueueItem {
                id: item.id,
                project: (project != PRIVATE).then_some(project),
                priority: item.priority(),
                remaining_hours: item.remaining,
                worked_hours: leader.worked_on(slot),
                due_week: item.due_week,
                peer,
            }
        })
        .collect();
    items.sort_by_key(|item| item.id);
    items
}
