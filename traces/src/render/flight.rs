//! Which sent messages a trace never shows taken from their queue.

use crate::{Event, EventKind};

/// Whether `event` puts a message in a queue between two processes: a send, or a reply to
/// another process (a call that failed at once "replies" to its own caller: no message).
pub(super) fn is_sent(event: &Event) -> bool {
    matches!(event.kind, EventKind::Send | EventKind::Reply)
        && event.from.is_some()
        && event.to.is_some()
        && event.from != event.to
}

/// For each event, whether it is a sent message (see [`is_sent`]) that no later event takes
/// from its queue: no delivery of the same message between the same processes, and no drop
/// of it (a dropped message's text is the message's, followed by the reason). These are the
/// messages still in flight when the trace ends. Sends of equal messages are matched in
/// order.
pub(super) fn undelivered(events: &[Event]) -> Vec<bool> {
    let mut flying = vec![false; events.len()];
    let mut queued: Vec<usize> = Vec::new();
    for (index, event) in events.iter().enumerate() {
        if is_sent(event) {
            queued.push(index);
            flying[index] = true;
            continue;
        }
        let takes = |sent: &Event| {
            let between = sent.from == event.from && sent.to == event.to;
            between
                && match event.kind {
                    EventKind::Deliver => sent.message == event.message,
                    EventKind::Drop => event
                        .message
                        .strip_prefix(&sent.message)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' ')),
                    _ => false,
                }
        };
        if let Some(at) = queued.iter().position(|&sent| takes(&events[sent])) {
            flying[queued.remove(at)] = false;
        }
    }
    flying
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, from: &str, to: &str, message: &str) -> Event {
        Event {
            step: 0,
            time_ns: 0,
            kind,
            from: Some(from.into()),
            to: Some(to.into()),
            message: message.into(),
        }
    }

    #[test]
    fn a_delivery_or_a_drop_takes_the_earliest_equal_send() {
        let events = [
            event(EventKind::Send, "a", "b", "cast X"),
            event(EventKind::Send, "a", "b", "cast X"),
            event(EventKind::Send, "a", "c", "cast X"),
            event(EventKind::Send, "a", "b", "cast Y"),
            event(EventKind::Deliver, "a", "b", "cast X"),
            event(EventKind::Drop, "a", "b", "cast Y (fault)"),
            event(EventKind::Reply, "b", "a", "reply #1 Ok"),
            event(EventKind::Reply, "a", "a", "call to b failed at once"),
        ];
        assert_eq!(
            undelivered(&events),
            [false, true, true, false, false, false, true, false]
        );
    }
}
