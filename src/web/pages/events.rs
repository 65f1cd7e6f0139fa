//! `GET /events?metric=…&from=…&to=…`: the drilldown of any number — exactly the
//! events a metric counted over a range, newest first, each linking to its asset,
//! user, collection or job.
use crate::error::AppError;
use crate::graphql::range::MetricName;
use crate::http::AppState;
use crate::storage::keys::Scope;
use crate::web::components::{Here, csv_href, events_table, heading, pager};
use crate::web::data::{self, Connection, Edge, EventRow};
use crate::web::format;
use crate::web::forms::{self, range_inputs, refusal_box};
use crate::web::layout::Page;
use crate::web::session::Session;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

/// Events per page.
const PAGE: i64 = 25;

const QUERY: &str = concat!(
    "query MetricEvents($metric: MetricName!, $range: DateRange!, $includeBulk: Boolean!, $first: Int!, $after: String) {\n",
    "  events(metric: $metric, range: $range, includeBulk: $includeBulk, first: $first, after: $after) {\n",
    "    totalCount\n    pageInfo { hasNextPage endCursor }\n",
    "    edges { node { ",
    event_fields!(),
    " } }\n  }\n}"
);

#[derive(Deserialize)]
pub struct Params {
    metric: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(rename = "includeBulk")]
    include_bulk: Option<String>,
    after: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    events: Connection<Edge<EventRow>>,
}

fn form(metric: &str, from: &str, to: &str, bulk: bool) -> Markup {
    let metrics = forms::names::<MetricName>();
    html! {
        form.filters method="get" action="/events" {
            (forms::select("metric", "Metric", &metrics, metric, None))
            (range_inputs(from, to))
            label.check { input type="checkbox" name="includeBulk" value="true" checked[bulk]; span { "Bulk downloads too" } }
            button type="submit" { "Show" }
        }
    }
}

/// `GET /events`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<Params>,
) -> Response {
    let built = build(&state, &session, &params).await;
    session.respond(built, "/events")
}

async fn build(state: &AppState, session: &Session, p: &Params) -> Result<Page, AppError> {
    session.caller.require(Scope::ReportsRead)?;
    let today = forms::today(state, &session.caller.environment);
    let bulk = forms::given(&p.include_bulk) == Some("true");
    let checked =
        forms::one_of::<MetricName>("metric", &p.metric, Some("DOWNLOADS")).and_then(|m| {
            Ok((
                m.unwrap_or("DOWNLOADS"),
                forms::range(&p.from, &p.to, today, 30)?,
            ))
        });
    let (metric, (from, to)) = match checked {
        Ok(ok) => ok,
        Err(refusal) => {
            let typed = |v: &Option<String>| v.clone().unwrap_or_default();
            return Ok(Page::new(
                "Events",
                "",
                html! {
                    h1 { "Events behind a number" }
                    (refusal_box(&refusal))
                    (form(&typed(&p.metric), &typed(&p.from), &typed(&p.to), bulk))
                },
            )
            .with_status(StatusCode::BAD_REQUEST));
        }
    };
    let (from, to) = (from.to_string(), to.to_string());
    let after = forms::given(&p.after);
    let bulk_text = if bulk { "true" } else { "" };
    let here = Here::new(
        "/events",
        &[
            ("metric", metric),
            ("from", &from),
            ("to", &to),
            ("includeBulk", bulk_text),
            ("after", after.unwrap_or_default()),
        ],
    );
    let variables = json!({
        "metric": metric,
        "range": { "from": from, "to": to },
        "includeBulk": bulk,
        "first": PAGE,
        "after": after,
    });
    let (answer, shown) =
        match data::run::<Answer>(state, session, "Events behind the number", QUERY, variables)
            .await
        {
            Ok(ok) => ok,
            Err(AppError::BadUserInput(message)) => {
                return Ok(Page::new(
                    "Events",
                    "",
                    html! {
                        h1 { "Events behind a number" }
                        div.error role="alert" { strong { "Not accepted: " } (message) }
                        (form(metric, &from, &to, bulk))
                    },
                )
                .with_status(StatusCode::BAD_REQUEST));
            }
            Err(e) => return Err(e),
        };
    let rows: Vec<EventRow> = answer.events.edges.into_iter().map(|e| e.node).collect();
    let csv = csv_href(
        "metric-events",
        &[
            ("metric", metric),
            ("from", &from),
            ("to", &to),
            ("includeBulk", if bulk { "true" } else { "" }),
        ],
    );
    let tz = session.caller.environment.time_zone;
    let body = html! {
        div.page-head {
            div {
                h1 { (format::metric_label(metric)) ": the events behind it" }
                p.subtitle { (from) " to " (to) " · "
                    strong data-field="events.totalCount" { (format::int(answer.events.total_count)) } " events, newest first" }
            }
        }
        (form(metric, &from, &to, bulk))
        div.panel {
            (heading(2, "events", "Events", Some(&csv)))
            (events_table(&rows, tz))
            (pager(&here, "after", &answer.events.page_info, rows.len(), answer.events.total_count, "events"))
        }
    };
    Ok(
        Page::new(format!("{} events", format::metric_label(metric)), "", body)
            .with_shown(vec![shown]),
    )
}
