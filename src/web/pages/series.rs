//! `GET /series`: chosen metrics over a date range by day, week or month on shared
//! buckets, drawn as lines, with the correlation of two of them; every value of the
//! table links to the events behind it.
use crate::error::AppError;
use crate::graphql::range::{Interval, MetricName};
use crate::http::AppState;
use crate::storage::keys::Scope;
use crate::web::charts::{Chart, Kind, Line};
use crate::web::components::{csv_href, heading};
use crate::web::data;
use crate::web::format;
use crate::web::forms::{self, range_inputs, refusal_box, select};
use crate::web::layout::Page;
use crate::web::session::Session;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

const QUERY: &str = r#"query Series($metrics: [MetricName!]!, $range: DateRange!, $interval: Interval!,
  $a: MetricName!, $b: MetricName!) {
  series(metrics: $metrics, range: $range, interval: $interval) {
    buckets { start from to }
    metrics { metric values }
  }
  correlation(a: $a, b: $b, range: $range, interval: $interval) { coefficient }
}"#;

/// The metrics a series draws (every count of the dictionary).
fn metrics() -> Vec<&'static str> {
    forms::names::<MetricName>()
        .into_iter()
        .filter(|m| *m != "JOB_DURATION")
        .collect()
}

#[derive(Deserialize)]
struct Answer {
    series: Series,
    correlation: Correlation,
}

#[derive(Deserialize)]
struct Series {
    buckets: Vec<Bucket>,
    metrics: Vec<MetricSeries>,
}

#[derive(Deserialize)]
struct Bucket {
    start: String,
    from: String,
    to: String,
}

#[derive(Deserialize)]
struct MetricSeries {
    metric: String,
    values: Vec<i64>,
}

#[derive(Deserialize)]
struct Correlation {
    coefficient: Option<f64>,
}

/// The parameters as typed (metrics may repeat).
#[derive(Default)]
struct Params {
    metrics: Vec<String>,
    from: Option<String>,
    to: Option<String>,
    interval: Option<String>,
    a: Option<String>,
    b: Option<String>,
}

fn parse(query: &str) -> Params {
    let mut p = Params::default();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "metrics" => p.metrics.push(v),
            "from" => p.from = Some(v),
            "to" => p.to = Some(v),
            "interval" => p.interval = Some(v),
            "a" => p.a = Some(v),
            "b" => p.b = Some(v),
            _ => {}
        }
    }
    p
}

fn form(chosen: &[&str], from: &str, to: &str, interval: &str, a: &str, b: &str) -> Markup {
    let all = metrics();
    html! {
        form.filters.wrap method="get" action="/series" {
            fieldset.metrics {
                legend { "Metrics" }
                @for m in &all {
                    label.check { input type="checkbox" name="metrics" value=(m) checked[chosen.contains(m)]; span { (format::metric_label(m)) } }
                }
            }
            (range_inputs(from, to))
            (select("interval", "By", &forms::names::<Interval>(), interval, None))
            (select("a", "Correlate", &all, a, None))
            (select("b", "with", &all, b, None))
            button type="submit" { "Show" }
        }
    }
}

/// `GET /series`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    RawQuery(q): RawQuery,
) -> Response {
    let p = parse(q.as_deref().unwrap_or_default());
    let built = build(&state, &session, &p).await;
    session.respond(built, "/series")
}

fn refused(p: &Params, refusal: &forms::Refusal) -> Page {
    let chosen: Vec<&str> = p.metrics.iter().map(String::as_str).collect();
    let t = |v: &Option<String>| v.clone().unwrap_or_default();
    Page::new(
        "Trends",
        "series",
        html! {
            h1 { "Trends" }
            (refusal_box(refusal))
            (form(&chosen, &t(&p.from), &t(&p.to), &t(&p.interval), &t(&p.a), &t(&p.b)))
        },
    )
    .with_status(StatusCode::BAD_REQUEST)
}

