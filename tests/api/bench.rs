//! Correctness at scale: generated activity ingested through POST /v1/events, then every
//! benchmarked query's served answer equals the same answer aggregated from the raw
//! events (the benchmark's baseline). No timing is asserted.
use crate::helpers::{fresh_database, spawn_app};
use chrono::{Duration, Utc};
use dam_insights::bench::{BenchQuery, Scenario, baseline, differences};
use dam_insights::seed::generator::{Generator, GeneratorOptions};
use dam_insights::storage::environments;
use serde_json::{Value, json};

/// Events of the large environment, as the issue asks: about 200,000 (55 s alone in a
/// debug build on SQLite, 70 s on PostgreSQL, on 2 cores).
const EVENTS: u64 = 200_000;
/// Events per POST /v1/events request.
const PER_REQUEST: usize = 25_000;

fn options(events: u64, users: u32, assets: u32, seed: u64) -> GeneratorOptions {
    GeneratorOptions {
        events,
        seed,
        // Yesterday: every generated timestamp lies in the past.
        until: Utc::now().date_naive() - Duration::days(1),
        time_zone: chrono_tz::Europe::Amsterdam,
        users,
        assets,
        id_prefix: String::new(),
    }
}

async fn ingest(app: &crate::helpers::TestApp, key: &str, options: GeneratorOptions) -> u64 {
    let mut accepted = 0;
    let mut body = String::new();
    let mut n = 0;
    let send = async |body: &mut String| {
        let report = app
            .post_body(
                "/v1/events",
                key,
                "application/x-ndjson",
                std::mem::take(body),
            )
            .await
            .ok_json();
        assert_eq!(report["rejected"], 0, "{report}");
        report["accepted"].as_u64().expect("accepted")
    };
    for event in Generator::new(options) {
        body.push_str(&event.to_string());
        body.push('\n');
        n += 1;
        if n % PER_REQUEST == 0 {
            accepted += send(&mut body).await;
        }
    }
    if !body.is_empty() {
        accepted += send(&mut body).await;
    }
    // Every generated event is new: none is a duplicate.
    assert_eq!(accepted, n as u64);
    accepted
}

#[tokio::test]
async fn served_answers_equal_the_raw_event_baseline_at_scale() {
    let app = spawn_app().await;
    let scopes = "reports:read,events:write";
    let key = app.environment("large", "Europe/Amsterdam", scopes).await;
    // A second tenant in the same tables: neither side may count its events.
    let other = app.environment("small", "Europe/Amsterdam", scopes).await;
    let large = options(EVENTS, 300, 20_000, 7);
    let scenario = Scenario { until: large.until };
    let stored = ingest(&app, &key, large).await;
    // The generator aims at EVENTS; a few of its events may repeat an id (duplicates).
    assert!(stored >= EVENTS * 99 / 100, "{stored} of {EVENTS}");
    assert!(ingest(&app, &other, options(5_000, 20, 300, 8)).await > 0);
    let env = environments::find_by_name(&app.db, "large")
        .await
        .expect("query")
        .expect("environment");

    for query in BenchQuery::ALL {
        let served = app.data(&key, &query.graphql(&scenario), json!({})).await;
        let expected = baseline(&app.db, env.id, &scenario, query)
            .await
            .expect("baseline");
        let diffs = differences(&served, &expected, 10);
        assert!(diffs.is_empty(), "{}: {diffs:#?}", query.name());
        if query == BenchQuery::MonthlyReport {
            // The answers compared are not empty ones.
            let report = &expected["monthlyReport"];
            for list in [
                &report["engagement"]["topUsers"],
                &report["search"]["topQueries"],
                &report["search"]["topFilterValues"],
                &report["downloads"]["topAssets"],
                &report["collections"]["topViewed"],
            ] {
                assert_eq!(list["edges"].as_array().map(Vec::len), Some(10), "{list}");
            }
            assert!(report["summary"]["searches"]["current"].as_i64() > Some(1_000));
        }
        if query == BenchQuery::SearchEffectiveness {
            // Zero-result searches and conversions happen: the figures compared are not 0.
            let e = &expected["monthlyReport"]["search"]["effectiveness"];
            for field in [
                "searchesWithResultCount",
                "zeroResultSearches",
                "convertedSearches",
            ] {
                assert!(e[field]["current"].as_i64() > Some(10), "{field}: {e}");
            }
            assert!(e["zeroResultRate"]["current"].as_f64() > Some(0.0), "{e}");
            let queries = &e["topZeroResultQueries"]["edges"];
            // The demo generator's zero results fall on a handful of "missing" terms.
            assert!(queries.as_array().map(Vec::len) >= Some(5), "{e}");
        }
        if query == BenchQuery::UnusedAssets90 {
            let unused = &expected["unusedAssets"];
            assert!(unused["count"].as_i64() > Some(100), "{unused}");
            assert!(
                unused["byFolder"].as_array().map(Vec::len) > Some(1),
                "{unused}"
            );
        }
        if query == BenchQuery::TopAssets100 {
            let edges = &expected["monthlyReport"]["downloads"]["topAssets"]["edges"];
            assert_eq!(edges.as_array().map(Vec::len), Some(100));
            assert!(
                edges[0]["node"]["stats"]["views"].as_i64() > Some(0),
                "{}",
                edges[0]
            );
        }
    }
    let uploads: &Value = &baseline(&app.db, env.id, &scenario, BenchQuery::Insights90)
        .await
        .expect("baseline")["insights"]["media"]["uploads"];
    assert!(uploads["current"].as_i64() > Some(0), "{uploads}");
}

