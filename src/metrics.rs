//! What is measured each week and over a run, with the names written to the
//! CSV files. Metrics are read from the state after the week's step; nothing
//! here feeds back into the model.

use crate::engine::team_hours_lost_per_conflict_hour;
use crate::model::{State, World};
use crate::scenario::{Params, Scenario};

macro_rules! metric_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub const COUNT: usize = $name::ALL.len();

            /// The name written to the CSV files.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

        }
    };
}

metric_enum! {
    /// Per-week metrics (each a value per replicate, averaged over replicates).
    Weekly {
        ConflictHoursPerLeader => "conflict_hours_per_leader",
        ConflictHoursPerEmployee => "conflict_hours_per_employee",
        MeetingHours => "meeting_hours",
        EscalationHours => "escalation_hours",
        ManagerHours => "manager_hours",
        LostHoursPerLeader => "lost_hours_per_leader",
        LostHoursPerEmployee => "lost_hours_per_employee",
        TeamConflictHoursPerEmployee => "team_conflict_hours_per_employee",
        MeetingHoursPerEmployee => "meeting_hours_per_employee",
        EscalationHoursPerEmployee => "escalation_hours_per_employee",
        ManagerHoursPerEmployee => "manager_hours_per_employee",
        DeliveryRatio => "delivery_ratio",
        PlannedHours => "planned_hours",
        DeliveredHours => "delivered_hours",
        CumulativeDeliveryRatio => "cumulative_delivery_ratio",
        SharedBacklogHours => "shared_backlog_hours",
        TrustMean => "trust_mean",
        EmpathyGapHours => "empathy_gap_hours",
        BelievedPeerLoadHours => "believed_peer_load_hours",
        ActualPeerLoadHours => "actual_peer_load_hours",
        FrustrationMean => "frustration_mean",
        EpisodesActive => "episodes_active",
        LeadersInEpisodeShare => "leaders_in_episode_share",
        Onsets => "onsets",
        Escalations => "escalations",
        Disclosures => "disclosures",
        CoordinatingShare => "coordinating_share",
        DroppedHours => "dropped_hours",
    }
}

// The size estimate counts the weekly statistics without depending on this module.
const _: () = assert!(Weekly::COUNT == crate::scenario::size::WEEKLY_METRICS);

metric_enum! {
    /// Per-run metrics, one value per replicate and arm.
    Summary {
        AnnualLostHoursPerLeader => "annual_lost_hours_per_leader",
        AnnualLostHoursPerEmployee => "annual_lost_hours_per_employee",
        AnnualConflictHoursPerEmployee => "annual_conflict_hours_per_employee",
        AnnualTeamConflictHoursPerEmployee => "annual_team_conflict_hours_per_employee",
        AnnualMeetingHoursPerEmployee => "annual_meeting_hours_per_employee",
        AnnualEscalationHoursPerEmployee => "annual_escalation_hours_per_employee",
        AnnualManagerHoursPerEmployee => "annual_manager_hours_per_employee",
        ConflictHoursPerEmployee => "conflict_hours_per_employee",
        ConflictHoursPerLeaderBeforeStart => "conflict_hours_per_leader_before_start",
        ConflictHoursPerLeaderAfterStart => "conflict_hours_per_leader_after_start",
        ConflictHoursPerLeaderFirstTwoWeeks => "conflict_hours_per_leader_first_two_weeks",
        MeetingHoursPerLeaderAfterStart => "meeting_hours_per_leader_after_start",
        DeliveryRatio => "delivery_ratio",
        CumulativeDeliveryRatio => "cumulative_delivery_ratio",
        FinalTrust => "final_trust",
        OnsetsPerPairYear => "onsets_per_pair_year",
        EscalationsPerPairYear => "escalations_per_pair_year",
        EmployeesTouchedShare => "employees_touched_share",
        EpisodePrevalence => "episode_prevalence",
        OnsetIncidence => "onset_incidence",
        AnnualDroppedHoursPerLeader => "annual_dropped_hours_per_leader",
        OverrunHoursPerProject => "overrun_hours_per_project",
    }
}

