//! Generated workloads: clients whose calls are drawn from the model they are checked
//! against.

use std::fmt::Debug;
use std::sync::Arc;

use genserver::{GenServer, ServerRef};
use genserver_traces::{InputList, Inputs};

use super::attach::Linearizable;
use super::generate::{GenRng, Generator, generate};
use super::model::Model;
use crate::system::System;
use crate::world::World;

/// Spawns the user's servers and returns the one the clients call.
type Setup<S> = Arc<dyn Fn(&mut World) -> ServerRef<S> + Send + Sync>;

/// Makes a request of an operation.
type ToCall<M, S> = Arc<dyn Fn(&<M as Model>::Op) -> <S as GenServer>::Call + Send + Sync>;

/// Reads a reply as the model's output.
type FromReply<M, S> = Arc<dyn Fn(&<S as GenServer>::Reply) -> <M as Model>::Ret + Send + Sync>;

/// What a workload needs of its model: one it can send to the threads of a hunt, whose
/// operations and outputs it can copy and show.
pub trait WorkloadModel:
    Model<Op: Clone + Debug + Send + Sync + 'static, Ret: Clone + Debug + 'static>
    + Send
    + Sync
    + 'static
{
}

impl<M> WorkloadModel for M where
    M: Model<Op: Clone + Debug + Send + Sync + 'static, Ret: Clone + Debug + 'static>
        + Send
        + Sync
        + 'static
{
}

/// What a workload needs of the server its clients call: requests it can compare (a request
/// is read back as the operation whose call it equals).
pub trait WorkloadServer: GenServer<Call: PartialEq + Send> {}

impl<S: GenServer<Call: PartialEq + Send>> WorkloadServer for S {}

/// A system of generated clients: a sequential model, the user's servers, and each client's
/// operations drawn from the model by a seed. Every call is checked against the model
/// ([`World::linearizable`]), so a run fails when the history of calls is not linearizable
/// (nothing else needs writing by hand). A `Workload` is a [`System`]: [`crate::check`],
/// [`crate::Sim`], [`crate::hunt`], [`crate::explore`] and `gsim` take it.
///
/// Give the model, how to spawn the servers (returning the one the clients call), how an
/// operation becomes a call and how a reply becomes the model's output; then the generators
/// ([`Workload::op`]: a weight and a closure that draws an operation from the model's
/// state, or `None` when its precondition does not hold), the number of clients and of
/// operations per client, and the seed. The operations are drawn by a ChaCha RNG
/// ([`Workload::ops`]) from the workload's seed, the same in every run, or with
/// [`Workload::per_run`] from the workload's seed mixed with the run's, so that a hunt
/// tries other operations in every run. A request is read back as the operation whose call
/// it equals, so `call` must give different operations different calls.
///
/// A run records the operations it drew in its trace's header
/// ([`World::record_inputs`]: the seed, and each client's operations kept), and a replay
/// builds the clients from them ([`World::given_inputs`]). The standard shrink
/// ([`crate::shrink`], hence [`crate::Sim::check`] and `gsim hunt`) leaves out clients and
/// operations before it shrinks the schedule, and the shrunk trace records the operations
/// it kept: the replay line a failure prints reproduces the shrunk run byte for byte.
///
/// Preconditions see the state of one sequential order of the operations (the clients
/// drawing in turn, client 1 first), as in QuickCheck's generation: a run interleaves the
/// clients otherwise, and a shrink leaves operations out, so a precondition that keeps a
/// server from an error in that order may not in another. Write generators whose operations
/// are valid in any state, or a model whose output for an invalid one says so (an error
/// the server returns too).
///
/// ```
/// use genserver_sim::linearize::Workload;
/// use genserver_sim::zoo::stale_cache::{KvCall, KvModel, KvReply, servers};
/// use genserver_sim::{FailureKind, Sim, World, replay, shrink};
/// use rand::RngExt;
///
/// // The zoo's cache in front of its store (your own servers here), checked against a
/// // key-value model, with three clients of four operations drawn from it, other ones in
/// // every run.
/// let fenced = false;
/// let workload = Workload::new(
///     KvModel::default(),
///     move |world: &mut World| servers(world, fenced),
///     KvCall::clone,
///     KvReply::clone,
/// )
/// .op(2, |_, rng| Some(KvCall::Get(rng.random_range(1..=2))))
/// .op(1, |_, rng| Some(KvCall::Put(rng.random_range(1..=2), rng.random_range(1..=9))))
/// .clients(3)
/// .ops_per_client(4)
/// .per_run(true);
/// assert_eq!(workload.ops(7).len(), 3);
/// assert_ne!(workload.ops(7), workload.ops(8));
///
/// let found = Sim::new(&workload).runs(1_000).hunt().found.expect("the stale read");
/// assert_eq!(found.failure().unwrap().kind, FailureKind::Linearizability);
/// let shrunk = shrink(&workload, found.trace.as_ref().unwrap()).unwrap().unwrap();
/// assert_eq!(shrunk.original_inputs, Some(12));
/// assert!(shrunk.inputs().unwrap() <= 4);
/// // The shrunk trace holds the operations it kept: the same workload replays it exactly.
/// let trace = shrunk.report.trace.unwrap();
/// assert_eq!(replay(&workload, &trace).unwrap().trace.unwrap(), trace);
/// ```
pub struct Workload<M: Model, S: GenServer> {
    name: String,
    initial: M,
    setup: Setup<S>,
    call: ToCall<M, S>,
    reply: FromReply<M, S>,
    generators: Vec<(u32, Generator<M>)>,
    clients: usize,
    per_client: usize,
    seed: u64,
    /// Whether each run draws its own operations (the seed mixed with the run's).
    per_run: bool,
}

