//! The load test: requests per second and latency of one query from many connections at
//! once, against a server without its read cache, with the cache warm, and with it warm
//! while 100 events a second are written to the same environment (each write changes the
//! environment's data version, so the cached answers go and the next requests miss).
use super::client::Connection;
use super::queries::{BenchQuery, Scenario};
use super::stats::Latency;
use crate::seed::generator::{Generator, GeneratorOptions};
use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Events written per second during [`CacheMode::WarmWrites`].
pub const WRITES_PER_SECOND: usize = 100;

/// How the server answers during a load test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheMode {
    /// A server started with `CACHE_MAX_BYTES=0`: every request runs the query.
    Off,
    /// The cache on, the answer stored before the test starts.
    Warm,
    /// As `Warm`, with [`WRITES_PER_SECOND`] events posted to the environment each second.
    WarmWrites,
}

impl CacheMode {
    pub const ALL: [CacheMode; 3] = [CacheMode::Off, CacheMode::Warm, CacheMode::WarmWrites];

    pub fn label(self) -> &'static str {
        match self {
            CacheMode::Off => "uncached",
            CacheMode::Warm => "cached, warm",
            CacheMode::WarmWrites => "cached, 100 events/s written",
        }
    }
}

/// Figures of one load test.
pub struct LoadFigures {
    pub query: BenchQuery,
    pub mode: CacheMode,
    pub rate: f64,
    pub latency: Latency,
    /// Answers whose `extensions.cache` said HIT, and MISS.
    pub hits: u64,
    pub misses: u64,
    /// Events written during the test.
    pub written: u64,
}

/// What a load test runs against: the server, the environment's key.
pub struct LoadTarget<'a> {
    pub addr: SocketAddr,
    pub key: &'a str,
    pub connections: usize,
    pub seconds: u64,
}

/// The answer's cache outcome: Some(true) for HIT, Some(false) for MISS, None without
/// one; fails on a non-200 or an answer with errors.
fn outcome(status: u16, body: &[u8]) -> anyhow::Result<Option<bool>> {
    // A hit's answer is written by the cache and ends so: no need to parse it.
    if status == 200 && body.ends_with(b"\"cache\":\"HIT\"}}") {
        return Ok(Some(true));
    }
    let answer: Value =
        serde_json::from_slice(body).with_context(|| format!("HTTP {status}: not JSON"))?;
    if status != 200 || answer.get("errors").is_some() {
        bail!("HTTP {status}: {answer}");
    }
    Ok(match answer["extensions"]["cache"].as_str() {
        Some("HIT") => Some(true),
        Some(_) => Some(false),
        None => None,
    })
}

/// Bodies of generated events, [`WRITES_PER_SECOND`] each, for `seconds` seconds:
/// activity of new users and assets (ids prefixed `prefix`) over the year ending with
/// the scenario's `until`, so that the months the queries read change too.
fn write_bodies(
    scenario: &Scenario,
    time_zone: chrono_tz::Tz,
    prefix: &str,
    seconds: u64,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let options = GeneratorOptions {
        events: (WRITES_PER_SECOND as u64) * (seconds + 1),
        seed: 99,
        until: scenario.until,
        time_zone,
        users: 20,
        assets: 200,
        id_prefix: prefix.to_owned(),
    };
    let mut bodies = Vec::new();
    let mut body = Vec::new();
    let mut n = 0;
    for event in Generator::new(options) {
        serde_json::to_writer(&mut body, &event)?;
        body.push(b'\n');
        n += 1;
        if n == WRITES_PER_SECOND {
            bodies.push(std::mem::take(&mut body));
            n = 0;
        }
    }
    Ok(bodies)
}

