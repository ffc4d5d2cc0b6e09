//! Recordings of real runs followed in the simulator: timers and timeouts, where a
//! recording cannot be followed (strict and loose), and a recording's file form.

use std::time::Duration;

use genserver::runtime::Threads;
use genserver::{
    CallError, CallResult, Ctx, Down, ExitReason, GenServer, ProcessId, ReplyTo, ServerRef, Stage,
    Timeout,
};
use genserver_sim::World;
use genserver_sim::recorded::{follow_recording, record};
use genserver_sim::zoo::{counter, lost_update};
use genserver_traces::{EventKind, Trace};

/// Ticks as often as it is told to, a millisecond apart, counts casts, answers `Get` with
/// both counts, and `Slow` with them too, but only after 20 ms of work.
struct Beat {
    ticks: u32,
    last: u32,
    casts: u32,
}

#[derive(Debug)]
enum BeatCall {
    Get,
    Slow,
}

impl GenServer for Beat {
    type Args = u32;
    type Call = BeatCall;
    type Reply = (u32, u32);
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(last: u32, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        if last > 0 {
            ctx.set_timer(Duration::from_millis(1), ());
        }
        Ok(Beat {
            ticks: 0,
            last,
            casts: 0,
        })
    }

    fn handle_call(
        &mut self,
        call: BeatCall,
        _: ReplyTo<(u32, u32)>,
        _: &mut Ctx<Self>,
    ) -> CallResult<(u32, u32)> {
        if let BeatCall::Slow = call {
            std::thread::sleep(Duration::from_millis(20));
        }
        CallResult::Reply((self.ticks, self.casts))
    }

    fn handle_cast(&mut self, _: (), _: &mut Ctx<Self>) {
        self.casts += 1;
    }

    fn handle_info(&mut self, _: (), ctx: &mut Ctx<Self>) {
        self.ticks += 1;
        if self.ticks < self.last {
            ctx.set_timer(Duration::from_millis(1), ());
        }
    }
}

/// A client casts and reads the counts again and again until the server has ticked three
/// times: its messages and the server's timers race.
fn beat(stage: &mut impl Stage) -> ServerRef<Beat> {
    let beat = stage.spawn::<Beat>("beat", 3);
    stage.client("client", async move |cx| {
        let mut sent = 0;
        loop {
            cx.cast(beat, ());
            sent += 1;
            let (ticks, casts) = cx.call(beat, BeatCall::Get).await?;
            if casts != sent {
                return Err(format!("{casts} casts of {sent}").into());
            }
            if ticks == 3 {
                return Ok(());
            }
        }
    });
    beat
}

/// A client's call times out (on threads: the server takes longer), then it casts and reads
/// the count.
fn slow(stage: &mut impl Stage) -> ServerRef<Beat> {
    let beat = stage.spawn::<Beat>("beat", 0);
    stage.client("client", async move |cx| {
        let slow = cx.call_timeout(
            beat,
            BeatCall::Slow,
            Timeout::After(Duration::from_millis(5)),
        );
        if slow.await != Err(CallError::Timeout) {
            return Err("the slow call was answered in time".into());
        }
        cx.cast(beat, ());
        let (_, casts) = cx.call(beat, BeatCall::Get).await?;
        if casts == 1 {
            Ok(())
        } else {
            Err(format!("{casts} casts").into())
        }
    });
    beat
}

/// `beat` in the simulator, where time may jump over deliveries in flight (as it passes
/// on threads while messages wait), so a timer can come due between two messages.
fn beat_simulated(world: &mut World) {
    beat(world);
    world.set_max_latency(Duration::from_secs(1));
}

fn recorded(name: &str, scenario: impl FnOnce(&mut Threads)) -> Trace {
    record(name, scenario).1
}

#[test]
fn timers_racing_messages_are_followed_as_recorded() {
    for run in 0..20 {
        let trace = recorded("beat", |threads| {
            beat(threads);
        });
        let timers = (trace.events.iter()).filter(|e| e.message.starts_with("timer #"));
        assert_eq!(timers.count(), 3, "run {run}: {}", trace.to_jsonl());
        let followed = follow_recording(&beat_simulated, &trace, false)
            .unwrap_or_else(|divergence| panic!("run {run}: {divergence}"));
        assert!(followed.same_orders(), "run {run}: {followed:?}");
        assert!(followed.same_ending(), "run {run}: {followed:?}");
    }
}

