//! Semantic checks: ranges, names, references. Turns a deserialised scenario
//! into the checked [`Scenario`], or lists every problem found.

use std::collections::{BTreeSet, HashMap};

use super::error::{FieldPath, Location, Problem};
use super::load::{Loaded, LoadedArm};
use super::raw::{RawIntervention, RawScenario, RawWorkstream};
use super::{
    Arm, Connection, Escalation, Leader, LeaderId, Manager, ManagerId, Member, Organisation,
    Params, Project, Scenario, StatusMeeting, Workstream, generate,
    size::{self, Budget},
};
use crate::words;

/// Collects problems with their positions.
pub struct Checker<'l, 't> {
    locator: &'l super::load::Locator<'t>,
    pub problems: Vec<Problem>,
    /// Fields already reported while reading the file (see [`Loaded::reported`]).
    reported: BTreeSet<String>,
}

impl Checker<'_, '_> {
    /// Reports a problem at `path`, unless reading the file already
    /// reported that field (this would only be a knock-on of it).
    pub fn fail(&mut self, path: &FieldPath, message: impl Into<String>) {
        if !self.already_reported(path) {
            self.problems.push(self.locator.problem(path, message));
        }
    }

    /// A name that ends up in file and folder names, CSV cells and charts:
    /// at most [`MAX_NAME_CHARS`] characters (a folder's name has room for
    /// 255 bytes), without control characters (a tab, a line break, a bell),
    /// which no chart and no file name can hold. Emptiness is checked where
    /// each kind of name says what it is for.
    fn name(&mut self, path: &FieldPath, name: &str) {
        let chars = name.chars().count();
        if chars > MAX_NAME_CHARS {
            self.fail(
                path,
                format!("must be at most {MAX_NAME_CHARS} characters (got {chars})"),
            );
        } else if let Some(control) = name.chars().find(|c| c.is_control()) {
            self.fail(
                path,
                format!(
                    "must not contain control characters such as a tab or a line break (got {:?})",
                    control
                ),
            );
        }
    }

    /// Whether a problem was reported at `path`, while reading the file or
    /// by a check: values that depend on it would only repeat it.
    fn failed(&self, path: &FieldPath) -> bool {
        let name = path.to_string();
        self.already_reported(path)
            || self
                .problems
                .iter()
                .any(|problem| problem.field.as_deref() == Some(name.as_str()))
    }

    /// Whether `path` (or a part of it) was reported while reading the file:
    /// checks that depend on it would only repeat that problem.
    fn already_reported(&self, path: &FieldPath) -> bool {
        let mut prefix = FieldPath::root();
        path.0.iter().any(|segment| {
            prefix.0.push(segment.clone());
            self.reported.contains(&prefix.to_string())
        })
    }

    /// A finite number within [low, high].
    pub fn range(&mut self, path: &FieldPath, value: f64, low: f64, high: f64) {
        if !value.is_finite() {
            self.fail(
                path,
                format!("must be a finite number (got {})", shown(value)),
            );
        } else if value < low || value > high {
            let expected = if high == f64::INFINITY {
                format!("at least {low}")
            } else {
                format!("at least {low} and at most {high}")
            };
            self.fail(path, format!("must be {expected} (got {})", shown(value)));
        }
    }

    pub fn probability(&mut self, path: &FieldPath, value: f64) {
        self.range(path, value, 0.0, 1.0);
    }

    /// A finite number above 0 and at most `high` (which may be infinite).
    pub fn positive(&mut self, path: &FieldPath, value: f64, high: f64) {
        if !value.is_finite() || value <= 0.0 || value > high {
            let expected = if high == f64::INFINITY {
                "a number above 0".to_string()
            } else {
                format!("a number above 0 and at most {high}")
            };
            self.fail(path, format!("must be {expected} (got {})", shown(value)));
        }
    }

    pub fn non_negative(&mut self, path: &FieldPath, value: f64) {
        self.range(path, value, 0.0, f64::INFINITY);
    }

    pub fn whole(&mut self, path: &FieldPath, value: i64, low: i64, high: i64) -> bool {
        if value < low || value > high {
            let expected = if high == i64::MAX {
                format!("a whole number of at least {low}")
            } else {
                format!("a whole number from {low} to {high}")
            };
            self.fail(path, format!("must be {expected} (got {value})"));
            return false;
        }
        true
    }
}

