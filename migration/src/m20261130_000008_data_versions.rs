//! Each environment's data version: a counter bumped by every transaction that changes
//! the environment's data (ingest, catalog sync, rollup rebuilds, retention, erasure,
//! settings), read with the caller's key on every request. Cached answers are kept per
//! version, so none outlives a change, on one server or on several sharing the database.
//! A table of its own (not a column of `environments`) so that on Citus it distributes
//! by `environment_id` beside the data it versions, and the bump stays on one node.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("data_versions")
                    .col(big_integer("environment_id").primary_key())
                    .col(big_integer("version"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("data_versions").to_owned())
            .await
    }
}
