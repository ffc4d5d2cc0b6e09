//! `timeout-retry`: the retry-double-apply client, without any fault. Messages take up to
//! 1 s to arrive ([`World::set_max_latency`]), so the 1 s call timeout races the request and
//! its reply: the client retries while the first withdrawal is still on its way, and both
//! apply. Found by time that races deliveries alone.

use std::time::Duration;

use super::retry_double_apply::withdrawal_with_retries;
use crate::World;

/// Builds `timeout-retry`.
pub fn build(world: &mut World) {
    withdrawal_with_retries(world);
    world.set_max_latency(Duration::from_secs(1));
}
