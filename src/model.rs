//! The state the weekly step works on, laid out for the hot loop: vectors
//! indexed by leader, relationship, project membership and item slot.
//!
//! [`World`] is what never changes during a run (who shares what with whom,
//! distributions, the lowest common manager of each pair); it is built once per
//! scenario and shared by every replicate. [`State`] is what the week changes;
//! one is built for each arm of each replicate.
//!
//! A leader's queue is a vector of item slots (a closed item's slot is reused)
//! with, beside it, a few bit sets over the slots ([`SlotBits`]): which are
//! live, open and shared, and, per peer, which the peer has not been told
//! about and which it does not know of at all (how a peer knows an item,
//! [`LeaderState::channel`], is read off those two). The week visits only the
//! slots a phase needs: the open ones to work on, the ones a peer has not
//! been told about to disclose.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rand_chacha::ChaCha8Rng;
use rand_distr::{LogNormal, Poisson};

use crate::rng::{Purpose, Stream, stream};
use crate::scenario::{LeaderId, ManagerId, Scenario};

/// `Item::project` of private work.
pub const PRIVATE: u32 = u32::MAX;
/// Hours below this count as done (floating-point dust from partial work).
pub const DONE_EPSILON: f64 = 1e-9;
/// No item slot.
pub const NO_SLOT: u32 = u32::MAX;

/// How an observer learned of an item. Context beats data.
pub const UNKNOWN: u8 = 0;
/// Listed in a status meeting: credited with trust^data_exponent.
pub const DATA: u8 = 1;
/// Told voluntarily or in a 1:1: credited with trust^context_exponent.
pub const CONTEXT: u8 = 2;

/// A leader's arrival distributions for one workstream.
#[derive(Debug, Clone)]
pub struct Arrivals {
    /// `None` when the workstream brings nothing (rate 0).
    pub count: Option<Poisson<f64>>,
    pub effort: LogNormal<f64>,
    pub priority: f64,
    pub priority_jitter: f64,
    pub due_weeks_min: u32,
    pub due_weeks_max: u32,
}

/// A leader as the engine needs it.
#[derive(Debug, Clone)]
pub struct LeaderInfo {
    pub team_size: f64,
    pub capacity_hours: f64,
    pub disclosure: f64,
    pub insecurity: f64,
    pub manager: ManagerId,
    /// Support of the leader's manager, in [0, 1].
    pub support: f64,
    pub arrivals: Vec<Arrivals>,
    /// Memberships of this leader (indices into `World::memberships`), ascending.
    pub memberships: Vec<u32>,
    /// The project of each membership, in the same order.
    pub projects: Vec<u32>,
    /// What the week needs of each membership, in the same order.
    pub own: Vec<OwnMembership>,
    /// Relationships in which this leader is the actor, ascending; the
    /// per-peer sets of [`SlotBits`] are ordered like this list (observer slots).
    pub observed_by: Vec<u32>,
    /// Relationships in which this leader is the observer: a contiguous
    /// range, since relationships are sorted by observer.
    pub observing: Range<u32>,
    /// Per observer slot: the relationship the other way round (this leader
    /// observing that peer).
    pub reverse: Vec<u32>,
    /// Per observer slot, a bit per membership (in the order of
    /// `memberships`): whether that peer shares the membership's project.
    /// `sees_words` words per observer slot.
    pub sees: Vec<u64>,
    pub sees_words: usize,
    /// Where this leader's links start in `State::links` (one per observer slot).
    pub link_start: u32,
}

impl LeaderInfo {
    /// Whether the peer at `observer_slot` sees the project of the
    /// membership at `position` (shares it).
    #[inline]
    pub fn peer_sees(&self, observer_slot: usize, position: usize) -> bool {
        self.sees[observer_slot * self.sees_words + position / 64] >> (position % 64) & 1 == 1
    }

    /// Whether the peer at `observer_slot` sees an item of `project`.
    #[inline]
    pub fn peer_sees_project(&self, observer_slot: usize, project: u32) -> bool {
        self.seen_position(observer_slot, project).is_some()
    }

    /// The position (in `memberships`) of this leader's membership in
    /// `project`, when the peer at `observer_slot` shares the project;
    /// `None` for private work and for projects the peer does not share.
    #[inline]
    pub fn seen_position(&self, observer_slot: usize, project: u32) -> Option<usize> {
        if project == PRIVATE {
            return None;
        }
        self.projects
            .iter()
            .position(|&p| p == project)
            .filter(|&position| self.peer_sees(observer_slot, position))
    }

    /// The position (in `memberships`) of this leader's membership in
    /// `project`. A leader's shared items all belong to one of their own
    /// projects.
    #[inline]
    pub fn position_of(&self, project: u32) -> usize {
        self.projects
            .iter()
            .position(|&p| p == project)
            .unwrap_or(0)
    }
}

/// A leader's own copy of what the week needs of one of their memberships.
#[derive(Debug, Clone, Copy)]
pub struct OwnMembership {
    pub hours_per_week: f64,
    pub priority: f64,
    /// First and last week with commitments.
    pub start_week: i32,
    pub end_week: i32,
}

/// One leader's place in one project.
#[derive(Debug, Clone)]
pub struct Membership {
    pub project: u32,
    pub leader: LeaderId,
    pub hours_per_week: f64,
    pub priority: f64,
    /// Relationships (other member -> this leader) that observe this commitment.
    pub observed_in: Vec<u32>,
    /// Position of this membership in its leader's `LeaderInfo::memberships`.
    pub position: u32,
}

