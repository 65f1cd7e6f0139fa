//! `dam-insights bench`: generates a dataset, ingests it through POST /v1/events of a
//! server running as a child process, measures the database's size per event, times the
//! benchmarked queries on a second server without the read cache (and their cached
//! answers on the first), checks them against the raw-event baseline, runs the load
//! tests, and prints tables.
use super::client::Connection;
use super::compare::differences;
use super::footprint;
use super::load::{self, CacheMode, LoadTarget};
use super::queries::{BenchQuery, Scenario};
use super::server::{Server, graphql};
use super::stats::Latency;
use super::table::{QueryFigures, print_table};
use crate::cli::progress::bar;
use crate::seed::generator::{Generator, GeneratorOptions};
use crate::storage::{self, environments, keys};
use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, mpsc};

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Events of the large environment.
    #[arg(long, default_value_t = 10_000_000)]
    pub events: u64,
    /// Users of the large environment.
    #[arg(long, default_value_t = 10_000)]
    pub users: u32,
    /// Assets of the large environment.
    #[arg(long, default_value_t = 1_000_000)]
    pub assets: u32,
    /// Small environments ingested beside it.
    #[arg(long, default_value_t = 100)]
    pub small_environments: u32,
    /// Events of each small environment (20 users, 200 assets).
    #[arg(long, default_value_t = 2_000)]
    pub small_events: u64,
    /// Events of the environment the queries are repeated on to show how latency grows
    /// with history (users and assets scaled down in proportion); 0 skips it.
    #[arg(long, default_value_t = 100_000)]
    pub history_events: u64,
    /// Timed repetitions of each query.
    #[arg(long, default_value_t = 100)]
    pub reps: usize,
    /// Untimed repetitions before them.
    #[arg(long, default_value_t = 10)]
    pub warmup: usize,
    /// Timed runs of each raw-event baseline (its median is compared).
    #[arg(long, default_value_t = 3)]
    pub baseline_reps: usize,
    /// Skip the raw-event baseline (no equality check, no speed-up).
    #[arg(long)]
    pub skip_baseline: bool,
    /// Connections of each load test (the summary and the full monthly report, each
    /// uncached, cached and cached while events are written).
    #[arg(long, default_value_t = 32)]
    pub load_connections: usize,
    /// Seconds of each load test; 0 skips them.
    #[arg(long, default_value_t = 10)]
    pub load_seconds: u64,
    /// Concurrent POST /v1/events requests.
    #[arg(long, default_value_t = 2)]
    pub ingest_connections: usize,
    /// Events per POST /v1/events request.
    #[arg(long, default_value_t = 10_000)]
    pub request_events: usize,
    /// Random seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Last day of activity (YYYY-MM-DD); default today (UTC).
    #[arg(long)]
    pub until: Option<NaiveDate>,
    /// Time zone of every environment.
    #[arg(long, default_value = "Europe/Amsterdam")]
    pub timezone: String,
    /// Measure a database an earlier run filled (same sizes, `--seed` and `--until`)
    /// instead of filling an empty one: no ingest, every query, baseline and load test
    /// as usual.
    #[arg(long)]
    pub reuse: bool,
}

/// One environment to fill.
struct Target {
    name: String,
    id: i64,
    key: String,
    options: GeneratorOptions,
}

