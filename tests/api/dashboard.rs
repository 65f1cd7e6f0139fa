//! The admin dashboard on a hand-built environment whose figures were worked out by hand:
//! deleted and archived assets, a deleted user, unpublished collections, a portal taken
//! offline, and activity inside and outside the 7-day window. The clock says
//! 2025-10-10 12:00 UTC, so LAST_7_DAYS is Oct 4-10 and LAST_30_DAYS Sep 11 - Oct 10.
use crate::helpers::{TestApp, spawn_app_at};
use crate::monthly::ev;
use chrono::{TimeZone, Utc};
use dam_insights::clock::FixedClock;
use serde_json::{Value, json};

fn at(day: u32, hour: u32, minute: u32) -> String {
    format!("2025-10-{day:02}T{hour:02}:{minute:02}:00Z")
}

fn upload(id: &str, t: String, user: &str, asset: &str, kind: &str, source: &str) -> Value {
    ev(
        id,
        "asset.uploaded",
        &t,
        Some(user),
        json!({"assetId": asset, "filename": format!("{asset}.bin"), "assetType": kind, "source": source}),
    )
}

pub fn user_created(id: &str, t: String, user: &str, role: &str, by: Option<&str>) -> Value {
    let mut f = json!({"email": format!("{user}@example.com"), "name": user.to_uppercase(), "role": role, "groups": ["Team"], "via": "MANUAL"});
    if let Some(by) = by {
        f["byUserId"] = json!(by);
    }
    ev(id, "user.created", &t, Some(user), f)
}

fn add(id: &str, t: String, user: &str, asset: &str, collection: &str) -> Value {
    ev(
        id,
        "asset.added_to_collection",
        &t,
        Some(user),
        json!({"assetId": asset, "collectionId": collection}),
    )
}

pub fn view(id: &str, t: String, user: Option<&str>, collection: &str, public: bool) -> Value {
    ev(
        id,
        "collection.viewed",
        &t,
        user,
        json!({"collectionId": collection, "viaPublicLink": public}),
    )
}

pub fn created(id: &str, t: String, user: &str, collection: &str, public: bool) -> Value {
    ev(
        id,
        "collection.created",
        &t,
        Some(user),
        json!({"collectionId": collection, "name": collection.to_uppercase(), "public": public}),
    )
}

fn portal(id: &str, t: String, user: &str, portal: &str, count: i64) -> Value {
    ev(
        id,
        "portal.published",
        &t,
        Some(user),
        json!({"portalId": portal, "name": portal, "assetCount": count}),
    )
}

/// The events of the hand-built environment (see the module doc).
pub fn events() -> Vec<Value> {
    vec![
        user_created("e01", at(1, 8, 0), "u1", "Admin", None),
        user_created("e02", at(1, 8, 1), "u2", "Editor", Some("u1")),
        user_created("e03", at(1, 8, 2), "u3", "Editor", Some("u1")),
        user_created("e04", at(1, 8, 3), "u4", "Viewer", Some("u1")),
        upload("e05", at(1, 9, 0), "u1", "a4", "RAW", "MASS_UPLOADER"),
        created("e06", at(1, 9, 1), "u1", "c3", true),
        add("e07", at(1, 9, 2), "u1", "a4", "c3"),
        view("e08", at(1, 9, 3), Some("u2"), "c3", false),
        portal("e09", at(1, 9, 4), "u1", "p2", 5),
        upload("e10", at(4, 9, 0), "u1", "a5", "IMAGE", "API"),
        created("e11", at(4, 9, 1), "u2", "c1", false),
        created("e12", at(4, 9, 2), "u2", "c2", false),
        portal("e13", at(4, 9, 3), "u1", "p1", 12),
        view("e14", at(5, 9, 0), None, "c2", true),
        view("e15", at(5, 9, 1), None, "c2", true),
        ev(
            "e16",
            "collection.published",
            &at(5, 9, 2),
            Some("u2"),
            json!({"collectionId": "c2"}),
        ),
        ev(
            "e17",
            "collection.unpublished",
            &at(5, 9, 3),
            Some("u1"),
            json!({"collectionId": "c3"}),
        ),
        upload("e18", at(6, 9, 0), "u3", "a6", "VIDEO", "WEB"),
        add("e19", at(6, 9, 1), "u3", "a6", "c2"),
        ev(
            "e20",
            "user.deleted",
            &at(6, 9, 2),
            Some("u4"),
            json!({"byUserId": "u1"}),
        ),
        portal("e21", at(6, 9, 3), "u1", "p3", 3),
        ev(
            "e22",
            "portal.unpublished",
            &at(7, 9, 0),
            Some("u1"),
            json!({"portalId": "p2"}),
        ),
        ev(
            "e23",
            "asset.deleted",
            &at(7, 9, 1),
            Some("u3"),
            json!({"assetId": "a6"}),
        ),
        upload("e24", at(9, 9, 0), "u1", "a1", "IMAGE", "API"),
        upload("e25", at(9, 9, 1), "u2", "a2", "IMAGE", "WEB"),
        add("e26", at(9, 9, 2), "u2", "a1", "c1"),
        add("e27", at(9, 9, 3), "u2", "a2", "c1"),
        add("e28", at(9, 9, 4), "u2", "a2", "c2"),
        view("e29", at(9, 9, 5), Some("u1"), "c1", false),
        ev(
            "e30",
            "asset.archived",
            &at(9, 9, 6),
            Some("u1"),
            json!({"assetId": "a5"}),
        ),
        upload("e31", at(10, 9, 0), "u2", "a3", "VIDEO", "WEB"),
        add("e32", at(10, 9, 1), "u2", "a3", "c2"),
        view("e33", at(10, 9, 2), Some("u2"), "c2", false),
        ev(
            "e34",
            "user.logged_in",
            &at(10, 9, 3),
            Some("u3"),
            json!({"sso": false}),
        ),
    ]
}

