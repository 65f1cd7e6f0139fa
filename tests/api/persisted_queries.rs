//! Persisted queries: Apollo's automatic persisted queries protocol, spoken as Apollo
//! Client's persisted-queries link speaks it (hash first, the document on
//! PersistedQueryNotFound, then the hash alone, GET included), and the production
//! option that runs only documents registered in advance from a manifest.
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dam_insights::http::persisted::sha256_hex;
use serde_json::{Value, json};

const LIMITS: &str = "query Limits { limits { maxDepth maxPageSize } }";

fn extensions(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header(
            "accept",
            "application/graphql-response+json, application/json;q=0.9",
        )
        .header("authorization", format!("Bearer {key}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let reply = app.send(request).await;
    (reply.status, reply.json())
}

async fn get_by_hash(
    app: &TestApp,
    key: &str,
    hash: &str,
    variables: Option<Value>,
) -> (StatusCode, Value) {
    let ext = extensions(hash).to_string();
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    url.append_pair("operationName", "Limits");
    url.append_pair("extensions", &ext);
    if let Some(v) = variables {
        url.append_pair("variables", &v.to_string());
    }
    let request = Request::get(format!("/graphql?{}", url.finish()))
        .header(
            "accept",
            "application/graphql-response+json, application/json;q=0.9",
        )
        .header("authorization", format!("Bearer {key}"))
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    (reply.status, reply.json())
}

#[tokio::test]
async fn an_unknown_hash_is_not_found_then_the_document_registers_it_and_the_hash_alone_runs() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let hash = sha256_hex(LIMITS);
    let expected = json!({"limits": {"maxDepth": 12, "maxPageSize": 100}});

    // 1. The hash alone, unknown: PersistedQueryNotFound, with 200 so clients retry.
    let (status, answer) = post(
        &app,
        &key,
        json!({"operationName": "Limits", "extensions": extensions(&hash)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        answer["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    assert!(answer.get("data").is_none());
    // The same by GET (Apollo's link sends queries by GET with useGETForHashedQueries).
    let (status, answer) = get_by_hash(&app, &key, &hash, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["errors"][0]["message"], "PersistedQueryNotFound");

    // 2. The document with its hash: it runs, and is registered.
    let (status, answer) = post(
        &app,
        &key,
        json!({"query": LIMITS, "operationName": "Limits", "extensions": extensions(&hash)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"], expected);

    // 3. The hash alone now runs it, by POST and by GET.
    let (status, answer) = post(
        &app,
        &key,
        json!({"operationName": "Limits", "extensions": extensions(&hash)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"], expected);
    let (status, answer) = get_by_hash(&app, &key, &hash, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"], expected);
    // Uppercase hex names the same document.
    let (_, answer) = get_by_hash(&app, &key, &hash.to_uppercase(), None).await;
    assert_eq!(answer["data"], expected);
}

#[tokio::test]
async fn a_hash_that_is_not_the_documents_or_a_malformed_extension_is_a_bad_request() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let wrong = sha256_hex("{ limits { maxDepth } }");
    let (status, answer) = post(
        &app,
        &key,
        json!({"query": LIMITS, "extensions": extensions(&wrong)}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(&sha256_hex(LIMITS)), "{message}");
    // The mismatched document was not registered under the wrong hash.
    let (_, answer) = post(&app, &key, json!({"extensions": extensions(&wrong)})).await;
    assert_eq!(answer["errors"][0]["message"], "PersistedQueryNotFound");

    for (pq, what) in [
        (
            json!({"version": 2, "sha256Hash": sha256_hex(LIMITS)}),
            "version",
        ),
        (json!({"version": 1, "sha256Hash": "abc"}), "64 hex digits"),
        (json!("x"), "object"),
    ] {
        let (status, answer) = post(
            &app,
            &key,
            json!({"query": LIMITS, "extensions": {"persistedQuery": pq}}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let message = answer["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(what), "{message}");
    }
    // Neither a query nor a persisted query: the usual refusal.
    let (status, answer) = post(&app, &key, json!({"variables": {}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`query` is required")
    );
}

#[tokio::test]
async fn a_persisted_mutation_cannot_run_by_get() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let mutation = r#"mutation Limits { ingestEvents(events: []) { accepted } }"#;
    let hash = sha256_hex(mutation);
    let (status, answer) = post(
        &app,
        &key,
        json!({"query": mutation, "extensions": extensions(&hash)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = get_by_hash(&app, &key, &hash, None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{answer}");
}

fn manifest(documents: &[&str]) -> tempfile::NamedTempFile {
    let operations: Vec<Value> = documents
        .iter()
        .map(|d| json!({"id": sha256_hex(d), "name": "Limits", "type": "query", "body": d}))
        .collect();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        json!({"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations})
            .to_string(),
    )
    .unwrap();
    file
}

#[tokio::test]
async fn with_only_registered_documents_others_are_refused_and_none_can_be_added() {
    let file = manifest(&[LIMITS]);
    let path = file.path().to_owned();
    let app = spawn_app_with(|c| {
        c.persisted_queries = Some(path);
        c.persisted_queries_only = true;
    })
    .await;
    let key = app.full_key().await;
    let expected = json!({"limits": {"maxDepth": 12, "maxPageSize": 100}});
    // Registered: by hash alone (POST and GET), or as the full document.
    let hash = sha256_hex(LIMITS);
    let (_, answer) = post(&app, &key, json!({"extensions": extensions(&hash)})).await;
    assert_eq!(answer["data"], expected, "{answer}");
    let (_, answer) = get_by_hash(&app, &key, &hash, None).await;
    assert_eq!(answer["data"], expected, "{answer}");
    let (_, answer) = post(&app, &key, json!({"query": LIMITS})).await;
    assert_eq!(answer["data"], expected, "{answer}");

    // Any other document is refused, sent plain, by hash, or with its hash.
    let other = "{ limits { maxDepth } }";
    let other_hash = sha256_hex(other);
    for body in [
        json!({"query": other}),
        json!({"extensions": extensions(&other_hash)}),
        json!({"query": other, "extensions": extensions(&other_hash)}),
    ] {
        let (status, answer) = post(&app, &key, body.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_REGISTERED",
            "{body}: {answer}"
        );
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(&other_hash)
        );
        assert!(answer.get("data").is_none());
    }
    // Sending it with its hash registered nothing.
    let (_, answer) = post(&app, &key, json!({"extensions": extensions(&other_hash)})).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_REGISTERED"
    );
}

#[tokio::test]
async fn the_cli_writes_a_manifest_the_server_starts_with_and_a_bad_manifest_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("limits.graphql");
    std::fs::write(&doc, LIMITS).unwrap();
    let out = std::process::Command::new(crate::cli::BIN)
        .args(["persisted-queries", "manifest"])
        .arg(&doc)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        manifest,
        json!({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [
            {"id": sha256_hex(LIMITS), "name": "Limits", "type": "query", "body": LIMITS}
        ]})
    );
    let path = dir.path().join("manifest.json");
    std::fs::write(&path, &out.stdout).unwrap();
    let app = spawn_app_with(|c| {
        c.persisted_queries = Some(path.clone());
        c.persisted_queries_only = true;
    })
    .await;
    let key = app.full_key().await;
    let (_, answer) = post(
        &app,
        &key,
        json!({"extensions": extensions(&sha256_hex(LIMITS))}),
    )
    .await;
    assert_eq!(answer["data"]["limits"]["maxDepth"], 12, "{answer}");

    // An id that is not its body's hash: the server does not start.
    let mut bad = manifest.clone();
    bad["operations"][0]["id"] = json!(sha256_hex("{ x }"));
    std::fs::write(&path, bad.to_string()).unwrap();
    let database = crate::helpers::fresh_database().await;
    let mut config = dam_insights::config::Config::for_database(database.url.clone());
    config.persisted_queries = Some(path.clone());
    let err = dam_insights::build(config).await.err().expect("refused");
    assert!(err.to_string().contains("SHA-256"), "{err}");
    // Only registered documents, but none named: refused too.
    let mut config = dam_insights::config::Config::for_database(database.url.clone());
    config.persisted_queries_only = true;
    let err = dam_insights::build(config).await.err().expect("refused");
    assert!(err.to_string().contains("--persisted-queries"), "{err}");
}
