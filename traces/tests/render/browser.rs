//! The HTML page in headless Chromium: it loads offline, its script runs without errors and
//! selects the failing step, and the lifeline names stay in view when a tall chart scrolls.
//! Skips, saying why, when no Chromium is installed (`apt-get install chromium` installs
//! it), unless `GSIM_REQUIRE_BROWSER=1` (as `.ci/run` sets): then a missing browser fails.

use std::path::PathBuf;
use std::process::Command;

use genserver_traces::{Event, Trace, to_html};

use crate::sample::sample;

/// The names a Chromium goes by on PATH (`.ci/install-browser` looks for the same).
const BROWSERS: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "chrome"];

/// The variable that turns a missing browser from a skip into a failure (`.ci/run` sets it).
const REQUIRE: &str = "GSIM_REQUIRE_BROWSER";

/// Whether [`REQUIRE`] is `1`: CI, where skipping would hide that the page went untested.
fn browser_required() -> bool {
    std::env::var_os(REQUIRE).is_some_and(|value| value == "1")
}

fn find_browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    BROWSERS.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// What headless Chromium made of a page.
struct Loaded {
    /// The DOM after the page's scripts ran.
    dom: String,
    /// Chromium's log: console messages and uncaught errors.
    log: String,
}

/// Loads `page` in headless Chromium with a window of `width`×`height` and returns its DOM
/// and log; `None` (having said why) when no Chromium is installed.
fn load(test: &str, page: &str, (width, height): (u32, u32)) -> Option<Loaded> {
    let Some(browser) = find_browser() else {
        assert!(
            !browser_required(),
            "{REQUIRE}=1, but no Chromium on PATH (looked for {})",
            BROWSERS.join(", ")
        );
        println!("SKIPPED: no Chromium on PATH (apt-get install chromium to run this test)");
        return None;
    };
    let dir = std::env::temp_dir().join(format!(
        "genserver-traces-html-{test}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trace.html");
    std::fs::write(&file, page).unwrap();
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
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(&dir);
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "chromium failed: {log}");
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    Some(Loaded { dom, log })
}

/// The lines of the log that report console messages or uncaught errors.
fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|line| line.contains("CONSOLE") || line.contains("Uncaught"))
        .collect()
}

#[test]
fn the_page_loads_in_headless_chromium_without_console_errors() {
    let Some(Loaded { dom, log }) = load("load", &to_html(&sample(None)), (1000, 800)) else {
        return;
    };
    let errors = console_errors(&log);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    assert!(
        dom.contains(r#"class="row failed current""#),
        "the script should have selected the failing step:\n{dom}"
    );
    assert!(dom.contains("expected 8, got 5"));
}

/// Scrolls to the top and then to the bottom, and writes where the lifeline names were
/// both times into the body's `data-probe` attribute.
const PROBE: &str = r#"<script>
(function () {
  function names() {
    var texts = document.querySelectorAll('text.proc');
    var tops = [];
    for (var i = 0; i < texts.length; i++) { tops.push(Math.round(texts[i].getBoundingClientRect().top)); }
    return tops.join(',');
  }
  window.scrollTo(0, 0);
  var top = names();
  window.scrollTo(0, document.documentElement.scrollHeight);
  document.body.setAttribute('data-probe', 'scrolled ' + Math.round(window.scrollY) + ' at top ' + top + ' scrolled ' + names() + ' view ' + window.innerHeight);
})();
</script></body>"#;

#[test]
fn the_lifeline_names_stay_in_view_while_a_tall_chart_scrolls() {
    let trace = sample(None);
    // Forty more events at the start make a chart far taller than the window.
    let filler = trace.events[0].clone();
    let events: Vec<Event> = std::iter::repeat_n(filler, 40)
        .chain(trace.events)
        .collect();
    let trace = Trace::new(trace.header, events, trace.end);
    let page = to_html(&trace).replace("</body>", PROBE);
    let Some(Loaded { dom, log }) = load("sticky", &page, (1000, 400)) else {
        return;
    };
    let errors = console_errors(&log);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let probe = dom
        .split(r#"data-probe=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the probe did not run:\n{dom}"));
    let words: Vec<&str> = probe.split(' ').collect();
    let [_, scrolled, _, _, top, _, after, _, view] = words[..] else {
        panic!("unexpected probe {probe:?}");
    };
    let (scrolled, view): (u32, i64) = (scrolled.parse().unwrap(), view.parse().unwrap());
    assert!(scrolled > 400, "the page should scroll: {probe}");
    assert_eq!(top.split(',').count(), 2, "two names: {probe}");
    assert_eq!(
        top, after,
        "the names moved while the chart scrolled: {probe}"
    );
    for y in after.split(',') {
        let y: i64 = y.parse().unwrap();
        assert!((0..view).contains(&y), "a name is out of view: {probe}");
    }
}

/// Runs one browser test of this binary again in a child process whose PATH holds no
/// browser, with `GSIM_REQUIRE_BROWSER` set to `require` (or unset).
fn without_a_browser(require: Option<&str>) -> std::process::Output {
    let empty = std::env::temp_dir().join(format!("genserver-no-browser-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "browser::the_page_loads_in_headless_chromium_without_console_errors",
            "--exact",
            "--nocapture",
        ])
        .env("PATH", &empty)
        .env_remove(REQUIRE);
    if let Some(value) = require {
        child.env(REQUIRE, value);
    }
    let output = child.output().expect("the test binary runs");
    let _ = std::fs::remove_dir_all(&empty);
    output
}

#[test]
fn a_missing_browser_fails_when_one_is_required_and_skips_otherwise() {
    let required = without_a_browser(Some("1"));
    let said = String::from_utf8_lossy(&required.stdout).into_owned()
        + &String::from_utf8_lossy(&required.stderr);
    assert!(!required.status.success(), "it should fail:\n{said}");
    assert!(
        said.contains("GSIM_REQUIRE_BROWSER=1, but no Chromium on PATH"),
        "{said}"
    );

    for require in [None, Some("0")] {
        let skipped = without_a_browser(require);
        let said = String::from_utf8_lossy(&skipped.stdout).into_owned();
        assert!(
            skipped.status.success(),
            "{require:?}: it should skip:\n{said}"
        );
        assert!(said.contains("SKIPPED: no Chromium on PATH"), "{said}");
    }
}
