//! Shards: one run or sweep split into N independent jobs (a cluster's job
//! array), each writing its part to `<output folder>/shard-K-of-N/`, and
//! [`merge`](crate::shard) put back together into exactly the files one
//! unsharded run writes.
//!
//! A run's shard K runs a contiguous range of replicate blocks (see
//! [`crate::runner::BLOCK`]) and keeps each block's statistics, exactly, in
//! `blocks.bin`; merging folds the blocks of every shard in block order, which
//! is the arithmetic of the unsharded run, so `weekly.csv` and `summary.csv`
//! come out byte-identical. A sweep's shard K runs the points `p` with
//! `p mod N = K - 1` (round-robin, so slow and fast regions of the grid are
//! shared out) and writes their `sweep.csv` rows; merging puts the rows back
//! in point order.
//!
//! Each shard also writes `shard.json`: the scenario's text and overrides, so
//! that the merge rebuilds the same scenario, and which shard of how many it is,
//! so that the merge can tell a missing, repeated or foreign shard.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::metrics::{Summary, Weekly};
use crate::runner::Results;
use crate::scenario::{Override, Scenario};
use crate::stats::Running;

/// The manifest of a shard.
pub const MANIFEST: &str = "shard.json";
/// A run shard's block statistics.
pub const BLOCKS: &str = "blocks.bin";
/// A sweep shard's rows.
pub const SWEEP_ROWS: &str = "sweep.csv";

/// `--shard K/N`: the K-th of N shards, counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    pub index: u64,
    pub count: u64,
}

/// Most shards a run may be split into.
pub const MAX_SHARDS: u64 = 1_000_000;

impl ShardSpec {
    /// Parses `K/N`; the message names the argument.
    pub fn parse(text: &str) -> Result<ShardSpec, String> {
        let label = format!("--shard {text}");
        let Some((k, n)) = text.split_once('/') else {
            return Err(format!(
                "{label}: write it as K/N, like 3/10 for the third of ten shards"
            ));
        };
        let (Ok(index), Ok(count)) = (k.trim().parse::<u64>(), n.trim().parse::<u64>()) else {
            return Err(format!("{label}: K and N must be whole numbers, like 3/10"));
        };
        if !(1..=MAX_SHARDS).contains(&count) {
            return Err(format!(
                "{label}: N must be from 1 to {}",
                crate::words::thousands(MAX_SHARDS)
            ));
        }
        if !(1..=count).contains(&index) {
            return Err(format!(
                "{label}: K must be from 1 to N ({count}); a job array's task numbers may start at 0, so add 1"
            ));
        }
        Ok(ShardSpec { index, count })
    }

    /// `shard-K-of-N`, with K padded so that the folders sort in order.
    pub fn folder_name(&self) -> String {
        let width = self.count.to_string().len();
        format!("shard-{:0width$}-of-{}", self.index, self.count)
    }

    /// This shard's contiguous range of `total` blocks.
    pub fn blocks(&self, total: u64) -> Range<u64> {
        let share = |k: u64| (u128::from(total) * u128::from(k) / u128::from(self.count)) as u64;
        share(self.index - 1)..share(self.index)
    }

    /// Whether sweep point `point` is this shard's.
    pub fn has_point(&self, point: u64) -> bool {
        point % self.count == self.index - 1
    }
}

/// An override as a shard records it, to be applied again by the merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedOverride {
    pub argument: String,
    pub path: Vec<String>,
    pub value: toml::Value,
}

impl SavedOverride {
    pub fn save(overrides: &[Override]) -> Vec<SavedOverride> {
        overrides
            .iter()
            .map(|o| SavedOverride {
                argument: o.argument.clone(),
                path: o.path.clone(),
                value: o.value.clone(),
            })
            .collect()
    }

    pub fn restore(saved: &[SavedOverride]) -> Vec<Override> {
        saved
            .iter()
            .map(|o| Override {
                argument: o.argument.clone(),
                path: o.path.clone(),
                value: o.value.clone(),
            })
            .collect()
    }
}

/// What a sweep shard ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSweep {
    /// The scenario's named sweep, if one was run.
    pub name: Option<String>,
    /// `PATH=FROM:TO:STEPS` of each parameter.
    pub params: Vec<String>,
    pub replicates: u64,
}

