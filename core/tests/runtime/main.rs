//! The threaded runtime against the rules of `shared/reference/genserver-semantics.md`.

mod api;
mod bounded;
mod calls;
mod failures;
mod kills;
mod links;
mod monitors;
mod names;
mod nodes;
mod ordering;
mod probe;
mod scenarios;
mod shutdown;
mod stack;
mod starts;
mod supervision;
mod supervision_example;
mod tasks;
