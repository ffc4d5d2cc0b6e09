//! The test entry point: hunt, and on a failure shrink it, save it, and fail the test with
//! the one line that replays it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use genserver_traces::Trace;

use crate::drive::options::Strategy;
use crate::drive::run::RunReport;
use crate::drive::shrink::shrink;
use crate::invocation::{target_dir, test_command};
use crate::sim::{Search, Sim};
use crate::system::System;

/// The variable that makes [`Sim::check`] replay a saved trace instead of hunting.
pub const REPLAY_VAR: &str = "GSIM_REPLAY";

/// The variable that makes a [`REPLAY_VAR`] replay follow events by identity (`1`).
pub const LOOSE_VAR: &str = "GSIM_LOOSE";

/// [`Sim::check`] of `system` with the default options: the one call a `#[test]` makes.
///
/// ```
/// # use genserver_sim::World;
/// # let counter = genserver_sim::find_system("counter").unwrap();
/// genserver_sim::check(counter); // panics with the failure and its replay line, if any
/// ```
pub fn check(system: &dyn System) {
    Sim::new(system).check()
}

impl Sim<'_> {
    /// The test entry point. Hunts with the chosen strategy; on a failure, shrinks it,
    /// writes the shrunk and the original trace (and the HTML page when asked) under
    /// `target/gsim/`, and panics with the failure, its step, the seed, the files, and one
    /// line that reruns exactly that schedule:
    ///
    /// ```text
    /// GSIM_REPLAY=/…/target/gsim/bank-seed-3.jsonl cargo test -p bank -- transfer --exact
    /// ```
    ///
    /// With `GSIM_REPLAY` set it replays that trace instead (strictly: a schedule the code
    /// no longer fits fails with where it diverged) and fails if the failure is still there.
    /// With `GSIM_LOOSE=1` as well, the trace is followed by the identity of its events, so
    /// it survives edits of the code ([`crate::replay_loose`]); the report says which steps
    /// were kept, skipped and new.
    /// For CI, the environment overrides the options: `GSIM_RUNS`, `GSIM_SEED`,
    /// `GSIM_MAX_STEPS`, `GSIM_STRATEGY` (`random`, `pct`, `pct:DEPTH` or `dfs`), and
    /// `GSIM_HTML=1`.
    ///
    /// # Panics
    ///
    /// On a failure (that is the point); when every run stopped at the step limit (nothing
    /// was checked to its end: as `gsim` exits 4); and on a malformed variable or an
    /// unreadable trace.
    pub fn check(&self) {
        let mut sim = self
            .clone()
            .with_env()
            .unwrap_or_else(|error| panic!("{error}"));
        if sim.system().name() == "system" {
            // An unnamed system takes the test's name (for its files).
            if let Some(test) = std::thread::current().name().filter(|n| *n != "main") {
                sim = sim.name(test.rsplit("::").next().unwrap_or(test));
            }
        }
        if let Some(path) = std::env::var_os(REPLAY_VAR) {
            return sim.check_replay(Path::new(&path));
        }
        let (found, how, unexplored) = match sim.strategy {
            Search::Sample(strategy) => {
                let hunt = sim.hunt();
                let how = match &hunt.found {
                    Some(report) => format!(
                        "found by {strategy} after {} runs, seed {}",
                        hunt.runs, report.seed
                    ),
                    None => String::new(),
                };
                let limit = format!("the step limit ({} steps)", sim.max_steps);
                let unexplored = hunt.runs > 0 && hunt.step_limited == hunt.runs;
                (hunt.found, how, unexplored.then_some(limit))
            }
            Search::Exhaustive => {
                let report = sim.explore();
                let how = format!(
                    "found by exhaustive search after {} schedules",
                    report.schedules
                );
                let limit = format!(
                    "the depth limit ({} steps)",
                    crate::DfsOptions::default().max_depth
                );
                let unexplored = report.schedules > 0 && report.cut_runs == report.schedules;
                (report.found, how, unexplored.then_some(limit))
            }
        };
        if let Some(original) = found {
            panic!("{}", sim.report_failure(&original, &how));
        }
        // Nothing checked is not a pass: as `gsim` exits 4, the test fails.
        if let Some(limit) = unexplored {
            panic!(
                "{}: every run stopped at {limit} before its end: nothing was checked to the \
                 end; raise it (`Sim::max_steps`, GSIM_MAX_STEPS) or let the system finish",
                sim.system().name(),
            );
        }
    }

    /// Shrinks and saves a failure; returns the text the test fails with.
    fn report_failure(&self, original: &RunReport, how: &str) -> String {
        let system = self.system();
        let original_trace = original.trace.as_ref().expect("a found failure is traced");
        let shrunk = shrink(system, original_trace).ok().flatten();
        let trace = shrunk.as_ref().map_or(original_trace, |s| {
            s.report.trace.as_ref().expect("a shrunk run is traced")
        });
        let stem = match self.strategy {
            Search::Exhaustive => format!("{}-dfs", file_name(system.name())),
            Search::Sample(_) => format!("{}-seed-{}", file_name(system.name()), original.seed),
        };
        let dir = target_dir().join("gsim");
        let path = dir.join(format!("{stem}.jsonl"));
        let failure = (shrunk
            .as_ref()
            .map(|s| &s.report)
            .unwrap_or(original)
            .failure())
        .expect("a found run failed");
        let mut text = format!("{}: {failure}\n  {how}", system.name());
        if let Some(shrunk) = &shrunk {
            let (from, to) = (shrunk.original_steps, shrunk.report.steps);
            let _ = write!(text, "; shrunk from {from} to {to} steps");
            if let Some((from, to)) = shrunk.original_inputs.zip(shrunk.inputs()) {
                let _ = write!(text, " and from {from} to {to} inputs");
            }
        }
        text.push('\n');
        if let Some(inputs) = &trace.header.inputs {
            let _ = writeln!(
                text,
                "  inputs:   {}",
                genserver_traces::inputs_line(inputs)
            );
        }
        if trace.end.violation.is_some() {
            for line in genserver_traces::to_history(trace).lines() {
                let _ = writeln!(text, "  {line}");
            }
        }
        match save(trace, &path) {
            Ok(path) => {
                let _ = writeln!(text, "  trace:    {}", path.display());
                if shrunk.is_some() {
                    let kept = dir.join(format!("{stem}.original.jsonl"));
                    if let Ok(kept) = save(original_trace, &kept) {
                        let _ = writeln!(text, "  original: {}", kept.display());
                    }
                }
                if self.html {
                    let page = dir.join(format!("{stem}.html"));
                    match write(&page, &genserver_traces::to_html(trace)) {
                        Ok(page) => _ = writeln!(text, "  page:     {}", page.display()),
                        Err(error) => _ = writeln!(text, "  page not written: {error}"),
                    }
                }
                let _ = write!(
                    text,
                    "  replay:   {REPLAY_VAR}={} {}",
                    path.display(),
                    test_command()
                );
            }
            Err(error) => {
                let _ = writeln!(text, "  trace not written: {error}");
                let _ = write!(text, "{}", genserver_traces::to_text(trace));
            }
        }
        text
    }

    /// Replays the trace at `path`; panics if it diverges or still fails.
    fn check_replay(&self, path: &Path) {
        let trace = Trace::load(path)
            .unwrap_or_else(|error| panic!("{REPLAY_VAR}={}: {error}", path.display()));
        if flag(LOOSE_VAR) {
            return self.check_loose_replay(path, &trace);
        }
        match self.replay(&trace) {
            Err(divergence) => panic!(
                "{REPLAY_VAR}={}: the schedule no longer fits the code: diverged at {divergence}\n  \
                 follow it by the identity of its events: {LOOSE_VAR}=1 {REPLAY_VAR}={} {}",
                path.display(),
                path.display(),
                test_command()
            ),
            Ok(report) => match report.failure() {
                Some(failure) => panic!(
                    "{}: replayed {} (seed {}): {failure}\n  replay: {REPLAY_VAR}={} {}",
                    self.system().name(),
                    path.display(),
                    report.seed,
                    path.display(),
                    test_command()
                ),
                None => eprintln!(
                    "{}: replayed {}: no failure",
                    self.system().name(),
                    path.display()
                ),
            },
        }
    }

    /// Replays the trace at `path` loosely; panics if the run fails.
    fn check_loose_replay(&self, path: &Path, trace: &Trace) {
        let again = self
            .replay_loose(trace)
            .unwrap_or_else(|divergence| panic!("{REPLAY_VAR}={}: {divergence}", path.display()));
        let summary = again.summary();
        match again.report.failure() {
            Some(_) => panic!(
                "{}: replayed {} by identity: {summary}\n  replay: {LOOSE_VAR}=1 {REPLAY_VAR}={} {}",
                self.system().name(),
                path.display(),
                path.display(),
                test_command()
            ),
            None => eprintln!(
                "{}: replayed {} by identity: {summary}",
                self.system().name(),
                path.display()
            ),
        }
    }

    /// These options with the environment's overrides.
    fn with_env(mut self) -> Result<Self, String> {
        if let Some(runs) = var("GSIM_RUNS")? {
            self.runs = number("GSIM_RUNS", &runs)?;
        }
        if let Some(seed) = var("GSIM_SEED")? {
            self.seed = number("GSIM_SEED", &seed)?;
        }
        if let Some(steps) = var("GSIM_MAX_STEPS")? {
            self.max_steps = number("GSIM_MAX_STEPS", &steps)?;
        }
        if let Some(strategy) = var("GSIM_STRATEGY")? {
            self.strategy = parse_strategy(&strategy)?;
        }
        if var("GSIM_HTML")?.is_some() {
            self.html = flag("GSIM_HTML");
        }
        Ok(self)
    }
}

