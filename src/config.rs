//! Typed configuration, read once from flags and the environment and passed down.
use std::net::SocketAddr;

/// The file the embedded default database lives in, in the working directory.
pub use migration::DEFAULT_SQLITE_FILE;

/// The file beside the embedded default database that keeps the demo environment's API
/// key (owner-only), so that every start gives the same key.
pub const DEMO_KEY_FILE: &str = "dam-insights.demo-key";

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

    /// Most lexical tokens (names, punctuation, values) a query document may hold, counted
    /// before it is parsed.
    #[arg(long, env = "MAX_TOKENS", default_value_t = 10_000, global = true)]
    pub max_tokens: usize,

    /// Deepest selection nesting a query may have, fragments expanded (introspection
    /// alone may nest 20 deep).
    #[arg(long, env = "MAX_DEPTH", default_value_t = 12, global = true)]
    pub max_depth: usize,

    /// Highest cost a query may have, fragments expanded: a field costs 1 plus what it
    /// selects; a page (a field taking `first`) costs its connection's fields once and
    /// `first` times what one row selects.
    #[arg(long, env = "MAX_COMPLEXITY", default_value_t = 10_000, global = true)]
    pub max_complexity: usize,

    /// Most fields (aliases included, fragments expanded) a query may hold (introspection
    /// alone may hold 1000).
    #[arg(long, env = "MAX_FIELDS", default_value_t = 300, global = true)]
    pub max_fields: usize,

    /// Most directives a query document may hold.
    #[arg(long, env = "MAX_DIRECTIVES", default_value_t = 20, global = true)]
    pub max_directives: usize,

    /// Longest a GraphQL request may run, in milliseconds.
    #[arg(
        long,
        env = "REQUEST_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub request_timeout_ms: u64,

    /// Cost points each key may spend per minute (a token bucket); 0 turns it off.
    #[arg(
        long,
        env = "RATE_LIMIT_POINTS",
        default_value_t = 100_000,
        global = true
    )]
    pub rate_limit_points: u64,

    /// Events each key may ingest per second; 0 turns it off.
    #[arg(
        long,
        env = "INGEST_EVENTS_PER_SECOND",
        default_value_t = 100_000,
        global = true
    )]
    pub ingest_events_per_second: u64,

    /// Bytes of answers the read cache may hold (least recently used go first); 0
    /// turns it off.
    #[arg(
        long,
        env = "CACHE_MAX_BYTES",
        default_value_t = 64 * 1024 * 1024,
        global = true
    )]
    pub cache_max_bytes: usize,

    /// A manifest of documents registered in advance, in Apollo's persisted-query
    /// manifest format (`dam-insights persisted-queries manifest` writes one): clients
    /// may send them by hash alone.
    #[arg(long, env = "PERSISTED_QUERIES", global = true)]
    pub persisted_queries: Option<std::path::PathBuf>,

    /// Run only the documents of `--persisted-queries`, refusing any other with
    /// PERSISTED_QUERY_NOT_REGISTERED (and registering none sent by clients).
    #[arg(
        long,
        env = "PERSISTED_QUERIES_ONLY",
        default_value_t = false,
        global = true
    )]
    pub persisted_queries_only: bool,

    /// Active subscriptions one WebSocket connection may hold.
    #[arg(
        long,
        env = "MAX_SUBSCRIPTIONS_PER_CONNECTION",
        default_value_t = 20,
        global = true
    )]
    pub max_subscriptions_per_connection: usize,

    /// Active subscriptions one key may hold over all its connections (per server).
    #[arg(
        long,
        env = "MAX_SUBSCRIPTIONS_PER_KEY",
        default_value_t = 100,
        global = true
    )]
    pub max_subscriptions_per_key: usize,

    /// Seconds a WebSocket connection without subscriptions may stay silent before it
    /// is closed.
    #[arg(
        long,
        env = "SUBSCRIPTION_IDLE_SECS",
        default_value_t = 300,
        global = true
    )]
    pub subscription_idle_secs: u64,

    /// Milliseconds between reads of the data versions subscriptions wait on (a change
    /// is pushed within this much plus the time to read the new value).
    #[arg(
        long,
        env = "SUBSCRIPTION_POLL_MS",
        default_value_t = 250,
        global = true
    )]
    pub subscription_poll_ms: u64,

    /// Production mode: no introspection, no GraphiQL, no field suggestions.
    #[arg(long, env = "PRODUCTION", default_value_t = false, global = true)]
    pub production: bool,

    /// Origins allowed to call the API from a browser (CORS), comma-separated, e.g.
    /// `https://dash.example.com`; none by default.
    #[arg(long, env = "CORS_ALLOW_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_allow_origins: Vec<String>,

    /// Serve `/metrics` on this address instead of the main one (e.g. an address only the
    /// monitoring network reaches); unset, `/metrics` is on the main address.
    #[arg(long, env = "METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,

    /// SHA-256 (64 hex digits) of each operator credential allowed on `/admin/graphql`,
    /// comma-separated; `dam-insights operator-credential` makes one. Unset: no operator.
    #[arg(
        long,
        env = "OPERATOR_CREDENTIAL_SHA256",
        value_delimiter = ',',
        global = true
    )]
    pub operator_credential_sha256: Vec<String>,

    /// Seconds between runs of the retention job (deleting raw events older than each
    /// environment's retention); 0 turns it off.
    #[arg(
        long,
        env = "RETENTION_INTERVAL_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub retention_interval_secs: u64,

    /// When the dashboard's sign-in cookie is marked Secure: `auto` (when the request
    /// came over TLS, as the reverse proxy in front says with `X-Forwarded-Proto: https`),
    /// `always` or `never`.
    #[arg(long, env = "COOKIE_SECURE", value_enum, default_value_t = CookieSecure::Auto, global = true)]
    pub cookie_secure: CookieSecure,
}

/// When the dashboard's cookie carries the Secure attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CookieSecure {
    /// When the request came over TLS (`X-Forwarded-Proto: https` from the proxy).
    Auto,
    /// Always (the server sits behind TLS whatever the headers say).
    Always,
    /// Never (plain HTTP only, e.g. a local demo).
    Never,
}

impl Config {
    /// The URL to connect to, and whether it is the embedded default.
    pub fn database(&self) -> (String, bool) {
        match &self.database_url {
            Some(url) => (url.clone(), false),
            None => (migration::default_database_url(), true),
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
            max_tokens: 10_000,
            max_depth: 12,
            max_complexity: 10_000,
            max_fields: 300,
            max_directives: 20,
            request_timeout_ms: 10_000,
            rate_limit_points: 100_000,
            ingest_events_per_second: 100_000,
            cache_max_bytes: 64 * 1024 * 1024,
            persisted_queries: None,
            persisted_queries_only: false,
            max_subscriptions_per_connection: 20,
            max_subscriptions_per_key: 100,
            subscription_idle_secs: 300,
            subscription_poll_ms: 250,
            production: false,
            cors_allow_origins: Vec::new(),
            metrics_bind: None,
            operator_credential_sha256: Vec::new(),
            retention_interval_secs: 3600,
            cookie_secure: CookieSecure::Auto,
        }
    }
}
