//! One check of a generated key-value history, timed, for peak memory under `/usr/bin/time -v`
//! (the `linearize` bench's figures of memory come from here):
//!
//! ```sh
//! cargo run --release -p genserver-benches --example linearize_probe -- \
//!     OPERATIONS KEYS [VALUES [TIMEOUTS [SEED [good|bad [naive]]]]]
//! ```
//!
//! `bad` changes a read near the end to a value nobody wrote; `naive` times the naive search
//! of every order too.

use std::time::Instant;

use genserver_benches::linearize::{Cell, Workload, history, with_bad_read};
use genserver_sim::linearize::{check, naive};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: &str| -> String {
        args.get(index)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    let workload = Workload {
        seed: number(4, "1").parse().expect("a seed"),
        clients: 8,
        operations: number(0, "10000").parse().expect("a number of operations"),
        keys: number(1, "100").parse().expect("a number of keys"),
        values: number(2, "5").parse().expect("a number of values"),
        timeouts: number(3, "0.01").parse().expect("a probability"),
    };
    let mut history = history(&workload);
    if args.get(5).is_some_and(|arg| arg == "bad") {
        history = with_bad_read(&history, 3);
    }
    let pending = history
        .operations()
        .iter()
        .filter(|op| op.is_pending())
        .count();
    let start = Instant::now();
    let verdict = check(&Cell::default(), &history);
    println!(
        "{workload:?}: {} operations ({pending} pending), {:?} in {:?}",
        history.len(),
        verdict.violation().map(ToString::to_string),
        start.elapsed()
    );
    if args.get(6).is_some_and(|arg| arg == "naive") {
        let start = Instant::now();
        let linearizable = naive::is_linearizable(&Cell::default(), &history);
        println!(
            "naive: linearizable {linearizable} in {:?}",
            start.elapsed()
        );
    }
}
