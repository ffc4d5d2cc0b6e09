//! An operation history: what each client asked, when, and what it got back.

use std::fmt;

/// The index of an operation in its [`History`], in the order the operations were invoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub usize);

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "op {}", self.0)
    }
}

/// How an operation ended: when, and with what output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response<Ret> {
    /// The position of the response (a time or a step number, in the history's own unit).
    pub at: u64,
    /// What the operation returned.
    pub output: Ret,
}

/// One operation of a history: a client's call from its invocation to its response.
///
/// An operation without a response (it timed out, or failed in a way that says nothing of
/// whether it happened) is *pending*: it may have taken effect at any point after its
/// invocation, or not at all, as in Knossos and Porcupine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<Op, Ret> {
    /// The client (or process) that called.
    pub client: u64,
    /// What it asked for.
    pub input: Op,
    /// The position of the invocation (a time or a step number).
    pub invoke: u64,
    /// The response, or `None` for a pending operation.
    pub response: Option<Response<Ret>>,
}

impl<Op, Ret> Operation<Op, Ret> {
    /// Whether the operation never returned.
    pub fn is_pending(&self) -> bool {
        self.response.is_none()
    }

    /// The output, if the operation returned.
    pub fn output(&self) -> Option<&Ret> {
        self.response.as_ref().map(|response| &response.output)
    }

    /// Whether this operation returned before `later` was invoked (real-time order). At equal
    /// positions the two overlap.
    pub fn precedes<Other>(&self, later: &Operation<Op, Other>) -> bool {
        self.response
            .as_ref()
            .is_some_and(|response| response.at < later.invoke)
    }
}

/// A history of operations, recorded event by event or pushed whole.
///
/// Record it as it happens: [`History::invoke`] when a client calls (the position is the next
/// event number), [`History::ret`] when the call returns; an operation never returned stays
/// pending. The `_at` variants take positions of your own (virtual times, step numbers), which
/// must not go backwards for one operation.
///
/// ```
/// use genserver_sim::linearize::History;
///
/// let mut history = History::new();
/// let write = history.invoke(1, "write 1");
/// let read = history.invoke(2, "read");
/// history.ret(write, None);
/// history.ret(read, Some(1));
/// let lost = history.invoke(1, "write 2"); // times out: pending
/// assert_eq!(history.len(), 3);
/// assert!(history[lost].is_pending());
/// assert!(!history[write].precedes(&history[read]));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History<Op, Ret> {
    operations: Vec<Operation<Op, Ret>>,
    /// The position [`History::invoke`] and [`History::ret`] give the next event.
    next: u64,
}

impl<Op, Ret> Default for History<Op, Ret> {
    fn default() -> Self {
        History::new()
    }
}

impl<Op, Ret> History<Op, Ret> {
    /// An empty history.
    pub fn new() -> Self {
        History {
            operations: Vec::new(),
            next: 0,
        }
    }

    /// Records that `client` invoked `input`, at the next event position.
    pub fn invoke(&mut self, client: u64, input: Op) -> OpId {
        let at = self.next;
        self.invoke_at(client, input, at)
    }

    /// Records that `client` invoked `input` at position `at`.
    pub fn invoke_at(&mut self, client: u64, input: Op, at: u64) -> OpId {
        self.push(Operation {
            client,
            input,
            invoke: at,
            response: None,
        })
    }

    /// Records that operation `id` returned `output`, at the next event position.
    ///
    /// # Panics
    ///
    /// If `id` already returned or is not in the history.
    pub fn ret(&mut self, id: OpId, output: Ret) {
        let at = self.next;
        self.ret_at(id, output, at)
    }

    /// Records that operation `id` returned `output` at position `at`.
    ///
    /// # Panics
    ///
    /// If `id` already returned or is not in the history, or `at` is before its invocation.
    pub fn ret_at(&mut self, id: OpId, output: Ret, at: u64) {
        let operation = &mut self.operations[id.0];
        assert!(operation.response.is_none(), "{id} returned twice");
        assert!(
            at >= operation.invoke,
            "{id} returns at {at}, before its invocation at {}",
            operation.invoke
        );
        operation.response = Some(Response { at, output });
        self.next = self.next.max(at.saturating_add(1));
    }

    /// Adds a whole operation (for histories built from a log).
    ///
    /// # Panics
    ///
    /// If its response comes before its invocation.
    pub fn push(&mut self, operation: Operation<Op, Ret>) -> OpId {
        let end = match &operation.response {
            Some(response) => {
                assert!(
                    response.at >= operation.invoke,
                    "an operation returns at {}, before its invocation at {}",
                    response.at,
                    operation.invoke
                );
                response.at
            }
            None => operation.invoke,
        };
        self.next = self.next.max(end.saturating_add(1));
        self.operations.push(operation);
        OpId(self.operations.len() - 1)
    }

    /// The operations, in the order they were added.
    pub fn operations(&self) -> &[Operation<Op, Ret>] {
        &self.operations
    }

    /// The operations, taken out of the history.
    pub fn into_operations(self) -> Vec<Operation<Op, Ret>> {
        self.operations
    }

    /// How many operations the history holds.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether the history holds no operation.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The operations with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (OpId, &Operation<Op, Ret>)> {
        self.operations
            .iter()
            .enumerate()
            .map(|(index, operation)| (OpId(index), operation))
    }
}

impl<Op, Ret> std::ops::Index<OpId> for History<Op, Ret> {
    type Output = Operation<Op, Ret>;

    fn index(&self, id: OpId) -> &Operation<Op, Ret> {
        &self.operations[id.0]
    }
}

impl<Op, Ret> FromIterator<Operation<Op, Ret>> for History<Op, Ret> {
    fn from_iter<I: IntoIterator<Item = Operation<Op, Ret>>>(iter: I) -> Self {
        let mut history = History::new();
        for operation in iter {
            history.push(operation);
        }
        history
    }
}
