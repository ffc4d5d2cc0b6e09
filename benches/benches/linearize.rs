//! The linearizability checker (`genserver_sim::linearize`, Wing & Gong / Lowe with a memo
//! cache and per-key partitions) on seeded histories of a correct key-value store from 8
//! clients: 10 000 operations over 100 keys, and 1 000 on one key; each also with one read
//! near the end made impossible (not linearizable). The naive search of every order is the
//! baseline, next to the checker, on histories of a dozen operations it can finish.
//!
//! Run it with `cargo bench -p genserver-benches --bench linearize`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use genserver_benches::linearize::{Cell, KvOp, Workload, history, with_bad_read};
use genserver_sim::linearize::{History, check, naive};

type KvHistory = History<KvOp, Option<u32>>;

/// The histories of one group: a linearizable one, and one with a bad read near its end (from
/// `bad`, the same workload or one without timeouts).
fn pair(workload: &Workload, bad: &Workload) -> [(&'static str, KvHistory, bool); 2] {
    let good = history(workload);
    let bad = with_bad_read(&history(bad), 3);
    assert!(check(&Cell::default(), &good).is_linearizable());
    assert!(!check(&Cell::default(), &bad).is_linearizable());
    [("linearizable", good, true), ("bad_read", bad, false)]
}

fn checker(c: &mut Criterion) {
    let kv = Workload {
        seed: 1,
        clients: 8,
        operations: 10_000,
        keys: 100,
        values: 5,
        timeouts: 0.01,
    };
    let register = Workload {
        seed: 2,
        operations: 1_000,
        keys: 1,
        ..kv
    };
    // A failing search must visit every node, and with one key each pending operation
    // multiplies them: with the 21 pending operations of `register` it does not finish
    // (BENCHMARKS.md), so its bad read is measured without timeouts.
    let groups = [
        ("kv_10000_ops_100_keys", kv, kv),
        (
            "register_1000_ops",
            register,
            Workload {
                timeouts: 0.0,
                ..register
            },
        ),
    ];
    for (name, workload, bad) in groups {
        let mut group = c.benchmark_group(format!("linearize_{name}"));
        group.throughput(Throughput::Elements(workload.operations as u64));
        for (verdict, history, linearizable) in pair(&workload, &bad) {
            group.bench_function(BenchmarkId::new("wgl", verdict), |b| {
                b.iter(|| {
                    assert_eq!(
                        check(&Cell::default(), &history).is_linearizable(),
                        linearizable
                    )
                })
            });
        }
        group.finish();
    }
}

fn against_naive(c: &mut Criterion) {
    let mut group = c.benchmark_group("linearize_vs_naive");
    for operations in [12, 14] {
        let workload = Workload {
            seed: 3,
            clients: 8,
            operations,
            keys: 1,
            values: 3,
            timeouts: 0.0,
        };
        for (verdict, history, linearizable) in pair(&workload, &workload) {
            assert_eq!(
                naive::is_linearizable(&Cell::default(), &history),
                linearizable
            );
            group.bench_function(
                BenchmarkId::new(format!("naive_{verdict}"), operations),
                |b| b.iter(|| naive::is_linearizable(&Cell::default(), &history)),
            );
            group.bench_function(
                BenchmarkId::new(format!("wgl_{verdict}"), operations),
                |b| b.iter(|| check(&Cell::default(), &history).is_linearizable()),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, checker, against_naive);
criterion_main!(benches);
