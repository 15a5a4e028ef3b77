//! Integration tests of the chart and HTML report module: it is run on
//! copies of the committed fixtures (a four-arm comparison and a one-arm
//! organisation without an intervention) and on small hand-made outputs
//! that exercise missing data and input errors.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use empathy_gap::report::{ReportError, write_report};

const CHART_STEMS: [&str; 5] = [
    "lost_hours",
    "annual_lost_hours",
    "empathy_gap",
    "trust",
    "delivery",
];
const INPUT_FILES: [&str; 3] = ["weekly.csv", "summary.csv", "manifest.json"];

fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/report")
        .join(name)
}

/// A temporary output folder holding a copy of fixture `name`.
fn copy_of_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in INPUT_FILES {
        fs::copy(fixture_dir(name).join(file), dir.path().join(file)).unwrap();
    }
    dir
}

fn file_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn input_file_names() -> BTreeSet<String> {
    INPUT_FILES.iter().map(|name| (*name).to_owned()).collect()
}

/// The `mean` (and diff columns) of one summary.csv row, read naively.
fn summary_value(dir: &Path, arm: &str, metric: &str, column: usize) -> f64 {
    let summary = fs::read_to_string(dir.join("summary.csv")).unwrap();
    summary
        .lines()
        .map(|line| line.split(',').collect::<Vec<_>>())
        .find(|fields| fields[0] == arm && fields[1] == metric)
        .and_then(|fields| fields[column].parse().ok())
        .unwrap_or_else(|| panic!("no {metric} for {arm}"))
}

fn assert_charts_are_valid(dir: &Path) {
    for stem in CHART_STEMS {
        let png = image::open(dir.join(format!("{stem}.png"))).unwrap();
        assert_eq!((png.width(), png.height()), (1280, 720), "{stem}.png size");
        let svg = fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
        roxmltree::Document::parse(&svg)
            .unwrap_or_else(|error| panic!("{stem}.svg is not XML: {error}"));
    }
}

#[test]
fn two_managers_report_has_every_chart_and_the_summary_numbers() {
    let dir = copy_of_fixture("two-managers");
    let files = write_report(dir.path()).unwrap();

    let mut expected: BTreeSet<String> = CHART_STEMS
        .iter()
        .flat_map(|stem| [format!("{stem}.png"), format!("{stem}.svg")])
        .collect();
    expected.insert("report.html".to_owned());
    let written: BTreeSet<String> = files
        .files
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written, expected);
    assert!(
        files
            .files
            .iter()
            .all(|path| path.parent() == Some(dir.path()))
    );
    assert_eq!(
        file_names(dir.path()),
        &expected | &input_file_names(),
        "no temporary file is left"
    );
    assert_charts_are_valid(dir.path());

    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 5);
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script"), "text from the files is escaped");
    for arm in [
        "power-through",
        "escalation",
        "status-meeting",
        "connection-first",
    ] {
        assert!(html.contains(arm));
        for metric in [
            "annual_lost_hours_per_leader",
            "annual_lost_hours_per_employee",
        ] {
            let mean = summary_value(dir.path(), arm, metric, 2);
            let shown = format!(">{}<", mean.round());
            assert!(
                html.contains(&shown),
                "{arm} {metric}: {shown} not in the table"
            );
        }
    }
    // The paired difference and its interval, as the table shows them.
    let metric = "annual_lost_hours_per_employee";
    let difference = summary_value(dir.path(), "connection-first", metric, 5);
    let low = summary_value(dir.path(), "connection-first", metric, 6);
    assert!(html.contains(&format!("\u{2212}{} h", difference.abs().round())));
    assert!(html.contains(&format!("\u{2212}{} to", low.abs().round())));
    // The reading quotes the relative cut in conflict hours right after the start.
    let metric = "conflict_hours_per_leader_first_two_weeks";
    let cut = -100.0 * summary_value(dir.path(), "connection-first", metric, 5)
        / summary_value(dir.path(), "power-through", metric, 2);
    assert!(html.contains(&format!("connection-first cut them by {}%", cut.round())));
    assert!(
        html.contains("status-meeting made no clear difference"),
        "an interval across zero is not a change"
    );
    // The delivery chart shows the table's on-time share week by week; its
    // reading gives the run's share and, beside it, late work counted.
    let on_time = 100.0 * summary_value(dir.path(), "power-through", "delivery_ratio", 2);
    assert!(
        html.contains(&format!(
            "Under power-through, {}% of each week&#39;s shared commitment is delivered by its due date over the run (the table&#39;s &quot;On time&quot;); counting late work, it has delivered ",
            on_time.round()
        )),
        "the delivery reading gives the on-time share"
    );
    assert!(html.contains("Interventions start (week 5)"));
    assert!(html.contains("empathy-gap run scenarios/two-managers.toml --replicates 1000"));
    assert!(html.contains("Random seed: 42"));
}

