//! `restart-loses-work`: a job server acknowledges each job at once and stores it just
//! after (in `handle_continue`). A crash between the two, followed by the supervisor's
//! restart from `init`, loses a job the client was told was accepted.

use std::time::Duration;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};

use crate::{Restart, World};

/// Where finished jobs end up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Store(pub Vec<u32>);

/// The store's calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StoreCall {
    /// List the stored jobs.
    List,
}

impl GenServer for Store {
    type Args = ();
    type Call = StoreCall;
    type Reply = Vec<u32>;
    type Cast = u32;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Store::default())
    }
    fn handle_call(
        &mut self,
        _: StoreCall,
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        CallResult::Reply(self.0.clone())
    }
    fn handle_cast(&mut self, job: u32, _: &mut Ctx<Self>) {
        self.0.push(job);
    }
}

/// The job server: acknowledges first, stores afterwards (the bug).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Jobs {
    store: ServerRef<Store>,
    accepted: Vec<u32>,
}

/// The job server's call: submit a job.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Submit(pub u32);

/// The job server's continuation: hand accepted jobs to the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Flush;

impl GenServer for Jobs {
    type Args = ServerRef<Store>;
    type Call = Submit;
    type Reply = bool;
    type Cast = ();
    type Info = ();
    type Continue = Flush;

    fn init(store: ServerRef<Store>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Jobs {
            store,
            accepted: Vec::new(),
        })
    }
    fn handle_call(
        &mut self,
        Submit(job): Submit,
        _: ReplyTo<bool>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<bool> {
        self.accepted.push(job);
        ctx.continue_with(Flush);
        CallResult::Reply(true)
    }
    fn handle_continue(&mut self, _: Flush, ctx: &mut Ctx<Self>) {
        for job in self.accepted.drain(..) {
            ctx.cast(self.store, job);
        }
    }
}

const JOBS: u32 = 3;

/// Builds `restart-loses-work`: a client submits jobs, waits, then checks that every
/// accepted job reached the store.
pub fn build(world: &mut World) {
    let store = world.spawn::<Store>("store", ());
    let jobs = world.spawn::<Jobs>("jobs", store);
    world.clone_state(store);
    world.clone_state(jobs);
    world.client("client-1", async move |cx| {
        let mut accepted = Vec::new();
        for n in 1..=JOBS {
            // A job refused or lost with a crash is simply not accepted.
            if cx.call(jobs, Submit(n)).await == Ok(true) {
                accepted.push(n);
            }
        }
        cx.sleep(Duration::from_secs(1)).await;
        let stored = cx.call(store, StoreCall::List).await?;
        match accepted.iter().find(|job| !stored.contains(job)) {
            Some(job) => {
                Err(format!("job {job} was accepted but never stored (stored: {stored:?})").into())
            }
            None => Ok(()),
        }
    });
    world.crashable(jobs, Restart::AtOnce);
    let faults = world.faults();
    faults.budget = 1;
    faults.probability = 0.1;
}
