//! `rollups rebuild`: recomputes an environment's rollups from its raw events one local
//! month at a time, without holding off ingest or reads for more than a moment.
//!
//! Each month is read and counted with no lock held (the database serves readers and
//! writers meanwhile). Then, in one short transaction holding the environment's writer
//! lock (as ingest's own), the month's rollup rows are replaced by the recount, corrected
//! for what changed since it was read: events ingested meanwhile are read and added (their
//! ingest had added them to the rows being replaced), and the rows derived from each job's
//! whole history are recomputed there. When events were deleted or rewritten meanwhile
//! (retention, a user's erasure), the month is read again inside the transaction. An
//! event ingested during the rebuild is thus counted once, whichever month it falls in.
use super::Ingestor;
use crate::analytics::conversions::CONVERSION_EVENT_TYPES;
use crate::analytics::jobs::{JOB_EVENT_TYPES, job_increments};
use crate::analytics::rollups::{Increments, increments};
use crate::analytics::time::{YearMonth, day_start};
use crate::error::AppResult;
use crate::storage::environments::{self, Environment};
use crate::storage::rollups::{self, Rebuilt};
use crate::storage::{asset_days, conversions};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{audit_log, event, rollup};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::{BTreeSet, HashSet};

/// Events read per step.
const PAGE: u64 = 5_000;

/// One local month's events and what they count.
struct Counted {
    ids: HashSet<String>,
    sums: Increments,
}

/// What, besides ingest, changes an environment's events: a rebuild compares it before
/// reading a month and once it holds the lock.
#[derive(PartialEq)]
struct Marks {
    deleted_before: Option<DateTime<Utc>>,
    erasures: u64,
}

async fn marks<C: ConnectionTrait>(db: &C, environment_id: i64) -> AppResult<Marks> {
    let deleted_before = environments::retention(db, environment_id)
        .await?
        .deleted_before;
    let erasures = audit_log::Entity::find()
        .filter(audit_log::Column::EnvironmentId.eq(environment_id))
        .filter(audit_log::Column::Action.eq("eraseUser"))
        .count(db)
        .await?;
    Ok(Marks {
        deleted_before,
        erasures,
    })
}

/// The periods a rebuild recomputes, given the environment's retention now.
fn periods(env: &Environment, deleted_before: Option<DateTime<Utc>>) -> Rebuilt {
    Rebuilt {
        from: deleted_before.map(|at| crate::analytics::time::complete_from(at, env.time_zone)),
    }
}

/// The instants local month `month` covers in `tz`.
fn bounds(month: &str, env: &Environment) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let ym = YearMonth::parse(month)?;
    let first = NaiveDate::from_ymd_opt(ym.year, ym.month, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((
        day_start(first, env.time_zone),
        day_start(next, env.time_zone),
    ))
}

/// The events of `month` (by the index on occurredAt; the stored local month decides).
fn month_events(env: &Environment, month: &str) -> sea_orm::Select<event::Entity> {
    let mut query = event::Entity::find()
        .filter(event::Column::EnvironmentId.eq(env.id))
        .filter(event::Column::LocalMonth.eq(month));
    if let Some((from, until)) = bounds(month, env) {
        query = query
            .filter(event::Column::OccurredAt.gte(from))
            .filter(event::Column::OccurredAt.lt(until));
    }
    query
}

/// True when `period` (a month or a day) lies in `month`.
fn in_month(period: &str, month: &str) -> bool {
    period == month || (period.len() == 10 && period.starts_with(month))
}

/// Adds what `events` count in `month` (the job-derived rows aside) to `sums`.
fn count(events: &[event::Model], month: &str, sums: &mut Increments) {
    for e in events {
        let day = e.local_day.to_string();
        increments(&rollups::facts(e, &day), sums);
    }
    sums.retain(|(_, period, _, _), _| in_month(period, month));
}

