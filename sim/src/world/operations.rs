//! The run's history: every call a client makes, from its invocation to its outcome, kept
//! for the trace (when it is recorded) and for the models attached to the world, which
//! check after every step that the history of their servers' calls is linearizable.

use std::any::Any;
use std::fmt::Debug;

use genserver::{CallError, CallTag, Message, ProcessId};
use genserver_traces::{Answer, HistoryViolation, Moment, Operation, Returned};

use crate::failure::{Failure, FailureKind};
use crate::linearize::attach::HistoryCheck;
use crate::linearize::{Linearizable, Model, OpId};
use crate::world::envelope::CallOutcome;
use crate::world::erased_server::{guarded, render};
use crate::world::sorted_map::SortedMap;
use crate::world::{ProcKind, World};

/// The history of a run.
#[derive(Default)]
pub(crate) struct Operations {
    /// The number the next invocation or response gets.
    seq: u64,
    /// The calls, for the trace (only while it is recorded).
    pub records: Vec<Operation>,
    /// Calls in flight: their record, and their operation in each check.
    open: SortedMap<(ProcessId, CallTag), Open>,
    /// The attached models, by name.
    checks: Vec<(String, Box<dyn HistoryCheck>)>,
    /// The operations of each check, by id: their index in `records`, if recorded.
    records_of: Vec<Vec<Option<usize>>>,
    /// Where a check failed, for the trace.
    pub violation: Option<HistoryViolation>,
}

/// A call in flight.
#[derive(Clone, Default)]
pub(crate) struct Open {
    record: Option<usize>,
    /// (check, operation) for each check the call is an operation of.
    ops: Vec<(usize, OpId)>,
}

impl Clone for Operations {
    fn clone(&self) -> Self {
        Operations {
            seq: self.seq,
            records: self.records.clone(),
            open: self.open.clone(),
            checks: (self.checks.iter())
                .map(|(name, check)| (name.clone(), check.copy()))
                .collect(),
            records_of: self.records_of.clone(),
            violation: self.violation.clone(),
        }
    }
}

impl World {
    /// Checks after every step that the calls clients make to the servers of `model` are
    /// linearizable against it ([`Linearizable`]): a history that is not fails the run
    /// ([`FailureKind::Linearizability`]), naming `name`, the operation that cannot be
    /// placed and the longest linearizable prefix; the trace draws the history
    /// ([`genserver_traces::to_text`]). Exhaustive search orders every two steps of clients
    /// of such a world (the history may tell them apart).
    pub fn linearizable<M>(&mut self, name: &str, model: Linearizable<M>)
    where
        M: Model + 'static,
        M::Op: Clone + Debug + 'static,
        M::Ret: Clone + Debug + 'static,
    {
        self.operations
            .checks
            .push((name.to_owned(), model.into_check()));
        self.operations.records_of.push(Vec::new());
        let clients = (self.procs.iter().enumerate())
            .filter(|(_, p)| matches!(p.kind, ProcKind::Client(_)))
            .map(|(index, _)| ProcessId(index as u64 + 1));
        self.visible.borrow_mut().extend(clients);
    }

    /// Whether a model is attached (its clients' steps are then all dependent).
    pub(crate) fn checks_histories(&self) -> bool {
        !self.operations.checks.is_empty()
    }

    /// Records that client `client` calls `to` with `request`, before the call is made.
    /// `None` if nothing records calls.
    pub(crate) fn note_call(
        &mut self,
        client: ProcessId,
        to: ProcessId,
        request: &dyn Message,
    ) -> Option<Open> {
        let recording = self.log.is_some();
        if !recording && self.operations.checks.is_empty() {
            return None;
        }
        let mut open = Open::default();
        let at = self.moment();
        if recording {
            open.record = Some(self.operations.records.len());
            let call = render(|| format!("{request:?}"));
            self.operations.records.push(Operation {
                client: self.name(client),
                server: self.name(to),
                call,
                invoked: at,
                returned: None,
            });
        }
        // A call that fails at once never reaches the server: no operation of a model.
        if to != client && self.alive(to) {
            let request: &dyn Any = request;
            for index in 0..self.operations.checks.len() {
                let check = &mut self.operations.checks[index].1;
                match guarded(|| check.invoke(client, to, request)) {
                    Ok(Some(op)) => {
                        open.ops.push((index, op));
                        self.operations.records_of[index].push(open.record);
                        self.mark_history(client, (index, op.0, 0));
                    }
                    Ok(None) => {}
                    Err(panic) => self.model_panicked(index, panic),
                }
            }
        }
        Some(open)
    }

