//! A self-contained HTML page with an SVG message sequence chart of a trace.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use crate::render::history_chart::history_chart;
use crate::render::{
    MessageKind, event_line, failing_step, is_control, message_kind, named, seconds,
};
use crate::render::{end_line, flight, inputs_line};
use crate::{Event, EventKind, Trace};

const LANE: usize = 170;
const LEFT: usize = 150;
/// The y of the first row in the chart.
const TOP: usize = 30;
/// The height of the row of process names in the header.
const NAMES: usize = 26;
const ROW: usize = 30;
const LABEL_CHARS: usize = 48;

/// The trace as one HTML page that opens offline: one lifeline per process, named in the
/// sticky header; a thin line per message sent (or reply), at the step it is sent, drawn
/// bold and marked "not delivered" when no later event takes it from its queue; an arrow
/// per delivered message (calls, casts, info messages and replies drawn differently);
/// markers for timeouts, timers, crashes, restarts, stops and drops; the failing step
/// highlighted; and step-by-step navigation (buttons or the arrow keys). Under the title,
/// the inputs the run used ([`crate::inputs_line`]), if the system drew any; above the
/// chart, the run's history as Porcupine draws it (see [`crate::to_history`]: the failing part of
/// a linearizability check, its prefix and blocked operation marked). It makes no network
/// request, and every name and message in it is escaped.
pub fn to_html(trace: &Trace) -> String {
    let lanes: BTreeMap<&str, usize> = trace
        .header
        .processes
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    let undelivered = flight::undelivered(&trace.events);
    let rows: Vec<(&Event, bool)> = (trace.events.iter().zip(undelivered))
        .filter(|(e, _)| !matches!(e.kind, EventKind::Choose | EventKind::Step))
        .collect();
    // Room on the right for the notes beside the last lifeline.
    let width = LEFT + LANE * lanes.len().max(1) + 8 * LABEL_CHARS;
    let height = TOP + ROW * (rows.len() + 1);
    let failing = failing_step(trace);

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#
    );
    svg.push_str(DEFS);
    for &lane in lanes.values() {
        let x = lane_x(lane);
        let _ = write!(
            svg,
            r#"<line class="life" x1="{x}" y1="0" x2="{x}" y2="{height}"/>"#
        );
    }
    for (index, &(event, undelivered)) in rows.iter().enumerate() {
        let y = TOP + ROW * index;
        let failed = failing == Some(event.step) && event.kind == EventKind::Failure;
        let row = Row {
            index,
            y,
            width,
            failed,
            undelivered,
        };
        draw_row(&mut svg, &row, event, &lanes);
    }
    svg.push_str("</svg>");

    let title = format!(
        "{} — seed {} — {}",
        trace.header.system,
        trace.header.seed,
        end_line(trace).trim_start_matches("# ")
    );
    let names = lifeline_names(&lanes, width);
    let history = history_chart(trace, &escape);
    // What the system drew for the run (a generated workload's operations), if anything.
    let inputs = (trace.header.inputs.as_ref())
        .map(|inputs| {
            format!(
                r#"<p id="inputs">inputs: {}</p>"#,
                escape(&inputs_line(inputs))
            )
        })
        .unwrap_or_default();
    let slots = [
        ("title", &escape(&title)),
        ("inputs", &inputs),
        ("names", &names),
        ("history", &history),
        ("svg", &svg),
    ];
    fill(PAGE, &slots.map(|(name, value)| (name, value.as_str())))
}

/// The process names above their lifelines, as a strip of the chart's width that the page
/// keeps in its sticky header: on a tall trace they stay in view while the chart scrolls.
fn lifeline_names(lanes: &BTreeMap<&str, usize>, width: usize) -> String {
    let mut names = format!(
        r#"<svg id="names" width="{width}" height="{NAMES}" viewBox="0 0 {width} {NAMES}" role="presentation"><text class="step" x="8" y="{}">step · time</text>"#,
        NAMES - 8
    );
    for (name, &lane) in lanes {
        let _ = write!(
            names,
            r#"<text class="proc" x="{}" y="{}">{}</text>"#,
            lane_x(lane),
            NAMES - 8,
            escape(name)
        );
    }
    names.push_str("</svg>");
    names
}

