//! The screening's self-contained `report.html`: the question, how the
//! screening works, then for each output the parameters that move it most
//! in a sentence, its two charts as inline SVG with how to read them and a
//! table of every parameter; then the parameters left out and how to
//! reproduce the screening.
//!
//! It follows the run report's rules (see `report/html.rs`): nothing is
//! loaded, every text from the files is escaped, and no URL scheme appears
//! in the file.

// Writing into a `String` cannot fail, hence the `let _ = write!(..)`s.
use std::fmt::Write as _;

use super::super::html::{
    DrawnChart, PageHeader, escape, plural, write_figure, write_notes, write_page_end,
    write_page_header, write_page_start, write_reproduction,
};
use super::super::theme;
use super::charts::SensitivityChartId;
use super::data::{ScreenedOutput, SensitivityOutput};
use super::text::{EffectFormat, finding, method, unit, value_and_range};

/// One figure: a drawn chart or why it is missing.
pub(crate) struct SensitivityFigure {
    pub id: SensitivityChartId,
    pub content: Result<DrawnChart, String>,
}

/// The page; `figures[i]` are the figures of the `i`th output.
pub(crate) fn sensitivity_html(
    screening: &SensitivityOutput,
    figures: &[Vec<SensitivityFigure>],
) -> String {
    let manifest = &screening.manifest;
    let name = manifest.head.display_name();
    let mut html = String::with_capacity(256 * 1024);
    write_page_start(
        &mut html,
        &format!("{name} \u{2014} empathy-gap sensitivity report"),
        SENSITIVITY_STYLE,
    );
    write_page_header(
        &mut html,
        &PageHeader {
            eyebrow: "empathy-gap sensitivity screening",
            title: &format!("Which parameters does the conclusion rest on? {name}"),
            description: manifest.head.description.as_deref(),
            question: manifest.head.question.as_deref(),
            facts: &facts(screening),
        },
    );
    write_notes(&mut html, &notes(screening));
    let _ = writeln!(
        html,
        "<section class=\"method\">\n<h2>How the screening works</h2>\n<p>{}</p>\n</section>",
        escape(&method(screening))
    );
    let mut figure_number = 0;
    for (index, (output, output_figures)) in screening.outputs.iter().zip(figures).enumerate() {
        let number = index + 1;
        let _ = writeln!(
            html,
            "<section class=\"output\" id=\"output-{number}\">\n<h2><span class=\"swatch\" style=\"background:{}\"></span>{number}. {}</h2>",
            theme::css_hex(output.arm.colour),
            escape(&output.label)
        );
        let _ = writeln!(
            html,
            "<p class=\"finding\">{}</p>",
            escape(&finding(output))
        );
        for figure in output_figures {
            figure_number += 1;
            let label = format!("{}: {}", figure.id.heading(), output.label);
            write_figure(
                &mut html,
                &figure.id.file_stem(number),
                &format!(
                    "<h3>Figure {figure_number}. {}</h3>",
                    escape(figure.id.heading())
                ),
                &label,
                figure.content.as_ref(),
            );
        }
        write_effects_table(&mut html, output);
        html.push_str("</section>\n");
    }
    write_skipped(&mut html, screening);
    write_reproduction(
        &mut html,
        &manifest.head.reproduction(
            "screening",
            [
                manifest
                    .trajectories
                    .map(|count| format!("Trajectories: {count}")),
                manifest.levels.map(|count| format!("Levels: {count}")),
                manifest
                    .head
                    .replicates
                    .map(|count| format!("Replicates per point: {count}")),
            ],
        ),
    );
    write_page_end(&mut html);
    html
}

