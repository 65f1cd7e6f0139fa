//! Ingest: validation, the idempotent write of events, and the catalog state they imply,
//! each batch in one transaction.
pub mod backfill;
pub mod catalog;
mod entities;
pub mod event;
pub mod fields;
pub mod json;
mod memberships;
mod patches;
mod rebuild;
pub mod stream;
mod versions;

use crate::analytics::conversions::CONVERSION_EVENT_TYPES;
use crate::analytics::jobs::JOB_EVENT_TYPES;
use crate::analytics::rollups::{Increments, increments};
use crate::analytics::time::{local_day, local_month};
use crate::error::AppResult;
use crate::storage::bulk::{self, Column};
use crate::storage::conversions;
use crate::storage::environments::Environment;
use crate::storage::rollups;
use chrono::Utc;
use event::{Rejection, ValidEvent};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionTrait,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};

pub use entities::INSERT_CHUNK;

/// Events validated and written per transaction.
pub const BATCH_SIZE: usize = 5_000;
/// Events validated and written per transaction of a backfill.
pub const BACKFILL_BATCH_SIZE: usize = 25_000;

/// How a batch's events reach the rollups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Rollups maintained with each batch: counted on return.
    Live,
    /// Events stored with their catalog changes; the local months whose rollups they
    /// change are marked pending, in the same transaction, and rebuilt set-based by
    /// [`Ingestor::rebuild_pending`].
    Backfill,
}
/// Rejections listed in one answer; the counts stay exact beyond it.
pub const MAX_LISTED_REJECTIONS: usize = 1000;

/// One item of an ingest body: its position and its JSON, or why it could not be read.
pub struct Item {
    pub line: u64,
    pub value: Result<Value, Unreadable>,
}

/// Why an item could not be read as JSON.
#[derive(Debug)]
pub struct Unreadable {
    /// The item's id, when it could still be read.
    pub id: Option<String>,
    /// The key to blame (one repeated in an object), if any.
    pub field: Option<String>,
    pub reason: String,
}

impl From<String> for Unreadable {
    fn from(reason: String) -> Self {
        Unreadable {
            id: None,
            field: None,
            reason,
        }
    }
}

impl Unreadable {
    /// The refusal of the item at `line`.
    pub fn rejection(self, line: u64) -> Rejection {
        Rejection {
            line,
            event_id: self.id,
            field: self.field,
            reason: self.reason,
        }
    }
}

/// The items of one call that were refused: nothing of them was stored.
#[derive(Clone, Debug, Default, Serialize, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Refused {
    /// Items refused; nothing of them was stored.
    pub rejected: u64,
    /// Each refused item with its position, id, field and reason (at most 1,000 listed).
    pub rejections: Vec<Rejection>,
    /// True when more items were refused than `rejections` lists.
    pub rejections_truncated: bool,
}

impl Refused {
    pub fn add(&mut self, rejection: Rejection) {
        self.rejected += 1;
        if self.rejections.len() < MAX_LISTED_REJECTIONS {
            self.rejections.push(rejection);
        } else {
            self.rejections_truncated = true;
        }
    }
}

/// What an ingest call did.
#[derive(Clone, Debug, Default, Serialize, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct IngestReport {
    /// Events stored by this call.
    pub accepted: u64,
    /// Events whose id was already stored, or repeated earlier in the same call: they
    /// changed nothing.
    pub duplicates: u64,
    /// The events refused.
    #[serde(flatten)]
    #[graphql(flatten)]
    pub refused: Refused,
}

/// The columns of `events` after `environment_id`, in the order [`Ingestor::write`] sends.
const EVENT_COLUMNS: &[Column] = &[
    Column("id", "text"),
    Column("event_type", "text"),
    Column("occurred_at", "timestamptz"),
    Column("local_day", "date"),
    Column("local_month", "text"),
    Column("user_id", "text"),
    Column("session_id", "text"),
    Column("asset_id", "text"),
    Column("collection_id", "text"),
    Column("job_id", "text"),
    Column("portal_id", "text"),
    Column("payload", "json"),
    Column("received_at", "timestamptz"),
];

/// An instant as the database driver stores it (RFC 3339, fractional seconds only when
/// there are any): SQLite compares these texts, so every writer must agree on them.
fn stored_instant(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// A writing transaction that holds an environment's writer lock until it ends.
pub(crate) struct Locked<'a> {
    pub txn: DatabaseTransaction,
    _guard: Option<MutexGuard<'a, ()>>,
}

