//! The GenServers.jl stack session from `core/examples/stack.rs`.

#[allow(dead_code)]
#[path = "../../examples/stack.rs"]
mod example;

pub use example::{Stack, StackCall, push_from_threads};
use genserver::{Runtime, Server};

fn items(stack: &Server<Stack>) -> Vec<i64> {
    stack.query(|s| s.0.clone()).unwrap()
}

fn documented_session(stack: &Server<Stack>) {
    assert_eq!(items(stack), [1, 2, 3]);
    stack.cast(4);
    assert_eq!(items(stack), [1, 2, 3, 4]);
    assert_eq!(stack.call(StackCall::Pop), Ok(Some(4)));
    assert_eq!(items(stack), [1, 2, 3]);
}

#[test]
fn the_documented_stack_session() {
    let rt = Runtime::new();
    documented_session(&rt.start::<Stack>(vec![1, 2, 3]).unwrap());
}

#[test]
fn the_documented_stack_session_through_a_registered_name() {
    let rt = Runtime::new();
    rt.start_named::<Stack>("stack", vec![1, 2, 3]).unwrap();
    documented_session(&rt.whereis::<Stack>("stack").unwrap());
}

#[test]
fn a_thousand_concurrent_pushes_give_a_thousand_elements() {
    let rt = Runtime::new();
    let stack = rt.start::<Stack>(Vec::new()).unwrap();
    push_from_threads(&stack, 0..1000);
    let mut pushed = items(&stack);
    assert_eq!(pushed.len(), 1000);
    pushed.sort();
    assert_eq!(pushed, (0..1000).collect::<Vec<_>>());
}
