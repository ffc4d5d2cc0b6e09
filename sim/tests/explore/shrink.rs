//! Shrunk traces of the zoo bugs: the same named failure, deterministic, and no longer
//! than the hand-minimal story of each bug plus [`MARGIN`] steps. The traces are pinned as
//! text snapshots.

use genserver_sim::{
    DEFAULT_MAX_STEPS, HuntOptions, Strategy, Verdict, find_system, hunt_with, replay, shrink,
};
use genserver_traces::to_text;

/// Steps a shrunk trace may exceed the hand-minimal story by.
const MARGIN: u64 = 2;

/// Each bug with the length of its hand-minimal story, told step by step.
const STORIES: [(&str, u64); 8] = [
    // start both; both gets delivered and answered; both sets delivered and answered.
    ("lost-update", 10),
    // start both; each sync delivered: a calls b while b calls a. Deadlock.
    ("call-cycle", 4),
    // start; audit delivered; the auditor's read overtakes the deposit; two replies.
    ("stale-read", 5),
    // start; delay the withdrawal; time out; the late withdrawal and the retry are
    // delivered; the retry's reply shows two withdrawals.
    ("retry-double-apply", 6),
    // The first failure PCT finds loses job 1: start; submit 1; crash before its flush; its
    // reply; submit 2, its flush, its store, its reply; the same for 3; wake; list; the
    // reply lacks job 1. (The shortest story, 12 steps, crashes after job 2's reply
    // instead, so that the queued submit 3 fails with the crash.)
    ("restart-loses-work", 15),
    // start the updater, read, reply; start the bumper, eight adds and replies; the stale
    // compare-and-set and its reply.
    ("aba-version", 22),
    // start (call 1); call 1 delivered and answered; crash the front; its exit signal
    // reaches the supervisor, which starts a new front under the name; reply 1 delivered
    // (the call for op 2 goes to the dead id: NoProcess, counted as done; op 3 is called on
    // the new front); call 3 delivered, reply 3 delivered; both casts reach the ledger;
    // wake; list; the reply lacks op 2.
    ("restart-registry-race", 12),
    // start the reader; its read misses and is fetched; start the writer; its write
    // invalidates and is passed on; the old value fills the cache; the write is stored and
    // answered; the writer's read hits the old value; its reply. (The history drawn below
    // the trace: the write, then the stale read; the reader's read is still pending.)
    ("stale-cache", 10),
];

#[test]
fn shrunk_zoo_traces_are_short_and_pinned() {
    for (name, story) in STORIES {
        let system = find_system(name).unwrap();
        // A long failing run to shrink: the first failure among runs of a PCT hunt.
        let options = HuntOptions {
            strategy: Strategy::Pct { depth: 3 },
            ..HuntOptions::new(0, 500, DEFAULT_MAX_STEPS)
        };
        let found = hunt_with(system, &options, &|_, _| {})
            .found
            .expect("found");
        let original = found.trace.as_ref().unwrap();
        let shrunk = shrink(system, original)
            .unwrap()
            .expect("a failure to shrink");
        let again = shrink(system, original).unwrap().unwrap();
        let trace = shrunk.report.trace.as_ref().unwrap();
        assert_eq!(
            trace,
            again.report.trace.as_ref().unwrap(),
            "{name}: deterministic"
        );
        let (before, after) = (found.failure().unwrap(), shrunk.report.failure().unwrap());
        assert_eq!(
            (before.kind, &before.process),
            (after.kind, &after.process),
            "{name}"
        );
        assert!(shrunk.report.steps <= shrunk.original_steps, "{name}");
        assert!(
            shrunk.report.steps <= story + MARGIN,
            "{name}: {} steps, the story takes {story}",
            shrunk.report.steps
        );
        assert_eq!(trace.header.strategy, "pct (depth 3) (shrunk)");
        let replayed = replay(system, trace).expect("the shrunk trace replays");
        assert!(matches!(replayed.verdict, Verdict::Failed(_)));
        insta::assert_snapshot!(format!("shrunk-{name}"), to_text(trace));
    }
}

mod noisy {
    //! A stale read among busy bystanders: shrinking drops every bystander's operation.

    use genserver_sim::zoo::counter::{Counter, CounterCall};
    use genserver_sim::zoo::stale_read::{Account, AccountCast, Audit, Auditor};
    use genserver_sim::{FailureKind, World, hunt, shrink};

    /// A depositor that audits and expects to see its deposit, and three bystanders that
    /// increment counters of their own a few times: nothing to do with the bug.
    fn noisy(world: &mut World) {
        let account = world.spawn::<Account>("account", 0);
        let auditor = world.spawn::<Auditor>("auditor", account);
        world.client("client-1", async move |cx| {
            cx.cast(account, AccountCast::Deposit(5));
            match cx.call(auditor, Audit).await? {
                0 => Err("the audit missed my deposit".into()),
                _ => Ok(()),
            }
        });
        for i in 1..=3 {
            let counter = world.spawn::<Counter>(&format!("counter-{i}"), 0);
            world.client(&format!("bystander-{i}"), async move |cx| {
                for _ in 0..3 {
                    cx.call(counter, CounterCall::Increment).await?;
                }
                Ok(())
            });
        }
    }

