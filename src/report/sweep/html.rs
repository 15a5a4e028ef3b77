//! The sweep's self-contained `report.html`: the question, what was swept,
//! what the sweep shows (sentences built from the numbers), every arm's
//! count of points where it beats the baseline, the two charts as inline
//! SVG with their readings, a table by value for a one-parameter sweep,
//! the scenario's parameters and how to reproduce the sweep.
//!
//! It follows the run report's rules (see `report/html.rs`): nothing is
//! loaded, every text from the files is escaped, and no URL scheme appears
//! in the file.

// Writing into a `String` cannot fail, hence the `let _ = write!(..)`s.
use std::fmt::Write as _;

use super::super::html::{
    DrawnChart, PageHeader, escape, plural, write_appendix, write_figure, write_notes,
    write_page_end, write_page_header, write_page_start, write_reproduction,
};
use super::super::metrics;
use super::super::text as words;
use super::super::theme;
use super::across::Tally;
use super::charts::{
    Layout, MAX_PANELS, SweepChartId, conflict_period, held_values, layout, sweeps_start_week,
    swept_weeks,
};
use super::data::{Compared, SWEEP_REPORT_METRICS, SweepOutput};
use super::text::{key_findings, param_at, param_value, ratio_text};

/// One figure: a drawn chart or why it is missing.
pub(crate) struct SweepFigure {
    pub id: SweepChartId,
    pub heading: String,
    pub content: Result<DrawnChart, String>,
}

/// Values listed in full in the "what was swept" table; longer lists are
/// shortened to their first and last few.
const LONGEST_LISTED_VALUES: usize = 12;

/// A one-parameter sweep with at most this many values gets a table of
/// every value.
const LONGEST_VALUE_TABLE: usize = 40;

/// A column of the "every arm against the baseline" table.
struct ScoreColumn {
    heading: &'static str,
    detail: &'static str,
    metric: &'static str,
    /// Whether a lower value is the better one.
    lower_is_better: bool,
}

const SCORE_COLUMNS: [ScoreColumn; 4] = [
    ScoreColumn {
        heading: "Conflict",
        detail: "hours a week, per leader",
        metric: metrics::CONFLICT_AFTER_START,
        lower_is_better: true,
    },
    ScoreColumn {
        heading: "Lost hours",
        detail: "a year, per leader",
        metric: metrics::ANNUAL_LOST_HOURS_PER_LEADER,
        lower_is_better: true,
    },
    ScoreColumn {
        heading: "On time",
        detail: "share of planned work",
        metric: metrics::DELIVERY_RATIO,
        lower_is_better: false,
    },
    ScoreColumn {
        heading: "Trust",
        detail: "at the end, 0\u{2013}1",
        metric: metrics::FINAL_TRUST,
        lower_is_better: false,
    },
];

/// The heading of figure `id`, which depends on the sweep's shape.
pub(crate) fn figure_heading(id: SweepChartId, sweep: &SweepOutput) -> String {
    let baseline = sweep
        .baseline()
        .map_or("the baseline", |baseline| sweep.arm_name(baseline));
    match (id, layout(&sweep.grid)) {
        (SweepChartId::Conflict, Layout::Lines { param }) => {
            format!("Conflict by {}", sweep.grid.params[param].path)
        }
        (SweepChartId::Difference, Layout::Lines { param }) => format!(
            "Difference from {baseline} by {}",
            sweep.grid.params[param].path
        ),
        (SweepChartId::Conflict, _) => format!("Conflict under {baseline}"),
        (SweepChartId::Difference, _) => match sweep.compared() {
            Some(compared) => format!(
                "Difference: {} minus {baseline}",
                sweep.arm_name(compared.arm())
            ),
            None => format!("Difference from {baseline}"),
        },
    }
}

