//! `GET /assets/{id}`, `/users/{id}`, `/collections/{id}`, `/jobs/{id}`: an entity by
//! the DAM's id, its attributes, its stats over a range and over the last 6 months,
//! and its events (its history) with paging. Another environment's entity is not found.
use super::entity_queries as queries;
use super::monthly::month_days;
use crate::analytics::time::YearMonth;
use crate::error::AppError;
use crate::http::AppState;
use crate::storage::keys::Scope;
use crate::web::charts::{Chart, Kind, Line};
use crate::web::components::{
    Here, csv_href, entity_href, events_table, heading, pager, user_link,
};
use crate::web::data::{self, Connection, Edge, EntityRef, EventRow};
use crate::web::format;
use crate::web::forms::{self, range_inputs, refusal_box};
use crate::web::layout::Page;
use crate::web::session::Session;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

/// Events per page of an entity's history.
const PAGE: i64 = 20;

/// What differs between the four entity pages.
struct Spec {
    /// The path segment (`assets`) and the GraphQL root field (`asset`).
    path: &'static str,
    root: &'static str,
    noun: &'static str,
    query: &'static str,
    /// The export of its events.
    csv: &'static str,
    /// Attributes: label and field.
    attributes: &'static [(&'static str, &'static str)],
    /// Counted stats: label and field (drawn over the months too).
    stats: &'static [(&'static str, &'static str)],
}

const ASSET: Spec = Spec {
    path: "assets",
    root: "asset",
    noun: "Asset",
    query: queries::ASSET,
    csv: "asset-events",
    attributes: &[
        ("Asset id", "assetId"),
        ("Type", "assetType"),
        ("Folder", "folder"),
        ("Tags", "tags"),
        ("Metaproperties", "metaproperties"),
        ("Source", "source"),
        ("Status", "status"),
        ("Uploaded", "uploadedAt"),
        ("Uploaded by", "uploader"),
    ],
    stats: &[
        ("Views", "views"),
        ("Downloads", "downloads"),
        ("Downloaders", "downloaders"),
        ("In collections", "collections"),
    ],
};

const USER: Spec = Spec {
    path: "users",
    root: "user",
    noun: "User",
    query: queries::USER,
    csv: "user-events",
    attributes: &[
        ("User id", "userId"),
        ("E-mail", "email"),
        ("Role", "role"),
        ("Groups", "groups"),
        ("Created via", "via"),
        ("Status", "status"),
        ("Created", "createdAt"),
        ("Last login", "lastLoginAt"),
    ],
    stats: &[
        ("Searches", "searches"),
        ("Downloads", "downloads"),
        ("Uploads", "uploads"),
        ("Logins", "logins"),
    ],
};

const COLLECTION: Spec = Spec {
    path: "collections",
    root: "collection",
    noun: "Collection",
    query: queries::COLLECTION,
    csv: "collection-events",
    attributes: &[
        ("Collection id", "collectionId"),
        ("Public", "public"),
        ("Created", "createdAt"),
        ("Created by", "creator"),
    ],
    stats: &[
        ("Views", "views"),
        ("Public views", "publicViews"),
        ("Downloads", "downloads"),
        ("Assets", "assets"),
    ],
};

const JOB: Spec = Spec {
    path: "jobs",
    root: "job",
    noun: "Job",
    query: queries::JOB,
    csv: "job-events",
    attributes: &[
        ("Job id", "jobId"),
        ("Workflow", "workflow"),
        ("Status", "status"),
        ("Stage", "stage"),
        ("Created", "createdAt"),
        ("Finished", "finishedAt"),
        ("Duration", "durationSeconds"),
        ("Created by", "creator"),
    ],
    stats: &[("Revisions", "revisions")],
};

#[derive(Deserialize)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
    after: Option<String>,
}

