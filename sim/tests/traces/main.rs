//! Saved traces and snapshots: the corpus in `traces/corpus/` still replays exactly, and every
//! bundled system's trace is pinned as text.

mod corpus;
mod snapshots;
