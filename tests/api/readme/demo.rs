//! The demo server README's examples run against: started as README's first command
//! starts it. On SQLite, `dam-insights serve` in an empty folder (the embedded default:
//! it seeds the demo and keeps its key in `dam-insights.demo-key`); on PostgreSQL, the
//! same demo made by `dam-insights seed` in a fresh database, its key saved to the same
//! file, and `serve` on that database.
use crate::cli::{ok, run};
use crate::helpers::{FreshDatabase, fresh_database, postgres_url};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

pub const BIN: &str = env!("CARGO_BIN_EXE_dam-insights");

pub struct Demo {
    /// The folder README's commands run in (the embedded database and the key file).
    pub dir: tempfile::TempDir,
    /// `127.0.0.1:PORT` of the server.
    pub addr: String,
    pub key: String,
    /// DATABASE_URL for README's commands on PostgreSQL; None on the embedded default.
    pub database_url: Option<String>,
    /// How long seeding and starting took.
    pub started_in: std::time::Duration,
    server: Child,
    _database: Option<FreshDatabase>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.server.kill().ok();
        self.server.wait().ok();
    }
}

fn serve(dir: &Path, database_url: Option<&str>) -> (Child, String, Option<String>) {
    let mut command = Command::new(BIN);
    command
        .arg("serve")
        .current_dir(dir)
        .env("BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let mut child = command.spawn().expect("start dam-insights serve");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let (mut addr, mut key, mut seen) = (None, None, String::new());
    for line in lines.by_ref() {
        let line = line.expect("a line of the server's output");
        seen.push_str(&line);
        seen.push('\n');
        if let Some(rest) = line.strip_prefix("GraphiQL: http://") {
            addr = rest.strip_suffix("/graphql").map(str::to_owned);
            if database_url.is_some() {
                break;
            }
        }
        if line.starts_with("dami_") {
            key = Some(line);
            break;
        }
    }
    // Keep draining the server's output so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let addr = addr.unwrap_or_else(|| panic!("the server printed no address:\n{seen}"));
    (child, addr, key)
}

/// Seeds and starts the demo for this run's database.
pub fn start() -> Demo {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("a folder");
    match postgres_url() {
        None => {
            let (server, addr, key) = serve(dir.path(), None);
            let key = key.expect("the embedded demo prints its key");
            let kept = std::fs::read_to_string(dir.path().join("dam-insights.demo-key"))
                .expect("the demo key is kept beside the database");
            assert_eq!(kept.trim(), key);
            Demo {
                dir,
                addr,
                key,
                database_url: None,
                started_in: started.elapsed(),
                server,
                _database: None,
            }
        }
        Some(_) => {
            let database = tokio::runtime::Runtime::new()
                .expect("a runtime")
                .block_on(fresh_database());
            let url = database.url.clone();
            ok(&run(&url, &["seed"]));
            let key = ok(&run(
                &url,
                &[
                    "keys",
                    "create",
                    "--environment",
                    "demo",
                    "--scopes",
                    "reports:read,admin,events:write",
                ],
            ))
            .trim()
            .to_owned();
            std::fs::write(dir.path().join("dam-insights.demo-key"), format!("{key}\n"))
                .expect("save the key");
            let (server, addr, _) = serve(dir.path(), Some(&url));
            Demo {
                dir,
                addr,
                key,
                database_url: Some(url),
                started_in: started.elapsed(),
                server,
                _database: Some(database),
            }
        }
    }
}

/// The folder holding the dam-insights binary, to put first on README's PATH.
pub fn bin_dir() -> PathBuf {
    Path::new(BIN).parent().expect("a folder").to_path_buf()
}
