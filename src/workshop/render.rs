//! Lays a [`Section`] out as lines of terminal text for a screen of a given
//! width and height: wrapped paragraphs, aligned tables, bars and a chart
//! drawn with block characters (or ASCII), colour as ANSI escapes where the
//! terminal has it, and pages that fit the screen's height.
//!
//! Pure: it returns strings; the command line decides where they go.

use super::document::{Align, Bar, Block, Chart, Head, Section, Span, Table, Tone};

/// What the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// Columns.
    pub width: usize,
    /// Rows, when the output is paged; `None` prints each section whole.
    pub height: Option<usize>,
    pub colour: Colour,
    /// Block and box-drawing characters; ASCII otherwise.
    pub unicode: bool,
}

/// Which colours the terminal has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    None,
    /// The 16 standard colours.
    Basic,
    /// 256 colours.
    Extended,
}

impl Screen {
    /// Plain text of `width` columns, unpaged: for files and tests.
    pub fn plain(width: usize) -> Screen {
        Screen {
            width,
            height: None,
            colour: Colour::None,
            unicode: false,
        }
    }

    /// Columns text may use: the width less the margin.
    fn inner(&self) -> usize {
        self.width.max(MIN_WIDTH) - MARGIN
    }

    /// Columns a paragraph may use: long lines are hard to follow on a projector.
    fn prose(&self) -> usize {
        self.inner().min(PROSE_WIDTH)
    }
}

/// Narrower screens are laid out as if they were this wide.
pub const MIN_WIDTH: usize = 60;
const MARGIN: usize = 2;
const PROSE_WIDTH: usize = 92;
/// Columns of [`Block::Columns`] go side by side from this width each.
const COLUMN_WIDTH: usize = 54;
const GUTTER: usize = 4;
/// Lines a page keeps free below its body: the prompt and the typed key.
pub const PROMPT_LINES: usize = 2;

/// A line of text in tones.
#[derive(Debug, Clone, Default, PartialEq)]
struct Line {
    spans: Vec<Span>,
}

impl Line {
    fn width(&self) -> usize {
        self.spans
            .iter()
            .map(|span| span.text.chars().count())
            .sum()
    }

    /// Appends a span, joined to the last one when they share a tone.
    fn push(&mut self, span: Span) {
        if span.text.is_empty() {
            return;
        }
        match self.spans.last_mut() {
            Some(last) if last.tone == span.tone => last.text.push_str(&span.text),
            _ => self.spans.push(span),
        }
    }

    fn pad_to(&mut self, width: usize) {
        let width_now = self.width();
        if width_now < width {
            self.push(Span::new(" ".repeat(width - width_now), Tone::Plain));
        }
    }

    fn of(spans: Vec<Span>) -> Line {
        let mut line = Line::default();
        for span in spans {
            line.push(span);
        }
        line
    }
}

/// The pages of a section: each a list of lines, the section's header bar
/// first. `total` is the number of sections, for the header.
pub fn pages(section: &Section, total: usize, screen: &Screen) -> Vec<Vec<String>> {
    let groups: Vec<Vec<Line>> = section
        .blocks
        .iter()
        .map(|block| block_lines(block, screen, screen.inner()))
        .collect();
    let header_lines = 2;
    let budget = screen
        .height
        .map(|height| height.saturating_sub(header_lines + PROMPT_LINES).max(4));
    let mut bodies: Vec<Vec<Line>> = vec![Vec::new()];
    for group in groups {
        let Some(budget) = budget else {
            bodies[0].extend(group);
            continue;
        };
        let blank = group.iter().all(|line| line.width() == 0);
        let used = bodies.last().map_or(0, Vec::len);
        if used + group.len() <= budget {
            // A page does not start with a blank line.
            if !(used == 0 && blank) {
                bodies.last_mut().expect("a page").extend(group);
            }
            continue;
        }
        if blank {
            continue;
        }
        let mut rest = &group[..];
        if used == 0 {
            // Too tall for a page of its own: cut it.
            let cut = budget.min(rest.len());
            bodies
                .last_mut()
                .expect("a page")
                .extend_from_slice(&rest[..cut]);
            rest = &rest[cut..];
        }
        while !rest.is_empty() {
            let cut = budget.min(rest.len());
            bodies.push(rest[..cut].to_vec());
            rest = &rest[cut..];
        }
    }
    // Trailing blank lines say nothing.
    for body in &mut bodies {
        while body.last().is_some_and(|line| line.width() == 0) {
            body.pop();
        }
    }
    let count = bodies.len();
    bodies
        .into_iter()
        .enumerate()
        .map(|(index, body)| {
            let mut lines = header(section, total, (index + 1, count), screen);
            for line in body {
                let mut margined = Line::of(vec![Span::new(" ".repeat(MARGIN), Tone::Plain)]);
                margined.spans.extend(line.spans);
                lines.push(to_text(&margined, screen));
            }
            lines
        })
        .collect()
}

