//! `workshop`: the walk-through in the terminal, one page per Enter (or all
//! at once with `--auto`), and the handouts written at the end.
//!
//! The story and its layout are the library's (`empathy_gap::workshop`);
//! this file owns the terminal: its size and colours, the keys read from
//! stdin, clearing the screen between pages, Ctrl-C, and the run of every
//! replicate, which starts in the background at once so that its steps are
//! ready when the room gets there.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use empathy_gap::model::World;
use empathy_gap::output::{self, RunInfo};
use empathy_gap::runner::{self, Results, RunError, RunOptions};
use empathy_gap::scenario::{Budget, Override, Scenario};
use empathy_gap::staging::Staging;
use empathy_gap::words::count;
use empathy_gap::workshop::document::{Section, plain};
use empathy_gap::workshop::featured::Featured;
use empathy_gap::workshop::futures::comparison;
use empathy_gap::workshop::handout::{HANDOUT_FILE, HandoutSections, handout_html};
use empathy_gap::workshop::render::{Colour, MIN_WIDTH, Screen, pages, paragraph};
use empathy_gap::workshop::takeaway::{Limit, LimitRun, own_demand, takeaway};
use empathy_gap::workshop::{STEPS, Story};

use super::folder::{OutputFolder, listen_for_interruptions};
use super::run::{command_line, write_run};
use super::scenarios::{Source, load};
use super::{Failure, thread_count};

/// What `workshop` was asked for.
pub(crate) struct WorkshopArgs {
    pub(crate) scenario: String,
    /// `--set`, `--seed` and `--replicates`.
    pub(crate) overrides: Vec<Override>,
    pub(crate) auto: bool,
    pub(crate) replicate: Option<u64>,
    pub(crate) limit_demand: f64,
    pub(crate) out: PathBuf,
    pub(crate) threads: Option<usize>,
}

/// The bundled scenario that is the two-managers story at demand 1.4.
const HIGH_DEMAND: (&str, f64) = ("high-demand", 1.4);
const TWO_MANAGERS: &str = "scenarios/two-managers.toml";

/// The handout files beside a run's: the featured replicate's weeks and the
/// limit's summary.
const REPLICATE_FILE: &str = "replicate.csv";
const LIMIT_FILE: &str = "limit-summary.csv";

/// The steps in order; the comparison and the takeaway need every replicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Standoff,
    Questions,
    Reveal,
    Futures,
    Comparison,
    Takeaway,
}

const ORDER: [Step; 6] = [
    Step::Standoff,
    Step::Questions,
    Step::Reveal,
    Step::Futures,
    Step::Comparison,
    Step::Takeaway,
];

/// The demand of the takeaway's limit run unless `--limit-demand` says
/// otherwise: the bundled high-demand scenario's.
pub(crate) const DEFAULT_LIMIT_DEMAND: f64 = HIGH_DEMAND.1;

impl LimitScenario {
    /// The takeaway's limit: this run of `scenario` (this limit's, or a
    /// copy with fewer arms) and its `results`.
    fn ran<'a>(&'a self, scenario: &'a Scenario, results: &'a Results) -> LimitRun<'a> {
        LimitRun::Ran(Limit {
            demand: self.demand,
            bundled: self.bundled.clone(),
            scenario,
            results,
        })
    }
}

/// The same story with the limit's demand for every leader, checked now so
/// that a bad value is refused before the show starts.
struct LimitScenario {
    /// `--limit-demand`, every leader's demand in `scenario`.
    demand: f64,
    scenario: Scenario,
    world: World,
    bundled: Option<String>,
}

