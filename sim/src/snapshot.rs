//! One line of a user's test pins a system's behaviour: a seeded run rendered as stable text.

use genserver_traces::to_text;

use crate::{DEFAULT_MAX_STEPS, System, run};

/// The stable text trace of the run of `system` chosen by `seed`: one line per event, the
/// same in every process and on every machine, made for snapshot tests.
///
/// ```
/// use genserver_sim::{find_system, trace_text};
///
/// let counter = find_system("counter").unwrap();
/// let text = trace_text(counter, 7);
/// assert!(text.starts_with("# genserver-trace v5: system counter, seed 7"));
/// assert_eq!(text, trace_text(counter, 7), "the same seed gives the same text");
/// ```
///
/// In a test of your own system, with `insta` as a dev-dependency, it is one line:
///
/// ```no_run
/// # let my_system = genserver_sim::find_system("counter").unwrap();
/// insta::assert_snapshot!(genserver_sim::trace_text(my_system, 7));
/// ```
///
/// A change in behaviour (a message order, a reply, a failure) then shows as a snapshot diff;
/// review it with `cargo insta review`.
pub fn trace_text(system: &dyn System, seed: u64) -> String {
    let report = run(system, seed, DEFAULT_MAX_STEPS, true);
    to_text(report.trace.as_ref().expect("recording is on"))
}
