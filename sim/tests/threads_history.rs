//! Histories recorded from real runs (`Threads` with a `Recorder`): calls in real-time
//! order, checked against the model the simulator checks.

use std::sync::{Arc, Mutex};

use genserver::runtime::Threads;
use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Stage, Timeout};
use genserver_sim::linearize::{Linearizable, Recorder, Verdict};

#[path = "support/register.rs"]
mod register;

use register::{Register, RegisterOp};

/// A register server; a forgetful one answers every read with its first value.
struct Cell {
    value: u32,
    forgetful: bool,
}

impl GenServer for Cell {
    type Args = bool;
    type Call = RegisterOp;
    type Reply = Option<u32>;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(forgetful: bool, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Cell {
            value: 0,
            forgetful,
        })
    }

    fn handle_call(
        &mut self,
        op: RegisterOp,
        _: ReplyTo<Option<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Option<u32>> {
        CallResult::Reply(match op {
            RegisterOp::Write(value) if !self.forgetful => {
                self.value = value;
                None
            }
            RegisterOp::Write(_) => None,
            RegisterOp::Read => Some(self.value),
        })
    }
}

/// Three clients each write their number and read on real threads, recorded.
fn recorded(forgetful: bool) -> Arc<Mutex<Recorder<Register>>> {
    let mut threads = Threads::new();
    let cell = threads.spawn::<Cell>("cell", forgetful);
    for n in 1..=3 {
        threads.client(&format!("client-{n}"), async move |cx| {
            cx.call(cell, RegisterOp::Write(n)).await?;
            cx.call(cell, RegisterOp::Read).await?;
            // Never answered in time: pending, may have taken effect or not.
            let _ = cx
                .call_timeout(cell, RegisterOp::Write(9), Timeout::millis(0))
                .await;
            Ok(())
        });
    }
    let model = Linearizable::new(Register(0)).server(cell, |op| Some(op.clone()), |ret| *ret);
    let recorder = model.recorder();
    threads.observe(recorder.clone());
    threads.run().expect("the clients expect nothing");
    recorder
}

#[test]
fn a_correct_servers_real_run_is_linearizable() {
    let recorder = recorded(false);
    let recorder = recorder.lock().unwrap();
    assert_eq!(recorder.history().len(), 9);
    assert_eq!(recorder.verdict(), Verdict::Linearizable);
    assert_eq!(recorder.failure(), None);
}

#[test]
fn a_server_that_forgets_writes_fails_the_check_naming_the_read() {
    let recorder = recorded(true);
    let recorder = recorder.lock().unwrap();
    // Each client read 0 after its own write returned: no order explains it.
    assert!(matches!(recorder.verdict(), Verdict::NotLinearizable(_)));
    let failure = recorder.failure().expect("not linearizable");
    assert!(failure.contains("Read → Some(0)"), "{failure}");
}
