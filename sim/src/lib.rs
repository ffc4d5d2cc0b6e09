//! The deterministic simulator for genservers: every message order, chosen by a seed.
//!
//! The servers you wrote against [`genserver::GenServer`] run here unchanged, in one thread,
//! as the second interpreter of the core's [`genserver::Effect`]s. Every step the world lists
//! the enabled events (the head of each sender→receiver queue, due timers and call timeouts,
//! client steps, faults), a [`Scheduler`] picks one, and the choice is recorded as a readable
//! schedule ("deliver cast Deposit #1 client-1 → account: Deposit(5)") inside a JSON Lines trace. Any run
//! replays exactly, from its seed or from its trace.
//!
//! # Your own test
//!
//! **The problem.** Two clients each read a counter, then write back what they read plus
//! one. Every plain test passes: the clients take turns. But when both read before either
//! writes, one update is lost, and on real threads that happens once in a while, in an
//! order nobody can repeat.
//!
//! **The test.** The server is an ordinary [`genserver::GenServer`]; the clients are plain
//! `async` code; [`check`] tries the message orders and fails the test on a bad one:
//!
//! ```should_panic
//! # use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
//! # #[derive(Debug, PartialEq)]
//! # struct Counter(i64);
//! # #[derive(Debug)]
//! # enum Call { Get, Set(i64) }
//! # impl GenServer for Counter {
//! #     type Args = i64;
//! #     type Call = Call;
//! #     type Reply = i64;
//! #     type Cast = ();
//! #     type Info = ();
//! #     type Continue = ();
//! #     fn init(start: i64, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
//! #         Ok(Counter(start))
//! #     }
//! #     fn handle_call(&mut self, call: Call, _: ReplyTo<i64>, _: &mut Ctx<Self>) -> CallResult<i64> {
//! #         if let Call::Set(value) = call { self.0 = value; }
//! #         CallResult::Reply(self.0)
//! #     }
//! # }
//! // #[test]
//! fn two_clients_never_lose_an_update() {
//!     genserver_sim::check(&|world: &mut genserver_sim::World| {
//!         let counter = world.spawn::<Counter>("counter", 0);
//!         for name in ["client-1", "client-2"] {
//!             world.client(name, async move |cx| {
//!                 let value = cx.call(counter, Call::Get).await?;
//!                 cx.call(counter, Call::Set(value + 1)).await?;
//!                 Ok(())
//!             });
//!         }
//!         world.at_end("both counted", move |view| view.state(counter) == Some(&Counter(2)));
//!     });
//! }
//! # two_clients_never_lose_an_update();
//! ```
//!
//! **Run it** with `cargo test`. It fails with the failure, its step, the seed, the saved
//! trace (shrunk to the steps the failure needs; the original is kept beside it) and one
//! line that reruns exactly that schedule:
//!
//! ```text
//! two_clients_never_lose_an_update: step 9: invariant: both counted: does not hold
//!   found by random after 2 runs, seed 1; shrunk from 10 to 9 steps
//!   trace:    /…/target/gsim/two_clients_never_lose_an_update-seed-1.jsonl
//!   replay:   GSIM_REPLAY=/…/target/gsim/two_clients_never_lose_an_update-seed-1.jsonl cargo test -p my-crate -- two_clients_never_lose_an_update --exact
//! ```
//!
//! **Debug it**: the replay line runs the same schedule again, as often as you like, with
//! your `dbg!`s and breakpoints; `gsim render FILE` prints the trace one event per line
//! (`--format html` draws it as a sequence chart, `--format mermaid` for markdown).
//! [`Sim`] names the options: `Sim::new(&system).strategy(Strategy::Pct { depth: 2 })`,
//! `.exhaustive()` (every order, with partial-order reduction), `.runs(n)`, `.seed(s)`; in
//! CI, `GSIM_RUNS`, `GSIM_SEED`, `GSIM_STRATEGY` and `GSIM_MAX_STEPS` override them.
//!
//! **Your own `gsim`**: [`cli::main`] over a list of [`Entry`]s gives your project the whole
//! command line (hunt, run, replay, render, diff, check); it is the `cli` feature, on by
//! default (`default-features = false` leaves the library without clap, indicatif and
//! serde_json, and without mimalloc, the `fast-alloc` feature's `FastAlloc`, `gsim`'s
//! allocator). The same clients run on real threads: write the scenario once over
//! [`genserver::Stage`] and run it with [`genserver::runtime::Threads`] too.
//! `sim/examples/bank/` is a complete project of that shape. [`Sim::story`] pins a scenario
//! in a snapshot test, not a seed.
//!
//! **Limits**: only what the servers and clients do through the library is simulated (a
//! client that reads a real clock or a file, or blocks its thread, is outside the
//! simulator's control); a search is only as wide as its runs and bounds; see the
//! limitations below.
//!
//! # The bundled zoo
//!
//! [`systems`] lists real ordering bugs (and three correct systems) that `gsim hunt` hunts:
//!
//! ```
//! use genserver_sim::{Verdict, find_system, hunt, replay, DEFAULT_MAX_STEPS};
//!
//! let system = find_system("lost-update").unwrap();
//! let found = hunt(system, 0, 100, DEFAULT_MAX_STEPS).found.expect("the bug is found");
//! let failure = found.failure().unwrap();
//! assert!(failure.message.contains("expected 2"), "{failure}");
//!
//! // The recorded schedule replays to the identical trace.
//! let trace = found.trace.unwrap();
//! let again = replay(system, &trace).unwrap();
//! assert_eq!(again.trace.unwrap().to_jsonl(), trace.to_jsonl());
//! assert!(matches!(again.verdict, Verdict::Failed(_)));
//! ```
//!
//! # Semantics
//!
//! - Messages from one sender to one receiver are delivered in the order sent; across
//!   senders every order can happen. A server blocked in a call of its own takes nothing but
//!   that call's reply (out of its queue, like Erlang's selective receive) or its timeout.
//! - Calls time out after 5 s of virtual time by default. Calling oneself fails at once with
//!   `CallingSelf`, calling a dead server with `NoProcess` (traced, and counted against the
//!   step limit like a step, so a retry loop cannot run for ever); a server that exits fails
//!   the calls it holds or has queued with `Exited(reason)`; a reply token dropped unanswered
//!   fails the call with `NoReply`; a reply for a caller that gave up is discarded (and
//!   traced).
//! - `handle_continue` runs before the server's next message or timer; timers fire in virtual
//!   time, each server's in deadline order; a cast to a dead server is dropped (and traced).
//! - Links, monitors and exit signals follow OTP: when a server exits (any cause), its names
//!   are freed, each monitor on it sends its watcher a `Down` with the reason, and each link
//!   sends the linked process an exit signal; both travel as messages of the
//!   `exited → receiver` queue (FIFO with its other messages), scheduled and traced. A
//!   server trapping exits gets them in `handle_exit`; otherwise a `normal` one is ignored
//!   (traced) and any other reason stops it (`terminate` runs). A kill is untrappable and
//!   skips `terminate`. A kill or an untrapped abnormal signal reaches a server even while it
//!   is blocked in a call of its own, overtaking the messages (and trapped signals) queued
//!   ahead of it. A signal a server gives itself (a kill, an exit signal it does not trap,
//!   linking to the dead) takes effect at once, before its callback's next effect, as on the
//!   threaded runtime. Monitoring or linking to a dead or unknown process gives `NoProcess`
//!   at once; a demonitor drops a queued `Down`; an unlink voids an exit signal of that link
//!   still in flight. The rules are the core's kernel and process machine, which the
//!   threaded runtime drives too (see `genserver::rules`).
//! - `Effect::Start` runs the recipe with a [`SimSpawner`]: the child gets a fresh id, its
//!   `init` runs, its name is registered and its link set before anything else happens, and
//!   the starter handles the outcome next. A name held by a live server is refused. Clients
//!   and invariants resolve names with [`Cx::whereis`] and [`View::whereis`]; an id
//!   names one instance: after a restart, calls to the old id fail with `NoProcess` and casts
//!   to it are dropped (traced). So the core's supervisor (`Supervisor<SimSpawner>`) runs
//!   here, its restart intensity measured in virtual time: every callback sees the virtual
//!   time in `Ctx::now`.
//! - Faults are opt-in per system ([`Faults`]): crash (optionally restarted from `init` under
//!   the same id; or, with [`World::crashable_name`], whichever server holds a name, for its
//!   supervisor to restart), drop or delay a message. The scheduler chooses them like any other event,
//!   so they are recorded and replayed; but never at a quiet point: when only faults are
//!   enabled, time advances, or the run ends (or deadlocks) as if they were not.
//! - Time races deliveries when messages may take time: with [`World::set_max_latency`]
//!   (a message takes up to that long), jumping to the next deadline (a timer, a call
//!   timeout, a wake-up) over the deliveries in flight is a choice of the schedule
//!   ("advance time to 100ms"), made by every strategy and raced against what it overtakes
//!   in DPOR: a lease expires while its release is on its way, a call times out while its
//!   reply is. Without it, time moves only when nothing else can happen.
//! - Failures ([`FailureKind`]): a broken invariant (checked after every step) or end check,
//!   a failed client expectation, a panicking handler, an unexpected call timeout, a
//!   deadlock (servers waiting for each other in a cycle of calls, reported when the cycle
//!   forms; or nothing enabled but call timeouts while calls are pending), and a livelock:
//!   the step limit came before what the run must reach ([`World::eventually`]; such a run
//!   gets no new faults in the second half of its step limit, a quiet phase to recover in).
//!
//! # How to run
//!
//! `cargo run -p genserver-sim --bin gsim -- hunt` hunts every bundled system and prints a
//! summary; `gsim list`, `gsim run SYSTEM --seed S`, `gsim hunt SYSTEM` and
//! `gsim replay FILE` do the rest; `gsim hunt SYSTEM --strategy random|pct|dfs` picks the
//! strategy, with `--jobs`, `--shard K/N` and a progress bar on a terminal. Your own
//! systems are any `Fn(&mut World)` ([`System`]): spawn servers with [`World::spawn`], add
//! clients with [`World::client`], invariants and faults, then [`check`] or [`Sim`].
//!
//! # Strategies
//!
//! - Random walk ([`RandomScheduler`], [`hunt`]) finds shallow bugs in a few runs.
//! - PCT ([`PctScheduler`], [`Strategy::Pct`]) finds bugs that need a few ordering
//!   constraints, such as one process waiting through many steps of another, in far fewer
//!   runs than a random walk (`aba-version`: about 15 to 35 runs instead of about 9 500).
//! - Exhaustive search ([`explore`]) tries every order the semantics allow, with
//!   source-set DPOR and sleep sets (or, instead, skipping states it has seen by hash), and
//!   says whether the space was verified within its bounds; with state hashing, on
//!   [`DfsOptions::jobs`] threads sharing one visited set, or in shards
//!   ([`DfsOptions::shard`]) whose reports [`Exploration::merge`] adds up to the serial
//!   search's.
//! - [`shrink`] cuts a failing run down to the inputs (if its system drew any) and the steps
//!   the same named failure needs.
//! - [`hunt_with`] runs seeds on several threads (the result equals a serial run) or one
//!   [`Shard`] of them, for a batch engine (see `SHARDING.md`).
//!
//! ```
//! use genserver_sim::{DfsOptions, HuntOptions, Strategy, explore, find_system, hunt_with, shrink};
//!
//! // Every order of the counter's increments: verified.
//! let counter = find_system("counter").unwrap();
//! let report = explore(counter, &DfsOptions::default(), &mut |_| {}).unwrap();
//! assert!(report.verified());
//!
//! // PCT finds the wrapped version; shrinking keeps the 22 steps of its story.
//! let aba = find_system("aba-version").unwrap();
//! let options = HuntOptions { strategy: Strategy::Pct { depth: 2 }, ..HuntOptions::new(0, 1_000, 10_000) };
//! let found = hunt_with(aba, &options, &|_, _| {}).found.unwrap();
//! let shrunk = shrink(aba, found.trace.as_ref().unwrap()).unwrap().unwrap();
//! assert_eq!(shrunk.report.steps, 22);
//! ```
//!
//! # Linearizability
//!
//! [`linearize`] decides whether a history of concurrent calls (invocations, responses,
//! calls that never returned) is linearizable against a sequential model you write once
//! ([`linearize::Model`]): Wing & Gong's search with Lowe's memo cache, one key at a time
//! when the model partitions its operations. A violation names the partition, the longest
//! linearizable prefix found and the operation that cannot follow it.
//!
//! Every run records its history: each call a client makes, invoked and answered (a reply,
//! a timeout, an error) at a step and a virtual time, or still pending at the end, in the
//! trace's end record. [`World::linearizable`] attaches a model to the servers whose calls
//! it explains ([`linearize::Linearizable`]): after every step the history of those calls
//! is checked, and one that is not linearizable fails the run
//! ([`FailureKind::Linearizability`]) like a broken invariant: found by every strategy,
//! shrunk, and drawn under the text trace as intervals per client, the longest
//! linearizable prefix and the operation that cannot follow it marked
//! ([`genserver_traces::to_history`]). The zoo's `stale-cache` has no other check.
//!
//! [`linearize::Workload`] generates the clients from the model too: weighted generators
//! with preconditions on the model's state draw each client's operations by a seed (the
//! workload's, or mixed with each run's), the calls are checked against the model, and the
//! run records the operations it drew in its trace ([`World::record_inputs`]). [`shrink`]
//! cuts a failing workload down to fewer operations before shrinking its schedule, and its
//! trace replays with the workload as written.
//!
//! # Snapshot tests
//!
//! [`Sim::story`] renders the canonical run (every message in the order it was sent; no
//! seed) as stable text, one line per event, so a test pins a scenario in one line:
//! `insta::assert_snapshot!(Sim::new(&my_system).story())`. An edit that adds a message adds
//! its lines and moves no other line. [`trace_text`] does the same for the run of a seed,
//! which any change to what is enabled reshuffles.
//!
//! # Debugging a failure
//!
//! A failure names its step and kind ([`FailureKind`]); the hunt prints the seed and the
//! exact command that replays it. The trace's `choose` events are the schedule; if the code
//! changed, `gsim replay` says where the run left it ("step 17: schedule says …, but … is
//! not enabled; enabled: …"). [`check_determinism`] runs a seed twice in one process and
//! compares every event, catching what changes from run to run (a global counter, a clock,
//! a `HashMap` made anew in each run); `gsim check --processes` also runs each seed in a
//! child process, catching what changes from process to process (the process id, an
//! address, a `HashMap` in a static).
//!
//! # Limitations
//!
//! Handlers take no virtual time; time only moves when nothing else is enabled (or with a
//! configured latency, or by a jump that races deliveries under a latency bound). A restarted server keeps its process id and name, but starts a new
//! life: as with a new Erlang pid, its messages travel apart from those of its earlier life
//! (FIFO holds per life, and they may overtake them); a schedule label names the life
//! ("jobs (life 2)") when messages of two lives wait for the same receiver. A child started by
//! a server is a new process with a fresh id (named `db<7>` in traces when an earlier
//! instance had the name `db`). A child's start completes within the step that asked for
//! it, once its `init` effects are applied; a child that stops meanwhile fails the start
//! (as in the threaded runtime), but a call among those effects does not hold the start up
//! (the runtime's start waits for its outcome). Only servers link and monitor: monitoring or
//! linking to a client gives `NoProcess`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod check;
#[cfg(feature = "cli")]
pub mod cli;

