//! Whether a scenario's warm-up reaches the model's steady state (DESIGN.md
//! section 3): the first reported weeks after the scenario's warm-up are
//! compared with the same weeks after a warm-up three times as long.
//!
//! The design's criterion is that reported weeks 1 to 4 lie within the 95%
//! intervals of the longer warm-up. Read literally, it fails about one time
//! in six in a model that is at its steady state, because the shorter run's
//! mean is as noisy as the longer run's. So each metric's mean over weeks 1
//! to 4 is compared by a two-sample test: the difference counts as drift
//! when it exceeds `z` standard errors, with `z` Bonferroni-corrected over
//! the metrics so that a scenario at its steady state is flagged about one
//! time in twenty. The standard error of a four-week mean is bounded above
//! by the mean of the weekly standard errors (weeks of one replicate are
//! correlated, and the bound holds whatever the correlation), which makes
//! the test err towards calling a warm-up long enough.

use crate::metrics::Weekly;
use crate::model::World;
use crate::runner::{self, Results, RunError, RunOptions};
use crate::scenario::{Override, Scenario};

/// The metrics compared: the ones the story and the calibration rest on.
pub const METRICS: [Weekly; 4] = [
    Weekly::ConflictHoursPerLeader,
    Weekly::TrustMean,
    Weekly::DeliveryRatio,
    Weekly::LeadersInEpisodeShare,
];

/// Reported weeks compared.
pub const WEEKS: u32 = 4;

/// How many times the scenario's warm-up the longer run warms up for.
pub const LONGER: u32 = 3;

/// The two-sided 5% critical value, Bonferroni-corrected over [`METRICS`]
/// (the normal quantile at 1 - 0.05 / (2 x 4)).
pub const CRITICAL_Z: f64 = 2.498;

// The correction above is for four metrics.
const _: () = assert!(METRICS.len() == 4);

/// One metric's weeks 1 to 4 after each warm-up.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub metric: Weekly,
    /// Mean over the compared weeks after the scenario's warm-up.
    pub short: f64,
    /// The same after the longer warm-up.
    pub long: f64,
    /// The difference in (upper-bound) standard errors of the difference.
    pub z: f64,
}

impl Comparison {
    /// Whether the metric is still moving after the scenario's warm-up.
    pub fn drifts(&self) -> bool {
        self.z.abs() > CRITICAL_Z
    }
}

/// The outcome of a warm-up check.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Replicates of each run compared.
    pub replicates: u64,
    pub comparisons: Vec<Comparison>,
}

impl Verdict {
    /// The metrics that drift, in the order of [`METRICS`].
    pub fn drifting(&self) -> impl Iterator<Item = &Comparison> {
        self.comparisons.iter().filter(|c| c.drifts())
    }

    pub fn steady(&self) -> bool {
        self.drifting().next().is_none()
    }
}

/// The scenario reduced to what the check runs: its baseline arm only, for
/// [`WEEKS`] reported weeks. The organisation must already be built for the
/// warm-up (a generated one starts its projects at the first warm-up week),
/// so the caller loads the scenario twice, with [`overrides`] for each.
pub fn pilot(mut scenario: Scenario) -> Scenario {
    let baseline = scenario.arms.swap_remove(scenario.baseline);
    scenario.arms = vec![baseline];
    scenario.baseline = 0;
    scenario.weeks = WEEKS.min(scenario.weeks);
    scenario.resolved.weeks = i64::from(scenario.weeks);
    scenario
}

/// The overrides that load a scenario for the check with a warm-up of
/// `warmup` weeks and `replicates` replicates (after any the user gave).
/// The reported weeks are cut to [`WEEKS`] by [`pilot`], after loading, so
/// that arms starting later stay valid.
pub fn overrides(warmup: u32, replicates: u64) -> Vec<Override> {
    [
        format!("warmup_weeks={warmup}"),
        format!("replicates={replicates}"),
    ]
    .iter()
    .map(|text| Override::parse(text).expect("a well-formed override"))
    .collect()
}

