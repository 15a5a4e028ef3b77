//! Generated organisations: leaders in teams under managers, sharing projects.
//!
//! The organisation is drawn once from the scenario seed (its own random
//! stream), so every replicate and every arm simulates the same organisation
//! and differences between replicates come from the weekly dynamics only.

use rand::RngExt;

use super::error::FieldPath;
use super::raw::{RawGenerate, RawScenario};
use super::validate::Checker;
use super::{Leader, LeaderId, Manager, ManagerId, Member, Organisation, Project};
use crate::rng::{Purpose, stream};

/// Most leaders a scenario may generate: the engine's 32-bit indices, with
/// room. Whether a size can run on a machine is a separate, estimated check
/// (see [`super::size`]).
pub const MAX_GENERATED_LEADERS: i64 = 2_000_000_000;

pub(super) fn check(check: &mut Checker, at: &FieldPath, generate: &RawGenerate) {
    check.whole(
        &at.key("leaders"),
        generate.leaders,
        2,
        MAX_GENERATED_LEADERS,
    );
    let pairs = [
        (
            "team_size_min",
            generate.team_size_min,
            "team_size_max",
            generate.team_size_max,
            1,
            10_000,
        ),
        (
            "projects_per_leader_min",
            generate.projects_per_leader_min,
            "projects_per_leader_max",
            generate.projects_per_leader_max,
            1,
            50,
        ),
        (
            "project_size_min",
            generate.project_size_min,
            "project_size_max",
            generate.project_size_max,
            2,
            100,
        ),
    ];
    for (low_name, low, high_name, high, min, max) in pairs {
        let low_ok = check.whole(&at.key(low_name), low, min, max);
        let high_ok = check.whole(&at.key(high_name), high, min, max);
        if low_ok && high_ok && low > high {
            check.fail(
                &at.key(high_name),
                format!("must be at least {low_name} ({low})"),
            );
        }
    }
    check.whole(&at.key("span"), generate.span, 1, 10_000);
    check.probability(&at.key("shared_share"), generate.shared_share);
    let ranges = [
        (
            "demand_min",
            generate.demand_min,
            "demand_max",
            generate.demand_max,
            10.0,
        ),
        (
            "ambiguity_min",
            generate.ambiguity_min,
            "ambiguity_max",
            generate.ambiguity_max,
            1.0,
        ),
        (
            "insecurity_min",
            generate.insecurity_min,
            "insecurity_max",
            generate.insecurity_max,
            1.0,
        ),
        (
            "disclosure_min",
            generate.disclosure_min,
            "disclosure_max",
            generate.disclosure_max,
            1.0,
        ),
        (
            "support_min",
            generate.support_min,
            "support_max",
            generate.support_max,
            1.0,
        ),
    ];
    for (low_name, low, high_name, high, max) in ranges {
        check.range(&at.key(low_name), low, 0.0, max);
        check.range(&at.key(high_name), high, 0.0, max);
        if low.is_finite() && high.is_finite() && low > high {
            check.fail(
                &at.key(high_name),
                format!("must be at least {low_name} ({low})"),
            );
        }
    }
    // Negative values are reported by the range check above; 0 passes it.
    if generate.demand_min == 0.0 {
        check.fail(&at.key("demand_min"), "must be above 0 (got 0)");
    }
}

