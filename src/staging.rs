//! All-or-nothing output: every file of a run is staged first and put in
//! place only when all of them are complete.
//!
//! On Linux a staged file is an unnamed temporary file in the output folder
//! (`O_TMPFILE`): it has no name until [`Staging::commit`] links it in, so a
//! run that is interrupted or killed at any moment before the commit leaves
//! nothing behind, not even a temporary file. Elsewhere, or on a file system
//! without unnamed files, a staged file is written under a hidden temporary
//! name (`.weekly.tmp-1234.csv`) in the output folder and removed if the run
//! stops first. Either way the commit renames each file over its final name
//! in the same folder, which is atomic: a reader sees the previous complete
//! file or the new complete file, never a truncated one.

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

    /// Removes `name` from the folder at the commit, after the staged files
    /// are in place (for an earlier run's file that the new run does not
    /// write and that would no longer match it).
    pub fn remove(&mut self, name: &str) {
        self.removals.push(name.to_string());
    }

    /// Puts every staged file in place under its final name, in the order
    /// they were staged, then makes the removals, and returns the final paths.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, WriteError> {
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

/// A hidden temporary name that keeps the extension last:
/// `.weekly.tmp-1234.csv` for `weekly.csv`.
fn temporary_name(name: &str) -> String {
    let process = std::process::id();
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => {
            format!(".{stem}.tmp-{process}.{extension}")
        }
        _ => format!(".{}.tmp-{process}", name.trim_start_matches('.')),
    }
}

/// A new temporary file in `dir`: unnamed where the system allows it.
fn create_temporary(dir: &Path, name: &str) -> io::Result<(File, Option<PathBuf>)> {
    if let Some(file) = unnamed_file(dir)? {
        return Ok((file, None));
    }
    let temporary = dir.join(temporary_name(name));
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temporary)?;
    Ok((file, Some(temporary)))
}

fn put_in_place(dir: &Path, staged: &mut Staged, path: &Path) -> io::Result<()> {
    if staged.temporary.is_none() {
        let temporary = dir.join(temporary_name(&staged.name));
        if link_unnamed(&staged.file, &temporary).is_err() {
            // The file cannot be given a name (no /proc, say): copy it to one.
            let mut named = File::create(&temporary)?;
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
    // A stale temporary of the same name (from a process with the same id
    // that was killed) would make linkat fail.
    let _ = fs::remove_file(path);
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
    fn temporary_names_are_hidden_and_keep_the_extension_last() {
        let id = std::process::id();
        assert_eq!(temporary_name("trust.png"), format!(".trust.tmp-{id}.png"));
        assert_eq!(temporary_name("README"), format!(".README.tmp-{id}"));
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