/// A paragraph outside any section (a closing message), wrapped to the
/// screen with the sections' margin.
pub fn paragraph(spans: &[Span], screen: &Screen) -> Vec<String> {
    let margin = [Span::new(" ".repeat(MARGIN), Tone::Plain)];
    wrap(spans, screen.prose() + MARGIN, &margin, &margin)
        .iter()
        .map(|line| to_text(line, screen))
        .collect()
}

/// The header bar of a section: its number, title and subtitle, and the page.
fn header(section: &Section, total: usize, page: (usize, usize), screen: &Screen) -> Vec<String> {
    let mut left = format!(
        " {}/{total}  {}",
        section.number,
        section.title.to_uppercase()
    );
    if !section.subtitle.is_empty() {
        left.push_str(&format!("  ·  {}", section.subtitle));
    }
    let right = if page.1 > 1 {
        format!("page {} of {} ", page.0, page.1)
    } else {
        String::new()
    };
    let width = screen.width.max(MIN_WIDTH);
    let room = width.saturating_sub(right.chars().count() + 3);
    let left = truncate(&left, room, screen);
    let gap = width.saturating_sub(left.chars().count() + right.chars().count());
    let mut bar = format!("{left}{}{right}", " ".repeat(gap));
    if !screen.unicode {
        for (from, to) in ASCII {
            bar = bar.replace(from, to);
        }
    }
    if screen.colour == Colour::None {
        let rule = if screen.unicode { "━" } else { "=" };
        vec![bar.trim_end().to_string(), rule.repeat(width)]
    } else {
        vec![format!("\x1b[1;7m{bar}\x1b[0m"), String::new()]
    }
}

fn truncate(text: &str, width: usize, screen: &Screen) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let ellipsis = if screen.unicode { "…" } else { "." };
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}{ellipsis}")
}

/// What the text of the story uses beyond ASCII, and its ASCII stand-in.
const ASCII: [(char, &str); 6] = [
    ('·', "-"),
    ('\u{201c}', "\""),
    ('\u{201d}', "\""),
    ('…', "..."),
    ('–', "-"),
    ('—', "--"),
];

/// A line as text, with ANSI escapes for its tones when the screen has colour.
fn to_text(line: &Line, screen: &Screen) -> String {
    let mut text = String::new();
    for span in &line.spans {
        match sgr(span.tone, screen.colour) {
            Some(code) if !span.text.trim().is_empty() => {
                text.push_str(&format!("\x1b[{code}m{}\x1b[0m", span.text));
            }
            _ => text.push_str(&span.text),
        }
    }
    // Non-breaking spaces hold "48 h" together while wrapping; plain spaces
    // on the screen.
    let mut text = text.replace('\u{a0}', " ");
    if !screen.unicode {
        for (from, to) in ASCII {
            text = text.replace(from, to);
        }
    }
    text.trim_end().to_string()
}