/// Writes events and catalog changes. Writers of one environment are serialised: by a
/// process-wide lock on SQLite (one writer at a time anyway), by a transaction-scoped
/// advisory lock on PostgreSQL (so several server replicas stay consistent).
#[derive(Clone)]
pub struct Ingestor {
    db: DatabaseConnection,
    sqlite_lock: Arc<Mutex<()>>,
}

impl Ingestor {
    pub fn new(db: DatabaseConnection) -> Self {
        Ingestor {
            db,
            sqlite_lock: Arc::new(Mutex::new(())),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// On SQLite, the process-wide writer lock.
    async fn lock_sqlite(&self) -> Option<MutexGuard<'_, ()>> {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => Some(self.sqlite_lock.lock().await),
            _ => None,
        }
    }

    /// A writing transaction. On SQLite it takes the write lock at once (BEGIN
    /// IMMEDIATE): a deferred one that read first fails with SQLITE_BUSY_SNAPSHOT when
    /// another connection (e.g. a key's `last_used_at`) committed in between.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, sea_orm::DbErr> {
        self.db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

    /// On PostgreSQL, an advisory lock on the environment until `txn` ends (its
    /// statements are planned for their own parameters, as every connection's are: see
    /// `storage::connect`); on both, the environment's data version moves on in `txn`
    /// (every writer of its data comes through here), so cached answers of the old data
    /// are never served once it commits.
    async fn lock_environment(
        &self,
        txn: &DatabaseTransaction,
        environment_id: i64,
    ) -> AppResult<()> {
        let backend = self.db.get_database_backend();
        if backend == DbBackend::Postgres {
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_advisory_xact_lock($1)",
                [environment_id.into()],
            ))
            .await?;
        }
        crate::storage::data_versions::bump(txn, environment_id).await
    }

    /// A writing transaction holding the environment's writer lock, as ingest's own:
    /// for other writers of an environment's data (retention, erasure, time zone checks).
    pub(crate) async fn lock(&self, environment_id: i64) -> AppResult<Locked<'_>> {
        let guard = self.lock_sqlite().await;
        let txn = self.begin_write().await?;
        self.lock_environment(&txn, environment_id).await?;
        Ok(Locked { txn, _guard: guard })
    }

    /// Validates `items` and stores the valid, new ones in one transaction, adding the
    /// outcome to `report`.
    pub async fn ingest(
        &self,
        env: &Environment,
        items: Vec<Item>,
        report: &mut IngestReport,
    ) -> AppResult<()> {
        self.ingest_with(env, items, report, Mode::Live).await
    }

    /// Like [`Ingestor::ingest`], with the rollups reached as `mode` says.
    pub async fn ingest_with(
        &self,
        env: &Environment,
        items: Vec<Item>,
        report: &mut IngestReport,
        mode: Mode,
    ) -> AppResult<()> {
        let before = (report.accepted, report.duplicates, report.refused.rejected);
        let result = self.ingest_items(env, items, report, mode).await;
        crate::telemetry::events(
            report.accepted - before.0,
            report.duplicates - before.1,
            report.refused.rejected - before.2,
        );
        result
    }

    async fn ingest_items(
        &self,
        env: &Environment,
        items: Vec<Item>,
        report: &mut IngestReport,
        mode: Mode,
    ) -> AppResult<()> {
        let now = Utc::now();
        let retention = crate::storage::environments::retention(&self.db, env.id).await?;
        let horizon = retention.horizon(now);
        let mut valid: Vec<ValidEvent> = Vec::with_capacity(items.len());
        let mut seen = HashSet::with_capacity(items.len());
        for item in items {
            let value = match item.value {
                Ok(value) => value,
                Err(unreadable) => {
                    report.refused.add(unreadable.rejection(item.line));
                    continue;
                }
            };
            match event::validate(item.line, value, now) {
                Err(rejection) => report.refused.add(rejection),
                Ok(ev) if before_horizon(&ev, horizon) => {
                    report.refused.add(too_old(item.line, ev, &retention));
                }
                Ok(ev) if !seen.insert(ev.id.clone()) => report.duplicates += 1,
                Ok(ev) => valid.push(ev),
            }
        }
        if valid.is_empty() {
            return Ok(());
        }
        let stored = self.write(env, valid, mode).await?;
        report.accepted += stored.0;
        report.duplicates += stored.1;
        Ok(())
    }

    /// Returns (stored, already present).
    async fn write(
        &self,
        env: &Environment,
        mut events: Vec<ValidEvent>,
        mode: Mode,
    ) -> AppResult<(u64, u64)> {
        let _guard = self.lock_sqlite().await;
        let txn = self.begin_write().await?;
        self.lock_environment(&txn, env.id).await?;
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        let existing: HashSet<String> = bulk::existing_ids(&txn, "events", env.id, &ids)
            .await?
            .into_iter()
            .collect();
        let before = events.len();
        events.retain(|e| !existing.contains(&e.id));
        let duplicates = (before - events.len()) as u64;
        events.sort_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));

        // Each event's local (month, day), stored with it and read by its rollups.
        let local: Vec<(String, String)> = events
            .iter()
            .map(|e| {
                (
                    local_month(e.occurred_at, env.time_zone),
                    local_day(e.occurred_at, env.time_zone).to_string(),
                )
            })
            .collect();
        let received_at = stored_instant(Utc::now());
        let rows = events
            .iter()
            .zip(&local)
            .map(|(e, (month, day))| {
                serde_json::json!([
                    e.id,
                    e.event_type,
                    stored_instant(e.occurred_at),
                    day,
                    month,
                    e.user_id,
                    e.session_id,
                    e.asset_id,
                    e.collection_id,
                    e.job_id,
                    e.portal_id,
                    Value::Object(e.payload.clone()).to_string(),
                    received_at,
                ])
            })
            .collect();
        bulk::insert(&txn, "events", EVENT_COLUMNS, "", env.id, rows).await?;
        let mut changes = entities::CatalogChanges::default();
        for (e, (_, day)) in events.iter().zip(&local) {
            patches::add(e, day, &mut changes);
        }
        let jobs: HashSet<&str> = events
            .iter()
            .filter(|e| JOB_EVENT_TYPES.contains(&e.event_type))
            .filter_map(|e| e.job_id.as_deref())
            .collect();
        match mode {
            Mode::Live => {
                let mut sums = Increments::new();
                for (e, (month, day)) in events.iter().zip(&local) {
                    increments(&e.facts(month, day), &mut sums);
                }
                let new_ids: HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
                rollups::job_deltas(&txn, env.id, jobs, &new_ids, &mut sums).await?;
                let touched: Vec<(&str, chrono::DateTime<Utc>)> = events
                    .iter()
                    .filter(|e| CONVERSION_EVENT_TYPES.contains(&e.event_type))
                    .filter_map(|e| Some((e.user_id.as_deref()?, e.occurred_at)))
                    .collect();
                conversions::conversion_deltas(&txn, env.id, &touched, &new_ids, &mut sums).await?;
                changes.write(&txn, env.id).await?;
                rollups::add(&txn, env.id, sums).await?;
            }
            Mode::Backfill => {
                let months = backfill::owed_months(&txn, env, &events, &local, jobs).await?;
                changes.write(&txn, env.id).await?;
                crate::storage::pending::add(&txn, env.id, months).await?;
            }
        }
        txn.commit().await?;
        Ok((events.len() as u64, duplicates))
    }
}

/// True when `ev` lies before the environment's retention horizon: its raw events from
/// then are deleted. Job events are kept past it (see `crate::retention`), so they stay.
fn before_horizon(ev: &ValidEvent, horizon: Option<chrono::DateTime<Utc>>) -> bool {
    horizon.is_some_and(|h| ev.occurred_at < h) && !JOB_EVENT_TYPES.contains(&ev.event_type)
}

/// The refusal of an event older than the environment keeps.
fn too_old(
    line: u64,
    ev: ValidEvent,
    retention: &crate::storage::environments::Retention,
) -> Rejection {
    let kept = retention
        .days
        .map_or_else(String::new, |d| format!(" (raw events are kept {d} days)"));
    Rejection {
        line,
        event_id: Some(ev.id),
        field: Some("occurredAt".into()),
        reason: format!(
            "occurredAt {} lies before what this environment keeps{kept}: events that old were deleted, so this one could not be told from a repeat of a deleted event and would be counted twice",
            ev.occurred_at.to_rfc3339()
        ),
    }
}
