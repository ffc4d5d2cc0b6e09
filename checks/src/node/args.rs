//! How a node starts ([`NodeArgs`]), and the engine no node runs on ([`NoEngine`]).

use genserver::{ExitReason, GenServer, ProcessId, Spawn, StartError, StartOptions};

use super::*;

/// How to start a node.
#[derive(Clone, Debug)]
pub struct NodeArgs {
    /// Its label: it names itself so in the journal (its lines are that process's).
    pub label: String,
    /// Where it writes.
    pub journal: Journal,
    /// The name it is registered under, if any (for [`Journal::first_named`]).
    pub name: Option<String>,
    /// Trap exits from `init` on.
    pub trap: bool,
    /// `init` refuses to start with this reason.
    pub fail: Option<ExitReason>,
    /// Carried out by `init` (as effects, before the start returns).
    pub init: Vec<Cmd>,
    /// Every [`Request::Echo`] is held; with these commands carried out when one arrives.
    pub hold_calls: Option<Vec<Cmd>>,
    /// `terminate` journals "terminating", then blocks until this gate opens.
    pub terminate_gate: Option<Gate>,
}

impl NodeArgs {
    /// A plain node labelled `label`.
    pub fn new(label: impl Into<String>, journal: &Journal) -> Self {
        NodeArgs {
            label: label.into(),
            journal: journal.clone(),
            name: None,
            trap: false,
            fail: None,
            init: Vec::new(),
            hold_calls: None,
            terminate_gate: None,
        }
    }

    /// Trapping exits.
    pub fn trapping(mut self) -> Self {
        self.trap = true;
        self
    }

    /// Doing `cmds` in `init`.
    pub fn init(mut self, cmds: Vec<Cmd>) -> Self {
        self.init = cmds;
        self
    }

    /// Whose `init` fails with `reason`.
    pub fn failing(mut self, reason: ExitReason) -> Self {
        self.fail = Some(reason);
        self
    }

    /// Holding every `Echo` call, doing `cmds` when one arrives.
    pub fn holding(mut self, cmds: Vec<Cmd>) -> Self {
        self.hold_calls = Some(cmds);
        self
    }

    pub(super) fn child(child: Child, journal: &Journal) -> Self {
        NodeArgs {
            name: child.name,
            trap: child.trap,
            fail: child.fail,
            init: child.init,
            ..NodeArgs::new(child.label, journal)
        }
    }
}

/// An engine that is neither the runtime nor the simulator: recipes built for it are refused
/// by both ([`Cmd::StartForeign`]).
pub struct NoEngine;

impl Spawn for NoEngine {
    fn spawn<T: GenServer>(
        &mut self,
        _: T::Args,
        _: StartOptions,
    ) -> Result<ProcessId, StartError> {
        unreachable!("no engine hands itself out as NoEngine")
    }
}
