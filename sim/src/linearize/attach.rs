//! A model attached to a simulated world: which servers' calls are its operations, and the
//! check the world runs over the history of those calls.

use std::any::Any;
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::rc::Rc;

use genserver::{GenServer, ProcessId, ServerRef};

use super::history::{History, OpId};
use super::model::Model;
use super::{Verdict, check_parts};

/// A sequential model and the servers whose calls it explains, to attach to a world with
/// [`crate::World::linearizable`]: every call a client makes to one of the servers becomes
/// an operation of the model (the request mapped to the model's input, the reply to its
/// output), and the run fails as soon as the history of those operations is not
/// linearizable.
///
/// A call that timed out, or failed with an error, is *pending*: it may have taken effect
/// or not. A call that failed at once (the server was dead) never reached it and is left
/// out.
///
/// ```
/// use genserver_sim::linearize::Linearizable;
/// use genserver_sim::zoo::counter::{Counter, CounterCall};
/// use genserver_sim::World;
///
/// /// The counter's sequential model: its value.
/// #[derive(Clone, PartialEq, Eq, Hash)]
/// struct Value(i64);
///
/// impl genserver_sim::linearize::Model for Value {
///     type Op = CounterCall;
///     type Ret = i64;
///     type Key = ();
///     fn step(&mut self, op: &CounterCall) -> i64 {
///         match op {
///             CounterCall::Increment => self.0 += 1,
///             CounterCall::Get => {}
///             CounterCall::Set(value) => self.0 = *value,
///         }
///         self.0
///     }
/// }
///
/// fn build(world: &mut World) {
///     let counter = world.spawn::<Counter>("counter", 0);
///     let model = Linearizable::new(Value(0)).server(counter, |call| Some(call.clone()), |&n| n);
///     world.linearizable("counter", model);
///     // … clients that call the counter
/// }
/// # genserver_sim::check(&build);
/// ```
pub struct Linearizable<M: Model> {
    pub(crate) initial: M,
    servers: Vec<Mapping<M>>,
}

/// Reads a request or a reply of erased type as the model's: `None` if it is not one.
type Reader<T> = Box<dyn Fn(&dyn Any) -> Option<T> + Send>;

/// How one server's calls map to the model.
struct Mapping<M: Model> {
    server: ProcessId,
    /// The model's input for a request (`None`: not an operation of the model).
    op: Reader<M::Op>,
    /// The model's output for a reply (`None`: the reply is of another type).
    ret: Reader<M::Ret>,
}

impl<M: Model> Linearizable<M> {
    /// A model starting from `initial`, explaining no server yet.
    pub fn new(initial: M) -> Self {
        Linearizable {
            initial,
            servers: Vec::new(),
        }
    }

    /// Makes the calls to `server` operations of the model: `op` gives a request's input
    /// (`None` for a request the model leaves out), `ret` a reply's output.
    pub fn server<S: GenServer>(
        mut self,
        server: ServerRef<S>,
        op: impl Fn(&S::Call) -> Option<M::Op> + Send + 'static,
        ret: impl Fn(&S::Reply) -> M::Ret + Send + 'static,
    ) -> Self {
        self.servers.push(Mapping {
            server: server.id(),
            op: Box::new(move |request| request.downcast_ref::<S::Call>().and_then(&op)),
            ret: Box::new(move |reply| reply.downcast_ref::<S::Reply>().map(&ret)),
        });
        self
    }
}

/// The operations recorded so far, and the mapping each came through.
pub(crate) struct Recording<M: Model> {
    pub history: History<M::Op, M::Ret>,
    /// The mapping (index in `spec.servers`) of each operation.
    mapping: Vec<usize>,
}

impl<M: Model> Recording<M> {
    /// Nothing recorded yet.
    pub fn new() -> Self {
        Recording {
            history: History::new(),
            mapping: Vec::new(),
        }
    }

    /// Records that `client` called `server` with `request`, if `spec` makes that an
    /// operation; its id.
    pub fn invoke(
        &mut self,
        spec: &Linearizable<M>,
        client: ProcessId,
        server: ProcessId,
        request: &dyn Any,
    ) -> Option<OpId> {
        let (index, op) = (spec.servers.iter().enumerate())
            .filter(|(_, mapping)| mapping.server == server)
            .find_map(|(index, mapping)| Some((index, (mapping.op)(request)?)))?;
        self.mapping.push(index);
        Some(self.history.invoke(client.0, op))
    }

