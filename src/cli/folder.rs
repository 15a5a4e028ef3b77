//! The output folder of a run, sweep or shard: made, locked against other
//! writers and tested before the work starts, tidied away if nothing is
//! written; signals that stop the work; and putting staged files in place.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use empathy_gap::shard::{self, ShardManifest};
use empathy_gap::staging::{Staging, WriteError};

use super::Failure;

/// Puts staged files in place, unless staging failed or a stop was asked for.
pub(crate) fn commit(
    staging: Staging,
    folder: &OutputFolder,
    written: Result<(), Box<dyn std::error::Error>>,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    if let Err(error) = written {
        drop(staging);
        return Err(folder.failed(&error.to_string()));
    }
    if stop.load(Ordering::Relaxed) {
        drop(staging);
        return Err(folder.interrupted("while writing the results"));
    }
    // Renames seldom fail once every file is staged; if one does, the files
    // renamed before it are already the new run's.
    staging.commit().map_err(|error| {
        Failure::Runtime(format!(
            "{error}; in {} the new run's files written before it are in place and the others are still the previous run's (or missing)",
            folder.path.display()
        ))
    })?;
    Ok(())
}

/// Stages a shard's manifest, last (it says the shard is complete), and
/// commits the shard's files.
pub(crate) fn commit_shard(
    mut staging: Staging,
    folder: &OutputFolder,
    manifest: &ShardManifest,
    stop: &AtomicBool,
) -> Result<(), Failure> {
    let written = (|| {
        // Every file as staged, so that a merge can tell it is unchanged.
        let mut manifest = manifest.clone();
        for name in staging.names() {
            let checksum = staging
                .read(&name)
                .and_then(shard::Checksum::of)
                .map_err(|source| WriteError {
                    path: staging.dir().join(&name),
                    source,
                })?;
            manifest.checksums.insert(name, checksum);
        }
        staging.write(shard::MANIFEST, &empathy_gap::output::json_bytes(&manifest))
    })()
    .map_err(Into::into);
    commit(staging, folder, written, stop)
}

/// Ctrl-C (and a polite kill) sets `stop`: the run stops within a week of
/// simulation and writes nothing. A second Ctrl-C ends the program at once.
pub(crate) fn listen_for_interruptions(stop: &Arc<AtomicBool>) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so that it sees the flag set by an earlier signal.
        let _ = signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(stop));
        let _ = signal_hook::flag::register(signal, Arc::clone(stop));
    }
    #[cfg(unix)]
    {
        let _ = signal_hook::flag::register(signal_hook::consts::SIGHUP, Arc::clone(stop));
    }
}

/// A run's output folder: `<out>/<sanitised scenario name>`.
pub(crate) struct OutputFolder {
    pub(crate) path: PathBuf,
    /// Folders this run created (innermost last), removed again if the run
    /// writes nothing into them.
    pub(crate) created: Vec<PathBuf>,
    /// Whether the folder already held a run's files.
    pub(crate) had_run: bool,
    /// The folder itself, open and locked for as long as the command runs.
    _lock: FolderLock,
}

/// An advisory lock (`flock`) on a folder, held until dropped (or the
/// process ends, however it ends): one writer per output folder at a time.
pub(crate) struct FolderLock {
    _folder: std::fs::File,
}

impl FolderLock {
    /// Locks `path`, or says which process holds it.
    pub(crate) fn take(path: &Path) -> Result<FolderLock, Failure> {
        let folder = std::fs::File::open(path).map_err(|error| {
            Failure::Runtime(format!(
                "{}: cannot open the folder: {error}",
                path.display()
            ))
        })?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: flock on a descriptor this function owns; no memory is shared.
            let locked = unsafe { libc::flock(folder.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if locked != 0 {
                let error = std::io::Error::last_os_error();
                if error.raw_os_error() != Some(libc::EWOULDBLOCK) {
                    return Err(Failure::Runtime(format!(
                        "{}: cannot lock the folder: {error}",
                        path.display()
                    )));
                }
                return Err(Failure::Runtime(format!(
                    "{}: {} is writing to this folder; wait for it to finish, or choose another --out",
                    path.display(),
                    holder(path).unwrap_or_else(|| "another empathy-gap".to_string())
                )));
            }
        }
        Ok(FolderLock { _folder: folder })
    }
}

/// A read-only file in `folder`, if there is one: a file someone marked to
/// keep, which a commit (it replaces the folder as a whole) would not.
fn read_only_file(folder: &Path) -> Option<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .filter(|entry| {
            entry
                .metadata()
                .is_ok_and(|meta| meta.is_file() && meta.permissions().readonly())
        })
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    entries.into_iter().next()
}

