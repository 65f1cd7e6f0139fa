//! Typed configuration, read once from flags and the environment and passed down.
use std::net::SocketAddr;

/// The file the embedded default database lives in, in the working directory.
pub const DEFAULT_SQLITE_FILE: &str = "dam-insights.db";

#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// Database to use: `sqlite://path?mode=rwc` or `postgres://user@host/db`. When unset,
    /// the embedded default SQLite file `dam-insights.db` in the working directory is used
    /// (and seeded with demo data when empty).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Address the server listens on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,

    /// Largest body accepted by POST /v1/events and /v1/catalog, in bytes.
    #[arg(long, env = "INGEST_BODY_LIMIT", default_value_t = 64 * 1024 * 1024, global = true)]
    pub ingest_body_limit: usize,

    /// Largest body accepted by /graphql, in bytes.
    #[arg(long, env = "GRAPHQL_BODY_LIMIT", default_value_t = 1024 * 1024, global = true)]
    pub graphql_body_limit: usize,

    /// How long, in milliseconds, entity stats gather the keys of a request before they
    /// query: a list's stats load in one query per stat when its items arrive within it.
    #[arg(long, env = "STATS_BATCH_MS", default_value_t = 10, global = true)]
    pub stats_batch_ms: u64,
}

impl Config {
    /// The URL to connect to, and whether it is the embedded default.
    pub fn database(&self) -> (String, bool) {
        match &self.database_url {
            Some(url) => (url.clone(), false),
            None => (format!("sqlite://{DEFAULT_SQLITE_FILE}?mode=rwc"), true),
        }
    }

    /// A configuration for tests and tools: the given database, defaults elsewhere.
    pub fn for_database(url: impl Into<String>) -> Self {
        Config {
            database_url: Some(url.into()),
            bind: "127.0.0.1:0".parse().expect("a literal socket address"),
            ingest_body_limit: 64 * 1024 * 1024,
            graphql_body_limit: 1024 * 1024,
            stats_batch_ms: 10,
        }
    }
}
