//! Search effectiveness (PRODUCT.md, "Search effectiveness"): zero-result searches and
//! conversions, monthly and over any range, on small data worked out by hand.
use crate::helpers::{TestApp, spawn_app};
use crate::monthly::ev;
use serde_json::{Value, json};

fn search(
    id: &str,
    at: &str,
    user: Option<&str>,
    kind: &str,
    query: &str,
    results: Option<i64>,
) -> Value {
    let mut e = ev(
        id,
        "search.performed",
        at,
        user,
        json!({"kind": kind, "query": query, "expression": query}),
    );
    if let Some(n) = results {
        e["resultCount"] = json!(n);
    }
    e
}

fn view(id: &str, at: &str, user: &str) -> Value {
    ev(id, "asset.viewed", at, Some(user), json!({"assetId": "a1"}))
}

fn download(id: &str, at: &str, user: &str, bulk: bool) -> Value {
    ev(
        id,
        "asset.downloaded",
        at,
        Some(user),
        json!({"assetId": "a2", "actionId": id, "bulk": bulk, "variant": "ORIGINAL"}),
    )
}

/// September: u1's s0 at 23:50 on the 30th, converted by a view 20 minutes later (on
/// October 1st: counted in September, the search's month).
/// October 7th:
/// - s1 u1 "Beach Sunset", 0 results, 10:00; u1 views at 10:30:00.000: converted (exactly
///   30 minutes).
/// - s2 u2 "beach  sunset", 0 results, 11:00; u2 views at 11:30:00.001: not converted.
/// - s3 anonymous VISUAL_TEXT "Beach sunset", 0 results: no user, so neither converted
///   nor among known users' searches; its query counts.
/// - s4 u1 "logo", 5 results, 12:00; s5 u1 FILTER, 3 results, 12:10; u1 bulk download at
///   12:15: converts s5, not s4 (it comes after u1's next search).
/// - s6 u3 "tree" without resultCount, 13:00; u3 views at 13:05: converted; in neither
///   result-count figure.
/// - s7 u3 EXPRESSION, 0 results, 14:00: a zero-result search but not a query.
/// - s8 u4 "car", 0 results, 15:00; s9 u4 "car", 1 result, 15:01; nothing after.
///
/// October: searchesWithResultCount 8 (all but s6), zeroResultSearches 5 (s1 s2 s3 s7
/// s8): 62.5 %; known users' searches 8 (all but s3), converted 3 (s1 s5 s6): 37.5 %.
/// September: 1 of 1 each: 100 %.
async fn september_and_october() -> (TestApp, String) {
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(
        &key,
        &[
            search("s0", "2025-09-30T23:50:00Z", Some("u1"), "TEXT", "x", Some(0)),
            view("v0", "2025-10-01T00:10:00Z", "u1"),
            search("s1", "2025-10-07T10:00:00Z", Some("u1"), "TEXT", "Beach Sunset", Some(0)),
            view("v1", "2025-10-07T10:30:00.000Z", "u1"),
            search("s2", "2025-10-07T11:00:00Z", Some("u2"), "TEXT", "beach  sunset", Some(0)),
            view("v2", "2025-10-07T11:30:00.001Z", "u2"),
            search("s3", "2025-10-07T11:00:00Z", None, "VISUAL_TEXT", "Beach sunset", Some(0)),
            search("s4", "2025-10-07T12:00:00Z", Some("u1"), "TEXT", "logo", Some(5)),
            ev("s5", "search.performed", "2025-10-07T12:10:00Z", Some("u1"),
               json!({"kind": "FILTER", "filters": [{"field": "Region", "value": "EMEA"}], "resultCount": 3})),
            download("d5", "2025-10-07T12:15:00Z", "u1", true),
            search("s6", "2025-10-07T13:00:00Z", Some("u3"), "TEXT", "tree", None),
            view("v6", "2025-10-07T13:05:00Z", "u3"),
            search("s7", "2025-10-07T14:00:00Z", Some("u3"), "EXPRESSION", "tags:none", Some(0)),
            search("s8", "2025-10-07T15:00:00Z", Some("u4"), "TEXT", "Car", Some(0)),
            search("s9", "2025-10-07T15:01:00Z", Some("u4"), "TEXT", "car", Some(1)),
        ],
    )
    .await;
    (app, key)
}

const MONTHLY: &str = r#"query($month: Month!) { monthlyReport(month: $month) { search { effectiveness {
    searchesWithResultCount { current previous change changePercent }
    zeroResultSearches { current previous change changePercent }
    zeroResultRate { current previous change changePercent }
    convertedSearches { current previous change changePercent }
    searchConversionRate { current previous change changePercent }
    topZeroResultQueries { totalCount countSum edges { node { query count users } } }
    zeroResultRateTrend { month value }
    searchConversionRateTrend { month value }
    convertedSearchesTrend { month value } } } } }"#;