/// An ordered pair: the observer's view of the actor.
#[derive(Debug, Clone)]
pub struct Relationship {
    pub observer: LeaderId,
    pub actor: LeaderId,
    /// The relationship the other way round.
    pub reverse: u32,
    /// The unordered pair this belongs to.
    pub pair: u32,
    /// Position of this observer in the actor's `observed_by`.
    pub observer_slot: u32,
    /// Where the projects both leaders are members of lie in `World::shared`
    /// (read them with [`World::shared_projects`]).
    pub shared: Range<u32>,
    /// The lowest manager both report to, directly or not.
    pub common_manager: ManagerId,
    /// This relationship's place in `State::links` (the actor's links, by observer slot).
    pub link: u32,
}

/// Everything fixed for a run.
#[derive(Debug, Clone)]
pub struct World {
    pub leaders: Vec<LeaderInfo>,
    pub n_managers: usize,
    pub memberships: Vec<Membership>,
    /// Memberships of each project.
    pub project_members: Vec<Vec<u32>>,
    pub project_ambiguity: Vec<f64>,
    pub project_unowned_share: Vec<f64>,
    pub project_weeks: Vec<(i32, i32)>,
    pub relationships: Vec<Relationship>,
    /// The projects each relationship's two leaders share, relationship
    /// after relationship, each run sorted (one list rather than one per
    /// relationship: most share a single project, and a large organisation
    /// has over half a million relationships).
    pub shared: Vec<u32>,
    /// Each unordered pair's two relationships.
    pub pairs: Vec<[u32; 2]>,
    pub initial_trust: Vec<f64>,
    /// Everyone: leaders, team members and managers.
    pub headcount: f64,
    /// Leaders and their team members (who can be touched by conflict).
    pub team_headcount: f64,
}

impl World {
    pub fn new(scenario: &Scenario) -> World {
        let organisation = &scenario.organisation;
        let mut leaders: Vec<LeaderInfo> = organisation
            .leaders
            .iter()
            .map(|leader| LeaderInfo {
                team_size: f64::from(leader.team_size),
                capacity_hours: leader.capacity_hours,
                disclosure: leader.disclosure,
                insecurity: leader.insecurity,
                manager: leader.manager,
                support: organisation.managers[leader.manager.0 as usize].support,
                arrivals: leader
                    .workstreams
                    .iter()
                    .map(|stream| Arrivals {
                        count: Poisson::new(stream.arrivals_per_week).ok(),
                        effort: lognormal_with_mean(stream.mean_effort_hours, stream.effort_sigma),
                        priority: stream.priority,
                        priority_jitter: stream.priority_jitter,
                        due_weeks_min: stream.due_weeks_min,
                        due_weeks_max: stream.due_weeks_max,
                    })
                    .collect(),
                memberships: Vec::new(),
                projects: Vec::new(),
                own: Vec::new(),
                observed_by: Vec::new(),
                observing: 0..0,
                reverse: Vec::new(),
                sees: Vec::new(),
                sees_words: 0,
                link_start: 0,
            })
            .collect();

        let mut memberships = Vec::new();
        let mut project_members = Vec::new();
        for (project_index, project) in organisation.projects.iter().enumerate() {
            let mut ids = Vec::new();
            for member in &project.members {
                let id = memberships.len() as u32;
                let info = &mut leaders[member.leader.0 as usize];
                memberships.push(Membership {
                    project: project_index as u32,
                    leader: member.leader,
                    hours_per_week: member.hours_per_week,
                    priority: member.priority,
                    observed_in: Vec::new(),
                    position: info.memberships.len() as u32,
                });
                info.memberships.push(id);
                info.projects.push(project_index as u32);
                info.own.push(OwnMembership {
                    hours_per_week: member.hours_per_week,
                    priority: member.priority,
                    start_week: project.start_week,
                    end_week: project.end_week,
                });
                ids.push(id);
            }
            project_members.push(ids);
        }

        // Relationships: every ordered pair of distinct leaders sharing a project,
        // in a fixed order (by observer, then actor) so runs are reproducible.
        let mut pair_projects: Vec<(u32, u32, u32)> = Vec::new();
        for (project_index, ids) in project_members.iter().enumerate() {
            for &a in ids {
                for &b in ids {
                    let (la, lb) = (
                        memberships[a as usize].leader.0,
                        memberships[b as usize].leader.0,
                    );
                    if la != lb {
                        pair_projects.push((la, lb, project_index as u32));
                    }
                }
            }
        }
        pair_projects.sort_unstable();
        pair_projects.dedup();
        let mut relationships: Vec<Relationship> = Vec::new();
        let mut shared = Vec::with_capacity(pair_projects.len());
        for (observer, actor, project) in pair_projects {
            shared.push(project);
            let end = shared.len() as u32;
            match relationships.last_mut() {
                Some(last) if last.observer.0 == observer && last.actor.0 == actor => {
                    last.shared.end = end;
                }
                _ => relationships.push(Relationship {
                    observer: LeaderId(observer),
                    actor: LeaderId(actor),
                    reverse: 0,
                    pair: 0,
                    observer_slot: 0,
                    shared: end - 1..end,
                    link: 0,
                    common_manager: common_manager(
                        organisation,
                        organisation.leaders[observer as usize].manager,
                        organisation.leaders[actor as usize].manager,
                    ),
                }),
            }
        }
        // Each leader's relationships as observer are one run of the sorted list.
        let mut start = 0;
        while start < relationships.len() {
            let observer = relationships[start].observer.0;
            let end = start
                + relationships[start..]
                    .iter()
                    .take_while(|r| r.observer.0 == observer)
                    .count();
            leaders[observer as usize].observing = start as u32..end as u32;
            start = end;
        }
        let mut pairs = Vec::new();
        for index in 0..relationships.len() {
            let (observer, actor) = (relationships[index].observer, relationships[index].actor);
            // The reverse is among the actor's few relationships as observer.
            let range = leaders[actor.0 as usize].observing.clone();
            let reverse = relationships[range.start as usize..range.end as usize]
                .iter()
                .position(|r| r.actor == observer)
                .map_or(index as u32, |offset| range.start + offset as u32);
            relationships[index].reverse = reverse;
            if observer < actor {
                relationships[index].pair = pairs.len() as u32;
                relationships[reverse as usize].pair = pairs.len() as u32;
                pairs.push([index as u32, reverse]);
            }
            let actor_info = &mut leaders[actor.0 as usize];
            relationships[index].observer_slot = actor_info.observed_by.len() as u32;
            actor_info.observed_by.push(index as u32);
        }
        // Links: each leader's relationships as actor, by observer slot, one
        // leader after another; and what each peer sees of each membership.
        let mut link_start = 0u32;
        for info in &mut leaders {
            info.link_start = link_start;
            link_start += info.observed_by.len() as u32;
            info.sees_words = info.memberships.len().div_ceil(64).max(1);
            info.sees = vec![0; info.observed_by.len() * info.sees_words];
            for (observer_slot, &relationship) in info.observed_by.iter().enumerate() {
                let rel = &relationships[relationship as usize];
                info.reverse.push(rel.reverse);
                for (position, &project) in info.projects.iter().enumerate() {
                    if sees(&shared, rel, project) {
                        info.sees[observer_slot * info.sees_words + position / 64] |=
                            1 << (position % 64);
                    }
                }
            }
        }
        for relationship in &mut relationships {
            relationship.link =
                leaders[relationship.actor.0 as usize].link_start + relationship.observer_slot;
        }
        for (index, relationship) in relationships.iter().enumerate() {
            for &membership in &leaders[relationship.actor.0 as usize].memberships {
                if sees(
                    &shared,
                    relationship,
                    memberships[membership as usize].project,
                ) {
                    memberships[membership as usize]
                        .observed_in
                        .push(index as u32);
                }
            }
        }

        let initial_trust = relationships
            .iter()
            .map(|r| {
                organisation
                    .trust_overrides
                    .iter()
                    .rev()
                    .find(|(observer, actor, _)| *observer == r.observer && *actor == r.actor)
                    .map_or(organisation.initial_trust, |(_, _, trust)| *trust)
            })
            .collect();

        let team_headcount: f64 = leaders.iter().map(|l| l.team_size + 1.0).sum();
        World {
            leaders,
            n_managers: organisation.managers.len(),
            memberships,
            project_members,
            project_ambiguity: organisation.projects.iter().map(|p| p.ambiguity).collect(),
            project_unowned_share: organisation
                .projects
                .iter()
                .map(|p| p.unowned_share)
                .collect(),
            project_weeks: organisation
                .projects
                .iter()
                .map(|p| (p.start_week, p.end_week))
                .collect(),
            relationships,
            shared,
            pairs,
            initial_trust,
            headcount: organisation.headcount() as f64,
            team_headcount,
        }
    }

