//! The bank's one server: an account holding a balance.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};

/// An account: its balance, how it treats withdrawals, and where it reports them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Account {
    balance: i64,
    policy: Policy,
    log: Option<ServerRef<AuditLog>>,
}

/// How an account treats a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Pays out whatever it is asked: the caller checked the balance first (the bug: the
    /// check and the withdrawal are two calls, and another withdrawal can come between).
    TrustCaller,
    /// Refuses a withdrawal the balance does not cover, in the same callback (the fix).
    CheckFunds,
}

/// What an account is opened with.
#[derive(Debug, Clone)]
pub struct Opening {
    /// The first balance.
    pub balance: i64,
    /// How withdrawals are treated.
    pub policy: Policy,
    /// Where each withdrawal is reported, if anywhere.
    pub log: Option<ServerRef<AuditLog>>,
}

/// An account's calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountCall {
    /// Read the balance.
    Balance,
    /// Take money out; the reply is the new balance.
    Withdraw(i64),
    /// Put money in; the reply is the new balance.
    Deposit(i64),
}

/// A withdrawal the balance does not cover (only with [`Policy::CheckFunds`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insufficient;

impl GenServer for Account {
    type Args = Opening;
    type Call = AccountCall;
    type Reply = Result<i64, Insufficient>;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(opening: Opening, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        let Opening {
            balance,
            policy,
            log,
        } = opening;
        Ok(Account {
            balance,
            policy,
            log,
        })
    }

    fn handle_call(
        &mut self,
        call: AccountCall,
        _: ReplyTo<Self::Reply>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<Self::Reply> {
        match call {
            AccountCall::Balance => {}
            AccountCall::Deposit(amount) => self.balance += amount,
            AccountCall::Withdraw(amount) => {
                if self.policy == Policy::CheckFunds && amount > self.balance {
                    return CallResult::Reply(Err(Insufficient));
                }
                self.balance -= amount;
                if let Some(log) = self.log {
                    ctx.cast(log, amount);
                }
            }
        }
        CallResult::Reply(Ok(self.balance))
    }
}

impl Account {
    /// The balance.
    pub fn balance(&self) -> i64 {
        self.balance
    }
}

/// A log of withdrawals, told by casts: it changes nothing the clients see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AuditLog(Vec<i64>);

impl GenServer for AuditLog {
    type Args = ();
    type Call = ();
    type Reply = usize;
    type Cast = i64;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(AuditLog::default())
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<usize>, _: &mut Ctx<Self>) -> CallResult<usize> {
        CallResult::Reply(self.0.len())
    }

    fn handle_cast(&mut self, amount: i64, _: &mut Ctx<Self>) {
        self.0.push(amount);
    }
}
