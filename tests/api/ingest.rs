//! POST /v1/events: idempotency, rejections, atomicity, out-of-order events.
use crate::helpers::spawn_app;
use axum::http::StatusCode;
use serde_json::{Value, json};

pub fn download(id: &str, at: &str, user: &str, asset: &str) -> Value {
    json!({"id": id, "type": "asset.downloaded", "occurredAt": at, "userId": user,
           "assetId": asset, "actionId": format!("act-{id}"), "bulk": false, "variant": "ORIGINAL"})
}

pub fn upload(id: &str, at: &str, user: &str, asset: &str, filename: &str) -> Value {
    json!({"id": id, "type": "asset.uploaded", "occurredAt": at, "userId": user, "assetId": asset,
           "filename": filename, "assetType": "IMAGE", "folder": "/Marketing", "tags": ["summer"],
           "metaproperties": {"Region": ["EMEA", "APAC"]}, "source": "WEB"})
}

#[tokio::test]
async fn duplicates_inside_one_body_are_stored_once() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let e = download("e1", "2025-10-03T09:00:00+02:00", "u1", "a1");
    let answer = app.ingest(&key, &[e.clone(), e.clone(), e]).await;
    assert_eq!(answer["accepted"], 1);
    assert_eq!(answer["duplicates"], 2);
    assert_eq!(answer["rejected"], 0);
    assert_eq!(app.count("events").await, 1);
}

#[tokio::test]
async fn an_event_sent_again_later_is_a_duplicate_and_changes_nothing() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let first = upload("e1", "2025-10-03T09:00:00Z", "u1", "a1", "first.jpg");
    assert_eq!(app.ingest(&key, &[first]).await["accepted"], 1);
    // Same id, different content: still the same event, so nothing changes.
    let again = upload("e1", "2025-10-04T09:00:00Z", "u1", "a1", "second.jpg");
    let answer = app
        .ingest(
            &key,
            &[again, download("e2", "2025-10-04T10:00:00Z", "u1", "a1")],
        )
        .await;
    assert_eq!(answer["accepted"], 1);
    assert_eq!(answer["duplicates"], 1);
    assert_eq!(app.count("events").await, 2);
    let data = app
        .data(&key, r#"{ asset(id: "a1") { filename } }"#, json!({}))
        .await;
    assert_eq!(data["asset"]["filename"], "first.jpg");
}

#[tokio::test]
async fn duplicates_across_batches_of_one_large_body_are_counted() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    // 2,500 events make three batches; every id appears twice, in different batches.
    let mut events: Vec<Value> = (0..1250)
        .map(|i| {
            download(
                &format!("e{i}"),
                "2025-10-03T09:00:00Z",
                "u1",
                &format!("a{}", i % 7),
            )
        })
        .collect();
    events.extend(events.clone());
    let answer = app.ingest(&key, &events).await;
    assert_eq!(answer["accepted"], 1250);
    assert_eq!(answer["duplicates"], 1250);
    assert_eq!(app.count("events").await, 1250);
    assert_eq!(app.count("assets").await, 7);
}

