//! The operator's schema, served at `/admin/graphql` apart from the tenants' one:
//! environments and their keys, created, listed, updated and revoked, each action written
//! to the audit log in the same transaction. It has no report and no ingest field, so the
//! operator credential reads no report and ingests nothing; tenant keys are refused here.
pub mod types;

use super::IntoGql;
use crate::error::{AppError, AppResult};
use crate::ingest::Ingestor;
use crate::operator::Operator;
use crate::storage::{audit, environments, keys};
use async_graphql::{
    Context, EmptySubscription, MaybeUndefined, Object, Result, Schema, SchemaBuilder,
};
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde_json::json;
use types::*;

/// Who calls `/admin/graphql`; added to each request by the HTTP layer.
#[derive(Clone, Debug)]
pub enum OperatorAuth {
    Operator(Operator),
    Missing,
    Invalid,
}

/// The operator, or UNAUTHENTICATED.
fn operator<'a>(ctx: &'a Context<'_>) -> AppResult<&'a Operator> {
    match ctx.data_opt::<OperatorAuth>() {
        Some(OperatorAuth::Operator(op)) => Ok(op),
        Some(OperatorAuth::Invalid) => Err(AppError::Unauthenticated(
            "not an operator credential: /admin/graphql takes the credential whose SHA-256 is in OPERATOR_CREDENTIAL_SHA256 (API keys work on /graphql only)".into(),
        )),
        _ => Err(AppError::Unauthenticated(
            "no operator credential: send `Authorization: Bearer <credential>` with one made by `dam-insights operator-credential`".into(),
        )),
    }
}

fn db<'a>(ctx: &'a Context<'_>) -> AppResult<&'a DatabaseConnection> {
    super::context::db(ctx)
}

fn ingestor<'a>(ctx: &'a Context<'_>) -> AppResult<&'a Ingestor> {
    ctx.data::<Ingestor>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the admin schema has no ingestor")))
}

/// Operator queries.
#[derive(Default)]
pub struct OperatorQuery;

/// What the operator reads: environments, their keys, the audit log.
#[Object]
impl OperatorQuery {
    /// Every environment, by name.
    async fn environments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 10, at most 100).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<EnvironmentConnection> {
        operator(ctx).gql()?;
        let size = super::ids::page_size(first).gql()?;
        let after_key = after
            .as_deref()
            .map(super::ids::parse_cursor)
            .transpose()
            .gql()?;
        let page = environments::page(db(ctx).gql()?, after_key, size)
            .await
            .gql()?;
        Ok(EnvironmentConnection::from_page(
            page,
            after.is_some(),
            |p| p.name.clone(),
            ProvisionedEnvironment::from,
        ))
    }

    /// One environment by name; NOT_FOUND when there is none.
    async fn environment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The environment's name.")] name: String,
    ) -> Result<ProvisionedEnvironment> {
        operator(ctx).gql()?;
        Ok(environments::provisioned(db(ctx).gql()?, &name)
            .await
            .gql()?
            .into())
    }

    /// The keys of an environment, oldest first: ids, scopes, times (never tokens).
    async fn keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The environment's name.")] environment: String,
    ) -> Result<Vec<ApiKey>> {
        operator(ctx).gql()?;
        let db = db(ctx).gql()?;
        let env = environments::provisioned(db, &environment).await.gql()?;
        let keys = keys::list(db, env.id).await.gql()?;
        Ok(keys.into_iter().map(ApiKey::from).collect())
    }

    /// The audit log, newest first: every operator action and user erasure, of one
    /// environment or of all.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this environment's entries.")] environment: Option<String>,
        #[graphql(desc = "How many (default 10, at most 100).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<AuditConnection> {
        operator(ctx).gql()?;
        let db = db(ctx).gql()?;
        let size = super::ids::page_size(first).gql()?;
        let before = after
            .as_deref()
            .map(super::ids::parse_cursor)
            .transpose()
            .gql()?;
        let env = match environment {
            Some(name) => Some(environments::provisioned(db, &name).await.gql()?.id),
            None => None,
        };
        let page = audit::page(db, env, before, size).await.gql()?;
        Ok(AuditConnection::from_page(
            page,
            after.is_some(),
            |a| a.id.clone(),
            AuditEntry::from,
        ))
    }
}

/// Operator mutations: each is written to the audit log with the change it made.
#[derive(Default)]
pub struct OperatorMutation;

