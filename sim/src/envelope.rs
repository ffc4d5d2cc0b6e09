//! Messages in flight between two processes, and how they are rendered in traces.

use std::fmt;

use genserver::{AnyMessage, CallError, CallTag};

/// The outcome of a call as it travels back to the caller, type-erased.
pub type CallOutcome = Result<AnyMessage, CallError>;

/// What a message carries.
pub(crate) enum Body {
    /// A call request; the sender is the caller.
    Call {
        /// The caller's tag for this call.
        tag: CallTag,
        /// The receiver's `Call` value.
        request: AnyMessage,
    },
    /// A cast.
    Cast(AnyMessage),
    /// An info message.
    Info(AnyMessage),
    /// The outcome of call `tag`, on its way to the caller.
    Reply {
        /// The call answered.
        tag: CallTag,
        /// Its outcome.
        outcome: CallOutcome,
    },
}

impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Call { tag, request } => write!(f, "call #{} {request:?}", tag.0),
            Body::Cast(msg) => write!(f, "cast {msg:?}"),
            Body::Info(msg) => write!(f, "info {msg:?}"),
            Body::Reply { tag, outcome } => {
                write!(f, "reply #{} ", tag.0)?;
                render_outcome(f, outcome)
            }
        }
    }
}

/// Renders an outcome as `Ok(value)` or `Err(reason)`.
pub(crate) fn render_outcome(f: &mut fmt::Formatter<'_>, outcome: &CallOutcome) -> fmt::Result {
    match outcome {
        Ok(value) => write!(f, "Ok({value:?})"),
        Err(error) => write!(f, "Err({error})"),
    }
}

/// A message in a sender→receiver queue.
pub(crate) struct Envelope {
    /// When it may be delivered (virtual nanoseconds): send time plus latency and delays.
    pub due: u64,
    /// The step that sent it (0: while the system was built).
    pub sent: u64,
    /// What it carries.
    pub body: Body,
}
