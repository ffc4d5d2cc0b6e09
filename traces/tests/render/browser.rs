//! The HTML page in headless Chromium: it loads offline, its script runs without errors and
//! selects the failing step, and the lifeline names stay in view when a tall chart scrolls.
//! Skips, saying why, when no Chromium is installed (`apt-get install chromium` installs
//! it).

use std::path::PathBuf;
use std::process::Command;

use genserver_traces::{Event, Trace, to_html};

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
