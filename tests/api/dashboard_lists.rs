//! The dashboard's two rankings page on to every member, as the downloaded versions do
//! (seed 001): mostActiveUsers to every user not deleted, topViewedCollections to every
//! published collection (and any other viewed in the window), those with none last, by
//! id; in GraphQL and CSV alike. What counts as a user's action, worked out by hand.
//! The clock says 2025-10-10 12:00 UTC: LAST_7_DAYS is Oct 4-10.
use crate::dashboard::{created, user_created, view};
use crate::helpers::{TestApp, spawn_app_at};
use crate::monthly::ev;
use chrono::{TimeZone, Utc};
use dam_insights::clock::FixedClock;
use serde_json::{Value, json};

fn at(day: u32, hour: u32) -> String {
    format!("2025-10-{day:02}T{hour:02}:00:00Z")
}

/// Inside Oct 4-10, by actor: u1 made u3 and u5 and deleted u4 (3); u3 logged in and out
/// (its own actions), changed u2 as admin, viewed c3 and c1 (5). Not counted for
/// anyone: u1's own creation (no byUserId), a change of u2 without byUserId, an
/// anonymous public view. 8 actions in all. u2 and u5 did nothing; u4 is deleted.
/// Views: c1 2 (anonymous through the link, and u3), c3 1 (private); c2 and c4 are
/// published and unviewed in the window (c4 was viewed on Oct 2).
fn events() -> Vec<Value> {
    vec![
        user_created("e01", at(1, 8), "u1", "Admin", None),
        user_created("e02", at(1, 9), "u2", "Editor", Some("u1")),
        user_created("e03", at(2, 9), "u4", "Viewer", Some("u1")),
        created("e04", at(1, 10), "u1", "c1", true),
        created("e05", at(1, 11), "u1", "c2", true),
        created("e06", at(1, 12), "u1", "c3", false),
        created("e07", at(2, 10), "u1", "c4", true),
        view("e08", at(2, 11), Some("u1"), "c4", false),
        user_created("e09", at(8, 9), "u3", "Editor", Some("u1")),
        user_created("e10", at(8, 10), "u5", "Viewer", Some("u1")),
        ev(
            "e11",
            "user.deleted",
            &at(9, 8),
            Some("u4"),
            json!({"byUserId": "u1"}),
        ),
        ev(
            "e12",
            "user.logged_in",
            &at(9, 9),
            Some("u3"),
            json!({"sso": true}),
        ),
        ev(
            "e13",
            "user.updated",
            &at(9, 10),
            Some("u2"),
            json!({"role": "Admin", "byUserId": "u3"}),
        ),
        ev(
            "e14",
            "user.updated",
            &at(9, 11),
            Some("u2"),
            json!({"name": "U2"}),
        ),
        view("e15", at(9, 12), Some("u3"), "c3", false),
        view("e16", at(9, 13), None, "c1", true),
        ev("e17", "user.logged_out", &at(9, 14), Some("u3"), json!({})),
        view("e18", at(10, 9), Some("u3"), "c1", false),
    ]
}

async fn environment() -> (TestApp, String) {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2025, 10, 10, 12, 0, 0).unwrap());
    let app = spawn_app_at(clock).await;
    let key = app.full_key().await;
    let report = app.ingest(&key, &events()).await;
    assert_eq!(report["accepted"], 18, "{report}");
    (app, key)
}

/// Every page of a ranking, `first` at a time: (id, count, share) and the totalCounts.
async fn all_pages(
    app: &TestApp,
    key: &str,
    field: &str,
    id: &str,
    count: &str,
    first: u32,
) -> (Vec<(String, i64, f64)>, Vec<u64>) {
    let share = if field == "mostActiveUsers" {
        "sharePercent"
    } else {
        ""
    };
    let q = format!(
        "query($after: String) {{ dashboard(window: LAST_7_DAYS) {{ {field}(first: {first}, after: $after) {{
            totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {id} }} {count} {share} }} }} }} }}"
    );
    let (mut rows, mut totals, mut after) = (Vec::new(), Vec::new(), Value::Null);
    loop {
        let d = app.data(key, &q, json!({ "after": after })).await;
        let conn = &d["dashboard"][field];
        totals.push(conn["totalCount"].as_u64().unwrap());
        let edges = conn["edges"].as_array().unwrap();
        assert!(edges.len() <= first as usize);
        for e in edges {
            rows.push((
                e["node"][id].as_str().unwrap().to_owned(),
                e[count].as_i64().unwrap(),
                e.get("sharePercent").and_then(Value::as_f64).unwrap_or(0.0),
            ));
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
        assert!(rows.len() < 20, "paging must end");
    }
    (rows, totals)
}

