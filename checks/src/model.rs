//! Running one loom model: an explicit preemption bound, its iteration count and time, and
//! the expected rejections of the broken variants.

use std::cell::RefCell;
use std::process::Command;
use std::sync::Once;
use std::time::Instant;

use crate::broken::mini_runtime::DELIBERATE_PANIC;

/// Set in the child process that [`check_rejected`] runs a model in.
const CHILD: &str = "GENSERVER_CHECKS_LOOM_CHILD";
/// Marks the first panic of a rejected model on stderr, for the parent to read.
const REJECTED: &str = "loom-rejected: ";

/// The model running on this thread (loom runs every model thread on the test's thread).
struct Running {
    name: &'static str,
    bound: usize,
    iteration: usize,
    start: Instant,
    reported: bool,
}

thread_local! {
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
}

/// Explores every interleaving of `model` up to `bound` preemptions (`LOOM_MAX_PREEMPTIONS`,
/// if set, overrides it), and prints `loom <name>: bound B, passed, iterations: N, T` on
/// stderr (shown with `--nocapture`), or `rejected at iteration N` when it fails.
pub fn check<F>(name: &'static str, bound: usize, model: F)
where
    F: Fn() + Sync + Send + 'static,
{
    install_panic_hook();
    let mut builder = loom::model::Builder::new();
    let bound = *builder.preemption_bound.get_or_insert(bound);
    RUNNING.with(|running| {
        *running.borrow_mut() = Some(Running {
            name,
            bound,
            iteration: 0,
            start: Instant::now(),
            reported: false,
        })
    });
    // As `loom::model` does, so that `LOOM_LOG=trace` prints each step.
    let subscriber = tracing_subscriber::fmt::Subscriber::builder()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("LOOM_LOG"))
        .with_test_writer()
        .without_time()
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        builder.check(move || {
            RUNNING.with(|running| {
                if let Some(running) = running.borrow_mut().as_mut() {
                    running.iteration += 1;
                }
            });
            model();
        })
    });
    if let Some(running) = RUNNING.with(|running| running.borrow_mut().take()) {
        eprintln!(
            "loom {}: bound {}, passed, iterations: {}, {:.2?}",
            running.name,
            running.bound,
            running.iteration,
            running.start.elapsed()
        );
    }
}

/// Runs `model` (a broken variant) expecting loom to reject it, and panics with loom's
/// verdict: the first panic message of the model, e.g. `deadlock; threads = [...]`, `Arc
/// leaked` or a failed assertion. Use it under `#[should_panic(expected = "...")]`.
///
/// The model runs in a child process: this test binary, filtered exactly to the calling test
/// (libtest names each test's thread after the test). When loom
/// rejects a model it unwinds every model thread with none of them active, and destructors
/// that call into loom on the way (a reply token failing its call, a loom `Arc`) then abort
/// the whole process, which would take the other tests with it.
pub fn check_rejected<F>(name: &'static str, bound: usize, model: F)
where
    F: Fn() + Sync + Send + 'static,
{
    if std::env::var_os(CHILD).is_some() {
        check(name, bound, model);
        return;
    }
    let current = std::thread::current();
    let test = current
        .name()
        .expect("check_rejected runs in a libtest test thread");
    let exe = std::env::current_exe().expect("the test binary's path");
    let output = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("could not run the test binary as a child");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for line in stderr.lines().filter(|line| line.starts_with("loom ")) {
        eprintln!("{line}");
    }
    match stderr.lines().find_map(|line| line.strip_prefix(REJECTED)) {
        Some(verdict) => panic!("loom rejected {name}: {verdict}"),
        None => eprintln!(
            "loom {name}: NOT rejected (child {}):\n{stderr}",
            output.status
        ),
    }
}

/// Keeps the handlers' deliberate panics (caught by the code under test, thousands of times
/// per model) off stderr; reports the first other panic of a model as its rejection.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let text = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied());
            if text == Some(DELIBERATE_PANIC) {
                return;
            }
            previous(info);
            let _ = RUNNING.try_with(|running| {
                let Ok(mut running) = running.try_borrow_mut() else {
                    return;
                };
                if let Some(running) = running.as_mut().filter(|running| !running.reported) {
                    running.reported = true;
                    eprintln!(
                        "loom {}: bound {}, rejected at iteration {}, {:.2?}",
                        running.name,
                        running.bound,
                        running.iteration,
                        running.start.elapsed()
                    );
                    let first_line = text.unwrap_or("(no message)").lines().next();
                    eprintln!("{REJECTED}{}", first_line.unwrap_or_default());
                }
            });
        }));
    });
}
