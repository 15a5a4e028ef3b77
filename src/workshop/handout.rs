//! The one-page handout a facilitator gives the room after a workshop:
//! the question, the standoff in two sentences, the reveal (what each side
//! could not see), the futures with their numbers over every simulated run,
//! and the takeaway, in the walk-through's own words and numbers.
//!
//! It is one self-contained HTML page (no script, no network, no font to
//! fetch) laid out to print on one A4 or Letter page; the browser's "Print
//! to PDF" makes the PDF.

use std::fmt::Write as _;

use crate::report::escape;

use super::Story;
use super::document::{Block, Section};
use super::html::{blocks_html, spans_html, tone_style};

/// The handout's file name, beside the workshop's other files.
pub const HANDOUT_FILE: &str = "handout.html";

/// The parts of the walk-through the handout carries.
pub struct HandoutSections<'a> {
    pub reveal: &'a Section,
    pub comparison: &'a Section,
    pub takeaway: &'a Section,
    /// The command that reproduces the numbers.
    pub command: &'a str,
}

pub fn handout_html(story: &Story<'_>, sections: &HandoutSections<'_>) -> String {
    let scenario = story.scenario;
    let mut html = String::with_capacity(32 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>The empathy gap \u{2014} {}</title>\n<style>{STYLE}{}</style>\n</head>\n<body>\n<main>\n",
        escape(&scenario.name),
        tone_style()
    );
    let _ = writeln!(
        html,
        "<header><p class=\"eyebrow\">The empathy gap \u{b7} workshop handout</p><h1>{}</h1>",
        escape(&scenario.name)
    );
    if !scenario.question.is_empty() {
        let _ = writeln!(
            html,
            "<p class=\"question\">{}</p>",
            escape(&scenario.question)
        );
    }
    html.push_str("</header>\n");

    let mut standoff = story.introduction_in_brief();
    standoff.push(super::document::plain(" "));
    standoff.extend(story.standoff_cost());
    let _ = writeln!(
        html,
        "<section><h2>1. The standoff</h2><p>{}</p></section>",
        spans_html(&standoff)
    );

    // The reveal: both hidden queues, and who knew what.
    let reveal: Vec<Block> = sections
        .reveal
        .blocks
        .iter()
        .filter(|block| matches!(block, Block::Table(_)))
        .chain(sections.reveal.blocks.last())
        .cloned()
        .collect();
    let _ = writeln!(
        html,
        "<section><h2>2. The reveal: what each side could not see</h2>{}</section>",
        blocks_html(&reveal)
    );

    // The futures: the comparison over every run, without its bars.
    let futures: Vec<Block> = sections
        .comparison
        .blocks
        .iter()
        .filter(|block| matches!(block, Block::Text(_) | Block::Table(_)))
        .cloned()
        .collect();
    let _ = writeln!(
        html,
        "<section><h2>3. {} {}</h2>{}</section>",
        escape(&sections.comparison.title),
        escape(&sections.comparison.subtitle),
        blocks_html(&futures)
    );

    let _ = writeln!(
        html,
        "<section><h2>4. The takeaway</h2>{}</section>",
        blocks_html(&sections.takeaway.blocks)
    );
    let _ = writeln!(
        html,
        "<footer>Simulated with empathy-gap: every number above comes from the model, not from measurement. To reproduce: <code>{}</code></footer>",
        escape(sections.command)
    );
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1f1f1f; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 820px; margin: 0 auto; padding: 28px 24px; }
header { border-bottom: 2px solid #1f1f1f; margin-bottom: 12px; padding-bottom: 8px; }
.eyebrow { margin: 0; color: #595959; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; }
h1 { margin: 2px 0 6px; font-size: 26px; line-height: 1.2; }
.question { margin: 0; font-size: 16px; }
h2 { margin: 14px 0 4px; font-size: 16px; }
h3 { margin: 8px 0 2px; font-size: 14px; }
p { margin: 0 0 6px; }
table, .together, .points li { break-inside: avoid; page-break-inside: avoid; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
footer { margin-top: 14px; padding-top: 6px; border-top: 1px solid #d9d9d9; color: #595959; font-size: 11px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 10.5px; word-break: break-all; }
@page { size: A4; margin: 9mm 11mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 8pt; line-height: 1.25; }
  p { margin-bottom: 3pt; }
  .story-table { margin: 2pt 0 4pt; }
  .story-table th, .story-table td { padding: 0.5pt 8pt 0.5pt 0; }
  .points li { margin-bottom: 1pt; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 16pt; }
  .question { font-size: 10.5pt; }
  h2 { font-size: 10pt; margin: 6pt 0 2pt; }
  header { margin-bottom: 4pt; padding-bottom: 4pt; }
  h3 { font-size: 9.5pt; }
  .story-table { font-size: 8pt; }
  footer { font-size: 7.5pt; }
  code { font-size: 7pt; }
}
"#;
