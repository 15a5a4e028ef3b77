//! An organisation imported from two CSV files, as HR systems and
//! spreadsheets export them, written as the `[[managers]]`, `[[leaders]]`
//! and `[[projects]]` tables of a scenario.
//!
//! `people.csv` has one row per person:
//!
//! | column | meaning |
//! |---|---|
//! | `name` (or `leader`) | the person's name, unique |
//! | `team_size` | people in their team besides them; a leader's team has at least one |
//! | `manager` (or `reports_to`) | the name of the person they report to; empty for the top |
//! | `demand`, `disclosure`, `insecurity` | optional, a leader's own values |
//! | `support` | optional, a manager's own value |
//!
//! Whoever someone reports to is a manager; everyone else is a leader and
//! needs a team and a manager. `projects.csv` has one row per shared
//! project: `project` (or `name`), `members` (leaders' names separated by
//! `;`, `|` or `,`), and optionally `weekly_share` (the share of each
//! member's capacity owed every week; also `project_share`), `priority`
//! and `ambiguity`. Header names are matched without regard to case,
//! spaces or hyphens; other columns are ignored and named in a note.
//!
//! Every problem names the file, the line and the column. Values are then
//! checked by the scenario validator, whose problems are mapped back to
//! the row they came from ([`Imported::locate`]).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::load::{NotUtf8, did_you_mean, utf8_text};
use crate::words::count;

/// A problem with one cell or row of a CSV file: one line of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub file: String,
    /// 1-based; 0 when the problem is with the whole file.
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(column) = &self.column {
            write!(f, ": {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The organisation as scenario text, with where each of its tables came
/// from.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The `[[managers]]`, `[[leaders]]` and `[[projects]]` tables.
    pub toml: String,
    /// Columns of the files that were not read, per file.
    pub ignored: Vec<(String, Vec<String>)>,
    /// `(file, line)` of each manager, leader and project, in the order
    /// of the tables.
    managers: Vec<(String, u64)>,
    leaders: Vec<(String, u64)>,
    projects: Vec<(String, u64)>,
}

impl Imported {
    pub fn leaders(&self) -> usize {
        self.leaders.len()
    }

    pub fn managers(&self) -> usize {
        self.managers.len()
    }

    pub fn projects(&self) -> usize {
        self.projects.len()
    }

    /// "6 leaders under 3 managers, 4 shared projects".
    pub fn summary(&self) -> String {
        format!(
            "{} under {}, {}",
            count(self.leaders() as f64, "leader"),
            count(self.managers() as f64, "manager"),
            count(self.projects() as f64, "shared project")
        )
    }

    /// The CSV row a scenario field comes from (`leaders[3].demand` is the
    /// fourth leader's row), with the column, or `None` for a field the
    /// import did not write.
    pub fn locate(&self, field: &str) -> Option<(String, u64, String)> {
        let (table, rest) = field.split_once('[')?;
        let (index, rest) = rest.split_once(']')?;
        let index: usize = index.parse().ok()?;
        let rows = match table {
            "managers" => &self.managers,
            "leaders" => &self.leaders,
            "projects" => &self.projects,
            _ => return None,
        };
        let (file, line) = rows.get(index)?;
        let column = rest.trim_start_matches('.').split(['.', '[']).next()?;
        let column = match (table, column) {
            (_, "reports_to") | ("leaders", "manager") => "manager",
            ("projects", "project_share") => "weekly_share",
            (_, "") => "name",
            (_, other) => other,
        };
        Some((file.clone(), *line, column.to_owned()))
    }
}

/// A column the import reads: its name, what else it may be called, and
/// whether every file must have it.
struct Column {
    name: &'static str,
    aliases: &'static [&'static str],
    required: bool,
}

const PEOPLE_COLUMNS: [Column; 7] = [
    Column {
        name: "name",
        aliases: &["leader", "person", "employee"],
        required: true,
    },
    Column {
        name: "team_size",
        aliases: &["team", "team_members"],
        required: true,
    },
    Column {
        name: "manager",
        aliases: &["reports_to", "manager_name", "line_manager"],
        required: true,
    },
    Column {
        name: "demand",
        aliases: &[],
        required: false,
    },
    Column {
        name: "disclosure",
        aliases: &[],
        required: false,
    },
    Column {
        name: "insecurity",
        aliases: &[],
        required: false,
    },
    Column {
        name: "support",
        aliases: &[],
        required: false,
    },
];

