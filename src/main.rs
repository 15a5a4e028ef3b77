//! The `empathy-gap` command line: its arguments and exit codes. The
//! commands themselves are in `cli/`.
//!
//! Exit codes: 0 success, 2 bad input (scenario or arguments), 1 a failure
//! while running or writing, 130 interrupted (Ctrl-C or a kill signal).
//! Errors are one line each, never a backtrace.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use empathy_gap::scenario::Override;
use empathy_gap::shard::ShardSpec;

mod cli;

use cli::Failure;
use cli::calibrate::calibrate;
use cli::merge::merge;
use cli::run::{RunFlags, run};
use cli::scenarios::{WarmupCheck, init, list, validate};
use cli::sensitivity::{SensitivityAsked, sensitivity};
use cli::sweep::{SweepAsked, sweep};
use cli::workshop::{WorkshopArgs, workshop};

#[derive(Parser)]
#[command(
    name = "empathy-gap",
    version,
    about = "Simulate the empathy gap between leaders who share a project"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every arm of a scenario and write weekly.csv, summary.csv and manifest.json.
    #[command(
        after_help = "Examples:\n  empathy-gap run two-managers\n  empathy-gap run typical-org --replicates 200 --detail\n  empathy-gap run my-org.toml --set defaults.demand=0.9 --out results"
    )]
    Run {
        /// A scenario file, or the name of a bundled scenario (see `list`).
        scenario: String,
        #[command(flatten)]
        common: CommonArgs,
        /// Print every summary metric in the table, not only those that fit 80 columns.
        #[arg(long)]
        wide: bool,
        /// Run only the K-th of N shards of the replicates, into OUT/<name>/shard-K-of-N/;
        /// `merge` combines the shards into the files one run writes.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
    },
    /// Run a scenario at every point of a grid of values and write sweep.csv,
    /// heatmaps and report.html.
    #[command(
        after_help = "Examples:\n  empathy-gap sweep two-managers --sweep trust-disclosure\n  empathy-gap sweep two-managers --param trust.initial=0.05:0.85:9 --replicates 200"
    )]
    Sweep {
        /// A scenario file, or the name of a bundled scenario (see `list`).
        scenario: String,
        /// A value to sweep: its dotted path (as for --set) and STEPS evenly spaced
        /// values from FROM to TO, e.g. trust.initial=0.1:0.9:9. Repeat for a grid.
        #[arg(long = "param", value_name = "PATH=FROM:TO:STEPS")]
        params: Vec<String>,
        /// One of the scenario's own [sweeps.NAME] (instead of --param).
        #[arg(long = "sweep", value_name = "NAME")]
        sweep_name: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
        /// Run only the K-th of N shards of the points, into OUT/<name>/shard-K-of-N/.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
    },
    /// Screen which parameters the conclusions rest on: Morris elementary
    /// effects of every parameter (or those named with --param) on conflict
    /// hours and connection-first's effect; writes sensitivity.csv, charts and
    /// report.html.
    #[command(
        after_help = "Examples:\n  empathy-gap sensitivity two-managers\n  empathy-gap sensitivity typical-org --param attribution.lambda_loss=0.15:0.5 --metric final_trust"
    )]
    Sensitivity {
        /// A scenario file, or the name of a bundled scenario (see `list`).
        scenario: String,
        /// A parameter to screen, by its dotted path (as for --set), over FROM
        /// to TO, e.g. attribution.lambda_loss=0.15:0.5. Repeat for more;
        /// without any, every model parameter from half to 1.5 times its value.
        #[arg(long = "param", value_name = "PATH=FROM:TO")]
        params: Vec<String>,
        /// An output to screen: a summary metric of the baseline (e.g.
        /// conflict_hours_per_leader_after_start), or ARM:METRIC for that arm's
        /// paired difference from the baseline. Repeat for more. Default: the
        /// baseline's conflict hours per leader from the start week, and
        /// connection-first's paired difference in them.
        #[arg(long = "metric", value_name = "[ARM:]METRIC")]
        metrics: Vec<String>,
        /// Trajectories of the design (each costs one run per parameter, plus one).
        #[arg(long, default_value_t = empathy_gap::sensitivity::DEFAULT_TRAJECTORIES)]
        trajectories: usize,
        /// Levels of the grid each parameter moves on (even).
        #[arg(long, default_value_t = empathy_gap::sensitivity::DEFAULT_LEVELS)]
        levels: usize,
        #[command(flatten)]
        common: CommonArgs,
        /// Run only the K-th of N shards of the points, into OUT/<name>-sensitivity/shard-K-of-N/.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
    },
    /// Combine the shards of a run or sweep (made with --shard) into the files
    /// one unsharded run writes.
    #[command(after_help = "Examples:\n  empathy-gap merge output/typical-org")]
    Merge {
        /// Shard folders, or folders that hold them (e.g. output/two-managers).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write (default: the folder that holds the first shard).
        #[arg(long)]
        out: Option<PathBuf>,
        /// No summary table.
        #[arg(long)]
        quiet: bool,
        /// Skip the charts and report.html.
        #[arg(long)]
        no_charts: bool,
        /// Print every summary metric in the table, not only those that fit 80 columns.
        #[arg(long)]
        wide: bool,
    },
    /// Redraw the charts and report.html of an earlier run or sweep from its CSV files.
    #[command(after_help = "Examples:\n  empathy-gap report output/two-managers")]
    Report {
        /// A run's or sweep's output folder, e.g. output/two-managers.
        dir: PathBuf,
    },
    /// Check scenario files without running them.
    #[command(
        after_help = "Examples:\n  empathy-gap validate my-org.toml\n  empathy-gap validate scenarios/*.toml --check-warmup never"
    )]
    Validate {
        /// Scenario files, or names of bundled scenarios (see `list`).
        #[arg(required = true)]
        files: Vec<String>,
        /// Override a scenario value by its dotted path, as `run` does, e.g. defaults.demand=0.9.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Add an arm, as `run` does, e.g. both=connection-first,status-meeting@5.
        #[arg(long = "arm", value_name = "NAME=KIND[,KIND][@WEEK]")]
        arm: Vec<String>,
        /// Accept a size estimated to exceed this machine's memory or a day of time.
        #[arg(long)]
        force: bool,
        /// Check that the warm-up reaches the model's steady state, by running
        /// the baseline's first weeks after it and after one three times as
        /// long: auto (when that takes under 10 seconds), always or never.
        #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
        check_warmup: WarmupCheck,
    },
    /// List the bundled scenarios.
    #[command(after_help = "Example:\n  empathy-gap list")]
    List,
    /// Write NAME.toml, a bundled scenario with its comments, to start your own
    /// organisation from, e.g. `empathy-gap init my-org --from typical-org`;
    /// with --people and --projects, your organisation imported from CSV.
    #[command(
        after_help = "Examples:\n  empathy-gap init my-org --from typical-org\n  empathy-gap init my-org --people people.csv --projects projects.csv\n\npeople.csv: name, team_size, manager (whoever others report to is a manager;\neveryone else leads a team); optional demand, disclosure, insecurity, support.\nprojects.csv: project, members (leaders separated by ;), optional\nweekly_share, priority, ambiguity. See the README, \"Your own organisation\"."
    )]
    Init {
        /// The new scenario's name; the file is NAME.toml.
        name: String,
        /// The bundled scenario to start from (see `list`): its parameters and
        /// arms, and its organisation unless --people and --projects give one.
        #[arg(long, default_value = "two-managers", value_name = "SCENARIO")]
        from: String,
        /// A CSV file of people: name, team_size, manager (and optionally
        /// demand, disclosure, insecurity, support).
        #[arg(long, value_name = "FILE", requires = "projects")]
        people: Option<PathBuf>,
        /// A CSV file of shared projects: project, members (separated by ;),
        /// and optionally weekly_share, priority, ambiguity.
        #[arg(long, value_name = "FILE", requires = "people")]
        projects: Option<PathBuf>,
    },
    /// Run the calibration checks (typical-org's conflict hours, episodes and
    /// onsets, a virtual cohort's risk factors, the demand response, the
    /// two-managers story) and print each figure beside its published target.
    #[command(after_help = "Examples:\n  empathy-gap calibrate --out output")]
    Calibrate {
        /// Output root; the table goes to OUT/calibration/calibration.csv.
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Worker threads (default: all cores; at most 4 per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Replicates of the two-managers and high-demand runs.
        #[arg(long, default_value_t = 1000)]
        replicates: u64,
    },
    /// Walk a room through the empathy gap, one step per Enter: the standoff,
    /// three questions, the reveal, the futures and the takeaway; then write
    /// the charts and report.html as handouts.
    #[command(
        after_help = "Examples:\n  empathy-gap workshop\n  empathy-gap workshop --auto --replicates 200"
    )]
    Workshop {
        /// A scenario file, or the name of a bundled scenario.
        #[arg(default_value = "two-managers")]
        scenario: String,
        /// Print the whole walk-through at once, without waiting for Enter.
        #[arg(long)]
        auto: bool,
        /// The replicate the story follows (default: a typical one of those in
        /// which both managers are in conflict with each other by week 4).
        #[arg(long, value_name = "N")]
        replicate: Option<u64>,
        /// Demand (arriving work over capacity) of the run that shows where
        /// the takeaway stops holding.
        #[arg(long, value_name = "DEMAND", default_value_t = cli::workshop::DEFAULT_LIMIT_DEMAND)]
        limit_demand: f64,
        #[command(flatten)]
        scenario_args: ScenarioArgs,
    },
    /// Explore the model live in a browser: sliders, the arms with their
    /// intervals as results stream in, the story as slides, and the settings
    /// saved as a scenario file. Serves 127.0.0.1 only, unless --host says
    /// otherwise.
    #[command(
        after_help = "Examples:\n  empathy-gap explore\n  empathy-gap explore my-org.toml --port 8080 --open"
    )]
    Explore {
        /// A scenario file, or the name of a bundled scenario.
        #[arg(default_value = "two-managers")]
        scenario: String,
        /// The port to listen on (0: any free port, printed at the start).
        #[arg(long, default_value_t = 7878)]
        port: u16,
        /// The address to listen on; anything but 127.0.0.1 lets other
        /// machines in.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Open the page in the desktop's browser.
        #[arg(long)]
        open: bool,
        /// Worker threads (default: all cores; at most 4 per core).
        #[arg(long)]
        threads: Option<usize>,
    },
}

