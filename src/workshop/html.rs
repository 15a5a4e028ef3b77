//! The walk-through's [`Block`]s as HTML, with the same words and tones as
//! the terminal: for the one-page handout, and for any page that tells the
//! story.
//!
//! Every piece of text goes through the report's escaping, so the page
//! holds no markup from a scenario and no URL. Tones become classes, and
//! the arms' and baseline's colours are the charts' (see
//! [`crate::report::theme`]); [`TONE_STYLE`] defines them.

use std::fmt::Write as _;

use crate::report::escape;
use crate::report::theme;

use super::document::{Align, Bar, Block, Chart, Span, Table, Tone};

/// The blocks as HTML; consecutive points make one list.
pub fn blocks_html(blocks: &[Block]) -> String {
    let mut html = String::new();
    let mut in_list = false;
    for block in blocks {
        let is_point = matches!(block, Block::Point(_));
        if in_list && !is_point {
            html.push_str("</ul>\n");
        }
        if is_point && !in_list {
            html.push_str("<ul class=\"points\">\n");
        }
        in_list = is_point;
        write_block(&mut html, block);
    }
    if in_list {
        html.push_str("</ul>\n");
    }
    html
}

fn write_block(html: &mut String, block: &Block) {
    match block {
        Block::Text(spans) => {
            let _ = writeln!(html, "<p>{}</p>", spans_html(spans));
        }
        Block::Heading(spans) => {
            let _ = writeln!(html, "<h3>{}</h3>", spans_html(spans));
        }
        Block::Point(spans) => {
            let _ = writeln!(html, "<li>{}</li>", spans_html(spans));
        }
        Block::Quote {
            name,
            said,
            evidence,
        } => {
            let _ = writeln!(
                html,
                "<figure class=\"quote\"><figcaption>{}</figcaption><blockquote>\u{201c}{}\u{201d}</blockquote><p class=\"evidence\">{}</p></figure>",
                span_html(&Span::new(name.text.trim_end(), name.tone)),
                escape(said),
                spans_html(evidence)
            );
        }
        Block::Table(table) => write_table(html, table),
        Block::Bars(bars) => write_bars(html, bars),
        Block::Chart(chart) => write_chart(html, chart),
        Block::Columns(columns) => {
            html.push_str("<div class=\"columns\">\n");
            for column in columns {
                let _ = writeln!(html, "<div>{}</div>", blocks_html(column));
            }
            html.push_str("</div>\n");
        }
        Block::Together(blocks) => {
            let _ = writeln!(
                html,
                "<div class=\"together\">{}</div>",
                blocks_html(blocks)
            );
        }
        Block::Gap => {}
    }
}

pub fn spans_html(spans: &[Span]) -> String {
    spans.iter().map(span_html).collect()
}

fn span_html(span: &Span) -> String {
    let text = escape(&span.text);
    match tone_class(span.tone) {
        Some(class) => format!("<span class=\"{class}\">{text}</span>"),
        None => text,
    }
}

/// The class of a tone; `None` for plain text.
fn tone_class(tone: Tone) -> Option<String> {
    Some(match tone {
        Tone::Plain => return None,
        Tone::Strong => "strong".to_owned(),
        Tone::Muted => "muted".to_owned(),
        Tone::Person(side) => format!("person-{}", side.min(1)),
        Tone::Baseline => "baseline".to_owned(),
        Tone::Arm(place) => format!("arm-{place}"),
        Tone::Good => "good".to_owned(),
        Tone::Bad => "bad".to_owned(),
    })
}

