//! Content health (PRODUCT.md, "Content health"): unusedAssets over a range and
//! risingAssets of a month, worked out by hand.
use crate::helpers::spawn_app;
use crate::monthly::ev;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

fn upload(id: &str, at: &str, asset: &str, folder: &str, kind: &str) -> Value {
    ev(
        id,
        "asset.uploaded",
        at,
        Some("u1"),
        json!({"assetId": asset, "filename": format!("{asset}.jpg"), "assetType": kind, "folder": folder, "source": "WEB"}),
    )
}

fn on(id: &str, ty: &str, at: &str, asset: &str) -> Value {
    let fields = match ty {
        "asset.downloaded" => {
            json!({"assetId": asset, "actionId": id, "bulk": true, "variant": "ORIGINAL"})
        }
        "collection.downloaded" => {
            json!({"collectionId": "c1", "assetId": asset, "variant": "ORIGINAL"})
        }
        _ => json!({"assetId": asset}),
    };
    ev(id, ty, at, Some("u2"), fields)
}

/// Range October 10-20 (UTC):
/// - a1 (/brand, IMAGE) uploaded Oct 1 09:00, never used: unused.
/// - a2 uploaded Oct 10 00:00, on the range's first day: did not exist when it began.
/// - a3 from a catalog sync, no upload event, no upload time: always there, unused.
/// - a4 viewed Oct 15, a5 bulk-downloaded Oct 20, a6 downloaded from a public collection
///   Oct 12: used.
/// - a7 archived Oct 20 (inside the range): not counted; a8 deleted Oct 21 (after it):
///   unused.
/// - a9 known only from a view on Oct 5: not counted.
/// - a10 (/brand, VIDEO) uploaded Sep 1, viewed Oct 9 (before the range): unused.
#[tokio::test]
async fn unused_assets_existed_stayed_and_were_not_used_in_the_range() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let reply = app
        .post_body(
            "/v1/catalog",
            &key,
            "application/x-ndjson",
            format!(
                "{}\n",
                json!({"kind": "asset", "id": "a3", "filename": "a3.jpg", "assetType": "RAW"})
            ),
        )
        .await;
    assert_eq!(reply.json()["upserted"], 1);
    app.ingest(
        &key,
        &[
            upload("u-a1", "2025-10-01T09:00:00Z", "a1", "/brand", "IMAGE"),
            upload("u-a2", "2025-10-10T00:00:00Z", "a2", "/brand", "IMAGE"),
            upload("u-a4", "2025-10-01T09:00:00Z", "a4", "/x", "IMAGE"),
            upload("u-a5", "2025-10-01T09:00:00Z", "a5", "/x", "IMAGE"),
            upload("u-a6", "2025-10-01T09:00:00Z", "a6", "/x", "IMAGE"),
            upload("u-a7", "2025-10-01T09:00:00Z", "a7", "/x", "IMAGE"),
            upload("u-a8", "2025-10-01T10:00:00Z", "a8", "/press", "IMAGE"),
            upload("u-a10", "2025-09-01T09:00:00Z", "a10", "/brand", "VIDEO"),
            on("v4", "asset.viewed", "2025-10-15T12:00:00Z", "a4"),
            on("d5", "asset.downloaded", "2025-10-20T23:59:59Z", "a5"),
            on("c6", "collection.downloaded", "2025-10-12T12:00:00Z", "a6"),
            on("x7", "asset.archived", "2025-10-20T12:00:00Z", "a7"),
            on("x8", "asset.deleted", "2025-10-21T00:00:00Z", "a8"),
            on("v9", "asset.viewed", "2025-10-05T12:00:00Z", "a9"),
            on("v10", "asset.viewed", "2025-10-09T23:59:59Z", "a10"),
        ],
    )
    .await;
    let q = r#"query($after: String) { unusedAssets(range: {from: "2025-10-10", to: "2025-10-20"}) {
        count byFolder { value count } byAssetType { value count }
        assets(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor }
          nodes { assetId stats(range: {from: "2025-10-10", to: "2025-10-20"}) { views } } } } }"#;
    let d = app.data(&key, q, json!({})).await;
    let u = &d["unusedAssets"];
    assert_eq!(u["count"], 4);
    assert_eq!(
        u["byFolder"],
        json!([{"value": "/brand", "count": 2}, {"value": "/press", "count": 1}, {"value": null, "count": 1}])
    );
    assert_eq!(
        u["byAssetType"],
        json!([{"value": "IMAGE", "count": 2}, {"value": "RAW", "count": 1}, {"value": "VIDEO", "count": 1}])
    );
    let ids = |d: &Value| -> Vec<String> {
        d["unusedAssets"]["assets"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["assetId"].as_str().unwrap().to_owned())
            .collect()
    };
    // No upload time first, then the oldest upload.
    assert_eq!(ids(&d), ["a3", "a10", "a1"]);
    assert_eq!(u["assets"]["totalCount"], 4);
    assert_eq!(u["assets"]["nodes"][0]["stats"]["views"], 0);
    let after = u["assets"]["pageInfo"]["endCursor"].clone();
    let d = app.data(&key, q, json!({"after": after})).await;
    assert_eq!(ids(&d), ["a8"]);
    assert_eq!(
        d["unusedAssets"]["assets"]["pageInfo"]["hasNextPage"],
        false
    );
    // The CSV lists the same assets.
    let csv = app
        .get(
            "/v1/exports/unused-assets.csv?from=2025-10-10&to=2025-10-20",
            &key,
        )
        .await;
    let body = String::from_utf8(csv.body).unwrap();
    let first: Vec<&str> = body
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(first, ["a3", "a10", "a1", "a8"], "{body}");
}