pub(crate) fn workshop(args: &WorkshopArgs) -> Result<(), Failure> {
    let threads = thread_count(args.threads)?;
    let budget = Budget::of_this_machine(threads);
    let bad = |error: empathy_gap::scenario::ScenarioError| Failure::BadInput(error.to_string());
    let source = load(&args.scenario, &args.overrides, Some(&budget)).map_err(bad)?;
    let scenario = &source.scenario;
    let world = World::new(scenario);
    let pair = Featured::pair_of(scenario, &world).map_err(|reason| {
        Failure::BadInput(format!(
            "{}: cannot be shown in a workshop: {reason}",
            source.label
        ))
    })?;
    let limit = limit_scenario(&source, args, &budget)?;
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interruptions(&stop);
    let folder = OutputFolder::prepare(output::output_folder(
        &args.out,
        &format!("{}-workshop", scenario.name),
    ))?;
    folder.check_scenario(&scenario.name)?;
    let pool = runner::pool::<std::convert::Infallible>(threads)
        .map_err(|error| Failure::Runtime(error.to_string()))?;
    // The first step first; every replicate then runs while the room talks.
    let featured = Featured::simulate(scenario, &world, pair, args.replicate);
    let (main_sender, main_receiver) = mpsc::channel();
    let (limit_sender, limit_receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        let stop_flag: &AtomicBool = &stop;
        let (world, limit, pool) = (&world, &limit, &pool);
        // Every replicate, then the limit: each sent as soon as it is done
        // (the show may have ended already, with nobody to tell).
        scope.spawn(move || {
            let options = RunOptions {
                threads,
                cancel: Some(stop_flag),
                progress: None,
            };
            let started = Instant::now();
            let results = runner::run_on(pool, scenario, world, &options);
            let seconds = started.elapsed().as_secs_f64();
            let ran = results.is_ok();
            let _ = main_sender.send(results.map(|results| (results, seconds)));
            if ran && let Some(limit) = limit {
                let results = runner::run_on(pool, &limit.scenario, &limit.world, &options);
                let _ = limit_sender.send(results);
            }
        });
        let story = Story::new(scenario, &featured);
        let main = Awaited::Pending {
            receiver: main_receiver,
            waiting: format!(
                "Simulating {} of every response...",
                count(scenario.replicates as f64, "run")
            ),
        };
        let limit = match limit {
            Some(limit) => LimitShow::Runs {
                limit,
                results: Awaited::Pending {
                    receiver: limit_receiver,
                    waiting: "Running the same story at the limit's demand...".to_string(),
                },
            },
            None => LimitShow::AlreadyAt {
                demand: args.limit_demand,
            },
        };
        let mut show = Show {
            story,
            main,
            limit,
            sections: vec![None; ORDER.len()],
            stop: &stop,
            auto: args.auto,
            terminal: Terminal::detect(),
        };
        // The handouts need every replicate, even when stdin ended early.
        let outcome = show.present().and_then(|ending| match ending {
            Ending::Finished => show.all_results().map(|_| Ending::Finished),
            Ending::Quit => Ok(Ending::Quit),
        });
        // Stop the background run if the show ended before it did.
        if !matches!(outcome, Ok(Ending::Finished)) {
            stop.store(true, Ordering::Relaxed);
        }
        match outcome {
            Ok(Ending::Finished) => {
                let run = HandoutRun {
                    threads,
                    pairs: world.pairs.len(),
                };
                write_handouts(&source, &folder, &show, &run)
            }
            Ok(Ending::Quit) => {
                folder.tidy();
                show.terminal
                    .print(&format!("\nStopped: {}.", folder.nothing_written()));
                Ok(())
            }
            Err(failure) => {
                if matches!(failure, Failure::Interrupted(_)) {
                    return Err(folder.interrupted("during the workshop"));
                }
                folder.tidy();
                Err(failure)
            }
        }
    })
}

/// The scenario again with `--limit-demand` for every leader, unless its own
/// demand is already there.
fn limit_scenario(
    source: &Source,
    args: &WorkshopArgs,
    budget: &Budget,
) -> Result<Option<LimitScenario>, Failure> {
    limit_scenario_of(source, &args.overrides, args.limit_demand, budget)
}

/// The scenario of `source` with `overrides`, and every leader's demand at
/// `demand`, unless its own demand is already there.
fn limit_scenario_of(
    source: &Source,
    given: &[Override],
    demand: f64,
    budget: &Budget,
) -> Result<Option<LimitScenario>, Failure> {
    let argument = format!("--limit-demand {demand}");
    if !(demand.is_finite() && demand > 0.0) {
        return Err(Failure::BadInput(format!(
            "{argument}: must be a number above 0, like 1.4"
        )));
    }
    if own_demand(&source.scenario) >= demand - 1e-9 {
        return Ok(None);
    }
    // The organisation-wide default, every leader's own value and a
    // generated organisation's range, so that no leader keeps another demand.
    let paths = source.scenario.resolved.paths_of_default("demand");
    let mut overrides = given.to_vec();
    for path in paths {
        let mut set = Override::parse(&format!("{path}={demand:?}")).map_err(Failure::BadInput)?;
        set.argument = argument.clone();
        overrides.push(set);
    }
    let scenario = source
        .reload(&overrides, Some(budget))
        .map_err(|error| Failure::BadInput(error.to_string()))?;
    let world = World::new(&scenario);
    // The two-managers story at 1.4 is, value for value, the bundled
    // high-demand scenario (with the same seed, replicates and --set values).
    let bundled =
        (source.label == TWO_MANAGERS && (demand - HIGH_DEMAND.1).abs() < 1e-12).then(|| {
            let set = given
                .iter()
                .any(|value| value.argument.starts_with("--set"));
            let with = if set {
                " with the same --set values"
            } else {
                ""
            };
            format!("the {} scenario{with}", HIGH_DEMAND.0)
        });
    Ok(Some(LimitScenario {
        demand,
        scenario,
        world,
        bundled,
    }))
}