/// Appends a generated organisation to `organisation`: managers over blocks of
/// `span` leaders (departments) under one director, and projects formed from
/// each leader's project slots so that every leader is in at least one.
pub(super) fn generate(
    raw: &RawScenario,
    generate: &RawGenerate,
    organisation: &mut Organisation,
    weeks: i32,
    warmup: i32,
) {
    let mut rng = stream(raw.seed as u64, 0, Purpose::Organisation, 0);
    let n_leaders = generate.leaders as usize;
    let span = generate.span as usize;
    let n_departments = n_leaders.div_ceil(span);
    let first_manager = organisation.managers.len();
    let director = (n_departments > 1).then(|| {
        organisation.managers.push(Manager {
            name: "director".to_string(),
            support: draw(&mut rng, generate.support_min, generate.support_max),
            reports_to: None,
        });
        ManagerId((first_manager) as u32)
    });
    let department_base = organisation.managers.len();
    for department in 0..n_departments {
        organisation.managers.push(Manager {
            name: format!("manager-{:04}", department + 1),
            support: draw(&mut rng, generate.support_min, generate.support_max),
            reports_to: director,
        });
    }

    let first_leader = organisation.leaders.len();
    let mut slots = Vec::new();
    for index in 0..n_leaders {
        let team_size = rng.random_range(generate.team_size_min..=generate.team_size_max) as u32;
        let projects =
            rng.random_range(generate.projects_per_leader_min..=generate.projects_per_leader_max);
        organisation.leaders.push(Leader {
            name: format!("leader-{:05}", index + 1),
            team_size,
            capacity_hours: f64::from(team_size) * raw.team.hours_per_person,
            demand: draw(&mut rng, generate.demand_min, generate.demand_max),
            disclosure: draw(&mut rng, generate.disclosure_min, generate.disclosure_max),
            insecurity: draw(&mut rng, generate.insecurity_min, generate.insecurity_max),
            manager: ManagerId((department_base + index / span) as u32),
            workstreams: super::validate::unresolved(&raw.workstreams),
        });
        for _ in 0..projects {
            slots.push((first_leader + index) as u32);
        }
    }

    // Shuffle the slots (Fisher-Yates on our own stream) and cut them into
    // projects of random size with distinct members.
    for i in (1..slots.len()).rev() {
        let j = rng.random_range(0..=i);
        slots.swap(i, j);
    }
    let mut projects: Vec<Vec<u32>> = Vec::new();
    let mut current: Vec<u32> = Vec::new();
    let mut target =
        rng.random_range(generate.project_size_min..=generate.project_size_max) as usize;
    for leader in slots {
        if current.contains(&leader) {
            // Give the slot to the latest finished project without this leader
            // (which may then exceed project_size_max by one or two).
            if let Some(project) = projects.iter_mut().rev().find(|p| !p.contains(&leader)) {
                project.push(leader);
            }
            continue;
        }
        current.push(leader);
        if current.len() == target {
            projects.push(std::mem::take(&mut current));
            target =
                rng.random_range(generate.project_size_min..=generate.project_size_max) as usize;
        }
    }
    match (current.len(), projects.is_empty()) {
        (0, _) => {}
        (1, false) => {
            let leader = current[0];
            if let Some(project) = projects.iter_mut().rev().find(|p| !p.contains(&leader)) {
                project.push(leader);
            }
        }
        _ => projects.push(current),
    }

    let mut project_count = vec![0u32; organisation.leaders.len()];
    for members in &projects {
        for &leader in members {
            project_count[leader as usize] += 1;
        }
    }
    for (index, members) in projects.into_iter().enumerate() {
        if members.len() < 2 {
            continue;
        }
        let members = members
            .into_iter()
            .map(|leader| {
                let capacity = organisation.leaders[leader as usize].capacity_hours;
                Member {
                    leader: LeaderId(leader),
                    hours_per_week: generate.shared_share * capacity
                        / f64::from(project_count[leader as usize].max(1)),
                    priority: raw.defaults.project_priority,
                }
            })
            .collect();
        organisation.projects.push(Project {
            name: format!("project-{:05}", index + 1),
            members,
            ambiguity: draw(&mut rng, generate.ambiguity_min, generate.ambiguity_max),
            unowned_share: raw.defaults.unowned_share,
            start_week: 1 - warmup,
            end_week: weeks,
        });
    }
}

fn draw(rng: &mut impl RngExt, low: f64, high: f64) -> f64 {
    if high > low {
        rng.random_range(low..high)
    } else {
        low
    }
}
