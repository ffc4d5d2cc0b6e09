//! What the checker decides.

use std::fmt;

use super::history::OpId;

/// Whether a history is linearizable against a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict<Key> {
    /// Every completed operation (and any pending ones that fit) can be put in one sequential
    /// order that respects real time and in which each output is what the model returns.
    Linearizable,
    /// No such order exists; the violation says where the search got furthest.
    NotLinearizable(Violation<Key>),
}

impl<Key> Verdict<Key> {
    /// Whether the history is linearizable.
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Verdict::Linearizable)
    }

    /// The violation, if the history is not linearizable.
    pub fn violation(&self) -> Option<&Violation<Key>> {
        match self {
            Verdict::Linearizable => None,
            Verdict::NotLinearizable(violation) => Some(violation),
        }
    }
}

/// Where a non-linearizable history fails: in which partition, after which operations.
///
/// Partitions are checked in key order and the first that fails is reported. Within it,
/// `prefix` is the deepest attempt of the search: operations linearized in that order (each
/// output fits, real time is respected), after which `blocked`, an operation that had
/// already returned, could not be placed: neither it nor any operation concurrent with it
/// could go next. Another search order could stop elsewhere; this one is deterministic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation<Key> {
    /// The key of the failing partition, or `None` if the history was checked as a whole.
    pub partition: Option<Key>,
    /// The longest linearizable prefix found, in linearization order.
    pub prefix: Vec<OpId>,
    /// The completed operation that cannot be placed after `prefix`.
    pub blocked: OpId,
}

impl<Key: fmt::Debug> fmt::Display for Violation<Key> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not linearizable")?;
        if let Some(key) = &self.partition {
            write!(f, " (partition {key:?})")?;
        }
        write!(f, ": {} cannot be placed after [", self.blocked)?;
        for (index, id) in self.prefix.iter().enumerate() {
            if index > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{}", id.0)?;
        }
        write!(f, "]")
    }
}
