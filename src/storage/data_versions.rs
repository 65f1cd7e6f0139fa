//! Each environment's data version (table `data_versions`): bumped inside every
//! transaction that changes what an answer about the environment could say (and by a
//! key's revocation), and read with the caller's key (`keys::authenticate`) or, for keys
//! a server already knows, by one read shared by the requests of the moment
//! (`http::callers`), so the read cache can tell cheaply whether an answer it holds is
//! still current.
use crate::error::AppResult;
use sea_orm::{ConnectionTrait, Statement};

/// Moves the environment's data version on by one, in `txn`: readers see the new
/// version exactly when they see the change it comes with.
pub async fn bump<C: ConnectionTrait>(txn: &C, environment_id: i64) -> AppResult<()> {
    let backend = txn.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "INSERT INTO data_versions (environment_id, version) VALUES ($1, 1) \
             ON CONFLICT (environment_id) DO UPDATE SET version = data_versions.version + 1"
        }
        _ => {
            "INSERT INTO data_versions (environment_id, version) VALUES (?1, 1) \
             ON CONFLICT (environment_id) DO UPDATE SET version = data_versions.version + 1"
        }
    };
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [environment_id.into()],
    ))
    .await?;
    Ok(())
}

/// The data versions of `environment_ids` in one statement (an environment never
/// bumped is at 0 and has no row: it is left out of the map).
pub async fn read<C: ConnectionTrait>(
    db: &C,
    environment_ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, i64>> {
    let backend = db.get_database_backend();
    let placeholders: Vec<String> = (1..=environment_ids.len())
        .map(|i| super::placeholder(backend, i))
        .collect();
    let sql = format!(
        "SELECT environment_id, version FROM data_versions WHERE environment_id IN ({})",
        placeholders.join(", ")
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            environment_ids.iter().map(|id| (*id).into()),
        ))
        .await?;
    let mut versions = std::collections::HashMap::with_capacity(rows.len());
    for row in rows {
        versions.insert(
            row.try_get::<i64>("", "environment_id")?,
            row.try_get::<i64>("", "version")?,
        );
    }
    Ok(versions)
}
