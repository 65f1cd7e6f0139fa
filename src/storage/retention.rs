//! Retention's queries: which environments keep events for a set time, and deleting
//! their old raw events a small batch at a time.
use crate::analytics::jobs::JOB_EVENT_TYPES;
use chrono::{DateTime, Utc};
use entity::{environment, event};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// (id, retention in days) of every environment that keeps raw events for a set time.
pub async fn environments<C: ConnectionTrait>(db: &C) -> Result<Vec<(i64, i32)>, DbErr> {
    Ok(environment::Entity::find()
        .select_only()
        .column(environment::Column::Id)
        .column(environment::Column::RetentionDays)
        .filter(environment::Column::RetentionDays.is_not_null())
        .order_by_asc(environment::Column::Id)
        .into_tuple::<(i64, Option<i32>)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(id, days)| Some((id, days?)))
        .collect())
}

/// Records that events before `cutoff` are being deleted (it only ever moves forward):
/// from now on ingest refuses events from before it.
pub async fn mark_deleted_before<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    cutoff: DateTime<Utc>,
) -> Result<(), DbErr> {
    environment::Entity::update_many()
        .col_expr(
            environment::Column::EventsDeletedBefore,
            Expr::value(cutoff),
        )
        .filter(environment::Column::Id.eq(environment_id))
        .filter(
            Condition::any()
                .add(environment::Column::EventsDeletedBefore.is_null())
                .add(environment::Column::EventsDeletedBefore.lt(cutoff)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes up to `limit` of the environment's oldest raw events that occurred before
/// `cutoff`, job events excepted; returns how many it deleted.
pub async fn delete_batch<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<u64, DbErr> {
    let ids: Vec<String> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .filter(event::Column::EnvironmentId.eq(environment_id))
        .filter(event::Column::OccurredAt.lt(cutoff))
        .filter(event::Column::EventType.is_not_in(JOB_EVENT_TYPES.iter().copied()))
        .order_by_asc(event::Column::OccurredAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let deleted = event::Entity::delete_many()
        .filter(event::Column::EnvironmentId.eq(environment_id))
        .filter(event::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
