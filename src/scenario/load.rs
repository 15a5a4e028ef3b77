//! Reading a scenario: bytes to text, text to TOML, `--set` overrides, TOML to
//! [`RawScenario`], collecting every problem with its file position.
//!
//! serde stops at the first error in a value, so deserialisation runs in a loop:
//! each failing key is reported, removed, and the rest deserialised again. The
//! problems carry a [`FieldPath`], which the [`Locator`] maps back to a line and
//! column in the original text (or to the `--set` argument that introduced it).

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

use super::error::{FieldPath, Location, Problem, Segment};
use super::raw::{RawArm, RawScenario};

/// Scenario files larger than this are refused before parsing: a hand-written
/// scenario is a few kilobytes, and a generated organisation is described by
/// its `[generate]` section, not by listing 100,000 leaders.
pub const MAX_SCENARIO_BYTES: usize = 4 * 1024 * 1024;

/// One `--set path=value` argument, parsed.
#[derive(Debug, Clone)]
pub struct Override {
    pub argument: String,
    pub path: Vec<String>,
    pub value: toml::Value,
}

impl Override {
    /// Parses `path=value`; the value is read as TOML (`3`, `0.5`, `true`,
    /// `"text"`, `[1, 2]`) and falls back to a plain string.
    pub fn parse(argument: &str) -> Result<Override, String> {
        let Some((path, value)) = argument.split_once('=') else {
            return Err(format!("`{argument}` is not of the form path=value"));
        };
        let path: Vec<String> = path.trim().split('.').map(str::to_string).collect();
        if path.iter().any(|segment| segment.is_empty()) {
            return Err(format!("`{argument}`: the path has an empty part"));
        }
        let value = value.trim();
        let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut table| table.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.to_string()));
        Ok(Override {
            argument: argument.to_string(),
            path,
            value: parsed,
        })
    }
}

/// Maps field paths to positions in the source text.
pub struct Locator<'t> {
    file: String,
    text: &'t str,
    root: Option<DeTable<'t>>,
    /// Paths that `--set` wrote, with the argument that wrote them.
    overrides: Vec<(FieldPath, String)>,
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

    pub fn locate(&self, path: &FieldPath) -> Location {
        if let Some((_, argument)) = self
            .overrides
            .iter()
            .find(|(written, _)| path.starts_with(written))
        {
            return Location::Override {
                argument: argument.clone(),
            };
        }
        match self.span_of(path) {
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

    /// The byte offset of the deepest part of `path` present in the text: the
    /// key of a table entry, or the start of an array element.
    fn span_of(&self, path: &FieldPath) -> Option<usize> {
        let root = self.root.as_ref()?;
        let mut offset = None;
        let mut table = Some(root);
        let mut array: Option<&toml::de::DeArray<'t>> = None;
        for segment in &path.0 {
            let value = match (segment, table, array) {
                (Segment::Key(key), Some(current), _) => {
                    let (found_key, value) = current
                        .iter()
                        .find(|(candidate, _)| candidate.get_ref().as_ref() == key.as_str())?;
                    offset = Some(found_key.span().start);
                    value
                }
                (Segment::Index(index), _, Some(current)) => {
                    let value = current.get(*index)?;
                    offset = Some(value.span().start);
                    value
                }
                _ => break,
            };
            table = None;
            array = None;
            match value.get_ref() {
                DeValue::Table(inner) => table = Some(inner),
                DeValue::Array(inner) => array = Some(inner),
                _ => {}
            }
        }
        offset
    }
}

/// A scenario read and deserialised, with the locator for semantic checks.
pub struct Loaded<'t> {
    pub raw: RawScenario,
    /// The arms in file order, by name.
    pub arms: Vec<(String, RawArm)>,
    pub locator: Locator<'t>,
    /// Problems found while deserialising; semantic checks add to them.
    pub problems: Vec<Problem>,
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
    match std::str::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => Err(whole_file(
            "the file is empty; a scenario needs at least a name and its leaders".to_string(),
        )),
        Ok(text) => Ok(text.to_string()),
        Err(error) => {
            let offset = error.valid_up_to();
            let locator = Locator::new(
                file,
                std::str::from_utf8(&bytes[..offset]).unwrap_or(""),
                None,
            );
            Err(vec![Problem {
                location: locator.position(offset),
                field: None,
                message: "the file is not valid UTF-8 text".to_string(),
            }])
        }
    }
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
        return Err(syntax_errors
            .iter()
            .map(|error| Problem {
                location: match error.span() {
                    Some(span) => locator.position(span.start),
                    None => Location::WholeFile {
                        file: file.to_string(),
                    },
                },
                field: None,
                message: first_line(error.message()),
            })
            .collect());
    }
    let mut table: toml::Table = match toml::from_str(text) {
        Ok(table) => table,
        Err(error) => {
            let location = match error.span() {
                Some(span) => locator.position(span.start),
                None => Location::WholeFile {
                    file: file.to_string(),
                },
            };
            return Err(vec![Problem {
                location,
                field: None,
                message: first_line(error.message()),
            }]);
        }
    };

    let mut problems = Vec::new();
    for set in overrides {
        match apply_override(&mut table, set) {
            Ok(path) => locator.overrides.push((path, set.argument.clone())),
            Err(message) => problems.push(Problem {
                location: Location::Override {
                    argument: set.argument.clone(),
                },
                field: Some(set.path.join(".")),
                message,
            }),
        }
    }

    let arms_table = match table.remove("arms") {
        Some(toml::Value::Table(arms)) => arms,
        Some(other) => {
            problems.push(locator.problem(
                &FieldPath::root().key("arms"),
                format!(
                    "must be a table of named arms like [arms.power-through], not {}",
                    other.type_str()
                ),
            ));
            toml::Table::new()
        }
        None => toml::Table::new(),
    };
    let raw: Option<RawScenario> = deserialize_collecting(
        toml::Value::Table(table),
        &FieldPath::root(),
        &locator,
        &mut problems,
    );
    let mut arms = Vec::new();
    for (name, value) in arms_table {
        let path = FieldPath::root().key("arms").key(&name);
        if let Some(arm) = deserialize_collecting::<RawArm>(value, &path, &locator, &mut problems) {
            arms.push((name, arm));
        }
    }
    // Keys that failed were removed and took their defaults, so the semantic
    // checks can still run and report the rest of the file's problems.
    match raw {
        Some(mut raw) => {
            raw.arms = arms
                .iter()
                .filter_map(|(name, arm)| Some((name.clone(), toml::Value::try_from(arm).ok()?)))
                .collect();
            Ok(Loaded {
                raw,
                arms,
                locator,
                problems,
            })
        }
        None => Err(problems),
    }
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// Writes `set.value` at `set.path`, creating missing tables; array elements are
/// addressed by index or by their `name`. Returns the path written, with indices.
fn apply_override(table: &mut toml::Table, set: &Override) -> Result<FieldPath, String> {
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
    let entry = table
        .entry(first.clone())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    match entry {
        toml::Value::Table(inner) => write_at(inner, rest, value, written),
        toml::Value::Array(elements) => {
            let (selector, rest) = rest.split_first().unwrap_or((first, &[]));
            let index = element_index(elements, selector).ok_or_else(|| {
                format!("`{written}` has no element `{selector}` (give an index or a name)")
            })?;
            let written = written.index(index);
            match &mut elements[index] {
                toml::Value::Table(inner) if !rest.is_empty() => {
                    write_at(inner, rest, value, written)
                }
                toml::Value::Table(_) => Err(format!("`{written}`: name a field of the element")),
                _ => Err(format!("`{written}` is not a table")),
            }
        }
        other => Err(format!(
            "`{written}` is a {}, not a table",
            other.type_str()
        )),
    }
}