#[test]
fn one_arm_without_an_intervention_is_described_not_compared() {
    let dir = copy_of_fixture("typical-org");
    write_report(dir.path()).unwrap();
    assert_charts_are_valid(dir.path());
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 5);
    assert!(
        !html.contains("Interventions start"),
        "no start marker without a start week"
    );
    assert!(!html.contains("Compared with"), "nothing to compare with");
    assert!(html.contains("single simulated run"));
    assert!(!html.contains("http://") && !html.contains("https://"));
}

/// Writes a small output folder: one arm, `weeks` weeks, only the given
/// weekly metrics and summary rows.
fn write_sparse_output(
    dir: &Path,
    weeks: u32,
    weekly_metrics: &[(&str, &str)],
    summary_rows: &[&str],
) {
    let mut weekly = String::from("arm,week,metric,mean,ci_low,ci_high\n");
    for week in 1..=weeks {
        for (metric, value) in weekly_metrics {
            weekly.push_str(&format!("solo,{week},{metric},{value},,\n"));
        }
    }
    fs::write(dir.join("weekly.csv"), weekly).unwrap();
    let mut summary =
        String::from("arm,metric,mean,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high\n");
    for row in summary_rows {
        summary.push_str(row);
        summary.push('\n');
    }
    fs::write(dir.join("summary.csv"), summary).unwrap();
    let manifest = r#"{"name": "sparse <b>run</b>", "arms": [{"name": "solo", "baseline": true}],
        "intervention_start_week": null, "replicates": 1, "extra": [1, 2, 3]}"#;
    fs::write(dir.join("manifest.json"), manifest).unwrap();
}

#[test]
fn missing_metrics_nan_and_a_single_week_still_give_a_report() {
    let dir = tempfile::tempdir().unwrap();
    write_sparse_output(
        dir.path(),
        1,
        &[
            ("lost_hours_per_leader", "NaN"),
            ("trust_mean", "0.5"),
            ("delivery_ratio", "0.9"),
            ("believed_peer_load_hours", "3"),
            ("actual_peer_load_hours", "5"),
            ("empathy_gap_hours", "inf"),
        ],
        &[
            "solo,final_trust,0.5,,,0,,",
            "solo,annual_lost_hours_per_employee,NaN,,,,,",
        ],
    );
    let files = write_report(dir.path()).unwrap();
    let written: BTreeSet<String> = files
        .files
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // lost_hours has only NaN and annual_lost_hours only a NaN total:
    // both are left out and the report says why.
    let expected: BTreeSet<String> = ["trust", "delivery", "empathy_gap"]
        .iter()
        .flat_map(|stem| [format!("{stem}.png"), format!("{stem}.svg")])
        .chain(["report.html".to_owned()])
        .collect();
    assert_eq!(written, expected);
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("weekly.csv has no values for `lost_hours_per_leader`"));
    assert!(html.contains("summary.csv has no values for `annual_lost_hours_per_employee`"));
    assert!(html.contains("sparse &lt;b&gt;run&lt;/b&gt;"));
    assert_eq!(html.matches("<svg").count(), 3);
}

