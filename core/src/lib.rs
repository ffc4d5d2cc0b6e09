//! Erlang/OTP-style genservers: write a server as sequential callbacks, run it concurrently.
//!
//! A [`GenServer`] is a pure state machine. Its callbacks change only its own state and record
//! what they want done (reply, cast, call, send, timers, continue, stop) as [`Effect`]s in a
//! [`Ctx`]. Two engines interpret those effects: the [`Runtime`] here (servers as tasks on a
//! small pool of worker threads, so a process holds a million of them), and the
//! deterministic simulator of the `genserver-sim` crate, which runs the very same servers in
//! every message order the semantics allow.
//!
//! # Example: the GenServers.jl stack
//!
//! ```
//! use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime};
//!
//! struct Stack(Vec<i64>);
//!
//! impl GenServer for Stack {
//!     type Args = Vec<i64>;
//!     type Call = ();          // pop
//!     type Reply = Option<i64>;
//!     type Cast = i64;         // push
//!     type Info = ();
//!     type Continue = ();
//!
//!     fn init(items: Vec<i64>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
//!         Ok(Stack(items))
//!     }
//!     fn handle_call(&mut self, _: (), _: ReplyTo<Option<i64>>, _: &mut Ctx<Self>)
//!         -> CallResult<Option<i64>> {
//!         CallResult::Reply(self.0.pop())
//!     }
//!     fn handle_cast(&mut self, item: i64, _: &mut Ctx<Self>) {
//!         self.0.push(item);
//!     }
//! }
//!
//! let rt = Runtime::new();
//! let stack = rt.start::<Stack>(vec![1, 2, 3]).unwrap();
//! stack.cast(4);
//! assert_eq!(stack.query(|s| s.0.clone()), Ok(vec![1, 2, 3, 4]));
//! assert_eq!(stack.call(()), Ok(Some(4)));
//! assert_eq!(stack.query(|s| s.0.clone()), Ok(vec![1, 2, 3]));
//! ```
//!
//! # Semantics
//!
//! Calls time out after 5 s by default ([`Timeout`]); a call to a dead or unknown server fails
//! at once with [`CallError::NoProcess`]; a server that exits fails every queued and pending
//! call at once with its [`ExitReason`]; a panicking callback stops the server with
//! [`ExitReason::Panic`] after running `terminate` (a panic in the `handle_info` that receives
//! the outcome of a call a handler made crashes that handler too: its reply is never sent and
//! the effects it recorded after the call are not carried out); a reply after the caller's timeout is
//! discarded; messages from one sender arrive in the order sent; a server calling itself gets
//! [`CallError::CallingSelf`].
//!
//! Links, monitors, exit signals, kills and child starts are effects too ([`Ctx::link`],
//! [`Ctx::monitor`], [`Ctx::exit`], [`Ctx::kill`], [`Ctx::start`]); exits reach a server as
//! [`GenServer::handle_down`] and, when it traps exits, [`GenServer::handle_exit`]. The
//! [`supervisor`] module builds OTP's supervisors from them, for either engine.
//!
//! # Clients as plain code
//!
//! A client is an `async` closure over a [`Cx`]: `cx.call(server, request).await?` gives the
//! typed reply, `cx.cast(..)` sends, `cx.sleep(d).await` waits, and it ends with `Ok(())` or
//! a failed [`Check`]. A scenario written over [`Stage`] (servers and clients) runs on real
//! threads with [`runtime::Threads`] and, unchanged, in the simulator of `genserver-sim`,
//! which tries its message orders.
//!
//! # Concurrency checking
//!
//! The runtime's mailbox and reply link take their primitives from one shim module that is
//! `loom` under `cfg(loom)`; the `genserver-checks` crate model-checks them exhaustively.
//! They, and the rest of the plumbing the engines are built from, live in the hidden
//! `genserver::engine` module: not part of the documented API.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod effect;
mod error;
mod fork;
mod guard;
mod ids;
mod kernel;
mod message;
mod process;
mod reason;
mod reply;
pub mod rules;
pub mod runtime;
mod server;
mod signal;
mod spawn;
pub mod supervisor;
mod sync;
mod timeout;

pub use client::{Call, Check, ClientResult, Cx, Sleep, Stage};
pub use effect::{Command, Ctx, Effect, OnOutcome, OnStarted};
pub use error::{CallError, ExecutorError, Full, ServerError, StartError};
pub use ids::{CallTag, MonitorRef, ProcessId, ServerRef, TimerId};
pub use message::{AnyMessage, Message, downcast, panic_text};
pub use reason::ExitReason;
pub use reply::{ReplyTo, WeakReplyTo};
pub use runtime::{OnFull, PendingCall, Runtime, Server, ShutdownReport, Stopped};
pub use server::{CallResult, GenServer};
pub use signal::{Down, ExitSignal};
pub use spawn::{ChildStart, Spawn, StartOptions};
pub use timeout::Timeout;

/// The plumbing the engines are built from, for the engines and their checks only: not
/// part of the documented API, and it changes with the engines. The threaded runtime's
/// mailbox, reply link and interrupt (the loom models of `genserver-checks` check them, and
/// the runtime benchmark measures the mailbox alone); the kernel both engines keep (the
/// [`rules`] written once); the reply sink, the erased child start and the client engine the
/// simulator drives.
#[doc(hidden)]
pub mod engine {
    pub use crate::client::ClientEngine;
    pub use crate::fork::forking;
    pub use crate::guard::{guarded, in_user_code, render};
    pub use crate::ids::{renamed, watching_ids};
    pub use crate::kernel::{Arrival, Kernel, Notice, Retired};
    pub use crate::message::misfit;
    pub use crate::process::{Action, Command, Output, Process, Settle, Status};
    pub use crate::reply::{CallCell, ReplySink};
    pub use crate::runtime::{Bound, Doom, Interrupt, Mailbox, ReplyLink};
    pub use crate::spawn::ErasedStart;
    pub use crate::sync::block_on;
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