/// A result the background run sends when it has it.
enum Awaited<T> {
    /// Not received yet; `waiting` says what runs meanwhile.
    Pending {
        receiver: Receiver<Result<T, RunError>>,
        waiting: String,
    },
    Ready(T),
}

impl<T> Awaited<T> {
    /// The result, waiting for it if need be while watching for Ctrl-C;
    /// `status` is given the `waiting` text once if it has to wait.
    fn get(&mut self, stop: &AtomicBool, status: impl Fn(&str)) -> Result<&T, Failure> {
        if let Awaited::Pending { receiver, waiting } = self {
            let mut told = false;
            let result = loop {
                if stop.load(Ordering::Relaxed) {
                    return Err(Failure::Interrupted(String::new()));
                }
                match receiver.recv_timeout(Duration::from_millis(50)) {
                    Ok(result) => break result,
                    Err(RecvTimeoutError::Timeout) if !told => {
                        told = true;
                        status(waiting);
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(Failure::Runtime(
                            "the run of every replicate stopped without a result".to_string(),
                        ));
                    }
                }
            };
            let value = result.map_err(|error| match error {
                RunError::Interrupted { .. } => Failure::Interrupted(String::new()),
                error => Failure::Runtime(error.to_string()),
            })?;
            *self = Awaited::Ready(value);
        }
        match self {
            Awaited::Ready(value) => Ok(value),
            Awaited::Pending { .. } => unreachable!("the result was just received"),
        }
    }

    fn ready(&self) -> Option<&T> {
        match self {
            Awaited::Ready(value) => Some(value),
            Awaited::Pending { .. } => None,
        }
    }
}

/// The run of the same story at the limit's demand, as the show knows it.
enum LimitShow<'a> {
    /// It runs after every replicate.
    Runs {
        limit: &'a LimitScenario,
        results: Awaited<Results>,
    },
    /// The scenario's own demand is already at or above `--limit-demand`.
    AlreadyAt { demand: f64 },
}

/// How the show ended.
enum Ending {
    Finished,
    Quit,
}

/// What was typed at a page.
enum Key {
    Next,
    Back,
    Quit,
    /// Standard input is closed: the rest is shown without waiting.
    End,
}

struct Show<'a> {
    story: Story<'a>,
    /// Every replicate's results, and how long they took.
    main: Awaited<(Results, f64)>,
    limit: LimitShow<'a>,
    sections: Vec<Option<Section>>,
    stop: &'a AtomicBool,
    auto: bool,
    terminal: Terminal,
}

