//! Driving runs: one run and its replay, hunts over seeds (on threads, in shards), shrinking
//! a failure, loose replay by identity, and the options that choose a strategy.

pub(crate) mod hunt;
pub(crate) mod loose;
pub(crate) mod marks;
pub(crate) mod options;
pub(crate) mod parallel;
pub(crate) mod run;
pub(crate) mod shrink;
pub(crate) mod shrink_inputs;
