//! Reading a scenario: bytes to text, text to TOML, `--set` overrides, TOML to
//! [`RawScenario`], collecting every problem with its file position.
//!
//! serde stops at the first error in a value, so deserialisation runs in a loop:
//! each failing key is reported, removed, and the rest deserialised again. The
//! problems carry a [`FieldPath`], which the [`Locator`] maps back to a line and
//! column in the original text (or to the `--set` argument that introduced it).

use std::collections::{BTreeSet, HashMap};

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

use super::error::{FieldPath, Location, Problem, Segment};
use super::raw::{RawArm, RawIntervention, RawScenario};

/// Scenario files larger than this are refused before parsing: a hand-written
/// scenario is a few kilobytes, and a generated organisation is described by
/// its `[generate]` section, not by listing 100,000 leaders.
pub const MAX_SCENARIO_BYTES: usize = 4 * 1024 * 1024;

/// One command-line override of a scenario value, parsed.
#[derive(Debug, Clone)]
pub struct Override {
    /// As the user typed it, for messages: `--set weeks=12` or `--replicates 10`.
    pub argument: String,
    pub path: Vec<String>,
    pub value: toml::Value,
}

impl Override {
    /// Parses the value of a `--set path=value` argument; the value is read as
    /// TOML (`3`, `0.5`, `true`, `"text"`, `[1, 2]`) and falls back to a plain
    /// string. The error is a one-line message naming the argument.
    pub fn parse(argument: &str) -> Result<Override, String> {
        let label = format!("--set {argument}");
        let Some((path, value)) = argument.split_once('=') else {
            return Err(format!(
                "{label}: must be of the form PATH=VALUE, like weeks=12"
            ));
        };
        let path: Vec<String> = path.trim().split('.').map(str::to_string).collect();
        if path.iter().any(|segment| segment.trim().is_empty()) {
            return Err(format!(
                "{label}: the path has an empty part; write it like leaders.Alex.demand"
            ));
        }
        let value = value.trim();
        if value.is_empty() {
            return Err(format!(
                "{label}: no value after `=`; quote an empty text as \"\""
            ));
        }
        let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut table| table.remove("v"));
        let value = match parsed {
            Some(value) => value,
            None if looks_numeric(value) => {
                return Err(format!(
                    "{label}: `{value}` is not a number this tool can read (too large, or a typo)"
                ));
            }
            None => toml::Value::String(value.to_string()),
        };
        Ok(Override {
            argument: label,
            path,
            value,
        })
    }

    /// An override given by a shorthand flag named like its key, such as
    /// `--replicates 10`.
    pub fn shorthand(key: &str, value: u64) -> Override {
        Override {
            argument: format!("--{key} {value}"),
            path: vec![key.to_string()],
            value: toml::Value::Integer(i64::try_from(value).unwrap_or(i64::MAX)),
        }
    }
}

/// A value that was meant as a number: digits, a sign, a point, an exponent.
fn looks_numeric(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.')
        && value.chars().any(|c| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || "+-._eE".contains(c))
}

/// Maps field paths to positions in the source text.
pub struct Locator<'t> {
    file: String,
    text: &'t str,
    root: Option<DeTable<'t>>,
    /// Paths that overrides wrote, with the argument that wrote them and its position.
    overrides: Vec<(FieldPath, String, usize)>,
}

impl<'t> Locator<'t> {
    fn new(file: &str, text: &'t str, root: Option<DeTable<'t>>) -> Self {
        Locator {
            file: file.to_string(),
            text,
            root,
            overrides: Vec::new(),
        }
    }

    pub fn problem(&self, path: &FieldPath, message: impl Into<String>) -> Problem {
        Problem {
            location: self.locate(path),
            field: (!path.0.is_empty()).then(|| path.to_string()),
            message: message.into(),
        }
    }

    /// Whether the file itself sets the value at `path`.
    pub fn in_file(&self, path: &FieldPath) -> bool {
        self.span_of(path).is_some_and(|(_, exact)| exact)
    }

