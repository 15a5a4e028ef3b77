//! Generated organisations: leaders in teams under a tree of managers, sharing
//! projects within and across departments.
//!
//! The organisation is drawn once from the scenario seed (its own random
//! stream), so every replicate and every arm simulates the same organisation
//! and differences between replicates come from the weekly dynamics only.
//!
//! The management tree is built bottom up: `span` leaders to a first-line
//! manager, then (with `managers_span`) that many managers to a manager of the
//! level above, until one manager remains at the top; without it every
//! first-line manager reports to one director. Managers and leaders are
//! grouped in order, so every manager but the last of each level has a full
//! span. A department is the set of leaders under one manager of
//! `department_level`. Escalations go to the lowest manager two leaders share
//! (found from these reporting lines by the model), which for two leaders of
//! one department is at or below the department's head.
//!
//! Draws come in a fixed order: managers' support (top level first), then each
//! leader's team size, projects, demand, disclosure and insecurity, then the
//! projects. Without the keys added for departments, trees and skewed teams,
//! the draws are exactly those the generator has always made, so scenarios
//! calibrated on it (`typical-org`) keep their organisation.

use rand::RngExt;
use rand_distr::{Distribution, LogNormal};

use super::did_you_mean;
use super::error::FieldPath;
use super::raw::{RawGenerate, RawScenario};
use super::validate::Checker;
use super::{Leader, LeaderId, Manager, ManagerId, Member, Organisation, Project};
use crate::rng::{Purpose, stream};

/// Most leaders a scenario may generate: the engine's 32-bit indices, with
/// room. Whether a size can run on a machine is a separate, estimated check
/// (see [`super::size`]).
pub const MAX_GENERATED_LEADERS: i64 = 2_000_000_000;

/// Largest span of control, of leaders or of managers.
const MAX_SPAN: i64 = 10_000;

/// The ways team sizes can be drawn, as written in `team_size_distribution`.
const TEAM_SIZE_DISTRIBUTIONS: [&str; 2] = ["uniform", "lognormal"];

/// Largest log-scale standard deviation of team sizes (a sigma of 3 already
/// puts a factor of 400 between the 16th and 84th percentiles).
const MAX_TEAM_SIZE_SIGMA: f64 = 3.0;

