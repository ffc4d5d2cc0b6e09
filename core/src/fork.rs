//! Forks: copies of processes for an engine that keeps copies of whole worlds (the
//! simulator's stateful search restores a state from a copy instead of replaying the run
//! that reached it).
//!
//! A reply token is shared data: copies of one token are one call, and dropping the last copy
//! fails it. A copy of a world must therefore hold copies of its tokens that are one call
//! *of the copy*: inside [`forking`], cloning a [`ReplyTo`] gives a token of its own,
//! delivering where its sink's fork ([`ReplySink::fork`](crate::engine::ReplySink::fork))
//! delivers, and every clone of one original token inside the same fork gives the same copy.
//! Outside a fork, cloning a token is what it always is: one more copy of the same call.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

thread_local! {
    static FORK: RefCell<Option<Copies>> = const { RefCell::new(None) };
    /// Whether `FORK` holds a fork: read on every clone of a token, so a plain flag.
    static FORKING: Cell<bool> = const { Cell::new(false) };
}

/// What one fork copied so far.
struct Copies {
    /// Each original token's shared part, by address, and its copy (a boxed `Arc`).
    tokens: BTreeMap<usize, Box<dyn Any>>,
    /// A token's sink could not fork: the copy would share calls with the original.
    failed: bool,
}

/// Ends the fork of this thread, even if the copy panics.
struct Scope;

impl Drop for Scope {
    fn drop(&mut self) {
        FORKING.with(|forking| forking.set(false));
        FORK.with(|fork| fork.borrow_mut().take());
    }
}

/// Runs `copy` as one fork: every [`ReplyTo`](crate::ReplyTo) cloned inside is a copy
/// delivering into a fork of its sink. `None` if some token's sink cannot fork (the copy is
/// then dropped without effect on the original: its tokens shared the original's calls but
/// never their last reference). Inside another fork, `copy` is part of that one.
pub fn forking<T>(copy: impl FnOnce() -> T) -> Option<T> {
    if is_forking() {
        return Some(copy());
    }
    FORK.with(|fork| {
        *fork.borrow_mut() = Some(Copies {
            tokens: BTreeMap::new(),
            failed: false,
        })
    });
    FORKING.with(|forking| forking.set(true));
    let scope = Scope;
    let copied = copy();
    let failed = FORK.with(|fork| fork.borrow().as_ref().is_some_and(|c| c.failed));
    // The copies of tokens are released before the copy is handed back or dropped.
    drop(scope);
    (!failed).then_some(copied)
}

/// The copy of the token whose shared part is `original`, made with `make` (given the
/// copies made so far are none for it) when this thread is forking; `None` outside a fork,
/// or when `make` cannot copy it (the fork then fails).
pub(crate) fn copy_of<T: Clone + 'static>(
    original: usize,
    make: impl FnOnce() -> Option<T>,
) -> Option<T> {
    let known = FORK.with(|fork| {
        let fork = fork.borrow();
        let copies = fork.as_ref()?;
        Some(copies.tokens.get(&original).map(|copy| {
            copy.downcast_ref::<T>()
                .expect("one address, one token type")
                .clone()
        }))
    });
    match known {
        None => None,
        Some(Some(copy)) => Some(copy),
        Some(None) => {
            // Made without the borrow: the sink's fork is engine code that may look around.
            let made = make();
            FORK.with(|fork| {
                let mut fork = fork.borrow_mut();
                let copies = fork.as_mut().expect("still forking");
                match &made {
                    Some(copy) => {
                        copies.tokens.insert(original, Box::new(copy.clone()));
                    }
                    None => copies.failed = true,
                }
            });
            made
        }
    }
}

/// Whether this thread is forking (cloning a token then copies it).
pub(crate) fn is_forking() -> bool {
    FORKING.with(Cell::get)
}
