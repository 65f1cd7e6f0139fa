//! The series CSV export with rates and a comparison: the columns GraphQL's `series`
//! gives (`rates`, `previousValues`, `buckets.compared`), worked out by hand.
use crate::helpers::spawn_app;
use crate::monthly::ev;
use serde_json::json;

/// 7 October: u1 searches "x", 0 results, at 09:00 (u1's next event is two days later:
/// not converted).
/// 9 October: u1 searches "logo", 5 results, at 10:00 and views an asset at 10:05
/// (converted); u2 searches "y", 0 results, at 11:00 (not converted).
/// Range 9–10 October by DAY against PREVIOUS_PERIOD: each day against the day 2 days
/// before (7 and 8 October).
/// - 9 Oct: searches 2 (7 Oct: 1); zeroResultRate 1/2 = 50 (1/1 = 100);
///   searchConversionRate 1/2 = 50 (0/1 = 0).
/// - 10 Oct: searches 0 (8 Oct: 0); both rates null (nothing to divide by): empty cells.
#[tokio::test]
async fn the_series_export_holds_rates_and_previous_values() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let search = |id: &str, at: &str, user: &str, query: &str, results: i64| {
        ev(
            id,
            "search.performed",
            at,
            Some(user),
            json!({"kind": "TEXT", "query": query, "resultCount": results}),
        )
    };
    app.ingest(
        &key,
        &[
            search("s1", "2025-10-07T09:00:00Z", "u1", "x", 0),
            search("s2", "2025-10-09T10:00:00Z", "u1", "logo", 5),
            ev(
                "v2",
                "asset.viewed",
                "2025-10-09T10:05:00Z",
                Some("u1"),
                json!({"assetId": "a1"}),
            ),
            search("s3", "2025-10-09T11:00:00Z", "u2", "y", 0),
        ],
    )
    .await;
    let reply = app
        .get(
            "/v1/exports/series.csv?metrics=SEARCHES&rates=ZERO_RESULT_RATE,SEARCH_CONVERSION_RATE&from=2025-10-09&to=2025-10-10&interval=DAY&compareTo=PREVIOUS_PERIOD",
            &key,
        )
        .await;
    let text = String::from_utf8(reply.body).unwrap();
    let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(
        lines,
        [
            "start,from,to,comparedFrom,comparedTo,SEARCHES,SEARCHES.previous,ZERO_RESULT_RATE,ZERO_RESULT_RATE.previous,SEARCH_CONVERSION_RATE,SEARCH_CONVERSION_RATE.previous",
            "2025-10-09,2025-10-09,2025-10-09,2025-10-07,2025-10-07,2,1,50.0,100.0,50.0,0.0",
            "2025-10-10,2025-10-10,2025-10-10,2025-10-08,2025-10-08,0,0,,,,",
        ]
    );

    // Without compareTo: no comparison columns; rates still follow the metrics.
    let reply = app
        .get(
            "/v1/exports/series.csv?metrics=SEARCHES&rates=ZERO_RESULT_RATE&from=2025-10-09&to=2025-10-09&interval=DAY",
            &key,
        )
        .await;
    let text = String::from_utf8(reply.body).unwrap();
    assert_eq!(
        text,
        "start,from,to,SEARCHES,ZERO_RESULT_RATE\r\n2025-10-09,2025-10-09,2025-10-09,2,50.0\r\n"
    );

    // A rate that is not one is refused, naming the parameter.
    let reply = app
        .get(
            "/v1/exports/series.csv?metrics=SEARCHES&rates=NOPE&from=2025-10-09&to=2025-10-09&interval=DAY",
            &key,
        )
        .await;
    assert_eq!(reply.status, axum::http::StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["parameter"], json!("rates"));
}