pub(super) fn check(check: &mut Checker, at: &FieldPath, generate: &RawGenerate) {
    let leaders_ok = check.whole(
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
    let mut team_sizes_ok = false;
    for (low_name, low, high_name, high, min, max) in pairs {
        let low_ok = check.whole(&at.key(low_name), low, min, max);
        let high_ok = check.whole(&at.key(high_name), high, min, max);
        if low_ok && high_ok && low > high {
            check.fail(
                &at.key(high_name),
                format!("must be at least {low_name} ({low})"),
            );
        }
        if low_name == "team_size_min" {
            team_sizes_ok = low_ok && high_ok && low <= high;
        }
    }
    check_team_size_distribution(check, at, generate, team_sizes_ok);
    let span_ok = check.whole(&at.key("span"), generate.span, 1, MAX_SPAN);
    let managers_span_ok = generate
        .managers_span
        .is_none_or(|span| check.whole(&at.key("managers_span"), span, 2, MAX_SPAN));
    if leaders_ok && span_ok && managers_span_ok {
        let levels = Tree::new(generate).levels() as i64;
        let level = generate.department_level;
        if !(1..=levels).contains(&level) {
            check.fail(
                &at.key("department_level"),
                format!(
                    "must be a whole number from 1 to {levels}, the levels of managers above the leaders (got {level})"
                ),
            );
        }
    } else {
        check.whole(
            &at.key("department_level"),
            generate.department_level,
            1,
            i64::from(u8::MAX),
        );
    }
    if let Some(share) = generate.cross_department_share {
        check.probability(&at.key("cross_department_share"), share);
    }
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

/// `team_size_distribution` and its parameters; the mean must lie within
/// the team sizes when it is used (`sizes_ok`: min and max are valid).
fn check_team_size_distribution(
    check: &mut Checker,
    at: &FieldPath,
    generate: &RawGenerate,
    sizes_ok: bool,
) {
    let name = generate.team_size_distribution.as_str();
    if !TEAM_SIZE_DISTRIBUTIONS.contains(&name) {
        let message = match did_you_mean(name, &TEAM_SIZE_DISTRIBUTIONS) {
            Some(suggestion) => {
                format!("unknown distribution `{name}`; did you mean `{suggestion}`?")
            }
            None => format!(
                "unknown distribution `{name}`; expected one of {}",
                TEAM_SIZE_DISTRIBUTIONS.join(", ")
            ),
        };
        check.fail(&at.key("team_size_distribution"), message);
    }
    let mean = generate.team_size_mean;
    check.range(&at.key("team_size_mean"), mean, 1.0, 10_000.0);
    check.positive(
        &at.key("team_size_sigma"),
        generate.team_size_sigma,
        MAX_TEAM_SIZE_SIGMA,
    );
    let (low, high) = (generate.team_size_min, generate.team_size_max);
    if name == "lognormal" && sizes_ok && (mean < low as f64 || mean > high as f64) {
        check.fail(
            &at.key("team_size_mean"),
            format!(
                "must be at least team_size_min ({low}) and at most team_size_max ({high}) (got {mean})"
            ),
        );
    }
}

/// Appends a generated organisation to `organisation`: a tree of managers
/// over blocks of `span` leaders, and projects formed from each leader's
/// project slots so that every leader is in at least one. The section must
/// have passed [`check`].
pub(super) fn generate(
    raw: &RawScenario,
    generate: &RawGenerate,
    organisation: &mut Organisation,
    weeks: i32,
    warmup: i32,
) {
    let mut rng = stream(raw.seed as u64, 0, Purpose::Organisation, 0);
    let n_leaders = generate.leaders as usize;
    let tree = Tree::new(generate);
    let first_line = push_managers(&tree, generate, organisation, &mut rng);

    let team_sizes = TeamSizes::new(generate);
    let first_leader = organisation.leaders.len();
    // Every leader's copy shares the workstreams' names.
    let workstreams = super::validate::unresolved(&raw.workstreams);
    let mut slots = Vec::new();
    for index in 0..n_leaders {
        let team_size = team_sizes.draw(&mut rng);
        let projects =
            rng.random_range(generate.projects_per_leader_min..=generate.projects_per_leader_max);
        organisation.leaders.push(Leader {
            name: format!("leader-{:05}", index + 1),
            team_size,
            capacity_hours: f64::from(team_size) * raw.team.hours_per_person,
            demand: draw(&mut rng, generate.demand_min, generate.demand_max),
            disclosure: draw(&mut rng, generate.disclosure_min, generate.disclosure_max),
            insecurity: draw(&mut rng, generate.insecurity_min, generate.insecurity_max),
            manager: ManagerId((first_line + tree.unit(index, 1)) as u32),
            workstreams: workstreams.clone(),
        });
        for _ in 0..projects {
            slots.push((first_leader + index) as u32);
        }
    }

    let sizes = (generate.project_size_min, generate.project_size_max);
    let projects = match generate.cross_department_share {
        // Members drawn from the whole organisation, wherever they work.
        None => {
            shuffle(&mut slots, &mut rng);
            let mut projects = Vec::new();
            cut_into_projects(
                &mut slots,
                sizes,
                None,
                Extra::Latest,
                &mut projects,
                &mut rng,
            );
            projects
        }
        Some(share) => {
            let departments = Departments {
                first_leader: first_leader as u32,
                of: (0..n_leaders)
                    .map(|index| tree.unit(index, generate.department_level as usize) as u32)
                    .collect(),
                count: tree.managers_at(generate.department_level as usize),
            };
            by_department(slots, share, sizes, &departments, &mut rng)
        }
    };

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

/// The shape of the management tree: how many managers each level has,
/// from the first-line managers (level 1) up to the top.
#[derive(Debug, Clone)]
struct Tree {
    /// Managers per level, bottom up: `sizes[0]` are the first-line managers.
    sizes: Vec<usize>,
    /// Leaders per first-line manager.
    span: usize,
    /// Managers per manager above the first line; `None`: all under one.
    managers_span: Option<usize>,
}

impl Tree {
    /// The tree of a checked `[generate]` section (span and managers_span at
    /// least 1 and 2, so each level is smaller than the one below).
    fn new(generate: &RawGenerate) -> Tree {
        let span = generate.span.max(1) as usize;
        let managers_span = generate.managers_span.map(|span| span.max(2) as usize);
        let mut sizes = vec![(generate.leaders.max(1) as usize).div_ceil(span)];
        while let Some(&below) = sizes.last()
            && below > 1
        {
            sizes.push(managers_span.map_or(1, |span| below.div_ceil(span)));
        }
        Tree {
            sizes,
            span,
            managers_span,
        }
    }

    /// Levels of managers above the leaders, the top one included.
    fn levels(&self) -> usize {
        self.sizes.len()
    }

    /// Managers at `level` (1 for the first line).
    fn managers_at(&self, level: usize) -> usize {
        self.sizes[level - 1]
    }

    /// Which manager of `level` (1 for the first line), counted within the
    /// level, the leader at `index` reports to, directly or not.
    fn unit(&self, index: usize, level: usize) -> usize {
        let mut unit = index / self.span;
        for _ in 1..level {
            unit = self.managers_span.map_or(0, |span| unit / span);
        }
        unit
    }
}

/// Pushes the tree's managers, top level first (each drawing its support in
/// that order), and returns the index of the first first-line manager.
///
/// The top manager of a tree of two levels or more is the `director`; the
/// first-line managers are `manager-0001`, ... and the levels between
/// `manager-L2-0001`, ...: the names the generator has always used, with
/// the new levels named apart.
fn push_managers(
    tree: &Tree,
    generate: &RawGenerate,
    organisation: &mut Organisation,
    rng: &mut impl RngExt,
) -> usize {
    let top = tree.levels();
    let mut above: Option<usize> = None;
    for level in (1..=top).rev() {
        let base = organisation.managers.len();
        for index in 0..tree.managers_at(level) {
            let name = match level {
                _ if level == top && top > 1 => "director".to_string(),
                1 => format!("manager-{:04}", index + 1),
                _ => format!("manager-L{level}-{:04}", index + 1),
            };
            let reports_to = above.map(|above_base| {
                let parent = tree.managers_span.map_or(0, |span| index / span);
                ManagerId((above_base + parent) as u32)
            });
            organisation.managers.push(Manager {
                name,
                support: draw(rng, generate.support_min, generate.support_max),
                reports_to,
            });
        }
        above = Some(base);
    }
    above.unwrap_or(organisation.managers.len())
}

/// How team sizes are drawn.
enum TeamSizes {
    Uniform {
        min: i64,
        max: i64,
    },
    /// Rounded and clamped to `min..=max`; `distribution` is chosen so that
    /// the clamped sizes have the asked mean.
    LogNormal {
        distribution: LogNormal<f64>,
        min: f64,
        max: f64,
    },
}

impl TeamSizes {
    fn new(generate: &RawGenerate) -> TeamSizes {
        let (min, max) = (generate.team_size_min, generate.team_size_max);
        if generate.team_size_distribution != "lognormal" {
            return TeamSizes::Uniform { min, max };
        }
        let sigma = generate.team_size_sigma;
        let mu = lognormal_location(generate.team_size_mean, sigma, min, max);
        match LogNormal::new(mu, sigma) {
            Ok(distribution) => TeamSizes::LogNormal {
                distribution,
                min: min as f64,
                max: max as f64,
            },
            // Unreachable for a checked sigma (above 0, finite).
            Err(_) => TeamSizes::Uniform { min, max },
        }
    }

    fn draw(&self, rng: &mut impl RngExt) -> u32 {
        match self {
            TeamSizes::Uniform { min, max } => rng.random_range(*min..=*max) as u32,
            TeamSizes::LogNormal {
                distribution,
                min,
                max,
            } => distribution.sample(rng).round().clamp(*min, *max) as u32,
        }
    }
}

/// The location `mu` of a log-normal with log-scale deviation `sigma` whose
/// draws, rounded to whole people and clamped to `min..=max`, have expected
/// value `mean`. Rounding and clamping move the mean (clamping a long right
/// tail pulls it down), so `mu` is found by bisection on the exact expected
/// value rather than taken from the unclamped formula.
fn lognormal_location(mean: f64, sigma: f64, min: i64, max: i64) -> f64 {
    // E[clamp(round(X))] = min + sum over k in min..max of P(X >= k + 1/2).
    let expected = |mu: f64| {
        (min..max)
            .map(|k| 1.0 - normal_cdf((((k as f64) + 0.5).ln() - mu) / sigma))
            .sum::<f64>()
            + min as f64
    };
    // Far enough out that every draw rounds to min, or to max.
    let (mut low, mut high) = (
        0.5f64.ln() - 10.0 * sigma,
        (max as f64 + 0.5).ln() + 10.0 * sigma,
    );
    for _ in 0..80 {
        let middle = 0.5 * (low + high);
        if expected(middle) < mean {
            low = middle;
        } else {
            high = middle;
        }
    }
    0.5 * (low + high)
}

/// The standard normal distribution function, from the complementary error
/// function of Numerical Recipes (fractional error below 1.2e-7 everywhere).
fn normal_cdf(z: f64) -> f64 {
    let x = -z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * (-x * x + poly).exp();
    let erfc = if x >= 0.0 { erfc } else { 2.0 - erfc };
    0.5 * erfc
}

/// Which department each generated leader is in.
struct Departments {
    /// Index in the organisation of the first generated leader.
    first_leader: u32,
    /// Department of each generated leader, in order.
    of: Vec<u32>,
    count: usize,
}

impl Departments {
    fn of(&self, leader: u32) -> u32 {
        self.of[(leader - self.first_leader) as usize]
    }
}

/// Projects with departments: each slot goes across departments with
/// probability `share`, else stays in its leader's department; each
/// department's slots, then the cross-department slots, are shuffled and cut
/// into projects.
///
/// A department whose slots all belong to one leader cannot hold a project of
/// its own: its slots go across departments. A leader left in no project
/// (possible only when the cross-department slots all belong to one leader)
/// joins the latest project of their department, or else the latest project.
fn by_department(
    slots: Vec<u32>,
    share: f64,
    sizes: (i64, i64),
    departments: &Departments,
    rng: &mut impl RngExt,
) -> Vec<Vec<u32>> {
    let mut within: Vec<Vec<u32>> = vec![Vec::new(); departments.count];
    let mut across = Vec::new();
    for leader in slots {
        if rng.random_bool(share) {
            across.push(leader);
        } else {
            within[departments.of(leader) as usize].push(leader);
        }
    }
    let mut projects = Vec::new();
    for mut pool in within {
        if pool.iter().all(|&leader| leader == pool[0]) {
            across.append(&mut pool);
            continue;
        }
        shuffle(&mut pool, rng);
        cut_into_projects(&mut pool, sizes, None, Extra::Smallest, &mut projects, rng);
    }
    shuffle(&mut across, rng);
    cut_into_projects(
        &mut across,
        sizes,
        Some(departments),
        Extra::Smallest,
        &mut projects,
        rng,
    );
    projects.retain(|members| members.len() >= 2);

    let mut in_project = vec![false; departments.of.len()];
    for &leader in projects.iter().flatten() {
        in_project[(leader - departments.first_leader) as usize] = true;
    }
    for (index, _) in in_project
        .iter()
        .enumerate()
        .filter(|(_, inside)| !**inside)
    {
        let leader = departments.first_leader + index as u32;
        let department = departments.of(leader);
        let home = projects
            .iter()
            .rposition(|members| members.iter().any(|&m| departments.of(m) == department))
            .or_else(|| projects.len().checked_sub(1));
        if let Some(home) = home {
            projects[home].push(leader);
        }
    }
    projects
}

/// Fisher-Yates on our own stream.
fn shuffle(slots: &mut [u32], rng: &mut impl RngExt) {
    for i in (1..slots.len()).rev() {
        let j = rng.random_range(0..=i);
        slots.swap(i, j);
    }
}

/// Where a slot goes whose leader is already in the project being filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extra {
    /// At once to the latest finished project without them, if any: the
    /// generator's original rule, kept for organisations without departments.
    Latest,
    /// After the cut, to the smallest project without them, so that in a
    /// department of a few leaders the extra slots spread over its projects
    /// instead of piling onto the latest one.
    Smallest,
}

/// Cuts shuffled project slots into projects of random size with distinct
/// members, appended to `projects`. A slot whose leader is already in the
/// project being filled joins another project of this cut (see [`Extra`]),
/// which may then exceed `project_size_max`.
///
/// With `departments`, each project must span at least two departments: the
/// slot that would close a project of one department is swapped with the
/// next slot from another department, as long as one is left.
fn cut_into_projects(
    slots: &mut [u32],
    (size_min, size_max): (i64, i64),
    departments: Option<&Departments>,
    extra: Extra,
    projects: &mut Vec<Vec<u32>>,
    rng: &mut impl RngExt,
) {
    let first = projects.len();
    let mut current: Vec<u32> = Vec::new();
    let mut extras: Vec<u32> = Vec::new();
    let mut target = rng.random_range(size_min..=size_max) as usize;
    // Set once no slot of another department is left to swap in.
    let mut one_department_left = false;
    for i in 0..slots.len() {
        let mut leader = slots[i];
        if current.contains(&leader) {
            match extra {
                Extra::Latest => place(leader, &mut projects[first..], extra),
                Extra::Smallest => extras.push(leader),
            }
            continue;
        }
        if let Some(departments) = departments
            && !one_department_left
            && current.len() + 1 == target
            && within_one_department(&current, leader, departments)
        {
            let department = departments.of(leader);
            match (i + 1..slots.len()).find(|&j| departments.of(slots[j]) != department) {
                Some(j) => {
                    slots.swap(i, j);
                    leader = slots[i];
                }
                None => one_department_left = true,
            }
        }
        current.push(leader);
        if current.len() == target {
            projects.push(std::mem::take(&mut current));
            target = rng.random_range(size_min..=size_max) as usize;
        }
    }
    let within_one = |members: &[u32]| {
        departments.is_some_and(|d| within_one_department(&members[1..], members[0], d))
    };
    match (current.len(), projects.len() == first) {
        (0, _) => {}
        // A last single member is shared out among the projects, and so is a
        // last project of one department among cross-department ones.
        (1, false) => place(current[0], &mut projects[first..], extra),
        (_, false) if within_one(&current) => {
            for &leader in &current {
                place(leader, &mut projects[first..], extra);
            }
        }
        _ => projects.push(current),
    }
    for leader in extras {
        place(leader, &mut projects[first..], extra);
    }
}

/// Whether `leader` and everyone in `members` are in one department.
fn within_one_department(members: &[u32], leader: u32, departments: &Departments) -> bool {
    let department = departments.of(leader);
    members.iter().all(|&m| departments.of(m) == department)
}

/// Adds `leader` to one of `projects` without them (the latest, or the
/// smallest and then the latest); to none if all have them.
fn place(leader: u32, projects: &mut [Vec<u32>], extra: Extra) {
    let mut without = projects.iter_mut().rev().filter(|p| !p.contains(&leader));
    let chosen = match extra {
        Extra::Latest => without.next(),
        Extra::Smallest => without.min_by_key(|p| p.len()),
    };
    if let Some(project) = chosen {
        project.push(leader);
    }
}

fn draw(rng: &mut impl RngExt, low: f64, high: f64) -> f64 {
    if high > low {
        rng.random_range(low..high)
    } else {
        low
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_text;

    /// The organisation a `[generate]` section (its lines given) produces.
    fn organisation(generate: &str) -> Organisation {
        let text = format!(
            "name = \"generated\"\nweeks = 10\nwarmup_weeks = 2\nseed = 5\n[generate]\n{generate}\n"
        );
        load_text("generated.toml", &text, &[])
            .unwrap_or_else(|error| panic!("{error}"))
            .organisation
    }

    /// A manager and everyone above them, up to the top.
    fn chain(organisation: &Organisation, manager: ManagerId) -> Vec<ManagerId> {
        let mut chain = vec![manager];
        while let Some(up) = organisation.managers[chain[chain.len() - 1].0 as usize].reports_to {
            assert!(chain.len() <= organisation.managers.len(), "a cycle");
            chain.push(up);
        }
        chain
    }

    /// The head of a leader's department: their manager at `level`.
    fn department(organisation: &Organisation, leader: LeaderId, level: usize) -> ManagerId {
        chain(
            organisation,
            organisation.leaders[leader.0 as usize].manager,
        )[level - 1]
    }

    /// Whether all of a project's members are in one department.
    fn within_one(organisation: &Organisation, project: &Project, level: usize) -> bool {
        let head = department(organisation, project.members[0].leader, level);
        project
            .members
            .iter()
            .all(|member| department(organisation, member.leader, level) == head)
    }

    fn every_leader_in_a_project(organisation: &Organisation) -> bool {
        let mut inside = vec![false; organisation.leaders.len()];
        for project in &organisation.projects {
            assert!(project.members.len() >= 2, "{} is too small", project.name);
            for member in &project.members {
                inside[member.leader.0 as usize] = true;
            }
        }
        inside.into_iter().all(|inside| inside)
    }

    /// Direct reports (leaders or managers) of each manager.
    fn reports(organisation: &Organisation) -> (Vec<usize>, Vec<usize>) {
        let mut leaders = vec![0; organisation.managers.len()];
        let mut managers = vec![0; organisation.managers.len()];
        for leader in &organisation.leaders {
            leaders[leader.manager.0 as usize] += 1;
        }
        for manager in &organisation.managers {
            if let Some(up) = manager.reports_to {
                managers[up.0 as usize] += 1;
            }
        }
        (leaders, managers)
    }

    #[test]
    fn the_tree_has_the_promised_spans_and_one_top() {
        // 1,000 leaders, 7 to a manager: 143 first-line managers, then 36, 9, 3, 1.
        let organisation = organisation("leaders = 1000\nspan = 7\nmanagers_span = 4");
        assert_eq!(organisation.managers.len(), 143 + 36 + 9 + 3 + 1);
        let tops: Vec<_> = organisation
            .managers
            .iter()
            .filter(|manager| manager.reports_to.is_none())
            .collect();
        assert_eq!(tops.len(), 1);
        assert_eq!(tops[0].name, "director");
        let (leaders, managers) = reports(&organisation);
        let first_line: Vec<usize> = leaders.iter().copied().filter(|&n| n > 0).collect();
        assert_eq!(first_line.len(), 143);
        // Full spans, but for the last manager of a level.
        assert!(first_line[..142].iter().all(|&n| n == 7));
        assert_eq!(first_line[142], 1000 - 142 * 7);
        for (index, manager) in organisation.managers.iter().enumerate() {
            assert!(
                leaders[index] == 0 || managers[index] == 0,
                "{}",
                manager.name
            );
            assert!(
                managers[index] <= 4,
                "{} has {}",
                manager.name,
                managers[index]
            );
        }
        assert_eq!(managers.iter().filter(|&&n| n == 4).count(), 35 + 9 + 2);
        // Every leader is five levels of managers below the top.
        for leader in &organisation.leaders {
            assert_eq!(chain(&organisation, leader.manager).len(), 5);
        }
        assert!(every_leader_in_a_project(&organisation));
    }

    #[test]
    fn without_managers_span_every_manager_reports_to_one_director() {
        let organisation = organisation("leaders = 100\nspan = 6");
        assert_eq!(organisation.managers[0].name, "director");
        assert!(organisation.managers[0].reports_to.is_none());
        assert_eq!(organisation.managers.len(), 1 + 17);
        assert!(
            organisation.managers[1..]
                .iter()
                .all(|manager| manager.reports_to == Some(ManagerId(0)))
        );
    }

    /// 960 leaders, 6 to a manager, 4 managers to a manager: departments of
    /// 24 leaders under the 40 managers of level 2.
    fn departments_of_24(share: &str) -> Organisation {
        organisation(&format!(
            "leaders = 960\nspan = 6\nmanagers_span = 4\ndepartment_level = 2\ncross_department_share = {share}"
        ))
    }

    #[test]
    fn no_cross_department_share_keeps_every_project_within_a_department() {
        let organisation = departments_of_24("0");
        assert!(every_leader_in_a_project(&organisation));
        for project in &organisation.projects {
            assert!(within_one(&organisation, project, 2), "{}", project.name);
        }
    }

    #[test]
    fn a_full_cross_department_share_spans_departments_in_every_project() {
        let organisation = departments_of_24("1");
        assert!(every_leader_in_a_project(&organisation));
        for project in &organisation.projects {
            assert!(!within_one(&organisation, project, 2), "{}", project.name);
        }
    }

    #[test]
    fn the_cross_department_share_is_the_share_of_projects() {
        let organisation = departments_of_24("0.3");
        let across = organisation
            .projects
            .iter()
            .filter(|project| !within_one(&organisation, project, 2))
            .count() as f64;
        let share = across / organisation.projects.len() as f64;
        assert!((0.24..0.36).contains(&share), "{share}");
        assert!(every_leader_in_a_project(&organisation));
    }

    #[test]
    fn the_lowest_common_manager_of_a_department_is_below_the_top() {
        let organisation = departments_of_24("0.3");
        let top = chain(&organisation, ManagerId(0)).len();
        assert_eq!(top, 1, "the director is the first manager");
        let (mut within, mut across) = (0, 0);
        for project in &organisation.projects {
            let members = &project.members;
            let same = within_one(&organisation, project, 2);
            for pair in members.windows(2) {
                let manager =
                    |member: &Member| organisation.leaders[member.leader.0 as usize].manager;
                let a = chain(&organisation, manager(&pair[0]));
                let b = chain(&organisation, manager(&pair[1]));
                let lowest = *a.iter().find(|m| b.contains(m)).unwrap();
                let head = department(&organisation, pair[0].leader, 2);
                if same {
                    // At or below the department's head, so never the director.
                    assert!(a[..2].contains(&lowest), "{}", project.name);
                    assert_ne!(lowest, ManagerId(0));
                    assert!(chain(&organisation, lowest).contains(&head));
                    within += 1;
                } else if department(&organisation, pair[1].leader, 2) != head {
                    assert!(!a[..2].contains(&lowest), "{}", project.name);
                    across += 1;
                }
            }
        }
        assert!(within > 100 && across > 50, "{within} {across}");
    }

    #[test]
    fn departments_of_one_leader_share_across_departments() {
        // span 1: every first-line manager has one leader, so no department
        // can hold a project on its own.
        let alone =
            organisation("leaders = 50\nspan = 1\nmanagers_span = 3\ncross_department_share = 0");
        assert!(every_leader_in_a_project(&alone));
        // 49 leaders, 6 to a manager: the last manager has one leader.
        let last_alone = organisation(
            "leaders = 49\nspan = 6\ncross_department_share = 0\nprojects_per_leader_min = 1\nprojects_per_leader_max = 1",
        );
        assert!(every_leader_in_a_project(&last_alone));
    }

    #[test]
    fn lognormal_team_sizes_have_the_asked_mean_and_a_long_tail() {
        let organisation = organisation(
            "leaders = 20000\nteam_size_distribution = \"lognormal\"\nteam_size_min = 2\nteam_size_max = 60\nteam_size_mean = 8\nteam_size_sigma = 0.6",
        );
        let sizes: Vec<f64> = organisation
            .leaders
            .iter()
            .map(|leader| f64::from(leader.team_size))
            .collect();
        let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
        assert!((mean - 8.0).abs() < 0.15, "{mean}");
        let below = sizes.iter().filter(|&&size| size < 8.0).count() as f64;
        assert!(
            below / sizes.len() as f64 > 0.55,
            "skewed: most teams are below the mean"
        );
        assert!(sizes.iter().any(|&size| size >= 25.0), "a long tail");
    }

    #[test]
    fn lognormal_team_sizes_keep_their_mean_when_clamped() {
        // A wide distribution in a narrow range: clamping moves the naive mean.
        for (min, max, mean, sigma) in [(5, 9, 6.0, 1.0), (1, 3, 2.5, 2.0), (4, 4, 4.0, 0.5)] {
            let mu = lognormal_location(mean, sigma, min, max);
            let sizes = TeamSizes::LogNormal {
                distribution: LogNormal::new(mu, sigma).unwrap(),
                min: min as f64,
                max: max as f64,
            };
            let mut rng = stream(1, 0, Purpose::Organisation, 9);
            let n = 200_000;
            let drawn = (0..n).map(|_| f64::from(sizes.draw(&mut rng))).sum::<f64>() / n as f64;
            assert!(
                (drawn - mean).abs() < 0.02,
                "{min} {max} {mean} {sigma}: {drawn}"
            );
        }
    }

    #[test]
    fn normal_cdf_is_accurate() {
        for (z, expected) in [
            (0.0, 0.5),
            (1.0, 0.841_344_746_068_543),
            (-1.96, 0.024_997_895_148_220_4),
            (3.0, 0.998_650_101_968_37),
        ] {
            assert!((normal_cdf(z) - expected).abs() < 1e-7, "{z}");
        }
    }

    /// A digest of everything generated, bit for bit.
    fn fingerprint(organisation: &Organisation) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for &byte in bytes {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for manager in &organisation.managers {
            eat(manager.name.as_bytes());
            eat(&manager.support.to_bits().to_le_bytes());
            eat(&manager
                .reports_to
                .map_or(u64::MAX, |m| u64::from(m.0))
                .to_le_bytes());
        }
        for leader in &organisation.leaders {
            eat(leader.name.as_bytes());
            eat(&leader.team_size.to_le_bytes());
            eat(&leader.capacity_hours.to_bits().to_le_bytes());
            eat(&leader.demand.to_bits().to_le_bytes());
            eat(&leader.disclosure.to_bits().to_le_bytes());
            eat(&leader.insecurity.to_bits().to_le_bytes());
            eat(&leader.manager.0.to_le_bytes());
        }
        for project in &organisation.projects {
            eat(project.name.as_bytes());
            for member in &project.members {
                eat(&member.leader.0.to_le_bytes());
                eat(&member.hours_per_week.to_bits().to_le_bytes());
                eat(&member.priority.to_bits().to_le_bytes());
            }
            eat(&project.ambiguity.to_bits().to_le_bytes());
            eat(&project.unowned_share.to_bits().to_le_bytes());
            eat(&project.start_week.to_le_bytes());
            eat(&project.end_week.to_le_bytes());
        }
        hash
    }

    /// Without the keys for trees, departments and skewed teams, the
    /// organisation is the one generated before they existed: the digests
    /// below were computed by that generator (the second case is
    /// typical-org's section at its seed, which its calibration rests on).
    #[test]
    fn defaults_generate_the_organisation_generated_before_trees_and_departments() {
        let cases = [
            (
                "seed = 3\n[generate]\nleaders = 300\n",
                0xd7a4_64bb_28f6_7a4a,
            ),
            (
                "seed = 7\n[generate]\nleaders = 200\nteam_size_min = 5\nteam_size_max = 9\nspan = 6\nprojects_per_leader_min = 1\nprojects_per_leader_max = 3\nproject_size_min = 2\nproject_size_max = 4\nshared_share = 0.25\ndemand_min = 0.62\ndemand_max = 0.86\n",
                0x2908_c939_e64f_c11c,
            ),
            (
                "seed = 11\n[generate]\nleaders = 5\nspan = 10\n",
                0x797f_f40c_c9df_399b,
            ),
            (
                "seed = 12\n[generate]\nleaders = 2\nspan = 1\nproject_size_min = 3\nproject_size_max = 5\n",
                0xe18f_8395_6ccb_9e31,
            ),
            (
                "seed = 13\n[generate]\nleaders = 1000\nspan = 1\nprojects_per_leader_min = 2\nprojects_per_leader_max = 6\nproject_size_min = 2\nproject_size_max = 9\nteam_size_min = 1\nteam_size_max = 40\n",
                0xd85d_ffb9_76c2_f0da,
            ),
        ];
        for (section, expected) in cases {
            let text = format!("name = \"fingerprint\"\nweeks = 10\nwarmup_weeks = 2\n{section}");
            let scenario = load_text("fingerprint.toml", &text, &[]).unwrap();
            assert_eq!(fingerprint(&scenario.organisation), expected, "{section}");
        }
    }
}
