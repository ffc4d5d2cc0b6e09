//! Sharded exhaustive search on the command line: `gsim hunt SYSTEM --strategy dfs --shard
//! K/N --seen FILE` writes what one shard saw, and `gsim merge FILE...` puts the shards
//! together into the verdict of the whole search.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cli::FOUND;
use crate::cli::commands::write;
use crate::{Exploration, Reduction, Seen, Shard};

/// What `--seen` writes: one shard's report and what it saw.
#[derive(Serialize, Deserialize)]
pub(crate) struct ShardFile {
    /// What the file is (a guard against merging something else).
    pub kind: String,
    pub system: String,
    /// `K/N`.
    pub shard: String,
    pub reduction: String,
    pub max_depth_bound: u64,
    pub schedules: u64,
    pub pruned: u64,
    pub failures: u64,
    pub max_depth: u64,
    pub depth_limited: bool,
    pub cut_runs: u64,
    pub budget_ran_out: bool,
    /// The failure this shard found first, in words.
    pub found: Option<String>,
    pub seen: Seen,
}

const KIND: &str = "gsim dfs shard, version 1";

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
        reduction: format!("{:?}", report.reduction),
        max_depth_bound,
        schedules: report.schedules,
        pruned: report.pruned,
        failures: report.failures,
        max_depth: report.max_depth,
        depth_limited: report.depth_limited,
        cut_runs: report.cut_runs,
        budget_ran_out: report.budget_ran_out,
        found: (report.found.as_ref())
            .and_then(|found| found.failure())
            .map(|failure| failure.to_string()),
        seen: report.seen.clone().unwrap_or_default(),
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
        let same = (
            file.system.as_str(),
            shard.count,
            file.max_depth_bound,
            &file.reduction,
        ) == (
            first.system.as_str(),
            count,
            first.max_depth_bound,
            &first.reduction,
        );
        if !same {
            return Err(format!(
                "{}: shard {} of {} (depth {}, {}) is not of the search of {} (shard {}, depth \
                 {}, {})",
                path.display(),
                file.shard,
                file.system,
                file.max_depth_bound,
                file.reduction,
                first.system,
                first.shard,
                first.max_depth_bound,
                first.reduction
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
    let reports: Vec<Exploration> = shards.iter().map(|(_, file)| exploration(file)).collect();
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

/// The report a shard file gives (its failure is in the file as words only).
fn exploration(file: &ShardFile) -> Exploration {
    Exploration {
        schedules: file.schedules,
        pruned: file.pruned,
        failures: file.failures,
        max_depth: file.max_depth,
        depth_limited: file.depth_limited,
        cut_runs: file.cut_runs,
        budget_ran_out: file.budget_ran_out,
        reduction: match file.reduction.as_str() {
            "Nothing" => Reduction::Nothing,
            _ => Reduction::StateHashing,
        },
        seen: Some(file.seen.clone()),
        ..Exploration::default()
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
        return Err(format!(
            "{}: not a shard file of `gsim hunt --seen` (it says {:?})",
            path.display(),
            file.kind
        ));
    }
    Ok(file)
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    text.parse().map_err(|e| format!("shard {text:?}: {e}"))
}
