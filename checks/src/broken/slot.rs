//! The slot of core's `ReplyLink`, copied unchanged, shared by the broken link variants.

use genserver::CallError;

pub(crate) enum Slot<R> {
    Waiting,
    Done(Result<R, CallError>),
    Taken,
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
