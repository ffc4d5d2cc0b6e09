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

/// Builds `retry-double-apply`: `withdrawal_with_retries`, with delay faults.
pub fn build(world: &mut World) {
    withdrawal_with_retries(world);
    let faults = world.faults();
    faults.delay = Some(Duration::from_secs(2));
    faults.budget = 1;
    faults.probability = 0.25;
}

/// A bank and a client that withdraws once with a 1 s timeout, retrying after a timeout (at
/// most three tries; then it gives up), then checks the balance it was told; at the end the
/// money must have left at most once.
pub(crate) fn withdrawal_with_retries(world: &mut World) {
    let bank = world.spawn::<Bank>("bank", START);
    world.clone_state(bank);
    world.client("client-1", async move |cx| {
        let mut outcome = Err(CallError::Timeout);
        for _ in 0..3 {
            if outcome != Err(CallError::Timeout) {
                break;
            }
            let timeout = Timeout::After(TIMEOUT);
            outcome = cx.call_timeout(bank, Withdraw(AMOUNT), timeout).await;
        }
        if outcome == Err(CallError::Timeout) {
            return Ok(()); // Given up: the end check says whether the money left twice.
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
    world.at_end("withdrawn at most once", move |view| {
        view.state(bank).is_none_or(|b| b.0 >= START - AMOUNT)
    });
}
