//! A node's timers: set and cancelled by label ([`Cmd::SetTimer`], [`Cmd::CancelTimer`]),
//! journaled by label when they fire (`timer t0`), and kept in the journal while pending
//! ([`Journal::pending_timers`]) so that a test can tell which are left.
//!
//! [`Cmd::SetTimer`]: super::Cmd::SetTimer
//! [`Cmd::CancelTimer`]: super::Cmd::CancelTimer
//! [`Journal::pending_timers`]: super::Journal::pending_timers
//!
//! ```
//! use std::time::Duration;
//! use genserver::runtime::Spawner;
//! use genserver::Runtime;
//! use genserver_checks::node::{Cmd, Journal, Node, NodeArgs, Request, wait_until};
//!
//! let rt = Runtime::new();
//! let journal = Journal::new();
//! let a = rt.start::<Node<Spawner>>(NodeArgs::new("a", &journal)).unwrap();
//! let ms = Duration::from_millis(1);
//! let hour = Duration::from_secs(3600);
//! let cmds = vec![
//!     Cmd::SetTimer("t0".into(), ms),
//!     Cmd::SetTimer("t1".into(), ms),
//!     Cmd::CancelTimer("t1".into()),
//!     Cmd::SetTimer("t2".into(), hour),
//! ];
//! a.call(Request::Do(cmds)).unwrap();
//! wait_until(|| a.call(Request::Sync).unwrap() == 0, || journal.lines().join("\n"));
//! assert_eq!(journal.of("a")[2..], ["timer t0"]);
//! assert_eq!(journal.pending_timers("a"), ["t2"]);
//! ```

use std::time::Duration;

use genserver::TimerId;

/// A pending timer due within this much counts for [`Request::Sync`](super::Request::Sync)'s reply: a barrier
/// waits for such timers to fire.
pub const SOON: Duration = Duration::from_secs(1);

/// One timer this node set.
#[derive(Debug)]
struct Entry {
    label: String,
    id: TimerId,
    /// When it is due, in the engine's time ([`genserver::Ctx::now`]).
    due: Duration,
    /// Neither fired nor cancelled.
    pending: bool,
}

/// The timers one node instance set, in the order it set them.
#[derive(Debug, Default)]
pub(super) struct Timers {
    entries: Vec<Entry>,
}

impl Timers {
    /// Timer `id`, labelled `label`, was set at `now` to fire after `after`.
    pub(super) fn set(&mut self, label: String, id: TimerId, now: Duration, after: Duration) {
        let due = now.saturating_add(after);
        (self.entries).push(Entry {
            label,
            id,
            due,
            pending: true,
        });
    }

    /// Marks the latest timer labelled `label` as no longer pending and returns its id (a
    /// timer that fired already is returned too: engines ignore its cancellation); `None`
    /// if this instance set none so labelled.
    pub(super) fn cancel(&mut self, label: &str) -> Option<TimerId> {
        let entry = self.entries.iter_mut().rev().find(|e| e.label == label)?;
        entry.pending = false;
        Some(entry.id)
    }

    /// The earliest pending timer labelled `label` fired; whether one was pending (a timer
    /// that fires after its cancellation was not).
    pub(super) fn fired(&mut self, label: &str) -> bool {
        let entry = (self.entries.iter_mut()).find(|e| e.label == label && e.pending);
        entry.map(|e| e.pending = false).is_some()
    }

    /// How many pending timers are due by `now + SOON`.
    pub(super) fn soon(&self, now: Duration) -> u64 {
        let by = now.saturating_add(SOON);
        let soon = self.entries.iter().filter(|e| e.pending && e.due <= by);
        soon.count() as u64
    }

    /// The labels of the pending timers, in the order they were set.
    pub(super) fn pending(&self) -> Vec<String> {
        let pending = self.entries.iter().filter(|e| e.pending);
        pending.map(|e| e.label.clone()).collect()
    }
}
