//! monthlyReport: every metric on small data whose answers were worked out by hand.
use crate::helpers::{TestApp, spawn_app};
use serde_json::{Value, json};

pub fn ev(id: &str, ty: &str, at: &str, user: Option<&str>, fields: Value) -> Value {
    let mut e = json!({"id": id, "type": ty, "occurredAt": at});
    if let Some(u) = user {
        e["userId"] = json!(u);
    }
    for (k, v) in fields.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

fn download(id: &str, at: &str, user: &str, asset: &str, action: &str, bulk: bool) -> Value {
    ev(
        id,
        "asset.downloaded",
        at,
        Some(user),
        json!({"assetId": asset, "actionId": action, "bulk": bulk, "variant": "ORIGINAL"}),
    )
}

fn text_search(id: &str, at: &str, user: &str, query: &str) -> Value {
    ev(
        id,
        "search.performed",
        at,
        Some(user),
        json!({"kind": "TEXT", "query": query}),
    )
}

fn view_public(id: &str, at: &str, collection: &str) -> Value {
    ev(
        id,
        "collection.viewed",
        at,
        None,
        json!({"collectionId": collection, "viaPublicLink": true}),
    )
}

/// September: u1 searched once and downloaded once. October: see each assertion.
async fn september_and_october() -> (TestApp, String) {
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(&key, &[
        text_search("s0", "2025-09-10T10:00:00Z", "u1", "Logo"),
        download("d0", "2025-09-10T11:00:00Z", "u1", "a1", "x0", false),
        text_search("s1", "2025-10-02T10:00:00Z", "u1", " Summer  Campaign"),
        text_search("s2", "2025-10-03T10:00:00Z", "u1", "summer campaign"),
        download("d1", "2025-10-03T11:00:00Z", "u1", "a1", "x1", false),
        download("d2", "2025-10-03T11:05:00Z", "u1", "a2", "x2", true),
        download("d3", "2025-10-03T11:05:00Z", "u1", "a3", "x2", true),
        ev("up", "asset.uploaded", "2025-10-04T09:00:00Z", Some("u2"),
           json!({"assetId": "a4", "filename": "new.png", "assetType": "IMAGE", "source": "API"})),
        ev("s3", "search.performed", "2025-10-04T10:00:00Z", Some("u2"),
           json!({"kind": "FILTER", "filters": [{"field": "Region", "value": "EMEA"}]})),
        ev("d4", "asset.downloaded", "2025-10-04T11:00:00Z", Some("u2"),
           json!({"assetId": "a1", "actionId": "x3", "bulk": false, "variant": "DERIVATIVE"})),
        ev("v0", "collection.viewed", "2025-10-05T10:00:00Z", Some("u3"), json!({"collectionId": "c1", "viaPublicLink": false})),
        view_public("v1", "2025-10-05T11:00:00Z", "c1"),
        view_public("v2", "2025-10-05T12:00:00Z", "c1"),
        view_public("v3", "2025-10-05T13:00:00Z", "c2"),
        ev("l1", "user.logged_in", "2025-10-06T09:00:00Z", Some("u4"), json!({"sso": true})),
    ])
    .await;
    (app, key)
}

#[tokio::test]
async fn the_summary_compares_each_metric_with_the_month_before() {
    let (app, key) = september_and_october().await;
    let q = r#"{ monthlyReport(month: "2025-10") { month summary {
        activeUsers { current previous change changePercent }
        uploads { current previous change changePercent }
        searches { current previous change changePercent }
        downloads { current previous change changePercent }
        collectionsViewed { current previous change changePercent } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    let s = &data["monthlyReport"]["summary"];
    assert_eq!(data["monthlyReport"]["month"], "2025-10");
    // u1 (searches, downloads) and u2 (upload, search, download); u3 only viewed, u4 only logged in.
    assert_eq!(
        s["activeUsers"],
        json!({"current": 2, "previous": 1, "change": 1, "changePercent": 100.0})
    );
    // Previous month 0: no percentage.
    assert_eq!(
        s["uploads"],
        json!({"current": 1, "previous": 0, "change": 1, "changePercent": null})
    );
    assert_eq!(
        s["searches"],
        json!({"current": 3, "previous": 1, "change": 2, "changePercent": 200.0})
    );
    // d1 and d4; the two bulk downloads d2, d3 do not count.
    assert_eq!(
        s["downloads"],
        json!({"current": 2, "previous": 1, "change": 1, "changePercent": 100.0})
    );
    // Three anonymous views through public links; u3's internal view does not count.
    assert_eq!(
        s["collectionsViewed"],
        json!({"current": 3, "previous": 0, "change": 3, "changePercent": null})
    );
}

#[tokio::test]
async fn engagement_counts_bulk_downloads_in_each_users_actions() {
    let (app, key) = september_and_october().await;
    let q = r#"{ monthlyReport(month: "2025-10") { engagement {
        topUsers { totalCount edges { node { userId } total searches downloads uploads } } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    assert_eq!(
        data["monthlyReport"]["engagement"]["topUsers"],
        json!({"totalCount": 2, "edges": [
            {"node": {"userId": "u1"}, "total": 5, "searches": 2, "downloads": 3, "uploads": 0},
            {"node": {"userId": "u2"}, "total": 3, "searches": 1, "downloads": 1, "uploads": 1},
        ]})
    );
}

#[tokio::test]
async fn search_queries_are_normalised_and_counted_with_their_users() {
    let (app, key) = september_and_october().await;
    app.ingest(&key, &[
        text_search("s4", "2025-10-07T10:00:00Z", "u5", "SUMMER campaign "),
        text_search("s5", "2025-10-07T10:00:00Z", "u5", "logo"),
        ev("s6", "search.performed", "2025-10-07T11:00:00Z", Some("u5"),
           json!({"kind": "EXPRESSION", "expression": " tags:Approved  AND region:EMEA", "filters": [{"field": "Region", "value": "EMEA"}]})),
        ev("s7", "search.performed", "2025-10-07T12:00:00Z", Some("u5"), json!({"kind": "EXPRESSION", "expression": "TAGS:approved and REGION:emea"})),
    ])
    .await;
    let q = r#"{ monthlyReport(month: "2025-10") { search {
        topQueries { totalCount edges { node { query count users } } }
        topFilterValues { edges { node { field value count } } }
        topExpressions { edges { node { expression count } } }
        searchesTrend { month value } usersWhoSearchedTrend { month value } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    let s = &data["monthlyReport"]["search"];
    assert_eq!(
        s["topQueries"],
        json!({"totalCount": 2, "edges": [
            {"node": {"query": "summer campaign", "count": 3, "users": 2}},
            {"node": {"query": "logo", "count": 1, "users": 1}},
        ]})
    );
    assert_eq!(
        s["topFilterValues"]["edges"],
        json!([{"node": {"field": "Region", "value": "EMEA", "count": 2}}])
    );
    assert_eq!(
        s["topExpressions"]["edges"],
        json!([{"node": {"expression": "tags:approved and region:emea", "count": 2}}])
    );
    let trend = s["searchesTrend"].as_array().unwrap();
    assert_eq!(trend.len(), 12);
    assert_eq!(trend[0], json!({"month": "2024-11", "value": 0}));
    assert_eq!(trend[10], json!({"month": "2025-09", "value": 1}));
    assert_eq!(trend[11], json!({"month": "2025-10", "value": 7}));
    assert_eq!(
        s["usersWhoSearchedTrend"][11],
        json!({"month": "2025-10", "value": 3})
    );
}

#[tokio::test]
async fn visual_search_ranks_reference_images_and_text_queries() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let sim = |id: &str, user: &str, asset: &str| {
        ev(
            id,
            "search.performed",
            "2025-10-07T10:00:00Z",
            Some(user),
            json!({"kind": "VISUAL_SIMILARITY", "referenceAssetId": asset}),
        )
    };
    let vt = |id: &str, user: &str, q: &str| {
        ev(
            id,
            "search.performed",
            "2025-10-07T10:00:00Z",
            Some(user),
            json!({"kind": "VISUAL_TEXT", "query": q}),
        )
    };
    app.ingest(
        &key,
        &[
            sim("1", "u1", "a9"),
            sim("2", "u2", "a9"),
            sim("3", "u1", "a3"),
            vt("4", "u1", "Red Car"),
            vt("5", "u2", "red  car"),
            vt("6", "u2", "red car"),
        ],
    )
    .await;
    let q = r#"{ monthlyReport(month: "2025-10") { search { visual {
        topReferenceImages { edges { node { assetId } searches } }
        topTextQueries { edges { node { query count users } } } }
        topQueries { totalCount } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    let s = &data["monthlyReport"]["search"];
    assert_eq!(
        s["visual"]["topReferenceImages"]["edges"],
        json!([
        {"node": {"assetId": "a9"}, "searches": 2}, {"node": {"assetId": "a3"}, "searches": 1}])
    );
    assert_eq!(
        s["visual"]["topTextQueries"]["edges"],
        json!([{"node": {"query": "red car", "count": 3, "users": 2}}])
    );
    // Visual-text queries are not TEXT queries.
    assert_eq!(s["topQueries"]["totalCount"], 0);
}

