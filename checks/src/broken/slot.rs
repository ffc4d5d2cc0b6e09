//! The slot of core's `ReplyLink`, copied unchanged, for the broken links' [`BaseLink`].
//!
//! [`BaseLink`]: super::BaseLink

use genserver::CallError;

/// Where a reply link keeps its one outcome.
pub enum Slot<R> {
    /// No outcome yet; the caller still waits.
    Waiting,
    /// An outcome was delivered and not taken yet.
    Done(Result<R, CallError>),
    /// The caller took the outcome.
    Taken,
    /// The caller gave up (its timeout fired): later outcomes are refused.
    Abandoned,
}

/// Takes a delivered outcome, leaving `Taken`; any other state is left as it was.
pub(crate) fn take<R>(slot: &mut Slot<R>) -> Option<Result<R, CallError>> {
    match std::mem::replace(slot, Slot::Taken) {
        Slot::Done(outcome) => Some(outcome),
        Slot::Taken => None,
        other => {
            *slot = other;
            None
        }
    }
}