/// `template` with every `{name}` slot named in `slots` replaced by its value, in one pass:
/// a value is never searched for slots, so a system named `{svg}` stays a name.
fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + slots.iter().map(|s| s.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let slot = slots.iter().find(|(name, _)| {
            rest[1..].starts_with(name) && rest[1 + name.len()..].starts_with('}')
        });
        match slot {
            Some((name, value)) => {
                out.push_str(value);
                rest = &rest[name.len() + 2..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn lane_x(lane: usize) -> usize {
    LEFT + LANE * lane + LANE / 2
}

/// Where and how one event's row is drawn.
struct Row {
    /// Its position among the drawn rows.
    index: usize,
    /// The y of its arrow or mark.
    y: usize,
    /// The chart's width.
    width: usize,
    /// It is the run's failure.
    failed: bool,
    /// It sends a message that no later event takes from its queue.
    undelivered: bool,
}

fn draw_row(svg: &mut String, row: &Row, event: &Event, lanes: &BTreeMap<&str, usize>) {
    let &Row {
        index,
        y,
        width,
        failed,
        undelivered,
    } = row;
    let lane = |name: &Option<Arc<str>>| name.as_deref().and_then(|n| lanes.get(n).copied());
    let line = escape(&event_line(event));
    let class = if failed { "row failed" } else { "row" };
    let _ = write!(
        svg,
        r#"<g class="{class}" data-i="{index}" data-step="{}" data-line="{line}"><title>{line}</title>"#,
        event.step
    );
    let _ = write!(
        svg,
        r#"<rect class="band" x="0" y="{}" width="{width}" height="{ROW}"/>"#,
        y - ROW / 2 - 4
    );
    let _ = write!(
        svg,
        r#"<text class="step" x="8" y="{y}">{} · {}</text>"#,
        event.step,
        seconds(event.time_ns)
    );
    let label = escape(&shorten(&event.message));
    match (event.kind, lane(&event.from), lane(&event.to)) {
        // A message leaves its sender: a thin line from the sender's lifeline to the
        // receiver's, so a message still in flight at the end is seen leaving.
        (_, Some(from), Some(to)) if from != to && flight::is_sent(event) => {
            let (x1, x2) = (lane_x(from), lane_x(to));
            let (class, note) = match undelivered {
                true => ("msg send undelivered", " (not delivered)"),
                false => ("msg send", ""),
            };
            let _ = write!(
                svg,
                r#"<line class="{class}" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" marker-start="url(#dot)" marker-end="url(#open)"/><text class="label {class}" x="{}" y="{}">{}{note}</text>"#,
                (x1 + x2) / 2,
                y - 5,
                named(event.kind, &label)
            );
        }
        (kind, Some(from), Some(to))
            if from != to
                && (matches!(kind, EventKind::Deliver | EventKind::Drop) || is_control(kind)) =>
        {
            let (x1, x2) = (lane_x(from), lane_x(to));
            let style = match (event.kind, message_kind(event)) {
                (EventKind::Drop, _) => "drop",
                (EventKind::Deliver, MessageKind::Signal) => "signal",
                (EventKind::Deliver, _) => match message_kind(event) {
                    MessageKind::Reply => "reply",
                    MessageKind::Call => "call",
                    MessageKind::Info => "info",
                    _ => "cast",
                },
                // Links, monitors and child starts: control, not messages.
                _ => "control",
            };
            let label = match event.kind {
                EventKind::Deliver | EventKind::Drop => label,
                kind => named(kind, &label),
            };
            let marker = if style == "drop" { "cross" } else { "head" };
            let _ = write!(
                svg,
                r#"<line class="msg {style}" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" marker-end="url(#{marker})"/><text class="label" x="{}" y="{}">{label}</text>"#,
                (x1 + x2) / 2,
                y - 5
            );
        }
        (kind, from, to) => {
            let x = from.or(to).map(lane_x).unwrap_or(LEFT / 2 + 40);
            let (symbol, style) = match kind {
                EventKind::Timeout => ("◔", "warn"),
                EventKind::Crash | EventKind::Failure | EventKind::Kill => ("✖", "bad"),
                EventKind::Drop | EventKind::Discard => ("⌫", "warn"),
                EventKind::Restart | EventKind::Start | EventKind::Spawn => ("▶", "note"),
                EventKind::Stop => ("■", "note"),
                _ => ("●", "note"),
            };
            let kind_name = format!("{kind:?}").to_lowercase();
            // "reply reply #3 …" says it twice: name the kind only when the message does not.
            let kind_name = if event.message.starts_with(&kind_name) {
                String::new()
            } else {
                kind_name + " "
            };
            let _ = write!(
                svg,
                r#"<text class="mark {style}" x="{x}" y="{}">{symbol}</text><text class="label left {style}" x="{}" y="{}">{kind_name}{label}</text>"#,
                y + 5,
                x + 12,
                y + 4
            );
        }
    }
    svg.push_str("</g>");
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const DEFS: &str = r##"<defs><marker id="dot" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="5" markerHeight="5"><circle cx="5" cy="5" r="4" fill="context-stroke"/></marker><marker id="open" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10" fill="none" stroke="context-stroke" stroke-width="1.5"/></marker><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker><marker id="cross" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="10" markerHeight="10"><path d="M0,0 L10,10 M10,0 L0,10" stroke="#c62828" stroke-width="2"/></marker></defs>"##;

/// The page around the chart, with its style and script: `{title}`, `{names}` and `{svg}`
/// are its slots
/// (see [`fill`]).
const PAGE: &str = include_str!("page.html");
