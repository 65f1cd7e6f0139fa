//! Three server processes on one PostgreSQL database: overlapping batches with the same
//! event ids in different orders ingested through all three at once; every event counted
//! once, and every answer the same through each. (It takes ~15 s: three server
//! processes start, and the writers of one environment take turns by design.)
use crate::helpers::{fresh_database, postgres_url};
use crate::servers::{provisioned, start};
use dam_insights::bench::client::Connection;
use serde_json::{Value, json};
use std::time::Instant;

const EVENTS: usize = 1_200;
const CHUNK: usize = 100;

/// Uploads, non-bulk downloads, TEXT searches and views over September and October 2025,
/// with their expected counts per month (uploads, downloads, searches, views).
fn events() -> (Vec<Value>, [[i64; 4]; 2]) {
    let mut expected = [[0i64; 4]; 2];
    let events = (0..EVENTS)
        .map(|i| {
            let (month, day) = if i % 3 == 0 { (9, 1 + i % 30) } else { (10, 1 + i % 31) };
            let at = format!("2025-{month:02}-{day:02}T{:02}:{:02}:00+02:00", i % 24, i % 60);
            let user = format!("u{}", i % 17);
            let kind = i % 4;
            expected[month - 9][kind] += 1;
            let mut e = json!({"id": format!("r{i}"), "occurredAt": at, "userId": user, "sessionId": format!("s{}", i % 41)});
            let fields = match kind {
                0 => json!({"type": "asset.uploaded", "assetId": format!("a{i}"), "filename": "f.jpg", "assetType": "IMAGE", "source": "API"}),
                1 => json!({"type": "asset.downloaded", "assetId": format!("a{}", i % 97), "actionId": format!("x{}", i / 2), "bulk": false, "variant": "ORIGINAL"}),
                2 => json!({"type": "search.performed", "kind": "TEXT", "query": format!("q{}", i % 7)}),
                _ => json!({"type": "asset.viewed", "assetId": format!("a{}", i % 53)}),
            };
            e.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
            e
        })
        .collect();
    (events, expected)
}

const READS: &str = r#"{
  sep: monthlyReport(month: "2025-09") { summary { activeUsers { current } uploads { current } searches { current } downloads { current } } }
  oct: monthlyReport(month: "2025-10") { summary { activeUsers { current } uploads { current } searches { current } downloads { current } }
    engagement { topUsers(first: 5) { edges { total node { id } } } } search { topQueries(first: 7) { totalCount edges { node { query count users } } } }
    downloads { topAssets(first: 5) { totalCount edges { downloads users } } } }
  insights(range: {from: "2025-09-01", to: "2025-10-31"}) { media { uploads { current } downloads { current } downloadActions { current } assetViews { current } } }
  series(metrics: [ACTIVE_USERS, DOWNLOADS], range: {from: "2025-09-25", to: "2025-10-05"}, interval: DAY) { metrics { metric values } }
}"#;

#[tokio::test]
async fn three_replicas_on_one_database_count_every_event_once_and_answer_alike() {
    if postgres_url().is_none() {
        eprintln!(
            "note: the three-replica test needs PostgreSQL (replicas share one database server): skipped on SQLite"
        );
        return;
    }
    let database = fresh_database().await;
    let key = provisioned(&database.url).await;
    let limits = [
        ("RATE_LIMIT_POINTS", "0"),
        ("INGEST_EVENTS_PER_SECOND", "0"),
    ];
    let servers = [
        start(&database.url, &limits).await,
        start(&database.url, &limits).await,
        start(&database.url, &limits).await,
    ];
    let (events, expected) = events();
    // The same events through each replica, each in its own order: forward, backward,
    // and interleaved from the middle.
    let orders: [Vec<Value>; 3] = [
        events.clone(),
        events.iter().rev().cloned().collect(),
        events
            .iter()
            .skip(EVENTS / 2)
            .chain(events.iter().take(EVENTS / 2))
            .cloned()
            .collect(),
    ];
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (server, order) in servers.iter().zip(orders) {
        let (addr, key) = (server.addr, key.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::new(addr);
            let (mut accepted, mut duplicates) = (0, 0);
            for chunk in order.chunks(CHUNK) {
                let auth = format!("Bearer {key}");
                let body: String = chunk.iter().map(|e| format!("{e}\n")).collect();
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
                let answer: Value = serde_json::from_slice(&r.body).unwrap();
                assert_eq!(answer["rejected"], 0, "{answer}");
                accepted += answer["accepted"].as_i64().unwrap();
                duplicates += answer["duplicates"].as_i64().unwrap();
            }
            (accepted, duplicates)
        }));
    }
    let mut per_replica = Vec::new();
    for task in tasks {
        per_replica.push(task.await.unwrap());
    }
    let took = started.elapsed();
    let accepted: i64 = per_replica.iter().map(|(a, _)| a).sum();
    let duplicates: i64 = per_replica.iter().map(|(_, d)| d).sum();
    eprintln!(
        "replicas: {} events sent 3 times ({} requests of {CHUNK}) through 3 servers at once in {:.2} s; accepted per replica {:?}; {accepted} accepted, {duplicates} duplicates in all",
        EVENTS,
        3 * EVENTS / CHUNK,
        took.as_secs_f64(),
        per_replica
    );
    assert_eq!(accepted, EVENTS as i64, "every event stored once");
    assert_eq!(duplicates, 2 * EVENTS as i64);

    let mut answers = Vec::new();
    for server in &servers {
        let mut conn = Connection::new(server.addr);
        let answer = server
            .graphql(&mut conn, &key, json!({ "query": READS }))
            .await;
        assert!(answer.get("errors").is_none(), "{answer}");
        answers.push(answer["data"].clone());
    }
    assert_eq!(answers[0], answers[1], "replica 2 answers as replica 1");
    assert_eq!(answers[0], answers[2], "replica 3 answers as replica 1");
    let a = &answers[0];
    for (name, [uploads, downloads, searches, _]) in [("sep", expected[0]), ("oct", expected[1])] {
        let s = &a[name]["summary"];
        assert_eq!(s["uploads"]["current"], uploads, "{name}");
        assert_eq!(s["downloads"]["current"], downloads, "{name}");
        assert_eq!(s["searches"]["current"], searches, "{name}");
        assert_eq!(s["activeUsers"]["current"], 17, "{name}");
    }
    let views = expected[0][3] + expected[1][3];
    assert_eq!(a["insights"]["media"]["assetViews"]["current"], views);

    // The rollups the three maintained at once equal those rebuilt from the raw events.
    crate::cli::ok(&crate::cli::run(&database.url, &["rollups", "rebuild"]));
    let mut conn = Connection::new(servers[1].addr);
    let rebuilt = servers[1]
        .graphql(&mut conn, &key, json!({ "query": READS }))
        .await;
    assert_eq!(rebuilt["data"], answers[0]);
}