/// The longer warm-up for a scenario's warm-up (at least [`LONGER`] weeks,
/// so that a scenario without warm-up is checked too).
pub fn longer_warmup(warmup: u32) -> u32 {
    LONGER * warmup.max(1)
}

/// Runs both pilots (see [`pilot`]) and compares them.
pub fn check(short: &Scenario, long: &Scenario, options: &RunOptions) -> Result<Verdict, RunError> {
    let results = |scenario: &Scenario| -> Result<Results, RunError> {
        let world = World::new(scenario);
        runner::run(scenario, &world, options)
    };
    let (after_short, after_long) = (results(short)?, results(long)?);
    Ok(Verdict {
        replicates: short.replicates.min(long.replicates),
        comparisons: compare(&after_short, &after_long),
    })
}

/// Compares the baseline (arm 0) of two runs over their common weeks.
pub fn compare(short: &Results, long: &Results) -> Vec<Comparison> {
    let weeks = short.weeks.min(long.weeks);
    METRICS
        .iter()
        .map(|&metric| {
            let (short_mean, short_se) = four_week_mean(short, metric, weeks);
            let (long_mean, long_se) = four_week_mean(long, metric, weeks);
            let se = short_se.hypot(long_se);
            let difference = short_mean - long_mean;
            let z = if se > 0.0 {
                difference / se
            } else if difference.abs() > 1e-12 {
                f64::INFINITY.copysign(difference)
            } else {
                0.0
            };
            Comparison {
                metric,
                short: short_mean,
                long: long_mean,
                z,
            }
        })
        .collect()
}

/// The mean of a metric over the first `weeks` weeks of arm 0, and an upper
/// bound on its standard error (the mean of the weekly standard errors).
fn four_week_mean(results: &Results, metric: Weekly, weeks: usize) -> (f64, f64) {
    let (mut mean, mut se) = (0.0, 0.0);
    for week in 0..weeks {
        let stat = results.weekly(0, week, metric);
        let (n, _, _) = stat.parts();
        mean += stat.mean().unwrap_or(0.0);
        se += stat
            .variance()
            .map_or(0.0, |variance| (variance / n.max(1) as f64).sqrt());
    }
    let weeks = weeks.max(1) as f64;
    (mean / weeks, se / weeks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(weekly: &[&[f64]]) -> Results {
        // One replicate per row, one value per week, the same for every metric.
        let weeks = weekly[0].len();
        let mut results = Results::new(1, weeks);
        for row in weekly {
            for (week, &value) in row.iter().enumerate() {
                for metric in METRICS {
                    results.weekly[week * Weekly::COUNT + metric as usize].push(value);
                }
            }
        }
        results
    }

    #[test]
    fn the_same_weeks_do_not_drift() {
        let run = results(&[&[1.0, 2.0, 3.0, 4.0], &[2.0, 3.0, 4.0, 5.0]]);
        let comparisons = compare(&run, &run);
        assert!(comparisons.iter().all(|c| c.z == 0.0 && !c.drifts()));
    }

    #[test]
    fn a_shift_of_many_standard_errors_drifts_and_a_small_one_does_not() {
        let long = results(&[&[1.0, 1.0, 1.0, 1.0], &[3.0, 3.0, 3.0, 3.0]]);
        // Each run's standard error of the mean is 1; of the difference, sqrt(2).
        let far = results(&[&[5.0, 5.0, 5.0, 5.0], &[7.0, 7.0, 7.0, 7.0]]);
        let near = results(&[&[2.0, 2.0, 2.0, 2.0], &[4.0, 4.0, 4.0, 4.0]]);
        let far = compare(&far, &long);
        assert!((far[0].z - 4.0 / 2f64.sqrt()).abs() < 1e-9);
        assert!(far[0].drifts());
        let near = compare(&near, &long);
        assert!((near[0].z - 1.0 / 2f64.sqrt()).abs() < 1e-9);
        assert!(!near[0].drifts());
    }

    #[test]
    fn a_difference_without_noise_drifts() {
        let long = results(&[&[1.0; 4], &[1.0; 4]]);
        let short = results(&[&[1.5; 4], &[1.5; 4]]);
        assert!(compare(&short, &long).iter().all(Comparison::drifts));
    }
}
