//! Starting servers from inside a server (what supervisors do), on either engine.
//!
//! A handler cannot start a thread or touch the simulator's world, so it records an
//! [`crate::Effect::Start`] holding a [`ChildStart`]: a recipe built where the child's type is
//! known, for one engine `E` (the runtime's [`crate::runtime::Spawner`] or the simulator's).
//! The engine hands itself to the recipe, which starts the child with the engine's own
//! generic [`Spawn::spawn`].

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::{GenServer, ProcessId, StartError};

/// How an engine starts a server: `StartOptions::default()` for a plain start, or built up
/// with [`StartOptions::named`], [`StartOptions::linked_to`], [`StartOptions::bounded`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StartOptions {
    /// Register the child under this name once its `init` succeeded.
    pub name: Option<String>,
    /// Link the child to this process before it handles any message.
    pub link_to: Option<ProcessId>,
    /// Bound its mailbox to this many calls, casts and info messages waiting
    /// ([`crate::rules`], rule 8); `None`: unbounded.
    pub mailbox_limit: Option<usize>,
}

impl StartOptions {
    /// These options, registering the server under `name`.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// These options, linking the server to `process` before it handles any message.
    pub fn linked_to(mut self, process: ProcessId) -> Self {
        self.link_to = Some(process);
        self
    }

    /// These options, with a mailbox that holds at most `limit` calls, casts and info
    /// messages waiting: one more is refused ([`crate::rules`], rule 8). A limit of 0
    /// refuses every one (and nobody waits for room in it).
    pub fn bounded(mut self, limit: usize) -> Self {
        self.mailbox_limit = Some(limit);
        self
    }
}

/// An engine that can start a server of any type: implemented by each engine's spawner.
pub trait Spawn: Any {
    /// Starts a server of type `T`: runs `init`, registers the name, sets the link.
    fn spawn<T: GenServer>(
        &mut self,
        args: T::Args,
        options: StartOptions,
    ) -> Result<ProcessId, StartError>;
}

type StartFn<E> =
    dyn Fn(&mut E, StartOptions) -> Result<ProcessId, StartError> + Send + Sync + 'static;

/// A recipe that starts a server of one type on engine `E`, as often as asked (restarts).
pub struct ChildStart<E> {
    type_name: &'static str,
    start: Arc<StartFn<E>>,
}

impl<E: Spawn> ChildStart<E> {
    /// A recipe for a server of type `T`; `args` builds fresh init arguments for each start.
    pub fn new<T: GenServer>(args: impl Fn() -> T::Args + Send + Sync + 'static) -> Self {
        ChildStart {
            type_name: std::any::type_name::<T>(),
            start: Arc::new(move |engine: &mut E, options| engine.spawn::<T>(args(), options)),
        }
    }

    /// Starts one instance on `engine`.
    pub fn start(&self, engine: &mut E, options: StartOptions) -> Result<ProcessId, StartError> {
        (self.start)(engine, options)
    }

    /// The recipe with the engine erased, as [`crate::Effect::Start`] carries it.
    pub fn erase(&self) -> ErasedStart {
        let start = Arc::clone(&self.start);
        Box::new(
            move |engine: &mut dyn Any, options| match engine.downcast_mut::<E>() {
                Some(engine) => start(engine, options),
                None => Err(StartError::WrongEngine(
                    std::any::type_name::<E>().to_owned(),
                )),
            },
        )
    }
}

impl<E> Clone for ChildStart<E> {
    fn clone(&self) -> Self {
        ChildStart {
            type_name: self.type_name,
            start: Arc::clone(&self.start),
        }
    }
}

impl<E> fmt::Debug for ChildStart<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChildStart<{}>", self.type_name)
    }
}

/// A start recipe with its engine erased: the engine passes its spawner as `&mut dyn Any`.
pub type ErasedStart =
    Box<dyn FnOnce(&mut dyn Any, StartOptions) -> Result<ProcessId, StartError> + Send>;
