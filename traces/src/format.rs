//! The records of a trace: one header, the events of every step, one end record.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The `format` field every trace header carries.
pub const FORMAT: &str = "genserver-trace";

/// The version of the format this crate writes. Version 2 added the event kinds of links,
/// monitors, exit signals, kills, child starts and names; version 3 changed the grammar of
/// schedule labels (no records changed): a message is named by its kind, its head (the name
/// its `Debug` text starts with), its number among its sender's messages of that kind and
/// head to that receiver, sender and receiver, then after `: ` what it carries (`deliver call
/// Get #2 client → counter: Get`, formerly `deliver call #7 Get client → counter` with a
/// number counted over the whole system). Traces of versions 1 and 2 are read (see [`OLDEST_VERSION`]); their schedules
/// replay by identity only (the simulator's loose replay), and no other version is read.
/// Version 4 added the run's history to the end record: every client call as an
/// [`Operation`], and where a linearizability check failed, its [`HistoryViolation`] (no
/// record changed otherwise; a trace of version 3 has neither, and replays strictly).
/// Version 5 added the run's [`Inputs`] to the header: what a system drew for the run
/// besides its schedule (a generated workload's operations), which a replay builds the
/// system from (a trace of version 4 has none: the system draws them again from the seed).
pub const VERSION: u32 = 5;

/// The first version whose schedule labels are of today's grammar: traces from it on
/// replay strictly, label by label.
pub const LABELS_VERSION: u32 = 3;

/// The first version whose header records the run's [`Inputs`]: a replay of a trace from it
/// on must use the same.
pub const INPUTS_VERSION: u32 = 5;

/// The oldest version this crate reads.
pub const OLDEST_VERSION: u32 = 1;

/// The first line of a trace: what ran, with which seed and which processes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// The format version, [`VERSION`] when written by this crate.
    pub version: u32,
    /// The name of the simulated system (as `gsim list` shows it).
    pub system: String,
    /// The strategy that chose the original run (`random`, `pct`, `dfs`, …).
    pub strategy: String,
    /// The seed of the scheduler that chose the original run.
    pub seed: u64,
    /// The step limit the run had.
    pub max_steps: u64,
    /// Every process of the run, in id order.
    pub processes: Vec<Process>,
    /// The schedule: every step's decision, in order. Loading checks that it matches the
    /// trace's `choose` events.
    pub schedule: Vec<String>,
    /// The version of the crate that wrote the trace (for people; replay does not use it).
    pub crate_version: String,
    /// What the system drew for the run besides its schedule, if it draws anything
    /// (version 5 on): a replay builds the system from these rather than drawing again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Inputs>,
}

impl Header {
    /// A header of the current format and version, for the `random` strategy; the schedule
    /// is filled in by [`crate::Trace::new`].
    pub fn new(system: impl Into<String>, seed: u64, max_steps: u64) -> Self {
        Header {
            format: FORMAT.to_owned(),
            version: VERSION,
            system: system.into(),
            strategy: "random".to_owned(),
            seed,
            max_steps,
            processes: Vec::new(),
            schedule: Vec::new(),
            crate_version: env!("CARGO_PKG_VERSION").to_owned(),
            inputs: None,
        }
    }
}

/// What a system drew for a run besides its schedule: lists of items drawn by a seed (a
/// generated workload: each client's operations), of which the run used some. A shrink
/// leaves items out (a whole list, or one item) and records which it kept; a replay draws
/// the lists again from the seed and keeps the same items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// The seed the lists were drawn by.
    pub seed: u64,
    /// The lists, in the order the system draws them.
    pub lists: Vec<InputList>,
}

impl Inputs {
    /// How many items the run used, over all lists.
    pub fn kept(&self) -> usize {
        self.lists.iter().map(|list| list.kept.len()).sum()
    }
}

/// One list of drawn items (a client's operations) and the ones a run used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputList {
    /// Whose list it is (a client's name).
    pub name: String,
    /// How many items were drawn.
    pub drawn: usize,
    /// The items used, by their index among the drawn, in order.
    pub kept: Vec<usize>,
    /// The items used, as their `Debug` shows them (for people, and so that a replay that
    /// draws other items differs from the trace).
    pub items: Vec<String>,
}

/// One process of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    /// Its process id.
    pub id: u64,
    /// Its name, used in every event.
    pub name: String,
    /// Server or client.
    pub kind: ProcessKind,
}

/// What kind of process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessKind {
    /// A `GenServer`.
    Server,
    /// A client state machine.
    Client,
}

