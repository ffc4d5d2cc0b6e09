//! A server's timers fire in deadline order, even while it is blocked in a call.

use std::time::Duration;

use genserver::{CallError, CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef, Timeout};

use crate::probe::{Probe, Req};
use crate::servers::{Ask, Keeper, Mode};
use crate::{Custom, passing_runs};

/// Sets timers at 1 s and 2 s, and blocks in a call to a keeper for 3 s when called.
#[derive(Debug)]
pub struct Timed {
    keeper: ServerRef<Keeper>,
    pub log: Vec<&'static str>,
}

#[derive(Debug)]
pub enum TimedInfo {
    Tick(&'static str),
    Called(ReplyTo<String>, Result<String, CallError>),
}

impl GenServer for Timed {
    type Args = ServerRef<Keeper>;
    type Call = ();
    type Reply = String;
    type Cast = ();
    type Info = TimedInfo;
    type Continue = ();

    fn init(keeper: ServerRef<Keeper>, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        ctx.set_timer(Duration::from_secs(2), TimedInfo::Tick("two"));
        ctx.set_timer(Duration::from_secs(1), TimedInfo::Tick("one"));
        Ok(Timed {
            keeper,
            log: Vec::new(),
        })
    }

    fn handle_call(
        &mut self,
        _: (),
        from: ReplyTo<String>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<String> {
        let timeout = Timeout::After(Duration::from_secs(3));
        ctx.call(self.keeper, (), timeout, move |r| {
            TimedInfo::Called(from, r)
        });
        CallResult::NoReply
    }

    fn handle_info(&mut self, info: TimedInfo, ctx: &mut Ctx<Self>) {
        match info {
            TimedInfo::Tick(name) => self.log.push(name),
            TimedInfo::Called(from, outcome) => ctx.reply(&from, format!("{outcome:?}")),
        }
    }
}

#[test]
fn the_timers_of_one_server_fire_in_deadline_order() {
    let system = Custom {
        name: "timer-order",
        build: |w| {
            let keeper = w.spawn::<Keeper>("keeper", Mode::Keep);
            let timed = w.spawn::<Timed>("timed", keeper);
            let echo = w.spawn_with::<Probe>("echo", || (None, None));
            w.client("client", Ask::new(timed, (), "Err(Timeout)").client());
            let mut later = Ask::new(echo, Req::Echo("x"), "x");
            later.sleep = Some(Duration::from_secs(4));
            w.client("later", later.client());
            w.at_end("timer order", move |view| {
                let log = &view.state(timed).expect("alive").log;
                match log[..] {
                    ["one", "two"] => Ok(()),
                    _ => Err(format!("{log:?}")),
                }
            });
        },
    };
    for _ in passing_runs(40, &system) {}
}
