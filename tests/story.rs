//! The two-managers story, recomputed from the CSV files of a real run.
//!
//! One claim of the story is not produced by the model and is therefore not
//! asserted: that connection-first cuts conflict hours by at least half within
//! two weeks. The model gives a smaller cut (about a quarter in the two weeks
//! after the 1:1, see the README's "What the model shows"); this test asserts
//! the cut it does give, that it is clearly larger than the status meetings',
//! and that it lasts.

use std::collections::HashMap;

use crate::common::{binary, read_summary, read_weekly};

type Series = HashMap<(String, String), Vec<f64>>;

fn series<'a>(weekly: &'a Series, arm: &str, metric: &str) -> &'a [f64] {
    &weekly[&(arm.to_string(), metric.to_string())]
}

/// Mean of weeks `from..=to` (1-based).
fn mean(values: &[f64], from: usize, to: usize) -> f64 {
    values[from - 1..to].iter().sum::<f64>() / (to - from + 1) as f64
}

#[test]
fn two_managers_story() {
    let dir = tempfile::tempdir().unwrap();
    binary(dir.path())
        .args(["run", "two-managers", "--replicates", "300", "--quiet"])
        .assert()
        .success();
    let folder = dir.path().join("output/two-managers");
    let weekly = read_weekly(&folder.join("weekly.csv"));
    let summary = read_summary(&folder.join("summary.csv"));
    let conflict = |arm: &str| series(&weekly, arm, "conflict_hours_per_leader");
    let baseline = conflict("power-through");

    // Under power-through both managers stay frustrated with each other.
    let frustration = series(&weekly, "power-through", "frustration_mean");
    assert!(
        frustration.iter().all(|&f| f > 2.5),
        "frustration {frustration:?}"
    );
    assert!(baseline.iter().all(|&h| h > 2.0), "conflict {baseline:?}");

    // Connection-first (1:1 in week 5) cuts conflict in the two weeks after the
    // 1:1 and keeps it down to the end.
    let connection = conflict("connection-first");
    let first_two = 1.0 - mean(connection, 6, 7) / mean(baseline, 6, 7);
    let later = 1.0 - mean(connection, 8, 26) / mean(baseline, 8, 26);
    assert!(
        first_two > 0.15,
        "connection-first cut {first_two:.2} in weeks 6-7"
    );
    assert!(
        later > 0.05,
        "connection-first cut {later:.2} in weeks 8-26"
    );
    let key = |arm: &str, metric: &str| summary[&(arm.to_string(), metric.to_string())].clone();
    let connection_diff = key("connection-first", "conflict_hours_per_leader_after_start");
    assert!(
        connection_diff[5] < 0.0,
        "connection-first interval {connection_diff:?}"
    );

    // Status meetings add meeting hours and lower conflict far less than connection-first.
    let meetings = key("status-meeting", "meeting_hours_per_leader_after_start");
    assert!(meetings[0] > 1.5, "meeting hours {meetings:?}");
    let status_diff = key("status-meeting", "conflict_hours_per_leader_after_start");
    assert!(
        status_diff[3] > connection_diff[3] / 3.0,
        "status meetings {status_diff:?} vs connection-first {connection_diff:?}"
    );

    // Escalation (threshold reached in week 5) lifts delivery while the target
    // complies, then conflict comes back.
    let delivery = |arm: &str| series(&weekly, arm, "delivery_ratio");
    let lift = mean(delivery("escalation"), 6, 7) - mean(delivery("power-through"), 6, 7);
    assert!(lift > 0.15, "delivery lift {lift:.2}");
    let escalation = conflict("escalation");
    assert!(
        escalation[6] < 0.8 * baseline[6],
        "escalation relieves conflict at first"
    );
    assert!(
        mean(escalation, 8, 12) > 0.85 * mean(baseline, 8, 12),
        "conflict returns: {:.2} vs {:.2}",
        mean(escalation, 8, 12),
        mean(baseline, 8, 12)
    );
}
