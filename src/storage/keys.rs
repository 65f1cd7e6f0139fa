//! API keys: random tokens shown once, stored as their SHA-256, bound to one environment.
use crate::error::{AppError, AppResult};
use crate::storage::environments::Environment;
use base64::Engine;
use chrono::{DateTime, Utc};
use entity::api_key;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, Set, Statement,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Every token starts with this, so leaked keys are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "dami_";

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Reports, entities and the metric dictionary.
    ReportsRead,
    /// Dashboard, activity log and reports, key management.
    Admin,
    /// Event ingest and catalog sync.
    EventsWrite,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::ReportsRead, Scope::Admin, Scope::EventsWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ReportsRead => "reports:read",
            Scope::Admin => "admin",
            Scope::EventsWrite => "events:write",
        }
    }

    pub fn parse(s: &str) -> AppResult<Scope> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s.trim())
            .ok_or_else(|| {
                AppError::BadUserInput(format!(
                    "unknown scope {s:?}: accepted scopes are reports:read, admin, events:write"
                ))
            })
    }

    /// Parses a comma-separated list; at least one scope.
    pub fn parse_list(s: &str) -> AppResult<Vec<Scope>> {
        let mut scopes = s
            .split(',')
            .filter(|part| !part.trim().is_empty())
            .map(Scope::parse)
            .collect::<AppResult<Vec<_>>>()?;
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err(AppError::BadUserInput(
                "no scope given: name one or more of reports:read, admin, events:write".into(),
            ));
        }
        Ok(scopes)
    }
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub environment: Environment,
    pub key_id: String,
    pub scopes: Vec<Scope>,
    /// The environment's data version when the request came in (see
    /// `storage::data_versions`).
    pub data_version: i64,
}

impl Caller {
    /// FORBIDDEN unless the key has `scope`.
    pub fn require(&self, scope: Scope) -> AppResult<()> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this API key lacks the {} scope this needs",
                scope.as_str()
            )))
        }
    }
}

/// How often a key's last use is written, at most (here on a key read, and by
/// `http::callers` for keys it holds).
pub const TOUCH_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The SHA-256 of a token, in hex: what is stored and compared.
pub fn hash(token: &str) -> String {
    digest(token).iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a token, as bytes: how keys held in memory are found.
pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// `bytes` random bytes from the OS, URL-safe base64.
pub fn random_b64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Creates a key and returns its token: the only time the token exists in clear.
pub async fn create(
    db: &DatabaseConnection,
    environment_id: i64,
    scopes: &[Scope],
) -> AppResult<String> {
    Ok(create_key(db, environment_id, scopes).await?.1)
}

/// Creates a key; returns it and its token (the only time the token exists in clear).
pub async fn create_key<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    scopes: &[Scope],
) -> AppResult<(api_key::Model, String)> {
    let token = format!("{TOKEN_PREFIX}{}", random_b64(32));
    let scopes = scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let key = api_key::ActiveModel {
        environment_id: Set(environment_id),
        id: Set(format!("key_{}", random_b64(9))),
        token_hash: Set(hash(&token)),
        scopes: Set(scopes),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((key, token))
}

/// Resolves a bearer token to its caller: UNAUTHENTICATED for an unknown or revoked key.
pub async fn authenticate(db: &DatabaseConnection, token: &str) -> AppResult<Caller> {
    let unauthenticated = || {
        AppError::Unauthenticated(
            "the API key is unknown or revoked: send `Authorization: Bearer <key>` with a key made by `dam-insights keys create`".into(),
        )
    };
    let digest = hash(token);
    // The key and its environment in one statement: every request authenticates.
    let backend = db.get_database_backend();
    let placeholder = super::placeholder(backend, 1);
    let sql = format!(
        "SELECT k.environment_id, k.id, k.token_hash, k.scopes, k.created_at, k.last_used_at, \
         k.revoked_at, e.name AS environment_name, e.time_zone AS environment_time_zone, \
         COALESCE(v.version, 0) AS data_version \
         FROM api_keys k JOIN environments e ON e.id = k.environment_id \
         LEFT JOIN data_versions v ON v.environment_id = k.environment_id \
         WHERE k.token_hash = {placeholder}"
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [digest.clone().into()],
        ))
        .await?
        .ok_or_else(unauthenticated)?;
    let key = api_key::Model::from_query_result(&row, "")?;
    let same: bool = key.token_hash.as_bytes().ct_eq(digest.as_bytes()).into();
    if !same || key.revoked_at.is_some() {
        return Err(unauthenticated());
    }
    let environment = Environment::from_columns(
        key.environment_id,
        row.try_get("", "environment_name")?,
        &row.try_get::<String>("", "environment_time_zone")?,
    )?;
    let scopes = key
        .scopes
        .split(',')
        .filter_map(|s| Scope::parse(s).ok())
        .collect();
    let now = Utc::now();
    if key
        .last_used_at
        .is_none_or(|t| (now - t).to_std().is_ok_and(|since| since > TOUCH_EVERY))
    {
        touch(db, key.environment_id, &key.id, now);
    }
    Ok(Caller {
        environment,
        key_id: key.id,
        scopes,
        data_version: row.try_get("", "data_version")?,
    })
}

/// The keys whose last-used time is being written.
static TOUCHING: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<(i64, String)>>> =
    std::sync::LazyLock::new(Default::default);

/// Writes a key's last-used time in a task of its own: a request never waits for it,
/// however long a writer (a rollup rebuild, a big ingest batch) holds the database. One
/// write per key is under way at a time; a failure is logged, and the next use retries.
pub(crate) fn touch(
    db: &DatabaseConnection,
    environment_id: i64,
    key_id: &str,
    now: DateTime<Utc>,
) {
    let entry = (environment_id, key_id.to_owned());
    let mut touching = TOUCHING.lock().unwrap_or_else(|e| e.into_inner());
    if !touching.insert(entry.clone()) {
        return;
    }
    drop(touching);
    let db = db.clone();
    tokio::spawn(async move {
        let written = api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
            .filter(api_key::Column::EnvironmentId.eq(entry.0))
            .filter(api_key::Column::Id.eq(entry.1.as_str()))
            .exec(&db)
            .await;
        if let Err(e) = written {
            tracing::warn!(key = %entry.1, error = %e, "could not record the API key's last use");
        }
        TOUCHING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&entry);
    });
}

/// Every key of an environment, oldest first (their hashes, never their tokens).
pub async fn list(db: &DatabaseConnection, environment_id: i64) -> AppResult<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::EnvironmentId.eq(environment_id))
        .order_by_asc(api_key::Column::CreatedAt)
        .order_by_asc(api_key::Column::Id)
        .all(db)
        .await?)
}

/// Revokes a key of an environment: it authenticates no more. NOT_FOUND when the
/// environment has no such key; revoking twice keeps the first time. The environment's
/// data version moves on with it (run it in a transaction): servers that keep keys in
/// memory learn of the revocation from the version (see `http::callers`).
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    key_id: &str,
) -> AppResult<api_key::Model> {
    let key = api_key::Entity::find()
        .filter(api_key::Column::EnvironmentId.eq(environment_id))
        .filter(api_key::Column::Id.eq(key_id))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "the environment has no key {key_id:?}: `dam-insights keys list --environment NAME` lists its keys"
            ))
        })?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut active: api_key::ActiveModel = key.into();
    active.revoked_at = Set(Some(Utc::now()));
    let key = active.update(db).await?;
    crate::storage::data_versions::bump(db, environment_id).await?;
    Ok(key)
}
