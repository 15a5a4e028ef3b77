//! What a run would cost in memory and time, estimated from the scenario
//! before anything is built, so that a size that cannot run (a billion
//! leaders, 10^12 replicates, teams of 10,000 whose queues hold millions of
//! items) is refused up front instead of exhausting the machine.
//!
//! The estimate has two parts.
//!
//! - **The queue**: how many items a leader holds, from the quantities the
//!   engine uses (see [`queue`]): arriving items from demand, capacity and
//!   each workstream's effort; the hours a week cannot cover, which wait
//!   until triage drops them or, past what triage may drop, pile up; and
//!   the hours conflict takes from capacity, counted at half the most it can
//!   take. A test checks it against the mean queue of simulated runs, within
//!   a factor of 3, from two leaders to hundreds and from calm to meltdown.
//! - **The cost**: memory and time per leader-week from the queue, the peers
//!   and the items worked, with constants measured on this engine (see the
//!   README's "Sizes and limits"): per item held (its key, closing, loads),
//!   per item and peer (a disclosure draw while it is untold), per item and
//!   round of 16 items worked (putting the queue in order), and per peer and
//!   its square (relationships, links, shared work).
//!
//! It is meant to be right within a factor of about two or three, which is
//! plenty to tell a run of minutes from a run of years.

use std::collections::HashMap;

use super::raw::{RawLeader, RawScenario, RawWorkstream};

/// Memory a run needs whatever its size: the program, its tables, the pool.
const BASE_BYTES: f64 = 8.0 * MIB;
/// Memory per leader in each replicate in flight (their queue, team and
/// relationships, and their share of the organisation): this much per peer ...
const BYTES_PER_LEADER_PEER: f64 = 1_800.0;
/// ... plus this much per squared peer count.
const BYTES_PER_LEADER_PEER2: f64 = 69.0;
/// Running statistics kept per arm, reported week and metric.
const BYTES_PER_STATISTIC: f64 = 24.0;
/// The queue the memory per leader above was measured with (items).
const MEASURED_QUEUE: f64 = 50.0;
/// Bytes per item held beyond it: the item (24 bytes, in a vector that
/// grows by an eighth), before its bits in the bit sets.
const BYTES_PER_ITEM: f64 = 27.0;
/// Time per simulated arm-week, whatever the organisation.
const SECONDS_PER_ARM_WEEK: f64 = 2.5e-6;
/// Time per leader-week, whatever the queue ...
const SECONDS_PER_LEADER_WEEK: f64 = 0.6e-6;
/// ... per item held (its key, closing, the loads peers see) ...
const SECONDS_PER_ITEM: f64 = 12e-9;
/// ... per item held and peer (a disclosure draw while it is untold) ...
const SECONDS_PER_ITEM_PEER: f64 = 1e-9;
/// ... per item held and round of 16 items worked (a selection over the
/// queue; a team that works hundreds of items a week pays it many times) ...
const SECONDS_PER_ITEM_ROUND: f64 = 2e-9;
/// ... and per peer and squared peer count (relationships, links, shared
/// work), beyond the queue they lengthen.
const SECONDS_PER_LEADER_WEEK_PEER: f64 = 0.05e-6;
const SECONDS_PER_LEADER_WEEK_PEER2: f64 = 0.005e-6;
/// How much slower a leader-week is once a replicate's state is well beyond
/// the caches ([`CACHE_BYTES`]), where every leader's data comes from memory.
const MEMORY_BOUND_SLOWDOWN: f64 = 0.4;
const CACHE_BYTES: f64 = 64.0 * MIB;
/// Weeks an item that is worked stays live: it arrives, is worked, and
/// closes when the next week starts (measured: 1.15 weeks an item at demand
/// 0.8 in two-managers, where every item is worked).
const WEEKS_A_WORKED_ITEM_STAYS: f64 = 1.15;
/// Share of the most hours conflict can take (every relationship at its
/// maximum, with replies and the team's spill-over) that the estimate
/// counts as lost: no run is known ahead, and half errs toward longer
/// queues where peers are many.
const CONFLICT_LOSS_SHARE: f64 = 0.5;
/// Share of a thread's work that each further thread adds when the week
/// itself runs in parallel (measured: 1.8 times as fast on two threads).
const WEEK_PARALLEL_EFFICIENCY: f64 = 0.85;

