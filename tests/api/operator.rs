//! Provisioning over `/admin/graphql` with the operator credential, and its audit log.
use crate::helpers::{TestApp, spawn_app_with};
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

/// An app with one operator credential; returns it too.
async fn app_with_operator() -> (TestApp, String) {
    let (credential, digest) = dam_insights::operator::new_credential();
    let app = spawn_app_with(|c| c.operator_credential_sha256 = vec![digest]).await;
    (app, credential)
}

async fn admin(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let request = Request::post("/admin/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(
            json!({ "query": query, "variables": variables }).to_string(),
        ))
        .unwrap();
    app.send(request).await.ok_json()
}

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

const CREATE: &str = r#"mutation($n: String!, $tz: String!, $r: Int) {
  createEnvironment(input: {name: $n, timeZone: $tz, retentionDays: $r}) { name timeZone retentionDays eventsDeletedBefore } }"#;

#[tokio::test]
async fn the_operator_creates_environments_and_keys_that_work_and_every_action_is_audited() {
    let (app, op) = app_with_operator().await;
    let created = admin(
        &app,
        &op,
        CREATE,
        json!({"n": "globex", "tz": "Europe/Berlin", "r": 30}),
    )
    .await;
    assert_eq!(
        created["data"]["createEnvironment"],
        json!({"name": "globex", "timeZone": "Europe/Berlin", "retentionDays": 30, "eventsDeletedBefore": null})
    );
    let key = admin(
        &app,
        &op,
        r#"mutation { createKey(environment: "globex", scopes: ["reports:read", "events:write"]) { key { id scopes revokedAt } token } }"#,
        json!({}),
    )
    .await;
    let token = key["data"]["createKey"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let key_id = key["data"]["createKey"]["key"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        key["data"]["createKey"]["key"]["scopes"],
        json!(["reports:read", "events:write"])
    );

    // The key works for its environment, with the retention visible to it.
    let viewer = app
        .data(
            &token,
            "{ viewer { environment { name timeZone retentionDays } scopes } }",
            json!({}),
        )
        .await;
    assert_eq!(
        viewer["viewer"]["environment"],
        json!({"name": "globex", "timeZone": "Europe/Berlin", "retentionDays": 30})
    );

    let listed = admin(&app, &op, r#"{ keys(environment: "globex") { id revokedAt } environments { totalCount nodes { name } } }"#, json!({})).await;
    assert_eq!(
        listed["data"]["keys"],
        json!([{"id": key_id, "revokedAt": null}])
    );
    assert_eq!(
        listed["data"]["environments"]["nodes"],
        json!([{"name": "globex"}])
    );

    let updated = admin(
        &app,
        &op,
        r#"mutation { updateEnvironment(name: "globex", input: {name: "globex-eu", retentionDays: null}) { name timeZone retentionDays } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        updated["data"]["updateEnvironment"],
        json!({"name": "globex-eu", "timeZone": "Europe/Berlin", "retentionDays": null})
    );

    let revoked = admin(
        &app,
        &op,
        r#"mutation($id: String!) { revokeKey(environment: "globex-eu", id: $id) { id revokedAt } }"#,
        json!({"id": key_id}),
    )
    .await;
    assert!(revoked["data"]["revokeKey"]["revokedAt"].is_string());
    let refused = app
        .graphql(&token, "{ viewer { scopes } }", json!({}))
        .await;
    assert_eq!(code(&refused), "UNAUTHENTICATED");

    let audit = admin(
        &app,
        &op,
        r#"{ auditLog(first: 10) { totalCount nodes { actor action details } } }"#,
        json!({}),
    )
    .await;
    let nodes = audit["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let actions: Vec<&str> = nodes
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "revokeKey",
            "updateEnvironment",
            "createKey",
            "createEnvironment"
        ],
        "newest first"
    );
    let fingerprint = format!("operator:{}", &dam_insights::storage::keys::hash(&op)[..12]);
    assert!(nodes.iter().all(|n| n["actor"] == fingerprint.as_str()));
    assert_eq!(nodes[1]["details"]["before"]["name"], "globex");
    assert_eq!(nodes[1]["details"]["after"]["name"], "globex-eu");
    let text = audit.to_string();
    assert!(
        !text.contains(&token) && !text.contains(&op),
        "no secret in the audit log"
    );
}

#[tokio::test]
async fn the_operator_credential_reads_no_report_and_ingests_nothing_and_keys_are_no_operator() {
    let (app, op) = app_with_operator().await;
    let key = app.full_key().await;
    let report = app.graphql(&op, "{ viewer { scopes } }", json!({})).await;
    assert_eq!(code(&report), "UNAUTHENTICATED");
    let ingest = app
        .post_body("/v1/events", &op, "application/x-ndjson", r#"{"id":"e1","type":"user.logged_out","occurredAt":"2025-10-03T09:00:00Z","userId":"u1"}"#)
        .await;
    assert_eq!(ingest.status.as_u16(), 401);
    assert_eq!(app.count("events").await, 0);
    let export = app
        .get(
            "/v1/exports/series.csv?metrics=UPLOADS&from=2025-01-01&to=2025-01-31&interval=MONTH",
            &op,
        )
        .await;
    assert_eq!(export.status.as_u16(), 401);

    let as_key = admin(&app, &key, "{ environments { totalCount } }", json!({})).await;
    assert_eq!(code(&as_key), "UNAUTHENTICATED");
    assert!(
        as_key["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not an operator credential")
    );
    let anonymous = admin(&app, "", "{ environments { totalCount } }", json!({})).await;
    assert_eq!(code(&anonymous), "UNAUTHENTICATED");
    // The admin schema has no report field at all.
    let no_field = admin(
        &app,
        &op,
        "{ monthlyReport(month: \"2025-10\") { month } }",
        json!({}),
    )
    .await;
    assert_eq!(code(&no_field), "BAD_USER_INPUT");
}

#[tokio::test]
async fn bad_provisioning_input_is_refused_with_what_is_accepted() {
    let (app, op) = app_with_operator().await;
    let zone = admin(
        &app,
        &op,
        CREATE,
        json!({"n": "x", "tz": "Mars/Base", "r": null}),
    )
    .await;
    assert_eq!(code(&zone), "BAD_USER_INPUT");
    assert!(
        zone["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("IANA")
    );
    let days = admin(&app, &op, CREATE, json!({"n": "x", "tz": "UTC", "r": 0})).await;
    assert_eq!(code(&days), "BAD_USER_INPUT");
    let name = admin(
        &app,
        &op,
        CREATE,
        json!({"n": "Bad Name", "tz": "UTC", "r": null}),
    )
    .await;
    assert_eq!(code(&name), "BAD_USER_INPUT");
    let scope = admin(
        &app,
        &op,
        r#"mutation { createKey(environment: "nope", scopes: ["root"]) { token } }"#,
        json!({}),
    )
    .await;
    assert_eq!(code(&scope), "BAD_USER_INPUT");
    let missing = admin(
        &app,
        &op,
        r#"mutation { createKey(environment: "nope", scopes: ["admin"]) { token } }"#,
        json!({}),
    )
    .await;
    assert_eq!(code(&missing), "NOT_FOUND");
    let audit = admin(&app, &op, "{ auditLog { totalCount } }", json!({})).await;
    assert_eq!(
        audit["data"]["auditLog"]["totalCount"], 0,
        "refused actions write nothing"
    );
}

#[tokio::test]
async fn a_time_zone_change_is_refused_once_the_environment_holds_events() {
    let (app, op) = app_with_operator().await;
    admin(
        &app,
        &op,
        CREATE,
        json!({"n": "acme", "tz": "UTC", "r": null}),
    )
    .await;
    let change = r#"mutation($tz: String!) { updateEnvironment(name: "acme", input: {timeZone: $tz}) { timeZone } }"#;
    let empty = admin(&app, &op, change, json!({"tz": "Asia/Kolkata"})).await;
    assert_eq!(
        empty["data"]["updateEnvironment"]["timeZone"], "Asia/Kolkata",
        "no events yet: allowed"
    );
    let key = app.environment("acme", "UTC", "events:write").await;
    app.ingest(&key, &[json!({"id": "e1", "type": "user.logged_out", "occurredAt": "2025-10-03T09:00:00Z", "userId": "u1"})]).await;
    let refused = admin(&app, &op, change, json!({"tz": "Europe/Amsterdam"})).await;
    assert_eq!(code(&refused), "BAD_USER_INPUT");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("holds events") && message.contains("Asia/Kolkata"),
        "{message}"
    );
    let same = admin(
        &app,
        &op,
        r#"{ environment(name: "acme") { timeZone } }"#,
        json!({}),
    )
    .await;
    assert_eq!(same["data"]["environment"]["timeZone"], "Asia/Kolkata");
}
