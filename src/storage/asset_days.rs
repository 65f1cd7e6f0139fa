//! The days `unusedAssets` reads off the asset row — its first upload, first removal
//! (archive or delete) and last use, as local days — recomputed from the daily per-asset
//! rollups (`assetUploads`, `assetArchives`, `assetDeletes`, `assetUse`). Ingest keeps them
//! event by event (`ingest::entities`); a rollup rebuild, which replaces a month's rows,
//! recomputes them here for the assets whose days the month can move, in the rebuild's
//! own transaction, so the asset rows and the rollups never disagree.
use crate::analytics::rollups::m;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// Assets per UPDATE.
const CHUNK: usize = 500;

/// The per-asset rollup metrics the days come from.
pub const METRICS: &[&str] = &[
    m::ASSET_UPLOADS,
    m::ASSET_ARCHIVES,
    m::ASSET_DELETES,
    m::ASSET_USE,
];

/// A day column from the daily rows of `metrics` of the asset, by the rollups' key index
/// (environment, metric, key, period). SQLite is told so: for a MIN or MAX of the period
/// it would walk the primary key (environment, metric, period, …) through every asset's
/// rows instead.
fn day(backend: DbBackend, aggregate: &str, metrics: &str) -> String {
    let indexed = match backend {
        DbBackend::Sqlite => " INDEXED BY idx_rollups_key",
        _ => "",
    };
    format!(
        "(SELECT {aggregate}(r.period) FROM rollups r{indexed} WHERE r.environment_id = assets.environment_id \
         AND r.metric IN ({metrics}) AND r.\"key\" = assets.id AND length(r.period) = 10 \
         AND r.count > 0)"
    )
}

/// Recomputes the days of the environment's assets `ids` from the rollups.
pub async fn refresh<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    ids: &[String],
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let param = |n: usize| super::placeholder(backend, n);
    let set = format!(
        "first_uploaded_day = {}, removed_day = {}, last_used_day = {}",
        day(backend, "MIN", &format!("'{}'", m::ASSET_UPLOADS)),
        day(
            backend,
            "MIN",
            &format!("'{}', '{}'", m::ASSET_ARCHIVES, m::ASSET_DELETES)
        ),
        day(backend, "MAX", &format!("'{}'", m::ASSET_USE)),
    );
    for chunk in ids.chunks(CHUNK) {
        let list: Vec<String> = (0..chunk.len()).map(|i| param(i + 2)).collect();
        let sql = format!(
            "UPDATE assets SET {set} WHERE environment_id = {} AND id IN ({})",
            param(1),
            list.join(", ")
        );
        let mut values = vec![Value::from(environment_id)];
        values.extend(chunk.iter().map(|id| Value::from(id.clone())));
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

/// The environment's assets with a day in local month `month` (YYYY-MM).
pub async fn with_day_in<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    month: &str,
) -> Result<Vec<String>, DbErr> {
    use entity::asset;
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};
    let (first, last) = (format!("{month}-01"), format!("{month}-31"));
    let mut any = Condition::any();
    for column in [
        asset::Column::FirstUploadedDay,
        asset::Column::RemovedDay,
        asset::Column::LastUsedDay,
    ] {
        any = any.add(column.between(first.as_str(), last.as_str()));
    }
    asset::Entity::find()
        .filter(asset::Column::EnvironmentId.eq(environment_id))
        .filter(any)
        .select_only()
        .column(asset::Column::Id)
        .into_tuple()
        .all(db)
        .await
}
