//! What `unusedAssets` needs, kept on the asset row: the local day of its first upload
//! (`first_uploaded_day`), of its first archive or delete (`removed_day`) and of its last
//! use — a view, a download (bulk included) or a collection download of it
//! (`last_used_day`), each `YYYY-MM-DD` like a daily rollup's period, null when there is
//! none. Existing rows are filled from the daily rollups (`assetUploads`,
//! `assetArchives`, `assetDeletes`, `assetUse`), which the report read until now.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (column, aggregate, metrics) of each day column.
const DAYS: &[(&str, &str, &str)] = &[
    ("first_uploaded_day", "MIN", "'assetUploads'"),
    ("removed_day", "MIN", "'assetArchives', 'assetDeletes'"),
    ("last_used_day", "MAX", "'assetUse'"),
];

/// Sets `column` of every asset from the daily rollups of `metrics` (both databases
/// accept `UPDATE … FROM`; SQLite since 3.33).
fn fill(column: &str, aggregate: &str, metrics: &str) -> String {
    format!(
        "UPDATE assets SET {column} = r.day FROM ( \
         SELECT environment_id, \"key\", {aggregate}(period) AS day FROM rollups \
         WHERE metric IN ({metrics}) AND length(period) = 10 AND count > 0 \
         GROUP BY environment_id, \"key\") AS r \
         WHERE assets.environment_id = r.environment_id AND assets.id = r.\"key\""
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (column, _, _) in DAYS {
            manager
                .alter_table(
                    Table::alter()
                        .table("assets")
                        .add_column(string_null(*column))
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        for (column, aggregate, metrics) in DAYS {
            db.execute_unprepared(&fill(column, aggregate, metrics))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (column, _, _) in DAYS {
            manager
                .alter_table(
                    Table::alter()
                        .table("assets")
                        .drop_column(*column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
