//! What a run is given beyond its schedule: the run's seed, and the inputs a trace recorded
//! (a replay or a shrink hands them back), for a system that draws its clients' work (a
//! generated workload); and the inputs the system says it used, for the trace's header.

use genserver_traces::Inputs;

use crate::world::World;

/// A run's seed and inputs.
#[derive(Clone, Default)]
pub(crate) struct RunInputs {
    /// The run's seed (0 in exhaustive search).
    pub seed: u64,
    /// The inputs to use, recorded by the trace being replayed or chosen by a shrink.
    pub given: Option<Inputs>,
    /// The inputs the system used ([`World::record_inputs`]), for the trace.
    pub used: Option<Inputs>,
}

impl World {
    /// The seed of the run being built: the hunt's seed of this run, the seed a replayed
    /// trace records, 0 in exhaustive search. A system that draws its work by it explores
    /// other work in every run of a hunt; it must record what it drew
    /// ([`World::record_inputs`]) so that a replay rebuilds the same.
    pub fn seed(&self) -> u64 {
        self.inputs.seed
    }

    /// The inputs this run must use instead of drawing its own: those a replayed trace
    /// recorded, or the smaller ones a shrink tries; `None` for a fresh run.
    pub fn given_inputs(&self) -> Option<&Inputs> {
        self.inputs.given.as_ref()
    }

    /// Records the inputs the system drew (or was given) for this run: the trace's header
    /// keeps them, a replay hands them back ([`World::given_inputs`]), and a shrink leaves
    /// items out of them (a list, or one item) to find a smaller failing run.
    pub fn record_inputs(&mut self, inputs: Inputs) {
        self.inputs.used = Some(inputs);
    }
}