/// Organisations with at least this many leaders run the week's passes in
/// parallel (the engine's passes 2 to 5); below it, a pass is too short for
/// threads to pay for themselves (and small scenarios are parallel across
/// replicates anyway). Declared here, where input is read, so that the
/// estimate and the engine share it without the scenario depending on the
/// engine.
pub const PARALLEL_LEADERS: usize = 256;

/// Weekly metrics kept per arm and week (`metrics::Weekly::COUNT`, checked
/// there at compile time).
pub const WEEKLY_METRICS: usize = 28;
/// Most relationships the engine can index (32-bit indices, with room).
pub const MAX_RELATIONSHIPS: f64 = 2_000_000_000.0;

const MIB: f64 = 1024.0 * 1024.0;

/// What a run of a scenario would need.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    pub leaders: f64,
    /// Directed relationships (observer, actor): every pair of leaders who
    /// share a project, counted from both sides.
    pub relationships: f64,
    /// Items a leader holds, on average over the run (see [`queue`]).
    pub items_per_leader: f64,
    pub memory_bytes: f64,
    pub seconds: f64,
    /// Threads that can work at once: one per replicate in flight, or all of
    /// them on each week of a large organisation.
    pub threads: usize,
}

impl Cost {
    /// Average peers per leader.
    pub fn peers_per_leader(&self) -> f64 {
        if self.leaders > 0.0 {
            self.relationships / self.leaders
        } else {
            0.0
        }
    }
}

/// What this machine can give a run before it is refused (unless forced).
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub memory_bytes: f64,
    pub seconds: f64,
    pub threads: usize,
}

impl Budget {
    /// Most of this machine's memory, a day of time, and `threads` threads.
    pub fn of_this_machine(threads: usize) -> Budget {
        Budget {
            memory_bytes: physical_memory().unwrap_or(8.0 * 1024.0 * MIB) * 0.8,
            seconds: 24.0 * 3600.0,
            threads: threads.max(1),
        }
    }
}

/// Memory this process may use, in bytes, where the system tells: the
/// machine's, or less where a control group (a container's limit, a
/// Kubernetes pod's, a Slurm job's) sets a lower one.
fn physical_memory() -> Option<f64> {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    let machine = read("/proc/meminfo").and_then(|meminfo| {
        let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024.0)
    });
    let group = read("/proc/self/cgroup").and_then(|groups| cgroup_limit(&groups, read));
    match (machine, group) {
        (Some(machine), Some(group)) => Some(machine.min(group)),
        (machine, group) => machine.or(group),
    }
}

/// The lowest memory limit of this process's control group and the groups
/// above it, from `/proc/self/cgroup`'s text; `read` reads a file under
/// `/sys/fs/cgroup`. Version 2 (`memory.max`, "max" for none) and version 1
/// (`memory.limit_in_bytes`, a huge number for none) are both read.
fn cgroup_limit(groups: &str, read: impl Fn(&str) -> Option<String>) -> Option<f64> {
    // Limits this large mean none (version 1 writes 2^63 rounded to a page).
    const NONE: f64 = (1u64 << 60) as f64;
    let mut lowest: Option<f64> = None;
    for line in groups.lines() {
        // "id:controllers:path"; a line of another shape names no group.
        let mut fields = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let (root, file) = match controllers {
            "" => ("/sys/fs/cgroup", "memory.max"),
            list if list.split(',').any(|c| c == "memory") => {
                ("/sys/fs/cgroup/memory", "memory.limit_in_bytes")
            }
            _ => continue,
        };
        // The group and each group above it (inside a container, the path
        // is often just "/", and the container's limit is at the root).
        let mut dir = path.trim_end_matches('/').to_string();
        loop {
            let limit = read(&format!("{root}{dir}/{file}"))
                .and_then(|text| text.trim().parse::<f64>().ok())
                .filter(|&limit| limit > 0.0 && limit < NONE);
            if let Some(limit) = limit {
                lowest = Some(lowest.map_or(limit, |low| low.min(limit)));
            }
            match dir.rfind('/') {
                Some(at) => dir.truncate(at),
                None => break,
            }
        }
    }
    lowest
}

