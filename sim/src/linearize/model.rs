//! The sequential model a history is checked against, written once by the user.

use std::fmt::Debug;
use std::hash::Hash;

/// What a server should do, as plain sequential code: the model is its own state.
///
/// The checker starts from an initial model (a value you give it), and to linearize an
/// operation clones the model and calls [`Model::step`]; the operation fits if the output
/// equals what the real operation returned (a pending operation fits with any output).
/// States are compared and hashed to prune the search (`Eq` and `Hash` must agree), so keep
/// the state small and canonical (a `BTreeMap` rather than a `Vec` of pairs in any order).
///
/// **Partitions** (P-compositionality): if operations on different keys never affect each
/// other, say so with [`Model::partition`]; the history's operations are then split by key
/// and each part is checked on its own, from the initial model, which is much faster than
/// checking the whole. A model of one key's value with the key in the operation is enough:
///
/// ```
/// use genserver_sim::linearize::Model;
///
/// /// One key's value; the operations name the key.
/// #[derive(Clone, PartialEq, Eq, Hash, Default)]
/// struct Cell(Option<u32>);
///
/// #[derive(PartialEq)]
/// enum Op { Put(u8, u32), Get(u8) }
///
/// impl Model for Cell {
///     type Op = Op;
///     type Ret = Option<u32>;
///     type Key = u8;
///
///     fn step(&mut self, op: &Op) -> Option<u32> {
///         match *op {
///             Op::Put(_, value) => self.0.replace(value),
///             Op::Get(_) => self.0,
///         }
///     }
///
///     fn partition(op: &Op) -> Option<u8> {
///         match *op { Op::Put(key, _) | Op::Get(key) => Some(key) }
///     }
/// }
/// ```
pub trait Model: Clone + Eq + Hash {
    /// An operation's input. Two pending operations with equal inputs are interchangeable:
    /// the checker tries the one invoked first only.
    type Op: PartialEq;
    /// An operation's output.
    type Ret: PartialEq;
    /// The key operations are partitioned by (`()` if they are not).
    type Key: Ord + Clone + Debug;

    /// Applies `op` to the state and returns what it returns.
    fn step(&mut self, op: &Self::Op) -> Self::Ret;

    /// The key `op` works on, if operations on different keys are independent; `None` for an
    /// operation that may touch more than one key. The default, `None` for every operation,
    /// checks the history as a whole; so does any `None` in a history.
    fn partition(op: &Self::Op) -> Option<Self::Key> {
        let _ = op;
        None
    }
}
