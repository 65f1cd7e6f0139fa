//! The activity log (filters, paging) and activity reports (background CSV, expiry, the
//! 30-report cap, resuming after a restart), on the dashboard's hand-built environment.
use crate::dashboard::environment;
use crate::helpers::{TestApp, spawn_app_at};
use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use dam_insights::clock::FixedClock;
use serde_json::{Value, json};

const LOG: &str = r#"query($f: ActivityLogFilter, $first: Int, $after: String) {
    activityLog(filter: $f, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { eventId } } } }"#;

async fn ids(app: &TestApp, key: &str, filter: Value) -> (Vec<String>, i64) {
    let d = app.data(key, LOG, json!({"f": filter, "first": 100})).await;
    let log = &d["activityLog"];
    let ids = log["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["eventId"].as_str().unwrap().to_owned())
        .collect();
    (ids, log["totalCount"].as_i64().unwrap())
}

fn names(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn the_log_pages_through_every_event_newest_first() {
    let (app, key) = environment().await;
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app
            .data(&key, LOG, json!({"first": 10, "after": after}))
            .await;
        let log = &d["activityLog"];
        assert_eq!(log["totalCount"], 34);
        for e in log["edges"].as_array().unwrap() {
            seen.push(e["node"]["eventId"].as_str().unwrap().to_owned());
        }
        if log["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = log["pageInfo"]["endCursor"].clone();
    }
    let expected: Vec<String> = (1..=34).rev().map(|i| format!("e{i:02}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn the_log_filters_by_type_user_asset_collection_and_range_combined() {
    let (app, key) = environment().await;
    assert_eq!(
        ids(&app, &key, json!({"types": ["asset.uploaded"]})).await,
        (names(&["e31", "e25", "e24", "e18", "e10", "e05"]), 6)
    );
    assert_eq!(
        ids(
            &app,
            &key,
            json!({"types": ["asset.deleted", "asset.archived"]})
        )
        .await,
        (names(&["e30", "e23"]), 2)
    );
    assert_eq!(
        ids(
            &app,
            &key,
            json!({"userId": "u2", "range": {"from": "2025-10-09", "to": "2025-10-10"}})
        )
        .await,
        (names(&["e33", "e32", "e31", "e28", "e27", "e26", "e25"]), 7)
    );
    assert_eq!(
        ids(&app, &key, json!({"assetId": "a2"})).await,
        (names(&["e28", "e27", "e25"]), 3)
    );
    assert_eq!(
        ids(
            &app,
            &key,
            json!({"collectionId": "c2", "types": ["collection.viewed"]})
        )
        .await,
        (names(&["e33", "e15", "e14"]), 3)
    );
    assert_eq!(
        ids(
            &app,
            &key,
            json!({"range": {"from": "2025-10-07", "to": "2025-10-08"}})
        )
        .await,
        (names(&["e23", "e22"]), 2)
    );
}

#[tokio::test]
async fn an_unknown_event_type_is_bad_input() {
    let (app, key) = environment().await;
    let answer = app
        .graphql(&key, LOG, json!({"f": {"types": ["asset.exploded"]}}))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("asset.uploaded")
    );
    let reader = app.environment("acme", "UTC", "reports:read").await;
    let answer = app.graphql(&reader, LOG, json!({})).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

const REPORTS: &str = r#"{ activityReports(first: 100) { totalCount edges { node {
    id status range { from to } rowCount createdAt expiresAt downloadUrl } } } }"#;

async fn create(app: &TestApp, key: &str, from: &str, to: &str) -> Value {
    let q = r#"mutation($r: DateRange!) { createActivityReport(range: $r) { id status range { from to } createdAt expiresAt downloadUrl } }"#;
    app.data(key, q, json!({"r": {"from": from, "to": to}}))
        .await["createActivityReport"]
        .clone()
}

/// Waits until report `id` is READY (or FAILED) and returns it.
async fn finished(app: &TestApp, key: &str, id: &str) -> Value {
    for _ in 0..500 {
        let d = app.data(key, REPORTS, json!({})).await;
        let found = d["activityReports"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .find(|n| n["id"] == id);
        if let Some(n) = found
            && (n["status"] == "READY" || n["status"] == "FAILED")
        {
            return n;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("report {id} did not finish");
}

#[tokio::test]
async fn a_report_is_made_in_the_background_and_downloads_as_csv() {
    let (app, key) = environment().await;
    let made = create(&app, &key, "2025-10-09", "2025-10-10").await;
    assert_eq!(made["status"], "PENDING");
    assert_eq!(made["createdAt"], "2025-10-10T12:00:00+00:00");
    assert_eq!(made["expiresAt"], "2025-11-09T12:00:00+00:00");
    assert_eq!(made["downloadUrl"], Value::Null);
    let id = made["id"].as_str().unwrap().to_owned();
    let report = finished(&app, &key, &id).await;
    assert_eq!(report["status"], "READY");
    assert_eq!(report["rowCount"], 11);
    let url = report["downloadUrl"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("/v1/exports/activity-reports/{id}.csv"));
    let reply = app.get(&url, &key).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type().starts_with("text/csv"));
    let text = String::from_utf8(reply.body).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 13, "{text}"); // header, 11 events, and the empty tail
    assert_eq!(
        lines[0],
        "occurredAt,day,eventId,type,userId,sessionId,assetId,collectionId,jobId,portalId,fields"
    );
    assert_eq!(
        lines[1],
        r#"2025-10-10T09:03:00+00:00,2025-10-10,e34,user.logged_in,u3,,,,,,"{""sso"":false}""#
    );
    assert_eq!(
        lines[2],
        r#"2025-10-10T09:02:00+00:00,2025-10-10,e33,collection.viewed,u2,,,c2,,,"{""viaPublicLink"":false}""#
    );
    let (head, fields) = lines[11].split_once(",\"").unwrap();
    assert_eq!(
        head,
        "2025-10-09T09:00:00+00:00,2025-10-09,e24,asset.uploaded,u1,,a1,,,"
    );
    let fields: Value =
        serde_json::from_str(&fields.trim_end_matches('"').replace("\"\"", "\"")).unwrap();
    assert_eq!(
        fields,
        json!({"assetType": "IMAGE", "filename": "a1.bin", "source": "API"})
    );
    let order: Vec<&str> = lines[1..12]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "e34", "e33", "e32", "e31", "e30", "e29", "e28", "e27", "e26", "e25", "e24"
        ]
    );
    assert_eq!(lines[12], "");
}

