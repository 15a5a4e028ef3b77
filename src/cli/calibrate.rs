//! `empathy-gap calibrate`: runs the calibration checks of DESIGN.md section 6
//! on the bundled scenarios, prints each figure beside its target and source,
//! and writes them to `calibration.csv` (all-or-nothing, like every output).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use empathy_gap::calibrate::{self, Check, Plan};
use empathy_gap::output::aligned_columns;
use empathy_gap::runner::{RunError, RunOptions};
use empathy_gap::scenario::Override;
use empathy_gap::staging::Staging;

use super::folder::{OutputFolder, listen_for_interruptions};
use super::scenarios::load;
use super::{Failure, thread_count};

/// Runs the checks and writes `OUT/calibration/calibration.csv`.
pub(crate) fn calibrate(
    out: &Path,
    threads: Option<usize>,
    story_replicates: u64,
) -> Result<(), Failure> {
    let threads = thread_count(threads)?;
    if story_replicates == 0 {
        return Err(Failure::BadInput(
            "--replicates must be at least 1".to_string(),
        ));
    }
    let folder = OutputFolder::prepare(out.join("calibration"))?;
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    let load_bundled = |name: &str, overrides: &[Override]| {
        load(name, overrides, None).map(|source| source.scenario)
    };
    let plan = Plan {
        load: &load_bundled,
        options: RunOptions {
            threads,
            cancel: Some(&stop),
            progress: None,
        },
        story_replicates,
    };
    eprintln!(
        "running the calibration checks on {threads} threads (about 25 seconds on 2 cores)..."
    );
    let checks = calibrate::run(&plan).map_err(|error| match error {
        calibrate::CalibrateError::Run(RunError::Interrupted { .. }) => {
            folder.interrupted("during the checks")
        }
        calibrate::CalibrateError::Scenario(error) => Failure::BadInput(error.to_string()),
        other => folder.failed(&other.to_string()),
    })?;
    print!("{}", table(&checks));
    let mut staging = Staging::new(&folder.path);
    staging
        .write("calibration.csv", &calibrate::to_csv(&checks))
        .and_then(|()| staging.commit().map(|_| ()))
        .map_err(|error| folder.failed(&error.to_string()))?;
    println!("\nwrote {}", folder.path.join("calibration.csv").display());
    Ok(())
}

/// The checks as a plain-text table, left-aligned.
fn table(checks: &[Check]) -> String {
    let mut rows =
        vec![["check", "figure [95% interval]", "target", "", "source"].map(String::from)];
    rows.extend(checks.iter().map(|check| {
        let value = match check.interval {
            Some((low, high)) => format!("{:.3} [{low:.3}, {high:.3}]", check.value),
            None => format!("{:.3}", check.value),
        };
        let met = match check.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        [
            check.what.clone(),
            value,
            check.target.clone(),
            met.to_string(),
            check.source.to_string(),
        ]
    }));
    aligned_columns(&rows, |_| false)
}
