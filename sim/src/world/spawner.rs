//! The simulator's engine for `Effect::Start`: [`SimSpawner`] starts children in the world.

use std::collections::BTreeSet;
use std::time::Duration;

use genserver::{ExitReason, GenServer, ProcessId, Spawn, StartError, StartOptions};

use crate::world::erased_server::{Output, SimServer};
use crate::world::typed_server::{Args, Slot};

/// A child started by a recipe, waiting for the world to take it in.
pub(crate) struct Spawned {
    /// Its fresh process id.
    pub id: ProcessId,
    /// The server, started (if `init` succeeded) or not.
    pub slot: Box<dyn SimServer>,
    /// Its short type name, for a name in traces when it has no registered name.
    pub type_name: String,
    /// Its name and link.
    pub options: StartOptions,
    /// The effects of its `init`, or why `init` failed.
    pub init: Result<Output, ExitReason>,
}

/// The simulator's [`Spawn`] engine: what a start recipe
/// ([`genserver::ChildStart`]) runs with inside the simulator, so a supervisor of type
/// `Supervisor<SimSpawner>` starts its children here.
///
/// The world makes one for each `Effect::Start` and hands it to the recipe as `&mut dyn Any`.
/// [`Spawn::spawn`] gives the child a fresh process id, refuses a name a live server holds
/// ([`StartError::NameTaken`]) and runs `init` at the current virtual time; the world then
/// registers the name, sets the link and applies the child's `init` effects before the
/// starter handles the outcome.
pub struct SimSpawner {
    next: u64,
    now: Duration,
    taken: BTreeSet<String>,
    keep_history: bool,
    pub(crate) started: Vec<Spawned>,
}

impl SimSpawner {
    /// A spawner whose first child gets id `next`; `taken` are the registered names.
    pub(crate) fn new(
        next: ProcessId,
        now: Duration,
        taken: BTreeSet<String>,
        keep_history: bool,
    ) -> Self {
        SimSpawner {
            next: next.0,
            now,
            taken,
            keep_history,
            started: Vec::new(),
        }
    }
}

impl Spawn for SimSpawner {
    fn spawn<T: GenServer>(
        &mut self,
        args: T::Args,
        options: StartOptions,
    ) -> Result<ProcessId, StartError> {
        if let Some(name) = &options.name {
            if self.taken.contains(name) {
                return Err(StartError::NameTaken(name.clone()));
            }
        }
        let id = ProcessId(self.next);
        self.next += 1;
        let mut slot = Slot::<T>::new(id, Args::Once(Some(args)));
        slot.set_clock(self.now);
        if self.keep_history {
            slot.keep_history();
        }
        let init = slot.start();
        let outcome = match &init {
            Ok(_) => {
                if let Some(name) = &options.name {
                    self.taken.insert(name.clone());
                }
                Ok(id)
            }
            Err(reason) => Err(StartError::Init(reason.clone())),
        };
        self.started.push(Spawned {
            id,
            slot: Box::new(slot),
            type_name: short_type_name(std::any::type_name::<T>()),
            options,
            init,
        });
        outcome
    }
}

/// `my_crate::zoo::Worker<Foo>` → `worker`.
fn short_type_name(full: &str) -> String {
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn type_names_are_shortened() {
        assert_eq!(short_type_name("a::b::Worker<c::D>"), "worker");
        assert_eq!(short_type_name("Plain"), "plain");
    }
}
