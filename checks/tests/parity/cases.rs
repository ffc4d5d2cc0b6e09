//! Fixed scripts for what generated ones reach rarely: both engines must agree on each, run
//! several times (the runtime's threads may take another order each time).

use genserver::ExitReason;
use genserver::supervisor::{Restart, Strategy};
use genserver_checks::node::Cmd;

use crate::check;
use crate::script::{Kid, LATER, Op, SHORT, Script, Sup, Top};

fn top(label: &str) -> Top {
    Top {
        label: label.to_owned(),
        trap: false,
    }
}

fn kid(label: &str, init: Vec<Cmd>) -> Kid {
    Kid {
        label: label.to_owned(),
        restart: Restart::Permanent,
        brutal: false,
        trap: false,
        init,
    }
}

fn op(actor: &str, cmds: Vec<Cmd>) -> Op {
    Op {
        actor: actor.to_owned(),
        cmds,
    }
}

fn timer(label: &str, long: bool) -> Cmd {
    Cmd::SetTimer(label.to_owned(), if long { LATER } else { SHORT })
}

fn runs(script: &Script, times: usize) {
    for _ in 0..times {
        if let Err(report) = check(script) {
            panic!("{report}");
        }
    }
}

/// Two children exit at once (a node linked to both stops): rest for one restarts the
/// later ones once or twice, as the supervisor takes the exits in one order or the other.
#[test]
fn a_supervisor_takes_two_exits_in_the_order_the_runtime_did() {
    genserver_sim::silence_handler_panics();
    for strategy in [Strategy::RestForOne, Strategy::OneForAll] {
        let script = Script {
            tops: vec![top("n0")],
            sup: Some(Sup {
                label: "s0".to_owned(),
                strategy,
                max_restarts: 3,
                kids: vec![kid("k0", vec![]), kid("k1", vec![]), kid("k2", vec![])],
            }),
            ops: vec![
                op("n0", vec![Cmd::Link("k0".into()), Cmd::Link("k1".into())]),
                op("n0", vec![Cmd::Stop(ExitReason::error("boom"))]),
            ],
        };
        runs(&script, 10);
    }
}

/// Timers set and cancelled in one callback and across operations; a restarted child's
/// timer dies with its instance; the long ones left fire at the end in the simulator only.
#[test]
fn cancelled_timers_fire_on_neither_engine() {
    let script = Script {
        tops: vec![top("n0"), top("n1")],
        sup: Some(Sup {
            label: "s0".to_owned(),
            strategy: Strategy::OneForOne,
            max_restarts: 3,
            kids: vec![kid("k0", vec![timer("t0", true)])],
        }),
        ops: vec![
            op(
                "n0",
                vec![
                    timer("t1", false),
                    timer("t2", false),
                    Cmd::CancelTimer("t1".to_owned()),
                    timer("t3", true),
                    timer("t4", true),
                ],
            ),
            op(
                "n1",
                vec![timer("t5", true), Cmd::Note("n0".into(), "hi".into())],
            ),
            op("n0", vec![Cmd::CancelTimer("t3".to_owned())]),
            op("k0", vec![Cmd::Stop(ExitReason::error("boom"))]),
            op("n1", vec![Cmd::CancelTimer("t5".to_owned())]),
        ],
    };
    runs(&script, 5);
}
