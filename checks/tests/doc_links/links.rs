//! Finding the relative links of Markdown files and the ones that lead nowhere.

use std::path::{Path, PathBuf};

/// One relative link of a Markdown file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The file it is in.
    pub file: PathBuf,
    /// Its 1-based line.
    pub line: usize,
    /// The target as written, `#fragment` included.
    pub target: String,
}

/// Every `*.md` file under `root`, skipping hidden folders and build output (`target*`).
pub fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{folder:?}: {e}"));
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if path.is_dir() {
                if !name.starts_with('.') && !name.starts_with("target") {
                    folders.push(path);
                }
            } else if name.ends_with(".md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The relative links of Markdown `text` (in `file`): inline `[text](target)` and reference
/// definitions `[name]: target`, outside fenced code blocks and code spans; not `http:`,
/// `https:` or `mailto:` links, nor links to an anchor of the same page (`#…`).
pub fn relative_links(file: &Path, text: &str) -> Vec<Link> {
    let mut links = Vec::new();
    let mut fenced = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut targets = inline_targets(&without_code_spans(line));
        targets.extend(reference_target(trimmed));
        for target in targets {
            let external = ["http:", "https:", "mailto:"]
                .iter()
                .any(|scheme| target.to_ascii_lowercase().starts_with(scheme));
            if !external && !target.starts_with('#') && !target.is_empty() {
                links.push(Link {
                    file: file.to_path_buf(),
                    line: index + 1,
                    target,
                });
            }
        }
    }
    links
}

/// `line` with its `code spans` blanked out.
fn without_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for (index, part) in line.split('`').enumerate() {
        match index % 2 {
            0 => out.push_str(part),
            _ => out.push_str(&" ".repeat(part.len() + 2)),
        }
    }
    out
}

/// The targets of the `[text](target)` links of one line (a title after the target, or
/// angle brackets around it, are dropped).
fn inline_targets(line: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        let end = rest.find(')').unwrap_or(rest.len());
        let inside = rest[..end].trim();
        let target = match inside.strip_prefix('<') {
            Some(bracketed) => bracketed.split('>').next().unwrap_or_default(),
            None => inside.split_whitespace().next().unwrap_or_default(),
        };
        targets.push(target.to_owned());
        rest = &rest[end..];
    }
    targets
}

/// The target of a reference definition `[name]: target`, if `line` is one.
fn reference_target(line: &str) -> Option<String> {
    let rest = line.strip_prefix('[')?;
    let (name, rest) = rest.split_once("]:")?;
    if name.is_empty() || name.starts_with('^') {
        return None;
    }
    let target = rest.split_whitespace().next()?;
    Some(
        target
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_owned(),
    )
}

/// Why `link` leads nowhere inside `root`, or `None` if it names a file or folder there. A
/// target is read relative to its file's folder (or to `root` when it starts with `/`),
/// without its `#fragment` and with `%20` read as a space.
pub fn broken(root: &Path, link: &Link) -> Option<String> {
    let path = link
        .target
        .split('#')
        .next()
        .unwrap_or_default()
        .replace("%20", " ");
    let base = match path.strip_prefix('/') {
        Some(_) => root.to_path_buf(),
        None => link.file.parent().unwrap_or(root).to_path_buf(),
    };
    let resolved = base.join(path.trim_start_matches('/'));
    let file = link.file.strip_prefix(root).unwrap_or(&link.file);
    let shown = format!("{}:{}: ({})", file.display(), link.line, link.target);
    let Ok(real) = resolved.canonicalize() else {
        return Some(format!("{shown} names no file"));
    };
    let root = root.canonicalize().expect("the repository root exists");
    match real.starts_with(&root) {
        true => None,
        false => Some(format!("{shown} leads out of the repository")),
    }
}
