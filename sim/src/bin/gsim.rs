//! `gsim`: run, hunt and replay the bundled genserver systems in the deterministic simulator.
//!
//! Exit codes: 0 no failure; 1 a failure found or reproduced; 2 bad usage or bad input;
//! 3 a replay diverged; 4 nothing was explored to its end (every run stopped at the step
//! limit).

#![forbid(unsafe_code)]

/// mimalloc: exhaustive search runs 1.2-1.3x faster on it than on the system's allocator.
#[cfg(feature = "fast-alloc")]
#[global_allocator]
static ALLOCATOR: genserver_sim::FastAlloc = genserver_sim::FastAlloc;

fn main() -> std::process::ExitCode {
    genserver_sim::cli::main(genserver_sim::systems())
}
