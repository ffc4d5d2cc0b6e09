//! `aba-version`: optimistic concurrency with a version number that wraps. An updater reads
//! the value and its 3-bit version, then writes back only if the version is unchanged. A
//! busy neighbour bumps the value eight times; if all eight bumps land between the read and
//! the write, the version has wrapped round to the same number, the stale write passes, and
//! the eight bumps are lost (the ABA problem).
//!
//! The bug needs two ordering constraints (the read before the first bump, the write after
//! the last): PCT finds it in a few dozen runs, a random walk needs thousands, since the
//! updater must sit still for sixteen steps of the neighbour.

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};

use crate::{CallOutcome, Check, Client, ClientCtx, System, World, expect_reply};

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

/// Reads, then compare-and-sets the value plus [`BONUS`]; retries while the version moved.
struct Updater {
    register: ServerRef<Versioned>,
    reading: bool,
    tries: u32,
}

impl Client for Updater {
    fn step(&mut self, outcome: Option<CallOutcome>, ctx: &mut ClientCtx) -> Result<(), Check> {
        if let Some(outcome) = outcome {
            let (value, version, done) = expect_reply::<(i64, u8, bool)>(Some(outcome))?;
            if self.reading {
                self.reading = false;
                let value = value + BONUS;
                ctx.call(
                    self.register,
                    VersionedCall::CompareAndSet {
                        expect: version,
                        value,
                    },
                );
                return Ok(());
            }
            if done || self.tries >= 20 {
                return Ok(());
            }
        }
        self.tries += 1;
        self.reading = true;
        ctx.call(self.register, VersionedCall::Read);
        Ok(())
    }
}

/// Adds one, [`BUMPS`] times, one call at a time.
struct Bumper {
    register: ServerRef<Versioned>,
    left: i64,
}

impl Client for Bumper {
    fn step(&mut self, outcome: Option<CallOutcome>, ctx: &mut ClientCtx) -> Result<(), Check> {
        if outcome.is_some() {
            expect_reply::<(i64, u8, bool)>(outcome)?;
        }
        if self.left > 0 {
            self.left -= 1;
            ctx.call(self.register, VersionedCall::Add(1));
        }
        Ok(())
    }
}

/// The `aba-version` system.
pub struct AbaVersion;

impl System for AbaVersion {
    fn name(&self) -> &'static str {
        "aba-version"
    }
    fn description(&self) -> &'static str {
        "a compare-and-set on a wrapping version passes after eight writes in between (bug; depth 2)"
    }
    fn has_bug(&self) -> bool {
        true
    }
    fn build(&self, world: &mut World) {
        let register = world.spawn::<Versioned>("register", ());
        world.hash_state(register);
        world.client(
            "updater",
            Updater {
                register,
                reading: false,
                tries: 0,
            },
        );
        world.client(
            "bumper",
            Bumper {
                register,
                left: BUMPS,
            },
        );
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
}
