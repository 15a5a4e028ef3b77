//! The corpus of malformed scenarios in `tests/bad_scenarios/`: every one must
//! be refused with exit code 2 and exactly the expected messages, one line per
//! problem, and without writing anything.
//!
//! A case is a name with up to three files:
//!
//! - `NAME.toml`: the scenario, starting with a `#` line saying what mistake it
//!   shows. It is copied into a fresh temporary folder and run from there as
//!   `empathy-gap run NAME.toml --out out [ARGS...]`.
//! - `NAME.args` (optional): extra arguments, one per line; lines starting with
//!   `#` and blank lines are skipped. Without a `NAME.toml`, the first argument
//!   names a bundled scenario (`two-managers`) to run instead.
//! - `NAME.stderr`: the exact expected standard error, with the scenario's name
//!   as given to the binary written `{file}`.
//!
//! Three cases cannot be committed as files and are made at run time, with
//! their `.stderr` in the corpus all the same: `missing` (no such file),
//! `directory` (a folder where the file should be) and `huge` (a 50 MB file).
//!
//! Each case also runs `empathy-gap validate NAME.toml [--set ...]`, which must
//! report the same problems.
//!
//! To accept the binary's current messages as the expectations, run
//!
//! ```sh
//! EMPATHY_GAP_BLESS=1 cargo test --test main bad_scenarios
//! ```
//!
//! and then read every changed `.stderr` file: a blessed wrong message is a
//! bug, not an expectation. Blessing rewrites the `.stderr` files only; the
//! other checks (exit code 2, no panic, nothing written) still apply.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common::{binary, repo_file};

/// The corpus must keep at least this many cases.
const MINIMUM_CASES: usize = 50;

/// Cases made by the test rather than read from a committed scenario file.
const MADE_CASES: [&str; 3] = ["missing", "directory", "huge"];

/// Cases whose problem is about the whole file or about something it lacks
/// altogether, so their messages may carry no line number.
const WHOLE_FILE_CASES: [&str; 8] = [
    "missing",
    "utf16",
    "directory",
    "huge",
    "empty",
    "comments-only",
    "name-missing",
    "leaders-missing",
];

/// Size of the `huge` case's scenario file.
const HUGE_BYTES: usize = 50 * 1024 * 1024;

/// Set to `1` to write the actual messages into the `.stderr` files.
const BLESS_VARIABLE: &str = "EMPATHY_GAP_BLESS";

fn corpus_folder() -> PathBuf {
    PathBuf::from(repo_file("tests/bad_scenarios"))
}

fn blessing() -> bool {
    std::env::var(BLESS_VARIABLE).is_ok_and(|value| value == "1")
}

/// What the binary is asked to read.
enum Input {
    /// `NAME.toml` from the corpus, copied into the temporary folder.
    Corpus(PathBuf),
    /// A bundled scenario, by name.
    Bundled(String),
    /// No file at all.
    Missing,
    /// A folder named like a scenario file.
    Directory,
    /// A file of [`HUGE_BYTES`] bytes.
    Huge,
}

/// One malformed scenario and what it must produce.
struct Case {
    name: String,
    input: Input,
    /// Extra arguments after `run FILE --out out`.
    args: Vec<String>,
    expected_stderr: PathBuf,
}

impl Case {
    /// How the scenario is named on the command line.
    fn argument(&self) -> String {
        match &self.input {
            Input::Bundled(name) => name.clone(),
            _ => format!("{}.toml", self.name),
        }
    }

    /// How the binary names the scenario in its messages: what `{file}` stands for.
    fn label(&self) -> String {
        match &self.input {
            Input::Bundled(name) => format!("scenarios/{name}.toml"),
            _ => format!("{}.toml", self.name),
        }
    }

    /// Puts the scenario into `dir` as the binary will look for it.
    fn prepare(&self, dir: &Path) -> std::io::Result<()> {
        let target = dir.join(self.argument());
        match &self.input {
            Input::Corpus(source) => fs::copy(source, target).map(|_| ()),
            Input::Directory => fs::create_dir(target),
            Input::Huge => write_huge_file(&target),
            Input::Bundled(_) | Input::Missing => Ok(()),
        }
    }

    /// The `validate` equivalent of this case's arguments, or `None` when they
    /// include options only `run` takes.
    fn validate_args(&self) -> Option<Vec<String>> {
        let only_sets = self
            .args
            .chunks(2)
            .all(|pair| pair.len() == 2 && pair[0] == "--set");
        only_sets.then(|| self.args.clone())
    }
}

