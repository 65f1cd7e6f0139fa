//! Reading raw events for drilldowns and entity histories: keyset pages, newest first
//! (occurredAt, then id, both descending), each bounded by an index (type and time,
//! entity and time, or time).
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

/// The events of a list: what every listed event must be.
#[derive(Clone, Debug)]
pub struct EventFilter {
    /// Event types; empty for any.
    pub types: Vec<&'static str>,
    /// Only events with an actor.
    pub with_user: bool,
    /// Only events with a session id.
    pub with_session: bool,
    /// Only events naming this entity: the column and the DAM's id.
    pub entity: Option<(event::Column, String)>,
    /// A condition on the event's own fields, checked as rows are read.
    pub keep: Option<fn(&event::Model) -> bool>,
    /// occurredAt at or after `from` and before `until`.
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// A page of events, newest first.
pub struct EventPage {
    pub events: Vec<event::Model>,
    pub has_next: bool,
}

/// Where a page starts: right after (older than) this event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct After {
    pub occurred_at: DateTime<Utc>,
    pub id: String,
}

fn select(environment_id: i64, filter: &EventFilter) -> Select<event::Entity> {
    let mut query = event::Entity::find()
        .filter(event::Column::EnvironmentId.eq(environment_id))
        .filter(event::Column::OccurredAt.gte(filter.from))
        .filter(event::Column::OccurredAt.lt(filter.until));
    match filter.types.as_slice() {
        [] => {}
        [one] => query = query.filter(event::Column::EventType.eq(*one)),
        many => query = query.filter(event::Column::EventType.is_in(many.iter().copied())),
    }
    if filter.with_user {
        query = query.filter(event::Column::UserId.is_not_null());
    }
    if filter.with_session {
        query = query.filter(event::Column::SessionId.is_not_null());
    }
    if let Some((column, id)) = &filter.entity {
        query = query.filter(column.eq(id.as_str()));
    }
    query
}

pub fn older_than(after: &After) -> Condition {
    Condition::any()
        .add(event::Column::OccurredAt.lt(after.occurred_at))
        .add(
            Condition::all()
                .add(event::Column::OccurredAt.eq(after.occurred_at))
                .add(event::Column::Id.lt(after.id.as_str())),
        )
}

/// Rows read per step when a condition on the events' own fields thins them out.
const STEP: u64 = 500;

/// A page of at most `first` events after `after`.
pub async fn page(
    db: &DatabaseConnection,
    environment_id: i64,
    filter: &EventFilter,
    after: Option<After>,
    first: u64,
) -> AppResult<EventPage> {
    let base = select(environment_id, filter)
        .order_by_desc(event::Column::OccurredAt)
        .order_by_desc(event::Column::Id);
    let mut events = Vec::new();
    let mut cursor = after;
    let want = first as usize + 1;
    loop {
        let step = if filter.keep.is_some() {
            STEP.max(first + 1)
        } else {
            first + 1
        };
        let mut query = base.clone().limit(step);
        if let Some(after) = &cursor {
            query = query.filter(older_than(after));
        }
        let rows = query.all(db).await?;
        let exhausted = (rows.len() as u64) < step;
        cursor = rows.last().map(|e| After {
            occurred_at: e.occurred_at,
            id: e.id.clone(),
        });
        events.extend(
            rows.into_iter()
                .filter(|e| filter.keep.is_none_or(|keep| keep(e))),
        );
        if events.len() >= want || exhausted || cursor.is_none() {
            break;
        }
    }
    let has_next = events.len() >= want;
    events.truncate(first as usize);
    Ok(EventPage { events, has_next })
}

/// The number of events a filter without a `keep` condition lists.
pub async fn count(
    db: &DatabaseConnection,
    environment_id: i64,
    filter: &EventFilter,
) -> AppResult<u64> {
    count_of(db, select(environment_id, filter)).await
}

/// The number of events `query` selects.
pub async fn count_of(db: &impl ConnectionTrait, query: Select<event::Entity>) -> AppResult<u64> {
    let n: Option<i64> = query
        .select_only()
        .column_as(Expr::from(Func::count(Expr::col(event::Column::Id))), "n")
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0) as u64)
}
