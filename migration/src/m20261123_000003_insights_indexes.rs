//! Indexes for insights over any date range: rollups read by key (one entity's stats
//! across days), and the events of one job, one collection, or one type in time order
//! (drilldowns page them newest first); the collections holding an asset. Existing
//! rollups are dropped so that they are rebuilt with their daily rows.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &[&str])] = &[
    (
        "idx_rollups_key",
        "rollups",
        &["environment_id", "metric", "key", "period", "sub"],
    ),
    (
        "idx_collection_assets_asset",
        "collection_assets",
        &["environment_id", "asset_id"],
    ),
    (
        "idx_events_type_time",
        "events",
        &["environment_id", "event_type", "occurred_at", "id"],
    ),
    (
        "idx_events_job",
        "events",
        &["environment_id", "job_id", "occurred_at", "id"],
    ),
    (
        "idx_events_collection",
        "events",
        &["environment_id", "collection_id", "occurred_at", "id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in INDEXES {
            let mut index = Index::create();
            index.name(*name).table(*table);
            for col in *cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        // Rollups made before this change lack the daily rows: drop them, and the server
        // rebuilds every rollup from the raw events when it next starts.
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM rollups")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(*name).table(*table).to_owned())
                .await?;
        }
        Ok(())
    }
}
