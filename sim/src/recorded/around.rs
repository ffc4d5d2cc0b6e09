//! Exploring the orders near a run: its schedule with up to `d` detours, each taking another
//! enabled event at one step and then following the schedule on by the identity of its
//! events (as loose replay does).
//!
//! Around a recording's run: which nearby orders fail (a passing recording of a flaky
//! scenario: the fewest detours that make it fail), or whether a fix removes every failure
//! within `d` detours (then the system run is the fixed one: the recording's run followed
//! loosely is the base). Every variation with at most `d` detours is run, breadth first; a
//! search cut short by its run limit says so and claims nothing for what it did not run.

use genserver_traces::Trace;

use crate::drive::run::{RunReport, Verdict, run_recorded};
use crate::scheduler::Divergence;
use crate::scheduler::follow::{Follow, Newcomers};
use crate::system::System;

/// A search of the orders near a run.
pub struct Around<'a> {
    system: &'a dyn System,
    base: &'a Trace,
    detours: usize,
    max_runs: u64,
    keep: usize,
}

/// One order near the base run: its detours (step, and which other event), and its run.
#[derive(Clone, Debug)]
pub struct Variation {
    /// At each of these steps (1-based), the `n`-th enabled event other than the planned one.
    pub detours: Vec<(u64, usize)>,
    /// Its run, traced.
    pub report: RunReport,
}

/// What a search around a run found.
#[derive(Clone, Debug)]
pub struct AroundReport {
    /// Runs made (the base run included).
    pub runs: u64,
    /// Whether every variation within the detour bound was run (none cut by the run limit).
    pub complete: bool,
    /// The failing variations, fewest detours first (at most [`Around::keep`] of them; the
    /// base run, if it fails, first, with no detour).
    pub failing: Vec<Variation>,
    /// How many variations failed.
    pub failed: u64,
    /// How many runs stopped at their step limit (what came after was not checked).
    pub step_limited: u64,
}

impl AroundReport {
    /// Whether no order within the bound fails, every one of them was run (the base run
    /// too), and each ran to its end: the only case that verifies the neighbourhood.
    pub fn verified(&self) -> bool {
        self.complete && self.runs > 0 && self.failed == 0 && self.step_limited == 0
    }
}

impl<'a> Around<'a> {
    /// The orders of `system` near the run of `base` (a simulated trace, e.g. a followed
    /// recording's): one detour at most, 10 000 runs at most, 10 failing variations kept.
    pub fn new(system: &'a dyn System, base: &'a Trace) -> Self {
        Around {
            system,
            base,
            detours: 1,
            max_runs: 10_000,
            keep: 10,
        }
    }

    /// At most `detours` detours per variation.
    pub fn detours(mut self, detours: usize) -> Self {
        self.detours = detours;
        self
    }

    /// At most `runs` runs in all.
    pub fn max_runs(mut self, runs: u64) -> Self {
        self.max_runs = runs;
        self
    }

    /// Keeps the first `keep` failing variations.
    pub fn keep(mut self, keep: usize) -> Self {
        self.keep = keep;
        self
    }

    /// Runs the base order, then every variation, fewest detours first.
    pub fn explore(&self) -> Result<AroundReport, Divergence> {
        let mut report = AroundReport {
            runs: 0,
            complete: true,
            failing: Vec::new(),
            failed: 0,
            step_limited: 0,
        };
        // Variations of one level (same number of detours), with their runs' lengths.
        let Some(steps) = self.try_one(Vec::new(), &mut report)? else {
            return Ok(report);
        };
        let mut level = vec![(Vec::new(), steps)];
        for _ in 0..self.detours {
            let mut next = Vec::new();
            for (detours, steps) in &level {
                let from = detours.last().map_or(1, |&(step, _)| step + 1);
                for step in from..=*steps {
                    for nth in 0.. {
                        if report.runs >= self.max_runs {
                            report.complete = false;
                            return Ok(report);
                        }
                        let mut tried = detours.clone();
                        tried.push((step, nth));
                        let Some(steps) = self.try_one(tried.clone(), &mut report)? else {
                            break;
                        };
                        next.push((tried, steps));
                    }
                }
            }
            level = next;
        }
        Ok(report)
    }

    /// Runs one variation and counts it; its length, or `None` if its last detour found
    /// no other event to take (nothing was counted then).
    fn try_one(
        &self,
        detours: Vec<(u64, usize)>,
        report: &mut AroundReport,
    ) -> Result<Option<u64>, Divergence> {
        let Some(run) = self.run(&detours, false)? else {
            return Ok(None);
        };
        report.runs += 1;
        match &run.verdict {
            Verdict::Failed(_) => {
                report.failed += 1;
                if report.failing.len() < self.keep {
                    let traced = self.run(&detours, true)?.expect("the same run");
                    report.failing.push(Variation {
                        detours,
                        report: traced,
                    });
                }
            }
            Verdict::StepLimit => report.step_limited += 1,
            Verdict::Pass => {}
        }
        Ok(Some(run.steps))
    }

    /// The run with `detours`; `None` if the last one found no other event to take.
    fn run(&self, detours: &[(u64, usize)], record: bool) -> Result<Option<RunReport>, Divergence> {
        let plan: Vec<String> = (self.base.schedule().into_iter())
            .map(str::to_owned)
            .collect();
        let mut follow = Follow::new(&plan, Newcomers::Last)
            .on_behalf_of("around")
            .with_detours(detours.to_vec());
        let report = run_recorded(self.system, &self.base.header, record, &mut follow)?;
        Ok((follow.void_detours() == 0).then_some(report))
    }
}