#[tokio::test]
async fn downloads_rank_assets_by_non_bulk_downloads_with_distinct_users() {
    let (app, key) = september_and_october().await;
    let q = r#"{ monthlyReport(month: "2025-10") { downloads {
        topAssets { totalCount edges { node { assetId } downloads users } }
        uniqueAssetsDownloadedTrend { month value } downloadsTrend { month value } usersWhoDownloadedTrend { month value } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    let d = &data["monthlyReport"]["downloads"];
    assert_eq!(
        d["topAssets"],
        json!({"totalCount": 1, "edges": [{"node": {"assetId": "a1"}, "downloads": 2, "users": 2}]})
    );
    assert_eq!(d["uniqueAssetsDownloadedTrend"][11]["value"], 1);
    assert_eq!(d["downloadsTrend"][11]["value"], 2);
    assert_eq!(d["downloadsTrend"][10]["value"], 1);
    assert_eq!(d["usersWhoDownloadedTrend"][11]["value"], 2);
}

#[tokio::test]
async fn collections_report_counts_public_views_downloads_and_creators() {
    let (app, key) = september_and_october().await;
    let cd = |id: &str, c: &str, variant: &str| {
        ev(
            id,
            "collection.downloaded",
            "2025-10-08T10:00:00Z",
            None,
            json!({"collectionId": c, "assetId": "a1", "variant": variant}),
        )
    };
    let cc = |id: &str, user: &str, c: &str| {
        ev(
            id,
            "collection.created",
            "2025-10-01T10:00:00Z",
            Some(user),
            json!({"collectionId": c, "name": c, "public": true}),
        )
    };
    app.ingest(&key, &[
        cd("cd1", "c2", "ORIGINAL"), cd("cd2", "c2", "TRANSFORMED"), cd("cd3", "c1", "TRANSFORMED"),
        cc("cc1", "u7", "c1"), cc("cc2", "u6", "c2"), cc("cc3", "u6", "c3"),
        ev("cd4", "collection.downloaded", "2025-09-08T10:00:00Z", None, json!({"collectionId": "c1", "assetId": "a1", "variant": "ORIGINAL", "preset": "web"})),
    ])
    .await;
    let q = r#"{ monthlyReport(month: "2025-10") { collections {
        topViewed { edges { node { collectionId } views } }
        topDownloaded { edges { node { collectionId } downloads } }
        topCreators { edges { node { userId } collectionsCreated } }
        viewsTrend { month value } downloadsTrend { month original transformed total } collectionsCreatedTrend { value } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    let c = &data["monthlyReport"]["collections"];
    assert_eq!(
        c["topViewed"]["edges"],
        json!([{"node": {"collectionId": "c1"}, "views": 2}, {"node": {"collectionId": "c2"}, "views": 1}])
    );
    assert_eq!(
        c["topDownloaded"]["edges"],
        json!([{"node": {"collectionId": "c2"}, "downloads": 2}, {"node": {"collectionId": "c1"}, "downloads": 1}])
    );
    // u6 made two; u7 one.
    assert_eq!(
        c["topCreators"]["edges"],
        json!([{"node": {"userId": "u6"}, "collectionsCreated": 2}, {"node": {"userId": "u7"}, "collectionsCreated": 1}])
    );
    assert_eq!(c["viewsTrend"][11], json!({"month": "2025-10", "value": 3}));
    assert_eq!(
        c["downloadsTrend"][11],
        json!({"month": "2025-10", "original": 1, "transformed": 2, "total": 3})
    );
    assert_eq!(
        c["downloadsTrend"][10],
        json!({"month": "2025-09", "original": 1, "transformed": 0, "total": 1})
    );
    assert_eq!(c["collectionsCreatedTrend"][11]["value"], 3);
}

