//! Flags that count something that must happen at least once (runs, seeds, PCT's depth):
//! zero is refused with the allowed range, as clap words it for its own ranges.

/// A whole number from 1 to `max`.
fn positive(text: &str, max: u64) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(n) => Err(format!("{n} is not in 1..={max}")),
        Err(_) => Err(format!("expected a whole number in 1..={max}")),
    }
}

/// Parses a `u64` count of at least 1.
pub fn positive_u64(text: &str) -> Result<u64, String> {
    positive(text, u64::MAX)
}

/// Parses a `u32` count of at least 1.
pub fn positive_u32(text: &str) -> Result<u32, String> {
    positive(text, u32::MAX.into()).map(|n| u32::try_from(n).expect("in range"))
}

#[cfg(test)]
mod tests {
    use super::{positive_u32, positive_u64};

    #[test]
    fn zero_and_what_is_not_a_count_are_refused_with_the_range() {
        assert_eq!(positive_u64("1"), Ok(1));
        assert_eq!(positive_u64("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            positive_u64("0"),
            Err("0 is not in 1..=18446744073709551615".to_owned())
        );
        assert_eq!(
            positive_u32("0"),
            Err("0 is not in 1..=4294967295".to_owned())
        );
        assert_eq!(
            positive_u32("4294967296"),
            Err("4294967296 is not in 1..=4294967295".to_owned())
        );
        assert!(positive_u64("-1").unwrap_err().contains("whole number"));
    }
}