fn downloads(prefix: &str, asset: &str, month: &str, n: usize, bulk: bool) -> Vec<Value> {
    (0..n)
        .map(|i| ev(&format!("{prefix}{asset}-{month}-{i}"), "asset.downloaded",
            &format!("{month}-15T10:00:00Z"), Some("u1"),
            json!({"assetId": asset, "actionId": format!("{prefix}{i}"), "bulk": bulk, "variant": "ORIGINAL"})))
        .collect()
}

/// October 2025:
/// - b1 10 downloads, none before: rising at 10 with a null ratio.
/// - b2 12, with 1 + 3 in August and September (sum 4): ratio 12 / (4/3) = 9.
/// - b3 10, with 10 in July (sum 10): exactly 3 times the average, ratio 3.
/// - b4 10, with 11 in September: not rising.
/// - b5 9, none before: below 10.
/// - b6 9 plus 5 bulk downloads: bulk ones do not count, below 10.
/// - b7 30 with 9 in June (4 months before): no history in the 3 months, rising.
#[tokio::test]
async fn rising_assets_rank_no_history_first_then_ratio() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let mut events = Vec::new();
    for (asset, month, n) in [
        ("b1", "2025-10", 10),
        ("b2", "2025-10", 12),
        ("b2", "2025-08", 1),
        ("b2", "2025-09", 3),
        ("b3", "2025-10", 10),
        ("b3", "2025-07", 10),
        ("b4", "2025-10", 10),
        ("b4", "2025-09", 11),
        ("b5", "2025-10", 9),
        ("b6", "2025-10", 9),
        ("b7", "2025-10", 30),
        ("b7", "2025-06", 9),
    ] {
        events.extend(downloads("d", asset, month, n, false));
    }
    events.extend(downloads("bulk", "b6", "2025-10", 5, true));
    app.ingest(&key, &events).await;
    let q = r#"query($after: String) { risingAssets(month: "2025-10", first: 2, after: $after) {
        totalCount countSum pageInfo { hasNextPage endCursor }
        edges { node { assetId } downloads threeMonthAverage ratio } } }"#;
    let d = app.data(&key, q, json!({})).await;
    let r = &d["risingAssets"];
    assert_eq!(r["totalCount"], 4);
    assert_eq!(r["countSum"], 62);
    assert_eq!(
        r["edges"],
        json!([
            {"node": {"assetId": "b7"}, "downloads": 30, "threeMonthAverage": 0.0, "ratio": null},
            {"node": {"assetId": "b1"}, "downloads": 10, "threeMonthAverage": 0.0, "ratio": null},
        ])
    );
    let after = r["pageInfo"]["endCursor"].clone();
    let d = app.data(&key, q, json!({"after": after})).await;
    let r = &d["risingAssets"];
    assert_eq!(
        r["edges"],
        json!([
            {"node": {"assetId": "b2"}, "downloads": 12, "threeMonthAverage": 4.0 / 3.0, "ratio": 9.0},
            {"node": {"assetId": "b3"}, "downloads": 10, "threeMonthAverage": 10.0 / 3.0, "ratio": 3.0},
        ])
    );
    assert_eq!(r["pageInfo"]["hasNextPage"], false);
}