/// A number as a message shows it: as written for ordinary sizes, with an
/// exponent for very large or very small ones.
fn shown(value: f64) -> String {
    let size = value.abs();
    if size != 0.0 && size.is_finite() && !(1e-6..1e15).contains(&size) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// Largest reported horizon: 100 years of weeks.
const MAX_WEEKS: i64 = 5200;

pub(super) fn validate(
    loaded: Loaded<'_>,
    budget: Option<&Budget>,
) -> Result<Scenario, Vec<Problem>> {
    let Loaded {
        raw,
        arms: raw_arms,
        locator,
        problems,
        reported,
    } = loaded;
    let mut check = Checker {
        locator: &locator,
        problems,
        reported,
    };
    let root = FieldPath::root();

    if raw.name.trim().is_empty() {
        check.fail(&root.key("name"), "must not be empty");
    }
    check.name(&root.key("name"), &raw.name);
    check.whole(&root.key("weeks"), raw.weeks, 1, MAX_WEEKS);
    check.whole(&root.key("warmup_weeks"), raw.warmup_weeks, 0, MAX_WEEKS);
    check.whole(&root.key("replicates"), raw.replicates, 1, i64::MAX);
    check.whole(&root.key("seed"), raw.seed, 0, i64::MAX);
    check_params(&mut check, &raw);
    check_sweeps(&mut check, &raw);

    let workstreams_ok = check_workstreams(&mut check, &root.key("workstreams"), &raw.workstreams);
    let mut organisation = Organisation {
        initial_trust: raw.trust.initial,
        ..Organisation::default()
    };
    check.probability(&root.key("trust").key("initial"), raw.trust.initial);
    let weeks = raw.weeks.clamp(1, MAX_WEEKS) as i32;
    let warmup = raw.warmup_weeks.clamp(0, MAX_WEEKS) as i32;
    build_named(
        &mut check,
        &raw,
        &mut organisation,
        workstreams_ok,
        weeks,
        warmup,
    );
    if let Some(generate) = &raw.generate {
        generate::check(&mut check, &root.key("generate"), generate);
    }
    // Before anything large is built: a size that cannot run is refused here.
    if check.problems.is_empty() {
        check_size(&mut check, &raw, raw_arms.len(), budget);
    }
    if let Some(generate) = &raw.generate
        && check.problems.is_empty()
    {
        generate::generate(&raw, generate, &mut organisation, weeks, warmup);
    }
    check_organisation(&mut check, &raw, &organisation);

    resolve_arrivals(&mut organisation);

    let arms = build_arms(&mut check, &raw_arms, weeks);
    if !check.problems.is_empty() {
        // In file order, whatever check found them.
        let mut problems = check.problems;
        problems.sort_by_key(|problem| match &problem.location {
            super::Location::File { line, column, .. } => (0, *line, *column),
            super::Location::WholeFile { .. } => (1, 0, 0),
            super::Location::Override { position, .. } => (2, *position, 0),
        });
        return Err(problems);
    }
    let baseline = arms.iter().position(|arm| arm.baseline).unwrap_or(0);
    Ok(Scenario {
        name: raw.name.trim().to_string(),
        description: raw.description.trim().to_string(),
        question: raw.question.trim().to_string(),
        weeks: weeks as u32,
        warmup_weeks: warmup as u32,
        replicates: raw.replicates as u64,
        seed: raw.seed as u64,
        params: Params {
            team: raw.team.clone(),
            disclosure: raw.disclosure.clone(),
            attribution: raw.attribution.clone(),
            conflict: raw.conflict.clone(),
            triage: raw.triage.clone(),
        },
        organisation,
        arms,
        baseline,
        resolved: raw,
    })
}

/// Each named sweep: at least one parameter, each `PATH=FROM:TO:STEPS`, on
/// distinct paths, a grid of a size that can be run.
fn check_sweeps(check: &mut Checker, raw: &RawScenario) {
    for (name, sweep) in &raw.sweeps {
        let at = FieldPath::root().key("sweeps").key(name);
        if let Some(replicates) = sweep.replicates {
            check.whole(&at.key("replicates"), replicates, 1, i64::MAX);
        }
        if sweep.params.is_empty() {
            check.fail(
                &at.key("params"),
                "must list at least one parameter, like \"trust.initial=0.1:0.9:9\"",
            );
            continue;
        }
        let mut params = Vec::new();
        for (index, text) in sweep.params.iter().enumerate() {
            match super::grid::SweepParam::parse(text) {
                Ok(param) => params.push(param),
                Err(message) => check.fail(&at.key("params").index(index), message),
            }
        }
        if params.len() == sweep.params.len()
            && let Err(message) = super::grid::Grid::new(params)
        {
            check.fail(&at.key("params"), message);
        }
    }
}

/// Most characters in any name (scenario, arm, leader, manager, project,
/// workstream).
pub const MAX_NAME_CHARS: usize = 100;

/// Refuses a run too large for the engine, or for `budget` when one is given.
fn check_size(check: &mut Checker, raw: &RawScenario, arms: usize, budget: Option<&Budget>) {
    let threads = budget.map_or(1, |budget| budget.threads);
    let cost = size::estimate(raw, arms, threads);
    let beyond_engine = cost.relationships > size::MAX_RELATIONSHIPS;
    let beyond_memory = budget.is_some_and(|budget| cost.memory_bytes > budget.memory_bytes);
    let beyond_time = budget.is_some_and(|budget| cost.seconds > budget.seconds);
    if !beyond_engine && !beyond_memory && !beyond_time {
        return;
    }
    let shape = format!(
        "{} with about {} and {} each, {} x {} x {}",
        words::count(cost.leaders, "leader"),
        words::count(cost.peers_per_leader().round(), "peer"),
        words::count(round_to_two_digits(cost.items_per_leader), "queued item"),
        words::count((raw.weeks + raw.warmup_weeks) as f64, "week"),
        words::count(arms.max(1) as f64, "arm"),
        words::count(raw.replicates as f64, "replicate"),
    );
    let time = format!(
        "take about {} on {}",
        words::seconds_in_words(cost.seconds),
        words::count(cost.threads as f64, "thread")
    );
    let memory = words::bytes_in_words(cost.memory_bytes);
    let leaders = if raw.generate.is_some() {
        FieldPath::root().key("generate").key("leaders")
    } else {
        FieldPath::root().key("leaders")
    };
    if beyond_engine {
        check.fail(&leaders, format!(
            "too large for the engine: it would need about {memory} of memory and {time} ({shape}), and about {} relationships between leaders, more than the {} it can index",
            words::thousands(cost.relationships as u64),
            words::thousands(size::MAX_RELATIONSHIPS as u64),
        ));
    } else if let Some(budget) = budget.filter(|_| beyond_memory) {
        check.fail(&leaders, format!(
            "too large to run here: it would need about {memory} of memory (this machine can give {}) and {time} ({shape}); make it smaller (fewer leaders, or shorter queues: smaller teams, lower demand, larger efforts), or pass --force to run it anyway",
            words::bytes_in_words(budget.memory_bytes),
        ));
    } else if let Some(budget) = budget {
        check.fail(&FieldPath::root().key("replicates"), format!(
            "too long to run here: it would {time}, more than {} ({shape}); lower replicates or weeks (or shorten the queues: smaller teams, lower demand, larger efforts), or pass --force to run it anyway",
            words::seconds_in_words(budget.seconds),
        ));
    }
}

/// `value` rounded to two significant digits (a queue of 3,811.8 items is
/// "about 3,800"), at least 1.
fn round_to_two_digits(value: f64) -> f64 {
    if value < 1.0 {
        return 1.0;
    }
    let scale = 10f64.powi(value.log10().floor() as i32 - 1).max(1.0);
    (value / scale).round() * scale
}

fn check_params(check: &mut Checker, raw: &RawScenario) {
    let p = FieldPath::root();
    let team = p.key("team");
    check.positive(
        &team.key("hours_per_person"),
        raw.team.hours_per_person,
        168.0,
    );
    check.range(
        &team.key("capacity_noise_sd"),
        raw.team.capacity_noise_sd,
        0.0,
        0.5,
    );
    check.range(
        &team.key("initial_backlog_weeks"),
        raw.team.initial_backlog_weeks,
        0.0,
        52.0,
    );
    check.range(
        &team.key("ageing_per_week"),
        raw.team.ageing_per_week,
        0.0,
        100.0,
    );

    let disclosure = p.key("disclosure");
    check.range(&disclosure.key("k_trust"), raw.disclosure.k_trust, 0.0, 1.0);
    check.range(
        &disclosure.key("context_exponent"),
        raw.disclosure.context_exponent,
        0.01,
        20.0,
    );
    check.range(
        &disclosure.key("data_exponent"),
        raw.disclosure.data_exponent,
        0.01,
        20.0,
    );

    let a = p.key("attribution");
    let attribution = &raw.attribution;
    check.range(&a.key("alpha"), attribution.alpha, 0.0, 100.0);
    check.probability(&a.key("decay"), attribution.decay);
    check.probability(&a.key("rho"), attribution.rho);
    check.probability(&a.key("lambda_gain"), attribution.lambda_gain);
    check.probability(&a.key("lambda_loss"), attribution.lambda_loss);
    check.range(
        &a.key("blame_insecurity"),
        attribution.blame_insecurity,
        0.0,
        10.0,
    );
    check.probability(&a.key("support_damp"), attribution.support_damp);

    let c = p.key("conflict");
    let conflict = &raw.conflict;
    check.range(&c.key("max_hours"), conflict.max_hours, 0.0, 40.0);
    check.positive(
        &c.key("half_frustration"),
        conflict.half_frustration,
        1000.0,
    );
    check.range(&c.key("reply_share"), conflict.reply_share, 0.0, 10.0);
    check.range(&c.key("manager_share"), conflict.manager_share, 0.0, 10.0);
    check.range(
        &c.key("spillover_hours_per_hour"),
        conflict.spillover_hours_per_hour,
        0.0,
        10.0,
    );
    check.range(
        &c.key("episode_offset"),
        conflict.episode_offset,
        0.0,
        1000.0,
    );
    check.range(&c.key("episode_onset"), conflict.episode_onset, 0.0, 1000.0);
    check.range(
        &c.key("touched_hours"),
        conflict.touched_hours,
        0.0,
        10_000.0,
    );
    let t = p.key("triage");
    check.whole(&t.key("overdue_weeks"), raw.triage.overdue_weeks, 0, 520);
    check.range(
        &t.key("below_priority"),
        raw.triage.below_priority,
        -100.0,
        100.0,
    );
    check.probability(&t.key("drop_probability"), raw.triage.drop_probability);
    if conflict.episode_offset.is_finite()
        && conflict.episode_onset.is_finite()
        && conflict.episode_offset > conflict.episode_onset
    {
        check.fail(
            &c.key("episode_offset"),
            format!(
                "must not exceed episode_onset ({}), or an episode would end before it starts (got {})",
                conflict.episode_onset, conflict.episode_offset
            ),
        );
    }

    let d = p.key("defaults");
    let defaults = &raw.defaults;
    check.whole(&d.key("team_size"), defaults.team_size, 1, 10_000);
    check.positive(&d.key("demand"), defaults.demand, 10.0);
    check.probability(&d.key("disclosure"), defaults.disclosure);
    check.probability(&d.key("insecurity"), defaults.insecurity);
    check.probability(&d.key("support"), defaults.support);
    check.probability(&d.key("project_share"), defaults.project_share);
    check.range(
        &d.key("project_priority"),
        defaults.project_priority,
        -100.0,
        100.0,
    );
    check.probability(&d.key("ambiguity"), defaults.ambiguity);
    check.probability(&d.key("unowned_share"), defaults.unowned_share);
}

fn check_workstreams(check: &mut Checker, path: &FieldPath, workstreams: &[RawWorkstream]) -> bool {
    let before = check.problems.len();
    if workstreams.is_empty() {
        check.fail(path, "needs at least one workstream");
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, stream) in workstreams.iter().enumerate() {
        let at = path.index(index);
        check.name(&at.key("name"), &stream.name);
        if stream.name.trim().is_empty() {
            check.fail(&at.key("name"), "must not be empty");
        } else if let Some(first) = seen.insert(stream.name.as_str(), index) {
            check.fail(
                &at.key("name"),
                format!(
                    "`{}` is already the name of workstream {first}",
                    stream.name
                ),
            );
        }
        check.range(&at.key("priority"), stream.priority, -100.0, 100.0);
        check.range(
            &at.key("priority_jitter"),
            stream.priority_jitter,
            0.0,
            10.0,
        );
        check.non_negative(&at.key("share"), stream.share);
        check.range(
            &at.key("mean_effort_hours"),
            stream.mean_effort_hours,
            0.01,
            10_000.0,
        );
        check.range(&at.key("effort_sigma"), stream.effort_sigma, 0.0, 3.0);
        let min_ok = check.whole(&at.key("due_weeks_min"), stream.due_weeks_min, 0, 520);
        let max_ok = check.whole(&at.key("due_weeks_max"), stream.due_weeks_max, 0, 520);
        if min_ok && max_ok && stream.due_weeks_min > stream.due_weeks_max {
            check.fail(
                &at.key("due_weeks_max"),
                format!("must be at least due_weeks_min ({})", stream.due_weeks_min),
            );
        }
    }
    let total_share: f64 = workstreams.iter().map(|stream| stream.share).sum();
    if !workstreams.is_empty() && total_share.is_finite() && total_share <= 0.0 {
        check.fail(
            path,
            "the shares of the workstreams must add up to more than 0",
        );
    }
    check.problems.len() == before
}

/// Leaders, managers and projects named in the file.
fn build_named(
    check: &mut Checker,
    raw: &RawScenario,
    organisation: &mut Organisation,
    workstreams_ok: bool,
    weeks: i32,
    warmup: i32,
) {
    let root = FieldPath::root();
    let mut manager_ids: HashMap<String, ManagerId> = HashMap::new();
    for (index, manager) in raw.managers.iter().enumerate() {
        let at = root.key("managers").index(index);
        check.name(&at.key("name"), &manager.name);
        if manager.name.trim().is_empty() {
            check.fail(&at.key("name"), "must not be empty");
        } else if manager_ids.contains_key(&manager.name) {
            check.fail(
                &at.key("name"),
                format!("`{}` is named twice", manager.name),
            );
        } else {
            manager_ids.insert(manager.name.clone(), ManagerId(index as u32));
        }
        if let Some(support) = manager.support {
            check.probability(&at.key("support"), support);
        }
        let support = manager.support.unwrap_or(raw.defaults.support);
        organisation.managers.push(Manager {
            name: manager.name.clone(),
            support,
            reports_to: None,
        });
    }
    for (index, manager) in raw.managers.iter().enumerate() {
        let Some(boss) = &manager.reports_to else {
            continue;
        };
        let at = root.key("managers").index(index).key("reports_to");
        match manager_ids.get(boss) {
            Some(&id) if id.0 as usize == index => {
                check.fail(&at, "a manager cannot report to themselves")
            }
            Some(&id) => organisation.managers[index].reports_to = Some(id),
            None => check.fail(&at, unknown_name("manager", boss, manager_ids.keys())),
        }
    }
    for (index, _) in raw.managers.iter().enumerate() {
        if has_reporting_cycle(&organisation.managers, ManagerId(index as u32)) {
            check.fail(
                &root.key("managers").index(index).key("reports_to"),
                "managers report to each other in a cycle",
            );
        }
    }

    let mut leader_ids: HashMap<String, LeaderId> = HashMap::new();
    for (index, leader) in raw.leaders.iter().enumerate() {
        let at = root.key("leaders").index(index);
        check.name(&at.key("name"), &leader.name);
        if leader.name.trim().is_empty() {
            check.fail(&at.key("name"), "must not be empty");
        } else if leader_ids.contains_key(&leader.name) {
            check.fail(&at.key("name"), format!("`{}` is named twice", leader.name));
        } else {
            leader_ids.insert(leader.name.clone(), LeaderId(index as u32));
        }
        // Values a leader inherits were checked where they are set, in [defaults].
        if let Some(team_size) = leader.team_size {
            check.whole(&at.key("team_size"), team_size, 1, 10_000);
        }
        if let Some(capacity) = leader.capacity_hours {
            // At most 10,000 people working every hour of the week.
            check.positive(&at.key("capacity_hours"), capacity, 1_680_000.0);
        }
        if let Some(demand) = leader.demand {
            check.positive(&at.key("demand"), demand, 10.0);
        }
        if let Some(disclosure) = leader.disclosure {
            check.probability(&at.key("disclosure"), disclosure);
        }
        if let Some(insecurity) = leader.insecurity {
            check.probability(&at.key("insecurity"), insecurity);
        }
        let team_size = leader.team_size.unwrap_or(raw.defaults.team_size);
        let capacity = leader
            .capacity_hours
            .unwrap_or(team_size.max(1) as f64 * raw.team.hours_per_person);
        let demand = leader.demand.unwrap_or(raw.defaults.demand);
        let disclosure = leader.disclosure.unwrap_or(raw.defaults.disclosure);
        let insecurity = leader.insecurity.unwrap_or(raw.defaults.insecurity);
        let manager = match manager_ids.get(&leader.manager) {
            Some(&id) => id,
            None if leader.manager.trim().is_empty() => {
                check.fail(&at.key("manager"), "must not be empty");
                ManagerId(0)
            }
            None => {
                check.fail(
                    &at.key("manager"),
                    unknown_name("manager", &leader.manager, manager_ids.keys()),
                );
                ManagerId(0)
            }
        };
        let own_streams_ok = match &leader.workstreams {
            Some(streams) => check_workstreams(check, &at.key("workstreams"), streams),
            None => workstreams_ok,
        };
        let streams = leader.workstreams.as_ref().unwrap_or(&raw.workstreams);
        organisation.leaders.push(Leader {
            name: leader.name.clone(),
            team_size: team_size.clamp(1, 10_000) as u32,
            capacity_hours: capacity,
            demand,
            disclosure,
            insecurity,
            manager,
            workstreams: if own_streams_ok {
                unresolved(streams)
            } else {
                Vec::new()
            },
        });
    }

    for (index, project) in raw.projects.iter().enumerate() {
        let at = root.key("projects").index(index);
        check.name(&at.key("name"), &project.name);
        if project.name.trim().is_empty() {
            check.fail(&at.key("name"), "must not be empty");
        } else if raw.projects[..index]
            .iter()
            .any(|other| other.name == project.name)
        {
            check.fail(
                &at.key("name"),
                format!("`{}` is named twice", project.name),
            );
        }
        if project.members.len() < 2 {
            check.fail(
                &at.key("members"),
                format!(
                    "a shared project needs at least two members (got {})",
                    project.members.len()
                ),
            );
        }
        if let Some(priority) = project.priority {
            check.range(&at.key("priority"), priority, -100.0, 100.0);
        }
        for (key, value) in [
            ("project_share", project.project_share),
            ("ambiguity", project.ambiguity),
            ("unowned_share", project.unowned_share),
        ] {
            if let Some(value) = value {
                check.probability(&at.key(key), value);
            }
        }
        if let Some(hours) = project.hours_per_week {
            check.range(&at.key("hours_per_week"), hours, 0.0, 100_000.0);
        }
        let priority = project.priority.unwrap_or(raw.defaults.project_priority);
        let share = project.project_share.unwrap_or(raw.defaults.project_share);
        let ambiguity = project.ambiguity.unwrap_or(raw.defaults.ambiguity);
        let unowned_share = project.unowned_share.unwrap_or(raw.defaults.unowned_share);
        let start = project.start_week.unwrap_or(1 - warmup as i64);
        let end = project.end_week.unwrap_or(weeks as i64);
        let horizon_valid = !check.failed(&FieldPath::root().key("weeks"))
            && !check.failed(&FieldPath::root().key("warmup_weeks"));
        let mut in_horizon = |key: &str, week: i64| {
            let first = 1 - warmup as i64;
            let ok = !horizon_valid || (first..=weeks as i64).contains(&week);
            if !ok {
                let warm_up = if warmup > 0 {
                    format!("; weeks {first} to 0 are the warm-up")
                } else {
                    String::new()
                };
                check.fail(
                    &at.key(key),
                    format!("must be a week from {first} to {weeks} (got {week}){warm_up}"),
                );
            }
            ok
        };
        let start_ok = in_horizon("start_week", start);
        let end_ok = in_horizon("end_week", end);
        if horizon_valid && start_ok && end_ok && start > end {
            check.fail(
                &at.key("end_week"),
                format!("must not be before start_week ({start})"),
            );
        }
        let mut members = Vec::new();
        for (member_index, name) in project.members.iter().enumerate() {
            let member_at = at.key("members").index(member_index);
            let Some(&leader) = leader_ids.get(name) else {
                if name.trim().is_empty() {
                    check.fail(&member_at, "must not be empty");
                } else {
                    check.fail(&member_at, unknown_name("leader", name, leader_ids.keys()));
                }
                continue;
            };
            if members
                .iter()
                .any(|member: &Member| member.leader == leader)
            {
                check.fail(&member_at, format!("`{name}` is listed twice"));
                continue;
            }
            let capacity = organisation.leaders[leader.0 as usize].capacity_hours;
            members.push(Member {
                leader,
                hours_per_week: project.hours_per_week.unwrap_or(share * capacity),
                priority,
            });
        }
        organisation.projects.push(Project {
            name: project.name.clone(),
            members,
            ambiguity,
            unowned_share,
            start_week: start as i32,
            end_week: end as i32,
        });
    }

    let mut pairs_seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (index, pair) in raw.trust.pairs.iter().enumerate() {
        let at = root.key("trust").key("pairs").index(index);
        check.probability(&at.key("value"), pair.value);
        let first = *pairs_seen
            .entry((pair.from.as_str(), pair.to.as_str()))
            .or_insert(index);
        if first != index {
            let first_at = root.key("trust").key("pairs").index(first);
            let place = match check.locator.locate(&first_at) {
                Location::File { line, .. } => format!("line {line}"),
                Location::Override { argument, .. } => argument,
                Location::WholeFile { .. } => first_at.to_string(),
            };
            check.fail(
                &at,
                format!(
                    "trust from `{}` in `{}` is already set by {first_at} ({place}); keep one of the two",
                    pair.from, pair.to
                ),
            );
        }
        let from = leader_ids.get(&pair.from);
        let to = leader_ids.get(&pair.to);
        if from.is_none() {
            check.fail(
                &at.key("from"),
                unknown_name("leader", &pair.from, leader_ids.keys()),
            );
        }
        if to.is_none() {
            check.fail(
                &at.key("to"),
                unknown_name("leader", &pair.to, leader_ids.keys()),
            );
        }
        if let (Some(&from), Some(&to)) = (from, to) {
            let share = organisation.projects.iter().any(|project| {
                project.members.iter().any(|m| m.leader == from)
                    && project.members.iter().any(|m| m.leader == to)
            });
            if from == to {
                check.fail(
                    &at.key("to"),
                    "a leader's trust in themselves is not modelled (self-grace)",
                );
            } else if !share {
                check.fail(
                    &at,
                    "these two leaders share no project, so there is no trust between them to set",
                );
            }
            organisation.trust_overrides.push((from, to, pair.value));
        }
    }
}

/// Workstreams copied with a zero arrival rate; [`resolve_arrivals`] sets it
/// once the leader's shared commitments are known.
pub(super) fn unresolved(streams: &[RawWorkstream]) -> Vec<Workstream> {
    streams
        .iter()
        .map(|stream| Workstream {
            name: stream.name.as_str().into(),
            priority: stream.priority,
            priority_jitter: stream.priority_jitter,
            arrivals_per_week: stream.share,
            mean_effort_hours: stream.mean_effort_hours,
            effort_sigma: stream.effort_sigma,
            due_weeks_min: stream.due_weeks_min.max(0) as u32,
            due_weeks_max: stream.due_weeks_max.max(0) as u32,
        })
        .collect()
}

/// Scales each leader's arrival rates so that expected private plus shared
/// hours equal demand x capacity (DESIGN.md section 2). Before this call
/// `arrivals_per_week` holds the workstream's share.
pub(super) fn resolve_arrivals(organisation: &mut Organisation) -> Vec<(usize, f64, f64)> {
    let mut shared = vec![0.0; organisation.leaders.len()];
    for project in &organisation.projects {
        for member in &project.members {
            shared[member.leader.0 as usize] += member.hours_per_week;
        }
    }
    let mut overcommitted = Vec::new();
    for (index, leader) in organisation.leaders.iter_mut().enumerate() {
        let demanded = leader.demand * leader.capacity_hours;
        let private_hours = demanded - shared[index];
        // Demand that exactly covers the shared hours is allowed, whatever
        // the rounding of the sum.
        if private_hours < -1e-9 * demanded.max(1.0) {
            overcommitted.push((index, shared[index], leader.demand * leader.capacity_hours));
        }
        let total_share: f64 = leader.workstreams.iter().map(|s| s.arrivals_per_week).sum();
        for stream in &mut leader.workstreams {
            let hours = private_hours.max(0.0) * stream.arrivals_per_week
                / total_share.max(f64::MIN_POSITIVE);
            stream.arrivals_per_week = hours / stream.mean_effort_hours;
        }
    }
    overcommitted
}

fn check_organisation(check: &mut Checker, raw: &RawScenario, organisation: &Organisation) {
    let root = FieldPath::root();
    // A [generate] section with problems generated nothing; that is reported already.
    if organisation.leaders.len() < 2 && raw.generate.is_none() {
        check.fail(&root.key("leaders"), format!(
            "needs at least two leaders who share a project (got {}); name them in [[leaders]] or use [generate]",
            organisation.leaders.len()
        ));
    }
    // Members that could not be read are reported already; who is in no
    // project is then unknown.
    let members_read = (0..raw.projects.len())
        .all(|index| !check.already_reported(&root.key("projects").index(index).key("members")));
    let mut in_project = vec![false; organisation.leaders.len()];
    for project in &organisation.projects {
        for member in &project.members {
            in_project[member.leader.0 as usize] = true;
        }
    }
    for (index, leader) in raw.leaders.iter().enumerate() {
        // An unnamed or twice-named leader is reported as such already.
        let first_of_name = raw.leaders.iter().position(|l| l.name == leader.name) == Some(index);
        let named = !leader.name.trim().is_empty() && first_of_name;
        if named && members_read && !in_project.get(index).copied().unwrap_or(true) {
            check.fail(
                &root.key("leaders").index(index).key("name"),
                format!("`{}` is in no shared project, so nobody can observe them; add them to a project's members", leader.name),
            );
        }
    }
    // Over-commitment follows from capacities, demands and project hours,
    // so it is checked only once those are known to be valid.
    if !check.problems.is_empty() {
        return;
    }
    let mut resolved = organisation.clone();
    for (index, shared, available) in resolve_arrivals(&mut resolved) {
        let path = if index < raw.leaders.len() {
            overcommitment_cause(raw, index)
        } else {
            root.key("generate").key("shared_share")
        };
        let name = &resolved.leaders[index].name;
        check.fail(&path, format!(
            "`{name}`'s shared commitments ({shared:.1} h/week) exceed the demanded hours ({available:.1} h/week = demand x capacity); raise demand or lower project hours"
        ));
    }
}

/// Where a named leader's over-commitment is best fixed: the first of their
/// projects that sets hours per week, else their demand.
fn overcommitment_cause(raw: &RawScenario, leader: usize) -> FieldPath {
    let name = &raw.leaders[leader].name;
    raw.projects
        .iter()
        .position(|project| project.hours_per_week.is_some() && project.members.contains(name))
        .map_or_else(
            || FieldPath::root().key("leaders").index(leader).key("demand"),
            |project| {
                FieldPath::root()
                    .key("projects")
                    .index(project)
                    .key("hours_per_week")
            },
        )
}

fn has_reporting_cycle(managers: &[Manager], start: ManagerId) -> bool {
    let mut current = managers[start.0 as usize].reports_to;
    for _ in 0..managers.len() {
        match current {
            Some(id) if id == start => return true,
            Some(id) => current = managers[id.0 as usize].reports_to,
            None => return false,
        }
    }
    current.is_some()
}

fn unknown_name<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a String>) -> String {
    let known: Vec<&str> = known.map(String::as_str).collect();
    match super::load::did_you_mean(name, &known) {
        Some(suggestion) => format!("no {what} is named `{name}`; did you mean `{suggestion}`?"),
        None => format!("no {what} is named `{name}`"),
    }
}

