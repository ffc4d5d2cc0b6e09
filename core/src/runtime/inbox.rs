//! Type-erased access to a server's mailbox, for the registry and for effects that address
//! servers of other types.

use std::any::Any;

use crate::message::{AnyMessage, downcast};
use crate::runtime::envelope::Envelope;
use crate::runtime::sinks::ErasedSink;
use crate::runtime::{Mailbox, ReplyLink, Server};
use crate::sync::Arc;
use crate::{CallTag, GenServer, ProcessId, ReplyTo, Timeout};

/// What every live server shares with its clients.
pub(crate) struct ServerCell<S: GenServer> {
    pub(crate) id: ProcessId,
    pub(crate) mailbox: Mailbox<Envelope<S>>,
}

/// A registry entry: the typed cell behind an erased face.
pub(crate) struct Entry<S: GenServer>(pub(crate) Arc<ServerCell<S>>);

impl<S: GenServer> Entry<S> {
    pub(crate) fn id(&self) -> ProcessId {
        self.0.id
    }
}

/// A server's mailbox seen without its type. Messages of the wrong type are a bug in the
/// caller (typed [`crate::ServerRef`]s rule them out) and panic in the sending handler.
pub(crate) trait Inbox: Send + Sync {
    fn cast_any(&self, msg: AnyMessage);
    fn info_any(&self, msg: AnyMessage);
    fn call_any(
        &self,
        from: ProcessId,
        tag: CallTag,
        request: AnyMessage,
        link: Arc<ReplyLink<AnyMessage>>,
    );
    fn clone_box(&self) -> Box<dyn Inbox>;
    fn as_any(&self) -> &dyn Any;
}

impl dyn Inbox {
    /// The typed handle, if this inbox belongs to a server of type `S`.
    pub(crate) fn as_server<S: GenServer>(&self) -> Option<Server<S>> {
        let entry = self.as_any().downcast_ref::<Entry<S>>()?;
        Some(Server::from_cell(Arc::clone(&entry.0), Timeout::DEFAULT))
    }
}

fn expect<T: 'static>(msg: AnyMessage, what: &str) -> T {
    downcast::<T>(msg).unwrap_or_else(|other| {
        panic!(
            "{what} of the wrong type for {}: {other:?}",
            std::any::type_name::<T>()
        )
    })
}

impl<S: GenServer> Inbox for Entry<S> {
    fn cast_any(&self, msg: AnyMessage) {
        let _ = self.0.mailbox.push(Envelope::Cast(expect(msg, "cast")));
    }

    fn info_any(&self, msg: AnyMessage) {
        let _ = self
            .0
            .mailbox
            .push(Envelope::Info(expect(msg, "info message")));
    }

    fn call_any(
        &self,
        from: ProcessId,
        tag: CallTag,
        request: AnyMessage,
        link: Arc<ReplyLink<AnyMessage>>,
    ) {
        let from = ReplyTo::new(from, tag, Box::new(ErasedSink(link)));
        let envelope = Envelope::Call {
            request: expect(request, "call request"),
            from,
        };
        if let Err(refused) = self.0.mailbox.push(envelope) {
            refused.bounce();
        }
    }

    fn clone_box(&self) -> Box<dyn Inbox> {
        Box::new(Entry(Arc::clone(&self.0)))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
