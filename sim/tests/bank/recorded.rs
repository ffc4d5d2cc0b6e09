//! A failure seen on real threads, replayed in the simulator: the bank soaked on threads
//! until a run overdraws, its recording followed, shrunk and drawn; recordings of runs that
//! passed followed to the same per-server orders.

use std::collections::BTreeMap;
use std::time::Duration;

use genserver::Stage;
use genserver::runtime::Threads;
use genserver_sim::recorded::{Around, Soak, follow_recording, record};
use genserver_sim::zoo::{counter, lost_update};
use genserver_sim::{World, shrink};
use genserver_traces::{Answer, EventKind, Outcome, ProcessKind, Trace, to_html, to_text};

use crate::accounts::Policy;
use crate::scenario::{bank, bank_fixed_on_threads, bank_on_threads, scenario};

/// The bank as recorded, with no check but the clients' own.
fn bank_as_played(world: &mut World) {
    scenario(world, Policy::TrustCaller, None);
}

/// The first failing recording of a soak of the bank (a minute at most).
fn overdrawn_on_threads() -> Trace {
    let soak = Soak::new("bank", bank_on_threads)
        .runs(5_000)
        .for_at_most(Duration::from_secs(60));
    let report = soak.run();
    assert_eq!(report.kept.len(), 1, "no failure in {} runs", report.runs);
    report.kept.into_iter().next().unwrap()
}

#[test]
fn a_failure_on_threads_replays_in_the_simulator_shrinks_and_renders() {
    let recording = overdrawn_on_threads();
    assert_eq!(recording.header.strategy, "recorded");
    let Outcome::Failure(seen) = &recording.end.outcome else {
        panic!("a kept recording failed")
    };
    assert!(seen.message.contains("leaving"), "{seen:?}");
    // The clients' calls as the run's history: the withdrawal that overdrew is there.
    let overdrew = (recording.end.operations.iter()).find(|op| {
        Some(&op.client) == seen.process.as_ref()
            && op.call.starts_with("Withdraw(")
            && matches!(&op.returned, Some(r) if r.answer == Answer::Reply("Ok(-30)".into()))
    });
    assert!(
        overdrew.is_some(),
        "{seen:?}: {:#?}",
        recording.end.operations
    );
    let seqs: Vec<u64> = (recording.end.operations.iter())
        .map(|op| op.invoked.seq)
        .collect();
    assert!(seqs.is_sorted() && seqs.len() >= 4, "{seqs:?}");
    // Saved and loaded, as a user would.
    let recording = Trace::from_jsonl(&recording.to_jsonl()).expect("a valid trace");

    // The same scenario in the simulator, through the recorded orders: the same failure.
    let followed = follow_recording(&bank_as_played, &recording, false).expect("followed");
    assert!(followed.same_ending(), "{followed:?}");
    let failure = followed.report.failure().expect("it fails");
    assert_eq!(failure.message, seen.message);
    let trace = followed.report.trace.clone().expect("traced");
    // Read off the two traces: up to the failure, each server took what it took on threads.
    let recorded = taken_by_servers(&recording);
    for (server, taken) in taken_by_servers(&trace) {
        assert_eq!(taken[..], recorded[&server][..taken.len()], "{server}");
    }
    assert_eq!(trace.header.strategy, "recording");
    // An ordinary simulated trace: it replays strictly, shrinks and renders.
    genserver_sim::replay(&bank_as_played, &trace).expect("replays");
    let shrunk = shrink(&bank_as_played, &trace).unwrap().expect("it fails");
    let small = shrunk.report.trace.expect("traced");
    assert!(small.schedule().len() <= trace.schedule().len());
    assert!(to_text(&small).contains("leaving"));
    assert!(to_html(&small).contains("<svg"));

    // The system with the simulator's own checks fails too (its invariant sees the
    // overdraft as it happens, before the client does).
    let checked = follow_recording(&bank, &recording, false).expect("followed");
    assert!(checked.report.failure().is_some());
}

/// Records `runs` runs of a scenario on threads, each followed strictly in the simulator:
/// every process takes exactly its recorded inputs, and the runs end alike.
fn follow_passing_runs(
    name: &str,
    runs: usize,
    on_threads: impl Fn(&mut Threads),
    system: &dyn genserver_sim::System,
) {
    for run in 0..runs {
        let (outcome, trace) = record(name, &on_threads);
        let followed = follow_recording(system, &trace, false)
            .unwrap_or_else(|divergence| panic!("{name}, run {run}: {divergence}"));
        assert!(followed.same_orders(), "{name}, run {run}: {followed:?}");
        // Read off the two traces alone: each server took the same senders' messages in
        // the same order (and perhaps more, after the real run's recording ended).
        let simulated = taken_by_servers(followed.report.trace.as_ref().expect("traced"));
        let recorded = taken_by_servers(&trace);
        assert!(!recorded.is_empty(), "{name}: nothing recorded");
        for (server, inputs) in &recorded {
            let taken = &simulated[server];
            assert_eq!(
                &taken[..inputs.len()],
                inputs,
                "{name}, run {run}: {server}"
            );
        }
        if outcome.is_ok() {
            assert!(followed.same_ending(), "{name}, run {run}: {followed:?}");
        }
    }
}