/// Records this week's metrics into `out` (indexed by [`Weekly`]).
pub fn record_week(world: &World, params: &Params, state: &State, out: &mut [f64]) {
    let n_leaders = world.leaders.len().max(1) as f64;
    let headcount = world.headcount.max(1.0);
    let spill = params.conflict.spillover_hours_per_hour;

    let (mut leader_conflict, mut team_conflict, mut meetings, mut escalations) =
        (0.0, 0.0, 0.0, 0.0);
    let (mut dropped, mut in_episode) = (0.0, 0u32);
    for (info, leader) in world.leaders.iter().zip(&state.leaders) {
        dropped += leader.dropped;
        in_episode += u32::from(leader.in_episode);
        leader_conflict += leader.conflict_hours;
        team_conflict += leader.conflict_hours
            * (1.0 + team_hours_lost_per_conflict_hour(info.team_size, spill));
        meetings += leader.meeting_hours;
        escalations += leader.escalation_hours;
    }
    let hearing: f64 = state.manager_hearing.iter().sum();
    let manager_total = hearing + state.manager_escalation.iter().sum::<f64>();

    let mut set = |metric: Weekly, value: f64| out[metric as usize] = value;
    set(Weekly::ConflictHoursPerLeader, leader_conflict / n_leaders);
    set(
        Weekly::ConflictHoursPerEmployee,
        (team_conflict + hearing) / headcount,
    );
    set(Weekly::MeetingHours, meetings / n_leaders);
    set(Weekly::EscalationHours, escalations / n_leaders);
    set(
        Weekly::ManagerHours,
        manager_total / world.n_managers.max(1) as f64,
    );
    set(
        Weekly::LostHoursPerLeader,
        (leader_conflict + meetings + escalations) / n_leaders,
    );
    set(
        Weekly::LostHoursPerEmployee,
        (team_conflict + meetings + escalations + manager_total) / headcount,
    );
    set(
        Weekly::TeamConflictHoursPerEmployee,
        team_conflict / headcount,
    );
    set(Weekly::MeetingHoursPerEmployee, meetings / headcount);
    set(Weekly::EscalationHoursPerEmployee, escalations / headcount);
    set(Weekly::ManagerHoursPerEmployee, manager_total / headcount);

    let n_projects = world.n_projects().max(1) as f64;
    set(Weekly::DeliveryRatio, ratio(state.on_time, state.planned));
    set(Weekly::PlannedHours, state.planned / n_projects);
    set(Weekly::DeliveredHours, state.delivered / n_projects);
    set(
        Weekly::CumulativeDeliveryRatio,
        ratio(state.delivered_cumulative, state.planned_cumulative),
    );
    // Every live shared item's remaining hours (unfinished commitments and
    // the projects' backlog items), leader by leader in slot order, as the
    // leader pass listed them.
    let open_shared: f64 = state
        .leaders
        .iter()
        .flat_map(|leader| leader.shared_remaining.iter())
        .sum();
    set(Weekly::SharedBacklogHours, open_shared / n_projects);

    let n_relationships = world.relationships.len().max(1) as f64;
    let (mut trust, mut frustration, mut episodes) = (0.0, 0.0, 0.0);
    for view in &state.relationships {
        trust += view.trust;
        frustration += view.frustration;
        episodes += f64::from(u8::from(view.in_episode));
    }
    let (believed, actual) = peer_loads(world, state);
    set(Weekly::TrustMean, trust / n_relationships);
    set(Weekly::FrustrationMean, frustration / n_relationships);
    set(Weekly::BelievedPeerLoadHours, believed / n_relationships);
    set(Weekly::ActualPeerLoadHours, actual / n_relationships);
    set(
        Weekly::EmpathyGapHours,
        (actual - believed) / n_relationships,
    );
    set(Weekly::EpisodesActive, episodes);
    set(
        Weekly::LeadersInEpisodeShare,
        f64::from(in_episode) / n_leaders,
    );
    set(Weekly::DroppedHours, dropped / n_leaders);
    set(Weekly::Onsets, f64::from(state.onsets));
    set(Weekly::Escalations, f64::from(state.escalations));
    set(Weekly::Disclosures, f64::from(state.disclosures));
    let coordinating = state.coordinating.iter().filter(|&&c| c).count() as f64;
    set(
        Weekly::CoordinatingShare,
        coordinating / world.pairs.len().max(1) as f64,
    );
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        f64::NAN
    }
}

/// Summed over relationships: the open work each observer believes the actor
/// has (the shared slice plus what was disclosed) and the actor's real open
/// work. Each relationship's two loads are summed over the actor's items by
/// the engine's leader pass (in slot order, in parallel across leaders); here
/// they are added up in relationship order.
pub fn peer_loads(_world: &World, state: &State) -> (f64, f64) {
    let (mut believed, mut actual) = (0.0, 0.0);
    for view in &state.relationships {
        believed += view.believed_load;
        actual += view.actual_load;
    }
    (believed, actual)
}

/// What a run's last state says about the whole run, beyond its weeks.
#[derive(Debug, Clone, Copy)]
pub struct RunTotals {
    /// Share of employees touched by conflict in the first reported year.
    pub touched_share: f64,
    /// Share of the leaders free of an episode in week 1 who were in one
    /// later in the first reported year.
    pub onset_incidence: f64,
    /// Shared hours still open at a project's end week, per project that
    /// ended in the reported weeks.
    pub overrun_per_project: f64,
}