/// What happened in one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The scheduler's decision for this step: the schedule is the list of these.
    Choose,
    /// A server started (`init` ran).
    Start,
    /// A message was put in a sender→receiver queue.
    Send,
    /// A message was taken from a queue and handled.
    Deliver,
    /// A call was answered (the reply is sent as a message).
    Reply,
    /// A reply or message nobody waits for any more was thrown away.
    Discard,
    /// A call gave up waiting.
    Timeout,
    /// A timer fired (or a client woke up).
    Timer,
    /// `handle_continue` ran.
    Continue,
    /// A client took a step.
    Step,
    /// A server stopped (its exit reason is the message).
    Stop,
    /// A fault crashed a server.
    Crash,
    /// A crashed server was started again from `init`.
    Restart,
    /// A message was dropped (dead receiver, or a fault).
    Drop,
    /// A fault delayed a message.
    Delay,
    /// A server started a child (`from` the starter, `to` the child): `init` ran or failed.
    Spawn,
    /// A name was registered (after a successful `init`) or freed (at the holder's exit).
    Name,
    /// A link was set both ways (`from` the linker, `to` the other process).
    Link,
    /// A link was removed both ways.
    Unlink,
    /// A monitor was set (`from` the watcher, `to` the watched process).
    Monitor,
    /// A monitor was removed.
    Demonitor,
    /// A server turned exit trapping on or off.
    Trap,
    /// A kill took a server down: untrappable, `terminate` did not run.
    Kill,
    /// An exit signal reached a server and changed nothing (reason `normal`, not trapping).
    Ignore,
    /// The run failed.
    Failure,
}

/// One event of one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The step it belongs to (0 for the setup before the first choice).
    pub step: u64,
    /// Virtual time in nanoseconds since the start of the run.
    pub time_ns: u64,
    /// What happened.
    pub kind: EventKind,
    /// The acting or sending process, by name (shared: a run names the same processes in
    /// event after event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Arc<str>>,
    /// The receiving process, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Arc<str>>,
    /// The rendered message or decision.
    pub message: String,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum Outcome {
    /// Nothing was left to do and every check passed.
    Pass,
    /// The step limit was reached first (no failure found, final checks not run).
    StepLimit,
    /// A failure was found.
    Failure(FailureRecord),
}

/// A failure as recorded in a trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRecord {
    /// The failure's kind (`invariant`, `expectation`, `panic`, `timeout`, `deadlock`).
    pub kind: String,
    /// The step where it was found.
    pub step: u64,
    /// The process it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// What went wrong.
    pub message: String,
}

/// The last line of a complete trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct End {
    /// The number of steps taken.
    pub steps: u64,
    /// Virtual time at the end, in nanoseconds.
    pub time_ns: u64,
    /// How the run ended.
    pub outcome: Outcome,
    /// Every call a client made, in the order they were made (version 4 on; empty before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<Operation>,
    /// Where the history was found not linearizable, if that is how the run failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation: Option<HistoryViolation>,
}

impl End {
    /// An end record without operations.
    pub fn new(steps: u64, time_ns: u64, outcome: Outcome) -> Self {
        End {
            steps,
            time_ns,
            outcome,
            operations: Vec::new(),
            violation: None,
        }
    }
}

/// One client call of a run, from its invocation to its response: an operation of the
/// run's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// The client that called, by name.
    pub client: String,
    /// The server called, by name.
    pub server: String,
    /// The request, as its `Debug` shows it.
    pub call: String,
    /// When the call was made.
    pub invoked: Moment,
    /// When and how it ended; `None` if it was still waiting when the run ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<Returned>,
}

/// A point of a run's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    /// The number of the invocation or response among all of them (they are ordered by it:
    /// several can share a step).
    pub seq: u64,
    /// The step.
    pub step: u64,
    /// Virtual time in nanoseconds.
    pub time_ns: u64,
}

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Returned {
    /// When the caller got the outcome.
    pub at: Moment,
    /// What it got.
    pub answer: Answer,
}

/// What a call gave its caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// A reply, as its `Debug` shows it.
    Reply(String),
    /// An error (timed out, no such process, …), in words.
    Error(String),
}

/// Where a history is not linearizable: the operations of the failing part (a key, or the
/// whole history), the longest linearizable prefix the checker found and the operation that
/// cannot follow it. Operations are indices into [`End::operations`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryViolation {
    /// The name of the check (the model) that failed.
    pub check: String,
    /// The key of the failing part, as its `Debug` shows it; `None` for the whole history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// The operations of the failing part, in invocation order.
    pub operations: Vec<usize>,
    /// The longest linearizable prefix, in linearization order.
    pub prefix: Vec<usize>,
    /// The completed operation that cannot be placed after the prefix.
    pub blocked: usize,
}

/// One line of a JSON Lines trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Record {
    /// The first line.
    Header(Header),
    /// Any line in between.
    Event(Event),
    /// The last line.
    End(End),
}
