//! The HTML page in headless Chromium: it loads offline, its script runs without errors and
//! selects the failing step. Skips, saying why, when no Chromium is installed
//! (`apt-get install chromium` installs it).

use std::path::PathBuf;
use std::process::Command;

use genserver_traces::to_html;

use crate::sample::sample;

fn find_browser() -> Option<PathBuf> {
    let candidates = ["chromium", "chromium-browser", "google-chrome", "chrome"];
    let path = std::env::var_os("PATH")?;
    candidates.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

#[test]
fn the_page_loads_in_headless_chromium_without_console_errors() {
    let Some(browser) = find_browser() else {
        println!("SKIPPED: no Chromium on PATH (apt-get install chromium to run this test)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("genserver-traces-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("trace.html");
    std::fs::write(&page, to_html(&sample(None))).unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(output.status.success(), "chromium failed: {log}");
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("CONSOLE") || line.contains("Uncaught"))
        .collect();
    assert!(
        console_errors.is_empty(),
        "console errors: {console_errors:#?}"
    );
    assert!(
        dom.contains(r#"class="row failed current""#),
        "the script should have selected the failing step:\n{dom}"
    );
    assert!(dom.contains("expected 8, got 5"));
}