    #[test]
    fn shrinking_drops_the_bystanders() {
        let found = hunt(&noisy, 0, 200, 1_000).found.expect("found");
        let original = found.trace.as_ref().unwrap();
        let bystanders = |schedule: &[&str]| {
            (schedule.iter())
                .filter(|l| l.contains("bystander") || l.contains("counter"))
                .count()
        };
        assert!(
            bystanders(&original.schedule()) >= 5,
            "{:?}",
            original.schedule()
        );
        let shrunk = shrink(&noisy, original).unwrap().unwrap();
        let trace = shrunk.report.trace.as_ref().unwrap();
        assert_eq!(
            shrunk.report.failure().unwrap().kind,
            FailureKind::Expectation
        );
        assert_eq!(bystanders(&trace.schedule()), 0, "{:?}", trace.schedule());
        assert_eq!(shrunk.report.steps, 5);
        assert!(shrunk.original_steps >= 10, "{}", shrunk.original_steps);
    }
}

mod payloads {
    //! Leaving out a step changes the payloads of later ones: a transfer left out changes the
    //! balance every later read carries (`Ok(120)` becomes `Ok(110)`). The shrinker follows
    //! the rest of the schedule by the identity of its events (who, to whom, which message of
    //! that sender), so the transfers that have nothing to do with the bug go, however the
    //! later replies read.

    use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
    use genserver_sim::{FailureKind, World, hunt, replay, shrink};

    /// An account: its balance, and what the books say it should be.
    #[derive(Debug)]
    struct Account {
        balance: u64,
        books: u64,
    }

    #[derive(Debug)]
    enum Request {
        /// Read the balance.
        Balance,
        /// Transfer money in; the reply is the new balance.
        Deposit(u64),
        /// Charge a fee of 1 on the balance the caller read (the bug: a deposit since then
        /// is lost).
        Charge { seen: u64 },
    }

    impl GenServer for Account {
        type Args = u64;
        type Call = Request;
        type Reply = u64;
        type Cast = ();
        type Info = ();
        type Continue = ();

        fn init(opening: u64, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
            Ok(Account {
                balance: opening,
                books: opening,
            })
        }

        fn handle_call(
            &mut self,
            request: Request,
            _: ReplyTo<u64>,
            _: &mut Ctx<Self>,
        ) -> CallResult<u64> {
            match request {
                Request::Balance => {}
                Request::Deposit(amount) => {
                    self.balance += amount;
                    self.books += amount;
                }
                Request::Charge { seen } => {
                    self.balance = seen - 1;
                    self.books -= 1;
                }
            }
            CallResult::Reply(self.balance)
        }
    }

    /// A fee client that reads the balance and charges on what it read, and three transfer
    /// clients that each look at the balance, then deposit 10. The books stop balancing when
    /// a deposit lands between the fee's read and its charge.
    fn bank(world: &mut World) {
        let account = world.spawn::<Account>("account", 100);
        world.client("fees", async move |cx| {
            let seen = cx.call(account, Request::Balance).await?;
            cx.call(account, Request::Charge { seen }).await?;
            Ok(())
        });
        for i in 1..=3 {
            world.client(&format!("transfer-{i}"), async move |cx| {
                cx.call(account, Request::Balance).await?;
                cx.call(account, Request::Deposit(10)).await?;
                Ok(())
            });
        }
        world.invariant("the books balance", move |view| {
            view.state(account).is_some_and(|a| a.balance == a.books)
        });
    }

    /// The story takes 8 steps: start the fee client, its read delivered and answered; start
    /// a transfer, its look delivered and answered, its deposit delivered; the stale charge.
    const STORY: u64 = 8;

    #[test]
    fn transfers_whose_removal_changes_later_replies_are_left_out() {
        // Seed 41 fails in 19 steps, two transfers done before the fee's read. Matched by
        // label, the shrinker stopped at 16 steps.
        let found = hunt(&bank, 41, 1, 1_000).found.expect("found");
        let original = found.trace.as_ref().unwrap();
        let before = found.failure().unwrap();
        assert_eq!(before.kind, FailureKind::Invariant);
        assert!(before.message.starts_with("the books balance"), "{before}");
        // Transfers completed before the fee's read: each one left out changes the balance
        // that read, and the later looks, carry.
        let schedule = original.schedule();
        let read = (schedule.iter())
            .position(|l| l.starts_with("deliver call") && l.contains("fees → account: Balance"))
            .unwrap();
        let deposits = |labels: &[&str]| {
            (labels.iter())
                .filter(|l| l.starts_with("deliver call") && l.contains("Deposit"))
                .count()
        };
        assert_eq!(deposits(&schedule[..read]), 2, "{schedule:#?}");

        let shrunk = shrink(&bank, original).unwrap().unwrap();
        let after = shrunk.report.failure().unwrap();
        assert_eq!((after.kind, &after.process), (before.kind, &before.process));
        assert_eq!(
            after.message.split(':').next(),
            before.message.split(':').next()
        );
        let trace = shrunk.report.trace.as_ref().unwrap();
        assert_eq!(
            (found.steps, shrunk.original_steps, shrunk.report.steps),
            (19, 19, STORY),
            "{:#?}",
            trace.schedule()
        );
        assert_eq!(deposits(&trace.schedule()), 1, "{:#?}", trace.schedule());
        let replayed = replay(&bank, trace).expect("the shrunk trace replays");
        assert_eq!(replayed.trace.as_ref(), Some(trace));
    }
}