/// Estimates a run of `raw` with `arms` arms on `threads` threads. The
/// scenario's values must already be checked (ranges, minimum below maximum).
pub fn estimate(raw: &RawScenario, arms: usize, threads: usize) -> Cost {
    let mut leaders = raw.leaders.len() as f64;
    let mut relationships: f64 = raw
        .projects
        .iter()
        .map(|project| {
            let members = project.members.len() as f64;
            members * (members - 1.0)
        })
        .sum();
    if let Some(generate) = &raw.generate {
        let mean = |low: i64, high: i64| (low + high) as f64 / 2.0;
        let projects = mean(
            generate.projects_per_leader_min,
            generate.projects_per_leader_max,
        );
        let size = mean(generate.project_size_min, generate.project_size_max);
        let generated = generate.leaders as f64;
        leaders += generated;
        // Projects are filled up with leaders who have room, which makes
        // them a little larger than drawn (measured: about 10%).
        relationships += generated * projects * (size - 1.0) * 1.1;
    }
    let peers = if leaders > 0.0 {
        relationships / leaders
    } else {
        0.0
    };
    let queue = mean_queue(raw, peers);
    let replicates = raw.replicates.max(1) as f64;
    let threads = threads.max(1) as f64;
    // Replicates run side by side, each with its own state; a large
    // organisation also runs each week on every thread.
    let in_flight = threads.min(replicates);
    let week_parallel = leaders >= PARALLEL_LEADERS as f64;
    let (working, speed_up) = if week_parallel && threads > in_flight {
        (
            threads,
            in_flight + (threads - in_flight) * WEEK_PARALLEL_EFFICIENCY,
        )
    } else {
        (in_flight, in_flight)
    };
    let weeks = (raw.weeks.max(1) + raw.warmup_weeks.max(0)) as f64;
    let arms = arms.max(1) as f64;
    let bits_per_item = 3.0 + 2.0 * peers;
    let per_leader_bytes = BYTES_PER_LEADER_PEER * peers
        + BYTES_PER_LEADER_PEER2 * peers * peers
        + (queue.items - MEASURED_QUEUE).max(0.0) * (BYTES_PER_ITEM + bits_per_item / 8.0);
    let statistics = arms * raw.weeks.max(1) as f64 * WEEKLY_METRICS as f64;
    let memory_bytes =
        BASE_BYTES + in_flight * leaders * per_leader_bytes + statistics * BYTES_PER_STATISTIC;
    let per_leader_week = SECONDS_PER_LEADER_WEEK
        + queue.items
            * (SECONDS_PER_ITEM
                + SECONDS_PER_ITEM_PEER * peers
                + SECONDS_PER_ITEM_ROUND * queue.worked_per_week / 16.0)
        + SECONDS_PER_LEADER_WEEK_PEER * peers
        + SECONDS_PER_LEADER_WEEK_PEER2 * peers * peers;
    // Once a replicate's state outgrows the caches, every leader's week
    // waits for memory (measured: 2.84 us a leader-week at 1,000 leaders,
    // 3.55 at 10,000, about 4.0 at 100,000, before the leader pass asked
    // for the next leader's data ahead, which took the difference between
    // 1,000 and 10,000 leaders from 30% to 17%; the constant is kept, since
    // the estimate was short of the measured time at those sizes).
    let state_bytes = leaders * per_leader_bytes;
    let waiting_for_memory = 1.0 + MEMORY_BOUND_SLOWDOWN * (state_bytes / CACHE_BYTES).min(1.0);
    let per_arm_week = SECONDS_PER_ARM_WEEK + leaders * per_leader_week * waiting_for_memory;
    // Below the parallel size, the arms of a replicate simulate the warm-up
    // once (and the weeks before their interventions start, not counted).
    let arm_weeks = if week_parallel || arms <= 1.0 {
        arms * weeks
    } else {
        raw.warmup_weeks.max(0) as f64 + arms * raw.weeks.max(1) as f64
    };
    let seconds = replicates * arm_weeks * per_arm_week / speed_up;
    Cost {
        leaders,
        relationships,
        items_per_leader: queue.items,
        memory_bytes,
        seconds,
        threads: working as usize,
    }
}

