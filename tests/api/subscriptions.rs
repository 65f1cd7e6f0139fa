//! Subscriptions at `/graphql/ws` with the graphql-transport-ws protocol, from a Rust
//! WebSocket client: the key in `connection_init`, the summary pushed within a second of
//! an ingest through HTTP, nothing for another environment's ingest, limits per
//! connection, and a revoked key's connection closed.
use crate::helpers::fresh_database;
use crate::ingest::upload;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Server {
    addr: SocketAddr,
    state: dam_insights::AppState,
    _database: crate::helpers::FreshDatabase,
}

async fn serve(configure: impl FnOnce(&mut dam_insights::config::Config)) -> Server {
    serve_on(fresh_database().await, configure).await
}

async fn serve_on(
    database: crate::helpers::FreshDatabase,
    configure: impl FnOnce(&mut dam_insights::config::Config),
) -> Server {
    let mut config = dam_insights::config::Config::for_database(database.url.clone());
    config.subscription_poll_ms = 100;
    configure(&mut config);
    let state = dam_insights::build(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = dam_insights::app(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        addr,
        state,
        _database: database,
    }
}

impl Server {
    async fn key(&self, environment: &str, scopes: &str) -> String {
        use dam_insights::storage::{environments, keys};
        let db = &self.state.db;
        let env = match environments::find_by_name(db, environment).await.unwrap() {
            Some(env) => env,
            None => environments::create(db, environment, "UTC").await.unwrap(),
        };
        keys::create(db, env.id, &keys::Scope::parse_list(scopes).unwrap())
            .await
            .unwrap()
    }

    async fn ingest(&self, key: &str, events: &[Value]) {
        let body: String = events.iter().map(|e| format!("{e}\n")).collect();
        let mut conn = dam_insights::bench::client::Connection::new(self.addr);
        let auth = format!("Bearer {key}");
        let r = conn
            .request(
                "POST",
                "/v1/events",
                &[
                    ("Authorization", &auth),
                    ("Content-Type", "application/x-ndjson"),
                ],
                body.as_bytes(),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }

    /// A connection that sent `connection_init` with `payload`.
    async fn connect(&self, payload: Value) -> Socket {
        let mut request = format!("ws://{}/graphql/ws", self.addr)
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        send(
            &mut socket,
            json!({"type": "connection_init", "payload": payload}),
        )
        .await;
        socket
    }
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next message within `wait`: Some(JSON), or Some({"close": code}) when closed.
async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(wait, socket.next()).await.ok()?;
        match message {
            Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
            Some(Ok(Message::Close(frame))) => {
                return Some(json!({"close": frame.map(|f| u16::from(f.code))}));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Some(json!({"close": null})),
        }
    }
}

const SUMMARY: &str = r#"subscription($month: Month!) { summaryChanged(month: $month) { uploads { current previous } activeUsers { current } } }"#;

#[tokio::test]
async fn an_ingest_pushes_the_new_summary_within_a_second_and_another_environments_pushes_nothing()
{
    let server = serve(|_| {}).await;
    let key = server.key("acme", "reports:read,events:write").await;
    let other = server.key("globex", "reports:read,events:write").await;
    let mut socket = server
        .connect(json!({"Authorization": format!("Bearer {key}")}))
        .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": SUMMARY, "variables": {"month": "2025-10"}}}),
    )
    .await;
    // The value now, first.
    let first = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(first["type"], "next", "{first}");
    assert_eq!(first["id"], "1");
    assert_eq!(
        first["payload"]["data"]["summaryChanged"],
        json!({"uploads": {"current": 0, "previous": 0}, "activeUsers": {"current": 0}})
    );

    // Another environment's ingest: nothing.
    server
        .ingest(
            &other,
            &[upload("g1", "2025-10-03T09:00:00Z", "u1", "a1", "g.jpg")],
        )
        .await;
    // An ingest of another month of this environment: the summary of October is the
    // same (September is its previous month: that changes it).
    server
        .ingest(
            &key,
            &[upload("n1", "2025-11-03T09:00:00Z", "u1", "a1", "n.jpg")],
        )
        .await;
    assert_eq!(next(&mut socket, Duration::from_millis(800)).await, None);

    // Two uploads by two users in October: one push, within a second.
    let sent = Instant::now();
    server
        .ingest(
            &key,
            &[
                upload("e1", "2025-10-03T09:00:00Z", "u1", "a1", "one.jpg"),
                upload("e2", "2025-10-04T09:00:00Z", "u2", "a2", "two.jpg"),
            ],
        )
        .await;
    let pushed = next(&mut socket, Duration::from_secs(1))
        .await
        .expect("a push within 1 s");
    let latency = sent.elapsed();
    eprintln!(
        "subscriptions: the new summary arrived {} ms after the ingest was sent",
        latency.as_millis()
    );
    assert_eq!(
        pushed["payload"]["data"]["summaryChanged"],
        json!({"uploads": {"current": 2, "previous": 0}, "activeUsers": {"current": 2}})
    );
    // A repeated event changes nothing: no push.
    server
        .ingest(
            &key,
            &[upload("e1", "2025-10-03T09:00:00Z", "u1", "a1", "one.jpg")],
        )
        .await;
    assert_eq!(next(&mut socket, Duration::from_millis(800)).await, None);

    // Complete: the subscription ends (the server says so too); the connection stays.
    send(&mut socket, json!({"id": "1", "type": "complete"})).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await,
        Some(json!({"type": "complete", "id": "1"}))
    );
    server
        .ingest(
            &key,
            &[upload(
                "e3",
                "2025-10-05T09:00:00Z",
                "u3",
                "a3",
                "three.jpg",
            )],
        )
        .await;
    assert_eq!(next(&mut socket, Duration::from_millis(800)).await, None);
}