impl Show<'_> {
    /// Shows every step, page by page (or all at once).
    fn present(&mut self) -> Result<Ending, Failure> {
        let keys = (!self.auto).then(read_keys);
        let mut waiting = keys.is_some();
        let (mut step, mut page) = (0, 0);
        loop {
            let screen = self.terminal.screen(waiting);
            let section = self.section(step)?;
            let section_pages = pages(&section, STEPS, &screen);
            page = page.min(section_pages.len() - 1);
            let last = step + 1 == ORDER.len() && page + 1 == section_pages.len();
            if !waiting {
                self.terminal.print_pages(&section_pages);
                if step + 1 == ORDER.len() {
                    return Ok(Ending::Finished);
                }
                step += 1;
                continue;
            }
            self.terminal.clear();
            self.terminal.print(&section_pages[page].join("\n"));
            self.terminal
                .prompt(&self.prompt(step, page, section_pages.len(), last));
            let key = match &keys {
                Some(keys) => self.key(keys)?,
                None => Key::End,
            };
            if matches!(key, Key::Quit) || (matches!(key, Key::Next) && last) {
                self.terminal.erase_prompt();
            }
            match key {
                Key::Quit => return Ok(Ending::Quit),
                Key::End => {
                    // Stdin closed: the rest without waiting.
                    waiting = false;
                    self.terminal.print("");
                    self.terminal.print_pages(&section_pages[page + 1..]);
                    if step + 1 == ORDER.len() {
                        return Ok(Ending::Finished);
                    }
                    step += 1;
                }
                Key::Next if last => return Ok(Ending::Finished),
                Key::Next if page + 1 < section_pages.len() => page += 1,
                Key::Next => (step, page) = (step + 1, 0),
                Key::Back if page > 0 => page -= 1,
                Key::Back if step > 0 => (step, page) = (step - 1, usize::MAX),
                Key::Back => {}
            }
        }
    }

    /// The prompt under a page: what Enter shows next.
    fn prompt(&self, step: usize, page: usize, count: usize, last: bool) -> String {
        let next = if last {
            "write the handouts and finish".to_string()
        } else if page + 1 < count {
            "next page".to_string()
        } else {
            match ORDER[step + 1] {
                Step::Questions => "the three questions".to_string(),
                Step::Reveal => "the reveal".to_string(),
                Step::Futures => "the futures".to_string(),
                Step::Comparison => {
                    format!("the same over {}", count_replicates(self.story.scenario))
                }
                Step::Takeaway => "the takeaway".to_string(),
                Step::Standoff => String::new(),
            }
        };
        format!("Enter: {next}   b: back   q: quit ")
    }

    /// Waits for a key, watching for Ctrl-C.
    fn key(&self, keys: &Receiver<Option<String>>) -> Result<Key, Failure> {
        loop {
            self.check_stop()?;
            match keys.recv_timeout(Duration::from_millis(50)) {
                Ok(Some(line)) => {
                    return Ok(match line.trim().to_ascii_lowercase().as_str() {
                        "q" | "quit" => Key::Quit,
                        "b" | "back" => Key::Back,
                        _ => Key::Next,
                    });
                }
                Ok(None) | Err(RecvTimeoutError::Disconnected) => return Ok(Key::End),
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }

    fn check_stop(&self) -> Result<(), Failure> {
        if self.stop.load(Ordering::Relaxed) {
            Err(Failure::Interrupted(String::new()))
        } else {
            Ok(())
        }
    }

    /// The section of a step, built the first time it is shown.
    fn section(&mut self, step: usize) -> Result<Section, Failure> {
        if let Some(section) = &self.sections[step] {
            return Ok(section.clone());
        }
        let section = match ORDER[step] {
            Step::Standoff => self.story.standoff(),
            Step::Questions => self.story.questions(),
            Step::Reveal => self.story.reveal(),
            Step::Futures => self.story.futures(),
            Step::Comparison => {
                let scenario = self.story.scenario;
                comparison(scenario, &self.results()?.0)
            }
            Step::Takeaway => {
                let scenario = self.story.scenario;
                let (results, limit) = self.all_results()?;
                takeaway(scenario, results, &limit)
            }
        };
        self.sections[step] = Some(section.clone());
        Ok(section)
    }

    /// Every replicate's results and how long they took, waiting for them
    /// if need be.
    fn results(&mut self) -> Result<&(Results, f64), Failure> {
        let status = self.terminal.waiting(self.auto);
        self.main.get(self.stop, status)
    }

    /// Every result the show needs: every replicate's, and the limit run's
    /// (or why there is none).
    fn all_results(&mut self) -> Result<(&Results, LimitRun<'_>), Failure> {
        let status = self.terminal.waiting(self.auto);
        let (results, _) = self.main.get(self.stop, &status)?;
        let limit = match &mut self.limit {
            LimitShow::Runs { limit, results } => {
                limit.ran(&limit.scenario, results.get(self.stop, &status)?)
            }
            LimitShow::AlreadyAt { demand } => LimitRun::already_at(self.story.scenario, *demand),
        };
        Ok((results, limit))
    }
}

fn count_replicates(scenario: &Scenario) -> String {
    count(scenario.replicates as f64, "simulated run")
}

/// Lines typed on standard input, from a thread of their own so that the
/// show can watch for Ctrl-C while it waits; `None` when input ends.
fn read_keys() -> Receiver<Option<String>> {
    let (sender, keys) = mpsc::channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        loop {
            line.clear();
            match stdin.lock().read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = sender.send(None);
                    return;
                }
                Ok(_) => {
                    if sender.send(Some(line.clone())).is_err() {
                        return;
                    }
                }
            }
        }
    });
    keys
}

/// How every replicate was run, for the manifest.
struct HandoutRun {
    threads: usize,
    pairs: usize,
}