/// The environment above, with a key of every scope.
pub async fn environment() -> (TestApp, String) {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2025, 10, 10, 12, 0, 0).unwrap());
    let app = spawn_app_at(clock).await;
    let key = app.full_key().await;
    app.ingest(&key, &events()).await;
    (app, key)
}

#[tokio::test]
async fn catalog_figures_leave_out_deleted_things_and_show_archived_ones_apart() {
    let (app, key) = environment().await;
    let q = r#"{ dashboard(window: LAST_7_DAYS) { window range { from to }
        assets { total archived byType { assetType count archived } }
        users { total byRole { role count } }
        collections { total assets published publishedAssets }
        livePortals { live assets } } }"#;
    let d = &app.data(&key, q, json!({})).await["dashboard"];
    assert_eq!(d["window"], "LAST_7_DAYS");
    assert_eq!(
        d["range"],
        json!({"from": "2025-10-04", "to": "2025-10-10"})
    );
    // a6 is deleted; a5 is archived and counted.
    assert_eq!(d["assets"]["total"], 5);
    assert_eq!(d["assets"]["archived"], 1);
    assert_eq!(
        d["assets"]["byType"],
        json!([
            {"assetType": "IMAGE", "count": 3, "archived": 1},
            {"assetType": "RAW", "count": 1, "archived": 0},
            {"assetType": "VIDEO", "count": 1, "archived": 0},
        ])
    );
    // u4 is deleted.
    assert_eq!(d["users"]["total"], 3);
    assert_eq!(
        d["users"]["byRole"],
        json!([{"role": "Admin", "count": 1}, {"role": "Editor", "count": 2}])
    );
    // c1 {a1,a2} private, c2 {a2,a3,a6 deleted} published, c3 {a4} unpublished.
    assert_eq!(
        d["collections"],
        json!({"total": 3, "assets": 4, "published": 1, "publishedAssets": 2})
    );
    // p2 was taken offline.
    assert_eq!(d["livePortals"], json!({"live": 2, "assets": 15}));
}

