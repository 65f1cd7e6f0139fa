//! The read cache: answers of read operations per environment, data version, document,
//! variables and scopes; never stale after an ingest or a catalog sync; hit or miss in
//! `extensions.cache`; ETag and 304 for GET; a hit charged what the query costs; memory
//! bounded; and across two server replicas on PostgreSQL.
use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::ingest::upload;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

const SUMMARY: &str = r#"{ monthlyReport(month: "2025-10") { summary { uploads { current } activeUsers { current } } } }"#;
const ASSET: &str = r#"query($id: String!) { asset(id: $id) { filename folder } }"#;

/// POSTs a query; returns the whole answer (data and extensions).
async fn ask(app: &TestApp, key: &str, query: &str, variables: Value) -> Value {
    app.graphql(key, query, variables).await
}

fn cache_of(answer: &Value) -> &str {
    answer["extensions"]["cache"].as_str().unwrap_or("none")
}

async fn sync(app: &TestApp, key: &str, records: &[Value]) {
    let body: String = records.iter().map(|r| format!("{r}\n")).collect();
    let reply = app
        .post_body("/v1/catalog", key, "application/x-ndjson", body)
        .await;
    assert_eq!(
        reply.ok_json()["upserted"],
        records.len(),
        "{:?}",
        reply.json()
    );
}

#[tokio::test]
async fn ingest_and_catalog_sync_between_reads_never_leave_a_stale_answer() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    for i in 0..5 {
        // An upload by a new user each round: uploads and active users both move.
        app.ingest(
            &key,
            &[upload(
                &format!("e{i}"),
                "2025-10-03T09:00:00Z",
                &format!("u{i}"),
                "a0",
                "first.jpg",
            )],
        )
        .await;
        let first = ask(&app, &key, SUMMARY, json!({})).await;
        let again = ask(&app, &key, SUMMARY, json!({})).await;
        let summary = &first["data"]["monthlyReport"]["summary"];
        assert_eq!(summary["uploads"]["current"], i + 1, "round {i}: {first}");
        assert_eq!(summary["activeUsers"]["current"], i + 1, "round {i}");
        assert_eq!(
            cache_of(&first),
            "MISS",
            "round {i}: new data, a new answer"
        );
        assert_eq!(cache_of(&again), "HIT", "round {i}");
        assert_eq!(again["data"], first["data"]);

        // A catalog sync renames the asset: the next read says so.
        let name = format!("renamed-{i}.jpg");
        sync(
            &app,
            &key,
            &[json!({"kind": "asset", "id": "a0", "filename": name, "updatedAt": format!("2025-11-0{}T00:00:00Z", i + 1)})],
        )
        .await;
        let asset = ask(&app, &key, ASSET, json!({"id": "a0"})).await;
        assert_eq!(asset["data"]["asset"]["filename"], name.as_str(), "{asset}");
        assert_eq!(cache_of(&asset), "MISS");
        let asset = ask(&app, &key, ASSET, json!({"id": "a0"})).await;
        assert_eq!(asset["data"]["asset"]["filename"], name.as_str());
        assert_eq!(cache_of(&asset), "HIT");
        // The sync stored no event, yet the summary is answered afresh (one version for
        // the environment's data): still right.
        let summary = ask(&app, &key, SUMMARY, json!({})).await;
        assert_eq!(cache_of(&summary), "MISS");
        assert_eq!(summary["data"], first["data"]);
    }
    // A repeated event changes nothing, and the answer after it is the same one.
    app.ingest(
        &key,
        &[upload(
            "e0",
            "2025-10-03T09:00:00Z",
            "u0",
            "a0",
            "first.jpg",
        )],
    )
    .await;
    let summary = ask(&app, &key, SUMMARY, json!({})).await;
    assert_eq!(
        summary["data"]["monthlyReport"]["summary"]["uploads"]["current"],
        5
    );
}

