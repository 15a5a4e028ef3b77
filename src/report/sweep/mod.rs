//! The report of a parameter sweep: two charts (PNG and SVG) and a
//! self-contained `report.html`, from the sweep's `sweep.csv` and
//! `sweep.json`.
//!
//! The pipeline mirrors the run report's: `data` reads the files into a
//! grid, streaming `sweep.csv` point by point into the counts and extremes
//! of `across` and the rows of the points drawn, `charts` decides from the
//! grid's shape what each chart shows (lines for one varying parameter,
//! heatmaps for two or more), `plot` draws them through the shared
//! `render`, `text` puts the numbers into words and `html` assembles the
//! page. Nothing is held per point beyond those drawn, so the report of a
//! sweep of any size needs about the same memory.

mod across;
pub(crate) mod charts;
pub(crate) mod data;
mod html;
pub(crate) mod plot;
mod text;

use charts::SweepChartId;
use data::SweepOutput;
use html::SweepFigure;

use super::html::DrawnChart;
use super::{
    REPORT_FILE, ReportError, chart_files, register_font, stage_chart_files, unstage_chart_files,
};
use crate::staging::Staging;

/// The names of every file the sweep report may write.
pub(crate) fn file_names() -> Vec<String> {
    let mut names = vec![REPORT_FILE.to_owned()];
    names.extend(
        SweepChartId::ALL
            .iter()
            .flat_map(|id| chart_files(id.file_stem())),
    );
    names
}