/// A leader's queue, as [`queue`] estimates it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Queue {
    /// Items held, on average over the run.
    pub items: f64,
    /// Items worked a week.
    pub worked_per_week: f64,
}

/// What [`queue`] needs to know of one leader.
#[derive(Debug, Clone, Copy)]
pub struct LeaderLoad {
    /// Team capacity (h a week) and team size (people).
    pub capacity: f64,
    pub team_size: f64,
    pub demand: f64,
    /// Hours a week owed to shared projects, and how many projects.
    pub shared_hours: f64,
    pub projects: f64,
    /// Peers: leaders who share a project with this one.
    pub peers: f64,
}

/// A leader's queue over a run of `weeks` (warm-up included), from the
/// quantities the engine uses.
///
/// - Items arrive at `demand x capacity` hours a week: the private hours,
///   split by workstream share and divided by each stream's mean effort,
///   plus one commitment a week per project. An item that is worked stays
///   [`WEEKS_A_WORKED_ITEM_STAYS`].
/// - Capacity is what conflict leaves: [`CONFLICT_LOSS_SHARE`] of the most
///   it can take (every peer at `max_hours`, with replies, and the team's
///   spill-over).
/// - The hours capacity cannot cover are the lowest in the queue. Up to the
///   hours of workstreams triage may drop, they wait out their due window
///   and `overdue_weeks`, then `1 / drop_probability` weeks more, and go
///   (when nothing is dropped: until ageing lifts them to the priority of
///   the work above them).
///   Beyond that they pile up all run: half the run's excess on average.
/// - The starting backlog (`initial_backlog_weeks` of private items) stays
///   as long as the waiting items do.
pub fn queue(raw: &RawScenario, workstreams: &[RawWorkstream], load: &LeaderLoad) -> Queue {
    let weeks = (raw.weeks.max(1) + raw.warmup_weeks.max(0)) as f64;
    let private = (load.demand * load.capacity - load.shared_hours).max(0.0);
    let total_share: f64 = workstreams.iter().map(|s| s.share.max(0.0)).sum();
    let mut arriving = load.projects;
    // Hours and items of the workstreams triage may drop, and of the rest.
    let (mut low_hours, mut low_items, mut low_stay) = (0.0, 0.0, 0.0);
    let (mut high_hours, mut high_items) = (0.0, 0.0);
    // Priority, weighted by hours, of each part.
    let (mut low_priority, mut high_priority) = (0.0, 0.0);
    let triage = &raw.triage;
    for stream in workstreams {
        let hours = private * stream.share.max(0.0) / total_share.max(f64::MIN_POSITIVE);
        let items = hours / stream.mean_effort_hours.max(f64::MIN_POSITIVE);
        arriving += items;
        if stream.priority < triage.below_priority {
            let due = (stream.due_weeks_min + stream.due_weeks_max) as f64 / 2.0;
            low_hours += hours;
            low_items += items;
            low_stay += items * due;
            low_priority += hours * stream.priority;
        } else {
            high_hours += hours;
            high_items += items;
            high_priority += hours * stream.priority;
        }
    }
    let effort = |hours: f64, items: f64| if items > 0.0 { hours / items } else { 1.0 };
    let c = &raw.conflict;
    let most_conflict = load.peers * c.max_hours * (1.0 + c.reply_share);
    let lost =
        CONFLICT_LOSS_SHARE * most_conflict * (1.0 + load.team_size * c.spillover_hours_per_hour);
    let capacity = (load.capacity - lost).max(0.0);
    let uncovered = (load.demand * load.capacity - capacity).max(0.0);
    let waiting = uncovered.min(low_hours);
    let piling = uncovered - waiting;
    // Once stale, an item goes after `1 / drop_probability` weeks; or, when
    // nothing is dropped, when ageing has lifted it to the work above it.
    let drop = triage.drop_probability;
    let ageing = raw.team.ageing_per_week;
    let mean = |total: f64, hours: f64| if hours > 0.0 { total / hours } else { 0.0 };
    let catch_up = (mean(high_priority, high_hours) - mean(low_priority, low_hours)).max(0.0);
    let gone_after = if drop > 0.0 {
        1.0 / drop
    } else if ageing > 0.0 {
        (catch_up / ageing).min(weeks)
    } else {
        weeks
    };
    let due = if low_items > 0.0 {
        low_stay / low_items
    } else {
        0.0
    };
    let stay = due + triage.overdue_weeks.max(0) as f64 + gone_after;
    // The starting backlog: the private items of `initial_backlog_weeks`
    // weeks, which stay about as long as the waiting ones.
    let backlog = (arriving - load.projects) * raw.team.initial_backlog_weeks.max(0.0);
    let items = arriving * WEEKS_A_WORKED_ITEM_STAYS
        + waiting / effort(low_hours, low_items) * stay
        + piling / effort(high_hours, high_items) * weeks / 2.0
        + backlog * (stay / weeks).min(1.0);
    let worked =
        arriving * (1.0 - uncovered / (load.demand * load.capacity).max(f64::MIN_POSITIVE));
    Queue {
        items,
        worked_per_week: worked.max(0.0),
    }
}

