//! Messages in flight between two processes, and how they are rendered in traces.

use std::cell::{Cell, OnceCell};
use std::fmt;
use std::rc::Rc;

use genserver::{AnyMessage, CallError, CallTag, ExitReason, MonitorRef};

use crate::search::interner::Label;
use crate::world::erased_server::{LINE, guarded, hash_fmt};
use crate::world::fingerprint::hash_with;
use crate::world::fork::Cloners;
use crate::world::naming::{Name, write_number};

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
    /// A monitor's `Down`: the sender (the watched process) exited, or never existed.
    Down {
        /// The watcher's monitor.
        monitor: MonitorRef,
        /// The sender's exit reason.
        reason: ExitReason,
    },
    /// An exit signal from the sender.
    Exit {
        /// The reason carried ([`ExitReason::Killed`] for a kill).
        reason: ExitReason,
        /// An untrappable kill (`Effect::Kill`).
        kill: bool,
        /// Sent because of a link (an unlink voids it while in flight).
        link: bool,
    },
}

/// Every kind of message, as labels name them ([`Body::kind`]).
pub(crate) const KINDS: [&str; 7] = [
    "call",
    "cast",
    "info",
    "reply",
    "down",
    "exit signal",
    "kill",
];

impl Body {
    /// A copy, if `cloners` can copy what it carries.
    pub fn copy(&self, cloners: &Cloners) -> Option<Body> {
        Some(match self {
            Body::Call { tag, request } => Body::Call {
                tag: *tag,
                request: cloners.copy(request)?,
            },
            Body::Cast(msg) => Body::Cast(cloners.copy(msg)?),
            Body::Info(msg) => Body::Info(cloners.copy(msg)?),
            Body::Reply { tag, outcome } => Body::Reply {
                tag: *tag,
                outcome: cloners.copy_outcome(outcome)?,
            },
            Body::Down { monitor, reason } => Body::Down {
                monitor: *monitor,
                reason: reason.clone(),
            },
            Body::Exit { reason, kill, link } => Body::Exit {
                reason: reason.clone(),
                kill: *kill,
                link: *link,
            },
        })
    }

    /// Whether this is an exit signal (a kill included).
    pub fn is_exit(&self) -> bool {
        matches!(self, Body::Exit { .. })
    }

    /// The kind of message, as labels name it (one of [`KINDS`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Call { .. } => "call",
            Body::Cast(_) => "cast",
            Body::Info(_) => "info",
            Body::Reply { .. } => "reply",
            Body::Down { .. } => "down",
            Body::Exit { kill: true, .. } => "kill",
            Body::Exit { .. } => "exit signal",
        }
    }

    /// What the message carries, for people (empty for a kill).
    pub fn payload(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Call { request, .. } => write!(f, "{request:?}"),
            Body::Cast(msg) | Body::Info(msg) => write!(f, "{msg:?}"),
            Body::Reply { outcome, .. } => render_outcome(f, outcome),
            Body::Down { reason, .. }
            | Body::Exit {
                reason,
                kill: false,
                ..
            } => {
                write!(f, "{reason}")
            }
            Body::Exit { kill: true, .. } => Ok(()),
        }
    }
}

impl Body {
    /// The part of [`Body`]'s trace text before its payload: the kind and the call's or
    /// monitor's number, then the space before the payload (none for a kill, which has none).
    fn head(&self, f: &mut impl fmt::Write) -> fmt::Result {
        f.write_str(self.kind())?;
        let number = match self {
            Body::Call { tag, .. } | Body::Reply { tag, .. } => Some(tag.0),
            Body::Down { monitor, .. } => Some(monitor.0),
            _ => None,
        };
        if let Some(number) = number {
            // Written at every send and delivery with the trace on: no formatting machinery.
            f.write_str(" #")?;
            write_number(f, number)?;
        }
        match self {
            Body::Exit { kill: true, .. } => Ok(()),
            _ => f.write_str(" "),
        }
    }

    /// The trace text of the message ([`Body`]'s `Display`), rendered under the guard, and
    /// where its payload starts in it: `None` when a `Debug` failed without panicking, `Err`
    /// the text of a panic.
    pub fn render_text(&self) -> Result<Option<(String, usize)>, String> {
        guarded(|| {
            let mut text = String::with_capacity(LINE);
            self.head(&mut text).ok()?;
            let start = text.len();
            fmt::write(&mut text, format_args!("{}", Payload(self))).ok()?;
            Some((text, start))
        })
    }

    /// The trace text of the message ([`Body`]'s `Display`) with its payload rendered already
    /// (`payload`: what [`Body::payload`] wrote), so that a step renders a payload once.
    pub fn text_with(&self, payload: &str) -> String {
        let mut text = String::with_capacity(payload.len() + 16);
        // Written at every delivery with the trace on: no formatting machinery.
        self.write_text(&mut text, |text| fmt::Write::write_str(text, payload))
            .expect("writing to a String does not fail");
        text
    }

    /// Writes the trace text: the head, then the payload that `payload` writes (none for a
    /// kill, which carries nothing).
    fn write_text<W: fmt::Write>(
        &self,
        out: &mut W,
        payload: impl FnOnce(&mut W) -> fmt::Result,
    ) -> fmt::Result {
        self.head(out)?;
        match self {
            Body::Exit { kill: true, .. } => Ok(()),
            _ => payload(out),
        }
    }
}