fn element_index(elements: &[toml::Value], selector: &str) -> Option<usize> {
    if let Ok(index) = selector.parse::<usize>() {
        return (index < elements.len()).then_some(index);
    }
    elements.iter().position(|element| {
        element
            .get("name")
            .and_then(toml::Value::as_str)
            .is_some_and(|name| name == selector)
    })
}

/// Deserialises `value` as `T`, reporting each failing key and retrying without
/// it, so one run reports every problem rather than the first.
fn deserialize_collecting<T: DeserializeOwned>(
    mut value: toml::Value,
    base: &FieldPath,
    locator: &Locator<'_>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let mut removed: BTreeSet<String> = BTreeSet::new();
    // Each round removes one key, so the loop ends; the bound is a safeguard.
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
        if let Some(field) = backticked(&message, "unknown field `") {
            if path.0.last() != Some(&Segment::Key(field.clone())) {
                path = path.key(&field);
            }
            problems.push(locator.problem(&path, unknown_field_message(&field, &message)));
        } else if let Some(field) = backticked(&message, "missing field `") {
            // A field removed for a bad value is not missing a second time.
            if !removed.contains(&path.key(&field).to_string()) {
                problems.push(locator.problem(
                    &path.key(&field),
                    format!("missing required field `{field}`"),
                ));
            }
            return None;
        } else {
            problems.push(locator.problem(&path, friendly(&message)));
        }
        let relative = &path.0[base.0.len()..];
        if relative.is_empty() || !remove_at(&mut value, relative) {
            return None;
        }
        removed.insert(path.to_string());
    }
    None
}

fn backticked(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    Some(rest[..rest.find('`')?].to_string())
}

/// "unknown field `insecurty`, expected one of `a`, `b`" becomes a sentence
/// with a suggestion for a near miss.
fn unknown_field_message(field: &str, message: &str) -> String {
    let expected: Vec<&str> = message
        .split_once("expected")
        .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default();
    match did_you_mean(field, &expected) {
        Some(suggestion) => format!("unknown field `{field}`; did you mean `{suggestion}`?"),
        None if expected.is_empty() => format!("unknown field `{field}`"),
        None => format!(
            "unknown field `{field}`; expected one of {}",
            expected.join(", ")
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
fn friendly(message: &str) -> String {
    let message = first_line(message);
    message
        .replace("i64", "a whole number")
        .replace("f64", "a number")
        .replace("invalid type: ", "wrong type: ")
        .replace("a sequence", "a list")
        .replace("a map", "a table")
}

fn remove_at(value: &mut toml::Value, path: &[Segment]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut current = value;
    for segment in parents {
        current = match (segment, current) {
            (Segment::Key(key), toml::Value::Table(table)) => match table.get_mut(key) {
                Some(next) => next,
                None => return false,
            },
            (Segment::Index(index), toml::Value::Array(array)) => match array.get_mut(*index) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, current) {
        (Segment::Key(key), toml::Value::Table(table)) => table.remove(key).is_some(),
        // Removing an element would shift the indices of later problems; an
        // element whose own value is wrong ends the collection for this value.
        _ => false,
    }
}
