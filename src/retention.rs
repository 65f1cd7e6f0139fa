//! Retention: an environment may keep its raw events for a set number of days (by
//! occurredAt). A background job deletes older ones in small batches, each in its own
//! short transaction under the environment's writer lock, so ingest is held up for one
//! batch at a time. Rollups are left as they are, so every report keeps its numbers;
//! drilldowns list only the events still kept.
//!
//! Job events (job.created, advanced, sent_back, finished) are kept past the retention:
//! revision rounds and durations are derived from a job's whole history, and a late event
//! re-derives them, which needs every earlier event of the job.
//!
//! Before deleting, the job records the cutoff on the environment (`events_deleted_before`,
//! only ever moving forward); ingest refuses an event from before it, which could no
//! longer be told from a repeat of a deleted one.
use crate::error::AppResult;
use crate::http::AppState;
use crate::ingest::Ingestor;
use crate::storage::retention as store;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Events deleted per transaction.
pub const BATCH: u64 = 1_000;

/// What a run of the job did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    /// Environments with a retention.
    pub environments: u64,
    /// Raw events deleted.
    pub deleted: u64,
}

/// Starts the job: a run at start, then one every `--retention-interval-secs`.
pub fn spawn(state: &AppState) {
    let interval = state.config.retention_interval_secs;
    if interval == 0 {
        return;
    }
    let (ingestor, clock) = (state.ingestor.clone(), state.clock.clone());
    tokio::spawn(async move {
        loop {
            match run(&ingestor, clock.now()).await {
                Ok(s) if s.deleted > 0 => tracing::info!(
                    environments = s.environments,
                    deleted = s.deleted,
                    "retention deleted old raw events"
                ),
                Ok(_) => {}
                Err(err) => tracing::error!(error = ?err, "the retention job failed"),
            }
            tokio::time::sleep(Duration::from_secs(interval)).await;
        }
    });
}

/// One run over every environment with a retention, as of `now`.
pub async fn run(ingestor: &Ingestor, now: DateTime<Utc>) -> AppResult<Summary> {
    let job = crate::telemetry::job_started("retention");
    let result = run_all(ingestor, now).await;
    job.finish(result.is_ok());
    result
}

async fn run_all(ingestor: &Ingestor, now: DateTime<Utc>) -> AppResult<Summary> {
    let mut summary = Summary::default();
    for (environment_id, days) in store::environments(ingestor.db()).await? {
        summary.environments += 1;
        let cutoff = now - chrono::Duration::days(i64::from(days));
        summary.deleted += purge(ingestor, environment_id, cutoff).await?;
    }
    Ok(summary)
}

/// Deletes the environment's raw events from before `cutoff`, job events excepted, a
/// batch per transaction; returns how many.
pub async fn purge(
    ingestor: &Ingestor,
    environment_id: i64,
    cutoff: DateTime<Utc>,
) -> AppResult<u64> {
    {
        let locked = ingestor.lock(environment_id).await?;
        store::mark_deleted_before(&locked.txn, environment_id, cutoff).await?;
        locked.txn.commit().await?;
    }
    let mut deleted = 0;
    loop {
        let n = {
            let locked = ingestor.lock(environment_id).await?;
            let n = store::delete_batch(&locked.txn, environment_id, cutoff, BATCH).await?;
            locked.txn.commit().await?;
            n
        };
        deleted += n;
        crate::telemetry::retention_deleted(n);
        if n < BATCH {
            return Ok(deleted);
        }
        // Let waiting writers in between batches.
        tokio::task::yield_now().await;
    }
}
