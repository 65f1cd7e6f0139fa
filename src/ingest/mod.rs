//! Ingest: validation, the idempotent write of events, and the catalog state they imply,
//! each batch in one transaction.
pub mod catalog;
mod entities;
pub mod event;
mod memberships;
mod patches;
pub mod stream;
mod versions;

use crate::analytics::jobs::JOB_EVENT_TYPES;
use crate::analytics::rollups::{Increments, increments};
use crate::analytics::time::{local_day, local_month};
use crate::error::AppResult;
use crate::storage::environments::Environment;
use crate::storage::rollups;
use chrono::Utc;
use entity::event as event_row;
use event::{Rejection, ValidEvent};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QuerySelect, Set, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};

pub use entities::INSERT_CHUNK;

/// Events validated and written per transaction.
pub const BATCH_SIZE: usize = 1000;
/// Rejections listed in one answer; the counts stay exact beyond it.
pub const MAX_LISTED_REJECTIONS: usize = 1000;

/// One item of an ingest body: its position and its JSON, or why it could not be read.
pub struct Item {
    pub line: u64,
    pub value: Result<Value, String>,
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

    /// On PostgreSQL, an advisory lock on the environment until `txn` ends.
    async fn lock_environment(
        &self,
        txn: &DatabaseTransaction,
        env: &Environment,
    ) -> AppResult<()> {
        let backend = self.db.get_database_backend();
        if backend == DbBackend::Postgres {
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_advisory_xact_lock($1)",
                [env.id.into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// Recomputes the environment's rollups from its raw events, holding off its writers
    /// meanwhile. Returns the number of events read.
    pub async fn rebuild_rollups(
        &self,
        env: &Environment,
        progress: impl FnMut(u64),
    ) -> AppResult<u64> {
        let _guard = self.lock_sqlite().await;
        let txn = self.begin_write().await?;
        self.lock_environment(&txn, env).await?;
        let read = rollups::rebuild(&txn, env.id, progress).await?;
        txn.commit().await?;
        Ok(read)
    }

    /// Validates `items` and stores the valid, new ones in one transaction, adding the
    /// outcome to `report`.
    pub async fn ingest(
        &self,
        env: &Environment,
        items: Vec<Item>,
        report: &mut IngestReport,
    ) -> AppResult<()> {
        let now = Utc::now();
        let mut valid: Vec<ValidEvent> = Vec::with_capacity(items.len());
        let mut seen = HashSet::with_capacity(items.len());
        for item in items {
            let value = match item.value {
                Ok(value) => value,
                Err(reason) => {
                    report.refused.add(Rejection {
                        line: item.line,
                        event_id: None,
                        field: None,
                        reason,
                    });
                    continue;
                }
            };
            match event::validate(item.line, value, now) {
                Err(rejection) => report.refused.add(rejection),
                Ok(ev) if !seen.insert(ev.id.clone()) => report.duplicates += 1,
                Ok(ev) => valid.push(ev),
            }
        }
        if valid.is_empty() {
            return Ok(());
        }
        let stored = self.write(env, valid).await?;
        report.accepted += stored.0;
        report.duplicates += stored.1;
        Ok(())
    }

    /// Returns (stored, already present).
    async fn write(&self, env: &Environment, mut events: Vec<ValidEvent>) -> AppResult<(u64, u64)> {
        let _guard = self.lock_sqlite().await;
        let txn = self.begin_write().await?;
        self.lock_environment(&txn, env).await?;
        let mut existing = HashSet::new();
        let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
        for chunk in ids.chunks(INSERT_CHUNK) {
            let found: Vec<String> = event_row::Entity::find()
                .select_only()
                .column(event_row::Column::Id)
                .filter(event_row::Column::EnvironmentId.eq(env.id))
                .filter(event_row::Column::Id.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(&txn)
                .await?;
            existing.extend(found);
        }
        let before = events.len();
        events.retain(|e| !existing.contains(&e.id));
        let duplicates = (before - events.len()) as u64;
        events.sort_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));

        let received_at = Utc::now();
        for chunk in events.chunks(INSERT_CHUNK) {
            let rows = chunk.iter().map(|e| {
                let local = e.occurred_at.with_timezone(&env.time_zone);
                event_row::ActiveModel {
                    environment_id: Set(env.id),
                    id: Set(e.id.clone()),
                    event_type: Set(e.event_type.to_owned()),
                    occurred_at: Set(e.occurred_at),
                    local_day: Set(local.date_naive()),
                    local_month: Set(local_month(e.occurred_at, env.time_zone)),
                    user_id: Set(e.user_id.clone()),
                    session_id: Set(e.session_id.clone()),
                    asset_id: Set(e.asset_id.clone()),
                    collection_id: Set(e.collection_id.clone()),
                    job_id: Set(e.job_id.clone()),
                    portal_id: Set(e.portal_id.clone()),
                    payload: Set(Value::Object(e.payload.clone())),
                    received_at: Set(received_at),
                }
            });
            event_row::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        let mut changes = entities::CatalogChanges::default();
        let mut sums = Increments::new();
        for e in &events {
            patches::add(e, &mut changes);
            let month = local_month(e.occurred_at, env.time_zone);
            let day = local_day(e.occurred_at, env.time_zone).to_string();
            increments(&e.facts(&month, &day), &mut sums);
        }
        let jobs: HashSet<&str> = events
            .iter()
            .filter(|e| JOB_EVENT_TYPES.contains(&e.event_type))
            .filter_map(|e| e.job_id.as_deref())
            .collect();
        let new_ids: HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
        rollups::job_deltas(&txn, env.id, jobs, &new_ids, &mut sums).await?;
        changes.write(&txn, env.id).await?;
        rollups::add(&txn, env.id, sums).await?;
        txn.commit().await?;
        Ok((events.len() as u64, duplicates))
    }
}