/// The allocator `gsim` runs on, mimalloc (the `fast-alloc` feature, on by default): an
/// exhaustive search allocates and frees small blocks at every state, 1.2x faster on one
/// thread and 1.3x on two than on the system's allocator. A `gsim` of your own, or a test
/// binary that explores, takes it with two lines:
///
/// ```no_run
/// #[global_allocator]
/// static ALLOCATOR: genserver_sim::FastAlloc = genserver_sim::FastAlloc;
/// # fn main() {}
/// ```
#[cfg(feature = "fast-alloc")]
pub use mimalloc::MiMalloc as FastAlloc;
mod drive;
mod failure;
mod files;
mod invocation;
pub mod linearize;
pub mod recorded;
mod scheduler;
mod search;
mod sim;
mod snapshot;
mod system;
mod world;
pub mod zoo;

pub use check::{LOOSE_VAR, REPLAY_VAR, check};
pub use drive::hunt::{Hunt, check_determinism, hunt, hunt_with, try_hunt_with};
pub use drive::loose::{LooseReplay, Reproduction, replay_loose, replay_schedule_loose};
pub use drive::options::{HuntOptions, Shard, Strategy};
pub use drive::parallel::SpawnError;
pub use drive::run::{
    DEFAULT_MAX_STEPS, RunReport, Verdict, replay, replay_schedule, run, run_with,
};
pub use drive::shrink::{SHRINK_ATTEMPTS, Shrunk, shrink};
pub use failure::{Failure, FailureKind};
pub use genserver::{Check, ClientResult, Cx, Stage};
pub use scheduler::canonical::CanonicalScheduler;
pub use scheduler::pct::PctScheduler;
pub use scheduler::random::RandomScheduler;
pub use scheduler::replay::ReplayScheduler;
pub use scheduler::{Divergence, Enabled, Scheduler};
pub use search::{DfsOptions, Exploration, Reduction, Seen, Symmetry, explore};
pub use sim::Sim;
pub use snapshot::trace_text;
pub use system::{Entry, OnThreads, System};
pub use world::erased_server::silence_handler_panics;
pub use world::faults::{Faults, Restart};
pub use world::fork::Copyable;
pub use world::spawner::SimSpawner;
pub use world::{Holds, View, World};
pub use zoo::{find_system, systems};
