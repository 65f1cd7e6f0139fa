//! Backfill: history loaded in large batches without per-event rollup maintenance.
//!
//! Each batch stores its events and catalog changes as live ingest does, and, in the same
//! transaction, marks the local months whose rollups those events change as pending
//! (table `pending_rebuilds`): the months of the events themselves, of the searches a
//! view, download or search can convert or unconvert (up to 30 minutes before it), and
//! of every event of the jobs it touched (their derived rows). Once loaded, the pending
//! months are rebuilt set-based, a month at a time, by `rollups rebuild`'s machinery,
//! each month's marker removed in the transaction that swaps its rollups in. A backfill
//! that dies between the two leaves its months marked: the next backfill, or the server
//! as it starts, rebuilds them. Live ingest goes on meanwhile: a month's rebuild counts
//! the events ingested while it was read.
use super::{Ingestor, ValidEvent};
use crate::analytics::conversions::{CONVERSION_EVENT_TYPES, affected};
use crate::analytics::time::local_month;
use crate::error::AppResult;
use crate::storage::environments::{self, Environment};
use crate::storage::{pending, rollups};
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::{BTreeSet, HashSet};

/// The local months whose rollups `events` (stored, with their local (month, day) in
/// `local`) change, given the `jobs` they touched.
pub(super) async fn owed_months<C: ConnectionTrait>(
    db: &C,
    env: &Environment,
    events: &[ValidEvent],
    local: &[(String, String)],
    jobs: HashSet<&str>,
) -> Result<BTreeSet<String>, DbErr> {
    let mut months: BTreeSet<String> = local.iter().map(|(month, _)| month.clone()).collect();
    for e in events {
        if e.user_id.is_some() && CONVERSION_EVENT_TYPES.contains(&e.event_type) {
            months.insert(local_month(affected(e.occurred_at).0, env.time_zone));
        }
    }
    let jobs: Vec<String> = jobs.into_iter().map(str::to_owned).collect();
    for chunk in jobs.chunks(super::INSERT_CHUNK) {
        for events in rollups::job_events(db, env.id, chunk).await?.into_values() {
            months.extend(events.into_iter().map(|e| e.month));
        }
    }
    Ok(months)
}

/// What [`Ingestor::rebuild_pending`] did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rebuilt {
    pub months: u64,
    pub events: u64,
}

impl Ingestor {
    /// Rebuilds the rollups of the environment's months a backfill marked pending (see
    /// the module's documentation); `progress` hears the events read so far.
    pub async fn rebuild_pending(
        &self,
        env: &Environment,
        mut progress: impl FnMut(u64),
    ) -> AppResult<Rebuilt> {
        let mut done = Rebuilt::default();
        for month in pending::months(self.db(), env.id).await? {
            let base = done.events;
            done.events += self
                .rebuild_month(env, &month, |n| progress(base + n))
                .await?;
            done.months += 1;
        }
        Ok(done)
    }

    /// Rebuilds the pending months of every environment: a backfill that stopped
    /// between storing its events and rebuilding their rollups is finished.
    pub async fn rebuild_all_pending(&self) -> AppResult<()> {
        for env in environments::all(self.db()).await? {
            let done = self.rebuild_pending(&env, |_| {}).await?;
            if done.months > 0 {
                tracing::info!(
                    environment = %env.name,
                    months = done.months,
                    events = done.events,
                    "rebuilt the rollups an interrupted backfill owed"
                );
            }
        }
        Ok(())
    }
}