/// The process holding the lock on `path`, as "empathy-gap run two-managers
/// (process 1234)", read from Linux's `/proc/locks`; `None` elsewhere.
fn holder(path: &Path) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        let device = meta.dev();
        // /proc/locks names a file as MAJOR:MINOR:INODE, in hexadecimal
        // device numbers.
        let id = format!(
            "{:02x}:{:02x}:{}",
            libc::major(device),
            libc::minor(device),
            meta.ino()
        );
        let locks = std::fs::read_to_string("/proc/locks").ok()?;
        let pid: u32 = locks.lines().find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let at = fields.iter().position(|field| *field == "FLOCK")?;
            (fields.get(at + 4)? == &id).then(|| fields.get(at + 3)?.parse().ok())?
        })?;
        let command = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let words: Vec<String> = command
            .split(|&byte| byte == 0)
            .filter(|word| !word.is_empty())
            .map(|word| String::from_utf8_lossy(word).into_owned())
            .collect();
        let program = words
            .first()
            .and_then(|first| Path::new(first).file_name())
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        let rest = words
            .iter()
            .skip(1)
            .take(2)
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        Some(format!("{program} {rest} (process {pid})").replace("  ", " "))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}

impl OutputFolder {
    pub(crate) fn prepare(path: PathBuf) -> Result<OutputFolder, Failure> {
        let mut created: Vec<PathBuf> = path
            .ancestors()
            .filter(|folder| !folder.as_os_str().is_empty() && !folder.exists())
            .map(Path::to_path_buf)
            .collect();
        created.reverse();
        let cannot = |error: std::io::Error| {
            Failure::Runtime(format!(
                "{}: cannot create the output folder: {}",
                path.display(),
                error
            ))
        };
        // A file where a folder must be is a mistake in the arguments
        // (`--out results.csv`), not a failure while writing.
        if let Some(file) = path
            .ancestors()
            .filter(|folder| !folder.as_os_str().is_empty())
            .find(|folder| folder.exists() && !folder.is_dir())
        {
            return Err(Failure::BadInput(format!(
                "{}: is a file, not a folder; give --out a folder, like --out results",
                file.display()
            )));
        }
        std::fs::create_dir_all(&path).map_err(cannot)?;
        let lock = match FolderLock::take(&path) {
            Ok(lock) => lock,
            Err(failure) => {
                // Folders this run made are its own to remove.
                for folder in created.iter().rev() {
                    if std::fs::remove_dir(folder).is_err() {
                        break;
                    }
                }
                return Err(failure);
            }
        };
        // Holding the lock, no other commit to the folder is under way:
        // what an interrupted one left can go.
        empathy_gap::staging::clean_leftovers(&path);
        if let Some(protected) = read_only_file(&path) {
            return Err(Failure::Runtime(format!(
                "{}: is read-only; the command would replace it with the rest of the folder, so make it writable (chmod u+w) or choose another --out",
                protected.display()
            )));
        }
        let folder = OutputFolder {
            _lock: lock,
            had_run: ["manifest.json", "sweep.json", shard::MANIFEST]
                .iter()
                .any(|name| path.join(name).is_file()),
            path,
            created,
        };
        if let Err(error) = Staging::probe(&folder.path) {
            return Err(folder.failed(&format!(
                "{}: cannot write in the output folder: {}",
                folder.path.display(),
                error.source
            )));
        }
        Ok(folder)
    }

    /// Refuses a folder that holds another scenario's output: two names that
    /// make the same folder name (two names in another script both become
    /// `scenario`; `a b` and `a-b` both `a-b`) must not overwrite each
    /// other's runs. The manifests record each scenario's own name.
    pub(crate) fn check_scenario(&self, name: &str) -> Result<(), Failure> {
        for manifest in ["manifest.json", "sweep.json", "sensitivity.json"] {
            let Ok(text) = std::fs::read_to_string(self.path.join(manifest)) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if let Some(other) = json["name"].as_str()
                && other != name
            {
                self.tidy();
                return Err(Failure::Runtime(format!(
                    "{}: holds the output of scenario `{other}`, not of `{name}` (both names make the folder name `{}`); choose another --out, or rename one of the scenarios",
                    self.path.display(),
                    self.path
                        .file_name()
                        .map_or_else(String::new, |folder| folder.to_string_lossy().into_owned())
                )));
            }
        }
        Ok(())
    }

    /// Removes the folders this run created, if they are still empty.
    pub(crate) fn tidy(&self) {
        for folder in self.created.iter().rev() {
            if std::fs::remove_dir(folder).is_err() {
                break;
            }
        }
    }

    /// What a user needs to know about the folder after a run that wrote nothing.
    pub(crate) fn nothing_written(&self) -> String {
        let mut text = format!("nothing was written to {}", self.path.display());
        if self.had_run {
            text.push_str(", which still holds the previous run's complete files");
        }
        text
    }

    pub(crate) fn failed(&self, message: &str) -> Failure {
        self.tidy();
        Failure::Runtime(format!("{message}; {}", self.nothing_written()))
    }

    pub(crate) fn interrupted(&self, when: &str) -> Failure {
        self.tidy();
        Failure::Interrupted(format!("interrupted {when}: {}", self.nothing_written()))
    }
}