#[tokio::test]
async fn metrics_changed_pushes_range_values() {
    let server = serve(|_| {}).await;
    let key = server.key("acme", "reports:read,events:write").await;
    let mut socket = server
        .connect(json!({"authorization": format!("bearer {key}")}))
        .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "m", "type": "subscribe", "payload": {"query": r#"subscription { metricsChanged(metrics: [UPLOADS, ACTIVE_USERS], range: {from: "2025-10-01", to: "2025-10-31"}) { range { from to } values { metric value } } }"#}}),
    )
    .await;
    let first = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        first["payload"]["data"]["metricsChanged"],
        json!({"range": {"from": "2025-10-01", "to": "2025-10-31"}, "values": [{"metric": "UPLOADS", "value": 0}, {"metric": "ACTIVE_USERS", "value": 0}]})
    );
    server
        .ingest(
            &key,
            &[upload("e1", "2025-10-03T09:00:00Z", "u1", "a1", "one.jpg")],
        )
        .await;
    let pushed = next(&mut socket, Duration::from_secs(1))
        .await
        .expect("a push within 1 s");
    assert_eq!(
        pushed["payload"]["data"]["metricsChanged"]["values"],
        json!([{"metric": "UPLOADS", "value": 1}, {"metric": "ACTIVE_USERS", "value": 1}])
    );
}

#[tokio::test]
async fn a_bad_or_missing_key_closes_the_connection_and_scopes_apply() {
    let server = serve(|_| {}).await;
    let mut socket = server.connect(json!({})).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await,
        Some(json!({"close": 4403}))
    );
    let mut socket = server
        .connect(json!({"Authorization": "Bearer dami_unknown"}))
        .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await,
        Some(json!({"close": 4403}))
    );

    // A key without reports:read: the subscription is refused with FORBIDDEN.
    let writer = server.key("acme", "events:write").await;
    let mut socket = server
        .connect(json!({"Authorization": format!("Bearer {writer}")}))
        .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": SUMMARY, "variables": {"month": "2025-10"}}}),
    )
    .await;
    let refused = next(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "complete"
    );
}

