//! Soaking a scenario on real threads: run it again and again, recorded, and keep the
//! recordings of the runs that failed.

use std::time::{Duration, Instant};

use genserver::Timeout;
use genserver::runtime::{ClientFailure, Threads};
use genserver_traces::Trace;

use super::write::recorded_trace;

/// A scenario run on real threads in a loop, each run recorded; the first failing runs'
/// recordings are kept (as traces of strategy `recorded`, for
/// [`crate::recorded::follow_recording`] or `gsim replay`).
///
/// ```
/// use std::time::Duration;
/// use genserver::Stage;
/// use genserver_sim::recorded::Soak;
/// use genserver_sim::zoo::counter::{Counter, CounterCall};
///
/// let soak = Soak::new("counter-race", |threads| {
///     let counter = threads.spawn::<Counter>("counter", 0);
///     threads.client("a", async move |cx| {
///         let seen = cx.call(counter, CounterCall::Get).await?;
///         cx.call(counter, CounterCall::Set(seen + 1)).await?;
///         Ok(())
///     });
/// })
/// .runs(5)
/// .for_at_most(Duration::from_secs(10));
/// let report = soak.run();
/// assert_eq!(report.runs, 5);
/// assert!(report.kept.is_empty());
/// ```
pub struct Soak<F> {
    system: String,
    scenario: F,
    runs: u64,
    limit: Option<Duration>,
    keep: usize,
}

/// What a soak did.
#[derive(Clone, Debug)]
pub struct SoakReport {
    /// Runs made.
    pub runs: u64,
    /// Runs that failed.
    pub failed: u64,
    /// The recordings of the first failing runs (at most [`Soak::keep`] of them).
    pub kept: Vec<Trace>,
    /// How long the soak took.
    pub elapsed: Duration,
}

/// Runs the scenario `scenario` sets up once on real threads, recorded: how it ended, and
/// its recording as a trace of `system` (the simulated system that builds the same
/// scenario). Its servers are stopped before it returns.
///
/// ```
/// use genserver::Stage;
/// use genserver_sim::recorded::{follow_recording, record};
/// use genserver_sim::zoo::lost_update;
/// use genserver_sim::World;
///
/// let (outcome, recording) = record("lost-update", |threads| {
///     lost_update::scenario(threads);
/// });
/// assert!(outcome.is_ok());
/// let system = |world: &mut World| {
///     lost_update::scenario(world);
/// };
/// assert!(follow_recording(&system, &recording, false).unwrap().same_orders());
/// ```
pub fn record(
    system: &str,
    scenario: impl FnOnce(&mut Threads),
) -> (Result<(), ClientFailure>, Trace) {
    let mut threads = Threads::new().record();
    scenario(&mut threads);
    let outcome = threads.run();
    let recording = threads.recording().unwrap_or_default();
    // Servers outlive their runtime's handles: each run stops its own.
    threads.runtime().shutdown(Timeout::After(GRACE));
    let trace = recorded_trace(system, &recording, &outcome);
    (outcome, trace)
}

/// How long a soak gives each run's servers to publish their recordings, then to stop.
const GRACE: Duration = Duration::from_secs(1);

impl<F: Fn(&mut Threads)> Soak<F> {
    /// Soaks the scenario `scenario` sets up on a fresh [`Threads`] for each run; `system` is
    /// the name of the simulated system that builds the same scenario (recordings name it).
    /// 1 000 runs at most, no time limit, stops at the first failure.
    pub fn new(system: &str, scenario: F) -> Self {
        Soak {
            system: system.to_owned(),
            scenario,
            runs: 1_000,
            limit: None,
            keep: 1,
        }
    }

    /// Makes at most `runs` runs.
    pub fn runs(mut self, runs: u64) -> Self {
        self.runs = runs;
        self
    }

    /// Starts no run after `limit` has passed.
    pub fn for_at_most(mut self, limit: Duration) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Keeps the recordings of the first `keep` failing runs, and stops once it has them
    /// (0: keeps none, and only counts failures until its runs or its time are up).
    pub fn keep(mut self, keep: usize) -> Self {
        self.keep = keep;
        self
    }

    /// Soaks without telling anyone how it goes.
    pub fn run(&self) -> SoakReport {
        self.run_observed(|_, _| {})
    }

    /// Soaks, calling `progress` with the runs made and failed after every run.
    pub fn run_observed(&self, mut progress: impl FnMut(u64, u64)) -> SoakReport {
        let start = Instant::now();
        let mut report = SoakReport {
            runs: 0,
            failed: 0,
            kept: Vec::new(),
            elapsed: Duration::ZERO,
        };
        while report.runs < self.runs
            && (self.keep == 0 || report.kept.len() < self.keep)
            && self.limit.is_none_or(|limit| start.elapsed() < limit)
        {
            let (outcome, recording) = record(&self.system, &self.scenario);
            report.runs += 1;
            if outcome.is_err() {
                report.failed += 1;
                if report.kept.len() < self.keep {
                    report.kept.push(recording);
                }
            }
            progress(report.runs, report.failed);
        }
        report.elapsed = start.elapsed();
        report
    }
}
