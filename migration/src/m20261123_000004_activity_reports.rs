//! Activity reports: one row per report (its range, status and expiry) and its CSV in
//! chunks of rows, so a download streams a chunk at a time. Existing rollups are dropped
//! so that the server rebuilds them with the dashboard's daily rows (`dash*` metrics).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("activity_reports")
                    .col(big_integer("environment_id"))
                    .col(big_integer("id"))
                    .col(string("status"))
                    .col(date("range_from"))
                    .col(date("range_to"))
                    .col(big_integer_null("row_count"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(string_null("failure"))
                    .primary_key(Index::create().col("environment_id").col("id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activity_reports_environment")
                            .from("activity_reports", "environment_id")
                            .to("environments", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("activity_report_chunks")
                    .col(big_integer("environment_id"))
                    .col(big_integer("report_id"))
                    .col(integer("seq"))
                    .col(text("data"))
                    .primary_key(
                        Index::create()
                            .col("environment_id")
                            .col("report_id")
                            .col("seq"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activity_report_chunks_report")
                            .from_tbl("activity_report_chunks")
                            .from_col("environment_id")
                            .from_col("report_id")
                            .to_tbl("activity_reports")
                            .to_col("environment_id")
                            .to_col("id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Rollups made before the dashboard's daily rows: the server rebuilds them at start.
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM rollups")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("activity_report_chunks").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("activity_reports").to_owned())
            .await
    }
}
