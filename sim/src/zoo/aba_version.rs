//! `aba-version`: optimistic concurrency with a version number that wraps. An updater reads
//! the value and its 3-bit version, then writes back only if the version is unchanged. A
//! busy neighbour bumps the value eight times; if all eight bumps land between the read and
//! the write, the version has wrapped round to the same number, the stale write passes, and
//! the eight bumps are lost (the ABA problem).
//!
//! The bug needs two ordering constraints (the read before the first bump, the write after
//! the last): PCT finds it in a few dozen runs, a random walk needs thousands, since the
//! updater must sit still for sixteen steps of the neighbour.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo};

use crate::World;

/// How many values the version takes before it wraps.
pub const VERSIONS: u8 = 8;

/// A value with a wrapping version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Versioned {
    /// The value.
    pub value: i64,
    /// Bumped (modulo [`VERSIONS`]) by every write.
    pub version: u8,
}

/// The versioned register's calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VersionedCall {
    /// Read the value and its version.
    Read,
    /// Add to the value.
    Add(i64),
    /// Set the value if the version is still `expect`; replies whether it did.
    CompareAndSet {
        /// The version read.
        expect: u8,
        /// The new value.
        value: i64,
    },
}

impl Versioned {
    fn write(&mut self, value: i64) {
        self.value = value;
        self.version = (self.version + 1) % VERSIONS;
    }
}

impl GenServer for Versioned {
    type Args = ();
    type Call = VersionedCall;
    type Reply = (i64, u8, bool);
    type Cast = ();
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Versioned {
            value: 0,
            version: 0,
        })
    }

    fn handle_call(
        &mut self,
        call: VersionedCall,
        _: ReplyTo<(i64, u8, bool)>,
        _: &mut Ctx<Self>,
    ) -> CallResult<(i64, u8, bool)> {
        let done = match call {
            VersionedCall::Read => true,
            VersionedCall::Add(n) => {
                self.write(self.value + n);
                true
            }
            VersionedCall::CompareAndSet { expect, value } => {
                let fresh = expect == self.version;
                if fresh {
                    self.write(value);
                }
                fresh
            }
        };
        CallResult::Reply((self.value, self.version, done))
    }
}

/// What the updater adds.
const BONUS: i64 = 100;
/// How many times the neighbour adds one.
const BUMPS: i64 = VERSIONS as i64;

/// Builds `aba-version`: an updater reads, then compare-and-sets the value plus `BONUS`,
/// retrying while the version moved; a bumper adds one, `BUMPS` times, one call at a time.
pub fn build(world: &mut World) {
    let register = world.spawn::<Versioned>("register", ());
    world.hash_state(register);
    world.clone_state(register);
    world.client("updater", async move |cx| {
        for _ in 0..20 {
            let (value, version, _) = cx.call(register, VersionedCall::Read).await?;
            let set = VersionedCall::CompareAndSet {
                expect: version,
                value: value + BONUS,
            };
            let (_, _, done) = cx.call(register, set).await?;
            if done {
                break;
            }
        }
        Ok(())
    });
    world.client("bumper", async move |cx| {
        for _ in 0..BUMPS {
            cx.call(register, VersionedCall::Add(1)).await?;
        }
        Ok(())
    });
    world.at_end("every write counted", move |view| {
        match view.state(register) {
            Some(r) if r.value == BONUS + BUMPS => Ok(()),
            Some(r) => Err(format!(
                "final value {}, expected {} ({BUMPS} bumps and {BONUS})",
                r.value,
                BONUS + BUMPS
            )),
            None => Err("the register is dead".to_owned()),
        }
    });
}
