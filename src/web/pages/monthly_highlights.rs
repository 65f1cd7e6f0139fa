//! The monthly page's highlights: what stands out in the month against its 6-month
//! baseline (`highlights(month:)`), each linked to the events behind it.
use super::monthly::month_events;
use crate::web::format;
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Highlights {
    pub enough_history: bool,
    pub first_event_month: Option<String>,
    pub items: Vec<Highlight>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Highlight {
    pub kind: String,
    pub metric: String,
    pub direction: String,
    pub value: i64,
    pub mean: f64,
    pub change_percent: Option<f64>,
}

/// One highlight as a sentence: "Zero result searches 73, +134.2% against 31.2 (6-month
/// mean)".
fn item(h: &Highlight, month: &str) -> Markup {
    let declining = h.kind == "DECLINING_ADOPTION";
    let label = if declining {
        "Declining adoption: active users".to_owned()
    } else {
        format::metric_label(&h.metric)
    };
    let against = if declining {
        "3 months earlier"
    } else {
        "6-month mean"
    };
    let arrow = if h.direction == "UP" { "▲" } else { "▼" };
    html! {
        li data-highlight=(h.metric) data-kind=(h.kind) {
            span.muted { (arrow) " " }
            @match month_events(&h.metric, month) {
                Some(href) => a href=(href) { (label) },
                None => (label),
            }
            ": " strong { (format::int(h.value)) }
            span.muted {
                @if h.change_percent.is_some() { ", " (format::percent_change(h.change_percent)) }
                " against " (format!("{:.1}", h.mean)) " (" (against) ")"
            }
        }
    }
}

/// The highlights section.
pub fn section(h: &Highlights, month: &str) -> Markup {
    html! {
        section.panel #highlights aria-labelledby="highlights-title" {
            h2 #highlights-title { "Highlights" }
            @if !h.enough_history {
                p.hint {
                    "Not enough history yet: a month is compared with the 6 months before it"
                    @if let Some(first) = &h.first_event_month { ", and the first events are of " (format::month_name(first)) }
                    "."
                }
            } @else if h.items.is_empty() {
                p.hint { "Nothing stands out: every metric is within its usual range of the 6 months before." }
            } @else {
                p.hint { "Metrics at least 2 standard deviations and 20% away from their mean of the 6 months before, and active users falling 3 months running." }
                ul.highlights {
                    @for h in &h.items { (item(h, month)) }
                }
            }
        }
    }
}