#[tokio::test]
async fn environments_scopes_and_variables_do_not_share_answers() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let same_scopes = app.full_key().await;
    let reader = app.environment("acme", "UTC", "reports:read").await;
    let other = app
        .environment("globex", "UTC", "reports:read,admin,events:write")
        .await;
    app.ingest(
        &key,
        &[upload("e1", "2025-10-03T09:00:00Z", "u1", "a1", "one.jpg")],
    )
    .await;

    let viewer = "{ viewer { scopes environment { name } } }";
    let full = ask(&app, &key, viewer, json!({})).await;
    assert_eq!(cache_of(&full), "MISS");
    // Another key with the same scopes in the same environment shares the answer.
    let shared = ask(&app, &same_scopes, viewer, json!({})).await;
    assert_eq!(cache_of(&shared), "HIT");
    assert_eq!(shared["data"], full["data"]);
    // Fewer scopes: an answer of its own.
    let read_only = ask(&app, &reader, viewer, json!({})).await;
    assert_eq!(cache_of(&read_only), "MISS");
    assert_eq!(
        read_only["data"]["viewer"]["scopes"],
        json!(["reports:read"])
    );
    // Another environment: its own data (nothing ingested there).
    let summary = ask(&app, &key, SUMMARY, json!({})).await;
    let elsewhere = ask(&app, &other, SUMMARY, json!({})).await;
    assert_eq!(cache_of(&elsewhere), "MISS");
    assert_eq!(
        summary["data"]["monthlyReport"]["summary"]["uploads"]["current"],
        1
    );
    assert_eq!(
        elsewhere["data"]["monthlyReport"]["summary"]["uploads"]["current"],
        0
    );
    let globex = ask(&app, &other, viewer, json!({})).await;
    assert_eq!(globex["data"]["viewer"]["environment"]["name"], "globex");
    // Other variables: another answer.
    let a1 = ask(&app, &key, ASSET, json!({"id": "a1"})).await;
    let a2 = ask(&app, &key, ASSET, json!({"id": "a2"})).await;
    assert_eq!(a1["data"]["asset"]["filename"], "one.jpg");
    assert_eq!(a2["data"]["asset"], Value::Null);
    assert_eq!(cache_of(&a2), "MISS");
    // A key without the scope a field needs gets FORBIDDEN, never a cached answer.
    let writer = app.environment("acme", "UTC", "events:write").await;
    let refused = ask(&app, &writer, SUMMARY, json!({})).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(refused["data"], Value::Null);
}

#[tokio::test]
async fn answers_that_read_the_clock_or_the_rate_limit_are_not_cached() {
    // 60 points a minute: one a second refills, not a whole one between two requests.
    let app = spawn_app_with(|c| c.rate_limit_points = 60).await;
    let key = app.full_key().await;
    let q = "{ rateLimit { remaining cost } }";
    let first = ask(&app, &key, q, json!({})).await;
    let second = ask(&app, &key, q, json!({})).await;
    assert_eq!(cache_of(&second), "MISS");
    let left = |a: &Value| a["data"]["rateLimit"]["remaining"].as_i64().unwrap();
    assert_eq!(left(&first) - left(&second), 3, "{first} {second}");
}

#[tokio::test]
async fn a_hit_is_charged_what_the_query_costs() {
    // 5 points a minute: `{ limits { maxDepth } }` costs 2 (two fields), hit or not.
    let app = spawn_app_with(|c| c.rate_limit_points = 5).await;
    let key = app.full_key().await;
    let q = "{ limits { maxDepth } }";
    let miss = ask(&app, &key, q, json!({})).await;
    assert_eq!(cache_of(&miss), "MISS");
    assert_eq!(miss["extensions"]["cost"]["requested"], 2);
    let hit = ask(&app, &key, q, json!({})).await;
    assert_eq!(cache_of(&hit), "HIT");
    assert_eq!(
        hit["extensions"]["cost"],
        json!({"requested": 2, "actual": 0})
    );
    assert_eq!(hit["data"], json!({"limits": {"maxDepth": 12}}));
    // 1 point left: the third is refused, as it would be uncached.
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {key}"))
        .body(Body::from(json!({ "query": q }).to_string()))
        .unwrap();
    let refused = app.send(request).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key("retry-after"));
    let body = refused.json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("costs 2 points and the key has 1 of 5 left"),
        "{body}"
    );
}

fn get(key: &str, query: &str, if_none_match: Option<&str>) -> Request<Body> {
    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let mut request = Request::get(format!("/graphql?query={q}"))
        .header("accept", "application/graphql-response+json")
        .header("authorization", format!("Bearer {key}"));
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    request.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn get_answers_carry_an_etag_and_if_none_match_gets_304_until_the_data_changes() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let first = app.send(get(&key, SUMMARY, None)).await;
    assert_eq!(first.status, StatusCode::OK);
    let tag = first.headers["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    assert_eq!(first.headers["cache-control"], "private, no-cache");
    // Hit or miss, the same data has the same tag.
    let hit = app.send(get(&key, SUMMARY, None)).await;
    assert_eq!(hit.json()["extensions"]["cache"], "HIT");
    assert_eq!(hit.headers["etag"].to_str().unwrap(), tag);

    let not_modified = app.send(get(&key, SUMMARY, Some(&tag))).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.body.is_empty());
    assert_eq!(not_modified.headers["etag"].to_str().unwrap(), tag);
    // Listed among others, or as a strong tag: still a match.
    let listed = format!("\"nope\", {}", tag.trim_start_matches("W/"));
    let listed = app.send(get(&key, SUMMARY, Some(&listed))).await;
    assert_eq!(listed.status, StatusCode::NOT_MODIFIED);

    // New data: a full answer with another tag.
    app.ingest(
        &key,
        &[upload("e1", "2025-10-03T09:00:00Z", "u1", "a1", "one.jpg")],
    )
    .await;
    let changed = app.send(get(&key, SUMMARY, Some(&tag))).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.headers["etag"].to_str().unwrap(), tag);
    let body = changed.json();
    assert_eq!(
        body["data"]["monthlyReport"]["summary"]["uploads"]["current"],
        1
    );
    // A catalog sync of nothing the query shows: the version moved on, the data did not,
    // so the tag is the same and the client's copy still good.
    let new_tag = changed.headers["etag"].to_str().unwrap().to_owned();
    sync(
        &app,
        &key,
        &[json!({"kind": "portal", "id": "p1", "name": "Press"})],
    )
    .await;
    let same = app.send(get(&key, SUMMARY, Some(&new_tag))).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);
    // An answer with errors has no tag.
    let bad = app.send(get(&key, "{ nope }", None)).await;
    assert!(!bad.headers.contains_key("etag"));
}

