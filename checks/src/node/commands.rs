//! What a node is told to do: commands, the processes they name, and its messages.

use std::fmt;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genserver::{CallError, ExitReason, ProcessId, ServerRef};

use super::*;

/// A process a command acts on: a label (resolved when the command is carried out) or an id.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// The process named so in the journal ([`GHOST`] if none).
    Label(String),
    /// This id.
    Id(ProcessId),
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Label(label) => f.write_str(label),
            Target::Id(id) => write!(f, "{id:?}"),
        }
    }
}

impl From<&str> for Target {
    fn from(label: &str) -> Self {
        Target::Label(label.to_owned())
    }
}

impl From<String> for Target {
    fn from(label: String) -> Self {
        Target::Label(label)
    }
}

impl From<ProcessId> for Target {
    fn from(id: ProcessId) -> Self {
        Target::Id(id)
    }
}

impl<S> From<ServerRef<S>> for Target {
    fn from(server: ServerRef<S>) -> Self {
        Target::Id(server.id())
    }
}

/// How a child node starts (carried by [`Cmd::Start`]; without a journal, which the starter
/// passes on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Child {
    /// Its label.
    pub label: String,
    /// The name to register it under.
    pub name: Option<String>,
    /// Whether it is linked to its starter.
    pub link: bool,
    /// Whether it traps exits from its `init` on.
    pub trap: bool,
    /// `init` refuses to start with this reason.
    pub fail: Option<ExitReason>,
    /// Carried out by its `init` (e.g. `Stop`: a child that stops in its `init`).
    pub init: Vec<Cmd>,
}

impl Child {
    /// A plain, unnamed, unlinked child labelled `label`.
    pub fn new(label: impl Into<String>) -> Self {
        Child {
            label: label.into(),
            name: None,
            link: false,
            trap: false,
            fail: None,
            init: Vec::new(),
        }
    }

    /// Registered as `name`.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Linked to its starter.
    pub fn linked(mut self) -> Self {
        self.link = true;
        self
    }

    /// Trapping exits.
    pub fn trapping(mut self) -> Self {
        self.trap = true;
        self
    }

    /// Whose `init` fails with `reason`.
    pub fn failing(mut self, reason: ExitReason) -> Self {
        self.fail = Some(reason);
        self
    }

    /// Doing `cmds` in its `init`.
    pub fn init(mut self, cmds: Vec<Cmd>) -> Self {
        self.init = cmds;
        self
    }
}

/// One thing a node does, as effects of the callback that carries it out.
#[derive(Clone, PartialEq, Eq)]
pub enum Cmd {
    /// Monitor a process.
    Monitor(Target),
    /// Remove this node's most recent monitor still set (nothing if none).
    Demonitor,
    /// Remove this monitor.
    DemonitorRef(MonitorRef),
    /// Link to a process.
    Link(Target),
    /// Unlink from a process.
    Unlink(Target),
    /// Trap exits (or stop trapping).
    Trap(bool),
    /// Send an exit signal with this reason.
    Exit(Target, ExitReason),
    /// Kill a process.
    Kill(Target),
    /// Stop this node with this reason.
    Stop(ExitReason),
    /// Panic in the callback carrying this out (the commands before it are not carried out).
    Panic,
    /// Start a child node.
    Start(Child),
    /// Start a child with a recipe built for an engine that is not this one ([`NoEngine`]).
    StartForeign,
    /// Call a node with [`Request::Echo`] (timeout [`LONG`]); blocks until the outcome,
    /// which is journaled.
    Call(Target, u64),
    /// Call a node with [`Request::Hold`] (no timeout); blocks until the outcome.
    CallHold(Target),
    /// Reply this value (as effects) to every call this node holds; journals how many.
    Release(u64),
    /// Cast [`Cast::Note`] with this text to a node.
    Note(Target, String),
    /// Journal this text (a marker).
    Mark(String),
    /// Journal `Ctx::now` (engine-dependent: not for comparisons).
    Now,
    /// Set a timer labelled so, to fire after the delay: its firing journals `timer {label}`.
    SetTimer(String, Duration),
    /// Cancel this node's latest timer of that label (one that fired already too, which
    /// engines ignore); nothing if this instance set none so labelled.
    CancelTimer(String),
}