/// Whether the variable is set to something other than ``, `0` or `false`.
fn flag(name: &str) -> bool {
    var(name)
        .ok()
        .flatten()
        .is_some_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

fn var(name: &str) -> Result<Option<String>, String> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{name} is not valid text")),
    }
}

fn number(name: &str, text: &str) -> Result<u64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{name}={text:?}: expected a whole number"))
}

/// `random`, `pct`, `pct:DEPTH` or `dfs`.
fn parse_strategy(text: &str) -> Result<Search, String> {
    match text.trim() {
        "random" => Ok(Search::Sample(Strategy::Random)),
        "pct" => Ok(Search::Sample(Strategy::Pct { depth: 2 })),
        "dfs" => Ok(Search::Exhaustive),
        other => match other.strip_prefix("pct:").map(str::parse) {
            Some(Ok(depth)) if depth > 0 => Ok(Search::Sample(Strategy::Pct { depth })),
            _ => Err(format!(
                "GSIM_STRATEGY={text:?}: expected random, pct, pct:DEPTH (DEPTH ≥ 1) or dfs"
            )),
        },
    }
}

/// A system's name as a file name: letters, digits, `-` and `_`; anything else is `-`.
fn file_name(name: &str) -> String {
    let clean = |c: char| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
        true => c,
        false => '-',
    };
    name.chars().map(clean).collect()
}

