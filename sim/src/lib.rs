//! The deterministic simulator for genservers (filled by the simulator issue).
#![forbid(unsafe_code)]
