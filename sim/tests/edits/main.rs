//! Schedules that survive code edits: a failing schedule of a lost update, replayed on the
//! same system after each kind of edit a user makes. Strict replay says where it diverged;
//! loose replay (by the identity of events) reproduces the same failure.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};
use genserver_sim::{LooseReplay, Reproduction, World, hunt, replay, replay_loose};
use genserver_traces::Trace;

/// What was edited, against the original system.
#[derive(Clone, Copy, Debug, Default)]
struct Edit {
    /// `Set`'s field is called `new_value` (its `Debug` text changes).
    renamed_field: bool,
    /// `Set` is called `Put`.
    renamed_variant: bool,
    /// The first client casts a note to the counter before anything else.
    extra_cast: bool,
    /// The first client calls `Ping` before its read.
    extra_call: bool,
    /// The clients are declared the other way round.
    reordered_clients: bool,
    /// A server nobody talks to is spawned first.
    new_server: bool,
}

/// The counter's requests, in each version of the code.
trait Request: std::fmt::Debug + Send + 'static {
    fn get() -> Self;
    fn set(value: u64) -> Self;
    fn ping() -> Self;
    /// The value a write sets.
    fn sets(&self) -> Option<u64>;
}

#[derive(Debug)]
enum Original {
    Get,
    Set { value: u64 },
    Ping,
}

#[derive(Debug)]
enum RenamedField {
    Get,
    Set { new_value: u64 },
    Ping,
}

#[derive(Debug)]
enum RenamedVariant {
    Get,
    Put { value: u64 },
    Ping,
}

macro_rules! request {
    ($name:ident, $set:ident, $field:ident) => {
        impl Request for $name {
            fn get() -> Self {
                $name::Get
            }
            fn set($field: u64) -> Self {
                $name::$set { $field }
            }
            fn ping() -> Self {
                $name::Ping
            }
            fn sets(&self) -> Option<u64> {
                match self {
                    $name::$set { $field } => Some(*$field),
                    _ => None,
                }
            }
        }
    };
}
request!(Original, Set, value);
request!(RenamedField, Set, new_value);
request!(RenamedVariant, Put, value);

/// A counter read and written by separate calls (the lost update).
#[derive(Debug)]
struct Counter<R>(u64, std::marker::PhantomData<R>);

impl<R: Request> GenServer for Counter<R> {
    type Args = ();
    type Call = R;
    type Reply = u64;
    type Cast = &'static str;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Counter(0, std::marker::PhantomData))
    }
    fn handle_call(&mut self, request: R, _: ReplyTo<u64>, _: &mut Ctx<Self>) -> CallResult<u64> {
        if let Some(value) = request.sets() {
            self.0 = value;
        }
        CallResult::Reply(self.0)
    }
    fn handle_cast(&mut self, _: &'static str, _: &mut Ctx<Self>) {}
}

/// Two clients each add one by a read and a write; at the end the count must be 2.
fn system(edit: Edit) -> impl Fn(&mut World) + Sync {
    move |world: &mut World| match (edit.renamed_field, edit.renamed_variant) {
        (true, _) => build::<RenamedField>(world, edit),
        (_, true) => build::<RenamedVariant>(world, edit),
        _ => build::<Original>(world, edit),
    }
}

fn build<R: Request>(world: &mut World, edit: Edit) {
    if edit.new_server {
        world.spawn::<Counter<R>>("audit", ());
    }
    let counter: ServerRef<Counter<R>> = world.spawn("counter", ());
    let mut names = ["client-1", "client-2"];
    if edit.reordered_clients {
        names.reverse();
    }
    for name in names {
        let first = name == "client-1";
        world.client(name, async move |cx| {
            if first && edit.extra_cast {
                cx.cast(counter, "note");
            }
            if first && edit.extra_call {
                cx.call(counter, R::ping()).await?;
            }
            let value = cx.call(counter, R::get()).await? + 1;
            cx.call(counter, R::set(value)).await?;
            Ok(())
        });
    }
    world.at_end("no update is lost", move |view| {
        view.state(counter).is_some_and(|c| c.0 == 2)
    });
}

