//! Writing rollups: adding a batch's increments, and rebuilding from the raw events.
use crate::analytics::jobs::{JOB_EVENT_TYPES, JobEvent, job_increments};
use crate::analytics::rollups::{EventFacts, Increments, RowKey, increments, m};
use crate::ingest::INSERT_CHUNK;
use crate::storage::bulk::{self, Column};
use crate::storage::conversions;
use entity::{event, rollup};
use sea_orm::prelude::DateTimeUtc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::{HashMap, HashSet};

/// Adds `increments` to the rollups of one environment, and keeps each metric's number
/// of rows per period ([`m::ROWS`]) up to date: a row whose count leaves 0 adds one, a
/// row whose count falls to 0 takes one away.
pub async fn add<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    increments: Increments,
) -> Result<(), DbErr> {
    let rows = ordered(increments);
    let deltas: HashMap<(&str, &str, &str, &str), i64> = rows
        .iter()
        .map(|((metric, period, key, sub), count)| {
            (
                (*metric, period.as_str(), key.as_str(), sub.as_str()),
                *count,
            )
        })
        .collect();
    let returned = upsert(
        db,
        environment_id,
        &rows,
        " RETURNING metric, period, \"key\", sub, count",
    )
    .await?;
    let mut counters = Increments::new();
    for row in returned {
        let metric: String = row.try_get("", "metric")?;
        let period: String = row.try_get("", "period")?;
        let key: String = row.try_get("", "key")?;
        let sub: String = row.try_get("", "sub")?;
        let after: i64 = row.try_get("", "count")?;
        let delta = deltas
            .get(&(metric.as_str(), period.as_str(), key.as_str(), sub.as_str()))
            .copied()
            .unwrap_or(0);
        let change = i64::from(after > 0) - i64::from(after - delta > 0);
        if change != 0 {
            *counters
                .entry((m::ROWS, period, metric, String::new()))
                .or_insert(0) += change;
        }
    }
    upsert(db, environment_id, &ordered(counters), "").await?;
    Ok(())
}

/// The increments that change something, in a fixed order: it keeps concurrent writers
/// from deadlocking on PostgreSQL.
fn ordered(increments: Increments) -> Vec<(RowKey, i64)> {
    let mut rows = increments
        .into_iter()
        .filter(|(_, count)| *count != 0)
        .collect::<Vec<_>>();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// Adds each row's count to the stored one (inserting the rows not stored yet).
async fn upsert<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    rows: &[(RowKey, i64)],
    returning: &str,
) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
    let rows = rows
        .iter()
        .map(|((metric, period, key, sub), count)| {
            serde_json::json!([metric, period, key, sub, count])
        })
        .collect();
    bulk::insert(
        db,
        "rollups",
        ROLLUP_COLUMNS,
        &format!(
            "ON CONFLICT (environment_id, metric, period, \"key\", sub) \
             DO UPDATE SET count = rollups.count + excluded.count{returning}"
        ),
        environment_id,
        rows,
    )
    .await
}

const ROLLUP_COLUMNS: &[Column] = &[
    Column("metric", "text"),
    Column("period", "text"),
    Column("key", "text"),
    Column("sub", "text"),
    Column("count", "bigint"),
];

/// Events read per step of a rebuild.
const REBUILD_PAGE: u64 = 5_000;

/// The periods a rebuild recomputes: every one, or (in an environment whose old raw
/// events were deleted) only the local months and days from the first whose events are
/// all still there; older periods keep their rollups as they are.
#[derive(Clone, Debug, Default)]
pub struct Rebuilt {
    /// The first local month (`YYYY-MM`) and day (`YYYY-MM-DD`) recomputed.
    pub from: Option<(String, String)>,
}

impl Rebuilt {
    fn covers(&self, period: &str) -> bool {
        match &self.from {
            None => true,
            Some((month, _)) if period.len() == 7 => period >= month.as_str(),
            Some((_, day)) => period >= day.as_str(),
        }
    }

    /// The rollup rows it recomputes.
    fn rows(&self) -> Condition {
        match &self.from {
            None => Condition::all(),
            Some((month, day)) => Condition::any()
                .add(
                    Condition::all()
                        .add(rollup::Column::Period.like("____-__"))
                        .add(rollup::Column::Period.gte(month.as_str())),
                )
                .add(
                    Condition::all()
                        .add(rollup::Column::Period.like("____-__-__"))
                        .add(rollup::Column::Period.gte(day.as_str())),
                ),
        }
    }
}

/// Adds those of `sums` that `periods` recomputes.
async fn add_rebuilt(
    txn: &DatabaseTransaction,
    environment_id: i64,
    periods: &Rebuilt,
    mut sums: Increments,
) -> Result<(), DbErr> {
    sums.retain(|(_, period, _, _), _| periods.covers(period));
    add(txn, environment_id, sums).await
}

