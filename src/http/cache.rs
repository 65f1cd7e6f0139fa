//! The read cache on `/graphql` (the cache itself is `graphql::cache`): a request's key,
//! answering a hit without running the query (charged the cost the query was charged
//! when it ran), storing a miss's answer, `extensions.cache`, and entity tags with
//! `If-None-Match` for GET.
use super::AppState;
use super::media::{Answer, respond};
use super::params::Params;
use crate::graphql::cache::{Entry, Key, Volatile, etag};
use crate::graphql::context::Auth;
use crate::graphql::limits::coded_error;
use async_graphql::parser::types::OperationType;
use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH, RETRY_AFTER, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// A request the cache may answer: its key, and whom a hit is charged to.
pub(super) struct Lookup {
    key: Key,
    key_id: String,
}

/// Records a look-up's outcome on the request's span (the request log line).
fn record(outcome: &str) {
    tracing::Span::current().record("cache", outcome);
}

impl Lookup {
    /// The look-up of a caller's request, when the cache is on (None for anonymous
    /// requests: they get errors only).
    pub(super) fn new(state: &AppState, auth: &Auth, params: &Params) -> Option<Lookup> {
        let Auth::Caller(caller) = auth else {
            return None;
        };
        if !state.cache.enabled() {
            return None;
        }
        let variables = match &params.variables {
            Some(v) if !v.is_empty() => serde_json::to_string(v).unwrap_or_default(),
            _ => String::new(),
        };
        let scopes = caller.scopes.iter().fold(0u32, |m, s| m | (1 << *s as u32));
        Some(Lookup {
            key: Key::new(
                caller.environment.id,
                caller.data_version,
                scopes,
                &params.query,
                params.operation_name.as_deref(),
                &variables,
            ),
            key_id: caller.key_id.clone(),
        })
    }

    /// The cache key looked up.
    pub(super) fn key(&self) -> &Key {
        &self.key
    }

    /// The answer of a hit, charged to the caller's rate limit like the query itself;
    /// None on a miss. (Only answers of queries are stored, so a hit is a query's.)
    pub(super) fn hit(&self, state: &AppState, answer: Answer) -> Option<Response> {
        let started = std::time::Instant::now();
        let entry = state.cache.get(&self.key);
        record(if entry.is_some() { "hit" } else { "miss" });
        let entry = entry?;
        crate::telemetry::graphql::cached_operation(entry.operation.as_deref(), started);
        let (ok, bucket) = state.limiter.charge(&self.key_id, entry.cost);
        if !ok {
            let retry = bucket.retry_in.as_secs().max(1);
            let mut err = coded_error(
                format!(
                    "rate limit exceeded: the query costs {} points and the key has {} of {} left; retry in {retry} s",
                    entry.cost, bucket.remaining, bucket.limit
                ),
                "RATE_LIMITED",
            );
            if let Some(ext) = err.extensions.as_mut() {
                ext.set("retryAfter", retry);
            }
            let body = json!({
                "errors": [err],
                "extensions": { "cost": { "requested": entry.cost, "actual": 0 }, "cache": "HIT" },
            });
            let mut response = respond(answer, StatusCode::TOO_MANY_REQUESTS, body);
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry));
            return Some(response);
        }
        let body = format!(
            "{{\"data\":{},\"extensions\":{{\"cost\":{{\"requested\":{},\"actual\":0}},\"cache\":\"HIT\"}}}}",
            entry.data, entry.cost
        );
        let mut response = (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, answer.content_type())],
            body,
        )
            .into_response();
        tag(&mut response, &entry.etag);
        Some(response)
    }

    /// After the query ran: `extensions.cache` says MISS, and an answer that depends on
    /// the environment's data alone (a query's, without errors, no volatile field) is
    /// stored. Returns the answer's entity tag when it has one.
    pub(super) fn store(
        &self,
        state: &AppState,
        operation: Option<(OperationType, Option<String>)>,
        volatile: &Volatile,
        cost: usize,
        body: &mut Map<String, Value>,
    ) -> Option<String> {
        if let Some(Value::Object(ext)) = body.get_mut("extensions") {
            ext.insert("cache".into(), Value::String("MISS".into()));
        }
        let tag = entity_tag(body)?;
        if let Some((OperationType::Query, name)) = operation
            && !volatile.is_set()
        {
            let data = serde_json::to_string(body.get("data")?).ok()?;
            state.cache.put(
                &self.key,
                Entry {
                    data: Arc::from(data),
                    cost: cost as u64,
                    etag: Arc::from(tag.as_str()),
                    operation: name.map(Arc::from),
                },
            );
        }
        Some(tag)
    }
}

/// The entity tag of an answer with data and no errors.
pub(super) fn entity_tag(body: &Map<String, Value>) -> Option<String> {
    if body.contains_key("errors") {
        return None;
    }
    let data = serde_json::to_string(body.get("data")?).ok()?;
    Some(etag(&data))
}

/// Sets an answer's `ETag`; caches in between must ask again each time, per caller.
pub(super) fn tag(response: &mut Response, etag: &str) {
    if let Ok(value) = HeaderValue::from_str(etag) {
        let headers = response.headers_mut();
        headers.insert(ETAG, value);
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        headers.insert(VARY, HeaderValue::from_static("Authorization, Accept"));
    }
}

/// A GET answer as 304 Not Modified when the request's `If-None-Match` names its tag
/// (compared weakly, as RFC 9110 says for GET).
pub(super) fn conditional(headers: &HeaderMap, response: Response) -> Response {
    let Some(tag) = response.headers().get(ETAG).cloned() else {
        return response;
    };
    let Some(wanted) = headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return response;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(tag.to_str().unwrap_or_default());
    let matches = wanted
        .split(',')
        .any(|t| t.trim() == "*" || opaque(t) == ours);
    if !matches || response.status() != StatusCode::OK {
        return response;
    }
    let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
    for name in [ETAG, CACHE_CONTROL, VARY] {
        if let Some(v) = response.headers().get(&name) {
            not_modified.headers_mut().insert(name, v.clone());
        }
    }
    not_modified
}
