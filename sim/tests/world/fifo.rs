//! Messages from one sender to one receiver arrive in the order sent; across senders, every
//! order occurs.

use std::collections::BTreeMap;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};
use genserver::{ClientResult, Cx};
use genserver_sim::World;
use genserver_traces::EventKind;

use crate::servers::Recorder;
use crate::{Custom, events, traced};

/// Forwards every cast to the sink, adding 1000 (a server-to-server sender).
#[derive(Debug)]
struct Relay(ServerRef<Recorder>);

impl GenServer for Relay {
    type Args = ServerRef<Recorder>;
    type Call = ();
    type Reply = ();
    type Cast = u32;
    type Info = ();
    type Continue = ();
    fn init(sink: ServerRef<Recorder>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Relay(sink))
    }
    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }
    fn handle_cast(&mut self, value: u32, ctx: &mut Ctx<Self>) {
        ctx.cast(self.0, value + 1000);
    }
}

/// Casts `values` to `to`, all at its start.
fn caster<S: GenServer<Cast = u32>>(
    to: ServerRef<S>,
    values: Vec<u32>,
) -> impl AsyncFnOnce(Cx) -> ClientResult + Send + 'static {
    async move |cx: Cx| {
        for value in values {
            cx.cast(to, value);
        }
        Ok(())
    }
}

fn build(world: &mut World) {
    // The sink records every value it receives; each sender's values carry its tag.
    let sink = world.spawn::<Recorder>("sink", ());
    let relay = world.spawn::<Relay>("relay", sink);
    world.client("client-1", caster(sink, vec![101, 102, 103, 104]));
    world.client("client-2", caster(sink, vec![201, 202, 203, 204]));
    world.client("client-3", caster(relay, vec![301, 302, 303]));
    world.invariant("per-sender order kept", move |view| {
        let Some(Recorder(seen)) = view.state(sink) else {
            return Ok(());
        };
        for sender in [100, 200, 1300] {
            let mine: Vec<_> = seen.iter().filter(|v| (*v / 100) * 100 == sender).collect();
            if !mine.is_sorted() {
                return Err(format!("out of order: {mine:?}"));
            }
        }
        Ok(())
    });
}

const FIFO: Custom = Custom {
    name: "fifo",
    build,
};

#[test]
fn fifo_per_pair_is_never_broken_in_2000_runs() {
    for seed in 0..2000 {
        let report = genserver_sim::run(&FIFO, seed, 10_000, false);
        assert!(
            report.failure().is_none(),
            "seed {seed}: {:?}",
            report.verdict
        );
    }
}

#[test]
fn trace_deliveries_follow_send_order_per_pair() {
    for seed in 0..300 {
        let report = traced(&FIFO, seed);
        let mut sent: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        let mut delivered: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for event in events(&report) {
            let key = (
                event.from.as_deref().unwrap_or_default().to_owned(),
                event.to.as_deref().unwrap_or_default().to_owned(),
            );
            match event.kind {
                EventKind::Send => sent.entry(key).or_default().push(event.message.clone()),
                EventKind::Deliver => delivered
                    .entry(key)
                    .or_default()
                    .push(event.message.clone()),
                _ => {}
            }
        }
        assert_eq!(
            sent, delivered,
            "seed {seed}: every message delivered, in send order"
        );
    }
}

#[test]
fn both_cross_sender_orders_occur() {
    let (mut one_first, mut two_first, mut relay_between) = (false, false, false);
    for seed in 0..200 {
        let report = traced(&FIFO, seed);
        let order: Vec<&str> = events(&report)
            .iter()
            .filter(|e| e.kind == EventKind::Deliver && e.to.as_deref() == Some("sink"))
            .map(|e| e.message.as_str())
            .collect();
        let at = |m: &str| order.iter().position(|x| *x == m).unwrap();
        if at("cast 101") < at("cast 201") {
            one_first = true;
        } else {
            two_first = true;
        }
        relay_between |= at("cast 1301") > at("cast 101") && at("cast 1301") < at("cast 104");
    }
    assert!(
        one_first && two_first,
        "both orders of client-1 and client-2 occur"
    );
    assert!(
        relay_between,
        "relayed messages interleave with direct ones"
    );
}

/// Whether `delivered` is a merge of the messages of each life of the sender in `sent`, each
/// in send order (a restarted server is a new sender; each sent message used at most once).
fn in_send_order(sent: &[Vec<String>], delivered: &[String]) -> bool {
    fn merge(sent: &[Vec<String>], at: &mut [usize], delivered: &[String]) -> bool {
        let Some((first, rest)) = delivered.split_first() else {
            return true;
        };
        (0..sent.len()).any(|life| {
            let Some(skip) = sent[life][at[life]..].iter().position(|s| s == first) else {
                return false;
            };
            let before = at[life];
            at[life] += skip + 1;
            let found = merge(sent, at, rest);
            at[life] = before;
            found
        })
    }
    merge(sent, &mut vec![0; sent.len()], delivered)
}

#[test]
fn fifo_holds_in_every_bundled_system_even_with_faults() {
    for system in genserver_sim::systems() {
        for seed in 0..200 {
            let report = genserver_sim::run(system, seed, 10_000, true);
            let mut sent: BTreeMap<(String, String), Vec<Vec<String>>> = BTreeMap::new();
            let mut delivered: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
            let mut lives: BTreeMap<String, usize> = BTreeMap::new();
            for event in events(&report) {
                let key = (
                    event.from.as_deref().unwrap_or_default().to_owned(),
                    event.to.as_deref().unwrap_or_default().to_owned(),
                );
                match event.kind {
                    EventKind::Restart => *lives.entry(key.0).or_default() += 1,
                    EventKind::Send => {
                        let life = lives.get(&key.0).copied().unwrap_or(0);
                        let lives = sent.entry(key).or_default();
                        lives.resize_with(lives.len().max(life + 1), Vec::new);
                        lives[life].push(event.message.clone());
                    }
                    EventKind::Deliver if !event.message.starts_with("reply") => delivered
                        .entry(key)
                        .or_default()
                        .push(event.message.clone()),
                    _ => {}
                }
            }
            for (pair, got) in &delivered {
                let sent = sent.get(pair).map(Vec::as_slice).unwrap_or_default();
                assert!(
                    in_send_order(sent, got),
                    "{} seed {seed} {pair:?}: sent {sent:?}, delivered {got:?}",
                    system.name
                );
            }
        }
    }
}
