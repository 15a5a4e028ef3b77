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
    let per_leader_bytes = BYTES_PER_LEADER_PEER * peers + BYTES_PER_LEADER_PEER2 * peers * peers;
    let statistics = arms * raw.weeks.max(1) as f64 * WEEKLY_METRICS as f64;
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