/// Stages the charts and `report.html` of `sweep`. A chart the sweep
/// cannot support is not drawn, any earlier file of it is removed at the
/// commit (it would no longer match), and the report says why.
pub(crate) fn stage(staging: &mut Staging, sweep: &SweepOutput) -> Result<(), ReportError> {
    register_font(staging)?;
    let mut figures = Vec::with_capacity(SweepChartId::ALL.len());
    for id in SweepChartId::ALL {
        let content = match charts::build_chart(id, sweep) {
            Ok(chart) => Ok(DrawnChart {
                svg: stage_chart_files(staging, id.file_stem(), &chart)?,
                reading: text::chart_reading(id, sweep),
            }),
            Err(reason) => {
                unstage_chart_files(staging, id.file_stem());
                Err(reason)
            }
        };
        figures.push(SweepFigure {
            id,
            heading: html::figure_heading(id, sweep),
            content,
        });
    }
    staging.write(REPORT_FILE, html::sweep_html(sweep, &figures).as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::data::tests::{MANIFEST_2D, csv_2d};
    use crate::report::test_support::{self, written};
    use crate::report::{stage_sweep_report, sweep_file_names, write_sweep_report};
    use crate::staging::Staging;

    /// Stages and commits the report of a sweep into a new folder, checks
    /// that every chart decodes (PNG) or parses (SVG), and returns the
    /// folder and the page.
    fn report(manifest: &str, csv: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        stage_and_commit(dir.path(), manifest, csv);
        check_charts(dir.path());
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        (dir, html)
    }

    /// Stages a sweep's rows as a sweep does, then its report from them.
    fn stage_and_commit(dir: &Path, manifest: &str, csv: &str) {
        let mut staging = Staging::new(dir);
        staging.append("sweep.csv", csv.as_bytes()).unwrap();
        stage_sweep_report(&mut staging, manifest.as_bytes()).unwrap();
        staging.commit().unwrap();
    }

    fn check_charts(dir: &Path) {
        test_support::check_charts(dir, &sweep_file_names());
    }

    #[test]
    fn a_two_parameter_sweep_gets_both_heatmaps_and_a_page() {
        let (dir, html) = report(MANIFEST_2D, &csv_2d());
        let mut expected = sweep_file_names();
        expected.push("sweep.csv".to_owned());
        expected.sort();
        assert_eq!(written(dir.path()), expected);
        assert!(html.contains("<figure id=\"sweep-difference\">"));
        assert!(html.contains("Weekly conflict hours: connection-first minus power-through"));
        // The small sweep has no rows for the other metrics, and says so.
        assert!(html.contains("sweep.csv has no values for `final_trust`."));
    }

    #[test]
    fn a_swept_start_week_or_length_is_not_stated_as_the_base_scenarios() {
        let swept = |text: &str| {
            text.replace("defaults.disclosure", "arms.connection-first.start_week")
                .replace("trust.initial", "weeks")
        };
        let (_, html) = report(&swept(MANIFEST_2D), &swept(&csv_2d()));
        assert!(html.contains("0 to 1 weeks (swept)"), "{html}");
        assert!(html.contains("interventions start in the week each point sets (swept)"));
        assert!(html.contains("(from each point&#39;s first intervention week)"));
        assert!(!html.contains("from week 5") && !html.contains("26 weeks"));
    }

    #[test]
    fn the_report_is_redrawn_from_the_files_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sweep.csv"), csv_2d()).unwrap();
        std::fs::write(dir.path().join("sweep.json"), MANIFEST_2D).unwrap();
        let files = write_sweep_report(dir.path()).unwrap();
        assert_eq!(files.files.len(), sweep_file_names().len());
        check_charts(dir.path());
        std::fs::remove_file(dir.path().join("sweep.csv")).unwrap();
        let error = write_sweep_report(dir.path()).unwrap_err().to_string();
        assert!(
            error.ends_with("sweep.csv: cannot read: No such file or directory (os error 2)"),
            "{error}"
        );
    }

    #[test]
    fn a_single_arm_has_no_difference_chart_and_says_why() {
        let manifest = MANIFEST_2D.replace(
            r#",
            {"name": "connection-first", "baseline": false, "start_week": 5, "interventions": ["connection-first"]}"#,
            "",
        );
        let csv: String = csv_2d()
            .lines()
            .filter(|line| !line.contains("connection-first"))
            .map(|line| format!("{line}\n"))
            .collect();
        // An earlier sweep's difference chart in the folder is removed.
        let (dir, _) = report(MANIFEST_2D, &csv_2d());
        stage_and_commit(dir.path(), &manifest, &csv);
        let names = written(dir.path());
        assert!(names.contains(&"sweep-conflict.png".to_owned()));
        assert!(!names.contains(&"sweep-difference.png".to_owned()));
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        assert!(html.contains(
            "The sweep has no arm besides power-through, so there is no difference to chart."
        ));
        assert!(html.contains("The sweep has a single arm, so nothing is compared."));
    }

    #[test]
    fn one_point_and_no_parameters_are_reported_without_charts() {
        let manifest = MANIFEST_2D
            .replace(
                r#""from": 0.2, "to": 0.8, "steps": 3, "values": [0.2, 0.5, 0.8]"#,
                r#""values": [0.5]"#,
            )
            .replace(
                r#""from": 0.1, "to": 0.3, "steps": 2, "values": [0.1, 0.3]"#,
                r#""values": [0.3]"#,
            )
            .replace(r#""points": 6"#, r#""points": 1"#);
        let csv: String = csv_2d()
            .lines()
            .filter(|line| line.starts_with("point") || line.starts_with("3,"))
            .map(|line| format!("{}\n", line.replacen("3,", "0,", 1)))
            .collect();
        let (dir, html) = report(&manifest, &csv);
        assert_eq!(written(dir.path()), ["report.html", "sweep.csv"]);
        assert!(html.contains("the sweep is a single point"));

        let manifest =
            MANIFEST_2D.split(r#""params""#).next().unwrap().to_owned() + r#""params": []}"#;
        let csv = "point,arm,metric,mean,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high\n\
                   0,power-through,final_trust,0.5,0.4,0.6,0.000000,0.000000,0.000000\n";
        let (_, html) = report(&manifest, csv);
        assert!(html.contains("The manifest lists no swept parameter"));
        assert!(
            html.contains("sweep.csv has no values for `conflict_hours_per_leader_after_start`")
        );
    }

    #[test]
    fn odd_numbers_leave_gaps_instead_of_failing() {
        let csv = csv_2d()
            .replacen(",2.500000,", ",NaN,", 1)
            .replacen(",-0.550000,", ",,", 1)
            .replace(",inf,", ",,");
        let (_, html) = report(MANIFEST_2D, &csv);
        assert!(html.contains("it makes no clear difference at 2 and has no value at 1."));
        assert!(html.contains("No value"));
    }

    #[test]
    fn a_third_parameter_gives_panels_and_a_fourth_is_held() {
        let manifest = r#"{
            "kind": "sweep", "name": "four", "replicates": 20, "baseline": "power-through",
            "arms": [
                {"name": "power-through", "baseline": true, "interventions": []},
                {"name": "connection-first", "interventions": ["connection-first"]}
            ],
            "params": [
                {"path": "a", "values": [1, 2]},
                {"path": "b", "values": [1, 2]},
                {"path": "c", "values": [1, 2, 3, 4, 5, 6]},
                {"path": "d", "values": [10, 20]}
            ]
        }"#;
        let mut csv = "point,a,b,c,d,arm,metric,mean,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high\n".to_owned();
        for point in 0..48 {
            let (a, b, c, d) = (
                point / 24 + 1,
                point / 12 % 2 + 1,
                point / 2 % 6 + 1,
                (point % 2 + 1) * 10,
            );
            let diff = f64::from(c) * 0.1 - 0.35;
            csv.push_str(&format!(
                "{point},{a},{b},{c},{d},power-through,conflict_hours_per_leader_after_start,3,2.9,3.1,0,0,0\n\
                 {point},{a},{b},{c},{d},connection-first,conflict_hours_per_leader_after_start,{},0,0,{diff},{},{}\n",
                3.0 + diff,
                diff - 0.1,
                diff + 0.1
            ));
        }
        let (_, html) = report(manifest, &csv);
        assert!(
            html.contains("c takes 6 values; the heatmaps show 4 of them (1, 3, 4, 6)"),
            "{html}"
        );
        assert!(
            html.contains("the charts hold d = 10 at the first value swept"),
            "{html}"
        );
    }
}
