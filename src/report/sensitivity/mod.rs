//! The report of a sensitivity screening: for each output, a chart of
//! mu-star against sigma and a ranking of the largest mu-stars (PNG and
//! SVG each), and a self-contained `report.html`, from the screening's
//! `sensitivity.csv` and `sensitivity.json`.
//!
//! The pipeline mirrors the other reports': `data` reads the files,
//! `charts` decides what each chart shows, `plot` draws them through the
//! shared `render`, `text` puts the numbers into words and `html`
//! assembles the page.

pub(crate) mod charts;
pub(crate) mod data;
mod html;
pub(crate) mod plot;
mod text;

use charts::SensitivityChartId;
use data::SensitivityOutput;
use html::SensitivityFigure;

use super::html::DrawnChart;
use super::{
    REPORT_FILE, ReportError, chart_files, register_font, stage_chart_files, unstage_chart_files,
};
use crate::staging::Staging;

/// The names of every file the report of a screening of `outputs` outputs
/// may write.
pub(crate) fn file_names(outputs: usize) -> Vec<String> {
    let mut names = vec![REPORT_FILE.to_owned()];
    names.extend((1..=outputs).flat_map(chart_file_names));
    names
}

/// The chart files of output `number` (from 1).
fn chart_file_names(number: usize) -> Vec<String> {
    SensitivityChartId::ALL
        .iter()
        .flat_map(|id| chart_files(&id.file_stem(number)))
        .collect()
}

/// Stages the charts and `report.html` of `screening`. A chart the files
/// cannot support is not drawn and the report says why; any earlier file
/// of it, and the charts of outputs an earlier screening in the folder had
/// beyond this one's, are removed at the commit (they would no longer
/// match).
pub(crate) fn stage(
    staging: &mut Staging,
    screening: &SensitivityOutput,
) -> Result<(), ReportError> {
    register_font(staging)?;
    let mut figures = Vec::with_capacity(screening.outputs.len());
    for (index, output) in screening.outputs.iter().enumerate() {
        let number = index + 1;
        let mut output_figures = Vec::with_capacity(SensitivityChartId::ALL.len());
        for id in SensitivityChartId::ALL {
            let stem = id.file_stem(number);
            let content = match charts::build_chart(id, screening, index) {
                Ok(chart) => Ok(DrawnChart {
                    svg: stage_chart_files(staging, &stem, &chart)?,
                    reading: text::chart_reading(id, output),
                }),
                Err(reason) => {
                    unstage_chart_files(staging, &stem);
                    Err(reason)
                }
            };
            output_figures.push(SensitivityFigure { id, content });
        }
        figures.push(output_figures);
    }
    for name in charts_beyond(staging, screening.outputs.len()) {
        staging.remove(&name);
    }
    let page = html::sensitivity_html(screening, &figures);
    staging.write(REPORT_FILE, page.as_bytes())?;
    Ok(())
}