fn build_arms(check: &mut Checker, raw_arms: &[LoadedArm], weeks: i32) -> Vec<Arm> {
    let root = FieldPath::root().key("arms");
    if raw_arms.is_empty() {
        // A scenario without arms is a baseline-only run.
        return vec![Arm {
            name: "power-through".to_string(),
            baseline: true,
            escalation: None,
            status_meeting: None,
            connection: None,
        }];
    }
    let baselines = raw_arms.iter().filter(|arm| arm.raw.baseline).count();
    // An arm that could not be read whole may have lost its `baseline`.
    let complete = raw_arms.iter().all(|arm| !arm.incomplete);
    if raw_arms.len() > 1 && baselines == 0 && complete {
        check.fail(&root, "no arm is the baseline; set `baseline = true` in the arm the others are compared with (usually power-through)");
    }
    if baselines > 1 {
        for arm in raw_arms.iter().filter(|arm| arm.raw.baseline).skip(1) {
            check.fail(
                &root.key(&arm.name).key("baseline"),
                "only one arm can be the baseline",
            );
        }
    }
    // Start weeks are checked against a valid `weeks` only: a bad `weeks`
    // is reported once, not again at every start week.
    let weeks_valid = !check.failed(&FieldPath::root().key("weeks"));
    let mut arms = Vec::new();
    for LoadedArm {
        name,
        raw,
        intervention_index,
        ..
    } in raw_arms
    {
        let at = root.key(name);
        if name.trim().is_empty() {
            check.fail(&at, "an arm's name must not be empty");
        }
        check.name(&at, name);
        if let Some(start) = raw.start_week
            && weeks_valid
        {
            check.whole(&at.key("start_week"), start, 1, weeks as i64);
        }
        let mut arm = Arm {
            name: name.clone(),
            baseline: raw.baseline || raw_arms.len() == 1,
            escalation: None,
            status_meeting: None,
            connection: None,
        };
        for (&index, intervention) in intervention_index.iter().zip(&raw.interventions) {
            let item = at.key("interventions").index(index);
            let mut start_of = |own: Option<i64>| -> u32 {
                let start = own.or(raw.start_week).unwrap_or(1);
                if own.is_some() && weeks_valid {
                    check.whole(&item.key("start_week"), start, 1, weeks as i64);
                }
                start.clamp(1, weeks as i64) as u32
            };
            let duplicate = match intervention {
                RawIntervention::Escalation(params) => {
                    let start_week = start_of(params.start_week);
                    arm.escalation
                        .replace(Escalation {
                            start_week,
                            params: params.clone(),
                        })
                        .is_some()
                }
                RawIntervention::StatusMeeting(params) => {
                    let start_week = start_of(params.start_week);
                    arm.status_meeting
                        .replace(StatusMeeting {
                            start_week,
                            params: params.clone(),
                        })
                        .is_some()
                }
                RawIntervention::ConnectionFirst(params) => {
                    let start_week = start_of(params.start_week);
                    arm.connection
                        .replace(Connection {
                            start_week,
                            params: params.clone(),
                        })
                        .is_some()
                }
            };
            if duplicate {
                check.fail(
                    &item.key("kind"),
                    "this arm already has an intervention of this kind",
                );
            }
            check_intervention(check, &item, intervention);
        }
        arms.push(arm);
    }
    arms
}

