//! The scenario file as written: serde types with every default in one place.
//!
//! Nothing here is trusted by the engine. `validate` turns a [`RawScenario`]
//! into a checked [`crate::scenario::Scenario`]; each default below is the one
//! documented in the README's scenario reference, with its unit and source.

use serde::{Deserialize, Serialize};

/// The whole file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Short name; also the output folder name.
    pub name: String,
    /// One line shown by `empathy-gap list` and in the report.
    #[serde(default)]
    pub description: String,
    /// The question the scenario asks, shown in the report.
    #[serde(default)]
    pub question: String,
    /// Reported weeks (>= 1).
    #[serde(default = "default_weeks")]
    pub weeks: i64,
    /// Unreported weeks simulated before week 1, so week 1 is not a start-up artefact.
    #[serde(default = "default_warmup_weeks")]
    pub warmup_weeks: i64,
    /// Independent replicates per arm.
    #[serde(default = "default_replicates")]
    pub replicates: i64,
    /// Master seed: with the scenario it fixes every random draw.
    #[serde(default = "default_seed")]
    pub seed: i64,
    #[serde(default)]
    pub team: TeamParams,
    #[serde(default)]
    pub disclosure: DisclosureParams,
    #[serde(default)]
    pub attribution: AttributionParams,
    #[serde(default)]
    pub conflict: ConflictParams,
    #[serde(default)]
    pub triage: TriageParams,
    #[serde(default)]
    pub defaults: LeaderDefaults,
    #[serde(default)]
    pub trust: TrustSection,
    /// The organisation-wide mix of private work; a leader may replace it.
    #[serde(default = "default_workstreams")]
    pub workstreams: Vec<RawWorkstream>,
    #[serde(default)]
    pub managers: Vec<RawManager>,
    #[serde(default)]
    pub leaders: Vec<RawLeader>,
    #[serde(default)]
    pub projects: Vec<RawProject>,
    /// Generate an organisation instead of (or in addition to) naming leaders.
    #[serde(default)]
    pub generate: Option<RawGenerate>,
    /// Named arms, in the order they are reported. Exactly one is the baseline.
    #[serde(default)]
    pub arms: toml::Table,
    /// Named parameter sweeps of this scenario, for `empathy-gap sweep`
    /// (`run` ignores them).
    #[serde(default)]
    pub sweeps: std::collections::BTreeMap<String, RawSweep>,
}

impl RawScenario {
    /// Every path that holds a value of `defaults.KEY` for someone: the
    /// default itself, each leader, project or manager that sets its own,
    /// and a generated organisation's range (`generate.KEY_min` and
    /// `_max`) where it draws one. Setting them all to one value gives
    /// everyone that value. `team_size` has no such range: a generated
    /// organisation's team sizes follow their own distribution.
    pub fn paths_of_default(&self, key: &str) -> Vec<String> {
        let mut paths = vec![format!("defaults.{key}")];
        let own = |table: &str, sets: &mut dyn Iterator<Item = bool>| -> Vec<String> {
            sets.enumerate()
                .filter(|&(_, set)| set)
                .map(|(index, _)| format!("{table}.{index}.{key}"))
                .collect()
        };
        let leaders = self.leaders.iter();
        paths.extend(match key {
            "demand" => own("leaders", &mut leaders.map(|l| l.demand.is_some())),
            "disclosure" => own("leaders", &mut leaders.map(|l| l.disclosure.is_some())),
            "insecurity" => own("leaders", &mut leaders.map(|l| l.insecurity.is_some())),
            "team_size" => own("leaders", &mut leaders.map(|l| l.team_size.is_some())),
            "ambiguity" => own(
                "projects",
                &mut self.projects.iter().map(|p| p.ambiguity.is_some()),
            ),
            "support" => own(
                "managers",
                &mut self.managers.iter().map(|m| m.support.is_some()),
            ),
            _ => Vec::new(),
        });
        let ranged = matches!(
            key,
            "demand" | "disclosure" | "insecurity" | "ambiguity" | "support"
        );
        if self.generate.is_some() && ranged {
            paths.push(format!("generate.{key}_min"));
            paths.push(format!("generate.{key}_max"));
        }
        paths
    }
}

/// A parameter sweep kept with its scenario.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSweep {
    /// One line shown in the sweep's report.
    #[serde(default)]
    pub description: String,
    /// Replicates at each point (default: the scenario's `replicates`).
    #[serde(default)]
    pub replicates: Option<i64>,
    /// The swept values, each written as on the command line:
    /// `PATH=FROM:TO:STEPS`.
    pub params: Vec<String>,
}