/// The run-level metrics of one replicate and arm, from its weekly series
/// (`weeks` rows of [`Weekly::COUNT`]) and its [`RunTotals`].
pub fn summarise(
    scenario: &Scenario,
    world: &World,
    weekly: &[f64],
    totals: RunTotals,
) -> Vec<f64> {
    let weeks = scenario.weeks as usize;
    let column =
        |metric: Weekly| (0..weeks).map(move |week| weekly[week * Weekly::COUNT + metric as usize]);
    let mean_over = |metric: Weekly, from: usize, to: usize| -> f64 {
        let values: Vec<f64> = column(metric)
            .skip(from)
            .take(to.saturating_sub(from))
            .filter(|v| v.is_finite())
            .collect();
        if values.is_empty() {
            f64::NAN
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    let annual = |metric: Weekly| mean_over(metric, 0, weeks) * 52.0;
    let sum = |metric: Weekly| column(metric).filter(|v| v.is_finite()).sum::<f64>();
    let start = scenario.intervention_start_week().unwrap_or(1) as usize - 1;
    let pairs = world.pairs.len().max(1) as f64;
    let years = weeks as f64 / 52.0;

    let mut out = vec![f64::NAN; Summary::COUNT];
    let mut set = |metric: Summary, value: f64| out[metric as usize] = value;
    set(
        Summary::AnnualLostHoursPerLeader,
        annual(Weekly::LostHoursPerLeader),
    );
    set(
        Summary::AnnualLostHoursPerEmployee,
        annual(Weekly::LostHoursPerEmployee),
    );
    set(
        Summary::AnnualConflictHoursPerEmployee,
        annual(Weekly::ConflictHoursPerEmployee),
    );
    set(
        Summary::AnnualTeamConflictHoursPerEmployee,
        annual(Weekly::TeamConflictHoursPerEmployee),
    );
    set(
        Summary::AnnualMeetingHoursPerEmployee,
        annual(Weekly::MeetingHoursPerEmployee),
    );
    set(
        Summary::AnnualEscalationHoursPerEmployee,
        annual(Weekly::EscalationHoursPerEmployee),
    );
    set(
        Summary::AnnualManagerHoursPerEmployee,
        annual(Weekly::ManagerHoursPerEmployee),
    );
    set(
        Summary::ConflictHoursPerEmployee,
        mean_over(Weekly::ConflictHoursPerEmployee, 0, weeks),
    );
    set(
        Summary::ConflictHoursPerLeaderBeforeStart,
        mean_over(Weekly::ConflictHoursPerLeader, 0, start),
    );
    set(
        Summary::ConflictHoursPerLeaderAfterStart,
        mean_over(Weekly::ConflictHoursPerLeader, start, weeks),
    );
    set(
        Summary::ConflictHoursPerLeaderFirstTwoWeeks,
        mean_over(
            Weekly::ConflictHoursPerLeader,
            start,
            (start + 2).min(weeks),
        ),
    );
    set(
        Summary::MeetingHoursPerLeaderAfterStart,
        mean_over(Weekly::MeetingHours, start, weeks),
    );
    let planned = sum(Weekly::PlannedHours);
    let on_time: f64 = column(Weekly::DeliveryRatio)
        .zip(column(Weekly::PlannedHours))
        .filter(|(r, _)| r.is_finite())
        .map(|(r, p)| r * p)
        .sum();
    set(Summary::DeliveryRatio, ratio(on_time, planned));
    set(
        Summary::CumulativeDeliveryRatio,
        ratio(sum(Weekly::DeliveredHours), planned),
    );
    set(
        Summary::FinalTrust,
        column(Weekly::TrustMean).next_back().unwrap_or(f64::NAN),
    );
    set(
        Summary::OnsetsPerPairYear,
        sum(Weekly::Onsets) / pairs / years,
    );
    set(
        Summary::EscalationsPerPairYear,
        sum(Weekly::Escalations) / pairs / years,
    );
    set(Summary::EmployeesTouchedShare, totals.touched_share);
    set(
        Summary::EpisodePrevalence,
        mean_over(Weekly::LeadersInEpisodeShare, 0, weeks),
    );
    set(Summary::OnsetIncidence, totals.onset_incidence);
    set(
        Summary::AnnualDroppedHoursPerLeader,
        annual(Weekly::DroppedHours),
    );
    set(Summary::OverrunHoursPerProject, totals.overrun_per_project);
    out
}

/// The [`RunTotals`] of a run that has reached its last week.
pub fn run_totals(world: &World, params: &Params, state: &State) -> RunTotals {
    let threshold = params.conflict.touched_hours;
    let spill = params.conflict.spillover_hours_per_hour;
    let mut touched = 0.0;
    let (mut free, mut onsets) = (0u64, 0u64);
    for (info, leader) in world.leaders.iter().zip(&state.leaders) {
        // The leader is charged their own conflict hours; each team member
        // their leader's spill-over.
        let hours = leader.conflict_first_year;
        if hours >= threshold {
            touched += 1.0;
        }
        if hours * spill >= threshold {
            touched += info.team_size;
        }
        if leader.free_at_week_1 {
            free += 1;
            onsets += u64::from(leader.onset_week > 0);
        }
    }
    RunTotals {
        touched_share: touched / world.team_headcount.max(1.0),
        onset_incidence: ratio(onsets as f64, free as f64),
        overrun_per_project: ratio(state.overrun_hours, f64::from(state.projects_ended)),
    }
}
