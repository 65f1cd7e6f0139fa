//! Comparison periods (PRODUCT.md, "Comparison periods"): PREVIOUS_PERIOD and
//! PREVIOUS_YEAR on date-range values and series, and the monthly summary's same month a
//! year earlier; 29 February maps to 28 February.
use crate::helpers::{TestApp, spawn_app};
use crate::monthly::ev;
use serde_json::{Value, json};

fn upload(id: &str, day: &str) -> Value {
    ev(
        id,
        "asset.uploaded",
        &format!("{day}T12:00:00Z"),
        Some("u1"),
        json!({"assetId": id, "filename": "f.jpg", "assetType": "IMAGE", "source": "WEB"}),
    )
}

fn search(id: &str, day: &str, results: i64) -> Value {
    ev(
        id,
        "search.performed",
        &format!("{day}T12:00:00Z"),
        Some("u1"),
        json!({"kind": "TEXT", "query": "logo", "resultCount": results}),
    )
}

/// Uploads: 2024-02-10 (1), 2024-02-29 (2); 2023-02-01 (3), 2023-02-28 (1),
/// 2023-03-01 (5). Searches with resultCount: 2024-02 one of 2 found nothing (50 %);
/// 2023-02 one of 4 (25 %).
async fn two_februaries() -> (TestApp, String) {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let mut events = vec![
        upload("a1", "2024-02-10"),
        upload("a2", "2024-02-29"),
        upload("a3", "2024-02-29"),
        upload("b1", "2023-02-01"),
        upload("b2", "2023-02-01"),
        upload("b3", "2023-02-01"),
        upload("b4", "2023-02-28"),
        search("s1", "2024-02-10", 0),
        search("s2", "2024-02-11", 5),
        search("t1", "2023-02-10", 0),
    ];
    for i in 0..5 {
        events.push(upload(&format!("c{i}"), "2023-03-01"));
    }
    for i in 0..3 {
        events.push(search(&format!("t2-{i}"), "2023-02-11", 3));
    }
    app.ingest(&key, &events).await;
    (app, key)
}

#[tokio::test]
async fn previous_year_maps_29_february_to_28_february() {
    let (app, key) = two_februaries().await;
    let q = r#"query($c: ComparisonPeriod) { insights(range: {from: "2024-02-01", to: "2024-02-29"}, compareTo: $c) {
        previousRange { from to }
        media { uploads { current previous change changePercent } }
        search { zeroResultRate { current previous change changePercent } } } }"#;
    let d = app.data(&key, q, json!({"c": "PREVIOUS_YEAR"})).await;
    let i = &d["insights"];
    assert_eq!(
        i["previousRange"],
        json!({"from": "2023-02-01", "to": "2023-02-28"})
    );
    assert_eq!(
        i["media"]["uploads"],
        json!({"current": 3, "previous": 4, "change": -1, "changePercent": -25.0})
    );
    // A rate's change is in points, its changePercent relative.
    assert_eq!(
        i["search"]["zeroResultRate"],
        json!({"current": 50.0, "previous": 25.0, "change": 25.0, "changePercent": 100.0})
    );
    // The default is the equally long range just before: 29 days.
    let d = app.data(&key, q, json!({})).await;
    assert_eq!(
        d["insights"]["previousRange"],
        json!({"from": "2024-01-03", "to": "2024-01-31"})
    );
    assert_eq!(d["insights"]["media"]["uploads"]["previous"], 0);
    // A range that begins on 29 February begins on the 28th a year earlier.
    let q = r#"{ insights(range: {from: "2024-02-29", to: "2024-03-01"}, compareTo: PREVIOUS_YEAR) {
        previousRange { from to } media { uploads { current previous } } } }"#;
    let d = app.data(&key, q, json!({})).await;
    assert_eq!(
        d["insights"]["previousRange"],
        json!({"from": "2023-02-28", "to": "2023-03-01"})
    );
    assert_eq!(
        d["insights"]["media"]["uploads"],
        json!({"current": 2, "previous": 6})
    );
}

