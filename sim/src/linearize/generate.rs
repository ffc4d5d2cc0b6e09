//! Generating each client's operations from a model: weighted generators with
//! preconditions on the model's state, drawn by a seeded ChaCha RNG.

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::model::Model;

/// The random number generator a generator draws from (seeded: the same seed draws the same
/// operations).
pub type GenRng = ChaCha8Rng;

/// Draws an operation for the model's state, or `None` when its precondition does not hold.
pub(crate) type Generator<M> =
    Arc<dyn Fn(&M, &mut GenRng) -> Option<<M as Model>::Op> + Send + Sync>;

/// How many times a slot draws a generator before it is left empty (every precondition
/// refused).
const DRAWS: usize = 32;

/// The operations of `clients` clients, `per_client` each, drawn from `generators` (weight,
/// generator) by a ChaCha RNG seeded with `seed`.
///
/// The clients draw in turn (client 1's first operation, client 2's first, …, client 1's
/// second, …) and every drawn operation is applied to one model started from `initial`: a
/// precondition sees the state this sequential order leaves. A slot whose draws are all
/// refused stays empty (the client has fewer operations).
pub(crate) fn generate<M: Model>(
    initial: &M,
    generators: &[(u32, Generator<M>)],
    clients: usize,
    per_client: usize,
    seed: u64,
) -> Vec<Vec<M::Op>> {
    let mut rng = GenRng::seed_from_u64(seed);
    let mut model = initial.clone();
    let mut ops: Vec<Vec<M::Op>> = (0..clients).map(|_| Vec::new()).collect();
    let total: u64 = generators
        .iter()
        .map(|&(weight, _)| u64::from(weight))
        .sum();
    if total == 0 {
        return ops;
    }
    for _ in 0..per_client {
        for client in &mut ops {
            let drawn = (0..DRAWS).find_map(|_| {
                let generator = pick(generators, rng.random_range(0..total));
                generator(&model, &mut rng)
            });
            if let Some(op) = drawn {
                model.step(&op);
                client.push(op);
            }
        }
    }
    ops
}

/// The generator that `ticket` (below the total weight) falls on.
fn pick<M: Model>(generators: &[(u32, Generator<M>)], mut ticket: u64) -> &Generator<M> {
    for (weight, generator) in generators {
        if ticket < u64::from(*weight) {
            return generator;
        }
        ticket -= u64::from(*weight);
    }
    unreachable!("the ticket is below the total weight")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rand::RngExt;

    use super::{Generator, generate};
    use crate::linearize::Model;

    /// A stack of numbers: a pop needs something to pop.
    #[derive(Clone, PartialEq, Eq, Hash, Default)]
    struct Stack(Vec<u8>);

    #[derive(Clone, Debug, PartialEq)]
    enum Op {
        Push(u8),
        Pop,
    }

    impl Model for Stack {
        type Op = Op;
        type Ret = Option<u8>;
        type Key = ();
        fn step(&mut self, op: &Op) -> Option<u8> {
            match *op {
                Op::Push(n) => {
                    self.0.push(n);
                    None
                }
                Op::Pop => self.0.pop(),
            }
        }
    }

    fn generators() -> Vec<(u32, Generator<Stack>)> {
        vec![
            (
                1,
                Arc::new(|_: &Stack, rng: &mut _| Some(Op::Push(rng.random_range(0..10)))),
            ),
            (
                3,
                Arc::new(|s: &Stack, _: &mut _| (!s.0.is_empty()).then_some(Op::Pop)),
            ),
        ]
    }

    #[test]
    fn the_same_seed_draws_the_same_operations_and_another_seed_others() {
        let draw = |seed| generate(&Stack::default(), &generators(), 3, 8, seed);
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        assert!(draw(7).iter().all(|ops| ops.len() == 8));
    }

    #[test]
    fn preconditions_hold_in_the_order_the_clients_drew() {
        for seed in 0..50 {
            let ops = generate(&Stack::default(), &generators(), 2, 10, seed);
            let mut model = Stack::default();
            for round in 0..10 {
                for client in &ops {
                    let op = &client[round];
                    if *op == Op::Pop {
                        assert!(!model.0.is_empty(), "seed {seed}: a pop of nothing");
                    }
                    model.step(op);
                }
            }
        }
    }

    #[test]
    fn weights_share_the_draws() {
        let ops = generate(&Stack::default(), &generators(), 1, 1_000, 3);
        let pops = ops[0].iter().filter(|op| **op == Op::Pop).count();
        // Pops weigh 3 of 4 but need a non-empty stack: between a half and three quarters.
        assert!((400..760).contains(&pops), "{pops} pops");
    }
}