pub(crate) fn sweep_html(sweep: &SweepOutput, figures: &[SweepFigure]) -> String {
    let manifest = &sweep.manifest;
    let display_name = manifest.display_name();
    let name = if display_name.is_empty() {
        "Unnamed sweep"
    } else {
        display_name.as_str()
    };
    let mut html = String::with_capacity(256 * 1024);
    write_page_start(
        &mut html,
        &format!("{name} \u{2014} empathy-gap sweep report"),
        SWEEP_STYLE,
    );
    write_header(&mut html, sweep, name);
    write_notes(&mut html, &notes(sweep, figures));
    write_swept(&mut html, sweep);
    write_findings(&mut html, sweep);
    write_scorecard(&mut html, sweep);
    for (number, figure) in figures.iter().enumerate() {
        write_figure(
            &mut html,
            figure.id.file_stem(),
            &format!(
                "<h2>Figure {}. {}</h2>",
                number + 1,
                escape(&figure.heading)
            ),
            &figure.heading,
            figure.content.as_ref(),
        );
    }
    match layout(&sweep.grid) {
        Layout::Lines { param } => write_value_table(&mut html, sweep, Some(param)),
        Layout::SinglePoint => write_value_table(&mut html, sweep, None),
        Layout::Heatmap(_) => {}
    }
    let swept: Vec<&str> = sweep
        .grid
        .params
        .iter()
        .map(|param| param.path.as_str())
        .collect();
    let note = if swept.is_empty() {
        "The scenario as the sweep read it.".to_owned()
    } else {
        format!(
            "The scenario as the sweep read it; at each point {} {} the values above instead.",
            words::join_with_and(&swept),
            if swept.len() == 1 { "takes" } else { "take" }
        )
    };
    write_appendix(&mut html, &manifest.scenario, name, Some(&note));
    write_reproduction(
        &mut html,
        &manifest.head.reproduction(
            "sweep",
            manifest
                .head
                .replicates_and_weeks("Replicates per arm and point"),
        ),
    );
    write_page_end(&mut html);
    html
}

fn write_header(html: &mut String, sweep: &SweepOutput, name: &str) {
    let manifest = &sweep.manifest;
    let facts: Vec<String> = [
        Some(plural(sweep.grid.points as u64, "point", "points")),
        Some(plural(
            sweep.grid.params.len() as u64,
            "parameter",
            "parameters",
        )),
        Some(plural(sweep.arms.len() as u64, "arm", "arms")),
        manifest.head.replicates.map(|count| {
            format!(
                "{} per arm and point",
                plural(count, "simulated run", "simulated runs")
            )
        }),
        match swept_weeks(sweep) {
            // Weeks are whole numbers.
            Some(param) => {
                let (low, high) = param.range();
                Some(format!("{low:.0} to {high:.0} weeks (swept)"))
            }
            None => manifest
                .head
                .weeks
                .map(|weeks| plural(u64::from(weeks), "week", "weeks")),
        },
        if sweeps_start_week(sweep) {
            Some("interventions start in the week each point sets (swept)".to_owned())
        } else {
            manifest
                .intervention_start_week
                .map(|week| format!("interventions start in week {week}"))
        },
    ]
    .into_iter()
    .flatten()
    .collect();
    write_page_header(
        html,
        &PageHeader {
            eyebrow: "empathy-gap parameter sweep",
            title: name,
            description: manifest.head.description.as_deref(),
            question: manifest.head.question.as_deref(),
            facts: &facts,
        },
    );
}

/// Things the reader should know are missing or not shown, in plain words.
fn notes(sweep: &SweepOutput, figures: &[SweepFigure]) -> Vec<String> {
    let reasons: Vec<(&str, &str)> = figures
        .iter()
        .filter_map(|figure| {
            Some((
                figure.heading.as_str(),
                figure.content.as_ref().err()?.as_str(),
            ))
        })
        .collect();
    // A reason that holds for every chart is said once, without a heading.
    let shared = reasons.len() == figures.len()
        && reasons.len() > 1
        && reasons.windows(2).all(|pair| pair[0].1 == pair[1].1);
    let mut notes: Vec<String> = if shared {
        vec![reasons[0].1.to_owned()]
    } else {
        reasons
            .iter()
            .map(|(heading, reason)| format!("{heading}: {reason}"))
            .collect()
    };
    for metric in SWEEP_REPORT_METRICS {
        if !sweep.has_values(metric) {
            notes.push(format!("sweep.csv has no values for `{metric}`."));
        }
    }
    let expected = sweep.grid.points * sweep.arms.len();
    let conflict_rows = sweep.across.conflict_rows;
    if conflict_rows > 0 && conflict_rows < expected {
        notes.push(format!(
            "sweep.csv has conflict hours for {} of the {} arm-and-point combinations; the others show as empty cells or gaps.",
            words::thousands(conflict_rows as u64),
            words::thousands(expected as u64)
        ));
    }
    if sweep.arms.len() == 1 {
        notes.push("The sweep has a single arm, so nothing is compared.".to_owned());
    } else if let Some(Compared::FirstAlternative(arm)) = sweep.compared() {
        notes.push(format!(
            "No arm uses connection-first, so the difference is shown for {}, the first arm after the baseline.",
            sweep.arm_name(arm)
        ));
    }
    if sweep.manifest.head.replicates == Some(1) {
        notes.push(
            "Each point is a single simulated run, so there are no 95% intervals and differences may be chance."
                .to_owned(),
        );
    }
    if let Layout::Heatmap(heatmap) = layout(&sweep.grid) {
        if let Some((param, shown)) = &heatmap.panels {
            let values = &sweep.grid.params[*param].values;
            if shown.len() < values.len() {
                let listed: Vec<String> = shown
                    .iter()
                    .map(|&index| param_value(sweep, *param, values[index]))
                    .collect();
                notes.push(format!(
                    "{} takes {} values; the heatmaps show {MAX_PANELS} of them ({}), while the sentences count every point.",
                    sweep.grid.params[*param].path,
                    values.len(),
                    listed.join(", ")
                ));
            }
        }
        if !heatmap.held.is_empty() {
            let held = held_values(sweep, &heatmap.held, param_value);
            notes.push(format!(
                "A heatmap shows two parameters (and a third as panels); the charts hold {} at the first value swept, while the sentences count every point.",
                held.join(", ")
            ));
        }
    }
    notes
}

