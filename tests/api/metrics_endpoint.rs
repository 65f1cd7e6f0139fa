//! `/metrics` in the Prometheus text format.
use crate::helpers::{spawn_app, spawn_app_with};
use axum::body::Body;
use axum::http::Request;
use serde_json::json;

/// The value of the sample `series` (name and labels exactly as rendered), if present.
pub fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

async fn scrape(app: &crate::helpers::TestApp) -> String {
    let reply = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status.as_u16(), 200, "unauthenticated");
    assert!(
        reply
            .content_type()
            .starts_with("text/plain; version=0.0.4")
    );
    String::from_utf8(reply.body).unwrap()
}

#[tokio::test]
async fn metrics_count_operations_by_name_and_outcome_requests_events_and_the_pool() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    for _ in 0..2 {
        app.data(
            &key,
            "query MetricsProbeOk { viewer { scopes } }",
            json!({}),
        )
        .await;
    }
    let bad = app
        .graphql(
            &key,
            r#"query MetricsProbeBad { monthlyReport(month: "2025-13") { month } }"#,
            json!({}),
        )
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    app.ingest(
        &key,
        &[
            json!({"id": "m1", "type": "user.logged_out", "occurredAt": "2025-10-03T09:00:00Z", "userId": "u1"}),
            json!({"id": "m1", "type": "user.logged_out", "occurredAt": "2025-10-03T09:00:00Z", "userId": "u1"}),
            json!({"id": "m2", "type": "no.such.type", "occurredAt": "2025-10-03T09:00:00Z"}),
        ],
    )
    .await;
    let text = scrape(&app).await;
    assert_eq!(
        sample(
            &text,
            r#"dam_graphql_operations_total{endpoint="graphql",operation="MetricsProbeOk",outcome="ok"}"#
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"dam_graphql_operations_total{endpoint="graphql",operation="MetricsProbeBad",outcome="BAD_USER_INPUT"}"#
        ),
        Some(1.0)
    );
    assert!(text.contains(r#"dam_graphql_operation_duration_seconds_bucket{endpoint="graphql",operation="MetricsProbeOk",le="0.005"}"#));
    for series in [
        r#"dam_http_requests_total{method="POST",route="/graphql",status="200"}"#,
        r#"dam_http_requests_total{method="POST",route="/v1/events",status="200"}"#,
        "dam_events_ingested_total",
        "dam_events_duplicate_total",
        "dam_events_refused_total",
        r#"dam_db_pool_connections{state="idle"}"#,
        r#"dam_db_pool_connections{state="in_use"}"#,
        "dam_db_pool_max_connections",
    ] {
        assert!(
            sample(&text, series).is_some_and(|v| v >= 1.0 || series.contains("in_use")),
            "{series} in\n{text}"
        );
    }
    assert!(text.contains("# HELP dam_events_refused_total events refused by ingest"));
    assert!(text.contains(
        r#"dam_http_request_duration_seconds_bucket{method="POST",route="/graphql",le="+Inf"}"#
    ));
}

#[tokio::test]
async fn rate_limit_refusals_and_unmatched_routes_are_counted_with_few_labels() {
    let app = spawn_app_with(|c| c.rate_limit_points = 5).await;
    let key = app.full_key().await;
    let refused = app
        .post_body(
            "/graphql",
            &key,
            "application/json",
            json!({"query": "{ a: viewer { scopes } b: viewer { scopes } c: viewer { scopes } }"})
                .to_string(),
        )
        .await;
    assert_eq!(refused.status.as_u16(), 429);
    app.send(
        Request::get("/no/such/path/4711")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let text = scrape(&app).await;
    assert!(
        sample(&text, r#"dam_rate_limit_refusals_total{route="/graphql"}"#)
            .is_some_and(|v| v >= 1.0)
    );
    // The path, not its number: the registry is the process's, and a count or a sum of
    // another test's may well hold the digits 4711.
    assert!(!text.contains("/no/such/path"), "paths never become labels");
    assert!(text.contains(r#"route="unmatched""#));
}

#[tokio::test]
async fn with_a_metrics_address_the_main_one_serves_no_metrics() {
    let app = spawn_app_with(|c| c.metrics_bind = Some("127.0.0.1:0".parse().unwrap())).await;
    let reply = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status.as_u16(), 404);
}