/// Options of every command that runs a scenario.
#[derive(clap::Args)]
struct ScenarioArgs {
    /// Output root; the files go to a folder named after the scenario in it.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Independent runs of every arm (default: the scenario's); the same as --set replicates=N.
    #[arg(long)]
    replicates: Option<u64>,
    /// The seed that fixes every random draw (default: the scenario's); the same as --set seed=N.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores; at most 4 per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Override a scenario value by its dotted path, e.g. arms.connection-first.start_week=3.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Add an arm (or replace one of that name) with these interventions, from
    /// week 1 or @WEEK, e.g. both=connection-first,status-meeting@5.
    #[arg(long = "arm", value_name = "NAME=KIND[,KIND][@WEEK]")]
    arm: Vec<String>,
}

/// Options `run` and `sweep` share.
#[derive(clap::Args)]
struct CommonArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Reported weeks (default: the scenario's); the same as --set weeks=N.
    #[arg(long)]
    weeks: Option<u64>,
    /// No progress bar and no summary table.
    #[arg(long)]
    quiet: bool,
    /// Skip the charts and report.html (the CSV files and manifest are still written).
    #[arg(long)]
    no_charts: bool,
    /// Run even a size estimated to exceed this machine's memory or a day of
    /// time, or detail files estimated above 2 GB.
    #[arg(long)]
    force: bool,
    /// Also write replicates.csv, leaders.csv and relationships.csv: one row
    /// per replicate and arm, per leader and per relationship.
    #[arg(long)]
    detail: bool,
    /// Write the detail of the first N replicates only (implies --detail).
    #[arg(long, value_name = "N")]
    detail_replicates: Option<u64>,
}

