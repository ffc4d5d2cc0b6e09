//! Regression tests for the semantics bugs found by the review of the simulator.

use std::time::Duration;

use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef, Timeout};
use genserver::{ClientResult, Cx};
use genserver_sim::{FailureKind, Restart, Verdict};
use genserver_traces::EventKind;

use crate::probe::{Probe, Req, calling};
use crate::{Custom, events, traced};

/// What a [`Keeper`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Refuses to start: a server that is dead from the beginning.
    Dead,
    /// Keeps every token it is given (by cast or by a call of its own).
    Keep,
    /// Keeps the token it is cast, then stops with an error.
    Quit,
}

/// Keeps reply tokens: the ones cast to it and the ones of the calls made to it.
#[derive(Debug)]
pub struct Keeper {
    mode: Mode,
    kept: Vec<ReplyTo<String>>,
}

impl GenServer for Keeper {
    type Args = Mode;
    type Call = ();
    type Reply = String;
    type Cast = ReplyTo<String>;
    type Info = ();
    type Continue = ();

    fn init(mode: Mode, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        match mode {
            Mode::Dead => Err(ExitReason::error("refuses to start")),
            _ => Ok(Keeper {
                mode,
                kept: Vec::new(),
            }),
        }
    }

    fn handle_call(
        &mut self,
        _: (),
        from: ReplyTo<String>,
        _: &mut Ctx<Self>,
    ) -> CallResult<String> {
        self.kept.push(from);
        CallResult::NoReply
    }

    fn handle_cast(&mut self, token: ReplyTo<String>, ctx: &mut Ctx<Self>) {
        self.kept.push(token);
        if self.mode == Mode::Quit {
            ctx.stop(ExitReason::error("keeper quit"));
        }
    }
}

/// Answers later: hands the token of every call to its keeper by a cast.
#[derive(Debug)]
pub struct Relay(ServerRef<Keeper>);

impl GenServer for Relay {
    type Args = ServerRef<Keeper>;
    type Call = ();
    type Reply = String;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(keeper: ServerRef<Keeper>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Relay(keeper))
    }

    fn handle_call(
        &mut self,
        _: (),
        from: ReplyTo<String>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<String> {
        ctx.cast(self.0, from);
        CallResult::NoReply
    }
}

/// Optionally sleeps, then makes one call and checks the outcome's text (a reply, or
/// "error: …").
pub struct Ask<S: GenServer> {
    pub to: ServerRef<S>,
    pub request: S::Call,
    pub timeout: Timeout,
    pub sleep: Option<Duration>,
    pub expect: &'static str,
}

impl<S: GenServer<Reply = String>> Ask<S> {
    pub fn new(to: ServerRef<S>, request: S::Call, expect: &'static str) -> Self {
        Ask {
            to,
            request,
            timeout: Timeout::DEFAULT,
            sleep: None,
            expect,
        }
    }

    /// The client that asks.
    pub fn client(self) -> impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static {
        async move |cx: Cx| {
            if let Some(after) = self.sleep {
                cx.sleep(after).await;
            }
            let got = match cx.call_timeout(self.to, self.request, self.timeout).await {
                Ok(text) => text,
                Err(error) => format!("error: {error}"),
            };
            if got != self.expect {
                return Err(format!("got {got:?}, expected {:?}", self.expect).into());
            }
            Ok(())
        }
    }
}

/// The events of `kind` of a run, as "from → to: message" lines.
fn lines(report: &genserver_sim::RunReport, kind: EventKind) -> Vec<String> {
    events(report)
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| {
            let from = e.from.as_deref().unwrap_or("-");
            let to = e.to.as_deref().unwrap_or("-");
            format!("{from} → {to}: {}", e.message)
        })
        .collect()
}

