//! The commands behind the argument parsing in `main.rs`: one file per
//! command (`run`, `sweep`, `merge`, `workshop`) and what they share
//! (`scenarios`: finding, loading and listing scenarios; `folder`: the
//! output folder, signals and putting files in place).

pub(crate) mod calibrate;
pub(crate) mod explore;
pub(crate) mod folder;
pub(crate) mod merge;
pub(crate) mod run;
pub(crate) mod scenarios;
pub(crate) mod sensitivity;
pub(crate) mod sweep;
pub(crate) mod workshop;

/// A failure and the exit code it maps to.
pub(crate) enum Failure {
    /// Exit 2: the scenario or the arguments.
    BadInput(String),
    /// Exit 1: running or writing.
    Runtime(String),
    /// Exit 130: stopped by Ctrl-C or a kill signal.
    Interrupted(String),
}

/// Most worker threads per core `--threads` may ask for: beyond a few per
/// core, threads only slow a run down, and tens of thousands exhaust the
/// machine before the run starts.
pub(crate) const MAX_THREADS_PER_CORE: usize = 4;

/// Worker threads: as asked (1 to [`MAX_THREADS_PER_CORE`] per core), or one
/// per core.
pub(crate) fn thread_count(threads: Option<usize>) -> Result<usize, Failure> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let most = MAX_THREADS_PER_CORE * cores;
    match threads {
        Some(0) => Err(Failure::BadInput(
            "--threads must be at least 1".to_string(),
        )),
        Some(threads) if threads > most => Err(Failure::BadInput(format!(
            "--threads {threads}: at most {most} here ({MAX_THREADS_PER_CORE} per core, {cores} cores available); more only slow a run down"
        ))),
        Some(threads) => Ok(threads),
        None => Ok(cores),
    }
}