    pub fn n_projects(&self) -> usize {
        self.project_members.len()
    }

    /// The projects the relationship's two leaders share, sorted.
    #[inline]
    pub fn shared_projects(&self, relationship: &Relationship) -> &[u32] {
        shared_projects(&self.shared, relationship)
    }

    /// The mean role ambiguity of the projects the relationship's two
    /// leaders share, as the scenario sets it.
    pub fn shared_ambiguity(&self, relationship: &Relationship) -> f64 {
        let shared = self.shared_projects(relationship);
        shared
            .iter()
            .map(|&project| self.project_ambiguity[project as usize])
            .sum::<f64>()
            / shared.len().max(1) as f64
    }

    /// Whether an item of the actor (of `project`, or [`PRIVATE`]) is shared
    /// with the relationship's observer.
    #[inline]
    pub fn sees(&self, relationship: &Relationship, project: u32) -> bool {
        sees(&self.shared, relationship, project)
    }
}

/// [`World::shared_projects`], while the world is being built.
fn shared_projects<'a>(shared: &'a [u32], relationship: &Relationship) -> &'a [u32] {
    &shared[relationship.shared.start as usize..relationship.shared.end as usize]
}

/// [`World::sees`], while the world is being built.
fn sees(shared: &[u32], relationship: &Relationship, project: u32) -> bool {
    project != PRIVATE
        && shared_projects(shared, relationship)
            .binary_search(&project)
            .is_ok()
}

/// A log-normal with the given mean and log-scale standard deviation.
fn lognormal_with_mean(mean: f64, sigma: f64) -> LogNormal<f64> {
    let mu = mean.ln() - sigma * sigma / 2.0;
    LogNormal::new(mu, sigma)
        .unwrap_or_else(|_| LogNormal::new(mean.ln(), 0.0).expect("sigma 0 is valid"))
}

/// The lowest manager that `a` and `b` both report to; if their chains never
/// meet, the observer's own top manager hears it.
fn common_manager(
    organisation: &crate::scenario::Organisation,
    a: ManagerId,
    b: ManagerId,
) -> ManagerId {
    let chain = |start: ManagerId| {
        let mut chain = vec![start];
        while let Some(up) = organisation.managers[chain[chain.len() - 1].0 as usize].reports_to {
            if chain.contains(&up) || chain.len() > organisation.managers.len() {
                break;
            }
            chain.push(up);
        }
        chain
    };
    let chain_b = chain(b);
    let chain_a = chain(a);
    chain_a
        .iter()
        .find(|manager| chain_b.contains(manager))
        .copied()
        .unwrap_or(chain_a[chain_a.len() - 1])
}

