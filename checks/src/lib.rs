//! Exhaustive loom checks of the genserver runtime's mailbox and reply links, and (outside
//! loom) [`node`]: one scriptable test server for both engines, which the parity suite
//! (`tests/parity`) runs on the threaded runtime and in the simulator to compare what every
//! process saw.
//!
//! # What problem
//!
//! The threaded runtime of the `genserver` crate rests on two small concurrent objects: the
//! server's [`genserver::engine::Mailbox`] (many producers, one consumer, closed when the server
//! exits) and the [`genserver::engine::ReplyLink`] of each call (one outcome, racing the caller's
//! timeout), with the [`genserver::ReplyTo`] token that fills it. Core takes its primitives
//! from one shim module (`core/src/sync.rs`) that is [loom](https://docs.rs/loom)'s models
//! under `cfg(loom)`, so the tests here run the runtime's own code, not copies of it, through
//! every interleaving up to a preemption bound:
//!
//! | test file | models of the real code | broken variants they reject |
//! |---|---|---|
//! | `tests/loom_mailbox.rs` | 2 producers × 3 messages, 1 consumer task (woken through its waker; draining its batch as the server loop does, or appending to it, or looking at the lock-free "queued" flag first as a spinning server does): nothing lost, duplicated or reordered per producer, and the flag never says "mail" over an empty queue; close (server exit) while 2 producers send: every send delivered or handed back, none after a refused one | `LostWakeupMailbox` (deadlock), `LateWakerMailbox` (a task leaving its waker after it looked: deadlock), `DuplicatingMailbox`, `ReorderingMailbox`, `RacyCloseMailbox` (vanishes under close) |
//! | `tests/loom_link.rs` | reply (through `ReplyTo`) races the timeout: exactly one outcome; a late reply is refused, never seen, and dropped (loom's `Arc` leak check); a deferred reply races the server's exit: accepted once; server death (a panic dropping the token) wakes the caller with an error; a deferred reply from a third thread arrives | `SplitAbandonLink`, `StickyAbandonLink`, `ForgetfulLink` (`Arc` leaked), `DoubleDeliveryLink`, `EarlyNotifyLink` (deadlock), `UnsharedReplyTo` |
//! | `tests/loom_interrupt.rs` | the doom flag ([`genserver::engine::Interrupt`]) through which a kill reaches a server blocked in its own call: a kill racing the callee's reply gives exactly one outcome and leaves the server doomed; a kill of a server about to wait on a call never answered wakes it | `RacyInterrupt` (checks the flag and registers the call's link in two critical sections: deadlock) |
//! | `tests/loom_bound.rs` | a bounded mailbox's places ([`genserver::engine::Bound`], rule 8): 2 senders race for the last place while the server takes what is queued: never more queued than the limit, one of them always gets in, and every place is free again once the server took everything | `RacyBound` (admits by a read, then a write: 2 messages in a mailbox of 1) |
//! | `tests/loom_runtime.rs` | `Runtime` end to end (each server's task driven on a loom thread of its own), 1 client and 1 server: start, a call returns the reply, stop; a handler panic gives the caller an error, never a hang; with a 2nd client: a call racing a stop, a deferred reply on another client's cast, a stop failing an open deferred call; with 2 servers: a kill racing a server-to-server call (no hang, no lock-order deadlock) | the mini runtime of [`broken::mini_runtime`] with `LostWakeupMailbox`, with `EarlyNotifyLink`, keeping on after a panic, not closing its mailbox on exit (all deadlocks); from the real parts it passes |
//!
//! Loom has no clock (`Condvar::wait_timeout` never times out), so a timeout is modelled as
//! the explicit [`genserver::engine::ReplyLink::abandon`] that the runtime performs when its clock
//! fires, running concurrently with the reply.
//!
//! A check that never fails proves nothing: every model also runs, unchanged, against a
//! deliberately broken copy from [`broken`] (a mailbox that drops under close, one that loses
//! a wake-up, a link that delivers twice, one whose abandon lets a late reply through, ...),
//! in a `#[should_panic]` test that loom must reject. The broken mailboxes and links are one
//! base each with one bug swapped in ([`broken::BaseMailbox`], [`broken::BaseLink`]); the base
//! with no bug passes the same models, so each variant is rejected for its bug alone. The
//! models are generic over the traits of [`api`], which the real types and the broken ones
//! implement.
//!
//! # Example: what a broken variant gets wrong
//!
//! Most of the bugs need an unlucky interleaving, which loom finds and plain `std` tests
//! rarely hit. One shows in a fixed order: an `abandon` that does not stop a late reply.
//!
//! ```
//! use genserver::engine::ReplyLink;
//! use genserver_checks::api::LinkApi;
//! use genserver_checks::broken::StickyAbandonLink;
//!
//! # if genserver_checks::UNDER_LOOM { return; } // loom's types live only inside a model
//! fn late_reply_accepted<L: LinkApi<u32>>() -> bool {
//!     let link = L::new();
//!     assert!(link.abandon().is_none()); // the caller's timeout fired
//!     link.complete(Ok(7))               // the reply arrives after it
//! }
//!
//! assert!(!late_reply_accepted::<ReplyLink<u32>>());
//! assert!(late_reply_accepted::<StickyAbandonLink<u32>>());
//! ```
//!
//! # How to run
//!
//! ```text
//! checks/run-loom.sh
//! # which is:
//! CARGO_TARGET_DIR=target/loom RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 \
//!     cargo test -p genserver-checks --release -- --nocapture
//! ```
//!
//! The preemption bound is **3** for every model: each test file states it in code
//! (`const BOUND`), passed to `model::check`, a `loom::model::Builder` with
//! `preemption_bound` set; `LOOM_MAX_PREEMPTIONS`, when set, overrides it. Every model prints a
//! line `loom <model>: bound 3, passed, iterations: N, T` (or `rejected at iteration N`). On a
//! 2-core machine the suite runs in about 85 s at bound 3 after a 40 s first build (the
//! mailbox and reply link spin once, yielding, before they park, which loom explores too); it
//! also passes at bound 2. The separate target
//! directory keeps the `--cfg loom` build from invalidating the normal one. Without
//! `--cfg loom` the loom files compile to nothing and `cargo test -p genserver-checks` runs
//! the plain `std` tests of the broken variants and the mini runtime.
//!
//! A broken variant's test runs its model in a child process (the same test binary, filtered
//! to that test; see `model::check_rejected`) and panics with loom's verdict, which
//! `#[should_panic(expected = ...)]` matches: when loom rejects a model it unwinds every model
//! thread with none of them active, and a destructor that calls into loom on the way (a reply
//! token failing its call, a loom `Arc`) aborts the process.
//!
//! # How to debug a failure
//!
//! - `LOOM_LOG=trace` prints every step of every execution (pipe it to a file); with
//!   `LOOM_LOCATION=1` each step names the source line of the loom operation (slow).
//! - To replay only the failing execution: build with loom's `checkpoint` feature
//!   (`--features checkpoint` of this crate) and set `LOOM_CHECKPOINT_FILE=/tmp/loom.json`
//!   with `LOOM_CHECKPOINT_INTERVAL=1`, running one model only (a test filter): the path of
//!   the last execution is saved there, and a rerun with the same file starts from it; then
//!   add `LOOM_LOG=trace LOOM_LOCATION=1` to see it step by step.
//! - Run one model with the test filter, e.g. `... cargo test -p genserver-checks --release
//!   --test loom_link -- link_reply_races_timeout --nocapture`.
//!
//! # Limitations
//!
//! - Loom has no time: timeouts are the explicit `abandon`; the runtime's timers and a
//!   server's timed wait are not modelled (under loom they wait untimed), a chatty server's
//!   spin before sleeping is left out, and `Server::call`'s 5 s deadline, read from the real
//!   clock, never passes in an execution.
//! - `ReplyTo` keeps its copies in a `std::sync::Arc` (it needs `Weak`, which loom 0.7 does
//!   not have), so loom does not interleave at the token's reference count, nor check it for
//!   leaks; it does interleave at every lock the token's delivery takes.
//! - Servers are tasks of a tokio runtime normally; under loom each server's future runs on
//!   a loom thread of its own (`loom::future::block_on`), so the models check the runtime's
//!   own server loop, mailbox and wakers, not tokio's scheduler. The mailbox's lock is a
//!   spin lock that yields (`spin`'s) normally and loom's mutex under loom (the same
//!   critical sections).
//! - Bounded, not unbounded: interleavings with more than 3 preemptions are not explored, and
//!   the models are small (2 producers of 3 messages, 1 or 2 clients, 1 call each).
//! - The mini runtime is a copy: it shows that the end-to-end models can fail; the models'
//!   passing verdicts come from the real `Runtime`.
//! - Loom threads carry no names and `genserver`'s self-call check through handles is off
//!   under loom (see `core/src/runtime/current.rs`).
#![forbid(unsafe_code)]

pub mod api;
pub mod broken;
#[cfg(loom)]
pub mod model;
#[cfg(not(loom))]
pub mod node;
pub mod sync;

/// Whether this build runs on loom (`--cfg loom`): its doctests then skip themselves, since
/// loom's types work only inside a loom model.
#[doc(hidden)]
pub const UNDER_LOOM: bool = cfg!(loom);