#[test]
fn files_without_rows_give_a_report_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write_sparse_output(dir.path(), 0, &[], &[]);
    let files = write_report(dir.path()).unwrap();
    assert_eq!(files.files, vec![dir.path().join("report.html")]);
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("this chart is left out"));
    assert!(!html.contains("<svg"));
}

#[test]
fn many_arms_and_many_weeks_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let arms: Vec<String> = (0..8)
        .map(|index| format!("arm-with-a-long-name-{index}"))
        .collect();
    let metrics = [
        "lost_hours_per_leader",
        "trust_mean",
        "delivery_ratio",
        "believed_peer_load_hours",
        "actual_peer_load_hours",
        "empathy_gap_hours",
    ];
    let mut weekly = String::from("arm,week,metric,mean,ci_low,ci_high\n");
    for (index, arm) in arms.iter().enumerate() {
        for week in 1..=520 {
            for metric in metrics {
                let value = 0.5 + 0.01 * index as f64 + 0.0001 * f64::from(week);
                weekly.push_str(&format!(
                    "{arm},{week},{metric},{value},{},{}\n",
                    value - 0.05,
                    value + 0.05
                ));
            }
        }
    }
    fs::write(dir.path().join("weekly.csv"), weekly).unwrap();
    let mut summary =
        String::from("arm,metric,mean,ci_low,ci_high,diff_vs_baseline,diff_ci_low,diff_ci_high\n");
    for arm in &arms {
        summary.push_str(&format!(
            "{arm},annual_lost_hours_per_employee,150,140,160,-5,-9,-1\n"
        ));
        summary.push_str(&format!(
            "{arm},annual_meeting_hours_per_employee,20,,,,,\n"
        ));
    }
    fs::write(dir.path().join("summary.csv"), summary).unwrap();
    let arm_list: Vec<String> = arms
        .iter()
        .map(|arm| format!("{{\"name\": \"{arm}\"}}"))
        .collect();
    let manifest = format!(
        "{{\"name\": \"big\", \"baseline\": \"{}\", \"arms\": [{}], \"intervention_start_week\": 100, \"weeks\": 520}}",
        arms[0],
        arm_list.join(",")
    );
    fs::write(dir.path().join("manifest.json"), manifest).unwrap();
    write_report(dir.path()).unwrap();
    assert_charts_are_valid(dir.path());
}

#[test]
fn a_missing_input_file_is_named_and_nothing_is_written() {
    let dir = copy_of_fixture("two-managers");
    fs::remove_file(dir.path().join("weekly.csv")).unwrap();
    let error = write_report(dir.path()).unwrap_err();
    assert!(matches!(error, ReportError::Read { .. }));
    let message = error.to_string();
    assert!(
        message.contains(&dir.path().join("weekly.csv").display().to_string()),
        "{message}"
    );
    assert!(!message.contains('\n'));
    let inputs: BTreeSet<String> = ["summary.csv", "manifest.json"]
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    assert_eq!(file_names(dir.path()), inputs);
}

#[test]
fn a_corrupt_number_is_reported_with_its_line_and_column() {
    let dir = copy_of_fixture("two-managers");
    let weekly_path = dir.path().join("weekly.csv");
    let weekly = fs::read_to_string(&weekly_path).unwrap();
    let mut lines: Vec<String> = weekly.lines().map(str::to_owned).collect();
    // Line 12 of the file is index 11.
    let mut fields: Vec<String> = lines[11].split(',').map(str::to_owned).collect();
    fields[3] = "twelve".to_owned();
    lines[11] = fields.join(",");
    fs::write(&weekly_path, lines.join("\n")).unwrap();

    let message = write_report(dir.path()).unwrap_err().to_string();
    assert_eq!(
        message,
        format!(
            "{}: line 12: column `mean`: not a number",
            weekly_path.display()
        )
    );
    assert_eq!(
        file_names(dir.path()),
        input_file_names(),
        "no partial file is left"
    );
}

