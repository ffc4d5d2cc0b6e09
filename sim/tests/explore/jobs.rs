//! `jobs` threads give the result of a serial hunt; shards partition the seeds.

use genserver_sim::{DEFAULT_MAX_STEPS, Hunt, HuntOptions, Shard, Strategy, hunt_with, systems};

fn hunt(name: &str, options: &HuntOptions) -> Hunt {
    let system = genserver_sim::find_system(name).unwrap();
    hunt_with(system, options, &|_, _| {})
}

/// What must be equal: runs, the failing seed and its whole trace.
fn outcome(hunt: &Hunt) -> (u64, Option<(u64, String)>) {
    let found = (hunt.found.as_ref()).map(|r| (r.seed, r.trace.as_ref().unwrap().to_jsonl()));
    (hunt.runs, found)
}

#[test]
fn two_and_three_jobs_give_the_serial_result() {
    for system in systems() {
        for strategy in [Strategy::Random, Strategy::Pct { depth: 3 }] {
            let serial = HuntOptions {
                strategy,
                ..HuntOptions::new(0, 300, DEFAULT_MAX_STEPS)
            };
            let expected = outcome(&hunt(system.name, &serial));
            for jobs in [2, 3] {
                let parallel = HuntOptions {
                    jobs,
                    ..serial.clone()
                };
                assert_eq!(
                    outcome(&hunt(system.name, &parallel)),
                    expected,
                    "{} {strategy} with {jobs} jobs",
                    system.name
                );
            }
        }
    }
}

#[test]
fn the_first_shard_with_a_failure_finds_the_unsharded_seed() {
    for (name, strategy) in [
        ("stale-read", Strategy::Random),
        ("aba-version", Strategy::Pct { depth: 2 }),
    ] {
        let whole = HuntOptions {
            strategy,
            ..HuntOptions::new(0, 1_000, DEFAULT_MAX_STEPS)
        };
        let expected = hunt(name, &whole).found.expect("found").seed;
        let mut covered = 0;
        let mut first_found = None;
        for index in 1..=4 {
            let shard = Some(Shard { index, count: 4 });
            let options = HuntOptions {
                shard,
                ..whole.clone()
            };
            let (first, count) = options.seeds();
            assert_eq!(first, covered, "{name}: shards are contiguous");
            covered += count;
            let result = hunt(name, &options);
            assert!(result.runs <= count);
            first_found = first_found.or(result.found.map(|r| r.seed));
        }
        assert_eq!(covered, 1_000);
        assert_eq!(first_found, Some(expected), "{name}");
    }
}
