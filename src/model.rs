//! The state the weekly step works on, laid out for the hot loop: vectors
//! indexed by leader, relationship, project membership and item slot.
//!
//! [`World`] is what never changes during a run (who shares what with whom,
//! distributions, the lowest common manager of each pair); it is built once per
//! scenario and shared by every replicate. [`State`] is what the week changes;
//! one is reused for every arm and replicate a thread simulates.

use rand_chacha::ChaCha8Rng;
use rand_distr::{LogNormal, Poisson};

use crate::rng::{Purpose, stream};
use crate::scenario::{LeaderId, ManagerId, Scenario};

/// `Item::project` of private work.
pub const PRIVATE: u32 = u32::MAX;
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
    /// Memberships of this leader (indices into `World::memberships`).
    pub memberships: Vec<u32>,
    /// Relationships in which this leader is the actor; an item's knowledge
    /// bytes are ordered like this list.
    pub observed_by: Vec<u32>,
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
    /// Projects both leaders are members of (sorted).
    pub shared_projects: Vec<u32>,
    /// The lowest manager both report to, directly or not.
    pub common_manager: ManagerId,
}

impl Relationship {
    /// Whether an item of the actor is shared with this observer.
    #[inline]
    pub fn sees(&self, project: u32) -> bool {
        project != PRIVATE && self.shared_projects.binary_search(&project).is_ok()
    }
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
                observed_by: Vec::new(),
            })
            .collect();

        let mut memberships = Vec::new();
        let mut project_members = Vec::new();
        for (project_index, project) in organisation.projects.iter().enumerate() {
            let mut ids = Vec::new();
            for member in &project.members {
                let id = memberships.len() as u32;
                memberships.push(Membership {
                    project: project_index as u32,
                    leader: member.leader,
                    hours_per_week: member.hours_per_week,
                    priority: member.priority,
                    observed_in: Vec::new(),
                });
                leaders[member.leader.0 as usize].memberships.push(id);
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
        for (observer, actor, project) in pair_projects {
            match relationships.last_mut() {
                Some(last) if last.observer.0 == observer && last.actor.0 == actor => {
                    last.shared_projects.push(project);
                }
                _ => relationships.push(Relationship {
                    observer: LeaderId(observer),
                    actor: LeaderId(actor),
                    reverse: 0,
                    pair: 0,
                    observer_slot: 0,
                    shared_projects: vec![project],
                    common_manager: common_manager(
                        organisation,
                        organisation.leaders[observer as usize].manager,
                        organisation.leaders[actor as usize].manager,
                    ),
                }),
            }
        }
        let mut pairs = Vec::new();
        for index in 0..relationships.len() {
            let (observer, actor) = (relationships[index].observer, relationships[index].actor);
            let reverse = relationships
                .binary_search_by(|r| (r.observer, r.actor).cmp(&(actor, observer)))
                .unwrap_or(index) as u32;
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
        for (index, relationship) in relationships.iter().enumerate() {
            for &membership in &leaders[relationship.actor.0 as usize].memberships {
                if relationship.sees(memberships[membership as usize].project) {
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
            pairs,
            initial_trust,
            headcount: organisation.headcount() as f64,
            team_headcount,
        }
    }

    pub fn n_projects(&self) -> usize {
        self.project_members.len()
    }
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

/// An open work item in a leader's queue.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Per-leader arrival order: the last tie-break in the queue.
    pub id: u32,
    pub remaining: f64,
    /// Hours worked on it this week.
    pub worked: f64,
    /// Base priority (private items; shared items take their membership's).
    pub priority: f64,
    pub due_week: i32,
    /// Project of a shared commitment, or [`PRIVATE`].
    pub project: u32,
    /// Membership of a shared commitment (meaningless for private items).
    pub membership: u32,
    /// False once the slot is free.
    pub live: bool,
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

/// A leader's changing state.
#[derive(Debug, Clone)]
pub struct LeaderState {
    /// Item slots; a closed item's slot is reused.
    pub items: Vec<Item>,
    /// `known[slot * observers + observer_slot]`: how that observer knows the item.
    pub known: Vec<u8>,
    pub free_slots: Vec<u32>,
    /// Scratch buffer for the queue order.
    pub order: Vec<QueueEntry>,
    pub next_id: u32,
    pub arrivals_rng: ChaCha8Rng,
    pub disclosure_rng: ChaCha8Rng,
    /// Extra insecurity from being escalated against; fades back.
    pub insecurity_extra: f64,
    /// Hours lost last week (leader and team), taken off this week's capacity.
    pub lost_last_week: f64,
    /// Hours available this week after losses.
    pub capacity: f64,
    pub worked: f64,
    pub idle: f64,
    pub conflict_hours: f64,
    pub meeting_hours: f64,
    pub escalation_hours: f64,
    /// In a conflict episode during the first reported year.
    pub touched: bool,
}

impl LeaderState {
    pub fn insecurity(&self, info: &LeaderInfo) -> f64 {
        (info.insecurity + self.insecurity_extra).min(1.0)
    }

    /// Puts an item in a free slot, clearing its knowledge bytes.
    pub fn push_item(&mut self, mut item: Item, observers: usize) -> u32 {
        item.id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        match self.free_slots.pop() {
            Some(slot) => {
                self.items[slot as usize] = item;
                slot
            }
            None => {
                self.items.push(item);
                self.known.resize(self.items.len() * observers, UNKNOWN);
                (self.items.len() - 1) as u32
            }
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
    /// This week: hours the actor owed the observer, missed for load, and left unowned.
    pub owed: f64,
    pub missed: f64,
    pub unowned: f64,
    /// This week's unexplained hours (for tests and diagnostics).
    pub unexplained: f64,
}

/// A membership's changing state.
#[derive(Debug, Clone, Default)]
pub struct MembershipState {
    /// Compliance after an escalation: boosted priority until this week.
    pub compliance_until: i32,
    pub compliance_strength: f64,
    /// Hours deferred by renegotiation or left unowned, still owed to the project.
    pub deferred: f64,
    pub planned: f64,
    pub agreed: f64,
    /// Hours pushed onto the queue this week.
    pub pushed: f64,
    pub item_slot: u32,
    /// Priority the commitment has this week (after compliance).
    pub priority: f64,
}

/// Everything a week changes.
#[derive(Debug, Clone)]
pub struct State {
    pub week: i32,
    pub leaders: Vec<LeaderState>,
    pub relationships: Vec<RelationshipState>,
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
    pub planned_cumulative: f64,
    pub delivered_cumulative: f64,
    pub on_time: f64,
    pub planned: f64,
    pub delivered: f64,
}

impl State {
    /// A fresh state for one arm of one replicate.
    pub fn new(world: &World, seed: u64, replicate: u64, first_week: i32) -> State {
        let leaders = world
            .leaders
            .iter()
            .enumerate()
            .map(|(index, _)| LeaderState {
                items: Vec::new(),
                known: Vec::new(),
                free_slots: Vec::new(),
                order: Vec::new(),
                next_id: 0,
                arrivals_rng: stream(seed, replicate, Purpose::Arrivals, index as u64),
                disclosure_rng: stream(seed, replicate, Purpose::Disclosure, index as u64),
                insecurity_extra: 0.0,
                lost_last_week: 0.0,
                capacity: 0.0,
                worked: 0.0,
                idle: 0.0,
                conflict_hours: 0.0,
                meeting_hours: 0.0,
                escalation_hours: 0.0,
                touched: false,
            })
            .collect();
        State {
            week: first_week,
            leaders,
            relationships: world
                .initial_trust
                .iter()
                .map(|&trust| RelationshipState {
                    trust,
                    escalation_allowed_from: i32::MIN,
                    ..RelationshipState::default()
                })
                .collect(),
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
            planned_cumulative: 0.0,
            delivered_cumulative: 0.0,
            on_time: 0.0,
            planned: 0.0,
            delivered: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::QueueEntry;

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
}