/// Posts one body of events a second until `deadline`; returns the events accepted.
async fn write_each_second(
    addr: SocketAddr,
    key: String,
    bodies: Vec<Vec<u8>>,
    deadline: Instant,
) -> anyhow::Result<u64> {
    let mut conn = Connection::new(addr);
    let auth = format!("Bearer {key}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/x-ndjson"),
    ];
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut accepted = 0;
    for body in bodies {
        tick.tick().await;
        if Instant::now() >= deadline {
            break;
        }
        let r = conn.request("POST", "/v1/events", &headers, &body).await?;
        let report: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        if r.status != 200 || report["rejected"].as_u64() != Some(0) {
            bail!("POST /v1/events answered {}: {report}", r.status);
        }
        accepted += report["accepted"].as_u64().unwrap_or(0);
    }
    Ok(accepted)
}

/// Runs `query` from `target.connections` connections for `target.seconds` seconds.
/// `round`, with the test's start in seconds, makes the ids of the events written unique
/// across tests and across runs on one database (`bench --reuse`).
pub async fn load_test(
    target: &LoadTarget<'_>,
    scenario: &Scenario,
    time_zone: chrono_tz::Tz,
    query: BenchQuery,
    mode: CacheMode,
    round: usize,
) -> anyhow::Result<LoadFigures> {
    let body = serde_json::to_vec(&json!({ "query": query.graphql(scenario) }))?;
    let auth = format!("Bearer {}", target.key);
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
    ];
    let request =
        Arc::new(Connection::new(target.addr).request_bytes("POST", "/graphql", &headers, &body));
    // The first answer: stored when the cache is on.
    let mut first = Connection::new(target.addr);
    let r = first.send(&request).await?;
    outcome(r.status, &r.body)?;
    let writer = if mode == CacheMode::WarmWrites {
        let bodies = write_bodies(
            scenario,
            time_zone,
            &format!("load{}-{round}-", Utc::now().timestamp()),
            target.seconds,
        )?;
        Some(bodies)
    } else {
        None
    };

    let started = Instant::now();
    let deadline = started + Duration::from_secs(target.seconds);
    let writer = writer.map(|bodies| {
        tokio::spawn(write_each_second(
            target.addr,
            target.key.to_owned(),
            bodies,
            deadline,
        ))
    });
    let mut tasks = Vec::new();
    for _ in 0..target.connections.max(1) {
        let (request, addr) = (request.clone(), target.addr);
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::new(addr);
            let mut samples = Vec::with_capacity(100_000);
            let (mut hits, mut misses) = (0u64, 0u64);
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = conn.send(&request).await?;
                samples.push(t.elapsed());
                match outcome(r.status, &r.body)? {
                    Some(true) => hits += 1,
                    Some(false) => misses += 1,
                    None => {}
                }
            }
            anyhow::Ok((samples, hits, misses))
        }));
    }
    let (mut all, mut hits, mut misses) = (Vec::new(), 0, 0);
    for task in tasks {
        let (samples, h, m) = task.await.context("a load task failed")??;
        all.extend(samples);
        hits += h;
        misses += m;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let written = match writer {
        Some(w) => w.await.context("the writer failed")??,
        None => 0,
    };
    Ok(LoadFigures {
        query,
        mode,
        rate: all.len() as f64 / elapsed,
        latency: Latency::of(&all),
        hits,
        misses,
        written,
    })
}

/// Prints the load tests' table.
pub fn print(figures: &[LoadFigures], connections: usize, seconds: u64) {
    println!();
    println!("load: {connections} connections, {seconds} s each");
    println!();
    println!(
        "| query | cache | requests/s | p50 ms | p99 ms | max ms | hits | misses | hit rate | events written |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for f in figures {
        let answered = f.hits + f.misses;
        let rate = if f.mode == CacheMode::Off || answered == 0 {
            "-".to_owned()
        } else {
            format!("{:.1}%", f.hits as f64 / answered as f64 * 100.0)
        };
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {rate} | {} |",
            f.query.name(),
            f.mode.label(),
            f.rate,
            f.latency.p50,
            f.latency.p99,
            f.latency.max,
            f.hits,
            f.misses,
            f.written
        );
    }
}
