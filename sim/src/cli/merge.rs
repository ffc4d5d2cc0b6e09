//! Sharded exhaustive search on the command line: `gsim hunt SYSTEM --strategy dfs --shard
//! K/N --seen FILE` writes what one shard saw, and `gsim merge FILE...` puts the shards
//! together into the verdict of the whole search.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::FOUND;
use crate::cli::commands::write;
use crate::{Exploration, Shard};

/// What `--seen` writes: one shard's report (its seen states among it) and, in words, the
/// failure it found.
#[derive(Serialize, Deserialize)]
pub(crate) struct ShardFile {
    /// What the file is (a guard against merging something else).
    pub kind: String,
    pub system: String,
    /// `K/N`.
    pub shard: String,
    /// The depth bound the shard searched within.
    pub max_depth_bound: u64,
    /// The failure this shard found first, in words.
    pub found: Option<String>,
    pub report: Exploration,
}

/// The kind of file, with the version of the split (shards cut by another version do not
/// merge: version 3 cuts where the search reaches enough subtrees, deals them out in its
/// order and carries sleep sets; version 4 fingerprints states with XXH3).
const KIND: &str = "gsim dfs shard, version 4";

impl ShardFile {
    /// The search this shard is one of `count` of, in words: equal for the shards of one
    /// search.
    fn search(&self, count: u64) -> String {
        let (system, depth) = (&self.system, self.max_depth_bound);
        let reduction = self.report.reduction;
        format!("{system} in {count} shards (depth {depth}, {reduction:?})")
    }
}

/// Writes what a shard of the search of `system` saw to `path`.
pub(crate) fn write_seen(
    path: &Path,
    system: &str,
    shard: Shard,
    max_depth_bound: u64,
    report: &Exploration,
) -> Result<(), String> {
    let file = ShardFile {
        kind: KIND.to_owned(),
        system: system.to_owned(),
        shard: shard.to_string(),
        max_depth_bound,
        found: (report.found.as_ref())
            .and_then(|found| found.failure())
            .map(|failure| failure.to_string()),
        report: report.clone(),
    };
    let text = serde_json::to_string(&file).map_err(|e| e.to_string())?;
    write(path, &text)
}

/// `gsim merge FILE...`: every shard of one search, merged. Exit 0 when the whole space was
/// verified, 1 when a shard found a failure, 4 when no run reached its end, 2 for files that
/// are not the shards of one search (one missing, one twice, another system or bound).
pub(crate) fn merge(files: &[PathBuf]) -> Result<u8, String> {
    let shards: Vec<(PathBuf, ShardFile)> = (files.iter())
        .map(|path| Ok((path.clone(), read(path)?)))
        .collect::<Result<_, String>>()?;
    let (_, first) = shards.first().ok_or("give the shard files to merge")?;
    let count = parse_shard(&first.shard)?.count;
    let mut taken = vec![None; count as usize];
    for (path, file) in &shards {
        let shard = parse_shard(&file.shard)?;
        let (this, wanted) = (file.search(shard.count), first.search(count));
        if this != wanted {
            return Err(format!(
                "{}: shard {} of the search of {this} is not of the search of {wanted}",
                path.display(),
                file.shard
            ));
        }
        let slot = &mut taken[(shard.index - 1) as usize];
        if let Some(other) = slot.replace(path.clone()) {
            return Err(format!(
                "shard {} given twice: {} and {}",
                file.shard,
                other.display(),
                path.display()
            ));
        }
    }
    let missing: Vec<String> = (taken.iter().enumerate())
        .filter(|(_, path)| path.is_none())
        .map(|(k, _)| format!("{}/{count}", k + 1))
        .collect();
    if !missing.is_empty() {
        return Err(format!("shards missing: {}", missing.join(", ")));
    }
    let reports: Vec<Exploration> = shards.iter().map(|(_, file)| file.report.clone()).collect();
    let merged = Exploration::merge(&reports);
    let found = shards.iter().find_map(|(path, file)| {
        (file.found.as_ref())
            .map(|failure| format!("{failure} (shard {}, {})", file.shard, path.display()))
    });
    let stats = format!(
        "{count} shards, {} schedules, {} unique states, {} end states, {} distinct failures, \
         max depth {}",
        merged.schedules,
        merged.states,
        merged.end_states,
        merged.distinct_failures,
        merged.max_depth
    );
    match found {
        Some(failure) => {
            say!("{}: FAILED at {failure}; {stats}", first.system);
            Ok(FOUND)
        }
        None => {
            say!("{}: {}; {stats}", first.system, merged.verdict());
            let unexplored = merged.schedules > 0 && merged.cut_runs == merged.schedules;
            Ok(if unexplored {
                crate::cli::UNEXPLORED
            } else {
                0
            })
        }
    }
}

fn read(path: &Path) -> Result<ShardFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: ShardFile = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a shard file of `gsim hunt --seen`: {e}",
            path.display()
        )
    })?;
    if file.kind != KIND {
        let what = match file.kind.starts_with("gsim dfs shard") {
            true => "a shard file of another version of gsim: run its shards again with this one",
            false => "not a shard file of `gsim hunt --seen`",
        };
        return Err(format!(
            "{}: {what} (it says {:?}, this gsim reads {KIND:?})",
            path.display(),
            file.kind
        ));
    }
    Ok(file)
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    text.parse().map_err(|e| format!("shard {text:?}: {e}"))
}
