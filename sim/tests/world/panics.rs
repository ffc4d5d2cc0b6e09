//! Panics in user code: in a nested callback, and in a message's `Debug`.

use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef, Timeout};
use genserver_sim::{FailureKind, Verdict};
use genserver_traces::EventKind;

use crate::probe::{Probe, Req};
use crate::servers::{Ask, lines};
use crate::{Custom, traced};

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
fn messages_whose_debug_panics_keep_labels_apart_and_replay() {
    // Two senders, so two such deliveries are enabled at once: their labels must differ
    // (the identity before `: ` runs no user code) for a replay to take the right one.
    let system = Custom {
        name: "two-loud",
        build: |w| {
            let mute = w.spawn::<Mute>("mute", ());
            for name in ["shout-1", "shout-2"] {
                w.client(name, async move |cx| {
                    cx.cast(mute, Loud);
                    Ok(())
                });
            }
        },
    };
    for seed in 0..20 {
        let report = traced(&system, seed);
        let trace = report.trace.as_ref().unwrap();
        let delivered: Vec<&str> = (trace.schedule().into_iter())
            .filter(|l| l.starts_with("deliver "))
            .collect();
        assert_eq!(delivered.len(), 2, "seed {seed}: {delivered:?}");
        assert!(
            delivered[0].starts_with("deliver cast #1 shout-"),
            "{delivered:?}"
        );
        assert!(
            delivered[0].contains(": <rendering panicked"),
            "{delivered:?}"
        );
        assert_ne!(delivered[0], delivered[1], "seed {seed}");
        let again = genserver_sim::replay(&system, trace);
        assert!(again.is_ok(), "seed {seed}: {again:?}");
    }
}

#[test]
#[should_panic(expected = "contains \": \", which schedule labels are split on")]
fn a_process_name_that_labels_are_split_on_is_refused() {
    let system = Custom {
        name: "colon",
        build: |w| {
            w.spawn::<Mute>("worker: a", ());
        },
    };
    traced(&system, 0);
}
