//! Rollups: counts per environment, metric, period (a local month `YYYY-MM` or day
//! `YYYY-MM-DD`) and key (a user, asset, query, collection…; `sub` for pairs such as a
//! query and a user). A distinct count is the number of rows of its metric and period.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("rollups")
                    .col(big_integer("environment_id"))
                    .col(string("metric"))
                    .col(string("period"))
                    .col(string("key"))
                    .col(string("sub"))
                    .col(big_integer("count"))
                    .primary_key(
                        Index::create()
                            .col("environment_id")
                            .col("metric")
                            .col("period")
                            .col("key")
                            .col("sub"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rollups_environment")
                            .from("rollups", "environment_id")
                            .to("environments", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Top lists read a metric's rows of one period by count descending, then key.
        manager
            .create_index(
                Index::create()
                    .name("idx_rollups_ranking")
                    .table("rollups")
                    .col("environment_id")
                    .col("metric")
                    .col("period")
                    .col("count")
                    .col("key")
                    .col("sub")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("rollups").to_owned())
            .await
    }
}
