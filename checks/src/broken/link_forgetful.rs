//! BUG (leaks): a reply arriving after the caller gave up is "discarded" with `mem::forget`
//! (say, to keep user destructors off the server thread), so whatever it owns is never freed.
//!
//! Caught by `late_reply_is_dropped` (tests/loom_link.rs): the late reply owns a loom `Arc`,
//! which loom reports leaked at the end of the execution.

use genserver::CallError;

use super::link_base::{BaseLink, LinkFlaw};

/// The flaw of [`ForgetfulLink`].
pub struct Forgetful;

/// [`genserver::engine::ReplyLink`] that forgets late outcomes instead of dropping them.
pub type ForgetfulLink<R> = BaseLink<R, Forgetful>;

impl LinkFlaw for Forgetful {
    fn discard<R>(outcome: Result<R, CallError>) {
        // BUG: should be a plain drop.
        std::mem::forget(outcome);
    }
}