impl CommonArgs {
    /// The `--set` overrides, then the shorthand flags (overrides like any
    /// other, validated the same way), and how to run.
    fn parse(self) -> Result<(Vec<Override>, RunFlags), Failure> {
        let scenario = self.scenario;
        let overrides = with_shorthands(
            &scenario.arm,
            &scenario.set,
            [
                ("replicates", scenario.replicates),
                ("seed", scenario.seed),
                ("weeks", self.weeks),
            ],
        )?;
        let flags = RunFlags {
            out: scenario.out,
            threads: scenario.threads,
            quiet: self.quiet,
            charts: !self.no_charts,
            wide: false,
            force: self.force,
            replicates: scenario.replicates,
            detail: match (self.detail, self.detail_replicates) {
                (_, Some(0)) => {
                    return Err(Failure::BadInput(
                        "--detail-replicates: must be at least 1 (leave out --detail for none)"
                            .to_string(),
                    ));
                }
                (_, Some(n)) => Some(Some(n)),
                (true, None) => Some(None),
                (false, None) => None,
            },
        };
        Ok((overrides, flags))
    }
}

/// The `--arm` arms, then the `--set` overrides (so that `--set` can adjust
/// an added arm), then the shorthand flags given: overrides like any other,
/// validated the same way.
fn with_shorthands<const N: usize>(
    arms: &[String],
    set: &[String],
    shorthands: [(&str, Option<u64>); N],
) -> Result<Vec<Override>, Failure> {
    let mut overrides = Vec::new();
    let mut problems = Vec::new();
    for argument in arms {
        match arm_override(argument) {
            Ok(parsed) => overrides.push(parsed),
            Err(message) => problems.push(message),
        }
    }
    if !problems.is_empty() {
        return Err(Failure::BadInput(problems.join("\n")));
    }
    overrides.extend(parse_overrides(set)?);
    overrides.extend(
        shorthands
            .into_iter()
            .filter_map(|(key, value)| Some(Override::shorthand(key, value?))),
    );
    Ok(overrides)
}