#[tokio::test]
async fn reports_expire_after_30_days_and_an_environment_keeps_30() {
    let start = Utc.with_ymd_and_hms(2025, 10, 10, 12, 0, 0).unwrap();
    let clock = FixedClock::new(start);
    let app = spawn_app_at(clock.clone()).await;
    let key = app.full_key().await;
    app.ingest(&key, &crate::dashboard::events()).await;
    let first = create(&app, &key, "2025-10-01", "2025-10-10").await;
    let id = first["id"].as_str().unwrap().to_owned();
    finished(&app, &key, &id).await;
    let url = format!("/v1/exports/activity-reports/{id}.csv");
    clock.set(start + Duration::days(30) - Duration::seconds(1));
    assert_eq!(app.get(&url, &key).await.status, StatusCode::OK);
    clock.set(start + Duration::days(30));
    let gone = app.get(&url, &key).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.json()["error"]["code"], "NOT_FOUND");
    let listed = app.data(&key, REPORTS, json!({})).await;
    assert_eq!(listed["activityReports"]["totalCount"], 0);

    // 31 reports, a minute apart: the 31st removes the oldest.
    let mut made = Vec::new();
    for i in 0..31 {
        clock.set(start + Duration::days(31) + Duration::minutes(i));
        made.push(
            create(&app, &key, "2025-10-09", "2025-10-09").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let listed = app.data(&key, REPORTS, json!({})).await;
    assert_eq!(listed["activityReports"]["totalCount"], 30);
    let listed_ids: Vec<String> = listed["activityReports"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    let mut expected: Vec<String> = made[1..].to_vec();
    expected.reverse();
    assert_eq!(listed_ids, expected);
    let last = made.last().unwrap().clone();
    finished(&app, &key, &last).await;
    let oldest = format!("/v1/exports/activity-reports/{}.csv", made[0]);
    assert_eq!(app.get(&oldest, &key).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_report_left_running_by_a_stopped_server_is_made_when_the_next_starts() {
    let (app, key) = environment().await;
    let env = dam_insights::storage::environments::require(&app.db, "acme")
        .await
        .unwrap();
    let at = Utc.with_ymd_and_hms(2025, 10, 10, 12, 0, 0).unwrap();
    use dam_insights::storage::activity_reports as store;
    let day = |d| chrono::NaiveDate::from_ymd_opt(2025, 10, d).unwrap();
    let report = store::create(&app.db, env.id, day(4), day(5), at)
        .await
        .unwrap();
    store::set_status(&app.db, env.id, report.id, store::RUNNING, None, None)
        .await
        .unwrap();
    store::add_chunk(&app.db, env.id, report.id, 0, "half a report".into())
        .await
        .unwrap();
    // A new server on the same database.
    let db = dam_insights::storage::connect(app.url()).await.unwrap();
    let config = dam_insights::config::Config::for_database(app.url());
    let state = dam_insights::build_with_clock(config, db, FixedClock::new(at))
        .await
        .unwrap();
    let mut restarted = app;
    restarted.router = dam_insights::app(state);
    let report = finished(&restarted, &key, &report.id.to_string()).await;
    assert_eq!(report["status"], "READY");
    // Oct 4-5: e10..e17.
    assert_eq!(report["rowCount"], 8);
    let text = String::from_utf8(
        restarted
            .get(report["downloadUrl"].as_str().unwrap(), &key)
            .await
            .body,
    )
    .unwrap();
    assert!(!text.contains("half a report"));
    assert_eq!(text.split("\r\n").filter(|l| !l.is_empty()).count(), 9);
}

#[tokio::test]
async fn a_missing_report_is_404_and_a_bad_name_400() {
    let (app, key) = environment().await;
    let missing = app.get("/v1/exports/activity-reports/999.csv", &key).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad = app
        .get("/v1/exports/activity-reports/latest.csv", &key)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["parameter"], "id");
}