    /// The override that wrote `path` or something inside it, else the
    /// deepest part of `path` present in the file, else the whole file.
    pub fn locate(&self, path: &FieldPath) -> Location {
        let written_by = |(written, argument, position): &(FieldPath, String, usize)| {
            let covers =
                path.starts_with(written) || (written.starts_with(path) && !self.in_file(path));
            covers.then(|| Location::Override {
                argument: argument.clone(),
                position: *position,
            })
        };
        if let Some(location) = self.overrides.iter().rev().find_map(written_by) {
            return location;
        }
        match self.span_of(path).map(|(offset, _)| offset) {
            Some(offset) => self.position(offset),
            None => Location::WholeFile {
                file: self.file.clone(),
            },
        }
    }

    fn position(&self, offset: usize) -> Location {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        Location::File {
            file: self.file.clone(),
            line,
            column,
        }
    }

    /// The byte offset of the deepest part of `path` present in the text (the
    /// key of a table entry, or the start of an array element), and whether
    /// that is the whole path.
    fn span_of(&self, path: &FieldPath) -> Option<(usize, bool)> {
        let root = self.root.as_ref()?;
        let mut offset = None;
        let mut table = Some(root);
        let mut array: Option<&toml::de::DeArray<'t>> = None;
        for segment in &path.0 {
            let found = match (segment, table, array) {
                (Segment::Key(key), Some(current), _) => current
                    .iter()
                    .find(|(candidate, _)| candidate.get_ref().as_ref() == key.as_str())
                    .map(|(found_key, value)| (found_key.span().start, value)),
                (Segment::Index(index), _, Some(current)) => {
                    current.get(*index).map(|value| (value.span().start, value))
                }
                _ => None,
            };
            let Some((start, value)) = found else {
                return offset.map(|offset| (offset, false));
            };
            offset = Some(start);
            table = None;
            array = None;
            match value.get_ref() {
                DeValue::Table(inner) => table = Some(inner),
                DeValue::Array(inner) => array = Some(inner),
                _ => {}
            }
        }
        offset.map(|offset| (offset, true))
    }
}

/// A scenario read and deserialised, with the locator for semantic checks.
pub struct Loaded<'t> {
    pub raw: RawScenario,
    /// The arms in file order.
    pub arms: Vec<LoadedArm>,
    pub locator: Locator<'t>,
    /// Problems found while deserialising; semantic checks add to them.
    pub problems: Vec<Problem>,
    /// Fields that were reported and dropped (wrong type, unknown key) or
    /// suggested by a "did you mean": the semantic checks do not report
    /// their knock-on effects (a dropped `baseline`, a misspelt `manager`).
    pub reported: BTreeSet<String>,
}

/// One arm as read, with the position of each intervention that could be
/// read in the file's `interventions` list.
pub struct LoadedArm {
    pub name: String,
    pub raw: RawArm,
    pub intervention_index: Vec<usize>,
    /// Some part of the arm could not be read (and was reported).
    pub incomplete: bool,
}

/// Why bytes are not UTF-8 text.
pub(crate) enum NotUtf8<'a> {
    /// They start with a UTF-16 byte-order mark.
    Utf16,
    /// They are not UTF-8 after `valid`, the text before the first bad byte.
    At { valid: &'a str },
}

/// The text of `bytes`, without a UTF-8 byte-order mark.
pub(crate) fn utf8_text(bytes: &[u8]) -> Result<&str, NotUtf8<'_>> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(NotUtf8::Utf16);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        NotUtf8::At {
            valid: std::str::from_utf8(valid).unwrap_or_default(),
        }
    })
}

/// Decodes the file's bytes; a scenario must be UTF-8.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, Vec<Problem>> {
    let whole_file = |message: String| {
        vec![Problem {
            location: Location::WholeFile {
                file: file.to_string(),
            },
            field: None,
            message,
        }]
    };
    if bytes.len() > MAX_SCENARIO_BYTES {
        return Err(whole_file(format!(
            "the file is {} MB; a scenario must be under {} MB (describe large organisations with [generate])",
            bytes.len() / (1024 * 1024),
            MAX_SCENARIO_BYTES / (1024 * 1024)
        )));
    }
    match utf8_text(bytes) {
        Err(NotUtf8::Utf16) => Err(whole_file(
            "the file is UTF-16 text; save it as UTF-8 (most editors offer it under \"Save as\" or \"Encoding\")".to_string(),
        )),
        Ok(text) if text.trim().is_empty() => Err(whole_file(
            "the file is empty; a scenario needs at least a name and its leaders".to_string(),
        )),
        Ok(text) => Ok(text.to_string()),
        Err(NotUtf8::At { valid }) => {
            let offset = valid.len();
            let locator = Locator::new(file, valid, None);
            Err(vec![Problem {
                location: locator.position(offset),
                field: None,
                message: "the file is not UTF-8 text; save it as UTF-8 (most editors offer it under \"Save as\" or \"Encoding\")".to_string(),
            }])
        }
    }
}