fn parse_shard(shard: Option<&str>) -> Result<Option<ShardSpec>, Failure> {
    shard
        .map(|text| ShardSpec::parse(text).map_err(Failure::BadInput))
        .transpose()
}

/// `--set PATH VALUE`, a space where `=` belongs: the argument parser would
/// only say that VALUE is unexpected, so say what was meant.
/// A command-line error as clap renders it (an error line, then tips, the
/// usage and a pointer to `--help`, over several lines), in one line and one
/// hint.
fn usage_error(rendered: &str, command: Option<&str>) -> (String, String) {
    let lines: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let mut message = lines
        .first()
        .map_or("error: invalid arguments".to_string(), |line| {
            line.to_string()
        });
    // "the following required arguments were not provided:", then the list.
    if message.ends_with(':') {
        let listed: Vec<&str> = lines[1..]
            .iter()
            .take_while(|line| line.starts_with('<') || line.starts_with("--"))
            .copied()
            .collect();
        message = format!("{message} {}", listed.join(", "));
    }
    // `--threads -1`: clap's tip would be to pass `-- -1`, which makes -1 a
    // scenario; what is wrong is the negative number.
    let negative = message
        .strip_prefix("error: unexpected argument '")
        .and_then(|rest| rest.split('\'').next())
        .filter(|argument| argument.starts_with('-') && argument[1..].parse::<f64>().is_ok());
    let hint = if let Some(number) = negative {
        format!("hint: {number} is negative; no option takes a negative number")
    } else if let Some(tip) = lines.iter().find(|line| line.starts_with("tip:")) {
        tip.replacen("tip:", "hint:", 1)
    } else {
        match command {
            Some(command) => format!("hint: see 'empathy-gap {command} --help'"),
            None => "hint: see 'empathy-gap --help'".to_string(),
        }
    };
    (message, hint)
}

