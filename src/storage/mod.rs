//! Storage: connecting, migrating, and the small queries shared by several layers.
pub mod activity;
pub mod activity_reports;
pub mod asset_days;
pub mod audit;
pub mod bulk;
pub mod catalog;
pub mod conversions;
pub mod dashboard;
pub mod data_versions;
pub mod environments;
pub mod erasure;
pub mod events;
pub mod keys;
pub mod pending;
pub mod retention;
pub mod rollups;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::time::Duration;

/// Connects to `url`; SQLite connections get WAL journaling, foreign keys and a busy
/// timeout, so readers never block the writer.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        opts.max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
            });
    } else {
        // Reads keep PostgreSQL's plan cache (plan_cache_mode = auto): a prepared
        // statement run again reuses its generic plan where that costs no more than
        // planning for the parameters, so a small request is not planned on every call.
        // Writers, which grow tables from empty, plan each statement for its own
        // parameters (`SET LOCAL plan_cache_mode = force_custom_plan` in their
        // transaction, `Ingestor::lock_environment`): a generic plan made while a table was
        // small (a sequential scan) would stay in use as it grows until the next ANALYZE.
        opts.max_connections(16).min_connections(1);
    }
    let db = Database::connect(opts)
        .await
        .with_context(|| format!("cannot connect to the database at {}", redact(url)))?;
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("cannot migrate the database")
}

/// The `n`th (from 1) bound parameter of a raw statement on `backend`: `$n` on
/// PostgreSQL, `?n` on SQLite.
pub fn placeholder(backend: sea_orm::DbBackend, n: usize) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
