//! The months whose rollups a backfill still owes a rebuild (table `pending_rebuilds`):
//! added in the transaction that stores the backfilled events, removed in the one that
//! writes the month's rebuilt rollups.
use crate::storage::bulk::{self, Column};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

const COLUMNS: &[Column] = &[Column("month", "text")];

/// Marks `months` of the environment as owing a rebuild.
pub async fn add<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    months: impl IntoIterator<Item = String>,
) -> Result<(), DbErr> {
    let rows = months.into_iter().map(|m| serde_json::json!([m])).collect();
    bulk::insert(
        db,
        "pending_rebuilds",
        COLUMNS,
        "ON CONFLICT (environment_id, month) DO NOTHING",
        environment_id,
        rows,
    )
    .await?;
    Ok(())
}

/// The environment's months owing a rebuild, in order.
pub async fn months<C: ConnectionTrait>(db: &C, environment_id: i64) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT month FROM pending_rebuilds WHERE environment_id = $1 ORDER BY month"
        }
        _ => "SELECT month FROM pending_rebuilds WHERE environment_id = ?1 ORDER BY month",
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [environment_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String>("", "month"))
        .collect()
}

/// The month's rebuild is done (in the transaction that wrote it).
pub async fn remove<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    month: &str,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "DELETE FROM pending_rebuilds WHERE environment_id = $1 AND month = $2"
        }
        _ => "DELETE FROM pending_rebuilds WHERE environment_id = ?1 AND month = ?2",
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [environment_id.into(), month.into()],
    ))
    .await?;
    Ok(())
}
