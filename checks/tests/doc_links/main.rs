//! Every relative link of the repository's Markdown docs (`README.md`, `BENCHMARKS.md` and
//! every `*.md` under the crates, build output aside) names a file inside the repository.
#![cfg(not(loom))]

mod links;

use std::path::{Path, PathBuf};

use links::{Link, broken, markdown_files, relative_links};

/// The workspace root: the folder above this crate's.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate is in the workspace")
        .to_path_buf()
}

/// Every broken relative link of the Markdown files under `root`, one line each.
fn broken_links(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for file in markdown_files(root) {
        let text = std::fs::read_to_string(&file).unwrap();
        let links = relative_links(&file, &text);
        problems.extend(links.iter().filter_map(|link| broken(root, link)));
    }
    problems
}

#[test]
fn every_relative_link_of_the_docs_names_a_file_in_the_repository() {
    let root = root();
    let files = markdown_files(&root);
    for doc in ["README.md", "BENCHMARKS.md", "checks/README.md"] {
        assert!(files.contains(&root.join(doc)), "{doc} is not checked");
    }
    let problems = broken_links(&root);
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

/// A scratch repository `repo/` with a `shared/` folder beside it.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("doc-links-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for folder in ["repo/docs", "repo/target/doc", "shared"] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
    }
    std::fs::write(dir.join("shared/notes.md"), "outside\n").unwrap();
    std::fs::write(dir.join("repo/docs/guide.md"), "# Guide\n").unwrap();
    dir
}

#[test]
fn a_missing_file_and_a_link_out_of_the_repository_are_named() {
    let dir = scratch("broken");
    let readme = "\
# Title

See [the guide](docs/guide.md#usage), [a section](#title), [the site](https://example.org)
and [mail](mailto:a@b.c). But [gone](docs/missing.md) and [notes](../shared/notes.md).

```sh
cat [not](a-link.md)
```

Not a link: `[x](nowhere.md)`. [ref]: docs/absent.md
[ref]: docs/absent.md \"title\"
";
    std::fs::write(dir.join("repo/README.md"), readme).unwrap();
    std::fs::write(dir.join("repo/target/doc/ignored.md"), "[x](gone.md)\n").unwrap();
    let problems = broken_links(&dir.join("repo"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert_eq!(
        problems,
        [
            "README.md:4: (docs/missing.md) names no file",
            "README.md:4: (../shared/notes.md) leads out of the repository",
            "README.md:11: (docs/absent.md) names no file",
        ]
    );
}

#[test]
fn links_are_read_with_titles_angle_brackets_and_spaces() {
    let file = Path::new("/r/docs/a.md");
    let links = relative_links(file, "[a](b.md \"B\") [c](<d e.md>) [f](g%20h.md#x)\n");
    let targets: Vec<&str> = links.iter().map(|l: &Link| l.target.as_str()).collect();
    assert_eq!(targets, ["b.md", "d e.md", "g%20h.md#x"]);
    assert!(links.iter().all(|link| link.line == 1 && link.file == file));
}
