//! Exhaustive search on one job and on two, in turn, round by round: the lost-update model
//! with `N` clients ([`genserver_benches::model::explore_clients`], DFS with state hashing,
//! states restored from copies), `ROUNDS` rounds of one search each way, then the medians
//! and the median of the rounds' ratios (one job's time ÷ two jobs').
//!
//! `cargo run --release -p genserver-benches --example jobs_probe -- [N] [ROUNDS] [JOBS]`
//! (with `JOBS`: searches on that many jobs only, e.g. to read their CPU time with
//! `/usr/bin/time`, or to profile them).
//!
//! Why rounds in turn: on a small virtual machine the speed of a whole process moves by
//! tens of percent from one run to the next (a one-job search of N = 3 took 3.9 ms in one
//! process and 5.8 ms in the next); a round's ratio compares two searches made within a few
//! milliseconds of each other.

use std::time::Instant;

use genserver_benches::model::explore_clients;
use genserver_benches::quartiles;

/// `gsim`'s allocator, as `gsim` runs.
#[global_allocator]
static ALLOCATOR: genserver_sim::FastAlloc = genserver_sim::FastAlloc;

/// Milliseconds one search on `jobs` threads takes; checks it saw `states` states.
fn search(clients: usize, jobs: usize, states: u64) -> f64 {
    let start = Instant::now();
    let seen = explore_clients(clients, jobs, true).states;
    let took = start.elapsed().as_secs_f64() * 1e3;
    assert_eq!(seen, states, "{jobs} jobs saw another number of states");
    took
}

fn main() {
    let mut args = std::env::args().skip(1);
    let clients: usize = args.next().map_or(3, |a| a.parse().expect("N"));
    let rounds: usize = args.next().map_or(100, |a| a.parse().expect("ROUNDS"));
    let states = explore_clients(clients, 1, true).states;
    if let Some(jobs) = args.next() {
        let jobs: usize = jobs.parse().expect("JOBS");
        let total: f64 = (0..rounds).map(|_| search(clients, jobs, states)).sum();
        println!(
            "N = {clients}, {jobs} jobs: {:.3} ms a search ({states} states)",
            total / rounds as f64
        );
        return;
    }
    let (mut one, mut two, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (a, b) = (search(clients, 1, states), search(clients, 2, states));
        one.push(a);
        two.push(b);
        ratios.push(a / b);
    }
    let ([_, one, _], [_, two, _]) = (quartiles(&mut one), quartiles(&mut two));
    let [low, median, high] = quartiles(&mut ratios);
    println!(
        "N = {clients} ({states} states): 1 job {one:.3} ms, 2 jobs {two:.3} ms (medians of {rounds})"
    );
    println!(
        "1 job ÷ 2 jobs (time), median of {rounds} rounds: {median:.2} (quartiles {low:.2}-{high:.2})"
    );
}