    /// The call noted as `open` was made: its outcome is awaited as call `tag`.
    pub(crate) fn note_sent(&mut self, client: ProcessId, tag: CallTag, open: Option<Open>) {
        if let Some(open) = open {
            self.operations.open.insert((client, tag), open);
        }
    }

    /// The call noted as `open` failed at once with `error`.
    pub(crate) fn note_failed(&mut self, open: Option<Open>, error: &CallError) {
        if let Some(record) = open.and_then(|open| open.record) {
            let answer = Answer::Error(error.to_string());
            self.settle_record(record, answer);
        }
    }

    /// Records the outcome client `client` gets for its call `tag`.
    pub(crate) fn note_outcome(&mut self, client: ProcessId, tag: CallTag, outcome: &CallOutcome) {
        let Some(open) = self.operations.open.remove(&(client, tag)) else {
            return;
        };
        if let Some(record) = open.record {
            let answer = match outcome {
                Ok(reply) => Answer::Reply(render(|| format!("{reply:?}"))),
                Err(error) => Answer::Error(error.to_string()),
            };
            self.settle_record(record, answer);
        }
        let Ok(reply) = outcome else {
            return; // Pending: it may have happened or not.
        };
        let reply: &dyn Any = &**reply;
        for (index, op) in open.ops {
            let check = &mut self.operations.checks[index].1;
            match guarded(|| check.respond(op, reply)) {
                Ok(()) => {
                    let invoked = self.operations.records_of[index].len();
                    self.mark_history(client, (index, op.0, invoked));
                }
                Err(panic) => self.model_panicked(index, panic),
            }
        }
    }

    /// Runs the attached models' checks over the history so far.
    pub(crate) fn check_histories(&mut self) {
        for index in 0..self.operations.checks.len() {
            let procs = &self.procs;
            let names =
                |id: ProcessId| match (id.0.checked_sub(1)).and_then(|i| procs.get(i as usize)) {
                    Some(proc) => proc.name.to_string(),
                    None => format!("{id:?}"),
                };
            let check = &mut self.operations.checks[index].1;
            let failed = match guarded(|| check.check(&names)) {
                Ok(Some(failed)) => failed,
                Ok(None) => continue,
                Err(panic) => return self.model_panicked(index, panic),
            };
            let name = self.operations.checks[index].0.clone();
            if self.log.is_some() && self.failure.is_none() {
                let records = &self.operations.records_of[index];
                let record = |op: OpId| records[op.0].unwrap_or(usize::MAX);
                self.operations.violation = Some(HistoryViolation {
                    check: name.clone(),
                    partition: failed.partition,
                    operations: failed.operations.into_iter().map(record).collect(),
                    prefix: failed.prefix.into_iter().map(record).collect(),
                    blocked: record(failed.blocked),
                });
            }
            return self.fail(Failure {
                kind: FailureKind::Linearizability,
                step: self.step,
                process: None,
                message: format!("{name}: {}", failed.message),
            });
        }
    }

    /// The next point of the history.
    fn moment(&mut self) -> Moment {
        self.operations.seq += 1;
        Moment {
            seq: self.operations.seq - 1,
            step: self.step,
            time_ns: self.now,
        }
    }

    fn settle_record(&mut self, record: usize, answer: Answer) {
        let at = self.moment();
        if let Some(operation) = self.operations.records.get_mut(record) {
            operation.returned = Some(Returned { at, answer });
        }
    }

    /// Folds a point of a checked history into the client's fingerprint: states whose
    /// histories differ (in what happened, or in which order) are not the same state.
    fn mark_history(&mut self, client: ProcessId, point: (usize, usize, usize)) {
        if let Some(ProcKind::Client(proc)) = self.proc_mut(client).map(|p| &mut p.kind) {
            proc.history = crate::world::step::mix(proc.history, point);
        }
    }

    fn model_panicked(&mut self, index: usize, panic: String) {
        let name = &self.operations.checks[index].0;
        let message = format!("{name}: the model panicked: {panic}");
        self.fail(Failure {
            kind: FailureKind::Panic,
            step: self.step,
            process: None,
            message,
        });
    }
}