impl<M: Model, S: GenServer> Clone for Workload<M, S>
where
    M::Op: Clone,
{
    fn clone(&self) -> Self {
        Workload {
            name: self.name.clone(),
            initial: self.initial.clone(),
            setup: Arc::clone(&self.setup),
            call: Arc::clone(&self.call),
            reply: Arc::clone(&self.reply),
            generators: self.generators.clone(),
            clients: self.clients,
            per_client: self.per_client,
            seed: self.seed,
            per_run: self.per_run,
        }
    }
}

impl<M: WorkloadModel, S: WorkloadServer> Workload<M, S> {
    /// A workload checked against `initial`, calling the server `setup` spawns (and
    /// returns); `call` makes an operation a request, `reply` a reply the model's output.
    /// Two clients of one operation each, no generator yet, seed 0, the same operations in
    /// every run.
    pub fn new(
        initial: M,
        setup: impl Fn(&mut World) -> ServerRef<S> + Send + Sync + 'static,
        call: impl Fn(&M::Op) -> S::Call + Send + Sync + 'static,
        reply: impl Fn(&S::Reply) -> M::Ret + Send + Sync + 'static,
    ) -> Self {
        Workload {
            name: "workload".to_owned(),
            initial,
            setup: Arc::new(setup),
            call: Arc::new(call),
            reply: Arc::new(reply),
            generators: Vec::new(),
            clients: 2,
            per_client: 1,
            seed: 0,
            per_run: false,
        }
    }

    /// Adds a generator drawn with weight `weight` (against the others' weights): it draws
    /// an operation from the model's state, or returns `None` when its precondition does not
    /// hold (another generator is drawn then).
    pub fn op(
        mut self,
        weight: u32,
        generator: impl Fn(&M, &mut GenRng) -> Option<M::Op> + Send + Sync + 'static,
    ) -> Self {
        self.generators.push((weight, Arc::new(generator)));
        self
    }

    /// How many clients call the server (`client-1`, `client-2`, …).
    pub fn clients(mut self, clients: usize) -> Self {
        self.clients = clients;
        self
    }

    /// How many operations each client makes, one after the other.
    pub fn ops_per_client(mut self, ops: usize) -> Self {
        self.per_client = ops;
        self
    }

    /// The seed the operations are drawn by (mixed with each run's, with
    /// [`Workload::per_run`]).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether each run draws its own operations, by the workload's seed mixed with the
    /// run's ([`World::seed`]): a hunt of many runs then explores many workloads. Off, every
    /// run draws the same operations, by the workload's seed alone (the default).
    pub fn per_run(mut self, per_run: bool) -> Self {
        self.per_run = per_run;
        self
    }