const PROJECT_COLUMNS: [Column; 5] = [
    Column {
        name: "project",
        aliases: &["name", "project_name"],
        required: true,
    },
    Column {
        name: "members",
        aliases: &["leaders", "member"],
        required: true,
    },
    Column {
        name: "weekly_share",
        aliases: &["project_share", "share"],
        required: false,
    },
    Column {
        name: "priority",
        aliases: &[],
        required: false,
    },
    Column {
        name: "ambiguity",
        aliases: &["role_ambiguity"],
        required: false,
    },
];

/// Characters that separate the members of a project.
const MEMBER_SEPARATORS: [char; 3] = [';', '|', ','];

/// One data row of a CSV file: its line and its cells by column name.
struct Row {
    line: u64,
    cells: HashMap<&'static str, String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }
}

/// A CSV file's rows, with its known columns found by header name.
struct Table {
    file: String,
    rows: Vec<Row>,
    ignored: Vec<String>,
}

/// `"Team Size"`, `"team-size"` and `"team_size"` are the same header.
fn header_key(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

fn read_table(
    file: &str,
    bytes: &[u8],
    columns: &'static [Column],
) -> Result<Table, Vec<ImportProblem>> {
    let whole = |message: String| {
        vec![ImportProblem {
            file: file.to_owned(),
            line: 0,
            column: None,
            message,
        }]
    };
    let text = utf8_text(bytes).map_err(|error| match error {
        NotUtf8::Utf16 => whole(
            "the file is UTF-16 text; save it as CSV UTF-8 (spreadsheets offer it under \"Save as\")".to_owned(),
        ),
        NotUtf8::At { valid } => vec![ImportProblem {
            file: file.to_owned(),
            line: 1 + valid.matches('\n').count() as u64,
            column: None,
            message: "not UTF-8 text; save the file as CSV UTF-8 (spreadsheets offer it under \"Save as\")".to_owned(),
        }],
    })?;
    let header_line = text.lines().next().unwrap_or_default();
    // Spreadsheets in some locales write `;` between cells.
    let delimiter = if !header_line.contains(',') && header_line.contains(';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|error| whole(format!("cannot read the header row: {error}")))?
        .clone();
    if headers.iter().all(|header| header.trim().is_empty()) {
        return Err(whole(format!(
            "the file is empty; its first row names the columns: {}",
            column_list(columns)
        )));
    }
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    let mut ignored = Vec::new();
    for (position, header) in headers.iter().enumerate() {
        let key = header_key(header);
        let known = columns
            .iter()
            .find(|column| column.name == key || column.aliases.contains(&key.as_str()));
        match known {
            Some(column) if !index.contains_key(column.name) => {
                index.insert(column.name, position);
            }
            Some(column) => {
                return Err(vec![ImportProblem {
                    file: file.to_owned(),
                    line: 1,
                    column: Some(header.to_owned()),
                    message: format!("a second column for `{}`", column.name),
                }]);
            }
            None if !header.trim().is_empty() => ignored.push(header.trim().to_owned()),
            None => {}
        }
    }
    let missing: Vec<&str> = columns
        .iter()
        .filter(|column| column.required && !index.contains_key(column.name))
        .map(|column| column.name)
        .collect();
    if !missing.is_empty() {
        let names: Vec<&str> = headers.iter().collect();
        let hint = missing
            .iter()
            .find_map(|name| did_you_mean(name, &names).map(|found| (name, found)))
            .map_or(String::new(), |(name, found)| {
                format!(" (is `{found}` meant to be `{name}`?)")
            });
        return Err(vec![ImportProblem {
            file: file.to_owned(),
            line: 1,
            column: None,
            message: format!(
                "no {} column{hint}; the first row names the columns: {}",
                missing
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(" or "),
                column_list(columns)
            ),
        }]);
    }
    let mut rows = Vec::new();
    let mut long_rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            let line = error.position().map_or(0, csv::Position::line);
            vec![ImportProblem {
                file: file.to_owned(),
                line,
                column: None,
                message: format!("cannot read the row: {error}"),
            }]
        })?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, csv::Position::line);
        // More cells than the header names is a cell split in two (a decimal
        // comma in a comma-separated file, an unquoted list): never guessed.
        if record
            .iter()
            .skip(headers.len())
            .any(|cell| !cell.trim().is_empty())
        {
            long_rows.push(ImportProblem {
                file: file.to_owned(),
                line,
                column: None,
                message: format!(
                    "{} cells where the header names {}; quote a cell that holds the separator (a decimal comma, a list of members)",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let cells = index
            .iter()
            .map(|(&name, &position)| (name, record.get(position).unwrap_or("").trim().to_owned()))
            .collect();
        rows.push(Row { line, cells });
    }
    if !long_rows.is_empty() {
        return Err(long_rows);
    }
    Ok(Table {
        file: file.to_owned(),
        rows,
        ignored,
    })
}

fn column_list(columns: &[Column]) -> String {
    columns
        .iter()
        .map(|column| {
            if column.required {
                column.name.to_owned()
            } else {
                format!("{} (optional)", column.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Collects the problems of the rows, so one run reports them all.
struct Problems {
    file: String,
    found: Vec<ImportProblem>,
}

impl Problems {
    fn add(&mut self, line: u64, column: &str, message: String) {
        self.found.push(ImportProblem {
            file: self.file.clone(),
            line,
            column: Some(column.to_owned()),
            message,
        });
    }

    /// The row's name in `column`, the first time it is seen; a problem
    /// when the cell is empty (`needed` says why it may not be) or the name
    /// was on an earlier line (`advice` says what to do).
    fn new_name(
        &mut self,
        row: &Row,
        column: &str,
        seen: &mut HashMap<String, u64>,
        needed: &str,
        advice: &str,
    ) -> Option<String> {
        let name = row.get(column).to_owned();
        if name.is_empty() {
            self.add(row.line, column, format!("empty; {needed}"));
            return None;
        }
        if let Some(first) = seen.get(&name) {
            self.add(
                row.line,
                column,
                format!("{name} is already on line {first}; {advice}"),
            );
            return None;
        }
        seen.insert(name.clone(), row.line);
        Some(name)
    }

    /// The cell as a number, or `None` when empty; a problem when not one.
    fn number(&mut self, row: &Row, column: &str) -> Option<f64> {
        let cell = row.get(column);
        if cell.is_empty() {
            return None;
        }
        match cell.replace(',', ".").parse::<f64>() {
            Ok(value) if value.is_finite() => Some(value),
            _ => {
                self.add(row.line, column, format!("not a number: `{cell}`"));
                None
            }
        }
    }
}

/// One person of `people.csv`.
struct Person {
    name: String,
    line: u64,
    manager: Option<String>,
    team_size: Option<i64>,
    demand: Option<f64>,
    disclosure: Option<f64>,
    insecurity: Option<f64>,
    support: Option<f64>,
}

/// Reads both files into the organisation's tables, or every problem
/// found in them.
pub fn import(
    people_file: &str,
    people: &[u8],
    projects_file: &str,
    projects: &[u8],
) -> Result<Imported, Vec<ImportProblem>> {
    let people_table = read_table(people_file, people, &PEOPLE_COLUMNS)?;
    let project_table = read_table(projects_file, projects, &PROJECT_COLUMNS)?;
    let mut problems = Problems {
        file: people_file.to_owned(),
        found: Vec::new(),
    };
    let persons = read_people(&people_table, &mut problems);
    let managers: HashSet<&str> = persons
        .iter()
        .filter_map(|person| person.manager.as_deref())
        .collect();
    check_reporting_lines(&persons, &mut problems);
    for person in &persons {
        let is_manager = managers.contains(person.name.as_str());
        if is_manager {
            for (column, set) in [
                ("demand", person.demand.is_some()),
                ("disclosure", person.disclosure.is_some()),
                ("insecurity", person.insecurity.is_some()),
            ] {
                if set {
                    problems.add(
                        person.line,
                        column,
                        format!("{} is a manager (others report to them); {column} is a leader's value, so leave it empty", person.name),
                    );
                }
            }
            continue;
        }
        match person.team_size {
            None => problems.add(
                person.line,
                "team_size",
                format!(
                    "{} leads a team (nobody reports to them), so their team needs a size: the people in it besides them",
                    person.name
                ),
            ),
            Some(size) if size < 1 => problems.add(
                person.line,
                "team_size",
                format!("{}'s team is empty (got {size}); a leader's team has at least 1 person besides them", person.name),
            ),
            Some(_) => {}
        }
        if person.manager.is_none() {
            problems.add(
                person.line,
                "manager",
                format!("{} leads a team but reports to nobody; every leader needs a manager (add one, with a row of their own)", person.name),
            );
        }
        if person.support.is_some() {
            problems.add(
                person.line,
                "support",
                format!("{} is a leader (nobody reports to them); support is a manager's value, so leave it empty", person.name),
            );
        }
    }
    let leaders: Vec<&Person> = persons
        .iter()
        .filter(|person| !managers.contains(person.name.as_str()))
        .collect();
    let mut project_problems = Problems {
        file: projects_file.to_owned(),
        found: Vec::new(),
    };
    let projects = read_projects(&project_table, &persons, &managers, &mut project_problems);
    problems.found.sort_by_key(|problem| problem.line);
    project_problems.found.sort_by_key(|problem| problem.line);
    problems.found.extend(project_problems.found);
    if !problems.found.is_empty() {
        return Err(problems.found);
    }
    if leaders.len() < 2 {
        return Err(vec![ImportProblem {
            file: people_file.to_owned(),
            line: 0,
            column: None,
            message: format!(
                "{} (people nobody reports to); a scenario needs at least two who share a project",
                count(leaders.len() as f64, "leader")
            ),
        }]);
    }
    Ok(write_tables(
        &persons,
        &managers,
        &projects,
        &people_table,
        &project_table,
    ))
}

fn read_people(table: &Table, problems: &mut Problems) -> Vec<Person> {
    let mut persons: Vec<Person> = Vec::new();
    let mut lines: HashMap<String, u64> = HashMap::new();
    for row in &table.rows {
        // An empty name holds no separator: the empty cell is said below.
        let cell = row.get("name");
        if let Some(bad) = cell
            .chars()
            .find(|c| MEMBER_SEPARATORS.contains(c) || c.is_control())
        {
            problems.add(
                row.line,
                "name",
                format!(
                    "`{cell}` contains `{}`, which separates names in projects.csv's members",
                    bad.escape_default()
                ),
            );
            continue;
        }
        let Some(name) = problems.new_name(
            row,
            "name",
            &mut lines,
            "every person needs a name",
            "names must be unique",
        ) else {
            continue;
        };
        let team = row.get("team_size");
        let team_size = if team.is_empty() {
            None
        } else {
            match team.parse::<i64>() {
                Ok(size) => Some(size),
                Err(_) => {
                    problems.add(
                        row.line,
                        "team_size",
                        format!("not a whole number: `{team}`"),
                    );
                    Some(1)
                }
            }
        };
        let manager = Some(row.get("manager").to_owned()).filter(|manager| !manager.is_empty());
        persons.push(Person {
            name,
            line: row.line,
            manager,
            team_size,
            demand: problems.number(row, "demand"),
            disclosure: problems.number(row, "disclosure"),
            insecurity: problems.number(row, "insecurity"),
            support: problems.number(row, "support"),
        });
    }
    persons
}

/// Every manager named has a row; nobody reports to themselves, directly
/// or round a cycle.
fn check_reporting_lines(persons: &[Person], problems: &mut Problems) {
    let by_name: HashMap<&str, &Person> = persons
        .iter()
        .map(|person| (person.name.as_str(), person))
        .collect();
    let names: Vec<&str> = persons.iter().map(|person| person.name.as_str()).collect();
    let mut in_cycle: HashSet<&str> = HashSet::new();
    for person in persons {
        let Some(manager) = person.manager.as_deref() else {
            continue;
        };
        if manager == person.name {
            problems.add(
                person.line,
                "manager",
                format!("{manager} cannot report to themselves"),
            );
            continue;
        }
        if !by_name.contains_key(manager) {
            let hint = did_you_mean(manager, &names)
                .map_or(String::new(), |name| format!("did you mean `{name}`? "));
            problems.add(
                person.line,
                "manager",
                format!("unknown manager `{manager}`: no row is named so; {hint}add a row for them, with their own manager or none"),
            );
            continue;
        }
        // Walk up; meeting `person` again is a cycle (reported once, at the
        // first of its rows).
        let mut chain = vec![person.name.as_str()];
        let mut current = manager;
        while let Some(next) = by_name.get(current) {
            if current == person.name {
                if !chain.iter().any(|name| in_cycle.contains(name)) {
                    chain.push(current);
                    problems.add(
                        person.line,
                        "manager",
                        format!(
                            "a reporting cycle: {} reports to {}",
                            chain[0],
                            chain[1..].join(", who reports to ")
                        ),
                    );
                    in_cycle.extend(chain.iter().copied());
                }
                break;
            }
            if chain.contains(&current) {
                break;
            }
            chain.push(current);
            match next.manager.as_deref() {
                Some(up) => current = up,
                None => break,
            }
        }
    }
}

/// One row of `projects.csv`.
struct Project {
    name: String,
    line: u64,
    members: Vec<String>,
    share: Option<f64>,
    priority: Option<f64>,
    ambiguity: Option<f64>,
}

fn read_projects(
    table: &Table,
    persons: &[Person],
    managers: &HashSet<&str>,
    problems: &mut Problems,
) -> Vec<Project> {
    let leaders: Vec<&str> = persons
        .iter()
        .map(|person| person.name.as_str())
        .filter(|name| !managers.contains(name))
        .collect();
    let mut lines: HashMap<String, u64> = HashMap::new();
    let mut projects = Vec::new();
    for row in &table.rows {
        let Some(name) = problems.new_name(
            row,
            "project",
            &mut lines,
            "every project needs a name",
            "list each project once, with all its members",
        ) else {
            continue;
        };
        let mut members: Vec<String> = Vec::new();
        for member in row
            .get("members")
            .split(MEMBER_SEPARATORS)
            .map(str::trim)
            .filter(|member| !member.is_empty())
        {
            if members.iter().any(|known| known == member) {
                problems.add(row.line, "members", format!("{member} is listed twice"));
            } else if managers.contains(member) {
                problems.add(
                    row.line,
                    "members",
                    format!(
                        "{member} is a manager (others report to them); only leaders share projects"
                    ),
                );
            } else if !leaders.contains(&member) {
                let hint = did_you_mean(member, &leaders)
                    .map_or(String::new(), |name| format!("; did you mean `{name}`?"));
                problems.add(
                    row.line,
                    "members",
                    format!("`{member}` is not a leader in the people file{hint}"),
                );
            }
            members.push(member.to_owned());
        }
        if members.len() < 2 {
            problems.add(
                row.line,
                "members",
                format!(
                    "{name} has {}; a shared project needs at least two leaders, separated by `;`",
                    count(members.len() as f64, "member")
                ),
            );
        }
        projects.push(Project {
            name,
            line: row.line,
            members,
            share: problems.number(row, "weekly_share"),
            priority: problems.number(row, "priority"),
            ambiguity: problems.number(row, "ambiguity"),
        });
    }
    projects
}

fn write_tables(
    persons: &[Person],
    managers: &HashSet<&str>,
    projects: &[Project],
    people: &Table,
    project_table: &Table,
) -> Imported {
    let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let mut toml = String::new();
    let mut manager_rows = Vec::new();
    let mut leader_rows = Vec::new();
    let mut project_rows = Vec::new();
    let _ = writeln!(
        toml,
        "# The organisation, imported from {} and {} by `empathy-gap init`.\n# Leaders take [defaults] unless the people file sets their demand,\n# disclosure or insecurity.\n",
        people.file, project_table.file
    );
    for person in persons
        .iter()
        .filter(|person| managers.contains(person.name.as_str()))
    {
        let _ = writeln!(toml, "[[managers]]\nname = {}", quoted(&person.name));
        if let Some(manager) = &person.manager {
            let _ = writeln!(toml, "reports_to = {}", quoted(manager));
        }
        if let Some(support) = person.support {
            let _ = writeln!(toml, "support = {support:?}");
        }
        toml.push('\n');
        manager_rows.push((people.file.clone(), person.line));
    }
    for person in persons
        .iter()
        .filter(|person| !managers.contains(person.name.as_str()))
    {
        let _ = writeln!(toml, "[[leaders]]\nname = {}", quoted(&person.name));
        if let Some(size) = person.team_size {
            let _ = writeln!(toml, "team_size = {size}");
        }
        if let Some(manager) = &person.manager {
            let _ = writeln!(toml, "manager = {}", quoted(manager));
        }
        for (key, value) in [
            ("demand", person.demand),
            ("disclosure", person.disclosure),
            ("insecurity", person.insecurity),
        ] {
            if let Some(value) = value {
                let _ = writeln!(toml, "{key} = {value:?}");
            }
        }
        toml.push('\n');
        leader_rows.push((people.file.clone(), person.line));
    }
    for project in projects {
        let members: Vec<String> = project
            .members
            .iter()
            .map(|member| quoted(member))
            .collect();
        let _ = writeln!(
            toml,
            "[[projects]]\nname = {}\nmembers = [{}]",
            quoted(&project.name),
            members.join(", ")
        );
        for (key, value) in [
            ("project_share", project.share),
            ("priority", project.priority),
            ("ambiguity", project.ambiguity),
        ] {
            if let Some(value) = value {
                let _ = writeln!(toml, "{key} = {value:?}");
            }
        }
        toml.push('\n');
        project_rows.push((project_table.file.clone(), project.line));
    }
    let ignored = [people, project_table]
        .into_iter()
        .filter(|table| !table.ignored.is_empty())
        .map(|table| (table.file.clone(), table.ignored.clone()))
        .collect();
    Imported {
        toml,
        ignored,
        managers: manager_rows,
        leaders: leader_rows,
        projects: project_rows,
    }
}

/// `template` (a scenario's text) without its organisation: every
/// `[[managers]]`, `[[leaders]]`, `[[projects]]` and `[generate]` table,
/// with the comment lines just above each, and `organisation` where the
/// first of them was.
pub fn replace_organisation(template: &str, organisation: &str) -> String {
    let is_organisation = |header: &str| {
        let name = header
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim();
        let root = name.split('.').next().unwrap_or_default().trim();
        matches!(root, "managers" | "leaders" | "projects" | "generate")
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut inserted = false;
    let mut removing = false;
    // Lines up to here (the organisation included) are never taken away.
    let mut floor = 0;
    // While removing: comment and blank lines that may belong to the next
    // table, kept if that table is.
    let mut pending: Vec<&str> = Vec::new();
    for line in template.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            let header = trimmed.split('#').next().unwrap_or_default();
            let kept_after_removed = removing && !is_organisation(header);
            removing = is_organisation(header);
            if kept_after_removed {
                let blank_above = kept.last().is_some_and(|last| last.trim().is_empty());
                let skip = if blank_above {
                    pending
                        .iter()
                        .take_while(|line| line.trim().is_empty())
                        .count()
                } else {
                    0
                };
                kept.extend(pending.drain(skip..));
            }
            pending.clear();
            if removing {
                // The comments and blank lines just above belong to it.
                while kept.len() > floor
                    && kept.last().is_some_and(|last| {
                        last.trim_start().starts_with('#') || last.trim().is_empty()
                    })
                {
                    kept.pop();
                }
                if !inserted {
                    kept.push("");
                    kept.push(organisation.trim_end());
                    kept.push("");
                    inserted = true;
                    floor = kept.len();
                }
                continue;
            }
        }
        if !removing {
            kept.push(line);
        } else if trimmed.starts_with('#') || trimmed.is_empty() {
            pending.push(line);
        } else {
            pending.clear();
        }
    }
    let mut text = kept.join("\n");
    if !inserted {
        text.push_str("\n\n");
        text.push_str(organisation.trim_end());
    }
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEOPLE: &str =
        "name,team_size,manager\nMorgan,,\nDana,,Morgan\nEli,,Morgan\nAlex,6,Dana\nBlake,7,Eli\n";
    const PROJECTS: &str = "project,members,weekly_share,priority\ncheckout,Alex;Blake,0.25,5\n";

    fn problems(people: &str, projects: &str) -> Vec<String> {
        match import(
            "people.csv",
            people.as_bytes(),
            "projects.csv",
            projects.as_bytes(),
        ) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_small_organisation_is_imported() {
        let imported = import(
            "people.csv",
            PEOPLE.as_bytes(),
            "projects.csv",
            PROJECTS.as_bytes(),
        )
        .unwrap();
        let table: toml::Table = toml::from_str(&imported.toml).unwrap();
        assert_eq!(table["managers"].as_array().unwrap().len(), 3);
        let leaders = table["leaders"].as_array().unwrap();
        assert_eq!(leaders.len(), 2);
        assert_eq!(leaders[1]["team_size"].as_integer(), Some(7));
        assert_eq!(leaders[1]["manager"].as_str(), Some("Eli"));
        assert_eq!(table["projects"][0]["project_share"].as_float(), Some(0.25));
        // Fields map back to their rows.
        assert_eq!(
            imported.locate("leaders[1].team_size"),
            Some(("people.csv".to_owned(), 6, "team_size".to_owned()))
        );
        assert_eq!(
            imported.locate("projects[0].project_share"),
            Some(("projects.csv".to_owned(), 2, "weekly_share".to_owned()))
        );
    }

    #[test]
    fn spreadsheet_habits_are_understood() {
        // A byte-order mark, `;` between cells, headers in other words and
        // case, a decimal comma, an extra column, blank lines.
        let people = "\u{feff}Name;Team Size;Reports To;Email\nMorgan;;;m@x\n\nAlex;6;Morgan;a@x\nBlake;5;Morgan;b@x\n";
        let projects = "Project;Members;Weekly Share\ncheckout;Alex | Blake;0,3\n";
        let imported = import(
            "people.csv",
            people.as_bytes(),
            "projects.csv",
            projects.as_bytes(),
        )
        .unwrap();
        assert!(
            imported.toml.contains("project_share = 0.3"),
            "{}",
            imported.toml
        );
        assert_eq!(
            imported.ignored,
            vec![("people.csv".to_owned(), vec!["Email".to_owned()])]
        );
    }

    #[test]
    fn bad_rows_are_named_by_line_and_column() {
        let cases: [(&str, &str, &str); 9] = [
            (
                "name,team_size,manager\nMorgan,,\nAlex,6,Morgan\nAlex,5,Morgan\nBlake,5,Morgan\n",
                PROJECTS,
                "people.csv:4: name: Alex is already on line 3; names must be unique",
            ),
            (
                "name,team_size,manager\nDana,,\nAlex,6,Dnaa\nBlake,5,Dana\n",
                PROJECTS,
                "people.csv:3: manager: unknown manager `Dnaa`: no row is named so; did you mean `Dana`? add a row for them, with their own manager or none",
            ),
            (
                "name,team_size,manager\nDana,,Morgan\nMorgan,,Dana\nAlex,6,Dana\nBlake,5,Morgan\n",
                PROJECTS,
                "people.csv:2: manager: a reporting cycle: Dana reports to Morgan, who reports to Dana",
            ),
            (
                "name,team_size,manager\nMorgan,,\nAlex,0,Morgan\nBlake,5,Morgan\n",
                PROJECTS,
                "people.csv:3: team_size: Alex's team is empty (got 0); a leader's team has at least 1 person besides them",
            ),
            (
                "name,team_size,manager\nMorgan,,\nAlex,six,Morgan\nBlake,5,Morgan\n",
                PROJECTS,
                "people.csv:3: team_size: not a whole number: `six`",
            ),
            (
                PEOPLE,
                "project,members\ncheckout,Alex;Blak\n",
                "projects.csv:2: members: `Blak` is not a leader in the people file; did you mean `Blake`?",
            ),
            (
                PEOPLE,
                "project,members\ncheckout,Alex;Dana\n",
                "projects.csv:2: members: Dana is a manager (others report to them); only leaders share projects",
            ),
            (
                PEOPLE,
                "project,members,weekly_share,priority\ncheckout,Alex;Blake,0,25,5\n",
                "projects.csv:2: 5 cells where the header names 4; quote a cell that holds the separator (a decimal comma, a list of members)",
            ),
            (
                "name,size,manager\nMorgan,,\n",
                PROJECTS,
                "people.csv:1: no `team_size` column; the first row names the columns: name, team_size, manager, demand (optional), disclosure (optional), insecurity (optional), support (optional)",
            ),
        ];
        for (people, projects, expected) in cases {
            let found = problems(people, projects);
            assert!(
                found.iter().any(|problem| problem == expected),
                "{expected}\nnot in {found:#?}"
            );
        }
    }

    #[test]
    fn the_organisation_replaces_the_templates() {
        let template = "name = \"x\"\n\n[defaults]\ndemand = 1.1\n\n# the director\n[[managers]]\nname = \"M\"\n\n[[leaders]]\nname = \"A\"\nmanager = \"M\"\n\n# the arms\n[arms.power-through]\nbaseline = true\n";
        let text = replace_organisation(template, "# imported\n[[managers]]\nname = \"New\"\n");
        assert_eq!(
            text,
            "name = \"x\"\n\n[defaults]\ndemand = 1.1\n\n# imported\n[[managers]]\nname = \"New\"\n\n# the arms\n[arms.power-through]\nbaseline = true\n"
        );
    }
}
