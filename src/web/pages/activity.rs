//! `GET /activity`: the activity log (seed 001), every event as an audit trail, newest
//! first, filterable by date range, type, user, asset and collection.
use crate::error::AppError;
use crate::http::AppState;
use crate::storage::keys::Scope;
use crate::web::components::{Here, csv_href, events_table, heading, pager};
use crate::web::data::{self, Connection, Edge, EventRow};
use crate::web::format;
use crate::web::forms::{self, refusal_box};
use crate::web::layout::Page;
use crate::web::session::Session;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value, json};

const PAGE: i64 = 25;

const QUERY: &str = concat!(
    "query ActivityLog($filter: ActivityLogFilter, $first: Int!, $after: String) {\n",
    "  activityLog(filter: $filter, first: $first, after: $after) {\n",
    "    totalCount\n    pageInfo { hasNextPage endCursor }\n",
    "    edges { node { ",
    event_fields!(),
    " } }\n  }\n}"
);

#[derive(Deserialize, Default)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
    types: Option<String>,
    #[serde(rename = "userId")]
    user_id: Option<String>,
    #[serde(rename = "assetId")]
    asset_id: Option<String>,
    #[serde(rename = "collectionId")]
    collection_id: Option<String>,
    after: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    activity_log: Connection<Edge<EventRow>>,
}

fn text(v: &Option<String>) -> &str {
    forms::given(v).unwrap_or_default()
}

fn form(p: &Params) -> Markup {
    let types: Vec<&str> = crate::ingest::event::type_names().collect();
    let chosen = text(&p.types);
    html! {
        form.filters.wrap method="get" action="/activity" {
            label { span { "From" } input type="date" name="from" value=(text(&p.from)); }
            label { span { "To" } input type="date" name="to" value=(text(&p.to)); }
            label { span { "Type" }
                select name="types" {
                    option value="" selected[chosen.is_empty()] { "Every type" }
                    @for t in &types { option value=(t) selected[*t == chosen] { (t) } }
                }
            }
            label { span { "User id" } input type="text" name="userId" value=(text(&p.user_id)) maxlength="200"; }
            label { span { "Asset id" } input type="text" name="assetId" value=(text(&p.asset_id)) maxlength="200"; }
            label { span { "Collection id" } input type="text" name="collectionId" value=(text(&p.collection_id)) maxlength="200"; }
            button type="submit" { "Filter" }
            a.reset href="/activity" { "Clear" }
        }
    }
}

/// `GET /activity`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(p): Query<Params>,
) -> Response {
    let built = build(&state, &session, &p).await;
    session.respond(built, "/activity")
}

fn refused(p: &Params, refusal: &forms::Refusal) -> Page {
    Page::new(
        "Activity log",
        "activity",
        html! { h1 { "Activity log" } (refusal_box(refusal)) (form(p)) },
    )
    .with_status(StatusCode::BAD_REQUEST)
}

async fn build(state: &AppState, session: &Session, p: &Params) -> Result<Page, AppError> {
    session.caller.require(Scope::Admin)?;
    let today = forms::today(state, &session.caller.environment);
    let mut filter = Map::new();
    let (from, to) = (text(&p.from), text(&p.to));
    if !from.is_empty() || !to.is_empty() {
        match forms::range(&p.from, &p.to, today, 1) {
            Ok((f, t)) => {
                filter.insert(
                    "range".into(),
                    json!({ "from": f.to_string(), "to": t.to_string() }),
                );
            }
            Err(refusal) => return Ok(refused(p, &refusal)),
        }
    }
    let all_types: Vec<&'static str> = crate::ingest::event::type_names().collect();
    let types = match forms::many_of("types", p.types.as_slice(), &all_types, &[], 50) {
        Ok(t) => t,
        Err(refusal) => return Ok(refused(p, &refusal)),
    };
    if !types.is_empty() {
        filter.insert("types".into(), json!(types));
    }
    for (name, value) in [
        ("userId", text(&p.user_id)),
        ("assetId", text(&p.asset_id)),
        ("collectionId", text(&p.collection_id)),
    ] {
        if !value.is_empty() {
            filter.insert(name.into(), json!(value));
        }
    }
    let after = forms::given(&p.after);
    let variables = json!({ "filter": Value::Object(filter), "first": PAGE, "after": after });
    let (answer, shown) =
        match data::run::<Answer>(state, session, "Activity log", QUERY, variables).await {
            Ok(ok) => ok,
            Err(AppError::BadUserInput(message)) => {
                return Ok(refused(
                    p,
                    &forms::Refusal {
                        field: "filter",
                        message,
                    },
                ));
            }
            Err(e) => return Err(e),
        };
    let log = answer.activity_log;
    let types_text = types.join(",");
    let pairs = [
        ("from", from),
        ("to", to),
        ("types", types_text.as_str()),
        ("userId", text(&p.user_id)),
        ("assetId", text(&p.asset_id)),
        ("collectionId", text(&p.collection_id)),
    ];
    let mut here = Here::new("/activity", &pairs);
    if let Some(a) = after {
        here.pairs.push(("after".into(), a.into()));
    }
    let rows: Vec<EventRow> = log.edges.into_iter().map(|e| e.node).collect();
    let tz = session.caller.environment.time_zone;
    let body = html! {
        div.page-head {
            div {
                h1 { "Activity log" }
                p.subtitle { strong data-field="activityLog.totalCount" { (format::int(log.total_count)) } " events, newest first" }
            }
            a.button href="/activity/reports" { "Activity reports" }
        }
        (form(p))
        div.panel {
            (heading(2, "log", "Events", Some(&csv_href("activity-log", &pairs))))
            (events_table(&rows, tz))
            (pager(&here, "after", &log.page_info, rows.len(), log.total_count, "log"))
        }
    };
    Ok(Page::new("Activity log", "activity", body).with_shown(vec![shown]))
}
