//! All-or-nothing output: every file of a run is staged first and put in
//! place only when all of them are complete.
//!
//! On Linux a staged file is an unnamed temporary file in the output folder
//! (`O_TMPFILE`): it has no name until [`Staging::commit`] links it in, so a
//! run that is interrupted or killed at any moment before the commit leaves
//! nothing behind, not even a temporary file. Elsewhere, or on a file system
//! without unnamed files, a staged file is written under a hidden temporary
//! name (`.weekly.tmp-1234.csv`) in the output folder and removed if the run
//! stops first.
//!
//! The commit swaps the whole folder at once where it can (Linux, with every
//! file unnamed): it builds the new folder beside the old one
//! (`.NAME.staging-PID-TAG`), with the staged files and hard links to
//! everything of the old folder they do not replace or remove (shard
//! folders, a user's own files), then exchanges the two in one
//! `renameat2(RENAME_EXCHANGE)` and deletes the old one. A reader, and a
//! process killed at any moment, sees the old folder or the new one, never
//! a mix. A leftover staging folder (from a process killed mid-commit)
//! holds only copies and is removed by [`clean_leftovers`]. Where the
//! exchange is not available, each file is renamed over its final name in
//! turn: each file is then whole, but a kill between two renames leaves
//! some files of each run.

use std::fs::{self, File};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};

/// A file that could not be staged or committed.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write: {}", path.display(), describe(source))]
pub struct WriteError {
    /// The final path of the file (the temporary name means nothing to a user).
    pub path: PathBuf,
    pub source: io::Error,
}

/// The I/O error in words, with the usual causes named.
fn describe(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::StorageFull => "the disk is full".to_string(),
        io::ErrorKind::NotFound => "the folder no longer exists".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_string(),
        _ => error.to_string(),
    }
}

/// Files staged for one output folder, in the order they were staged.
pub struct Staging {
    dir: PathBuf,
    files: Vec<Staged>,
    /// Files of an earlier run to remove at the commit, if present.
    removals: Vec<String>,
}

struct Staged {
    name: String,
    file: File,
    /// The hidden temporary name, when the file has one.
    temporary: Option<PathBuf>,
}

impl Staging {
    /// Stages files for `dir`, which must exist.
    pub fn new(dir: &Path) -> Staging {
        Staging {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            removals: Vec::new(),
        }
    }

    /// The folder the files go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Checks that files can be staged in the folder, without leaving one.
    pub fn probe(dir: &Path) -> Result<(), WriteError> {
        let mut staging = Staging::new(dir);
        staging.write(".write-test", b"")
    }

    /// Stages `name` with `contents`; a later file of the same name replaces it.
    pub fn write(&mut self, name: &str, contents: &[u8]) -> Result<(), WriteError> {
        let error = |source| WriteError {
            path: self.dir.join(name),
            source,
        };
        let (file, temporary) = create_temporary(&self.dir, name).map_err(error)?;
        if let Some(index) = self.files.iter().position(|other| other.name == name) {
            let replaced = self.files.remove(index);
            if let Some(temporary) = &replaced.temporary {
                let _ = fs::remove_file(temporary);
            }
        }
        // Registered before writing, so that a failed write is cleaned up too.
        self.files.push(Staged {
            name: name.to_string(),
            file,
            temporary,
        });
        let file = &mut self.files.last_mut().expect("just pushed").file;
        file.write_all(contents)
            .and_then(|()| file.sync_all())
            .map_err(error)
    }

    /// Appends to the staged file `name`, staging it first if it is not yet:
    /// for a file written as its parts finish (a sweep's rows, a shard's
    /// blocks), which need never be whole in memory. Synced at the commit.
    pub fn append(&mut self, name: &str, contents: &[u8]) -> Result<(), WriteError> {
        let Some(staged) = self.files.iter_mut().find(|staged| staged.name == name) else {
            return self.write(name, contents);
        };
        // At the end even after [`Staging::read`] moved the file's position.
        staged
            .file
            .seek(io::SeekFrom::End(0))
            .and_then(|_| staged.file.write_all(contents))
            .map_err(|source| WriteError {
                path: self.dir.join(name),
                source,
            })
    }

