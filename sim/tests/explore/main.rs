//! Exploration strategies: exhaustive search with partial-order reduction, PCT, shrinking,
//! parallel and sharded hunts.

mod dfs;
mod history;
mod jobs;
mod pairs;
mod pct;
mod shrink;
mod soundness;
mod stateful;
mod step_limit;
mod symmetry;
mod threads;
mod time_races;
