//! The versioned trace format of the genserver simulator.
#![forbid(unsafe_code)]
