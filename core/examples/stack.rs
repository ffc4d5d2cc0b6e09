//! The GenServers.jl stack server, run on the threaded runtime.
//!
//! Run with `cargo run -p genserver --example stack`.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime, Server};

/// The stack server: its state is the stack.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Stack(pub Vec<i64>);

/// Calls the stack answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StackCall {
    /// Remove and return the top element.
    Pop,
    /// Return the number of elements.
    Len,
}

impl GenServer for Stack {
    type Args = Vec<i64>;
    type Call = StackCall;
    type Reply = Option<i64>;
    type Cast = i64;
    type Info = ();
    type Continue = ();

    fn init(items: Vec<i64>, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Stack(items))
    }

    fn handle_call(
        &mut self,
        request: StackCall,
        _: ReplyTo<Option<i64>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Option<i64>> {
        CallResult::Reply(match request {
            StackCall::Pop => self.0.pop(),
            StackCall::Len => Some(self.0.len() as i64),
        })
    }

    fn handle_cast(&mut self, item: i64, _: &mut Ctx<Self>) {
        self.0.push(item);
    }
}

/// Pushes every item of `items` from a thread of its own, all at once, and waits for them.
pub fn push_from_threads(stack: &Server<Stack>, items: std::ops::Range<i64>) {
    let pushers: Vec<_> = items
        .map(|item| {
            let stack = stack.clone();
            std::thread::spawn(move || stack.cast(item))
        })
        .collect();
    for pusher in pushers {
        pusher.join().expect("pusher thread");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::new();
    let stack = rt.start_named::<Stack>("stack", vec![1, 2, 3])?;
    println!("init:          {:?}", stack.query(|s| s.0.clone())?);
    stack.cast(4);
    println!("after push 4:  {:?}", stack.query(|s| s.0.clone())?);
    println!("pop:           {:?}", stack.call(StackCall::Pop)?);
    println!("after pop:     {:?}", stack.query(|s| s.0.clone())?);

    push_from_threads(&stack, 0..1000);
    println!(
        "after 1000 concurrent pushes: {:?} elements",
        stack.call(StackCall::Len)?
    );
    stack.stop(ExitReason::Normal)?;
    Ok(())
}
