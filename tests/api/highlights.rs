//! Highlights of a month (PRODUCT.md, "Highlights"): each count metric against the mean
//! μ and population standard deviation σ of the 6 months before, and declining adoption,
//! on small data worked out by hand. The listed month is 2025-09 unless said otherwise;
//! its baseline is 2025-03 … 2025-08.
use crate::helpers::{TestApp, spawn_app};
use crate::monthly::ev;
use serde_json::{Value, json};

const HIGHLIGHTS: &str = r#"query($month: Month!) { highlights(month: $month) {
    month enoughHistory firstEventMonth
    items { kind metric direction value mean changePercent z } } }"#;

async fn highlights(app: &TestApp, key: &str, month: &str) -> Value {
    app.data(key, HIGHLIGHTS, json!({"month": month})).await["highlights"].clone()
}

/// An event of `kind` that counts for one metric only: VIEW assetViews, JOB jobsCreated,
/// ARCHIVE assetsArchived, LOGOUT logouts, COLLECTION collectionsCreated; UPLOAD counts
/// uploads and, by its user, activeUsers.
fn event(kind: &str, id: &str, at: &str, user: &str) -> Value {
    match kind {
        "VIEW" => ev(id, "asset.viewed", at, None, json!({"assetId": "a1"})),
        "JOB" => ev(
            id,
            "job.created",
            at,
            None,
            json!({"jobId": id, "name": "Review", "workflow": "Default"}),
        ),
        "ARCHIVE" => ev(id, "asset.archived", at, None, json!({"assetId": id})),
        "LOGOUT" => ev(id, "user.logged_out", at, Some(user), json!({})),
        "COLLECTION" => ev(
            id,
            "collection.created",
            at,
            None,
            json!({"collectionId": id, "name": "Spring", "public": false}),
        ),
        "UPLOAD" => ev(
            id,
            "asset.uploaded",
            at,
            Some(user),
            json!({"assetId": id, "filename": "a.jpg", "assetType": "IMAGE", "source": "WEB"}),
        ),
        other => panic!("no event kind {other}"),
    }
}

/// `counts[i]` events of `kind` in the i-th month from 2025-03 on, on its 10th day a
/// minute apart, each by its own user (u0, u1, …).
fn monthly(kind: &str, counts: &[usize]) -> Vec<Value> {
    let mut out = Vec::new();
    for (i, &n) in counts.iter().enumerate() {
        let month = 3 + i;
        for j in 0..n {
            let at = format!("2025-{month:02}-10T10:{j:02}:00Z");
            out.push(event(
                kind,
                &format!("{kind}-{month}-{j}"),
                &at,
                &format!("u{j}"),
            ));
        }
    }
    out
}

fn close(actual: &Value, want: f64) {
    let got = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!((got - want).abs() < 1e-9, "{got} is not {want}");
}

/// assetViews 10 a month, then 12 in September: σ = 0, so z is null; 12 is 20% above
/// μ = 10, flagged UP with changePercent (12 − 10) / 10 × 100 = 20. jobsCreated 10 a month
/// then 11: beyond 2σ = 0 but only 10% above μ, not flagged.
#[tokio::test]
async fn a_flat_baseline_flags_a_fifth_more_with_a_null_z() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let mut events = monthly("VIEW", &[10, 10, 10, 10, 10, 10, 12]);
    events.extend(monthly("JOB", &[10, 10, 10, 10, 10, 10, 11]));
    app.ingest(&key, &events).await;
    let h = highlights(&app, &key, "2025-09").await;
    assert_eq!(
        h,
        json!({"month": "2025-09", "enoughHistory": true, "firstEventMonth": "2025-03",
               "items": [{"kind": "SIGNIFICANT_CHANGE", "metric": "ASSET_VIEWS", "direction": "UP",
                          "value": 12, "mean": 10.0, "changePercent": 20.0, "z": null}]})
    );
}

/// μ = 0: logouts 0 a month then 5 in September is flagged UP with changePercent and z
/// null; collectionsCreated 0 then 4 is not. (assetViews 3 every month, never flagged,
/// makes March the first month.)
#[tokio::test]
async fn a_zero_baseline_flags_five_but_not_four() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let mut events = monthly("VIEW", &[3; 7]);
    events.extend(monthly("LOGOUT", &[0, 0, 0, 0, 0, 0, 5]));
    events.extend(monthly("COLLECTION", &[0, 0, 0, 0, 0, 0, 4]));
    app.ingest(&key, &events).await;
    let h = highlights(&app, &key, "2025-09").await;
    assert_eq!(
        h["items"],
        json!([{"kind": "SIGNIFICANT_CHANGE", "metric": "LOGOUTS", "direction": "UP",
                "value": 5, "mean": 0.0, "changePercent": null, "z": null}])
    );
}

