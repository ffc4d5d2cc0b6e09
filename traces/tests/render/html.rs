//! The HTML page: lifeline names in the sticky header, names escaped.

use genserver_traces::to_html;

use crate::sample::sample;

/// The text between the first `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in:\n{text}"))
        + start.len();
    let to = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"));
    &text[from..from + to]
}

#[test]
fn lifeline_names_are_in_the_sticky_header_not_in_the_scrolling_chart() {
    let html = to_html(&sample(None));
    let chart = between(&html, r#"<svg id="chart""#, "</svg>");
    assert!(
        !chart.contains(r#"class="proc""#),
        "names drawn in the chart scroll away on a tall trace:\n{chart}"
    );
    let header = between(&html, "<header>", "</header>");
    for name in ["account", "client-1"] {
        assert!(
            header.contains(r#"class="proc""#) && header.contains(&format!(">{name}</text>")),
            "{name} should be named in the header:\n{header}"
        );
    }
    let style = between(&html, "<style>", "</style>");
    let rule = between(style, "header {", "}");
    assert!(
        rule.contains("position: sticky") && rule.contains("top: 0"),
        "{rule}"
    );
}

#[test]
fn the_system_name_is_escaped_everywhere_and_never_read_as_a_template_slot() {
    for system in ["{svg}", "{title}", "<script>alert(1)</script> & {svg}"] {
        let mut trace = sample(None);
        trace.header.system = system.into();
        let html = to_html(&trace);
        let escaped = system
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert_eq!(html.matches(r#"<svg id="chart""#).count(), 1, "{system}");
        let title = between(&html, "<title>", "</title>");
        assert!(
            title.starts_with(&format!("{escaped} — seed 7 — ")),
            "{title}"
        );
        let heading = between(&html, "<h1>", "</h1>");
        assert!(
            heading.starts_with(&format!("{escaped} — seed 7 — ")),
            "{heading}"
        );
        assert!(!html.contains("<script>alert"), "{system}");
    }
}
