//! The audit log: one row per operator action or user erasure, who did what and when.
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use serde_json::Value;

/// Writes one entry; its id sorts by time (`YYYYMMDDTHHMMSS.ffffffZ-` and random).
pub async fn record<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    details: Value,
) -> AppResult<()> {
    let id = format!(
        "{}-{}",
        at.format("%Y%m%dT%H%M%S%.6fZ"),
        crate::storage::keys::random_b64(6)
    );
    audit_log::ActiveModel {
        environment_id: Set(environment_id),
        id: Set(id),
        at: Set(at),
        actor: Set(actor.to_owned()),
        action: Set(action.to_owned()),
        details: Set(details),
    }
    .insert(db)
    .await?;
    // The activity log now says more: answers cached before are stale.
    crate::storage::data_versions::bump(db, environment_id).await
}

/// A page of entries, newest first: of one environment or of all, before the id
/// `before` (the previous page's last).
pub async fn page(
    db: &DatabaseConnection,
    environment_id: Option<i64>,
    before: Option<String>,
    first: u64,
) -> AppResult<crate::storage::catalog::Page<audit_log::Model>> {
    let scoped = || -> Select<audit_log::Entity> {
        let select = audit_log::Entity::find();
        match environment_id {
            Some(id) => select.filter(audit_log::Column::EnvironmentId.eq(id)),
            None => select,
        }
    };
    let total = scoped().count(db).await?;
    let mut select = scoped()
        .order_by_desc(audit_log::Column::Id)
        .order_by_desc(audit_log::Column::EnvironmentId);
    if let Some(before) = before {
        select = select.filter(audit_log::Column::Id.lt(before));
    }
    let mut items = select.limit(first + 1).all(db).await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(crate::storage::catalog::Page {
        items,
        has_next,
        total,
    })
}
