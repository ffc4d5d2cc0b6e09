//! Type-erased messages, as effects carry them between servers of different types.

use std::any::Any;
use std::fmt::Debug;

/// Anything that can travel between processes: sendable and printable for traces.
///
/// Implemented for every `Any + Debug + Send` type; engines downcast at the receiver.
pub trait Message: Any + Debug + Send {}

impl<T: Any + Debug + Send> Message for T {}

/// A boxed message of any type.
pub type AnyMessage = Box<dyn Message>;

/// Recovers the concrete type of an erased message, or gives the box back.
pub fn downcast<T: Any>(msg: AnyMessage) -> Result<T, AnyMessage> {
    if (&*msg as &dyn Any).is::<T>() {
        let any: Box<dyn Any> = msg;
        Ok(*any.downcast::<T>().expect("type checked above"))
    } else {
        Err(msg)
    }
}

/// Why a server stops when a message of the wrong type reaches it, through a hand-made
/// [`crate::ServerRef`] that names a server of another type: `handle_cast: message of the
/// wrong type: …` (`request` for a call). The receiver stops, as an Erlang server whose
/// callback matches no clause; both engines give this reason.
pub fn misfit(callback: &str, msg: &AnyMessage) -> crate::ExitReason {
    let what = match callback {
        "handle_call" => "request",
        _ => "message",
    };
    let shown = crate::guard::render(|| format!("{msg:?}"));
    crate::ExitReason::Panic(format!("{callback}: {what} of the wrong type: {shown}"))
}

/// The text of a caught panic's payload (`panic!` with a literal or a formatted message), as
/// engines put it in [`crate::ExitReason::Panic`].
pub fn panic_text(panic: &(dyn Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}
