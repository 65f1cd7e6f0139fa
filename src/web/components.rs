//! Pieces the pages share: figure cards with their change, section headings with the
//! CSV link, tables with paging, links to entities and the event table.
use super::data::{Compared, EntityRef, EventRow, PageInfo};
use super::format::{self, url_encode};
use chrono_tz::Tz;
use maud::{Markup, html};

/// The address of the page being shown, to make links that change one parameter.
#[derive(Clone)]
pub struct Here {
    pub path: String,
    pub pairs: Vec<(String, String)>,
}

impl Here {
    pub fn new(path: impl Into<String>, pairs: &[(&str, &str)]) -> Here {
        Here {
            path: path.into(),
            pairs: pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// This page with `key` set to `value` (removed when empty).
    pub fn with(&self, key: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != key)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if !value.is_empty() {
            pairs.push((key, value));
        }
        format!("{}{}", self.path, format::query_string(&pairs))
    }

    /// The value of a parameter.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A headline figure against the period before, its number linking to the events
/// behind it.
pub fn compared_card(
    label: &str,
    field: &str,
    value: &Compared,
    href: Option<&str>,
    before: &str,
) -> Markup {
    let direction = match value.change {
        c if c > 0 => "up",
        c if c < 0 => "down",
        _ => "flat",
    };
    let arrow = match direction {
        "up" => "▲",
        "down" => "▼",
        _ => "■",
    };
    html! {
        div.card data-field=(field) {
            div.card-label { (label) }
            div.card-value {
                @match href {
                    Some(href) => a href=(href) title="See the events behind this number" data-value=(value.current) { (format::int(value.current)) },
                    None => span data-value=(value.current) { (format::int(value.current)) },
                }
            }
            div class=(format!("delta {direction}")) {
                span.arrow aria-hidden="true" { (arrow) }
                span data-change=(value.change) { (format::signed(value.change)) }
                " "
                span.pct { "(" (format::percent_change(value.change_percent)) ")" }
            }
            div.card-previous { "vs " (format::int(value.previous)) " " (before) }
        }
    }
}

/// A plain figure card.
pub fn figure_card(label: &str, field: &str, value: i64, note: Option<Markup>) -> Markup {
    html! {
        div.card data-field=(field) {
            div.card-label { (label) }
            div.card-value { span data-value=(value) { (format::int(value)) } }
            @if let Some(note) = note { div.card-previous { (note) } }
        }
    }
}

/// A section heading with its CSV link.
pub fn heading(level: u8, id: &str, title: &str, csv: Option<&str>) -> Markup {
    html! {
        div.section-head {
            @match level {
                2 => h2 id=(id) { (title) },
                _ => h3 id=(id) { (title) },
            }
            @if let Some(csv) = csv {
                a.csv href=(csv) download { "CSV" span.visually-hidden { " of " (title) } }
            }
        }
    }
}

/// The dashboard address of a CSV export with its parameters.
pub fn csv_href(name: &str, pairs: &[(&str, &str)]) -> String {
    format!("/csv/{name}.csv{}", format::query_string(pairs))
}

/// Paging under a ranked list: how many are shown, a link to the next page (keyset
/// cursor `param`) and back to the first.
pub fn pager(
    here: &Here,
    param: &str,
    info: &PageInfo,
    shown: usize,
    total: i64,
    anchor: &str,
) -> Markup {
    let paged = here.get(param).is_some();
    html! {
        div.pager {
            span.count { (format::int(shown as i64)) " shown of " (format::int(total)) }
            @if paged { a href=(format!("{}#{anchor}", here.with(param, ""))) { "← First page" } }
            @if info.has_next_page {
                @if let Some(cursor) = &info.end_cursor {
                    a.next href=(format!("{}#{anchor}", here.with(param, cursor))) rel="next" { "Next page →" }
                }
            }
        }
    }
}

/// The page of an asset, user, collection or job, by the DAM's id.
pub fn entity_href(kind: &str, id: &str) -> String {
    format!("/{kind}/{}", url_encode(id))
}

/// A link to an asset's page, named by its file name.
pub fn asset_link(asset: &EntityRef) -> Markup {
    match &asset.asset_id {
        Some(id) => {
            html! { a href=(entity_href("assets", id)) { (asset.filename.as_deref().unwrap_or(id)) } }
        }
        None => html! { "—" },
    }
}

/// A link to a user's page, named by their name (or email, or id).
pub fn user_link(user: &EntityRef) -> Markup {
    match &user.user_id {
        Some(id) => {
            let label = user.name.as_deref().or(user.email.as_deref()).unwrap_or(id);
            html! { a href=(entity_href("users", id)) { (label) } }
        }
        None => html! { "—" },
    }
}

pub fn collection_link(c: &EntityRef) -> Markup {
    match &c.collection_id {
        Some(id) => {
            html! { a href=(entity_href("collections", id)) { (c.name.as_deref().unwrap_or(id)) } }
        }
        None => html! { "—" },
    }
}

pub fn job_link(j: &EntityRef) -> Markup {
    match &j.job_id {
        Some(id) => {
            html! { a href=(entity_href("jobs", id)) { (j.name.as_deref().unwrap_or(id)) } }
        }
        None => html! { "—" },
    }
}

/// The details of an event's own fields, as `key: value` pairs.
fn fields_text(fields: &serde_json::Value) -> String {
    match fields {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(" · "),
        _ => String::new(),
    }
}

/// A table of events: when, what, who, on what, with links to each entity.
pub fn events_table(rows: &[EventRow], tz: Tz) -> Markup {
    html! {
        div.table-scroll {
            table.events {
                thead { tr {
                    th scope="col" { "When" }
                    th scope="col" { "Event" }
                    th scope="col" { "User" }
                    th scope="col" { "About" }
                    th scope="col" { "Details" }
                } }
                tbody {
                    @if rows.is_empty() { tr { td colspan="5" .empty { "No events." } } }
                    @for e in rows {
                        tr data-event=(e.event_id) {
                            td.nowrap { time datetime=(e.occurred_at) { (format::instant(&e.occurred_at, tz)) } }
                            td { code { (e.kind) } }
                            td { @match &e.user { Some(u) => (user_link(u)), None => span.muted { "anonymous" } } }
                            td {
                                @if let Some(a) = &e.asset { (asset_link(a)) " " }
                                @if let Some(c) = &e.collection { (collection_link(c)) " " }
                                @if let Some(j) = &e.job { (job_link(j)) }
                            }
                            td.details { (fields_text(&e.fields)) }
                        }
                    }
                }
            }
        }
    }
}