/// Where `path` is in the scenario `text` of `file`: the deepest part of it
/// the text has, else the whole file.
pub fn locate(file: &str, text: &str, path: &FieldPath) -> Location {
    let (root, _) = DeTable::parse_recoverable(text);
    Locator::new(file, text, Some(root.into_inner())).locate(path)
}

/// Parses `text`, applies `overrides` and deserialises, collecting every problem.
pub fn parse<'t>(
    file: &str,
    text: &'t str,
    overrides: &[Override],
) -> Result<Loaded<'t>, Vec<Problem>> {
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    let mut locator = Locator::new(file, text, Some(root.into_inner()));
    if !syntax_errors.is_empty() {
        let mut problems: Vec<Problem> = Vec::new();
        for error in &syntax_errors {
            let problem = syntax_problem(&locator, text, error.span(), error.message());
            // One mistake often confuses the parser for the rest of its
            // line: report the first problem on each line.
            let same_line = problems.last().is_some_and(|last| {
                matches!((&last.location, &problem.location),
                    (Location::File { line: a, .. }, Location::File { line: b, .. }) if a == b)
            });
            if !same_line {
                problems.push(problem);
            }
        }
        return Err(problems);
    }
    let mut table: toml::Table = match toml::from_str(text) {
        Ok(table) => table,
        Err(error) => {
            return Err(vec![syntax_problem(
                &locator,
                text,
                error.span(),
                error.message(),
            )]);
        }
    };

    if table.is_empty() && overrides.is_empty() {
        return Err(vec![Problem {
            location: Location::WholeFile {
                file: file.to_string(),
            },
            field: None,
            message: "the file sets nothing (only comments or blank lines); a scenario needs at least a name and its leaders".to_string(),
        }]);
    }
    let mut collected = Collected::default();
    for (position, set) in overrides.iter().enumerate() {
        match apply_override(&mut table, set) {
            Ok(path) => locator
                .overrides
                .push((path, set.argument.clone(), position)),
            Err(message) => collected.problems.push(Problem {
                location: Location::Override {
                    argument: set.argument.clone(),
                    position,
                },
                field: Some(set.path.join(".")),
                message,
            }),
        }
    }

    let arms_table = match table.remove("arms") {
        Some(toml::Value::Table(arms)) => arms,
        Some(other) => {
            collected.problems.push(locator.problem(
                &FieldPath::root().key("arms"),
                format!(
                    "must be a table of named arms like [arms.power-through], not {}",
                    article(other.type_str())
                ),
            ));
            collected.reported.insert("arms".to_string());
            toml::Table::new()
        }
        None => toml::Table::new(),
    };
    let raw: Option<RawScenario> = deserialize_collecting(
        toml::Value::Table(table),
        &FieldPath::root(),
        &locator,
        &mut collected,
    );
    let mut arms = Vec::new();
    for (name, value) in arms_table {
        let path = FieldPath::root().key("arms").key(&name);
        let before = collected.problems.len();
        // Each intervention is read on its own, so that one bad entry does
        // not hide the rest of the arm.
        let mut value = value;
        let interventions = match &mut value {
            toml::Value::Table(arm) => match arm.remove("interventions") {
                Some(toml::Value::Array(list)) => list,
                Some(other) => {
                    arm.insert("interventions".to_string(), other);
                    Vec::new()
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
        let arm = deserialize_collecting::<RawArm>(value, &path, &locator, &mut collected);
        let mut read = Vec::new();
        let mut intervention_index = Vec::new();
        for (index, item) in interventions.into_iter().enumerate() {
            let at = path.key("interventions").index(index);
            if let Some(intervention) =
                deserialize_collecting::<RawIntervention>(item, &at, &locator, &mut collected)
            {
                read.push(intervention);
                intervention_index.push(index);
            }
        }
        let incomplete = collected.problems.len() > before;
        if let Some(mut arm) = arm {
            arm.interventions = read;
            arms.push(LoadedArm {
                name,
                raw: arm,
                intervention_index,
                incomplete,
            });
        } else {
            collected.reported.insert(path.to_string());
        }
    }
    // Keys that failed were removed and took their defaults, so the semantic
    // checks can still run and report the rest of the file's problems.
    let Collected { problems, reported } = collected;
    match raw {
        Some(mut raw) => {
            raw.arms = arms
                .iter()
                .filter_map(|arm| Some((arm.name.clone(), toml::Value::try_from(&arm.raw).ok()?)))
                .collect();
            Ok(Loaded {
                raw,
                arms,
                locator,
                problems,
                reported,
            })
        }
        None => Err(problems),
    }
}

/// A TOML syntax error as a problem, with a hint for common slips.
fn syntax_problem(
    locator: &Locator<'_>,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
) -> Problem {
    let Some(span) = span else {
        return Problem {
            location: Location::WholeFile {
                file: locator.file.clone(),
            },
            field: None,
            message: first_line(message),
        };
    };
    let location = locator.position(span.start);
    let line_start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |newline| newline + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let spanned = text.get(span.clone()).unwrap_or("").trim();
    let message = first_line(message);
    let message = if message.starts_with("duplicate key") {
        format!("`{spanned}` is set twice; keep one of them")
    } else if message.contains("as i128") {
        "this whole number is too large (at most 9223372036854775807)".to_string()
    } else if has_decimal_comma(line) {
        format!("{message} (write decimals with a point: 0.95, not 0,95)")
    } else if line.contains('=') && line.split_once('=').is_some_and(|(_, v)| is_bare_word(v)) {
        format!("{message} (put text in quotes: name = \"two managers\")")
    } else {
        message
    };
    Problem {
        location,
        field: None,
        message,
    }
}

/// `demand = 0,95`: a digit, a comma and a digit outside quotes.
fn has_decimal_comma(line: &str) -> bool {
    let value = line.split_once('=').map_or("", |(_, value)| value);
    let value = value.split('#').next().unwrap_or("");
    !value.contains(['"', '[', '\'']) && {
        let bytes = value.trim().as_bytes();
        bytes
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == b',' && w[2].is_ascii_digit())
    }
}

/// An unquoted value that starts with a letter and is not a TOML keyword.
fn is_bare_word(value: &str) -> bool {
    let value = value.split('#').next().unwrap_or("").trim();
    value.starts_with(|c: char| c.is_alphabetic())
        && !matches!(value, "true" | "false" | "inf" | "nan")
}

/// "a table", "an integer".
fn article(noun: &str) -> String {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

/// What deserialising has found so far.
#[derive(Default)]
struct Collected {
    problems: Vec<Problem>,
    reported: BTreeSet<String>,
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// Writes `set.value` at `set.path`, creating missing tables; array elements are
/// addressed by index or by their `name`. Returns the path written, with indices.
fn apply_override(table: &mut toml::Table, set: &Override) -> Result<FieldPath, String> {
    // Arms are named by the file; a misspelt arm must not quietly add one.
    if let [first, arm, _, ..] = set.path.as_slice()
        && first == "arms"
    {
        let names: Vec<&str> = match table.get("arms") {
            Some(toml::Value::Table(arms)) => arms.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        if !names.contains(&arm.as_str()) {
            return Err(match did_you_mean(arm, &names) {
                Some(name) => format!("no arm is named `{arm}`; did you mean `{name}`?"),
                None if names.is_empty() => {
                    format!("no arm is named `{arm}`; the scenario has no arms")
                }
                None => format!("no arm is named `{arm}`; the arms are {}", names.join(", ")),
            });
        }
    }
    write_at(table, &set.path, &set.value, FieldPath::root())
}

fn write_at(
    table: &mut toml::Table,
    path: &[String],
    value: &toml::Value,
    written: FieldPath,
) -> Result<FieldPath, String> {
    let Some((first, rest)) = path.split_first() else {
        return Err("empty path".to_string());
    };
    let written = written.key(first);
    if rest.is_empty() {
        table.insert(first.clone(), value.clone());
        return Ok(written);
    }
    if !table.contains_key(first) && rest[0].parse::<usize>().is_ok() {
        return Err(format!(
            "the scenario has no `{written}` list, so it has no element {}",
            rest[0]
        ));
    }
    let entry = table
        .entry(first.clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    match entry {
        toml::Value::Table(inner) => write_at(inner, rest, value, written),
        toml::Value::Array(elements) => {
            let (selector, rest) = rest.split_first().unwrap_or((first, &[]));
            let index = element_index(elements, selector)
                .map_err(|problem| format!("`{written}` {problem}"))?;
            let element = written.index(index);
            match &mut elements[index] {
                toml::Value::Table(inner) if !rest.is_empty() => {
                    write_at(inner, rest, value, element)
                }
                toml::Value::Table(_) => Err(format!(
                    "name a field of the element, like {}.{selector}.name",
                    path[0]
                )),
                _ => Err(format!("`{element}` is not a table")),
            }
        }
        other => Err(format!(
            "`{written}` is {}, not a table",
            article(other.type_str())
        )),
    }
}

/// The element of `elements` that `selector` names, by index or by `name`.
fn element_index(elements: &[toml::Value], selector: &str) -> Result<usize, String> {
    if let Ok(index) = selector.parse::<usize>() {
        return if index < elements.len() {
            Ok(index)
        } else {
            Err(format!(
                "has {} elements, numbered from 0 to {}; there is no element {index}",
                elements.len(),
                elements.len().saturating_sub(1)
            ))
        };
    }
    fn name_of(element: &toml::Value) -> Option<&str> {
        element.get("name").and_then(toml::Value::as_str)
    }
    match elements
        .iter()
        .position(|element| name_of(element) == Some(selector))
    {
        Some(index) => Ok(index),
        None => Err({
            let names: Vec<&str> = elements.iter().filter_map(name_of).collect();
            match did_you_mean(selector, &names) {
                Some(name) => format!("has no element named `{selector}`; did you mean `{name}`?"),
                None => format!("has no element named `{selector}` (give an index or a name)"),
            }
        }),
    }
}

/// Deserialises `value` as `T`, reporting each failing key and retrying without
/// it, so one run reports every problem rather than the first.
fn deserialize_collecting<T: DeserializeOwned>(
    mut value: toml::Value,
    base: &FieldPath,
    locator: &Locator<'_>,
    collected: &mut Collected,
) -> Option<T> {
    // Stand-ins given to missing fields: path -> index in PLACEHOLDERS.
    let mut placeholders: HashMap<String, usize> = HashMap::new();
    // Each round removes a key or fills one in, so the loop ends; the bound is a safeguard.
    for _ in 0..10_000 {
        let error = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(parsed) => return Some(parsed),
            Err(error) => error,
        };
        let message = error.inner().message().to_string();
        let mut path = base.clone();
        path.0
            .extend(error.path().iter().filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
                _ => None,
            }));
        if let Some(attempt) = placeholders.get_mut(&path.to_string()) {
            // The stand-in has the wrong type for this field: try the next.
            *attempt += 1;
            let relative = &path.0[base.0.len()..];
            match PLACEHOLDERS.get(*attempt) {
                Some(placeholder) if set_at(&mut value, relative, placeholder()) => continue,
                _ => return None,
            }
        }
        if let Some(field) = backticked(&message, "unknown field `") {
            if path.0.last() != Some(&Segment::Key(field.clone())) {
                path = path.key(&field);
            }
            let (text, suggestion) = unknown_name_message("field", &field, &message);
            if let Some(suggestion) = suggestion {
                // The misspelt field is then missing: that is the same mistake.
                let mut parent = path.clone();
                parent.0.pop();
                collected
                    .reported
                    .insert(parent.key(&suggestion).to_string());
            }
            collected.problems.push(locator.problem(&path, text));
        } else if let Some(variant) = backticked(&message, "unknown variant `") {
            let (text, _) = unknown_name_message("kind", &variant, &message);
            collected.problems.push(locator.problem(&path, text));
        } else if let Some(field) = backticked(&message, "missing field `") {
            let missing = path.key(&field);
            if collected.reported.insert(missing.to_string()) {
                let text = if field == "kind" {
                    "missing `kind`; give one of escalation, status-meeting, connection-first"
                        .to_string()
                } else {
                    format!("missing required field `{field}`")
                };
                collected.problems.push(locator.problem(&missing, text));
            }
            // Read on with a stand-in value, so that the rest of the file is
            // checked too; checks skip fields already reported.
            let relative = &missing.0[base.0.len()..];
            if field == "kind" || !set_at(&mut value, relative, PLACEHOLDERS[0]()) {
                return None;
            }
            placeholders.insert(missing.to_string(), 0);
            continue;
        } else {
            collected
                .problems
                .push(locator.problem(&path, friendly(&message, &path)));
        }
        collected.reported.insert(path.to_string());
        // A bad key is dropped (it takes its default); a bad list element
        // gets a stand-in, since removing it would shift the later indices.
        let relative = &path.0[base.0.len()..];
        match relative.last() {
            Some(Segment::Key(_)) if remove_at(&mut value, relative) => {}
            Some(Segment::Index(_)) if set_at(&mut value, relative, PLACEHOLDERS[0]()) => {
                placeholders.insert(path.to_string(), 0);
            }
            _ => return None,
        }
    }
    None
}

fn backticked(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    Some(rest[..rest.find('`')?].to_string())
}

/// "unknown field `insecurty`, expected one of `a`, `b`" becomes a sentence
/// with a suggestion for a near miss, which is returned too.
fn unknown_name_message(what: &str, name: &str, message: &str) -> (String, Option<String>) {
    let expected: Vec<&str> = message
        .split_once("expected")
        .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default();
    match did_you_mean(name, &expected) {
        Some(suggestion) => (
            format!("unknown {what} `{name}`; did you mean `{suggestion}`?"),
            Some(suggestion.to_string()),
        ),
        None if expected.is_empty() => (format!("unknown {what} `{name}`"), None),
        None => (
            format!(
                "unknown {what} `{name}`; expected one of {}",
                expected.join(", ")
            ),
            None,
        ),
    }
}

/// The closest expected name within a small edit distance, if any.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Rewords serde's messages for people who are not programmers.
fn friendly(message: &str, path: &FieldPath) -> String {
    let message = first_line(message);
    let mut words: Vec<String> = Vec::new();
    let mut pieces = message.split(' ').peekable();
    while let Some(word) = pieces.next() {
        match word {
            // "expected struct TeamParams", "internally tagged enum RawIntervention"
            "struct" if pieces.peek().is_some() => {
                pieces.next();
                words.push("a table".to_string());
            }
            "internally" if pieces.peek() == Some(&"tagged") => {
                pieces.next();
                pieces.next();
                pieces.next();
                words.push("a table like { kind = \"escalation\" }".to_string());
            }
            _ => words.push(word.to_string()),
        }
    }
    let mut message = words
        .join(" ")
        .replace("i64", "a whole number")
        .replace("f64", "a number")
        .replace("invalid type: ", "wrong type: ")
        .replace("a sequence", "a list")
        .replace("a map", "a table");
    let list_of_tables = matches!(
        path.0.as_slice(),
        [Segment::Key(key)] if ["leaders", "managers", "projects", "workstreams"].contains(&key.as_str())
    );
    if list_of_tables && message.contains("expected a list") {
        message.push_str(&format!(
            "; write each entry under its own [[{path}]] header, with double brackets"
        ));
    }
    message
}

/// Stand-in values for a missing field, tried in turn until one has its type.
const PLACEHOLDERS: [fn() -> toml::Value; 6] = [
    || toml::Value::String(String::new()),
    || toml::Value::Float(0.0),
    || toml::Value::Integer(0),
    || toml::Value::Array(Vec::new()),
    || toml::Value::Table(toml::Table::new()),
    || toml::Value::Boolean(false),
];

/// Sets the value at `path` (its parent must exist); false when it cannot.
fn set_at(value: &mut toml::Value, path: &[Segment], new: toml::Value) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    match (last, parent_at(value, parents)) {
        (Segment::Key(key), Some(toml::Value::Table(table))) => {
            table.insert(key.clone(), new);
            true
        }
        (Segment::Index(index), Some(toml::Value::Array(array))) if *index < array.len() => {
            array[*index] = new;
            true
        }
        _ => false,
    }
}

fn parent_at<'v>(value: &'v mut toml::Value, path: &[Segment]) -> Option<&'v mut toml::Value> {
    let mut current = value;
    for segment in path {
        current = match (segment, current) {
            (Segment::Key(key), toml::Value::Table(table)) => table.get_mut(key)?,
            (Segment::Index(index), toml::Value::Array(array)) => array.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(current)
}

fn remove_at(value: &mut toml::Value, path: &[Segment]) -> bool {
    let Some((Segment::Key(last), parents)) = path.split_last() else {
        return false;
    };
    match parent_at(value, parents) {
        Some(toml::Value::Table(table)) => table.remove(last).is_some(),
        _ => false,
    }
}
