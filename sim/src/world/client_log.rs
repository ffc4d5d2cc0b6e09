//! What the clients of a world were given, kept so that a copy of the world can bring fresh
//! bodies of its clients to the same point (a future cannot be copied): one list for all the
//! clients of a world, in the order they were given (bodies may share data, so they are
//! brought back in the order they ran). A copy shares the list up to where it was made and
//! adds to it on its own, so copying a world copies no input.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use genserver::ProcessId;
use smallvec::SmallVec;

use crate::world::envelope::CallOutcome;
use crate::world::fork::Cloners;

/// One input a client was given.
#[derive(Clone)]
pub(crate) enum Given {
    /// An outcome left on its desk.
    Outcome(u64, Rc<CallOutcome>),
    /// A sleep that ended.
    Woken(u64),
    /// A poll, at this time, with these names registered.
    Poll {
        now: Duration,
        registry: BTreeMap<String, ProcessId>,
    },
}

/// An input and the ones before it.
struct Entry {
    client: ProcessId,
    given: Given,
    before: Option<Rc<Entry>>,
}

/// The inputs of one world's clients so far: the last one given.
#[derive(Default)]
struct Inputs {
    last: Option<Rc<Entry>>,
}

impl Drop for Inputs {
    /// Lets go of the entries one by one (dropping a long list recursively could overflow
    /// the stack), as far as no copy shares them.
    fn drop(&mut self) {
        let mut next = self.last.take();
        while let Some(entry) = next.and_then(Rc::into_inner) {
            next = entry.before;
        }
    }
}

/// A client's handle on its world's inputs.
#[derive(Clone)]
pub(crate) struct ClientLog {
    inputs: Rc<RefCell<Inputs>>,
    /// Copies the outcomes it records.
    pub cloners: Rc<Cloners>,
    /// An outcome could not be copied: the client cannot be brought back.
    pub broken: bool,
}

impl ClientLog {
    /// A log for each of the clients of a world: they share one list.
    pub fn for_world(cloners: &Rc<Cloners>) -> impl FnMut() -> ClientLog {
        let inputs = Rc::default();
        let cloners = Rc::clone(cloners);
        move || ClientLog {
            inputs: Rc::clone(&inputs),
            cloners: Rc::clone(&cloners),
            broken: false,
        }
    }

    /// Records that `client` was given `given`.
    pub fn record(&mut self, client: ProcessId, given: Given) {
        let mut inputs = self.inputs.borrow_mut();
        let before = inputs.last.take();
        inputs.last = Some(Rc::new(Entry {
            client,
            given,
            before,
        }));
    }

    /// The logs of a copy of the world: they share the inputs so far, and record their own.
    pub fn copier(&self) -> impl FnMut(&ClientLog) -> ClientLog + use<> {
        let inputs = self.inputs.borrow();
        let copied = Rc::new(RefCell::new(Inputs {
            last: inputs.last.clone(),
        }));
        move |log| ClientLog {
            inputs: Rc::clone(&copied),
            ..log.clone()
        }
    }

    /// Hands `each` every input so far, in the order given, with the client given it; stops
    /// at the first `None`.
    pub fn each_given(&self, mut each: impl FnMut(ProcessId, &Given) -> Option<()>) -> Option<()> {
        let inputs = self.inputs.borrow();
        // Most revivals walk a few dozen inputs: kept on the stack.
        let mut all: SmallVec<[&Entry; 32]> = SmallVec::new();
        let mut next = inputs.last.as_deref();
        while let Some(entry) = next {
            all.push(entry);
            next = entry.before.as_deref();
        }
        (all.iter().rev()).try_for_each(|entry| each(entry.client, &entry.given))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn woken(log: &ClientLog) -> Vec<(u64, u64)> {
        let mut all = Vec::new();
        log.each_given(|client, given| match given {
            Given::Woken(ticket) => {
                all.push((client.0, *ticket));
                Some(())
            }
            _ => None,
        })
        .expect("only wake-ups recorded");
        all
    }

    #[test]
    fn a_copy_shares_the_inputs_so_far_and_records_its_own() {
        let cloners = Rc::default();
        let mut new_log = ClientLog::for_world(&cloners);
        let (mut a, mut b) = (new_log(), new_log());
        a.record(ProcessId(1), Given::Woken(10));
        b.record(ProcessId(2), Given::Woken(20));
        let mut copy = a.copier();
        let (mut a2, mut b2) = (copy(&a), copy(&b));
        a.record(ProcessId(1), Given::Woken(11));
        b2.record(ProcessId(2), Given::Woken(21));
        a2.record(ProcessId(1), Given::Woken(12));
        assert_eq!(woken(&b), [(1, 10), (2, 20), (1, 11)]);
        assert_eq!(woken(&a2), [(1, 10), (2, 20), (2, 21), (1, 12)]);
        assert_eq!(
            woken(&b2),
            woken(&a2),
            "one list for the clients of a world"
        );
    }

    #[test]
    fn a_long_list_is_dropped_without_deep_recursion() {
        let mut log = ClientLog::for_world(&Rc::default())();
        for ticket in 0..1_000_000 {
            log.record(ProcessId(1), Given::Woken(ticket));
        }
        let copy = log.copier()(&log);
        drop(log);
        let mut count = 0;
        copy.each_given(|_, _| {
            count += 1;
            Some(())
        });
        assert_eq!(count, 1_000_000);
        drop(copy);
    }
}
