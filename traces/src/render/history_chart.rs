//! The history on the HTML page, as Porcupine draws it: each operation a bar from its
//! invocation to its response, client by client, the longest linearizable prefix in green
//! and numbered, the operation that cannot follow it in red.

use std::fmt::Write;

use crate::Trace;
use crate::render::history::drawing;

/// Where the bars start (the client names are on their left).
const LEFT: usize = 130;
/// The width of one point of the history.
const COLUMN: usize = 56;
const ROW: usize = 24;
/// Room for the labels on the right of the bars.
const LABELS: usize = 480;

/// The history's section of the page (empty if the trace has no operation): its title and
/// an SVG of one bar per operation.
pub(crate) fn history_chart(trace: &Trace, escape: &dyn Fn(&str) -> String) -> String {
    let Some(drawing) = drawing(trace) else {
        return String::new();
    };
    let right = LEFT + COLUMN * drawing.columns;
    let width = right + LABELS;
    let height = ROW * (drawing.rows.len() + 1);
    let mut svg = format!(
        r#"<section id="history"><h2>{}</h2><svg id="history-chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#,
        escape(&drawing.title)
    );
    let mut client = None;
    for (index, row) in drawing.rows.iter().enumerate() {
        let y = ROW / 2 + ROW * index;
        if client != Some(&row.op.client) {
            client = Some(&row.op.client);
            let _ = write!(
                svg,
                r#"<text class="client" x="8" y="{}">{}</text>"#,
                y + 12,
                escape(&row.op.client)
            );
        }
        let x = LEFT + COLUMN * row.from + COLUMN / 4;
        let end = match row.to {
            Some(to) => LEFT + COLUMN * to + COLUMN * 3 / 4,
            None => right,
        };
        let class = match (row.blocked, row.prefix, row.to) {
            (true, ..) => "op blocked",
            (false, Some(_), _) => "op prefix",
            (false, None, None) => "op pending",
            (false, None, Some(_)) => "op",
        };
        let _ = write!(
            svg,
            r#"<g class="{class}"><title>op {} (steps {}{}): {}</title><rect x="{x}" y="{y}" width="{}" height="{}" rx="3"/><text class="mark" x="{}" y="{}">{}</text><text class="oplabel" x="{}" y="{}">op {}: {}</text></g>"#,
            row.index,
            row.op.invoked.step,
            row.op
                .returned
                .as_ref()
                .map(|r| format!(" to {}", r.at.step))
                .unwrap_or_default(),
            escape(&row.label()),
            end.saturating_sub(x).max(8),
            ROW - 8,
            x + 4,
            y + 12,
            escape(&row.mark()),
            right + 10,
            y + 12,
            row.index,
            escape(&row.label()),
        );
    }
    svg.push_str("</svg></section>");
    svg
}
