//! From raw numbers to a script ([`Raw::build`]), and the rules that keep a script inside
//! what both engines run alike (each names the difference it avoids).

use std::collections::{BTreeMap, BTreeSet};

use genserver::ExitReason;
use genserver_checks::node::{Child, Cmd, GHOST_LABEL, Target};

use crate::generate::{Raw, RawCmd, reason, restart, strategy};
use crate::script::{Kid, LATER, Op, SHORT, Script, Sup, Top};

/// The labels a script has given so far, in order, and the timers it set.
#[derive(Default)]
struct Labels {
    /// Every process: nodes, the supervisor, children, in the order they were labelled.
    all: Vec<String>,
    /// The nodes alone (what the driver casts to, what nodes call and cast to).
    nodes: Vec<String>,
    /// The timers each node set, in order (`t0`, `t1`, ...: numbered in the script).
    timers: BTreeMap<String, Vec<String>>,
    timer_count: usize,
}

impl Labels {
    fn node(&mut self, label: String) {
        self.all.push(label.clone());
        self.nodes.push(label);
    }

    /// A process or the ghost, by number.
    fn pick(&self, n: u8) -> Target {
        let n = n as usize % (self.all.len() + 1);
        Target::Label(self.all.get(n).cloned().unwrap_or(GHOST_LABEL.to_owned()))
    }

    /// A node or the ghost, by number.
    fn pick_node(&self, n: u8) -> Target {
        let n = n as usize % (self.nodes.len() + 1);
        Target::Label(self.nodes.get(n).cloned().unwrap_or(GHOST_LABEL.to_owned()))
    }

    /// The actor itself, a node labelled after it, or the ghost, by number.
    fn downstream(&self, actor: usize, n: u8) -> Target {
        let later = &self.nodes[actor..];
        let n = n as usize % (later.len() + 1);
        Target::Label(later.get(n).cloned().unwrap_or(GHOST_LABEL.to_owned()))
    }

    /// A new timer of `owner`: the command that sets it.
    fn timer(&mut self, owner: &str, long: bool) -> Cmd {
        let label = format!("t{}", self.timer_count);
        self.timer_count += 1;
        let timers = self.timers.entry(owner.to_owned()).or_default();
        timers.push(label.clone());
        Cmd::SetTimer(label, if long { LATER } else { SHORT })
    }

    /// By number: mostly `owner`'s latest timer (the one its callback may just have set, to
    /// cancel before it fires), else one of its timers, or the script's latest (which
    /// another node may own); `None` before any timer.
    fn timer_of(&self, owner: &str, n: u8) -> Option<String> {
        let own = self.timers.get(owner).map_or(&[][..], Vec::as_slice);
        let latest = format!("t{}", self.timer_count.checked_sub(1)?);
        let pick = match n % 4 {
            0 | 1 => own.last(),
            2 => own.get(n as usize / 4 % own.len().max(1)),
            _ => None,
        };
        Some(pick.cloned().unwrap_or(latest))
    }
}

