//! Fewer B-trees per ingested event. The events' entity indexes (user, asset, job,
//! collection) hold only the events that have that entity, where every event without one
//! was an entry too; the (type, local day) index, which no query reads, goes. Rollups now
//! keep each metric's number of rows per period: existing ones are dropped, and the server
//! rebuilds them from the raw events when it next starts.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, entity column, the columns after it) of the events' entity indexes.
const ENTITY_INDEXES: &[(&str, &str, &str)] = &[
    ("idx_events_user", "user_id", "occurred_at"),
    ("idx_events_asset", "asset_id", "occurred_at"),
    ("idx_events_job", "job_id", "occurred_at, id"),
    ("idx_events_collection", "collection_id", "occurred_at, id"),
];

/// Makes the entity indexes anew: holding only the events that have the entity
/// (`partial`), or every event.
async fn entity_indexes(manager: &SchemaManager<'_>, partial: bool) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for (name, column, rest) in ENTITY_INDEXES {
        let filter = if partial {
            format!(" WHERE {column} IS NOT NULL")
        } else {
            String::new()
        };
        db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        db.execute_unprepared(&format!(
            "CREATE INDEX {name} ON events (environment_id, {column}, {rest}){filter}"
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend: the statements run on one connection, and a
    /// failure leaves the schema as it was.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_events_type_day")
            .await?;
        entity_indexes(manager, true).await?;
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM rollups")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_events_type_day ON events (environment_id, event_type, local_day)",
            )
            .await?;
        entity_indexes(manager, false).await
    }
}
