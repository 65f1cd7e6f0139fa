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
        // Every statement is planned for its own parameters (plan_cache_mode =
        // force_custom_plan). A generic plan, which PostgreSQL adopts after a prepared
        // statement's fifth run when its estimate is no worse, is estimated without the
        // values: at 10M events the top assets' `key IN (…)` count got one that reads every
        // row of the metric's month and filters the keys after (224 ms for 10 keys alone,
        // 1.8 s each under 32 concurrent reports; the whole report took 64 ms p50 on one
        // connection). Writers need it as much: they grow tables from empty, and a
        // generic plan made while a table was small would stay in use as it grows.
        opts.max_connections(16)
            .min_connections(1)
            .map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_custom_plan")]));
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
