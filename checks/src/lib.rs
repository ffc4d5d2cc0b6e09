//! Loom models and harness test suites for the genserver runtime.
#![forbid(unsafe_code)]