fn set_with_a_space(args: &[String]) -> Option<String> {
    args.windows(3).find_map(|window| {
        let [flag, path, value] = window else {
            return None;
        };
        (flag == "--set" && !path.contains('=') && !value.starts_with('-')).then(|| {
            format!(
                "--set {path} {value}: write it as --set {path}={value}, with `=` and no spaces"
            )
        })
    })
}

fn main() -> ExitCode {
    // A reader that stops reading (`empathy-gap list | head -1`) ends the
    // program quietly, as it ends any Unix filter, instead of a panic at the
    // next print. Files are safe: a run commits them all at once or not.
    #[cfg(target_os = "linux")]
    // SAFETY: restoring a signal's default action, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Arguments need not be UTF-8 (a path may not be); clap says so where it
    // matters. This first look only searches for `--set PATH VALUE`.
    let args: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    if let Some(message) = set_with_a_space(&args) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version.
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error)
            if error.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            // No command at all: the list of commands is the answer.
            let _ = error.print();
            return ExitCode::from(2);
        }
        Err(error) => {
            // The command the error is about, when one was named.
            let command = args
                .get(1)
                .filter(|word| !word.starts_with('-'))
                .map(String::as_str);
            let (message, hint) = usage_error(&error.render().to_string(), command);
            eprintln!("{message}");
            eprintln!("{hint}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Run {
            scenario,
            common,
            wide,
            shard,
        } => common.parse().and_then(|(overrides, flags)| {
            let shard = parse_shard(shard.as_deref())?;
            let flags = RunFlags { wide, ..flags };
            run(&scenario, &overrides, &flags, shard)
        }),
        Command::Sweep {
            scenario,
            params,
            sweep_name,
            common,
            shard,
        } => common.parse().and_then(|(overrides, flags)| {
            let shard = parse_shard(shard.as_deref())?;
            let asked = SweepAsked {
                params: &params,
                name: sweep_name.as_deref(),
            };
            sweep(&scenario, &overrides, &flags, &asked, shard)
        }),
        Command::Sensitivity {
            scenario,
            params,
            metrics,
            trajectories,
            levels,
            common,
            shard,
        } => common.parse().and_then(|(overrides, flags)| {
            let shard = parse_shard(shard.as_deref())?;
            let asked = SensitivityAsked {
                params: &params,
                metrics: &metrics,
                trajectories,
                levels,
            };
            sensitivity(&scenario, &overrides, &flags, &asked, shard)
        }),
        Command::Merge {
            dirs,
            out,
            quiet,
            no_charts,
            wide,
        } => merge(&dirs, out.as_deref(), quiet, !no_charts, wide),
        Command::Validate {
            files,
            set,
            arm,
            force,
            check_warmup,
        } => with_shorthands(&arm, &set, [])
            .and_then(|overrides| validate(&files, &overrides, force, check_warmup)),
        Command::Report { dir } => report(&dir),
        Command::Explore {
            scenario,
            port,
            host,
            open,
            threads,
        } => cli::explore::explore(&cli::explore::ExploreArgs {
            scenario,
            host,
            port,
            open,
            threads,
        }),
        Command::Workshop {
            scenario,
            auto,
            replicate,
            limit_demand,
            scenario_args: args,
        } => with_shorthands(
            &args.arm,
            &args.set,
            [("replicates", args.replicates), ("seed", args.seed)],
        )
        .and_then(|overrides| {
            workshop(&WorkshopArgs {
                scenario,
                overrides,
                auto,
                replicate,
                limit_demand,
                out: args.out,
                threads: args.threads,
            })
        }),
        Command::Init {
            name,
            from,
            people,
            projects,
        } => init(&name, &from, people.as_deref().zip(projects.as_deref())),
        Command::List => {
            list();
            Ok(())
        }
        Command::Calibrate {
            out,
            threads,
            replicates,
        } => calibrate(&out, threads, replicates),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(message)) => {
            for line in message.lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(2)
        }
        Err(Failure::Runtime(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Interrupted(message)) => {
            eprintln!("{message}");
            ExitCode::from(130)
        }
    }
}

