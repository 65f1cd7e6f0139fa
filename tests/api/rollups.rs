//! Rollups maintained by ingest equal rollups rebuilt from the raw events; reports load
//! related entities in batches.
use crate::helpers::{fresh_database, spawn_app};
use crate::monthly::ev;
use dam_insights::config::Config;
use dam_insights::storage::{environments, rollups};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A random stream of every counted event type over three months and two zones' worth
/// of edge times.
fn random_events(n: usize, seed: u64) -> Vec<Value> {
    random_events_in(n, seed, 9..=11, "e")
}

/// A random stream of every counted event type in the `months` of 2025; ids are `prefix`
/// and a number.
pub fn random_events_in(
    n: usize,
    seed: u64,
    months: std::ops::RangeInclusive<u32>,
    prefix: &str,
) -> Vec<Value> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let day = rng.gen_range(1..=28);
            let month = rng.gen_range(months.clone());
            let at = format!("2025-{month:02}-{day:02}T{:02}:{:02}:00Z", rng.gen_range(0..24), rng.gen_range(0..60));
            let user = format!("u{}", rng.gen_range(0..6));
            let user = (rng.gen_range(0..10) > 0).then_some(user.as_str());
            let asset = format!("a{}", rng.gen_range(0..8));
            let collection = format!("c{}", rng.gen_range(0..3));
            let session = format!("s{}", rng.gen_range(0..20));
            let id = format!("{prefix}{i}");
            let job = format!("j{}", rng.gen_range(0..6));
            let mut e = match rng.gen_range(0..14) {
                0 => ev(&id, "asset.uploaded", &at, user, json!({"assetId": asset, "filename": "f", "assetType": "IMAGE", "source": "WEB"})),
                1 | 2 => ev(&id, "asset.downloaded", &at, user, json!({"assetId": asset, "actionId": format!("x{}", rng.gen_range(0..30)),
                                                                    "bulk": rng.gen_bool(0.3), "variant": "ORIGINAL"})),
                3 => {
                    let kind = ["TEXT", "FILTER", "EXPRESSION", "VISUAL_TEXT", "VISUAL_SIMILARITY"][rng.gen_range(0..5)];
                    let q = [" Logo", "logo ", "RED car", "red  car"][rng.gen_range(0..4)];
                    let mut region = || json!({"field": "Region", "value": (["EMEA", "APAC"][rng.gen_range(0..2)])});
                    let mut e = ev(&id, "search.performed", &at, user, json!({"kind": kind, "query": q, "expression": q, "referenceAssetId": asset,
                        "filters": [region(), region()]}));
                    if rng.gen_bool(0.7) {
                        e["resultCount"] = json!(rng.gen_range(0..3));
                    }
                    e
                }
                4 => ev(&id, "collection.viewed", &at, user, json!({"collectionId": collection, "viaPublicLink": rng.gen_bool(0.6)})),
                5 => ev(&id, "collection.downloaded", &at, None, json!({"collectionId": collection, "assetId": asset,
                        "variant": (["ORIGINAL", "TRANSFORMED"][rng.gen_range(0..2)])})),
                6 => ev(&id, "collection.created", &at, user, json!({"collectionId": collection, "name": "n", "public": true})),
                7 => ev(&id, "asset.viewed", &at, user, json!({"assetId": asset})),
                9 => ev(&id, "job.created", &at, user, json!({"jobId": job, "name": "n", "workflow": "w"})),
                10 => ev(&id, "job.advanced", &at, user, json!({"jobId": job, "fromStage": "a", "toStage": "b"})),
                11 => ev(&id, "job.sent_back", &at, user, json!({"jobId": job, "fromStage": "b", "toStage": "a"})),
                12 => ev(&id, "job.finished", &at, user, json!({"jobId": job})),
                13 => match rng.gen_range(0..4) {
                    0 => ev(&id, "asset.archived", &at, user, json!({"assetId": asset})),
                    1 => ev(&id, "asset.deleted", &at, user, json!({"assetId": asset})),
                    2 => ev(&id, "user.created", &at, Some("u9"), json!({"email": "e", "name": "n", "role": "r",
                        "via": (["MANUAL", "BULK"][rng.gen_range(0..2)])})),
                    _ => ev(&id, "user.logged_out", &at, Some("u2"), json!({})),
                },
                _ => ev(&id, "user.logged_in", &at, Some("u1"), json!({"sso": rng.gen_bool(0.5)})),
            };
            if rng.gen_bool(0.7) {
                e["sessionId"] = json!(session);
            }
            e
        })
        .collect()
}

/// Searches, views and downloads of few users close together in time (seconds apart,
/// some at exactly 30 minutes), so that conversions are won and, as late events arrive
/// out of order, taken away again.
pub fn search_sessions(n: usize, first_id: usize) -> Vec<Value> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    (0..n)
        .map(|i| {
            let id = format!("e{}", first_id + i);
            let user = format!("u{}", rng.gen_range(0..3));
            let user = (rng.gen_range(0..8) > 0).then_some(user.as_str());
            // 2025-10-31 from 23:00 UTC on: in New York, still October.
            let at = chrono::DateTime::parse_from_rfc3339("2025-10-31T23:00:00Z").unwrap()
                + chrono::TimeDelta::seconds(rng.gen_range(0..6) * 600 + [0, 1, 1800][rng.gen_range(0..3)]);
            let at = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            match rng.gen_range(0..3) {
                0 => ev(&id, "search.performed", &at, user, json!({"kind": "TEXT", "query": "Red car", "resultCount": rng.gen_range(0..2)})),
                1 => ev(&id, "asset.viewed", &at, user, json!({"assetId": "a1"})),
                _ => ev(&id, "asset.downloaded", &at, user, json!({"assetId": "a2", "actionId": id, "bulk": rng.gen_bool(0.5), "variant": "ORIGINAL"})),
            }
        })
        .collect()
}