macro_rules! entity_handler {
    ($fn:ident, $spec:ident) => {
        /// The entity's page.
        pub async fn $fn(
            State(state): State<AppState>,
            session: Session,
            Path(id): Path<String>,
            Query(params): Query<Params>,
        ) -> Response {
            let path = format!("/{}/{}", $spec.path, format::url_encode(&id));
            let built = build(&state, &session, &$spec, &id, &params).await;
            session.respond(built, &path)
        }
    };
}

entity_handler!(asset, ASSET);
entity_handler!(user, USER);
entity_handler!(collection, COLLECTION);
entity_handler!(job, JOB);

/// The last 6 months ending with `to`'s, oldest first.
fn months_ending(to: chrono::NaiveDate) -> Vec<String> {
    YearMonth {
        year: to.year(),
        month: to.month(),
    }
    .ending(6)
    .iter()
    .map(ToString::to_string)
    .collect()
}

async fn build(
    state: &AppState,
    session: &Session,
    spec: &Spec,
    id: &str,
    p: &Params,
) -> Result<Page, AppError> {
    session.caller.require(Scope::ReportsRead)?;
    let today = forms::today(state, &session.caller.environment);
    let href = entity_href(spec.path, id);
    let (from, to) = match forms::range(&p.from, &p.to, today, 90) {
        Ok(r) => r,
        Err(refusal) => {
            return Ok(Page::new(
                spec.noun,
                "",
                html! {
                    h1 { (spec.noun) " " (id) }
                    (refusal_box(&refusal))
                    form.filters method="get" action=(href) {
                        (range_inputs(p.from.as_deref().unwrap_or_default(), p.to.as_deref().unwrap_or_default()))
                        button type="submit" { "Show" }
                    }
                },
            )
            .with_status(StatusCode::BAD_REQUEST));
        }
    };
    let months = months_ending(to);
    let after = forms::given(&p.after);
    let mut variables = json!({
        "id": id,
        "range": { "from": from.to_string(), "to": to.to_string() },
        "first": PAGE,
        "after": after,
    });
    for (i, m) in months.iter().enumerate() {
        if let Some((f, t)) = month_days(m) {
            variables[format!("m{i}")] = json!({ "from": f.to_string(), "to": t.to_string() });
        }
    }
    let label = match spec.root {
        "asset" => "Asset",
        "user" => "User",
        "collection" => "Collection",
        _ => "Job",
    };
    let (answer, shown) = data::run::<Value>(state, session, label, spec.query, variables).await?;
    let entity = &answer[spec.root];
    if entity.is_null() {
        return Err(AppError::NotFound(format!(
            "There is no {} with id {:?} in the environment {}.",
            spec.root,
            id.chars().take(64).collect::<String>(),
            session.caller.environment.name
        )));
    }
    let events: Connection<Edge<EventRow>> = serde_json::from_value(entity["events"].clone())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("entity events: {e}")))?;
    let rows: Vec<EventRow> = events.edges.into_iter().map(|e| e.node).collect();
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let here = Here::new(
        &href,
        &[
            ("from", &from_s),
            ("to", &to_s),
            ("after", after.unwrap_or_default()),
        ],
    );
    let title = entity["filename"]
        .as_str()
        .or(entity["name"].as_str())
        .or(entity["email"].as_str())
        .unwrap_or(id)
        .to_owned();
    let tz = session.caller.environment.time_zone;
    let history = Chart {
        id: "history",
        title: "The last 6 months",
        x_name: "Month",
        unit: "events",
        short: months.iter().map(|m| format::month_short(m)).collect(),
        full: months.clone(),
        series: spec
            .stats
            .iter()
            .filter(|(_, f)| !matches!(*f, "collections" | "assets"))
            .map(|(label, field)| Line {
                name: (*label).to_owned(),
                values: (0..months.len())
                    .map(|i| entity[format!("m{i}")][field].as_i64().unwrap_or(0))
                    .collect(),
            })
            .collect(),
        kind: Kind::Lines,
        link: None,
        wide: false,
    };
    let body = html! {
        div.page-head {
            div {
                p.kicker { (spec.noun) @if entity["placeholder"] == true { " · known only from events" } }
                h1 { (title) }
                @if entity["status"] == "DELETED" { p.notice { "This " (spec.root) " was deleted in the DAM; its history stays." } }
            }
            form.filters method="get" action=(href) {
                (range_inputs(&from_s, &to_s))
                button type="submit" { "Show" }
            }
        }
        section.cards aria-label="Stats" {
            @for (label, field) in spec.stats {
                div.card data-field=(format!("stats.{field}")) {
                    div.card-label { (label) }
                    div.card-value { span data-value=(entity["stats"][field].as_i64().unwrap_or(0)) { (format::int(entity["stats"][field].as_i64().unwrap_or(0))) } }
                    div.card-previous { (from_s) " to " (to_s) }
                }
            }
        }
        div.grid2 {
            div.panel {
                h2 { "Details" }
                dl.attributes {
                    @for (label, field) in spec.attributes {
                        dt { (label) }
                        dd { (attribute(&entity[*field], field, tz)) }
                    }
                }
            }
            div.panel { (history.render()) }
        }
        @if spec.root == "job" { (stages(&entity["stats"]["stages"], tz)) }
        div.panel {
            (heading(2, "history", "History", Some(&csv_href(spec.csv, &[("id", id), ("from", &from_s), ("to", &to_s)]))))
            p.hint { "Every event naming this " (spec.root) " from " (from_s) " to " (to_s) ", newest first." }
            (events_table(&rows, tz))
            (pager(&here, "after", &events.page_info, rows.len(), events.total_count, "history"))
        }
    };
    Ok(Page::new(format!("{} {title}", spec.noun), "", body).with_shown(vec![shown]))
}

