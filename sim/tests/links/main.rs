//! Links, monitors, exit signals, kills, child starts, names and supervisors in the
//! simulator: one test per rule of the design (docs: notes/issue8-design.md), each run
//! traced and replayed byte for byte from its seed. The servers are the shared test server
//! (`genserver_checks::node::Node`); clients follow a script ([`script`]).

mod explore;
mod rules;
mod supervision;

use std::time::Duration;

use genserver::supervisor::{Supervisor, SupervisorCall};
use genserver::{ProcessId, ServerRef, Timeout};
use genserver_checks::node::{Cast, Cmd, Journal, Node, Request, outcome_text};
use genserver_sim::{DEFAULT_MAX_STEPS, RunReport, SimSpawner, System, World, replay, run};
use genserver_traces::{Event, EventKind};

/// The node on this engine.
pub type N = Node<SimSpawner>;

/// A system built by a closure, for tests.
pub struct Sys<F>(pub &'static str, pub F);

impl<F: Fn(&mut World) + Sync> System for Sys<F> {
    fn name(&self) -> &str {
        self.0
    }
    fn build(&self, world: &mut World) {
        (self.1)(world)
    }
}

/// Runs `seed` traced, replays the trace (it must come out byte for byte the same, and the
/// servers must write the same journal), and returns the report and the journal's lines.
pub fn checked(system: &dyn System, journal: &Journal, seed: u64) -> (RunReport, Vec<String>) {
    journal.clear();
    let report = run(system, seed, DEFAULT_MAX_STEPS, true);
    let first = journal.lines();
    journal.clear();
    let trace = report.trace.as_ref().expect("traced");
    let again = replay(system, trace).unwrap_or_else(|d| panic!("seed {seed}: {d}"));
    assert_eq!(
        again.trace.unwrap().to_jsonl(),
        trace.to_jsonl(),
        "seed {seed}"
    );
    assert_eq!(
        journal.lines(),
        first,
        "seed {seed}: the replay's callbacks differ"
    );
    (report, first)
}

/// The events of a traced run.
pub fn events(report: &RunReport) -> &[Event] {
    &report.trace.as_ref().expect("traced").events
}

/// The events of `kind` whose message contains `text`.
pub fn find<'a>(report: &'a RunReport, kind: EventKind, text: &str) -> Vec<&'a Event> {
    events(report)
        .iter()
        .filter(|e| e.kind == kind && e.message.contains(text))
        .collect()
}

/// Whether the run has an event of `kind` whose message contains `text`.
pub fn has(report: &RunReport, kind: EventKind, text: &str) -> bool {
    !find(report, kind, text).is_empty()
}

/// The trace as text, for assertion messages.
pub fn text(report: &RunReport) -> String {
    genserver_traces::to_text(report.trace.as_ref().expect("traced"))
}

/// Who a client step addresses.
#[derive(Clone, Debug)]
pub enum To {
    /// This process.
    Id(ProcessId),
    /// The name, resolved at this step.
    Name(&'static str),
    /// The id resolved by the `n`-th `Resolve` step.
    Saved(usize),
}

impl<S> From<ServerRef<S>> for To {
    fn from(server: ServerRef<S>) -> Self {
        To::Id(server.id())
    }
}

/// One step of a scripted client.
#[derive(Clone, Debug)]
pub enum Do {
    /// Casts `Do([cmd])` to a node (nothing if the name is not registered).
    Cast(To, Cmd),
    /// Calls a node with `Echo(1)` (a process never started if the name is not registered).
    Call(To),
    /// Asks a supervisor to stop.
    StopSupervisor(ProcessId),
    /// Sleeps this long (virtual time).
    Sleep(Duration),
    /// Looks a name up.
    Resolve(&'static str),
}

/// Adds a client `name` that follows `steps`, journaling (under its name) what its calls and
/// lookups gave.
pub fn script(w: &mut World, journal: &Journal, name: &str, steps: Vec<Do>) {
    let j = journal.clone();
    let label = name.to_owned();
    let client = w.client(name, async move |cx| {
        let mut saved: Vec<Option<ProcessId>> = Vec::new();
        let id = |to: &To, saved: &[Option<ProcessId>]| match to {
            To::Id(id) => Some(*id),
            To::Name(name) => cx.whereis(name),
            To::Saved(n) => saved[*n],
        };
        for step in steps {
            match step {
                Do::Cast(to, cmd) => {
                    if let Some(id) = id(&to, &saved) {
                        cx.cast(ServerRef::<N>::new(id), Cast::Do(vec![cmd]));
                    }
                }
                Do::Call(to) => {
                    let node = ServerRef::<N>::new(id(&to, &saved).unwrap_or(ProcessId(999)));
                    let outcome = cx.call(node, Request::Echo(1)).await;
                    j.note(&label, outcome_text(&outcome));
                }
                Do::StopSupervisor(id) => {
                    let sup = ServerRef::<Supervisor<SimSpawner>>::new(id);
                    let outcome = cx.call_timeout(sup, SupervisorCall::Stop, Timeout::Infinity);
                    let text = match outcome.await {
                        Ok(reply) => format!("Ok({reply:?})"),
                        Err(error) => format!("Err({error})"),
                    };
                    j.note(&label, text);
                }
                Do::Sleep(d) => cx.sleep(d).await,
                Do::Resolve(name) => {
                    let id = cx.whereis(name);
                    j.note(&label, format!("{name} is {id:?}"));
                    saved.push(id);
                }
            }
        }
        Ok(())
    });
    journal.name(client, name);
}