/// Writes the comparison's files, charts and report, the featured
/// replicate's weeks and the limit's summary, all or nothing.
fn write_handouts(
    source: &Source,
    folder: &OutputFolder,
    show: &Show<'_>,
    run: &HandoutRun,
) -> Result<(), Failure> {
    let not_ready = || {
        Failure::Runtime("the handouts were asked for before every replicate had run".to_string())
    };
    let (results, seconds) = show.main.ready().ok_or_else(not_ready)?;
    let scenario = &source.scenario;
    let (limit, limit_run) = match &show.limit {
        LimitShow::Runs { limit, results } => {
            let results = results.ready().ok_or_else(not_ready)?;
            (Some((limit, results)), limit.ran(&limit.scenario, results))
        }
        LimitShow::AlreadyAt { demand } => (None, LimitRun::already_at(scenario, *demand)),
    };
    let featured = show.story.featured;
    let command = command_line().join(" ");
    let handout = handout_html(
        &show.story,
        &HandoutSections {
            reveal: &show.story.reveal(),
            comparison: &comparison(scenario, results),
            takeaway: &takeaway(scenario, results, &limit_run),
            command: &command,
        },
    );
    let mut staging = Staging::new(&folder.path);
    let mut one = Results::new(scenario.arms.len(), scenario.weeks as usize);
    one.add(&featured.outcomes, scenario.baseline);
    let staged = staging
        .write(REPLICATE_FILE, &output::weekly_csv(scenario, &one))
        .and_then(|()| staging.write(HANDOUT_FILE, handout.as_bytes()))
        .and_then(|()| match limit {
            Some((limit, results)) => {
                staging.write(LIMIT_FILE, &output::summary_csv(&limit.scenario, results))
            }
            None => {
                staging.remove(LIMIT_FILE);
                Ok(())
            }
        });
    if let Err(error) = staged {
        drop(staging);
        return Err(folder.failed(&error.to_string()));
    }
    let info = RunInfo {
        scenario_file: source.label.clone(),
        command,
        threads: run.threads,
        wall_time_seconds: *seconds,
        shards: None,
    };
    show.terminal.status("Writing the handouts...");
    let written = write_run(
        staging, folder, scenario, results, &info, run.pairs, true, show.stop,
    );
    show.terminal.status("");
    written?;
    let limit_file = if limit.is_some() {
        format!(", {LIMIT_FILE}")
    } else {
        String::new()
    };
    let screen = show.terminal.screen(false);
    let text = format!(
        "Handouts in {}: {HANDOUT_FILE} (one page to print), report.html, five charts (PNG for slides, SVG for documents), weekly.csv, summary.csv, manifest.json; this run's weeks in {REPLICATE_FILE}{limit_file}.",
        folder.path.display()
    );
    show.terminal
        .print(&paragraph(&[plain(text)], &screen).join("\n"));
    Ok(())
}

/// Where the show is printed, and what that terminal can do.
struct Terminal {
    /// Standard output is a terminal: pages fit its height, the screen is
    /// cleared between them.
    tty: bool,
    colour: Colour,
    unicode: bool,
}

impl Terminal {
    fn detect() -> Terminal {
        let tty = std::io::stdout().is_terminal();
        let term = std::env::var("TERM").unwrap_or_default();
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        let colour = if !tty || no_colour || term == "dumb" {
            Colour::None
        } else if term.contains("256") || std::env::var_os("COLORTERM").is_some() {
            Colour::Extended
        } else {
            Colour::Basic
        };
        Terminal {
            tty,
            colour,
            unicode: utf8_locale(),
        }
    }

    /// The screen as it is now (a terminal may be resized between pages);
    /// pages only when waiting for Enter on a terminal.
    fn screen(&self, waiting: bool) -> Screen {
        let (width, height) = size(self.tty);
        Screen {
            width: width.max(MIN_WIDTH),
            height: (waiting && self.tty).then_some(height),
            colour: self.colour,
            unicode: self.unicode,
        }
    }

