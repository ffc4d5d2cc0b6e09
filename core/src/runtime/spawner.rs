//! The runtime's spawner: what [`crate::Effect::Start`] recipes start children with.

use crate::runtime::Runtime;
use crate::{GenServer, ProcessId, Spawn, StartError, StartOptions};

/// Starts servers of any type on a [`Runtime`]; the runtime's engine for
/// [`crate::ChildStart`] recipes (e.g. `Supervisor<Spawner>`).
#[derive(Clone)]
pub struct Spawner {
    rt: Runtime,
}

impl Spawner {
    /// A spawner starting servers on `rt`.
    pub fn new(rt: &Runtime) -> Self {
        Spawner { rt: rt.clone() }
    }

    /// The runtime it starts servers on.
    pub fn runtime(&self) -> &Runtime {
        &self.rt
    }
}

impl Spawn for Spawner {
    /// Starts a server as [`Runtime::start_with`] does, and returns its process id.
    fn spawn<T: GenServer>(
        &mut self,
        args: T::Args,
        options: StartOptions,
    ) -> Result<ProcessId, StartError> {
        self.rt
            .start_with::<T>(args, options)
            .map(|server| server.id())
    }
}