#[tokio::test]
async fn rollups_maintained_by_ingest_equal_rollups_rebuilt_from_raw_events() {
    let app = spawn_app().await;
    let key = app
        .environment("acme", "America/New_York", "reports:read,events:write")
        .await;
    let mut events = random_events(3000, 42);
    events.extend(search_sessions(400, 3000));
    // Repeat a fifth of them and send everything out of order, in uneven batches.
    let repeats: Vec<Value> = events.iter().step_by(5).cloned().collect();
    events.extend(repeats);
    events.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(7));
    let mut accepted = 0;
    for chunk in events.chunks(700) {
        accepted += app.ingest(&key, chunk).await["accepted"].as_i64().unwrap();
    }
    assert_eq!(accepted, 3400);

    let env = environments::require(&app.db, "acme").await.unwrap();
    let maintained = rollups::snapshot(&app.db, env.id).await.unwrap();
    assert!(
        maintained.len() > 100,
        "the stream fills many rollups: {}",
        maintained.len()
    );

    for derived in [
        "revisionRounds",
        "jobDuration",
        "downloadAction",
        "convertedSearch",
        "zeroResultQueryUser",
    ] {
        assert!(
            maintained
                .iter()
                .any(|r| r.metric == derived && r.period.len() == 10),
            "the stream fills daily {derived} rows"
        );
    }

    // Each metric's kept number of rows per period equals the rows there with a count
    // above 0 (distinct counts and ranking totals read it).
    let mut counted: std::collections::BTreeMap<(String, String), i64> = Default::default();
    let mut kept = counted.clone();
    for r in &maintained {
        if r.metric == "#rows" {
            kept.insert((r.key.clone(), r.period.clone()), r.count);
        } else if r.count > 0 {
            *counted
                .entry((r.metric.clone(), r.period.clone()))
                .or_default() += 1;
        }
    }
    assert_eq!(kept, counted);

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dam-insights"))
        .args(["rollups", "rebuild", "--environment", "acme"])
        .env("DATABASE_URL", app.url())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("from 3400 events"));
    let rebuilt = rollups::snapshot(&app.db, env.id).await.unwrap();
    assert_eq!(maintained.len(), rebuilt.len());
    for (a, b) in maintained.iter().zip(&rebuilt) {
        assert_eq!(a, b);
    }
}

#[tokio::test]
async fn top_assets_load_filenames_and_uploaders_in_a_fixed_number_of_statements() {
    let database = fresh_database().await;
    let statements = Arc::new(AtomicUsize::new(0));
    let mut db = dam_insights::storage::connect(&database.url).await.unwrap();
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let mut config = Config::for_database(database.url.clone());
    // A page's stats load for the whole page at once, never batched by time: were any
    // stat left to the dataloader, a request would take this long.
    config.stats_batch_ms = 5_000;
    // The statements of running the query: the third request repeats the first, which
    // the read cache would answer with the key's look-up alone.
    config.cache_max_bytes = 0;
    let state = dam_insights::build_with(config, db).await.unwrap();
    let app = crate::helpers::TestApp::from_state(state, database);
    let key = app.full_key().await;
    let mut events = Vec::new();
    for a in 0..120 {
        events.push(ev(&format!("up{a}"), "asset.uploaded", "2025-10-01T09:00:00Z", Some(&format!("u{}", a % 30)),
            json!({"assetId": format!("a{a:03}"), "filename": format!("f{a}.jpg"), "assetType": "IMAGE", "source": "WEB"})));
        for d in 0..(1 + a % 3) {
            events.push(ev(&format!("d{a}-{d}"), "asset.downloaded", "2025-10-02T09:00:00Z", Some("u1"),
                json!({"assetId": format!("a{a:03}"), "actionId": format!("x{a}{d}"), "bulk": false, "variant": "ORIGINAL"})));
        }
    }
    app.ingest(&key, &events).await;
    let q = "query($n: Int) { monthlyReport(month: \"2025-10\") { downloads { topAssets(first: $n) { edges { node { filename uploader { name }\
        stats(range: {from: \"2025-10-01\", to: \"2025-10-31\"}) { views downloads downloaders collections } } downloads users } } } } }";
    // A key's last-used time is written by a task of its own after its first use (then at
    // most once a minute): one request before counting, then wait until that write is
    // done and no statement runs, so that it lands in no request's count.
    app.data(&key, q, json!({"n": 10})).await;
    let mut settled = statements.load(Ordering::SeqCst);
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let now = statements.load(Ordering::SeqCst);
        if now == settled {
            break;
        }
        settled = now;
    }
    let mut counts = Vec::new();
    for n in [10, 100, 10] {
        let before = statements.load(Ordering::SeqCst);
        let started = std::time::Instant::now();
        let data = app.data(&key, q, json!({"n": n})).await;
        counts.push(statements.load(Ordering::SeqCst) - before);
        assert!(
            started.elapsed() < std::time::Duration::from_millis(2_500),
            "a page's stats waited for a batch: {:?}",
            started.elapsed()
        );
        assert_eq!(
            data["monthlyReport"]["downloads"]["topAssets"]["edges"]
                .as_array()
                .unwrap()
                .len(),
            n as usize
        );
    }
    // Auth, the ranking and its total, distinct users, assets, uploaders, and one per
    // stat: the same few statements for 10 items as for 100, whatever the timing.
    assert!(
        counts.iter().all(|c| *c == counts[0]),
        "statements per request: {counts:?}"
    );
    assert!(counts[1] <= 12, "statements per request: {counts:?}");
}
