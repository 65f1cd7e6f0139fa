//! `import --backfill`: history loaded in large batches, then the touched months' rollups
//! rebuilt set-based, equal to the rollups live ingest maintains; idempotent, and finished
//! after a crash between the two steps.
use crate::cli::{ok, run};
use crate::helpers::{FreshDatabase, TestApp, spawn_app};
use crate::rollups::{random_events_in, search_sessions};
use dam_insights::config::Config;
use dam_insights::storage::{environments, rollups};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::io::Write;

const TZ: &str = "America/New_York";

/// Every rollup row of the environment `acme`, without its environment id.
async fn rows(app: &TestApp) -> Vec<(String, String, String, String, i64)> {
    let env = environments::require(&app.db, "acme").await.unwrap();
    rollups::snapshot(&app.db, env.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.metric, r.period, r.key, r.sub, r.count))
        .collect()
}

/// (id, first uploaded, removed, last used day) of every asset, by id.
type AssetDays = (String, Option<String>, Option<String>, Option<String>);

/// The days `unusedAssets` reads off the asset rows, which a backfill's catalog writes
/// and rebuild keep as live ingest does.
async fn asset_days(app: &TestApp) -> Vec<AssetDays> {
    use entity::asset::{Column, Entity};
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let days: Vec<AssetDays> = Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::FirstUploadedDay)
        .column(Column::RemovedDay)
        .column(Column::LastUsedDay)
        .order_by_asc(Column::Id)
        .into_tuple()
        .all(&app.db)
        .await
        .unwrap();
    assert!(days.iter().any(|d| d.3.is_some()), "{days:?}");
    days
}

/// Answers of reports that read rollups (summary, rankings with stats, trends) and the
/// catalog, for October and November 2025.
async fn reports(app: &TestApp, key: &str) -> Vec<Value> {
    let q = r#"query($m: Month!) { monthlyReport(month: $m) {
        summary { activeUsers { current previous } uploads { current } searches { current }
                  downloads { current } collectionsViewed { current } }
        downloads { topAssets(first: 20) { totalCount edges { node { assetId filename
            stats(range: {from: "2025-09-01", to: "2025-11-30"}) { views downloads downloaders collections } }
            downloads users } } }
    } }"#;
    let mut out = Vec::new();
    for m in ["2025-09", "2025-10", "2025-11"] {
        out.push(app.data(key, q, json!({"m": m})).await);
    }
    // The assets nobody used, off the asset rows' days (kept by the catalog writes and
    // the rebuild), over a range that ends before the last events and one that does not.
    let q = r#"query($from: Date!, $to: Date!) { unusedAssets(range: {from: $from, to: $to}) {
        count byFolder { value count } assets(first: 100) { nodes { assetId } } } }"#;
    for (from, to) in [("2025-10-05", "2025-10-20"), ("2025-09-15", "2025-11-30")] {
        out.push(app.data(key, q, json!({"from": from, "to": to})).await);
    }
    out
}

fn ndjson(events: &[Value], extra: &[&str]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for e in events {
        writeln!(file, "{e}").unwrap();
    }
    for line in extra {
        writeln!(file, "{line}").unwrap();
    }
    file.flush().unwrap();
    file
}

fn backfill(url: &str, path: &str) -> std::process::Output {
    run(
        url,
        &["import", path, "--environment", "acme", "--backfill"],
    )
}

