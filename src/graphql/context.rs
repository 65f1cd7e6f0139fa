//! What resolvers read from the request context.
use crate::error::{AppError, AppResult};
use crate::storage::keys::{Caller, Scope};
use async_graphql::Context;
use sea_orm::DatabaseConnection;

/// The caller of a request, or why there is none; added to each request by the HTTP layer.
#[derive(Clone, Debug)]
pub enum Auth {
    Caller(Caller),
    Missing,
    Invalid,
}

/// The caller, when its key has `scope`: UNAUTHENTICATED or FORBIDDEN otherwise.
pub fn caller<'a>(ctx: &'a Context<'_>, scope: Scope) -> AppResult<&'a Caller> {
    let caller = authenticated(ctx)?;
    caller.require(scope)?;
    Ok(caller)
}

/// The caller, whatever its scopes: UNAUTHENTICATED without a valid key.
pub fn authenticated<'a>(ctx: &'a Context<'_>) -> AppResult<&'a Caller> {
    match ctx.data_opt::<Auth>() {
        Some(Auth::Caller(caller)) => Ok(caller),
        Some(Auth::Invalid) => Err(AppError::Unauthenticated(
            "the API key is unknown or revoked: send `Authorization: Bearer <key>` with a key made by `dam-insights keys create`".into(),
        )),
        Some(Auth::Missing) | None => Err(AppError::Unauthenticated(
            "no API key: send `Authorization: Bearer <key>` with a key made by `dam-insights keys create`".into(),
        )),
    }
}

/// The database connection.
pub fn db<'a>(ctx: &'a Context<'_>) -> AppResult<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("the schema was built without a database")))
}

/// "Now", from the schema's clock (the system clock unless a test set one).
pub fn now(ctx: &Context<'_>) -> chrono::DateTime<chrono::Utc> {
    // An answer that reads the clock changes with it: not one for the read cache.
    super::cache::volatile(ctx);
    ctx.data_opt::<crate::clock::SharedClock>()
        .map(|c| c.now())
        .unwrap_or_else(chrono::Utc::now)
}
