//! Schedule labels, taken apart: their identity (what replay by identity matches) and their
//! text without call numbers (what end states and failures are compared by).

/// The part of a label that names the event: what happens, to which message (its kind, head,
/// number, sender and receiver) or process; without what the message carries (after the
/// first `: `). `deliver reply Balance #2 bank → alice: Ok(80)` is `deliver reply Balance #2
/// bank → alice`. Numbers count per sender, receiver, kind and head, so an edit elsewhere in
/// a system leaves them alone: replay by identity matches on this part.
pub(crate) fn identity(label: &str) -> &str {
    label.split_once(": ").map_or(label, |(event, _)| event)
}

/// A label without its numbers: `deliver call Get #3 c → s: Get` becomes `deliver call Get #
/// c → s: Get`.
pub(crate) fn without_numbers(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut in_number = false;
    for c in label.chars() {
        if in_number && c.is_ascii_digit() {
            continue;
        }
        in_number = c == '#';
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::without_numbers;

    #[test]
    fn call_numbers_are_left_out() {
        assert_eq!(
            without_numbers("deliver reply #12 Ok(3) counter → client-1"),
            "deliver reply # Ok(3) counter → client-1"
        );
        assert_eq!(
            without_numbers("fire timer #2 Tick at a"),
            "fire timer # Tick at a"
        );
    }
}
