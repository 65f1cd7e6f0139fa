//! Reading the caller's API key from a request.
use crate::error::{AppError, AppResult};
use crate::graphql::context::Auth;
use crate::storage::keys::{self, Caller, Scope};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use sea_orm::DatabaseConnection;

/// The bearer token of the request, if it sent one.
pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Who is calling, for GraphQL: resolvers turn a missing or invalid key into errors.
/// Known keys are checked without a statement of their own (see `callers`).
pub async fn graphql_auth(
    callers: &super::callers::Callers,
    headers: &HeaderMap,
) -> AppResult<Auth> {
    let Some(token) = bearer(headers) else {
        return Ok(if headers.contains_key(AUTHORIZATION) {
            Auth::Invalid
        } else {
            Auth::Missing
        });
    };
    match callers.authenticate(token).await {
        Ok(caller) => {
            crate::telemetry::http::record_environment(caller.environment.id);
            Ok(Auth::Caller(caller))
        }
        Err(AppError::Unauthenticated(_)) => Ok(Auth::Invalid),
        Err(e) => Err(e),
    }
}

/// Who is calling, for REST endpoints: 401 without a valid key, 403 without `scope`.
pub async fn rest_caller(
    db: &DatabaseConnection,
    headers: &HeaderMap,
    scope: Scope,
) -> AppResult<Caller> {
    let token = bearer(headers).ok_or_else(|| {
        AppError::Unauthenticated(
            "no API key: send `Authorization: Bearer <key>` with a key made by `dam-insights keys create`".into(),
        )
    })?;
    let caller = keys::authenticate(db, token).await?;
    crate::telemetry::http::record_environment(caller.environment.id);
    caller.require(scope)?;
    Ok(caller)
}
