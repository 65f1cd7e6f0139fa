//! Catalog queries: node ids, keyset connections, filters, the metric dictionary.
use crate::helpers::{TestApp, spawn_app};
use crate::ingest::upload;
use serde_json::{Value, json};

async fn with_assets(n: usize) -> (TestApp, String) {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let events: Vec<Value> = (0..n)
        .map(|i| {
            upload(
                &format!("e{i}"),
                "2025-10-03T09:00:00Z",
                "u1",
                &format!("a{i:03}"),
                &format!("f{i}.jpg"),
            )
        })
        .collect();
    app.ingest(&key, &events).await;
    (app, key)
}

#[tokio::test]
async fn paging_through_assets_returns_each_once_with_a_total() {
    let (app, key) = with_assets(25).await;
    let q = "query($after: String) { assets(first: 10, after: $after) { totalCount edges { cursor node { assetId } } pageInfo { hasNextPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let data = app.data(&key, q, json!({"after": after})).await;
        let conn = &data["assets"];
        assert_eq!(conn["totalCount"], 25);
        for edge in conn["edges"].as_array().unwrap() {
            seen.push(edge["node"]["assetId"].as_str().unwrap().to_owned());
        }
        pages += 1;
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..25).map(|i| format!("a{i:03}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn node_resolves_a_global_id_and_deleted_assets_still_resolve() {
    let (app, key) = with_assets(2).await;
    app.ingest(&key, &[json!({"id": "d", "type": "asset.deleted", "occurredAt": "2025-10-04T09:00:00Z", "assetId": "a001"})]).await;
    let data = app
        .data(
            &key,
            r#"{ asset(id: "a001") { id status filename } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["asset"]["status"], "DELETED");
    let id = data["asset"]["id"].clone();
    let data = app
        .data(
            &key,
            "query($id: ID!) { node(id: $id) { id ... on Asset { filename status } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        data["node"],
        json!({"id": id, "filename": "f1.jpg", "status": "DELETED"})
    );
}

#[tokio::test]
async fn another_environment_sees_none_of_it() {
    let (app, key) = with_assets(3).await;
    let other = app.environment("other", "UTC", "reports:read").await;
    let data = app
        .data(&key, r#"{ asset(id: "a000") { id } }"#, json!({}))
        .await;
    let id = data["asset"]["id"].clone();
    let data = app.data(&other, "query($id: ID!) { node(id: $id) { id } assets { totalCount } asset(id: \"a000\") { id } }", json!({"id": id})).await;
    assert_eq!(
        data,
        json!({"node": null, "assets": {"totalCount": 0}, "asset": null})
    );
}

#[tokio::test]
async fn bad_ids_cursors_and_page_sizes_are_bad_user_input() {
    let (app, key) = with_assets(1).await;
    for (q, needle) in [
        (r#"{ node(id: "bm9wZQ") { id } }"#, "global id"),
        (r#"{ assets(after: "garbage!") { totalCount } }"#, "cursor"),
        ("{ assets(first: 101) { totalCount } }", "0 to 100"),
        ("{ assets(first: -1) { totalCount } }", "0 to 100"),
    ] {
        let answer = app.graphql(&key, q, json!({})).await;
        let error = &answer["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{q}: {answer}"
        );
        assert!(
            error["message"].as_str().unwrap().contains(needle),
            "{q}: {answer}"
        );
    }
}

#[tokio::test]
async fn filters_narrow_lists_and_the_total() {
    let (app, key) = with_assets(4).await;
    app.ingest(&key, &[json!({"id": "ar", "type": "asset.archived", "occurredAt": "2025-10-04T09:00:00Z", "assetId": "a002"})]).await;
    let data = app.data(&key, "{ archived: assets(filter: {status: ARCHIVED}) { totalCount nodes { assetId } }
                                 active: assets(filter: {status: ACTIVE, assetType: IMAGE}) { totalCount } }", json!({})).await;
    assert_eq!(
        data["archived"],
        json!({"totalCount": 1, "nodes": [{"assetId": "a002"}]})
    );
    assert_eq!(data["active"]["totalCount"], 3);
}

#[tokio::test]
async fn every_catalog_list_pages() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(&key, &[
        json!({"id": "1", "type": "collection.created", "occurredAt": "2025-10-03T09:00:00Z", "userId": "u1", "collectionId": "c1", "name": "A", "public": true}),
        json!({"id": "2", "type": "job.created", "occurredAt": "2025-10-03T09:00:00Z", "userId": "u1", "jobId": "j1", "name": "J", "workflow": "W"}),
        json!({"id": "3", "type": "portal.published", "occurredAt": "2025-10-03T09:00:00Z", "portalId": "p1", "name": "P", "assetCount": 2}),
    ]).await;
    let data = app.data(&key, "{ users { totalCount } collections(filter: {public: true}) { totalCount }
                                 jobs(filter: {status: OPEN}) { totalCount } portals(filter: {live: true}) { totalCount } }", json!({})).await;
    assert_eq!(
        data,
        json!({"users": {"totalCount": 1}, "collections": {"totalCount": 1}, "jobs": {"totalCount": 1}, "portals": {"totalCount": 1}})
    );
}

#[tokio::test]
async fn metrics_lists_the_dictionary() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let data = app
        .data(&key, "{ metrics { name description unit } }", json!({}))
        .await;
    let metrics = data["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 32);
    let downloads = metrics.iter().find(|m| m["name"] == "downloads").unwrap();
    assert!(
        downloads["description"]
            .as_str()
            .unwrap()
            .contains("bulk = false")
    );
    let duration = metrics.iter().find(|m| m["name"] == "jobDuration").unwrap();
    assert_eq!(duration["unit"], "SECONDS");
}
