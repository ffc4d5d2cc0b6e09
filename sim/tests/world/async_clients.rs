//! Async clients in the simulator: calls in flight at once, failures, virtual sleep, dropped
//! calls, replay and exhaustive search.

use std::fmt::Debug;
use std::time::Duration;

use genserver::{CallError, CallResult, ClientResult, Ctx, ExitReason, GenServer, ReplyTo};
use genserver::{ServerRef, Timeout};
use genserver_sim::{DfsOptions, Failure, FailureKind, RunReport, Verdict, View, World};
use genserver_sim::{check_determinism, explore, replay, run};
use genserver_traces::EventKind;

/// Answers a call at once, or after a delay (by a timer).
#[derive(Debug, Default)]
struct Echo(Vec<(ReplyTo<u32>, u32)>);

#[derive(Debug)]
enum Req {
    Now(u32),
    Later(u32, Duration),
}

impl GenServer for Echo {
    type Args = ();
    type Call = Req;
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Echo::default())
    }

    fn handle_call(&mut self, req: Req, from: ReplyTo<u32>, ctx: &mut Ctx<Self>) -> CallResult<u32> {
        match req {
            Req::Now(n) => return CallResult::Reply(n),
            Req::Later(n, after) => self.0.push((from, n)),
        }
        ctx.set_timer(after_of(&self.0), ());
        CallResult::NoReply
    }

    fn handle_info(&mut self, _: (), ctx: &mut Ctx<Self>) {
        let (from, n) = self.0.remove(0);
        ctx.reply(&from, n);
    }
}
