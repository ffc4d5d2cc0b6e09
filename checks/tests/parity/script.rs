//! Scripts: which nodes start, then which node is cast which commands, one operation at a
//! time; and their generation (proptest draws raw numbers, [`Raw::build`] turns them into a
//! script that refers only to labels that exist by then).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use genserver::ExitReason;
use genserver_checks::node::{Child, Cmd, GHOST_LABEL, Target};
use proptest::prelude::*;

/// A node started by the driver before the first operation.
#[derive(Clone, Debug)]
pub struct Top {
    /// Its label (`n0`, `n1`, ...).
    pub label: String,
    /// Whether it traps exits from `init` on.
    pub trap: bool,
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
        for (i, op) in self.ops.iter().enumerate() {
            writeln!(f, "  {:>2}. {} does {:?}", i + 1, op.actor, op.cmds)?;
        }
        Ok(())
    }
}

/// A reason, drawn.
fn reason(n: u8) -> ExitReason {
    match n % 5 {
        0 => ExitReason::Normal,
        1 => ExitReason::Shutdown,
        2 => ExitReason::error("boom"),
        3 => ExitReason::error("bang"),
        _ => ExitReason::Killed,
    }
}

/// A command before targets are known: numbers pick labels and reasons.
#[derive(Clone, Debug)]
pub enum RawCmd {
    Monitor(u8),
    Demonitor,
    Link(u8),
    Unlink(u8),
    Trap(bool),
    Exit(u8, u8),
    Kill(u8),
    Stop(u8),
    Panic,
    /// A child: registered name (`r0`/`r1`), linked, trapping, how its `init` goes.
    Start {
        name: Option<u8>,
        link: bool,
        trap: bool,
        init: u8,
        target: u8,
    },
    Call(u8, u8),
    CallHold(u8),
    Release(u8),
    Note(u8),
}

/// A script before targets are known.
#[derive(Clone, Debug)]
pub struct Raw {
    tops: Vec<bool>,
    ops: Vec<(u8, Vec<RawCmd>)>,
}

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
    ]
}

/// Raw scripts: 2 to 4 nodes, 1 to 10 operations of 1 to 3 commands.
pub fn raw() -> impl Strategy<Value = Raw> {
    let tops = proptest::collection::vec(proptest::bool::weighted(0.3), 2..=4);
    let op = (any::<u8>(), proptest::collection::vec(raw_cmd(), 1..=3));
    let ops = proptest::collection::vec(op, 1..=10);
    (tops, ops).prop_map(|(tops, ops)| Raw { tops, ops })
}

