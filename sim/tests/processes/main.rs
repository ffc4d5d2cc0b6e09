//! `gsim check --processes` against systems that are deterministic within a process but
//! not across processes (the process id, a `HashMap` in a static), and one that is
//! deterministic everywhere.
//!
//! The check re-invokes its own executable for each seed, so this test is a `gsim` of its
//! own (no libtest harness): run with `GSIM_FIXTURE` set, it is `genserver_sim::cli::main`
//! over the systems below; run by `cargo test`, it starts itself so and checks what it says.

use std::collections::HashMap;
use std::panic::catch_unwind;
use std::process::{Command, ExitCode, Output};
use std::sync::LazyLock;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
use genserver_sim::{Entry, World};
use genserver_traces::Trace;

/// Set in the processes that act as the `gsim` (and inherited by their children).
const FIXTURE: &str = "GSIM_FIXTURE";

/// Replies with what it was sent.
#[derive(Debug)]
struct Echo;

impl GenServer for Echo {
    type Args = ();
    type Call = Vec<u32>;
    type Reply = Vec<u32>;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Echo)
    }
    fn handle_call(
        &mut self,
        call: Vec<u32>,
        _: ReplyTo<Vec<u32>>,
        _: &mut Ctx<Self>,
    ) -> CallResult<Vec<u32>> {
        CallResult::Reply(call)
    }
}

/// A client that calls the echo with `what()` (the call's text is in the trace).
fn calling(world: &mut World, what: fn() -> Vec<u32>) {
    let echo = world.spawn::<Echo>("echo", ());
    world.client("client", async move |cx| {
        cx.call(echo, what()).await?;
        Ok(())
    });
}

/// Built once per process: the same order in every run of a process, another in the next.
static MAP: LazyLock<HashMap<u32, ()>> = LazyLock::new(|| (0..32).map(|k| (k, ())).collect());

fn steady(world: &mut World) {
    calling(world, || vec![1, 2, 3]);
}

fn process_id(world: &mut World) {
    calling(world, || vec![std::process::id()]);
}

fn static_map(world: &mut World) {
    calling(world, || MAP.keys().copied().collect());
}

static SYSTEMS: [Entry; 3] = [
    Entry::clean("steady", "sends the same numbers in every process", &steady),
    Entry::clean("process-id", "sends its process id", &process_id),
    Entry::clean(
        "static-map",
        "sends the keys of a static HashMap",
        &static_map,
    ),
];

/// This executable as the fixture's `gsim`.
fn gsim(args: &[&str]) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .env(FIXTURE, "1")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn the_one_process_check_misses_per_process_values() {
    for system in ["process-id", "static-map"] {
        let out = gsim(&["check", system, "--seeds", "3"]);
        assert_eq!(out.status.code(), Some(0), "{system}: {}", stdout(&out));
        assert!(stdout(&out).contains("deterministic over 3 seeds"));
    }
}

fn a_child_process_catches_them_and_names_the_first_differing_event() {
    for system in ["process-id", "static-map"] {
        let out = gsim(&["check", system, "--seeds", "3", "--processes"]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{system}: {text}");
        let wanted = format!("{system} seed 0: step ");
        assert!(text.contains(&wanted), "{system}: {text}");
        assert!(
            text.contains(
                ": nondeterministic across processes: the message differs: this process has \""
            ) && text.contains("\", but a child process has \""),
            "{system}: {text}"
        );
        assert!(text.contains("Echo") || text.contains("call #1"), "{text}");
    }
}

fn a_deterministic_system_passes_in_a_child_process_too() {
    let out = gsim(&["check", "steady", "--seeds", "3", "--processes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("deterministic over 3 seeds, each also in a child process"),
        "{}",
        stdout(&out)
    );
}

fn the_child_prints_the_trace_of_its_seed() {
    let dir = std::env::temp_dir().join(format!("gsim-processes-{}", std::process::id()));
    let file = dir.join("steady.jsonl");
    let run = gsim(&[
        "run",
        "steady",
        "--seed",
        "4",
        "--trace",
        file.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    let hidden = [
        "trace-seed",
        "steady",
        "--seed",
        "4",
        "--max-steps",
        "10000",
    ];
    let child = gsim(&hidden);
    assert_eq!(child.status.code(), Some(0));
    let printed = Trace::from_jsonl(&stdout(&child)).expect("a trace");
    assert_eq!(printed, Trace::load(&file).unwrap());
    let help = stdout(&gsim(&["--help"]));
    assert!(!help.contains("trace-seed"), "hidden: {help}");
    let _ = std::fs::remove_dir_all(dir);
}

fn main() -> ExitCode {
    if std::env::var_os(FIXTURE).is_some() {
        return genserver_sim::cli::main(&SYSTEMS);
    }
    let tests: [(&str, fn()); 4] = [
        (
            "the_one_process_check_misses_per_process_values",
            the_one_process_check_misses_per_process_values,
        ),
        (
            "a_child_process_catches_them_and_names_the_first_differing_event",
            a_child_process_catches_them_and_names_the_first_differing_event,
        ),
        (
            "a_deterministic_system_passes_in_a_child_process_too",
            a_deterministic_system_passes_in_a_child_process_too,
        ),
        (
            "the_child_prints_the_trace_of_its_seed",
            the_child_prints_the_trace_of_its_seed,
        ),
    ];
    let mut failed = 0;
    for (name, test) in tests {
        let passed = catch_unwind(test).is_ok();
        println!("test {name} ... {}", if passed { "ok" } else { "FAILED" });
        failed += usize::from(!passed);
    }
    println!("{} passed; {failed} failed", tests.len() - failed);
    ExitCode::from(u8::from(failed > 0))
}
