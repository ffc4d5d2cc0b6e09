//! The shared test server (`genserver_checks::node::Node`) on the threaded runtime: how the
//! tests start it, order it about and read its journal.

use genserver::runtime::Spawner;
use genserver::{MonitorRef, ProcessId, Runtime, Server};
use genserver_checks::node::{AT_THE_GATE, Cmd, Journal, LONG, Node, NodeArgs, Request};

pub use genserver_checks::node::wait_until;

/// The node on this engine.
pub type N = Node<Spawner>;

/// Starts a node.
pub fn spawn(rt: &Runtime, args: NodeArgs) -> Server<N> {
    rt.start::<N>(args).expect("the node starts")
}

/// Starts a plain node labelled `label`.
pub fn plain(rt: &Runtime, label: &str, journal: &Journal) -> Server<N> {
    spawn(rt, NodeArgs::new(label, journal))
}

/// Has `node` carry out `cmds` (they are done when this returns); returns the last monitor.
pub fn order(node: &Server<N>, cmds: Vec<Cmd>) -> MonitorRef {
    MonitorRef(
        node.call_timeout(Request::Do(cmds), LONG)
            .expect("the node obeys"),
    )
}

/// The journal without the lines of the test's own doing: calls (the driver's orders and
/// probes, and calls between nodes), casts of commands, and "at the gate". Casts of notes
/// stay: they are what nodes tell each other.
pub fn lifecycle(journal: &Journal) -> Vec<String> {
    let ours = |line: &str| {
        let text = line.split_once(": ").map_or(line, |(_, text)| text);
        text.starts_with("call from ") || text.starts_with("cast Do(") || text == AT_THE_GATE
    };
    (journal.lines().into_iter())
        .filter(|line| !ours(line))
        .collect()
}

/// [`lifecycle`] without the nodes' `init` lines.
pub fn events(journal: &Journal) -> Vec<String> {
    (lifecycle(journal).into_iter())
        .filter(|line| !line.ends_with(": init"))
        .collect()
}

/// Waits (bounded) until the journal holds `line`.
pub fn await_line(journal: &Journal, line: &str) {
    wait_until(
        || journal.lines().iter().any(|l| l == line),
        || format!("never journaled {line:?}; journal: {:?}", journal.lines()),
    );
}

/// Waits (bounded) until process `id` has left the registry (its exit is complete: its
/// monitors and links have been notified).
pub fn await_dead(rt: &Runtime, id: ProcessId) {
    wait_until(|| !rt.is_alive(id), || format!("{id:?} never died"));
}

/// Waits (bounded) until `node` holds `count` calls.
pub fn await_held(node: &Server<N>, count: u64) {
    wait_until(
        || node.call(Request::HeldCount) == Ok(count),
        || format!("{node:?} never held {count} calls"),
    );
}
