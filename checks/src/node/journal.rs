//! The journal every node of a test writes to, and its directory of labels.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use genserver::engine::ReplySink;
use genserver::{CallError, ProcessId};

use super::*;

/// What every node of a test writes down, in the order it happened, and the directory that
/// names processes by label.
#[derive(Clone, Default)]
pub struct Journal {
    book: Arc<Mutex<Book>>,
}

#[derive(Default)]
struct Book {
    lines: Vec<(String, String)>,
    labels: BTreeMap<ProcessId, String>,
    ids: BTreeMap<String, ProcessId>,
    /// The registered name each node asked for (children started with a name).
    names: BTreeMap<ProcessId, String>,
    /// Nodes about to make, or blocked in, a call of their own.
    busy: BTreeMap<String, Busy>,
    /// The pending timers of each node's latest instance, in the order it set them.
    timers: BTreeMap<String, Vec<String>>,
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Journal")
    }
}

impl Journal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        self.book
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `text` to the journal of process `label`.
    pub fn note(&self, label: &str, text: impl Into<String>) {
        self.book().lines.push((label.to_owned(), text.into()));
    }

    /// Every line, in order, as `label: text`.
    pub fn lines(&self) -> Vec<String> {
        (self.book().lines.iter())
            .map(|(label, text)| format!("{label}: {text}"))
            .collect()
    }

    /// How many lines the journal holds (all processes).
    pub fn len(&self) -> usize {
        self.book().lines.len()
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lines of process `label`, in order, without the label.
    pub fn of(&self, label: &str) -> Vec<String> {
        (self.book().lines.iter())
            .filter(|(l, _)| l == label)
            .map(|(_, text)| text.clone())
            .collect()
    }

    /// How many lines process `label` wrote.
    pub fn count_of(&self, label: &str) -> usize {
        self.book().lines.iter().filter(|(l, _)| l == label).count()
    }

    /// Every process's lines, by label.
    pub fn by_process(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (label, text) in &self.book().lines {
            out.entry(label.clone()).or_default().push(text.clone());
        }
        out
    }

    /// Forgets every line (the directory stays).
    pub fn clear(&self) {
        self.book().lines.clear();
    }

    /// Names process `id` `label` in journal lines (nodes name themselves in `init`).
    pub fn name(&self, id: ProcessId, label: &str) {
        let mut book = self.book();
        book.labels.insert(id, label.to_owned());
        book.ids.insert(label.to_owned(), id);
    }

    /// The id of the process labelled `label`, if one was named so.
    pub fn id(&self, label: &str) -> Option<ProcessId> {
        self.book().ids.get(label).copied()
    }

    /// The label of process `id`: its name in the directory, [`DRIVER`] for
    /// [`ProcessId::EXTERNAL`], [`GHOST_LABEL`] for [`GHOST`], else its id (`<7>`).
    pub fn label(&self, id: ProcessId) -> String {
        if let Some(label) = self.book().labels.get(&id) {
            return label.clone();
        }
        match id {
            ProcessId::EXTERNAL => DRIVER.to_owned(),
            id if id >= GHOST => GHOST_LABEL.to_owned(),
            other => format!("{other:?}"),
        }
    }

    /// Every named process, by id.
    pub fn directory(&self) -> Vec<(ProcessId, String)> {
        (self.book().labels.iter())
            .map(|(id, label)| (*id, label.clone()))
            .collect()
    }

    /// The id `target` names now (a ghost, [`GHOST`] or above, for a label not named yet:
    /// the same for the same label on every engine).
    pub fn resolve(&self, target: &Target) -> ProcessId {
        match target {
            Target::Id(id) => *id,
            Target::Label(label) => self.id(label).unwrap_or_else(|| ghost(label)),
        }
    }

    /// The first process (lowest id) that asked to be registered as `name`.
    pub fn first_named(&self, name: &str) -> Option<ProcessId> {
        let book = self.book();
        book.names
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(id, _)| *id)
    }

    pub(super) fn asked_name(&self, id: ProcessId, name: &str) {
        self.book().names.insert(id, name.to_owned());
    }

    /// Where node `label` is with the calls it makes (`None`: it makes none).
    pub fn busy(&self, label: &str) -> Option<Busy> {
        self.book().busy.get(label).copied()
    }

    pub(super) fn set_busy(&self, label: &str, busy: Option<Busy>) {
        let mut book = self.book();
        match busy {
            Some(busy) => book.busy.insert(label.to_owned(), busy),
            None => book.busy.remove(label),
        };
    }

    /// The labels of the timers node `label` (its latest instance) set and that have neither
    /// fired nor been cancelled, in the order it set them.
    pub fn pending_timers(&self, label: &str) -> Vec<String> {
        self.book().timers.get(label).cloned().unwrap_or_default()
    }

    pub(super) fn set_timers(&self, label: &str, pending: Vec<String>) {
        self.book().timers.insert(label.to_owned(), pending);
    }

    /// Node `label`'s call is held by `callee`.
    pub(super) fn held_by(&self, label: &str, callee: ProcessId) {
        let mut book = self.book();
        if let Some(busy @ Busy::Calling(_)) = book.busy.get_mut(label) {
            *busy = Busy::Held(callee);
        }
    }

    /// Node `label`'s held call was answered.
    pub(super) fn answered(&self, label: &str) {
        let mut book = self.book();
        if let Some(busy @ Busy::Held(_)) = book.busy.get_mut(label) {
            *busy = Busy::Answered;
        }
    }
}

/// Where a node is with a call it makes, as its [`Journal`] tells a test that waits for a
/// runtime to be quiet: a node blocked in a call answers nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Busy {
    /// A callback asked for a call; the effects before it are still being carried out.
    Planned,
    /// The call to this process is being made (set on the node's own thread, in effect
    /// order, just before the call: by a reply to a token whose sink is the journal).
    Calling(ProcessId),
    /// This process holds the call (a node's [`Request::Hold`]): no outcome until it
    /// releases it or exits.
    Held(ProcessId),
    /// The held call was answered; the outcome is on its way.
    Answered,
}

/// The sink of the token a node replies to just before it makes a call: marks the node
/// [`Busy::Calling`].
pub(super) struct CallMark {
    pub(super) journal: Journal,
    pub(super) label: String,
    pub(super) callee: ProcessId,
}

impl ReplySink<u64> for CallMark {
    fn deliver(&self, outcome: Result<u64, CallError>) -> bool {
        if outcome.is_ok() {
            self.journal
                .set_busy(&self.label, Some(Busy::Calling(self.callee)));
        }
        outcome.is_ok()
    }
}

/// The ghost of `label`: an id of its own above [`GHOST`] (FNV-1a of the label).
fn ghost(label: &str) -> ProcessId {
    let hash = (label.bytes()).fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    ProcessId(GHOST.0 + hash % 1_000_000_000)
}