#[test]
fn a_malformed_manifest_names_the_field() {
    let dir = copy_of_fixture("two-managers");
    fs::write(
        dir.path().join("manifest.json"),
        r#"{"name": "x", "arms": [{"name": 3}]}"#,
    )
    .unwrap();
    let message = write_report(dir.path()).unwrap_err().to_string();
    assert!(
        message.contains("manifest.json: field `arms[0].name`"),
        "{message}"
    );
    assert_eq!(file_names(dir.path()), input_file_names());
}

#[test]
fn a_missing_column_is_reported() {
    let dir = copy_of_fixture("two-managers");
    fs::write(dir.path().join("summary.csv"), "arm,metric,mean\nx,y,1\n").unwrap();
    let message = write_report(dir.path()).unwrap_err().to_string();
    assert!(
        message.contains("summary.csv: line 1: the header has no column `ci_low`"),
        "{message}"
    );
}

/// The scenario a report offers for download, decoded from its `data:` link.
fn downloadable_scenario(html: &str) -> String {
    let start = html
        .find("href=\"data:text/plain;charset=utf-8,")
        .expect("a download link")
        + "href=\"data:text/plain;charset=utf-8,".len();
    let encoded = &html[start..start + html[start..].find('"').unwrap()];
    let mut bytes = Vec::new();
    let mut rest = encoded.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(&tail[..2]).unwrap();
            bytes.push(u8::from_str_radix(hex, 16).unwrap());
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).unwrap()
}

#[test]
fn the_report_leads_with_the_story_and_its_scenario_reruns_to_the_same_numbers() {
    use crate::common::{repo_file, succeeds};
    let dir = tempfile::tempdir().unwrap();
    let run = |scenario: &str, out: &str, extra: &[&str]| {
        let run = [
            "run",
            scenario,
            "--out",
            out,
            "--replicates",
            "40",
            "--quiet",
        ];
        succeeds(dir.path(), &[&run[..], extra].concat());
        dir.path().join(out).join("two-managers")
    };
    // Values changed on the command line are part of the scenario offered.
    let first = run(
        &repo_file("scenarios/two-managers.toml"),
        "first",
        &[
            "--set",
            "trust.initial=0.6",
            "--arm",
            "both=connection-first,status-meeting@3",
        ],
    );
    let html = fs::read_to_string(first.join("report.html")).unwrap();
    let order: Vec<usize> = [
        "<h2>What happened</h2>",
        "<h2>The numbers</h2>",
        "<h2>Figure 1.",
        "<h2>What the model assumes</h2>",
        "<h2>Appendix: values that differ from the defaults</h2>",
        "<h2>The full scenario</h2>",
        "<h2>How to reproduce</h2>",
    ]
    .iter()
    .map(|heading| {
        html.find(heading)
            .unwrap_or_else(|| panic!("{heading} missing"))
    })
    .collect();
    assert!(order.is_sorted(), "sections out of order: {order:?}");
    // One sentence per arm, with the paired difference in the headline metric.
    let cut = summary_value(
        &first,
        "connection-first",
        "annual_lost_hours_per_employee",
        5,
    );
    assert!(cut < 0.0);
    assert!(
        html.contains(&format!(
            "{} h fewer than under power-through",
            (-cut).round()
        )),
        "connection-first's sentence gives its cut"
    );
    assert!(html.contains("<strong>both</strong>"));
    // Only what differs from the defaults: the override is listed, an
    // untouched default is not.
    assert!(html.contains("<code>trust.initial</code></td><td>0.6</td>"));
    assert!(!html.contains("<code>team.hours_per_person</code>"));
    assert!(html.contains("from week 3: connection-first, status-meeting"));

    let scenario = downloadable_scenario(&html);
    fs::write(dir.path().join("again.toml"), &scenario).unwrap();
    let again = run("again.toml", "again", &[]);
    assert_eq!(
        fs::read(first.join("summary.csv")).unwrap(),
        fs::read(again.join("summary.csv")).unwrap(),
        "the downloaded scenario reruns to the same numbers"
    );
}
