//! The progress bar of `gsim hunt`: on stderr, only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over runs (or, for exhaustive search, states), quiet when asked or when
/// stderr is not a terminal (a pipe, a file, CI).
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` runs (`None`: unknown, a spinner) of `system`, counting `unit`.
    pub fn new(system: &str, total: Option<u64>, unit: &str, quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: ProgressBar::hidden(),
            };
        }
        let template = match total {
            Some(_) => format!(
                "{{prefix}} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} ({{per_sec}}) {{msg}}"
            ),
            None => format!("{{prefix}} {{spinner}} {{human_pos}} {unit} ({{per_sec}}) {{msg}}"),
        };
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr())
            .with_style(style)
            .with_prefix(system.to_owned());
        Progress { bar }
    }

    /// Shows `done` units and the failures so far.
    pub fn update(&self, done: u64, failures: u64) {
        self.bar.set_position(done);
        if failures > 0 {
            self.bar.set_message(format!("{failures} failing"));
        }
    }

    /// Shows `done` units and a note (written only for a bar that shows).
    pub fn note(&self, done: u64, note: impl FnOnce() -> String) {
        if self.bar.is_hidden() {
            return;
        }
        self.bar.set_position(done);
        self.bar.set_message(note());
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
