//! The self-contained `report.html`: scenario, summary table, the five
//! charts as inline SVG with their readings, parameters and how to
//! reproduce the run.
//!
//! The page loads nothing: styles are inline and the charts are inline
//! SVG. All text from the run's files goes through [`escape`]. The file
//! must not contain the strings `http://` or `https://` at all, so that
//! checks for network references stay trivial; [`escape`] and
//! [`inline_svg`] write the `//` of any such text as character references,
//! which render the same.

// Writing into a `String` cannot fail, hence the `let _ = write!(..)`s.
use std::fmt::Write as _;

use serde_json::Value;

use super::charts::ChartId;
use super::data::{ManifestHead, RunOutput, SummaryRow};
use super::metrics;
use super::story;
use super::text;
use super::theme;

/// One figure of the report: a drawn chart or why it is missing.
pub(crate) struct Figure {
    pub id: ChartId,
    pub content: Result<DrawnChart, String>,
}

pub(crate) struct DrawnChart {
    pub svg: String,
    pub reading: String,
}

pub(crate) fn report_html(run: &RunOutput, figures: &[Figure]) -> String {
    let manifest = &run.manifest;
    let name = manifest.head.display_name();
    let mut html = String::with_capacity(256 * 1024);
    write_page_start(
        &mut html,
        &format!("{name} \u{2014} empathy-gap report"),
        "",
    );
    write_header(&mut html, run, name);
    write_notes(&mut html, &notes(run, figures));
    write_findings(&mut html, run);
    write_summary_table(&mut html, run);
    for (number, figure) in figures.iter().enumerate() {
        let heading = figure.id.heading();
        write_figure(
            &mut html,
            figure.id.file_stem(),
            &format!("<h2>Figure {}. {}</h2>", number + 1, escape(heading)),
            heading,
            figure.content.as_ref(),
        );
    }
    write_assumptions(
        &mut html,
        &story::assumptions(&manifest.scenario, manifest.head.replicates),
    );
    write_appendix(&mut html, &manifest.scenario, name, None);
    write_reproduction(
        &mut html,
        &manifest
            .head
            .reproduction("run", manifest.head.replicates_and_weeks("Replicates")),
    );
    write_page_end(&mut html);
    html
}

/// The page's opening up to `<main>`: `title` for the browser's tab, and
/// the shared style followed by `extra_style`.
pub(crate) fn write_page_start(html: &mut String, title: &str, extra_style: &str) {
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(html, "<title>{}</title>", escape(title));
    let _ = writeln!(
        html,
        "<style>{STYLE}{extra_style}</style>\n</head>\n<body>\n<main>"
    );
}

pub(crate) fn write_page_end(html: &mut String) {
    html.push_str("</main>\n</body>\n</html>\n");
}

/// The top of a page: what kind of report it is, its title, the
/// scenario's description and question, and a line of facts.
pub(crate) struct PageHeader<'a> {
    pub eyebrow: &'a str,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub question: Option<&'a str>,
    pub facts: &'a [String],
}

pub(crate) fn write_page_header(html: &mut String, header: &PageHeader<'_>) {
    let _ = writeln!(
        html,
        "<header>\n<p class=\"eyebrow\">{}</p>",
        escape(header.eyebrow)
    );
    let _ = writeln!(html, "<h1>{}</h1>", escape(header.title));
    if let Some(description) = header.description {
        let _ = writeln!(html, "<p class=\"description\">{}</p>", escape(description));
    }
    if let Some(question) = header.question {
        let _ = writeln!(
            html,
            "<p class=\"question\"><span>The question</span>{}</p>",
            escape(question)
        );
    }
    if !header.facts.is_empty() {
        let _ = writeln!(
            html,
            "<p class=\"facts\">{}</p>",
            escape(&header.facts.join(" \u{00b7} "))
        );
    }
    html.push_str("</header>\n");
}

/// Things the reader should know are missing or not shown, if any.
pub(crate) fn write_notes(html: &mut String, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    html.push_str("<aside class=\"notes\"><h2>Notes</h2><ul>\n");
    for note in notes {
        let _ = writeln!(html, "<li>{}</li>", escape(note));
    }
    html.push_str("</ul></aside>\n");
}