#[tokio::test]
async fn limits_per_connection_idle_connections_and_revoked_keys() {
    let server = serve(|c| {
        c.max_subscriptions_per_connection = 2;
        c.subscription_idle_secs = 1;
    })
    .await;
    let key = server.key("acme", "reports:read,events:write").await;
    let limits = crate::helpers::TestApp::from_state(server.state.clone(), fresh_database().await)
        .data(&key, "{ limits { maxSubscriptionsPerConnection maxSubscriptionsPerKey subscriptionIdleSeconds } }", json!({}))
        .await;
    assert_eq!(
        limits["limits"],
        json!({"maxSubscriptionsPerConnection": 2, "maxSubscriptionsPerKey": 100, "subscriptionIdleSeconds": 1})
    );

    let auth = json!({"Authorization": format!("Bearer {key}")});
    let mut socket = server.connect(auth.clone()).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    for id in ["1", "2", "3"] {
        send(
            &mut socket,
            json!({"id": id, "type": "subscribe", "payload": {"query": SUMMARY, "variables": {"month": "2025-10"}}}),
        )
        .await;
        let answer = next(&mut socket, Duration::from_secs(5)).await.unwrap();
        if id == "3" {
            let error = &answer["payload"]["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "SUBSCRIPTION_LIMIT",
                "{answer}"
            );
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .contains("holds 2 subscriptions")
            );
            assert_eq!(
                next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
                "complete"
            );
        } else {
            assert_eq!(answer["type"], "next", "{answer}");
        }
    }
    // With subscriptions, a silent connection stays open past the idle time.
    assert_eq!(next(&mut socket, Duration::from_millis(1500)).await, None);

    // Without any, it is closed.
    let mut idle = server.connect(auth.clone()).await;
    assert_eq!(
        next(&mut idle, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    let closed = next(&mut idle, Duration::from_secs(3)).await;
    assert_eq!(closed, Some(json!({"close": 4408})));

    // Revoking the key closes its connection.
    let db = &server.state.db;
    let env = dam_insights::storage::environments::find_by_name(db, "acme")
        .await
        .unwrap()
        .unwrap();
    let id = dam_insights::storage::keys::list(db, env.id).await.unwrap()[0]
        .id
        .clone();
    dam_insights::storage::keys::revoke(db, env.id, &id)
        .await
        .unwrap();
    let closed = next(&mut socket, Duration::from_secs(4)).await;
    assert_eq!(closed, Some(json!({"close": 4403})));
}

/// Two servers on one PostgreSQL database: an ingest through A reaches a subscriber on B
/// within a second (B polls the environment's data version in the shared database).
#[tokio::test]
async fn an_ingest_through_one_replica_reaches_a_subscriber_on_another() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!("note: the two-replica subscription test needs PostgreSQL: skipped on SQLite");
        return;
    }
    let a = serve(|_| {}).await;
    let shared = crate::helpers::FreshDatabase::shared(&a._database);
    let b = serve_on(shared, |_| {}).await;
    let key = a.key("acme", "reports:read,events:write").await;
    let mut socket = b
        .connect(json!({"Authorization": format!("Bearer {key}")}))
        .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": SUMMARY, "variables": {"month": "2025-10"}}}),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
        "next"
    );
    let sent = Instant::now();
    a.ingest(
        &key,
        &[upload("e1", "2025-10-03T09:00:00Z", "u1", "a1", "one.jpg")],
    )
    .await;
    let pushed = next(&mut socket, Duration::from_secs(1))
        .await
        .expect("a push within 1 s");
    eprintln!(
        "subscriptions: ingested through A, pushed by B {} ms after the ingest was sent",
        sent.elapsed().as_millis()
    );
    assert_eq!(
        pushed["payload"]["data"]["summaryChanged"]["uploads"],
        json!({"current": 1, "previous": 0})
    );
}
