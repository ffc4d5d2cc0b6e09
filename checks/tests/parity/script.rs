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
        // Which node sent which an exit signal (see DISAGREEMENT 4).
        let mut signalled = BTreeSet::new();
        // Which pairs of labels were linked (see DISAGREEMENT 3).
        let mut linked = BTreeSet::new();
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
                    // DISAGREEMENT 2: the runtime reads the receiver's trap flag when an
                    // exit signal is sent, the simulator when it is delivered. A node that
                    // changes its flag after signalling itself in the same callback sees
                    // its signal trapped on one engine and not on the other; so a change of
                    // the flag comes first in its callback.
                    // And a node that made a call may be blocked in it, with a change of its
                    // flag queued behind a signal already in flight: none after a call.
                    RawCmd::Trap(_) if !cmds.is_empty() || called.contains(&actor) => continue,
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
                            // DISAGREEMENT 1 (see `dooms_at_once`): an untrapping child
                            // linking to a dead process in `init` fails its start on the
                            // runtime, and starts (to die a step later) in the simulator.
                            3 if trap => child.init = vec![Cmd::Link(pick(&labels, target))],
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
                if let Cmd::Link(target) = &cmd {
                    // DISAGREEMENT 3: linking to a dead process while a link exit signal
                    // from it is still to be handled (a second link in one callback, or a
                    // link while the first signal waits behind a call) gives one exit
                    // signal on the runtime (its link set holds the dead process once; the
                    // first signal handled consumes it, the second is dropped as unlinked)
                    // and two in the simulator. So a pair of nodes is linked once a script.
                    if !linked.insert(pair(&actor, target)) {
                        continue;
                    }
                }
                if let Cmd::Start(child) = &cmd {
                    if child.link {
                        linked.insert(pair(&actor, &Target::Label(child.label.clone())));
                    }
                }
                match &cmd {
                    Cmd::Exit(target, _) => {
                        signalled.insert((actor.clone(), target.clone()));
                    }
                    Cmd::Kill(target) if signalled.contains(&(actor.clone(), target.clone())) => {
                        // DISAGREEMENT 4: a kill behind an exit signal from the same sender
                        // takes its receiver down at once on the runtime; in the simulator
                        // signals keep their order, so the kill waits until the earlier
                        // signal, if trapped, is handled: for ever if the receiver is
                        // blocked in a call meanwhile.
                        continue;
                    }
                    _ => {}
                }
                let trap = trapping.get(&actor).copied().unwrap_or(false);
                let dooms = dooms_at_once(&cmd, trap);
                let last = dooms || races(&cmd);
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

/// Whether `cmd`, carried out by a node (trapping exits or not), may take `actor` down
/// before the rest of its callback's effects on the runtime: a kill (of itself, or of a
/// process linked to it: the link's `killed` signal is sent in the same critical section),
/// and, unless it traps, a link (to a process that turns out dead: "no such process") or an
/// abnormal exit signal (to itself, or to a process linked to it).
///
/// DISAGREEMENT 1 between the engines, excluded from generation by ending an operation's
/// commands after such a command: on the runtime, an untrapped exit signal dooms its
/// receiver at once (its remaining effects are never carried out, a child doomed in `init`
/// fails its start); in the simulator every exit signal is a message delivered in a later
/// step, after the whole callback's effects (and after the child's start succeeded).
fn dooms_at_once(cmd: &Cmd, trap: bool) -> bool {
    match cmd {
        Cmd::Kill(_) => true,
        Cmd::Link(_) => !trap,
        Cmd::Exit(_, reason) => !trap && *reason != ExitReason::Normal,
        _ => false,
    }
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
fn races(cmd: &Cmd) -> bool {
    match cmd {
        Cmd::Exit(_, reason) => *reason != ExitReason::Normal,
        Cmd::Release(_) => true,
        _ => false,
    }
}

/// The unordered pair of `actor` and `target`'s label (a link is both ways).
fn pair(actor: &str, target: &Target) -> (String, String) {
    let other = match target {
        Target::Label(label) => label.clone(),
        Target::Id(id) => format!("{id:?}"),
    };
    match actor <= other.as_str() {
        true => (actor.to_owned(), other),
        false => (other, actor.to_owned()),
    }
}