/// Baselines that vary:
/// - assetViews 0, 20, 0, 20, 0, 20: μ = 10, σ = 10. September 30 is exactly 2σ above
///   (included): UP, changePercent 200, z 2.
/// - jobsCreated the same, September 29: 19 above, within 2σ, not flagged.
/// - assetsArchived 10, 12, 10, 12, 10, 12: μ = 11, σ = 1. September 8: 3 below (≥ 2σ,
///   ≥ 2.2): DOWN, changePercent −3 / 11 × 100 = −27.27…, z −3.
#[tokio::test]
async fn two_sigma_is_the_bar_and_within_it_nothing_is_flagged() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let mut events = monthly("VIEW", &[0, 20, 0, 20, 0, 20, 30]);
    events.extend(monthly("JOB", &[0, 20, 0, 20, 0, 20, 29]));
    events.extend(monthly("ARCHIVE", &[10, 12, 10, 12, 10, 12, 8]));
    app.ingest(&key, &events).await;
    let items = highlights(&app, &key, "2025-09").await["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 2, "{items}");
    let views = &items[0];
    assert_eq!(
        (&views["metric"], &views["direction"], &views["value"]),
        (&json!("ASSET_VIEWS"), &json!("UP"), &json!(30))
    );
    close(&views["mean"], 10.0);
    close(&views["changePercent"], 200.0);
    close(&views["z"], 2.0);
    let archived = &items[1];
    assert_eq!(
        (
            &archived["metric"],
            &archived["direction"],
            &archived["value"]
        ),
        (&json!("ASSETS_ARCHIVED"), &json!("DOWN"), &json!(8))
    );
    close(&archived["mean"], 11.0);
    close(&archived["changePercent"], -300.0 / 11.0);
    close(&archived["z"], -3.0);
}

/// Every kind of order at once:
/// - uploads, each by its own user, 10, 10, 10, 9, 8, 7 then 6: activeUsers is the same.
///   It fell June 9 > July 8 > August 7 > September 6: DECLINING_ADOPTION, value 6,
///   against June's 9: changePercent −33.33…, z null. Against the baseline (S = 54,
///   μ = 9, n·Q − S² = 6 × 494 − 54² = 48, σ = √48 / 6): 6 is 3 below, ≥ 2σ ≈ 2.31 and
///   ≥ 1.8, so both uploads and activeUsers are SIGNIFICANT_CHANGE DOWN, changePercent
///   −33.33…, z = −18 / √48 ≈ −2.598: tied, ACTIVE_USERS before UPLOADS.
/// - collectionsCreated 0 then 7 and logouts 0 then 5: null changePercent, before every
///   number; tied, COLLECTIONS_CREATED before LOGOUTS (by enum value, not by value).
/// - assetViews 10 then 15 (+50%) and jobsCreated 10 then 5 (−50%): tied on |50|,
///   ASSET_VIEWS before JOBS_CREATED.
#[tokio::test]
async fn declining_adoption_comes_first_then_null_change_then_the_largest_change_then_the_enum() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let mut events = monthly("UPLOAD", &[10, 10, 10, 9, 8, 7, 6]);
    events.extend(monthly("COLLECTION", &[0, 0, 0, 0, 0, 0, 7]));
    events.extend(monthly("LOGOUT", &[0, 0, 0, 0, 0, 0, 5]));
    events.extend(monthly("VIEW", &[10, 10, 10, 10, 10, 10, 15]));
    events.extend(monthly("JOB", &[10, 10, 10, 10, 10, 10, 5]));
    app.ingest(&key, &events).await;
    let items = highlights(&app, &key, "2025-09").await["items"].clone();
    let order: Vec<(&str, &str)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["metric"].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            ("DECLINING_ADOPTION", "ACTIVE_USERS"),
            ("SIGNIFICANT_CHANGE", "COLLECTIONS_CREATED"),
            ("SIGNIFICANT_CHANGE", "LOGOUTS"),
            ("SIGNIFICANT_CHANGE", "ASSET_VIEWS"),
            ("SIGNIFICANT_CHANGE", "JOBS_CREATED"),
            ("SIGNIFICANT_CHANGE", "ACTIVE_USERS"),
            ("SIGNIFICANT_CHANGE", "UPLOADS"),
        ]
    );
    let declining = &items[0];
    assert_eq!(
        (
            &declining["direction"],
            &declining["value"],
            &declining["z"]
        ),
        (&json!("DOWN"), &json!(6), &Value::Null)
    );
    close(&declining["mean"], 9.0);
    close(&declining["changePercent"], -100.0 / 3.0);
    assert_eq!(
        items[1],
        json!({"kind": "SIGNIFICANT_CHANGE", "metric": "COLLECTIONS_CREATED", "direction": "UP",
               "value": 7, "mean": 0.0, "changePercent": null, "z": null})
    );
    assert_eq!(
        items[4],
        json!({"kind": "SIGNIFICANT_CHANGE", "metric": "JOBS_CREATED", "direction": "DOWN",
               "value": 5, "mean": 10.0, "changePercent": -50.0, "z": null})
    );
    let active = &items[5];
    assert_eq!(
        (&active["direction"], &active["value"]),
        (&json!("DOWN"), &json!(6))
    );
    close(&active["mean"], 9.0);
    close(&active["changePercent"], -100.0 / 3.0);
    close(&active["z"], -18.0 / 48f64.sqrt());
}

