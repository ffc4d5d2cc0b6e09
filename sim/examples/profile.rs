//! A fixed simulator workload to profile under callgrind (instruction counts repeat exactly):
//!
//! ```sh
//! cargo build --release -p genserver-sim --example profile
//! valgrind --tool=callgrind target/release/examples/profile stack 200 off
//! ```
//!
//! Arguments: system (default `stack`), seeds (200), tracing `on` or `off` (`off`). The
//! same batch as the `sim` criterion bench: seeds `0..N`, random scheduler, default limit.
//! Instead of `on` or `off`, `dfs` explores the system exhaustively with state hashing
//! (the seeds are then ignored), to profile fingerprints; `pct` runs the seeds with the PCT
//! scheduler at depths 1, 2 and 3 (runs of about 100 steps), tracing off.

use genserver_sim::{
    DEFAULT_MAX_STEPS, DfsOptions, PctScheduler, Reduction, explore, find_system, run, run_with,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "stack".to_owned());
    let seeds: u64 = args
        .next()
        .map_or(200, |s| s.parse().expect("a number of seeds"));
    let mode = args.next().unwrap_or_default();
    let record = mode == "on";
    let system = find_system(&name).expect("a bundled system");
    if mode == "dfs" {
        let options = DfsOptions {
            reduction: Reduction::StateHashing,
            ..DfsOptions::default()
        };
        let report = explore(system, &options, &mut |_| {}).expect("no divergence");
        println!("{name}: dfs with state hashing, {} states", report.states);
        return;
    }
    if mode == "pct" {
        let mut steps = 0;
        for seed in 0..seeds {
            for depth in 1..=3 {
                let mut pct = PctScheduler::new(seed, depth, 100);
                let report = run_with(system, seed, DEFAULT_MAX_STEPS, false, &mut pct);
                steps += report.expect("pct never diverges").steps;
            }
        }
        println!("{name}: {seeds} seeds at depths 1 to 3 with pct, {steps} steps");
        return;
    }
    let steps: u64 = (0..seeds)
        .map(|seed| run(system, seed, DEFAULT_MAX_STEPS, record).steps)
        .sum();
    println!(
        "{name}: {seeds} seeds, {steps} steps, tracing {}",
        if record { "on" } else { "off" }
    );
}