/// Each rejected input: the answer names the line, the event and the field, and nothing
/// of it is stored.
#[tokio::test]
async fn every_kind_of_bad_event_is_rejected_with_its_line_and_field() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let future = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let lines = [
        json!({"id": "ok", "type": "asset.viewed", "occurredAt": "2025-10-03T09:00:00Z", "assetId": "a1"}).to_string(),
        json!({"id": "r1", "type": "asset.exploded", "occurredAt": "2025-10-03T09:00:00Z"}).to_string(),
        json!({"id": "r2", "type": "asset.viewed", "occurredAt": "2025-10-03T09:00:00Z"}).to_string(),
        json!({"id": "r3", "type": "asset.viewed", "occurredAt": "yesterday", "assetId": "a2"}).to_string(),
        json!({"id": "r4", "type": "asset.viewed", "occurredAt": future, "assetId": "a3"}).to_string(),
        json!({"id": "r5", "type": "asset.downloaded", "occurredAt": "2025-10-03T09:00:00Z", "assetId": "a4",
               "actionId": "x", "bulk": "no", "variant": "ORIGINAL"}).to_string(),
        json!({"id": "r6", "type": "asset.viewed", "occurredAt": "2025-10-03T09:00:00Z", "assetId": "a5", "colour": "red"}).to_string(),
        "{not json".to_string(),
        json!(["an", "array"]).to_string(),
        json!({"type": "asset.viewed", "occurredAt": "2025-10-03T09:00:00Z", "assetId": "a6"}).to_string(),
        json!({"id": "r10", "type": "asset.viewed", "occurredAt": "2025-10-03T09:00:00", "assetId": "a7"}).to_string(),
        json!({"id": "r11", "type": "search.performed", "occurredAt": "2025-10-03T09:00:00Z", "kind": "TEXT"}).to_string(),
        json!({"id": "r12", "type": "asset.uploaded", "occurredAt": "2025-10-03T09:00:00Z", "assetId": "a8",
               "filename": "x.jpg", "assetType": "PDF", "source": "WEB"}).to_string(),
        json!({"id": "r13", "type": "user.logged_in", "occurredAt": "2025-10-03T09:00:00Z", "sso": true}).to_string(),
    ];
    let mut body = lines.join("\n").into_bytes();
    body.extend_from_slice(b"\n{\"id\":\"r14\",\"type\":\"asset.viewed\",\"occurredAt\":\"2025-10-03T09:00:00Z\",\"assetId\":\"\xff\xfe\"}\n");
    let reply = app
        .post_body("/v1/events", &key, "application/x-ndjson", body)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let answer = reply.json();
    assert_eq!(answer["accepted"], 1);
    assert_eq!(answer["rejected"], 14);
    let rejections = answer["rejections"].as_array().unwrap();
    let expect = [
        (2, Some("r1"), Some("type")),
        (3, Some("r2"), Some("assetId")),
        (4, Some("r3"), Some("occurredAt")),
        (5, Some("r4"), Some("occurredAt")),
        (6, Some("r5"), Some("bulk")),
        (7, Some("r6"), Some("colour")),
        (8, None, None),
        (9, None, None),
        (10, None, Some("id")),
        (11, Some("r10"), Some("occurredAt")),
        (12, Some("r11"), Some("query")),
        (13, Some("r12"), Some("assetType")),
        (14, Some("r13"), Some("userId")),
        (15, None, None),
    ];
    for (r, (line, id, field)) in rejections.iter().zip(expect) {
        assert_eq!(r["line"], line, "{r}");
        assert_eq!(r["eventId"].as_str(), id, "{r}");
        assert_eq!(r["field"].as_str(), field, "{r}");
        assert!(!r["reason"].as_str().unwrap().is_empty());
    }
    assert!(
        rejections[0]["reason"]
            .as_str()
            .unwrap()
            .contains("asset.uploaded"),
        "lists the accepted types"
    );
    // Nothing of a rejected event is stored: no event and no placeholder asset.
    assert_eq!(app.count("events").await, 1);
    assert_eq!(app.count("assets").await, 1);
}

#[tokio::test]
async fn a_json_array_body_is_accepted_and_positions_are_indexes() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let body = json!([
        download("e1", "2025-10-03T09:00:00Z", "u1", "a1"),
        {"id": "e2", "type": "nope", "occurredAt": "2025-10-03T09:00:00Z"},
        download("e3", "2025-10-03T09:00:00Z", "u1", "a1"),
    ]);
    let reply = app
        .post_body("/v1/events", &key, "application/json", body.to_string())
        .await;
    let answer = reply.json();
    assert_eq!(answer["accepted"], 2);
    assert_eq!(answer["rejections"][0]["line"], 2);
}