/// A sensitivity screening as its shards record it: everything the merge
/// needs to rebuild its design and write its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSensitivity {
    pub params: Vec<crate::sensitivity::Param>,
    pub skipped: Vec<crate::sensitivity::Skipped>,
    /// Each output's arm name, summary metric and whether it is a paired difference.
    pub outputs: Vec<(String, String, bool)>,
    pub trajectories: usize,
    pub levels: usize,
    pub replicates: u64,
}

/// `shard.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardManifest {
    /// `run`, `sweep` or `sensitivity`.
    pub kind: String,
    pub version: String,
    pub shard: u64,
    pub of: u64,
    pub scenario_file: String,
    /// The scenario file's text, so the merge needs neither the file nor the
    /// same working folder.
    pub scenario_text: String,
    pub overrides: Vec<SavedOverride>,
    /// A sweep shard's sweep.
    pub sweep: Option<SavedSweep>,
    /// A run shard's blocks, `[first, end)`.
    pub blocks: Option<[u64; 2]>,
    /// A sensitivity shard's screening.
    #[serde(default)]
    pub sensitivity: Option<SavedSensitivity>,
    /// The command an unsharded run would have been.
    pub command: String,
    pub threads: usize,
    pub wall_time_seconds: f64,
    /// Leader pairs of the organisation (for the run's manifest).
    pub n_pairs: usize,
    /// Each file of the shard (other than this manifest) as it was written:
    /// checked before a merge reads it.
    #[serde(default)]
    pub checksums: std::collections::BTreeMap<String, Checksum>,
}

/// A file's length and CRC-32 (IEEE), which catch a file cut short,
/// changed bytes and any burst of damage of up to 32 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checksum {
    pub bytes: u64,
    pub crc32: u32,
}

impl Checksum {
    /// The checksum of everything `reader` yields.
    pub fn of(mut reader: impl io::Read) -> io::Result<Checksum> {
        let mut hasher = crc32fast::Hasher::new();
        let mut buffer = vec![0; 1 << 16];
        let mut bytes = 0u64;
        loop {
            let read = reader.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            bytes += read as u64;
        }
        Ok(Checksum {
            bytes,
            crc32: hasher.finalize(),
        })
    }
}

/// Checks every file a shard's manifest lists against its checksum, and
/// that it lists some: a file changed, damaged or cut short after the shard
/// finished is refused, naming the file.
pub fn verify(folder: &Path, manifest: &ShardManifest) -> Result<(), String> {
    if manifest.checksums.is_empty() {
        return Err(format!(
            "{}: lists no checksums of its files; run the shard again",
            folder.join(MANIFEST).display()
        ));
    }
    for (name, expected) in &manifest.checksums {
        let path = folder.join(name);
        let file = std::fs::File::open(&path)
            .map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
        let found = Checksum::of(io::BufReader::new(file))
            .map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
        if found != *expected {
            return Err(format!(
                "{}: does not match its checksum in {MANIFEST} ({} bytes, CRC-32 {:08x} when the shard finished; {} bytes, CRC-32 {:08x} now): it was changed or damaged since; run the shard again",
                path.display(),
                expected.bytes,
                expected.crc32,
                found.bytes,
                found.crc32
            ));
        }
    }
    Ok(())
}

impl ShardManifest {
    /// The manifest of shard `spec` of a job of `kind` (`run`, `sweep` or
    /// `sensitivity`), made by the command line `args`, with none of the
    /// fields a kind of its own sets (`sweep`, `blocks`, `sensitivity`,
    /// `n_pairs`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kind: &str,
        spec: ShardSpec,
        scenario_file: &str,
        scenario_text: &str,
        overrides: &[crate::scenario::Override],
        args: &[String],
        threads: usize,
        wall_time_seconds: f64,
    ) -> ShardManifest {
        ShardManifest {
            kind: kind.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            shard: spec.index,
            of: spec.count,
            scenario_file: scenario_file.to_string(),
            scenario_text: scenario_text.to_string(),
            overrides: SavedOverride::save(overrides),
            sweep: None,
            blocks: None,
            sensitivity: None,
            command: unsharded_command(args),
            threads,
            wall_time_seconds,
            n_pairs: 0,
            checksums: std::collections::BTreeMap::new(),
        }
    }

    /// Whether `other` is a shard of the same run or sweep.
    fn same_job(&self, other: &ShardManifest) -> bool {
        self.kind == other.kind
            && self.version == other.version
            && self.of == other.of
            && self.scenario_text == other.scenario_text
            && self.overrides == other.overrides
            && self.sweep == other.sweep
            && self.sensitivity == other.sensitivity
    }
}

