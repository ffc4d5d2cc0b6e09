//! The measured batches of [`ServerBench`] and of its channel baseline send every message
//! and return only once all of them were handled.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime};
use genserver_benches::ChannelSink;
use genserver_benches::throughput::ServerBench;

/// Counts the casts it handled and adds them up; a call reads both.
struct Tally {
    casts: u64,
    sum: u64,
}

impl GenServer for Tally {
    type Args = ();
    type Call = ();
    type Reply = (u64, u64);
    type Cast = u64;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Tally { casts: 0, sum: 0 })
    }

    fn handle_call(
        &mut self,
        _: (),
        _: ReplyTo<(u64, u64)>,
        _: &mut Ctx<Self>,
    ) -> CallResult<(u64, u64)> {
        CallResult::Reply((self.casts, self.sum))
    }

    fn handle_cast(&mut self, value: u64, _: &mut Ctx<Self>) {
        self.casts += 1;
        self.sum += value;
    }
}

const TALLY: ServerBench<Tally> = ServerBench {
    name: "tally",
    args: || (),
    cast: |i| i,
    call: || (),
    batch: 100,
};

#[test]
fn a_cast_batch_returns_once_the_server_handled_all_its_casts() {
    let server = TALLY.start(&Runtime::new());
    // 0 + 1 + … + 99 = 4950, once per batch.
    assert_eq!(TALLY.cast_batch(&server), (100, 4950));
    assert_eq!(TALLY.cast_batch(&server), (200, 9900));
    assert_eq!(TALLY.round_trip(&server), (200, 9900));
    assert_eq!(server.query(|tally| tally.casts), Ok(200));
}

#[test]
fn a_channel_batch_returns_once_the_consumer_added_all_its_messages() {
    let channel = ChannelSink::new();
    assert_eq!(channel.add_batch(100), 4950);
    assert_eq!(channel.add_batch(100), 9900);
    assert_eq!(channel.get(), 9900);
}
