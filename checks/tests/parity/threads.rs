//! A script on the threaded runtime: the test thread is the driver; after each operation it
//! waits until the runtime is quiet (see [`settle`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use genserver::runtime::Spawner;
use genserver::supervisor::{Supervisor, SupervisorCall};
use genserver::{GenServer, ProcessId, Runtime, Server, ServerRef};
use genserver_checks::node::{Busy, Cast, Journal, Node, NodeArgs, Request, wait_until};

use crate::script::Script;

/// Journals by process label.
pub type Journals = BTreeMap<String, Vec<String>>;

/// What one run on the runtime wrote.
pub struct Record {
    /// Every process's journal at the end.
    pub journals: Journals,
    /// Every line in the order written (for reports).
    pub lines: Vec<String>,
    /// The journals just before the panicking operation, if the script has one.
    pub before_panic: Option<Journals>,
    /// The timers left set at the end (see [`tail`]).
    pub tail: Journals,
}

type N = Node<Spawner>;
type Sup = Supervisor<Spawner>;

/// Runs `script` on a fresh runtime, then kills every process it started.
pub fn run(script: &Script) -> Record {
    let rt = Runtime::new();
    let journal = Journal::new();
    for top in &script.tops {
        let mut args = NodeArgs::new(top.label.clone(), &journal);
        args.trap = top.trap;
        rt.start::<N>(args).expect("a node starts");
    }
    if let Some(sup) = &script.sup {
        let server = rt.start::<Sup>(sup.spec(&journal));
        journal.name(server.expect("the supervisor starts").id(), &sup.label);
    }
    settle(&rt, &journal);
    let mut before_panic = None;
    for (i, op) in script.ops.iter().enumerate() {
        if script.panic_op() == Some(i) {
            before_panic = Some(journal.by_process());
        }
        let server = (journal.id(&op.actor)).and_then(|id| rt.resolve(ServerRef::<N>::new(id)));
        if let Some(server) = server {
            server.cast(Cast::Do(op.cmds.clone()));
        }
        settle(&rt, &journal);
    }
    let record = Record {
        journals: journal.by_process(),
        lines: journal.lines(),
        tail: tail(&rt, &journal),
        before_panic,
    };
    for (id, _) in journal.directory() {
        rt.kill(id);
    }
    record
}

/// What changes when something happens: lines written, processes alive.
fn state(rt: &Runtime, journal: &Journal) -> (usize, Vec<bool>) {
    let alive = (journal.directory().into_iter())
        .map(|(id, _)| rt.is_alive(id))
        .collect();
    (journal.len(), alive)
}

/// Waits until everything the last operation caused has happened: rounds of a journal-free
/// call (a node's `Sync`, the supervisor's `WhichChildren`) to every live process that is
/// not blocked in a call of its own, until two rounds in a row see no line written, no
/// process exit and no timer due soon.
///
/// Why two: a callback's journal line is written when it starts, its effects applied after;
/// a node's `Sync` reply comes after its own effects, but a message those effects sent to a
/// node synced earlier in the round is seen by the next round's `Sync` of that node only.
/// A `Sync` that fails means its node is exiting: the round waits until it has left the
/// registry (its `Down`s and exit signals are then queued, rule 1) and counts as busy.
///
/// Timers: a node's `Sync` replies how many of its timers are due soon (within
/// [`genserver_checks::node::SOON`]: the short ones). A round where one has any is not
/// quiet; the next comes after a pause. A timer fires on its node's own thread by the
/// clock, with nothing else needed, so waiting is enough; a node blocked in a call fires
/// none until the call's outcome, in both engines, and is not waited for.
///
/// A node making a call answers nothing until the call's outcome: [`blocked`] says, from
/// what the nodes journal about their calls ([`Busy`]), when to stop waiting for it.
pub fn settle(rt: &Runtime, journal: &Journal) {
    let mut quiet_rounds = 0;
    let mut timers_since: Option<Instant> = None;
    while quiet_rounds < 2 {
        let before = state(rt, journal);
        let mut changed = false;
        let mut skipped = false;
        let mut timers = false;
        for (id, label) in journal.directory() {
            if !rt.is_alive(id) {
                continue;
            }
            if blocked(rt, journal, id, &label) {
                skipped = true;
                continue;
            }
            let reply = if let Some(node) = rt.resolve(ServerRef::<N>::new(id)) {
                sync(rt, journal, node, Request::Sync, &label)
            } else if let Some(sup) = rt.resolve(ServerRef::<Sup>::new(id)) {
                sync(rt, journal, sup, SupervisorCall::WhichChildren, &label).map(|_| 0)
            } else {
                continue;
            };
            match reply {
                Some(0) => {}
                Some(_) => timers = true,
                None => changed = true,
            }
        }
        if skipped {
            // A timing assumption (see the crate docs): a node blocked in a call may have been
            // doomed by an exit signal just now (its thread wakes and runs `terminate` on its own, and
            // nothing from outside tells a doomed node from a blocked one); give it time.
            std::thread::sleep(BLOCKED_GRACE);
        }
        if timers {
            let since = *timers_since.get_or_insert_with(Instant::now);
            let lines = || journal.lines().join("\n  ");
            assert!(
                since.elapsed() < TIMER_PATIENCE,
                "timers due soon never fired:\n  {}",
                lines()
            );
            std::thread::sleep(TIMER_PAUSE);
        } else {
            timers_since = None;
        }
        if changed || timers || state(rt, journal) != before {
            quiet_rounds = 0;
        } else {
            quiet_rounds += 1;
        }
    }
}