/// The chart files in the staging folder of outputs numbered beyond
/// `outputs`: an earlier, larger screening's. A folder that cannot be
/// listed has none that can be removed either.
fn charts_beyond(staging: &Staging, outputs: usize) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(staging.dir()) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            let number = name
                .strip_prefix("sensitivity-")
                .and_then(|rest| rest.split_once('-'))
                .and_then(|(number, _)| number.parse::<usize>().ok());
            number.is_some_and(|number| number > outputs && chart_file_names(number).contains(name))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::data::tests::{CSV, MANIFEST};
    use crate::report::test_support::{self, written};
    use crate::report::{
        sensitivity_file_names, stage_sensitivity_report, write_sensitivity_report,
    };
    use crate::staging::Staging;

    /// Writes the screening's files into a new folder and its report from
    /// them, checks that every chart decodes (PNG) or parses (SVG), and
    /// returns the folder and the page.
    fn report(manifest: &str, csv: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sensitivity.json"), manifest).unwrap();
        std::fs::write(dir.path().join("sensitivity.csv"), csv).unwrap();
        write_sensitivity_report(dir.path()).unwrap();
        check_charts(dir.path());
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        (dir, html)
    }

    fn check_charts(dir: &Path) {
        test_support::check_charts(dir, &sensitivity_file_names(4));
    }

    /// Where `needle` first appears in `html`.
    fn position(html: &str, needle: &str) -> usize {
        html.find(needle)
            .unwrap_or_else(|| panic!("the page has no {needle:?}"))
    }

    #[test]
    fn a_screening_gets_two_charts_per_output_and_a_page() {
        let (dir, html) = report(MANIFEST, CSV);
        let mut expected = sensitivity_file_names(2);
        expected.extend(["sensitivity.csv".to_owned(), "sensitivity.json".to_owned()]);
        expected.sort();
        assert_eq!(written(dir.path()), expected);
        assert!(
            html.contains("<h1>Which parameters does the conclusion rest on? two-managers</h1>")
        );
        assert!(html.contains("Does connecting first bring the lost hours down?"));
        assert!(html.contains("The 5 parameters were moved along 10 trajectories on a grid of 4 levels: 60 points in all."));
        assert!(html.contains("<figure id=\"sensitivity-2-ranking\">"));
        assert!(html.contains("<code>generate.support_min</code>: its value is 0"));
        assert!(html.contains("<pre><code>empathy-gap sensitivity two-managers</code></pre>"));
        assert!(!html.contains("://"));
        // The top parameters in order, in the sentence and in the table.
        let finding = &html[position(&html, "<p class=\"finding\">")..];
        let order = [
            "attribution.lambda_loss (\u{03bc}* 1.25 \u{00b1} 0.20 hours per leader a week)",
            "trust.initial (\u{03bc}* 0.95 \u{00b1} 0.15)",
            "defaults.disclosure (\u{03bc}* 0.30 \u{00b1} 0.05)",
        ];
        let at: Vec<usize> = order
            .iter()
            .map(|needle| position(finding, needle))
            .collect();
        assert!(at.windows(2).all(|pair| pair[0] < pair[1]), "{at:?}");
        let second = &html[position(&html, "id=\"output-2\"")..];
        assert!(
            second.contains("The 4 parameters that move it most are arms.connection-first.interventions.0.trust_gain")
        );
        assert!(
            second.contains("<tr><td>\u{2013}</td><td><code>defaults.<wbr>team_size</code></td>")
        );
    }

    #[test]
    fn the_report_is_staged_with_the_screenings_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(dir.path());
        staging.write("sensitivity.csv", CSV.as_bytes()).unwrap();
        stage_sensitivity_report(&mut staging, MANIFEST.as_bytes(), CSV.as_bytes()).unwrap();
        staging.commit().unwrap();
        let names = written(dir.path());
        assert!(names.contains(&"report.html".to_owned()));
        assert!(names.contains(&"sensitivity-1-mu-star-sigma.svg".to_owned()));
        check_charts(dir.path());
    }

    #[test]
    fn charts_an_earlier_screening_had_beyond_this_ones_are_removed() {
        let (dir, _) = report(MANIFEST, CSV);
        for name in [
            "sensitivity-3-ranking.png",
            "sensitivity-12-mu-star-sigma.svg",
        ] {
            std::fs::write(dir.path().join(name), "old").unwrap();
        }
        std::fs::write(dir.path().join("sensitivity-3-notes.txt"), "kept").unwrap();
        // Now the second output has no rows: its charts go as well.
        let csv: String = CSV
            .lines()
            .filter(|line| !line.starts_with("connection-first"))
            .map(|line| format!("{line}\n"))
            .collect();
        std::fs::write(dir.path().join("sensitivity.csv"), csv).unwrap();
        write_sensitivity_report(dir.path()).unwrap();
        let names = written(dir.path());
        assert!(!names.iter().any(|name| name.starts_with("sensitivity-2-")
            || name.starts_with("sensitivity-12-")
            || name == "sensitivity-3-ranking.png"));
        assert!(names.contains(&"sensitivity-3-notes.txt".to_owned()));
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        assert!(html.contains("sensitivity.csv has no rows for \u{201c}Connection-first"));
    }

    #[test]
    fn a_malformed_cell_is_a_one_line_error_naming_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sensitivity.json"), MANIFEST).unwrap();
        let csv = CSV.replacen(",0.500000,2\n", ",about 0.5,2\n", 1);
        std::fs::write(dir.path().join("sensitivity.csv"), csv).unwrap();
        let error = write_sensitivity_report(dir.path())
            .unwrap_err()
            .to_string();
        let expected = format!(
            "{}: line 8: column `sigma`: not a number",
            dir.path().join("sensitivity.csv").display()
        );
        assert_eq!(error, expected);
        // Nothing was written.
        assert_eq!(written(dir.path()), ["sensitivity.csv", "sensitivity.json"]);
    }
}
