//! What a run would cost in memory and time, estimated from the scenario
//! before anything is built, so that a size that cannot run (a billion
//! leaders, 10^12 replicates) is refused up front instead of exhausting the
//! machine.
//!
//! The estimate is a simple cost model fitted to measured runs of generated
//! organisations (2,000 to 10,000 leaders, 1 to 10 projects per leader, one
//! thread; see the README's "Sizes and limits"): memory and time per leader
//! grow with the square of the number of peers a leader has, since every
//! leader's queue is known item by item to each of their peers. It is meant
//! to be right within a factor of about two, which is plenty to tell a run of
//! minutes from a run of years.

use super::raw::RawScenario;
use crate::metrics::Weekly;

/// Memory a run needs whatever its size: the program, its tables, the pool.
const BASE_BYTES: f64 = 16.0 * MIB;
/// Memory per leader in each replicate in flight: their queue and team ...
const BYTES_PER_LEADER: f64 = 4.0 * 1024.0;
/// ... plus this much per squared peer count (what each peer knows of each item).
const BYTES_PER_LEADER_PEER2: f64 = 480.0;
/// Running statistics kept per arm, reported week and metric.
const BYTES_PER_STATISTIC: f64 = 24.0;
/// Time per simulated arm-week, whatever the organisation.
const SECONDS_PER_ARM_WEEK: f64 = 8e-6;
/// Time per leader-week ...
const SECONDS_PER_LEADER_WEEK: f64 = 1e-6;
/// ... plus this much per squared peer count.
const SECONDS_PER_LEADER_WEEK_PEER2: f64 = 1e-6;
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
    /// Threads that can work at once (at most one per replicate).
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
    let threads = (threads.max(1) as f64).min(replicates);
    let weeks = (raw.weeks.max(1) + raw.warmup_weeks.max(0)) as f64;
    let arms = arms.max(1) as f64;
    let per_leader_bytes = BYTES_PER_LEADER + BYTES_PER_LEADER_PEER2 * peers * peers;
    let statistics = arms * raw.weeks.max(1) as f64 * Weekly::COUNT as f64;
    let memory_bytes =
        BASE_BYTES + threads * leaders * per_leader_bytes + statistics * BYTES_PER_STATISTIC;
    let per_arm_week = SECONDS_PER_ARM_WEEK
        + leaders * (SECONDS_PER_LEADER_WEEK + SECONDS_PER_LEADER_WEEK_PEER2 * peers * peers);
    let seconds = replicates * arms * weeks * per_arm_week / threads;
    Cost {
        leaders,
        relationships,
        memory_bytes,
        seconds,
        threads: threads as usize,
    }
}

/// Bytes in words: "512 MB", "1.2 TB" (powers of 1,024, as memory is sold).
pub fn bytes_in_words(bytes: f64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes.max(0.0);
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{value:.0} bytes"),
        _ if value < 10.0 => format!("{value:.1} {}", units[unit]),
        _ => format!("{value:.0} {}", units[unit]),
    }
}

/// A duration in words: "40 seconds", "3.5 hours", "12,000 years".
pub fn seconds_in_words(seconds: f64) -> String {
    if seconds < 1.0 {
        return "under a second".to_string();
    }
    let steps = [
        (60.0, "seconds"),
        (3600.0, "minutes"),
        (86_400.0, "hours"),
        (365.25 * 86_400.0, "days"),
    ];
    let mut previous = 1.0;
    for (limit, unit) in steps {
        if seconds < limit {
            return rounded(seconds / previous, unit);
        }
        previous = limit;
    }
    rounded(seconds / previous, "years")
}

fn rounded(value: f64, unit: &str) -> String {
    if value < 10.0 && (value - value.round()).abs() >= 0.05 {
        format!("{value:.1} {unit}")
    } else if value < 1e15 {
        count(value.round(), unit.trim_end_matches('s'))
    } else {
        format!("{value:.1e} {unit}")
    }
}

/// "1 leader", "2,000 leaders".
pub fn count(value: f64, noun: &str) -> String {
    let value = value.max(0.0);
    let plural = if value == 1.0 { "" } else { "s" };
    if value < 1e15 {
        format!("{} {noun}{plural}", thousands(value as u64))
    } else {
        format!("{value:.1e} {noun}{plural}")
    }
}

/// 1234567 as "1,234,567".
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_read_as_words() {
        assert_eq!(bytes_in_words(512.0), "512 bytes");
        assert_eq!(bytes_in_words(3.0 * MIB), "3.0 MB");
        assert_eq!(bytes_in_words(1.5 * 1024.0 * 1024.0 * MIB), "1.5 TB");
        assert_eq!(seconds_in_words(42.0), "42 seconds");
        assert_eq!(seconds_in_words(90.0), "1.5 minutes");
        assert_eq!(seconds_in_words(3.0 * 86_400.0), "3 days");
        assert_eq!(seconds_in_words(86_400.0), "1 day");
        assert_eq!(count(1.0, "peer"), "1 peer");
        assert_eq!(seconds_in_words(1e6 * 365.25 * 86_400.0), "1,000,000 years");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