/// A work item in a leader's queue: 24 bytes, since a large organisation
/// holds tens of millions of them. Whether a slot holds a live item is in
/// [`SlotBits::LIVE`], and the hours worked this week in
/// [`LeaderState::worked_items`].
#[derive(Debug, Clone, Copy)]
pub struct Item {
    pub remaining: f64,
    /// A private item's base priority, or a shared item's project (see
    /// [`Item::shared`]): a shared item takes its membership's priority of
    /// the week, so it has none of its own, and a private item has no project.
    what: u64,
    /// Per-leader arrival order: the last tie-break in the queue.
    pub id: u32,
    pub due_week: i32,
}

/// The high bits of a shared item's `what`: a NaN, which no priority is.
const SHARED_TAG: u64 = 0xFFF8_0000_0000_0000;

impl Item {
    /// Private work of `priority` (finite), due in `due_week`.
    pub fn private(remaining: f64, priority: f64, due_week: i32) -> Item {
        debug_assert!(priority.is_finite());
        Item {
            remaining,
            what: priority.to_bits(),
            id: 0,
            due_week,
        }
    }

    /// A shared commitment to `project`, due in `due_week`.
    pub fn shared(remaining: f64, project: u32, due_week: i32) -> Item {
        debug_assert!(project != PRIVATE);
        Item {
            remaining,
            what: SHARED_TAG | u64::from(project),
            id: 0,
            due_week,
        }
    }

    /// The project of a shared commitment, or [`PRIVATE`].
    #[inline]
    pub fn project(&self) -> u32 {
        if self.what & !u64::from(u32::MAX) == SHARED_TAG {
            self.what as u32
        } else {
            PRIVATE
        }
    }

    /// A private item's base priority; `None` for a shared commitment.
    #[inline]
    pub fn priority(&self) -> Option<f64> {
        (self.project() == PRIVATE).then(|| f64::from_bits(self.what))
    }
}

/// Hours worked on an item this week.
#[derive(Debug, Clone, Copy)]
pub struct Worked {
    pub slot: u32,
    pub hours: f64,
}

/// An open item's place in this week's queue (a reusable sort buffer).
#[derive(Debug, Clone, Copy)]
pub struct QueueEntry {
    /// Sorts ascending in queue order (see [`QueueEntry::key`]).
    pub key: u128,
    pub slot: u32,
}

impl QueueEntry {
    /// One integer whose ascending order is the queue's: highest priority
    /// first (in `f64::total_cmp` order), then earliest due week, then
    /// arrival order. Comparing one integer is cheaper than comparing three
    /// fields in turn, and item ids are unique, so the order is total.
    #[inline]
    pub fn key(priority: f64, due_week: i32, id: u32) -> u128 {
        let bits = priority.to_bits();
        // Ascending u64 order equals f64::total_cmp order...
        let ascending = if bits >> 63 == 1 {
            !bits
        } else {
            bits | (1 << 63)
        };
        // ...inverted, for highest first.
        let priority = u128::from(!ascending);
        let due = u128::from(due_week.wrapping_sub(i32::MIN) as u32);
        (priority << 64) | (due << 32) | u128::from(id)
    }
}

/// Bit sets over a leader's item slots, 64 slots to a word: which slots hold
/// a live item, which of those still have work left (open), which are shared
/// commitments, and, per peer, which live items the peer does not see and has
/// not been told about as context (the items a disclosure may still tell),
/// and which of those the peer does not know about at all (not even as
/// status-meeting data).
///
/// The sets of one word of slots sit next to each other (`stride` words per
/// 64 slots), so a growing queue only ever appends words.
#[derive(Debug, Clone, Default)]
pub struct SlotBits {
    words: Vec<u64>,
    /// Words per 64 slots: one per set.
    stride: usize,
    /// Words per set.
    n_words: usize,
}

impl SlotBits {
    pub const LIVE: usize = 0;
    pub const OPEN: usize = 1;
    pub const SHARED: usize = 2;
    const UNTOLD: usize = 3;

    pub fn new(observers: usize) -> SlotBits {
        SlotBits {
            words: Vec::new(),
            stride: Self::UNTOLD + 2 * observers,
            n_words: 0,
        }
    }

    /// The set of items `observer_slot` has not been told about.
    #[inline]
    pub fn untold(observer_slot: usize) -> usize {
        Self::UNTOLD + 2 * observer_slot
    }

    /// The set of items `observer_slot` does not know about at all.
    #[inline]
    pub fn unknown(observer_slot: usize) -> usize {
        Self::UNTOLD + 2 * observer_slot + 1
    }

    /// Words per set (64 slots each).
    #[inline]
    pub fn n_words(&self) -> usize {
        self.n_words
    }

    /// Every set's words, 64 slots at a time.
    #[inline]
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Room for `slots` slots without reallocating.
    pub fn reserve(&mut self, slots: usize) {
        let words = slots.div_ceil(64) * self.stride;
        self.words
            .reserve_exact(words.saturating_sub(self.words.len()));
    }

    /// How many slots the sets have room for without reallocating.
    pub fn capacity(&self) -> usize {
        self.words.capacity() / self.stride.max(1) * 64
    }

    /// Makes room for slot `slot`.
    #[inline]
    pub fn cover(&mut self, slot: usize) {
        if slot >= self.n_words * 64 {
            self.n_words = slot / 64 + 1;
            // One word per set at a time: queues grow slowly.
            let len = self.n_words * self.stride;
            self.words.reserve_exact(len - self.words.len());
            self.words.resize(len, 0);
        }
    }

    #[inline]
    pub fn word(&self, set: usize, word: usize) -> u64 {
        self.words[word * self.stride + set]
    }

