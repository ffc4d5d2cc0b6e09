//! Child starts ([rule 5](genserver::rules)): running a start recipe with a [`SimSpawner`] and taking the
//! children it started into the world.

use std::any::Any;
use std::time::Duration;

use genserver::engine::ErasedStart;
use genserver::{ExitReason, ProcessId, StartError, StartOptions};
use genserver_traces::EventKind;

use crate::search::footprint::{REGISTRY, SPAWNS};
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
        let taken = self.kernel.names().keys().cloned().collect();
        let mut spawner = SimSpawner::new(
            self.next_id(),
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
            if let Some(error) = self.take_in(starter, child) {
                outcome = Err(error);
            }
        }
        outcome
    }

    /// Adds a started (or failed) child to the world and, if its `init` succeeded, names,
    /// links and drives it. Returns why its start failed after all: it exited while its
    /// `init` effects were applied (it is then unlinked from its starter first), or its name
    /// was taken meanwhile (by a child of an earlier sibling's `init`).
    fn take_in(&mut self, starter: ProcessId, child: Spawned) -> Option<StartError> {
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
        if let Some(limit) = options.mailbox_limit {
            self.limits.insert(id, limit);
        }
        self.procs.push(Proc {
            name: name.into(),
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
                if let Err(error) = self.enter_child(id, &options) {
                    self.exit_server(id, ExitReason::error(error.to_string()), false);
                    return Some(error);
                }
                self.starting.push((id, None));
                self.drive(id, output);
                let (_, exited) = self.starting.pop().expect("pushed above");
                self.kernel.finish_start(id);
                return exited.map(StartError::Init);
            }
        }
        None
    }

    /// A child whose `init` succeeded comes alive in the kernel: its name registered, its
    /// link to `options.link_to` set (or, if that process is gone, the child sent the exit
    /// signal linking to a dead process gives).
    fn enter_child(&mut self, child: ProcessId, options: &StartOptions) -> Result<(), StartError> {
        let notice = self.kernel.start(child, options, false)?;
        if let Some(name) = &options.name {
            self.touch_write(REGISTRY);
            self.emit(EventKind::Name, Some(child), None, |_| {
                format!("registered as {name}")
            });
        }
        match (options.link_to, notice) {
            (_, Some(notice)) => self.notify(notice),
            (Some(to), None) if to != child => {
                self.touch_write(to);
                self.emit(EventKind::Link, Some(to), Some(child), |_| {
                    "link".to_owned()
                });
            }
            _ => {}
        }
        Ok(())
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
        let free = |n: &str| !self.procs.iter().any(|p| *p.name == *n);
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
