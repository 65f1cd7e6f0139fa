//! The operator schema's types: environments as provisioned, their keys, audit entries.
use crate::storage::environments::Provisioned;
use async_graphql::{InputObject, Json, MaybeUndefined, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_key, audit_log};

/// An environment (tenant) as the operator provisions it.
#[derive(SimpleObject, Clone)]
pub struct ProvisionedEnvironment {
    /// Its name: what keys, the CLI and this API name it by.
    pub name: String,
    /// Its IANA time zone: days and months of every report are calendar days and months
    /// there. It cannot change once the environment holds events.
    pub time_zone: String,
    /// Days raw events are kept (by occurredAt); null keeps them forever. Rollups, and so
    /// every report, keep their numbers; drilldowns list only the events kept.
    pub retention_days: Option<u32>,
    /// Events that occurred before this instant were deleted by retention (null when none
    /// were); events sent from before it are refused.
    pub events_deleted_before: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<Provisioned> for ProvisionedEnvironment {
    fn from(p: Provisioned) -> Self {
        ProvisionedEnvironment {
            name: p.name,
            time_zone: p.time_zone,
            retention_days: p.retention.days,
            events_deleted_before: p.retention.deleted_before,
            created_at: p.created_at,
        }
    }
}

crate::connection_type!(
    EnvironmentConnection,
    EnvironmentEdge,
    ProvisionedEnvironment,
    "environments"
);

/// An API key of an environment (never its token, which is shown once, at creation).
#[derive(SimpleObject, Clone)]
pub struct ApiKey {
    /// The key's id, e.g. `key_AbC123`: what `revokeKey` takes.
    pub id: String,
    /// What it may do: `reports:read`, `admin`, `events:write`.
    pub scopes: Vec<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last authenticated a request (to the minute); null if never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; null while it works.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_key::Model> for ApiKey {
    fn from(k: api_key::Model) -> Self {
        ApiKey {
            scopes: k.scopes.split(',').map(str::to_owned).collect(),
            id: k.id,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A key just made, with its token: the only time the token is shown.
#[derive(SimpleObject)]
pub struct CreatedKey {
    /// The key.
    pub key: ApiKey,
    /// The bearer token to send as `Authorization: Bearer <token>`; stored only as its
    /// SHA-256, never shown again.
    pub token: String,
}

/// One entry of the audit log: who did what, when.
#[derive(SimpleObject, Clone)]
pub struct AuditEntry {
    /// The entry's id; entries sort by it in time order.
    pub id: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who: `operator:` and the first 12 hex digits of the credential's SHA-256, or
    /// `key:` and the id of the API key that erased a user.
    pub actor: String,
    /// What: the mutation, e.g. `createEnvironment`, `revokeKey`, `eraseUser`.
    pub action: String,
    /// The id of the environment acted on.
    pub environment_id: i64,
    /// The arguments and what changed (never a token or an erased value).
    pub details: Json<serde_json::Value>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(a: audit_log::Model) -> Self {
        AuditEntry {
            id: a.id,
            at: a.at,
            actor: a.actor,
            action: a.action,
            environment_id: a.environment_id,
            details: Json(a.details),
        }
    }
}

crate::connection_type!(AuditConnection, AuditEdge, AuditEntry, "audit log entries");

/// A new environment.
#[derive(InputObject)]
pub struct CreateEnvironmentInput {
    /// Its name: 1 to 64 characters among a-z, 0-9, '-' and '_'.
    pub name: String,
    /// Its IANA time zone, e.g. `Europe/Amsterdam` (default `UTC`).
    #[graphql(default_with = "\"UTC\".to_string()")]
    pub time_zone: String,
    /// Days raw events are kept, 1 to 36,500; null or absent keeps them forever.
    pub retention_days: Option<u32>,
}

/// Changes to an environment; a field left out stays as it is.
#[derive(InputObject)]
pub struct UpdateEnvironmentInput {
    /// A new name: 1 to 64 characters among a-z, 0-9, '-' and '_'. Keys keep working.
    pub name: Option<String>,
    /// A new IANA time zone: refused once the environment holds events.
    pub time_zone: Option<String>,
    /// Days raw events are kept, 1 to 36,500; null keeps them forever from now on.
    pub retention_days: MaybeUndefined<u32>,
}