#[tokio::test]
async fn series_compare_bucket_by_bucket() {
    let (app, key) = two_februaries().await;
    let q = r#"query($from: Date!, $to: Date!, $i: Interval!, $c: ComparisonPeriod) {
        series(metrics: [UPLOADS], rates: [ZERO_RESULT_RATE], range: {from: $from, to: $to}, interval: $i, compareTo: $c) {
        buckets { from to compared { from to } } metrics { values previousValues } rates { values previousValues } } }"#;
    // Days: the 29th against the 28th a year earlier.
    let d = app
        .data(
            &key,
            q,
            json!({"from": "2024-02-27", "to": "2024-02-29", "i": "DAY", "c": "PREVIOUS_YEAR"}),
        )
        .await;
    let s = &d["series"];
    assert_eq!(
        s["buckets"][2],
        json!({"from": "2024-02-29", "to": "2024-02-29", "compared": {"from": "2023-02-28", "to": "2023-02-28"}})
    );
    assert_eq!(
        s["metrics"][0],
        json!({"values": [0, 0, 2], "previousValues": [0, 1, 1]})
    );
    // Weeks: the week 52 weeks earlier, Monday 2023-02-27 to Sunday 2023-03-05.
    let d = app
        .data(
            &key,
            q,
            json!({"from": "2024-02-26", "to": "2024-03-03", "i": "WEEK", "c": "PREVIOUS_YEAR"}),
        )
        .await;
    let s = &d["series"];
    assert_eq!(
        s["buckets"][0]["compared"],
        json!({"from": "2023-02-27", "to": "2023-03-05"})
    );
    assert_eq!(
        s["metrics"][0],
        json!({"values": [2], "previousValues": [6]})
    );
    // Months: the same month; the rate per bucket as well.
    let d = app
        .data(
            &key,
            q,
            json!({"from": "2024-01-01", "to": "2024-02-29", "i": "MONTH", "c": "PREVIOUS_YEAR"}),
        )
        .await;
    let s = &d["series"];
    assert_eq!(
        s["buckets"][1]["compared"],
        json!({"from": "2023-02-01", "to": "2023-02-28"})
    );
    assert_eq!(
        s["metrics"][0],
        json!({"values": [0, 3], "previousValues": [0, 4]})
    );
    assert_eq!(
        s["rates"][0],
        json!({"values": [null, 50.0], "previousValues": [null, 25.0]})
    );
    // PREVIOUS_PERIOD shifts each bucket by the range's length; without compareTo there
    // is nothing to compare.
    let d = app
        .data(
            &key,
            q,
            json!({"from": "2023-03-01", "to": "2023-03-01", "i": "DAY", "c": "PREVIOUS_PERIOD"}),
        )
        .await;
    assert_eq!(
        d["series"]["buckets"][0]["compared"],
        json!({"from": "2023-02-28", "to": "2023-02-28"})
    );
    assert_eq!(
        d["series"]["metrics"][0],
        json!({"values": [5], "previousValues": [1]})
    );
    let d = app
        .data(
            &key,
            q,
            json!({"from": "2023-03-01", "to": "2023-03-01", "i": "DAY"}),
        )
        .await;
    assert_eq!(
        d["series"]["metrics"][0],
        json!({"values": [5], "previousValues": null})
    );
    assert_eq!(d["series"]["buckets"][0]["compared"], Value::Null);
}

#[tokio::test]
async fn the_monthly_summary_gives_the_same_month_a_year_earlier() {
    let (app, key) = two_februaries().await;
    let q = r#"{ monthlyReport(month: "2024-02") { summary { uploads {
        current previous change changePercent yearAgo yearAgoChange yearAgoChangePercent } } } }"#;
    let d = app.data(&key, q, json!({})).await;
    assert_eq!(
        d["monthlyReport"]["summary"]["uploads"],
        json!({"current": 3, "previous": 0, "change": 3, "changePercent": null,
               "yearAgo": 4, "yearAgoChange": -1, "yearAgoChangePercent": -25.0})
    );
}
