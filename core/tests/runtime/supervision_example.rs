//! The supervision tree of `core/examples/supervision.rs` runs as its comments say.

#[allow(dead_code)]
#[path = "../../examples/supervision.rs"]
mod example;

use example::Session;
use genserver::{CallError, ExitReason, Runtime};

#[test]
fn the_supervision_example_restarts_the_crashed_counter_and_clients_see_it() {
    let rt = Runtime::new();
    let session = example::session(&rt).expect("the session runs");
    assert_eq!(
        session,
        Session {
            before: vec![1, 3],
            crash: Err(CallError::Exited(ExitReason::Panic(
                "handle_call: asked to add zero".into()
            ))),
            old_instance: Err(CallError::NoProcess),
            after: 5,
            greeting: "hello, tree".into(),
        }
    );
    assert!(rt.whereis::<example::Counter>("counter").is_none());
}