#[tokio::test]
async fn top_viewed_collections_follow_the_window() {
    let (app, key) = environment().await;
    let q = r#"query($w: DashboardWindow!) { dashboard(window: $w) { topViewedCollections(first: 10) {
        totalCount edges { node { collectionId } views } } } }"#;
    let pairs = |d: &Value| -> Vec<(String, i64)> {
        d["dashboard"]["topViewedCollections"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["node"]["collectionId"].as_str().unwrap().to_owned(),
                    e["views"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let week = app.data(&key, q, json!({"w": "LAST_7_DAYS"})).await;
    assert_eq!(pairs(&week), [("c2".to_owned(), 3), ("c1".to_owned(), 1)]);
    let month = app.data(&key, q, json!({"w": "LAST_30_DAYS"})).await;
    // c1 and c3 tie on 1 view: by collection id.
    assert_eq!(
        pairs(&month),
        [
            ("c2".to_owned(), 3),
            ("c1".to_owned(), 1),
            ("c3".to_owned(), 1)
        ]
    );
    assert_eq!(month["dashboard"]["topViewedCollections"]["totalCount"], 3);
}

#[tokio::test]
async fn uploads_per_day_filter_by_source_and_type_alone_and_combined() {
    let (app, key) = environment().await;
    let q = r#"query($s: UploadOrigin, $t: AssetType) { dashboard(window: LAST_30_DAYS) {
        uploadsPerDay(source: $s, assetType: $t) { day uploads } } }"#;
    let counts = |d: Value| -> Vec<i64> {
        d["dashboard"]["uploadsPerDay"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["uploads"].as_i64().unwrap())
            .collect()
    };
    let all = app.data(&key, q, json!({})).await;
    let days: Vec<&str> = all["dashboard"]["uploadsPerDay"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["day"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        [
            "2025-10-04",
            "2025-10-05",
            "2025-10-06",
            "2025-10-07",
            "2025-10-08",
            "2025-10-09",
            "2025-10-10"
        ]
    );
    assert_eq!(counts(all), [1, 0, 1, 0, 0, 2, 1]);
    assert_eq!(
        counts(app.data(&key, q, json!({"s": "API"})).await),
        [1, 0, 0, 0, 0, 1, 0]
    );
    assert_eq!(
        counts(app.data(&key, q, json!({"s": "USER"})).await),
        [0, 0, 1, 0, 0, 1, 1]
    );
    assert_eq!(
        counts(app.data(&key, q, json!({"t": "IMAGE"})).await),
        [1, 0, 0, 0, 0, 2, 0]
    );
    assert_eq!(
        counts(app.data(&key, q, json!({"s": "API", "t": "IMAGE"})).await),
        [1, 0, 0, 0, 0, 1, 0]
    );
    assert_eq!(
        counts(app.data(&key, q, json!({"s": "USER", "t": "VIDEO"})).await),
        [0, 0, 1, 0, 0, 0, 1]
    );
    assert_eq!(
        counts(app.data(&key, q, json!({"s": "API", "t": "RAW"})).await),
        [0; 7]
    );
}

#[tokio::test]
async fn most_active_users_have_their_share_of_all_actions() {
    let (app, key) = environment().await;
    let q = r#"query($w: DashboardWindow!, $after: String) { dashboard(window: $w) {
        mostActiveUsers(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { userId email role groups lastLoginAt createdAt } actions sharePercent } } } }"#;
    let week = app.data(&key, q, json!({"w": "LAST_7_DAYS"})).await;
    let conn = &week["dashboard"]["mostActiveUsers"];
    assert_eq!(conn["totalCount"], 3);
    let e = conn["edges"].as_array().unwrap();
    // Oct 4-10: u2 10 actions, u1 9 (the admin of user.deleted), u3 4; 23 in all.
    assert_eq!(e[0]["node"]["userId"], "u2");
    assert_eq!(e[0]["node"]["email"], "u2@example.com");
    assert_eq!(e[0]["node"]["role"], "Editor");
    assert_eq!(e[0]["node"]["groups"], json!(["Team"]));
    assert_eq!(e[0]["node"]["createdAt"], "2025-10-01T08:01:00+00:00");
    assert_eq!(e[0]["actions"], 10);
    assert!((e[0]["sharePercent"].as_f64().unwrap() - 1000.0 / 23.0).abs() < 1e-9);
    assert_eq!(e[1]["node"]["userId"], "u1");
    assert_eq!(e[1]["actions"], 9);
    let next = app
        .data(
            &key,
            q,
            json!({"w": "LAST_7_DAYS", "after": conn["pageInfo"]["endCursor"]}),
        )
        .await;
    let e = next["dashboard"]["mostActiveUsers"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["node"]["userId"], "u3");
    assert_eq!(e[0]["node"]["lastLoginAt"], "2025-10-10T09:03:00+00:00");
    assert_eq!(e[0]["actions"], 4);
    assert_eq!(
        next["dashboard"]["mostActiveUsers"]["pageInfo"]["hasNextPage"],
        false
    );
    // 30 days add Oct 1: u1 +7, u2 +1.
    let month = app.data(&key, q, json!({"w": "LAST_30_DAYS"})).await;
    let e = month["dashboard"]["mostActiveUsers"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        (e[0]["node"]["userId"].clone(), e[0]["actions"].clone()),
        (json!("u1"), json!(16))
    );
    assert!((e[0]["sharePercent"].as_f64().unwrap() - 1600.0 / 31.0).abs() < 1e-9);
    assert_eq!(
        (e[1]["node"]["userId"].clone(), e[1]["actions"].clone()),
        (json!("u2"), json!(11))
    );
}

#[tokio::test]
async fn the_dashboard_needs_the_admin_scope() {
    let (app, _) = environment().await;
    let reader = app.environment("acme", "UTC", "reports:read").await;
    let answer = app
        .graphql(
            &reader,
            "{ dashboard(window: LAST_7_DAYS) { assets { total } } }",
            json!({}),
        )
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn dashboard_rollups_equal_rebuilt_ones() {
    let (app, _) = environment().await;
    let env = dam_insights::storage::environments::require(&app.db, "acme")
        .await
        .unwrap();
    let kept = dam_insights::storage::rollups::snapshot(&app.db, env.id)
        .await
        .unwrap();
    assert!(kept.iter().any(|r| r.metric == "dashUserActions"));
    let ingestor = dam_insights::ingest::Ingestor::new(app.db.clone());
    ingestor.rebuild_rollups(&env, |_| {}).await.unwrap();
    let rebuilt = dam_insights::storage::rollups::snapshot(&app.db, env.id)
        .await
        .unwrap();
    assert_eq!(kept, rebuilt);
}
