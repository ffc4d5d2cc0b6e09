//! Child starts ([rule 5](genserver::rules)): running a start recipe with a [`SimSpawner`] and taking the
//! children it started into the world.

use std::any::Any;
use std::time::Duration;

use genserver::engine::ErasedStart;
use genserver::{ExitReason, ProcessId, StartError, StartOptions};
use genserver_traces::EventKind;

use crate::search::footprint::SPAWNS;
use crate::world::envelope::Body;
use crate::world::erased_server::guarded;
use crate::world::spawner::{SimSpawner, Spawned};
use crate::world::{Proc, ProcKind, RESERVED, World};

impl World {
    /// Runs `start` for `starter`: the child's `init` runs, then (on success) its name is
    /// registered, its link set and its `init` effects applied, all before the starter
    /// handles the returned outcome.
    pub(crate) fn start_child(
        &mut self,
        starter: ProcessId,
        start: ErasedStart,
        options: StartOptions,
    ) -> Result<ProcessId, StartError> {
        self.touch_write(SPAWNS);
        let taken = self.registry.keys().cloned().collect();
        let mut spawner = SimSpawner::new(
            self.next_id(),
            self.mailroom.clone(),
            Duration::from_nanos(self.now),
            taken,
            self.touches.is_some(),
        );
        let recipe = options.clone();
        let outcome =
            guarded(|| start(&mut spawner as &mut dyn Any, recipe)).unwrap_or_else(|panic| {
                Err(StartError::Init(ExitReason::Panic(format!(
                    "start: {panic}"
                ))))
            });
        let started = std::mem::take(&mut spawner.started);
        if started.is_empty() {
            // Refused before any child existed (a name taken, a recipe of another engine).
            if let Err(error) = &outcome {
                self.emit(EventKind::Spawn, Some(starter), None, |_| {
                    format!("start {}failed: {error}", describe(&options))
                });
            }
        }
        let mut outcome = outcome;
        for child in started {
            if let Some(reason) = self.take_in(starter, child) {
                outcome = Err(StartError::Init(reason));
            }
        }
        outcome
    }

    /// Adds a started (or failed) child to the world and, if its `init` succeeded, names,
    /// links and drives it. Returns the reason if it exited while its `init` effects were
    /// applied: it is then unlinked from its starter first, and its start fails.
    fn take_in(&mut self, starter: ProcessId, child: Spawned) -> Option<ExitReason> {
        let Spawned {
            id,
            slot,
            type_name,
            options,
            init,
        } = child;
        debug_assert_eq!(id, self.next_id(), "children get the next ids in order");
        self.touch_write(id);
        let name = self.display_name(options.name.as_deref(), &type_name, id);
        self.procs.push(Proc {
            name,
            kind: ProcKind::Server(slot),
        });
        match init {
            Err(reason) => {
                self.emit(EventKind::Spawn, Some(starter), Some(id), |_| {
                    format!("init {}failed: {reason}", describe(&options))
                });
                self.fail_on_panic(id, &reason);
            }
            Ok(output) => {
                self.emit(EventKind::Spawn, Some(starter), Some(id), |_| {
                    format!("init {}", describe(&options)).trim_end().to_owned()
                });
                if let Some(name) = &options.name {
                    self.set_name(name, id);
                }
                if let Some(to) = options.link_to {
                    self.link_child(id, to);
                }
                self.starting.push((id, starter, None));
                self.drive(id, output);
                let (_, _, exited) = self.starting.pop().expect("pushed above");
                return exited;
            }
        }
        None
    }

    /// Links a new child to `to` (its starter, mostly), or, if `to` is gone, sends the child
    /// the exit signal linking to a dead process gives.
    fn link_child(&mut self, child: ProcessId, to: ProcessId) {
        if to == child {
            return;
        }
        self.touch_write(to);
        if self.alive(to) {
            self.links.insert((child, to));
            self.links.insert((to, child));
            self.emit(EventKind::Link, Some(to), Some(child), |_| {
                "link".to_owned()
            });
        } else {
            let signal = Body::Exit {
                reason: ExitReason::NoProcess,
                kill: false,
                link: true,
            };
            self.send(to, child, signal);
        }
    }

    /// A child's name in traces: its registered name if no process has that name yet, else
    /// the name (or its type) with its id, `db<7>`: every process keeps its own name.
    fn display_name(&self, name: Option<&str>, type_name: &str, id: ProcessId) -> String {
        // Schedule labels are split on the reserved strings: a name shows them trimmed.
        let base = RESERVED
            .iter()
            .fold(name.unwrap_or(type_name).to_owned(), |n, r| {
                n.replace(r, r.trim())
            });
        let base = base.as_str();
        let free = |n: &str| !self.procs.iter().any(|p| p.name == n);
        if name.is_some() && free(base) {
            return base.to_owned();
        }
        let mut candidate = format!("{base}{id:?}");
        while !free(&candidate) {
            candidate.push('\'');
        }
        candidate
    }
}

/// `(as db, linked) ` for a trace line, or nothing.
fn describe(options: &StartOptions) -> String {
    let mut parts = Vec::new();
    if let Some(name) = &options.name {
        parts.push(format!("as {name}"));
    }
    if options.link_to.is_some() {
        parts.push("linked".to_owned());
    }
    match parts.is_empty() {
        true => String::new(),
        false => format!("({}) ", parts.join(", ")),
    }
}
