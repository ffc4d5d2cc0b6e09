//! Running user code (callbacks, `Debug` of messages) so that a panic in it becomes an error
//! value, and so that a panic hook can tell such panics apart (the simulator keeps them
//! quiet: they are reported as failures).

use std::cell::Cell;

thread_local! {
    static IN_USER_CODE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `body`; a panic in it becomes its text.
pub fn guarded<T>(body: impl FnOnce() -> T) -> Result<T, String> {
    let outer = IN_USER_CODE.with(|flag| flag.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    IN_USER_CODE.with(|flag| flag.set(outer));
    result.map_err(|panic| crate::panic_text(&*panic))
}

/// Renders with user `Debug` code: a panic in it becomes the rendered text.
pub fn render(text: impl FnOnce() -> String) -> String {
    guarded(text).unwrap_or_else(|panic| format!("<rendering panicked: {panic}>"))
}

/// Whether this thread is running user code under [`guarded`] (for a panic hook).
pub fn in_user_code() -> bool {
    IN_USER_CODE.with(|flag| flag.get())
}
