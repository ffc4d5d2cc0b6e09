//! Scripts: which nodes start, whether a supervisor starts over node children, then which
//! node is cast which commands, one operation at a time. Their generation is in
//! [`crate::generate`].

use std::fmt;
use std::time::Duration;

use genserver::Spawn;
use genserver::supervisor::{ChildSpec, Restart, Shutdown, Strategy, SupervisorSpec};
use genserver_checks::node::{Cmd, Journal, Node, NodeArgs};

/// The delay of a short timer: it fires within the operation that set it (the runtime's
/// barrier waits for it, the simulator's time reaches it before the driver's next
/// operation). One delay for all, so that a node's timers fire in the order it set them on
/// both engines (with two delays, the order of two timers set in two callbacks would depend
/// on the runtime's clock between them).
pub const SHORT: Duration = Duration::from_millis(1);

/// The delay of a long timer: it never fires on the runtime while a script runs (the
/// timing assumption: a script runs in less than this); in the simulator, whose time runs on
/// once the driver is done, each one left set fires at the end.
pub const LATER: Duration = Duration::from_secs(30);

/// A node started by the driver before the first operation.
#[derive(Clone, Debug)]
pub struct Top {
    /// Its label (`n0`, `n1`, ...).
    pub label: String,
    /// Whether it traps exits from `init` on.
    pub trap: bool,
}

/// A supervisor the driver starts after the nodes (`genserver::supervisor::Supervisor`).
/// It journals nothing; its children are nodes, which journal each `init`.
#[derive(Clone, Debug)]
pub struct Sup {
    /// Its label (`s0`): the driver names it in the journal once it started.
    pub label: String,
    /// Which children restart together.
    pub strategy: Strategy,
    /// Restarts allowed (within an hour, so within any script on both engines).
    pub max_restarts: u32,
    /// Its children, in start order.
    pub kids: Vec<Kid>,
}

/// A node child of the supervisor.
#[derive(Clone, Debug)]
pub struct Kid {
    /// Its label (`k0`, `k1`, ...), the same for every instance.
    pub label: String,
    /// When it is restarted.
    pub restart: Restart,
    /// Stopped by a kill (else by a `shutdown` signal, waited for as long as it takes: a
    /// shutdown timeout would be a supervisor timer the runtime's barrier cannot see).
    pub brutal: bool,
    /// Whether each instance traps exits from `init` on.
    pub trap: bool,
    /// Carried out by each instance's `init` (a timer, or nothing).
    pub init: Vec<Cmd>,
}

impl Sup {
    /// The supervisor's spec on the engine whose spawner is `E`.
    pub fn spec<E: Spawn>(&self, journal: &Journal) -> SupervisorSpec<E> {
        let hour = Duration::from_secs(3600);
        let mut spec = SupervisorSpec::new(self.strategy).intensity(self.max_restarts, hour);
        for kid in &self.kids {
            let mut args = NodeArgs::new(kid.label.clone(), journal).init(kid.init.clone());
            args.trap = kid.trap;
            let shutdown = match kid.brutal {
                true => Shutdown::BrutalKill,
                false => Shutdown::Infinity,
            };
            let child = ChildSpec::new::<Node<E>>(kid.label.clone(), move || args.clone())
                .restart(kid.restart)
                .shutdown(shutdown);
            spec = spec.child(child);
        }
        spec
    }
}

/// One operation: the driver casts `Do(cmds)` to `actor`, then waits until everything it
/// caused has happened.
#[derive(Clone, Debug)]
pub struct Op {
    /// The node cast to (by label; a dead or never started one drops the cast).
    pub actor: String,
    /// What it carries out, in one callback.
    pub cmds: Vec<Cmd>,
}

/// A whole script.
#[derive(Clone, Debug)]
pub struct Script {
    /// Started first, in order.
    pub tops: Vec<Top>,
    /// Started next, if any.
    pub sup: Option<Sup>,
    /// Then these, one after the other.
    pub ops: Vec<Op>,
}

impl Script {
    /// The operation whose command panics (always the last, alone in its callback).
    pub fn panic_op(&self) -> Option<usize> {
        (self.ops.iter()).position(|op| op.cmds.contains(&Cmd::Panic))
    }
}

impl fmt::Display for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for top in &self.tops {
            let trap = if top.trap { " (trapping)" } else { "" };
            writeln!(f, "  start {}{trap}", top.label)?;
        }
        if let Some(sup) = &self.sup {
            writeln!(
                f,
                "  start {} ({:?}, at most {} restarts) over:",
                sup.label, sup.strategy, sup.max_restarts
            )?;
            for kid in &sup.kids {
                let stop = if kid.brutal { "killed" } else { "shut down" };
                write!(f, "      {} ({:?}, {stop}", kid.label, kid.restart)?;
                if kid.trap {
                    f.write_str(", trapping")?;
                }
                if !kid.init.is_empty() {
                    write!(f, ", init {:?}", kid.init)?;
                }
                writeln!(f, ")")?;
            }
        }
        for (i, op) in self.ops.iter().enumerate() {
            writeln!(f, "  {:>2}. {} does {:?}", i + 1, op.actor, op.cmds)?;
        }
        Ok(())
    }
}
