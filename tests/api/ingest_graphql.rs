//! The ingestEvents and sync mutations follow the same rules as the NDJSON endpoints.
use crate::helpers::spawn_app;
use serde_json::json;

const INGEST: &str = "mutation($events: [EventInput!]!) { ingestEvents(events: $events) {
    accepted duplicates rejected rejections { line eventId field reason } } }";

#[tokio::test]
async fn ingest_events_counts_accepted_duplicate_and_rejected() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let events = json!([
        {"id": "e1", "type": "asset.uploaded", "occurredAt": "2025-10-03T09:00:00+02:00", "userId": "u1", "assetId": "a1",
         "filename": "a.jpg", "assetType": "IMAGE", "source": "API", "metaproperties": [{"name": "Region", "values": ["EMEA"]}]},
        {"id": "e1", "type": "asset.viewed", "occurredAt": "2025-10-03T09:00:00Z", "assetId": "a1"},
        {"id": "e2", "type": "asset.downloaded", "occurredAt": "2025-10-03T09:00:00Z", "assetId": "a1", "actionId": "x", "bulk": true},
        {"id": "e3", "type": "search.performed", "occurredAt": "2025-10-03T09:00:00Z", "userId": "u1", "kind": "FILTER",
         "filters": [{"field": "Region", "value": "EMEA"}]},
    ]);
    let data = app.data(&key, INGEST, json!({"events": events})).await;
    assert_eq!(data["ingestEvents"]["accepted"], 2);
    assert_eq!(data["ingestEvents"]["duplicates"], 1);
    assert_eq!(
        data["ingestEvents"]["rejections"],
        json!([{"line": 3, "eventId": "e2", "field": "variant",
        "reason": "variant is required on asset.downloaded"}])
    );
    let data = app
        .data(
            &key,
            r#"{ asset(id: "a1") { source metaproperties { name values } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["asset"],
        json!({"source": "API", "metaproperties": [{"name": "Region", "values": ["EMEA"]}]})
    );

    // Sent again through the other door, the same ids are duplicates.
    let answer = app.ingest(&key, &[json!({"id": "e3", "type": "search.performed", "occurredAt": "2025-10-03T09:00:00Z", "kind": "TEXT", "query": "x"})]).await;
    assert_eq!(answer["duplicates"], 1);
    assert_eq!(app.count("events").await, 2);
}

#[tokio::test]
async fn more_than_a_thousand_events_in_one_call_is_bad_user_input() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let events: Vec<_> = (0..1001)
        .map(|i| json!({"id": format!("e{i}"), "type": "asset.viewed", "occurredAt": "2025-10-03T09:00:00Z", "assetId": "a1"}))
        .collect();
    let answer = app.graphql(&key, INGEST, json!({"events": events})).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(app.count("events").await, 0);
}

#[tokio::test]
async fn ingest_needs_the_events_write_scope() {
    let app = spawn_app().await;
    let reader = app.environment("acme", "UTC", "reports:read").await;
    let answer = app.graphql(&reader, INGEST, json!({"events": []})).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn sync_mutations_upsert_without_events() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let q = r#"mutation {
      a: syncAssets(assets: [{id: "a1", filename: "x.png", assetType: "IMAGE", status: "ACTIVE",
                              metaproperties: [{name: "Brand", values: ["Nova", "Acme"]}]}]) { upserted rejected }
      u: syncUsers(users: [{id: "u1", email: "e@example.com", role: "Viewer"}, {id: "u2", status: "LOST"}]) { upserted rejected rejections { line field } }
      c: syncCollections(collections: [{id: "c1", name: "C", public: false, assetIds: ["a1"]}]) { upserted }
      p: syncPortals(portals: [{id: "p1", name: "P", live: true}]) { upserted }
    }"#;
    let data = app.data(&key, q, json!({})).await;
    assert_eq!(data["a"], json!({"upserted": 1, "rejected": 0}));
    assert_eq!(
        data["u"],
        json!({"upserted": 1, "rejected": 1, "rejections": [{"line": 2, "field": "status"}]})
    );
    assert_eq!(data["c"]["upserted"], 1);
    assert_eq!(data["p"]["upserted"], 1);
    assert_eq!(app.count("events").await, 0);
    let data = app
        .data(
            &key,
            r#"{ asset(id: "a1") { metaproperties { name values } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["asset"]["metaproperties"],
        json!([{"name": "Brand", "values": ["Nova", "Acme"]}])
    );
}