    /// Records that operation `op` returned `reply`; whether `spec` reads it as an output
    /// (a reply of another type leaves the operation pending).
    pub fn respond(&mut self, spec: &Linearizable<M>, op: OpId, reply: &dyn Any) -> bool {
        match (spec.servers[self.mapping[op.0]].ret)(reply) {
            Some(output) => {
                self.history.ret(op, output);
                true
            }
            None => false,
        }
    }
}

impl<M: Model> Clone for Recording<M>
where
    M::Op: Clone,
    M::Ret: Clone,
{
    fn clone(&self) -> Self {
        Recording {
            history: self.history.clone(),
            mapping: self.mapping.clone(),
        }
    }
}

/// Where a checked history is not linearizable, in its own operation ids.
pub(crate) struct Failed {
    /// The failing part's key, as its `Debug` shows it (`None`: the whole history).
    pub partition: Option<String>,
    /// The operations of the failing part.
    pub operations: Vec<OpId>,
    /// The longest linearizable prefix.
    pub prefix: Vec<OpId>,
    /// The operation that cannot follow it.
    pub blocked: OpId,
    /// What went wrong, in words (without the check's name).
    pub message: String,
}

/// A model attached to a world, with the history recorded so far (the world holds it as a
/// trait object: the model's types are the user's).
pub(crate) trait HistoryCheck {
    /// Records that `client` called `server` with `request`, if that is an operation of the
    /// model; returns its id.
    fn invoke(&mut self, client: ProcessId, server: ProcessId, request: &dyn Any) -> Option<OpId>;

    /// Records that operation `op` returned `reply` (an error leaves it pending).
    fn respond(&mut self, op: OpId, reply: &dyn Any);

    /// Checks the history recorded so far; `names` names a client.
    fn check(&mut self, names: &dyn Fn(ProcessId) -> String) -> Option<Failed>;

    /// An independent copy, history included (for copies of the world).
    fn copy(&self) -> Box<dyn HistoryCheck>;
}

/// The typed check behind [`HistoryCheck`].
///
/// It checks again only the partitions ([`Model::partition`]) that got a response since
/// the last check, which is sound: the history was linearizable then (or the run would have
/// stopped), so each partition was (P-compositionality); an invocation cannot make a
/// linearizable partition non-linearizable (a pending operation may take effect last, or
/// not at all), and the partitions that got no response got nothing else. So a run of many
/// keys checks one key per reply, not the whole history; a key's own history is still
/// searched from its start at each of its replies.
struct Checker<M: Model> {
    spec: Rc<Linearizable<M>>,
    recording: Recording<M>,
    /// The partitions that got a response since the last check (`None`: an operation with
    /// no key, whose history is checked as a whole).
    changed: BTreeSet<Option<M::Key>>,
}

impl<M> Linearizable<M>
where
    M: Model + 'static,
    M::Op: Clone + Debug + 'static,
    M::Ret: Clone + Debug + 'static,
{
    /// The check the world runs.
    pub(crate) fn into_check(self) -> Box<dyn HistoryCheck> {
        Box::new(Checker {
            spec: Rc::new(self),
            recording: Recording::new(),
            changed: BTreeSet::new(),
        })
    }
}

impl<M> HistoryCheck for Checker<M>
where
    M: Model + 'static,
    M::Op: Clone + Debug + 'static,
    M::Ret: Clone + Debug + 'static,
{
    fn invoke(&mut self, client: ProcessId, server: ProcessId, request: &dyn Any) -> Option<OpId> {
        self.recording.invoke(&self.spec, client, server, request)
    }

    fn respond(&mut self, op: OpId, reply: &dyn Any) {
        if self.recording.respond(&self.spec, op, reply) {
            let key = M::partition(&self.recording.history[op].input);
            self.changed.insert(key);
        }
    }

    fn check(&mut self, names: &dyn Fn(ProcessId) -> String) -> Option<Failed> {
        if self.changed.is_empty() {
            return None;
        }
        let changed = std::mem::take(&mut self.changed);
        // The part keyed `None` is the whole history: any change is its change.
        let wanted = |key: &Option<M::Key>| key.is_none() || changed.contains(key);
        failed(&self.spec.initial, &self.recording.history, wanted, names)
    }

    fn copy(&self) -> Box<dyn HistoryCheck> {
        Box::new(Checker {
            spec: Rc::clone(&self.spec),
            recording: self.recording.clone(),
            changed: self.changed.clone(),
        })
    }
}