#[tokio::test]
async fn ties_are_ordered_by_key_and_pages_return_every_item_once() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let mut events = Vec::new();
    for i in 0..15 {
        let times = match i {
            5 => 3,
            10 => 2,
            _ => 1,
        };
        for t in 0..times {
            events.push(download(
                &format!("d{i}-{t}"),
                "2025-10-03T11:00:00Z",
                &format!("u{t}"),
                &format!("a{i:02}"),
                &format!("x{i}-{t}"),
                false,
            ));
        }
    }
    app.ingest(&key, &events).await;
    let q = r#"query($after: String) { monthlyReport(month: "2025-10") { downloads { topAssets(first: 4, after: $after) {
        totalCount edges { node { assetId } downloads } pageInfo { hasNextPage endCursor } } } } }"#;
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.data(&key, q, json!({"after": after})).await;
        let conn = &data["monthlyReport"]["downloads"]["topAssets"];
        assert_eq!(conn["totalCount"], 15);
        for e in conn["edges"].as_array().unwrap() {
            seen.push((
                e["node"]["assetId"].as_str().unwrap().to_owned(),
                e["downloads"].as_i64().unwrap(),
            ));
        }
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    let mut expected = vec![("a05".to_owned(), 3), ("a10".to_owned(), 2)];
    expected.extend(
        (0..15)
            .filter(|i| *i != 5 && *i != 10)
            .map(|i| (format!("a{i:02}"), 1)),
    );
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_month_boundary_west_of_utc_follows_the_local_calendar() {
    let app = spawn_app().await;
    let key = app
        .environment("west", "America/Los_Angeles", "reports:read,events:write")
        .await;
    app.ingest(
        &key,
        &[
            text_search("1", "2025-11-01T06:30:00Z", "u1", "a"), // 31 Oct 23:30 in Los Angeles
            text_search("2", "2025-11-01T07:30:00Z", "u1", "b"), // 1 Nov 00:30
            text_search("3", "2025-10-01T06:30:00Z", "u1", "c"), // 30 Sep 23:30
        ],
    )
    .await;
    let q = r#"{ monthlyReport(month: "2025-10") { summary { searches { current previous } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    assert_eq!(
        data["monthlyReport"]["summary"]["searches"],
        json!({"current": 1, "previous": 1})
    );
}