/// An attribute's value as text or links.
fn attribute(value: &Value, field: &str, tz: chrono_tz::Tz) -> Markup {
    match (field, value) {
        (_, Value::Null) => html! { span.muted { "—" } },
        ("uploader" | "creator", v) => {
            let user: EntityRef = serde_json::from_value(v.clone()).unwrap_or_default();
            user_link(&user)
        }
        ("durationSeconds", Value::Number(n)) => {
            html! { (format::duration(n.as_f64().unwrap_or(0.0))) }
        }
        ("metaproperties", Value::Array(items)) => html! {
            @for m in items {
                span.tag { (m["name"].as_str().unwrap_or_default()) ": "
                    (m["values"].as_array().map(|v| v.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")).unwrap_or_default()) }
            }
        },
        (_, Value::Array(items)) => html! {
            @for t in items { span.tag { (t.as_str().unwrap_or_default()) } }
        },
        (_, Value::Bool(b)) => html! { (if *b { "yes" } else { "no" }) },
        (f, Value::String(s)) if f.ends_with("At") => html! { (format::instant(s, tz)) },
        (_, Value::String(s)) => html! { (s) },
        (_, other) => html! { (other.to_string()) },
    }
}

/// A job's moves between stages in the range.
fn stages(stages: &Value, tz: chrono_tz::Tz) -> Markup {
    let list = stages.as_array().cloned().unwrap_or_default();
    html! {
        div.panel {
            h2 { "Stages" }
            div.table-scroll { table {
                thead { tr { th scope="col" { "When" } th scope="col" { "From" } th scope="col" { "To" } th scope="col" { "Move" } } }
                tbody {
                    @if list.is_empty() { tr { td.empty colspan="4" { "No moves in this range." } } }
                    @for s in &list {
                        tr {
                            td { (format::instant(s["at"].as_str().unwrap_or_default(), tz)) }
                            td { (s["fromStage"].as_str().unwrap_or("—")) }
                            td { (s["toStage"].as_str().unwrap_or("—")) }
                            td { @if s["sentBack"] == true { span.tag.warn { "sent back" } } @else { "advanced" } }
                        }
                    }
                }
            } }
        }
    }
}