/// Where `history` is not linearizable against `initial`, if it is not, looking at the
/// partitions `wanted` accepts only; `names` names a client.
pub(crate) fn failed<M>(
    initial: &M,
    history: &History<M::Op, M::Ret>,
    wanted: impl Fn(&Option<M::Key>) -> bool,
    names: &dyn Fn(ProcessId) -> String,
) -> Option<Failed>
where
    M: Model,
    M::Op: Clone + Debug,
    M::Ret: Clone + Debug,
{
    let Verdict::NotLinearizable(violation) = check_parts(initial, history, wanted) else {
        return None;
    };
    let operations = (history.iter())
        .filter(|(_, op)| {
            violation.partition.is_none() || M::partition(&op.input) == violation.partition
        })
        .map(|(id, _)| id)
        .collect();
    let blocked = &history[violation.blocked];
    let output = blocked.output().map(|ret| format!("{ret:?}"));
    let partition = violation.partition.as_ref().map(|key| format!("{key:?}"));
    let message = format!(
        "not linearizable{}: {}'s {:?} → {} cannot follow any linearizable order of the \
         operations before it (the longest has {})",
        partition
            .as_ref()
            .map(|key| format!(" (key {key})"))
            .unwrap_or_default(),
        names(ProcessId(blocked.client)),
        blocked.input,
        output.unwrap_or_default(),
        count(violation.prefix.len()),
    );
    Some(Failed {
        partition,
        operations,
        prefix: violation.prefix,
        blocked: violation.blocked,
        message,
    })
}

/// `1 operation`, `3 operations`.
fn count(n: usize) -> String {
    match n {
        1 => "1 operation".to_owned(),
        n => format!("{n} operations"),
    }
}

#[cfg(test)]
mod tests {
    use genserver::{ProcessId, ServerRef};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::{Linearizable, failed};
    use crate::zoo::stale_cache::{Cache, KvCall, KvModel, KvReply};

    /// Checking only the keys that got a response says what checking the whole history
    /// says, at every response, on random histories of three keys where a read sometimes
    /// returns a stale value.
    #[test]
    fn checking_the_changed_keys_only_agrees_with_checking_everything() {
        let cache = ServerRef::<Cache>::new(ProcessId(1));
        let (mut failures, mut passes) = (0, 0);
        for seed in 0..300 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let spec = Linearizable::new(KvModel::default()).server(
                cache,
                |call: &KvCall| Some(call.clone()),
                KvReply::clone,
            );
            let mut check = spec.into_check();
            let mut history = crate::linearize::History::new();
            let mut store = [0u32; 3];
            let mut previous = store;
            // Each client's call in flight: its operation id in both, and its request.
            let mut open: Vec<Option<(crate::linearize::OpId, KvCall)>> = vec![None; 4];
            let names = |id: ProcessId| format!("{id:?}");
            let mut found = None;
            for _ in 0..40 {
                let client = rng.random_range(0..4);
                match open[client].take() {
                    None => {
                        let key = rng.random_range(0..3u8);
                        let call = match rng.random_bool(0.5) {
                            true => KvCall::Get(key),
                            false => KvCall::Put(key, rng.random_range(1..5)),
                        };
                        let from = ProcessId(client as u64 + 2);
                        let id = check.invoke(from, cache.id(), &call).unwrap();
                        assert_eq!(history.invoke(client as u64 + 2, call.clone()), id);
                        open[client] = Some((id, call));
                    }
                    Some((id, call)) => {
                        let reply = match call {
                            KvCall::Put(key, value) => {
                                previous[key as usize] = store[key as usize];
                                store[key as usize] = value;
                                KvReply::Written
                            }
                            // Now and then the value before the last write: stale.
                            KvCall::Get(key) => KvReply::Value(match rng.random_bool(0.1) {
                                true => previous[key as usize],
                                false => store[key as usize],
                            }),
                        };
                        check.respond(id, &reply);
                        history.ret(id, reply);
                        let incremental = check.check(&names);
                        let whole = failed(&KvModel::default(), &history, |_| true, &names);
                        let summary = |f: &super::Failed| (f.blocked, f.message.clone());
                        assert_eq!(
                            incremental.as_ref().map(summary),
                            whole.as_ref().map(summary),
                            "seed {seed}"
                        );
                        if incremental.is_some() {
                            found = incremental;
                            break;
                        }
                    }
                }
            }
            match found {
                Some(_) => failures += 1,
                None => passes += 1,
            }
        }
        // Both verdicts were compared often.
        assert!(
            failures > 30 && passes > 30,
            "{failures} failed, {passes} passed"
        );
    }
}
