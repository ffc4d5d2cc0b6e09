//! A test server whose behaviour each call picks, and clients that drive it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef, Timeout};
use genserver::{ClientResult, Cx};
use genserver_sim::World;

use crate::{Custom, passing_runs};

/// A server whose behaviour each call picks.
#[derive(Debug, Default)]
pub struct Probe {
    pub log: Vec<String>,
    held: Option<ReplyTo<String>>,
    other: Option<ServerRef<Probe>>,
    terminated: Option<Arc<AtomicBool>>,
}

#[derive(Debug, Clone)]
pub enum Req {
    Echo(&'static str),
    CallSelf,
    CallOther,
    Hold,
    Drop,
    Panic,
    StopWithReply,
    ReplyAfter(Duration),
}

#[derive(Debug)]
pub enum Info {
    Called(ReplyTo<String>, Result<String, CallError>),
    Late,
    Tick(&'static str),
}

impl GenServer for Probe {
    type Args = (Option<ServerRef<Probe>>, Option<Arc<AtomicBool>>);
    type Call = Req;
    type Reply = String;
    type Cast = &'static str;
    type Info = Info;
    type Continue = &'static str;

    fn init((other, terminated): Self::Args, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        ctx.set_timer(Duration::from_secs(1), Info::Tick("tick"));
        let tock = ctx.set_timer(Duration::from_secs(2), Info::Tick("tock"));
        ctx.cancel_timer(tock);
        Ok(Probe {
            other,
            terminated,
            ..Probe::default()
        })
    }

    fn handle_call(
        &mut self,
        req: Req,
        from: ReplyTo<String>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<String> {
        match req {
            Req::Echo(text) => return CallResult::Reply(text.to_owned()),
            Req::CallSelf => ctx.call(ctx.me(), Req::Echo("me"), Timeout::DEFAULT, move |r| {
                Info::Called(from, r)
            }),
            Req::CallOther => {
                let other = self.other.expect("wired");
                ctx.call(other, Req::Echo("other"), Timeout::DEFAULT, move |r| {
                    Info::Called(from, r)
                })
            }
            Req::Hold => self.held = Some(from),
            Req::Drop => drop(from),
            Req::Panic => panic!("boom"),
            Req::StopWithReply => {
                ctx.stop(ExitReason::Normal);
                return CallResult::Reply("bye".to_owned());
            }
            Req::ReplyAfter(after) => {
                self.held = Some(from);
                ctx.set_timer(after, Info::Late);
            }
        }
        CallResult::NoReply
    }

    fn handle_cast(&mut self, msg: &'static str, ctx: &mut Ctx<Self>) {
        self.log.push(format!("cast {msg}"));
        ctx.continue_with(msg);
    }

    fn handle_continue(&mut self, value: &'static str, _: &mut Ctx<Self>) {
        self.log.push(format!("continue {value}"));
    }

    fn handle_info(&mut self, info: Info, ctx: &mut Ctx<Self>) {
        match info {
            Info::Called(from, outcome) => {
                let text = match outcome {
                    Ok(text) => text,
                    Err(error) => format!("error: {error}"),
                };
                ctx.reply(&from, text);
            }
            Info::Late => {
                if let Some(from) = self.held.take() {
                    ctx.reply(&from, "late".to_owned());
                }
            }
            Info::Tick(name) => self.log.push(name.to_owned()),
        }
    }

    fn terminate(&mut self, _: &ExitReason) {
        if self.terminated.is_some() {
            TERMINATED.store(true, Ordering::SeqCst);
        }
    }
}

/// A client that makes its calls in order, checking each reply (or "error: …") against
/// the text it expects.
pub fn calling(
    to: ServerRef<Probe>,
    calls: Vec<(Req, Timeout, &'static str)>,
) -> impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static {
    async move |cx: Cx| {
        for (req, timeout, expected) in calls {
            let got = match cx.call_timeout(to, req, timeout).await {
                Ok(text) => text,
                Err(error) => format!("error: {error}"),
            };
            if got != expected {
                return Err(format!("got {got:?}, expected {expected:?}").into());
            }
        }
        Ok(())
    }
}

pub fn caller(world: &mut World, to: ServerRef<Probe>, calls: Vec<(Req, Timeout, &'static str)>) {
    world.client("client", calling(to, calls));
}

pub const D: Timeout = Timeout::DEFAULT;

/// Checks that 50 traced runs of `system` pass.
pub fn passes(system: &Custom) {
    for _ in passing_runs(50, system) {}
}

/// A client that casts "hello" then "again".
pub fn caster(to: ServerRef<Probe>) -> impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static {
    async move |cx: Cx| {
        cx.cast(to, "hello");
        cx.cast(to, "again");
        Ok(())
    }
}

/// Set when a probe that was given a flag runs `terminate`.
pub static TERMINATED: AtomicBool = AtomicBool::new(false);
