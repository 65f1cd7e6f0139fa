//! `rollups rebuild` beside live traffic: while the command line rebuilds (a separate
//! process), ingest and reads through HTTP keep answering promptly, and afterwards the
//! rollups ingest maintained equal a fresh rebuild: nothing ingested meanwhile was lost
//! or counted twice.
use crate::helpers::spawn_app;
use crate::rollups::random_events_in;
use dam_insights::storage::{environments, rollups};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn ingest_and_reads_answer_promptly_during_a_rebuild_and_nothing_is_counted_twice() {
    let app = spawn_app().await;
    let key = app
        .environment("acme", "Europe/Amsterdam", "reports:read,events:write")
        .await;
    let stored = random_events_in(12_000, 11, 1..=12, "e");
    for chunk in stored.chunks(3_000) {
        assert_eq!(app.ingest(&key, chunk).await["rejected"], 0);
    }
    // Keys never used yet: their first use during the rebuild records their last use.
    let mut fresh = Vec::new();
    for _ in 0..20 {
        fresh.push(app.environment("acme", "UTC", "reports:read").await);
    }

    let started = Instant::now();
    let mut child = Command::new(crate::cli::BIN)
        .args(["rollups", "rebuild", "--environment", "acme"])
        .env("DATABASE_URL", app.url())
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Live events over the same months (new ids, and some repeats of stored ones).
    let live = random_events_in(4_000, 12, 1..=12, "live");
    let mut slowest = Duration::ZERO;
    let mut calls_during = 0;
    let mut sent = 0;
    let mut accepted = 0;
    let mut read_keys = fresh.iter();
    while child.try_wait().unwrap().is_none() {
        let end = (sent + 50).min(live.len());
        let mut batch = live[sent..end].to_vec();
        batch.push(stored[sent].clone());
        let t = Instant::now();
        let answer = app.ingest(&key, &batch).await;
        let ingest_took = t.elapsed();
        assert_eq!(answer["duplicates"], 1, "{answer}");
        accepted += answer["accepted"].as_i64().unwrap();
        sent = end;
        let reader = read_keys.next().unwrap_or(&key);
        let t = Instant::now();
        let data = app
            .data(
                reader,
                "{ viewer { environment { name } } }",
                serde_json::json!({}),
            )
            .await;
        let read_took = t.elapsed();
        assert_eq!(data["viewer"]["environment"]["name"], "acme");
        slowest = slowest.max(ingest_took).max(read_took);
        calls_during += 1;
        if sent == live.len() {
            break;
        }
    }
    let output = child.wait_with_output().unwrap();
    let rebuild_took = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!(
        "rebuild {rebuild_took:?}; {calls_during} ingest+read pairs during it, the slowest call {slowest:?}"
    );
    assert!(
        calls_during >= 5,
        "the rebuild was too quick to overlap: {rebuild_took:?}"
    );
    // Each call waits at most for one month's swap, never for the whole rebuild.
    assert!(
        slowest < Duration::from_secs(5) && slowest * 4 < rebuild_took,
        "a call waited {slowest:?} during a rebuild of {rebuild_took:?}"
    );
    assert_eq!(
        app.count("events").await,
        12_000 + accepted,
        "every live event was stored once"
    );

    let env = environments::require(&app.db, "acme").await.unwrap();
    let maintained = rollups::snapshot(&app.db, env.id).await.unwrap();
    crate::cli::ok(&crate::cli::run(
        app.url(),
        &["rollups", "rebuild", "--environment", "acme"],
    ));
    let rebuilt = rollups::snapshot(&app.db, env.id).await.unwrap();
    assert_eq!(maintained.len(), rebuilt.len());
    for (a, b) in maintained.iter().zip(&rebuilt) {
        assert_eq!(a, b);
    }
}