#[tokio::test]
async fn out_of_order_events_make_placeholders_that_their_creating_event_fills_in() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    // The deletion and a download arrive before the upload they follow.
    app.ingest(&key, &[
        json!({"id": "d1", "type": "asset.deleted", "occurredAt": "2025-10-05T09:00:00Z", "assetId": "a1"}),
        download("dl1", "2025-10-04T09:00:00Z", "u9", "a1"),
    ]).await;
    let q = r#"{ asset(id: "a1") { filename status placeholder uploader { userId } } user(id: "u9") { placeholder email } }"#;
    let data = app.data(&key, q, json!({})).await;
    assert_eq!(
        data["asset"],
        json!({"filename": null, "status": "DELETED", "placeholder": true, "uploader": null})
    );
    assert_eq!(data["user"], json!({"placeholder": true, "email": null}));

    app.ingest(&key, &[
        upload("up1", "2025-10-01T09:00:00Z", "u9", "a1", "launch.jpg"),
        json!({"id": "uc1", "type": "user.created", "occurredAt": "2025-09-01T09:00:00Z", "userId": "u9",
               "email": "ann@example.com", "name": "Ann", "role": "Editor", "groups": ["Marketing"], "via": "MANUAL"}),
    ]).await;
    let data = app.data(&key, q, json!({})).await;
    // The older upload fills the asset in but does not undo the newer deletion.
    assert_eq!(
        data["asset"],
        json!({"filename": "launch.jpg", "status": "DELETED", "placeholder": false, "uploader": {"userId": "u9"}})
    );
    assert_eq!(
        data["user"],
        json!({"placeholder": false, "email": "ann@example.com"})
    );
}

#[tokio::test]
async fn a_late_older_update_does_not_overwrite_a_newer_one() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(&key, &[
        upload("up1", "2025-10-01T09:00:00Z", "u1", "a1", "v1.jpg"),
        json!({"id": "m2", "type": "asset.updated", "occurredAt": "2025-10-03T09:00:00Z", "assetId": "a1", "filename": "v3.jpg"}),
    ]).await;
    app.ingest(&key, &[
        json!({"id": "m1", "type": "asset.updated", "occurredAt": "2025-10-02T09:00:00Z", "assetId": "a1",
               "filename": "v2.jpg", "folder": "/Archive"}),
    ]).await;
    let data = app
        .data(
            &key,
            r#"{ asset(id: "a1") { filename folder } }"#,
            json!({}),
        )
        .await;
    // filename: v3 is newest; folder: only the late update (newer than the upload) set it.
    assert_eq!(
        data["asset"],
        json!({"filename": "v3.jpg", "folder": "/Archive"})
    );
}

#[tokio::test]
async fn entity_state_follows_collection_portal_job_and_user_events() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let t = |h: u32| format!("2025-10-03T{h:02}:00:00Z");
    app.ingest(&key, &[
        json!({"id": "c1", "type": "collection.created", "occurredAt": t(8), "userId": "u1", "collectionId": "col1", "name": "Launch", "public": false}),
        json!({"id": "c2", "type": "collection.published", "occurredAt": t(9), "userId": "u1", "collectionId": "col1"}),
        json!({"id": "c3", "type": "asset.added_to_collection", "occurredAt": t(9), "userId": "u1", "collectionId": "col1", "assetId": "a1"}),
        json!({"id": "p1", "type": "portal.published", "occurredAt": t(8), "portalId": "p1", "name": "Press", "assetCount": 12}),
        json!({"id": "p2", "type": "portal.unpublished", "occurredAt": t(10), "portalId": "p1"}),
        json!({"id": "j1", "type": "job.created", "occurredAt": t(8), "userId": "u1", "jobId": "j1", "name": "Banner", "workflow": "Review"}),
        json!({"id": "j2", "type": "job.advanced", "occurredAt": t(9), "jobId": "j1", "fromStage": "Brief", "toStage": "Design"}),
        json!({"id": "j3", "type": "job.finished", "occurredAt": t(11), "jobId": "j1"}),
        json!({"id": "l1", "type": "user.logged_in", "occurredAt": t(7), "userId": "u1", "sso": true}),
        json!({"id": "l0", "type": "user.logged_in", "occurredAt": t(6), "userId": "u1", "sso": false}),
        json!({"id": "ud", "type": "user.deleted", "occurredAt": t(12), "userId": "u2"}),
    ]).await;
    let q = r#"{
      collection(id: "col1") { name public creator { userId } }
      portal(id: "p1") { name assetCount live }
      job(id: "j1") { name workflow stage status durationSeconds creator { userId } }
      u1: user(id: "u1") { lastLoginAt status }
      u2: user(id: "u2") { status }
    }"#;
    let data = app.data(&key, q, json!({})).await;
    assert_eq!(
        data["collection"],
        json!({"name": "Launch", "public": true, "creator": {"userId": "u1"}})
    );
    assert_eq!(
        data["portal"],
        json!({"name": "Press", "assetCount": 12, "live": false})
    );
    assert_eq!(
        data["job"],
        json!({"name": "Banner", "workflow": "Review", "stage": "Design", "status": "FINISHED",
                                   "durationSeconds": 3 * 3600, "creator": {"userId": "u1"}})
    );
    assert_eq!(data["u1"]["status"], "ACTIVE");
    assert!(
        data["u1"]["lastLoginAt"]
            .as_str()
            .unwrap()
            .starts_with("2025-10-03T07:00:00")
    );
    assert_eq!(data["u2"]["status"], "DELETED");
    assert_eq!(app.count("collection_assets").await, 1);
}