/// The unused asset ids over October 10-20, in the list's order.
/// (`first`, up to 100, varies the document: a read cache cannot answer it from before.)
async fn unused_ids_first(app: &crate::helpers::TestApp, key: &str, first: u32) -> Vec<String> {
    let q = r#"query($first: Int) { unusedAssets(range: {from: "2025-10-10", to: "2025-10-20"}) {
        count assets(first: $first) { nodes { assetId } } } }"#;
    let d = app.data(key, q, json!({"first": first})).await;
    let ids: Vec<String> = d["unusedAssets"]["assets"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["assetId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(d["unusedAssets"]["count"], ids.len());
    ids
}

async fn unused_ids(app: &crate::helpers::TestApp, key: &str) -> Vec<String> {
    unused_ids_first(app, key, 100).await
}

/// Range October 10-20, events arriving late:
/// - e1 uploaded Oct 15; then a late upload of it on Oct 5 arrives: it existed when the
///   range began, unused.
/// - e2 uploaded Sep 1, viewed Oct 25 only (after the range): unused in it.
/// - e3 uploaded Sep 1, viewed Oct 25, then a late view of Oct 15: used.
/// - e4 uploaded Sep 1, viewed Oct 15, then a late view of Oct 5: still used.
/// - e5 uploaded Sep 1, deleted Oct 25, then a late archive of Oct 12: removed.
#[tokio::test]
async fn unused_assets_follow_late_uploads_and_uses() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(
        &key,
        &[
            upload("u-e1", "2025-10-15T09:00:00Z", "e1", "/x", "IMAGE"),
            upload("u-e2", "2025-09-01T09:00:00Z", "e2", "/x", "IMAGE"),
            upload("u-e3", "2025-09-01T09:00:00Z", "e3", "/x", "IMAGE"),
            upload("u-e4", "2025-09-01T09:00:00Z", "e4", "/x", "IMAGE"),
            upload("u-e5", "2025-09-01T09:00:00Z", "e5", "/x", "IMAGE"),
            on("v2", "asset.viewed", "2025-10-25T12:00:00Z", "e2"),
            on("v3", "asset.viewed", "2025-10-25T12:00:00Z", "e3"),
            on("v4", "asset.viewed", "2025-10-15T12:00:00Z", "e4"),
            on("x5", "asset.deleted", "2025-10-25T12:00:00Z", "e5"),
        ],
    )
    .await;
    // e5 is deleted after the range only.
    assert_eq!(unused_ids(&app, &key).await, ["e2", "e3", "e5"]);
    app.ingest(
        &key,
        &[
            upload("u-e1-late", "2025-10-05T09:00:00Z", "e1", "/x", "IMAGE"),
            on("v3-late", "asset.viewed", "2025-10-15T12:00:00Z", "e3"),
            on("v4-late", "asset.viewed", "2025-10-05T12:00:00Z", "e4"),
            on("x5-late", "asset.archived", "2025-10-12T12:00:00Z", "e5"),
        ],
    )
    .await;
    // e1's upload time is its latest upload's (Oct 15), after e2's (Sep 1).
    assert_eq!(unused_ids(&app, &key).await, ["e2", "e1"]);

    // A rollup rebuild recomputes the days off the asset rows, equal to what ingest kept
    // (cleared here first, as a database whose rows lost them).
    app.db
        .execute_unprepared(
            "UPDATE assets SET first_uploaded_day = NULL, removed_day = NULL, last_used_day = '2000-01-01'",
        )
        .await
        .unwrap();
    crate::cli::ok(&crate::cli::run(
        app.url(),
        &["rollups", "rebuild", "--environment", "acme"],
    ));
    assert_eq!(unused_ids_first(&app, &key, 99).await, ["e2", "e1"]);
}

