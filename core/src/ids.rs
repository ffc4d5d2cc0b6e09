//! Identifiers shared by both engines.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// The identity of one process (a server or a client).
///
/// Ids are handed out in start order and never reused. The simulator numbers each run's
/// processes from 1, so ids are stable across replays; the threaded runtime numbers the
/// processes of all its runtimes in one OS process from one counter, so an id from another
/// runtime names no process here (a call to it fails with `NoProcess`).
///
/// Its `Hash` and `Debug` (and so `Display`) write the id's number, except while the
/// simulator fingerprints a state up to a permutation of interchangeable processes: inside
/// [`renamed`] they write the number the permutation gives it (see
/// `genserver_sim::World::interchangeable`). Keep ids as `ProcessId` (or `ServerRef`) in
/// states and messages, not as their bare numbers, for that renaming to reach them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProcessId(pub u64);

thread_local! {
    /// Whether a renaming or a watch is on on this thread (the one check made otherwise).
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// What ids become, or which ids were seen, while `ACTIVE`.
    static MODE: RefCell<Mode> = const { RefCell::new(Mode::Off) };
}

/// What `ProcessId`'s `Hash` and `Debug` do on this thread.
enum Mode {
    /// Write the id.
    Off,
    /// Write `table[id]` for an id within the table, the id itself beyond it.
    Rename(Vec<u64>),
    /// Write the id, and note it.
    Watch(Vec<ProcessId>),
}

impl ProcessId {
    /// The number `Hash` and `Debug` write for this id on this thread.
    #[inline]
    fn written(self) -> u64 {
        if !ACTIVE.with(Cell::get) {
            return self.0;
        }
        MODE.with_borrow_mut(|mode| match mode {
            Mode::Off => self.0,
            Mode::Rename(table) => usize::try_from(self.0)
                .ok()
                .and_then(|i| table.get(i).copied())
                .unwrap_or(self.0),
            Mode::Watch(seen) => {
                seen.push(self);
                self.0
            }
        })
    }
}

impl Hash for ProcessId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // What `derive(Hash)` writes, renamed inside `renamed`.
        self.written().hash(state)
    }
}

/// Puts the previous mode back when a scope ends, unwinding included.
struct Restore(Option<Mode>, bool);

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(mode) = self.0.take() {
            MODE.with_borrow_mut(|m| *m = mode);
            ACTIVE.with(|a| a.set(self.1));
        }
    }
}

/// Sets `mode` on this thread until the returned guard is dropped.
fn enter(mode: Mode) -> Restore {
    let previous = MODE.with_borrow_mut(|m| std::mem::replace(m, mode));
    let was = ACTIVE.with(|a| a.replace(true));
    Restore(Some(previous), was)
}

/// Runs `body` with every [`ProcessId`] hashed or rendered (`Debug`, `Display`) on this
/// thread renamed: id `n` becomes `table[n]` (ids beyond the table stay as they are). The
/// simulator fingerprints a state up to a permutation of interchangeable processes this way,
/// reaching the ids inside server states and messages without their code knowing. Nothing
/// else may run inside: a `HashMap` keyed by ids would not find its keys.
pub fn renamed<R>(table: &[u64], body: impl FnOnce() -> R) -> R {
    let _restore = enter(Mode::Rename(table.to_vec()));
    body()
}

/// Runs `body` and returns, beside its result, every [`ProcessId`] hashed or rendered on
/// this thread meanwhile (in order, repeats included): the simulator checks with it that
/// text it folds into a history holds no id it would have to rename later.
pub fn watching_ids<R>(body: impl FnOnce() -> R) -> (R, Vec<ProcessId>) {
    let restore = enter(Mode::Watch(Vec::new()));
    let result = body();
    let seen = MODE.with_borrow_mut(|m| match m {
        Mode::Watch(seen) => std::mem::take(seen),
        _ => Vec::new(),
    });
    drop(restore);
    (result, seen)
}

impl ProcessId {
    /// The id used for callers that are not processes of the engine (a plain thread).
    pub const EXTERNAL: ProcessId = ProcessId(0);
}

impl fmt::Debug for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.written())
    }
}

impl fmt::Display for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A typed address of a server of type `S`: engine-agnostic and cheap to copy.
///
/// Handlers use it to cast to, call or send to another server; the engine resolves it.
pub struct ServerRef<S> {
    id: ProcessId,
    _server: PhantomData<fn() -> S>,
}

impl<S> ServerRef<S> {
    /// Wraps a process id. The caller promises that `id` names a server of type `S`.
    pub const fn new(id: ProcessId) -> Self {
        ServerRef {
            id,
            _server: PhantomData,
        }
    }

    /// The process id behind this address.
    pub const fn id(&self) -> ProcessId {
        self.id
    }
}

impl<S> From<ServerRef<S>> for ProcessId {
    fn from(server: ServerRef<S>) -> ProcessId {
        server.id
    }
}

impl<S> Clone for ServerRef<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S> Copy for ServerRef<S> {}
impl<S> PartialEq for ServerRef<S> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl<S> Eq for ServerRef<S> {}
impl<S> Hash for ServerRef<S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state)
    }
}
impl<S> fmt::Debug for ServerRef<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.id, f)
    }
}

/// Names one call within its caller: `(caller, tag)` is unique within a run.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct CallTag(pub u64);

/// Names one timer of one server, as returned by [`crate::Ctx::set_timer`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TimerId(pub u64);

/// Names one monitor set by one server, as returned by [`crate::Ctx::monitor`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct MonitorRef(pub u64);

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::DefaultHasher;

    fn hash(id: ProcessId) -> u64 {
        let mut hasher = DefaultHasher::new();
        id.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn ids_are_renamed_inside_the_scope_only() {
        let (a, b) = (ProcessId(1), ProcessId(2));
        let plain = (hash(a), hash(b), format!("{a:?} {b}"));
        assert_eq!(plain.0, hash_u64(1), "what derive(Hash) wrote");
        let inside = renamed(&[0, 2, 1], || (hash(a), hash(b), format!("{a:?} {b}")));
        assert_eq!(inside, (plain.1, plain.0, "<2> <1>".to_owned()));
        assert_eq!((hash(a), hash(b), format!("{a:?} {b}")), plain);
        // Beyond the table, ids stay as they are.
        assert_eq!(renamed(&[0], || format!("{a:?}")), "<1>");
    }

    #[test]
    fn a_watch_sees_the_ids_rendered_and_nests_in_a_renaming() {
        let ((text, seen), after) = renamed(&[0, 5], || {
            let watched = watching_ids(|| format!("{:?}", [ProcessId(1), ProcessId(3)]));
            (watched, format!("{:?}", ProcessId(1)))
        });
        assert_eq!(text, "[<1>, <3>]");
        assert_eq!(seen, [ProcessId(1), ProcessId(3)]);
        assert_eq!(after, "<5>", "the renaming is back after the watch");
        assert_eq!(format!("{:?}", ProcessId(1)), "<1>");
    }

    fn hash_u64(n: u64) -> u64 {
        let mut hasher = DefaultHasher::new();
        n.hash(&mut hasher);
        hasher.finish()
    }
}