/// activeUsers 5 a month, then June 9, July 8, August 8, September 7: it did not fall
/// in July → August, so no DECLINING_ADOPTION (and 7 is within 2σ of its baseline:
/// S = 40, n·Q − S² = 6 × 284 − 1600 = 104, (6 × 7 − 40)² = 4 < 4 × 104).
#[tokio::test]
async fn a_month_without_a_fall_is_not_declining_adoption() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(&key, &monthly("UPLOAD", &[5, 5, 5, 9, 8, 8, 7]))
        .await;
    let h = highlights(&app, &key, "2025-09").await;
    assert_eq!(h["items"], json!([]));
    assert_eq!(h["enoughHistory"], json!(true));
}

/// The first event is in April 2025: September's baseline would start in March, before
/// it, so September has no highlights (though logouts jump from 0 to 9); October's
/// (April … September) is whole, and October's 0 logouts against μ = 1.5 (σ = 3.35) is
/// within 2σ. An environment without events has no history at all.
#[tokio::test]
async fn months_before_the_first_event_mean_not_enough_history() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let mut events = monthly("VIEW", &[0, 1, 1, 1, 1, 1, 1, 1]);
    events.extend(monthly("LOGOUT", &[0, 0, 0, 0, 0, 0, 9]));
    app.ingest(&key, &events).await;
    assert_eq!(
        highlights(&app, &key, "2025-09").await,
        json!({"month": "2025-09", "enoughHistory": false, "firstEventMonth": "2025-04", "items": []})
    );
    let october = highlights(&app, &key, "2025-10").await;
    assert_eq!(october["enoughHistory"], json!(true));
    assert_eq!(october["items"], json!([]));

    let empty = app.environment("empty", "UTC", "reports:read").await;
    assert_eq!(
        highlights(&app, &empty, "2025-09").await,
        json!({"month": "2025-09", "enoughHistory": false, "firstEventMonth": null, "items": []})
    );
}

/// The same events in Asia/Kolkata (UTC+05:30) and in UTC:
/// - the first, an asset.viewed at 2025-02-28T19:00Z, is 1 March 00:30 in Kolkata;
/// - 2 views a month on the 10th, March to September;
/// - logouts: one at 2025-08-31T19:00Z (1 September 00:30 in Kolkata) and 4 on
///   September 10th.
///
/// Kolkata: first month 2025-03; logouts 0 a month, then 5 in September: flagged, with
/// null changePercent and z. assetViews 3, 2, 2, 2, 2, 2 then 2: 1/6 below μ, within
/// 2σ (S = 13, n·Q − S² = 174 − 169 = 5, (12 − 13)² = 1 < 20).
/// UTC: first month 2025-02; logouts 0, 0, 0, 0, 0, 1 then 4: S = 1, n·Q − S² = 5,
/// d = 6 × 4 − 1 = 23, 23² ≥ 20: UP, μ = 1/6, changePercent 2300, z = 23 / √5.
/// assetViews 2 every month from March (February's view is before the baseline): flat.
#[tokio::test]
async fn months_are_the_environment_s_local_months() {
    let app = spawn_app().await;
    let scopes = "reports:read,events:write";
    let kolkata = app.environment("kolkata", "Asia/Kolkata", scopes).await;
    let utc = app.environment("utc", "UTC", scopes).await;
    let mut events = vec![
        event("VIEW", "first", "2025-02-28T19:00:00Z", ""),
        event("LOGOUT", "edge", "2025-08-31T19:00:00Z", "u9"),
    ];
    events.extend(monthly("VIEW", &[2; 7]));
    events.extend(monthly("LOGOUT", &[0, 0, 0, 0, 0, 0, 4]));
    app.ingest(&kolkata, &events).await;
    app.ingest(&utc, &events).await;

    let k = highlights(&app, &kolkata, "2025-09").await;
    assert_eq!(k["firstEventMonth"], json!("2025-03"));
    assert_eq!(
        k["items"],
        json!([{"kind": "SIGNIFICANT_CHANGE", "metric": "LOGOUTS", "direction": "UP",
                "value": 5, "mean": 0.0, "changePercent": null, "z": null}])
    );

    let u = highlights(&app, &utc, "2025-09").await;
    assert_eq!(u["firstEventMonth"], json!("2025-02"));
    let items = u["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{u}");
    assert_eq!(
        (
            &items[0]["metric"],
            &items[0]["direction"],
            &items[0]["value"]
        ),
        (&json!("LOGOUTS"), &json!("UP"), &json!(4))
    );
    close(&items[0]["mean"], 1.0 / 6.0);
    close(&items[0]["changePercent"], 2300.0);
    close(&items[0]["z"], 23.0 / 5f64.sqrt());
}

#[tokio::test]
async fn a_malformed_month_is_refused() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let answer = app
        .graphql(&key, HIGHLIGHTS, json!({"month": "2025-13"}))
        .await;
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is not a month"),
        "{answer}"
    );
}
