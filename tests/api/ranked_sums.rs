//! Rankings count searches, not filter entries, and every ranked connection carries the
//! sum of all its items' counts (PRODUCT.md, under "Rankings"), worked out by hand.
use crate::helpers::spawn_app;
use crate::monthly::ev;
use serde_json::{Value, json};

fn search(id: &str, user: Option<&str>, fields: Value) -> Value {
    ev(id, "search.performed", "2025-10-07T10:00:00Z", user, fields)
}

fn filter(field: &str, value: &str) -> Value {
    json!({"field": field, "value": value})
}

#[tokio::test]
async fn a_filter_pair_repeated_within_one_search_counts_once() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(
        &key,
        &[
            // Region=EMEA twice and Region=APAC once in one search: one search each.
            search(
                "s1",
                Some("u1"),
                json!({"kind": "FILTER", "filters": [
                    filter("Region", "EMEA"), filter("Region", "APAC"), filter("Region", "EMEA")]}),
            ),
            // Another search with EMEA, of another kind; the same value under another
            // field is another pair.
            search(
                "s2",
                None,
                json!({"kind": "TEXT", "query": "logo", "filters": [
                    filter("Region", "EMEA"), filter("Country", "EMEA")]}),
            ),
        ],
    )
    .await;
    let q = r#"{ monthlyReport(month: "2025-10") { search {
        topFilterValues { totalCount countSum edges { node { field value count } } } } } }"#;
    let d = app.data(&key, q, json!({})).await;
    assert_eq!(
        d["monthlyReport"]["search"]["topFilterValues"],
        json!({"totalCount": 3, "countSum": 4, "edges": [
            {"node": {"field": "Region", "value": "EMEA", "count": 2}},
            {"node": {"field": "Country", "value": "EMEA", "count": 1}},
            {"node": {"field": "Region", "value": "APAC", "count": 1}},
        ]})
    );
}

#[tokio::test]
async fn every_monthly_ranking_carries_the_sum_of_all_its_counts() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let text =
        |id: &str, user: &str, q: &str| search(id, Some(user), json!({"kind": "TEXT", "query": q}));
    let download = |id: &str, user: &str, asset: &str, bulk: bool| {
        ev(
            id,
            "asset.downloaded",
            "2025-10-08T10:00:00Z",
            Some(user),
            json!({"assetId": asset, "actionId": id, "bulk": bulk, "variant": "ORIGINAL"}),
        )
    };
    app.ingest(
        &key,
        &[
            text("s1", "u1", "logo"),
            text("s2", "u2", "Logo"),
            text("s3", "u1", "car"),
            text("s4", "u3", "beach"),
            // Another month: not in October's sums.
            ev(
                "s5",
                "search.performed",
                "2025-09-30T23:59:59Z",
                Some("u1"),
                json!({"kind": "TEXT", "query": "logo"}),
            ),
            download("d1", "u1", "a1", false),
            download("d2", "u2", "a1", false),
            download("d3", "u2", "a2", false),
            download("d4", "u2", "a2", true),
        ],
    )
    .await;
    let q = r#"{ monthlyReport(month: "2025-10") {
        search { topQueries(first: 1) { totalCount countSum edges { node { query count } } } }
        downloads { topAssets(first: 1) { totalCount countSum edges { downloads } } }
        engagement { topUsers(first: 1) { totalCount countSum edges { total } } } } }"#;
    let d = app.data(&key, q, json!({})).await;
    let r = &d["monthlyReport"];
    // Four October text searches; the page shows logo's 2, "all others" is 4 - 2.
    assert_eq!(
        r["search"]["topQueries"],
        json!({"totalCount": 3, "countSum": 4, "edges": [{"node": {"query": "logo", "count": 2}}]})
    );
    // Non-bulk downloads: a1 2, a2 1.
    assert_eq!(
        r["downloads"]["topAssets"],
        json!({"totalCount": 2, "countSum": 3, "edges": [{"downloads": 2}]})
    );
    // Actions: u1 2 searches + 1 download, u2 1 search + 3 downloads (bulk included),
    // u3 1 search: 8.
    assert_eq!(
        r["engagement"]["topUsers"],
        json!({"totalCount": 3, "countSum": 8, "edges": [{"total": 4}]})
    );
    // A later page carries the same sum.
    let after = json!(null);
    let q2 = r#"query($after: String) { monthlyReport(month: "2025-10") {
        search { topQueries(first: 1, after: $after) { countSum pageInfo { endCursor } } } } }"#;
    let d = app.data(&key, q2, json!({"after": after})).await;
    let end = d["monthlyReport"]["search"]["topQueries"]["pageInfo"]["endCursor"].clone();
    let d = app.data(&key, q2, json!({"after": end})).await;
    assert_eq!(d["monthlyReport"]["search"]["topQueries"]["countSum"], 4);
}
