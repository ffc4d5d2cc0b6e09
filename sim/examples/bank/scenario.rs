//! What the bank's clients do and what they must see, written once for both engines (any
//! `Stage`: real threads, or the simulator's world), and the simulated systems built on it.

use genserver::runtime::Threads;
use genserver::{Check, Cx, ServerRef, Stage};
use genserver_sim::World;

use crate::accounts::{Account, AccountCall, AuditLog, Insufficient, Opening, Policy};

/// Alice's first balance.
pub const ALICE: i64 = 100;
/// What the transfer moves from Alice to Bob.
pub const TRANSFER: i64 = 80;
/// What the withdrawal takes from Alice at the same time.
pub const WITHDRAWAL: i64 = 50;

/// Two accounts, a transfer from Alice to Bob, and a withdrawal from Alice at the same time.
/// Each client checks the balance, then withdraws, and must never overdraw the account.
pub fn scenario(
    stage: &mut impl Stage,
    policy: Policy,
    log: Option<ServerRef<AuditLog>>,
) -> [ServerRef<Account>; 2] {
    let open = |balance| Opening {
        balance,
        policy,
        log,
    };
    let alice = stage.spawn::<Account>("alice", open(ALICE));
    let bob = stage.spawn::<Account>("bob", open(0));
    stage.client("transfer", async move |cx| {
        if withdraw(&cx, alice, TRANSFER).await? {
            cx.call(bob, AccountCall::Deposit(TRANSFER))
                .await?
                .map_err(refused)?;
        }
        Ok(())
    });
    stage.client("withdrawal", async move |cx| {
        withdraw(&cx, alice, WITHDRAWAL).await?;
        Ok(())
    });
    [alice, bob]
}

/// Withdraws `amount` if the balance covers it; returns whether it did. Fails if the
/// account is overdrawn afterwards.
async fn withdraw(cx: &Cx, account: ServerRef<Account>, amount: i64) -> Result<bool, Check> {
    let balance = cx
        .call(account, AccountCall::Balance)
        .await?
        .map_err(refused)?;
    if balance < amount {
        return Ok(false);
    }
    match cx.call(account, AccountCall::Withdraw(amount)).await? {
        Ok(left) if left < 0 => {
            Err(format!("withdrew {amount} of {balance}, leaving {left}").into())
        }
        Ok(_) => Ok(true),
        Err(Insufficient) => Ok(false),
    }
}

fn refused(_: Insufficient) -> Check {
    Check::failed("a balance or deposit was refused")
}

/// The simulated bank with `policy`: the scenario, and the checks only a simulation can
/// make (every state, every end).
pub fn simulated(world: &mut World, policy: Policy, log: Option<ServerRef<AuditLog>>) {
    let accounts = scenario(world, policy, log);
    for account in accounts {
        world.hash_state(account);
    }
    let balances =
        move |view: &genserver_sim::View<'_>| accounts.map(|a| view.state(a).map(Account::balance));
    world.invariant("no account overdrawn", move |view| match balances(view) {
        [Some(a), Some(b)] if a < 0 || b < 0 => Err(format!("alice {a}, bob {b}")),
        _ => Ok(()),
    });
    world.at_end("no money made or lost", move |view| match balances(view) {
        [Some(a), Some(b)] if a + b == ALICE || a + b == ALICE - WITHDRAWAL => Ok(()),
        other => Err(format!("balances {other:?}")),
    });
}

/// The bank as shipped, on real threads (`-- soak bank`).
pub fn bank_on_threads(threads: &mut Threads) {
    scenario(threads, Policy::TrustCaller, None);
}

/// The fixed bank on real threads.
pub fn bank_fixed_on_threads(threads: &mut Threads) {
    scenario(threads, Policy::CheckFunds, None);
}

/// The bank as shipped: accounts trust the caller's check.
pub fn bank(world: &mut World) {
    simulated(world, Policy::TrustCaller, None);
}

/// The fixed bank: accounts check funds in the withdrawal itself.
pub fn bank_fixed(world: &mut World) {
    simulated(world, Policy::CheckFunds, None);
}

/// The fixed bank with an audit log that every withdrawal is cast to (an unrelated edit).
pub fn bank_fixed_logged(world: &mut World) {
    let log = world.spawn::<AuditLog>("audit-log", ());
    simulated(world, Policy::CheckFunds, Some(log));
}
