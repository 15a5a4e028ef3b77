//! What a step of the walk-through says, before it is laid out: paragraphs,
//! quotes, tables, bars and a chart, with a tone for each piece of text.
//! [`super::render`] lays it out for a terminal of a given size.

/// How a piece of text is shown: the renderer picks a colour or weight for
/// each tone, or nothing on a terminal without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// A number or phrase the audience should see first.
    Strong,
    /// Explanations and units, in the background.
    Muted,
    /// One of the two leaders of the story (0 or 1).
    Person(usize),
    /// The baseline arm.
    Baseline,
    /// Another arm, by its place among the non-baseline arms.
    Arm(usize),
    /// Better than the baseline.
    Good,
    /// Worse than the baseline.
    Bad,
}

/// A piece of text in one tone.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub tone: Tone,
}

impl Span {
    pub fn new(text: impl Into<String>, tone: Tone) -> Span {
        Span {
            text: text.into(),
            tone,
        }
    }
}

pub fn plain(text: impl Into<String>) -> Span {
    Span::new(text, Tone::Plain)
}

pub fn strong(text: impl Into<String>) -> Span {
    Span::new(text, Tone::Strong)
}

pub fn muted(text: impl Into<String>) -> Span {
    Span::new(text, Tone::Muted)
}

/// How a table column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A header cell spanning `span` columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub text: String,
    pub span: usize,
}

impl Head {
    pub fn new(text: impl Into<String>, span: usize) -> Head {
        Head {
            text: text.into(),
            span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Header rows, each a list of cells that together span every column.
    pub heads: Vec<Vec<Head>>,
    pub align: Vec<Align>,
    /// One span per cell.
    pub rows: Vec<Vec<Span>>,
    /// Columns that may be left out of a table too wide for the screen, the
    /// first listed first.
    pub optional: Vec<usize>,
}

impl Table {
    /// A table whose first column holds labels (left) and the others
    /// numbers (right), with one row of heads.
    pub fn labelled(heads: Vec<Head>, rows: Vec<Vec<Span>>) -> Table {
        Table {
            align: labels_then_numbers(heads.iter().map(|head| head.span.max(1)).sum()),
            heads: vec![heads],
            rows,
            optional: Vec::new(),
        }
    }

    /// A table of labels and two columns for each of the two managers: their
    /// names over their columns, `label` over the labels.
    pub fn two_sides(
        names: [String; 2],
        label: &str,
        columns: [[String; 2]; 2],
        rows: Vec<Vec<Span>>,
    ) -> Table {
        let [first, second] = names;
        let [[a, b], [c, d]] = columns;
        Table {
            heads: vec![
                vec![Head::new("", 1), Head::new(first, 2), Head::new(second, 2)],
                [label.to_string(), a, b, c, d]
                    .into_iter()
                    .map(|text| Head::new(text, 1))
                    .collect(),
            ],
            align: labels_then_numbers(5),
            rows,
            optional: Vec::new(),
        }
    }
}

/// A column of labels, then `columns - 1` of numbers.
fn labels_then_numbers(columns: usize) -> Vec<Align> {
    let mut align = vec![Align::Right; columns];
    if let Some(first) = align.first_mut() {
        *first = Align::Left;
    }
    align
}

/// A horizontal bar: `filled` drawn solid, the rest up to `total` drawn
/// light (the part of a load nobody sees, say), on a scale shared by the
/// bars of one block.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: Span,
    pub filled: f64,
    pub total: f64,
    /// Shown after the bar.
    pub text: Vec<Span>,
}

/// One line of a [`Chart`]: a value per week.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: Span,
    pub values: Vec<f64>,
    /// Shown after the line, e.g. its mean.
    pub note: Vec<Span>,
    /// Weeks below or above these values are marked better or worse.
    pub compare: Option<Vec<f64>>,
}

/// Weekly values as rows of columns on one scale, one row per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub series: Vec<Series>,
    /// The week of the first value.
    pub first_week: i32,
    /// A week to mark on the axis (the interventions' start).
    pub marker_week: Option<i32>,
}

impl Chart {
    /// Weeks of the longest series.
    pub fn weeks(&self) -> usize {
        self.series
            .iter()
            .map(|series| series.values.len())
            .max()
            .unwrap_or(0)
    }

    /// The largest finite value, the top of the shared scale (0 if none).
    pub fn top(&self) -> f64 {
        self.series
            .iter()
            .flat_map(|series| series.values.iter().copied())
            .filter(|value| value.is_finite())
            .fold(0.0, f64::max)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph, wrapped to the width.
    Text(Vec<Span>),
    /// A bold line introducing what follows.
    Heading(Vec<Span>),
    /// A list item, wrapped with a hanging indent.
    Point(Vec<Span>),
    /// Someone speaking, with the numbers behind what they say.
    Quote {
        name: Span,
        said: String,
        evidence: Vec<Span>,
    },
    Table(Table),
    Bars(Vec<Bar>),
    Chart(Chart),
    /// Blocks side by side where the width allows, one after another where not.
    Columns(Vec<Vec<Block>>),
    /// Blocks kept on one page.
    Together(Vec<Block>),
    /// A blank line.
    Gap,
}

/// One step of the walk-through.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// 1 to 5.
    pub number: usize,
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
}
