//! `workshop`: the walk-through printed whole (`--auto`) and checked against
//! the files it writes, and driven through a pseudo-terminal as a
//! facilitator would, one Enter at a time.

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

use crate::common::{PAIR_ORGANISATION, binary, read_summary, read_weekly};

type Series = HashMap<(String, String), Vec<f64>>;

const ARMS: [&str; 4] = [
    "power-through",
    "escalation",
    "status-meeting",
    "connection-first",
];

/// `workshop ARGS...` in `dir`, as plain text of 80 columns.
fn workshop(dir: &Path, args: &[&str]) -> Output {
    binary(dir)
        .arg("workshop")
        .args(args)
        .env("COLUMNS", "80")
        .env("LC_ALL", "C")
        .env_remove("LANG")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Every number in a piece of text: "3.49 [3.37, 3.61]" gives 3.49, 3.37, 3.61.
fn numbers(text: &str) -> Vec<f64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == ','))
        .map(|token| {
            token
                .trim_matches(|c| c == ',' || c == '.')
                .replace(',', "")
        })
        .filter(|token| token.chars().any(|c| c.is_ascii_digit()))
        .filter_map(|token| token.parse().ok())
        .collect()
}

/// The numbers of the first line that starts (after its margin) with `start`
/// and holds `holding`, after `start`.
fn line_numbers(text: &str, start: &str, holding: &str) -> Vec<f64> {
    let line = text
        .lines()
        .find(|line| line.trim_start().starts_with(start) && line.contains(holding))
        .unwrap_or_else(|| panic!("no line starting {start:?} with {holding:?} in:\n{text}"));
    numbers(&line.trim_start()[start.len()..])
}

