//! `retry-double-apply`: a client withdraws with a 1 s timeout and retries on timeout. When
//! the network holds the first request (or its reply) back, the client retries, and the late
//! first request still applies: the money leaves twice. Found with the "delay" fault.

use std::time::Duration;

use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, Timeout};

use crate::World;

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

/// Builds `retry-double-apply`: a client withdraws once, retrying after a timeout.
pub fn build(world: &mut World) {
    let bank = world.spawn::<Bank>("bank", START);
    world.client("client-1", async move |cx| {
        let mut outcome = Err(CallError::Timeout);
        for _ in 0..3 {
            if outcome != Err(CallError::Timeout) {
                break;
            }
            let timeout = Timeout::After(TIMEOUT);
            outcome = cx.call_timeout(bank, Withdraw(AMOUNT), timeout).await;
        }
        let balance = outcome?;
        if balance != START - AMOUNT {
            let text = format!(
                "balance {balance} after one withdrawal of {AMOUNT} from {START}: applied twice"
            );
            return Err(text.into());
        }
        Ok(())
    });
    let faults = world.faults();
    faults.delay = Some(Duration::from_secs(2));
    faults.budget = 1;
    faults.probability = 0.25;
}