/// The SGR parameters of a tone. Arm colours follow the charts' Okabe-Ito
/// order (blue, vermillion, bluish green, ...); the baseline is bold.
fn sgr(tone: Tone, colour: Colour) -> Option<String> {
    const EXTENDED_ARMS: [u8; 7] = [33, 166, 36, 175, 214, 74, 178];
    const BASIC_ARMS: [u8; 7] = [34, 31, 32, 35, 33, 36, 33];
    let extended = colour == Colour::Extended;
    let fg = |extended_code: u8, basic_code: u8| {
        Some(if extended {
            format!("38;5;{extended_code}")
        } else {
            basic_code.to_string()
        })
    };
    if colour == Colour::None {
        return None;
    }
    match tone {
        Tone::Plain => None,
        Tone::Strong | Tone::Baseline => Some("1".to_string()),
        Tone::Muted => Some("2".to_string()),
        Tone::Person(0) => fg(175, 35),
        Tone::Person(_) => fg(214, 33),
        Tone::Arm(index) => fg(
            EXTENDED_ARMS[index % EXTENDED_ARMS.len()],
            BASIC_ARMS[index % BASIC_ARMS.len()],
        ),
        Tone::Good => fg(37, 36),
        Tone::Bad => fg(166, 31),
    }
}

fn block_lines(block: &Block, screen: &Screen, width: usize) -> Vec<Line> {
    let prose = width.min(screen.prose());
    match block {
        Block::Text(spans) => wrap(spans, prose, &[], &[]),
        Block::Heading(spans) => {
            let bold: Vec<Span> = spans
                .iter()
                .map(|span| match span.tone {
                    Tone::Plain => Span::new(span.text.clone(), Tone::Strong),
                    _ => span.clone(),
                })
                .collect();
            wrap(&bold, prose, &[], &[])
        }
        Block::Point(spans) => {
            let bullet = if screen.unicode { "• " } else { "- " };
            wrap(
                spans,
                prose,
                &[Span::new(bullet, Tone::Muted)],
                &[Span::new("  ", Tone::Plain)],
            )
        }
        Block::Quote {
            name,
            said,
            evidence,
        } => quote(name, said, evidence, prose),
        Block::Table(table) => table_lines(table, width, screen),
        Block::Bars(bars) => bar_lines(bars, width, screen),
        Block::Chart(chart) => chart_lines(chart, width, screen),
        Block::Columns(columns) => column_lines(columns, screen, width),
        Block::Together(blocks) => blocks
            .iter()
            .flat_map(|block| block_lines(block, screen, width))
            .collect(),
        Block::Gap => vec![Line::default()],
    }
}