/// The text of one step: from its header to the next header (a line like
/// " 2/5  THE THREE QUESTIONS").
fn step<'a>(text: &'a str, header: &str) -> &'a str {
    let start = text
        .find(header)
        .unwrap_or_else(|| panic!("no {header:?} in:\n{text}"));
    let rest = &text[start + header.len()..];
    let is_header = |line: &str| {
        let bytes = line.as_bytes();
        bytes.len() > 5
            && bytes[0] == b' '
            && bytes[1].is_ascii_digit()
            && line[2..].starts_with("/5  ")
    };
    let end = rest
        .match_indices('\n')
        .map(|(at, _)| at)
        .find(|&at| is_header(rest[at + 1..].lines().next().unwrap_or("")))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn close(printed: f64, exact: f64, tolerance: f64, what: &str) {
    assert!(
        (printed - exact).abs() <= tolerance,
        "{what}: printed {printed}, the files say {exact}"
    );
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn workshop_auto_prints_every_step_with_the_numbers_of_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--auto", "--replicates", "200", "--threads", "2"];
    let text = stdout(&workshop(dir.path(), &args));
    let headers = [
        " 1/5  THE STANDOFF",
        " 2/5  THE THREE QUESTIONS",
        " 3/5  THE REVEAL",
        " 4/5  THREE FUTURES  -  the same run",
        " 4/5  THREE FUTURES  -  over 200 simulated runs",
        " 5/5  THE TAKEAWAY",
    ];
    let mut at = 0;
    for header in headers {
        let found = text[at..]
            .find(header)
            .unwrap_or_else(|| panic!("{header:?} missing or out of order in:\n{text}"));
        at += found;
    }
    assert!(text.contains("Handouts in output/two-managers-workshop"));
    // Plain words for the room: which run this is, not "Replicate 0 of seed 42".
    assert!(text.contains("This is one of 100 possible versions of these weeks."));
    assert!(!text.contains("Replicate "), "{text}");
    assert!(!text.contains("frustration "), "{text}");
    assert!(text.is_ascii(), "plain ASCII without a UTF-8 locale");
    assert!(!text.contains('\x1b'), "no colour when not a terminal");
    assert!(
        text.lines().all(|line| line.chars().count() <= 80),
        "every line fits 80 columns"
    );

    let folder = dir.path().join("output/two-managers-workshop");
    for file in [
        "weekly.csv",
        "summary.csv",
        "manifest.json",
        "report.html",
        "handout.html",
        "replicate.csv",
        "limit-summary.csv",
        "lost_hours.png",
        "lost_hours.svg",
        "delivery.png",
    ] {
        assert!(folder.join(file).is_file(), "{file} written");
    }
    let replicate = read_weekly(&folder.join("replicate.csv"));
    let summary = read_summary(&folder.join("summary.csv"));
    let limit = read_summary(&folder.join("limit-summary.csv"));
    let series = |data: &Series, arm: &str, metric: &str| -> Vec<f64> {
        data[&(arm.to_string(), metric.to_string())].clone()
    };

    // 1. Each week's conflict hours are the run's (the metric is per manager).
    let standoff = step(&text, headers[0]);
    let conflict = series(&replicate, "power-through", "conflict_hours_per_leader");
    for week in 1..=4 {
        let hours = line_numbers(standoff, &format!("Week {week} - conflict hours"), "");
        assert_eq!(hours.len(), 2, "{hours:?}");
        close(
            (hours[0] + hours[1]) / 2.0,
            conflict[week - 1],
            0.051,
            &format!("conflict hours in week {week}"),
        );
    }
    // Some week has misses the other cannot explain, and says so.
    assert!(standoff.contains("I can't explain"));

    // 2. Believed and real loads are the run's at the end of week 4.
    let questions = step(&text, headers[1]);
    let alex = line_numbers(questions, "Alex believes", "of Blake's");
    let blake = line_numbers(questions, "Blake believes", "of Alex's");
    let believed = series(&replicate, "power-through", "believed_peer_load_hours")[3];
    let actual = series(&replicate, "power-through", "actual_peer_load_hours")[3];
    close((alex[0] + blake[0]) / 2.0, believed, 0.51, "believed load");
    close((alex[1] + blake[1]) / 2.0, actual, 0.51, "actual load");

    // 3. The reveal says why nobody was sabotaging anything.
    let reveal = step(&text, headers[2]);
    assert!(reveal.contains("Nobody was sabotaging anything."));

    // 4. The run's futures: each arm's mean from week 5 is the run's.
    let futures = step(&text, headers[3]);
    for arm in ARMS {
        let weekly = series(&replicate, arm, "conflict_hours_per_leader");
        let printed = line_numbers(futures, arm, " h");
        close(
            printed[0],
            mean(&weekly[4..]),
            0.051,
            &format!("{arm} in this run"),
        );
        assert_eq!(
            weekly[..4],
            conflict[..4],
            "{arm}: weeks 1 to 4 are the baseline's"
        );
    }

    // ...and over every replicate: the summary file's means and intervals.
    let comparison = step(&text, headers[4]);
    let baseline = summary[&(
        "power-through".to_string(),
        "conflict_hours_per_leader_after_start".to_string(),
    )][0];
    for arm in ARMS {
        let printed = line_numbers(comparison, arm, "[");
        let row = |metric: &str| summary[&(arm.to_string(), metric.to_string())].clone();
        let conflict = row("conflict_hours_per_leader_after_start");
        for (index, what) in ["mean", "low", "high"].iter().enumerate() {
            close(
                printed[index],
                conflict[index],
                0.0051,
                &format!("{arm} conflict {what}"),
            );
        }
        let rest = &printed[3..];
        if arm != "power-through" {
            close(
                rest[0],
                100.0 * conflict[3] / baseline,
                0.51,
                &format!("{arm} difference"),
            );
        }
        let delivery = rest[rest.len() - 2];
        let lost = rest[rest.len() - 1];
        close(delivery, 100.0 * row("delivery_ratio")[0], 0.51, "delivery");
        close(
            lost,
            row("annual_lost_hours_per_leader")[0],
            0.51,
            "lost hours",
        );
    }

    // 5. The takeaway's cut is the summary's paired difference, and its limit
    //    is the limit file's.
    let takeaway = step(&text, headers[5]);
    let cut = line_numbers(takeaway, "- connection-first lowered conflict by", "");
    let difference = &summary[&(
        "connection-first".to_string(),
        "conflict_hours_per_leader_after_start".to_string(),
    )];
    close(-cut[0], difference[3], 0.0051, "connection-first's cut");
    assert!(difference[5] < 0.0, "a cut is named only when it is clear");
    let flat = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat(takeaway).contains("(demand 1.4, the high-demand scenario)"));
    for arm in ARMS {
        let printed = line_numbers(takeaway, arm, "%");
        let delivery = limit[&(arm.to_string(), "delivery_ratio".to_string())][0];
        close(
            printed[0],
            100.0 * delivery,
            0.051,
            &format!("{arm} at the limit"),
        );
    }
    let limit_cut = &limit[&(
        "connection-first".to_string(),
        "conflict_hours_per_leader_after_start".to_string(),
    )];
    assert!(limit_cut[5] < 0.0);
    assert!(
        flat(takeaway).contains("Connection-first lowers conflict; it cannot create capacity.")
    );

    // The one-page handout tells the same story with the same numbers.
    let handout = std::fs::read_to_string(folder.join("handout.html")).unwrap();
    for heading in [
        "1. The standoff",
        "2. The reveal: what each side could not see",
        "3. Three futures over 200 simulated runs",
        "4. The takeaway",
    ] {
        assert!(handout.contains(heading), "the handout lacks {heading}");
    }
    assert!(handout.contains("Does escalating, meeting more, or connecting first"));
    assert!(handout.contains("Nobody was sabotaging anything."));
    assert!(handout.contains("lowers conflict; it cannot create capacity."));
    let comparison = step(&text, headers[4]);
    for arm in ARMS {
        let line = comparison
            .lines()
            .find(|line| line.trim_start().starts_with(arm))
            .unwrap();
        let conflict = line
            .split_whitespace()
            .skip(1)
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            handout.contains(&format!(">{conflict}<")),
            "{arm}'s {conflict} is not in the handout"
        );
    }
    assert!(!handout.contains("http://") && !handout.contains("https://"));
    assert!(!handout.contains("<script"));
}

