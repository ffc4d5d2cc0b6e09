//! BUG (loses a task's wake-up): the receiver, a task, looks at the queue under the lock,
//! releases it, and only then takes it again to leave its waker. A push landing in that gap
//! finds no waker to wake; the task then waits for an item that is already queued. The real
//! [`genserver::engine::Mailbox`] looks and leaves its waker in one critical section.
//!
//! Caught by `two_producers_one_consumer` (tests/loom_mailbox.rs): loom pushes the last item
//! in the gap, and the receiving task waits with every producer finished: a deadlock.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::task::{Context, Poll, Waker};

use crate::api::MailboxApi;
use crate::sync::{Mutex, block_on, lock};

struct Slots<T> {
    items: VecDeque<T>,
    closed: bool,
    receiver: Option<Waker>,
}

/// [`genserver::engine::Mailbox`] whose receiving task leaves its waker after it looked.
pub struct LateWakerMailbox<T> {
    slots: Mutex<Slots<T>>,
}

impl<T> LateWakerMailbox<T> {
    fn poll_recv_into(&self, out: &mut VecDeque<T>, cx: &mut Context<'_>) -> Poll<()> {
        let mut slots = lock(&self.slots);
        if !slots.items.is_empty() {
            out.append(&mut slots.items);
            return Poll::Ready(());
        }
        drop(slots);
        // BUG: a push between the look above and this registration wakes nobody.
        lock(&self.slots).receiver = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T: Send + 'static> MailboxApi<T> for LateWakerMailbox<T> {
    fn new() -> Self {
        LateWakerMailbox {
            slots: Mutex::new(Slots {
                items: VecDeque::new(),
                closed: false,
                receiver: None,
            }),
        }
    }

    fn push(&self, item: T) -> Result<(), T> {
        let mut slots = lock(&self.slots);
        if slots.closed {
            return Err(item);
        }
        slots.items.push_back(item);
        let receiver = slots.receiver.take();
        drop(slots);
        if let Some(receiver) = receiver {
            receiver.wake();
        }
        Ok(())
    }

    fn recv_into(&self, out: &mut VecDeque<T>) -> bool {
        block_on(poll_fn(|cx| self.poll_recv_into(out, cx)));
        !out.is_empty()
    }

    fn close(&self) -> VecDeque<T> {
        let mut slots = lock(&self.slots);
        slots.closed = true;
        std::mem::take(&mut slots.items)
    }
}
