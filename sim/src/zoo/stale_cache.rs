//! `stale-cache` and `fenced-cache`: a key-value store with a read-through cache in front.
//! A read the cache misses asks the store and keeps the value on its way back; a write
//! drops the cached value and passes the write on. The invalidation races the fill: when a
//! read reaches the store before a write and its value comes back after the write's
//! invalidation, the cache keeps the old value, and a read made after the write returned
//! sees it (a stale read). Nothing here says so by hand: the only check is that the calls
//! to the cache are linearizable against a sequential key-value model.
//!
//! The fix (`fenced-cache`) numbers each key's invalidations and keeps a filled value only
//! if no invalidation of its key came since its read was sent.

use std::collections::BTreeMap;

use genserver::{CallResult, Ctx, ExitReason, GenServer, ReplyTo, ServerRef};

use crate::World;
use rand::RngExt;

use crate::linearize::{Linearizable, Model, Workload};

/// A key.
pub type Key = u8;

/// A call to the cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KvCall {
    /// Read a key (a key never written reads 0).
    Get(Key),
    /// Write a key.
    Put(Key, u32),
}

impl KvCall {
    /// The key it works on.
    pub fn key(&self) -> Key {
        match *self {
            KvCall::Get(key) | KvCall::Put(key, _) => key,
        }
    }
}

/// A reply of the cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KvReply {
    /// The value read.
    Value(u32),
    /// The write is done.
    Written,
}

/// What the cache asks the store, without waiting (the cache serves other calls meanwhile).
#[derive(Debug, Clone)]
pub enum StoreCast {
    /// Read a key and send its value back to the cache, with the key's invalidations when
    /// the read was sent and the client's call to answer.
    Fetch(ServerRef<Cache>, Key, u64, ReplyTo<KvReply>),
    /// Write a key and answer the client's call.
    Write(Key, u32, ReplyTo<KvReply>),
}

/// The store: every key's value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Store(BTreeMap<Key, u32>);

impl GenServer for Store {
    type Args = ();
    type Call = ();
    type Reply = ();
    type Cast = StoreCast;
    type Info = ();
    type Continue = ();

    fn init(_: (), _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Store(BTreeMap::new()))
    }

    fn handle_call(&mut self, _: (), _: ReplyTo<()>, _: &mut Ctx<Self>) -> CallResult<()> {
        CallResult::Reply(())
    }

    fn handle_cast(&mut self, cast: StoreCast, ctx: &mut Ctx<Self>) {
        match cast {
            StoreCast::Fetch(cache, key, seen, from) => {
                let value = self.0.get(&key).copied().unwrap_or(0);
                ctx.send(cache, Fill(key, seen, value, from));
            }
            StoreCast::Write(key, value, from) => {
                self.0.insert(key, value);
                ctx.reply(&from, KvReply::Written);
            }
        }
    }
}

/// How the cache was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheArgs {
    /// The store behind it.
    pub store: ServerRef<Store>,
    /// Whether a fill checks that no invalidation of its key came since its read was sent
    /// (the fix).
    pub fenced: bool,
}

/// The cache: the values it keeps, and how many times each key was invalidated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cache {
    args: CacheArgs,
    values: BTreeMap<Key, u32>,
    invalidations: BTreeMap<Key, u64>,
}

/// A value the store read for a read the cache missed: the key, its invalidations when the
/// read was sent, the value, and the client's call to answer.
#[derive(Debug, Clone)]
pub struct Fill(Key, u64, u32, ReplyTo<KvReply>);

impl Cache {
    fn invalidations(&self, key: Key) -> u64 {
        self.invalidations.get(&key).copied().unwrap_or(0)
    }
}

impl GenServer for Cache {
    type Args = CacheArgs;
    type Call = KvCall;
    type Reply = KvReply;
    type Cast = ();
    type Info = Fill;
    type Continue = ();

    fn init(args: CacheArgs, _: &mut Ctx<Self>) -> Result<Self, ExitReason> {
        Ok(Cache {
            args,
            values: BTreeMap::new(),
            invalidations: BTreeMap::new(),
        })
    }