    #[inline]
    pub fn get(&self, set: usize, slot: usize) -> bool {
        self.words[(slot / 64) * self.stride + set] >> (slot % 64) & 1 == 1
    }

    #[inline]
    pub fn set(&mut self, set: usize, slot: usize) {
        self.words[(slot / 64) * self.stride + set] |= 1 << (slot % 64);
    }

    #[inline]
    pub fn clear(&mut self, set: usize, slot: usize) {
        self.words[(slot / 64) * self.stride + set] &= !(1 << (slot % 64));
    }

    /// Clears the slots of `mask` in one word of a set.
    #[inline]
    pub fn clear_word(&mut self, set: usize, word: usize, mask: u64) {
        self.words[word * self.stride + set] &= !mask;
    }

    /// Puts a new item in the untold and unknown sets of every peer for whom
    /// `hidden(observer_slot)` is true.
    #[inline]
    fn hide(&mut self, slot: usize, hidden: impl Fn(usize) -> bool) {
        let base = (slot / 64) * self.stride + Self::UNTOLD;
        let bit = 1u64 << (slot % 64);
        let words = &mut self.words[base..base + self.stride - Self::UNTOLD];
        for (observer_slot, pair) in words.chunks_exact_mut(2).enumerate() {
            if hidden(observer_slot) {
                pair[0] |= bit;
                pair[1] |= bit;
            }
        }
    }

    /// Clears the done slots of a word (live but not open) from every set.
    #[inline]
    pub fn clear_done(&mut self, word: usize) {
        let base = word * self.stride;
        let keep = !(self.words[base + Self::LIVE] & !self.words[base + Self::OPEN]);
        for word in &mut self.words[base..base + self.stride] {
            *word &= keep;
        }
    }

    /// Clears a slot from every set.
    #[inline]
    pub fn clear_slot(&mut self, slot: usize) {
        let base = (slot / 64) * self.stride;
        let mask = !(1u64 << (slot % 64));
        for word in &mut self.words[base..base + self.stride] {
            *word &= mask;
        }
    }

    /// The slots in `set`, ascending.
    pub fn iter(&self, set: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.n_words).flat_map(move |w| {
            let mut word = self.word(set, w);
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let bit = word.trailing_zeros() as usize;
                    word &= word - 1;
                    w * 64 + bit
                })
            })
        })
    }

    /// Calls `f` on each slot in `set`, ascending (a tighter loop than [`SlotBits::iter`]).
    #[inline]
    pub fn for_each(&self, set: usize, mut f: impl FnMut(usize)) {
        for w in 0..self.n_words {
            let mut word = self.words[w * self.stride + set];
            while word != 0 {
                let bit = word.trailing_zeros() as usize;
                word &= word - 1;
                f(w * 64 + bit);
            }
        }
    }

    /// Slots in `set`.
    #[inline]
    pub fn count(&self, set: usize) -> usize {
        (0..self.n_words)
            .map(|w| self.words[w * self.stride + set].count_ones() as usize)
            .sum()
    }
}

/// One membership's commitment this week, as its leader's pass settled it.
#[derive(Debug, Clone, Copy)]
pub struct Commitment {
    pub planned: f64,
    /// Priority of the commitment this week (after compliance).
    pub priority: f64,
    pub agreed: f64,
    /// Hours of this week's plan moved to the project's backlog: deferred by
    /// renegotiation, or left unowned through role ambiguity.
    pub deferred: f64,
    pub pushed: f64,
    /// Hours of the commitment still undone after this week's work.
    pub undelivered: f64,
    pub item_slot: u32,
    /// The membership's backlog item (DESIGN.md section 5): its slot and
    /// id, kept from week to week; it is the backlog while that slot still
    /// holds that item and it is open.
    pub backlog_slot: u32,
    pub backlog_id: u32,
    /// In the project's end week: the member's shared hours of it still open.
    pub overrun: f64,
}

impl Default for Commitment {
    fn default() -> Self {
        Commitment {
            planned: 0.0,
            priority: 0.0,
            agreed: 0.0,
            deferred: 0.0,
            pushed: 0.0,
            undelivered: 0.0,
            item_slot: NO_SLOT,
            backlog_slot: NO_SLOT,
            backlog_id: 0,
            overrun: 0.0,
        }
    }
}

/// A leader's changing state.
#[derive(Debug, Clone)]
pub struct LeaderState {
    /// Hours available this week after losses.
    pub capacity: f64,
    pub worked: f64,
    pub idle: f64,
    pub conflict_hours: f64,
    pub meeting_hours: f64,
    pub escalation_hours: f64,
    /// Hours lost last week (leader and team), taken off this week's capacity.
    pub lost_last_week: f64,
    /// Extra insecurity from being escalated against; fades back.
    pub insecurity_extra: f64,
    /// Hours this week worked on shared commitments.
    pub delivered: f64,
    /// Items told to peers this week.
    pub disclosures: u32,
    /// Hours of private work dropped or descoped by triage this week.
    pub dropped: f64,
    pub next_id: u32,
    /// The leader's own conflict hours in the first reported year (weeks 1
    /// to 52): what decides whether the leader and the team are touched.
    pub conflict_first_year: f64,
    /// In a conflict episode this week, on either side of a relationship.
    pub in_episode: bool,
    /// Whether the leader was free of any episode in week 1, and the first
    /// week of the first reported year in which they were in one (0: none).
    pub free_at_week_1: bool,
    pub onset_week: i32,
    /// Item slots; a closed item's slot is reused.
    pub items: Vec<Item>,
    /// Which slots are live and open, and what each peer knows of them.
    pub slots: SlotBits,
    pub free_slots: Vec<u32>,
    /// The items worked on this week, in ascending slot order.
    pub worked_items: Vec<Worked>,
    /// This week's commitment of each of the leader's memberships, in the
    /// order of `LeaderInfo::memberships`.
    pub commitments: Vec<Commitment>,
    /// Remaining hours of each live shared item, by slot (reported weeks).
    pub shared_remaining: Vec<f64>,
    /// Arrivals and capacity noise: resumed for the leader's week (see
    /// [`crate::engine::LeaderParts`]).
    pub arrivals: Stream,
    /// The leader's behaviour: triage, then disclosure (the stream's purpose
    /// keeps its first name, `Disclosure`, since it is part of every seed).
    pub behaviour: Stream,
}

