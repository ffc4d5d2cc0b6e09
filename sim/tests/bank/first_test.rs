//! The README's first test, verbatim (the zoo's counter as the user's server), and what it
//! prints when it fails.

use std::panic::{AssertUnwindSafe, catch_unwind};

use genserver_sim::zoo::counter::{Counter, CounterCall as Call};

// The README's test, without `#[test]`: it fails, which is its point.
fn two_clients_never_lose_an_update() {
    genserver_sim::check(&|world: &mut genserver_sim::World| {
        let counter = world.spawn::<Counter>("counter", 0);
        for name in ["client-1", "client-2"] {
            world.client(name, async move |cx| {
                let value = cx.call(counter, Call::Get).await?;
                cx.call(counter, Call::Set(value + 1)).await?;
                Ok(())
            });
        }
        world.at_end("both counted", move |view| {
            view.state(counter) == Some(&Counter(2))
        });
    });
}

#[test]
fn the_readme_first_test_fails_with_what_the_readme_shows() {
    let panic = catch_unwind(AssertUnwindSafe(two_clients_never_lose_an_update)).unwrap_err();
    let text = panic.downcast_ref::<String>().unwrap();
    let test = std::thread::current()
        .name()
        .unwrap()
        .rsplit("::")
        .next()
        .unwrap()
        .to_owned();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with(&format!("{test}: step ")), "{text}");
    assert!(
        first.ends_with(": invariant: both counted: does not hold"),
        "{text}"
    );
    assert!(text.contains("found by random after"), "{text}");
    assert!(text.contains(&format!("/gsim/{test}-seed-")), "{text}");
    assert!(text.contains(" cargo test -p genserver-sim -- "), "{text}");
}
