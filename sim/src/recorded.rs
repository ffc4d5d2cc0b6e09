//! Failures seen on real threads, replayed in the simulator.
//!
//! A [`Threads`](genserver::runtime::Threads) scenario run with
//! [`record`](genserver::runtime::Threads::record) notes, for every process, the order in
//! which it took its inputs: which sender's message, which timer, whether each of its calls
//! was answered or timed out. [`recorded_trace`] writes that down as a trace of strategy
//! `recorded`; [`follow_recording`] runs the same scenario in the simulator, built as a
//! [`System`](crate::System), through the same per-process orders (a server's `n`-th input
//! from a sender is the same message on both engines: both keep one FIFO per sender and
//! receiver). The run it gives is an ordinary simulated run: its trace replays, shrinks and
//! renders like any other. [`Around`] runs the orders near it (up to `d` detours from it):
//! which of them fail, or whether a fix removes every failure there. [`Soak`] runs a
//! scenario on threads again and again and keeps the recordings of the runs that failed.
//!
//! ```
//! use genserver::runtime::Threads;
//! use genserver::Stage;
//! use genserver_sim::recorded::{follow_recording, recorded_trace};
//! use genserver_sim::zoo::counter::{Counter, CounterCall};
//! use genserver_sim::World;
//!
//! // A scenario written once, for both engines.
//! fn scenario(stage: &mut impl Stage) {
//!     let counter = stage.spawn::<Counter>("counter", 0);
//!     for name in ["a", "b"] {
//!         stage.client(name, async move |cx| {
//!             let seen = cx.call(counter, CounterCall::Get).await?;
//!             cx.call(counter, CounterCall::Set(seen + 1)).await?;
//!             Ok(())
//!         });
//!     }
//! }
//!
//! let mut threads = Threads::new().record();
//! scenario(&mut threads);
//! let outcome = threads.run();
//! let recording = threads.recording().unwrap();
//! let trace = recorded_trace("counter-race", &recording, &outcome);
//!
//! let system = |world: &mut World| scenario(world);
//! let followed = follow_recording(&system, &trace, false).unwrap();
//! // Every process took all its recorded inputs, in the recorded order.
//! assert!(followed.same_orders());
//! ```

mod around;
mod follow;
pub(crate) mod orders;
mod soak;
mod write;

pub use around::{Around, AroundReport, Variation};
pub use follow::{FollowedRecording, follow_recording};
pub use orders::{Orders, RecordedInput};
pub use soak::{Soak, SoakReport, record};
pub use write::{RECORDED, recorded_trace};
