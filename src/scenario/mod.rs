//! Scenarios: the input of a run, read from TOML, checked once, then trusted.
//!
//! [`load_file`] and [`load_text`] return a [`Scenario`] whose every value has
//! been range-checked and whose names are resolved to indices, or a
//! [`ScenarioError`] listing every problem with its file, line, column and field.
//! The engine only ever sees the checked types defined here.

mod error;
mod generate;
pub mod grid;
pub mod import;
mod load;
pub mod overload;
pub mod raw;
pub mod size;
mod validate;

use std::path::Path;

pub use error::{FieldPath, Location, Problem, ScenarioError, Segment};
pub use load::{MAX_SCENARIO_BYTES, Override, did_you_mean, locate};
pub use raw::{
    AttributionParams, ConflictParams, ConnectionParams, DisclosureParams, EscalationParams,
    RawScenario, StatusMeetingParams, TeamParams, TriageParams,
};
pub use size::{Budget, Cost};
pub use validate::Checker;

/// Index of a leader in [`Organisation::leaders`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LeaderId(pub u32);

/// Index of a manager in [`Organisation::managers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ManagerId(pub u32);

/// Index of a project in [`Organisation::projects`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProjectId(pub u32);

/// A checked scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub question: String,
    /// Reported weeks, numbered 1..=weeks.
    pub weeks: u32,
    /// Unreported weeks before week 1, numbered 1-warmup_weeks..=0.
    pub warmup_weeks: u32,
    pub replicates: u64,
    pub seed: u64,
    pub params: Params,
    pub organisation: Organisation,
    /// Arms in file order.
    pub arms: Vec<Arm>,
    /// Index of the baseline arm in `arms`.
    pub baseline: usize,
    /// The scenario as read, with overrides applied and defaults filled in.
    pub resolved: RawScenario,
}

impl Scenario {
    /// The earliest week any intervention starts, if any arm has one.
    pub fn intervention_start_week(&self) -> Option<u32> {
        self.arms.iter().filter_map(Arm::start_week).min()
    }

    /// First simulated week (the first warm-up week).
    pub fn first_week(&self) -> i32 {
        1 - self.warmup_weeks as i32
    }
}

/// Model parameters shared by every leader.
#[derive(Debug, Clone)]
pub struct Params {
    pub team: TeamParams,
    pub disclosure: DisclosureParams,
    pub attribution: AttributionParams,
    pub conflict: ConflictParams,
    pub triage: TriageParams,
}

/// Who works with whom: leaders, their managers and their shared projects.
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    pub leaders: Vec<Leader>,
    pub managers: Vec<Manager>,
    pub projects: Vec<Project>,
    /// Initial trust of every observer in every peer, unless set per pair.
    pub initial_trust: f64,
    /// (observer, actor, trust) for pairs given their own initial trust.
    pub trust_overrides: Vec<(LeaderId, LeaderId, f64)>,
}

impl Organisation {
    /// People: every leader, their team members, and the managers.
    pub fn headcount(&self) -> u64 {
        let teams: u64 = self
            .leaders
            .iter()
            .map(|leader| u64::from(leader.team_size) + 1)
            .sum();
        teams + self.managers.len() as u64
    }
}

#[derive(Debug, Clone)]
pub struct Leader {
    pub name: String,
    /// People in the team, not counting the leader.
    pub team_size: u32,
    /// Expected weekly team capacity (h).
    pub capacity_hours: f64,
    /// Expected arriving hours over capacity.
    pub demand: f64,
    pub disclosure: f64,
    pub insecurity: f64,
    pub manager: ManagerId,
    pub workstreams: Vec<Workstream>,
}

/// A private workstream of one leader, with its arrival rate resolved.
#[derive(Debug, Clone)]
pub struct Workstream {
    /// Shared by every generated leader's copy (half a million at 100,000 leaders).
    pub name: std::sync::Arc<str>,
    pub priority: f64,
    pub priority_jitter: f64,
    /// Expected items per week (Poisson mean).
    pub arrivals_per_week: f64,
    pub mean_effort_hours: f64,
    pub effort_sigma: f64,
    pub due_weeks_min: u32,
    pub due_weeks_max: u32,
}

#[derive(Debug, Clone)]
pub struct Manager {
    pub name: String,
    pub support: f64,
    pub reports_to: Option<ManagerId>,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    pub members: Vec<Member>,
    pub ambiguity: f64,
    pub unowned_share: f64,
    /// First and last week with commitments (warm-up weeks are <= 0).
    pub start_week: i32,
    pub end_week: i32,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub leader: LeaderId,
    /// Hours this member owes the project each week.
    pub hours_per_week: f64,
    /// Priority this member gives the project's work.
    pub priority: f64,
}

/// A named list of interventions.
#[derive(Debug, Clone)]
pub struct Arm {
    pub name: String,
    pub baseline: bool,
    pub escalation: Option<Escalation>,
    pub status_meeting: Option<StatusMeeting>,
    pub connection: Option<Connection>,
}