/// The queue of a typical leader of the scenario: the mean over its named
/// leaders and its generated ones (with the middle of each generated range),
/// each with `peers` peers.
fn mean_queue(raw: &RawScenario, peers: f64) -> Queue {
    let defaults = &raw.defaults;
    let hours = raw.team.hours_per_person;
    let mut total = Queue {
        items: 0.0,
        worked_per_week: 0.0,
    };
    let mut count = 0.0;
    let mut add = |queue: Queue, leaders: f64| {
        total.items += queue.items * leaders;
        total.worked_per_week += queue.worked_per_week * leaders;
        count += leaders;
    };
    let capacity_of = |leader: &RawLeader| {
        let team_size = leader.team_size.unwrap_or(defaults.team_size).max(0) as f64;
        (
            team_size,
            leader.capacity_hours.unwrap_or(team_size * hours),
        )
    };
    // Each named leader's projects and shared hours, in one pass over the
    // projects (a file may name tens of thousands of each).
    let index: HashMap<&str, usize> = raw
        .leaders
        .iter()
        .enumerate()
        .map(|(at, leader)| (leader.name.as_str(), at))
        .collect();
    let mut shared = vec![(0.0, 0.0); raw.leaders.len()];
    for project in &raw.projects {
        for member in &project.members {
            if let Some(&at) = index.get(member.as_str()) {
                let (_, capacity) = capacity_of(&raw.leaders[at]);
                let share = project.project_share.unwrap_or(defaults.project_share);
                shared[at].0 += project.hours_per_week.unwrap_or(share * capacity);
                shared[at].1 += 1.0;
            }
        }
    }
    for (leader, &(shared_hours, projects)) in raw.leaders.iter().zip(&shared) {
        let (team_size, capacity) = capacity_of(leader);
        let load = LeaderLoad {
            capacity,
            team_size,
            demand: leader.demand.unwrap_or(defaults.demand),
            shared_hours,
            projects,
            peers,
        };
        let workstreams = leader.workstreams.as_deref().unwrap_or(&raw.workstreams);
        add(queue(raw, workstreams, &load), 1.0);
    }
    if let Some(generate) = &raw.generate {
        let middle = |low: f64, high: f64| (low + high) / 2.0;
        let team_size = if generate.team_size_distribution == "lognormal" {
            generate.team_size_mean
        } else {
            middle(generate.team_size_min as f64, generate.team_size_max as f64)
        };
        let capacity = team_size * hours;
        let load = LeaderLoad {
            capacity,
            team_size,
            demand: middle(generate.demand_min, generate.demand_max),
            shared_hours: generate.shared_share * capacity,
            projects: middle(
                generate.projects_per_leader_min as f64,
                generate.projects_per_leader_max as f64,
            ),
            peers,
        };
        add(
            queue(raw, &raw.workstreams, &load),
            generate.leaders.max(0) as f64,
        );
    }
    if count > 0.0 {
        total.items /= count;
        total.worked_per_week /= count;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::PARALLEL_LEADERS as PARALLEL;
    use super::*;
    use crate::scenario::raw::RawScenario;

    #[test]
    fn the_lowest_control_group_limit_counts() {
        let files = |path: &str| {
            match path {
                // Version 2: a pod's limit above the container's "max".
                "/sys/fs/cgroup/kubepods/pod1/memory.max" => Some("4294967296\n"),
                "/sys/fs/cgroup/kubepods/pod1/c1/memory.max" => Some("max\n"),
                // Version 1: no limit (a huge number), then 2 GiB at the root.
                "/sys/fs/cgroup/memory/job/memory.limit_in_bytes" => Some("9223372036854771712"),
                "/sys/fs/cgroup/memory/memory.limit_in_bytes" => Some("2147483648"),
                _ => None,
            }
            .map(str::to_string)
        };
        assert_eq!(
            cgroup_limit("0::/kubepods/pod1/c1\n", files),
            Some(4294967296.0)
        );
        assert_eq!(
            cgroup_limit("4:memory:/job\n3:cpu:/\n", files),
            Some(2147483648.0)
        );
        assert_eq!(cgroup_limit("0::/\n", files), None);
        assert_eq!(cgroup_limit("4:memory,cpu:/none\n", |_| None), None);
        // A line of another shape does not hide the limits of the others.
        assert_eq!(
            cgroup_limit("garbled\n0::/kubepods/pod1/c1\n", files),
            Some(4294967296.0)
        );
    }

    #[test]
    fn more_peers_cost_more_memory_and_time() {
        let text = |projects: u32| {
            format!(
                "name = \"x\"\n[generate]\nleaders = 1000\nprojects_per_leader_min = {projects}\nprojects_per_leader_max = {projects}\n"
            )
        };
        let few: RawScenario = toml::from_str(&text(1)).unwrap();
        let many: RawScenario = toml::from_str(&text(5)).unwrap();
        let (few, many) = (estimate(&few, 1, 1), estimate(&many, 1, 1));
        assert!(many.memory_bytes > few.memory_bytes && many.seconds > few.seconds);
        assert_eq!(few.leaders, 1000.0);
    }

    #[test]
    fn the_arms_of_a_small_organisation_share_the_warm_up() {
        let raw: RawScenario = toml::from_str(
            "name = \"x\"\nweeks = 10\nwarmup_weeks = 30\n[generate]\nleaders = 10\n",
        )
        .unwrap();
        let (one, four) = (estimate(&raw, 1, 1), estimate(&raw, 4, 1));
        // 40 arm-weeks for one arm; 30 + 4 x 10 = 70 for four.
        let ratio = four.seconds / one.seconds;
        assert!((ratio - 70.0 / 40.0).abs() < 0.01, "{ratio}");
    }

    #[test]
    fn one_replicate_of_a_large_organisation_uses_every_thread() {
        let text = |leaders: usize| {
            format!("name = \"x\"\nreplicates = 1\n[generate]\nleaders = {leaders}\n")
        };
        let small: RawScenario = toml::from_str(&text(PARALLEL - 1)).unwrap();
        let large: RawScenario = toml::from_str(&text(PARALLEL)).unwrap();
        // Below the threshold a week runs on one thread, whatever is offered.
        assert_eq!(estimate(&small, 1, 2).threads, 1);
        let one = estimate(&small, 1, 1);
        assert_eq!(one.seconds, estimate(&small, 1, 2).seconds);
        // From it, both threads share each week, at the measured efficiency.
        let (one, two) = (estimate(&large, 1, 1), estimate(&large, 1, 2));
        assert_eq!((one.threads, two.threads), (1, 2));
        let speed_up = one.seconds / two.seconds;
        assert!(
            (speed_up - (1.0 + WEEK_PARALLEL_EFFICIENCY)).abs() < 1e-9,
            "{speed_up}"
        );
        // Memory is that of one state either way.
        assert_eq!(one.memory_bytes, two.memory_bytes);
    }
}
