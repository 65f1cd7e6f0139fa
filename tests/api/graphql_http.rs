//! GraphQL over HTTP: media types, status codes, GET, GraphiQL, probes.
use crate::helpers::spawn_app;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

fn post(accept: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::post("/graphql").header("content-type", "application/json");
    if let Some(accept) = accept {
        builder = builder.header("accept", accept);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn accept_application_json_gets_application_json() {
    let app = spawn_app().await;
    let reply = app
        .send(post(
            Some("application/json"),
            r#"{"query":"{ __typename }"}"#,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.content_type().starts_with("application/json"),
        "{}",
        reply.content_type()
    );
    assert_eq!(
        reply.json(),
        json!({"data": {"__typename": "Query"}, "extensions": {"cost": {"requested": 0, "actual": 0}}})
    );
}

#[tokio::test]
async fn accept_graphql_response_json_gets_it_and_400_for_request_errors() {
    let app = spawn_app().await;
    let accept = Some("application/graphql-response+json");
    let reply = app
        .send(post(accept, r#"{"query":"{ __typename }"}"#))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .content_type()
            .starts_with("application/graphql-response+json")
    );

    let reply = app.send(post(accept, r#"{"query":"{ nope "}"#)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let answer = reply.json();
    assert!(
        answer.get("data").is_none(),
        "a request error has no data entry: {answer}"
    );
    assert!(answer["errors"].is_array());

    let reply = app
        .send(post(accept, r#"{"query":"{ noSuchField }"}"#))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    // With application/json a well-formed request that fails validation still gets 200.
    let reply = app
        .send(post(
            Some("application/json"),
            r#"{"query":"{ noSuchField }"}"#,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.json()["errors"].is_array());
}

#[tokio::test]
async fn missing_accept_means_json_and_unservable_accept_is_406() {
    let app = spawn_app().await;
    let reply = app.send(post(None, r#"{"query":"{ __typename }"}"#)).await;
    assert!(reply.content_type().starts_with("application/json"));
    let reply = app
        .send(post(Some("*/*"), r#"{"query":"{ __typename }"}"#))
        .await;
    assert!(reply.content_type().starts_with("application/json"));
    let reply = app
        .send(post(Some("text/csv"), r#"{"query":"{ __typename }"}"#))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn malformed_requests_get_400_with_a_reason() {
    let app = spawn_app().await;
    for body in [
        "{not json",
        "[]",
        r#"{"query": 1}"#,
        r#"{"variables": {}}"#,
        r#"{"query":"{ __typename }","variables":"x"}"#,
    ] {
        let reply = app.send(post(Some("application/json"), body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            reply.json()["errors"][0]["extensions"]["code"],
            "BAD_REQUEST",
            "{body}"
        );
    }
}

#[tokio::test]
async fn post_bodies_must_be_application_json() {
    let app = spawn_app().await;
    let request = Request::post("/graphql")
        .header("content-type", "text/plain")
        .body(Body::from(r#"{"query":"{ __typename }"}"#))
        .unwrap();
    assert_eq!(
        app.send(request).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let request = Request::get("/graphql?query=%7B%20viewer%20%7B%20scopes%20%7D%20%7D")
        .header("authorization", format!("Bearer {key}"))
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json()["data"]["viewer"]["scopes"],
        json!(["reports:read", "admin", "events:write"])
    );

    let request = Request::get("/graphql?query=mutation%20%7B%20ingestEvents(events%3A%20%5B%5D)%20%7B%20accepted%20%7D%20%7D")
        .header("authorization", format!("Bearer {key}"))
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.headers.get("allow").unwrap(), "POST");
}

#[tokio::test]
async fn a_browser_gets_graphiql() {
    let app = spawn_app().await;
    let request = Request::get("/graphql")
        .header("accept", "text/html,application/xhtml+xml")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = String::from_utf8_lossy(&reply.body).into_owned();
    // Exact production builds, each pinned by an integrity hash; nothing unpinned.
    for url in [
        "https://unpkg.com/graphiql@4.1.2/graphiql.min.js",
        "https://unpkg.com/graphiql@4.1.2/graphiql.min.css",
        "https://unpkg.com/react@18.3.1/umd/react.production.min.js",
        "https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js",
    ] {
        let at = html.find(url).unwrap_or_else(|| panic!("{url} missing"));
        let tag_end = at + html[at..].find('>').unwrap();
        let tag = &html[html[..at].rfind('<').unwrap()..tag_end];
        assert!(tag.contains("integrity=\"sha384-"), "{tag}");
        assert!(tag.contains("crossorigin=\"anonymous\""), "{tag}");
    }
    let external = html.matches("https://").count();
    assert_eq!(external, 4, "no other outside address: {html}");
    assert!(!html.contains("development"), "production builds only");
    // Offline, the page says why and where the schema and curl examples are.
    assert!(html.contains("GraphiQL could not load"));
    assert!(html.contains("href=\"/schema.graphql\""));
    // No demo key outside the embedded demo.
    assert!(html.contains("\"demoKey\":null"), "{html}");
}

#[tokio::test]
async fn on_the_embedded_demo_graphiql_starts_with_the_demo_key() {
    let database = crate::helpers::fresh_database().await;
    let config = dam_insights::config::Config::for_database(database.url.clone());
    let mut state = dam_insights::build(config).await.unwrap();
    state.demo_key = Some("dami_demo</script>".into());
    let app = crate::helpers::TestApp::from_state(state, database);
    let request = Request::get("/graphql")
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap();
    let html = String::from_utf8(app.send(request).await.body).unwrap();
    assert!(
        html.contains("\"demoKey\":\"dami_demo\\u003c/script>\""),
        "{html}"
    );
    assert_eq!(
        html.matches("</script>").count(),
        5,
        "the key cannot close a script"
    );
}

#[tokio::test]
async fn the_schema_is_served_as_sdl() {
    let app = spawn_app().await;
    let reply = app
        .send(Request::get("/schema.graphql").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type().starts_with("text/plain"));
    let served = String::from_utf8(reply.body).unwrap();
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert_eq!(served, checked_in);
}

#[tokio::test]
async fn health_and_readiness_probes_answer() {
    let app = spawn_app().await;
    let reply = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = app
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["status"], "ready");
}

#[tokio::test]
async fn fields_need_a_valid_key_with_the_right_scope() {
    let app = spawn_app().await;
    let writer = app.environment("acme", "UTC", "events:write").await;
    let answer = app
        .graphql("dami_unknown", "{ metrics { name } }", json!({}))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let request = post(
        Some("application/json"),
        r#"{"query":"{ metrics { name } }"}"#,
    );
    let answer = app.send(request).await.json();
    assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let answer = app
        .graphql(&writer, "{ metrics { name } }", json!({}))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // viewer answers for any valid key.
    let data = app
        .data(
            &writer,
            "{ viewer { environment { name timeZone } scopes } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["viewer"],
        json!({"environment": {"name": "acme", "timeZone": "UTC"}, "scopes": ["events:write"]})
    );
}

#[tokio::test]
async fn answers_keep_the_order_the_query_asked_for() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let body = json!({"query": "{ viewer { scopes environment { timeZone name } } z: metrics { unit name } __typename }"}).to_string();
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {key}"))
        .body(Body::from(body))
        .unwrap();
    let text = String::from_utf8(app.send(request).await.body).unwrap();
    assert!(
        text.starts_with(r#"{"data":{"viewer":{"scopes":["reports:read","admin","events:write"],"environment":{"timeZone":"UTC","name":"acme"}},"z":[{"unit":"COUNT","name":"uploads"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#""__typename":"Query"},"extensions""#),
        "{text}"
    );
}