#[test]
fn a_token_dropped_with_a_message_to_a_dead_server_fails_the_call_at_once() {
    let system = Custom {
        name: "token-to-the-dead",
        build: |w| {
            let sink = w.spawn::<Keeper>("sink", Mode::Dead);
            let fwd = w.spawn::<Relay>("fwd", sink);
            let mut ask = Ask::new(
                fwd,
                (),
                "error: the server dropped the request without replying",
            );
            ask.timeout = Timeout::Infinity;
            w.client("client", ask.client());
        },
    };
    for seed in 0..20 {
        let report = traced(&system, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        let replies = lines(&report, EventKind::Reply);
        assert_eq!(
            replies,
            ["sink → client: reply #1 Err(the server dropped the request without replying)"],
            "seed {seed}: the reply comes from the process that dropped the token"
        );
    }
}

#[test]
fn a_token_dropped_with_a_message_goes_back_from_its_dropper_not_a_bystander() {
    let system = Custom {
        name: "bystander",
        build: |w| {
            let sink = w.spawn::<Keeper>("sink", Mode::Dead);
            let fwd = w.spawn::<Relay>("fwd", sink);
            let bystander = w.spawn_with::<Probe>("bystander", || (None, None));
            let ask = Ask::new(
                fwd,
                (),
                "error: the server dropped the request without replying",
            );
            w.client("client", ask.client());
            let calls = ["a", "b", "c"].map(|x| (Req::Echo(x), Timeout::DEFAULT, x));
            let other = calling(bystander, calls.to_vec());
            w.client("other", other);
        },
    };
    for seed in 0..20 {
        let report = traced(&system, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        let replies = lines(&report, EventKind::Reply);
        assert!(
            replies.iter().all(|r| !r.starts_with("bystander → client")),
            "seed {seed}: {replies:?}"
        );
        assert!(
            replies.iter().any(|r| r.starts_with("sink → client")),
            "seed {seed}: {replies:?}"
        );
    }
}

#[test]
fn a_fault_is_never_forced_at_a_quiet_point_and_time_still_advances() {
    let system = Custom {
        name: "quiet-crash",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            let mut ask = Ask::new(p, Req::Echo("x"), "x");
            ask.sleep = Some(Duration::from_secs(1));
            w.client("client", ask.client());
            w.crashable(p, Restart::Never);
            w.faults().budget = 1;
            w.faults().probability = 0.0;
        },
    };
    for seed in 0..50 {
        let report = traced(&system, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        assert!(lines(&report, EventKind::Crash).is_empty(), "seed {seed}");
    }
}

#[test]
fn a_deadlock_is_reported_even_when_a_fault_could_still_happen() {
    let system = Custom {
        name: "deadlock-with-faults",
        build: |w| {
            let keeper = w.spawn::<Keeper>("keeper", Mode::Keep);
            let mut ask = Ask::new(keeper, (), "never");
            ask.timeout = Timeout::Infinity;
            w.client("client", ask.client());
            w.crashable(keeper, Restart::AtOnce);
            w.faults().budget = 1;
            w.faults().probability = 0.0;
        },
    };
    for seed in 0..20 {
        let failure = traced(&system, seed).failure().cloned();
        let failure = failure.expect("a deadlock");
        assert_eq!(
            failure.kind,
            FailureKind::Deadlock,
            "seed {seed}: {failure}"
        );
    }
}

/// Calls its echo twice inside one `handle_call`, then answers "ok"; the first outcome panics.
#[derive(Debug)]
pub struct Twice {
    echo: ServerRef<Probe>,
    pub log: Vec<String>,
}

#[derive(Debug)]
pub enum Outcome {
    First(Result<String, CallError>),
    Second(Result<String, CallError>),
}

impl GenServer for Twice {
    type Args = ServerRef<Probe>;
    type Call = ();
    type Reply = String;
    type Cast = ();
    type Info = Outcome;
    type Continue = ();

    fn init(echo: ServerRef<Probe>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Twice {
            echo,
            log: Vec::new(),
        })
    }

    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<String>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<String> {
        let d = Timeout::DEFAULT;
        ctx.call(self.echo, Req::Echo("first"), d, Outcome::First);
        ctx.call(self.echo, Req::Echo("second"), d, Outcome::Second);
        CallResult::Reply("ok".to_owned())
    }

    fn handle_info(&mut self, outcome: Outcome, _: &mut Ctx<Self>) {
        match outcome {
            Outcome::First(first) => {
                panic!("first outcome{}", if first.is_ok() { "" } else { "!" })
            }
            Outcome::Second(second) => self.log.push(format!("second handled: {second:?}")),
        }
    }
}

#[test]
fn after_a_panic_in_a_nested_callback_the_server_does_nothing_more() {
    let system = Custom {
        name: "nested-panic",
        build: |w| {
            let echo = w.spawn_with::<Probe>("echo", || (None, None));
            let twice = w.spawn::<Twice>("twice", echo);
            w.client("client", Ask::new(twice, (), "never").client());
        },
    };
    for seed in 0..20 {
        let report = traced(&system, seed);
        let failure = report.failure().expect("the panic is a failure");
        assert_eq!(failure.kind, FailureKind::Panic, "seed {seed}: {failure}");
        assert!(
            failure.message.contains("handle_info: first outcome"),
            "{failure}"
        );
        let sends = lines(&report, EventKind::Send);
        assert!(
            !sends.iter().any(|s| s.contains("second")),
            "seed {seed}: the second call is never made: {sends:?}"
        );
        let replies = lines(&report, EventKind::Reply);
        assert!(
            replies.contains(
                &"twice → client: reply #1 Err(server exited: panic: handle_info: first outcome)"
                    .to_owned()
            ),
            "seed {seed}: {replies:?}"
        );
    }
}

/// Sets timers at 1 s and 2 s, and blocks in a call to a keeper for 3 s when called.
#[derive(Debug)]
pub struct Timed {
    keeper: ServerRef<Keeper>,
    pub log: Vec<&'static str>,
}

#[derive(Debug)]
pub enum TimedInfo {
    Tick(&'static str),
    Called(ReplyTo<String>, Result<String, CallError>),
}

impl GenServer for Timed {
    type Args = ServerRef<Keeper>;
    type Call = ();
    type Reply = String;
    type Cast = ();
    type Info = TimedInfo;
    type Continue = ();

    fn init(keeper: ServerRef<Keeper>, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        ctx.set_timer(Duration::from_secs(2), TimedInfo::Tick("two"));
        ctx.set_timer(Duration::from_secs(1), TimedInfo::Tick("one"));
        Ok(Timed {
            keeper,
            log: Vec::new(),
        })
    }

    fn handle_call(
        &mut self,
        _: (),
        from: ReplyTo<String>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<String> {
        let timeout = Timeout::After(Duration::from_secs(3));
        ctx.call(self.keeper, (), timeout, move |r| {
            TimedInfo::Called(from, r)
        });
        CallResult::NoReply
    }

    fn handle_info(&mut self, info: TimedInfo, ctx: &mut Ctx<Self>) {
        match info {
            TimedInfo::Tick(name) => self.log.push(name),
            TimedInfo::Called(from, outcome) => ctx.reply(&from, format!("{outcome:?}")),
        }
    }
}

#[test]
fn the_timers_of_one_server_fire_in_deadline_order() {
    let system = Custom {
        name: "timer-order",
        build: |w| {
            let keeper = w.spawn::<Keeper>("keeper", Mode::Keep);
            let timed = w.spawn::<Timed>("timed", keeper);
            let echo = w.spawn_with::<Probe>("echo", || (None, None));
            w.client("client", Ask::new(timed, (), "Err(Timeout)").client());
            let mut later = Ask::new(echo, Req::Echo("x"), "x");
            later.sleep = Some(Duration::from_secs(4));
            w.client("later", later.client());
            w.at_end("timer order", move |view| {
                let log = &view.state(timed).expect("alive").log;
                match log[..] {
                    ["one", "two"] => Ok(()),
                    _ => Err(format!("{log:?}")),
                }
            });
        },
    };
    for seed in 0..40 {
        let report = traced(&system, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
    }
}

/// Records the values cast to it.
#[derive(Debug, Default)]
pub struct Recorder(pub Vec<u32>);

impl GenServer for Recorder {
    type Args = ();
    type Call = ();
    type Reply = ();
    type Cast = u32;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Recorder::default())
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }

    fn handle_cast(&mut self, value: u32, _: &mut Ctx<Self>) {
        self.0.push(value);
    }
}

/// Casts `10 * life` and `10 * life + 1` to its recorder from `init`, in every life.
#[derive(Debug)]
pub struct Emitter;

impl GenServer for Emitter {
    type Args = (ServerRef<Recorder>, u32);
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init((to, life): Self::Args, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        ctx.cast(to, 10 * life);
        ctx.cast(to, 10 * life + 1);
        Ok(Emitter)
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }
}

const LIVES: Custom = Custom {
    name: "lives",
    build: |w| {
        let recorder = w.spawn::<Recorder>("recorder", ());
        let lives = std::rc::Rc::new(std::cell::Cell::new(0));
        let emitter = w.spawn_with::<Emitter>("emitter", move || {
            lives.set(lives.get() + 1);
            (recorder, lives.get() - 1)
        });
        w.crashable(emitter, Restart::AtOnce);
        w.faults().budget = 1;
        w.faults().probability = 1.0;
        w.at_end("FIFO within each life", move |view| {
            let seen = &view.state(recorder).expect("alive").0;
            let life = |n: u32| seen.iter().filter(|v| **v / 10 == n).collect::<Vec<_>>();
            match (life(0).is_sorted(), life(1).is_sorted(), seen.len()) {
                (true, true, 4) => Ok(()),
                _ => Err(format!("{seen:?}")),
            }
        });
    },
};

#[test]
fn a_restarted_server_is_a_new_sender_whose_messages_may_overtake_its_earlier_life() {
    let (mut overtaken, mut named) = (false, false);
    for seed in 0..100 {
        let report = traced(&LIVES, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        assert_eq!(lines(&report, EventKind::Restart).len(), 1, "seed {seed}");
        let delivered = lines(&report, EventKind::Deliver);
        let at = |m: &str| delivered.iter().position(|d| d.ends_with(m)).unwrap();
        overtaken |= at("cast 10") < at("cast 0");
        // Numbers go on across lives, so labels stay apart: the new life's first cast is
        // the emitter's third to the recorder.
        let schedule = report.trace.as_ref().unwrap().schedule();
        let label = |n: u32, value: u32| format!("deliver cast #{n} emitter → recorder: {value}");
        let first_of_life_2 = schedule.iter().position(|l| *l == label(3, 10));
        let first_of_life_1 = schedule.iter().position(|l| *l == label(1, 0));
        assert!(first_of_life_2.is_some(), "seed {seed}: {schedule:#?}");
        named |= first_of_life_2 < first_of_life_1;
        let again = genserver_sim::replay(&LIVES, report.trace.as_ref().unwrap());
        assert!(again.is_ok(), "seed {seed}: {again:?}");
    }
    assert!(overtaken, "the new life's messages can arrive first");
    assert!(
        named,
        "some schedule delivers the later life's cast first, under its own label"
    );
}

/// Calls made by the retrier, counted across runs of one test.
static RETRIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[test]
fn calls_that_fail_at_once_count_as_steps_and_are_traced() {
    use std::sync::atomic::Ordering::SeqCst;
    let system = Custom {
        name: "retry-the-dead",
        build: |w| {
            let dead = w.spawn::<Keeper>("dead", Mode::Dead);
            // Calls its server again and again (at most 200 000 times) whatever the outcome.
            w.client("retrier", async move |cx| {
                while RETRIES.fetch_add(1, SeqCst) < 200_000 {
                    let _ = cx.call(dead, ()).await;
                }
                Ok(())
            });
        },
    };
    for max_steps in [1, 100] {
        RETRIES.store(0, SeqCst);
        let report = genserver_sim::run(&system, 0, max_steps, true);
        assert_eq!(report.verdict, Verdict::StepLimit, "max {max_steps}");
        let calls = RETRIES.load(SeqCst);
        assert!(calls <= max_steps + 1, "max {max_steps}: {calls} calls");
        let failed = lines(&report, EventKind::Reply);
        assert_eq!(
            failed.first().map(String::as_str),
            Some("retrier → retrier: call to dead failed at once: no such process"),
            "{failed:?}"
        );
    }
}

#[test]
#[should_panic(expected = "two processes are named \"c\"")]
fn two_clients_with_one_name_are_refused() {
    traced(
        &Custom {
            name: "twins",
            build: |w| {
                let keeper = w.spawn::<Keeper>("keeper", Mode::Keep);
                w.client("c", Ask::new(keeper, (), "x").client());
                w.client("c", Ask::new(keeper, (), "x").client());
            },
        },
        0,
    );
}

#[test]
#[should_panic(expected = "two processes are named \"k\"")]
fn a_server_named_like_another_process_is_refused() {
    traced(
        &Custom {
            name: "twins",
            build: |w| {
                let keeper = w.spawn::<Keeper>("k", Mode::Keep);
                w.client("k", Ask::new(keeper, (), "x").client());
                w.spawn::<Keeper>("k", Mode::Keep);
            },
        },
        0,
    );
}

/// Builds of [`FLAKY`]: every other build has a broken invariant.
static BUILDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

const FLAKY: Custom = Custom {
    name: "flaky",
    build: |w| {
        w.spawn::<Keeper>("keeper", Mode::Keep);
        if BUILDS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) % 2 == 0 {
            w.invariant("even builds fail", |_| Err("an even build".to_owned()));
        }
    },
};

#[test]
fn a_hunt_on_a_nondeterministic_system_keeps_the_failure_it_found() {
    BUILDS.store(0, std::sync::atomic::Ordering::SeqCst);
    let hunt = genserver_sim::hunt(&FLAKY, 0, 10, 100);
    assert!(!hunt.reproduced, "the re-run passes");
    let found = hunt.found.expect("the first run failed");
    let failure = found.failure().expect("the failure found is kept");
    assert!(failure.message.contains("an even build"), "{failure}");
    assert!(found.trace.is_some(), "the re-run's trace");
}

#[test]
fn a_token_held_by_a_third_server_that_dies_fails_with_no_reply() {
    let system = Custom {
        name: "third-party-token",
        build: |w| {
            let keeper = w.spawn::<Keeper>("keeper", Mode::Quit);
            let fwd = w.spawn::<Relay>("fwd", keeper);
            let expect = "error: the server dropped the request without replying";
            w.client("client", Ask::new(fwd, (), expect).client());
        },
    };
    for seed in 0..20 {
        let report = traced(&system, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
    }
}

#[test]
fn a_replay_cut_short_by_its_step_limit_says_so() {
    let system = genserver_sim::find_system("lost-update").unwrap();
    let trace = genserver_sim::run(system, 1, 1_000, true).trace.unwrap();
    let mut schedule = genserver_traces::Schedule::of(&trace);
    assert!(schedule.steps.len() > 3);
    schedule.max_steps = 3;
    let divergence = genserver_sim::replay_schedule(system, &schedule).unwrap_err();
    assert_eq!(divergence.step, 4, "{divergence}");
    assert!(
        divergence
            .message
            .contains("the run stopped at its step limit"),
        "{divergence}"
    );
    assert!(!divergence.message.contains("nothing"), "{divergence}");
}

/// A message whose `Debug` panics.
pub struct Loud;

impl std::fmt::Debug for Loud {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        panic!("Loud cannot be printed")
    }
}

/// Takes `Loud` casts and continues with them.
#[derive(Debug, Default)]
pub struct Mute(pub u32);

impl GenServer for Mute {
    type Args = ();
    type Call = ();
    type Reply = ();
    type Cast = Loud;
    type Info = ();
    type Continue = Loud;

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Mute(0))
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }

    fn handle_cast(&mut self, loud: Loud, ctx: &mut Ctx<Self>) {
        ctx.continue_with(loud);
    }

    fn handle_continue(&mut self, _: Loud, _: &mut Ctx<Self>) {
        self.0 += 1;
    }
}

