//! A restarted server is a new sender: its messages may overtake its earlier life's.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};
use genserver_sim::Restart;
use genserver_traces::EventKind;

use crate::servers::{Recorder, lines};
use crate::{Custom, passing_runs};

/// Casts `10 * life` and `10 * life + 1` to its recorder from `init`, in every life.
#[derive(Debug)]
pub struct Emitter;

impl GenServer for Emitter {
    type Args = (ServerRef<Recorder>, u32);
    type Call = ();
    type Reply = ();
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init((to, life): Self::Args, ctx: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        ctx.cast(to, 10 * life);
        ctx.cast(to, 10 * life + 1);
        Ok(Emitter)
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }
}

const LIVES: Custom = Custom {
    name: "lives",
    build: |w| {
        let recorder = w.spawn::<Recorder>("recorder", ());
        let lives = std::rc::Rc::new(std::cell::Cell::new(0));
        let emitter = w.spawn_with::<Emitter>("emitter", move || {
            lives.set(lives.get() + 1);
            (recorder, lives.get() - 1)
        });
        w.crashable(emitter, Restart::AtOnce);
        w.faults().budget = 1;
        w.faults().probability = 1.0;
        w.at_end("FIFO within each life", move |view| {
            let seen = &view.state(recorder).expect("alive").0;
            let life = |n: u32| seen.iter().filter(|v| **v / 10 == n).collect::<Vec<_>>();
            match (life(0).is_sorted(), life(1).is_sorted(), seen.len()) {
                (true, true, 4) => Ok(()),
                _ => Err(format!("{seen:?}")),
            }
        });
    },
};

#[test]
fn a_restarted_server_is_a_new_sender_whose_messages_may_overtake_its_earlier_life() {
    let (mut overtaken, mut named) = (false, false);
    for (seed, report) in passing_runs(100, &LIVES) {
        assert_eq!(lines(&report, EventKind::Restart).len(), 1, "seed {seed}");
        let delivered = lines(&report, EventKind::Deliver);
        let at = |m: &str| delivered.iter().position(|d| d.ends_with(m)).unwrap();
        overtaken |= at("cast 10") < at("cast 0");
        // Numbers go on across lives, so labels stay apart: the new life's first cast is
        // the emitter's third to the recorder.
        let schedule = report.trace.as_ref().unwrap().schedule();
        let label = |n: u32, value: u32| format!("deliver cast #{n} emitter → recorder: {value}");
        let first_of_life_2 = schedule.iter().position(|l| *l == label(3, 10));
        let first_of_life_1 = schedule.iter().position(|l| *l == label(1, 0));
        assert!(first_of_life_2.is_some(), "seed {seed}: {schedule:#?}");
        named |= first_of_life_2 < first_of_life_1;
        let again = genserver_sim::replay(&LIVES, report.trace.as_ref().unwrap());
        assert!(again.is_ok(), "seed {seed}: {again:?}");
    }
    assert!(overtaken, "the new life's messages can arrive first");
    assert!(
        named,
        "some schedule delivers the later life's cast first, under its own label"
    );
}