/// What the operator changes: environments and keys, each change written to the audit
/// log.
#[Object]
impl OperatorMutation {
    /// Creates an environment.
    async fn create_environment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its name, time zone and retention.")] input: CreateEnvironmentInput,
    ) -> Result<ProvisionedEnvironment> {
        let op = operator(ctx).gql()?;
        let db = db(ctx).gql()?;
        environments::check_retention(input.retention_days).gql()?;
        let txn = db.begin().await.map_err(AppError::from).gql()?;
        let env = environments::create(&txn, &input.name, &input.time_zone)
            .await
            .gql()?;
        environments::set_retention(&txn, env.id, input.retention_days)
            .await
            .gql()?;
        let details = json!({
            "name": env.name, "timeZone": env.time_zone.name(), "retentionDays": input.retention_days
        });
        audit::record(
            &txn,
            env.id,
            super::context::now(ctx),
            &op.actor,
            "createEnvironment",
            details,
        )
        .await
        .gql()?;
        let created = environments::provisioned(&txn, &env.name).await.gql()?;
        txn.commit().await.map_err(AppError::from).gql()?;
        Ok(created.into())
    }

    /// Changes an environment's name, time zone or retention. A new time zone is refused
    /// once the environment holds events; a shorter retention deletes older raw events at
    /// the retention job's next run (reports keep their numbers).
    async fn update_environment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The environment's current name.")] name: String,
        #[graphql(desc = "What to change; fields left out stay.")] input: UpdateEnvironmentInput,
    ) -> Result<ProvisionedEnvironment> {
        let op = operator(ctx).gql()?;
        let current = environments::provisioned(db(ctx).gql()?, &name)
            .await
            .gql()?;
        let changes = environments::EnvironmentChanges {
            name: input.name,
            time_zone: input.time_zone,
            retention_days: match input.retention_days {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(days) => Some(Some(days)),
            },
        };
        // Under the environment's writer lock: no event arrives between the check that
        // it holds none and the change of its time zone.
        let locked = ingestor(ctx).gql()?.lock(current.id).await.gql()?;
        let updated = environments::update(&locked.txn, &current, &changes)
            .await
            .gql()?;
        let details = json!({
            "before": {"name": current.name, "timeZone": current.time_zone, "retentionDays": current.retention.days},
            "after": {"name": updated.name, "timeZone": updated.time_zone, "retentionDays": updated.retention.days},
        });
        audit::record(
            &locked.txn,
            current.id,
            super::context::now(ctx),
            &op.actor,
            "updateEnvironment",
            details,
        )
        .await
        .gql()?;
        locked.txn.commit().await.map_err(AppError::from).gql()?;
        Ok(updated.into())
    }

    /// Creates an API key for an environment; the answer holds its token, shown once.
    async fn create_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The environment's name.")] environment: String,
        #[graphql(desc = "Its scopes among `reports:read`, `admin`, `events:write`.")] scopes: Vec<
            String,
        >,
    ) -> Result<CreatedKey> {
        let op = operator(ctx).gql()?;
        let scopes = keys::Scope::parse_list(&scopes.join(",")).gql()?;
        let db = db(ctx).gql()?;
        let env = environments::provisioned(db, &environment).await.gql()?;
        let txn = db.begin().await.map_err(AppError::from).gql()?;
        let (key, token) = keys::create_key(&txn, env.id, &scopes).await.gql()?;
        let details = json!({ "environment": env.name, "keyId": key.id, "scopes": key.scopes });
        audit::record(
            &txn,
            env.id,
            super::context::now(ctx),
            &op.actor,
            "createKey",
            details,
        )
        .await
        .gql()?;
        txn.commit().await.map_err(AppError::from).gql()?;
        Ok(CreatedKey {
            key: key.into(),
            token,
        })
    }

    /// Revokes a key: it authenticates no more. Revoking it again changes nothing.
    async fn revoke_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The environment's name.")] environment: String,
        #[graphql(desc = "The key's id, e.g. `key_AbC123`.")] id: String,
    ) -> Result<ApiKey> {
        let op = operator(ctx).gql()?;
        let db = db(ctx).gql()?;
        let env = environments::provisioned(db, &environment).await.gql()?;
        let txn = db.begin().await.map_err(AppError::from).gql()?;
        let key = keys::revoke(&txn, env.id, &id).await.gql()?;
        let details = json!({ "environment": env.name, "keyId": key.id });
        audit::record(
            &txn,
            env.id,
            super::context::now(ctx),
            &op.actor,
            "revokeKey",
            details,
        )
        .await
        .gql()?;
        txn.commit().await.map_err(AppError::from).gql()?;
        Ok(key.into())
    }
}

pub type OperatorSchema = Schema<OperatorQuery, OperatorMutation, EmptySubscription>;

/// The operator schema without data: what `admin-schema.graphql` is printed from.
pub fn schema_builder() -> SchemaBuilder<OperatorQuery, OperatorMutation, EmptySubscription> {
    Schema::build(OperatorQuery, OperatorMutation, EmptySubscription)
}

/// The served operator schema, held to the same document limits as the tenants' one
/// (without a rate limit: the operator is one).
pub fn build_schema(
    db: DatabaseConnection,
    ingestor: Ingestor,
    clock: crate::clock::SharedClock,
    limits: &super::limits::Limits,
    production: bool,
) -> OperatorSchema {
    let mut builder = schema_builder()
        .data(db)
        .data(ingestor)
        .data(clock)
        .limit_recursive_depth(limits.max_nesting + 1)
        .extension(crate::telemetry::graphql::OperationMetrics { endpoint: "admin" })
        .extension(super::limits::LimitsExtension {
            limits: limits.clone(),
            limiter: super::limits::RateLimiter::new(0, limits.rate_window),
            index: std::sync::Arc::new(super::scan::schema_index::SchemaIndex::from_sdl(&sdl())),
            production,
        });
    if production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The SDL of the operator schema.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