#[test]
fn a_message_whose_debug_panics_does_not_crash_the_simulator() {
    let system = Custom {
        name: "loud",
        build: |w| {
            let mute = w.spawn::<Mute>("mute", ());
            w.client("shout", async move |cx| {
                cx.cast(mute, Loud);
                Ok(())
            });
            w.at_end("continued", move |view| match view.state(mute) {
                Some(Mute(1)) => Ok(()),
                other => Err(format!("{other:?}")),
            });
        },
    };
    for record in [false, true] {
        let report = genserver_sim::run(&system, 0, 100, record);
        assert_eq!(report.verdict, Verdict::Pass, "record {record}");
    }
    let report = traced(&system, 0);
    let sends = lines(&report, EventKind::Send);
    assert!(
        sends[0].contains("Loud cannot be printed"),
        "the panic is rendered: {sends:?}"
    );
    let again = genserver_sim::replay(&system, report.trace.as_ref().unwrap());
    assert!(again.is_ok(), "{again:?}");
}

#[test]
fn a_fault_probability_of_nan_counts_as_zero() {
    let system = Custom {
        name: "nan",
        build: |w| {
            let p = w.spawn_with::<Probe>("probe", || (None, None));
            w.client("client", Ask::new(p, Req::Echo("x"), "x").client());
            *w.faults() = genserver_sim::Faults {
                drop: true,
                budget: 1,
                probability: f64::NAN,
                ..genserver_sim::Faults::none()
            };
        },
    };
    for seed in 0..20 {
        let report = traced(&system, seed);
        assert_eq!(report.verdict, Verdict::Pass, "seed {seed}");
        assert!(lines(&report, EventKind::Drop).is_empty(), "seed {seed}");
    }
}

#[test]
fn a_call_request_of_the_wrong_type_fails_the_caller_at_once() {
    let system = Custom {
        name: "wrong-type",
        build: |w| {
            let probe = w.spawn::<Probe>("probe", (None, None));
            // A hand-made address that wrongly claims the probe is a keeper.
            let wrong = ServerRef::<Keeper>::new(probe.id());
            let mut ask = Ask::new(
                wrong,
                (),
                "error: server exited: panic: handle_call: request of the wrong type: ()",
            );
            ask.timeout = Timeout::Infinity;
            w.client("client", ask.client());
        },
    };
    for seed in 0..5 {
        let report = traced(&system, seed);
        let failure = report
            .failure()
            .expect("the receiver's panic is a failure")
            .to_string();
        assert!(
            failure.contains("request of the wrong type"),
            "seed {seed}: {failure}"
        );
        // The caller is answered at once, in the same step, not left waiting for ever.
        assert_eq!(
            lines(&report, EventKind::Reply),
            [
                "probe → client: reply #1 Err(server exited: panic: handle_call: request of the wrong type: ())"
            ],
            "seed {seed}"
        );
    }
}