/// The command line without its `--shard` argument: what one machine would run.
pub fn unsharded_command(args: &[String]) -> String {
    let mut kept = Vec::new();
    let mut skip_next = false;
    for arg in args {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if arg == "--shard" {
            skip_next = true;
        } else if !arg.starts_with("--shard=") {
            kept.push(arg.as_str());
        }
    }
    kept.join(" ")
}

const MAGIC: &[u8; 8] = b"EGBLOCK1";

/// The header of `blocks.bin`: the shape of every block that follows.
fn shape(scenario: &Scenario) -> [u64; 4] {
    [
        scenario.arms.len() as u64,
        u64::from(scenario.weeks),
        Weekly::COUNT as u64,
        Summary::COUNT as u64,
    ]
}

/// The start of `blocks.bin`.
pub fn blocks_header(scenario: &Scenario) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    for value in shape(scenario) {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    bytes
}

/// One block of `blocks.bin`: its number, its replicates, then every
/// statistic's count, mean and sum of squares, exactly.
pub fn encode_block(block: u64, results: &Results) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(16 + 24 * results.statistics().count());
    bytes.extend_from_slice(&block.to_le_bytes());
    bytes.extend_from_slice(&results.replicates_done.to_le_bytes());
    for running in results.statistics() {
        let (n, mean, m2) = running.parts();
        bytes.extend_from_slice(&n.to_le_bytes());
        bytes.extend_from_slice(&mean.to_bits().to_le_bytes());
        bytes.extend_from_slice(&m2.to_bits().to_le_bytes());
    }
    bytes
}

/// Reads the blocks of one shard's `blocks.bin`, one at a time.
pub struct BlockReader {
    path: PathBuf,
    reader: BufReader<File>,
    arms: usize,
    weeks: usize,
}

impl BlockReader {
    /// Opens `path` and checks that its blocks have `scenario`'s shape.
    pub fn open(path: &Path, scenario: &Scenario) -> Result<BlockReader, String> {
        let cannot = |error: io::Error| format!("{}: cannot read: {error}", path.display());
        let mut reader = BufReader::new(File::open(path).map_err(cannot)?);
        let mut header = [0u8; 40];
        reader
            .read_exact(&mut header)
            .map_err(|_| format!("{}: too short to be a shard's blocks", path.display()))?;
        let words: Vec<u64> = header[8..]
            .chunks_exact(8)
            .map(|chunk| u64::from_le_bytes(chunk.try_into().expect("8 bytes")))
            .collect();
        if &header[..8] != MAGIC || words != shape(scenario) {
            return Err(format!(
                "{}: not the blocks of this scenario (written by another version, or damaged)",
                path.display()
            ));
        }
        Ok(BlockReader {
            path: path.to_path_buf(),
            reader,
            arms: scenario.arms.len(),
            weeks: scenario.weeks as usize,
        })
    }

    /// The next block, `None` at the end of the file.
    pub fn next_block(&mut self) -> Result<Option<(u64, Results)>, String> {
        let damaged = || format!("{}: ends in the middle of a block", self.path.display());
        let mut word = [0u8; 8];
        match self.reader.read(&mut word[..1]) {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(error) => return Err(format!("{}: cannot read: {error}", self.path.display())),
        }
        self.reader
            .read_exact(&mut word[1..])
            .map_err(|_| damaged())?;
        let block = u64::from_le_bytes(word);
        let mut results = Results::new(self.arms, self.weeks);
        let read_word = |reader: &mut BufReader<File>| {
            let mut word = [0u8; 8];
            reader
                .read_exact(&mut word)
                .map(|()| u64::from_le_bytes(word))
        };
        results.replicates_done = read_word(&mut self.reader).map_err(|_| damaged())?;
        for running in results.statistics_mut() {
            let n = read_word(&mut self.reader).map_err(|_| damaged())?;
            let mean = f64::from_bits(read_word(&mut self.reader).map_err(|_| damaged())?);
            let m2 = f64::from_bits(read_word(&mut self.reader).map_err(|_| damaged())?);
            *running = Running::from_parts(n, mean, m2);
        }
        Ok(Some((block, results)))
    }
}

