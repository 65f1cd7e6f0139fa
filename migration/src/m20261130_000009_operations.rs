//! Operating it for real: each environment's retention (raw events kept N days, and the
//! instant before which events were deleted) and the secret its erasure pseudonyms are
//! made with; the audit log of operator actions and erasures; and `api_keys.token_hash`
//! no longer unique on its own (a unique index must begin with `environment_id` for the
//! table to be distributed by it on Citus): a plain index serves the key look-up.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns `api_keys` had, for rebuilding it on SQLite (which cannot drop a
/// constraint in place).
const API_KEYS_COLUMNS: &str =
    "environment_id, id, token_hash, scopes, created_at, last_used_at, revoked_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            integer_null("retention_days"),
            timestamp_with_time_zone_null("events_deleted_before"),
            string_null("pseudonym_secret"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("environments")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(big_integer("environment_id"))
                    .col(string("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string("actor"))
                    .col(string("action"))
                    .col(json("details"))
                    .primary_key(Index::create().col("environment_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_at")
                    .table("audit_log")
                    .col("environment_id")
                    .col("at")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        token_hash_not_unique(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("audit_log").to_owned())
            .await?;
        for column in [
            "retention_days",
            "events_deleted_before",
            "pseudonym_secret",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("environments")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// Replaces the unique constraint on `api_keys.token_hash` by a plain index.
async fn token_hash_not_unique(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            manager
                .create_table(
                    Table::create()
                        .table("api_keys_new")
                        .col(big_integer("environment_id"))
                        .col(string("id"))
                        .col(string("token_hash"))
                        .col(string("scopes"))
                        .col(timestamp_with_time_zone("created_at"))
                        .col(timestamp_with_time_zone_null("last_used_at"))
                        .col(timestamp_with_time_zone_null("revoked_at"))
                        .primary_key(Index::create().col("environment_id").col("id"))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_api_keys_environment")
                                .from("api_keys_new", "environment_id")
                                .to("environments", "id")
                                .on_delete(ForeignKeyAction::Cascade),
                        )
                        .to_owned(),
                )
                .await?;
            db.execute_unprepared(&format!(
                "INSERT INTO api_keys_new ({API_KEYS_COLUMNS}) SELECT {API_KEYS_COLUMNS} FROM api_keys"
            ))
            .await?;
            db.execute_unprepared("DROP TABLE api_keys").await?;
            db.execute_unprepared("ALTER TABLE api_keys_new RENAME TO api_keys")
                .await?;
        }
        _ => {
            db.execute_unprepared(
                "ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_token_hash_key",
            )
            .await?;
        }
    }
    manager
        .create_index(
            Index::create()
                .name("idx_api_keys_token_hash")
                .table("api_keys")
                .col("token_hash")
                .to_owned(),
        )
        .await
}