    /// Reads the staged file `name` from its start: a file written as its
    /// parts finished, read back in a stream to make more files from it (a
    /// sweep's report from its rows) without ever holding it whole.
    pub fn read(&self, name: &str) -> io::Result<impl io::Read + '_> {
        let staged = self
            .files
            .iter()
            .find(|staged| staged.name == name)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not staged"))?;
        let mut file = &staged.file;
        file.rewind()?;
        Ok(io::BufReader::new(file))
    }

    /// The names of the staged files, in the order they were staged.
    pub fn names(&self) -> Vec<String> {
        self.files
            .iter()
            .map(|staged| staged.name.clone())
            .collect()
    }

    /// Removes `name` from the folder at the commit, after the staged files
    /// are in place (for an earlier run's file that the new run does not
    /// write and that would no longer match it).
    pub fn remove(&mut self, name: &str) {
        self.removals.push(name.to_string());
    }

    /// Puts every staged file in place under its final name and makes the
    /// removals, all at once where the folder can be exchanged (see the
    /// module's notes), else file by file in the order they were staged;
    /// returns the final paths.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, WriteError> {
        #[cfg(target_os = "linux")]
        if let Some(done) = self.commit_by_exchange() {
            return done;
        }
        self.commit_file_by_file()
    }

    /// The exchange of the whole folder; `None` when it is not available
    /// here (the files are then as they were, still staged).
    #[cfg(target_os = "linux")]
    fn commit_by_exchange(&mut self) -> Option<Result<Vec<PathBuf>, WriteError>> {
        if self.files.iter().any(|staged| staged.temporary.is_some()) {
            return None;
        }
        let name = self.dir.file_name()?.to_string_lossy().into_owned();
        let parent = match self.dir.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let next = parent.join(format!(".{name}{STAGING_MARK}{}", unique_tag()));
        let built = self.build_next(&next);
        let failed = |path: PathBuf, source: io::Error| {
            let _ = fs::remove_dir_all(&next);
            Some(Err(WriteError { path, source }))
        };
        match built {
            Ok(()) => {}
            // Linking across file systems (the folder is a mount point), or
            // no /proc: the file-by-file commit can still work.
            Err((_, error)) if is_unsupported(&error) => {
                let _ = fs::remove_dir_all(&next);
                return None;
            }
            Err((path, source)) => return failed(path, source),
        }
        match exchange(&next, &self.dir) {
            Ok(()) => {}
            Err(error) if is_unsupported(&error) => {
                let _ = fs::remove_dir_all(&next);
                return None;
            }
            Err(source) => return failed(self.dir.clone(), source),
        }
        // `next` now holds the previous folder: only copies of what is kept.
        let _ = fs::remove_dir_all(&next);
        if let Ok(parent) = File::open(&parent) {
            let _ = parent.sync_all();
        }
        let committed = std::mem::take(&mut self.files)
            .iter()
            .map(|staged| self.dir.join(&staged.name))
            .collect();
        Some(Ok(committed))
    }

    /// Builds the next folder at `next`: the staged files under their final
    /// names, and hard links to every entry of the current folder they do
    /// not replace or remove. An error names the path it is about.
    #[cfg(target_os = "linux")]
    fn build_next(&self, next: &Path) -> Result<(), (PathBuf, io::Error)> {
        fs::create_dir(next).map_err(|error| (self.dir.clone(), error))?;
        for staged in &self.files {
            let path = self.dir.join(&staged.name);
            staged
                .file
                .sync_all()
                .and_then(|()| link_unnamed(&staged.file, &next.join(&staged.name)))
                .map_err(|error| (path, error))?;
        }
        let entries = fs::read_dir(&self.dir).map_err(|error| (self.dir.clone(), error))?;
        for entry in entries {
            let entry = entry.map_err(|error| (self.dir.clone(), error))?;
            let entry_name = entry.file_name().to_string_lossy().into_owned();
            let replaced = self.files.iter().any(|staged| staged.name == entry_name);
            if replaced || self.removals.contains(&entry_name) || is_leftover(&entry_name) {
                continue;
            }
            link_tree(&entry.path(), &next.join(&entry_name))
                .map_err(|error| (entry.path(), error))?;
        }
        if let Ok(folder) = File::open(next) {
            let _ = folder.sync_all();
        }
        Ok(())
    }

    /// Renames each staged file over its final name in turn, then makes the
    /// removals.
    fn commit_file_by_file(mut self) -> Result<Vec<PathBuf>, WriteError> {
        let mut committed = Vec::with_capacity(self.files.len());
        let files = std::mem::take(&mut self.files);
        let mut remaining = files.into_iter();
        while let Some(mut staged) = remaining.next() {
            let path = self.dir.join(&staged.name);
            let placed = staged
                .file
                .sync_all()
                .and_then(|()| put_in_place(&self.dir, &mut staged, &path));
            if let Err(source) = placed {
                // Those not yet in place are dropped with `self`.
                self.files.push(staged);
                self.files.extend(remaining);
                return Err(WriteError { path, source });
            }
            committed.push(path);
        }
        for name in &self.removals {
            let path = self.dir.join(name);
            match fs::remove_file(&path) {
                Err(source) if source.kind() != io::ErrorKind::NotFound => {
                    return Err(WriteError { path, source });
                }
                _ => {}
            }
        }
        // Make the renames durable (best effort: not every system allows
        // opening a folder).
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(committed)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for staged in &self.files {
            if let Some(temporary) = &staged.temporary {
                let _ = fs::remove_file(temporary);
            }
        }
    }
}

