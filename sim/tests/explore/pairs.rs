//! Partial-order reduction: k independent client/server pairs take one DPOR schedule each,
//! while plain DFS explores every interleaving, (3k)! / 6^k of them.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};
use genserver_sim::{DfsOptions, Exploration, Reduction, System, World, explore};

/// A server that answers every call with its state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Echo(u32);

impl GenServer for Echo {
    type Args = u32;
    type Call = ();
    type Reply = u32;
    type Cast = ();
    type Info = ();
    type Continue = ();
    fn init(n: u32, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Echo(n))
    }
    fn handle_call(&mut self, _: (), _: ReplyTo<u32>, _: &mut Ctx<Self>) -> CallResult<u32> {
        CallResult::Reply(self.0)
    }
}

/// `k` client/server pairs that never talk across pairs.
struct Pairs(u32);

impl System for Pairs {
    fn build(&self, world: &mut World) {
        for i in 1..=self.0 {
            let server = world.spawn::<Echo>(&format!("server-{i}"), i);
            // Calls its own server once: three steps (start, the call, the reply).
            world.client(&format!("client-{i}"), async move |cx| {
                cx.call(server, ()).await?;
                Ok(())
            });
        }
    }
}

fn search(k: u32, reduction: Reduction, max_runs: u64) -> Exploration {
    let options = DfsOptions {
        reduction,
        max_runs,
        ..DfsOptions::default()
    };
    explore(&Pairs(k), &options, &mut |_| {}).expect("deterministic")
}

/// Interleavings of `k` chains of three steps each: (3k)! / (3!)^k.
fn interleavings(k: u64) -> u64 {
    let factorial = |n: u64| (1..=n).product::<u64>();
    factorial(3 * k) / 6u64.pow(k as u32)
}

#[test]
fn dpor_explores_one_schedule_per_pair_count_where_plain_dfs_explodes() {
    // Plain DFS is run in full up to k = 3 (1680 schedules); for k = 4 (369 600) it is cut
    // at a budget, which it exhausts.
    const BUDGET: u64 = 5_000;
    let mut table = Vec::new();
    for k in 1..=4u32 {
        let dpor = search(k, Reduction::Dpor, u64::MAX);
        assert!(dpor.verified(), "k = {k}: {}", dpor.verdict());
        let plain = search(k, Reduction::Nothing, BUDGET);
        let expected = interleavings(u64::from(k));
        if expected <= BUDGET {
            assert!(plain.verified());
            assert_eq!(plain.schedules, expected, "k = {k}");
        } else {
            assert!(plain.budget_ran_out && plain.schedules == BUDGET, "k = {k}");
        }
        // Linear (here: constant) growth: one schedule, 3k steps deep.
        assert_eq!(dpor.schedules, 1, "k = {k}");
        assert_eq!(dpor.max_depth, 3 * u64::from(k));
        table.push((k, dpor.schedules, dpor.pruned, expected));
    }
    assert_eq!(
        table,
        [
            (1, 1, 0, 1),
            (2, 1, 0, 20),
            (3, 1, 0, 1680),
            (4, 1, 0, 369_600)
        ]
    );
}
