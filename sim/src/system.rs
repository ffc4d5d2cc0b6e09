//! Systems: what a run builds (servers, clients, checks, faults), and the named entries
//! `gsim` lists.

use crate::world::World;

/// A simulated system: builds a fresh world for every run. Any `Fn(&mut World)` is one, so
/// a system is usually a closure or a function:
///
/// ```
/// use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
/// use genserver_sim::{Sim, World};
///
/// /// A server that counts casts and reports the count.
/// struct Tally(u32);
///
/// impl GenServer for Tally {
///     type Args = u32;
///     type Call = ();
///     type Reply = u32;
///     type Cast = ();
///     type Info = ();
///     type Continue = ();
///     fn init(start: u32, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
///         Ok(Tally(start))
///     }
///     fn handle_call(&mut self, _: (), _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
///         CallResult::Reply(self.0)
///     }
///     fn handle_cast(&mut self, _: (), _: &mut Ctx<Self>) {
///         self.0 += 1;
///     }
/// }
///
/// let tiny = |world: &mut World| {
///     let tally = world.spawn::<Tally>("tally", 0);
///     for name in ["client-1", "client-2"] {
///         // A client's own cast always arrives before its call (same sender, FIFO).
///         world.client(name, async move |cx| {
///             cx.cast(tally, ());
///             let seen = cx.call(tally, ()).await?;
///             if seen >= 1 { Ok(()) } else { Err("my cast was lost".into()) }
///         });
///     }
///     world.at_end("two casts", move |view| match view.state(tally) {
///         Some(Tally(2)) => Ok(()),
///         _ => Err("casts missing".into()),
///     });
/// };
///
/// let report = Sim::new(&tiny).seed(42).run();
/// assert!(report.failure().is_none());
/// assert_eq!(report.trace.unwrap().schedule()[0], "start client-1");
/// assert!(Sim::new(&tiny).runs(500).hunt().found.is_none());
/// ```
pub trait System: Sync {
    /// Builds the world: spawn servers, add clients, invariants and faults.
    ///
    /// A build should depend on nothing but the world it is given: runs, replays and
    /// shards build the system anew and must get the same world. Stateful search
    /// ([`World::clone_state`]) also builds it to bring a copy's clients back, and such a
    /// build starts no server (the copy has its own): there [`World::state`] gives `None`
    /// and [`World::whereis`] finds no name, and no server's `init` runs. A build that asks
    /// for them, panics, or lays its processes out otherwise is noticed, and the search
    /// then builds the system whole (a panic there is reported by the panic hook, unless
    /// [`crate::silence_handler_panics`] is on).
    fn build(&self, world: &mut World);

    /// The name traces and reports give the system ("system" unless it is an [`Entry`]).
    fn name(&self) -> &str {
        "system"
    }
}

impl<F: Fn(&mut World) + Sync> System for F {
    fn build(&self, world: &mut World) {
        self(world)
    }
}

/// A named system, as `gsim` lists it: the bundled zoo is a list of these, and so is the
/// list a `gsim` of your own is made with ([`crate::cli::main`]).
#[derive(Clone, Copy)]
pub struct Entry {
    /// Its name on the command line and in traces.
    pub name: &'static str,
    /// One line saying what it is.
    pub about: &'static str,
    /// Whether it hides a bug that a hunt should find (the summary's "expected" column).
    pub has_bug: bool,
    /// What it builds.
    pub system: &'static dyn System,
    /// The same scenario on real threads, if it has one (`gsim soak` runs it).
    pub threads: Option<&'static OnThreads>,
}

/// A scenario set up on real threads ([`genserver::runtime::Threads`]).
pub type OnThreads = dyn Fn(&mut genserver::runtime::Threads) + Sync;

impl Entry {
    /// A system that must show no failure.
    pub const fn clean(
        name: &'static str,
        about: &'static str,
        system: &'static dyn System,
    ) -> Self {
        Entry {
            name,
            about,
            has_bug: false,
            system,
            threads: None,
        }
    }

    /// A system that hides a bug a hunt must find.
    pub const fn bug(name: &'static str, about: &'static str, system: &'static dyn System) -> Self {
        Entry {
            name,
            about,
            has_bug: true,
            system,
            threads: None,
        }
    }

    /// The same entry, whose scenario also runs on real threads as `threads` sets it up
    /// (for `gsim soak`: the recordings it keeps replay in [`Entry::system`], which must
    /// build the same servers and clients under the same names).
    pub const fn on_threads(self, threads: &'static OnThreads) -> Self {
        Entry {
            threads: Some(threads),
            ..self
        }
    }
}

impl System for Entry {
    fn build(&self, world: &mut World) {
        self.system.build(world)
    }

    fn name(&self) -> &str {
        self.name
    }
}
