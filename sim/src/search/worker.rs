//! One thread of an exhaustive search: it explores the subtrees it takes from the pool, run
//! after run, depth first, and tallies what it finds where every thread can see it.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::drive::run::{Verdict, built, run_from, run_with};
use crate::scheduler::Divergence;
use crate::scheduler::labels::without_numbers;
use crate::scheduler::replay::ReplayScheduler;
use crate::search::backtrack::{
    add_disabled, add_left_enabled, add_races, backtrack, pending_deliveries,
};
use crate::search::explorer::{Cut, Explorer, Node};
use crate::search::footprint::Footprint;
use crate::search::interner::{Interner, Label};
use crate::search::pool::{Pool, StopOnPanic};
use crate::search::split::{Split, path_key};
use crate::search::visited::Visited;
use crate::search::{DfsOptions, Exploration, Reduction};
use crate::system::System;
use crate::world::World;
use crate::world::erased_server::guarded;

/// How often the calling thread of a search on several threads reports its progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// What the threads of one search share.
pub(crate) struct Search<'a> {
    pub system: &'a dyn System,
    pub options: &'a DfsOptions,
    pub pool: Pool<Subtree>,
    pub visited: Visited,
    pub tally: Mutex<Tally>,
    pub started: Instant,
    /// Where a sharded search cuts its tree, and which shard this is.
    pub split: Option<Split>,
    /// Whether decision points carry sleep sets (see [`Explorer::sleep`]).
    pub sleep: bool,
    /// Whether revivals build the system whole: a lean build (no server started) once did
    /// not fit a copy, read a server's state or a name, or panicked, or a revival failed.
    pub whole_builds: AtomicBool,
}

/// The report so far, with the sets its counts come from.
#[derive(Default)]
pub(crate) struct Tally {
    pub report: Exploration,
    ends: BTreeSet<u64>,
    failures: BTreeSet<String>,
    /// Why the search cannot go on (a prefix did not replay: the system is
    /// nondeterministic).
    pub error: Option<Divergence>,
    /// While the cut of a sharded search is probed: the runs down to the cut, in order, by
    /// [`path_key`].
    pub paths: Vec<u64>,
    /// While the cut is probed: how many of those runs reached it.
    pub cuts: u64,
}

impl Tally {
    /// What the search saw, with the `states` it visited, for merging shards.
    pub fn seen(&self, states: Vec<u64>) -> crate::search::Seen {
        crate::search::Seen {
            states,
            ends: self.ends.iter().copied().collect(),
            failures: self.failures.iter().cloned().collect(),
        }
    }
}

impl<'a> Search<'a> {
    /// A search of `system` on `jobs` threads, from the whole tree, cut by `split`, with
    /// sleep sets if `sleep`.
    pub fn new(
        system: &'a dyn System,
        options: &'a DfsOptions,
        jobs: usize,
        split: Option<Split>,
        sleep: bool,
    ) -> Self {
        Search {
            system,
            options,
            pool: Pool::new(jobs, vec![Subtree::whole()]),
            visited: Visited::new(),
            tally: Mutex::new(Tally::default()),
            started: Instant::now(),
            split,
            sleep,
            whole_builds: AtomicBool::new(false),
        }
    }

    /// Searches on `jobs` threads, this one among them (its thread-local spares are warm
    /// from earlier searches, and one thread fewer is started), calling `progress` with the
    /// report so far: after every run on one thread; on several, after this thread's runs
    /// at most every [`PROGRESS_EVERY`] (none while it waits for work), then once at the
    /// end. A thread that cannot be started leaves the search to the others.
    pub fn work_on(&self, jobs: usize, progress: &mut dyn FnMut(&Exploration)) {
        if jobs <= 1 {
            return self.work(progress);
        }
        let mut last = Instant::now();
        // The report is read under the tally's lock, which the other workers wait for.
        let mut now_and_then = |report: &Exploration| {
            if last.elapsed() >= PROGRESS_EVERY {
                last = Instant::now();
                progress(report);
            }
        };
        std::thread::scope(|scope| {
            for index in 1..jobs {
                let spawned = (std::thread::Builder::new().name(format!("dfs-{index}")))
                    .spawn_scoped(scope, || self.work(&mut |_| {}));
                if spawned.is_err() {
                    // The system has no thread to spare: the search goes on with fewer.
                    self.pool.shrink();
                }
            }
            self.work(&mut now_and_then);
        });
        progress(&self.tally().report);
    }