fn write_header(html: &mut String, run: &RunOutput, name: &str) {
    let manifest = &run.manifest;
    let facts: Vec<String> = [
        manifest
            .head
            .replicates
            .map(|count| plural(count, "simulated run", "simulated runs")),
        manifest
            .head
            .weeks
            .map(|weeks| plural(u64::from(weeks), "week", "weeks")),
        manifest
            .n_leaders
            .map(|count| plural(count, "leader", "leaders")),
        manifest
            .n_managers
            .map(|count| plural(count, "manager", "managers")),
        manifest
            .n_employees
            .map(|count| plural(count, "employee", "employees")),
        manifest
            .n_pairs
            .map(|count| plural(count, "pair of leaders", "pairs of leaders")),
        manifest
            .n_projects
            .map(|count| plural(count, "shared project", "shared projects")),
        manifest
            .intervention_start_week
            .map(|week| format!("interventions start in week {week}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    write_page_header(
        html,
        &PageHeader {
            eyebrow: "empathy-gap simulation report",
            title: name,
            description: manifest.head.description.as_deref(),
            question: manifest.head.question.as_deref(),
            facts: &facts,
        },
    );
}

pub(crate) fn plural(count: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        text::thousands(count),
        if count == 1 { one } else { many }
    )
}

/// Things the reader should know are missing, in plain words.
fn notes(run: &RunOutput, figures: &[Figure]) -> Vec<String> {
    let mut notes: Vec<String> = figures
        .iter()
        .filter_map(|figure| {
            figure
                .content
                .as_ref()
                .err()
                .map(|reason| format!("{}: {reason}", figure.id.heading()))
        })
        .collect();
    for column in SUMMARY_COLUMNS {
        if !run.summary.has_values(column.metric) {
            notes.push(format!(
                "summary.csv has no values for `{}`, so the \u{201c}{} {}\u{201d} column is empty (an older output?).",
                column.metric, column.heading, column.detail
            ));
        }
    }
    if run.manifest.head.replicates == Some(1) {
        let chance = if run.alternatives().next().is_some() {
            " and differences between arms may be chance"
        } else {
            ""
        };
        notes.push(format!(
            "This is a single simulated run, so there are no 95% intervals{chance}."
        ));
    }
    notes
}

/// What happened under each arm, one sentence each, baseline first.
fn write_findings(html: &mut String, run: &RunOutput) {
    let findings = story::arm_findings(run);
    if findings.is_empty() {
        return;
    }
    html.push_str("<section class=\"findings\">\n<h2>What happened</h2>\n<ul class=\"arms\">\n");
    for finding in findings {
        let _ = writeln!(
            html,
            "<li><span class=\"swatch\" style=\"background:{}\"></span><strong>{}</strong> <span class=\"what\">({})</span>: {}</li>",
            theme::css_hex(finding.arm.colour),
            escape(&finding.arm.name),
            escape(&finding.what),
            escape(&finding.sentence)
        );
    }
    html.push_str("</ul>\n</section>\n");
}

/// What the model assumes, as a list.
fn write_assumptions(html: &mut String, assumptions: &[String]) {
    html.push_str("<section class=\"assumptions\">\n<h2>What the model assumes</h2>\n<ul>\n");
    for assumption in assumptions {
        let _ = writeln!(html, "<li>{}</li>", escape(assumption));
    }
    html.push_str("</ul>\n<p class=\"table-note\">The README\u{2019}s section \u{201c}The model\u{201d} describes every mechanism, with its equations and sources.</p>\n</section>\n");
}

/// A column of the summary table: a short heading, a line saying exactly
/// what it measures, and how to write its numbers.
struct SummaryColumn {
    heading: &'static str,
    detail: &'static str,
    metric: &'static str,
    format: fn(f64) -> String,
}

/// The headline metric first (the difference column follows it), then
/// the others beside it.
const SUMMARY_COLUMNS: [SummaryColumn; 5] = [
    SummaryColumn {
        heading: "Lost hours",
        detail: "a year, per employee",
        metric: metrics::ANNUAL_LOST_HOURS_PER_EMPLOYEE,
        format: text::whole_number,
    },
    SummaryColumn {
        heading: "Conflict",
        detail: "hours a week, per leader",
        metric: metrics::CONFLICT_AFTER_START,
        format: text::hours,
    },
    SummaryColumn {
        heading: "On time",
        detail: "share of planned work",
        metric: metrics::DELIVERY_RATIO,
        format: text::percent_of_ratio,
    },
    SummaryColumn {
        heading: "Trust",
        detail: "at the end, 0\u{2013}1",
        metric: metrics::FINAL_TRUST,
        format: format_trust,
    },
    SummaryColumn {
        heading: "Lost hours",
        detail: "a year, per leader",
        metric: metrics::ANNUAL_LOST_HOURS_PER_LEADER,
        format: text::whole_number,
    },
];

fn format_trust(value: f64) -> String {
    text::decimal(value, 2)
}

fn write_summary_table(html: &mut String, run: &RunOutput) {
    let baseline_name = run
        .baseline()
        .map_or("the baseline", |arm| arm.name.as_str());
    // With one arm there is nothing to compare, so no difference column.
    let compares = run.alternatives().next().is_some();
    html.push_str("<section class=\"summary\">\n<h2>The numbers</h2>\n<table class=\"summary-table\">\n<thead><tr><th>Arm</th>");
    for (index, column) in SUMMARY_COLUMNS.iter().enumerate() {
        let detail = match (column.metric, run.manifest.intervention_start_week) {
            (metrics::CONFLICT_AFTER_START, Some(week)) => {
                format!("{}, from week {week}", column.detail)
            }
            _ => column.detail.to_owned(),
        };
        let _ = write!(
            html,
            "<th>{}<span class=\"detail\">{}</span></th>",
            escape(column.heading),
            escape(&detail)
        );
        if index == 0 && compares {
            let _ = write!(
                html,
                "<th>Difference<span class=\"detail\">in lost hours a year per employee, vs. {}</span></th>",
                escape(baseline_name)
            );
        }
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for arm in &run.arms {
        let _ = write!(
            html,
            "<tr><th scope=\"row\"><span class=\"swatch\" style=\"background:{}\"></span>{}{}</th>",
            theme::css_hex(arm.colour),
            escape(&arm.name),
            if arm.is_baseline {
                " <span class=\"tag\">baseline</span>"
            } else {
                ""
            },
        );
        for (index, column) in SUMMARY_COLUMNS.iter().enumerate() {
            let row = run.summary.get(&arm.name, column.metric);
            html.push_str(&value_cell(row, column.format));
            if index == 0 && compares {
                html.push_str(&difference_cell(run, &arm.name, arm.is_baseline));
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        html,
        "<p class=\"table-note\">{}</p>\n</section>",
        escape(&table_note(run, baseline_name, compares))
    );
}

fn table_note(run: &RunOutput, baseline_name: &str, compares: bool) -> String {
    let runs = match run.manifest.head.replicates {
        Some(1) => "Values come from a single simulated run.".to_owned(),
        Some(count) => format!(
            "Values are means over {} simulated runs; the smaller numbers beneath are 95% intervals.",
            text::thousands(count)
        ),
        None => {
            "Values are simulated means; the smaller numbers beneath are 95% intervals.".to_owned()
        }
    };
    let difference = if compares {
        format!(
            " The difference is paired (every arm faces the same work in each run): from {baseline_name}, with its 95% interval, in hours \
             and as a share of {baseline_name}'s figure."
        )
    } else {
        String::new()
    };
    format!(
        "{runs}{difference} On time: share of the planned shared work delivered on time over the whole run."
    )
}

fn value_cell(row: Option<&SummaryRow>, format: fn(f64) -> String) -> String {
    let Some(mean) = row.and_then(|row| row.mean) else {
        return "<td class=\"missing\">\u{2013}</td>".to_owned();
    };
    let interval = row
        .and_then(|row| row.interval)
        .map(|interval| {
            format!(
                "<span class=\"interval\">{}\u{2013}{}</span>",
                format(interval.low),
                format(interval.high)
            )
        })
        .unwrap_or_default();
    format!(
        "<td><span class=\"value\">{}</span>{interval}</td>",
        format(mean)
    )
}

fn difference_cell(run: &RunOutput, arm: &str, is_baseline: bool) -> String {
    if is_baseline {
        return "<td class=\"missing\">baseline</td>".to_owned();
    }
    let metric = metrics::ANNUAL_LOST_HOURS_PER_EMPLOYEE;
    let Some(row) = run.summary.get(arm, metric) else {
        return "<td class=\"missing\">\u{2013}</td>".to_owned();
    };
    let baseline_mean = run
        .baseline()
        .and_then(|baseline| run.summary.mean(&baseline.name, metric));
    let Some(difference) = row
        .diff_vs_baseline
        .or_else(|| Some(row.mean? - baseline_mean?))
    else {
        return "<td class=\"missing\">\u{2013}</td>".to_owned();
    };
    let relative = baseline_mean
        .filter(|mean| *mean > 0.0)
        .map(|mean| format!(" ({}%)", text::signed(100.0 * difference / mean, 0)))
        .unwrap_or_default();
    let interval = row
        .diff_interval
        .map(|interval| {
            format!(
                "<span class=\"interval\">{} to {}</span>",
                text::signed(interval.low, 0),
                text::signed(interval.high, 0)
            )
        })
        .unwrap_or_default();
    format!(
        "<td><span class=\"value\">{} h{relative}</span>{interval}</td>",
        text::signed(difference, 0)
    )
}

/// A figure with the id `id`, under `heading_html` (its heading element,
/// already escaped): the chart as inline SVG named `label`, with its
/// reading, or why it is missing.
pub(crate) fn write_figure(
    html: &mut String,
    id: &str,
    heading_html: &str,
    label: &str,
    content: Result<&DrawnChart, &String>,
) {
    let _ = writeln!(html, "<figure id=\"{}\">", escape(id));
    let _ = writeln!(html, "{heading_html}");
    match content {
        Ok(chart) => {
            html.push_str(&inline_svg(&chart.svg, label));
            let _ = writeln!(html, "<figcaption>{}</figcaption>", escape(&chart.reading));
        }
        Err(reason) => {
            let _ = writeln!(html, "<p class=\"unavailable\">{}</p>", escape(reason));
        }
    }
    html.push_str("</figure>\n");
}

/// plotters' SVG made fit for inline use in HTML5: no `xmlns` (HTML
/// supplies the namespace, and the attribute's URL must not appear in the
/// file), an accessible name, and no `://` anywhere in text.
pub(crate) fn inline_svg(svg: &str, label: &str) -> String {
    let without_namespace = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    let labelled = without_namespace.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(label)),
        1,
    );
    defuse_urls(&labelled)
}

/// The appendix: the scenario's values that differ from the defaults,
/// after `note` (a paragraph) if any, and the full scenario, shown folded
/// and offered as a file to download and run again.
pub(crate) fn write_appendix(html: &mut String, scenario: &Value, name: &str, note: Option<&str>) {
    html.push_str(
        "<section class=\"appendix\">\n<h2>Appendix: values that differ from the defaults</h2>\n",
    );
    if let Some(note) = note {
        let _ = writeln!(html, "<p class=\"table-note\">{}</p>", escape(note));
    }
    let full = story::scenario_toml(scenario);
    if full.is_some() {
        html.push_str("<p class=\"table-note\">Every other value is the default given in the README\u{2019}s scenario reference. The <a href=\"#full-scenario\">full scenario</a> is at the end of this page.</p>\n");
    }
    let rows = story::non_default_values(scenario);
    if rows.is_empty() {
        html.push_str("<p>The manifest lists no value that differs from the defaults.</p>\n");
    } else {
        html.push_str("<table class=\"parameters-table\">\n<thead><tr><th>Value</th><th>Set to</th></tr></thead>\n<tbody>\n");
        for (key, value) in rows {
            let _ = writeln!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                escape(&key),
                escape(&value)
            );
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("</section>\n");
    let Some(full) = full else {
        return;
    };
    let file = format!("{}.toml", crate::output::safe_name(name));
    let _ = writeln!(
        html,
        "<section class=\"full-scenario\" id=\"full-scenario\">\n<h2>The full scenario</h2>\n<p><a download=\"{}\" href=\"data:text/plain;charset=utf-8,{}\">Download it as {}</a> and run it with <code>empathy-gap run {}</code>: every value, defaults included, as this run used it.</p>\n<details><summary>Show the scenario file</summary>\n<pre><code>{}</code></pre>\n</details>\n</section>",
        escape(&file),
        percent_encoded(&full),
        escape(&file),
        escape(&file),
        escape(&full)
    );
}

/// `text` for a `data:` URL: every byte but letters, digits and `-._~`
/// as `%XX`.
fn percent_encoded(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 3 / 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// What the "How to reproduce" section says: the command (with the
/// version that ran it) that produced the `subject` ("run", "sweep"), then
/// the seed, the scenario file, the `details` and the baseline arm.
pub(crate) struct Reproduction<'a> {
    pub subject: &'a str,
    pub command: Option<&'a str>,
    pub version: Option<&'a str>,
    pub seed: Option<u64>,
    pub scenario_file: Option<&'a str>,
    /// What else it takes: replicates, weeks, ...
    pub details: Vec<String>,
    pub baseline: Option<&'a str>,
}

impl ManifestHead {
    /// How to reproduce the `subject` ("run", "sweep", "screening"), with
    /// the `details` its kind adds (those it has).
    pub fn reproduction(
        &self,
        subject: &'static str,
        details: impl IntoIterator<Item = Option<String>>,
    ) -> Reproduction<'_> {
        Reproduction {
            subject,
            command: self.command.as_deref(),
            version: self.version.as_deref(),
            seed: self.seed,
            scenario_file: self.scenario_file.as_deref(),
            details: details.into_iter().flatten().collect(),
            baseline: self.baseline.as_deref(),
        }
    }

    /// "Replicates: 1,000" (under `label`) and "Weeks: 26", as far as the
    /// manifest says.
    pub fn replicates_and_weeks(&self, label: &str) -> [Option<String>; 2] {
        [
            self.replicates
                .map(|count| format!("{label}: {}", text::thousands(count))),
            self.weeks.map(|weeks| format!("Weeks: {weeks}")),
        ]
    }
}

pub(crate) fn write_reproduction(html: &mut String, reproduction: &Reproduction<'_>) {
    html.push_str("<section class=\"reproduce\">\n<h2>How to reproduce</h2>\n");
    match reproduction.command {
        Some(command) => {
            let version = reproduction
                .version
                .map(|version| format!(" {version}"))
                .unwrap_or_default();
            let _ = writeln!(
                html,
                "<p>Run this command with empathy-gap{} from the project folder:</p>\n<pre><code>{}</code></pre>",
                escape(&version),
                escape(command)
            );
        }
        None => {
            let _ = writeln!(
                html,
                "<p>The manifest does not record the command that produced this {}.</p>",
                escape(reproduction.subject)
            );
        }
    }
    let seed = reproduction.seed.map(|seed| format!("Random seed: {seed}"));
    let file = reproduction
        .scenario_file
        .map(|file| format!("Scenario file: {file}"));
    let baseline = reproduction
        .baseline
        .map(|baseline| format!("Baseline arm: {baseline}"));
    html.push_str("<ul class=\"details\">\n");
    let details = seed
        .iter()
        .chain(&file)
        .chain(&reproduction.details)
        .chain(&baseline);
    for detail in details {
        let _ = writeln!(html, "<li>{}</li>", escape(detail));
    }
    html.push_str("</ul>\n</section>\n");
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    defuse_urls(&escaped)
}

/// Writes the slashes of "://" as character references: the page shows
/// the same text, but its source no longer contains a URL scheme.
fn defuse_urls(markup: &str) -> String {
    markup.replace("://", ":&#47;&#47;")
}

pub(crate) const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1f1f1f; --muted: #595959; --rule: #d9d9d9; --soft: #f4f5f7; --accent: #0072b2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 40px 28px 64px; }
header { border-bottom: 1px solid var(--rule); padding-bottom: 20px; margin-bottom: 28px; }
.eyebrow { margin: 0 0 4px; color: var(--muted); font-size: 13px; letter-spacing: .08em; text-transform: uppercase; }
h1 { margin: 0 0 12px; font-size: 34px; line-height: 1.2; }
h2 { margin: 0 0 12px; font-size: 21px; line-height: 1.3; }
.description { margin: 0 0 14px; font-size: 18px; max-width: 52em; }
.question { margin: 0 0 14px; padding: 12px 16px; background: var(--soft); border-left: 4px solid var(--accent); max-width: 52em; }
.question span { display: block; font-size: 12px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
.facts { margin: 0; color: var(--muted); font-size: 14px; }
.notes { margin: 0 0 28px; padding: 12px 16px; border: 1px solid #e6c200; background: #fffbe6; border-radius: 4px; }
.notes h2 { font-size: 16px; margin-bottom: 4px; }
.notes ul { margin: 0; padding-left: 20px; }
section, figure { margin: 0 0 40px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 8px 10px; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top; }
thead th { font-size: 13px; font-weight: 600; border-bottom: 2px solid var(--ink); vertical-align: bottom; }
thead .detail { display: block; font-size: 11px; font-weight: 400; color: var(--muted); }
.summary-table thead th { min-width: 6.5em; }
th:first-child, td:first-child { text-align: left; }
tbody th { font-weight: 600; white-space: nowrap; }
.summary-table td { font-variant-numeric: tabular-nums; }
.value { display: block; font-size: 15px; font-weight: 600; white-space: nowrap; }
.interval { display: block; color: var(--muted); font-size: 12px; white-space: nowrap; }
.missing { color: var(--muted); }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 8px; border-radius: 2px; vertical-align: -1px; }
.tag { margin-left: 6px; padding: 1px 6px; border: 1px solid var(--rule); border-radius: 9px; color: var(--muted); font-size: 11px; font-weight: 400; }
.table-note { margin: 10px 0 0; color: var(--muted); font-size: 13px; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { margin-top: 12px; font-size: 16px; max-width: 52em; }
.unavailable { padding: 24px; background: var(--soft); color: var(--muted); }
.parameters-table { font-size: 13px; }
.parameters-table th, .parameters-table td { text-align: left; padding: 4px 10px; }
.parameters-table td:first-child { width: 45%; }
.arms { margin: 0; padding: 0; list-style: none; max-width: 52em; }
.arms li { margin: 0 0 10px; padding-left: 22px; text-indent: -22px; }
.arms .what { color: var(--muted); }
.assumptions ul { margin: 0; padding-left: 20px; max-width: 52em; }
.assumptions li { margin-bottom: 6px; }
details summary { cursor: pointer; color: var(--accent); margin-bottom: 8px; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
pre { margin: 0 0 12px; padding: 12px 16px; background: var(--soft); border-radius: 4px; white-space: pre-wrap; word-break: break-all; }
.details { margin: 0; padding-left: 20px; }
@page { margin: 14mm 12mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 22pt; }
  h2 { font-size: 14pt; break-after: avoid; page-break-after: avoid; }
  section, figure { margin-bottom: 18pt; }
  /* Narrower charts let two figures share a page instead of one figure
     and half a page of white. */
  figure svg, figcaption { max-width: 150mm; }
  figcaption { font-size: 9.5pt; }
  figure, .summary, .notes, .reproduce, header, tr { break-inside: avoid; page-break-inside: avoid; }
  .summary-table { font-size: 9pt; }
  details pre { font-size: 7.5pt; }
  .appendix { break-before: page; page-break-before: always; }
  .parameters-table { font-size: 8.5pt; }
  thead { display: table-header-group; }
  figure svg { border: none; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup_and_urls() {
        assert_eq!(
            escape("<b>\"a\" & 'b'</b>"),
            "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;"
        );
        assert_eq!(
            escape("see https://example.org"),
            "see https:&#47;&#47;example.org"
        );
    }

    #[test]
    fn inline_svg_has_no_namespace_url() {
        let svg = "<svg width=\"10\" height=\"10\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>\n";
        let inline = inline_svg(svg, "A chart");
        assert!(!inline.contains("http"));
        assert!(inline.starts_with("<svg role=\"img\" aria-label=\"A chart\" width=\"10\""));
    }
}
