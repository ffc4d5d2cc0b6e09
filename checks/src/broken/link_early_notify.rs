//! BUG (loses the wake-up): `complete` notifies the caller before it stores the outcome. A
//! caller that checks the slot between the two goes to sleep after the only notification was
//! sent, and never wakes: server death (or any outcome) leaves the caller hanging.
//!
//! Caught by `server_death_wakes_caller` (tests/loom_link.rs) and, in the mini runtime, by
//! `call_returns_reply` (tests/loom_runtime.rs): loom notifies before the caller looks and
//! parks the caller after, with nobody left to wake it: a deadlock.

use genserver::CallError;

use super::link_base::{BaseLink, LinkFlaw};

/// The flaw of [`EarlyNotifyLink`].
pub struct EarlyNotify;

/// [`genserver::engine::ReplyLink`] that notifies before storing the outcome.
pub type EarlyNotifyLink<R> = BaseLink<R, EarlyNotify>;

impl LinkFlaw for EarlyNotify {
    fn complete<R>(link: &BaseLink<R, Self>, outcome: Result<R, CallError>) -> bool {
        // BUG: the notification goes out before the outcome is there to be seen.
        link.notify();
        link.store(outcome)
    }
}
