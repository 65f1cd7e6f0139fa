//! The server the bench measures: `dam-insights serve` started as a child process, and
//! the GraphQL request it is timed with.
use super::client::Connection;
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// A server child process.
pub struct Server {
    pub child: tokio::process::Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `dam-insights serve` on `url`, with the read cache on or off
    /// (`CACHE_MAX_BYTES=0`).
    pub async fn start(url: &str, cache: bool) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let exe = std::env::current_exe().context("cannot find the dam-insights binary")?;
        let child = tokio::process::Command::new(exe)
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("BIND", addr.to_string())
            .env("RUST_LOG", "warn")
            // The bench measures the server, not the per-key limits.
            .env("RATE_LIMIT_POINTS", "0")
            .env("INGEST_EVENTS_PER_SECOND", "0")
            .env("MAX_COMPLEXITY", "1000000")
            // A slow query is measured, not stopped: the figure is what is asked for.
            .env("REQUEST_TIMEOUT_MS", "600000")
            .envs((!cache).then_some(("CACHE_MAX_BYTES", "0")))
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start the server")?;
        let server = Server { child, addr };
        let started = Instant::now();
        let mut conn = Connection::new(addr);
        loop {
            if let Ok(r) = conn.request("GET", "/readyz", &[], b"").await
                && r.status == 200
            {
                return Ok(server);
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!("the server did not become ready within 120 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Peak resident memory so far (VmHWM), in MiB.
    pub fn peak_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }
}

/// Posts a GraphQL query; returns its `data`, or fails on a non-200 or any error.
pub async fn graphql(conn: &mut Connection, key: &str, query: &str) -> anyhow::Result<Value> {
    let auth = format!("Bearer {key}");
    let body = serde_json::to_vec(&json!({ "query": query }))?;
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
    ];
    let response = conn.request("POST", "/graphql", &headers, &body).await?;
    let mut answer: Value = serde_json::from_slice(&response.body)
        .with_context(|| format!("HTTP {}: not JSON", response.status))?;
    if response.status != 200 || answer.get("errors").is_some() {
        bail!("HTTP {}: {}", response.status, answer);
    }
    Ok(answer["data"].take())
}
