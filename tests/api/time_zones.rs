//! Local day and month are computed at ingest in the environment's zone.
use crate::helpers::{TestApp, spawn_app};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

async fn local_days(app: &TestApp) -> Vec<(String, String, String)> {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id, CAST(local_day AS TEXT) AS day, local_month FROM events ORDER BY id"
                .to_owned(),
        ))
        .await
        .expect("query");
    rows.iter()
        .map(|r| {
            (
                r.try_get::<String>("", "id").unwrap(),
                r.try_get::<String>("", "day").unwrap(),
                r.try_get::<String>("", "local_month").unwrap(),
            )
        })
        .collect()
}

fn view(id: &str, at: &str) -> serde_json::Value {
    json!({"id": id, "type": "asset.viewed", "occurredAt": at, "assetId": "a1"})
}

#[tokio::test]
async fn west_of_utc_the_last_evening_of_a_month_stays_in_that_month() {
    let app = spawn_app().await;
    let key = app
        .environment("west", "America/Los_Angeles", "events:write")
        .await;
    // 31 Oct 2025 23:59:59 in Los Angeles (UTC-7) is already 1 Nov in UTC.
    app.ingest(
        &key,
        &[
            view("a", "2025-11-01T06:59:59Z"),
            view("b", "2025-11-01T07:00:00Z"),
            view("c", "2025-10-31T23:59:59-07:00"),
        ],
    )
    .await;
    assert_eq!(
        local_days(&app).await,
        vec![
            ("a".into(), "2025-10-31".into(), "2025-10".into()),
            ("b".into(), "2025-11-01".into(), "2025-11".into()),
            ("c".into(), "2025-10-31".into(), "2025-10".into()),
        ]
    );
}

#[tokio::test]
async fn east_of_utc_the_first_morning_of_a_month_is_in_that_month() {
    let app = spawn_app().await;
    let key = app.environment("east", "Asia/Tokyo", "events:write").await;
    // 1 Dec 2025 00:00 in Tokyo (UTC+9) is still 30 Nov in UTC.
    app.ingest(
        &key,
        &[
            view("a", "2025-11-30T14:59:59Z"),
            view("b", "2025-11-30T15:00:00Z"),
            view("c", "2025-12-01T00:00:00+09:00"),
        ],
    )
    .await;
    assert_eq!(
        local_days(&app).await,
        vec![
            ("a".into(), "2025-11-30".into(), "2025-11".into()),
            ("b".into(), "2025-12-01".into(), "2025-12".into()),
            ("c".into(), "2025-12-01".into(), "2025-12".into()),
        ]
    );
}

#[tokio::test]
async fn the_same_instant_falls_on_different_days_in_different_environments() {
    let app = spawn_app().await;
    let west = app
        .environment("west", "America/New_York", "events:write")
        .await;
    let east = app
        .environment("east", "Europe/Amsterdam", "events:write")
        .await;
    // 31 Dec 2025 23:30 UTC: New Year's Eve in New York, New Year's Day in Amsterdam.
    app.ingest(&west, &[view("w", "2025-12-31T23:30:00Z")])
        .await;
    app.ingest(&east, &[view("e", "2025-12-31T23:30:00Z")])
        .await;
    assert_eq!(
        local_days(&app).await,
        vec![
            ("e".into(), "2026-01-01".into(), "2026-01".into()),
            ("w".into(), "2025-12-31".into(), "2025-12".into()),
        ]
    );
}