/// Every message a server took, by server, in order: its kind and its sender, as the
/// trace's delivery events say (a simulated trace words a call `call #2 Set(1)`, a recorded
/// one `call`).
fn taken_by_servers(trace: &Trace) -> BTreeMap<String, Vec<(String, String)>> {
    let servers: Vec<&str> = (trace.header.processes.iter())
        .filter(|p| p.kind == ProcessKind::Server)
        .map(|p| p.name.as_str())
        .collect();
    let mut taken: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for event in &trace.events {
        let (Some(from), Some(to)) = (&event.from, &event.to) else {
            continue;
        };
        let kind = event.message.split(' ').next().unwrap_or_default();
        if event.kind == EventKind::Deliver && servers.contains(&&**to) && kind != "reply" {
            let input = (kind.to_owned(), from.to_string());
            taken.entry(to.to_string()).or_default().push(input);
        }
    }
    taken
}

#[test]
fn recordings_of_several_systems_replay_to_the_same_per_server_orders() {
    follow_passing_runs(
        "bank-fixed",
        20,
        bank_fixed_on_threads,
        &|world: &mut World| {
            scenario(world, Policy::CheckFunds, None);
        },
    );
    follow_passing_runs(
        "bank-fixed-logged",
        20,
        |threads| {
            let log = threads.spawn::<crate::accounts::AuditLog>("audit-log", ());
            scenario(threads, Policy::CheckFunds, Some(log));
        },
        &|world: &mut World| {
            let log = world.spawn::<crate::accounts::AuditLog>("audit-log", ());
            scenario(world, Policy::CheckFunds, Some(log));
        },
    );
    follow_passing_runs(
        "counter",
        20,
        |threads| {
            counter::scenario(threads);
        },
        &|world: &mut World| {
            counter::scenario(world);
        },
    );
    // Failing runs too: their recorded orders are followed to the end.
    follow_passing_runs(
        "lost-update",
        20,
        |threads| {
            lost_update::scenario(threads);
        },
        &|world: &mut World| {
            lost_update::scenario(world);
        },
    );
}

/// The fixed bank in the simulator, with the simulator's checks.
fn fixed_as_played(world: &mut World) {
    crate::scenario::bank_fixed(world);
}

#[test]
fn orders_near_a_recording_show_the_bug_and_verify_the_fix() {
    // A run of the buggy bank on threads that passed (most do), followed in the simulator.
    let passed = (0..200)
        .find_map(|_| {
            let (outcome, recording) = record("bank", bank_on_threads);
            outcome.is_ok().then_some(recording)
        })
        .expect("a run that passed");
    let followed = follow_recording(&bank, &passed, false).expect("followed");
    assert!(followed.report.failure().is_none(), "{followed:?}");
    let base = followed.report.trace.expect("traced");
    // Orders near it fail: the race was one or two detours away.
    let near = Around::new(&bank, &base).detours(2).explore().unwrap();
    assert!(near.complete && near.failed > 0, "{near:?}");
    let fewest = &near.failing[0];
    assert!(!fewest.detours.is_empty() && fewest.detours.len() <= 2);
    assert!(fewest.report.failure().is_some());
    assert!(!near.verified());

    // A failing recording, followed in the fixed bank (same messages, funds checked
    // inside the withdrawal): no order within two detours of it fails.
    let failed = overdrawn_on_threads();
    let in_fixed = follow_recording(&fixed_as_played, &failed, true).expect("followed");
    assert!(in_fixed.report.failure().is_none(), "{in_fixed:?}");
    let base = in_fixed.report.trace.expect("traced");
    let fixed = Around::new(&fixed_as_played, &base)
        .detours(2)
        .explore()
        .unwrap();
    assert!(fixed.verified(), "{fixed:?}");
    assert!(fixed.runs > 10, "{fixed:?}");
    // A bound too small to run them all claims nothing.
    let cut = (Around::new(&fixed_as_played, &base)
        .detours(2)
        .max_runs(5)
        .explore())
    .unwrap();
    assert!(!cut.complete && !cut.verified());
}