impl Arm {
    /// An arm that does nothing: what every arm does before its first
    /// intervention starts.
    pub fn without_interventions() -> Arm {
        Arm {
            name: String::new(),
            baseline: false,
            escalation: None,
            status_meeting: None,
            connection: None,
        }
    }

    /// The week this arm's first intervention starts.
    pub fn start_week(&self) -> Option<u32> {
        [
            self.escalation.as_ref().map(|e| e.start_week),
            self.status_meeting.as_ref().map(|s| s.start_week),
            self.connection.as_ref().map(|c| c.start_week),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub fn intervention_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.escalation.is_some() {
            names.push("escalation");
        }
        if self.status_meeting.is_some() {
            names.push("status-meeting");
        }
        if self.connection.is_some() {
            names.push("connection-first");
        }
        names
    }
}

#[derive(Debug, Clone)]
pub struct Escalation {
    pub start_week: u32,
    pub params: EscalationParams,
}

#[derive(Debug, Clone)]
pub struct StatusMeeting {
    pub start_week: u32,
    pub params: StatusMeetingParams,
}

#[derive(Debug, Clone)]
pub struct Connection {
    pub start_week: u32,
    pub params: ConnectionParams,
}

/// Reads and checks a scenario file, applying `--set` overrides. Sizes are
/// limited only by what the engine can index; see [`load_file_within`].
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    load_file_from(path, overrides, None)
}

/// Like [`load_file`], refusing a scenario whose run would not fit `budget`
/// (with an estimate of its memory and time), before building anything.
pub fn load_file_within(
    path: &Path,
    overrides: &[Override],
    budget: &Budget,
) -> Result<Scenario, ScenarioError> {
    load_file_from(path, overrides, Some(budget))
}

fn load_file_from(
    path: &Path,
    overrides: &[Override],
    budget: Option<&Budget>,
) -> Result<Scenario, ScenarioError> {
    let bytes = read_file(path)?;
    let label = path.display().to_string();
    load_bytes(&label, &bytes, overrides, budget).map_err(|problems| ScenarioError {
        file: path.to_path_buf(),
        problems,
    })
}

/// The bytes of a scenario file, or why it cannot be read (a directory, a
/// missing file, one too large to be a scenario).
pub fn read_file(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    let label = path.display().to_string();
    let fail = |message: String| ScenarioError {
        file: path.to_path_buf(),
        problems: vec![Problem {
            location: Location::WholeFile {
                file: label.clone(),
            },
            field: None,
            message,
        }],
    };
    if path.is_dir() {
        return Err(fail("is a directory, not a scenario file".to_string()));
    }
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(fail("no such file".to_string()));
        }
        Err(error) => return Err(fail(format!("cannot read: {error}"))),
    };
    // Do not read a huge file only to refuse it.
    if let Ok(metadata) = file.metadata()
        && metadata.is_file()
        && metadata.len() > MAX_SCENARIO_BYTES as u64
    {
        return Err(fail(format!(
            "the file is {} MB; a scenario must be under {} MB (describe large organisations with [generate])",
            metadata.len() / (1024 * 1024),
            MAX_SCENARIO_BYTES / (1024 * 1024)
        )));
    }
    // A pipe, a FIFO or a device (`/dev/stdin`, `/dev/zero`) has no length
    // to check first: it is read up to the limit and no further.
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_SCENARIO_BYTES as u64 + 1),
        &mut bytes,
    )
    .map_err(|error| fail(format!("cannot read: {error}")))?;
    if bytes.len() > MAX_SCENARIO_BYTES {
        return Err(fail(format!(
            "gives more than {} MB, which no scenario is (describe large organisations with [generate])",
            MAX_SCENARIO_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

/// Checks a scenario given as text; `label` names it in messages.
pub fn load_text(
    label: &str,
    text: &str,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    load_bytes_within(label, text.as_bytes(), overrides, None)
}

/// Like [`load_text`], refusing a scenario whose run would not fit `budget`.
pub fn load_text_within(
    label: &str,
    text: &str,
    overrides: &[Override],
    budget: &Budget,
) -> Result<Scenario, ScenarioError> {
    load_bytes_within(label, text.as_bytes(), overrides, Some(budget))
}

/// Checks a scenario given as the bytes of a file (which must be UTF-8 text).
pub fn load_bytes_within(
    label: &str,
    bytes: &[u8],
    overrides: &[Override],
    budget: Option<&Budget>,
) -> Result<Scenario, ScenarioError> {
    load_bytes(label, bytes, overrides, budget).map_err(|problems| ScenarioError {
        file: label.into(),
        problems,
    })
}

fn load_bytes(
    label: &str,
    bytes: &[u8],
    overrides: &[Override],
    budget: Option<&Budget>,
) -> Result<Scenario, Vec<Problem>> {
    let text = load::decode(label, bytes)?;
    let loaded = load::parse(label, &text, overrides)?;
    validate::validate(loaded, budget)
}
