//! Reply tokens that are dropped or held: the call fails at once, from the process that dropped
//! it.

use genserver::Timeout;
use genserver_traces::EventKind;

use crate::probe::{Probe, Req, calling};
use crate::servers::{Ask, Keeper, Mode, Relay, lines};
use crate::{Custom, passing_runs};

#[test]
fn a_token_dropped_with_a_message_to_a_dead_server_fails_the_call_at_once() {
    let system = Custom {
        name: "token-to-the-dead",
        build: |w| {
            let sink = w.spawn::<Keeper>("sink", Mode::Dead);
            let fwd = w.spawn::<Relay>("fwd", sink);
            let mut ask = Ask::new(
                fwd,
                (),
                "error: the server dropped the request without replying",
            );
            ask.timeout = Timeout::Infinity;
            w.client("client", ask.client());
        },
    };
    for (seed, report) in passing_runs(20, &system) {
        let replies = lines(&report, EventKind::Reply);
        assert_eq!(
            replies,
            ["sink → client: reply #1 Err(the server dropped the request without replying)"],
            "seed {seed}: the reply comes from the process that dropped the token"
        );
    }
}

#[test]
fn a_token_dropped_with_a_message_goes_back_from_its_dropper_not_a_bystander() {
    let system = Custom {
        name: "bystander",
        build: |w| {
            let sink = w.spawn::<Keeper>("sink", Mode::Dead);
            let fwd = w.spawn::<Relay>("fwd", sink);
            let bystander = w.spawn_with::<Probe>("bystander", || (None, None));
            let ask = Ask::new(
                fwd,
                (),
                "error: the server dropped the request without replying",
            );
            w.client("client", ask.client());
            let calls = ["a", "b", "c"].map(|x| (Req::Echo(x), Timeout::DEFAULT, x));
            let other = calling(bystander, calls.to_vec());
            w.client("other", other);
        },
    };
    for (seed, report) in passing_runs(20, &system) {
        let replies = lines(&report, EventKind::Reply);
        assert!(
            replies.iter().all(|r| !r.starts_with("bystander → client")),
            "seed {seed}: {replies:?}"
        );
        assert!(
            replies.iter().any(|r| r.starts_with("sink → client")),
            "seed {seed}: {replies:?}"
        );
    }
}

#[test]
fn a_token_held_by_a_third_server_that_dies_fails_with_no_reply() {
    let system = Custom {
        name: "third-party-token",
        build: |w| {
            let keeper = w.spawn::<Keeper>("keeper", Mode::Quit);
            let fwd = w.spawn::<Relay>("fwd", keeper);
            let expect = "error: the server dropped the request without replying";
            w.client("client", Ask::new(fwd, (), expect).client());
        },
    };
    for _ in passing_runs(20, &system) {}
}
