//! # The rules of exits, links, monitors and starts
//!
//! What every engine does when a process exits, is linked, monitored, trapped, killed or
//! started as a child. The code and the tests that implement a rule cite it by number
//! ("rule 2"); the tests are named after it (`rule2_a_kill_is_untrappable_…` in the
//! simulator's `tests/links/rules.rs`; the threaded runtime's in `core/tests/runtime/`,
//! whose file docs say which rules they cover).
//!
//! The rules are implemented once, in two pieces of `core` that both engines drive:
//! - the kernel (`core/src/kernel.rs`): names, links, monitors, trap flags, and what an
//!   exit, a link, a monitor or an exit signal causes, as notices (rules 1 to 5);
//! - the process machine (`core/src/process.rs`): one process as a pure state machine
//!   (inputs in; commands, replies and a status out), which runs `terminate` and fails the
//!   calls it holds at its exit (rule 1), and stops carrying anything out once halted by a
//!   kill, an untrapped signal or a panic (rule 2).
//!
//! What stays an engine's own is only how a notice travels and when an input arrives: the
//! threaded runtime hands a notice to the receiver's inbox at once (`runtime/table.rs`) and
//! runs each machine as a task of its own (`runtime/server_loop.rs`, `apply.rs`); the simulator
//! queues a notice as a message for its scheduler (`sim/src/world/links.rs`, `children.rs`)
//! and drives every machine from one thread (`sim/src/world/typed_server.rs`). The kernel's
//! unit tests are named after the rules, like the tests of both engines; the parity suite
//! of `genserver-checks` (`checks/tests/parity/`) runs generated scripts on both engines and
//! compares what every process saw.
//!
//! The engines still differ where their models of time differ: on the runtime an exit
//! signal or a kill to *another* process takes effect when it is sent, in the simulator when
//! the scheduler delivers it (a later step: every order the runtime can take is among the
//! simulator's, and some more); and a callback's effects happen in one step of the
//! simulator, while other threads run meanwhile on the runtime. A signal a process gives
//! itself (a kill, an untrapped abnormal exit, linking to the dead) takes it down before its
//! callback's next effect on both.
//!
//! ## Rule 1: an exit is seen after it is complete
//!
//! A server that exits with a reason (it stopped, its callback panicked, it was killed, an
//! exit signal took it down) first runs `terminate` (not after a kill), then fails every
//! call queued to it or held as a deferred reply, frees its registered names, and only then
//! sends a [`Down`](crate::Down) with the reason to each of its monitors and an
//! [`ExitSignal`](crate::ExitSignal) with the reason to each process linked to it. So a
//! watcher that gets the `Down` may take the name again at once.
//!
//! ## Rule 2: what an exit signal does
//!
//! An exit signal with reason `normal` is ignored, unless the receiver traps exits; any other
//! reason (`shutdown` included) takes the receiver down with that reason (rule 1), even while
//! it is blocked in a call of its own. A receiver that traps exits gets the signal as
//! `handle_exit` instead and lives on. A kill cannot be trapped: the receiver ends at once,
//! without `terminate`, with reason `killed`; processes linked to it get `killed` as an
//! ordinary, trappable reason.
//!
//! ## Rule 3: a dead or unknown process answers at once
//!
//! Monitoring a process that is dead or never existed delivers a `Down` with "no such
//! process" at once; linking to one delivers an exit signal with "no such process" to the
//! linker. Both are decided atomically against the target's exit: either the target is still
//! there and the watcher is told at its exit, or it is gone and the watcher is told now.
//!
//! ## Rule 4: undoing a watch drops what is in flight
//!
//! A demonitor drops the `Down` of that monitor even when it is already queued; an unlink
//! removes the link both ways and drops an exit signal of that link still in flight to the
//! unlinker.
//!
//! ## Rule 5: a child is started before its starter goes on
//!
//! A server that starts a child (an effect) has the child's `init` run to its end before it
//! hears the outcome: the child is registered under its name, linked to the starter (when
//! asked) and its `init` effects applied first. A failing `init` or a taken name fails the
//! start (`on_started` gets the error) and leaves no link; a child that stops in its `init`
//! effects fails its start without sending an exit signal.
//!
//! ## Rule 6: ids are never reused
//!
//! A restarted server is a new process with a new id; a message or call addressed to the
//! dead instance never reaches the new one (a call fails with "no such process"), while a
//! name that was registered again resolves to the new one.
//!
//! ## Rule 7: time is the engine's
//!
//! [`Ctx::now`](crate::Ctx::now) and [`Cx::now`](crate::Cx::now) read the engine's clock:
//! wall time since the runtime started in the threaded runtime, virtual time in the
//! simulator (which moves only when the schedule says so).
//!
//! ## Rule 8: a bounded mailbox refuses, it never grows
//!
//! A server started with [`StartOptions::bounded(n)`](crate::StartOptions::bounded) has at
//! most `n` calls, casts and info messages sent to it and not yet handled. One more is
//! refused, never queued: a call fails at once with [`CallError::Full`](crate::CallError::Full),
//! a cast or an info message is dropped, as one to a dead server is (the simulator's trace
//! shows it refused). Handlers never block, so a server's own sends never wait for room, nor
//! do a [`Cx`](crate::Cx) client's (the same on both engines), nor a runtime handle's used
//! inside a callback. Only a plain thread holding a runtime handle may choose to wait: [`Server::cast`](crate::Server::cast) waits for room,
//! [`Server::try_cast`](crate::Server::try_cast) hands the message back in a
//! [`Full`](crate::Full), and a call waits within its timeout or, with
//! [`OnFull::Fail`](crate::OnFull::Fail), fails with `Full` at once. The engine's own traffic
//! is never refused and does not count: replies, timers, exit signals, `Down`s, stops,
//! `query`/`update`, `on_terminate`. An exited server is gone, not full: a cast to it is
//! dropped and a call fails with "no such process" at once, and a call waiting for room
//! fails as soon as the server is killed.