impl LeaderState {
    pub fn insecurity(&self, info: &LeaderInfo) -> f64 {
        (info.insecurity + self.insecurity_extra).min(1.0)
    }

    /// Whether `slot` holds an item (open, or done and closing when the next week starts).
    #[inline]
    pub fn is_live(&self, slot: usize) -> bool {
        slot < self.items.len() && self.slots.get(SlotBits::LIVE, slot)
    }

    /// Hours worked on the item in `slot` this week.
    pub fn worked_on(&self, slot: usize) -> f64 {
        self.worked_items
            .binary_search_by_key(&slot, |worked| worked.slot as usize)
            .map_or(0.0, |at| self.worked_items[at].hours)
    }

    /// How the peer at `observer_slot` knows the item in `slot`, if it does
    /// not see it: [`CONTEXT`] (told), [`DATA`] (listed in a status meeting)
    /// or [`UNKNOWN`]. Items the peer sees, and free slots, are [`UNKNOWN`]:
    /// nobody had to tell the peer of them. Read off the bit sets, which
    /// keep it in two bits per item and peer: untold and unknown (told
    /// clears both, listing clears unknown).
    pub fn channel(&self, info: &LeaderInfo, slot: usize, observer_slot: usize) -> u8 {
        if !self.is_live(slot) || info.peer_sees_project(observer_slot, self.items[slot].project())
        {
            UNKNOWN
        } else {
            self.hidden_channel(slot, observer_slot)
        }
    }

    /// [`LeaderState::channel`] of a live item the peer does not see.
    #[inline]
    pub fn hidden_channel(&self, slot: usize, observer_slot: usize) -> u8 {
        if !self.slots.get(SlotBits::untold(observer_slot), slot) {
            CONTEXT
        } else if !self.slots.get(SlotBits::unknown(observer_slot), slot) {
            DATA
        } else {
            UNKNOWN
        }
    }

    /// Puts an item in a free slot (the most recently freed first). Every
    /// observer for whom `seen(observer_slot)` is false may be told about it.
    pub fn push_item(&mut self, mut item: Item, seen: impl Fn(usize) -> bool) -> u32 {
        item.id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                self.items[slot as usize] = item;
                slot as usize
            }
            None => {
                if self.items.len() == self.items.capacity() {
                    // Queues grow slowly and there is one per leader: grow
                    // by an eighth rather than doubling, to keep memory close
                    // to what is used.
                    self.items.reserve_exact(self.items.len() / 8 + 8);
                }
                self.items.push(item);
                self.items.len() - 1
            }
        };
        self.slots.cover(slot);
        self.slots.set(SlotBits::LIVE, slot);
        // A live item that is not open is done, and closes when the next week starts.
        if item.remaining > DONE_EPSILON {
            self.slots.set(SlotBits::OPEN, slot);
        }
        if item.project() != PRIVATE {
            self.slots.set(SlotBits::SHARED, slot);
        }
        self.slots.hide(slot, |observer_slot| !seen(observer_slot));
        slot as u32
    }

    /// Gives every buffer of the leader's queue at least the room `other`'s
    /// has, so that a leader who holds no more items than `other` did never
    /// reallocates.
    pub fn reserve_like(&mut self, other: &LeaderState) {
        fn room<T>(buffer: &mut Vec<T>, other: &Vec<T>) {
            buffer.reserve_exact(other.capacity().saturating_sub(buffer.len()));
        }
        room(&mut self.items, &other.items);
        room(&mut self.free_slots, &other.free_slots);
        room(&mut self.worked_items, &other.worked_items);
        room(&mut self.commitments, &other.commitments);
        room(&mut self.shared_remaining, &other.shared_remaining);
        self.slots.reserve(other.slots.capacity());
    }

    /// Closes the items that finished last week (live but no longer open):
    /// frees their slots in ascending slot order, so the highest is reused
    /// first, and forgets what peers knew of them.
    pub fn close_finished(&mut self) {
        for word in 0..self.slots.n_words() {
            let mut done =
                self.slots.word(SlotBits::LIVE, word) & !self.slots.word(SlotBits::OPEN, word);
            while done != 0 {
                let slot = word * 64 + done.trailing_zeros() as usize;
                done &= done - 1;
                self.free_slots.push(slot as u32);
            }
            self.slots.clear_done(word);
        }
    }
}

/// An observer's changing view of an actor.
#[derive(Debug, Clone, Default)]
pub struct RelationshipState {
    pub trust: f64,
    pub frustration: f64,
    pub in_episode: bool,
    /// Added to the actor's disclosure toward this observer (connection-first).
    pub disclosure_boost: f64,
    pub escalations: u32,
    /// First week the observer may escalate about the actor again.
    pub escalation_allowed_from: i32,
    /// Whether the observer was free of an episode with the actor in week 1,
    /// and the first week of the first reported year an episode started (0: none).
    pub free_at_week_1: bool,
    pub onset_week: i32,
    /// This week: hours the actor owed the observer, missed for load, and left unowned.
    pub owed: f64,
    pub missed: f64,
    pub unowned: f64,
    /// This week's unexplained hours (for tests and diagnostics).
    pub unexplained: f64,
    /// This week's conflict hours of the observer toward the actor.
    pub conflict_hours: f64,
    /// The actor's open hours the observer sees or was told about, and all of
    /// them, after this week's work (reported weeks).
    pub believed_load: f64,
    pub actual_load: f64,
}