/// [`Body`]'s `Display` with its payload's text given.
struct WithPayload<'a>(&'a Body, &'a str);

impl fmt::Display for WithPayload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_text(f, |f| f.write_str(self.1))
    }
}

/// The trace's text of a message: its kind, the call's or monitor's number, what it carries
/// (`call #3 Get`, `reply #3 Ok(0)`, `cast Add(1)`, `kill`).
impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f, |f| self.payload(f))
    }
}

/// What a message carries, rendered with the user's `Debug` ([`Body::payload`]).
pub(crate) struct Payload<'a>(pub &'a Body);

impl fmt::Display for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.payload(f)
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
    /// Its name in labels: kind, head (the variant or type name its `Debug` text starts
    /// with) and number among its sender's messages of that kind and head to that receiver
    /// (any life), from 1: `call Get #2`, `cast #1`. A reply is named after its call
    /// (`reply Get #2`, with `of` the callee when another process answers), a down by its
    /// monitor.
    pub name: Name,
    /// What it carries.
    pub body: Body,
    /// A hash of its rendered text, once a fingerprint asked for it (it never changes: state
    /// hashing then renders each message once, not at every state it stays queued in).
    pub print: Cell<Option<u64>>,
    /// What it carries, as its label shows it, once rendered without failing (it never
    /// changes: its fingerprint, its labels, its trace text and the history of the client
    /// it answers then share one rendering, not one at every decision point it stays
    /// queued at; copies of the world share it). Never filled while ids are renamed.
    pub payload: OnceCell<Rc<str>>,
    /// The label of its delivery, shared, once exhaustive search asked for it (it never
    /// changes either: a search then builds each delivery's label once, not at every state
    /// the message stays queued in).
    pub label: OnceCell<Label>,
}

impl Envelope {
    /// A message sent now: `due`, from step `sent`, named `name`.
    pub fn new(due: u64, sent: u64, name: Name, body: Body) -> Self {
        Envelope {
            due,
            sent,
            name,
            body,
            print: Cell::new(None),
            payload: OnceCell::new(),
            label: OnceCell::new(),
        }
    }

    /// The hash of its rendered text (what a fingerprint feeds in for it).
    pub fn print(&self) -> u64 {
        if let Some(print) = self.print.get() {
            return print;
        }
        let print = hash_with(|h| hash_fmt(h, format_args!("{}", self.shown())));
        self.print.set(Some(print));
        print
    }

    /// What it carries, as its label shows it: rendered (under the guard) at the first ask
    /// and kept, so that its fingerprint, its label and its trace share one rendering;
    /// `None` if its `Debug` failed or panicked (asked again next time).
    pub fn payload_text(&self) -> Option<&Rc<str>> {
        if self.payload.get().is_none() {
            let mut text = String::with_capacity(LINE);
            let rendered =
                guarded(|| fmt::write(&mut text, format_args!("{}", Payload(&self.body))));
            if let Ok(Ok(())) = rendered {
                let _ = self.payload.set(Rc::from(text));
            }
        }
        self.payload.get()
    }

    /// Its trace text ([`Body`]'s `Display`), from the kept payload text where it renders.
    pub fn shown(&self) -> impl fmt::Display + '_ {
        Shown(self)
    }

    /// A copy, if `cloners` can copy what it carries.
    pub fn copy(&self, cloners: &Cloners) -> Option<Envelope> {
        Some(Envelope {
            due: self.due,
            sent: self.sent,
            name: self.name,
            body: self.body.copy(cloners)?,
            print: self.print.clone(),
            payload: self.payload.clone(),
            label: self.label.clone(),
        })
    }
}

/// An envelope's trace text ([`Envelope::shown`]).
struct Shown<'a>(&'a Envelope);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.payload_text() {
            Some(payload) => WithPayload(&self.0.body, payload).fmt(f),
            None => self.0.body.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::fmt;

    use super::*;
    use crate::world::erased_server::hash_text;
    use crate::world::naming::Name;

    thread_local! {
        static RENDERED: Cell<usize> = const { Cell::new(0) };
    }

    /// A message that counts how often its `Debug` runs.
    #[derive(Clone)]
    struct Counted(u32);

    impl fmt::Debug for Counted {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            RENDERED.with(|n| n.set(n.get() + 1));
            write!(f, "Counted({})", self.0)
        }
    }

    fn envelope(body: Body) -> Envelope {
        let name = Name {
            kind: body.kind(),
            head: 0,
            nth: 1,
            of: None,
        };
        Envelope::new(0, 0, name, body)
    }

    #[test]
    fn a_message_is_rendered_once_for_its_fingerprint_and_its_texts() {
        let envelopes = [
            envelope(Body::Cast(Box::new(Counted(7)))),
            envelope(Body::Reply {
                tag: CallTag(3),
                outcome: Ok(Box::new(Counted(8))),
            }),
        ];
        for envelope in &envelopes {
            let text = envelope.body.to_string();
            RENDERED.with(|n| n.set(0));
            let print = envelope.print();
            assert_eq!(print, hash_with(|h| hash_text(h, &text)), "the body's text");
            assert_eq!(envelope.shown().to_string(), text);
            let payload = envelope.payload_text().expect("it renders");
            assert!(text.ends_with(&**payload), "{text} / {payload}");
            assert_eq!(RENDERED.with(Cell::get), 1, "{text}");
        }
    }
}