    /// Names the system (traces, reports) and its linearizability check.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// Each client's operations in a run of seed `run_seed` (the same for every seed unless
    /// [`Workload::per_run`]), in order (index 0 is `client-1`): drawn by a ChaCha RNG, the
    /// clients drawing in turn from one model so that each precondition sees the state the
    /// operations drawn before it leave.
    pub fn ops(&self, run_seed: u64) -> Vec<Vec<M::Op>> {
        self.drawn(self.draw_seed(run_seed))
    }

    /// The seed a run of seed `run_seed` draws its operations by.
    fn draw_seed(&self, run_seed: u64) -> u64 {
        match self.per_run {
            true => mix(self.seed, run_seed),
            false => self.seed,
        }
    }

    /// The operations drawn by `seed`.
    fn drawn(&self, seed: u64) -> Vec<Vec<M::Op>> {
        let (clients, per_client) = (self.clients, self.per_client);
        generate(&self.initial, &self.generators, clients, per_client, seed)
    }

    /// The operations of the run being built: those its given inputs keep (a replay, a
    /// shrink), else all those drawn by its seed; recorded as the run's inputs.
    fn operations(&self, world: &mut World) -> Vec<Vec<M::Op>> {
        let given = world.given_inputs();
        let seed = given.map_or_else(|| self.draw_seed(world.seed()), |inputs| inputs.seed);
        let drawn = self.drawn(seed);
        let kept = kept(given, &drawn);
        let ops: Vec<Vec<M::Op>> = (drawn.iter().zip(&kept))
            .map(|(ops, kept)| kept.iter().map(|&index| ops[index].clone()).collect())
            .collect();
        let lists = (drawn.iter().zip(kept).zip(&ops).enumerate())
            .map(|(client, ((drawn, kept), ops))| InputList {
                name: client_name(client),
                drawn: drawn.len(),
                kept,
                items: ops.iter().map(|op| format!("{op:?}")).collect(),
            })
            .collect();
        world.record_inputs(Inputs { seed, lists });
        ops
    }
}

/// Each client's kept operations, by index among its `drawn`: those the `given` inputs
/// list (that were drawn), or all of them.
fn kept<T>(given: Option<&Inputs>, drawn: &[Vec<T>]) -> Vec<Vec<usize>> {
    let Some(inputs) = given else {
        return drawn.iter().map(|ops| (0..ops.len()).collect()).collect();
    };
    let listed = |client: usize| inputs.lists.get(client).map(|list| list.kept.as_slice());
    (drawn.iter().enumerate())
        .map(|(client, ops)| {
            let kept = listed(client).unwrap_or_default().iter();
            kept.filter(|&&index| index < ops.len()).copied().collect()
        })
        .collect()
}

/// The name of the client of index `client` (`client-1` for 0).
fn client_name(client: usize) -> String {
    format!("client-{}", client + 1)
}

/// The workload's seed mixed with a run's (SplitMix64's finaliser over both): nearby seeds
/// draw unrelated operations.
fn mix(seed: u64, run_seed: u64) -> u64 {
    let finalise = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    finalise(seed.wrapping_add(finalise(run_seed.wrapping_add(0x9e37_79b9_7f4a_7c15))))
}

impl<M: WorkloadModel, S: WorkloadServer> System for Workload<M, S> {
    fn build(&self, world: &mut World) {
        let server = (self.setup)(world);
        let ops = self.operations(world);
        let requests: Vec<(S::Call, M::Op)> = (ops.iter().flatten())
            .map(|op| ((self.call)(op), op.clone()))
            .collect();
        let reply = Arc::clone(&self.reply);
        let model = Linearizable::new(self.initial.clone()).server(
            server,
            move |request| {
                let found = requests.iter().find(|(call, _)| call == request);
                found.map(|(_, op)| op.clone())
            },
            move |answer| reply(answer),
        );
        world.linearizable(&self.name, model);
        for (index, client_ops) in ops.into_iter().enumerate() {
            if client_ops.is_empty() {
                continue;
            }
            let call = Arc::clone(&self.call);
            world.client(&client_name(index), async move |cx| {
                for op in &client_ops {
                    cx.call(server, call(op)).await?;
                }
                Ok(())
            });
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}
