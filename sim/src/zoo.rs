//! The bug zoo: real ordering bugs that plain `cargo test` passes over, and two correct
//! systems where nothing must be found. One file per system; `gsim list` shows them.

pub mod aba_version;
pub mod call_cycle;
pub mod counter;
pub mod lost_update;
pub mod restart_loses_work;
pub mod restart_registry_race;
pub mod retry_double_apply;
pub mod stack;
pub mod stale_read;