#[test]
fn workshop_files_are_the_runs_files() {
    let dir = tempfile::tempdir().unwrap();
    let show = |extra: &[&str]| {
        let mut args = vec!["--auto", "--replicates", "20", "--replicate", "0"];
        args.extend_from_slice(extra);
        stdout(&workshop(dir.path(), &args))
    };
    let first = show(&["--threads", "1"]);
    let folder = dir.path().join("output/two-managers-workshop");
    let read = |path: &Path| std::fs::read_to_string(path).unwrap();
    // The comparison is `run` of the same scenario, the limit is the bundled
    // high-demand scenario value for value, and the replicate followed is
    // replicate 0, the one a run of one replicate makes.
    for (scenario, replicates, out) in [
        ("two-managers", "20", "output"),
        ("high-demand", "20", "output"),
        ("two-managers", "1", "one"),
    ] {
        binary(dir.path())
            .args(["run", scenario, "--replicates", replicates, "--out", out])
            .args(["--no-charts", "--quiet"])
            .assert()
            .success();
    }
    let run = dir.path().join("output/two-managers");
    for (workshop_file, run_file) in [
        ("summary.csv", run.join("summary.csv")),
        ("weekly.csv", run.join("weekly.csv")),
        (
            "limit-summary.csv",
            dir.path().join("output/high-demand/summary.csv"),
        ),
        (
            "replicate.csv",
            dir.path().join("one/two-managers/weekly.csv"),
        ),
    ] {
        assert_eq!(
            read(&folder.join(workshop_file)),
            read(&run_file),
            "{workshop_file}"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&folder.join("manifest.json"))).unwrap();
    assert!(manifest["command"].as_str().unwrap().contains("workshop"));

    // The same seed tells the same story, on any number of threads; another
    // seed, another story.
    assert_eq!(first, show(&["--threads", "2"]));
    assert_ne!(first, show(&["--seed", "7"]));
}

#[test]
fn workshop_refuses_bad_input_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let organisation = format!("name = \"one-arm\"\nweeks = 8\n{PAIR_ORGANISATION}");
    std::fs::write(dir.path().join("one-arm.toml"), organisation).unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["no-such-scenario"], "no bundled scenario has that name"),
        (
            &["two-manager"],
            "did you mean the bundled scenario `two-managers`?",
        ),
        (
            &["--set", "trust.initial=1.5"],
            "trust.initial: must be at least 0 and at most 1",
        ),
        (&["--set", "trust.initail=0.5"], "did you mean `initial`?"),
        (&["--seed", "abc"], "invalid value 'abc' for '--seed"),
        (
            &["--limit-demand", "20"],
            "--limit-demand 20: defaults.demand",
        ),
        (
            &["one-arm.toml"],
            "cannot be shown in a workshop: it has only one arm",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["--auto"];
        all.extend_from_slice(args);
        let output = workshop(dir.path(), &all);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}: nothing shown");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        if !args.contains(&"--seed") {
            assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        }
    }
    assert!(!dir.path().join("output").exists(), "nothing written");
    let nan = workshop(dir.path(), &["--auto", "--limit-demand", "NaN"]);
    assert_eq!(nan.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nan.stderr).contains("must be a number above 0"));
}

/// A facilitator at a terminal: a pseudo-terminal of 80 x 24, keys typed,
/// the screen read back.
#[cfg(target_os = "linux")]
mod terminal {
    use std::io::{Read, Write};
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc::{self, Receiver};
    use std::time::{Duration, Instant};

    pub struct Session {
        child: Child,
        master: std::fs::File,
        output: Receiver<Vec<u8>>,
        /// Everything read so far.
        pub seen: String,
    }