async fn monthly(app: &TestApp, key: &str, month: &str) -> Value {
    let d = app.data(key, MONTHLY, json!({"month": month})).await;
    d["monthlyReport"]["search"]["effectiveness"].clone()
}

#[tokio::test]
async fn the_monthly_search_report_counts_zero_results_and_conversions() {
    let (app, key) = september_and_october().await;
    let e = monthly(&app, &key, "2025-10").await;
    assert_eq!(
        e["searchesWithResultCount"],
        json!({"current": 8, "previous": 1, "change": 7, "changePercent": 700.0})
    );
    assert_eq!(
        e["zeroResultSearches"],
        json!({"current": 5, "previous": 1, "change": 4, "changePercent": 400.0})
    );
    // A rate's change is in points; its changePercent is relative.
    assert_eq!(
        e["zeroResultRate"],
        json!({"current": 62.5, "previous": 100.0, "change": -37.5, "changePercent": -37.5})
    );
    assert_eq!(
        e["convertedSearches"],
        json!({"current": 3, "previous": 1, "change": 2, "changePercent": 200.0})
    );
    assert_eq!(
        e["searchConversionRate"],
        json!({"current": 37.5, "previous": 100.0, "change": -62.5, "changePercent": -62.5})
    );
    // TEXT and VISUAL_TEXT in one list, anonymous searches counted but not as users;
    // s7's expression is no query.
    assert_eq!(
        e["topZeroResultQueries"],
        json!({"totalCount": 2, "countSum": 4, "edges": [
            {"node": {"query": "beach sunset", "count": 3, "users": 2}},
            {"node": {"query": "car", "count": 1, "users": 1}},
        ]})
    );
    let trend = e["zeroResultRateTrend"].as_array().unwrap();
    assert_eq!(trend.len(), 12);
    assert_eq!(trend[9], json!({"month": "2025-08", "value": null}));
    assert_eq!(trend[10], json!({"month": "2025-09", "value": 100.0}));
    assert_eq!(trend[11], json!({"month": "2025-10", "value": 62.5}));
    assert_eq!(e["searchConversionRateTrend"][11]["value"], 37.5);
    assert_eq!(e["convertedSearchesTrend"][10]["value"], 1);
}

#[tokio::test]
async fn late_events_re_evaluate_conversions_and_a_past_month_can_go_down() {
    let (app, key) = september_and_october().await;
    app.ingest(
        &key,
        &[
            // u1 searches again at 00:05 on October 1st: v0 (00:10) now follows that
            // search, so s0 in September loses its conversion and s10 wins it.
            search("s10", "2025-10-01T00:05:00Z", Some("u1"), "TEXT", "y", None),
            // u2 viewed at 11:20 after all: s2 is converted.
            view("v2b", "2025-10-07T11:20:00Z", "u2"),
            // u4's download at 15:00:30 lies between s8 and s9: it converts s8.
            download("d8", "2025-10-07T15:00:30Z", "u4", false),
        ],
    )
    .await;
    let sept = monthly(&app, &key, "2025-09").await;
    assert_eq!(sept["convertedSearches"]["current"], 0);
    assert_eq!(sept["searchConversionRate"]["current"], 0.0);
    let oct = monthly(&app, &key, "2025-10").await;
    // s1 s2 s5 s6 s8 s10 of 9 known users' searches.
    assert_eq!(oct["convertedSearches"]["current"], 6);
    assert_eq!(oct["convertedSearches"]["previous"], 0);
    assert_eq!(oct["searchConversionRate"]["current"], 600.0 / 9.0);
    // The drilldown lists exactly the converted searches, newest first.
    let q = r#"{ insights(range: {from: "2025-09-01", to: "2025-10-31"}) { search {
        convertedSearches { current events(first: 10) { totalCount nodes { eventId } } } } } }"#;
    let d = app.data(&key, q, json!({})).await;
    let c = &d["insights"]["search"]["convertedSearches"];
    assert_eq!(c["current"], 6);
    assert_eq!(
        c["events"],
        json!({"totalCount": 6, "nodes": [
            {"eventId": "s8"}, {"eventId": "s6"}, {"eventId": "s5"}, {"eventId": "s2"}, {"eventId": "s1"}, {"eventId": "s10"}]})
    );
}

