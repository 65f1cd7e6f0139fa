//! Fewer B-tree writes and bytes per rollup row. The ranking index (a metric's rows of one
//! month by count) holds only the rows a ranking reads: the monthly rows of the ranked
//! metrics ([`RANKED_METRICS`]), where it held every row of every metric and period. On
//! SQLite the table keeps its rows in its primary key (`WITHOUT ROWID`), where a rowid
//! table kept each row twice (the table and the key's index). The per-user searches,
//! counted twice (`userSearches` and `searcher`, equal by construction), are kept once:
//! the `userSearches` rows go.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The metrics whose monthly rows a ranking (top lists of the monthly reports) reads by
/// count: the only rows the ranking index holds. A query reaches the index only when its
/// WHERE names the metric as a literal and says `length(period) = 7` (see
/// [`ranking_predicate`]), which the planners of both databases match against the index's.
pub const RANKED_METRICS: &[&str] = &[
    "activeUser",
    "searchQuery",
    "searchFilter",
    "searchExpression",
    "visualReference",
    "visualText",
    "zeroResultQuery",
    "downloadAsset",
    "publicCollectionView",
    "publicCollectionDownload",
    "collectionCreator",
];

/// The ranking index's predicate: a ranked metric, monthly rows.
pub fn ranking_predicate() -> String {
    let metrics = RANKED_METRICS
        .iter()
        .map(|m| format!("metric = '{m}'"))
        .collect::<Vec<_>>()
        .join(" OR ");
    format!("({metrics}) AND length(period) = 7")
}

const RANKING_COLUMNS: &str = "environment_id, metric, period, count, \"key\", sub";
const KEY_COLUMNS: &str = "environment_id, metric, \"key\", period, sub";
const DROP_USER_SEARCHES: &str =
    "metric = 'userSearches' OR (metric = '#rows' AND \"key\" = 'userSearches')";

/// The rollups table of SQLite, with its rows kept in the primary key or in a rowid table.
fn sqlite_table(name: &str, without_rowid: bool) -> String {
    format!(
        "CREATE TABLE {name} ( \
         environment_id bigint NOT NULL, metric varchar NOT NULL, period varchar NOT NULL, \
         \"key\" varchar NOT NULL, sub varchar NOT NULL, count bigint NOT NULL, \
         PRIMARY KEY (environment_id, metric, period, \"key\", sub), \
         CONSTRAINT fk_rollups_environment FOREIGN KEY (environment_id) \
         REFERENCES environments (id) ON DELETE CASCADE ){}",
        if without_rowid { " WITHOUT ROWID" } else { "" }
    )
}

/// Copies SQLite's rollups into a table made anew (`without_rowid` or not), leaving out
/// the rows `skip` names, with the key index.
async fn sqlite_copy(
    manager: &SchemaManager<'_>,
    without_rowid: bool,
    skip: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared(&sqlite_table("rollups_new", without_rowid))
        .await?;
    db.execute_unprepared(&format!(
        "INSERT INTO rollups_new (environment_id, metric, period, \"key\", sub, count) \
         SELECT environment_id, metric, period, \"key\", sub, count FROM rollups WHERE NOT ({skip})"
    ))
    .await?;
    db.execute_unprepared("DROP TABLE rollups").await?;
    db.execute_unprepared("ALTER TABLE rollups_new RENAME TO rollups")
        .await?;
    db.execute_unprepared(&format!(
        "CREATE INDEX idx_rollups_key ON rollups ({KEY_COLUMNS})"
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DbBackend::Sqlite {
            sqlite_copy(manager, true, DROP_USER_SEARCHES).await?;
        } else {
            db.execute_unprepared(&format!("DELETE FROM rollups WHERE {DROP_USER_SEARCHES}"))
                .await?;
            db.execute_unprepared("DROP INDEX idx_rollups_ranking")
                .await?;
        }
        db.execute_unprepared(&format!(
            "CREATE INDEX idx_rollups_ranking ON rollups ({RANKING_COLUMNS}) WHERE {}",
            ranking_predicate()
        ))
        .await?;
        Ok(())
    }

    /// The rollups are deleted: the server rebuilds them (with `userSearches`) at start.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DbBackend::Sqlite {
            sqlite_copy(manager, false, "true").await?;
        } else {
            db.execute_unprepared("DROP INDEX idx_rollups_ranking")
                .await?;
            db.execute_unprepared("DELETE FROM rollups").await?;
        }
        db.execute_unprepared(&format!(
            "CREATE INDEX idx_rollups_ranking ON rollups ({RANKING_COLUMNS})"
        ))
        .await?;
        Ok(())
    }
}
