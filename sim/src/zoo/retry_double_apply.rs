//! `retry-double-apply`: a client withdraws with a 1 s timeout and retries on timeout. When
//! the network holds the first request (or its reply) back, the client retries, and the late
//! first request still applies: the money leaves twice. Found with the "delay" fault.

use std::time::Duration;

use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef, Timeout};

use crate::{CallOutcome, Check, Client, ClientCtx, System, World, expect_reply};

/// A bank account without idempotency keys: the bug.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bank(pub i64);

/// The bank's call: withdraw an amount, get the new balance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Withdraw(pub i64);

impl GenServer for Bank {
    type Args = i64;
    type Call = Withdraw;
    type Reply = i64;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(balance: i64, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Bank(balance))
    }
    fn handle_call(
        &mut self,
        Withdraw(amount): Withdraw,
        _: ReplyTo<i64>,
        _: &mut Ctx<Self>,
    ) -> CallResult<i64> {
        self.0 -= amount;
        CallResult::Reply(self.0)
    }
}

const START: i64 = 100;
const AMOUNT: i64 = 30;
const TIMEOUT: Duration = Duration::from_secs(1);

/// Withdraws once, retrying after a timeout.
struct Retrier {
    bank: ServerRef<Bank>,
    tries: u32,
}

impl Client for Retrier {
    fn step(&mut self, outcome: Option<CallOutcome>, ctx: &mut ClientCtx) -> Result<(), Check> {
        let retry = matches!(outcome, None | Some(Err(CallError::Timeout)));
        if retry && self.tries < 3 {
            self.tries += 1;
            ctx.call_timeout(self.bank, Withdraw(AMOUNT), Timeout::After(TIMEOUT));
            return Ok(());
        }
        let balance = expect_reply::<i64>(outcome)?;
        if balance != START - AMOUNT {
            return Err(Check::failed(format!(
                "balance {balance} after one withdrawal of {AMOUNT} from {START}: applied twice"
            )));
        }
        Ok(())
    }
}

/// The `retry-double-apply` system.
pub struct RetryDoubleApply;

impl System for RetryDoubleApply {
    fn name(&self) -> &'static str {
        "retry-double-apply"
    }
    fn description(&self) -> &'static str {
        "a withdrawal times out, the client retries, the late first request still applies (bug; delay faults)"
    }
    fn has_bug(&self) -> bool {
        true
    }
    fn build(&self, world: &mut World) {
        let bank = world.spawn::<Bank>("bank", START);
        world.client("client-1", Retrier { bank, tries: 0 });
        let faults = world.faults();
        faults.delay = Some(Duration::from_secs(2));
        faults.budget = 1;
        faults.probability = 0.25;
    }
}