/// `--arm NAME=KIND[,KIND]...[@WEEK]`: the arm `arms.NAME` with those
/// interventions, from week WEEK (else 1), as an override of the scenario
/// named after the argument. Unknown kinds are left to the scenario's own
/// check, which suggests the nearest.
fn arm_override(argument: &str) -> Result<Override, String> {
    let label = format!("--arm {argument}");
    let Some((name, rest)) = argument.split_once('=') else {
        return Err(format!(
            "{label}: must be of the form NAME=KIND[,KIND][@WEEK], like both=connection-first,status-meeting@5"
        ));
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "{label}: an arm's name here is letters, digits, - and _ (got `{name}`)"
        ));
    }
    let (kinds, week) = match rest.split_once('@') {
        Some((kinds, week)) => match week.parse::<u32>() {
            Ok(week) => (kinds, Some(week)),
            Err(_) => {
                return Err(format!(
                    "{label}: the start week after @ must be a whole number (got `{week}`)"
                ));
            }
        },
        None => (rest, None),
    };
    let mut interventions = Vec::new();
    for kind in kinds.split(',').map(str::trim) {
        if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            return Err(format!(
                "{label}: `{kind}` is not an intervention kind (escalation, status-meeting or connection-first)"
            ));
        }
        interventions.push(format!("{{ kind = \"{kind}\" }}"));
    }
    let start = week.map_or(String::new(), |week| format!("start_week = {week}, "));
    let mut parsed = Override::parse(&format!(
        "arms.{name}={{ {start}interventions = [{}] }}",
        interventions.join(", ")
    ))?;
    parsed.argument = label;
    Ok(parsed)
}

fn parse_overrides(set: &[String]) -> Result<Vec<Override>, Failure> {
    let mut overrides = Vec::new();
    let mut problems = Vec::new();
    for argument in set {
        match Override::parse(argument) {
            Ok(parsed) => overrides.push(parsed),
            Err(message) => problems.push(message),
        }
    }
    if problems.is_empty() {
        Ok(overrides)
    } else {
        Err(Failure::BadInput(problems.join("\n")))
    }
}

fn report(dir: &Path) -> Result<(), Failure> {
    if dir.join(empathy_gap::shard::MANIFEST).is_file() {
        return Err(Failure::BadInput(format!(
            "{}: is one shard of a run or sweep; merge the shards first (empathy-gap merge {}), then report on the merged folder",
            dir.display(),
            dir.parent()
                .map_or_else(|| ".".into(), |parent| parent.display().to_string())
        )));
    }
    // Another command writing here would leave a report of half its files.
    let _lock = if dir.is_dir() {
        let lock = cli::folder::FolderLock::take(dir)?;
        empathy_gap::staging::clean_leftovers(dir);
        Some(lock)
    } else {
        None
    };
    let written = if dir.join("sensitivity.csv").is_file() {
        empathy_gap::report::write_sensitivity_report(dir)
    } else if dir.join("sweep.csv").is_file() {
        empathy_gap::report::write_sweep_report(dir)
    } else if dir.join("weekly.csv").is_file() {
        // A run's charts are drawn at once, on this machine's cores.
        let pool = empathy_gap::runner::pool::<std::convert::Infallible>(cli::thread_count(None)?)
            .map_err(|error| Failure::Runtime(error.to_string()))?;
        pool.install(|| empathy_gap::report::write_report(dir))
    } else {
        return Err(Failure::BadInput(format!(
            "{}: not a run's, a sweep's or a screening's output folder (no weekly.csv, sweep.csv or sensitivity.csv); give a folder like output/two-managers",
            dir.display()
        )));
    };
    let written = written.map_err(|error| Failure::Runtime(error.to_string()))?;
    println!("wrote {} files in {}", written.files.len(), dir.display());
    Ok(())
}