    /// Takes subtrees until the search is over; `progress` is called after every run. A
    /// panic stops the search (the other workers would otherwise wait for this one for
    /// ever) and goes on.
    pub fn work(&self, progress: &mut dyn FnMut(&Exploration)) {
        let _stop = StopOnPanic(&self.pool);
        let mut labels = Interner::default();
        while let Some(prefix) = self.pool.take() {
            if let Err(divergence) = self.subtree(prefix, &mut labels, progress) {
                self.tally().error.get_or_insert(divergence);
                self.pool.stop();
            }
        }
    }

    /// The report so far.
    pub fn tally(&self) -> MutexGuard<'_, Tally> {
        (self.tally.lock()).unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Explores everything below `prefix` (a run follows it, then opens new decision
    /// points); hands untried choices to waiting workers on the way.
    fn subtree(
        &self,
        subtree: Subtree,
        labels: &mut Interner,
        progress: &mut dyn FnMut(&Exploration),
    ) -> Result<(), Divergence> {
        let base = subtree.path.len();
        let mut stack: Vec<Node> = subtree.path.into_iter().map(Node::given).collect();
        if let Some(first) = subtree.choices.first() {
            // The decision point whose remaining choices this worker tries, in the order the
            // serial search would, each leaving the ones before it asleep where they commute.
            let mut node = Node::given(first.clone());
            (node.sleep, node.done) = (subtree.sleep, subtree.done);
            node.backtrack = subtree.choices;
            stack.push(node);
        }
        let mut prefix = stack.len();
        let options = self.options;
        while !self.pool.is_stopped() {
            let mut explorer = Explorer {
                stack: &mut stack,
                prefix,
                visited: &self.visited,
                options,
                cut: None,
                split: self.split.as_ref(),
                sleep: self.sleep,
                labels: &mut *labels,
            };
            let (mut world, restored) = self.restored(explorer.stack, prefix);
            let verdict = run_from(&mut world, options.max_depth, &mut explorer);
            let cut = explorer.cut;
            // A run cut at the depth limit, or ended by a failure, stopped with events
            // still to happen: they must be explored from where they became enabled.
            let unfinished = matches!(verdict, Ok(Verdict::StepLimit | Verdict::Failed(_)));
            let end = matches!(verdict, Ok(Verdict::Pass)).then(|| world.end_fingerprint());
            let touches = world.touches.take().unwrap_or_default();
            // What DPOR reads of the run's end: what it read, left pending, left enabled.
            let ending = (options.reduction == Reduction::Dpor).then(|| {
                let visible = world.visible.take();
                let pending = pending_deliveries(&world);
                let after: Vec<Label> = (world.enabled().into_iter())
                    .map(|event| world.shared_label(event, labels))
                    .collect();
                (visible, pending, after)
            });
            let first = world.touched_from;
            drop(world);
            stack.truncate(first + touches.len());
            for (node, touch) in stack[first..].iter_mut().zip(touches) {
                node.touch = Some(touch);
            }
            let failed = match (verdict, cut) {
                (Ok(Verdict::Failed(failure)), _) => Some(failure),
                (Ok(_), _) | (Err(_), Some(Cut::Pruned | Cut::Elsewhere)) => None,
                (Err(_), Some(Cut::Budget)) => {
                    self.tally().report.budget_ran_out = true;
                    self.pool.stop();
                    return Ok(());
                }
                (Err(divergence), None) => return Err(divergence),
            };
            let schedule = || stack.iter().map(|n| n.chosen.to_string()).collect();
            let found = match &failed {
                Some(_) if self.tally().report.found.is_none() => Some(schedule()),
                _ => None,
            };
            let ended = cut.is_none();
            // Another shard's run (cut where its subtree starts, or ended above the cut) is
            // counted there.
            let path = || stack.iter().map(|node| &*node.chosen);
            let theirs = cut == Some(Cut::Elsewhere)
                || (self.split.as_ref()).is_some_and(|split| !split.owns(path()));
            if let Some(split) = self.split.as_ref().filter(|split| split.ranks.is_none()) {
                let mut tally = self.tally();
                tally.paths.push(path_key(path(), split.depth));
                tally.cuts += u64::from(cut == Some(Cut::Elsewhere));
            }
            let failed = failed.filter(|_| !theirs);
            let found = found.filter(|_| !theirs);
            let stop =
                !theirs && self.count(ended, restored, &stack, unfinished, end, failed.as_ref());
            if let Some(schedule) = found {
                let mut replay = ReplayScheduler::new(schedule).on_behalf_of("dfs");
                let report = run_with(self.system, 0, options.max_depth, true, &mut replay)?;
                self.tally().report.found.get_or_insert(report);
            }
            progress(&self.tally().report);
            if stop {
                self.pool.stop();
                return Ok(());
            }
            if let Some((visible, pending, after)) = ending {
                add_races(&mut stack, pending, &visible);
                add_disabled(&mut stack, &after);
                if unfinished {
                    add_left_enabled(&mut stack, &after);
                }
            }
            if self.pool.hungry() {
                self.pool
                    .give(untried(&mut stack, base).into_iter().collect());
            }
            match backtrack(&mut stack) {
                Some(depth) => prefix = depth,
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// The world a run that follows the first `prefix` decision points of `stack` starts
    /// from: the copy of the deepest of them that has one, brought back to life (`true`), or
    /// else the system's initial world (boxed: a world is large, and moves between the
    /// stack's decision points and runs).
    fn restored(&self, stack: &mut [Node], prefix: usize) -> (Box<World>, bool) {
        let mut copies = stack[..prefix].iter_mut().rev();
        if let Some(node) = copies.find(|node| node.copy.is_some()) {
            // The last choice tried here takes the copy; DPOR may still add choices.
            let last = self.options.reduction != Reduction::Dpor && !node.untried();
            let copy = match last {
                true => node.copy.take(),
                false => node.copy.as_ref().and_then(|copy| copy.fork()),
            };
            let revive = |copy: Box<World>| {
                let revived = World::revive(copy, |copy| self.fresh_for(copy));
                if revived.is_none() {
                    // Not from a lean build, at least, from now on.
                    self.whole_builds.store(true, Ordering::Relaxed);
                }
                revived
            };
            match copy.and_then(revive) {
                Some(world) => return (world, true),
                // It cannot come back (a client that is not deterministic): replay.
                None => node.copy = None,
            }
        }
        let max_depth = self.options.max_depth;
        let mut world = Box::new(built(self.system, 0, None, max_depth, false, true));
        if self.options.stateful {
            world.keep_client_logs();
        }
        (world, false)
    }

    /// Fresh bodies and checks to revive `copy` with: the system built lean (no server
    /// started: revival throws the servers away), unless a lean build ever failed (it did
    /// not fit a copy: a server's `init` started children; it read a server's state or a
    /// name, which it does not have; it panicked, reported by the panic hook unless
    /// `silence_handler_panics` is on; a copy did not come back from it); then built whole,
    /// and `None` if that does not fit either (the build is not deterministic).
    fn fresh_for(&self, copy: &World) -> Option<Box<World>> {
        if !self.whole_builds.load(Ordering::Relaxed) {
            let lean = guarded(|| {
                let mut world = Box::new(World::lean());
                self.system.build(&mut world);
                world
            });
            match lean {
                Ok(world) if copy.fits(&world) && !world.lean_read.get() => return Some(world),
                _ => self.whole_builds.store(true, Ordering::Relaxed),
            }
        }
        let mut world = Box::new(World::new(false));
        self.system.build(&mut world);
        Some(world).filter(|world| copy.fits(world))
    }

    /// Counts a run (`ended`: it reached its end, not cut by the explorer; `restored`: it
    /// started from a copy); returns whether the search must stop (a failure, unless it
    /// keeps going; a budget).
    fn count(
        &self,
        ended: bool,
        restored: bool,
        stack: &[Node],
        unfinished: bool,
        end: Option<u64>,
        failed: Option<&crate::Failure>,
    ) -> bool {
        let states = self.visited.len();
        let mut tally = self.tally();
        let tally = &mut *tally;
        let report = &mut tally.report;
        report.restored += u64::from(restored);
        report.states = states;
        report.max_depth = report.max_depth.max(stack.len() as u64);
        if !ended {
            report.pruned += 1;
            return false;
        }
        report.schedules += 1;
        if let Some(end) = end {
            tally.ends.insert(end);
            report.end_states = tally.ends.len() as u64;
        }
        if unfinished && failed.is_none() {
            report.depth_limited = true;
            report.cut_runs += 1;
        }
        if let Some(failure) = failed {
            let text = format!(
                "{:?} {:?} {}",
                failure.kind, failure.process, failure.message
            );
            tally.failures.insert(without_numbers(&text));
            report.distinct_failures = tally.failures.len() as u64;
            report.failures += 1;
            if !self.options.keep_going {
                return true;
            }
        }
        let out_of_time =
            (self.options.max_time).is_some_and(|limit| self.started.elapsed() >= limit);
        if report.schedules >= self.options.max_runs || out_of_time {
            report.budget_ran_out = true;
            return true;
        }
        false
    }
}

/// A subtree for a worker: the choices that lead to a decision point, the choices to try
/// there (in order), and what the decision point leaves asleep and has explored, with their
/// footprints. The worker carries on there as the serial search would: each choice explored
/// counts as explored for the next, so the parallel search keeps the serial sleep sets.
pub(crate) struct Subtree {
    pub path: Vec<Label>,
    pub choices: Vec<Label>,
    pub sleep: Vec<(Label, Footprint)>,
    pub done: Vec<(Label, Footprint)>,
}

impl Subtree {
    /// The whole tree.
    pub fn whole() -> Self {
        Subtree {
            path: Vec::new(),
            choices: Vec::new(),
            sleep: Vec::new(),
            done: Vec::new(),
        }
    }
}

/// Takes the untried choices of the shallowest decision point below the `base` of the stack
/// that has any out of the stack's hands: the rest of that decision point, for another
/// worker (the biggest piece there is, so hungry workers seldom wait). It keeps the decision
/// point's sleep set and what it explored, the current choice included (its subtree is
/// explored by this worker), and tries its choices in the order this worker would have.
fn untried(stack: &mut [Node], base: usize) -> Option<Subtree> {
    let open = |node: &Node, label: &Label| !node.tried(label) && !node.asleep(label);
    let depth = (base..stack.len()).find(|&depth| {
        let node = &stack[depth];
        node.backtrack.iter().any(|label| open(node, label))
    })?;
    let path: Vec<Label> = stack[..depth].iter().map(|n| n.chosen.clone()).collect();
    let node = &mut stack[depth];
    let (choices, kept): (Vec<Label>, Vec<Label>) = std::mem::take(&mut node.backtrack)
        .into_iter()
        .partition(|label| open(node, label));
    node.backtrack = kept;
    let mut done = node.done.clone();
    if let Some(touch) = &node.touch {
        done.push((node.chosen.clone(), Footprint::clone(touch)));
    }
    Some(Subtree {
        path,
        choices,
        sleep: node.sleep.clone(),
        done,
    })
}

/// Locks, ignoring poisoning.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
