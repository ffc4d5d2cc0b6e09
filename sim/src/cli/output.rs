//! What `gsim` writes: files (a file that was there is replaced with a word on stderr, and
//! two flags that name the same file are refused before anything runs) and standard output
//! (a reader that went away ends `gsim` quietly).

use std::io::Write;
use std::path::{Path, PathBuf};

use genserver_traces::Trace;

/// The exit code when standard output's reader went away (`gsim … | head`): 128 + SIGPIPE,
/// what a shell reports for other tools stopped so.
pub const BROKEN_PIPE: u8 = 141;

/// Prints on standard output (through `say!` and `say_raw!`). A reader that stopped
/// reading ends `gsim` at once with [`BROKEN_PIPE`], without a word, as other tools end;
/// another error writing ends it with exit 2.
pub fn print(text: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_fmt(text).and_then(|()| out.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(i32::from(BROKEN_PIPE));
        }
        eprintln!("gsim: cannot write to standard output: {error}");
        std::process::exit(2);
    }
}

/// Writes `text` at `path`, creating its folder; says `gsim: replaced PATH` on stderr when
/// a file was there.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    let existed = path.is_file();
    crate::files::write(path, text)?;
    if existed {
        eprintln!("gsim: replaced {}", path.display());
    }
    Ok(())
}

/// The trace file beside `path` tagged `tag`: `x.jsonl` → `x.TAG.jsonl`.
pub fn beside(path: &Path, tag: &str) -> PathBuf {
    let stem = (path.file_stem()).map(|s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{}.{tag}.jsonl", stem.unwrap_or_default()))
}

/// Writes a trace as JSON Lines, as [`write`] does.
pub fn save(trace: &Trace, path: &Path) -> Result<(), String> {
    write(path, &trace.to_jsonl())
}

/// Where `path` leads, as well as can be told before it is written: its folder resolved
/// (links, `.`, `..`) when it exists, the absolute path otherwise.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let folder = absolute.parent().and_then(|dir| dir.canonicalize().ok());
    match (folder, absolute.file_name()) {
        (Some(folder), Some(name)) => folder.join(name),
        _ => absolute,
    }
}

/// Whether two paths name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    a == b || resolved(a) == resolved(b)
}

/// Refuses two flags that name the same file: `--a and --b name the same file P`.
pub fn distinct(first: (&str, Option<&Path>), second: (&str, Option<&Path>)) -> Result<(), String> {
    match (first, second) {
        ((a, Some(x)), (b, Some(y))) if same_file(x, y) => Err(format!(
            "{a} and {b} name the same file {}: give each its own path",
            x.display()
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{distinct, same_file};

    #[test]
    fn the_same_file_is_recognised_however_it_is_spelled() {
        let here = std::env::current_dir().unwrap();
        assert!(same_file(Path::new("a.jsonl"), &here.join("a.jsonl")));
        assert!(same_file(Path::new("a.jsonl"), Path::new("./a.jsonl")));
        assert!(!same_file(Path::new("a.jsonl"), Path::new("b.jsonl")));
        let x = Some(Path::new("x"));
        assert!(distinct(("--trace", x), ("--schedule", Some(Path::new("y")))).is_ok());
        assert!(distinct(("--trace", x), ("--schedule", None)).is_ok());
        let error = distinct(("--trace", x), ("--schedule", x)).unwrap_err();
        assert_eq!(
            error,
            "--trace and --schedule name the same file x: give each its own path"
        );
    }
}
