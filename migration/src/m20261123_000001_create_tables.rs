//! The foundation schema: tenants, keys, the catalog and the append-only events table.
//! Every table's primary key begins with `environment_id`, so each can be distributed
//! by it (Citus) unchanged.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn env_fk(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_environment"))
        .from(table, "environment_id")
        .to("environments", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("environments")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("name"))
                    .col(string("time_zone"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("api_keys")
                    .col(big_integer("environment_id"))
                    .col(string("id"))
                    .col(string_uniq("token_hash"))
                    .col(string("scopes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .primary_key(Index::create().col("environment_id").col("id"))
                    .foreign_key(&mut env_fk("api_keys"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(big_integer("environment_id"))
                    .col(string("id"))
                    .col(string_null("email"))
                    .col(string_null("name"))
                    .col(string_null("role"))
                    .col(json_null("groups"))
                    .col(string_null("via"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone_null("created_at"))
                    .col(timestamp_with_time_zone_null("last_login_at"))
                    .col(json("versions"))
                    .col(boolean("placeholder"))
                    .primary_key(Index::create().col("environment_id").col("id"))
                    .foreign_key(&mut env_fk("users"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("assets")
                    .col(big_integer("environment_id"))
                    .col(string("id"))
                    .col(text_null("filename"))
                    .col(string_null("asset_type"))
                    .col(text_null("folder"))
                    .col(json_null("tags"))
                    .col(json_null("metaproperties"))
                    .col(string_null("source"))
                    .col(string_null("uploaded_by"))
                    .col(timestamp_with_time_zone_null("uploaded_at"))
                    .col(string("status"))
                    .col(json("versions"))
                    .col(boolean("placeholder"))
                    .primary_key(Index::create().col("environment_id").col("id"))
                    .foreign_key(&mut env_fk("assets"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("collections")
                    .col(big_integer("environment_id"))
                    .col(string("id"))
                    .col(text_null("name"))
                    .col(boolean("is_public"))
                    .col(string_null("created_by"))
                    .col(timestamp_with_time_zone_null("created_at"))
                    .col(json("versions"))
                    .col(boolean("placeholder"))
                    .primary_key(Index::create().col("environment_id").col("id"))
                    .foreign_key(&mut env_fk("collections"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("collection_assets")
                    .col(big_integer("environment_id"))
                    .col(string("collection_id"))
                    .col(string("asset_id"))
                    .col(timestamp_with_time_zone_null("added_at"))
                    .primary_key(
                        Index::create()
                            .col("environment_id")
                            .col("collection_id")
                            .col("asset_id"),
                    )
                    .foreign_key(&mut env_fk("collection_assets"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("portals")
                    .col(big_integer("environment_id"))
                    .col(string("id"))
                    .col(text_null("name"))
                    .col(big_integer_null("asset_count"))
                    .col(boolean("is_live"))
                    .col(json("versions"))
                    .col(boolean("placeholder"))
                    .primary_key(Index::create().col("environment_id").col("id"))
                    .foreign_key(&mut env_fk("portals"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("jobs")
                    .col(big_integer("environment_id"))
                    .col(string("id"))
                    .col(text_null("name"))
                    .col(string_null("workflow"))
                    .col(string_null("created_by"))
                    .col(timestamp_with_time_zone_null("created_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .col(string_null("stage"))
                    .col(json("versions"))
                    .col(boolean("placeholder"))
                    .primary_key(Index::create().col("environment_id").col("id"))
                    .foreign_key(&mut env_fk("jobs"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("events")
                    .col(big_integer("environment_id"))
                    .col(string("id"))
                    .col(string("event_type"))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .col(date("local_day"))
                    .col(string_len("local_month", 7))
                    .col(string_null("user_id"))
                    .col(string_null("session_id"))
                    .col(string_null("asset_id"))
                    .col(string_null("collection_id"))
                    .col(string_null("job_id"))
                    .col(string_null("portal_id"))
                    .col(json("payload"))
                    .col(timestamp_with_time_zone("received_at"))
                    .primary_key(Index::create().col("environment_id").col("id"))
                    .foreign_key(&mut env_fk("events"))
                    .to_owned(),
            )
            .await?;

        for (name, cols) in [
            (
                "idx_events_occurred",
                &["environment_id", "occurred_at", "id"][..],
            ),
            (
                "idx_events_type_day",
                &["environment_id", "event_type", "local_day"][..],
            ),
            (
                "idx_events_user",
                &["environment_id", "user_id", "occurred_at"][..],
            ),
            (
                "idx_events_asset",
                &["environment_id", "asset_id", "occurred_at"][..],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table("events");
            for col in cols {
                index.col(*col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "events",
            "jobs",
            "portals",
            "collection_assets",
            "collections",
            "assets",
            "users",
            "api_keys",
            "environments",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