/// Words of `spans` filled into lines of at most `width` columns, the first
/// line after `first`, the others after `rest`. A word may run across spans
/// ("401 h" + "):"), and is never broken between them.
fn wrap(spans: &[Span], width: usize, first: &[Span], rest: &[Span]) -> Vec<Line> {
    // Words as pieces in tones, each with the tone of the space before it.
    let mut words: Vec<(Tone, Vec<Span>)> = Vec::new();
    let mut open = false;
    let mut space_tone = Tone::Plain;
    for span in spans {
        for (index, piece) in span.text.split(' ').enumerate() {
            if index > 0 {
                open = false;
                space_tone = span.tone;
            }
            if piece.is_empty() {
                continue;
            }
            if open && let Some((_, word)) = words.last_mut() {
                word.push(Span::new(piece, span.tone));
            } else {
                words.push((space_tone, vec![Span::new(piece, span.tone)]));
            }
            open = true;
        }
    }
    let mut lines = Vec::new();
    let mut line = Line::of(first.to_vec());
    let mut fresh = true;
    for (space_tone, word) in words {
        let word_width: usize = word.iter().map(|piece| piece.text.chars().count()).sum();
        if !fresh && line.width() + 1 + word_width > width {
            lines.push(std::mem::take(&mut line));
            line = Line::of(rest.to_vec());
            fresh = true;
        }
        if !fresh {
            line.push(Span::new(" ", space_tone));
        }
        for piece in word {
            line.push(piece);
        }
        fresh = false;
    }
    if !fresh || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Someone's words in quotes after their name, the numbers behind them below.
fn quote(name: &Span, said: &str, evidence: &[Span], width: usize) -> Vec<Line> {
    let (open, close) = ("\u{201c}", "\u{201d}");
    let indent = name.text.chars().count() + 2;
    let lead = [name.clone(), Span::new("  ", Tone::Plain)];
    let pad = [Span::new(" ".repeat(indent), Tone::Plain)];
    let mut lines = wrap(
        &[Span::new(format!("{open}{said}{close}"), Tone::Strong)],
        width,
        &lead,
        &pad,
    );
    if !evidence.is_empty() {
        let muted: Vec<Span> = evidence
            .iter()
            .map(|span| match span.tone {
                Tone::Plain => Span::new(span.text.clone(), Tone::Muted),
                _ => span.clone(),
            })
            .collect();
        lines.extend(wrap(&muted, width, &pad, &pad));
    }
    lines
}

const COLUMN_GAP: usize = 2;

/// Columns a table's cells and heads need, and their total with the gaps.
fn column_widths(table: &Table) -> (Vec<usize>, usize) {
    let columns = table.align.len();
    let mut widths = vec![0usize; columns];
    for row in &table.rows {
        for (column, cell) in row.iter().enumerate().take(columns) {
            widths[column] = widths[column].max(cell.text.chars().count());
        }
    }
    // Single-column heads widen their column; spanning heads the last they span.
    for heads in &table.heads {
        let mut column = 0;
        for head in heads {
            let span = head.span.max(1).min(columns - column.min(columns));
            if span == 0 {
                break;
            }
            let text = head.text.chars().count();
            let have: usize =
                widths[column..column + span].iter().sum::<usize>() + COLUMN_GAP * (span - 1);
            if text > have {
                widths[column + span - 1] += text - have;
            }
            column += span;
        }
    }
    let total = widths.iter().sum::<usize>() + COLUMN_GAP * columns.saturating_sub(1);
    (widths, total)
}

/// The table without column `drop`; a head spanning it spans one fewer.
fn without_column(table: &Table, drop: usize) -> Table {
    let heads = table
        .heads
        .iter()
        .map(|heads| {
            let mut column = 0;
            heads
                .iter()
                .filter_map(|head| {
                    let span = head.span.max(1);
                    let covers = (column..column + span).contains(&drop);
                    column += span;
                    match (covers, span) {
                        (true, 1) => None,
                        (true, _) => Some(Head::new(head.text.clone(), span - 1)),
                        (false, _) => Some(head.clone()),
                    }
                })
                .collect()
        })
        .collect();
    Table {
        heads,
        align: cells_of(&table.align, drop),
        rows: table.rows.iter().map(|row| cells_of(row, drop)).collect(),
        optional: table
            .optional
            .iter()
            .filter(|&&column| column != drop)
            .map(|&column| column - usize::from(column > drop))
            .collect(),
    }
}

fn cells_of<T: Clone>(items: &[T], drop: usize) -> Vec<T> {
    items
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != drop)
        .map(|(_, item)| item.clone())
        .collect()
}

fn table_lines(table: &Table, width: usize, screen: &Screen) -> Vec<Line> {
    // Too wide: optional columns go first...
    let mut table = table.clone();
    while column_widths(&table).1 > width && !table.optional.is_empty() {
        let drop = table.optional[0];
        table = without_column(&table, drop);
    }
    let columns = table.align.len();
    let (mut widths, total) = column_widths(&table);
    // ...then the first column (the labels) gives way.
    if total > width && columns > 1 {
        widths[0] = widths[0].saturating_sub(total - width).max(8);
    }
    let mut lines = Vec::new();
    for heads in &table.heads {
        lines.push(head_line(heads, &widths, &table.align));
    }
    if !table.heads.is_empty() {
        let rule = if screen.unicode { "─" } else { "-" };
        let total: usize = widths.iter().sum::<usize>() + COLUMN_GAP * (columns.saturating_sub(1));
        lines.push(Line::of(vec![Span::new(rule.repeat(total), Tone::Muted)]));
    }
    for row in &table.rows {
        let mut line = Line::default();
        for (column, cell) in row.iter().enumerate().take(columns) {
            if column > 0 {
                line.push(Span::new(" ".repeat(COLUMN_GAP), Tone::Plain));
            }
            let text = truncate(&cell.text, widths[column], screen);
            let pad = widths[column].saturating_sub(text.chars().count());
            match table.align[column] {
                Align::Left => {
                    line.push(Span::new(text, cell.tone));
                    line.push(Span::new(" ".repeat(pad), Tone::Plain));
                }
                Align::Right => {
                    line.push(Span::new(" ".repeat(pad), Tone::Plain));
                    line.push(Span::new(text, cell.tone));
                }
            }
        }
        lines.push(line);
    }
    lines
}

