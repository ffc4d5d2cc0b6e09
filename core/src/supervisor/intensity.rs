//! Restart intensity: the restarts of the last window, and whether one more is too many.

use std::collections::VecDeque;
use std::time::Duration;

use super::Intensity;

/// The times of recent restarts, oldest first.
#[derive(Clone, Debug, Default)]
pub(crate) struct RestartWindow {
    restarts: VecDeque<Duration>,
}

impl RestartWindow {
    /// Records a restart at `now`; returns `false` if that makes more than `max_restarts`
    /// within the window (the supervisor must then give up), as OTP counts them.
    pub fn allow(&mut self, now: Duration, intensity: Intensity) -> bool {
        self.restarts.push_back(now);
        while let Some(&oldest) = self.restarts.front() {
            if now.saturating_sub(oldest) > intensity.within {
                self.restarts.pop_front();
            } else {
                break;
            }
        }
        self.restarts.len() <= intensity.max_restarts as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_fourth_restart_within_five_seconds_is_too_many() {
        let mut window = RestartWindow::default();
        let intensity = Intensity::default();
        assert!(window.allow(secs(0.0), intensity));
        assert!(window.allow(secs(1.0), intensity));
        assert!(window.allow(secs(2.0), intensity));
        assert!(!window.allow(secs(3.0), intensity));
    }

    #[test]
    fn restarts_older_than_the_window_no_longer_count() {
        let mut window = RestartWindow::default();
        let intensity = Intensity::default();
        for at in [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0] {
            assert!(window.allow(secs(at), intensity), "restart at {at} s");
        }
        // Restarts at 8, 10, 12 are in the window; a fourth within it is not allowed.
        assert!(!window.allow(secs(12.5), intensity));
    }

    #[test]
    fn zero_allowed_restarts_gives_up_at_the_first() {
        let mut window = RestartWindow::default();
        let intensity = Intensity {
            max_restarts: 0,
            within: secs(5.0),
        };
        assert!(!window.allow(secs(0.0), intensity));
    }
}
