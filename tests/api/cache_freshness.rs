//! How `/graphql` knows its callers and their data are current without a statement per
//! request: a key revoked by another process is refused at once, even after its answers
//! were cached; and concurrent misses of one answer run the query once.
use crate::cli::{ok, run};
use crate::helpers::spawn_app;
use crate::ingest::upload;
use serde_json::{Value, json};

const SUMMARY: &str = r#"{ monthlyReport(month: "2025-10") { summary { uploads { current } activeUsers { current } } } }"#;

fn cache_of(answer: &Value) -> &str {
    answer["extensions"]["cache"].as_str().unwrap_or("none")
}

#[tokio::test]
async fn a_key_revoked_by_another_process_is_refused_at_once_even_on_a_hit() {
    let app = spawn_app().await;
    let key = app.environment("acme", "UTC", "reports:read").await;
    let other = app.environment("acme-eu", "UTC", "reports:read").await;
    let miss = app.graphql(&key, SUMMARY, json!({})).await;
    assert_eq!(cache_of(&miss), "MISS", "{miss}");
    let hit = app.graphql(&key, SUMMARY, json!({})).await;
    assert_eq!(cache_of(&hit), "HIT", "{hit}");
    assert_eq!(
        app.graphql(&other, SUMMARY, json!({})).await["extensions"]["cache"],
        "MISS"
    );
    // The CLI runs in a process of its own: this server learns of it from the database.
    let listed = ok(&run(app.url(), &["keys", "list", "--environment", "acme"]));
    let id = listed
        .lines()
        .nth(1)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_owned();
    ok(&run(
        app.url(),
        &["keys", "revoke", &id, "--environment", "acme"],
    ));
    let refused = app.graphql(&key, SUMMARY, json!({})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
    assert!(refused["data"]["monthlyReport"].is_null(), "{refused}");
    // Another environment's key is not touched, and its answer is still a hit.
    let still = app.graphql(&other, SUMMARY, json!({})).await;
    assert_eq!(cache_of(&still), "HIT", "{still}");
    assert_eq!(still["data"], miss["data"]);
}

#[tokio::test]
async fn concurrent_misses_of_one_answer_run_the_query_once_and_are_each_charged() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    app.ingest(
        &key,
        &[
            upload("e1", "2025-10-03T09:00:00Z", "u1", "a1", "one.jpg"),
            upload("e2", "2025-10-04T09:00:00Z", "u2", "a2", "two.jpg"),
        ],
    )
    .await;
    let answers =
        futures::future::join_all((0..16).map(|_| app.graphql(&key, SUMMARY, json!({})))).await;
    let misses = answers.iter().filter(|a| cache_of(a) == "MISS").count();
    let hits = answers.iter().filter(|a| cache_of(a) == "HIT").count();
    assert_eq!((misses, hits), (1, 15), "{answers:?}");
    for answer in &answers {
        assert_eq!(
            answer["data"]["monthlyReport"]["summary"],
            json!({"uploads": {"current": 2}, "activeUsers": {"current": 2}}),
            "{answer}"
        );
        // Each is charged what the query costs, hit or miss.
        assert_eq!(
            answer["extensions"]["cost"]["requested"],
            answers[0]["extensions"]["cost"]["requested"]
        );
        assert!(answer["extensions"]["cost"]["requested"].as_u64().unwrap() > 0);
    }
}
