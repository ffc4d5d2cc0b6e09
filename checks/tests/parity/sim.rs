//! A script in the simulator, forced into the order the runtime took.
//!
//! The driver is a client that sleeps [`GAP`] of virtual time before each operation: time
//! moves only when nothing else can happen (or when [`Follow`] makes it jump to a timer), so
//! each operation starts once the last one's consequences are over, as the runtime's driver
//! waits for them ([`crate::threads::settle`]), short timers included. Within one
//! operation's consequences, [`Follow`] picks, at each step, the event whose journal line
//! is the next one the runtime's journal has for its process. Per-process journals do not
//! say everything (whether one process's monitor was set before another, racing, exited):
//! when several events fit, the choice is a plan's, and the caller tries other plans
//! ([`next_plan`]) until the journals agree or a budget runs out.

use std::time::Duration;

use genserver::ServerRef;
use genserver::supervisor::Supervisor;
use genserver_checks::node::{Cast, DRIVER, Journal, Node, NodeArgs};
use genserver_sim::{Divergence, RunReport, SimSpawner, World, run_with};

use crate::follow::Follow;
use crate::script::{LATER, SHORT, Script};
use crate::threads::Journals;

/// The virtual time the driver sleeps before each operation: more than [`SHORT`] (its
/// timers fire first) and more than [`LEEWAY`] (time never jumps to the driver).
const GAP: Duration = Duration::from_millis(100);

/// How far [`Follow`] may make virtual time jump past the deliveries enabled (the world's
/// latency bound, `World::set_max_latency`): enough to reach a short timer.
const LEEWAY: Duration = Duration::from_millis(5);

const _: () = assert!(SHORT.as_nanos() < LEEWAY.as_nanos() && LEEWAY.as_nanos() < GAP.as_nanos());
// The long timers fire at the end, before any call's timeout (`node::LONG`, 60 s).
const _: () = assert!(LATER.as_millis() + 10 * GAP.as_millis() < 60_000);

type N = Node<SimSpawner>;
type Sup = Supervisor<SimSpawner>;

/// What one simulated run gave.
pub struct SimRecord {
    /// Every process's journal at the end.
    pub journals: Journals,
    /// Every line in the order written.
    pub lines: Vec<String>,
    /// The run's report (verdict, trace).
    pub report: Result<RunReport, Divergence>,
    /// At each step where several events fitted: (the one taken, how many).
    pub chosen: Vec<(usize, usize)>,
}

/// The plan after `chosen` in depth-first order (the last choice with another candidate
/// left takes the next one), or `None` when every plan was tried.
pub fn next_plan(chosen: &[(usize, usize)]) -> Option<Vec<usize>> {
    let mut plan: Vec<usize> = chosen.iter().map(|&(taken, _)| taken).collect();
    while let Some(last) = plan.len().checked_sub(1) {
        if plan[last] + 1 < chosen[last].1 {
            plan[last] += 1;
            return Some(plan);
        }
        plan.pop();
    }
    None
}

/// Runs `script` in the simulator, following the journals `expected` (the runtime's, and
/// the timers left set at its end); at the `i`-th step where several events fit, it takes
/// candidate `plan[i]` (0 past the plan). With `strict`, the run stops as soon as a journal
/// leaves the runtime's.
pub fn run(script: &Script, expected: &Journals, plan: &[usize], strict: bool) -> SimRecord {
    let journal = Journal::new();
    let system = {
        let journal = journal.clone();
        let script = script.clone();
        move |world: &mut World| {
            for top in &script.tops {
                let mut args = NodeArgs::new(top.label.clone(), &journal);
                args.trap = top.trap;
                world.spawn::<N>(&top.label, args);
            }
            if let Some(sup) = &script.sup {
                let server = world.spawn::<Sup>(&sup.label, sup.spec(&journal));
                journal.name(server.id(), &sup.label);
            }
            world.set_max_latency(LEEWAY);
            let ops = script.ops.clone();
            let driver_journal = journal.clone();
            let driver = world.client(DRIVER, async move |cx| {
                for op in ops {
                    cx.sleep(GAP).await;
                    if let Some(id) = driver_journal.id(&op.actor) {
                        cx.cast(ServerRef::<N>::new(id), Cast::Do(op.cmds));
                    }
                }
                Ok(())
            });
            journal.name(driver, DRIVER);
        }
    };
    let mut follow = Follow {
        expected: expected.clone(),
        journal: journal.clone(),
        plan: plan.to_vec(),
        chosen: Vec::new(),
        strict,
    };
    let report = run_with(&system, 0, 10_000, true, &mut follow);
    SimRecord {
        journals: journal.by_process(),
        lines: journal.lines(),
        report,
        chosen: follow.chosen,
    }
}