fn write_swept(html: &mut String, sweep: &SweepOutput) {
    html.push_str("<section class=\"swept\">\n<h2>What was swept</h2>\n");
    if sweep.grid.params.is_empty() {
        html.push_str("<p>The manifest lists no swept parameter: the sweep is one point.</p>\n");
    } else {
        html.push_str("<table class=\"swept-table\">\n<thead><tr><th>Parameter</th><th>Values</th><th>Count</th></tr></thead>\n<tbody>\n");
        for (index, param) in sweep.grid.params.iter().enumerate() {
            let listed = listed_values(&param.values, |value| {
                super::charts::value_text(sweep, index, value)
            });
            let ratio = sweep
                .loss_gain(index)
                .map(|gain| {
                    format!(
                        "<span class=\"detail\">as a ratio to attribution.lambda_gain ({}): {}</span>",
                        escape(&words::decimal(gain, 3)),
                        escape(&listed_values(&param.values, |value| ratio_text(value / gain)))
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                html,
                "<tr><td><code>{}</code></td><td>{}{ratio}</td><td>{}</td></tr>",
                escape(&param.path),
                escape(&listed),
                param.values.len()
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    let arms: Vec<&str> = sweep.arms.iter().map(|arm| arm.arm.name.as_str()).collect();
    let runs = match sweep.manifest.head.replicates {
        Some(count) => format!(
            ", each with the same {} (seed {})",
            plural(count, "simulated run", "simulated runs"),
            sweep
                .manifest
                .head
                .seed
                .map_or_else(|| "not recorded".to_owned(), |seed| seed.to_string())
        ),
        None => String::new(),
    };
    let baseline = sweep
        .baseline()
        .map_or("the baseline", |baseline| sweep.arm_name(baseline));
    let paired = if sweep.arms.len() > 1 {
        format!(
            ", so each arm's difference from {baseline} is paired run by run (common random numbers)"
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        html,
        "<p class=\"table-note\">The grid is every combination of these values: {}. Every arm ({}) runs at every point{runs}{paired}. Conflict is the mean weekly conflict hours per leader {}.</p>\n</section>",
        escape(&plural(sweep.grid.points as u64, "point", "points")),
        escape(&words::join_with_and(&arms)),
        escape(&conflict_period(sweep)),
    );
}

/// "0.1, 0.2, 0.3", or "0.1, 0.2, 0.3, …, 0.9, 1" for a long list.
fn listed_values(values: &[f64], format: impl Fn(f64) -> String) -> String {
    if values.len() <= LONGEST_LISTED_VALUES {
        return values
            .iter()
            .map(|&value| format(value))
            .collect::<Vec<_>>()
            .join(", ");
    }
    let head: Vec<String> = values[..3].iter().map(|&value| format(value)).collect();
    let tail: Vec<String> = values[values.len() - 2..]
        .iter()
        .map(|&value| format(value))
        .collect();
    format!("{}, \u{2026}, {}", head.join(", "), tail.join(", "))
}

fn write_findings(html: &mut String, sweep: &SweepOutput) {
    let findings = key_findings(sweep);
    html.push_str("<section class=\"findings\">\n<h2>What the sweep shows</h2>\n");
    if findings.is_empty() {
        html.push_str(
            "<p>The sweep's files do not hold the numbers needed to compare the arms.</p>\n",
        );
    } else {
        html.push_str("<ul>\n");
        for finding in findings {
            let _ = writeln!(html, "<li>{}</li>", escape(&finding));
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</section>\n");
}

/// For each arm besides the baseline and each metric: at how many points
/// it is clearly better, clearly worse, or not clearly different.
fn write_scorecard(html: &mut String, sweep: &SweepOutput) {
    let Some(baseline) = sweep.baseline() else {
        return;
    };
    if sweep.alternatives().next().is_none() {
        return;
    }
    let baseline_name = sweep.arm_name(baseline);
    let total = sweep.grid.points;
    let _ = write!(
        html,
        "<section class=\"scorecard\">\n<h2>Every arm against {} at the {}</h2>\n<table class=\"summary-table\">\n<thead><tr><th>Arm</th>",
        escape(baseline_name),
        escape(&plural(total as u64, "point", "points"))
    );
    for column in &SCORE_COLUMNS {
        let detail = if column.metric == metrics::CONFLICT_AFTER_START {
            format!("{}, {}", column.detail, conflict_period(sweep))
        } else {
            column.detail.to_owned()
        };
        let _ = write!(
            html,
            "<th>{}<span class=\"detail\">{}</span></th>",
            escape(column.heading),
            escape(&detail)
        );
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for arm in sweep.alternatives() {
        let _ = write!(
            html,
            "<tr><th scope=\"row\"><span class=\"swatch\" style=\"background:{}\"></span>{}</th>",
            theme::css_hex(sweep.arms[arm].arm.colour),
            escape(sweep.arm_name(arm))
        );
        for column in &SCORE_COLUMNS {
            html.push_str(&score_cell(&sweep.tally(column.metric, arm), column, total));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        html,
        "<p class=\"table-note\">Points out of {total}. Better means lower conflict or lost hours, or higher on-time delivery or trust, with the 95% interval of the paired difference from {} excluding zero; no clear difference means the interval includes zero.</p>\n</section>",
        escape(baseline_name)
    );
}

fn score_cell(tally: &Tally, column: &ScoreColumn, total: usize) -> String {
    if tally.missing == total {
        return "<td class=\"missing\">\u{2013}</td>".to_owned();
    }
    let (better, worse) = if column.lower_is_better {
        (tally.lower, tally.higher)
    } else {
        (tally.higher, tally.lower)
    };
    let mut details = vec![
        format!("no clear difference at {}", tally.unclear),
        format!("worse at {worse}"),
    ];
    if tally.no_interval > 0 {
        details.push(format!("no interval at {}", tally.no_interval));
    }
    if tally.missing > 0 {
        details.push(format!("no value at {}", tally.missing));
    }
    let details: Vec<String> = details
        .iter()
        .map(|detail| format!("<span class=\"interval\">{}</span>", escape(detail)))
        .collect();
    format!(
        "<td><span class=\"value\">better at {better}</span>{}</td>",
        details.concat()
    )
}

/// Conflict per arm at each value of the one varying parameter (or at the
/// one point, for `None`), with each arm's difference from the baseline.
fn write_value_table(html: &mut String, sweep: &SweepOutput, param: Option<usize>) {
    if sweep.grid.points > LONGEST_VALUE_TABLE {
        return;
    }
    let metric = metrics::CONFLICT_AFTER_START;
    if !sweep.has_values(metric) {
        return;
    }
    let (heading, first_column) = match param {
        Some(param) => {
            let path = escape(&sweep.grid.params[param].path);
            (
                format!("Conflict at each value of <code>{path}</code>"),
                path,
            )
        }
        None => ("Conflict at the point swept".to_owned(), "Point".to_owned()),
    };
    let _ = write!(
        html,
        "<section class=\"by-value\">\n<h2>{heading}</h2>\n<table class=\"summary-table\">\n<thead><tr><th>{first_column}</th>",
    );
    for arm in &sweep.arms {
        let _ = write!(
            html,
            "<th><span class=\"swatch\" style=\"background:{}\"></span>{}{}</th>",
            theme::css_hex(arm.arm.colour),
            escape(&arm.arm.name),
            if arm.arm.is_baseline {
                " <span class=\"tag\">baseline</span>"
            } else {
                ""
            }
        );
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    let mut order: Vec<usize> = (0..sweep.grid.points).collect();
    if let Some(param) = param {
        order.sort_by(|&a, &b| {
            sweep
                .grid
                .value(a, param)
                .total_cmp(&sweep.grid.value(b, param))
        });
    }
    for point in order {
        let label = match param {
            Some(param) => param_value(sweep, param, sweep.grid.value(point, param)),
            None => every_value(sweep, point),
        };
        let _ = write!(html, "<tr><th scope=\"row\">{}</th>", escape(&label));
        for (arm, sweep_arm) in sweep.arms.iter().enumerate() {
            // One parameter varies (or none), so every point is drawn.
            let row = sweep.conflict(arm, point);
            let Some(mean) = row.and_then(|row| row.mean) else {
                html.push_str("<td class=\"missing\">\u{2013}</td>");
                continue;
            };
            let beneath = if sweep_arm.arm.is_baseline {
                row.and_then(|row| row.interval).map(|interval| {
                    format!(
                        "{}\u{2013}{}",
                        words::decimal(interval.low, 2),
                        words::decimal(interval.high, 2)
                    )
                })
            } else {
                row.and_then(|row| row.diff_vs_baseline).map(|difference| {
                    let interval = row
                        .and_then(|row| row.diff_interval)
                        .map(|interval| {
                            format!(
                                " ({} to {})",
                                words::signed(interval.low, 2),
                                words::signed(interval.high, 2)
                            )
                        })
                        .unwrap_or_default();
                    format!("{}{interval}", words::signed(difference, 2))
                })
            };
            let beneath = beneath
                .map(|text| format!("<span class=\"interval\">{}</span>", escape(&text)))
                .unwrap_or_default();
            let _ = write!(
                html,
                "<td><span class=\"value\">{} h</span>{beneath}</td>",
                escape(&words::decimal(mean, 2))
            );
        }
        html.push_str("</tr>\n");
    }
    let baseline = sweep
        .baseline()
        .map_or("the baseline", |baseline| sweep.arm_name(baseline));
    let _ = writeln!(
        html,
        "</tbody>\n</table>\n<p class=\"table-note\">Mean weekly conflict hours per leader {}. Beneath {baseline}'s value: its 95% interval; beneath every other arm's: its paired difference from {baseline} with the 95% interval.</p>\n</section>",
        escape(&conflict_period(sweep)),
        baseline = escape(baseline)
    );
}

/// "trust.initial = 0.3, defaults.disclosure = 0.1": every parameter at
/// `point`, or "the scenario as it is" without parameters.
fn every_value(sweep: &SweepOutput, point: usize) -> String {
    if sweep.grid.params.is_empty() {
        return "The scenario as it is".to_owned();
    }
    let parts: Vec<String> = (0..sweep.grid.params.len())
        .map(|param| param_at(sweep, param, point))
        .collect();
    parts.join(", ")
}

const SWEEP_STYLE: &str = r#"
.swept-table { font-size: 14px; }
.swept-table th, .swept-table td { text-align: left; }
.swept-table td:last-child, .swept-table th:last-child { text-align: right; }
.swept-table .detail { display: block; color: var(--muted); font-size: 12px; }
.findings ul { margin: 0; padding-left: 20px; max-width: 52em; }
.findings li { margin: 0 0 8px; font-size: 17px; }
.scorecard .value { font-size: 14px; }
.parameters > .table-note { margin: 0 0 10px; }
h2 code { font-size: 0.9em; }
@media print {
  .findings li { font-size: 10.5pt; }
  .swept, .findings, .scorecard, .by-value { break-inside: avoid; page-break-inside: avoid; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sweep::data::tests::{MANIFEST_2D, csv_2d, parse};

    #[test]
    fn the_page_has_the_question_the_grid_and_the_findings() {
        let sweep = parse(MANIFEST_2D, &csv_2d()).unwrap();
        let html = sweep_html(&sweep, &[]);
        assert!(html.contains("Where does it stop paying off?"));
        assert!(
            html.contains("<td><code>trust.initial</code></td><td>0.2, 0.5, 0.8</td><td>3</td>")
        );
        assert!(html.contains("exactly those where trust.initial = 0.8"));
        assert!(html.contains("<span class=\"value\">better at 4</span><span class=\"interval\">no clear difference at 2</span>"));
        assert!(!html.contains("://"));
    }

    #[test]
    fn long_value_lists_are_shortened() {
        let values: Vec<f64> = (0..20).map(f64::from).collect();
        assert_eq!(
            listed_values(&values, |value| value.to_string()),
            "0, 1, 2, \u{2026}, 18, 19"
        );
    }
}