fn default_weeks() -> i64 {
    26
}
fn default_warmup_weeks() -> i64 {
    8
}
fn default_replicates() -> i64 {
    1000
}
fn default_seed() -> i64 {
    42
}

/// Team capacity and queue behaviour.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamParams {
    /// Productive hours per person per week after admin (h). Default 32.
    pub hours_per_person: f64,
    /// Week-to-week noise of capacity, as a standard deviation relative to capacity. Default 0.05.
    pub capacity_noise_sd: f64,
    /// Weeks of expected private work open at the start of the warm-up. Default 1.
    pub initial_backlog_weeks: f64,
    /// Priority gained per week an item is overdue. Default 0.5.
    pub ageing_per_week: f64,
}

impl Default for TeamParams {
    fn default() -> Self {
        TeamParams {
            hours_per_person: 32.0,
            capacity_noise_sd: 0.05,
            initial_backlog_weeks: 1.0,
            ageing_per_week: 0.5,
        }
    }
}

/// How leaders tell peers about their private work, and how much it is believed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisclosureParams {
    /// Added to disclosure probability per unit of trust in the listener. Default 0.3.
    pub k_trust: f64,
    /// Credit exponent for context shared voluntarily or in a 1:1: credit = trust^exponent. Default 0.5.
    pub context_exponent: f64,
    /// Credit exponent for status-meeting data. Default 3 (trust 0.4 gives credit 0.06).
    pub data_exponent: f64,
}

impl Default for DisclosureParams {
    fn default() -> Self {
        DisclosureParams {
            k_trust: 0.3,
            context_exponent: 0.5,
            data_exponent: 3.0,
        }
    }
}

/// Frustration and trust updates after each shared delivery.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttributionParams {
    /// Frustration added per fully unexplained weekly commitment. Default 4.8.
    pub alpha: f64,
    /// Share of frustration that fades each week. Default 0.55.
    pub decay: f64,
    /// Benefit of the doubt: frustration input is scaled by (1 - rho * trust). Default 0.8.
    pub rho: f64,
    /// Trust gained per fully kept or explained commitment, times (1 - trust). Default 0.1.
    pub lambda_gain: f64,
    /// Trust lost per fully unexplained commitment, times trust. Default 0.3 (asymmetry 3).
    pub lambda_loss: f64,
    /// Extra blame per unit of the observer's job insecurity. Default 1.0.
    pub blame_insecurity: f64,
    /// How much a fully supportive manager damps frustration input. Default 0.5.
    pub support_damp: f64,
}

impl Default for AttributionParams {
    fn default() -> Self {
        AttributionParams {
            alpha: 4.8,
            decay: 0.55,
            rho: 0.8,
            lambda_gain: 0.1,
            lambda_loss: 0.3,
            blame_insecurity: 1.0,
            support_damp: 0.5,
        }
    }
}

/// How frustration turns into hours, and when it counts as an episode.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConflictParams {
    /// Most hours an observer spends on one relationship's conflict per week (h). Default 4.
    pub max_hours: f64,
    /// Frustration at which conflict hours reach 1 - 1/e of the maximum. Default 3.
    pub half_frustration: f64,
    /// Hours the target spends replying and defending, per complainer hour. Default 0.5.
    pub reply_share: f64,
    /// Hours the complainer's manager spends hearing it, per complainer hour. Default 0.25.
    pub manager_share: f64,
    /// Hours each team member loses per conflict hour of their leader. Default 0.32.
    pub spillover_hours_per_hour: f64,
    /// Frustration at which an episode starts. Default 10: calibrated to the
    /// prevalence and onset incidence of serious conflict (De Raeve et al.
    /// 2008, 2009), see the README's calibration.
    pub episode_onset: f64,
    /// Frustration below which an episode ends. Default 5 (half the onset).
    pub episode_offset: f64,
    /// Conflict hours charged to an employee in the first reported year that
    /// make them "touched" by conflict (h). Default 8, one working day.
    pub touched_hours: f64,
}

impl Default for ConflictParams {
    fn default() -> Self {
        ConflictParams {
            max_hours: 4.0,
            half_frustration: 3.0,
            reply_share: 0.5,
            manager_share: 0.25,
            spillover_hours_per_hour: 0.32,
            episode_onset: 10.0,
            episode_offset: 5.0,
            touched_hours: 8.0,
        }
    }
}

