//! The engine's metrics that the report reads, named through
//! [`crate::metrics`] so the report and the CSV files cannot disagree.

use crate::metrics::{Summary, Weekly};

pub(crate) const LOST_HOURS_PER_LEADER: &str = Weekly::LostHoursPerLeader.name();
pub(crate) const CONFLICT_HOURS_PER_LEADER: &str = Weekly::ConflictHoursPerLeader.name();
/// The paired difference from the baseline, as `weekly.csv` names it.
pub(crate) const CONFLICT_HOURS_PER_LEADER_DIFFERENCE: &str = "diff_conflict_hours_per_leader";
pub(crate) const TRUST_MEAN: &str = Weekly::TrustMean.name();
pub(crate) const CUMULATIVE_DELIVERY_RATIO: &str = Weekly::CumulativeDeliveryRatio.name();
pub(crate) const WEEKLY_DELIVERY_RATIO: &str = Weekly::DeliveryRatio.name();
pub(crate) const BELIEVED_PEER_LOAD_HOURS: &str = Weekly::BelievedPeerLoadHours.name();
pub(crate) const ACTUAL_PEER_LOAD_HOURS: &str = Weekly::ActualPeerLoadHours.name();
pub(crate) const EMPATHY_GAP_HOURS: &str = Weekly::EmpathyGapHours.name();

pub(crate) const ANNUAL_LOST_HOURS_PER_LEADER: &str = Summary::AnnualLostHoursPerLeader.name();
pub(crate) const ANNUAL_LOST_HOURS_PER_EMPLOYEE: &str = Summary::AnnualLostHoursPerEmployee.name();
pub(crate) const CONFLICT_FIRST_TWO_WEEKS: &str =
    Summary::ConflictHoursPerLeaderFirstTwoWeeks.name();
pub(crate) const CONFLICT_AFTER_START: &str = Summary::ConflictHoursPerLeaderAfterStart.name();
pub(crate) const DELIVERY_RATIO: &str = Summary::DeliveryRatio.name();
pub(crate) const FINAL_TRUST: &str = Summary::FinalTrust.name();
pub(crate) const ESCALATIONS_PER_PAIR_YEAR: &str = Summary::EscalationsPerPairYear.name();
pub(crate) const ONSETS_PER_PAIR_YEAR: &str = Summary::OnsetsPerPairYear.name();

/// The four parts of `annual_lost_hours_per_employee`, bottom of the stack
/// first, with the words the charts and text use for them.
pub(crate) const ANNUAL_COMPONENTS: [(&str, &str); 4] = [
    (
        Summary::AnnualTeamConflictHoursPerEmployee.name(),
        "Conflict in the teams",
    ),
    (Summary::AnnualMeetingHoursPerEmployee.name(), "Meetings"),
    (
        Summary::AnnualEscalationHoursPerEmployee.name(),
        "Escalation",
    ),
    (
        Summary::AnnualManagerHoursPerEmployee.name(),
        "Manager time",
    ),
];
