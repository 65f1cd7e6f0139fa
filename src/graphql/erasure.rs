//! `eraseUser`: a data-protection erasure of one user of the caller's environment.
use super::IntoGql;
use super::context::{caller, db, now};
use crate::error::AppError;
use crate::ingest::Ingestor;
use crate::storage::keys::Scope;
use crate::storage::{audit, erasure};
use async_graphql::{Context, Object, Result, SimpleObject};
use serde_json::json;

#[derive(Default)]
pub struct ErasureMutation;

/// What an erasure did.
#[derive(SimpleObject)]
pub struct ErasedUser {
    /// The id the user now has everywhere: `erased-` and 32 hex digits, the same for
    /// every erasure of the same id in this environment.
    pub pseudonym: String,
    /// Events whose user id or payload was rewritten.
    pub events: u64,
    /// Rollup rows moved from the id to the pseudonym.
    pub rollup_rows: u64,
    /// Activity reports being made again without the user's data.
    pub activity_reports_remade: u64,
}

#[Object]
impl ErasureMutation {
    /// Erases a user (a data-protection request): their name, email and groups are
    /// removed, and their id is replaced by a pseudonym in the catalog, in every event
    /// (as actor, as the user concerned, as the admin who acted) and in every rollup, so
    /// every report keeps its numbers. Activity reports are made again. Written to the
    /// audit log with the key that asked. Events sent later under the old id are stored
    /// as sent (erase again: the pseudonym is the same). Needs the admin scope.
    async fn erase_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The DAM's id of the user.")] id: String,
    ) -> Result<ErasedUser> {
        let caller = caller(ctx, Scope::Admin).gql()?;
        let env = caller.environment.id;
        let ingestor = ctx
            .data::<Ingestor>()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("no ingestor")))
            .gql()?;
        let locked = ingestor.lock(env).await.gql()?;
        let erased = erasure::erase(&locked.txn, env, &id).await.gql()?;
        let reports = erasure::remake_reports(&locked.txn, env).await.gql()?;
        let details = json!({
            "pseudonym": erased.pseudonym,
            "events": erased.events,
            "rollupRows": erased.rollup_rows,
            "activityReportsRemade": reports.len(),
        });
        let actor = format!("key:{}", caller.key_id);
        audit::record(&locked.txn, env, now(ctx), &actor, "eraseUser", details)
            .await
            .gql()?;
        locked.txn.commit().await.map_err(AppError::from).gql()?;
        let remade = reports.len() as u64;
        let db = db(ctx).gql()?;
        for report in reports {
            crate::activity_reports::spawn(db.clone(), report);
        }
        Ok(ErasedUser {
            pseudonym: erased.pseudonym,
            events: erased.events,
            rollup_rows: erased.rollup_rows,
            activity_reports_remade: remade,
        })
    }
}