/// What follows a folder's name in the name of its next version while a
/// commit builds it: `.two-managers.staging-1234-5f3a9c2e81d04b67`.
const STAGING_MARK: &str = ".staging-";

/// Whether `name` is a leftover of an interrupted commit: a staging folder,
/// or a named temporary file (`.weekly.tmp-1234.csv`).
fn is_leftover(name: &str) -> bool {
    name.starts_with('.') && (name.contains(STAGING_MARK) || name.contains(".tmp-"))
}

/// Removes what interrupted commits to `dir` left: staging folders beside
/// it and named temporary files in it. Call it only while holding the
/// folder's lock, so that no commit to `dir` is under way.
pub fn clean_leftovers(dir: &Path) {
    if let (Some(name), Some(parent)) = (dir.file_name(), dir.parent()) {
        let prefix = format!(".{}{STAGING_MARK}", name.to_string_lossy());
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        for entry in fs::read_dir(parent).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.contains(".tmp-") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether an error means the exchange cannot be done here, so the files
/// are committed one by one instead: no `renameat2` or no exchange on this
/// file system, a folder that is a mount point, links across file systems
/// or none allowed, no /proc to name an unnamed file (or a folder that
/// vanished, which the file-by-file commit reports in its own words).
#[cfg(target_os = "linux")]
fn is_unsupported(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(
            libc::EXDEV
                | libc::EINVAL
                | libc::ENOSYS
                | libc::EOPNOTSUPP
                | libc::EBUSY
                | libc::ENOENT
                | libc::EPERM
        )
    )
}

/// Exchanges two folders in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both arguments are valid NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Hard links `from` at `to`: a file by a link, a folder by a new folder of
/// links, a symbolic link by a copy of the link (never followed).
#[cfg(target_os = "linux")]
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    let kind = fs::symlink_metadata(from)?.file_type();
    if kind.is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(from)?, to)
    } else if kind.is_dir() {
        fs::create_dir(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        fs::hard_link(from, to)
    }
}

/// A tag no other name of this or another process has, and that cannot be
/// guessed ahead: the process id and 64 bits from the clock and a counter,
/// mixed (`1234-5f3a9c2e81d04b67`).
fn unique_tag() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let process = std::process::id();
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64);
    let mut mixed = clock
        ^ COUNTER.fetch_add(1, Ordering::Relaxed).rotate_left(32)
        ^ (u64::from(process) << 16);
    // splitmix64's finaliser: every input bit moves every output bit.
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    mixed ^= mixed >> 31;
    format!("{process}-{mixed:016x}")
}

