//! Simulator speed: scheduled steps per second with tracing off and on, and whole seeded runs
//! per second, on bundled systems.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use genserver_sim::{DEFAULT_MAX_STEPS, Strategy, find_system, run, run_with};

/// Seeds per measured batch.
const SEEDS: u64 = 200;

/// Steps taken by the runs of seeds `0..SEEDS` of `system`.
fn steps_of(system: &str) -> u64 {
    let system = find_system(system).expect("bundled system");
    (0..SEEDS)
        .map(|seed| run(system, seed, DEFAULT_MAX_STEPS, false).steps)
        .sum()
}

fn batch(system: &str, record: bool) -> u64 {
    let system = find_system(system).expect("bundled system");
    (0..SEEDS)
        .map(|seed| run(system, seed, DEFAULT_MAX_STEPS, record).steps)
        .sum()
}

fn steps_per_second(c: &mut Criterion) {
    for system in ["stack", "counter"] {
        let mut group = c.benchmark_group(format!("sim_steps_{system}"));
        group.throughput(Throughput::Elements(steps_of(system)));
        for (name, record) in [("tracing_off", false), ("tracing_on", true)] {
            group.bench_function(BenchmarkId::new(name, SEEDS), |b| {
                b.iter(|| batch(system, record))
            });
        }
        group.finish();
    }
}

/// Runs seeds `0..SEEDS` of `system` under `strategy`, tracing off; returns the steps taken.
fn strategy_batch(system: &str, strategy: Strategy) -> u64 {
    let system = find_system(system).expect("bundled system");
    (0..SEEDS)
        .map(|seed| {
            let mut scheduler = strategy.scheduler(seed, DEFAULT_MAX_STEPS);
            run_with(system, seed, DEFAULT_MAX_STEPS, false, &mut *scheduler)
                .expect("a fresh run does not diverge")
                .steps
        })
        .sum()
}

fn runs_per_second(c: &mut Criterion) {
    for (name, strategy) in [
        ("random", Strategy::Random),
        ("pct_depth_2", Strategy::Pct { depth: 2 }),
    ] {
        let mut group = c.benchmark_group(format!("sim_runs_{name}"));
        group.throughput(Throughput::Elements(SEEDS));
        for system in ["lost-update", "stale-read", "aba-version"] {
            group.bench_function(system, |b| b.iter(|| strategy_batch(system, strategy)));
        }
        group.finish();
    }
}

criterion_group!(benches, steps_per_second, runs_per_second);
criterion_main!(benches);
