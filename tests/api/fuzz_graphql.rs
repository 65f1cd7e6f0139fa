//! A bounded fuzz of the GraphQL request path (a proptest with a fixed seed): documents
//! built from fragments that spread each other (cycles and unknown ones included),
//! aliases, inline fragments, directives and nesting, and token soup with stray bytes,
//! sent with and without a key. Every answer must come quickly, be JSON with a status
//! other than 5xx, and carry `extensions.code` on every error.
use crate::helpers::{TestApp, spawn_app};
use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// One selection: a field (aliased, with a directive, or nesting more), a spread of one
/// of four fragments, or an inline fragment.
fn selection() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("__typename".to_owned()),
        Just("a: __typename".to_owned()),
        Just("viewer { scopes }".to_owned()),
        Just("limits { maxDepth maxFields }".to_owned()),
        Just("__schema { queryType { name } }".to_owned()),
        Just("assets(first: 3) { totalCount edges { node { assetId } } }".to_owned()),
        Just("monthlyReport(month: \"2025-13\") { month }".to_owned()),
        Just("series(metrics: [UPLOADS], range: {from: \"2025-01-01\", to: \"2025-01-31\"}, interval: \"DAY\") { interval }".to_owned()),
        Just("nonsense".to_owned()),
        (0..5u8).prop_map(|n| format!("...F{n}")),
        (0..5u8).prop_map(|n| format!("...F{n} @include(if: true)")),
        (0..5u8).prop_map(|n| format!("x{n}: __typename @skip(if: false)")),
    ];
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4)
                .prop_map(|items| format!("... on Query {{ {} }}", items.join(" "))),
            prop::collection::vec(inner.clone(), 1..4)
                .prop_map(|items| format!("... {{ {} }}", items.join(" "))),
            prop::collection::vec(inner, 1..4)
                .prop_map(|items| format!("... @include(if: true) {{ {} }}", items.join(" "))),
        ]
    })
}

/// A document: an operation and fragments F0…F3 (F4 is never defined), each a few
/// selections that may spread the others any number of times.
fn document() -> impl Strategy<Value = String> {
    let body = || prop::collection::vec(selection(), 1..5).prop_map(|s| s.join(" "));
    (body(), prop::collection::vec(body(), 4)).prop_map(|(op, fragments)| {
        let mut doc = format!("query Q {{ {op} }}\n");
        for (i, f) in fragments.iter().enumerate() {
            doc.push_str(&format!("fragment F{i} on Query {{ {f} }}\n"));
        }
        doc
    })
}

/// Token soup: GraphQL's punctuation and keywords, strings, numbers and stray bytes.
fn soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{"),
        Just("}"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("..."),
        Just("query"),
        Just("fragment"),
        Just("on"),
        Just("Query"),
        Just("F0"),
        Just("...F0"),
        Just("__typename"),
        Just("$v"),
        Just(":"),
        Just("@include(if: true)"),
        Just("\""),
        Just("\"\"\""),
        Just("#"),
        Just("1e999"),
        Just("-0"),
        Just("\u{0}"),
        Just("\u{feff}"),
        Just("é"),
        Just("\\u0000"),
        Just("\n"),
        Just(","),
        Just("="),
        Just("!"),
        Just("|"),
    ];
    prop::collection::vec(token, 0..300).prop_map(|t| t.join(" "))
}

fn check(answer: (u16, Value, Duration), doc: &str) -> Result<(), TestCaseError> {
    let (status, body, took) = answer;
    prop_assert!(status < 500, "status {status} for {doc:?}: {body}");
    prop_assert!(took < Duration::from_secs(2), "{took:?} for {doc:?}");
    for e in body["errors"].as_array().into_iter().flatten() {
        prop_assert!(e["extensions"]["code"].is_string(), "{e} for {doc:?}");
    }
    Ok(())
}

async fn send(app: &TestApp, key: Option<&str>, doc: &str) -> (u16, Value, Duration) {
    let mut r = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json");
    if let Some(key) = key {
        r = r.header("authorization", format!("Bearer {key}"));
    }
    let started = Instant::now();
    let reply = app
        .send(
            r.body(Body::from(json!({ "query": doc }).to_string()))
                .unwrap(),
        )
        .await;
    let took = started.elapsed();
    let body = serde_json::from_slice(&reply.body).unwrap_or_else(|_| {
        json!({"errors": [{"message": String::from_utf8_lossy(&reply.body), "extensions": {}}]})
    });
    (reply.status.as_u16(), body, took)
}

#[test]
fn the_request_path_never_fails_or_stalls_on_random_documents() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(spawn_app());
    let key = rt.block_on(app.full_key());
    let config = Config {
        cases: 160,
        failure_persistence: None,
        ..Config::default()
    };
    let seeded = || TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(config.clone(), seeded());
    let started = Instant::now();
    runner
        .run(&(document(), any::<bool>()), |(doc, keyed)| {
            let key = keyed.then_some(key.as_str());
            check(rt.block_on(send(&app, key, &doc)), &doc)
        })
        .unwrap();
    let mut runner = TestRunner::new_with_rng(config, seeded());
    runner
        .run(&soup(), |doc| {
            check(rt.block_on(send(&app, None, &doc)), &doc)
        })
        .unwrap();
    // Bounded: the whole fuzz runs in seconds.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}
