//! `gsim render` and `gsim diff`: looking at traces.

use std::path::Path;

use clap::ValueEnum;
use genserver_traces::{Trace, first_difference, to_html, to_mermaid, to_text};

use crate::cli::commands::write;
use crate::cli::output::same_file;

/// What `gsim render` produces.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// One line per event, as snapshot tests store it.
    Text,
    /// A Mermaid `sequenceDiagram`, to paste into GitHub markdown.
    Mermaid,
    /// A self-contained HTML page with a message sequence chart.
    Html,
}

/// Renders `trace` in `format`.
pub fn rendered(trace: &Trace, format: Format) -> String {
    match format {
        Format::Text => to_text(trace),
        Format::Mermaid => to_mermaid(trace),
        Format::Html => to_html(trace),
    }
}

fn load(file: &Path) -> Result<Trace, String> {
    Trace::load(file).map_err(|e| format!("{}: {e}", file.display()))
}

/// `gsim render FILE --format F [-o OUT]`: to stdout, or to OUT.
pub fn render(file: &Path, format: Format, out: Option<&Path>) -> Result<u8, String> {
    if out.is_some_and(|out| same_file(file, out)) {
        return Err(format!(
            "--out names the trace being rendered ({}): give the output its own path",
            file.display()
        ));
    }
    let text = rendered(&load(file)?, format);
    match out {
        Some(path) => {
            write(path, &text)?;
            say!("{:?} written to {}", format, path.display());
        }
        None => say_raw!("{text}"),
    }
    Ok(0)
}

/// `gsim diff A B`: exit 0 if the traces have equal events and end records (every field,
/// times to the nanosecond), 1 (the first differing step and fields) if not.
pub fn diff(left: &Path, right: &Path) -> Result<u8, String> {
    let (a, b) = (load(left)?, load(right)?);
    match first_difference(&a, &b) {
        None => {
            say!("the traces are the same ({} events)", a.events.len());
            Ok(0)
        }
        Some(difference) => {
            say!("--- {}\n+++ {}", left.display(), right.display());
            say!("{difference}");
            Ok(1)
        }
    }
}
