//! Runs stopped by Ctrl-C or killed, folders that vanish, a full disk, names
//! that try to leave the output folder: nothing half-written, nothing outside it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{binary, pair_scenario};

/// Every file a complete run with charts writes.
const RUN_FILES: usize = 14;

/// Starts `run two-managers` in `dir`, writing to `dir/out`.
fn start_run(dir: &Path, replicates: u64, seed: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_empathy-gap"))
        .current_dir(dir)
        .args(["run", "two-managers", "--out", "out", "--quiet"])
        .args(["--replicates", &replicates.to_string()])
        .args(["--seed", &seed.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// Sends SIGINT, as Ctrl-C does.
fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// The files in `folder` by name, with their contents.
fn snapshot(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return BTreeMap::new();
    };
    entries
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

/// Why `files` is not one complete run with the given seed, if it is not.
fn incomplete(files: &BTreeMap<String, Vec<u8>>, seed: u64, replicates: u64) -> Option<String> {
    if files.len() != RUN_FILES {
        return Some(format!("{} files: {:?}", files.len(), files.keys()));
    }
    let manifest: serde_json::Value = match serde_json::from_slice(&files["manifest.json"]) {
        Ok(manifest) => manifest,
        Err(error) => return Some(format!("manifest.json: {error}")),
    };
    if manifest["seed"] != seed || manifest["replicates"] != replicates {
        return Some(format!(
            "manifest.json is of seed {} and {} replicates",
            manifest["seed"], manifest["replicates"]
        ));
    }
    let rows = |name: &str| String::from_utf8_lossy(&files[name]).lines().count();
    // 4 arms' metrics and 3 arms' paired differences from the baseline.
    let weekly_rows = 1 + (4 + 3) * 26 * empathy_gap::metrics::Weekly::COUNT;
    let summary_rows = 1 + 4 * empathy_gap::metrics::Summary::COUNT;
    if rows("weekly.csv") != weekly_rows || rows("summary.csv") != summary_rows {
        return Some(format!(
            "weekly.csv has {} rows, summary.csv {}",
            rows("weekly.csv"),
            rows("summary.csv")
        ));
    }
    if !String::from_utf8_lossy(&files["report.html"])
        .trim_end()
        .ends_with("</html>")
    {
        return Some("report.html is cut short".to_string());
    }
    for (name, bytes) in files {
        if name.ends_with(".png") && image::load_from_memory(bytes).is_err() {
            return Some(format!("{name} is not a whole PNG"));
        }
        if name.ends_with(".svg")
            && roxmltree::Document::parse(&String::from_utf8_lossy(bytes)).is_err()
        {
            return Some(format!("{name} is not a whole SVG"));
        }
    }
    None
}

/// A small deterministic generator, so that a failure can be replayed from
/// its printed seed.
fn next(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

/// Starts a run 20 times and stops it at a random moment, alternately with
/// Ctrl-C and with a kill that cannot be caught. Each time the folder holds
/// either the previous complete run, untouched, or the new complete run,
/// and never a partial or temporary file.
#[test]
fn a_run_stopped_at_any_moment_leaves_a_complete_run_or_the_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("out/two-managers");
    let replicates = 500;
    // The first run, complete, timed: the moments below span it.
    let started = Instant::now();
    let first = start_run(dir.path(), replicates, 1)
        .wait_with_output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let duration = started.elapsed().as_secs_f64();
    let mut previous = (1, snapshot(&folder));
    assert_eq!(incomplete(&previous.1, 1, replicates), None);

    let mut state = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let replay = state;
    let mut log = Vec::new();
    for attempt in 0..20u64 {
        let seed = 100 + attempt;
        // Half the moments fall anywhere in the run, half in its last
        // quarter, where the files are staged and committed.
        let fraction = if attempt % 4 < 2 {
            next(&mut state) * 1.1
        } else {
            0.75 + next(&mut state) * 0.35
        };
        let mut child = start_run(dir.path(), replicates, seed);
        std::thread::sleep(Duration::from_secs_f64(duration * fraction));
        let ctrl_c = attempt % 2 == 0;
        if ctrl_c {
            interrupt(&child);
        } else {
            let _ = child.kill();
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        log.push(format!(
            "attempt {attempt}: {} at {fraction:.2} of the run: exit {:?}: {}",
            if ctrl_c { "Ctrl-C" } else { "kill" },
            output.status.code(),
            stderr.trim()
        ));
        let files = snapshot(&folder);
        let what = if files == previous.1 {
            None
        } else {
            incomplete(&files, seed, replicates)
        };
        assert!(
            what.is_none(),
            "{}\nafter {}: {}\n(replay seed {replay})",
            log.join("\n"),
            log.last().unwrap(),
            what.unwrap()
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        if ctrl_c && output.status.code() == Some(130) {
            assert!(
                stderr.contains("interrupted") && stderr.contains("nothing was written"),
                "{stderr}"
            );
            assert_eq!(files, previous.1, "an interrupted run changed the folder");
        }
        if files != previous.1 {
            previous = (seed, files);
        }
    }
    eprintln!("{}", log.join("\n"));
    // Not every kill should have landed after the run finished.
    assert!(
        log.iter()
            .filter(|line| line.contains("exit Some(0)"))
            .count()
            < 15,
        "{}",
        log.join("\n")
    );
}

#[test]
fn ctrl_c_stops_a_long_run_promptly_and_leaves_no_folder_behind() {
    let dir = tempfile::tempdir().unwrap();
    let child = start_run(dir.path(), 10_000_000, 1);
    std::thread::sleep(Duration::from_millis(500));
    let stopped = Instant::now();
    interrupt(&child);
    let output = child.wait_with_output().unwrap();
    assert!(
        stopped.elapsed() < Duration::from_secs(2),
        "took {:?} to stop",
        stopped.elapsed()
    );
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("interrupted after ")
            && stderr.contains("of 10,000,000 replicates: nothing was written to out/two-managers"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("out").exists(),
        "the run left its empty folder"
    );
}

#[test]
fn an_output_folder_that_vanishes_during_the_run_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let child = start_run(dir.path(), 3000, 1);
    let folder = dir.path().join("out/two-managers");
    // The folder is made before the run starts; remove it while the run works.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !folder.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: out/two-managers/")
            && stderr.contains("the folder no longer exists"),
        "{stderr}"
    );
}

#[test]
fn a_scenario_name_cannot_lead_outside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    for (name, folder) in [
        ("../../escape", "escape"),
        ("/etc/passwd", "etc-passwd"),
        ("a/../../b", "a-b"),
        ("..", "scenario"),
        ("C:\\Windows", "C-Windows"),
        ("nul", "nul-scenario"),
        ("café au lait", "caf-au-lait"),
    ] {
        let text = pair_scenario("").replace("name = \"pair\"", &format!("name = {name:?}"));
        std::fs::write(dir.path().join("s.toml"), text).unwrap();
        let output = binary(dir.path())
            .args(["run", "s.toml", "--out", "out", "--quiet", "--no-charts"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            dir.path()
                .join("out")
                .join(folder)
                .join("manifest.json")
                .is_file(),
            "{name}: not written to out/{folder}"
        );
        std::fs::remove_dir_all(dir.path().join("out")).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["s.toml"], "{name}: wrote outside the output folder");
    }
}

/// Unmounts the small file system of the full-disk test.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Needs permission to mount a small tmpfs (root with CAP_SYS_ADMIN on
/// Linux); where that is not allowed the test says so and checks nothing.
#[test]
fn a_full_disk_is_a_clear_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=300k", "tmpfs"])
        .arg(&disk)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !mounted {
        eprintln!("skipped: this system does not allow mounting a small tmpfs");
        return;
    }
    let _unmount = Mounted(disk.clone());
    let output = binary(&disk)
        .args([
            "run",
            "two-managers",
            "--out",
            ".",
            "--quiet",
            "--replicates",
            "20",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: ./two-managers/")
            && stderr.contains("the disk is full; nothing was written to ./two-managers"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(&disk).unwrap().count(),
        0,
        "files left on the full disk"
    );
}

/// A second command writing to a folder another is writing to refuses,
/// naming the other process, and leaves the first run's work alone; a
/// report of the folder waits for nothing half-written.
#[test]
fn a_second_writer_to_a_folder_in_use_refuses_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_run(dir.path(), 10_000_000, 1);
    let folder = dir.path().join("out/two-managers");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !folder.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    // The folder is made, then locked: give the run a moment to lock it.
    std::thread::sleep(Duration::from_millis(300));
    let expected = format!(
        "error: out/two-managers: empathy-gap run two-managers (process {}) is writing to this folder; wait for it to finish, or choose another --out",
        first.id()
    );
    for args in [
        vec!["run", "two-managers", "--out", "out", "--quiet"],
        vec!["report", "out/two-managers"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_empathy-gap"))
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr).trim_end(),
            expected,
            "{args:?}"
        );
    }
    // The first run is still working, and stops cleanly when asked.
    interrupt(&first);
    let output = first.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert!(!dir.path().join("out").exists());
    // Free again: a run into the folder goes ahead.
    let next = start_run(dir.path(), 20, 1).wait_with_output().unwrap();
    assert!(next.status.success());
    assert!(folder.join("summary.csv").is_file());
}

/// A read-only file in the output folder is a file someone marked to keep:
/// the run refuses before it starts, naming it, and changes nothing.
#[test]
fn a_read_only_file_in_the_output_folder_is_kept_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_run(dir.path(), 20, 1).wait_with_output().unwrap();
    assert!(first.status.success());
    let folder = dir.path().join("out/two-managers");
    let weekly = folder.join("weekly.csv");
    let mut permissions = std::fs::metadata(&weekly).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&weekly, permissions).unwrap();
    let before = snapshot(&folder);
    let second = start_run(dir.path(), 30, 2).wait_with_output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&second.stderr).trim_end(),
        "error: out/two-managers/weekly.csv: is read-only; the command would replace it with the rest of the folder, so make it writable (chmod u+w) or choose another --out"
    );
    assert_eq!(snapshot(&folder), before, "nothing changed");
}

/// Two scenario names that make the same folder name never overwrite each
/// other's runs: the second is refused, naming both.
#[test]
fn two_scenarios_whose_names_make_one_folder_name_do_not_overwrite_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(crate::common::repo_file("scenarios/two-managers.toml")).unwrap();
    for (file, name) in [("a.toml", "Альфа"), ("b.toml", "Бета")] {
        let renamed = text.replace("name = \"two-managers\"", &format!("name = \"{name}\""));
        assert_ne!(renamed, text);
        std::fs::write(dir.path().join(file), renamed).unwrap();
    }
    let run = |file: &str| {
        binary(dir.path())
            .args(["run", file, "--replicates", "10", "--quiet", "--no-charts"])
            .output()
            .unwrap()
    };
    assert!(run("a.toml").status.success());
    let folder = dir.path().join("output/scenario");
    let before = snapshot(&folder);
    let second = run("b.toml");
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&second.stderr).trim_end(),
        "error: output/scenario: holds the output of scenario `Альфа`, not of `Бета` (both names make the folder name `scenario`); choose another --out, or rename one of the scenarios"
    );
    assert_eq!(snapshot(&folder), before);
    // The same scenario runs again into its own folder.
    assert!(run("a.toml").status.success());
}
