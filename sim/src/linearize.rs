//! Linearizability checking: is a history of concurrent calls explained by a sequential
//! model?
//!
//! A history ([`History`]) records each client's operations with their invocation and
//! response positions (times or step numbers) and outputs; an operation that never returned
//! (it timed out) is pending, and may have taken effect or not. A model ([`Model`]) says what
//! the server should do, as plain sequential code. [`check`] decides whether some sequential
//! order of the operations respects real time (an operation that returned before another was
//! invoked comes first) and gives every completed operation the output it really got
//! (Herlihy & Wing's linearizability).
//!
//! The search is Wing & Gong's, with Lowe's memoisation of (linearized set, state) pairs, as
//! in Porcupine; operations on independent keys ([`Model::partition`]) are checked one key at
//! a time (P-compositionality). A failure names the partition, the longest linearizable
//! prefix the search found and the operation that cannot follow it ([`Violation`]).
//! [`naive::is_linearizable`] tries every order instead, as a baseline for tests and
//! benchmarks.
//!
//! ```
//! use genserver_sim::linearize::{History, Model, Verdict, check};
//!
//! /// A register holding one number.
//! #[derive(Clone, PartialEq, Eq, Hash)]
//! struct Register(u32);
//!
//! #[derive(Debug, PartialEq)]
//! enum Op { Write(u32), Read }
//!
//! impl Model for Register {
//!     type Op = Op;
//!     type Ret = Option<u32>; // what a read returns; `None` for a write
//!     type Key = ();
//!
//!     fn step(&mut self, op: &Op) -> Option<u32> {
//!         match *op {
//!             Op::Write(value) => { self.0 = value; None }
//!             Op::Read => Some(self.0),
//!         }
//!     }
//! }
//!
//! // Client 1 writes 1 while client 2 reads 1 then 0.
//! let mut history = History::new();
//! let write = history.invoke(1, Op::Write(1));
//! let first = history.invoke(2, Op::Read);
//! history.ret(first, Some(1));
//! let second = history.invoke(2, Op::Read);
//! history.ret(second, Some(0));
//! history.ret(write, None);
//!
//! // Once a read saw the write, a later read cannot see the value before it.
//! let Verdict::NotLinearizable(violation) = check(&Register(0), &history) else {
//!     panic!("linearizable?");
//! };
//! assert_eq!(violation.prefix, [write, first]);
//! assert_eq!(violation.blocked, second);
//!
//! // Had the second read seen 1, all would be well.
//! let mut fine = History::new();
//! let write = fine.invoke(1, Op::Write(1));
//! let first = fine.invoke(2, Op::Read);
//! fine.ret(first, Some(1));
//! let second = fine.invoke(2, Op::Read);
//! fine.ret(second, Some(1));
//! fine.ret(write, None);
//! assert_eq!(check(&Register(0), &fine), Verdict::Linearizable);
//! ```

pub(crate) mod attach;
mod bitset;
mod entries;
mod generate;
mod history;
mod model;
pub mod naive;
mod partition;
mod threads;
mod verdict;
mod wgl;
mod workload;

pub use attach::Linearizable;
pub use generate::GenRng;
pub use history::{History, OpId, Operation, Response};
pub use model::Model;
pub use threads::Recorder;
pub use verdict::{Verdict, Violation};
pub use workload::{Workload, WorkloadModel, WorkloadServer};

/// Decides whether `history` is linearizable against the model, starting from `initial`.
///
/// The history is split by [`Model::partition`]; each partition is searched on its own, from
/// `initial`, in key order, and the first that fails is reported. Deterministic: the same
/// history and model give the same verdict and the same violation.
pub fn check<M: Model>(initial: &M, history: &History<M::Op, M::Ret>) -> Verdict<M::Key> {
    check_parts(initial, history, |_| true)
}

/// [`check`] of the partitions `wanted` accepts only (by key; `None` is the whole history,
/// when some operation has no key).
pub(crate) fn check_parts<M: Model>(
    initial: &M,
    history: &History<M::Op, M::Ret>,
    wanted: impl Fn(&Option<M::Key>) -> bool,
) -> Verdict<M::Key> {
    let parts = partition::partitions::<M>(history).into_iter();
    for (key, ids) in parts.filter(|(key, _)| wanted(key)) {
        let operations: Vec<_> = ids.iter().map(|&id| &history[id]).collect();
        if let Err(stuck) = wgl::search(initial, &ids, &operations) {
            return Verdict::NotLinearizable(Violation {
                partition: key,
                prefix: stuck.prefix,
                blocked: stuck.blocked,
            });
        }
    }
    Verdict::Linearizable
}
