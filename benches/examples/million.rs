//! A million idle servers: started, each answering one call, then all stopped (issue 16's
//! scale target: under 10 s in all, at most 2 KiB of resident memory per idle server).
//!
//! ```sh
//! cargo run --release -p genserver-benches --example million            # 1 000 000 servers
//! cargo run --release -p genserver-benches --example million -- 100000   # fewer
//! ```
//!
//! Starts and calls come from async tasks (`Runtime::start_async`, `call_async(..).await`),
//! many under way at once, as an application embedding servers in its own async code would;
//! the servers run on the same tokio runtime (`Runtime::on`). Memory is the process's
//! resident set (`VmRSS`, Linux) before and after, divided by the number of servers: the
//! servers, their registry entries and the handles kept on them.

use std::time::{Duration, Instant};

use genserver::{
    CallResult, Ctx, ExitReason, GenServer, ReplyTo, Runtime, Server, StartOptions, Timeout,
};

/// An idle server that answers one question: its number.
struct Idle(u32);

impl GenServer for Idle {
    type Args = u32;
    type Call = ();
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(n: u32, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Idle(n))
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
        CallResult::Reply(self.0)
    }
}

/// Tasks starting and calling at once.
const DRIVERS: u32 = 64;

fn main() {
    let count: u32 = match std::env::args().nth(1).map(|arg| arg.parse()) {
        None => 1_000_000,
        Some(Ok(count)) => count,
        Some(Err(error)) => {
            eprintln!("usage: million [COUNT]: {error}");
            std::process::exit(2);
        }
    };
    let executor = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    let rt = Runtime::on(executor.handle().clone()).expect("a multi-threaded runtime with time");
    let base = resident_bytes();
    let clock = Instant::now();

    let servers = executor.block_on(start_all(&rt, count));
    let started = clock.elapsed();
    let after_start = resident_bytes();

    let answered = executor.block_on(call_all(&servers));
    assert_eq!(answered, u64::from(count), "every server answers once");
    let called = clock.elapsed();
    let idle = resident_bytes();

    drop(servers);
    let report = rt.shutdown(Timeout::Infinity);
    assert_eq!(report.terminated, count as usize, "every server stopped");
    let stopped = clock.elapsed();

    println!("{count} servers ({} worker threads)", workers());
    println!("  started in       {}", seconds(started));
    println!("  called in        {}", seconds(called - started));
    println!("  stopped in       {}", seconds(stopped - called));
    println!("  total            {}", seconds(stopped));
    for (what, bytes) in [("after start", after_start), ("idle, called", idle)] {
        match (base, bytes) {
            (Some(base), Some(bytes)) => println!(
                "  resident {what:<13} {:.0} bytes per server",
                (bytes.saturating_sub(base)) as f64 / f64::from(count)
            ),
            _ => println!("  resident {what:<13} unknown (no /proc/self/status)"),
        }
    }
}

/// Starts `count` servers from `DRIVERS` tasks; returns each with its number.
async fn start_all(rt: &Runtime, count: u32) -> Vec<(u32, Server<Idle>)> {
    let drivers: Vec<_> = (0..DRIVERS)
        .map(|driver| {
            let rt = rt.clone();
            tokio::spawn(async move {
                let mut servers = Vec::new();
                for n in (driver..count).step_by(DRIVERS as usize) {
                    let start = rt.start_async::<Idle>(n, StartOptions::default());
                    servers.push((n, start.await.expect("an idle server starts")));
                }
                servers
            })
        })
        .collect();
    let mut servers = Vec::with_capacity(count as usize);
    for driver in drivers {
        servers.extend(driver.await.expect("a driver task"));
    }
    servers
}

/// Calls every server once from `DRIVERS` tasks; returns how many answered with their own
/// number.
async fn call_all(servers: &[(u32, Server<Idle>)]) -> u64 {
    let chunk = servers.len().div_ceil(DRIVERS as usize).max(1);
    let drivers: Vec<_> = (servers.chunks(chunk))
        .map(|chunk| {
            let chunk = chunk.to_vec();
            tokio::spawn(async move {
                let mut answered = 0;
                for (n, server) in chunk {
                    let reply = server.call_async(()).await.expect("an idle server answers");
                    answered += u64::from(reply == n);
                }
                answered
            })
        })
        .collect();
    let mut answered = 0;
    for driver in drivers {
        answered += driver.await.expect("a driver task");
    }
    answered
}

/// The process's resident memory, if the OS says (Linux).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}