/// The shard folders among `dirs`: each given folder that holds a
/// `shard.json`, or else its `shard-*` subfolders that do.
pub fn find(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for dir in dirs {
        if dir.join(MANIFEST).is_file() {
            found.push(dir.clone());
            continue;
        }
        let entries = std::fs::read_dir(dir).map_err(|error| {
            format!(
                "{}: cannot read the folder: {}",
                dir.display(),
                match error.kind() {
                    io::ErrorKind::NotFound => "it does not exist".to_string(),
                    _ => error.to_string(),
                }
            )
        })?;
        let mut inside: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.starts_with("shard-"))
                    && path.join(MANIFEST).is_file()
            })
            .collect();
        if inside.is_empty() {
            return Err(format!(
                "{}: no shard here (a shard folder holds {MANIFEST}; give shard folders or the folder that holds them)",
                dir.display()
            ));
        }
        inside.sort();
        found.extend(inside);
    }
    Ok(found)
}

/// Reads every shard's manifest and checks that together they are every
/// shard of one job, once each; returns them ordered by shard number.
pub fn read_all(folders: &[PathBuf]) -> Result<Vec<(PathBuf, ShardManifest)>, String> {
    let mut shards: Vec<(PathBuf, ShardManifest)> = Vec::new();
    for folder in folders {
        let path = folder.join(MANIFEST);
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
        let manifest: ShardManifest = serde_json::from_str(&text).map_err(|error| {
            format!(
                "{}: line {}: not a shard manifest: {error}",
                path.display(),
                error.line()
            )
        })?;
        if manifest.version != env!("CARGO_PKG_VERSION") {
            return Err(format!(
                "{}: was written by version {} of empathy-gap, this is {}; merge with the version that ran the shards",
                path.display(),
                manifest.version,
                env!("CARGO_PKG_VERSION")
            ));
        }
        verify(folder, &manifest)?;
        if let Some((first_path, first)) = shards.first()
            && !first.same_job(&manifest)
        {
            return Err(format!(
                "{}: is a shard of another job than {} (different scenario, overrides, version or number of shards)",
                folder.display(),
                first_path.display()
            ));
        }
        if let Some((other, _)) = shards.iter().find(|(_, m)| m.shard == manifest.shard) {
            return Err(format!(
                "{}: shard {} of {} is given twice (also {})",
                folder.display(),
                manifest.shard,
                manifest.of,
                other.display()
            ));
        }
        shards.push((folder.clone(), manifest));
    }
    shards.sort_by_key(|(_, manifest)| manifest.shard);
    let of = shards.first().map_or(0, |(_, m)| m.of);
    let missing: Vec<String> = (1..=of)
        .filter(|k| !shards.iter().any(|(_, m)| m.shard == *k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        let shown = if missing.len() > 10 {
            format!(
                "{} and {} more",
                missing[..10].join(", "),
                missing.len() - 10
            )
        } else {
            missing.join(", ")
        };
        return Err(format!(
            "{} of {of} shards given; missing: {shown}",
            shards.len()
        ));
    }
    Ok(shards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_cover_every_block_once() {
        let spec = ShardSpec::parse("3/10").unwrap();
        assert_eq!(
            spec,
            ShardSpec {
                index: 3,
                count: 10
            }
        );
        assert_eq!(spec.folder_name(), "shard-03-of-10");
        for text in ["3", "0/4", "5/4", "a/b", "1/0"] {
            assert!(ShardSpec::parse(text).is_err(), "{text}");
        }
        for total in [0, 1, 7, 10, 1001] {
            let mut next = 0;
            for index in 1..=7 {
                let blocks = ShardSpec { index, count: 7 }.blocks(total);
                assert_eq!(blocks.start, next);
                next = blocks.end;
            }
            assert_eq!(next, total);
        }
    }

    #[test]
    fn the_unsharded_command_drops_the_shard() {
        let args: Vec<String> = ["empathy-gap", "run", "x", "--shard", "2/3", "--seed", "4"]
            .map(String::from)
            .to_vec();
        assert_eq!(unsharded_command(&args), "empathy-gap run x --seed 4");
        let args: Vec<String> = ["empathy-gap", "sweep", "--shard=1/2", "x"]
            .map(String::from)
            .to_vec();
        assert_eq!(unsharded_command(&args), "empathy-gap sweep x");
    }
}
