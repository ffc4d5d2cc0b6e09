//! A script in the simulator, forced into the order the runtime took.
//!
//! The driver is a client that sleeps 1 ms of virtual time before each operation: time moves
//! only when nothing else can happen, so each operation starts once the last one's
//! consequences are over, as the runtime's driver waits for them ([`crate::threads::settle`]).
//! Within one operation's consequences, [`Follow`] picks, at each step, the delivery whose
//! journal line is the next one the runtime's journal has for its receiver. Per-process
//! journals do not say everything (whether one process's monitor was set before another,
//! racing, exited): when several deliveries fit, the choice is a plan's, and the caller
//! tries other plans ([`next_plan`]) until the journals agree or a budget runs out.

use std::time::Duration;

use genserver::ServerRef;
use genserver_checks::node::{Cast, DRIVER, Journal, Node, NodeArgs};
use genserver_sim::{Divergence, Enabled, RunReport, Scheduler, SimSpawner, World, run_with};

use crate::script::Script;
use crate::threads::Journals;

type N = Node<SimSpawner>;

/// What one simulated run gave.
pub struct SimRecord {
    /// Every process's journal at the end.
    pub journals: Journals,
    /// Every line in the order written.
    pub lines: Vec<String>,
    /// The run's report (verdict, trace).
    pub report: Result<RunReport, Divergence>,
    /// At each step where several deliveries fitted: (the one taken, how many).
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

/// Runs `script` in the simulator, following the runtime's journals `expected`; at the
/// `i`-th step where several deliveries fit, it takes candidate `plan[i]` (0 past the plan).
/// With `strict`, the run stops as soon as a journal leaves the runtime's.
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
            let ops = script.ops.clone();
            let driver_journal = journal.clone();
            let driver = world.client(DRIVER, async move |cx| {
                for op in ops {
                    cx.sleep(Duration::from_millis(1)).await;
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

/// The delivery a schedule label names: `deliver down #1 a → b: error: boom`.
#[derive(Debug, PartialEq, Eq)]
pub struct Delivery<'a> {
    /// `call`, `cast`, `info`, `reply`, `down`, `exit signal` or `kill`.
    pub kind: &'a str,
    /// The monitor's or message's number (`#1`).
    pub number: &'a str,
    /// The sender's process name.
    pub from: &'a str,
    /// The receiver's process name.
    pub to: &'a str,
    /// What it carries (empty for a kill).
    pub payload: &'a str,
}

/// Takes a delivery's label apart (see the label grammar in the `genserver_sim` docs);
/// `None` for any other event.
pub fn parse(label: &str) -> Option<Delivery<'_>> {
    let rest = label.strip_prefix("deliver ")?;
    let (left, right) = rest.split_once(" → ")?;
    let (name, from) = left.rsplit_once(' ')?;
    let (to, payload) = right.split_once(": ").unwrap_or((right, ""));
    let kind = match name.starts_with("exit signal") {
        true => "exit signal",
        false => name.split(' ').next()?,
    };
    let number = name.split(' ').find(|w| w.starts_with('#'))?;
    Some(Delivery {
        kind,
        number: &number[1..],
        from,
        to,
        payload,
    })
}

/// Follows the runtime's per-process journals (see the module docs).
pub struct Follow {
    expected: Journals,
    journal: Journal,
    plan: Vec<usize>,
    chosen: Vec<(usize, usize)>,
    strict: bool,
}

impl Follow {
    /// The label of the process the simulator calls `name`: a node started by the system
    /// (named by its label), the driver, a child (`node<7>`, or its registered name, `r0`
    /// or `r0<7>` when an earlier process had that name).
    fn label(&self, name: &str) -> String {
        let trimmed = name.trim_end_matches('\'');
        if let Some(id) = (trimmed.strip_suffix('>'))
            .and_then(|n| n.rsplit_once('<'))
            .and_then(|(_, n)| n.parse().ok())
        {
            return self.journal.label(genserver::ProcessId(id));
        }
        if name == DRIVER || self.journal.id(name).is_some() {
            return name.to_owned();
        }
        match self.journal.first_named(name) {
            Some(id) => self.journal.label(id),
            None => name.to_owned(),
        }
    }

    /// Whether delivering `d` writes `next` as its receiver's next line.
    fn writes(&self, d: &Delivery<'_>, next: &str) -> bool {
        let from = || self.label(d.from);
        match d.kind {
            "call" => next == format!("call from {}: {}", from(), d.payload),
            "cast" => next == format!("cast {}", d.payload),
            "reply" => next == format!("outcome {}", d.payload),
            "down" => next == format!("down m{} from {}: {}", d.number, from(), d.payload),
            "exit signal" => {
                next == format!("exit from {}: {}", from(), d.payload)
                    || next == format!("terminate {}", d.payload)
            }
            _ => false,
        }
    }
}

impl Scheduler for Follow {
    fn strategy(&self) -> String {
        "follow-the-runtime".to_owned()
    }

    fn choose(&mut self, step: u64, enabled: &Enabled<'_>) -> Result<usize, Divergence> {
        let journals = self.journal.by_process();
        if self.strict {
            for (label, lines) in &journals {
                let expected = self.expected.get(label).map_or(&[][..], Vec::as_slice);
                if !expected.starts_with(lines) {
                    let message = format!("{label} left the runtime's journal");
                    return Err(Divergence { step, message });
                }
            }
        }
        let mut fitting = Vec::new();
        for i in (0..enabled.len()).filter(|&i| !enabled.is_fault(i)) {
            let label = enabled.label(i);
            let Some(delivery) = parse(&label) else {
                continue;
            };
            let to = self.label(delivery.to);
            let done = journals.get(&to).map_or(0, Vec::len);
            let next = self.expected.get(&to).and_then(|lines| lines.get(done));
            match next {
                Some(next) if self.writes(&delivery, next) => fitting.push(i),
                // A kill writes nothing: it comes once its receiver wrote all it will.
                None if delivery.kind == "kill" => fitting.push(i),
                _ => {}
            }
        }
        match fitting.len() {
            0 => {}
            1 => return Ok(fitting[0]),
            n => {
                let k = self
                    .plan
                    .get(self.chosen.len())
                    .copied()
                    .unwrap_or(0)
                    .min(n - 1);
                self.chosen.push((k, n));
                return Ok(fitting[k]);
            }
        }
        // Nothing fits: an exit signal `normal` (ignored unless trapped, so it may write
        // nothing), else the message sent earliest (as the canonical scheduler).
        let silent = (0..enabled.len()).find(|&i| {
            let label = enabled.label(i);
            parse(&label).is_some_and(|d| d.kind == "exit signal" && d.payload == "normal")
        });
        if let Some(i) = silent {
            return Ok(i);
        }
        (0..enabled.len())
            .filter(|&i| !enabled.is_fault(i))
            .min_by_key(|&i| enabled.sent_at(i).unwrap_or(0))
            .ok_or_else(|| Divergence {
                step,
                message: "only faults are enabled".to_owned(),
            })
    }
}

#[test]
fn labels_are_taken_apart() {
    let d = parse("deliver down #1 a → b: error: boom").unwrap();
    assert_eq!(
        d,
        Delivery {
            kind: "down",
            number: "1",
            from: "a",
            to: "b",
            payload: "error: boom"
        }
    );
    let d = parse("deliver exit signal #2 node<5> → r0<7>: killed").unwrap();
    assert_eq!(
        (d.kind, d.from, d.to, d.payload),
        ("exit signal", "node<5>", "r0<7>", "killed")
    );
    let d = parse("deliver kill #1 n0 → n1").unwrap();
    assert_eq!((d.kind, d.to, d.payload), ("kill", "n1", ""));
    let d = parse("deliver reply Echo #1 n1 → n0: Ok(7)").unwrap();
    assert_eq!((d.kind, d.from, d.payload), ("reply", "n1", "Ok(7)"));
    assert_eq!(parse("start driver"), None);
}