    impl Session {
        /// Starts `workshop ARGS` on a new pseudo-terminal of `columns` x `rows`.
        pub fn start(dir: &Path, args: &[&str], columns: u16, rows: u16) -> Session {
            // SAFETY: plain libc calls on descriptors this function owns.
            let (master, slave) = unsafe {
                let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
                assert!(master >= 0, "posix_openpt");
                assert_eq!(libc::grantpt(master), 0);
                assert_eq!(libc::unlockpt(master), 0);
                let mut name = [0 as libc::c_char; 128];
                assert_eq!(libc::ptsname_r(master, name.as_mut_ptr(), name.len()), 0);
                let size = libc::winsize {
                    ws_row: rows,
                    ws_col: columns,
                    ws_xpixel: 0,
                    ws_ypixel: 0,
                };
                assert_eq!(libc::ioctl(master, libc::TIOCSWINSZ, &size), 0);
                let slave = libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY);
                assert!(slave >= 0, "open the slave");
                (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave))
            };
            let stdio = |fd: &OwnedFd| Stdio::from(fd.try_clone().unwrap());
            let mut command = Command::new(env!("CARGO_BIN_EXE_empathy-gap"));
            command
                .arg("workshop")
                .args(args)
                .current_dir(dir)
                .env("TERM", "xterm-256color")
                .env("LC_ALL", "C.UTF-8")
                .env_remove("NO_COLOR")
                .env_remove("COLUMNS")
                .env_remove("LINES")
                .stdin(stdio(&slave))
                .stdout(stdio(&slave))
                .stderr(stdio(&slave));
            // SAFETY: setsid and ioctl are async-signal-safe; the terminal
            // becomes the child's controlling terminal, so Ctrl-C is SIGINT.
            unsafe {
                command.pre_exec(|| {
                    if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let child = command.spawn().unwrap();
            drop(slave);
            let master = std::fs::File::from(master);
            let mut reader = master.try_clone().unwrap();
            let (sender, output) = mpsc::channel();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 8192];
                // Reading fails with EIO once the child has gone.
                while let Ok(n @ 1..) = reader.read(&mut buffer) {
                    if sender.send(buffer[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
            Session {
                child,
                master,
                output,
                seen: String::new(),
            }
        }

        /// Reads until the output since `from` holds `text`; panics after a minute.
        pub fn wait_for(&mut self, from: usize, text: &str) {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !self.seen[from.min(self.seen.len())..].contains(text) {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.output.recv_timeout(left) {
                    Ok(bytes) => self.seen.push_str(&String::from_utf8_lossy(&bytes)),
                    Err(_) => panic!(
                        "waited a minute for {text:?}; the screen:\n{}",
                        self.screen()
                    ),
                }
            }
        }

        /// The first page, once its prompt is shown.
        pub fn first_screen(&mut self) -> String {
            self.wait_for(0, "q: quit");
            self.screen()
        }

        /// Types `keys` and returns the next page, once its prompt is shown.
        pub fn next_screen(&mut self, keys: &str) -> String {
            let mark = self.seen.len();
            self.send(keys);
            self.wait_for(mark, "\x1b[2J");
            let clear = self.seen.rfind("\x1b[2J").unwrap_or(mark);
            self.wait_for(clear, "q: quit");
            self.screen()
        }

        pub fn send(&mut self, keys: &str) {
            self.master.write_all(keys.as_bytes()).unwrap();
            self.master.flush().unwrap();
        }

        /// The screen: what was printed since the last clear, without colour.
        pub fn screen(&self) -> String {
            let last = self.seen.rfind("\x1b[2J").map_or(0, |at| at + 4);
            strip_escapes(&self.seen[last..])
        }

        /// Waits for the program to end; its exit code.
        pub fn finish(mut self) -> (Option<i32>, String) {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                if let Some(status) = self.child.try_wait().unwrap() {
                    // Whatever is still in the terminal.
                    while let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(200)) {
                        self.seen.push_str(&String::from_utf8_lossy(&bytes));
                    }
                    return (status.code(), strip_escapes(&self.seen));
                }
                assert!(Instant::now() < deadline, "the workshop did not end");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    impl Drop for Session {
        fn drop(&mut self) {
            // A failed test leaves no process behind.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// Text without ANSI escape sequences (CSI: ESC [ ... letter).
    pub fn strip_escapes(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\x1b' && chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else if c != '\r' {
                out.push(c);
            }
        }
        out
    }
}

#[cfg(target_os = "linux")]
#[test]
fn workshop_advances_one_page_per_enter_in_a_terminal() {
    use terminal::Session;
    let dir = tempfile::tempdir().unwrap();
    let mut session = Session::start(dir.path(), &["--replicates", "50"], 80, 24);
    let mut headers = Vec::new();
    let mut screen = session.first_screen();
    loop {
        let lines: Vec<&str> = screen.lines().collect();
        assert!(lines.len() <= 24, "a page fits 24 rows:\n{screen}");
        assert!(
            lines.iter().all(|line| line.chars().count() <= 80),
            "a page fits 80 columns:\n{screen}"
        );
        assert!(
            lines[0].starts_with(' ') && lines[0].contains("/5  "),
            "{screen}"
        );
        headers.push(lines[0].to_string());
        if screen.contains("Enter: write the handouts and finish") {
            break;
        }
        if headers.len() == 3 {
            // Back one page, then on again.
            let back = session.next_screen("b\n");
            assert_eq!(
                back.lines().next(),
                Some(headers[1].as_str()),
                "b goes back a page"
            );
            let again = session.next_screen("\n");
            assert_eq!(again.lines().next(), Some(headers[2].as_str()));
        }
        assert!(headers.len() < 40, "the show ends: {headers:#?}");
        screen = session.next_screen("\n");
    }
    // Each Enter showed the next page: sections in order, each reached.
    let sections: Vec<u32> = headers
        .iter()
        .map(|header| header.trim_start()[..1].parse().unwrap())
        .collect();
    assert!(
        sections.windows(2).all(|pair| pair[0] <= pair[1]),
        "{headers:#?}"
    );
    for number in 1..=5 {
        assert!(
            sections.contains(&number),
            "step {number} shown: {headers:#?}"
        );
    }
    for (title, pages) in [("THE STANDOFF", 2), ("THREE FUTURES", 2)] {
        let shown = headers
            .iter()
            .filter(|header| header.contains(title))
            .count();
        assert!(shown >= pages, "{title}: {shown} pages: {headers:#?}");
    }
    session.send("\n");
    let (code, text) = session.finish();
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("Handouts in output/two-managers-workshop"),
        "{text}"
    );
    assert!(
        dir.path()
            .join("output/two-managers-workshop/report.html")
            .is_file()
    );
}

#[cfg(target_os = "linux")]
#[test]
fn workshop_stops_on_ctrl_c_and_on_q_writing_nothing() {
    use terminal::Session;
    for (keys, code) in [("\x03", 130), ("q\n", 0)] {
        let dir = tempfile::tempdir().unwrap();
        let mut session = Session::start(dir.path(), &["--replicates", "50"], 80, 24);
        session.first_screen();
        assert!(session.next_screen("\n").contains("page 2 of"));
        session.send(keys);
        let (exit, text) = session.finish();
        assert_eq!(exit, Some(code), "{keys:?}: {text}");
        assert!(text.contains("nothing was written"), "{keys:?}: {text}");
        assert!(
            !dir.path().join("output").exists(),
            "{keys:?}: nothing written"
        );
    }
}

/// Everything the two managers say in a session of `scenario` following
/// `replicate`: the standoff's weeks, then each response's week.
fn session_lines(text: &str, replicate: u64) -> Vec<String> {
    use empathy_gap::model::World;
    use empathy_gap::workshop::Story;
    use empathy_gap::workshop::featured::Featured;
    let scenario = crate::common::scenario(text);
    let world = World::new(&scenario);
    let pair = Featured::pair_of(&scenario, &world).unwrap();
    let featured = Featured::simulate(&scenario, &world, pair, Some(replicate));
    let story = Story::new(&scenario, &featured);
    let quotes = &story.quotes;
    let heard = quotes.responses.iter().flatten().map(|heard| &heard.quotes);
    quotes
        .standoff
        .iter()
        .chain(heard)
        .flatten()
        .flatten()
        .flat_map(|complaint| complaint.said.clone())
        .collect()
}

#[test]
fn no_line_is_said_twice_in_a_session() {
    let bundled = |name: &str| std::fs::read_to_string(crate::common::repo_file(name)).unwrap();
    let two_managers = bundled("scenarios/two-managers.toml");
    let high_demand = bundled("scenarios/high-demand.toml");
    let mut heard = 0;
    for (text, replicate) in [
        (&two_managers, 0),
        (&two_managers, 1),
        (&two_managers, 7),
        (&high_demand, 0),
        (&high_demand, 3),
    ] {
        let lines = session_lines(text, replicate);
        let mut seen = std::collections::HashSet::new();
        for line in &lines {
            assert!(
                seen.insert(line),
                "said twice in replicate {replicate}: {line}\n{lines:#?}"
            );
        }
        heard += lines.len();
    }
    // Every manager speaks in most weeks; the test is not vacuous.
    assert!(heard >= 5 * 12, "only {heard} lines in five sessions");
}
