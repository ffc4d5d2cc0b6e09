//! [`Sim`]: one system and named options (seed, runs, step limit, strategy), and what to do
//! with them: one run, a hunt, an exhaustive search, a replay, or the test entry point
//! [`Sim::check`].

use genserver_traces::Trace;

use crate::drive::hunt::{Hunt, hunt_with, run_seed, steps_estimate};
use crate::drive::loose::{LooseReplay, replay_loose};
use crate::drive::options::{HuntOptions, Strategy};
use crate::drive::run::{DEFAULT_MAX_STEPS, RunReport, replay, run_with};
use crate::scheduler::Divergence;
use crate::scheduler::canonical::CanonicalScheduler;
use crate::search::{DfsOptions, Exploration, explore};
use crate::system::System;
use crate::world::World;

/// A system and how to simulate it, with defaults for everything: seed 0, 1 000 runs,
/// 10 000 steps a run, random scheduling, one thread.
///
/// ```
/// use genserver_sim::{Sim, Strategy};
///
/// let lost_update = genserver_sim::find_system("lost-update").unwrap();
/// let hunt = Sim::new(lost_update).strategy(Strategy::Pct { depth: 2 }).runs(100).hunt();
/// assert!(hunt.found.is_some());
/// ```
#[derive(Clone)]
pub struct Sim<'a> {
    system: Named<'a>,
    pub(crate) seed: u64,
    pub(crate) runs: u64,
    pub(crate) max_steps: u64,
    pub(crate) strategy: Search,
    pub(crate) jobs: usize,
    pub(crate) html: bool,
}

/// How [`Sim::check`] looks for a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Search {
    /// Seeds, sampled with a strategy.
    Sample(Strategy),
    /// Every order (DFS with partial-order reduction).
    Exhaustive,
}

impl<'a> Sim<'a> {
    /// A simulation of `system` with the default options.
    pub fn new(system: &'a dyn System) -> Self {
        Sim {
            system: Named {
                name: system.name().to_owned(),
                system,
            },
            seed: 0,
            runs: 1_000,
            max_steps: DEFAULT_MAX_STEPS,
            strategy: Search::Sample(Strategy::Random),
            jobs: 1,
            html: false,
        }
    }

    /// Names the system (in traces, and the files [`Sim::check`] writes).
    pub fn name(mut self, name: &str) -> Self {
        self.system.name = name.to_owned();
        self
    }

    /// The seed of [`Sim::run`], and the first seed of a hunt.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many seeds a hunt tries.
    pub fn runs(mut self, runs: u64) -> Self {
        self.runs = runs;
        self
    }

    /// The step limit of every run.
    pub fn max_steps(mut self, max_steps: u64) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// How runs are scheduled (random or PCT).
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = Search::Sample(strategy);
        self
    }

    /// Makes [`Sim::check`] search every order instead of sampling seeds.
    pub fn exhaustive(mut self) -> Self {
        self.strategy = Search::Exhaustive;
        self
    }

    /// Threads a hunt runs on (the result does not depend on it).
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }

    /// Makes [`Sim::check`] write the failure's trace as an HTML page too.
    pub fn html(mut self, html: bool) -> Self {
        self.html = html;
        self
    }

    /// The system, as named.
    pub fn system(&self) -> &dyn System {
        &self.system
    }

    /// One traced run of the seed, scheduled as the first run of [`Sim::hunt`] would be.
    pub fn run(&self) -> RunReport {
        let options = self.hunt_options();
        let steps = steps_estimate(&self.system, &options);
        run_seed(&self.system, &options, steps, self.seed, true)
    }

    /// The run of the canonical schedule ([`CanonicalScheduler`]: every message in the
    /// order it was sent), traced. It follows from the scenario alone, no seed.
    pub fn run_canonical(&self) -> RunReport {
        run_with(
            &self.system,
            0,
            self.max_steps,
            true,
            &mut CanonicalScheduler,
        )
        .expect("the canonical schedule never diverges")
    }

    /// The canonical run as a story ([`genserver_traces::to_story`]: what happened, one
    /// line per event, without step numbers or scheduler choices): what a snapshot test pins
    /// to hold a scenario. An edit that adds a message adds its lines and moves no other
    /// line, where a seeded snapshot reshuffles (see [`CanonicalScheduler`]).
    ///
    /// ```
    /// let counter = genserver_sim::find_system("counter").unwrap();
    /// let story = genserver_sim::Sim::new(counter).story();
    /// assert!(story.contains("send     client-1 -> counter: call #1 Increment"), "{story}");
    /// assert!(story.ends_with("# end: pass\n"));
    /// // In a test: insta::assert_snapshot!(Sim::new(&my_system).story());
    /// ```
    pub fn story(&self) -> String {
        let report = self.run_canonical();
        genserver_traces::to_story(report.trace.as_ref().expect("traced"))
    }

    /// Runs seeds from the seed until the first failure or the number of runs.
    pub fn hunt(&self) -> Hunt {
        hunt_with(&self.system, &self.hunt_options(), &|_, _| {})
    }

    /// A hunt of these options: from the seed, with the sampling strategy (PCT estimates
    /// its runs' length from the first seeds, for a single run as for a hunt).
    fn hunt_options(&self) -> HuntOptions {
        HuntOptions {
            strategy: self.sampling(),
            jobs: self.jobs,
            ..HuntOptions::new(self.seed, self.runs, self.max_steps)
        }
    }

    /// Tries every order within the default bounds ([`DfsOptions`]).
    pub fn explore(&self) -> Exploration {
        explore(&self.system, &DfsOptions::default(), &mut |_| {})
            .expect("the simulator is deterministic")
    }

    /// Replays the schedule of `trace` and checks that the trace comes out identical.
    pub fn replay(&self, trace: &Trace) -> Result<RunReport, Divergence> {
        replay(&self.system, trace)
    }

    /// Replays `trace` by the identity of its events, so that it survives edits of the code
    /// ([`crate::replay_loose`]).
    pub fn replay_loose(&self, trace: &Trace) -> Result<LooseReplay, Divergence> {
        replay_loose(&self.system, trace)
    }

    fn sampling(&self) -> Strategy {
        match self.strategy {
            Search::Sample(strategy) => strategy,
            Search::Exhaustive => Strategy::Random,
        }
    }
}

/// A system under the name a [`Sim`] gives it.
#[derive(Clone)]
struct Named<'a> {
    name: String,
    system: &'a dyn System,
}

impl System for Named<'_> {
    fn build(&self, world: &mut World) {
        self.system.build(world)
    }

    fn name(&self) -> &str {
        &self.name
    }
}