#[test]
fn a_call_that_timed_out_on_threads_times_out_in_the_simulator() {
    // In the simulator, time may pass while the reply is in flight, as it did on threads.
    let system = |world: &mut World| {
        slow(world);
        world.set_max_latency(Duration::from_secs(1));
    };
    for run in 0..5 {
        let trace = recorded("slow", |threads| {
            slow(threads);
        });
        let timeouts = (trace.events.iter()).filter(|e| e.kind == EventKind::Timeout);
        assert_eq!(timeouts.count(), 1, "run {run}: {}", trace.to_jsonl());
        let followed = follow_recording(&system, &trace, false)
            .unwrap_or_else(|divergence| panic!("run {run}: {divergence}"));
        assert!(followed.same_orders(), "run {run}: {followed:?}");
        assert!(followed.same_ending(), "run {run}: {followed:?}");
    }
}

/// Watches a server when asked (`Some`), counts the `Down`s it got (`None` reads them).
struct Watcher(u32);

impl GenServer for Watcher {
    type Args = ();
    type Call = Option<ProcessId>;
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Watcher(0))
    }

    fn handle_call(
        &mut self,
        call: Option<ProcessId>,
        _: ReplyTo<u32>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<u32> {
        if let Some(target) = call {
            ctx.monitor(target);
        }
        CallResult::Reply(self.0)
    }

    fn handle_down(&mut self, _: Down, _: &mut Ctx<Self>) {
        self.0 += 1;
    }
}

/// Stops when cast to.
struct Mortal;

impl GenServer for Mortal {
    type Args = ();
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Mortal)
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }

    fn handle_cast(&mut self, _: (), ctx: &mut Ctx<Self>) {
        ctx.stop(ExitReason::Normal);
    }
}

/// A client has the watcher watch a server, stops the server, and reads the watcher's count
/// until the `Down` is there: the `Down` races its reads.
fn watched(stage: &mut impl Stage) {
    let watcher = stage.spawn::<Watcher>("watcher", ());
    let mortal = stage.spawn::<Mortal>("mortal", ());
    stage.client("client", async move |cx| {
        cx.call(watcher, Some(mortal.id())).await?;
        cx.cast(mortal, ());
        while cx.call(watcher, None).await? == 0 {}
        Ok(())
    });
}

#[test]
fn a_monitor_s_down_is_taken_where_it_was_on_threads() {
    let system = |world: &mut World| watched(world);
    for run in 0..10 {
        let trace = recorded("watched", watched);
        let downs = (trace.events.iter()).filter(|e| e.message == "down");
        assert_eq!(downs.count(), 1, "run {run}: {}", trace.to_jsonl());
        let followed = follow_recording(&system, &trace, false)
            .unwrap_or_else(|divergence| panic!("run {run}: {divergence}"));
        assert!(followed.same_orders(), "run {run}: {followed:?}");
        assert!(followed.same_ending(), "run {run}: {followed:?}");
    }
}

/// A client calls a server that has stopped (the call fails before it is sent), then makes a
/// call that times out: both engines number only the calls sent, so the timeout is the
/// second call's on both.
fn numbered(stage: &mut impl Stage) {
    let mortal = stage.spawn::<Mortal>("mortal", ());
    let beat = stage.spawn::<Beat>("beat", 0);
    stage.client("client", async move |cx| {
        cx.call(mortal, ()).await?;
        cx.cast(mortal, ());
        cx.sleep(Duration::from_millis(20)).await;
        if cx.call(mortal, ()).await != Err(CallError::NoProcess) {
            return Err("the stopped server answered".into());
        }
        let slow = cx.call_timeout(
            beat,
            BeatCall::Slow,
            Timeout::After(Duration::from_millis(5)),
        );
        match slow.await {
            Err(CallError::Timeout) => Ok(()),
            other => Err(format!("the slow call gave {other:?}").into()),
        }
    });
}

#[test]
fn calls_that_fail_before_they_are_sent_take_no_number_on_either_engine() {
    let system = |world: &mut World| {
        numbered(world);
        world.set_max_latency(Duration::from_secs(1));
    };
    for run in 0..3 {
        let trace = recorded("numbered", numbered);
        let timeouts: Vec<&str> = (trace.events.iter())
            .filter(|e| e.kind == EventKind::Timeout)
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(timeouts, ["call #2"], "run {run}: {}", trace.to_jsonl());
        let followed = follow_recording(&system, &trace, false)
            .unwrap_or_else(|divergence| panic!("run {run}: {divergence}"));
        assert!(followed.same_orders(), "run {run}: {followed:?}");
        assert!(followed.same_ending(), "run {run}: {followed:?}");
    }
}

