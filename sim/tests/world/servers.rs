//! Servers and helpers shared by the world's regression tests: a keeper of reply tokens, a
//! relay that answers later through it, a client that asks once, and a recorder of casts.

use std::time::Duration;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef, Timeout};
use genserver::{ClientResult, Cx};
use genserver_traces::EventKind;

use crate::events;

/// What a [`Keeper`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Refuses to start: a server that is dead from the beginning.
    Dead,
    /// Keeps every token it is given (by cast or by a call of its own).
    Keep,
    /// Keeps the token it is cast, then stops with an error.
    Quit,
}

/// Keeps reply tokens: the ones cast to it and the ones of the calls made to it.
#[derive(Debug)]
pub struct Keeper {
    mode: Mode,
    kept: Vec<ReplyTo<String>>,
}

impl GenServer for Keeper {
    type Args = Mode;
    type Call = ();
    type Reply = String;
    type Cast = ReplyTo<String>;
    type Info = ();
    type Continue = ();

    fn init(mode: Mode, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        match mode {
            Mode::Dead => Err(ExitReason::error("refuses to start")),
            _ => Ok(Keeper {
                mode,
                kept: Vec::new(),
            }),
        }
    }

    fn handle_call(
        &mut self,
        _: (),
        from: ReplyTo<String>,
        _: &mut Ctx<Self>,
    ) -> CallResult<String> {
        self.kept.push(from);
        CallResult::NoReply
    }

    fn handle_cast(&mut self, token: ReplyTo<String>, ctx: &mut Ctx<Self>) {
        self.kept.push(token);
        if self.mode == Mode::Quit {
            ctx.stop(ExitReason::error("keeper quit"));
        }
    }
}

/// Answers later: hands the token of every call to its keeper by a cast.
#[derive(Debug)]
pub struct Relay(ServerRef<Keeper>);

impl GenServer for Relay {
    type Args = ServerRef<Keeper>;
    type Call = ();
    type Reply = String;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(keeper: ServerRef<Keeper>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Relay(keeper))
    }

    fn handle_call(
        &mut self,
        _: (),
        from: ReplyTo<String>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<String> {
        ctx.cast(self.0, from);
        CallResult::NoReply
    }
}

/// Records the values cast to it.
#[derive(Debug, Default)]
pub struct Recorder(pub Vec<u32>);

impl GenServer for Recorder {
    type Args = ();
    type Call = ();
    type Reply = ();
    type Cast = u32;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Recorder::default())
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }

    fn handle_cast(&mut self, value: u32, _: &mut Ctx<Self>) {
        self.0.push(value);
    }
}

/// Optionally sleeps, then makes one call and checks the outcome's text (a reply, or
/// "error: …").
pub struct Ask<S: GenServer> {
    pub to: ServerRef<S>,
    pub request: S::Call,
    pub timeout: Timeout,
    pub sleep: Option<Duration>,
    pub expect: &'static str,
}

impl<S: GenServer<Reply = String>> Ask<S> {
    pub fn new(to: ServerRef<S>, request: S::Call, expect: &'static str) -> Self {
        Ask {
            to,
            request,
            timeout: Timeout::DEFAULT,
            sleep: None,
            expect,
        }
    }

    /// The client that asks.
    pub fn client(self) -> impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static {
        async move |cx: Cx| {
            if let Some(after) = self.sleep {
                cx.sleep(after).await;
            }
            let got = match cx.call_timeout(self.to, self.request, self.timeout).await {
                Ok(text) => text,
                Err(error) => format!("error: {error}"),
            };
            if got != self.expect {
                return Err(format!("got {got:?}, expected {:?}", self.expect).into());
            }
            Ok(())
        }
    }
}

/// The events of `kind` of a run, as "from → to: message" lines.
pub fn lines(report: &genserver_sim::RunReport, kind: EventKind) -> Vec<String> {
    events(report)
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| {
            let from = e.from.as_deref().unwrap_or("-");
            let to = e.to.as_deref().unwrap_or("-");
            format!("{from} → {to}: {}", e.message)
        })
        .collect()
}
