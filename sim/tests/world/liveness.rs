//! Liveness: a call cycle is reported when it forms, even while other processes keep
//! running; what a run must eventually reach is checked at its step limit too (a livelock),
//! after a quiet phase without faults.

use std::time::Duration;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};
use genserver_sim::{FailureKind, Restart, Verdict, World, hunt, replay, run, shrink};
use genserver_traces::EventKind;

#[path = "../support/rally.rs"]
mod rally;

/// The zoo's call cycle, beside a rally that never ends.
fn cycle_beside_a_rally(world: &mut World) {
    genserver_sim::zoo::call_cycle::build(world);
    rally::rally(world, ["ping", "pong"]);
}

#[test]
fn a_call_cycle_is_reported_when_it_forms_while_others_keep_running() {
    let mut found = 0;
    for seed in 0..30 {
        let report = run(&cycle_beside_a_rally, seed, 2_000, true);
        match report.failure() {
            Some(failure) => {
                assert_eq!(
                    failure.kind,
                    FailureKind::Deadlock,
                    "seed {seed}: {failure}"
                );
                assert!(
                    failure.message.starts_with("call cycle: server ")
                        && failure.message.contains(" (call #"),
                    "{failure}"
                );
                assert!(report.steps < 2_000, "seed {seed}: reported when it formed");
                found += 1;
            }
            None => assert_eq!(report.verdict, Verdict::StepLimit, "seed {seed}"),
        }
    }
    assert!(found >= 5, "the cycle forms in some orders: {found} of 30");
}

/// A flag the holder releases after 50 ms, unless it crashed first (it is not restarted);
/// the client polls it every 10 ms until it gets it.
#[derive(Debug, Default)]
struct Flag(bool);

impl GenServer for Flag {
    type Args = ();
    type Call = ();
    type Reply = bool;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Flag::default())
    }
    fn handle_call(&mut self, _: (), _: ReplyTo<bool>, _: &mut Ctx<Self>) -> CallResult<bool> {
        CallResult::Reply(self.0)
    }
    fn handle_cast(&mut self, _: (), _: &mut Ctx<Self>) {
        self.0 = true;
    }
}

/// Releases the flag 50 ms after it starts.
#[derive(Debug)]
struct Holder(ServerRef<Flag>);

impl GenServer for Holder {
    type Args = ServerRef<Flag>;
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(flag: ServerRef<Flag>, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        ctx.set_timer(Duration::from_millis(50), ());
        Ok(Holder(flag))
    }
    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }
    fn handle_info(&mut self, _: (), ctx: &mut Ctx<Self>) {
        ctx.cast(self.0, ());
    }
}

fn stuck_flag(world: &mut World) {
    let flag = world.spawn::<Flag>("flag", ());
    let holder = world.spawn::<Holder>("holder", flag);
    world.client("poller", async move |cx| {
        while !cx.call(flag, ()).await? {
            cx.sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    });
    world.eventually("every client finished", |view| view.clients_finished());
    world.crashable(holder, Restart::Never);
    let faults = world.faults();
    faults.budget = 1;
    faults.probability = 0.5;
}

#[test]
fn a_run_that_never_reaches_what_it_must_is_a_livelock_shrunk_like_any_failure() {
    let found = hunt(&stuck_flag, 0, 50, 300)
        .found
        .expect("a crash before the release");
    let failure = found.failure().unwrap().clone();
    assert_eq!(failure.kind, FailureKind::Livelock);
    assert_eq!(
        failure.message,
        "never reached: every client finished: does not hold"
    );
    let trace = found.trace.as_ref().unwrap();
    assert_eq!(
        replay(&stuck_flag, trace).unwrap().verdict,
        Verdict::Failed(failure.clone())
    );
    let shrunk = shrink(&stuck_flag, trace)
        .unwrap()
        .expect("shrinks or keeps it");
    assert_eq!(shrunk.report.failure().unwrap().kind, FailureKind::Livelock);
    // Without the crash the flag is released and every run finishes.
    let calm = |world: &mut World| {
        stuck_flag(world);
        world.faults().budget = 0;
    };
    assert!(hunt(&calm, 0, 50, 300).found.is_none());
}

/// A rally that never ends, one of its players crashable now and then, and something the
/// run must eventually reach (or not: `must_recover`).
fn crashable_rally(must_recover: bool) -> impl Fn(&mut World) + Sync {
    move |world: &mut World| {
        let first = rally::rally(world, ["ping", "pong"]);
        world.crashable(first, Restart::Never);
        let faults = world.faults();
        faults.budget = 1;
        faults.probability = 0.005;
        if must_recover {
            world.eventually("always", |_| true);
        }
    }
}

/// The steps of the crashes in runs of 300 steps from 100 seeds.
fn crash_steps(system: &(impl Fn(&mut World) + Sync)) -> Vec<u64> {
    (0..100)
        .flat_map(|seed| run(system, seed, 300, true).trace.unwrap().events)
        .filter(|event| event.kind == EventKind::Crash)
        .map(|event| event.step)
        .collect()
}

#[test]
fn faults_stop_in_the_quiet_phase_of_a_run_that_must_recover() {
    let anywhere = crash_steps(&crashable_rally(false));
    assert!(anywhere.iter().any(|&step| step > 150), "{anywhere:?}");
    let early = crash_steps(&crashable_rally(true));
    assert!(early.len() > 10, "{early:?}");
    assert!(early.iter().all(|&step| step <= 150), "{early:?}");
}