impl Raw {
    /// The script: labels are given in order (`n*` for the nodes started first, `s0` for
    /// the supervisor and `k*` for its children, `c*` for children nodes start, in the order
    /// their starts are written, `t*` for timers), a number picks among the labels known by
    /// then and the ghost (a process that never exists).
    ///
    /// Rules keep the script inside what both engines can run to the end:
    /// - a node calls only itself, a node labelled after it, or the ghost, so no cycle of
    ///   calls can form (the simulator reports one as a deadlock, the runtime would hang);
    /// - a panic is alone in its callback and ends the script (the simulator stops a run at
    ///   a panicking handler);
    /// - the supervisor is cast to and called by no one (it would stop on a message of the
    ///   wrong type); it is monitored, linked, sent exit signals and killed as any process.
    pub fn build(&self) -> Script {
        let mut labels = Labels::default();
        let tops: Vec<Top> = (self.tops.iter().enumerate())
            .map(|(i, &trap)| Top {
                label: format!("n{i}"),
                trap,
            })
            .collect();
        tops.iter().for_each(|t| labels.node(t.label.clone()));
        let sup = self.sup.as_ref().map(|raw| {
            labels.all.push("s0".to_owned());
            let kids = (raw.kids.iter().enumerate())
                .map(|(i, kid)| {
                    let label = format!("k{i}");
                    labels.node(label.clone());
                    let init = match kid.timer {
                        0 | 1 => vec![labels.timer(&label, kid.timer == 1)],
                        _ => Vec::new(),
                    };
                    Kid {
                        label,
                        restart: restart(kid.restart),
                        brutal: kid.brutal,
                        trap: kid.trap,
                        init,
                    }
                })
                .collect();
            Sup {
                label: "s0".to_owned(),
                strategy: strategy(raw.strategy),
                max_restarts: u32::from(raw.max_restarts),
                kids,
            }
        });
        let kids: BTreeSet<String> = (sup.iter().flat_map(|s| &s.kids))
            .map(|kid| kid.label.clone())
            .collect();
        // DISAGREEMENT 5 (left): on the runtime, a kill that reaches a process already on
        // its way out (an untrapped exit signal doomed it, its `terminate` ran with that
        // reason) ends it at once, and its monitors and links see `killed`; in the simulator
        // an exit is one step, and the kill finds it gone: they see the first reason. The
        // supervisor kills its children in the middle of an operation's consequences, where
        // a child linked to the one that failed may be going down too (found by a sweep,
        // seed 2): no link to or from a child the supervisor kills.
        let brutal: BTreeSet<String> = (sup.iter().flat_map(|s| &s.kids))
            .filter(|kid| kid.brutal)
            .map(|kid| kid.label.clone())
            .collect();
        let unlinkable = |target: &Target| brutal.iter().any(|kid| is(target, kid));
        let mut children = 0;
        // Which nodes made a call (see DISAGREEMENT 2).
        let mut called = BTreeSet::new();
        // Which nodes may be blocked in a call across operations: a held call, or a call
        // to a node that may be blocked (queued behind its call).
        let mut may_block: BTreeSet<String> = BTreeSet::new();
        let mut ops = Vec::new();
        for (actor, raw_cmds) in &self.ops {
            // A LIMITATION of the simulator (as in `races`): what a node blocked in a call
            // carries out after it (the rest of its callback's effects, the casts of the
            // operations after, queued meanwhile) runs when the call ends, in the
            // consequences of a later operation, alongside what else they bring down (the
            // callee's exit that ended the call makes the supervisor stop the node, its
            // sibling, or a process linked to it exits too; another caller released at once
            // kills it). On the runtime such a signal may come half-way through those
            // effects (a child started, its `started` line never written); in the simulator
            // a callback's effects are one step. Found by sweeps (seeds 1 and 3, 2000
            // scripts): so a call that may block ends its operation's commands, and no
            // operation is for a node that may be blocked.
            let free: Vec<usize> = (0..labels.nodes.len())
                .filter(|&i| !may_block.contains(&labels.nodes[i]))
                .collect();
            let Some(&actor_index) = free.get(*actor as usize % free.len().max(1)) else {
                continue;
            };
            let actor = labels.nodes[actor_index].clone();
            let mut cmds = Vec::new();
            let mut panics = false;
            let mut stopping = false;
            for raw in raw_cmds {
                // Whether this command is a call that may block.
                let mut blocks = false;
                let cmd = match *raw {
                    RawCmd::Monitor(t) => Cmd::Monitor(labels.pick(t)),
                    RawCmd::Demonitor => Cmd::Demonitor,
                    RawCmd::Link(t) if brutal.contains(&actor) || unlinkable(&labels.pick(t)) => {
                        continue;
                    }
                    RawCmd::Link(t) => Cmd::Link(labels.pick(t)),
                    RawCmd::Unlink(t) => Cmd::Unlink(labels.pick(t)),
                    // DISAGREEMENT 2 (left): the runtime applies an exit signal to a node
                    // that does not trap exits when it is sent, the simulator when it is
                    // delivered; a node that turns trapping on after a signal was sent to it
                    // sees it trapped in the simulator only. A node blocked in a call of its
                    // own may have such a signal in flight: no change of its flag after a
                    // call. (Turning trapping off is read when the signal is handled, by both
                    // engines: fixed, and generated.)
                    RawCmd::Trap(true) if called.contains(&actor) => continue,
                    RawCmd::Trap(on) => Cmd::Trap(on),
                    // Not a difference, a limit of the journals: a supervisor takes an exit
                    // signal from a child as the child's exit and starts another instance,
                    // while the first runs on; two live instances under one label are not
                    // told apart (nor are their timers left at the end).
                    RawCmd::Exit(t, _) if kids.contains(&actor) && is(&labels.pick(t), "s0") => {
                        continue;
                    }
                    RawCmd::Exit(t, r) => Cmd::Exit(labels.pick(t), reason(r)),
                    RawCmd::Kill(t) => Cmd::Kill(labels.pick(t)),
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
                        child.link = link && !brutal.contains(&actor);
                        child.trap = trap;
                        match init % 8 {
                            0 => child.fail = Some(ExitReason::error("refused")),
                            1 => child.init = vec![Cmd::Stop(reason(init / 8 % 4))],
                            2 => child.init = vec![Cmd::Monitor(labels.pick(target))],
                            // An untrapping child linking to a dead process in `init` fails
                            // its start on both engines (DISAGREEMENT 1, fixed).
                            3 if unlinkable(&labels.pick(target)) => {}
                            3 => child.init = vec![Cmd::Link(labels.pick(target))],
                            4 | 5 => child.init = vec![labels.timer(&child.label, init % 8 == 5)],
                            _ => {}
                        }
                        labels.node(child.label.clone());
                        Cmd::Start(child)
                    }
                    RawCmd::Call(t, v) => {
                        called.insert(actor.clone());
                        let callee = labels.downstream(actor_index, t);
                        blocks = may_block.iter().any(|label| is(&callee, label));
                        Cmd::Call(callee, u64::from(v))
                    }
                    RawCmd::CallHold(t) => {
                        called.insert(actor.clone());
                        let callee = labels.downstream(actor_index, t);
                        blocks = !is(&callee, &actor) && !is(&callee, GHOST_LABEL);
                        Cmd::CallHold(callee)
                    }
                    RawCmd::Release(v) => Cmd::Release(u64::from(v)),
                    RawCmd::Note(t) => Cmd::Note(labels.pick_node(t), "hi".to_owned()),
                    RawCmd::SetTimer(long) => labels.timer(&actor, long),
                    RawCmd::CancelTimer(n) => match labels.timer_of(&actor, n) {
                        Some(timer) => Cmd::CancelTimer(timer),
                        None => continue,
                    },
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
                cmds.push(cmd);
                if blocks {
                    may_block.insert(actor.clone());
                }
                if last || blocks {
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
        Script { tops, sup, ops }
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
