//! Access control, tenant isolation, query limits, rate limits, production mode, CORS and
//! a corpus of bad input, all through HTTP.
use crate::cli::{ok, run};
use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with};
use crate::monthly::ev;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

fn post(key: Option<&str>, path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    let mut r = Request::post(path)
        .header("content-type", content_type)
        .header("accept", "application/json");
    if let Some(key) = key {
        r = r.header("authorization", format!("Bearer {key}"));
    }
    r.body(body.into()).unwrap()
}

async fn gql(app: &TestApp, key: Option<&str>, query: &str) -> Reply {
    app.send(post(
        key,
        "/graphql",
        "application/json",
        json!({"query": query}).to_string(),
    ))
    .await
}

fn code(reply: &Reply) -> String {
    let v = reply.json();
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .or_else(|| v["error"]["code"].as_str())
        .unwrap_or_default()
        .to_owned()
}

const RANGE: &str = r#"{from: "2025-03-01", to: "2025-03-31"}"#;

#[tokio::test]
async fn every_field_and_endpoint_needs_its_scope() {
    let app = spawn_app().await;
    let reader = app.environment("acme", "UTC", "reports:read").await;
    let writer = app.environment("acme", "UTC", "events:write").await;
    // No key, a made-up key: UNAUTHENTICATED (401 on REST).
    for key in [None, Some("dami_not-a-key")] {
        let r = gql(&app, key, "{ metrics { name } }").await;
        assert_eq!(
            code(&r),
            "UNAUTHENTICATED",
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        let r = app
            .send(post(key, "/v1/events", "application/x-ndjson", ""))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Reports need reports:read; ingest needs events:write.
    for query in [
        "{ metrics { name } }",
        r#"{ monthlyReport(month: "2025-03") { summary { uploads { current } } } }"#,
        &format!("{{ insights(range: {RANGE}) {{ media {{ uploads {{ current }} }} }} }}"),
        "{ assets { totalCount } }",
    ] {
        let r = gql(&app, Some(&writer), query).await;
        assert_eq!(code(&r), "FORBIDDEN", "{query}");
        let r = gql(&app, Some(&reader), query).await;
        assert!(
            r.json().get("errors").is_none(),
            "{query}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    // The dashboard, the activity log and activity reports need admin.
    for query in [
        "{ dashboard(window: LAST_7_DAYS) { assets { total } } }",
        "{ activityLog { totalCount } }",
        "{ activityReports { totalCount } }",
    ] {
        assert_eq!(
            code(&gql(&app, Some(&reader), query).await),
            "FORBIDDEN",
            "{query}"
        );
    }
    assert_eq!(
        app.get("/v1/exports/activity-log.csv", &reader)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/v1/exports/assets.csv", &writer).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/v1/exports/assets.csv", &reader).await.status,
        StatusCode::OK
    );
    let mutation = r#"mutation { ingestEvents(events: []) { accepted } }"#;
    assert_eq!(code(&gql(&app, Some(&reader), mutation).await), "FORBIDDEN");
    let r = app
        .send(post(
            Some(&reader),
            "/v1/events",
            "application/x-ndjson",
            "",
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .send(post(
            Some(&writer),
            "/v1/events",
            "application/x-ndjson",
            "",
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn keys_are_listed_without_tokens_and_revoked_keys_stop_working() {
    let app = spawn_app().await;
    let key = app.environment("acme", "UTC", "reports:read").await;
    assert!(key.starts_with("dami_") && key.len() > 40, "{key}");
    assert_eq!(
        gql(&app, Some(&key), "{ viewer { scopes } }").await.status,
        StatusCode::OK
    );
    // The last use is written in the background, off the request path.
    let mut listed = ok(&run(app.url(), &["keys", "list", "--environment", "acme"]));
    for _ in 0..50 {
        if !listed.lines().nth(1).unwrap_or_default().contains("\t-\t-") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        listed = ok(&run(app.url(), &["keys", "list", "--environment", "acme"]));
    }
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(!listed.contains(&key), "a token is never shown again");
    let cols: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(cols[1], "reports:read");
    assert_ne!(cols[3], "-", "last use is kept: {listed}");
    assert_eq!(cols[4], "-");
    ok(&run(
        app.url(),
        &["keys", "revoke", cols[0], "--environment", "acme"],
    ));
    let r = gql(&app, Some(&key), "{ viewer { scopes } }").await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    let listed = ok(&run(app.url(), &["keys", "list", "--environment", "acme"]));
    assert_ne!(listed.lines().nth(1).unwrap().split('\t').nth(4), Some("-"));
    let missing = run(
        app.url(),
        &["keys", "revoke", "key_nope", "--environment", "acme"],
    );
    assert!(!missing.status.success());
}

/// Environment B's data, with ids that must never show up in A's answers.
async fn two_tenants() -> (TestApp, String, String, Value) {
    let app = spawn_app().await;
    let a = app
        .environment("alpha", "UTC", "reports:read,admin,events:write")
        .await;
    let b = app
        .environment("beta", "UTC", "reports:read,admin,events:write")
        .await;
    let at = "2025-03-10T10:00:00Z";
    let events = vec![
        ev(
            "bx1",
            "asset.uploaded",
            at,
            Some("beta-user"),
            json!({"assetId": "beta-asset", "filename": "beta.jpg",
            "assetType": "IMAGE", "source": "WEB", "metaproperties": {"Region": ["BETA-REGION"]}}),
        ),
        ev(
            "bx2",
            "asset.downloaded",
            at,
            Some("beta-user"),
            json!({"assetId": "beta-asset", "actionId": "beta-action",
            "bulk": false, "variant": "ORIGINAL"}),
        ),
        ev(
            "bx3",
            "search.performed",
            at,
            Some("beta-user"),
            json!({"kind": "TEXT", "query": "beta-query"}),
        ),
        ev(
            "bx4",
            "collection.created",
            at,
            Some("beta-user"),
            json!({"collectionId": "beta-coll", "name": "beta", "public": true}),
        ),
        ev(
            "bx5",
            "collection.viewed",
            at,
            None,
            json!({"collectionId": "beta-coll", "viaPublicLink": true}),
        ),
        ev(
            "bx6",
            "job.created",
            at,
            Some("beta-user"),
            json!({"jobId": "beta-job", "name": "beta", "workflow": "w"}),
        ),
        ev(
            "bx7",
            "user.logged_in",
            at,
            Some("beta-user"),
            json!({"sso": true}),
        ),
        ev(
            "bx8",
            "portal.published",
            at,
            Some("beta-user"),
            json!({"portalId": "beta-portal", "name": "beta", "assetCount": 3}),
        ),
    ];
    assert_eq!(app.ingest(&b, &events).await["accepted"], 8);
    // B's global ids and a cursor from B's results.
    let d = app
        .data(&b, r#"{ assets { nodes { id } pageInfo { endCursor } } users { nodes { id } } collections { nodes { id } }
                      jobs { nodes { id } } portals { nodes { id } }
                      events(metric: UPLOADS, range: {from: "2025-03-01", to: "2025-03-31"}) { nodes { id } pageInfo { endCursor } } }"#, json!({}))
        .await;
    (app, a, b, d)
}

#[tokio::test]
async fn a_key_never_reads_or_changes_another_environments_data() {
    let (app, a, b, from_b) = two_tenants().await;
    let cursor = from_b["assets"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let event_cursor = from_b["events"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    // Every root query field, with B's ids, names and cursors where they take one.
    let queries = vec![
        "{ viewer { environment { name } } }".to_owned(),
        r#"{ monthlyReport(month: "2025-03") { summary { activeUsers { current } uploads { current } searches { current } downloads { current } collectionsViewed { current } }
             engagement { topUsers { totalCount edges { node { userId } } } }
             search { topQueries { totalCount edges { node { query } } } }
             downloads { topAssets { totalCount edges { node { assetId } } } }
             collections { topViewed { totalCount edges { node { collectionId } } } topCreators { totalCount } } } }"#.to_owned(),
        format!("{{ insights(range: {RANGE}) {{ media {{ uploads {{ current events {{ totalCount nodes {{ eventId }} }} }} downloads {{ current }} }}
                   jobs {{ jobsCreated {{ current }} }} users {{ logins {{ current }} }} }} }}"),
        format!("{{ series(metrics: [UPLOADS, DOWNLOADS, ACTIVE_USERS], range: {RANGE}, interval: WEEK) {{ metrics {{ values }} }} }}"),
        format!("{{ correlation(a: UPLOADS, b: DOWNLOADS, range: {RANGE}, interval: DAY) {{ series {{ metrics {{ values }} }} }} }}"),
        format!(r#"{{ breakdown(metric: UPLOADS, by: {{dimension: METAPROPERTY, name: "Region"}}, range: {RANGE}) {{ totalCount edges {{ node {{ value }} }} }} }}"#),
        format!("{{ events(metric: ACTIVE_SESSIONS, range: {RANGE}) {{ totalCount nodes {{ eventId }} }} }}"),
        format!(r#"{{ events(metric: UPLOADS, range: {RANGE}, after: "{event_cursor}") {{ totalCount nodes {{ eventId }} }} }}"#),
        r#"{ asset(id: "beta-asset") { assetId } user(id: "beta-user") { userId } collection(id: "beta-coll") { collectionId }
             job(id: "beta-job") { jobId } portal(id: "beta-portal") { portalId } }"#.to_owned(),
        "{ assets { totalCount nodes { assetId } } users { totalCount } collections { totalCount } jobs { totalCount } portals { totalCount } }".to_owned(),
        format!(r#"{{ assets(after: "{cursor}") {{ totalCount nodes {{ assetId }} }} }}"#),
        "{ metrics { name } limits { maxDepth } rateLimit { limit } }".to_owned(),
        r#"{ highlights(month: "2025-03") { enoughHistory firstEventMonth items { metric value } } }"#.to_owned(),
        format!(r#"{{ unusedAssets(range: {RANGE}) {{ count assets {{ totalCount nodes {{ assetId }} }} byFolder {{ value }} }}
                     risingAssets(month: "2025-03") {{ totalCount edges {{ node {{ assetId }} }} }} }}"#),
        r#"{ dashboard(window: LAST_30_DAYS) { assets { total archived } users { total } collections { total published }
             topViewedCollections { totalCount edges { node { name } } } mostActiveUsers { totalCount edges { node { userId } } } } }"#.to_owned(),
        format!(r#"{{ activityLog(filter: {{range: {RANGE}}}) {{ totalCount nodes {{ eventId }} }}
                     byUser: activityLog(filter: {{userId: "beta-user"}}) {{ totalCount }} activityReports {{ totalCount }} }}"#),
    ];
    // Every root query field is in the walk above.
    let d = app
        .data(
            &a,
            "{ __schema { queryType { fields { name } } } }",
            json!({}),
        )
        .await;
    for field in d["__schema"]["queryType"]["fields"].as_array().unwrap() {
        let name = field["name"].as_str().unwrap();
        assert!(
            queries
                .iter()
                .any(|q| q.contains(&format!("{name}(")) || q.contains(&format!("{name} {{"))),
            "root field {name} is not in the isolation walk"
        );
    }
    for query in &queries {
        let text = String::from_utf8(gql(&app, Some(&a), query).await.body).unwrap();
        assert!(!text.contains("beta"), "{query}\n{text}");
        assert!(!text.contains("\"errors\""), "{query}\n{text}");
    }
    // Exports answer A's rows only.
    for path in [
        "/v1/exports/assets.csv",
        "/v1/exports/top-downloaded-assets.csv?month=2025-03",
        "/v1/exports/metric-events.csv?metric=UPLOADS&from=2025-03-01&to=2025-03-31",
        "/v1/exports/breakdown.csv?metric=UPLOADS&dimension=METAPROPERTY&name=Region&from=2025-03-01&to=2025-03-31",
        "/v1/exports/series.csv?metrics=UPLOADS,ACTIVE_USERS&from=2025-03-01&to=2025-03-31&interval=WEEK",
        "/v1/exports/activity-log.csv?from=2025-03-01&to=2025-03-31",
        "/v1/exports/asset-events.csv?id=beta-asset&from=2025-03-01&to=2025-03-31",
    ] {
        let r = app.get(path, &a).await;
        let text = String::from_utf8_lossy(&r.body).to_string();
        if path.contains("id=beta-asset") {
            // Another environment's asset does not exist for A.
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {text}");
            continue;
        }
        assert_eq!(r.status, StatusCode::OK, "{path}: {text}");
        assert!(!text.contains("beta"), "{path}\n{text}");
        assert_eq!(
            text.lines().count(),
            if path.contains("series") { 7 } else { 1 },
            "{path}: only a header\n{text}"
        );
    }
    // B's activity report is not A's to download.
    let d = app
        .data(
            &b,
            &format!("mutation {{ createActivityReport(range: {RANGE}) {{ id }} }}"),
            json!({}),
        )
        .await;
    let path = format!(
        "/v1/exports/activity-reports/{}.csv",
        d["createActivityReport"]["id"].as_str().unwrap()
    );
    for _ in 0..100 {
        if app.get(&path, &b).await.status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(app.get(&path, &b).await.status, StatusCode::OK, "{path}");
    assert_eq!(
        app.get(&path, &a).await.status,
        StatusCode::NOT_FOUND,
        "{path}"
    );
    // B's global ids resolve to nothing for A.
    let ids: Vec<Value> = [
        "assets",
        "users",
        "collections",
        "jobs",
        "portals",
        "events",
    ]
    .iter()
    .map(|k| from_b[k]["nodes"][0]["id"].clone())
    .collect();
    for id in ids {
        let d = app
            .data(
                &a,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(d["node"], Value::Null);
    }
    // Ingest through A never touches B: the same event id is A's own.
    let before = app
        .data(
            &b,
            &format!("{{ insights(range: {RANGE}) {{ media {{ uploads {{ current }} }} }} }}"),
            json!({}),
        )
        .await;
    let report = app
        .ingest(
            &a,
            &[ev(
                "bx1",
                "asset.uploaded",
                "2025-03-11T10:00:00Z",
                None,
                json!({"assetId": "beta-asset",
            "filename": "alpha.jpg", "assetType": "VIDEO", "source": "API"}),
            )],
        )
        .await;
    assert_eq!(report["accepted"], 1, "{report}");
    let after = app
        .data(
            &b,
            &format!("{{ insights(range: {RANGE}) {{ media {{ uploads {{ current }} }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(before, after);
    let d = app
        .data(
            &b,
            r#"{ asset(id: "beta-asset") { filename assetType } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        d["asset"],
        json!({"filename": "beta.jpg", "assetType": "IMAGE"})
    );
}

#[tokio::test]
async fn limits_bite_and_say_by_how_much() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    // Depth: 13 levels of nesting against a limit of 12.
    let deep = r#"{ monthlyReport(month: "2025-03") { downloads { topAssets { edges { node { uploader {
        stats(range: {from: "2025-03-01", to: "2025-03-31"}) { lastLoginAt } events(range: {from: "2025-03-01", to: "2025-03-31"}) {
        edges { node { asset { uploader { events(range: {from: "2025-03-01", to: "2025-03-31"}) { totalCount } } } } } } } } } } } } }"#;
    let r = gql(&app, Some(&key), deep).await;
    assert_eq!(
        code(&r),
        "QUERY_TOO_COMPLEX",
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("depth is 13, over the limit of 12 by 1")
    );
    // Complexity: nested connections multiply by their `first`.
    let nested = r#"{ assets(first: 100) { edges { node { events(range: {from: "2025-03-01", to: "2025-03-31"}, first: 100) {
        edges { node { eventId type } } } } } } }"#;
    let r = gql(&app, Some(&key), nested).await;
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX");
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("complexity is") && message.contains("over the limit of 10000 by"),
        "{message}"
    );
    // The same query with small pages passes.
    let small = nested.replace("first: 100", "first: 5");
    let r = gql(&app, Some(&key), &small).await;
    assert!(
        r.json().get("errors").is_none(),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(
        r.json()["extensions"]["cost"]["requested"]
            .as_u64()
            .unwrap()
            > 25
    );
    // Fields (aliases included) and directives per document.
    let aliases: String = (0..1000).map(|i| format!("a{i}: __typename ")).collect();
    let r = gql(&app, Some(&key), &format!("{{ {aliases} }}")).await;
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("over the limit of 300 by 700")
    );
    let repeated = "viewer { scopes } ".repeat(1000);
    assert_eq!(
        code(&gql(&app, Some(&key), &format!("{{ {repeated} }}")).await),
        "QUERY_TOO_COMPLEX"
    );
    let directives = "__typename @include(if: true) ".repeat(25);
    let r = gql(&app, Some(&key), &format!("{{ {directives} }}")).await;
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("directives is 25, over the limit of 20 by 5")
    );
    // One operation per request: a batch array is a 400.
    let r = app
        .send(post(
            Some(&key),
            "/graphql",
            "application/json",
            r#"[{"query":"{ __typename }"}]"#,
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Page size.
    assert_eq!(
        code(&gql(&app, Some(&key), "{ assets(first: 101) { totalCount } }").await),
        "BAD_USER_INPUT"
    );
    // Body size: over 1 MiB.
    let big = json!({"query": format!("{{ __typename }} # {}", "x".repeat(1_100_000))}).to_string();
    let r = app
        .send(post(Some(&key), "/graphql", "application/json", big))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // The limits are readable.
    let d = app.data(&key, "{ limits { maxDepth maxComplexity maxFields maxDirectives maxPageSize defaultPageSize maxBodyBytes timeoutMs rateLimitPoints rateLimitWindowSeconds ingestEventsPerSecond } }", json!({})).await;
    assert_eq!(
        d["limits"],
        json!({"maxDepth": 12, "maxComplexity": 10000, "maxFields": 300, "maxDirectives": 20,
        "maxPageSize": 100, "defaultPageSize": 10, "maxBodyBytes": 1048576, "timeoutMs": 10000,
        "rateLimitPoints": 100000, "rateLimitWindowSeconds": 60, "ingestEventsPerSecond": 100000})
    );
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_stopped() {
    let app = spawn_app_with(|c| {
        c.request_timeout_ms = 1;
        c.max_fields = 1000;
    })
    .await;
    let key = app.full_key().await;
    // Forty months' summaries, each several statements: far over a millisecond.
    let heavy: String = (0..40)
        .map(|i| format!(r#"m{i}: monthlyReport(month: "20{:02}-01") {{ summary {{ activeUsers {{ current }} uploads {{ current }} searches {{ current }} downloads {{ current }} }} }} "#, i + 10))
        .collect();
    let r = gql(&app, Some(&key), &format!("{{ {heavy} }}")).await;
    assert_eq!(code(&r), "TIMEOUT", "{}", String::from_utf8_lossy(&r.body));
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("time limit of 1 ms")
    );
}

#[tokio::test]
async fn rate_limits_charge_cost_and_answer_429_with_retry_after() {
    let app = spawn_app_with(|c| {
        c.rate_limit_points = 40;
        c.ingest_events_per_second = 3;
    })
    .await;
    let key = app.full_key().await;
    let q = "{ rateLimit { limit remaining cost resetAt } a: metrics { name } }";
    let r = gql(&app, Some(&key), q).await;
    let v = r.json();
    let cost = v["extensions"]["cost"]["requested"].as_i64().unwrap();
    assert_eq!(v["data"]["rateLimit"]["cost"], cost);
    assert_eq!(v["data"]["rateLimit"]["limit"], 40);
    assert_eq!(v["data"]["rateLimit"]["remaining"], 40 - cost);
    assert!(v["extensions"]["cost"]["actual"].as_i64().unwrap() > 0);
    // Spend the rest, then one more is refused.
    let mut refused = None;
    for _ in 0..20 {
        let r = gql(&app, Some(&key), q).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("the bucket runs dry");
    assert_eq!(code(&r), "RATE_LIMITED");
    assert!(r.headers.get("retry-after").is_some());
    // Ingest is limited by events per second, separately.
    let events: Vec<Value> = (0..3)
        .map(|i| {
            ev(
                &format!("e{i}"),
                "user.logged_out",
                "2025-03-10T10:00:00Z",
                Some("u1"),
                json!({}),
            )
        })
        .collect();
    let m = "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }";
    let body = |e: &[Value]| json!({"query": m, "variables": {"e": e}}).to_string();
    let r = app
        .send(post(
            Some(&key),
            "/graphql",
            "application/json",
            body(&events),
        ))
        .await;
    assert_eq!(
        r.json()["data"]["ingestEvents"]["accepted"],
        3,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = app
        .send(post(Some(&key), "/v1/events", "application/x-ndjson", ""))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.get("retry-after").is_some());
    assert_eq!(code(&r), "RATE_LIMITED");
}

#[tokio::test]
async fn production_mode_hides_the_schema_and_internals() {
    let app = spawn_app_with(|c| c.production = true).await;
    let key = app.full_key().await;
    let r = gql(&app, Some(&key), "{ __schema { types { name } } }").await;
    assert_eq!(
        code(&r),
        "INTROSPECTION_DISABLED",
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = gql(&app, Some(&key), "{ metric { name } }").await;
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!message.contains("Did you mean"), "{message}");
    let r = app
        .send(
            Request::get("/graphql")
                .header("accept", "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(!String::from_utf8_lossy(&r.body).contains("graphiql"));
    let r = app
        .send(Request::get("/schema.graphql").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Outside production, suggestions help.
    let dev = spawn_app().await;
    let key = dev.full_key().await;
    let r = gql(&dev, Some(&key), "{ metric { name } }").await;
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean")
    );
    let r = gql(&dev, Some(&key), "{ __schema { types { name } } }").await;
    assert!(r.json()["data"]["__schema"]["types"].is_array());
}

#[tokio::test]
async fn cors_allows_listed_origins_only_and_posts_must_be_json() {
    let app =
        spawn_app_with(|c| c.cors_allow_origins = vec!["https://dash.example.com".into()]).await;
    let key = app.full_key().await;
    let preflight = |origin: &str| {
        Request::options("/graphql")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let r = app.send(preflight("https://dash.example.com")).await;
    assert_eq!(
        r.headers.get("access-control-allow-origin").unwrap(),
        "https://dash.example.com"
    );
    let r = app.send(preflight("https://evil.example")).await;
    assert!(r.headers.get("access-control-allow-origin").is_none());
    // Bodies a browser may send cross-site without a preflight are refused.
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let r = app
            .send(post(
                Some(&key),
                "/graphql",
                ct,
                r#"{"query":"{ __typename }"}"#,
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
    }
    // No mutations over GET.
    let r = app
        .send(Request::get("/graphql?query=mutation%20%7B%20ingestEvents(events%3A%20%5B%5D)%20%7B%20accepted%20%7D%20%7D")
            .header("authorization", format!("Bearer {key}")).body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_corpus_of_bad_input_leaves_the_server_answering_and_nothing_half_written() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let events_before = app.count("events").await;
    let raw = |body: Vec<u8>| post(Some(&key), "/graphql", "application/json", body);
    let corpus: Vec<Vec<u8>> = vec![
        b"{\"query\": ".to_vec(),
        b"{\"query\": 42}".to_vec(),
        b"{\"query\": null}".to_vec(),
        b"\xff\xfe{\"query\": \"{ __typename }\"}".to_vec(),
        json!({"query": "{ monthlyReport(month: 202503) { month } }"}).to_string().into_bytes(),
        json!({"query": "query($m: Month!) { monthlyReport(month: $m) { month } }", "variables": {"m": null}}).to_string().into_bytes(),
        json!({"query": "query($m: Month!) { monthlyReport(month: $m) { month } }", "variables": {"m": "x".repeat(500_000)}}).to_string().into_bytes(),
        json!({"query": format!("{}{}", "{ viewer ".repeat(200), "}".repeat(200))}).to_string().into_bytes(),
        json!({"query": "{ f: viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }"}).to_string().into_bytes(),
        json!({"query": "{ assets(first: 1, color: RED) { totalCount } }"}).to_string().into_bytes(),
        json!({"query": "{ assets(after: \"not-a-cursor\") { totalCount } }"}).to_string().into_bytes(),
        json!({"query": "{ events(metric: UPLOADS, range: {from: \"2025-03-01\", to: \"2025-03-31\"}, after: \"'; DROP TABLE events; --\") { totalCount } }"}).to_string().into_bytes(),
        json!({"query": "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }",
               "variables": {"e": [{"id": "ok1", "type": "user.logged_out", "occurredAt": "2025-03-10T10:00:00Z"},
                                   {"id": "bad", "type": "user.logged_out", "occurredAt": 17}]}}).to_string().into_bytes(),
    ];
    for body in corpus {
        let r = app.send(raw(body.clone())).await;
        assert!(
            r.status.is_client_error() || r.status == StatusCode::OK,
            "{}",
            r.status
        );
        let v: Value = serde_json::from_slice(&r.body).expect("every answer is JSON");
        let errors = v["errors"]
            .as_array()
            .or_else(|| v["error"].as_object().map(|_| &EMPTY))
            .expect("an error");
        for e in errors {
            let message = e["message"].as_str().unwrap_or_default();
            assert!(
                !message.contains("SELECT")
                    && !message.contains("sqlx")
                    && !message.contains("panicked"),
                "{message}"
            );
        }
        assert!(
            v["errors"].is_null() || v["errors"][0]["extensions"]["code"].is_string(),
            "{v}"
        );
    }
    // A huge bad value is quoted in part, not echoed whole.
    let huge = json!({"query": "query($a: String) { assets(after: $a) { totalCount } }", "variables": {"a": "z".repeat(900_000)}});
    let r = app.send(raw(huge.to_string().into_bytes())).await;
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.len() < 400 && message.contains("900000 characters"),
        "{}",
        &message[..message.len().min(500)]
    );
    // A mutation with one bad event stored nothing.
    assert_eq!(app.count("events").await, events_before);
    // SQL- and formula-looking search terms are stored and returned byte for byte.
    let terms = [
        "'; DROP TABLE events; --",
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1-2@\"\\ -- ü",
        "Robert'); --\n\t",
    ];
    let events: Vec<Value> = terms
        .iter()
        .enumerate()
        .map(|(i, q)| {
            ev(
                &format!("s{i}"),
                "search.performed",
                &format!("2025-03-10T10:00:0{i}Z"),
                Some("u1"),
                json!({"kind": "TEXT", "query": q}),
            )
        })
        .collect();
    assert_eq!(app.ingest(&key, &events).await["accepted"], 4);
    let d = app
        .data(&key, r#"{ events(metric: SEARCHES, range: {from: "2025-03-10", to: "2025-03-10"}) { nodes { eventId fields } } }"#, json!({}))
        .await;
    for node in d["events"]["nodes"].as_array().unwrap() {
        let i: usize = node["eventId"].as_str().unwrap()[1..].parse().unwrap();
        assert_eq!(node["fields"]["query"], terms[i]);
    }
    // A NUL character, which PostgreSQL cannot store, is refused for both databases.
    let nul = ev(
        "nul",
        "search.performed",
        "2025-03-10T11:00:00Z",
        Some("u1"),
        json!({"kind": "TEXT", "query": "a\u{0}b"}),
    );
    let report = app.ingest(&key, &[nul]).await;
    assert_eq!(report["rejected"], 1, "{report}");
    assert_eq!(report["rejections"][0]["field"], "query");
    // Still answering.
    let d = app
        .data(&key, "{ viewer { environment { name } } }", json!({}))
        .await;
    assert_eq!(d["viewer"]["environment"]["name"], "acme");
}

static EMPTY: Vec<Value> = Vec::new();