/// Saves `trace` at `path`; returns the absolute path.
fn save(trace: &Trace, path: &Path) -> Result<PathBuf, String> {
    write(path, &trace.to_jsonl())
}

/// Writes `text` at `path`; returns the absolute path.
fn write(path: &Path, text: &str) -> Result<PathBuf, String> {
    crate::files::write(path, text)?;
    Ok(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::{Search, Strategy, file_name, number, parse_strategy};

    #[test]
    fn strategies_are_named_as_the_docs_say_and_anything_else_is_refused() {
        let pct = |depth| Ok(Search::Sample(Strategy::Pct { depth }));
        assert_eq!(
            parse_strategy("random"),
            Ok(Search::Sample(Strategy::Random))
        );
        assert_eq!(parse_strategy("pct"), pct(2));
        assert_eq!(parse_strategy(" pct:3 "), pct(3));
        assert_eq!(parse_strategy("dfs"), Ok(Search::Exhaustive));
        for bad in ["", "pct:0", "pct:x", "bfs", "PCT"] {
            let error = parse_strategy(bad).unwrap_err();
            assert!(
                error.contains("expected random, pct, pct:DEPTH"),
                "{bad}: {error}"
            );
        }
        assert_eq!(number("GSIM_RUNS", "12"), Ok(12));
        assert!(number("GSIM_RUNS", "-1").unwrap_err().contains("GSIM_RUNS"));
    }

    #[test]
    fn a_system_name_becomes_a_file_name() {
        assert_eq!(file_name("bank-fixed_2"), "bank-fixed_2");
        assert_eq!(file_name("a/b c::d"), "a-b-c--d");
    }
}
