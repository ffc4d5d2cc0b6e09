//! `stale-read`: a client casts a deposit to an account, then calls an auditor that calls
//! the account. The deposit travels client → account, the auditor's call auditor → account:
//! different senders, so no order holds between them and the audit can miss the deposit.

use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef, Timeout};

use crate::World;

/// An account: its balance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Account(pub i64);

/// The account's casts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountCast {
    /// Add to the balance.
    Deposit(i64),
}

/// The account's calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountCall {
    /// Read the balance.
    Balance,
}

impl GenServer for Account {
    type Args = i64;
    type Call = AccountCall;
    type Reply = i64;
    type Cast = AccountCast;
    type Info = ();
    type Continue = ();

    fn init(balance: i64, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Account(balance))
    }
    fn handle_call(
        &mut self,
        _: AccountCall,
        _: ReplyTo<i64>,
        _: &mut Ctx<Self>,
    ) -> CallResult<i64> {
        CallResult::Reply(self.0)
    }
    fn handle_cast(&mut self, AccountCast::Deposit(amount): AccountCast, _: &mut Ctx<Self>) {
        self.0 += amount;
    }
}

/// An auditor that reads the account on behalf of its callers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Auditor(ServerRef<Account>);

/// The auditor's call: audit the account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Audit;

/// The balance read, with the audit's caller still to answer.
#[derive(Debug, Clone)]
pub struct Read(ReplyTo<i64>, Result<i64, CallError>);

impl GenServer for Auditor {
    type Args = ServerRef<Account>;
    type Call = Audit;
    type Reply = i64;
    type Cast = ();
    type Info = Read;
    type Continue = ();

    fn init(account: ServerRef<Account>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Auditor(account))
    }
    fn handle_call(
        &mut self,
        _: Audit,
        from: ReplyTo<i64>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<i64> {
        ctx.call(self.0, AccountCall::Balance, Timeout::DEFAULT, move |r| {
            Read(from, r)
        });
        CallResult::NoReply
    }
    fn handle_info(&mut self, Read(from, balance): Read, ctx: &mut Ctx<Self>) {
        ctx.reply(&from, balance.unwrap_or(-1));
    }
}

/// What the depositor deposits.
const DEPOSIT: i64 = 5;

/// Builds `stale-read`: a client deposits, then asks for an audit and expects to see its
/// deposit.
pub fn build(world: &mut World) {
    let account = world.spawn::<Account>("account", 0);
    let auditor = world.spawn::<Auditor>("auditor", account);
    world.clone_state(account);
    world.clone_state(auditor);
    world.client("client-1", async move |cx| {
        cx.cast(account, AccountCast::Deposit(DEPOSIT));
        let seen = cx.call(auditor, Audit).await?;
        if seen < DEPOSIT {
            return Err(
                format!("the audit saw balance {seen} after my deposit of {DEPOSIT}").into(),
            );
        }
        Ok(())
    });
}