/// A syntactically valid scenario of comments, 50 MB long.
fn write_huge_file(path: &Path) -> std::io::Result<()> {
    let line = format!("# {}\n", "x".repeat(1021));
    let mut file = std::io::BufWriter::new(fs::File::create(path)?);
    for _ in 0..HUGE_BYTES / line.len() {
        file.write_all(line.as_bytes())?;
    }
    file.flush()
}

/// Reads an `.args` file: one argument per line, `#` comments and blank lines skipped.
fn read_args(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Every case of the corpus, by name: each `.toml` or `.args` file, and the
/// cases the test makes. Other files are orphans, which
/// [`the_corpus_is_large_and_every_file_belongs_to_a_case`] reports.
fn cases() -> Vec<Case> {
    let folder = corpus_folder();
    let mut names: Vec<String> = corpus_files()
        .iter()
        .filter(|path| path.extension().is_some_and(|e| e == "toml" || e == "args"))
        .filter_map(|path| Some(path.file_stem()?.to_string_lossy().into_owned()))
        .chain(MADE_CASES.iter().map(|name| name.to_string()))
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let scenario = folder.join(format!("{name}.toml"));
            let args_file = folder.join(format!("{name}.args"));
            let mut args = if args_file.exists() {
                read_args(&args_file)
            } else {
                Vec::new()
            };
            let input = match name.as_str() {
                "missing" => Input::Missing,
                "directory" => Input::Directory,
                "huge" => Input::Huge,
                _ if scenario.exists() => Input::Corpus(scenario),
                _ if !args.is_empty() => Input::Bundled(args.remove(0)),
                _ => panic!("{name}.args names no scenario to run"),
            };
            Case {
                expected_stderr: folder.join(format!("{name}.stderr")),
                name,
                input,
                args,
            }
        })
        .collect()
}

/// The files in the corpus folder, sorted.
fn corpus_files() -> Vec<PathBuf> {
    let folder = corpus_folder();
    let mut files: Vec<PathBuf> = fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()))
        .filter_map(|entry| Some(entry.ok()?.path()))
        .collect();
    files.sort();
    files
}

/// Names every file in the temporary folder, so a test can tell whether a run
/// wrote anything.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path.clone());
            }
            found.push(path.strip_prefix(dir).unwrap_or(&path).to_path_buf());
        }
    }
    found.sort();
    found
}

/// What one invocation of the binary did.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Files and folders that appeared in the temporary folder.
    written: Vec<PathBuf>,
}

fn invoke(case: &Case, command: &[String]) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().map_err(|error| format!("no temporary folder: {error}"))?;
    case.prepare(dir.path())
        .map_err(|error| format!("cannot prepare the scenario: {error}"))?;
    let before = listing(dir.path());
    let output = binary(dir.path())
        .args(command)
        .output()
        .map_err(|error| format!("cannot run the binary: {error}"))?;
    let written = listing(dir.path())
        .into_iter()
        .filter(|path| !before.contains(path))
        .collect();
    Ok(Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        written,
    })
}

