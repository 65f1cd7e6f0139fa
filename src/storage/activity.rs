//! The activity log: every event as an audit trail, newest first (occurredAt, then id,
//! both descending), paged by keyset on the events' indexes (time; type and time; user,
//! asset or collection and time).
use super::events::{After, EventPage, count_of, older_than};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

/// What every listed event must be; unset fields do not narrow.
#[derive(Clone, Debug, Default)]
pub struct ActivityFilter {
    /// occurredAt at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// occurredAt before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Event types; empty for any.
    pub types: Vec<String>,
    pub user_id: Option<String>,
    pub asset_id: Option<String>,
    pub collection_id: Option<String>,
}

fn select(environment_id: i64, f: &ActivityFilter) -> Select<event::Entity> {
    let mut q = event::Entity::find().filter(event::Column::EnvironmentId.eq(environment_id));
    if let Some(from) = f.from {
        q = q.filter(event::Column::OccurredAt.gte(from));
    }
    if let Some(until) = f.until {
        q = q.filter(event::Column::OccurredAt.lt(until));
    }
    match f.types.as_slice() {
        [] => {}
        [one] => q = q.filter(event::Column::EventType.eq(one.as_str())),
        many => q = q.filter(event::Column::EventType.is_in(many.iter().cloned())),
    }
    if let Some(user) = &f.user_id {
        q = q.filter(event::Column::UserId.eq(user.as_str()));
    }
    if let Some(asset) = &f.asset_id {
        q = q.filter(event::Column::AssetId.eq(asset.as_str()));
    }
    if let Some(collection) = &f.collection_id {
        q = q.filter(event::Column::CollectionId.eq(collection.as_str()));
    }
    q
}

/// At most `first` events after (older than) `after`.
pub async fn page(
    db: &impl ConnectionTrait,
    environment_id: i64,
    filter: &ActivityFilter,
    after: Option<&After>,
    first: u64,
) -> AppResult<EventPage> {
    let mut query = select(environment_id, filter)
        .order_by_desc(event::Column::OccurredAt)
        .order_by_desc(event::Column::Id)
        .limit(first + 1);
    if let Some(after) = after {
        query = query.filter(older_than(after));
    }
    let mut events = query.all(db).await?;
    let has_next = events.len() as u64 > first;
    events.truncate(first as usize);
    Ok(EventPage { events, has_next })
}

/// The number of events the filter lists.
pub async fn count(
    db: &impl ConnectionTrait,
    environment_id: i64,
    filter: &ActivityFilter,
) -> AppResult<u64> {
    count_of(db, select(environment_id, filter)).await
}