/// Reads and counts the events of `month`, page by page in (occurredAt, id) order.
async fn read_month<C: ConnectionTrait>(
    db: &C,
    env: &Environment,
    month: &str,
    mut progress: impl FnMut(u64),
) -> Result<Counted, DbErr> {
    let mut counted = Counted {
        ids: HashSet::new(),
        sums: Increments::new(),
    };
    let mut after: Option<(DateTime<Utc>, String)> = None;
    loop {
        let mut query = month_events(env, month)
            .order_by_asc(event::Column::OccurredAt)
            .order_by_asc(event::Column::Id)
            .limit(PAGE);
        if let Some((at, id)) = &after {
            query = query.filter(
                Condition::any().add(event::Column::OccurredAt.gt(*at)).add(
                    Condition::all()
                        .add(event::Column::OccurredAt.eq(*at))
                        .add(event::Column::Id.gt(id.as_str())),
                ),
            );
        }
        let events = query.all(db).await?;
        let Some(last) = events.last() else { break };
        after = Some((last.occurred_at, last.id.clone()));
        count(&events, month, &mut counted.sums);
        counted.ids.extend(events.into_iter().map(|e| e.id));
        progress(counted.ids.len() as u64);
    }
    Ok(counted)
}

/// The ids of the events of `month` now.
async fn month_ids<C: ConnectionTrait>(
    db: &C,
    env: &Environment,
    month: &str,
) -> Result<HashSet<String>, DbErr> {
    Ok(month_events(env, month)
        .select_only()
        .column(event::Column::Id)
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Adds the rows derived from the whole history of each job with an event in `month`
/// that lie in `month`.
async fn job_rows<C: ConnectionTrait>(
    db: &C,
    env: &Environment,
    month: &str,
    sums: &mut Increments,
) -> Result<(), DbErr> {
    let jobs: Vec<String> = month_events(env, month)
        .select_only()
        .column(event::Column::JobId)
        .distinct()
        .filter(event::Column::JobId.is_not_null())
        .filter(event::Column::EventType.is_in(JOB_EVENT_TYPES.iter().copied()))
        .into_tuple::<Option<String>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let mut derived = Increments::new();
    for chunk in jobs.chunks(super::INSERT_CHUNK) {
        for (_, mut events) in rollups::job_events(db, env.id, chunk).await? {
            job_increments(&mut events, 1, &mut derived);
        }
    }
    for (row, n) in derived {
        if in_month(&row.1, month) {
            *sums.entry(row).or_insert(0) += n;
        }
    }
    Ok(())
}

/// Adds the converted-search rows of the searches made in `month` (derived from each
/// searcher's events in the month and up to 30 minutes after it).
async fn conversion_rows<C: ConnectionTrait>(
    db: &C,
    env: &Environment,
    month: &str,
    sums: &mut Increments,
) -> Result<(), DbErr> {
    let Some(span) = bounds(month, env) else {
        return Ok(());
    };
    let users: Vec<String> = month_events(env, month)
        .select_only()
        .column(event::Column::UserId)
        .distinct()
        .filter(event::Column::UserId.is_not_null())
        .filter(event::Column::EventType.is_in(CONVERSION_EVENT_TYPES.iter().copied()))
        .into_tuple::<Option<String>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    for chunk in users.chunks(super::INSERT_CHUNK) {
        let derived = conversions::conversions_within(db, env.id, chunk, span).await?;
        for (row, n) in derived {
            if in_month(&row.1, month) {
                *sums.entry(row).or_insert(0) += n;
            }
        }
    }
    Ok(())
}

/// Every local month with events or rollups, from the first `periods` recomputes.
async fn months<C: ConnectionTrait>(
    db: &C,
    env: &Environment,
    periods: &Rebuilt,
) -> Result<BTreeSet<String>, DbErr> {
    let mut months: BTreeSet<String> = event::Entity::find()
        .select_only()
        .column(event::Column::LocalMonth)
        .distinct()
        .filter(event::Column::EnvironmentId.eq(env.id))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let periods_of_rollups: Vec<String> = rollup::Entity::find()
        .select_only()
        .column(rollup::Column::Period)
        .distinct()
        .filter(rollup::Column::EnvironmentId.eq(env.id))
        .into_tuple::<String>()
        .all(db)
        .await?;
    months.extend(
        periods_of_rollups
            .iter()
            .filter_map(|p| p.get(..7))
            .map(str::to_owned),
    );
    let first_day = periods.from.as_ref().map(|(_, day)| &day[..7]);
    Ok(months
        .into_iter()
        .filter(|m| first_day.is_none_or(|d| m.as_str() >= d))
        .collect())
}

/// The rollup rows of `month` that `periods` recomputes.
fn month_rows(month: &str, periods: &Rebuilt) -> Condition {
    let mut days = Condition::all().add(rollup::Column::Period.like(format!("{month}-__")));
    if let Some((_, day)) = &periods.from {
        days = days.add(rollup::Column::Period.gte(day.as_str()));
    }
    let mut rows = Condition::any().add(days);
    if periods.covers(month) {
        rows = rows.add(rollup::Column::Period.eq(month));
    }
    rows
}

impl Ingestor {
    /// Recomputes the environment's rollups from its raw events, a local month at a time
    /// (see the module's documentation). Returns the number of events read. Once
    /// retention deleted old events, only the periods whose events are all still there
    /// are recomputed (see [`Rebuilt`]): the older ones keep their rollups, which no
    /// longer have the raw events to be rebuilt from.
    pub async fn rebuild_rollups(
        &self,
        env: &Environment,
        mut progress: impl FnMut(u64),
    ) -> AppResult<u64> {
        let db = self.db();
        let start = marks(db, env.id).await?;
        let list = months(db, env, &periods(env, start.deleted_before)).await?;
        let mut done = 0u64;
        for month in list {
            let base = done;
            done += self
                .rebuild_month(env, &month, |n| progress(base + n))
                .await?;
            progress(done);
        }
        Ok(done)
    }

    /// Recomputes the rollups of one local month (see the module's documentation), and
    /// clears a backfill's pending mark on it in the same transaction. Returns the
    /// number of events the month holds.
    pub(super) async fn rebuild_month(
        &self,
        env: &Environment,
        month: &str,
        progress: impl FnMut(u64),
    ) -> AppResult<u64> {
        let db = self.db();
        let before = marks(db, env.id).await?;
        let read = read_month(db, env, month, progress).await?;
        let locked = self.lock(env.id).await?;
        let txn = &locked.txn;
        let now = marks(txn, env.id).await?;
        let periods = periods(env, now.deleted_before);
        let ids = month_ids(txn, env, month).await?;
        let stored = ids.len() as u64;
        let Counted { mut sums, .. } = if now == before && read.ids.is_subset(&ids) {
            let mut counted = read;
            let added: Vec<String> = ids.difference(&counted.ids).cloned().collect();
            for chunk in added.chunks(super::INSERT_CHUNK) {
                let events = event::Entity::find()
                    .filter(event::Column::EnvironmentId.eq(env.id))
                    .filter(event::Column::Id.is_in(chunk.iter().map(String::as_str)))
                    .all(txn)
                    .await?;
                count(&events, month, &mut counted.sums);
            }
            counted.ids = ids;
            counted
        } else {
            // Events were deleted or rewritten meanwhile: read the month again.
            read_month(txn, env, month, |_| {}).await?
        };
        job_rows(txn, env, month, &mut sums).await?;
        conversion_rows(txn, env, month, &mut sums).await?;
        sums.retain(|(_, period, _, _), _| periods.covers(period));
        // The assets whose first upload, first removal or last use the recount can move:
        // those with such a day in the month, and those the month's rows count.
        let mut moved: BTreeSet<String> = asset_days::with_day_in(txn, env.id, month)
            .await?
            .into_iter()
            .collect();
        moved.extend(
            sums.keys()
                .filter(|(metric, _, _, _)| asset_days::METRICS.contains(metric))
                .map(|(_, _, key, _)| key.clone()),
        );
        rollup::Entity::delete_many()
            .filter(rollup::Column::EnvironmentId.eq(env.id))
            .filter(month_rows(month, &periods))
            .exec(txn)
            .await?;
        rollups::write_fresh(txn, env.id, sums).await?;
        let moved: Vec<String> = moved.into_iter().collect();
        asset_days::refresh(txn, env.id, &moved).await?;
        crate::storage::pending::remove(txn, env.id, month).await?;
        locked.txn.commit().await?;
        Ok(stored)
    }
}
