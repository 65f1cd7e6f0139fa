//! dam-insights: a GraphQL analytics API for Digital Asset Management activity.
pub mod activity_reports;
pub mod analytics;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod csv;
pub mod error;
pub mod graphql;
pub mod http;
pub mod ingest;
pub mod live;
pub mod operator;
pub mod retention;
pub mod seed;
pub mod storage;
pub mod telemetry;
pub mod web;

pub use http::{AppState, app};

use config::Config;
use std::sync::Arc;

/// Connects to the configured database, applies pending migrations and builds the state
/// the router serves. Tests call this too.
pub async fn build(config: Config) -> anyhow::Result<AppState> {
    let (url, _) = config.database();
    let db = storage::connect(&url).await?;
    build_with(config, db).await
}

/// Like [`build`], on a connection already made (tests use it to watch the SQL).
pub async fn build_with(
    config: Config,
    db: sea_orm::DatabaseConnection,
) -> anyhow::Result<AppState> {
    build_with_clock(config, db, clock::system()).await
}

/// Like [`build_with`], reading "now" from `clock` (tests pass a fixed one).
pub async fn build_with_clock(
    config: Config,
    db: sea_orm::DatabaseConnection,
    clock: clock::SharedClock,
) -> anyhow::Result<AppState> {
    telemetry::install();
    storage::migrate(&db).await?;
    let ingestor = ingest::Ingestor::new(db.clone());
    if storage::rollups::missing(&db).await? {
        // Events stored before rollups existed (an upgraded database): count them once.
        tracing::info!("events without rollups: rebuilding the rollups");
        for env in storage::environments::all(&db).await? {
            ingestor.rebuild_rollups(&env, |_| {}).await?;
        }
    }
    // A backfill stopped between storing its events and rebuilding their rollups.
    ingestor.rebuild_all_pending().await?;
    activity_reports::resume(&db).await?;
    let limits = graphql::limits::Limits::from_config(&config);
    let operators = operator::Credentials::from_config(&config.operator_credential_sha256)?;
    let admin_schema = graphql::operator::build_schema(
        db.clone(),
        ingestor.clone(),
        clock.clone(),
        &limits,
        config.production,
    );
    let limiter = graphql::limits::RateLimiter::new(limits.rate_points, limits.rate_window);
    let ingest_limiter = graphql::limits::RateLimiter::new(
        limits.ingest_events_per_second,
        std::time::Duration::from_secs(1),
    );
    let config_cache_bytes = config.cache_max_bytes;
    let persisted = persisted_queries(&config)?;
    let live = live::Live::start(db.clone(), live_limits(&config));
    let callers = http::callers::Callers::new(db.clone());
    Ok(AppState {
        schema: graphql::build_schema(
            db.clone(),
            ingestor.clone(),
            clock.clone(),
            limits.clone(),
            limiter.clone(),
            graphql::limits::IngestRate(ingest_limiter.clone()),
            live.clone(),
            config.production,
        ),
        db,
        ingestor,
        limiter,
        ingest_limiter: graphql::limits::IngestRate(ingest_limiter),
        config: Arc::new(config),
        clock,
        demo_key: None,
        admin_schema,
        operators,
        cache: graphql::cache::ReadCache::new(config_cache_bytes),
        callers,
        limits: Arc::new(limits),
        persisted,
        live,
    })
}

/// The persisted queries the configuration registers, and whether only they run.
fn persisted_queries(config: &Config) -> anyhow::Result<http::persisted::PersistedQueries> {
    use anyhow::Context;
    let registered = match &config.persisted_queries {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("reading the persisted-query manifest {}", path.display())
            })?;
            http::persisted::PersistedQueries::read_manifest(&text)?
        }
        None if config.persisted_queries_only => anyhow::bail!(
            "--persisted-queries-only needs the manifest of the documents to run: --persisted-queries <file>"
        ),
        None => Default::default(),
    };
    Ok(http::persisted::PersistedQueries::new(
        registered,
        config.persisted_queries_only,
    ))
}

/// The subscription limits the configuration sets.
fn live_limits(config: &Config) -> live::LiveLimits {
    live::LiveLimits {
        per_connection: config.max_subscriptions_per_connection,
        per_key: config.max_subscriptions_per_key,
        idle: std::time::Duration::from_secs(config.subscription_idle_secs),
        poll: std::time::Duration::from_millis(config.subscription_poll_ms),
    }
}