/// A membership's changing state.
#[derive(Debug, Clone, Default)]
pub struct MembershipState {
    /// Compliance after an escalation: boosted priority until this week.
    pub compliance_until: i32,
    pub compliance_strength: f64,
    /// Hours of this week's plan moved to the project's backlog (deferred by
    /// renegotiation, or left unowned).
    pub deferred: f64,
    pub planned: f64,
    pub agreed: f64,
    /// Hours pushed onto the queue this week.
    pub pushed: f64,
    /// Hours of this week's commitment still undone after the week's work.
    pub undelivered: f64,
    pub item_slot: u32,
    /// Priority the commitment has this week (after compliance).
    pub priority: f64,
}

/// One relationship seen from its actor's side, stored with the actor's other
/// links (`State::links`, by actor then observer slot) so that the week
/// passes hand each other what they need in one place instead of reading
/// across the whole organisation.
///
/// The actor's leader pass writes what the observer was owed this week and
/// how much of the miss the observer can explain; the relationship pass
/// reads it, and writes back the observer's trust (and the actor's extra
/// willingness to tell) for the actor's next leader pass, and the
/// observer's conflict hours for the actor's own total. Those three are
/// atomics because the relationship pass runs over relationships, not
/// actors; each link has one writer per pass.
#[derive(Debug, Default)]
pub struct Link {
    pub owed: f64,
    pub missed: f64,
    pub unowned: f64,
    /// Share of the actor's hidden hours the observer can explain (0 when
    /// nothing was missed).
    pub explained: f64,
    /// The actor's open hours the observer sees or was told about, and all
    /// of them (reported weeks).
    pub believed_load: f64,
    pub actual_load: f64,
    trust: AtomicU64,
    boost: AtomicU64,
    conflict_hours: AtomicU64,
    in_episode: AtomicBool,
}

impl Clone for Link {
    fn clone(&self) -> Self {
        Link {
            owed: self.owed,
            missed: self.missed,
            unowned: self.unowned,
            explained: self.explained,
            believed_load: self.believed_load,
            actual_load: self.actual_load,
            trust: AtomicU64::new(self.trust.load(Ordering::Relaxed)),
            boost: AtomicU64::new(self.boost.load(Ordering::Relaxed)),
            conflict_hours: AtomicU64::new(self.conflict_hours.load(Ordering::Relaxed)),
            in_episode: AtomicBool::new(self.in_episode.load(Ordering::Relaxed)),
        }
    }
}

impl Link {
    /// The observer's trust in the actor, as of the last change.
    #[inline]
    pub fn trust(&self) -> f64 {
        f64::from_bits(self.trust.load(Ordering::Relaxed))
    }

    /// The actor's extra disclosure toward the observer.
    #[inline]
    pub fn boost(&self) -> f64 {
        f64::from_bits(self.boost.load(Ordering::Relaxed))
    }

    /// The observer's conflict hours toward the actor this week.
    #[inline]
    pub fn conflict_hours(&self) -> f64 {
        f64::from_bits(self.conflict_hours.load(Ordering::Relaxed))
    }

    /// Copies the relationship's trust and disclosure boost; call after every change.
    #[inline]
    pub fn mirror(&self, view: &RelationshipState) {
        self.trust.store(view.trust.to_bits(), Ordering::Relaxed);
        self.boost
            .store(view.disclosure_boost.to_bits(), Ordering::Relaxed);
    }

    /// Whether the observer is in a conflict episode with the actor.
    #[inline]
    pub fn in_episode(&self) -> bool {
        self.in_episode.load(Ordering::Relaxed)
    }

    /// Copies the relationship's conflict hours and episode this week.
    #[inline]
    pub fn set_conflict(&self, view: &RelationshipState) {
        self.conflict_hours
            .store(view.conflict_hours.to_bits(), Ordering::Relaxed);
        self.in_episode.store(view.in_episode, Ordering::Relaxed);
    }
}

/// Reusable buffers of the week's leader pass (one per thread).
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    pub order: Vec<QueueEntry>,
    /// Random numbers drawn in one go for a round of disclosure.
    pub draws: Vec<u64>,
    /// Each peer's disclosure threshold in that round.
    pub thresholds: Vec<u64>,
}

/// Everything a week changes.
#[derive(Debug, Clone)]
pub struct State {
    pub week: i32,
    pub leaders: Vec<LeaderState>,
    pub relationships: Vec<RelationshipState>,
    /// Relationships from the actor's side: see [`Link`].
    pub links: Vec<Link>,
    pub memberships: Vec<MembershipState>,
    pub ambiguity: Vec<f64>,
    pub ambiguous: Vec<bool>,
    pub ambiguity_rngs: Vec<ChaCha8Rng>,
    pub coordinating: Vec<bool>,
    pub manager_hearing: Vec<f64>,
    pub manager_escalation: Vec<f64>,
    pub onsets: u32,
    pub escalations: u32,
    pub disclosures: u32,
    /// Shared hours still open in projects at their end week, and how many
    /// projects ended, over the reported weeks.
    pub overrun_hours: f64,
    pub projects_ended: u32,
    pub planned_cumulative: f64,
    pub delivered_cumulative: f64,
    pub on_time: f64,
    pub planned: f64,
    pub delivered: f64,
    /// Whether a week has been simulated: items done before the first week
    /// (the backlog) close only after it, as if at its end.
    pub started: bool,
}

