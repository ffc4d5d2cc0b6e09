//! Histories for the linearizability checker's benchmark (`benches/benches/linearize.rs`):
//! a key-value store of registers, and seeded histories of a correct (linearizable)
//! concurrent execution of it, with operations overlapping at random.

use genserver_sim::linearize::{History, Model, OpId};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// An operation on a key-value store of numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KvOp {
    /// Sets the key's value.
    Put(u16, u32),
    /// Reads the key's value.
    Get(u16),
}

/// One key's value (0 at first); the store's operations are partitioned by key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Cell(pub u32);

impl Model for Cell {
    type Op = KvOp;
    /// What a get read; `None` for a put.
    type Ret = Option<u32>;
    type Key = u16;

    fn step(&mut self, op: &KvOp) -> Option<u32> {
        match *op {
            KvOp::Put(_, value) => {
                self.0 = value;
                None
            }
            KvOp::Get(_) => Some(self.0),
        }
    }

    fn partition(op: &KvOp) -> Option<u16> {
        match *op {
            KvOp::Put(key, _) | KvOp::Get(key) => Some(key),
        }
    }
}

/// The shape of a generated history.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    /// The seed of the generator (ChaCha8).
    pub seed: u64,
    /// Concurrent clients, each with at most one operation in flight.
    pub clients: u64,
    /// Operations in all.
    pub operations: usize,
    /// Keys, chosen uniformly.
    pub keys: u16,
    /// Values put are drawn from `0..values` (fewer values: more ambiguous reads).
    pub values: u32,
    /// The chance that an operation times out: it never returns (pending), having taken
    /// effect or not, and its client goes on with the next.
    pub timeouts: f64,
}

/// A history of a correct execution: at each step one client, at random, invokes an
/// operation (half puts, half gets), or has its operation take effect on the store (at one
/// moment between its invocation and response), or has it return; so operations overlap
/// with those of the other clients at random.
pub fn history(workload: &Workload) -> History<KvOp, Option<u32>> {
    enum Flight {
        Idle,
        Invoked(OpId),
        Done(OpId, Option<u32>),
    }
    let mut rng = ChaCha8Rng::seed_from_u64(workload.seed);
    let mut store = vec![Cell::default(); usize::from(workload.keys)];
    let mut history = History::new();
    let mut flights: Vec<Flight> = (0..workload.clients).map(|_| Flight::Idle).collect();
    let mut invoked = 0;
    let mut time = 0;
    while invoked < workload.operations || flights.iter().any(|f| !matches!(f, Flight::Idle)) {
        time += 1;
        let client = rng.random_range(0..workload.clients);
        let flight = &mut flights[client as usize];
        *flight = match std::mem::replace(flight, Flight::Idle) {
            Flight::Idle if invoked < workload.operations => {
                invoked += 1;
                let key = rng.random_range(0..workload.keys);
                let op = if rng.random_bool(0.5) {
                    KvOp::Put(key, rng.random_range(0..workload.values))
                } else {
                    KvOp::Get(key)
                };
                Flight::Invoked(history.invoke_at(client, op, time))
            }
            Flight::Idle => Flight::Idle,
            Flight::Invoked(_) if rng.random_bool(workload.timeouts) => Flight::Idle,
            Flight::Invoked(id) => {
                let op = history[id].input;
                let (KvOp::Put(key, _) | KvOp::Get(key)) = op;
                let output = store[usize::from(key)].step(&op);
                Flight::Done(id, output)
            }
            Flight::Done(..) if rng.random_bool(workload.timeouts) => Flight::Idle,
            Flight::Done(id, output) => {
                history.ret_at(id, output, time);
                Flight::Idle
            }
        };
    }
    history
}

/// The history with the output of its `nth` last get changed to a value nobody put: not
/// linearizable, and found so only after the operations before it.
pub fn with_bad_read(
    history: &History<KvOp, Option<u32>>,
    nth: usize,
) -> History<KvOp, Option<u32>> {
    let mut operations = history.clone().into_operations();
    let read = (0..operations.len())
        .rev()
        .filter(|&index| {
            matches!(operations[index].input, KvOp::Get(_)) && !operations[index].is_pending()
        })
        .nth(nth)
        .expect("enough completed gets");
    operations[read]
        .response
        .as_mut()
        .expect("completed")
        .output = Some(u32::MAX);
    operations.into_iter().collect()
}
