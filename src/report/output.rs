//! All-or-nothing writing of the report's files.
//!
//! Each file is written under a hidden temporary name in the output folder
//! (so the final rename stays on one file system and is atomic) and only
//! renamed once every file is complete. If anything fails first, dropping
//! the [`StagedFiles`] deletes the temporaries: a reader of the folder sees
//! either the previous files or the new ones, never a half-written file.

use std::fs;
use std::path::{Path, PathBuf};

use super::ReportError;

pub(crate) struct StagedFiles {
    dir: PathBuf,
    /// (temporary path, final path), in the order they were staged.
    staged: Vec<(PathBuf, PathBuf)>,
}

impl StagedFiles {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            staged: Vec::new(),
        }
    }

    /// The final path of `file_name` in the output folder.
    pub fn final_path(&self, file_name: &str) -> PathBuf {
        self.dir.join(file_name)
    }

    /// Stages `file_name` with `contents`.
    pub fn write(&mut self, file_name: &str, contents: &[u8]) -> Result<(), ReportError> {
        // Errors name the final file: the temporary name means nothing to
        // the person reading the message.
        let path = self.final_path(file_name);
        self.write_with(file_name, |temporary| {
            fs::write(temporary, contents).map_err(|source| ReportError::Write { path, source })
        })
    }

    /// Stages `file_name`, letting `write` create the temporary file (for
    /// writers such as plotters' bitmap backend that want a path).
    pub fn write_with(
        &mut self,
        file_name: &str,
        write: impl FnOnce(&Path) -> Result<(), ReportError>,
    ) -> Result<(), ReportError> {
        let temporary = self.dir.join(temporary_name(file_name));
        // Record the temporary before writing so that a failed write is
        // cleaned up too.
        self.staged
            .push((temporary.clone(), self.final_path(file_name)));
        write(&temporary)
    }

    /// Renames every staged file to its final name and returns the final
    /// paths.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, ReportError> {
        let mut committed = Vec::with_capacity(self.staged.len());
        for (temporary, final_path) in std::mem::take(&mut self.staged) {
            if let Err(source) = fs::rename(&temporary, &final_path) {
                // Put it back so that Drop removes it and the not yet
                // renamed ones.
                self.staged.push((temporary, final_path.clone()));
                return Err(ReportError::Write {
                    path: final_path,
                    source,
                });
            }
            committed.push(final_path);
        }
        Ok(committed)
    }
}

impl Drop for StagedFiles {
    fn drop(&mut self) {
        for (temporary, _) in &self.staged {
            // Best effort: the file may never have been created.
            let _ = fs::remove_file(temporary);
        }
    }
}

/// `.report.tmp.html` for `report.html`. The extension stays last because
/// plotters' bitmap backend picks the image format from it.
fn temporary_name(file_name: &str) -> String {
    match file_name.rsplit_once('.') {
        Some((stem, extension)) => format!(".{stem}.tmp.{extension}"),
        None => format!(".{file_name}.tmp"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_keep_the_extension_last() {
        assert_eq!(temporary_name("trust.png"), ".trust.tmp.png");
        assert_eq!(temporary_name("report.html"), ".report.tmp.html");
        assert_eq!(temporary_name("README"), ".README.tmp");
    }

    #[test]
    fn dropping_without_commit_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut staged = StagedFiles::new(dir.path());
        staged.write("a.txt", b"a").unwrap();
        drop(staged);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn commit_renames_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut staged = StagedFiles::new(dir.path());
        staged.write("a.txt", b"a").unwrap();
        staged.write("b.txt", b"b").unwrap();
        let files = staged.commit().unwrap();
        assert_eq!(
            files,
            vec![dir.path().join("a.txt"), dir.path().join("b.txt")]
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