#[tokio::test]
async fn a_month_boundary_east_of_utc_follows_the_local_calendar() {
    let app = spawn_app().await;
    let key = app
        .environment("east", "Asia/Tokyo", "reports:read,events:write")
        .await;
    app.ingest(
        &key,
        &[
            text_search("1", "2025-09-30T15:30:00Z", "u1", "a"), // 1 Oct 00:30 in Tokyo
            text_search("2", "2025-09-30T14:30:00Z", "u1", "b"), // 30 Sep 23:30
            text_search("3", "2025-10-31T15:30:00Z", "u1", "c"), // 1 Nov 00:30
        ],
    )
    .await;
    let q = r#"{ monthlyReport(month: "2025-10") { summary { searches { current previous } } search { topQueries { edges { node { query } } } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    assert_eq!(
        data["monthlyReport"]["summary"]["searches"],
        json!({"current": 1, "previous": 1})
    );
    assert_eq!(
        data["monthlyReport"]["search"]["topQueries"]["edges"],
        json!([{"node": {"query": "a"}}])
    );
}

#[tokio::test]
async fn a_trend_crosses_the_year_boundary() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(
        &key,
        &[
            download("1", "2025-12-31T23:00:00Z", "u1", "a1", "x1", false),
            download("2", "2026-01-01T01:00:00Z", "u1", "a1", "x2", false),
            download("3", "2026-01-15T01:00:00Z", "u2", "a2", "x3", false),
            download("4", "2025-03-01T00:00:00Z", "u2", "a2", "x4", false),
            download("5", "2025-02-28T23:00:00Z", "u2", "a2", "x5", false),
        ],
    )
    .await;
    let q = r#"{ monthlyReport(month: "2026-02") { downloads { downloadsTrend { month value } usersWhoDownloadedTrend { value } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    let trend = &data["monthlyReport"]["downloads"]["downloadsTrend"];
    let months: Vec<&str> = trend
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["month"].as_str().unwrap())
        .collect();
    assert_eq!(months.first(), Some(&"2025-03"));
    assert_eq!(months.last(), Some(&"2026-02"));
    assert_eq!(months[9..], ["2025-12", "2026-01", "2026-02"]);
    let values: Vec<i64> = trend
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_i64().unwrap())
        .collect();
    // February 2025 is outside the 12 months; March 2025 is their first.
    assert_eq!(values, [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0]);
    let users: Vec<i64> = data["monthlyReport"]["downloads"]["usersWhoDownloadedTrend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_i64().unwrap())
        .collect();
    assert_eq!(users[10], 2);
}