impl fmt::Debug for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Monitor(t) => write!(f, "Monitor({t:?})"),
            Cmd::Demonitor => f.write_str("Demonitor"),
            Cmd::DemonitorRef(m) => write!(f, "Demonitor(m{})", m.0),
            Cmd::Link(t) => write!(f, "Link({t:?})"),
            Cmd::Unlink(t) => write!(f, "Unlink({t:?})"),
            Cmd::Trap(on) => write!(f, "Trap({on})"),
            Cmd::Exit(t, reason) => write!(f, "Exit({t:?}, {reason:?})"),
            Cmd::Kill(t) => write!(f, "Kill({t:?})"),
            Cmd::Stop(reason) => write!(f, "Stop({reason:?})"),
            Cmd::Panic => f.write_str("Panic"),
            Cmd::Start(child) => {
                write!(f, "Start({}", child.label)?;
                if let Some(name) = &child.name {
                    write!(f, " as {name}")?;
                }
                if child.link {
                    f.write_str(", linked")?;
                }
                if child.trap {
                    f.write_str(", trapping")?;
                }
                if let Some(reason) = &child.fail {
                    write!(f, ", failing {reason:?}")?;
                }
                if !child.init.is_empty() {
                    write!(f, ", init {:?}", child.init)?;
                }
                f.write_str(")")
            }
            Cmd::StartForeign => f.write_str("StartForeign"),
            Cmd::Call(t, value) => write!(f, "Call({t:?}, {value})"),
            Cmd::CallHold(t) => write!(f, "CallHold({t:?})"),
            Cmd::Release(value) => write!(f, "Release({value})"),
            Cmd::Note(t, text) => write!(f, "Note({t:?}, {text:?})"),
            Cmd::Mark(text) => write!(f, "Mark({text:?})"),
            Cmd::Now => f.write_str("Now"),
            Cmd::SetTimer(label, after) => write!(f, "SetTimer({label}, {after:?})"),
            Cmd::CancelTimer(label) => write!(f, "CancelTimer({label})"),
        }
    }
}

/// A gate a call blocks a node on (runtime tests only: the simulator must not block).
#[derive(Clone)]
pub struct Gate(pub Arc<Mutex<Receiver<()>>>);

impl Gate {
    /// A gate opened by sending on the sender of `receiver` (or by dropping it).
    pub fn new(receiver: Receiver<()>) -> Self {
        Gate(Arc::new(Mutex::new(receiver)))
    }

    pub(super) fn wait(&self) {
        let _ = self.0.lock().unwrap_or_else(|p| p.into_inner()).recv();
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Gate")
    }
}

/// What a node is called with.
#[derive(Debug)]
pub enum Request {
    /// Reply with the value (held instead when the node holds every call).
    Echo(u64),
    /// Keep the token: no reply until [`Cmd::Release`] or [`Request::Release`].
    Hold,
    /// Carry out the commands; reply with the number of the last monitor set (0 if none).
    Do(Vec<Cmd>),
    /// Journal "at the gate", block until the gate opens, then carry out the commands.
    Gate(Gate, Vec<Cmd>),
    /// How many calls are held.
    HeldCount,
    /// Reply the value to every held call; reply with how many were accepted.
    Release(u64),
    /// `Ctx::now` in microseconds.
    Now,
    /// Journal nothing; reply how many of the node's timers are pending and due within
    /// [`SOON`] (a test's barrier: 0 once they fired).
    Sync,
}

/// What a node is cast.
#[derive(Debug)]
pub enum Cast {
    /// Carry out the commands.
    Do(Vec<Cmd>),
    /// Nothing but the journal line.
    Note(String),
}

/// A node's own info messages: outcomes of what it started and called, its timers.
#[derive(Debug)]
pub enum Info {
    /// The outcome of starting the child of this label.
    Started(String, Result<ProcessId, StartError>),
    /// The outcome of a call.
    Outcome(Result<u64, CallError>),
    /// The timer of this label fired.
    Timer(String),
}
