//! What exhaustive search may claim: a space cut at the depth limit is never "verified",
//! events left enabled when a run stops (cut, or failed) are still explored, and failing runs
//! seed the search like any other.

use std::time::Duration;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
use genserver_sim::{DfsOptions, Exploration, Reduction, World, explore, hunt};

#[path = "../support/rally.rs"]
mod rally;

/// A ping-pong that runs past any depth limit, and one client that calls and then checks
/// (with `fails`, its check fails: three steps from the start).
fn rally(fails: bool) -> impl Fn(&mut World) + Sync {
    move |world: &mut World| {
        let first = rally::rally(world, ["first", "second"]);
        world.client("client", async move |cx| {
            cx.call(first, ()).await?;
            if fails { Err("checked".into()) } else { Ok(()) }
        });
    }
}

fn dpor(system: &(impl Fn(&mut World) + Sync), max_depth: u64) -> Exploration {
    let options = DfsOptions {
        max_depth,
        ..DfsOptions::default()
    };
    explore(system, &options, &mut |_| {}).expect("deterministic")
}

#[test]
fn an_event_enabled_at_the_depth_cut_is_explored() {
    // A random walk finds it at once...
    assert_eq!(hunt(&rally(true), 0, 10, 1_000).runs, 1);
    // ...and so must DPOR, though the ping-pong alone fills every run up to the limit.
    for max_depth in [20, 200, 400] {
        let report = dpor(&rally(true), max_depth);
        assert!(
            report.found.is_some(),
            "depth {max_depth}: {}",
            report.verdict()
        );
        assert!(
            report.schedules <= 3,
            "depth {max_depth}: {}",
            report.schedules
        );
    }
}

#[test]
fn a_space_cut_at_the_depth_limit_is_never_verified() {
    let report = dpor(&rally(false), 50);
    assert!(report.found.is_none() && report.depth_limited);
    assert!(!report.verified(), "{}", report.verdict());
    assert!(
        report.verdict().contains("not verified"),
        "{}",
        report.verdict()
    );
}

/// Answers `true` to the first knock only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
struct Door(bool);

impl GenServer for Door {
    type Args = ();
    type Call = ();
    type Reply = bool;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Door::default())
    }
    fn handle_call(&mut self, _: (), _: ReplyTo<bool>, _: &mut Ctx<Self>) -> CallResult<bool> {
        let first = !self.0;
        self.0 = true;
        CallResult::Reply(first)
    }
}

/// Two clients knock; whoever comes first fails (a failure of its own, in its own name).
fn first_come(world: &mut World) {
    let door = world.spawn::<Door>("door", ());
    world.hash_state(door);
    for name in ["client-1", "client-2"] {
        world.client(name, async move |cx| match cx.call(door, ()).await? {
            true => Err("came first".into()),
            false => Ok(()),
        });
    }
}

#[test]
fn a_failing_run_still_seeds_the_search_when_it_keeps_going() {
    let all = |reduction| DfsOptions {
        reduction,
        keep_going: true,
        ..DfsOptions::default()
    };
    let dpor = explore(&first_come, &all(Reduction::Dpor), &mut |_| {}).unwrap();
    let plain = explore(&first_come, &all(Reduction::Nothing), &mut |_| {}).unwrap();
    assert_eq!(plain.distinct_failures, 2);
    assert_eq!(dpor.distinct_failures, plain.distinct_failures);
    assert!(dpor.schedules < plain.schedules, "{} runs", dpor.schedules);
}

#[test]
fn max_runs_counts_runs_that_reached_their_end_and_max_time_stops_the_search() {
    let options = DfsOptions {
        max_runs: 3,
        reduction: Reduction::Nothing,
        keep_going: true,
        ..DfsOptions::default()
    };
    let report = explore(&first_come, &options, &mut |_| {}).unwrap();
    assert_eq!(report.schedules, 3);
    assert!(report.budget_ran_out);
    let timed = DfsOptions {
        max_time: Some(Duration::ZERO),
        ..DfsOptions::default()
    };
    let report = explore(&rally(false), &timed, &mut |_| {}).unwrap();
    assert!(report.budget_ran_out && !report.verified());
    assert!(report.schedules <= 1, "{}", report.schedules);
}

#[test]
fn a_system_whose_time_races_its_deliveries_is_searched_with_state_hashing() {
    // DPOR's races assume time moves only when nothing else can happen; over jumps of time
    // it missed end states (lease-expiry: 2 248 of 2 296), so the search gives way.
    let lease = genserver_sim::find_system("lease-expiry").unwrap();
    let all = |reduction| DfsOptions {
        reduction,
        keep_going: true,
        max_depth: 50,
        ..DfsOptions::default()
    };
    let asked = explore(lease, &all(Reduction::Dpor), &mut |_| {}).unwrap();
    let hashing = explore(lease, &all(Reduction::StateHashing), &mut |_| {}).unwrap();
    assert_eq!(asked.reduction, Reduction::StateHashing);
    assert_eq!(asked.end_states, hashing.end_states);
    assert_eq!(asked.end_states, 2_296);
    let counter = genserver_sim::find_system("counter").unwrap();
    let report = explore(counter, &DfsOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(report.reduction, Reduction::Dpor);
}