#[tokio::test]
async fn a_date_range_compares_with_the_period_before_and_series_give_rates_per_bucket() {
    let (app, key) = september_and_october().await;
    // October 6-7 against October 4-5 (nothing there).
    let q = r#"{ insights(range: {from: "2025-10-06", to: "2025-10-07"}) { previousRange { from to } search {
        searchesWithResultCount { current previous }
        zeroResultSearches { current previous events(first: 10) { totalCount nodes { eventId } } }
        zeroResultRate { current previous change changePercent }
        searchConversionRate { current previous change }
        topZeroResultQueries(first: 1) { totalCount countSum edges { node { query count users } } } } } }"#;
    let d = app.data(&key, q, json!({})).await;
    let s = &d["insights"]["search"];
    assert_eq!(
        d["insights"]["previousRange"],
        json!({"from": "2025-10-04", "to": "2025-10-05"})
    );
    assert_eq!(
        s["searchesWithResultCount"],
        json!({"current": 8, "previous": 0})
    );
    assert_eq!(s["zeroResultSearches"]["current"], 5);
    assert_eq!(
        s["zeroResultSearches"]["events"],
        json!({"totalCount": 5, "nodes": [{"eventId": "s8"}, {"eventId": "s7"}, {"eventId": "s3"}, {"eventId": "s2"}, {"eventId": "s1"}]})
    );
    assert_eq!(
        s["zeroResultRate"],
        json!({"current": 62.5, "previous": null, "change": null, "changePercent": null})
    );
    assert_eq!(
        s["searchConversionRate"],
        json!({"current": 37.5, "previous": null, "change": null})
    );
    assert_eq!(
        s["topZeroResultQueries"],
        json!({"totalCount": 2, "countSum": 4, "edges": [{"node": {"query": "beach sunset", "count": 3, "users": 2}}]})
    );
    // Daily buckets over September 30 to October 7: s0's conversion on the 30th.
    let q = r#"{ series(metrics: [SEARCHES_WITH_RESULT_COUNT, ZERO_RESULT_SEARCHES, CONVERTED_SEARCHES],
        rates: [ZERO_RESULT_RATE, SEARCH_CONVERSION_RATE],
        range: {from: "2025-09-30", to: "2025-10-07"}, interval: DAY) {
        metrics { metric values } rates { rate values } } }"#;
    let d = app.data(&key, q, json!({})).await;
    let series = &d["series"];
    let z = [0, 0, 0, 0, 0, 0, 0];
    let with = |first: i64, last: i64| {
        let mut v = vec![first];
        v.extend(z);
        v[7] = last;
        json!(v)
    };
    assert_eq!(series["metrics"][0]["values"], with(1, 8));
    assert_eq!(series["metrics"][1]["values"], with(1, 5));
    assert_eq!(series["metrics"][2]["values"], with(1, 3));
    let nulls = |first: f64, last: f64| {
        let mut v = vec![json!(first)];
        v.extend(std::iter::repeat_n(Value::Null, 6));
        v.push(json!(last));
        json!(v)
    };
    assert_eq!(
        series["rates"][0],
        json!({"rate": "ZERO_RESULT_RATE", "values": nulls(100.0, 62.5)})
    );
    assert_eq!(
        series["rates"][1],
        json!({"rate": "SEARCH_CONVERSION_RATE", "values": nulls(100.0, 37.5)})
    );
}

/// The search's local month holds it and its conversion, even when the view that
/// converts it falls in the next month.
async fn month_edges(zone: &str, search_at: &str, view_at: &str, next_month_search: &str) {
    let app = spawn_app().await;
    let key = app
        .environment("edge", zone, "reports:read,events:write")
        .await;
    app.ingest(
        &key,
        &[
            search("s1", search_at, Some("u1"), "TEXT", "Logo", Some(0)),
            view("v1", view_at, "u1"),
            search("s2", next_month_search, None, "TEXT", "Logo", Some(4)),
        ],
    )
    .await;
    let oct = monthly(&app, &key, "2025-10").await;
    assert_eq!(oct["zeroResultSearches"]["current"], 1, "{zone}");
    assert_eq!(oct["convertedSearches"]["current"], 1, "{zone}");
    assert_eq!(oct["zeroResultRate"]["current"], 100.0, "{zone}");
    let nov = monthly(&app, &key, "2025-11").await;
    assert_eq!(nov["searchesWithResultCount"]["current"], 1, "{zone}");
    assert_eq!(nov["zeroResultRate"]["current"], 0.0, "{zone}");
    assert_eq!(nov["convertedSearches"]["current"], 0, "{zone}");
    // An anonymous search is no known user's: no conversion rate.
    assert_eq!(
        nov["searchConversionRate"]["current"],
        Value::Null,
        "{zone}"
    );
}

#[tokio::test]
async fn kolkata_counts_by_its_own_month_edges() {
    // 18:20 UTC on October 31st is 23:50 there; 18:40 is 00:10 on November 1st; 18:31
    // is already November.
    month_edges(
        "Asia/Kolkata",
        "2025-10-31T18:20:00Z",
        "2025-10-31T18:40:00Z",
        "2025-10-31T18:31:00Z",
    )
    .await;
}

#[tokio::test]
async fn los_angeles_counts_by_its_own_month_edges() {
    // 06:50 UTC on November 1st is 23:50 on October 31st there; 07:10 is November.
    month_edges(
        "America/Los_Angeles",
        "2025-11-01T06:50:00Z",
        "2025-11-01T07:10:00Z",
        "2025-11-01T07:01:00Z",
    )
    .await;
}
