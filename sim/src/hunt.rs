//! Hunting (many seeds until a failure) and the determinism self-check.

use crate::run::{RunReport, compare, run};
use crate::scheduler::Divergence;
use crate::system::System;

/// The result of a hunt.
#[derive(Clone, Debug)]
pub struct Hunt {
    /// How many runs were made (the failing one included).
    pub runs: u64,
    /// The first failing run: its verdict (always a failure), with the trace of a re-run of
    /// its seed.
    pub found: Option<RunReport>,
    /// Whether the re-run ended exactly like the first run of that seed (it always should;
    /// `false` means the system is nondeterministic: see [`check_determinism`]; the trace
    /// then need not show the failure).
    pub reproduced: bool,
}

/// Runs seeds `first_seed`, `first_seed + 1`, … until a failure or `runs` runs.
///
/// Runs go untraced for speed; the failing seed is run again with its trace on, which fails
/// at the same step unless the system is nondeterministic (`reproduced` is then `false`,
/// and the report keeps the first run's failure with the re-run's trace).
pub fn hunt(system: &dyn System, first_seed: u64, runs: u64, max_steps: u64) -> Hunt {
    for done in 0..runs {
        let seed = first_seed.wrapping_add(done);
        let first = run(system, seed, max_steps, false);
        if first.failure().is_some() {
            let again = run(system, seed, max_steps, true);
            let reproduced = again.verdict == first.verdict;
            let found = RunReport {
                steps: first.steps,
                verdict: first.verdict,
                ..again
            };
            return Hunt {
                runs: done + 1,
                reproduced,
                found: Some(found),
            };
        }
    }
    Hunt {
        runs,
        found: None,
        reproduced: true,
    }
}

/// Runs `seed` twice with its trace on and compares every event: a handler that reads the
/// clock, a global counter or iterates a `HashMap` makes the two runs differ.
pub fn check_determinism(system: &dyn System, seed: u64, max_steps: u64) -> Result<(), Divergence> {
    let first = run(system, seed, max_steps, true);
    let second = run(system, seed, max_steps, true);
    let (first, second) = (first.trace.expect("traced"), second.trace.expect("traced"));
    compare(&first, &second, "the first run has", "the second run has").map_err(|d| Divergence {
        step: d.step,
        message: format!("nondeterministic: {}", d.message),
    })
}