/// Whether `rest` starts with `:LINE:COLUMN: `.
fn has_line_and_column(rest: &str) -> bool {
    let mut parts = rest.splitn(4, ':');
    let empty = parts.next() == Some("");
    let is_number = |part: Option<&str>| {
        part.is_some_and(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
    };
    empty && is_number(parts.next()) && is_number(parts.next()) && parts.next().is_some()
}

/// The rules every refusal follows, whatever its messages: exit code 2, one
/// `error: ` line per problem naming the file or the override's argument, no
/// panic, nothing on standard output and no file written.
fn check_refusal(case: &Case, outcome: &Outcome) -> Vec<String> {
    let mut failures = Vec::new();
    if outcome.code != Some(2) {
        failures.push(format!("exit code {:?}, expected 2", outcome.code));
    }
    let lowercase = outcome.stderr.to_lowercase();
    if lowercase.contains("panicked") || lowercase.contains("backtrace") {
        failures.push("stderr shows a panic or a backtrace".to_string());
    }
    if outcome.stderr.trim().is_empty() {
        failures.push("stderr is empty".to_string());
    }
    let label = case.label();
    let whole_file = WHOLE_FILE_CASES.contains(&case.name.as_str());
    for line in outcome.stderr.lines() {
        let Some(message) = line.strip_prefix("error: ") else {
            failures.push(format!("line does not start with `error: `: {line}"));
            continue;
        };
        // An override names its argument: `--set PATH=VALUE` or a shorthand
        // flag such as `--replicates 0`.
        if message.starts_with("--") {
            continue;
        }
        match message.strip_prefix(label.as_str()) {
            Some(rest) if has_line_and_column(rest) => {}
            Some(rest) if whole_file && rest.starts_with(": ") => {}
            Some(_) => failures.push(format!("line names no line and column: {line}")),
            None => failures.push(format!(
                "line names neither {label} nor a --set argument: {line}"
            )),
        }
    }
    if !outcome.stdout.is_empty() {
        failures.push(format!("stdout is not empty: {}", outcome.stdout));
    }
    if !outcome.written.is_empty() {
        failures.push(format!("a refused run wrote {:?}", outcome.written));
    }
    failures
}

/// Runs one case through `run` (and `validate`), returning what went wrong.
fn check_case(case: &Case) -> Vec<String> {
    let mut run_command: Vec<String> = vec![
        "run".to_string(),
        case.argument(),
        "--out".to_string(),
        "out".to_string(),
    ];
    run_command.extend(case.args.iter().cloned());
    let run = match invoke(case, &run_command) {
        Ok(outcome) => outcome,
        Err(failure) => return vec![failure],
    };
    let mut failures: Vec<String> = check_refusal(case, &run)
        .into_iter()
        .map(|failure| format!("run: {failure}"))
        .collect();

    let label = case.label();
    if blessing() {
        let blessed = run.stderr.replace(&label, "{file}");
        if let Err(error) = fs::write(&case.expected_stderr, blessed) {
            failures.push(format!("cannot bless: {error}"));
        }
    } else {
        match fs::read_to_string(&case.expected_stderr) {
            Ok(expected) => {
                let expected = expected.replace("{file}", &label);
                if run.stderr != expected {
                    failures.push(format!(
                        "stderr differs from {}.stderr\n--- expected\n{expected}--- actual\n{}---",
                        case.name, run.stderr
                    ));
                }
            }
            Err(error) => failures.push(format!("cannot read {}.stderr: {error}", case.name)),
        }
    }

    if let Some(set_args) = case.validate_args() {
        let mut validate_command = vec!["validate".to_string(), case.argument()];
        validate_command.extend(set_args);
        match invoke(case, &validate_command) {
            Ok(validate) => {
                failures.extend(
                    check_refusal(case, &validate)
                        .into_iter()
                        .map(|failure| format!("validate: {failure}")),
                );
                if validate.stderr != run.stderr {
                    failures.push(format!(
                        "validate and run report different problems\n--- run\n{}--- validate\n{}---",
                        run.stderr, validate.stderr
                    ));
                }
            }
            Err(failure) => failures.push(format!("validate: {failure}")),
        }
    }
    failures
}

#[test]
fn every_bad_scenario_is_refused_with_its_expected_messages() {
    let cases = cases();
    let report: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let failures = check_case(case);
            (!failures.is_empty()).then(|| format!("{}:\n  {}", case.name, failures.join("\n  ")))
        })
        .collect();
    assert!(
        report.is_empty(),
        "{} of {} bad scenarios are not refused as expected:\n\n{}",
        report.len(),
        cases.len(),
        report.join("\n\n")
    );
}

#[test]
fn the_corpus_is_large_and_every_file_belongs_to_a_case() {
    let cases = cases();
    assert!(
        cases.len() >= MINIMUM_CASES,
        "the corpus has {} cases; it needs at least {MINIMUM_CASES}",
        cases.len()
    );
    let mut orphans = Vec::new();
    for path in corpus_files() {
        let name = path
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        let Some((stem, extension)) = name.rsplit_once('.') else {
            orphans.push(format!("{name}: not a .toml, .args or .stderr file"));
            continue;
        };
        let has = |extension: &str| path.with_file_name(format!("{stem}.{extension}")).exists();
        let belongs = match extension {
            "toml" | "args" => blessing() || has("stderr"),
            "stderr" => MADE_CASES.contains(&stem) || has("toml") || has("args"),
            _ => false,
        };
        if !belongs {
            orphans.push(format!("{name}: belongs to no complete case"));
        }
    }
    assert!(orphans.is_empty(), "{}", orphans.join("\n"));
    for case in &cases {
        if let Input::Corpus(path) = &case.input {
            let bytes = fs::read(path).unwrap_or_default();
            let first_line = bytes.split(|&byte| byte == b'\n').next().unwrap_or(&[]);
            let allowed_without_comment = ["empty", "utf16"];
            assert!(
                first_line.starts_with(b"# ")
                    || allowed_without_comment.contains(&case.name.as_str()),
                "{}.toml must start with a `#` line saying what mistake it shows",
                case.name
            );
        }
    }
}
