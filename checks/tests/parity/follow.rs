//! The scheduler that makes the simulator take the runtime's order ([`Follow`]), and the
//! schedule labels it reads ([`parse`]).

use genserver_checks::node::{DRIVER, Journal};
use genserver_sim::{Divergence, Enabled, Scheduler};

use crate::threads::Journals;

/// An event a schedule label names, as far as [`Follow`] needs it.
#[derive(Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// A delivery: `deliver down #1 a → b: error: boom`.
    Deliver(Delivery<'a>),
    /// A timer firing: `fire timer #2 at a: Timer("t0")`.
    Fire {
        /// The server's process name.
        at: &'a str,
        /// Its message (`Timer("t0")`, or `(cancelled)`).
        msg: &'a str,
    },
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

/// Takes a delivery's or a timer's label apart (see the label grammar in the
/// `genserver_sim` docs); `None` for any other event.
pub fn parse(label: &str) -> Option<Step<'_>> {
    if let Some(rest) = label.strip_prefix("fire timer #") {
        let (_, rest) = rest.split_once(" at ")?;
        let (at, msg) = rest.split_once(": ")?;
        return Some(Step::Fire { at, msg });
    }
    let rest = label.strip_prefix("deliver ")?;
    let (left, right) = rest.split_once(" → ")?;
    let (name, from) = left.rsplit_once(' ')?;
    let (to, payload) = right.split_once(": ").unwrap_or((right, ""));
    let kind = match name.starts_with("exit signal") {
        true => "exit signal",
        false => name.split(' ').next()?,
    };
    let number = name.split(' ').find(|w| w.starts_with('#'))?;
    Some(Step::Deliver(Delivery {
        kind,
        number: &number[1..],
        from,
        to,
        payload,
    }))
}

/// The label of the timer a node's timer message names: `Timer("t0")` → `t0`.
fn timer_label(msg: &str) -> Option<&str> {
    msg.strip_prefix("Timer(\"")?.strip_suffix("\")")
}

/// Follows the runtime's per-process journals (see the crate docs): at each step, the event
/// that writes the next line the runtime's journal has for its process; where several fit,
/// the plan's choice; where none does, in this order: an exit signal `normal` (it may write
/// nothing), a jump of virtual time when a node's next line is a timer's (the runtime's
/// clock fired it before what is enabled here), a message to a process that journals
/// nothing (the supervisor: the earliest sent first, the others in further plans), the
/// message sent earliest (as the canonical scheduler), and last a timer that writes a line
/// the runtime did not (the journals then differ).
pub struct Follow {
    /// The journals to follow (the runtime's, and the timers left set at its end).
    pub expected: Journals,
    /// The simulated run's journal.
    pub journal: Journal,
    /// At the `i`-th step where several events fit, take candidate `plan[i]`.
    pub plan: Vec<usize>,
    /// At each step where several events fitted: (the one taken, how many).
    pub chosen: Vec<(usize, usize)>,
    /// Stop the run as soon as a journal leaves the runtime's.
    pub strict: bool,
}

impl Follow {
    /// The label of the process the simulator calls `name`: a node or supervisor started by
    /// the system (named by its label), the driver, a child (`node<7>`, or its registered
    /// name, `r0` or `r0<7>` when an earlier process had that name).
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

    /// Whether event `step` fits: it writes the next line of its process, or it is a kill
    /// (which writes nothing) of a process that wrote all it will in this instance.
    fn fits(&self, step: &Step<'_>, journals: &Journals) -> bool {
        let process = match step {
            Step::Deliver(d) => d.to,
            Step::Fire { at, .. } => at,
        };
        let process = self.label(process);
        let done = journals.get(&process).map_or(0, Vec::len);
        let next = self
            .expected
            .get(&process)
            .and_then(|lines| lines.get(done));
        match (step, next) {
            // A kill fits once its instance wrote its last line: the next, if any, is the
            // `init` of a later instance (a supervisor's child restarted).
            (Step::Deliver(d), _) if d.kind == "kill" => next.is_none_or(|n| n == "init"),
            (Step::Deliver(d), Some(next)) => self.writes(d, next),
            (Step::Deliver(_), None) => false,
            (Step::Fire { msg, .. }, Some(next)) => {
                timer_label(msg).is_some_and(|t| *next == format!("timer {t}"))
            }
            (Step::Fire { .. }, None) => false,
        }
    }

    /// Whether some process's next line is a timer's.
    fn awaits_timer(&self, journals: &Journals) -> bool {
        (self.expected.iter()).any(|(process, lines)| {
            let done = journals.get(process).map_or(0, Vec::len);
            lines
                .get(done)
                .is_some_and(|next| next.starts_with("timer "))
        })
    }