/// Recomputes the rollups of one environment from its raw events within `txn`, for the
/// `periods` given; `progress` is called with the number of events read so far. Returns
/// that number.
pub async fn rebuild(
    txn: &DatabaseTransaction,
    environment_id: i64,
    periods: &Rebuilt,
    mut progress: impl FnMut(u64),
) -> Result<u64, DbErr> {
    rollup::Entity::delete_many()
        .filter(rollup::Column::EnvironmentId.eq(environment_id))
        .filter(periods.rows())
        .exec(txn)
        .await?;
    let mut after: Option<String> = None;
    let mut read = 0u64;
    loop {
        let mut query = event::Entity::find()
            .filter(event::Column::EnvironmentId.eq(environment_id))
            .order_by_asc(event::Column::Id)
            .limit(REBUILD_PAGE);
        if let Some((_, day)) = &periods.from {
            let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            query = query.filter(event::Column::LocalDay.gte(day));
        }
        if let Some(after) = &after {
            query = query.filter(event::Column::Id.gt(after.as_str()));
        }
        let events = query.all(txn).await?;
        let Some(last) = events.last() else { break };
        after = Some(last.id.clone());
        let mut sums = Increments::new();
        for e in &events {
            let day = e.local_day.to_string();
            increments(&facts(e, &day), &mut sums);
        }
        add_rebuilt(txn, environment_id, periods, sums).await?;
        read += events.len() as u64;
        progress(read);
    }
    // Jobs: their derived rows come from each job's whole history.
    let jobs: Vec<String> = event::Entity::find()
        .select_only()
        .column(event::Column::JobId)
        .distinct()
        .filter(event::Column::EnvironmentId.eq(environment_id))
        .filter(event::Column::JobId.is_not_null())
        .filter(event::Column::EventType.is_in(JOB_EVENT_TYPES.iter().copied()))
        .into_tuple::<Option<String>>()
        .all(txn)
        .await?
        .into_iter()
        .flatten()
        .collect();
    for chunk in jobs.chunks(INSERT_CHUNK) {
        let mut sums = Increments::new();
        for (_, mut events) in job_events(txn, environment_id, chunk).await? {
            job_increments(&mut events, 1, &mut sums);
        }
        add_rebuilt(txn, environment_id, periods, sums).await?;
    }
    // Converted searches: derived from each user's searches, views and downloads.
    let users = conversions::users(txn, environment_id).await?;
    for chunk in users.chunks(INSERT_CHUNK) {
        let sums = conversions::all_conversions(txn, environment_id, chunk).await?;
        add_rebuilt(txn, environment_id, periods, sums).await?;
    }
    Ok(read)
}

/// The derivation-relevant events of each of `jobs`.
async fn job_events<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    jobs: &[String],
) -> Result<HashMap<String, Vec<JobEvent>>, DbErr> {
    let rows: Vec<(
        String,
        String,
        Option<String>,
        DateTimeUtc,
        chrono::NaiveDate,
        String,
    )> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .column(event::Column::EventType)
        .column(event::Column::JobId)
        .column(event::Column::OccurredAt)
        .column(event::Column::LocalDay)
        .column(event::Column::LocalMonth)
        .filter(event::Column::EnvironmentId.eq(environment_id))
        .filter(event::Column::JobId.is_in(jobs.iter().cloned()))
        .filter(event::Column::EventType.is_in(JOB_EVENT_TYPES.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<String, Vec<JobEvent>> = HashMap::new();
    for (id, event_type, job, occurred_at, day, month) in rows {
        let Some(job) = job else { continue };
        out.entry(job).or_default().push(JobEvent {
            id,
            event_type,
            occurred_at,
            day: day.to_string(),
            month,
        });
    }
    Ok(out)
}

/// Adds to `sums` how a batch changes the derived rows of the `jobs` it touched: each
/// job's rows from all its events (the batch's are stored already) minus its rows from
/// the events it had before (all but those in `new_ids`).
pub async fn job_deltas<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    jobs: HashSet<&str>,
    new_ids: &HashSet<&str>,
    sums: &mut Increments,
) -> Result<(), DbErr> {
    let jobs: Vec<String> = jobs.into_iter().map(str::to_owned).collect();
    for chunk in jobs.chunks(INSERT_CHUNK) {
        for (_, mut events) in job_events(db, environment_id, chunk).await? {
            job_increments(&mut events, 1, sums);
            let mut before: Vec<JobEvent> = events
                .into_iter()
                .filter(|e| !new_ids.contains(e.id.as_str()))
                .collect();
            job_increments(&mut before, -1, sums);
        }
    }
    Ok(())
}

/// The rollup facts of a stored event; `day` is its local day as text.
pub fn facts<'a>(e: &'a event::Model, day: &'a str) -> EventFacts<'a> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, serde_json::Value>> =
        std::sync::OnceLock::new();
    EventFacts {
        event_type: &e.event_type,
        user_id: e.user_id.as_deref(),
        session_id: e.session_id.as_deref(),
        asset_id: e.asset_id.as_deref(),
        collection_id: e.collection_id.as_deref(),
        month: &e.local_month,
        day,
        payload: e
            .payload
            .as_object()
            .unwrap_or_else(|| EMPTY.get_or_init(Default::default)),
    }
}

/// Every rollup row of an environment, sorted: to compare maintained and rebuilt ones.
pub async fn snapshot<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
) -> Result<Vec<rollup::Model>, DbErr> {
    rollup::Entity::find()
        .filter(rollup::Column::EnvironmentId.eq(environment_id))
        .filter(rollup::Column::Count.ne(0))
        .order_by_asc(rollup::Column::Metric)
        .order_by_asc(rollup::Column::Period)
        .order_by_asc(rollup::Column::Key)
        .order_by_asc(rollup::Column::Sub)
        .all(db)
        .await
}

/// True when events are stored but no rollup is: a database from before rollups.
pub async fn missing(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let any_event = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .limit(1)
        .into_tuple::<String>()
        .one(db)
        .await?;
    let any_rollup = rollup::Entity::find()
        .select_only()
        .column(rollup::Column::Metric)
        .limit(1)
        .into_tuple::<String>()
        .one(db)
        .await?;
    Ok(any_event.is_some() && any_rollup.is_none())
}