async fn build(state: &AppState, session: &Session, p: &Params) -> Result<Page, AppError> {
    session.caller.require(Scope::ReportsRead)?;
    let today = forms::today(state, &session.caller.environment);
    let all = metrics();
    let checked = (|| {
        let chosen = forms::many_of(
            "metrics",
            &p.metrics,
            &all,
            &["UPLOADS", "DOWNLOADS", "SEARCHES"],
            8,
        )?;
        let (from, to) = forms::range(&p.from, &p.to, today, 91)?;
        let interval =
            forms::one_of::<Interval>("interval", &p.interval, Some("WEEK"))?.unwrap_or("WEEK");
        let a = forms::many_of("a", p.a.as_slice(), &all, &[chosen[0]], 1)?[0];
        let b = forms::many_of(
            "b",
            p.b.as_slice(),
            &all,
            &[*chosen.get(1).unwrap_or(&chosen[0])],
            1,
        )?[0];
        Ok((chosen, from.to_string(), to.to_string(), interval, a, b))
    })();
    let (chosen, from, to, interval, a, b) = match checked {
        Ok(ok) => ok,
        Err(refusal) => return Ok(refused(p, &refusal)),
    };
    let variables = json!({
        "metrics": chosen, "range": { "from": from, "to": to }, "interval": interval, "a": a, "b": b,
    });
    let (answer, shown) =
        match data::run::<Answer>(state, session, "Series and correlation", QUERY, variables).await
        {
            Ok(ok) => ok,
            Err(AppError::BadUserInput(message)) => {
                return Ok(refused(
                    p,
                    &forms::Refusal {
                        field: "range",
                        message,
                    },
                ));
            }
            Err(e) => return Err(e),
        };
    let s = answer.series;
    let buckets = &s.buckets;
    let names: Vec<String> = s.metrics.iter().map(|m| m.metric.clone()).collect();
    let link = |series: usize, bucket: usize| {
        let b = buckets.get(bucket)?;
        Some(format!(
            "/events{}",
            format::query_string(&[
                ("metric", names.get(series)?),
                ("from", &b.from),
                ("to", &b.to)
            ])
        ))
    };
    let short: Vec<String> = buckets
        .iter()
        .map(|b| match interval {
            "MONTH" => format::month_short(b.start.get(..7).unwrap_or(&b.start)),
            _ => b.start.get(5..).unwrap_or(&b.start).to_owned(),
        })
        .collect();
    let full: Vec<String> = buckets
        .iter()
        .map(|b| {
            if b.from == b.to {
                b.from.clone()
            } else {
                format!("{} to {}", b.from, b.to)
            }
        })
        .collect();
    let x_name = match interval {
        "DAY" => "Day",
        "WEEK" => "Week",
        _ => "Month",
    };
    let title = format!(
        "{} by {}, {from} to {to}",
        chosen
            .iter()
            .map(|m| format::metric_label(m))
            .collect::<Vec<_>>()
            .join(", "),
        x_name.to_lowercase()
    );
    let chart = Chart {
        id: "series-chart",
        title: &title,
        x_name,
        unit: "count",
        short,
        full,
        series: s
            .metrics
            .iter()
            .map(|m| Line {
                name: format::metric_label(&m.metric),
                values: m.values.clone(),
            })
            .collect(),
        kind: Kind::Lines,
        link: Some(&link),
        wide: true,
    };
    let metrics_text = chosen.join(",");
    let csv = csv_href(
        "series",
        &[
            ("metrics", &metrics_text),
            ("from", &from),
            ("to", &to),
            ("interval", interval),
        ],
    );
    let coefficient = answer.correlation.coefficient;
    let body = html! {
        div.page-head {
            div {
                h1 { "Trends" }
                p.subtitle { "Metrics over shared buckets, " (from) " to " (to) ". Click a value in the data table for the events behind it." }
            }
        }
        (form(&chosen, &from, &to, interval, a, b))
        div.panel {
            (heading(2, "series", "Series", Some(&csv)))
            (chart.render())
        }
        div.panel.correlation data-field="correlation.coefficient" {
            h2 { "Correlation" }
            p {
                "Pearson coefficient of " strong { (format::metric_label(a)) } " and " strong { (format::metric_label(b)) }
                " over the same " (x_name.to_lowercase()) "s: "
                @match coefficient {
                    Some(c) => { span.big data-value=(format!("{c:.4}")) { (format!("{c:.2}")) } span.muted { " (" (strength(c)) ")" } },
                    None => { span.big { "undefined" } span.muted { " (fewer than 2 buckets, or a metric that does not vary)" } },
                }
            }
        }
    };
    Ok(Page::new("Trends", "series", body).with_shown(vec![shown]))
}

/// How strong a correlation is, in words.
fn strength(c: f64) -> &'static str {
    match c.abs() {
        x if x >= 0.8 => {
            if c > 0.0 {
                "strong, rising together"
            } else {
                "strong, opposite"
            }
        }
        x if x >= 0.5 => {
            if c > 0.0 {
                "moderate, rising together"
            } else {
                "moderate, opposite"
            }
        }
        x if x >= 0.2 => "weak",
        _ => "none to speak of",
    }
}
