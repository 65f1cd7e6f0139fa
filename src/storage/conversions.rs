//! Keeping convertedSearches ([`m::CONVERTED_SEARCH`](crate::analytics::rollups::m)):
//! reading users' searches, views and downloads, applying a batch's difference at ingest,
//! and deriving the rows of a month's searches in a rebuild.
use crate::analytics::conversions::{
    CONVERSION_EVENT_TYPES, UserEvent, WINDOW, affected, conversion_increments,
};
use crate::analytics::rollups::Increments;
use crate::ingest::INSERT_CHUNK;
use chrono::{DateTime, TimeDelta, Utc};
use entity::event;
use sea_orm::prelude::DateTimeUtc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Instants from the first to the last, both included.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The whole of time, for a user's every search.
const ALL_TIME: Span = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);

/// The searches, views and downloads of each of `users`, with occurredAt within `span`
/// when given.
async fn user_events<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    users: &[String],
    span: Option<Span>,
) -> Result<HashMap<String, Vec<UserEvent>>, DbErr> {
    let mut query = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .column(event::Column::EventType)
        .column(event::Column::UserId)
        .column(event::Column::OccurredAt)
        .column(event::Column::LocalDay)
        .column(event::Column::LocalMonth)
        .filter(event::Column::EnvironmentId.eq(environment_id))
        .filter(event::Column::UserId.is_in(users.iter().cloned()))
        .filter(event::Column::EventType.is_in(CONVERSION_EVENT_TYPES.iter().copied()));
    if let Some((from, to)) = span {
        // A second wider on each side: the exact bounds are applied in memory.
        query = query
            .filter(event::Column::OccurredAt.gte(from - TimeDelta::seconds(1)))
            .filter(event::Column::OccurredAt.lte(to + TimeDelta::seconds(1)));
    }
    let rows: Vec<(
        String,
        String,
        Option<String>,
        DateTimeUtc,
        chrono::NaiveDate,
        String,
    )> = query.into_tuple().all(db).await?;
    let mut out: HashMap<String, Vec<UserEvent>> = HashMap::new();
    for (id, event_type, user, occurred_at, day, month) in rows {
        let Some(user) = user else { continue };
        out.entry(user).or_default().push(UserEvent {
            id,
            event_type,
            occurred_at,
            day: day.to_string(),
            month,
        });
    }
    Ok(out)
}

/// Adds to `sums` how a batch changes the converted searches it can touch. `touched`
/// holds (user, occurredAt) of the batch's searches, views and downloads with a user
/// (already stored); `new_ids` the batch's event ids. Per user, the searches from 30
/// minutes before their earliest such event to their latest are derived from all the
/// user's events, then from those before the batch, and the difference is added.
pub async fn conversion_deltas<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    touched: &[(&str, DateTime<Utc>)],
    new_ids: &HashSet<&str>,
    sums: &mut Increments,
) -> Result<(), DbErr> {
    let mut spans: BTreeMap<&str, Span> = BTreeMap::new();
    for (user, at) in touched {
        let (from, to) = affected(*at);
        let span = spans.entry(user).or_insert((from, to));
        span.0 = span.0.min(from);
        span.1 = span.1.max(to);
    }
    let users: Vec<(&str, Span)> = spans.into_iter().collect();
    for chunk in users.chunks(INSERT_CHUNK) {
        let ids: Vec<String> = chunk.iter().map(|(u, _)| (*u).to_owned()).collect();
        let from = chunk.iter().map(|(_, s)| s.0).min().unwrap_or(ALL_TIME.0);
        let to = chunk.iter().map(|(_, s)| s.1).max().unwrap_or(ALL_TIME.1);
        let mut events = user_events(db, environment_id, &ids, Some((from, to + WINDOW))).await?;
        for (user, span) in chunk {
            let Some(mut all) = events.remove(*user) else {
                continue;
            };
            conversion_increments(&mut all, *span, 1, sums);
            let mut before: Vec<UserEvent> = all
                .into_iter()
                .filter(|e| !new_ids.contains(e.id.as_str()))
                .collect();
            conversion_increments(&mut before, *span, -1, sums);
        }
    }
    Ok(())
}

/// The converted-search rows of the searches `users` made within `span`, from their
/// events in it and up to 30 minutes after.
pub async fn conversions_within<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    users: &[String],
    span: Span,
) -> Result<Increments, DbErr> {
    let mut sums = Increments::new();
    let read = (span.0, span.1 + WINDOW);
    for (_, mut events) in user_events(db, environment_id, users, Some(read)).await? {
        conversion_increments(&mut events, span, 1, &mut sums);
    }
    Ok(sums)
}