impl State {
    /// A fresh state for one arm of one replicate.
    pub fn new(world: &World, seed: u64, replicate: u64, first_week: i32) -> State {
        let leaders = world
            .leaders
            .iter()
            .enumerate()
            .map(|(index, info)| LeaderState {
                capacity: 0.0,
                worked: 0.0,
                idle: 0.0,
                conflict_hours: 0.0,
                meeting_hours: 0.0,
                escalation_hours: 0.0,
                lost_last_week: 0.0,
                insecurity_extra: 0.0,
                delivered: 0.0,
                disclosures: 0,
                dropped: 0.0,
                next_id: 0,
                conflict_first_year: 0.0,
                in_episode: false,
                free_at_week_1: false,
                onset_week: 0,
                items: Vec::new(),
                slots: SlotBits::new(info.observed_by.len()),
                free_slots: Vec::new(),
                worked_items: Vec::new(),
                commitments: vec![Commitment::default(); info.memberships.len()],
                shared_remaining: Vec::new(),
                arrivals: Stream::new(seed, replicate, Purpose::Arrivals, index as u64),
                behaviour: Stream::new(seed, replicate, Purpose::Disclosure, index as u64),
            })
            .collect();
        let relationships: Vec<RelationshipState> = world
            .initial_trust
            .iter()
            .map(|&trust| RelationshipState {
                trust,
                escalation_allowed_from: i32::MIN,
                ..RelationshipState::default()
            })
            .collect();
        let links = vec![Link::default(); relationships.len()];
        for (rel, view) in world.relationships.iter().zip(&relationships) {
            links[rel.link as usize].mirror(view);
        }
        State {
            week: first_week,
            leaders,
            relationships,
            links,
            memberships: world
                .memberships
                .iter()
                .map(|m| MembershipState {
                    compliance_until: i32::MIN,
                    item_slot: NO_SLOT,
                    priority: m.priority,
                    ..MembershipState::default()
                })
                .collect(),
            ambiguity: world.project_ambiguity.clone(),
            ambiguous: vec![false; world.n_projects()],
            ambiguity_rngs: (0..world.n_projects())
                .map(|project| stream(seed, replicate, Purpose::Ambiguity, project as u64))
                .collect(),
            coordinating: vec![false; world.pairs.len()],
            manager_hearing: vec![0.0; world.n_managers],
            manager_escalation: vec![0.0; world.n_managers],
            onsets: 0,
            escalations: 0,
            disclosures: 0,
            overrun_hours: 0.0,
            projects_ended: 0,
            planned_cumulative: 0.0,
            delivered_cumulative: 0.0,
            on_time: 0.0,
            planned: 0.0,
            delivered: 0.0,
            started: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Item, PRIVATE, QueueEntry, SlotBits};

    #[test]
    fn queue_keys_sort_as_priority_then_due_week_then_arrival() {
        let priorities = [-100.0, -7.5, -0.0, 0.0, 1e-9, 3.0, 3.5, 9.0, 100.0];
        let due_weeks = [-8, -1, 0, 1, 26, 5200];
        let mut entries = Vec::new();
        let mut id = 0;
        for &priority in &priorities {
            for &due_week in &due_weeks {
                // Ids in an order unrelated to the other fields.
                id = (id + 7919) % 100_003;
                entries.push((priority, due_week, id));
            }
        }
        let mut by_fields = entries.clone();
        by_fields.sort_by(|a: &(f64, i32, u32), b| {
            b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
        });
        let mut by_key = entries;
        by_key.sort_by_key(|&(priority, due_week, id)| QueueEntry::key(priority, due_week, id));
        assert_eq!(by_key, by_fields);
    }

    #[test]
    fn an_item_is_private_with_a_priority_or_shared_with_a_project() {
        for priority in [-100.0, -0.0, 0.0, 1e-300, 3.5, f64::MAX, f64::MIN] {
            let item = Item::private(2.0, priority, 7);
            assert_eq!(item.project(), PRIVATE);
            assert_eq!(item.priority().map(f64::to_bits), Some(priority.to_bits()));
        }
        for project in [0, 1, 123_456, PRIVATE - 1] {
            let item = Item::shared(2.0, project, 7);
            assert_eq!(item.project(), project);
            assert_eq!(item.priority(), None);
        }
        assert_eq!(std::mem::size_of::<Item>(), 24);
    }

    #[test]
    fn slot_bits_keep_sets_apart_as_the_queue_grows() {
        let mut bits = SlotBits::new(3);
        for slot in [0, 5, 63, 64, 130] {
            bits.cover(slot);
            bits.set(SlotBits::LIVE, slot);
            bits.set(SlotBits::untold(2), slot);
        }
        bits.set(SlotBits::OPEN, 64);
        bits.clear(SlotBits::untold(2), 5);
        assert_eq!(bits.n_words(), 3);
        assert_eq!(
            bits.iter(SlotBits::LIVE).collect::<Vec<_>>(),
            [0, 5, 63, 64, 130]
        );
        assert_eq!(
            bits.iter(SlotBits::untold(2)).collect::<Vec<_>>(),
            [0, 63, 64, 130]
        );
        assert_eq!(bits.iter(SlotBits::OPEN).collect::<Vec<_>>(), [64]);
        assert!(bits.iter(SlotBits::untold(0)).next().is_none());
        bits.clear_slot(63);
        assert!(!bits.get(SlotBits::LIVE, 63) && !bits.get(SlotBits::untold(2), 63));
        assert!(bits.get(SlotBits::LIVE, 64));
    }
}