/// A failing trace of the original system.
fn failing() -> Trace {
    let found = hunt(&system(Edit::default()), 0, 100, 1_000)
        .found
        .expect("found");
    found.trace.expect("recorded")
}

fn replayed(name: &str, edit: Edit) -> LooseReplay {
    let trace = failing();
    let edited = system(edit);
    let strict = replay(&edited, &trace).expect_err("strict replay diverges after an edit");
    assert!(strict.message.contains(", but "), "{name}: {strict}");
    let again = replay_loose(&edited, &trace).unwrap();
    eprintln!("{name}: strict: {strict}\n  loose: {}", again.summary());
    assert_eq!(
        again.reproduction,
        Reproduction::Same,
        "{name}: {}",
        again.summary()
    );
    let failure = again.report.failure().expect("failed again");
    assert!(
        failure.message.starts_with("no update is lost"),
        "{failure}"
    );
    again
}

#[test]
fn the_unedited_system_replays_strictly_and_loosely_alike() {
    let trace = failing();
    let strict = replay(&system(Edit::default()), &trace).expect("identical");
    let again = replay_loose(&system(Edit::default()), &trace).unwrap();
    assert_eq!(again.reproduction, Reproduction::Same);
    assert_eq!(
        (again.kept, again.planned),
        (trace.schedule().len(), trace.schedule().len())
    );
    assert!(again.skipped.is_empty() && again.new.is_empty());
    assert_eq!(
        again.report.trace.unwrap().events,
        strict.trace.unwrap().events
    );
}

#[test]
fn a_renamed_message_field_keeps_every_step() {
    let edit = Edit {
        renamed_field: true,
        ..Edit::default()
    };
    let again = replayed("renamed field", edit);
    assert_eq!(again.kept, again.planned, "{}", again.summary());
    assert!(again.skipped.is_empty() && again.new.is_empty());
}

#[test]
fn a_renamed_variant_is_skipped_and_new_and_fails_alike() {
    let edit = Edit {
        renamed_variant: true,
        ..Edit::default()
    };
    let again = replayed("renamed variant", edit);
    assert!(
        !again.skipped.is_empty() && !again.new.is_empty(),
        "{}",
        again.summary()
    );
    assert!(
        again.new.iter().all(|l| l.contains("Put")),
        "{:?}",
        again.new
    );
}

#[test]
fn one_extra_cast_is_a_new_step_and_nothing_is_skipped() {
    let edit = Edit {
        extra_cast: true,
        ..Edit::default()
    };
    let again = replayed("extra cast", edit);
    assert_eq!(again.kept, again.planned, "{}", again.summary());
    assert_eq!(again.new.len(), 1, "{}", again.summary());
    assert!(
        again.new[0].starts_with("deliver cast #1 client-1 → counter"),
        "{:?}",
        again.new
    );
}

#[test]
fn one_extra_call_before_the_failing_ones_is_new_and_every_step_is_kept() {
    let edit = Edit {
        extra_call: true,
        ..Edit::default()
    };
    let again = replayed("extra call", edit);
    // Calls are numbered per caller, callee and request: the read and the write keep their
    // names, and the ping and its reply are new.
    assert_eq!(again.kept, again.planned, "{}", again.summary());
    assert_eq!(again.new.len(), 2, "{}", again.summary());
    assert!(
        again.new[0].starts_with("deliver call Ping #1 client-1 → counter"),
        "{:?}",
        again.new
    );
}

#[test]
fn reordered_clients_keep_every_step() {
    let edit = Edit {
        reordered_clients: true,
        ..Edit::default()
    };
    let again = replayed("reordered clients", edit);
    assert_eq!(again.kept, again.planned, "{}", again.summary());
    assert!(again.new.is_empty(), "{}", again.summary());
}

#[test]
fn a_new_server_keeps_every_step() {
    let edit = Edit {
        new_server: true,
        ..Edit::default()
    };
    let again = replayed("new server", edit);
    assert_eq!(again.kept, again.planned, "{}", again.summary());
    assert!(again.new.is_empty(), "{}", again.summary());
}
