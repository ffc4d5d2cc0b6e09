//! The mailbox the broken mailbox variants share: [`genserver::engine::Mailbox`]'s contract in its
//! plain locked form (one lock over the queue and the closed flag, a condition variable the
//! receiver waits on once it has announced itself), with each step a variant gets wrong behind
//! a hook of [`MailboxFlaw`] whose default is the correct step.

use std::collections::VecDeque;
use std::marker::PhantomData;

use crate::api::MailboxApi;
use crate::broken::NoFlaw;
use crate::sync::{Condvar, Mutex, MutexGuard, lock, wait};

/// What [`BaseMailbox`]'s lock guards.
pub struct Queue<T> {
    /// The items pushed and not yet received.
    pub items: VecDeque<T>,
    /// Set by `close`: later pushes are handed back.
    pub closed: bool,
    /// The receiver waits on the condition variable: a push must wake it.
    pub receiver_waiting: bool,
}

/// The steps of [`BaseMailbox`] that a broken variant may get wrong. Every default is the
/// correct step, so a variant overrides exactly its one bug.
pub trait MailboxFlaw<T>: Sized + 'static {
    /// `push`: locks the queue if the mailbox is open; `None` (and unlocked) if it is closed.
    fn lock_open(mailbox: &BaseMailbox<T, Self>) -> Option<MutexGuard<'_, Queue<T>>> {
        let queue = mailbox.lock();
        (!queue.closed).then_some(queue)
    }

    /// `recv_into`: locks the queue once it holds an item, announced as waiting meanwhile.
    fn lock_nonempty(mailbox: &BaseMailbox<T, Self>) -> MutexGuard<'_, Queue<T>> {
        let mut queue = mailbox.lock();
        if queue.items.is_empty() {
            queue.receiver_waiting = true;
            while queue.items.is_empty() {
                queue = mailbox.wait(queue);
            }
            queue.receiver_waiting = false;
        }
        queue
    }

    /// `recv_into`: moves the received `items` to the back of the receiver's batch `out`.
    fn append(out: &mut VecDeque<T>, items: &mut VecDeque<T>) {
        out.append(items);
    }
}

impl<T: 'static> MailboxFlaw<T> for NoFlaw {}

/// A mailbox whose steps are those of `F`: correct with [`NoFlaw`], one bug per variant.
pub struct BaseMailbox<T, F> {
    queue: Mutex<Queue<T>>,
    available: Condvar,
    flaw: PhantomData<fn() -> F>,
}

impl<T, F> BaseMailbox<T, F> {
    /// Locks the queue.
    pub(super) fn lock(&self) -> MutexGuard<'_, Queue<T>> {
        lock(&self.queue)
    }

    /// Waits for a push to notify, giving up the lock meanwhile.
    pub(super) fn wait<'a>(&self, queue: MutexGuard<'a, Queue<T>>) -> MutexGuard<'a, Queue<T>> {
        wait(&self.available, queue)
    }
}

impl<T: Send + 'static, F: MailboxFlaw<T>> MailboxApi<T> for BaseMailbox<T, F> {
    fn new() -> Self {
        BaseMailbox {
            queue: Mutex::new(Queue {
                items: VecDeque::new(),
                closed: false,
                receiver_waiting: false,
            }),
            available: Condvar::new(),
            flaw: PhantomData,
        }
    }

    fn push(&self, item: T) -> Result<(), T> {
        let Some(mut queue) = F::lock_open(self) else {
            return Err(item);
        };
        queue.items.push_back(item);
        let wake = queue.receiver_waiting;
        drop(queue);
        if wake {
            self.available.notify_one();
        }
        Ok(())
    }

    fn recv_into(&self, out: &mut VecDeque<T>) -> bool {
        let mut queue = F::lock_nonempty(self);
        F::append(out, &mut queue.items);
        !out.is_empty()
    }

    fn close(&self) -> VecDeque<T> {
        let mut queue = self.lock();
        queue.closed = true;
        std::mem::take(&mut queue.items)
    }
}
