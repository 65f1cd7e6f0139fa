//! Documents are held to their size with every fragment spread expanded (fields, depth,
//! directives, cost), worked out before validation without building the expansion; the
//! text is held to its tokens and nesting before it is parsed.
use crate::helpers::{Reply, TestApp, spawn_app};
use axum::body::Body;
use axum::http::Request;
use dam_insights::bench::client::Connection;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub async fn gql(app: &TestApp, key: Option<&str>, query: &str) -> Reply {
    let mut r = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/json");
    if let Some(key) = key {
        r = r.header("authorization", format!("Bearer {key}"));
    }
    app.send(
        r.body(Body::from(json!({ "query": query }).to_string()))
            .unwrap(),
    )
    .await
}

pub fn error(reply: &Reply) -> (String, String) {
    let v = reply.json();
    (
        v["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        v["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Fragments F0 … F`levels`, each spreading the one before twice (as `step` writes it),
/// and an operation spreading the last: 2^levels times F0 once expanded.
pub fn fan_out(levels: usize, f0: &str, step: impl Fn(usize) -> String) -> String {
    let mut doc = format!("fragment F0 on Query {{ {f0} }}\n");
    for i in 1..=levels {
        doc.push_str(&format!("fragment F{i} on Query {{ {} }}\n", step(i - 1)));
    }
    doc.push_str(&format!("query {{ ...F{levels} }}"));
    doc
}

/// The document: `fragment F1 on Query { ...F0 ...F0 }` … F26.
pub fn twenty_six_levels() -> String {
    fan_out(26, "__typename", |p| format!("...F{p} ...F{p}"))
}

/// The answer to `doc` and the fastest of three tries (the tests share two cores with
/// each other and other builds: a single try may wait for the scheduler).
async fn fastest_of_three(app: &TestApp, key: Option<&str>, doc: &str) -> (Reply, Duration) {
    let mut best = None;
    for _ in 0..3 {
        let started = Instant::now();
        let r = gql(app, key, doc).await;
        let took = started.elapsed();
        if best.as_ref().is_none_or(|(_, t)| took < *t) {
            best = Some((r, took));
        }
    }
    best.expect("three tries")
}

#[tokio::test]
async fn a_fragment_fan_out_is_refused_within_milliseconds_with_or_without_a_key() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let doc = twenty_six_levels();
    assert!(doc.len() < 1_200, "{}", doc.len());
    for key in [None, Some(key.as_str())] {
        let (r, took) = fastest_of_three(&app, key, &doc).await;
        let (code, message) = error(&r);
        assert_eq!(
            code,
            "QUERY_TOO_COMPLEX",
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        // 2^26 fields once expanded.
        assert!(
            message.contains("number of fields (aliases included, fragments expanded) is 67108864, over the limit of 300"),
            "{message}"
        );
        assert!(r.json().get("data").is_none());
        assert!(took < Duration::from_millis(100), "took {took:?}");
    }
    // The same fan-out through inline fragments, aliases and directives.
    let variants = [
        fan_out(26, "__typename", |p| {
            format!("... on Query {{ ...F{p} }} ... {{ ...F{p} }}")
        }),
        fan_out(26, "a: __typename b: __typename", |p| {
            format!("x{p}: __typename ...F{p} ...F{p}")
        }),
        fan_out(26, "__typename", |p| {
            format!("...F{p} @include(if: true) ...F{p} @skip(if: false)")
        }),
        // Under a field that needs a key, without one.
        fan_out(26, "viewer { scopes }", |p| format!("...F{p} ...F{p}")),
    ];
    for doc in variants {
        let (r, took) = fastest_of_three(&app, None, &doc).await;
        assert_eq!(error(&r).0, "QUERY_TOO_COMPLEX", "{doc}");
        assert!(took < Duration::from_millis(100), "took {took:?}: {doc}");
    }
    // Directives are counted as expanded too: 2 × 8 + … within 300 fields.
    let doc = fan_out(4, "__typename", |p| {
        format!("...F{p} @include(if: true) ...F{p} @include(if: true)")
    });
    let (code, message) = error(&gql(&app, Some(&key), &doc).await);
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    // F1 holds 2 directives, F2 2 + 2×2 = 6, F3 2 + 2×6 = 14, F4 2 + 2×14 = 30.
    assert!(
        message.contains("number of directives is 30, over the limit of 20 by 10"),
        "{message}"
    );
}

#[tokio::test]
async fn the_expanded_size_is_what_is_charged_and_checked() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    // Two = a(1 + 2) + b(1 + 2) = 6 fields, spread twice: 12; rateLimit { cost remaining }
    // 3 more: 15 fields, cost 15, depth 2.
    let doc = "query { ...Two ...Two rateLimit { cost remaining } }
        fragment Two on Query { a: limits { ...L } b: limits { ...L } }
        fragment L on LimitsInfo { maxDepth maxFields }";
    let r = gql(&app, Some(&key), doc).await.ok_json();
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(r["extensions"]["cost"]["requested"], 15);
    assert_eq!(
        r["data"]["rateLimit"],
        json!({"cost": 15, "remaining": 99_985})
    );
    // Depth counts through fragments: 13 levels, 12 of them inside fragments.
    let mut doc = String::from("query { ...D0 }\n");
    for i in 0..12 {
        doc.push_str(&format!("fragment D{i} on Query {{ ...D{} }}\n", i + 1));
    }
    doc.push_str("fragment D12 on Query { viewer { environment { name } } }");
    let r = gql(&app, Some(&key), &doc).await.ok_json();
    assert!(r.get("errors").is_none(), "{r}");
    let deep = "fragment E on Environment { name }
        fragment V on Viewer { environment { ...E } }
        query { viewer { ...V } monthlyReport(month: \"2025-03\") { downloads { topAssets { edges { node { uploader { events(range: {from: \"2025-03-01\", to: \"2025-03-31\"}) { edges { node { asset { uploader { ...U } } } } } } } } } } } }
        fragment U on User { events(range: {from: \"2025-03-01\", to: \"2025-03-31\"}) { edges { node { eventId } } } }";
    let (code, message) = error(&gql(&app, Some(&key), deep).await);
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    assert!(
        message.contains("depth is 15, over the limit of 12 by 3"),
        "{message}"
    );
}

#[tokio::test]
async fn cyclic_and_unknown_spreads_and_oversized_text_are_refused_before_parsing_work() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let cyclic =
        "query { ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }";
    let (code, message) = error(&gql(&app, Some(&key), cyclic).await);
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("cannot be cyclic"), "{message}");
    let own = "query { ...A } fragment A on Query { ...A }";
    assert!(
        error(&gql(&app, None, own).await)
            .1
            .contains("cannot be cyclic")
    );
    let (code, message) = error(&gql(&app, None, "query { ...Nope }").await);
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("unknown fragment Nope"), "{message}");
    // Tokens, counted before parsing: `{`, 10,000 names, `}` is 10,002.
    let many = format!("{{ {} }}", "__typename ".repeat(10_000));
    let (code, message) = error(&gql(&app, None, &many).await);
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    assert!(
        message.contains("number of tokens is 10001, over the limit of 10000 by 1"),
        "{message}"
    );
    // Nesting of brackets, before parsing: 2 + 31 `[` is 33.
    let nested = format!(
        "{{ assets(first: {}1{}) {{ totalCount }} }}",
        "[".repeat(31),
        "]".repeat(31)
    );
    let (code, message) = error(&gql(&app, None, &nested).await);
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    assert!(
        message.contains("nesting of brackets is 33, over the limit of 32 by 1"),
        "{message}"
    );
    // A hundred thousand brackets: the same answer, at once.
    let started = Instant::now();
    let deep = "{".repeat(100_000);
    assert_eq!(error(&gql(&app, None, &deep).await).0, "QUERY_TOO_COMPLEX");
    assert!(started.elapsed() < Duration::from_millis(100));
    // Fragments spread one inside the other more than 100 deep.
    let mut chain = String::from("query { ...C0 }\n");
    for i in 0..101 {
        chain.push_str(&format!("fragment C{i} on Query {{ ...C{} }}\n", i + 1));
    }
    chain.push_str("fragment C101 on Query { __typename }");
    let (code, message) = error(&gql(&app, None, &chain).await);
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    assert!(message.contains("more than 100 deep"), "{message}");
}

/// The resident memory of process `pid`, in KiB.
fn vm_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/<pid>/status")
}

#[tokio::test]
async fn a_server_process_answers_the_fan_out_at_once_and_keeps_its_memory() {
    let database = crate::helpers::fresh_database().await;
    let _key = crate::servers::provisioned(&database.url).await;
    let server = crate::servers::start(&database.url, &[]).await;
    let mut conn = Connection::new(server.addr);
    let body = json!({ "query": twenty_six_levels() }).to_string();
    let headers = [("Content-Type", "application/json")];
    // Warm up (the first request allocates the server's pools), then measure.
    let r = conn
        .request(
            "POST",
            "/graphql",
            &headers,
            b"{\"query\":\"{ __typename }\"}",
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    // One refusal first, so that the scan's own first allocations (and the server's
    // start-up tasks) are behind the measured window.
    let r = conn
        .request("POST", "/graphql", &headers, body.as_bytes())
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    let before = vm_rss(server.pid());
    let started = Instant::now();
    for _ in 0..5 {
        let r = conn
            .request("POST", "/graphql", &headers, body.as_bytes())
            .await
            .unwrap();
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            v["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
            "{v}"
        );
    }
    let took = started.elapsed();
    let after = vm_rss(server.pid());
    assert!(
        took < Duration::from_millis(500),
        "5 requests took {took:?}"
    );
    // Essentially unchanged: within 16 MiB, allocator noise (the fan-out used to grow it
    // by 400 MiB at 21 levels and by 23 GB at 26; CI once saw 4.7 MiB of noise).
    assert!(
        after < before + 16 * 1024,
        "VmRSS {before} kB before, {after} kB after"
    );
    let r = conn.request("GET", "/healthz", &[], b"").await.unwrap();
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_page_costs_its_connection_once_and_first_times_what_one_row_selects() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let cost = |first: &str| {
        format!(
            "query($c: String) {{ monthlyReport(month: \"2025-03\") {{ downloads {{ topAssets({first}after: $c) {{
                totalCount edges {{ cursor downloads node {{ assetId filename }} }} pageInfo {{ hasNextPage endCursor }} }} }} }} }}"
        )
    };
    // A row: edges 1 + cursor 1 + downloads 1 + node (1 + 2) = 6; the connection once:
    // totalCount 1 + pageInfo (1 + 2) = 4; topAssets 1 + 4 + first × 6; downloads and
    // monthlyReport 1 each.
    for (first, expected) in [
        ("first: 100, ", 607),
        ("first: 5, ", 37),
        ("", 67),
        ("first: 0, ", 13),
    ] {
        let r = app.graphql(&key, &cost(first), json!({"c": null})).await;
        assert!(r.get("errors").is_none(), "{r}");
        assert_eq!(r["extensions"]["cost"]["requested"], expected, "{first}");
    }
    // Nested pages multiply: events 1 + totalCount 1 + 3 × (edges 1 + node (1 + 1)) = 11;
    // a row of assets: edges 1 + node (1 + 11) = 13; assets 1 + 2 × 13 = 27.
    let nested = "{ assets(first: 2) { edges { node { events(range: {from: \"2025-03-01\", to: \"2025-03-31\"}, first: 3) {
        totalCount edges { node { eventId } } } } } } }";
    let r = app.graphql(&key, nested, json!({})).await;
    assert_eq!(r["extensions"]["cost"]["requested"], 27, "{r}");
    // `nodes` is a row as `edges` is: 1 + totalCount 1 + 4 × (nodes 1 + assetId 1) = 10.
    let r = app
        .graphql(
            &key,
            "{ assets(first: 4) { totalCount nodes { assetId } } }",
            json!({}),
        )
        .await;
    assert_eq!(r["extensions"]["cost"]["requested"], 10, "{r}");
}