/// Calls `server` (labelled `label`) with `request`, which it answers without a journal
/// line, and waits for the reply; `None` if it exits meanwhile (waiting until it has left
/// the registry) or turns out to be busy with a call of its own.
fn sync<S: GenServer>(
    rt: &Runtime,
    journal: &Journal,
    server: Server<S>,
    request: S::Call,
    label: &str,
) -> Option<S::Reply> {
    let id = server.id();
    let mut pending = server.call_async(request);
    let started = Instant::now();
    loop {
        match pending.poll() {
            Ok(Ok(reply)) => return Some(reply),
            Ok(Err(_)) => {
                let what = || format!("{label} never left the registry");
                wait_until(|| !rt.is_alive(id), what);
                return None;
            }
            Err(still) => {
                if journal.busy(label).is_some() || !rt.is_alive(id) {
                    return None;
                }
                pending = still;
                // A reply mostly comes within microseconds: yield at first (the server's
                // thread may need this core), sleep after.
                match started.elapsed() < Duration::from_micros(200) {
                    true => std::thread::yield_now(),
                    false => std::thread::sleep(Duration::from_micros(50)),
                }
            }
        }
    }
}

/// The timers left set at the end, as the lines their firing writes: for each live process
/// (the latest instance of its label) not blocked in a call, the timers it set and neither
/// fired nor cancelled, in the order it set them ([`Journal::pending_timers`]). They are
/// long timers (a short one has fired by the end of its operation's [`settle`]), which never
/// fire while a script runs on the runtime; the simulator's time runs on once its driver is
/// done, and must fire exactly these, in this order.
fn tail(rt: &Runtime, journal: &Journal) -> Journals {
    let mut tail = Journals::new();
    for (id, label) in journal.directory() {
        let latest = journal.id(&label) == Some(id);
        if !latest || !rt.is_alive(id) || blocked(rt, journal, id, &label) {
            continue;
        }
        let timers = journal.pending_timers(&label).into_iter();
        let lines: Vec<String> = timers.map(|t| format!("timer {t}")).collect();
        if !lines.is_empty() {
            tail.insert(label, lines);
        }
    }
    tail
}

/// How long a round where a node has a timer due soon pauses before the next.
const TIMER_PAUSE: Duration = Duration::from_micros(200);

/// How long [`settle`] waits for timers due soon before it gives up (a runtime that lost a
/// timer).
const TIMER_PATIENCE: Duration = Duration::from_secs(10);

/// How long a round with a node blocked in a call waits before it counts as quiet.
const BLOCKED_GRACE: Duration = Duration::from_millis(2);

/// Whether node `id` is blocked in a call for good (until something else happens): its call
/// is held by a live node ([`Busy::Held`]), or queued to a node itself busy with a call of its
/// own (which answers nothing either). A node on its way to a call, a call answered or bound
/// to fail (to itself, to a process dead or gone meanwhile) is waited for until its outcome.
fn blocked(rt: &Runtime, journal: &Journal, id: ProcessId, label: &str) -> bool {
    let mut blocked = false;
    let what = || {
        format!(
            "{label} never got on with its call: {:?}",
            journal.busy(label)
        )
    };
    wait_until(
        || {
            if !rt.is_alive(id) {
                return true;
            }
            blocked = match journal.busy(label) {
                None => false,
                Some(Busy::Planned | Busy::Answered) => return false,
                Some(Busy::Held(callee)) => {
                    if !rt.is_alive(callee) {
                        return false;
                    }
                    true
                }
                Some(Busy::Calling(callee)) => {
                    let queued_behind_a_call = (callee != id && rt.is_alive(callee))
                        && journal.busy(&journal.label(callee)).is_some();
                    if !queued_behind_a_call {
                        return false;
                    }
                    true
                }
            };
            true
        },
        what,
    );
    blocked && rt.is_alive(id)
}