fn head_line(heads: &[Head], widths: &[usize], align: &[Align]) -> Line {
    let mut line = Line::default();
    let mut column = 0;
    for head in heads {
        if column >= widths.len() {
            break;
        }
        let span = head.span.max(1).min(widths.len() - column);
        let room: usize =
            widths[column..column + span].iter().sum::<usize>() + COLUMN_GAP * (span - 1);
        if column > 0 {
            line.push(Span::new(" ".repeat(COLUMN_GAP), Tone::Plain));
        }
        let text_width = head.text.chars().count().min(room);
        let pad = room - text_width;
        let (before, after) = if span > 1 {
            (pad / 2, pad - pad / 2)
        } else if align[column] == Align::Right {
            (pad, 0)
        } else {
            (0, pad)
        };
        line.push(Span::new(" ".repeat(before), Tone::Plain));
        line.push(Span::new(
            head.text.chars().take(room).collect::<String>(),
            Tone::Muted,
        ));
        line.push(Span::new(" ".repeat(after), Tone::Plain));
        column += span;
    }
    line
}

/// Eighths of a block, for the end of a bar.
const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

fn bar_lines(bars: &[Bar], width: usize, screen: &Screen) -> Vec<Line> {
    let label_width = bars
        .iter()
        .map(|bar| bar.label.text.chars().count())
        .max()
        .unwrap_or(0);
    let text_width = bars
        .iter()
        .map(|bar| {
            bar.text
                .iter()
                .map(|s| s.text.chars().count())
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0);
    let length = width
        .saturating_sub(label_width + text_width + 4)
        .clamp(10, 60);
    let scale = bars
        .iter()
        .map(|bar| bar.total.max(bar.filled))
        .fold(0.0, f64::max);
    let (full, light) = if screen.unicode {
        ("█", "░")
    } else {
        ("#", ".")
    };
    bars.iter()
        .map(|bar| {
            let mut line = Line::default();
            line.push(bar.label.clone());
            line.pad_to(label_width + 2);
            let eighths = |value: f64| {
                if scale > 0.0 {
                    (value.max(0.0) / scale * (length * 8) as f64).round() as usize
                } else {
                    0
                }
            };
            let filled = eighths(bar.filled);
            let total = eighths(bar.total.max(bar.filled)).max(filled);
            let mut drawn = full.repeat(filled / 8);
            let mut cells = filled / 8;
            if filled % 8 > 0 {
                drawn.push_str(if screen.unicode {
                    EIGHTHS[filled % 8]
                } else {
                    full
                });
                cells += 1;
            }
            let tone = match bar.label.tone {
                Tone::Plain => Tone::Strong,
                tone => tone,
            };
            line.push(Span::new(drawn, tone));
            let light_cells = (total.div_ceil(8)).saturating_sub(cells);
            line.push(Span::new(light.repeat(light_cells), Tone::Muted));
            line.pad_to(label_width + 2 + length + 2);
            for span in &bar.text {
                line.push(span.clone());
            }
            line
        })
        .collect()
}

/// Rows per series in a chart, and on a screen of at least
/// [`TALL_SCREEN`] rows.
const CHART_ROWS: usize = 2;
const TALL_CHART_ROWS: usize = 4;
const TALL_SCREEN: usize = 40;
const LEVELS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

fn chart_lines(chart: &Chart, width: usize, screen: &Screen) -> Vec<Line> {
    let weeks = chart.weeks();
    if weeks == 0 {
        return Vec::new();
    }
    let label_width = chart
        .series
        .iter()
        .map(|series| series.label.text.chars().count())
        .max()
        .unwrap_or(0);
    let note_width = chart
        .series
        .iter()
        .map(|series| {
            series
                .note
                .iter()
                .map(|s| s.text.chars().count())
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0);
    let room = width.saturating_sub(label_width + note_width + 4);
    let cell = (room / weeks).clamp(1, 3);
    let max = chart.top();
    let chart_rows = match screen.height {
        Some(height) if height >= TALL_SCREEN => TALL_CHART_ROWS,
        _ => CHART_ROWS,
    };
    let steps = chart_rows * 8;
    let level = |value: f64| {
        if max > 0.0 && value.is_finite() {
            ((value.max(0.0) / max) * steps as f64).round() as usize
        } else {
            0
        }
    };
    let mut lines = Vec::new();
    for (index, series) in chart.series.iter().enumerate() {
        // Tall series are told apart by a blank line.
        if index > 0 && chart_rows > CHART_ROWS {
            lines.push(Line::default());
        }
        for row in 0..chart_rows {
            let mut line = Line::default();
            // The label and note sit on the series' bottom row.
            let bottom = row + 1 == chart_rows;
            if bottom {
                line.push(series.label.clone());
            }
            line.pad_to(label_width + 2);
            let floor = (chart_rows - 1 - row) * 8;
            for (week, &value) in series.values.iter().enumerate() {
                let eighths = level(value).saturating_sub(floor).min(8);
                let glyph = if screen.unicode {
                    LEVELS[eighths]
                } else {
                    match eighths {
                        0 => " ",
                        1..=3 => ".",
                        4..=6 => ":",
                        _ => "#",
                    }
                };
                let tone = match series.compare.as_ref().and_then(|c| c.get(week)) {
                    Some(&base) if value < base - 0.05 * max => Tone::Good,
                    Some(&base) if value > base + 0.05 * max => Tone::Bad,
                    _ => series.label.tone,
                };
                let text = glyph.repeat(cell.min(2)) + &" ".repeat(cell - cell.min(2));
                line.push(Span::new(text, tone));
            }
            if bottom {
                line.pad_to(label_width + 2 + weeks * cell + 2);
                for span in &series.note {
                    line.push(span.clone());
                }
            }
            lines.push(line);
        }
    }
    // The week axis: a number every five weeks, and the marker below.
    let origin = label_width + 2;
    let mut axis: Vec<char> = vec![' '; origin + weeks * cell + 4];
    let mut last_end = 0;
    for index in 0..weeks {
        let week = chart.first_week + index as i32;
        if week != chart.first_week && week % 5 != 0 {
            continue;
        }
        let at = origin + index * cell;
        let label: Vec<char> = week.to_string().chars().collect();
        if at < last_end || at + label.len() > axis.len() {
            continue;
        }
        axis[at..at + label.len()].copy_from_slice(&label);
        last_end = at + label.len() + 1;
    }
    let axis_text: String = axis.into_iter().collect();
    let mut axis_line = Line::default();
    axis_line.push(Span::new(" ".repeat(origin.saturating_sub(5)), Tone::Plain));
    axis_line.push(Span::new(
        format!("{:<5}", "week")
            .chars()
            .take(origin.min(5))
            .collect::<String>(),
        Tone::Muted,
    ));
    axis_line.push(Span::new(
        axis_text[origin..].trim_end().to_string(),
        Tone::Muted,
    ));
    lines.push(axis_line);
    if let Some(marker) = chart.marker_week {
        let index = (marker - chart.first_week).max(0) as usize;
        if index < weeks {
            let arrow = if screen.unicode { "▲" } else { "^" };
            let mut line = Line::default();
            line.push(Span::new(" ".repeat(origin + index * cell), Tone::Plain));
            line.push(Span::new(
                format!("{arrow} week {marker}: the responses start"),
                Tone::Muted,
            ));
            lines.push(line);
        }
    }
    lines
}

fn column_lines(columns: &[Vec<Block>], screen: &Screen, width: usize) -> Vec<Line> {
    let n = columns.len().max(1);
    let side_by_side = n > 1 && width >= n * COLUMN_WIDTH + (n - 1) * GUTTER;
    let render = |column: &Vec<Block>, width: usize| -> Vec<Line> {
        column
            .iter()
            .flat_map(|block| block_lines(block, screen, width))
            .collect()
    };
    if !side_by_side {
        return columns
            .iter()
            .flat_map(|column| render(column, width))
            .collect();
    }
    let column_width = (width - (n - 1) * GUTTER) / n;
    let rendered: Vec<Vec<Line>> = columns
        .iter()
        .map(|column| render(column, column_width))
        .collect();
    let rows = rendered.iter().map(Vec::len).max().unwrap_or(0);
    (0..rows)
        .map(|row| {
            let mut line = Line::default();
            for (index, column) in rendered.iter().enumerate() {
                if index > 0 {
                    line.pad_to(index * (column_width + GUTTER));
                }
                if let Some(part) = column.get(row) {
                    line.spans.extend(part.spans.iter().cloned());
                }
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::document::{muted, plain, strong};

    #[test]
    fn paragraphs_wrap_at_words_and_keep_their_tones() {
        let spans = [
            plain("Alex owed "),
            strong("48 h"),
            plain(" and delivered none of it, week after week."),
        ];
        let lines = wrap(&spans, 20, &[], &[]);
        let texts: Vec<String> = lines
            .iter()
            .map(|line| to_text(line, &Screen::plain(80)))
            .collect();
        assert_eq!(
            texts,
            [
                "Alex owed 48 h and",
                "delivered none of",
                "it, week after week."
            ]
        );
        assert!(lines.iter().all(|line| line.width() <= 20));
        assert_eq!(lines[0].spans[1], strong("48 h"));
        let glued = wrap(&[plain("of 401 h"), plain("): 1 training")], 8, &[], &[]);
        let texts: Vec<String> = glued
            .iter()
            .map(|line| to_text(line, &Screen::plain(80)))
            .collect();
        assert_eq!(texts, ["of 401", "h): 1", "training"]);
    }

    #[test]
    fn pages_fit_the_screen_and_repeat_the_header() {
        let blocks = (0..30)
            .map(|i| Block::Text(vec![plain(format!("line {i}"))]))
            .collect();
        let section = Section {
            number: 2,
            title: "The three questions".to_string(),
            subtitle: "end of week 4".to_string(),
            blocks,
        };
        let screen = Screen {
            height: Some(24),
            ..Screen::plain(80)
        };
        let pages = pages(&section, 5, &screen);
        assert_eq!(pages.len(), 2);
        for page in &pages {
            assert!(page.len() + PROMPT_LINES <= 24, "{page:?}");
            assert!(page[0].starts_with(" 2/5  THE THREE QUESTIONS"));
            assert!(page.iter().all(|line| line.chars().count() <= 80));
        }
        assert!(pages[1][0].ends_with("page 2 of 2"));
    }

    #[test]
    fn tables_align_numbers_and_span_group_heads() {
        let table = Table {
            heads: vec![
                vec![Head::new("", 1), Head::new("Alex", 2)],
                vec![
                    Head::new("kind", 1),
                    Head::new("items", 1),
                    Head::new("hours", 1),
                ],
            ],
            align: vec![Align::Left, Align::Right, Align::Right],
            rows: vec![
                vec![plain("incidents"), plain("2"), plain("9 h")],
                vec![muted("total"), strong("31"), strong("384 h")],
            ],
            optional: vec![2],
        };
        let screen = Screen::plain(80);
        let lines = |width: usize| -> Vec<String> {
            table_lines(&table, width, &screen)
                .iter()
                .map(|line| to_text(line, &screen))
                .collect()
        };
        assert_eq!(
            lines(76),
            [
                "               Alex",
                "kind       items  hours",
                "-----------------------",
                "incidents      2    9 h",
                "total         31  384 h",
            ]
        );
        // Too narrow: the optional column goes, and the head spans one fewer.
        assert_eq!(
            lines(16),
            [
                "            Alex",
                "kind       items",
                "----------------",
                "incidents      2",
                "total         31"
            ]
        );
    }
}