/// Range checks of each intervention's parameters.
fn check_intervention(check: &mut Checker, at: &FieldPath, intervention: &RawIntervention) {
    match intervention {
        RawIntervention::Escalation(p) => {
            check.range(&at.key("threshold"), p.threshold, 0.0, 1000.0);
            check.whole(&at.key("cooldown_weeks"), p.cooldown_weeks, 0, 520);
            check.range(&at.key("complainer_hours"), p.complainer_hours, 0.0, 40.0);
            check.range(&at.key("target_hours"), p.target_hours, 0.0, 40.0);
            check.range(&at.key("manager_hours"), p.manager_hours, 0.0, 40.0);
            check.whole(&at.key("compliance_weeks"), p.compliance_weeks, 0, 520);
            check.range(&at.key("hard_priority"), p.hard_priority, -100.0, 100.0);
            check.probability(&at.key("repeat_factor"), p.repeat_factor);
            check.probability(&at.key("relief"), p.relief);
            check.probability(&at.key("target_trust_factor"), p.target_trust_factor);
            check.range(
                &at.key("target_frustration"),
                p.target_frustration,
                0.0,
                100.0,
            );
            check.probability(&at.key("target_insecurity"), p.target_insecurity);
            check.probability(&at.key("insecurity_fade"), p.insecurity_fade);
        }
        RawIntervention::StatusMeeting(p) => {
            check.whole(&at.key("every_weeks"), p.every_weeks, 1, 520);
            check.range(&at.key("meeting_hours"), p.meeting_hours, 0.0, 40.0);
            check.range(&at.key("prep_hours"), p.prep_hours, 0.0, 40.0);
            check.probability(&at.key("ambiguity_factor"), p.ambiguity_factor);
        }
        RawIntervention::ConnectionFirst(p) => {
            check.whole(&at.key("every_weeks"), p.every_weeks, 0, 520);
            check.range(&at.key("hours"), p.hours, 0.0, 40.0);
            check.probability(&at.key("trust_gain"), p.trust_gain);
            check.probability(&at.key("disclosure_gain"), p.disclosure_gain);
            check.probability(&at.key("coordinate_trust"), p.coordinate_trust);
            check.probability(&at.key("stop_trust"), p.stop_trust);
            check.range(&at.key("buffer"), p.buffer, 0.0, 0.9);
            if p.stop_trust > p.coordinate_trust {
                check.fail(
                    &at.key("stop_trust"),
                    format!(
                        "must not exceed coordinate_trust ({}) (got {})",
                        p.coordinate_trust, p.stop_trust
                    ),
                );
            }
        }
    }
}