/// How overloaded leaders triage: private work long overdue and of low
/// priority is dropped or descoped (DESIGN.md section 5), so queues do not
/// grow without bound when demand is just above capacity.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriageParams {
    /// Weeks overdue after which a private item may be dropped. Default 2.
    pub overdue_weeks: i64,
    /// Only private items of base priority below this may be dropped.
    /// Default 5.5: infrastructure, training and technical debt, never
    /// incidents, security patches or other stakeholders' features.
    pub below_priority: f64,
    /// Weekly chance that an eligible item is dropped. Default 0.5.
    pub drop_probability: f64,
}

impl Default for TriageParams {
    fn default() -> Self {
        TriageParams {
            overdue_weeks: 2,
            below_priority: 5.5,
            drop_probability: 0.5,
        }
    }
}

/// Values a leader, manager or project takes when it does not set its own.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeaderDefaults {
    /// People in a leader's team (not counting the leader). Default 6.
    pub team_size: i64,
    /// Expected arriving hours (private + shared) over capacity. Default 1.0.
    pub demand: f64,
    /// Base disclosure propensity d in [0, 1]. Default 0.15.
    pub disclosure: f64,
    /// Job insecurity s in [0, 1]. Default 0.3.
    pub insecurity: f64,
    /// Support a manager gives their leaders, in [0, 1]. Default 0.2.
    pub support: f64,
    /// Weekly hours a member owes a project, as a share of their capacity. Default 0.25.
    pub project_share: f64,
    /// Priority a member gives a shared project. Default 5 (mid-queue).
    pub project_priority: f64,
    /// Chance a week's deliverable has unclear ownership. Default 0.08.
    pub ambiguity: f64,
    /// Share of each member's commitment that nobody owns in an ambiguous week. Default 0.5.
    pub unowned_share: f64,
}

impl Default for LeaderDefaults {
    fn default() -> Self {
        LeaderDefaults {
            team_size: 6,
            demand: 1.0,
            disclosure: 0.15,
            insecurity: 0.3,
            support: 0.2,
            project_share: 0.25,
            project_priority: 5.0,
            ambiguity: 0.08,
            unowned_share: 0.5,
        }
    }
}

/// Initial trust: a default and optional per-pair values.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrustSection {
    /// Trust every observer starts with, in [0, 1]. Default 0.5.
    pub initial: f64,
    /// Per ordered pair: how much `from` trusts `to` at the start.
    pub pairs: Vec<RawTrustPair>,
}