pub async fn bench(database_url: Option<String>, args: BenchArgs) -> anyhow::Result<()> {
    let (url, temp_dir) = match database_url {
        Some(url) => (url, None),
        None => {
            let dir =
                std::env::temp_dir().join(format!("dam-insights-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            (
                format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
                Some(dir),
            )
        }
    };
    let result = run(&url, &args).await;
    if let Some(dir) = temp_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

async fn run(url: &str, args: &BenchArgs) -> anyhow::Result<()> {
    let db = storage::connect(url).await?;
    storage::migrate(&db).await?;
    let filled = environments::find_by_name(&db, "bench").await?.is_some();
    if args.reuse && !filled {
        bail!("--reuse needs a database an earlier run filled (no environment `bench` here)");
    }
    if filled && !args.reuse {
        bail!(
            "the database already holds a benchmark (environment `bench`): name an empty database"
        );
    }
    let until = args.until.unwrap_or_else(|| Utc::now().date_naive());
    let tz = environments::parse_time_zone(&args.timezone)?;
    let options = |events: u64, users: u32, assets: u32, seed: u64| GeneratorOptions {
        events,
        seed,
        until,
        time_zone: tz,
        users,
        assets,
        id_prefix: String::new(),
    };
    let mut plan = Vec::new();
    for i in 0..args.small_environments {
        plan.push((
            format!("bench-small-{i:03}"),
            options(args.small_events, 20, 200, args.seed + 1 + u64::from(i)),
        ));
    }
    if args.history_events > 0 {
        let scale = |n: u32, min: u32| {
            ((f64::from(n) * args.history_events as f64 / args.events.max(1) as f64) as u32)
                .max(min)
        };
        plan.push((
            "bench-history".to_owned(),
            options(
                args.history_events,
                scale(args.users, 50),
                scale(args.assets, 500),
                args.seed,
            ),
        ));
    }
    plan.push((
        "bench".to_owned(),
        options(args.events, args.users, args.assets, args.seed),
    ));
    let mut targets = Vec::new();
    for (name, options) in plan {
        let env = if args.reuse {
            environments::require(&db, &name).await?
        } else {
            environments::create(&db, &name, &args.timezone).await?
        };
        let key = keys::create(&db, env.id, &keys::Scope::ALL).await?;
        targets.push(Target {
            name,
            id: env.id,
            key,
            options,
        });
    }

    let server = Server::start(url, true).await?;
    eprintln!(
        "server pid {} on {} ({})",
        server.child.id().unwrap_or(0),
        server.addr,
        storage::redact(url)
    );
    let ingested = if args.reuse {
        None
    } else {
        Some(ingest(&server, &targets, args).await?)
    };
    let peak_after_ingest = server.peak_mib();
    // Also refreshes PostgreSQL's planner statistics after the bulk load (SQLite keeps
    // none unless asked, and the server never asks).
    let size = footprint::measure(&db).await?;
    let uncached = Server::start(url, false).await?;

    let scenario = Scenario { until };
    let mut figures = Vec::new();
    let mut failures = Vec::new();
    let measured: Vec<&Target> = targets
        .iter()
        .rev()
        .filter(|t| t.name == "bench" || t.name == "bench-history")
        .collect();
    for target in measured {
        for query in BenchQuery::ALL {
            let servers = (&uncached, &server);
            let f = measure(servers, &db, target, &scenario, query, args, &mut failures).await?;
            figures.push(f);
        }
    }
    let mut loads = Vec::new();
    if args.load_seconds > 0 {
        let bench = &targets[targets.len() - 1];
        for query in [BenchQuery::Summary, BenchQuery::MonthlyReport] {
            for mode in CacheMode::ALL {
                let on = if mode == CacheMode::Off {
                    &uncached
                } else {
                    &server
                };
                let target = LoadTarget {
                    addr: on.addr,
                    key: &bench.key,
                    connections: args.load_connections,
                    seconds: args.load_seconds,
                };
                let round = loads.len();
                let f = load::load_test(&target, &scenario, tz, query, mode, round).await?;
                loads.push(f);
            }
        }
    }
    let peak = server.peak_mib();
    print_table(
        &figures,
        args,
        ingested,
        &size,
        &loads,
        (peak_after_ingest, peak),
    );
    drop(server);
    drop(uncached);
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("MISMATCH {f}");
        }
        bail!(
            "{} answers differ from the raw-event baseline",
            failures.len()
        );
    }
    Ok(())
}