impl Raw {
    /// The script: labels are given in order (`n*` for the nodes started first, `c*` for
    /// children, in the order their starts are written), a number picks among the labels
    /// known by then and the ghost (a process that never exists).
    ///
    /// Two rules keep the script inside what both engines can run to the end:
    /// - a node calls only itself, a node labelled after it, or the ghost, so no cycle of
    ///   calls can form (the simulator reports one as a deadlock, the runtime would hang);
    /// - a panic is alone in its callback and ends the script (the simulator stops a run at
    ///   a panicking handler).
    pub fn build(&self) -> Script {
        let tops: Vec<Top> = (self.tops.iter().enumerate())
            .map(|(i, &trap)| Top {
                label: format!("n{i}"),
                trap,
            })
            .collect();
        let mut labels: Vec<String> = tops.iter().map(|t| t.label.clone()).collect();
        // Whether each node traps exits when it carries out its next command (only a node
        // changes its own flag, in the order of its commands, so this is exact).
        let mut trapping: BTreeMap<String, bool> =
            (tops.iter()).map(|t| (t.label.clone(), t.trap)).collect();
        let mut children = 0;
        // Which nodes made a call (see DISAGREEMENT 2).
        let mut called = BTreeSet::new();
        let mut ops = Vec::new();
        for (actor, raw_cmds) in &self.ops {
            let actor_index = *actor as usize % labels.len();
            let actor = labels[actor_index].clone();
            let pick = |labels: &[String], n: u8| -> Target {
                let n = n as usize % (labels.len() + 1);
                Target::Label(labels.get(n).cloned().unwrap_or(GHOST_LABEL.to_owned()))
            };
            let downstream = |labels: &[String], n: u8| -> Target {
                let later = &labels[actor_index..];
                let n = n as usize % (later.len() + 1);
                Target::Label(later.get(n).cloned().unwrap_or(GHOST_LABEL.to_owned()))
            };
            let mut cmds = Vec::new();
            let mut panics = false;
            let mut stopping = false;
            for raw in raw_cmds {
                let cmd = match *raw {
                    RawCmd::Monitor(t) => Cmd::Monitor(pick(&labels, t)),
                    RawCmd::Demonitor => Cmd::Demonitor,
                    RawCmd::Link(t) => Cmd::Link(pick(&labels, t)),
                    RawCmd::Unlink(t) => Cmd::Unlink(pick(&labels, t)),
                    // DISAGREEMENT 2 (left): the runtime applies an exit signal to a node
                    // that does not trap exits when it is sent, the simulator when it is
                    // delivered; a node that turns trapping on after a signal was sent to it
                    // sees it trapped in the simulator only. A node blocked in a call of its
                    // own may have such a signal in flight: no change of its flag after a
                    // call. (Turning trapping off is read when the signal is handled, by both
                    // engines: fixed, and generated.)
                    RawCmd::Trap(true) if called.contains(&actor) => continue,
                    RawCmd::Trap(on) => Cmd::Trap(on),
                    RawCmd::Exit(t, r) => Cmd::Exit(pick(&labels, t), reason(r)),
                    RawCmd::Kill(t) => Cmd::Kill(pick(&labels, t)),
                    RawCmd::Stop(r) => Cmd::Stop(reason(r % 4)),
                    RawCmd::Panic => {
                        panics = true;
                        break;
                    }
                    RawCmd::Start {
                        name,
                        link,
                        trap,
                        init,
                        target,
                    } => {
                        let mut child = Child::new(format!("c{children}"));
                        children += 1;
                        child.name = name.map(|n| format!("r{n}"));
                        child.link = link;
                        child.trap = trap;
                        match init % 8 {
                            0 => child.fail = Some(ExitReason::error("refused")),
                            1 => child.init = vec![Cmd::Stop(reason(init / 8 % 4))],
                            2 => child.init = vec![Cmd::Monitor(pick(&labels, target))],
                            // An untrapping child linking to a dead process in `init` fails
                            // its start on both engines (DISAGREEMENT 1, fixed).
                            3 => child.init = vec![Cmd::Link(pick(&labels, target))],
                            _ => {}
                        }
                        labels.push(child.label.clone());
                        trapping.insert(child.label.clone(), trap);
                        Cmd::Start(child)
                    }
                    RawCmd::Call(t, v) => {
                        called.insert(actor.clone());
                        Cmd::Call(downstream(&labels, t), u64::from(v))
                    }
                    RawCmd::CallHold(t) => {
                        called.insert(actor.clone());
                        Cmd::CallHold(downstream(&labels, t))
                    }
                    RawCmd::Release(v) => Cmd::Release(u64::from(v)),
                    RawCmd::Note(t) => Cmd::Note(pick(&labels, t), "hi".to_owned()),
                };
                // DISAGREEMENT 3 (linking twice to the dead while trapping: one signal on
                // the runtime, two in the simulator) is fixed: both engines keep links in
                // the core's kernel. DISAGREEMENT 4 (a kill queued behind a trapped signal
                // from the same sender waited for it in the simulator) is fixed: a kill
                // overtakes it. Both are generated.
                let dooms = dooms_at_once(&cmd, &actor);
                let last = dooms || races(&cmd, &actor);
                if dooms && stopping {
                    // DISAGREEMENT 1 again: on the runtime the doom's reason replaces the
                    // stop asked for before it; in the simulator the stop's reason stays.
                    continue;
                }
                stopping |= matches!(cmd, Cmd::Stop(_));
                if let Cmd::Trap(on) = cmd {
                    trapping.insert(actor.clone(), on);
                }
                cmds.push(cmd);
                if last {
                    break;
                }
            }
            if panics {
                ops.push(Op {
                    actor,
                    cmds: vec![Cmd::Panic],
                });
                break;
            }
            ops.push(Op { actor, cmds });
        }
        Script { tops, ops }
    }
}

/// Whether `cmd`, carried out by node `actor`, may take `actor` down before the rest of its
/// callback's effects on the runtime but not in the simulator: the kill of another process
/// (on the runtime it leaves at once, and its `killed` link signal dooms `actor` in the same
/// critical section; in the simulator the kill is a message delivered in a later step).
///
/// DISAGREEMENT 1, what is left of it (excluded by ending an operation's commands after such
/// a command). A signal a node gives itself (a kill, an untrapped abnormal exit, linking to
/// the dead) takes it down before its next effect on both engines: fixed, and generated.
fn dooms_at_once(cmd: &Cmd, actor: &str) -> bool {
    matches!(cmd, Cmd::Kill(target) if !is(target, actor))
}

/// Whether `target` names `actor`.
fn is(target: &Target, actor: &str) -> bool {
    matches!(target, Target::Label(label) if label == actor)
}

/// Whether `cmd` lets another process go on (exit, or carry on with a call answered) while
/// the callback that carried it out goes on with its next effects: an abnormal exit signal,
/// or the release of held calls. Such a command ends its operation's commands.
///
/// A LIMITATION of the simulator, not a rule applied differently: a callback's effects (a
/// child's whole start included) happen in one step there, while on the runtime the other
/// process's thread runs meanwhile; so a monitor, link, call or start right after it would
/// find that process alive or dead as the runtime's threads happen to race (`Exit(n0, boom),
/// Start(c0, init [Monitor(n0)])` gives c0 a `Down` "no such process" on the runtime, and
/// "error: boom" in the simulator, which cannot order n0's exit inside n1's step).
fn races(cmd: &Cmd, actor: &str) -> bool {
    match cmd {
        Cmd::Exit(target, reason) => *reason != ExitReason::Normal && !is(target, actor),
        Cmd::Release(_) => true,
        _ => false,
    }
}
