//! Each environment's data version (table `data_versions`): bumped inside every
//! transaction that changes what an answer about the environment could say, and read
//! with the caller's key (`keys::authenticate`), so the read cache can tell at no extra
//! cost whether an answer it holds is still current.
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
