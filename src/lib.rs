//! dam-insights: a GraphQL analytics API for Digital Asset Management activity.
pub mod analytics;
pub mod bench;
pub mod cli;
pub mod config;
pub mod error;
pub mod graphql;
pub mod http;
pub mod ingest;
pub mod seed;
pub mod storage;

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
    storage::migrate(&db).await?;
    let ingestor = ingest::Ingestor::new(db.clone());
    if storage::rollups::missing(&db).await? {
        // Events stored before rollups existed (an upgraded database): count them once.
        tracing::info!("events without rollups: rebuilding the rollups");
        for env in storage::environments::all(&db).await? {
            ingestor.rebuild_rollups(&env, |_| {}).await?;
        }
    }
    Ok(AppState {
        schema: graphql::build_schema(db.clone(), ingestor.clone()),
        db,
        ingestor,
        config: Arc::new(config),
    })
}