    fn handle_call(
        &mut self,
        call: KvCall,
        from: ReplyTo<KvReply>,
        ctx: &mut Ctx<Self>,
    ) -> CallResult<KvReply> {
        let store = self.args.store;
        match call {
            KvCall::Get(key) => {
                if let Some(&value) = self.values.get(&key) {
                    return CallResult::Reply(KvReply::Value(value));
                }
                let seen = self.invalidations(key);
                ctx.cast(store, StoreCast::Fetch(ctx.me(), key, seen, from));
            }
            KvCall::Put(key, value) => {
                self.values.remove(&key);
                *self.invalidations.entry(key).or_default() += 1;
                ctx.cast(store, StoreCast::Write(key, value, from));
            }
        }
        CallResult::NoReply
    }

    fn handle_info(&mut self, Fill(key, seen, value, from): Fill, ctx: &mut Ctx<Self>) {
        if !self.args.fenced || seen == self.invalidations(key) {
            self.values.insert(key, value);
        }
        ctx.reply(&from, KvReply::Value(value));
    }
}

/// What a key-value store should do, one key at a time: the key's value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct KvModel(u32);

impl Model for KvModel {
    type Op = KvCall;
    type Ret = KvReply;
    type Key = Key;

    fn step(&mut self, op: &KvCall) -> KvReply {
        match *op {
            KvCall::Get(_) => KvReply::Value(self.0),
            KvCall::Put(_, value) => {
                self.0 = value;
                KvReply::Written
            }
        }
    }

    fn partition(op: &KvCall) -> Option<Key> {
        Some(op.key())
    }
}

/// What each client does, in order.
const WORKLOAD: [(&str, &[KvCall]); 3] = [
    ("reader", &[KvCall::Get(1), KvCall::Get(2)]),
    ("writer", &[KvCall::Put(1, 1), KvCall::Get(1)]),
    ("other", &[KvCall::Put(2, 7)]),
];

/// The store, the cache (`fenced` or not) and the clients of [`WORKLOAD`], with the cache's
/// calls checked against [`KvModel`].
fn build_with(world: &mut World, fenced: bool) {
    let cache = servers(world, fenced);
    let model = Linearizable::new(KvModel::default()).server(
        cache,
        |call| Some(call.clone()),
        KvReply::clone,
    );
    world.linearizable("kv", model);
    for (name, calls) in WORKLOAD {
        world.client(name, async move |cx| {
            for call in calls {
                cx.call(cache, call.clone()).await?;
            }
            Ok(())
        });
    }
}

/// Spawns the store and the cache in front of it (`fenced` or not), their states hashed
/// and cloned for stateful search; returns the cache.
pub fn servers(world: &mut World, fenced: bool) -> ServerRef<Cache> {
    let store = world.spawn::<Store>("store", ());
    let cache = world.spawn::<Cache>("cache", CacheArgs { store, fenced });
    world.hash_state(store);
    world.hash_state(cache);
    world.clone_state(store);
    world.clone_state(cache);
    cache
}

/// A workload generated from [`KvModel`] against the cache (`fenced` or not), with no
/// hand-written client: `clients` clients of `ops` operations each, reads twice as likely
/// as writes, over keys 1 and 2 and values 1 to 3, drawn by `seed`.
pub fn workload(fenced: bool, clients: usize, ops: usize, seed: u64) -> Workload<KvModel, Cache> {
    Workload::new(
        KvModel::default(),
        move |world: &mut World| servers(world, fenced),
        KvCall::clone,
        KvReply::clone,
    )
    .op(2, |_, rng| Some(KvCall::Get(rng.random_range(1..=2))))
    .op(1, |_, rng| {
        Some(KvCall::Put(
            rng.random_range(1..=2),
            rng.random_range(1..=3),
        ))
    })
    .clients(clients)
    .ops_per_client(ops)
    .seed(seed)
    .name(if fenced { "fenced-kv" } else { "stale-kv" })
}

/// Builds `stale-cache`: fills race invalidations.
pub fn build(world: &mut World) {
    build_with(world, false);
}

/// Builds `fenced-cache`: a fill after an invalidation of its key is not kept.
pub fn build_fenced(world: &mut World) {
    build_with(world, true);
}