/// Streams every target's events to POST /v1/events; returns (events accepted, seconds,
/// seconds the generator was busy).
async fn ingest(
    server: &Server,
    targets: &[Target],
    args: &BenchArgs,
) -> anyhow::Result<(u64, f64, f64)> {
    let total: u64 = targets.iter().map(|t| t.options.events).sum();
    let progress = bar(Some(total), "events");
    let (tx, rx) = mpsc::channel::<(String, Vec<u8>, u64)>(args.ingest_connections * 2);
    let jobs: Vec<(String, GeneratorOptions)> = targets
        .iter()
        .map(|t| (t.key.clone(), t.options.clone()))
        .collect();
    let per_request = args.request_events.max(1);
    let started = Instant::now();
    let producer = tokio::task::spawn_blocking(move || -> anyhow::Result<f64> {
        let mut busy = Duration::ZERO;
        for (key, options) in jobs {
            let mut t = Instant::now();
            let mut body = Vec::with_capacity(per_request * 300);
            let mut n = 0u64;
            for event in Generator::new(options) {
                serde_json::to_writer(&mut body, &event)?;
                body.push(b'\n');
                n += 1;
                if n as usize == per_request {
                    busy += t.elapsed();
                    let full = std::mem::replace(&mut body, Vec::with_capacity(per_request * 300));
                    if tx.blocking_send((key.clone(), full, n)).is_err() {
                        return Ok(busy.as_secs_f64());
                    }
                    n = 0;
                    t = Instant::now();
                }
            }
            busy += t.elapsed();
            if n > 0 && tx.blocking_send((key.clone(), body, n)).is_err() {
                break;
            }
        }
        Ok(busy.as_secs_f64())
    });
    let rx = Arc::new(Mutex::new(rx));
    let mut senders = Vec::new();
    for _ in 0..args.ingest_connections.max(1) {
        let rx = rx.clone();
        let progress = progress.clone();
        let addr = server.addr;
        senders.push(tokio::spawn(async move {
            let mut conn = Connection::new(addr);
            let mut accepted = 0u64;
            loop {
                let next = rx.lock().await.recv().await;
                let Some((key, body, n)) = next else { break };
                let auth = format!("Bearer {key}");
                let headers = [
                    ("Authorization", auth.as_str()),
                    ("Content-Type", "application/x-ndjson"),
                ];
                let r = conn.request("POST", "/v1/events", &headers, &body).await?;
                let report: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
                if r.status != 200 || report["rejected"].as_u64() != Some(0) {
                    bail!("POST /v1/events answered {}: {report}", r.status);
                }
                accepted += report["accepted"].as_u64().unwrap_or(0);
                progress.inc(n);
            }
            anyhow::Ok(accepted)
        }));
    }
    let mut accepted = 0;
    for sender in senders {
        accepted += sender.await.context("an ingest task failed")??;
    }
    let generator_secs = producer.await.context("the generator failed")??;
    progress.finish_and_clear();
    Ok((accepted, started.elapsed().as_secs_f64(), generator_secs))
}

/// Times `query` on the server without the cache, then its cached answer on the other.
async fn measure(
    (server, cached_server): (&Server, &Server),
    db: &sea_orm::DatabaseConnection,
    target: &Target,
    scenario: &Scenario,
    query: BenchQuery,
    args: &BenchArgs,
    failures: &mut Vec<String>,
) -> anyhow::Result<QueryFigures> {
    let text = query.graphql(scenario);
    let mut conn = Connection::new(server.addr);
    let progress = bar(
        Some((args.warmup + args.reps) as u64),
        &format!("{} on {}", query.name(), target.name),
    );
    let mut served = Value::Null;
    for _ in 0..args.warmup {
        served = graphql(&mut conn, &target.key, &text).await?;
        progress.inc(1);
    }
    let mut samples = Vec::with_capacity(args.reps);
    for _ in 0..args.reps {
        let t = Instant::now();
        served = graphql(&mut conn, &target.key, &text).await?;
        samples.push(t.elapsed());
        progress.inc(1);
    }
    let mut conn = Connection::new(cached_server.addr);
    let cached_answer = graphql(&mut conn, &target.key, &text).await?;
    let mut cached = Vec::with_capacity(args.reps);
    for _ in 0..args.reps {
        let t = Instant::now();
        graphql(&mut conn, &target.key, &text).await?;
        cached.push(t.elapsed());
    }
    progress.finish_and_clear();
    for d in differences(&cached_answer, &served, 5) {
        failures.push(format!("{} on {}, cached: {d}", query.name(), target.name));
    }
    let (mut baseline_ms, mut equal) = (None, None);
    if !args.skip_baseline {
        let mut times = Vec::new();
        let mut expected = Value::Null;
        for _ in 0..args.baseline_reps.max(1) {
            let t = Instant::now();
            expected = super::baseline(db, target.id, scenario, query).await?;
            times.push(t.elapsed());
        }
        baseline_ms = Some(Latency::of(&times).p50);
        let diffs = differences(&served, &expected, 5);
        equal = Some(diffs.is_empty());
        for d in diffs {
            failures.push(format!("{} on {}: {d}", query.name(), target.name));
        }
    }
    Ok(QueryFigures {
        query,
        events: target.options.events,
        served: Latency::of(&samples),
        cached: Latency::of(&cached),
        baseline_ms,
        equal,
    })
}