#[tokio::test]
async fn most_active_users_pages_on_to_every_user_with_none_last() {
    let (app, key) = environment().await;
    for first in [1, 2, 3, 10] {
        let (rows, totals) =
            all_pages(&app, &key, "mostActiveUsers", "userId", "actions", first).await;
        let ids: Vec<(&str, i64)> = rows.iter().map(|(u, n, _)| (u.as_str(), *n)).collect();
        assert_eq!(
            ids,
            [("u3", 5), ("u1", 3), ("u2", 0), ("u5", 0)],
            "first: {first}"
        );
        assert!(totals.iter().all(|t| *t == 4), "{totals:?}");
        let shares: Vec<f64> = rows.iter().map(|r| r.2).collect();
        assert_eq!(shares, [62.5, 37.5, 0.0, 0.0]);
    }
}

#[tokio::test]
async fn top_viewed_collections_pages_on_to_every_published_collection() {
    let (app, key) = environment().await;
    for first in [1, 2, 3, 10] {
        let (rows, totals) = all_pages(
            &app,
            &key,
            "topViewedCollections",
            "collectionId",
            "views",
            first,
        )
        .await;
        let ids: Vec<(&str, i64)> = rows.iter().map(|(c, n, _)| (c.as_str(), *n)).collect();
        assert_eq!(
            ids,
            [("c1", 2), ("c3", 1), ("c2", 0), ("c4", 0)],
            "first: {first}"
        );
        assert!(totals.iter().all(|t| *t == 4), "{totals:?}");
    }
}

#[tokio::test]
async fn the_csv_exports_list_every_user_and_every_published_collection() {
    let (app, key) = environment().await;
    let csv = |reply: crate::helpers::Reply| {
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        String::from_utf8(reply.body).unwrap()
    };
    let users = csv(app
        .get(
            "/v1/exports/dashboard-most-active-users.csv?window=LAST_7_DAYS",
            &key,
        )
        .await);
    let lines: Vec<&str> = users.lines().collect();
    assert_eq!(lines.len(), 5, "{users}");
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, actions, share) = (col("userId"), col("actions"), col("sharePercent"));
    let cells: Vec<(String, String, String)> = lines[1..]
        .iter()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[id].into(), c[actions].into(), c[share].into())
        })
        .collect();
    assert_eq!(
        cells,
        [
            ("u3".into(), "5".into(), "62.5".into()),
            ("u1".into(), "3".into(), "37.5".into()),
            ("u2".into(), "0".into(), "0.0".into()),
            ("u5".into(), "0".into(), "0.0".into()),
        ]
    );
    let collections = csv(app
        .get(
            "/v1/exports/dashboard-top-viewed-collections.csv?window=LAST_7_DAYS",
            &key,
        )
        .await);
    let ids: Vec<String> = collections
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{}:{}", c[0], c[c.len() - 1])
        })
        .collect();
    assert_eq!(ids, ["c1:2", "c3:1", "c2:0", "c4:0"], "{collections}");
}

#[tokio::test]
async fn both_rankings_carry_the_sum_of_all_their_counts() {
    let (app, key) = environment().await;
    // 8 actions in all (u3 5, u1 3); views in the window: c1 2 and c3 1. The sum is of
    // the whole ranking whatever the page shows.
    let q = r#"{ dashboard(window: LAST_7_DAYS) {
        mostActiveUsers(first: 1) { countSum edges { actions } }
        topViewedCollections(first: 1) { countSum edges { views } } } }"#;
    let d = app.data(&key, q, json!({})).await;
    assert_eq!(
        d["dashboard"]["mostActiveUsers"],
        json!({"countSum": 8, "edges": [{"actions": 5}]})
    );
    assert_eq!(
        d["dashboard"]["topViewedCollections"],
        json!({"countSum": 3, "edges": [{"views": 2}]})
    );
}
