//! Real server processes of the built binary, for tests that need several (replicas) or
//! their logs.
use dam_insights::bench::client::Connection;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};

pub struct Server {
    pub addr: SocketAddr,
    /// Its stderr so far, line by line.
    pub log: Arc<Mutex<Vec<String>>>,
    _child: tokio::process::Child,
}

/// Starts `dam-insights serve` on `url` with `env` and waits until it is ready.
pub async fn start(url: &str, env: &[(&str, &str)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut child = tokio::process::Command::new(crate::cli::BIN)
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("BIND", addr.to_string())
        .env("RUST_LOG", "warn")
        .env("RETENTION_INTERVAL_SECS", "0")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server");
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let sink = log.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            sink.lock().unwrap().push(line);
        }
    });
    let started = Instant::now();
    let mut conn = Connection::new(addr);
    loop {
        if let Ok(r) = conn.request("GET", "/readyz", &[], b"").await
            && r.status == 200
        {
            return Server {
                addr,
                log,
                _child: child,
            };
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start: {:?}",
            log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self._child.id().expect("the server runs")
    }

    /// POSTs a GraphQL request; returns the JSON answer.
    pub async fn graphql(&self, conn: &mut Connection, key: &str, body: Value) -> Value {
        let auth = format!("Bearer {key}");
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        let r = conn
            .request("POST", "/graphql", &headers, body.to_string().as_bytes())
            .await
            .unwrap();
        serde_json::from_slice(&r.body).unwrap()
    }
}

/// A migrated database with environment `acme` and a key of every scope.
pub async fn provisioned(url: &str) -> String {
    crate::cli::ok(&crate::cli::run(url, &["migrate"]));
    crate::cli::ok(&crate::cli::run(
        url,
        &[
            "environments",
            "create",
            "acme",
            "--timezone",
            "Europe/Amsterdam",
        ],
    ));
    let key = crate::cli::ok(&crate::cli::run(
        url,
        &[
            "keys",
            "create",
            "--environment",
            "acme",
            "--scopes",
            "reports:read,admin,events:write",
        ],
    ));
    key.trim().to_owned()
}

#[tokio::test]
async fn request_logs_carry_the_operation_and_environment_never_the_key() {
    let database = crate::helpers::fresh_database().await;
    let key = provisioned(&database.url).await;
    let server = start(
        &database.url,
        &[("LOG_FORMAT", "json"), ("RUST_LOG", "info")],
    )
    .await;
    let mut conn = Connection::new(server.addr);
    let answer = server
        .graphql(
            &mut conn,
            &key,
            json!({"query": "query SpanProbe { viewer { scopes } }"}),
        )
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let mut found = None;
    for _ in 0..100 {
        found = server.log.lock().unwrap().iter().find_map(|l| {
            let v: Value = serde_json::from_str(l).ok()?;
            (v["span"]["operation"] == "SpanProbe").then_some(v)
        });
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let line = found.expect("a log line in the request's span");
    assert_eq!(line["span"]["environment_id"], 1, "{line}");
    assert_eq!(line["span"]["route"], "/graphql");
    let log = server.log.lock().unwrap().join("\n");
    assert!(
        !log.contains(&key) && !log.contains(&key[5..20]),
        "the key is never logged"
    );
}
