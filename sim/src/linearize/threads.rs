//! Histories from real runs: the calls a [`Threads`] scenario's clients make, recorded in
//! real-time order as they run, and checked against the same model the simulator checks.
//!
//! [`Threads`]: genserver::runtime::Threads

use std::any::Any;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use genserver::runtime::CallObserver;
use genserver::{CallError, ProcessId};

use super::attach::{Recording, failed};
use super::{History, Linearizable, Model, OpId, Verdict, check};

/// The history of a real run's calls to a model's servers: hand it to
/// [`Threads::observe`](genserver::runtime::Threads::observe), run, then check it. A call
/// that failed or timed out stays pending (it may have taken effect or not).
///
/// ```
/// use genserver::runtime::Threads;
/// use genserver::Stage;
/// use genserver_sim::linearize::{Linearizable, Model};
/// use genserver_sim::zoo::counter::{Counter, CounterCall};
///
/// /// The counter's sequential model: its value.
/// #[derive(Clone, PartialEq, Eq, Hash)]
/// struct Value(i64);
///
/// impl Model for Value {
///     type Op = CounterCall;
///     type Ret = i64;
///     type Key = ();
///     fn step(&mut self, op: &CounterCall) -> i64 {
///         match op {
///             CounterCall::Increment => self.0 += 1,
///             CounterCall::Get => {}
///             CounterCall::Set(value) => self.0 = *value,
///         }
///         self.0
///     }
/// }
///
/// let mut threads = Threads::new();
/// let counter = threads.spawn::<Counter>("counter", 0);
/// for name in ["a", "b"] {
///     threads.client(name, async move |cx| {
///         cx.call(counter, CounterCall::Increment).await?;
///         cx.call(counter, CounterCall::Get).await?;
///         Ok(())
///     });
/// }
/// let model = Linearizable::new(Value(0)).server(counter, |call| Some(call.clone()), |&n| n);
/// let recorder = model.recorder();
/// threads.observe(recorder.clone());
/// threads.run().unwrap();
/// let recorded = recorder.lock().unwrap();
/// assert_eq!(recorded.history().len(), 4);
/// assert_eq!(recorded.failure(), None);
/// ```
pub struct Recorder<M: Model> {
    spec: Linearizable<M>,
    recording: Recording<M>,
}

impl<M: Model> Linearizable<M> {
    /// A recorder of real runs' calls to this model's servers, shared with the run.
    pub fn recorder(self) -> Arc<Mutex<Recorder<M>>> {
        Arc::new(Mutex::new(Recorder {
            spec: self,
            recording: Recording::new(),
        }))
    }
}

impl<M: Model> Recorder<M> {
    /// The operations recorded so far (positions are their order in real time).
    pub fn history(&self) -> &History<M::Op, M::Ret> {
        &self.recording.history
    }

    /// Whether the history is linearizable against the model.
    pub fn verdict(&self) -> Verdict<M::Key> {
        check(&self.spec.initial, &self.recording.history)
    }

    /// What is wrong with the history, in words (which client's operation cannot follow
    /// any linearizable order of the ones before it), or `None` if it is linearizable.
    pub fn failure(&self) -> Option<String>
    where
        M::Op: Clone + Debug,
        M::Ret: Clone + Debug,
    {
        let names = |client: ProcessId| format!("client {client}");
        let failed = failed(
            &self.spec.initial,
            &self.recording.history,
            |_| true,
            &names,
        )?;
        Some(failed.message)
    }
}

impl<M> CallObserver for Recorder<M>
where
    M: Model + Send,
    M::Op: Send,
    M::Ret: Send,
{
    fn invoke(&mut self, client: ProcessId, server: ProcessId, request: &dyn Any) -> Option<u64> {
        let op = self.recording.invoke(&self.spec, client, server, request)?;
        Some(op.0 as u64)
    }

    fn respond(&mut self, call: u64, outcome: Result<&dyn Any, &CallError>) {
        if let Ok(reply) = outcome {
            let op = OpId(usize::try_from(call).expect("an operation's index"));
            self.recording.respond(&self.spec, op, reply);
        }
    }
}
