//! `GET /breakdown`: a metric over a range split by a metaproperty, tag, folder or asset
//! type, as bars and a ranked table with paging.
use crate::error::AppError;
use crate::graphql::insights::BreakdownDimension;
use crate::http::AppState;
use crate::storage::keys::Scope;
use crate::web::charts::{Chart, Kind, Line, truncate};
use crate::web::components::{Here, csv_href, heading};
use crate::web::data::{self, Connection};
use crate::web::format;
use crate::web::forms::{self, range_inputs, refusal_box, select};
use crate::web::layout::Page;
use crate::web::ranked::{Column, Paging, Ranked, table};
use crate::web::session::Session;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

const QUERY: &str = r#"query Breakdown($metric: MetricName!, $by: BreakdownBy!, $range: DateRange!,
  $first: Int!, $after: String) {
  breakdown(metric: $metric, by: $by, range: $range, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { value } count }
  }
}"#;

/// The metrics a breakdown splits.
const METRICS: [&str; 5] = [
    "UPLOADS",
    "ASSET_VIEWS",
    "DOWNLOADS",
    "ASSETS_ARCHIVED",
    "ASSETS_DELETED",
];

#[derive(Deserialize)]
pub struct Params {
    metric: Option<String>,
    dimension: Option<String>,
    name: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    breakdown: Connection<Ranked>,
}

fn form(metric: &str, dimension: &str, name: &str, from: &str, to: &str) -> Markup {
    html! {
        form.filters.wrap method="get" action="/breakdown" {
            (select("metric", "Metric", &METRICS, metric, None))
            (select("dimension", "Split by", &forms::names::<BreakdownDimension>(), dimension, None))
            label { span { "Metaproperty" } input type="text" name="name" value=(name) placeholder="Region" maxlength="200"; }
            (range_inputs(from, to))
            button type="submit" { "Show" }
        }
    }
}

/// `GET /breakdown`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(p): Query<Params>,
) -> Response {
    let built = build(&state, &session, &p).await;
    session.respond(built, "/breakdown")
}

fn refused(p: &Params, refusal: &forms::Refusal) -> Page {
    let t = |v: &Option<String>| v.clone().unwrap_or_default();
    Page::new(
        "Breakdown",
        "breakdown",
        html! {
            h1 { "Breakdown" }
            (refusal_box(refusal))
            (form(&t(&p.metric), &t(&p.dimension), &t(&p.name), &t(&p.from), &t(&p.to)))
        },
    )
    .with_status(StatusCode::BAD_REQUEST)
}

async fn build(state: &AppState, session: &Session, p: &Params) -> Result<Page, AppError> {
    session.caller.require(Scope::ReportsRead)?;
    let today = forms::today(state, &session.caller.environment);
    let checked = (|| {
        let metric = forms::many_of("metric", p.metric.as_slice(), &METRICS, &["DOWNLOADS"], 1)?[0];
        let dimension =
            forms::one_of::<BreakdownDimension>("dimension", &p.dimension, Some("METAPROPERTY"))?
                .unwrap_or("METAPROPERTY");
        let name = forms::given(&p.name).map(str::to_owned);
        let name = match (dimension, name) {
            ("METAPROPERTY", None) => Some("Region".to_owned()),
            ("METAPROPERTY", some) => some,
            (_, _) => None,
        };
        let (from, to) = forms::range(&p.from, &p.to, today, 30)?;
        Ok((metric, dimension, name, from.to_string(), to.to_string()))
    })();
    let (metric, dimension, name, from, to) = match checked {
        Ok(ok) => ok,
        Err(refusal) => return Ok(refused(p, &refusal)),
    };
    let after = forms::given(&p.after);
    let mut by = json!({ "dimension": dimension });
    if let Some(n) = &name {
        by["name"] = json!(n);
    }
    let variables = json!({
        "metric": metric, "by": by, "range": { "from": from, "to": to }, "first": 20, "after": after,
    });
    let (answer, shown) =
        match data::run::<Answer>(state, session, "Breakdown", QUERY, variables).await {
            Ok(ok) => ok,
            Err(AppError::BadUserInput(message)) => {
                return Ok(refused(
                    p,
                    &forms::Refusal {
                        field: "by",
                        message,
                    },
                ));
            }
            Err(e) => return Err(e),
        };
    let list = answer.breakdown;
    let name_text = name.clone().unwrap_or_default();
    let here = Here::new(
        "/breakdown",
        &[
            ("metric", metric),
            ("dimension", dimension),
            ("name", &name_text),
            ("from", &from),
            ("to", &to),
            ("after", after.unwrap_or_default()),
        ],
    );
    let value_of = |e: &Ranked| e.node.value.clone().unwrap_or_else(|| "(none)".into());
    let split_by = match dimension {
        "METAPROPERTY" => name_text.clone(),
        other => format::metric_label(other),
    };
    let title = format!(
        "{} by {split_by}, {from} to {to}",
        format::metric_label(metric)
    );
    let chart = Chart {
        id: "breakdown-chart",
        title: &title,
        x_name: &split_by,
        unit: &format::metric_label(metric).to_lowercase(),
        short: list
            .edges
            .iter()
            .map(|e| truncate(&value_of(e), 26))
            .collect(),
        full: list.edges.iter().map(value_of).collect(),
        series: vec![Line {
            name: format::metric_label(metric),
            values: list.edges.iter().map(|e| e.count("count")).collect(),
        }],
        kind: Kind::Ranking,
        link: None,
        wide: true,
    };
    let csv = csv_href(
        "breakdown",
        &[
            ("metric", metric),
            ("dimension", dimension),
            ("name", &name_text),
            ("from", &from),
            ("to", &to),
        ],
    );
    let events = format!(
        "/events{}",
        format::query_string(&[("metric", metric), ("from", &from), ("to", &to)])
    );
    let body = html! {
        div.page-head {
            div {
                h1 { "Breakdown" }
                p.subtitle { (format::metric_label(metric)) " per value of " (split_by) " · an asset with several values counts in each · "
                    a href=(events) { "all the events" } }
            }
        }
        (form(metric, dimension, &name_text, &from, &to))
        div.panel {
            (heading(2, "values", &title, Some(&csv)))
            (chart.render())
            (table(&list, &[
                Column::Text(&split_by, &value_of),
                Column::Count(&format::metric_label(metric), "count", None),
                Column::Meter("", "count"),
            ], Some(Paging { here: &here, param: "after", anchor: "values" }), "breakdown"))
        }
    };
    Ok(Page::new("Breakdown", "breakdown", body).with_shown(vec![shown]))
}
