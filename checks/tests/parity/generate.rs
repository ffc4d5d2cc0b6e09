//! What proptest draws: raw numbers for a script ([`Raw`]), which [`Raw::build`]
//! (`build.rs`) turns into a script that refers only to labels that exist by then.

use genserver::ExitReason;
use genserver::supervisor::{Restart, Strategy as SupStrategy};
use proptest::prelude::*;

/// A reason, drawn.
pub fn reason(n: u8) -> ExitReason {
    match n % 5 {
        0 => ExitReason::Normal,
        1 => ExitReason::Shutdown,
        2 => ExitReason::error("boom"),
        3 => ExitReason::error("bang"),
        _ => ExitReason::Killed,
    }
}

/// A supervisor's strategy, drawn.
pub fn strategy(n: u8) -> SupStrategy {
    match n % 3 {
        0 => SupStrategy::OneForOne,
        1 => SupStrategy::OneForAll,
        _ => SupStrategy::RestForOne,
    }
}

/// A child's restart type, drawn.
pub fn restart(n: u8) -> Restart {
    match n % 3 {
        0 => Restart::Permanent,
        1 => Restart::Transient,
        _ => Restart::Temporary,
    }
}

/// A command before targets are known: numbers pick labels and reasons.
#[derive(Clone, Debug)]
pub enum RawCmd {
    /// Monitor a process (by number).
    Monitor(u8),
    /// Remove the latest monitor.
    Demonitor,
    /// Link to a process.
    Link(u8),
    /// Unlink from a process.
    Unlink(u8),
    /// Trap exits, or stop.
    Trap(bool),
    /// An exit signal: a process, a reason.
    Exit(u8, u8),
    /// Kill a process.
    Kill(u8),
    /// Stop with a reason.
    Stop(u8),
    /// Panic (ends the script).
    Panic,
    /// A child: registered name (`r0`/`r1`), linked, trapping, how its `init` goes.
    Start {
        name: Option<u8>,
        link: bool,
        trap: bool,
        init: u8,
        target: u8,
    },
    /// Call a node downstream (by number) with a value.
    Call(u8, u8),
    /// Call a node downstream, to be held.
    CallHold(u8),
    /// Release the held calls with a value.
    Release(u8),
    /// Cast a note to a node.
    Note(u8),
    /// A timer: long (else short).
    SetTimer(bool),
    /// A number picks one of the actor's timers (or the latest timer of the script).
    CancelTimer(u8),
}

/// A child of the supervisor before labels are given.
#[derive(Clone, Debug)]
pub struct RawKid {
    /// Its restart type ([`restart`]).
    pub restart: u8,
    /// Stopped by a kill, else by a `shutdown` signal.
    pub brutal: bool,
    /// Trapping exits.
    pub trap: bool,
    /// 0: a short timer in `init`, 1: a long one, else none.
    pub timer: u8,
}

/// A supervisor before labels are given.
#[derive(Clone, Debug)]
pub struct RawSup {
    /// Its strategy ([`strategy`]).
    pub strategy: u8,
    /// Restarts allowed.
    pub max_restarts: u8,
    /// Its children, in start order.
    pub kids: Vec<RawKid>,
}

/// A script before targets are known.
#[derive(Clone, Debug)]
pub struct Raw {
    /// Whether each node started first traps exits.
    pub tops: Vec<bool>,
    /// The supervisor, if any.
    pub sup: Option<RawSup>,
    /// The operations: who (by number among the nodes), what.
    pub ops: Vec<(u8, Vec<RawCmd>)>,
}

/// A raw command, weighted.
fn raw_cmd() -> impl Strategy<Value = RawCmd> {
    let n = any::<u8>;
    prop_oneof![
        4 => n().prop_map(RawCmd::Monitor),
        2 => Just(RawCmd::Demonitor),
        4 => n().prop_map(RawCmd::Link),
        2 => n().prop_map(RawCmd::Unlink),
        2 => any::<bool>().prop_map(RawCmd::Trap),
        4 => (n(), n()).prop_map(|(t, r)| RawCmd::Exit(t, r)),
        2 => n().prop_map(RawCmd::Kill),
        3 => n().prop_map(RawCmd::Stop),
        1 => Just(RawCmd::Panic),
        4 => (
            proptest::option::weighted(0.4, 0u8..2),
            any::<bool>(),
            proptest::bool::weighted(0.3),
            n(),
            n()
        )
            .prop_map(|(name, link, trap, init, target)| RawCmd::Start {
                name,
                link,
                trap,
                init,
                target
            }),
        2 => (n(), n()).prop_map(|(t, v)| RawCmd::Call(t, v)),
        2 => n().prop_map(RawCmd::CallHold),
        2 => n().prop_map(RawCmd::Release),
        2 => n().prop_map(RawCmd::Note),
        4 => proptest::bool::weighted(0.3).prop_map(RawCmd::SetTimer),
        3 => n().prop_map(RawCmd::CancelTimer),
    ]
}

/// A raw supervisor: 1 to 3 children.
fn raw_sup() -> impl Strategy<Value = RawSup> {
    let kid = (
        any::<u8>(),
        any::<bool>(),
        proptest::bool::weighted(0.3),
        any::<u8>(),
    )
        .prop_map(|(restart, brutal, trap, timer)| RawKid {
            restart,
            brutal,
            trap,
            timer: timer % 4,
        });
    let kids = proptest::collection::vec(kid, 1..=3);
    (any::<u8>(), 0u8..4, kids).prop_map(|(strategy, max_restarts, kids)| RawSup {
        strategy,
        max_restarts,
        kids,
    })
}

/// Raw scripts: 2 to 4 nodes, half of them with a supervisor over 1 to 3 node children,
/// 1 to 10 operations of 1 to 3 commands.
pub fn raw() -> impl Strategy<Value = Raw> {
    let tops = proptest::collection::vec(proptest::bool::weighted(0.3), 2..=4);
    let sup = proptest::option::weighted(0.5, raw_sup());
    let op = (any::<u8>(), proptest::collection::vec(raw_cmd(), 1..=3));
    let ops = proptest::collection::vec(op, 1..=10);
    (tops, sup, ops).prop_map(|(tops, sup, ops)| Raw { tops, sup, ops })
}
