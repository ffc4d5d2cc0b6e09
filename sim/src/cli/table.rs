//! The summary table of `gsim hunt` over every system, and its verdict: did each system
//! behave as its "expected" column says (each bug found, each correct system clean)?

use crate::cli::hunt::Ending;

/// One system's line of the table.
pub struct Row {
    /// The system's name.
    pub system: String,
    /// Whether it hides a bug a hunt should find.
    pub has_bug: bool,
    /// How its hunt ended.
    pub ending: Ending,
    /// The one-line summary of its hunt.
    pub details: String,
}

impl Row {
    /// Why the row is not as expected, or `None` if it is.
    pub fn unexpected(&self) -> Option<&'static str> {
        match (self.has_bug, self.ending) {
            (true, Ending::Found) | (false, Ending::Clean) => None,
            (true, Ending::Clean) => Some("bug not found"),
            (false, Ending::Found) => Some("failure in a correct system"),
            (_, Ending::Unexplored) => Some("no run reached its end"),
        }
    }
}

/// The table's last line, and whether every row was as expected.
pub fn verdict(rows: &[Row]) -> (String, bool) {
    let odd: Vec<String> = (rows.iter())
        .filter_map(|row| Some(format!("{} ({})", row.system, row.unexpected()?)))
        .collect();
    if odd.is_empty() {
        let bugs = rows.iter().filter(|row| row.has_bug).count();
        let clean = rows.len() - bugs;
        let line = format!(
            "every system behaved as expected: {} found, {} clean",
            count(bugs, "bug", "bugs"),
            count(clean, "correct system", "correct systems")
        );
        return (line, true);
    }
    let line = format!(
        "not as expected: {} of {} systems: {}",
        odd.len(),
        rows.len(),
        odd.join(", ")
    );
    (line, false)
}

fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// Prints the table and its verdict; returns the exit code: 0 if every system behaved as
/// expected, 1 if not.
pub fn print_table(width: usize, rows: &[Row]) -> u8 {
    say!();
    say!(
        "{:<width$} {:<9} {:<10} details",
        "system",
        "expected",
        "result"
    );
    for row in rows {
        let expected = if row.has_bug { "bug" } else { "correct" };
        let (system, result, details) = (&row.system, row.ending.word(), &row.details);
        say!("{system:<width$} {expected:<9} {result:<10} {details}");
    }
    let (line, expected) = verdict(rows);
    say!("{line}");
    u8::from(!expected)
}

#[cfg(test)]
mod tests {
    use super::{Ending, Row, verdict};

    fn row(system: &str, has_bug: bool, ending: Ending) -> Row {
        let (system, details) = (system.to_owned(), String::new());
        Row {
            system,
            has_bug,
            ending,
            details,
        }
    }

    #[test]
    fn every_bug_found_and_every_correct_system_clean_is_as_expected() {
        let rows = [
            row("a", true, Ending::Found),
            row("b", true, Ending::Found),
            row("ok", false, Ending::Clean),
        ];
        let (line, expected) = verdict(&rows);
        assert!(expected);
        assert_eq!(
            line,
            "every system behaved as expected: 2 bugs found, 1 correct system clean"
        );
    }

    #[test]
    fn anything_else_is_not_and_is_named() {
        for (has_bug, ending, why) in [
            (true, Ending::Clean, "bug not found"),
            (true, Ending::Unexplored, "no run reached its end"),
            (false, Ending::Found, "failure in a correct system"),
            (false, Ending::Unexplored, "no run reached its end"),
        ] {
            let rows = [row("a", true, Ending::Found), row("x", has_bug, ending)];
            let (line, expected) = verdict(&rows);
            assert!(!expected, "{line}");
            assert_eq!(line, format!("not as expected: 1 of 2 systems: x ({why})"));
        }
    }
}