#[tokio::test]
async fn a_bad_month_is_bad_user_input_naming_the_form() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    for month in ["2025-13", "Oct 2025", "2025-1"] {
        let answer = app
            .graphql(
                &key,
                "query($m: Month!) { monthlyReport(month: $m) { month } }",
                json!({"m": month}),
            )
            .await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{month}: {answer}"
        );
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("YYYY-MM")
        );
    }
    let answer = app.graphql(&key, r#"{ monthlyReport(month: "2025-10") { downloads { topAssets(after: "x") { totalCount } } } }"#, json!({})).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

/// Every ranking with equal counts orders by its key ascending.
#[tokio::test]
async fn ties_in_every_ranking_are_broken_by_the_key() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let at = "2025-10-07T10:00:00Z";
    let mut events = Vec::new();
    for (i, (user, q, asset, collection, value)) in [
        ("ub", "zeta", "ab", "cb", "North"),
        ("ua", "alpha", "aa", "ca", "East"),
    ]
    .into_iter()
    .enumerate()
    {
        events.push(text_search(&format!("q{i}"), at, user, q));
        events.push(ev(
            &format!("f{i}"),
            "search.performed",
            at,
            Some(user),
            json!({"kind": "FILTER", "filters": [{"field": "Region", "value": value}]}),
        ));
        events.push(ev(
            &format!("x{i}"),
            "search.performed",
            at,
            Some(user),
            json!({"kind": "EXPRESSION", "expression": q}),
        ));
        events.push(ev(
            &format!("r{i}"),
            "search.performed",
            at,
            Some(user),
            json!({"kind": "VISUAL_SIMILARITY", "referenceAssetId": asset}),
        ));
        events.push(ev(
            &format!("t{i}"),
            "search.performed",
            at,
            Some(user),
            json!({"kind": "VISUAL_TEXT", "query": q}),
        ));
        events.push(view_public(&format!("v{i}"), at, collection));
        events.push(ev(
            &format!("cd{i}"),
            "collection.downloaded",
            at,
            None,
            json!({"collectionId": collection, "assetId": asset, "variant": "ORIGINAL"}),
        ));
        events.push(ev(
            &format!("cc{i}"),
            "collection.created",
            at,
            Some(user),
            json!({"collectionId": format!("n{i}"), "name": "n", "public": false}),
        ));
        events.push(download(
            &format!("d{i}"),
            at,
            user,
            asset,
            &format!("a{i}"),
            false,
        ));
    }
    app.ingest(&key, &events).await;
    let q = r#"{ monthlyReport(month: "2025-10") {
        engagement { topUsers { edges { node { userId } } } }
        search { topQueries { edges { node { query } } } topFilterValues { edges { node { value } } } topExpressions { edges { node { expression } } }
                 visual { topReferenceImages { edges { node { assetId } } } topTextQueries { edges { node { query } } } } }
        downloads { topAssets { edges { node { assetId } } } }
        collections { topViewed { edges { node { collectionId } } } topDownloaded { edges { node { collectionId } } } topCreators { edges { node { userId } } } } } }"#;
    let data = app.data(&key, q, json!({})).await;
    let r = &data["monthlyReport"];
    let ids = |v: &Value, field: &str| -> Vec<String> {
        v["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"][field].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&r["engagement"]["topUsers"], "userId"), ["ua", "ub"]);
    assert_eq!(ids(&r["search"]["topQueries"], "query"), ["alpha", "zeta"]);
    assert_eq!(
        ids(&r["search"]["topFilterValues"], "value"),
        ["East", "North"]
    );
    assert_eq!(
        ids(&r["search"]["topExpressions"], "expression"),
        ["alpha", "zeta"]
    );
    assert_eq!(
        ids(&r["search"]["visual"]["topReferenceImages"], "assetId"),
        ["aa", "ab"]
    );
    assert_eq!(
        ids(&r["search"]["visual"]["topTextQueries"], "query"),
        ["alpha", "zeta"]
    );
    assert_eq!(ids(&r["downloads"]["topAssets"], "assetId"), ["aa", "ab"]);
    assert_eq!(
        ids(&r["collections"]["topViewed"], "collectionId"),
        ["ca", "cb"]
    );
    assert_eq!(
        ids(&r["collections"]["topDownloaded"], "collectionId"),
        ["ca", "cb"]
    );
    assert_eq!(
        ids(&r["collections"]["topCreators"], "userId"),
        ["ua", "ub"]
    );
}