/// Every `| query | … |` row of the bench's first table, by query name: its last cell.
fn equality_column(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .take_while(|l| !l.starts_with("load:"))
        .filter(|l| l.starts_with("| ") && !l.starts_with("| query"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells[0].to_owned(), cells[cells.len() - 1].to_owned())
        })
        .collect()
}

/// `dam-insights bench` itself at a tiny size: it exits 0, every query's answer equals
/// the raw-event baseline on both environments, and it prints the storage figure and
/// the six load tests (the cached ones answered from the cache).
#[tokio::test]
async fn the_bench_command_checks_every_query_against_the_baseline_at_a_tiny_size() {
    let database = fresh_database().await;
    let until = (Utc::now().date_naive() - Duration::days(1)).to_string();
    let args = [
        "bench",
        "--events",
        "4000",
        "--users",
        "40",
        "--assets",
        "400",
        "--small-environments",
        "1",
        "--small-events",
        "300",
        "--history-events",
        "2000",
        "--reps",
        "2",
        "--warmup",
        "1",
        "--baseline-reps",
        "1",
        "--load-seconds",
        "1",
        "--load-connections",
        "2",
        "--request-events",
        "1000",
        "--until",
        &until,
    ];
    let stdout = crate::cli::ok(&crate::cli::run(&database.url, &args));
    let rows = equality_column(&stdout);
    assert_eq!(rows.len(), 2 * BenchQuery::ALL.len(), "{stdout}");
    for query in BenchQuery::ALL {
        let equal: Vec<&str> = rows
            .iter()
            .filter(|(name, _)| name == query.name())
            .map(|(_, e)| e.as_str())
            .collect();
        assert_eq!(equal, ["yes", "yes"], "{}: {stdout}", query.name());
    }
    let storage = stdout
        .lines()
        .find(|l| l.starts_with("storage: "))
        .unwrap_or_else(|| panic!("no storage line: {stdout}"));
    assert!(storage.contains(" bytes per event"), "{storage}");
    let loads: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("load:"))
        .filter(|l| l.starts_with("| monthly"))
        .collect();
    assert_eq!(loads.len(), 6, "{stdout}");
    for line in loads.iter().filter(|l| l.contains("| cached, warm |")) {
        assert!(line.contains("| 100.0% |"), "{line}");
    }

    // A filled database is refused without --reuse, and measured again with it.
    let again = crate::cli::run(&database.url, &args);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already holds a benchmark"), "{stderr}");
    let mut reuse = args.to_vec();
    reuse.push("--reuse");
    let stdout = crate::cli::ok(&crate::cli::run(&database.url, &reuse));
    assert!(
        stdout.contains("ingest: none (--reuse: the database was filled by an earlier run)"),
        "{stdout}"
    );
    let rows = equality_column(&stdout);
    assert_eq!(rows.len(), 2 * BenchQuery::ALL.len(), "{stdout}");
    assert!(rows.iter().all(|(_, equal)| equal == "yes"), "{stdout}");
    // Its write tests store new events: their ids are not the first run's.
    let writes: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("| cached, 100 events/s written |"))
        .collect();
    assert_eq!(writes.len(), 2, "{stdout}");
    for line in writes {
        let written = line
            .trim_end_matches('|')
            .rsplit('|')
            .next()
            .unwrap_or("")
            .trim();
        assert!(written.parse::<u64>().is_ok_and(|n| n > 0), "{line}");
    }
}

/// `bench --reuse` on a database no run filled says so instead of measuring nothing.
#[tokio::test]
async fn the_bench_command_refuses_to_reuse_an_empty_database() {
    let database = fresh_database().await;
    let output = crate::cli::run(&database.url, &["bench", "--reuse", "--events", "10"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--reuse needs a database an earlier run filled"),
        "{stderr}"
    );
}