/// A hidden temporary name that keeps the extension last, with a
/// [`unique_tag`]: `.weekly.tmp-1234-5f3a9c2e81d04b67.csv` for `weekly.csv`.
fn temporary_name(name: &str) -> String {
    let tag = unique_tag();
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => {
            format!(".{stem}.tmp-{tag}.{extension}")
        }
        _ => format!(".{}.tmp-{tag}", name.trim_start_matches('.')),
    }
}

/// A new file at `path` that did not exist: never through a symbolic link
/// planted there, never truncating anything (`O_CREAT | O_EXCL |
/// O_NOFOLLOW`).
fn create_new(path: &Path) -> io::Result<File> {
    let mut options = File::options();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// A new temporary file in `dir`: unnamed where the system allows it.
fn create_temporary(dir: &Path, name: &str) -> io::Result<(File, Option<PathBuf>)> {
    if let Some(file) = unnamed_file(dir)? {
        return Ok((file, None));
    }
    let temporary = dir.join(temporary_name(name));
    let file = create_new(&temporary)?;
    Ok((file, Some(temporary)))
}

fn put_in_place(dir: &Path, staged: &mut Staged, path: &Path) -> io::Result<()> {
    if staged.temporary.is_none() {
        let temporary = dir.join(temporary_name(&staged.name));
        if link_unnamed(&staged.file, &temporary).is_err() {
            // The file cannot be given a name (no /proc, say): copy it to one.
            let mut named = create_new(&temporary)?;
            staged.file.rewind()?;
            io::copy(&mut staged.file, &mut named)?;
            named.sync_all()?;
        }
        staged.temporary = Some(temporary);
    }
    let temporary = staged.temporary.as_ref().expect("named above");
    fs::rename(temporary, path)?;
    staged.temporary = None;
    Ok(())
}

/// An unnamed file in `dir`, or `None` where unnamed files are not available.
#[cfg(target_os = "linux")]
fn unnamed_file(dir: &Path) -> io::Result<Option<File>> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = File::options()
        .read(true)
        .write(true)
        .custom_flags(libc::O_TMPFILE)
        .mode(0o666)
        .open(dir);
    match opened {
        Ok(file) => Ok(Some(file)),
        // The kernel or the file system does not support O_TMPFILE.
        Err(error)
            if matches!(
                error.raw_os_error(),
                Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

#[cfg(not(target_os = "linux"))]
fn unnamed_file(_dir: &Path) -> io::Result<Option<File>> {
    Ok(None)
}

/// Gives an unnamed file the name `path`.
#[cfg(target_os = "linux")]
fn link_unnamed(file: &File, path: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;
    let source = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    let target = CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: both arguments are valid NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            source.as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn link_unnamed(_file: &File, _path: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn temporary_names_are_hidden_unguessable_and_keep_the_extension_last() {
        let id = std::process::id();
        let (a, b) = (temporary_name("trust.png"), temporary_name("trust.png"));
        assert!(
            a.starts_with(&format!(".trust.tmp-{id}-")) && a.ends_with(".png"),
            "{a}"
        );
        assert_ne!(a, b, "two names are never the same");
        assert!(temporary_name("README").starts_with(&format!(".README.tmp-{id}-")));
        assert!(is_leftover(&a));
    }

    #[test]
    #[cfg(unix)]
    fn a_temporary_file_is_never_made_through_a_planted_link() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        fs::write(&outside, b"keep me").unwrap();
        let planted = dir.path().join(".weekly.tmp-1.csv");
        std::os::unix::fs::symlink(&outside, &planted).unwrap();
        assert!(create_new(&planted).is_err());
        assert_eq!(fs::read(&outside).unwrap(), b"keep me");
    }

    #[test]
    fn nothing_is_visible_until_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(dir.path());
        staging.write("a.csv", b"a").unwrap();
        staging.write("b.csv", b"b").unwrap();
        if cfg!(target_os = "linux") {
            assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
        }
        let files = staging.commit().unwrap();
        assert_eq!(
            files,
            vec![dir.path().join("a.csv"), dir.path().join("b.csv")]
        );
        assert_eq!(names(dir.path()), ["a.csv", "b.csv"]);
        assert_eq!(fs::read(dir.path().join("b.csv")).unwrap(), b"b");
    }

    #[test]
    fn a_staged_file_is_read_back_and_still_appended_to_at_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(dir.path());
        staging.append("rows.csv", b"a\n").unwrap();
        staging.append("rows.csv", b"b\n").unwrap();
        let mut text = String::new();
        io::Read::read_to_string(&mut staging.read("rows.csv").unwrap(), &mut text).unwrap();
        assert_eq!(text, "a\nb\n");
        staging.append("rows.csv", b"c\n").unwrap();
        assert!(staging.read("other.csv").is_err());
        staging.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("rows.csv")).unwrap(), b"a\nb\nc\n");
    }

    #[test]
    fn dropping_without_commit_leaves_the_previous_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.csv"), b"old").unwrap();
        let mut staging = Staging::new(dir.path());
        staging.write("a.csv", b"new").unwrap();
        staging.write("b.csv", b"new").unwrap();
        drop(staging);
        assert_eq!(names(dir.path()), ["a.csv"]);
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"old");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn the_commit_swaps_the_whole_folder_and_keeps_what_it_does_not_replace() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("run");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("a.csv"), b"old a").unwrap();
        fs::write(dir.join("stale.png"), b"old chart").unwrap();
        fs::write(dir.join("notes.txt"), b"a user's own").unwrap();
        fs::create_dir(dir.join("shard-1-of-2")).unwrap();
        fs::write(dir.join("shard-1-of-2/shard.json"), b"{}").unwrap();
        std::os::unix::fs::symlink("/nowhere", dir.join("link")).unwrap();
        let before = fs::metadata(&dir).unwrap();
        let mut staging = Staging::new(&dir);
        staging.write("a.csv", b"new a").unwrap();
        staging.write("b.csv", b"new b").unwrap();
        staging.remove("stale.png");
        staging.commit().unwrap();
        assert_eq!(
            names(&dir),
            ["a.csv", "b.csv", "link", "notes.txt", "shard-1-of-2"]
        );
        assert_eq!(fs::read(dir.join("a.csv")).unwrap(), b"new a");
        assert_eq!(fs::read(dir.join("notes.txt")).unwrap(), b"a user's own");
        assert_eq!(
            fs::read(dir.join("shard-1-of-2/shard.json")).unwrap(),
            b"{}"
        );
        assert_eq!(
            fs::read_link(dir.join("link")).unwrap(),
            Path::new("/nowhere")
        );
        // A new folder took the old one's place, and nothing else is left.
        use std::os::unix::fs::MetadataExt;
        assert_ne!(fs::metadata(&dir).unwrap().ino(), before.ino());
        assert_eq!(names(root.path()), ["run"]);
    }

    #[test]
    fn leftovers_of_interrupted_commits_are_recognised_and_removed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("run");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("a.csv"), b"a").unwrap();
        fs::write(dir.join(".a.tmp-99.csv"), b"half").unwrap();
        let leftover = root.path().join(".run.staging-99-1");
        fs::create_dir(&leftover).unwrap();
        fs::write(leftover.join("a.csv"), b"a").unwrap();
        // Another folder's staging is not this folder's to remove.
        fs::create_dir(root.path().join(".other.staging-99-1")).unwrap();
        clean_leftovers(&dir);
        assert_eq!(names(&dir), ["a.csv"]);
        assert_eq!(names(root.path()), [".other.staging-99-1", "run"]);
    }

    #[test]
    fn a_vanished_folder_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        let mut staging = Staging::new(&gone);
        let error = staging.write("a.csv", b"a").unwrap_err();
        assert_eq!(error.path, gone.join("a.csv"));
        assert!(
            error.to_string().contains("the folder no longer exists"),
            "{error}"
        );
    }
}
