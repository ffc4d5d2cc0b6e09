//! `gsim check --processes`: each seed run again in a child process, for what stays the same
//! within one process but not across processes (the process id, addresses, a `HashMap`
//! built once in a static, a random value drawn once per process).
//!
//! The child is this executable again ([`std::env::current_exe`]) with the hidden
//! subcommand [`CHILD_COMMAND`], which runs one seed and prints its trace as JSON Lines; the
//! parent compares it with its own run of the seed, event by event. The child inherits the
//! environment: what a system reads from it is the same in both and is not caught.

use std::process::{Command, Stdio};

use crate::cli::Gsim;
use crate::cli::commands::system;
use crate::scheduler::Divergence;
use crate::{Entry, System};
use genserver_traces::Trace;

/// The hidden subcommand the child runs: `trace-seed SYSTEM --seed S --max-steps N`.
pub const CHILD_COMMAND: &str = "trace-seed";

/// The hidden subcommand: one traced run of `seed`, its trace on stdout as JSON Lines.
pub fn trace_seed(gsim: &Gsim, name: &str, seed: u64, max_steps: u64) -> Result<u8, String> {
    let system = system(gsim, name)?;
    let report = crate::run(system, seed, max_steps, true);
    say_raw!("{}", report.trace.expect("recorded").to_jsonl());
    Ok(0)
}

/// Runs `seed` of `system` here and in a child process and compares the traces: the first
/// event where they differ, if any. An error if the child cannot be run or prints no trace.
pub fn in_a_child(
    system: &Entry,
    seed: u64,
    max_steps: u64,
) -> Result<Result<(), Divergence>, String> {
    let child = child_trace(system.name(), seed, max_steps)?;
    let here = crate::run(system, seed, max_steps, true);
    let here = here.trace.expect("recorded");
    Ok(
        crate::drive::run::compare(&here, &child, "this process has", "a child process has")
            .map_err(|d| Divergence {
                step: d.step,
                message: format!("nondeterministic across processes: {}", d.message),
            }),
    )
}

/// The trace a child process prints for `seed` of the system called `name`.
fn child_trace(name: &str, seed: u64, max_steps: u64) -> Result<Trace, String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find this executable to start it again: {e}"))?;
    let (seed, max_steps) = (seed.to_string(), max_steps.to_string());
    let args = [
        CHILD_COMMAND,
        name,
        "--seed",
        &seed,
        "--max-steps",
        &max_steps,
    ];
    let shown = format!("{} {}", exe.display(), args.join(" "));
    let output = Command::new(&exe)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start the child process `{shown}`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the child process `{shown}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let printed = String::from_utf8_lossy(&output.stdout);
    // What the system itself printed comes first; the trace starts at its header.
    let start = printed.rfind("{\"type\":\"header\"").unwrap_or(0);
    Trace::from_jsonl(&printed[start..])
        .map_err(|e| format!("the child process `{shown}` printed no trace: {e}"))
}