    fn print(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    /// Pages one after another, a blank line after each.
    fn print_pages(&self, pages: &[Vec<String>]) {
        for lines in pages {
            self.print(&lines.join("\n"));
            self.print("");
        }
    }

    fn clear(&self) {
        if self.tty {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\x1b[H\x1b[2J");
            let _ = out.flush();
        }
    }

    /// Removes the prompt once its key is typed (the cursor is on the line
    /// below it), so that what follows is printed in its place.
    fn erase_prompt(&self) {
        if self.tty {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\x1b[1A\r\x1b[2K");
            let _ = out.flush();
        }
    }

    /// What to do with a `waiting` text: show it as the status, unless the
    /// show runs without waiting for Enter.
    fn waiting(&self, auto: bool) -> impl Fn(&str) + '_ {
        move |text| {
            if !auto {
                self.status(text);
            }
        }
    }

    /// A passing message on a terminal's current line, replacing the last
    /// one; an empty text clears it.
    fn status(&self, text: &str) {
        if self.tty {
            let mut out = std::io::stdout().lock();
            let margin = if text.is_empty() { "" } else { "  " };
            let _ = write!(out, "\r\x1b[2K{margin}{text}");
            let _ = out.flush();
        }
    }

    /// The prompt, on the last line, the cursor left after it.
    fn prompt(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let text = if self.colour == Colour::None {
            format!("\n  {text}")
        } else {
            format!("\n  \x1b[2m{text}\x1b[0m")
        };
        let _ = write!(out, "{text}");
        let _ = out.flush();
    }
}

/// Whether the locale says UTF-8 (the first of LC_ALL, LC_CTYPE and LANG set).
fn utf8_locale() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .is_some_and(|value| {
            let value = value.to_ascii_lowercase();
            value.contains("utf-8") || value.contains("utf8")
        })
}

/// Columns and rows: the terminal's, else `COLUMNS` and `LINES`, else 80 x 24.
fn size(tty: bool) -> (usize, usize) {
    let from_env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.trim().parse::<usize>().ok())
            .filter(|&value| value > 0)
            .unwrap_or(default)
    };
    let fallback = (from_env("COLUMNS", 80), from_env("LINES", 24));
    if tty {
        window_size().unwrap_or(fallback)
    } else {
        fallback
    }
}

#[cfg(target_os = "linux")]
fn window_size() -> Option<(usize, usize)> {
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct it is given,
    // which lives for the call.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0 && size.ws_row > 0)
        .then_some((usize::from(size.ws_col), usize::from(size.ws_row)))
}

#[cfg(not(target_os = "linux"))]
fn window_size() -> Option<(usize, usize)> {
    None
}

/// Every step of the walk-through for `scenario` (loaded from `source`
/// with `overrides`, then given `keep` to choose its arms), in order, as a
/// facilitator would see them: the story the live page presents as slides.
/// Runs every replicate, and the limit at demand 1.4.
pub(crate) fn story_sections(
    source: &Source,
    overrides: &[Override],
    keep: &dyn Fn(&mut Scenario) -> Result<(), String>,
    budget: &Budget,
    threads: usize,
    stop: &AtomicBool,
) -> Result<Vec<Section>, Failure> {
    let bad = |error: empathy_gap::scenario::ScenarioError| Failure::BadInput(error.to_string());
    let mut scenario = source.reload(overrides, Some(budget)).map_err(bad)?;
    keep(&mut scenario).map_err(Failure::BadInput)?;
    let world = World::new(&scenario);
    let pair = Featured::pair_of(&scenario, &world)
        .map_err(|reason| Failure::BadInput(format!("cannot tell the story: {reason}")))?;
    let options = RunOptions {
        threads,
        cancel: Some(stop),
        progress: None,
    };
    let interrupted = |error: RunError| Failure::Interrupted(error.to_string());
    let results = runner::run(&scenario, &world, &options).map_err(interrupted)?;
    let limit = limit_scenario_of(source, overrides, DEFAULT_LIMIT_DEMAND, budget)?;
    let limit_results = match &limit {
        Some(limit) => {
            let mut limited = limit.scenario.clone();
            keep(&mut limited).map_err(Failure::BadInput)?;
            let world = World::new(&limited);
            let results = runner::run(&limited, &world, &options).map_err(interrupted)?;
            Some((limited, results))
        }
        None => None,
    };
    let featured = Featured::simulate(&scenario, &world, pair, None);
    let story = Story::new(&scenario, &featured);
    let limit_run = match (&limit, &limit_results) {
        (Some(limit), Some((limited, results))) => limit.ran(limited, results),
        _ => LimitRun::already_at(&scenario, DEFAULT_LIMIT_DEMAND),
    };
    Ok(vec![
        story.standoff(),
        story.questions(),
        story.reveal(),
        story.futures(),
        comparison(&scenario, &results),
        takeaway(&scenario, &results, &limit_run),
    ])
}