fn facts(screening: &SensitivityOutput) -> Vec<String> {
    let manifest = &screening.manifest;
    [
        Some(format!(
            "{} screened",
            plural(
                screening.parameter_count() as u64,
                "parameter",
                "parameters"
            )
        )),
        Some(plural(screening.outputs.len() as u64, "output", "outputs")),
        manifest
            .trajectories
            .map(|count| plural(count, "trajectory", "trajectories")),
        manifest
            .levels
            .map(|count| plural(count, "level", "levels")),
        manifest
            .points
            .map(|count| plural(count, "point", "points")),
        manifest.head.replicates.map(|count| {
            format!(
                "{} per point",
                plural(count, "simulated run", "simulated runs")
            )
        }),
        manifest
            .head
            .weeks
            .map(|weeks| plural(u64::from(weeks), "week", "weeks")),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Things the reader should know are missing, in plain words.
fn notes(screening: &SensitivityOutput) -> Vec<String> {
    let mut notes = Vec::new();
    if screening.outputs.is_empty() {
        notes.push(
            "Neither sensitivity.json nor sensitivity.csv names an output, so there is nothing to report."
                .to_owned(),
        );
    }
    for output in &screening.outputs {
        let label = &output.label;
        if output.effects.is_empty() {
            notes.push(format!(
                "sensitivity.csv has no rows for \u{201c}{label}\u{201d}."
            ));
            continue;
        }
        if !output.in_manifest {
            notes.push(format!(
                "sensitivity.csv has rows for `{}` of {}, which sensitivity.json does not list; they are shown last.",
                output.metric, output.arm.name
            ));
        }
        let unmeasured = output.effects.len() - output.measured().count();
        if unmeasured > 0 {
            notes.push(format!(
                "For \u{201c}{label}\u{201d}, sensitivity.csv gives {} no \u{03bc}* or \u{03c3}; the charts leave {} out and the table lists {} last.",
                plural(unmeasured as u64, "parameter", "parameters"),
                if unmeasured == 1 { "it" } else { "them" },
                if unmeasured == 1 { "it" } else { "them" },
            ));
        }
    }
    notes
}

/// Every parameter's effect on `output`, by rank.
fn write_effects_table(html: &mut String, output: &ScreenedOutput) {
    if output.effects.is_empty() {
        return;
    }
    let format = EffectFormat::new(output);
    html.push_str(
        "<table class=\"effects-table\">\n<thead><tr>\
         <th>Rank</th><th>Parameter</th>\
         <th>Value<span class=\"detail\">in the scenario</span></th>\
         <th>Range<span class=\"detail\">screened</span></th>\
         <th>\u{03bc}*<span class=\"detail\">\u{00b1} 95% interval</span></th>\
         <th>\u{03bc}<span class=\"detail\">mean change, signed</span></th>\
         <th>\u{03c3}<span class=\"detail\">spread of the change</span></th>\
         </tr></thead>\n<tbody>\n",
    );
    let dash = || "\u{2013}".to_owned();
    for effect in &output.effects {
        let (value, range) = value_and_range(effect);
        let cells = [
            effect.rank.map_or_else(dash, |rank| rank.to_string()),
            String::new(),
            value.unwrap_or_else(dash),
            range.unwrap_or_else(dash),
            format.mu_star(effect).unwrap_or_else(dash),
            effect.mu.map_or_else(dash, |mu| format.signed(mu)),
            effect.sigma.map_or_else(dash, |sigma| format.value(sigma)),
        ];
        html.push_str("<tr>");
        for (column, cell) in cells.iter().enumerate() {
            if column == 1 {
                // A long path may wrap after a dot, never inside a name.
                let path = escape(&effect.path).replace('.', ".<wbr>");
                let _ = write!(html, "<td><code>{path}</code></td>");
            } else {
                let _ = write!(html, "<td>{}</td>", escape(cell));
            }
        }
        html.push_str("</tr>\n");
    }
    let unit = unit(&output.metric)
        .map(|unit| format!("in {unit}"))
        .unwrap_or_else(|| "in the output's units".to_owned());
    let _ = writeln!(
        html,
        "</tbody>\n</table>\n<p class=\"table-note\">\u{03bc}*, \u{03bc} and \u{03c3} are {}, for a move across the parameter's whole screened range.</p>",
        escape(&unit)
    );
}

fn write_skipped(html: &mut String, screening: &SensitivityOutput) {
    html.push_str("<section class=\"skipped\">\n<h2>Parameters not screened</h2>\n");
    let skipped = &screening.manifest.skipped;
    if skipped.is_empty() {
        html.push_str("<p>The screening left out none of the parameters it considered.</p>\n");
    } else {
        html.push_str("<ul>\n");
        for param in skipped {
            let reason = if param.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", escape(&param.reason))
            };
            let _ = writeln!(
                html,
                "<li><code>{}</code>{reason}</li>",
                escape(&param.path)
            );
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</section>\n");
}

const SENSITIVITY_STYLE: &str = r#"
.method p, .finding { max-width: 52em; }
.finding { font-size: 17px; margin: 0 0 20px; }
.output > h2 .swatch { width: 14px; height: 14px; }
figure h3 { margin: 0 0 10px; font-size: 17px; }
.effects-table { font-size: 13px; font-variant-numeric: tabular-nums; }
.effects-table td, .effects-table th { padding: 5px 8px; }
.effects-table td:nth-child(2), .effects-table th:nth-child(2) { text-align: left; }
.effects-table thead .detail { white-space: nowrap; }
.effects-table td { white-space: nowrap; }
.effects-table td:nth-child(2) { white-space: normal; }
.skipped li { margin: 0 0 6px; }
@media print {
  .finding { font-size: 10.5pt; }
  .method, .skipped { break-inside: avoid; page-break-inside: avoid; }
}
"#;
