//! Names of the engine's metrics that the report reads, in one place so a
//! renamed metric is a one-line change.

pub(crate) const LOST_HOURS_PER_LEADER: &str = "lost_hours_per_leader";
pub(crate) const TRUST_MEAN: &str = "trust_mean";
pub(crate) const CUMULATIVE_DELIVERY_RATIO: &str = "cumulative_delivery_ratio";
pub(crate) const BELIEVED_PEER_LOAD_HOURS: &str = "believed_peer_load_hours";
pub(crate) const ACTUAL_PEER_LOAD_HOURS: &str = "actual_peer_load_hours";
pub(crate) const EMPATHY_GAP_HOURS: &str = "empathy_gap_hours";

pub(crate) const ANNUAL_LOST_HOURS_PER_LEADER: &str = "annual_lost_hours_per_leader";
pub(crate) const ANNUAL_LOST_HOURS_PER_EMPLOYEE: &str = "annual_lost_hours_per_employee";
pub(crate) const CONFLICT_FIRST_TWO_WEEKS: &str = "conflict_hours_per_leader_first_two_weeks";
pub(crate) const CONFLICT_AFTER_START: &str = "conflict_hours_per_leader_after_start";
pub(crate) const DELIVERY_RATIO: &str = "delivery_ratio";
pub(crate) const FINAL_TRUST: &str = "final_trust";

/// The four parts of `annual_lost_hours_per_employee`, bottom of the stack
/// first, with the words the charts and text use for them.
pub(crate) const ANNUAL_COMPONENTS: [(&str, &str); 4] = [
    (
        "annual_team_conflict_hours_per_employee",
        "Conflict in the teams",
    ),
    ("annual_meeting_hours_per_employee", "Meetings"),
    ("annual_escalation_hours_per_employee", "Escalation"),
    ("annual_manager_hours_per_employee", "Manager time"),
];
