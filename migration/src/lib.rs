//! Database migrations for dam-insights, one file per schema change.
pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_tables;
mod m20261123_000002_create_rollups;
mod m20261123_000003_insights_indexes;
mod m20261123_000004_activity_reports;
mod m20261123_000005_leaner_writes;
mod m20261130_000008_data_versions;
mod m20261130_000009_operations;
mod m20261130_000010_pending_rebuilds;
mod m20261130_000011_narrower_rollups;
mod m20261130_000012_asset_days;

pub use m20261130_000011_narrower_rollups::{RANKED_METRICS, ranking_predicate};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_tables::Migration),
            Box::new(m20261123_000002_create_rollups::Migration),
            Box::new(m20261123_000003_insights_indexes::Migration),
            Box::new(m20261123_000004_activity_reports::Migration),
            Box::new(m20261123_000005_leaner_writes::Migration),
            Box::new(m20261130_000008_data_versions::Migration),
            Box::new(m20261130_000009_operations::Migration),
            Box::new(m20261130_000010_pending_rebuilds::Migration),
            Box::new(m20261130_000011_narrower_rollups::Migration),
            Box::new(m20261130_000012_asset_days::Migration),
        ]
    }
}

/// The server's embedded default database: a SQLite file in the working directory. The
/// migration CLI uses it too when no DATABASE_URL is given.
pub const DEFAULT_SQLITE_FILE: &str = "dam-insights.db";

/// The URL of [`DEFAULT_SQLITE_FILE`], created when missing.
pub fn default_database_url() -> String {
    format!("sqlite://{DEFAULT_SQLITE_FILE}?mode=rwc")
}
