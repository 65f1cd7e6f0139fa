//! Month and Date values and enum arguments are checked when the document is validated,
//! before any field runs: a refusal is a request error (no `data`).
use crate::document_limits::{error, gql};
use crate::helpers::{Reply, TestApp, spawn_app};
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

async fn with_variables(app: &TestApp, key: &str, query: &str, variables: Value) -> Reply {
    app.send(
        Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {key}"))
            .body(Body::from(
                json!({ "query": query, "variables": variables }).to_string(),
            ))
            .unwrap(),
    )
    .await
}

/// A request error: refused before anything ran, so no `data` at all.
fn refused_before_running(r: &Reply) -> (String, String) {
    assert!(
        r.json().get("data").is_none(),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    error(r)
}

#[tokio::test]
async fn months_and_dates_outside_four_digit_years_or_the_calendar_are_refused_at_validation() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    for month in [
        "2025-13", "2025-00", "0000-01", "10000-01", "-001-01", "25-01", "2025-1",
    ] {
        let q = format!("{{ monthlyReport(month: \"{month}\") {{ month }} }}");
        let (code, message) = refused_before_running(&gql(&app, Some(&key), &q).await);
        assert_eq!(code, "BAD_USER_INPUT", "{month}");
        assert!(
            message.contains("is not a month: write it YYYY-MM with a year from 0001 to 9999"),
            "{month}: {message}"
        );
        let r = with_variables(
            &app,
            &key,
            "query($m: Month!) { monthlyReport(month: $m) { month } }",
            json!({ "m": month }),
        )
        .await;
        let (code, message) = refused_before_running(&r);
        assert_eq!(code, "BAD_USER_INPUT", "{month} as a variable");
        assert!(message.contains("YYYY-MM"), "{message}");
    }
    // The edges of the window are months.
    for month in ["0001-01", "9999-12"] {
        let q = format!("{{ monthlyReport(month: \"{month}\") {{ month }} }}");
        let r = gql(&app, Some(&key), &q).await.ok_json();
        assert_eq!(r["data"]["monthlyReport"]["month"], month, "{r}");
    }
    let series = |from: &str, to: &str| {
        format!(
            "{{ series(metrics: [UPLOADS], range: {{from: \"{from}\", to: \"{to}\"}}, interval: MONTH) {{ interval }} }}"
        )
    };
    for (from, to) in [
        ("0000-12-31", "0001-01-01"),
        ("2025-02-30", "2025-03-01"),
        ("2025-1-01", "2025-03-01"),
        ("2025-01-01", "+2025-01-01"),
    ] {
        let (code, message) =
            refused_before_running(&gql(&app, Some(&key), &series(from, to)).await);
        assert_eq!(code, "BAD_USER_INPUT", "{from} {to}");
        assert!(
            message.contains("is not a date: write it YYYY-MM-DD with a year from 0001 to 9999"),
            "{message}"
        );
    }
    let r = gql(&app, Some(&key), &series("0001-01-01", "0001-01-31"))
        .await
        .ok_json();
    assert_eq!(r["data"]["series"]["interval"], "MONTH", "{r}");
}

#[tokio::test]
async fn enum_arguments_take_enum_values_or_variables_never_strings() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let range = "range: {from: \"2025-03-01\", to: \"2025-03-31\"}";
    let q = format!("{{ series(metrics: [UPLOADS], {range}, interval: \"DAY\") {{ interval }} }}");
    let (code, message) = refused_before_running(&gql(&app, Some(&key), &q).await);
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(
        message.contains("argument `interval` of `series` takes a value of the enum Interval, not a string: write DAY without quotes"),
        "{message}"
    );
    // In a list, and in an input object.
    let q = format!(
        "{{ series(metrics: [UPLOADS, \"DOWNLOADS\"], {range}, interval: DAY) {{ interval }} }}"
    );
    assert!(
        refused_before_running(&gql(&app, Some(&key), &q).await)
            .1
            .contains("write DOWNLOADS without quotes")
    );
    let q = format!(
        "{{ breakdown(metric: DOWNLOADS, by: {{dimension: \"TAG\"}}, {range}) {{ totalCount }} }}"
    );
    assert!(
        refused_before_running(&gql(&app, Some(&key), &q).await)
            .1
            .contains("write TAG without quotes")
    );
    // Through a fragment too.
    let q = format!(
        "query {{ ...S }} fragment S on Query {{ series(metrics: [UPLOADS], {range}, interval: \"WEEK\") {{ interval }} }}"
    );
    assert!(
        refused_before_running(&gql(&app, Some(&key), &q).await)
            .1
            .contains("write WEEK without quotes")
    );
    // Enum values and variables (a variable's JSON string is how enums travel) run.
    let q = format!("{{ series(metrics: [UPLOADS], {range}, interval: DAY) {{ interval }} }}");
    assert_eq!(
        app.data(&key, &q, json!({})).await["series"]["interval"],
        "DAY"
    );
    let q = format!(
        "query($i: Interval!) {{ series(metrics: [UPLOADS], {range}, interval: $i) {{ interval }} }}"
    );
    assert_eq!(
        app.data(&key, &q, json!({"i": "WEEK"})).await["series"]["interval"],
        "WEEK"
    );
}