/// Sets a timer on `Set`, works past its deadline on `Work`, cancels it on `Cancel`. Sent
/// in that order, `Cancel` is queued before the timer comes due on threads, and the timer
/// message is queued behind it: cancelled while queued, it is no input of the server.
#[derive(Default)]
struct Lapse(Option<genserver::TimerId>);

#[derive(Debug)]
enum LapseCast {
    Set,
    Work,
    Cancel,
}

impl GenServer for Lapse {
    type Args = ();
    type Call = ();
    type Reply = bool;
    type Cast = LapseCast;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Lapse::default())
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<bool>, _: &mut Ctx<Self>) -> CallResult<bool> {
        CallResult::Reply(self.0.is_some())
    }

    fn handle_cast(&mut self, cast: LapseCast, ctx: &mut Ctx<Self>) {
        match cast {
            LapseCast::Set => self.0 = Some(ctx.set_timer(Duration::from_millis(1), ())),
            LapseCast::Work => std::thread::sleep(Duration::from_millis(5)),
            LapseCast::Cancel => {
                if let Some(timer) = self.0.take() {
                    ctx.cancel_timer(timer);
                }
            }
        }
    }

    fn handle_info(&mut self, _: (), _: &mut Ctx<Self>) {
        self.0 = None;
    }
}

fn lapse(stage: &mut impl Stage) {
    let lapse = stage.spawn::<Lapse>("lapse", ());
    stage.client("client", async move |cx| {
        for cast in [LapseCast::Set, LapseCast::Work, LapseCast::Cancel] {
            cx.cast(lapse, cast);
        }
        match cx.call(lapse, ()).await? {
            false => Ok(()),
            true => Err("the timer is still set".into()),
        }
    });
}

#[test]
fn a_timer_cancelled_while_queued_is_no_recorded_input() {
    let system = |world: &mut World| lapse(world);
    let trace = recorded("lapse", lapse);
    let taken: Vec<&str> = (trace.events.iter())
        .filter(|e| e.to.as_deref() == Some("lapse"))
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        taken,
        ["cast", "cast", "cast", "call"],
        "{}",
        trace.to_jsonl()
    );
    let followed = follow_recording(&system, &trace, false).expect("followed");
    assert!(
        followed.same_orders() && followed.same_ending(),
        "{followed:?}"
    );
}

#[test]
fn a_recording_of_other_code_says_where_it_cannot_be_followed() {
    // Recorded with two clients that get, then set; followed by a system whose three
    // clients increment once each: after one call of each of the first two clients, the
    // counter's recording names a second call of one of them, and only client-3's is there.
    let trace = recorded("lost-update", |threads| {
        lost_update::scenario(threads);
    });
    let changed = |world: &mut World| {
        counter::scenario(world);
    };
    let divergence = follow_recording(&changed, &trace, false).expect_err("strict stops");
    assert!(
        divergence
            .message
            .contains("the recording cannot be followed")
            && divergence.message.contains("counter's next input")
            && divergence.message.contains("call from client-"),
        "{divergence}"
    );
    let loose = follow_recording(&changed, &trace, true).expect("loose goes on");
    assert_eq!(loose.off_record.as_ref(), Some(&divergence));
    assert!(!loose.left.is_empty(), "{loose:?}");
    assert!(!loose.same_orders());
    assert!(
        loose.report.failure().is_none(),
        "the counter itself is correct"
    );
}

#[test]
fn a_recording_survives_its_file_and_a_simulated_trace_is_refused_as_one() {
    let trace = recorded("lost-update", |threads| {
        lost_update::scenario(threads);
    });
    let loaded = Trace::from_jsonl(&trace.to_jsonl()).expect("valid");
    assert_eq!(loaded, trace);
    let system = |world: &mut World| {
        lost_update::scenario(world);
    };
    let followed = follow_recording(&system, &loaded, false).expect("followed");
    assert!(followed.same_orders());
    // The run that followed it is an ordinary trace, not a recording.
    let simulated = followed.report.trace.unwrap();
    let refused = follow_recording(&system, &simulated, false).expect_err("not a recording");
    assert!(refused.message.contains("not a recording"), "{refused}");
}