fn write_table(html: &mut String, table: &Table) {
    let align = |column: usize| match table.align.get(column) {
        Some(Align::Right) => " class=\"number\"",
        _ => "",
    };
    html.push_str("<table class=\"story-table\">\n<thead>\n");
    for heads in &table.heads {
        html.push_str("<tr>");
        let mut column = 0;
        for head in heads {
            let span = head.span.max(1);
            let colspan = if span > 1 {
                format!(" colspan=\"{span}\"")
            } else {
                String::new()
            };
            let class = if span > 1 {
                " class=\"group\""
            } else {
                align(column)
            };
            let _ = write!(html, "<th{colspan}{class}>{}</th>", escape(&head.text));
            column += span;
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</thead>\n<tbody>\n");
    for row in &table.rows {
        html.push_str("<tr>");
        for (column, cell) in row.iter().enumerate() {
            let _ = write!(html, "<td{}>{}</td>", align(column), span_html(cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
}

/// Bars on one scale: the filled part solid, the rest up to the total light.
fn write_bars(html: &mut String, bars: &[Bar]) {
    let scale = bars
        .iter()
        .map(|bar| bar.total.max(bar.filled))
        .fold(0.0, f64::max);
    html.push_str("<div class=\"bars\">\n");
    for bar in bars {
        let width = |value: f64| {
            if scale > 0.0 {
                100.0 * value.max(0.0) / scale
            } else {
                0.0
            }
        };
        let _ = writeln!(
            html,
            "<div class=\"bar\"><span class=\"label\">{}</span><span class=\"track\"><span class=\"rest\" style=\"width:{:.1}%\"></span><span class=\"filled {}\" style=\"width:{:.1}%\"></span></span><span class=\"text\">{}</span></div>",
            span_html(&bar.label),
            width(bar.total),
            tone_class(bar.label.tone).unwrap_or_default(),
            width(bar.filled),
            spans_html(&bar.text)
        );
    }
    html.push_str("</div>\n");
}

/// Weekly values as small columns, one row per series, on one scale, as
/// an inline SVG with the series' labels and notes beside it.
fn write_chart(html: &mut String, chart: &Chart) {
    let (weeks, top) = (chart.weeks(), chart.top());
    let (column, height, gap) = (10.0, 28.0, 2.0);
    html.push_str("<div class=\"chart\">\n");
    for series in &chart.series {
        let class = tone_class(series.label.tone).unwrap_or_default();
        let mut svg = format!(
            "<svg viewBox=\"0 0 {} {height}\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"{} by week\">",
            weeks as f64 * column,
            weeks as f64 * column,
            escape(&series.label.text)
        );
        if let Some(marker) = chart.marker_week {
            let x = (marker - chart.first_week) as f64 * column;
            let _ = write!(
                svg,
                "<line class=\"marker\" x1=\"{x}\" x2=\"{x}\" y1=\"0\" y2=\"{height}\"/>"
            );
        }
        for (index, value) in series.values.iter().enumerate() {
            if !value.is_finite() || top <= 0.0 {
                continue;
            }
            let bar = (height * value / top).max(0.5);
            let _ = write!(
                svg,
                "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bar:.1}\"/>",
                index as f64 * column + gap / 2.0,
                height - bar,
                column - gap
            );
        }
        svg.push_str("</svg>");
        let _ = writeln!(
            html,
            "<div class=\"series\"><span class=\"label\">{}</span>{svg}<span class=\"text\">{}</span></div>",
            span_html(&series.label),
            spans_html(&series.note)
        );
    }
    html.push_str("</div>\n");
}

/// The colours of the tones, the arms' from the charts' palette.
pub fn tone_style() -> String {
    let mut style = String::from(TONE_STYLE);
    let _ = writeln!(
        style,
        ".baseline {{ color: {0}; }} .filled.baseline, rect.baseline {{ background: {0}; fill: {0}; }}",
        theme::css_hex(theme::BASELINE_COLOUR)
    );
    for place in 0..theme::ALTERNATIVE_COUNT {
        let colour = theme::css_hex(theme::alternative_colour(place));
        let _ = writeln!(
            style,
            ".arm-{place} {{ color: {colour}; font-weight: 600; }} .filled.arm-{place}, rect.arm-{place} {{ background: {colour}; fill: {colour}; }}"
        );
    }
    style
}

const TONE_STYLE: &str = r#"
.strong { font-weight: 700; }
.muted { color: #595959; }
.person-0 { color: #a8457a; font-weight: 700; }
.person-1 { color: #9a5b00; font-weight: 700; }
.good { color: #1a7f37; font-weight: 600; }
.bad { color: #b42318; font-weight: 600; }
.baseline { font-weight: 600; }
.points { margin: 0 0 8px; padding-left: 1.2em; }
.points li { margin-bottom: 4px; }
.story-table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
.story-table th, .story-table td { padding: 2px 10px 2px 0; text-align: left; vertical-align: bottom; }
.story-table th { font-weight: 600; }
.story-table thead tr:last-child th { border-bottom: 1px solid #1f1f1f; }
.story-table th.group { text-align: center; border-bottom: 1px solid #bbb; }
.story-table .number { text-align: right; }
.story-table tbody tr:last-child td { border-bottom: 1px solid #d9d9d9; }
.columns { display: flex; gap: 24px; }
.columns > div { flex: 1; }
.quote { margin: 0 0 8px; }
.quote figcaption { font-weight: 700; }
.quote blockquote { margin: 0; font-style: italic; }
.quote .evidence { margin: 0; color: #595959; font-size: 0.9em; }
.bars .bar, .chart .series { display: flex; align-items: center; gap: 8px; margin: 2px 0; }
.bars .label, .chart .label { flex: 0 0 11em; }
.bars .track { position: relative; flex: 0 0 50%; height: 0.9em; }
.bars .rest { position: absolute; left: 0; top: 0; bottom: 0; background: #e4e4e4; }
.bars .filled { position: absolute; left: 0; top: 0; bottom: 0; background: #1f1f1f; }
.chart .marker { stroke: #1f1f1f; stroke-dasharray: 2 2; }
"#;