#[tokio::test]
async fn auth_content_type_and_size_are_checked() {
    let app = crate::helpers::spawn_app_with(|c| c.ingest_body_limit = 1000).await;
    let key = app.full_key().await;
    let reader = app.environment("acme", "UTC", "reports:read").await;
    let line = download("e1", "2025-10-03T09:00:00Z", "u1", "a1").to_string();

    let reply = app
        .post_body(
            "/v1/events",
            "dami_nope",
            "application/x-ndjson",
            line.clone(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"]["code"], "UNAUTHENTICATED");

    let reply = app
        .post_body("/v1/events", &reader, "application/x-ndjson", line.clone())
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.json()["error"]["code"], "FORBIDDEN");

    let reply = app
        .post_body("/v1/events", &key, "text/plain", line.clone())
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let big = format!("{line}\n").repeat(20);
    let reply = app
        .post_body("/v1/events", &key, "application/x-ndjson", big)
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json()["error"]["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(app.count("events").await, 0);
}

#[tokio::test]
async fn catalog_sync_upserts_entities_and_stores_no_event() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let body = [
        json!({"kind": "asset", "id": "a1", "filename": "old.jpg", "assetType": "VIDEO", "status": "ARCHIVED",
               "metaproperties": {"Region": ["EMEA"]}, "updatedAt": "2025-01-01T00:00:00Z"}),
        json!({"kind": "user", "id": "u1", "email": "bo@example.com", "role": "Admin", "groups": ["IT"]}),
        json!({"kind": "collection", "id": "c1", "name": "Old", "public": true, "assetIds": ["a1", "a2"]}),
        json!({"kind": "portal", "id": "p1", "name": "Brand", "assetCount": 3, "live": true}),
        json!({"kind": "spaceship", "id": "x"}),
        json!({"kind": "asset", "id": "a3", "status": "GONE"}),
    ]
    .iter()
    .map(|v| format!("{v}\n"))
    .collect::<String>();
    let reply = app
        .post_body("/v1/catalog", &key, "application/x-ndjson", body)
        .await;
    let answer = reply.json();
    assert_eq!(answer["upserted"], 4, "{answer}");
    assert_eq!(answer["rejected"], 2);
    assert_eq!(answer["rejections"][0]["field"], "kind");
    assert_eq!(answer["rejections"][1]["field"], "status");
    assert_eq!(app.count("events").await, 0);
    assert_eq!(app.count("collection_assets").await, 2);

    // An event newer than the sync wins; the sync's own values stay otherwise.
    app.ingest(&key, &[json!({"id": "e1", "type": "asset.updated", "occurredAt": "2025-02-01T00:00:00Z", "assetId": "a1", "filename": "new.jpg"})]).await;
    let data = app.data(&key, r#"{ asset(id: "a1") { filename assetType status placeholder metaproperties { name values } }
                                    user(id: "u1") { email role groups placeholder } }"#, json!({})).await;
    assert_eq!(
        data["asset"],
        json!({"filename": "new.jpg", "assetType": "VIDEO", "status": "ARCHIVED", "placeholder": false,
                                     "metaproperties": [{"name": "Region", "values": ["EMEA"]}]})
    );
    assert_eq!(
        data["user"],
        json!({"email": "bo@example.com", "role": "Admin", "groups": ["IT"], "placeholder": false})
    );
}
