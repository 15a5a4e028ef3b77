//! What a run would cost in memory and time, estimated from the scenario
//! before anything is built, so that a size that cannot run (a billion
//! leaders, 10^12 replicates) is refused up front instead of exhausting the
//! machine.
//!
//! The estimate is a simple cost model fitted to measured runs of generated
//! organisations (2,000 and 10,000 leaders with 1-3, 3-6 and 6-10 projects
//! each, about 4, 10 and 18 peers, and the bundled large-org's 100,000
//! leaders; one thread; see the README's "Sizes and limits"): memory and time
//! per leader grow with the number of peers a leader has and, more slowly,
//! its square (each peer adds relationships and shared work, and queues
//! grow with shared work). It is meant to be right within a factor of about
//! two, which is plenty to tell a run of minutes from a run of years.

use super::raw::RawScenario;
use crate::metrics::Weekly;

/// Memory a run needs whatever its size: the program, its tables, the pool.
const BASE_BYTES: f64 = 8.0 * MIB;
/// Memory per leader in each replicate in flight (their queue, team and
/// relationships, and their share of the organisation): this much per peer ...
const BYTES_PER_LEADER_PEER: f64 = 1_800.0;
/// ... plus this much per squared peer count.
const BYTES_PER_LEADER_PEER2: f64 = 69.0;
/// Running statistics kept per arm, reported week and metric.
const BYTES_PER_STATISTIC: f64 = 24.0;
/// Time per simulated arm-week, whatever the organisation.
const SECONDS_PER_ARM_WEEK: f64 = 2.5e-6;
/// Time per leader-week: this much per peer ...
const SECONDS_PER_LEADER_WEEK_PEER: f64 = 0.89e-6;
/// ... plus this much per squared peer count.
const SECONDS_PER_LEADER_WEEK_PEER2: f64 = 0.094e-6;
/// Share of a thread's work that each further thread adds when the week
/// itself runs in parallel (measured: 1.8 times as fast on two threads).
const WEEK_PARALLEL_EFFICIENCY: f64 = 0.85;
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

/// Physical memory in bytes, where the system tells.
fn physical_memory() -> Option<f64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
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
    let replicates = raw.replicates.max(1) as f64;
    let threads = threads.max(1) as f64;
    // Replicates run side by side, each with its own state; a large
    // organisation also runs each week on every thread.
    let in_flight = threads.min(replicates);
    let week_parallel = leaders >= crate::engine::PARALLEL_LEADERS as f64;
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
    let per_leader_bytes = BYTES_PER_LEADER_PEER * peers + BYTES_PER_LEADER_PEER2 * peers * peers;
    let statistics = arms * raw.weeks.max(1) as f64 * Weekly::COUNT as f64;
    let memory_bytes =
        BASE_BYTES + in_flight * leaders * per_leader_bytes + statistics * BYTES_PER_STATISTIC;
    let per_arm_week = SECONDS_PER_ARM_WEEK
        + leaders
            * (SECONDS_PER_LEADER_WEEK_PEER * peers
                + SECONDS_PER_LEADER_WEEK_PEER2 * peers * peers);
    let seconds = replicates * arms * weeks * per_arm_week / speed_up;
    Cost {
        leaders,
        relationships,
        memory_bytes,
        seconds,
        threads: working as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::raw::RawScenario;

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
}
