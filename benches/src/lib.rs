//! Criterion benchmarks of the genserver runtime and simulator.
#![forbid(unsafe_code)]
