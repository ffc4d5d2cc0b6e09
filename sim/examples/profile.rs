//! A fixed simulator workload to profile under callgrind (instruction counts repeat exactly):
//!
//! ```sh
//! cargo build --release -p genserver-sim --example profile
//! valgrind --tool=callgrind target/release/examples/profile stack 200 off
//! ```
//!
//! Arguments: system (default `stack`), seeds (200), tracing `on` or `off` (`off`). The
//! same batch as the `sim` criterion bench: seeds `0..N`, random scheduler, default limit.

use genserver_sim::{DEFAULT_MAX_STEPS, find_system, run};

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "stack".to_owned());
    let seeds: u64 = args
        .next()
        .map_or(200, |s| s.parse().expect("a number of seeds"));
    let record = args.next().is_some_and(|s| s == "on");
    let system = find_system(&name).expect("a bundled system");
    let steps: u64 = (0..seeds)
        .map(|seed| run(system, seed, DEFAULT_MAX_STEPS, record).steps)
        .sum();
    println!(
        "{name}: {seeds} seeds, {steps} steps, tracing {}",
        if record { "on" } else { "off" }
    );
}