/// (id, first uploaded, removed, last used day) of an asset row.
type AssetDays = (String, Option<String>, Option<String>, Option<String>);

/// A database at migration 000011 holding events (the asset rows without their days),
/// then migrated: the days come from the rollups, and the answer is the same as live
/// ingest's (the first test's assets: a3, a10, a1, a8 unused).
#[tokio::test]
async fn migrating_fills_the_asset_days_from_the_rollups() {
    use migration::{Migrator, MigratorTrait};
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(
        &key,
        &[
            upload("u-a1", "2025-10-01T09:00:00Z", "a1", "/brand", "IMAGE"),
            upload("u-a2", "2025-10-10T00:00:00Z", "a2", "/brand", "IMAGE"),
            upload("u-a4", "2025-10-01T09:00:00Z", "a4", "/x", "IMAGE"),
            upload("u-a7", "2025-10-01T09:00:00Z", "a7", "/x", "IMAGE"),
            upload("u-a8", "2025-10-01T10:00:00Z", "a8", "/press", "IMAGE"),
            upload("u-a10", "2025-09-01T09:00:00Z", "a10", "/brand", "VIDEO"),
            upload("u-a11", "2025-09-01T09:00:00Z", "a11", "/brand", "VIDEO"),
            on("v4", "asset.viewed", "2025-10-15T12:00:00Z", "a4"),
            on("x7", "asset.archived", "2025-10-20T12:00:00Z", "a7"),
            on("x8", "asset.deleted", "2025-10-21T00:00:00Z", "a8"),
            on("v9", "asset.viewed", "2025-10-05T12:00:00Z", "a9"),
            on("v10", "asset.viewed", "2025-10-09T23:59:59Z", "a10"),
            on("v11", "asset.viewed", "2025-10-20T23:59:59Z", "a11"),
            on("v11b", "asset.viewed", "2025-10-22T00:00:00Z", "a11"),
        ],
    )
    .await;
    let live = unused_ids(&app, &key).await;
    assert_eq!(live, ["a10", "a1", "a8"]);
    Migrator::down(&app.db, Some(1)).await.unwrap();
    let without = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT last_used_day FROM assets",
        ))
        .await;
    assert!(without.is_err(), "migration 000011 has no day columns");
    Migrator::up(&app.db, None).await.unwrap();
    let days: Vec<AssetDays> = {
        use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
        entity::asset::Entity::find()
            .select_only()
            .column(entity::asset::Column::Id)
            .column(entity::asset::Column::FirstUploadedDay)
            .column(entity::asset::Column::RemovedDay)
            .column(entity::asset::Column::LastUsedDay)
            .order_by_asc(entity::asset::Column::Id)
            .into_tuple()
            .all(&app.db)
            .await
            .unwrap()
    };
    let day = |d: &str| Some(d.to_owned());
    assert_eq!(
        days,
        [
            ("a1".into(), day("2025-10-01"), None, None),
            ("a10".into(), day("2025-09-01"), None, day("2025-10-09")),
            ("a11".into(), day("2025-09-01"), None, day("2025-10-22")),
            ("a2".into(), day("2025-10-10"), None, None),
            ("a4".into(), day("2025-10-01"), None, day("2025-10-15")),
            ("a7".into(), day("2025-10-01"), day("2025-10-20"), None),
            ("a8".into(), day("2025-10-01"), day("2025-10-21"), None),
            ("a9".into(), None, None, day("2025-10-05")),
        ]
    );
    // Ingest after the migration keeps them: a9's creating upload comes late.
    app.ingest(
        &key,
        &[upload("u-a9", "2025-09-15T09:00:00Z", "a9", "/y", "RAW")],
    )
    .await;
    assert_eq!(unused_ids(&app, &key).await, ["a10", "a9", "a1", "a8"]);
}
