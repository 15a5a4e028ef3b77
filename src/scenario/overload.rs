//! Whether some leaders are given more work that triage never drops than
//! their teams can do, so that their queues grow without bound whatever
//! anyone does (DESIGN.md section 5).
//!
//! Triage drops stale private items whose base priority is below
//! `triage.below_priority`, with a weekly chance; everything else (private
//! work at or above that priority, and every shared commitment and project
//! backlog) is only ever worked. When a leader's expected weekly hours of
//! that work exceed the team's expected capacity, the queue grows every
//! week, before a single hour is lost to conflict. This is a property of
//! the values, computed from them, not a forecast of the run: a scenario
//! that passes can still overload once conflict eats capacity, which
//! `run` measures (see [`crate::output::growing_queues`]).

use super::Scenario;

/// A leader whose never-dropped work exceeds the team's capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct Overloaded {
    pub name: String,
    /// Expected hours a week of work triage never drops.
    pub kept_hours: f64,
    pub capacity_hours: f64,
}

/// The leaders whose queues grow without bound at these values, most
/// overloaded first.
pub fn overloaded_leaders(scenario: &Scenario) -> Vec<Overloaded> {
    let triage = &scenario.params.triage;
    let organisation = &scenario.organisation;
    // The commitments running in the last reported week: the load the run
    // ends under.
    let last = scenario.weeks as i32;
    let mut shared = vec![0.0; organisation.leaders.len()];
    for project in &organisation.projects {
        if project.start_week <= last && last <= project.end_week {
            for member in &project.members {
                shared[member.leader.0 as usize] += member.hours_per_week;
            }
        }
    }
    let mut overloaded: Vec<Overloaded> = organisation
        .leaders
        .iter()
        .zip(&shared)
        .filter_map(|(leader, &shared)| {
            let private: f64 = leader
                .workstreams
                .iter()
                .map(|stream| {
                    let hours = stream.arrivals_per_week * stream.mean_effort_hours;
                    let droppable = if triage.drop_probability > 0.0 {
                        droppable_share(
                            stream.priority,
                            stream.priority_jitter,
                            triage.below_priority,
                        )
                    } else {
                        0.0
                    };
                    hours * (1.0 - droppable)
                })
                .sum();
            let kept_hours = private + shared;
            (kept_hours > leader.capacity_hours).then(|| Overloaded {
                name: leader.name.clone(),
                kept_hours,
                capacity_hours: leader.capacity_hours,
            })
        })
        .collect();
    overloaded.sort_by(|a, b| {
        (b.kept_hours / b.capacity_hours).total_cmp(&(a.kept_hours / a.capacity_hours))
    });
    overloaded
}

/// The share of a workstream's items that triage may drop: base priorities
/// are drawn evenly within `priority +/- jitter`, and those below
/// `below` may be dropped.
fn droppable_share(priority: f64, jitter: f64, below: f64) -> f64 {
    if jitter <= 0.0 {
        return if priority < below { 1.0 } else { 0.0 };
    }
    ((below - (priority - jitter)) / (2.0 * jitter)).clamp(0.0, 1.0)
}

/// The warning `validate` and `run` print for an overloaded scenario, or
/// `None` when every leader's never-dropped work fits their capacity.
pub fn unbounded_queues_warning(scenario: &Scenario) -> Option<String> {
    let overloaded = overloaded_leaders(scenario);
    let worst = overloaded.first()?;
    let total = scenario.organisation.leaders.len();
    let (who, verb) = match overloaded.len() {
        1 if total == 1 => ("the one leader".to_owned(), "gets"),
        1 => (format!("1 of {total} leaders"), "gets"),
        n if n == total => (format!("all {total} leaders"), "get"),
        n => (format!("{n} of {total} leaders"), "get"),
    };
    let most = if overloaded.len() == 1 {
        ""
    } else {
        "the most: "
    };
    Some(format!(
        "queues grow without bound at these values: {who} {verb} more work that triage never drops (private work of priority {} and above, and shared commitments) than the team can do ({most}{}, {:.0} h a week against {:.0} h of capacity); lower demand (defaults.demand, a leader's own demand, or generate.demand_min and demand_max), the shares of those workstreams or the projects' weekly hours, or raise triage.below_priority so triage may drop more",
        scenario.params.triage.below_priority, worst.name, worst.kept_hours, worst.capacity_hours
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &str) -> Scenario {
        let text = include_str!("../../scenarios/two-managers.toml");
        let overrides: Vec<_> = extra
            .split_whitespace()
            .map(|text| super::super::Override::parse(text).unwrap())
            .collect();
        super::super::load_text("two-managers.toml", text, &overrides).expect("valid")
    }

    #[test]
    fn droppable_shares_follow_the_priority_band() {
        assert_eq!(droppable_share(3.0, 0.3, 5.5), 1.0);
        assert_eq!(droppable_share(9.0, 0.3, 5.5), 0.0);
        assert!((droppable_share(5.5, 0.3, 5.5) - 0.5).abs() < 1e-12);
        assert_eq!(droppable_share(5.0, 0.0, 5.5), 1.0);
    }

    #[test]
    fn only_work_triage_keeps_can_overload() {
        // At demand 1.1 and 1.4 the bundled stories keep up with what triage
        // keeps: half the private work (incidents, security patches and
        // stakeholder features) plus the shared quarter.
        assert!(unbounded_queues_warning(&scenario("")).is_none());
        assert!(unbounded_queues_warning(&scenario("defaults.demand=1.4")).is_none());
        // 0.5 x (1.8 - 0.25) + 0.25 = 1.025 of capacity: both overload.
        let warning = unbounded_queues_warning(&scenario("defaults.demand=1.8")).unwrap();
        assert!(
            warning.starts_with(
                "queues grow without bound at these values: all 2 leaders get more work"
            ),
            "{warning}"
        );
        assert!(
            warning.contains("(the most: Alex, 197 h a week against 192 h of capacity)"),
            "{warning}"
        );
        // Without triage, any demand above capacity does.
        let no_triage = scenario("defaults.demand=1.2 triage.drop_probability=0");
        assert_eq!(overloaded_leaders(&no_triage).len(), 2);
        // Raising the threshold lets triage drop the features too.
        assert!(
            unbounded_queues_warning(&scenario("defaults.demand=1.8 triage.below_priority=6.5"))
                .is_none()
        );
    }
}
