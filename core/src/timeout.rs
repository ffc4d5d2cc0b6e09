//! Call timeouts.

use std::time::Duration;

/// How long a caller waits for a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timeout {
    /// Give up after this long (virtual time in the simulator).
    After(Duration),
    /// Wait for ever.
    Infinity,
}

impl Timeout {
    /// The default call timeout, 5 seconds, as in OTP and GenServers.jl.
    pub const DEFAULT: Timeout = Timeout::After(Duration::from_secs(5));

    /// A timeout of `ms` milliseconds.
    pub const fn millis(ms: u64) -> Timeout {
        Timeout::After(Duration::from_millis(ms))
    }

    /// The finite duration, if any.
    pub fn duration(self) -> Option<Duration> {
        match self {
            Timeout::After(d) => Some(d),
            Timeout::Infinity => None,
        }
    }
}

impl Default for Timeout {
    fn default() -> Self {
        Timeout::DEFAULT
    }
}

impl From<Duration> for Timeout {
    fn from(d: Duration) -> Self {
        Timeout::After(d)
    }
}