impl Default for TrustSection {
    fn default() -> Self {
        TrustSection {
            initial: 0.5,
            pairs: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrustPair {
    pub from: String,
    pub to: String,
    pub value: f64,
}

/// One kind of private work.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkstream {
    pub name: String,
    /// Base priority, higher is more urgent.
    pub priority: f64,
    /// Share of the leader's private hours this workstream brings (shares are normalised).
    pub share: f64,
    /// Mean effort of one item (h).
    pub mean_effort_hours: f64,
    /// Standard deviation of log effort (log-normal).
    #[serde(default = "default_effort_sigma")]
    pub effort_sigma: f64,
    /// Earliest due week after arrival (0 = due the week it arrives).
    pub due_weeks_min: i64,
    /// Latest due week after arrival.
    pub due_weeks_max: i64,
    /// Uniform jitter of priority, +/- this much.
    #[serde(default = "default_priority_jitter")]
    pub priority_jitter: f64,
}

fn default_effort_sigma() -> f64 {
    0.6
}
fn default_priority_jitter() -> f64 {
    0.3
}

/// The default mix of private work, from the engineering-leadership queue the
/// model describes (incidents and security first, technical debt last).
pub fn default_workstreams() -> Vec<RawWorkstream> {
    let stream =
        |name: &str, priority: f64, share: f64, effort: f64, due: (i64, i64)| RawWorkstream {
            name: name.to_string(),
            priority,
            share,
            mean_effort_hours: effort,
            effort_sigma: default_effort_sigma(),
            due_weeks_min: due.0,
            due_weeks_max: due.1,
            priority_jitter: default_priority_jitter(),
        };
    vec![
        stream("incidents", 9.0, 0.10, 6.0, (0, 0)),
        stream("security-patches", 8.0, 0.10, 8.0, (0, 2)),
        stream("stakeholder-features", 6.0, 0.30, 16.0, (1, 4)),
        stream("infrastructure-upgrades", 5.0, 0.20, 16.0, (2, 6)),
        stream("training", 4.0, 0.10, 6.0, (1, 4)),
        stream("technical-debt", 3.0, 0.20, 12.0, (3, 8)),
    ]
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawManager {
    pub name: String,
    /// Support in [0, 1]; defaults to `defaults.support`.
    #[serde(default)]
    pub support: Option<f64>,
    /// The manager this manager reports to, if any.
    #[serde(default)]
    pub reports_to: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLeader {
    pub name: String,
    #[serde(default)]
    pub team_size: Option<i64>,
    /// Weekly team capacity (h); defaults to team_size x hours_per_person.
    #[serde(default)]
    pub capacity_hours: Option<f64>,
    #[serde(default)]
    pub demand: Option<f64>,
    #[serde(default)]
    pub disclosure: Option<f64>,
    #[serde(default)]
    pub insecurity: Option<f64>,
    /// The manager this leader reports to (a name in `managers`).
    pub manager: String,
    /// Replaces the organisation-wide workstreams for this leader.
    #[serde(default)]
    pub workstreams: Option<Vec<RawWorkstream>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    pub name: String,
    /// Leader names; at least two.
    pub members: Vec<String>,
    /// Weekly hours each member owes; defaults to project_share x the member's capacity.
    #[serde(default)]
    pub hours_per_week: Option<f64>,
    #[serde(default)]
    pub project_share: Option<f64>,
    #[serde(default)]
    pub priority: Option<f64>,
    #[serde(default)]
    pub ambiguity: Option<f64>,
    #[serde(default)]
    pub unowned_share: Option<f64>,
    /// First week with commitments; defaults to the first warm-up week.
    #[serde(default)]
    pub start_week: Option<i64>,
    /// Last week with commitments; defaults to the last reported week.
    #[serde(default)]
    pub end_week: Option<i64>,
}

/// A generated organisation: leaders in teams under a tree of managers,
/// sharing projects within and across departments. Every key has a default.
/// Without `managers_span`, `cross_department_share` and lognormal team
/// sizes, the organisation is exactly the one generated before these keys
/// existed, so calibrated scenarios do not move.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawGenerate {
    pub leaders: i64,
    /// People per team besides the leader, 1 to 10,000. Default 5 to 9.
    pub team_size_min: i64,
    pub team_size_max: i64,
    /// How team sizes are drawn within min..max: `"uniform"` (default) or
    /// `"lognormal"` (skewed: many small teams, a few large ones).
    pub team_size_distribution: String,
    /// Expected team size under `"lognormal"`, after rounding and clamping
    /// to min..max. Default 7, the middle of the default 5 to 9.
    pub team_size_mean: f64,
    /// Log-scale standard deviation under `"lognormal"`, above 0 and at most
    /// 3. Default 0.5: with a mean of 7 and room to grow, about one team in
    /// twelve has more than 12 people.
    pub team_size_sigma: f64,
    /// Leaders per first-line manager, 1 to 10,000. Default 6.
    pub span: i64,
    /// Managers per higher manager, level by level up to one top manager
    /// (2 to 10,000). Absent (the default): every first-line manager reports
    /// to one director.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managers_span: Option<i64>,
    pub projects_per_leader_min: i64,
    pub projects_per_leader_max: i64,
    pub project_size_min: i64,
    pub project_size_max: i64,
    /// Level of manager whose leaders form a department: 1 (the default) for
    /// the `span` leaders under a first-line manager, 2 for the leaders under
    /// a manager of first-line managers, and so on up to the top.
    pub department_level: i64,
    /// Share of projects (0 to 1) whose members come from at least two
    /// departments; the others stay within one department. Absent (the
    /// default): members are drawn from the whole organisation, wherever they
    /// work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_department_share: Option<f64>,
    /// Share of capacity a leader owes across all their projects.
    pub shared_share: f64,
    pub demand_min: f64,
    pub demand_max: f64,
    pub ambiguity_min: f64,
    pub ambiguity_max: f64,
    pub insecurity_min: f64,
    pub insecurity_max: f64,
    pub disclosure_min: f64,
    pub disclosure_max: f64,
    pub support_min: f64,
    pub support_max: f64,
}

impl Default for RawGenerate {
    fn default() -> Self {
        RawGenerate {
            leaders: 200,
            team_size_min: 5,
            team_size_max: 9,
            team_size_distribution: "uniform".to_string(),
            team_size_mean: 7.0,
            team_size_sigma: 0.5,
            span: 6,
            managers_span: None,
            projects_per_leader_min: 1,
            projects_per_leader_max: 3,
            project_size_min: 2,
            project_size_max: 4,
            department_level: 1,
            cross_department_share: None,
            shared_share: 0.25,
            demand_min: 0.85,
            demand_max: 1.15,
            ambiguity_min: 0.02,
            ambiguity_max: 0.2,
            insecurity_min: 0.1,
            insecurity_max: 0.6,
            disclosure_min: 0.05,
            disclosure_max: 0.3,
            support_min: 0.0,
            support_max: 0.5,
        }
    }
}

/// One arm: a named list of interventions.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawArm {
    /// The arm every other arm is compared with. Exactly one arm sets it.
    #[serde(default)]
    pub baseline: bool,
    /// Default start week of this arm's interventions.
    #[serde(default)]
    pub start_week: Option<i64>,
    #[serde(default)]
    pub interventions: Vec<RawIntervention>,
}

/// An intervention and its parameters, tagged by `kind`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RawIntervention {
    Escalation(EscalationParams),
    StatusMeeting(StatusMeetingParams),
    ConnectionFirst(ConnectionParams),
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationParams {
    pub start_week: Option<i64>,
    /// Frustration above which an observer in an episode escalates. Default 6.
    pub threshold: f64,
    /// Weeks before the same observer escalates about the same peer again. Default 8.
    pub cooldown_weeks: i64,
    /// Hours the escalating observer spends. Default 2.
    pub complainer_hours: f64,
    /// Hours the target spends. Default 2.
    pub target_hours: f64,
    /// Hours the shared manager spends. Default 1.5.
    pub manager_hours: f64,
    /// Weeks the target gives the shared project top priority. Default 2.
    pub compliance_weeks: i64,
    /// Work at or above this priority is never pre-empted by compliance. Default 7.5.
    pub hard_priority: f64,
    /// Compliance strength multiplier for each repeat on the same pair. Default 0.5.
    pub repeat_factor: f64,
    /// Share of the observer's frustration relieved. Default 0.5.
    pub relief: f64,
    /// Target's trust in the observer is multiplied by this. Default 0.7.
    pub target_trust_factor: f64,
    /// Frustration the target gains with the observer. Default 3.
    pub target_frustration: f64,
    /// Insecurity the target gains. Default 0.15.
    pub target_insecurity: f64,
    /// Share of that extra insecurity that fades each week. Default 0.1.
    pub insecurity_fade: f64,
}

impl Default for EscalationParams {
    fn default() -> Self {
        EscalationParams {
            start_week: None,
            threshold: 6.0,
            cooldown_weeks: 8,
            complainer_hours: 2.0,
            target_hours: 2.0,
            manager_hours: 1.5,
            compliance_weeks: 2,
            hard_priority: 7.5,
            repeat_factor: 0.5,
            relief: 0.5,
            target_trust_factor: 0.7,
            target_frustration: 3.0,
            target_insecurity: 0.15,
            insecurity_fade: 0.1,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatusMeetingParams {
    pub start_week: Option<i64>,
    /// Weeks between meetings. Default 1.
    pub every_weeks: i64,
    /// Meeting length per attendee (h). Default 1.
    pub meeting_hours: f64,
    /// Preparation per attendee (h). Default 1.
    pub prep_hours: f64,
    /// Role ambiguity is multiplied by this at each meeting. Default 0.7.
    pub ambiguity_factor: f64,
}

impl Default for StatusMeetingParams {
    fn default() -> Self {
        StatusMeetingParams {
            start_week: None,
            every_weeks: 1,
            meeting_hours: 1.0,
            prep_hours: 1.0,
            ambiguity_factor: 0.7,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionParams {
    pub start_week: Option<i64>,
    /// Weeks between 1:1s; 0 means once. Default 0.
    pub every_weeks: i64,
    /// Length of the 1:1 for each side (h). Default 1.
    pub hours: f64,
    /// Share of the gap to full trust a 1:1 closes. Default 0.6.
    pub trust_gain: f64,
    /// Disclosure propensity toward that peer gained per 1:1. Default 0.25.
    pub disclosure_gain: f64,
    /// Both trusts at or above this start coordination. Default 0.65.
    pub coordinate_trust: f64,
    /// Either trust below this stops coordination. Default 0.40.
    pub stop_trust: f64,
    /// Share of capacity kept free when renegotiating, for the work that
    /// will arrive during the week. Default 0.3: teams plan on about 70% of
    /// their capacity (the "focus factor" of Kniberg 2007).
    pub buffer: f64,
}

impl Default for ConnectionParams {
    fn default() -> Self {
        ConnectionParams {
            start_week: None,
            every_weeks: 0,
            hours: 1.0,
            trust_gain: 0.6,
            disclosure_gain: 0.25,
            coordinate_trust: 0.65,
            stop_trust: 0.40,
            buffer: 0.3,
        }
    }
}