#[tokio::test]
async fn the_cache_holds_at_most_its_budget_dropping_the_least_recently_used() {
    // Each answer below takes 211 bytes in the cache (23 of data, a 28-byte tag and 160
    // of overhead): four fit in 1,000 bytes, the fifth pushes out the oldest.
    let app = spawn_app_with(|c| c.cache_max_bytes = 1_000).await;
    let key = app.full_key().await;
    let query = |i: usize| format!("{{ a{i}: limits {{ maxDepth }} }}");
    for i in 1..=4 {
        assert_eq!(
            cache_of(&ask(&app, &key, &query(i), json!({})).await),
            "MISS"
        );
    }
    // a1 used again: a2 is now the least recently used.
    assert_eq!(
        cache_of(&ask(&app, &key, &query(1), json!({})).await),
        "HIT"
    );
    assert_eq!(
        cache_of(&ask(&app, &key, &query(5), json!({})).await),
        "MISS"
    );
    assert_eq!(
        cache_of(&ask(&app, &key, &query(1), json!({})).await),
        "HIT"
    );
    assert_eq!(
        cache_of(&ask(&app, &key, &query(5), json!({})).await),
        "HIT"
    );
    assert_eq!(
        cache_of(&ask(&app, &key, &query(2), json!({})).await),
        "MISS"
    );

    // Off: no cache, no `extensions.cache`.
    let off = spawn_app_with(|c| c.cache_max_bytes = 0).await;
    let key = off.full_key().await;
    assert_eq!(
        cache_of(&ask(&off, &key, &query(1), json!({})).await),
        "none"
    );
    assert_eq!(
        cache_of(&ask(&off, &key, &query(1), json!({})).await),
        "none"
    );
}

#[tokio::test]
async fn hits_and_misses_are_counted_in_metrics() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    ask(&app, &key, "{ limits { maxFields } }", json!({})).await;
    ask(&app, &key, "{ limits { maxFields } }", json!({})).await;
    let metrics = app.get("/metrics", &key).await;
    let text = String::from_utf8(metrics.body).unwrap();
    assert!(
        text.contains("dam_cache_lookups_total{outcome=\"hit\"}"),
        "{text}"
    );
    assert!(text.contains("dam_cache_lookups_total{outcome=\"miss\"}"));
}

/// Two server processes on one PostgreSQL database: reads through B (each answered from
/// its cache the second time) after ingests and catalog syncs through A are never stale.
#[tokio::test]
async fn two_replicas_never_serve_a_stale_answer() {
    use crate::servers::{provisioned, start};
    use dam_insights::bench::client::Connection;
    if crate::helpers::postgres_url().is_none() {
        eprintln!("note: the two-replica cache test needs PostgreSQL: skipped on SQLite");
        return;
    }
    let database = crate::helpers::fresh_database().await;
    let key = provisioned(&database.url).await;
    let a = start(&database.url, &[]).await;
    let b = start(&database.url, &[]).await;
    let (mut conn_a, mut conn_b) = (Connection::new(a.addr), Connection::new(b.addr));
    let auth = format!("Bearer {key}");
    let summary = json!({ "query": SUMMARY });
    let asset = json!({ "query": ASSET, "variables": {"id": "a0"} });
    for i in 0..4 {
        let event = upload(
            &format!("e{i}"),
            "2025-10-03T09:00:00Z",
            &format!("u{i}"),
            "a0",
            "first.jpg",
        );
        let r = conn_a
            .request(
                "POST",
                "/v1/events",
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/x-ndjson"),
                ],
                format!("{event}\n").as_bytes(),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        for expected in ["MISS", "HIT"] {
            let answer = b.graphql(&mut conn_b, &key, summary.clone()).await;
            assert_eq!(
                answer["data"]["monthlyReport"]["summary"]["uploads"]["current"],
                i + 1,
                "round {i}: {answer}"
            );
            assert_eq!(answer["extensions"]["cache"], expected, "round {i}");
        }
        let name = format!("renamed-{i}.jpg");
        let record = json!({"kind": "asset", "id": "a0", "filename": name, "updatedAt": format!("2025-11-0{}T00:00:00Z", i + 1)});
        let r = conn_a
            .request(
                "POST",
                "/v1/catalog",
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/x-ndjson"),
                ],
                format!("{record}\n").as_bytes(),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        for expected in ["MISS", "HIT"] {
            let answer = b.graphql(&mut conn_b, &key, asset.clone()).await;
            assert_eq!(
                answer["data"]["asset"]["filename"],
                name.as_str(),
                "{answer}"
            );
            assert_eq!(answer["extensions"]["cache"], expected, "round {i}");
        }
    }
}
