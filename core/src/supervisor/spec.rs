//! What a supervisor is told: its children, how to restart them, how often it may.

use std::time::Duration;

use crate::{ChildStart, GenServer, Spawn};

/// Which children a supervisor restarts when one exits and must be restarted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Restart only the child that exited.
    #[default]
    OneForOne,
    /// Stop all other children (in reverse start order), then restart them all in order.
    OneForAll,
    /// Stop the children started after the one that exited (in reverse order), then restart
    /// it and them in order.
    RestForOne,
}

/// When a child that exited is restarted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Always.
    #[default]
    Permanent,
    /// Only after an abnormal exit (not `normal` or `shutdown`).
    Transient,
    /// Never; the child is forgotten once it exits.
    Temporary,
}

impl Restart {
    /// Whether a child of this kind that exited with `reason` is restarted.
    pub fn restarts_after(self, reason: &crate::ExitReason) -> bool {
        match self {
            Restart::Permanent => true,
            Restart::Transient => reason.is_abnormal(),
            Restart::Temporary => false,
        }
    }
}

/// How a supervisor stops a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// Send a `shutdown` exit signal and wait this long for the child to exit, then kill it.
    Timeout(Duration),
    /// Kill the child at once (it does not run `terminate`).
    BrutalKill,
    /// Send a `shutdown` exit signal and wait as long as it takes.
    Infinity,
}

impl Default for Shutdown {
    /// OTP's default for workers: 5 seconds.
    fn default() -> Self {
        Shutdown::Timeout(Duration::from_secs(5))
    }
}

/// Restart intensity: more than `max_restarts` restarts within `within` stops the supervisor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Intensity {
    /// Restarts allowed within the window.
    pub max_restarts: u32,
    /// The window.
    pub within: Duration,
}

impl Default for Intensity {
    /// OTP's, Elixir's and Actors.jl's default: 3 restarts in 5 seconds.
    fn default() -> Self {
        Intensity {
            max_restarts: 3,
            within: Duration::from_secs(5),
        }
    }
}

/// One child of a supervisor, on engine `E`.
#[derive(Debug)]
pub struct ChildSpec<E> {
    /// The child's id within its supervisor (unique there).
    pub id: String,
    /// How to start it (again).
    pub start: ChildStart<E>,
    /// When it is restarted.
    pub restart: Restart,
    /// How it is stopped.
    pub shutdown: Shutdown,
    /// The name each instance registers under, if any.
    pub name: Option<String>,
    /// The bound of each instance's mailbox ([`crate::StartOptions::bounded`]), if any.
    pub mailbox_limit: Option<usize>,
}

impl<E: Spawn> ChildSpec<E> {
    /// A permanent child of type `T` with a 5 s shutdown; `args` makes fresh init arguments
    /// for every (re)start.
    pub fn new<T: GenServer>(
        id: impl Into<String>,
        args: impl Fn() -> T::Args + Send + Sync + 'static,
    ) -> Self {
        ChildSpec {
            id: id.into(),
            start: ChildStart::new::<T>(args),
            restart: Restart::default(),
            shutdown: Shutdown::default(),
            name: None,
            mailbox_limit: None,
        }
    }

    /// Registers every instance under `name`.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Bounds every instance's mailbox to `limit` calls, casts and infos waiting (rule 8 of
    /// [`crate::rules`]).
    pub fn bounded(mut self, limit: usize) -> Self {
        self.mailbox_limit = Some(limit);
        self
    }

    /// Sets when the child is restarted.
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// Sets how the child is stopped.
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }
}

impl<E> Clone for ChildSpec<E> {
    fn clone(&self) -> Self {
        ChildSpec {
            id: self.id.clone(),
            start: self.start.clone(),
            restart: self.restart,
            shutdown: self.shutdown,
            name: self.name.clone(),
            mailbox_limit: self.mailbox_limit,
        }
    }
}

/// A supervisor's init arguments.
#[derive(Debug)]
pub struct SupervisorSpec<E> {
    /// Which children restart together.
    pub strategy: Strategy,
    /// How many restarts are too many.
    pub intensity: Intensity,
    /// The children, in start order.
    pub children: Vec<ChildSpec<E>>,
}

impl<E> SupervisorSpec<E> {
    /// A spec with `strategy`, the default intensity and no children yet.
    pub fn new(strategy: Strategy) -> Self {
        SupervisorSpec {
            strategy,
            intensity: Intensity::default(),
            children: Vec::new(),
        }
    }

    /// Adds a child after the others.
    pub fn child(mut self, child: ChildSpec<E>) -> Self {
        self.children.push(child);
        self
    }

    /// Sets the restart intensity.
    pub fn intensity(mut self, max_restarts: u32, within: std::time::Duration) -> Self {
        self.intensity = Intensity {
            max_restarts,
            within,
        };
        self
    }
}

impl<E> Clone for SupervisorSpec<E> {
    fn clone(&self) -> Self {
        SupervisorSpec {
            strategy: self.strategy,
            intensity: self.intensity,
            children: self.children.clone(),
        }
    }
}
