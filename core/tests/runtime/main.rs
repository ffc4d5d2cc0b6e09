//! The threaded runtime against the rules of `shared/reference/genserver-semantics.md`.

mod calls;
mod failures;
mod names;
mod ordering;
mod probe;
mod stack;