    /// The events to choose among when none fits (see [`Follow`]): the first tier that has
    /// any. Several only for messages to the supervisor from several senders (oldest first):
    /// the order it took them on the runtime is not journaled, so plans try each.
    fn fallback(&self, enabled: &Enabled<'_>, journals: &Journals) -> Vec<usize> {
        let events = || (0..enabled.len()).filter(|&i| !enabled.is_fault(i));
        let labels: Vec<String> = events().map(|i| enabled.label(i)).collect();
        let indices: Vec<usize> = events().collect();
        let parsed: Vec<(usize, Option<Step<'_>>)> = (indices.iter().copied())
            .zip(labels.iter().map(|l| parse(l)))
            .collect();
        let silent = parsed.iter().find(|(_, step)| match step {
            Some(Step::Deliver(d)) => d.kind == "exit signal" && d.payload == "normal",
            Some(Step::Fire { msg, .. }) => timer_label(msg).is_none(),
            None => false,
        });
        if let Some(&(i, _)) = silent {
            return vec![i];
        }
        if self.awaits_timer(journals) {
            // Jump only to a deadline of a process the journals follow (a timer; never the
            // driver's next operation).
            let advance = parsed.iter().find(|&&(i, _)| {
                enabled.is_advance(i)
                    && (enabled.stepper(i)).is_some_and(|p| {
                        let process = self.journal.label(p);
                        process != DRIVER && self.expected.contains_key(&process)
                    })
            });
            if let Some(&(i, _)) = advance {
                return vec![i];
            }
        }
        let timer = |step: &Option<Step<'_>>| matches!(step, Some(Step::Fire { .. }));
        // A process that journals nothing (the supervisor) takes its messages first: a
        // delivery to a node here would write a line the runtime's journal does not have
        // next (its thread had not handled it yet when something else overtook it).
        let unjournaled = |step: &Option<Step<'_>>| match step {
            Some(Step::Deliver(d)) => !self.expected.contains_key(&self.label(d.to)),
            _ => false,
        };
        let oldest_first = |keep: &dyn Fn(&Option<Step<'_>>) -> bool| {
            let mut tier: Vec<usize> = (parsed.iter())
                .filter(|(i, step)| !enabled.is_advance(*i) && !timer(step) && keep(step))
                .map(|&(i, _)| i)
                .collect();
            tier.sort_by_key(|&i| enabled.sent_at(i).unwrap_or(0));
            tier
        };
        let tier = oldest_first(&unjournaled);
        if !tier.is_empty() {
            return tier;
        }
        let tier = oldest_first(&|_| true);
        if let Some(&oldest) = tier.first() {
            return vec![oldest];
        }
        let last = parsed.iter().find(|(_, step)| timer(step));
        last.map(|&(i, _)| i).into_iter().collect()
    }

    /// One of `candidates`: the plan's choice where there are several (recorded).
    fn pick(&mut self, candidates: &[usize]) -> Option<usize> {
        if candidates.len() > 1 {
            let n = candidates.len();
            let k = self.plan.get(self.chosen.len()).copied().unwrap_or(0);
            let k = k.min(n - 1);
            self.chosen.push((k, n));
            return Some(candidates[k]);
        }
        candidates.first().copied()
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
            if parse(&label).is_some_and(|s| self.fits(&s, &journals)) {
                fitting.push(i);
            }
        }
        if let Some(i) = self.pick(&fitting) {
            return Ok(i);
        }
        let candidates = self.fallback(enabled, &journals);
        self.pick(&candidates).ok_or_else(|| Divergence {
            step,
            message: "only faults are enabled".to_owned(),
        })
    }
}

#[test]
fn labels_are_taken_apart() {
    let deliver = |label| match parse(label) {
        Some(Step::Deliver(d)) => d,
        other => panic!("{label}: {other:?}"),
    };
    let d = deliver("deliver down #1 a → b: error: boom");
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
    let d = deliver("deliver exit signal #2 node<5> → r0<7>: killed");
    assert_eq!(
        (d.kind, d.from, d.to, d.payload),
        ("exit signal", "node<5>", "r0<7>", "killed")
    );
    let d = deliver("deliver kill #1 n0 → n1");
    assert_eq!((d.kind, d.to, d.payload), ("kill", "n1", ""));
    let d = deliver("deliver reply Echo #1 n1 → n0: Ok(7)");
    assert_eq!((d.kind, d.from, d.payload), ("reply", "n1", "Ok(7)"));
    let fire = parse("fire timer #2 at node<5>: Timer(\"t3\")");
    let expected = Step::Fire {
        at: "node<5>",
        msg: "Timer(\"t3\")",
    };
    assert_eq!(fire, Some(expected));
    assert_eq!(timer_label("Timer(\"t3\")"), Some("t3"));
    assert_eq!(parse("start driver"), None);
}
