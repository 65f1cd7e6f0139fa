//! The local months whose rollups a backfill still owes a rebuild: written in the same
//! transaction as the backfilled events, removed in the same transaction as the month's
//! rebuilt rollups, so a backfill interrupted between the two is finished later (by the
//! next backfill, or when the server starts).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("pending_rebuilds")
                    .col(big_integer("environment_id"))
                    .col(string("month"))
                    .primary_key(Index::create().col("environment_id").col("month"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("pending_rebuilds").to_owned())
            .await
    }
}