#[tokio::test]
async fn backfilled_rollups_equal_maintained_ones_and_a_rerun_changes_nothing() {
    let mut events = random_events_in(2500, 42, 9..=11, "e");
    events.extend(search_sessions(400, 2500));
    let later = random_events_in(300, 43, 10..=11, "late");

    // Live ingest, in batches, then a later stream.
    let live = spawn_app().await;
    let live_key = live
        .environment("acme", TZ, "reports:read,events:write")
        .await;
    for chunk in events.chunks(700) {
        live.ingest(&live_key, chunk).await;
    }
    live.ingest(&live_key, &later).await;

    // The same events backfilled from a file (with repeats and bad lines), then the
    // later stream through live ingest.
    let back = spawn_app().await;
    let back_key = back
        .environment("acme", TZ, "reports:read,events:write")
        .await;
    let repeats: Vec<Value> = events.iter().step_by(10).cloned().collect();
    let mut lines = events.clone();
    lines.extend(repeats.iter().cloned());
    let bad = [
        "{not json",
        r#"{"id":"bad1","type":"asset.teleported","occurredAt":"2025-10-03T09:00:00Z"}"#,
        r#"{"id":"bad2","type":"asset.viewed","occurredAt":"2025-10-03T09:00:00Z"}"#,
    ];
    let file = ndjson(&lines, &bad);
    let path = file.path().to_str().unwrap();
    let output = backfill(back.url(), path);
    assert!(
        !output.status.success(),
        "rejections make the exit status fail"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{} accepted, {} duplicates, 3 rejected",
            events.len(),
            repeats.len()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("backfilled "), "{stderr}");
    assert!(stderr.contains("month(s) rebuilt from"), "{stderr}");
    assert!(
        stderr.contains("event bad1: type: unknown event type"),
        "{stderr}"
    );
    assert!(stderr.contains("event bad2: assetId: "), "{stderr}");
    back.ingest(&back_key, &later).await;

    let maintained = rows(&live).await;
    assert!(maintained.len() > 100, "{}", maintained.len());
    assert_eq!(rows(&back).await, maintained);
    assert_eq!(
        reports(&back, &back_key).await,
        reports(&live, &live_key).await
    );
    for table in ["assets", "users", "collections", "jobs", "events"] {
        assert_eq!(back.count(table).await, live.count(table).await, "{table}");
    }
    assert_eq!(asset_days(&back).await, asset_days(&live).await);

    // Again: every event a repeat, nothing changes.
    let clean = ndjson(&events, &[]);
    let output = backfill(back.url(), clean.path().to_str().unwrap());
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    ok(&output);
    assert!(
        stderr.contains(&format!(
            "0 accepted, {} duplicates, 0 rejected",
            events.len()
        )),
        "{stderr}"
    );
    assert_eq!(rows(&back).await, maintained);
}

/// Marks `month` as owed a rebuild and spoils its rollups, as a backfill that died after
/// storing its events and before rebuilding would have left it.
async fn crash_in(app: &TestApp, month: &str) {
    let env = environments::require(&app.db, "acme").await.unwrap();
    let backend = app.db.get_database_backend();
    for sql in [
        format!(
            "DELETE FROM rollups WHERE environment_id = {} AND period LIKE '{month}%'",
            env.id
        ),
        format!(
            "INSERT INTO pending_rebuilds (environment_id, month) VALUES ({}, '{month}')",
            env.id
        ),
    ] {
        app.db
            .execute_raw(Statement::from_string(backend, sql))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn months_a_crashed_backfill_owes_are_rebuilt_by_the_next_backfill_and_at_startup() {
    let events = random_events_in(800, 5, 9..=11, "e");
    let app = spawn_app().await;
    app.environment("acme", TZ, "reports:read,events:write")
        .await;
    let file = ndjson(&events, &[]);
    ok(&backfill(app.url(), file.path().to_str().unwrap()));
    let good = rows(&app).await;
    assert!(good.iter().any(|r| r.1.starts_with("2025-10")));

    crash_in(&app, "2025-10").await;
    assert_ne!(rows(&app).await, good);
    // The next backfill (here of nothing new) finishes the owed month first.
    let output = backfill(app.url(), file.path().to_str().unwrap());
    ok(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the rollups of 1 month(s) rebuilt"),
        "{stderr}"
    );
    assert_eq!(rows(&app).await, good);

    // A server starting on the database finishes it too.
    crash_in(&app, "2025-10").await;
    let shared = FreshDatabase::shared_url(app.url());
    let state = dam_insights::build(Config::for_database(shared.url.clone()))
        .await
        .unwrap();
    let second = TestApp::from_state(state, shared);
    assert_eq!(rows(&second).await, good);
}
