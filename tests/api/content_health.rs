//! Content health (PRODUCT.md, "Content health"): unusedAssets over a range and
//! risingAssets of a month, worked out by hand.
use crate::helpers::spawn_app;
use crate::monthly::ev;
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
