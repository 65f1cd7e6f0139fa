//! `/graphql` per the GraphQL-over-HTTP spec: POST JSON, GET for queries, GraphiQL for
//! browsers. The answer's media type is negotiated in `media`, the request's parameters
//! read in `params`, its caller known through `callers`, its answer cached in `cache`.
use super::AppState;
use super::auth::graphql_auth;
use super::media::{Answer, bad_request, negotiate, respond};
use super::params::{Params, params, post_params};
use crate::graphql::cache::Flight;
use crate::graphql::context::Auth;
use crate::graphql::limits::{CostMeter, Parsed, RateKey, coded_error};
use crate::graphql::loaders;
use crate::storage::keys::Caller;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Request, Variables};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{ACCEPT, ALLOW, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The type of the operation `params` would run, when the document parses.
fn operation_type(
    params: &Params,
    limits: &crate::graphql::limits::Limits,
) -> Option<OperationType> {
    let doc = parse(&params.query, limits)?;
    operation(&doc, params.operation_name.as_deref()).map(|(ty, _)| ty)
}

/// The document, when it parses (a document over the token limits is not parsed here:
/// the schema refuses it).
fn parse(query: &str, limits: &crate::graphql::limits::Limits) -> Option<ExecutableDocument> {
    crate::graphql::scan::tokens::check(query, limits.max_tokens, limits.max_nesting).ok()?;
    async_graphql::parser::parse_query(query).ok()
}

/// The type and name of the operation of `doc` the request runs.
fn operation(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(OperationType, Option<String>)> {
    match (operation_name, &doc.operations) {
        (None, DocumentOperations::Single(op)) => Some((op.node.ty, None)),
        (Some(name), DocumentOperations::Multiple(map)) => map
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(n, op)| (op.node.ty, Some(n.to_string()))),
        (None, DocumentOperations::Multiple(map)) if map.len() == 1 => map
            .iter()
            .next()
            .map(|(n, op)| (op.node.ty, Some(n.to_string()))),
        _ => None,
    }
}

/// What a caller's request runs with: its loaders (bound to its environment) and the key
/// its cost is charged to. `/graphql` and the CSV exports both prepare requests here.
pub(crate) fn for_caller(request: Request, state: &AppState, caller: &Caller) -> Request {
    loaders::register(request, &state.db, caller.environment.id)
        .data(crate::graphql::stats::stat_loader(
            &state.db,
            &caller.environment,
            Duration::from_millis(state.config.stats_batch_ms),
        ))
        .data(RateKey(caller.key_id.clone()))
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    answer: Answer,
    params: Params,
) -> Response {
    let auth = match graphql_auth(&state.callers, headers).await {
        Ok(auth) => auth,
        Err(err) => return err.into_response(),
    };
    let cache = super::cache::Lookup::new(state, &auth, &params);
    if let Some(hit) = cache.as_ref().and_then(|c| c.hit(state, answer)) {
        return hit;
    }
    // Parsed once: the schema and the field order use this parse.
    let doc = parse(&params.query, &state.limits).map(Arc::new);
    let operation = doc
        .as_ref()
        .and_then(|d| operation(d, params.operation_name.as_deref()));
    // Misses of one query run it once; the others are answered from the cache after.
    let _leader = match (&cache, &operation) {
        (Some(lookup), Some((OperationType::Query, _))) => match state.cache.fly(lookup.key()) {
            Flight::Leader(leader) => Some(leader),
            Flight::Follower(mut running) => {
                let timeout = Duration::from_millis(state.config.request_timeout_ms);
                let _ = tokio::time::timeout(timeout, running.changed()).await;
                if let Some(hit) = lookup.hit(state, answer) {
                    return hit;
                }
                None
            }
        },
        _ => None,
    };
    run(state, answer, params, auth, cache, doc, operation).await
}

/// Runs a request the cache did not answer, and stores its answer when it may.
async fn run(
    state: &AppState,
    answer: Answer,
    params: Params,
    auth: Auth,
    cache: Option<super::cache::Lookup>,
    doc: Option<Arc<ExecutableDocument>>,
    operation: Option<(OperationType, Option<String>)>,
) -> Response {
    let operation_name = params.operation_name.clone();
    let mut request = Request::new(params.query);
    if let Some(doc) = &doc {
        request.set_parsed_query(ExecutableDocument::clone(doc));
        request = request.data(Parsed(doc.clone()));
    }
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = params.variables {
        request = request.variables(Variables::from_json(Value::Object(vars)));
    }
    if let Some(ext) = params.extensions {
        for (k, v) in ext {
            if let Ok(v) = async_graphql::Value::from_json(v) {
                request.extensions.insert(k, v);
            }
        }
    }
    let meter = Arc::new(CostMeter::default());
    let volatile = Arc::new(crate::graphql::cache::Volatile::default());
    request = request.data(meter.clone()).data(volatile.clone());
    if let Auth::Caller(caller) = &auth {
        request = for_caller(request, state, caller);
    }
    // The time limit covers parsing and validation too: they run inside `execute`, and
    // although they are synchronous (a timer cannot interrupt them), the limits checked
    // before them bound their work: tokens and nesting before parsing, the expanded size
    // before validation (see `graphql::limits`).
    let timeout = Duration::from_millis(state.config.request_timeout_ms);
    let response = match tokio::time::timeout(timeout, state.schema.execute(request.data(auth)))
        .await
    {
        Ok(response) => response,
        Err(_) => async_graphql::Response::from_errors(vec![coded_error(
            format!(
                "the request ran over the time limit of {} ms and was stopped: ask for less (smaller `first`, shorter ranges)",
                timeout.as_millis()
            ),
            "TIMEOUT",
        )]),
    };
    let mut response = response;
    let mut errors = std::mem::take(&mut response.errors);
    code_errors(&mut errors);
    let rate_limited = errors.iter().find_map(|e| {
        let ext = e.extensions.as_ref()?;
        match (ext.get("code"), ext.get("retryAfter")) {
            (Some(async_graphql::Value::String(code)), Some(retry)) if code == "RATE_LIMITED" => {
                Some(retry.to_string())
            }
            _ => None,
        }
    });
    response.errors = errors;

    // A request error (the document does not parse or validate) runs no field: no data.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let mut body = Map::new();
    if !request_error {
        let mut data = response.data.into_json().unwrap_or(Value::Null);
        if let Some(doc) = &doc {
            super::field_order::order_response(&mut data, doc, operation_name.as_deref());
        }
        body.insert("data".into(), data);
    }
    if !response.errors.is_empty() {
        body.insert(
            "errors".into(),
            serde_json::to_value(&response.errors).unwrap_or(Value::Null),
        );
    }
    let mut extensions = match serde_json::to_value(&response.extensions) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    extensions.insert(
        "cost".into(),
        json!({
            "requested": meter.requested.load(Ordering::Relaxed),
            "actual": meter.actual.load(Ordering::Relaxed),
        }),
    );
    body.insert("extensions".into(), Value::Object(extensions));
    let etag = match &cache {
        Some(cache) => cache.store(
            state,
            operation,
            &volatile,
            meter.requested.load(Ordering::Relaxed),
            &mut body,
        ),
        None => super::cache::entity_tag(&body),
    };
    if let Some(retry) = rate_limited {
        let mut response = respond(answer, StatusCode::TOO_MANY_REQUESTS, Value::Object(body));
        if let Ok(value) = HeaderValue::from_str(&retry) {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
        return response;
    }
    let status = if request_error && answer == Answer::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut response = respond(answer, status, Value::Object(body));
    if let Some(etag) = etag {
        super::cache::tag(&mut response, &etag);
    }
    response
}

/// GET /schema.graphql: the schema's SDL (as checked in at `schema.graphql`), for
/// tools and people without introspection at hand; off in production, like
/// introspection.
pub async fn sdl(State(state): State<AppState>) -> Response {
    if state.config.production {
        return StatusCode::NOT_FOUND.into_response();
    }
    // Built once: the schema does not change while the server runs.
    static SDL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        SDL.get_or_init(crate::graphql::sdl).clone(),
    )
        .into_response()
}

/// Gives every error without `extensions.code` one: BAD_USER_INPUT for a request error
/// (no path), INTERNAL for a field's.
pub(super) fn code_errors(errors: &mut [async_graphql::ServerError]) {
    for e in errors {
        let coded = e
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if !coded {
            let code = if e.path.is_empty() {
                "BAD_USER_INPUT"
            } else {
                "INTERNAL"
            };
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// GET: GraphiQL for a browser, else a query from the URL's parameters.
pub async fn get(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if pairs.is_empty() && wants_html(&headers) && !state.config.production {
        return Html(super::graphiql::page("/graphql", state.demo_key.as_deref())).into_response();
    }
    let answer = match negotiate(&headers) {
        Ok(answer) => answer,
        Err(response) => return *response,
    };
    let mut obj = Map::new();
    for (key, value) in pairs {
        let value = match key.as_str() {
            "variables" | "extensions" => match serde_json::from_str::<Value>(&value) {
                Ok(v) => v,
                Err(_) => {
                    return bad_request(
                        answer,
                        format!("`{key}` must be a JSON object, URL-encoded"),
                    );
                }
            },
            _ => Value::String(value),
        };
        obj.insert(key, value);
    }
    let mut params = match params(Value::Object(obj)) {
        Ok(p) => p,
        Err(message) => return bad_request(answer, message),
    };
    if let Err(refusal) = state.persisted.resolve(&mut params) {
        return refused(answer, refusal);
    }
    if operation_type(&params, &state.limits).is_some_and(|t| t != OperationType::Query) {
        let mut response = respond(
            answer,
            StatusCode::METHOD_NOT_ALLOWED,
            json!({ "errors": [{
                "message": "only queries may be sent with GET: send mutations with POST",
                "extensions": { "code": "METHOD_NOT_ALLOWED" }
            }]}),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let response = execute(&state, &headers, answer, params).await;
    super::cache::conditional(&headers, response)
}

/// POST: a JSON body `{query, operationName, variables, extensions}`.
pub async fn post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match post_params(&headers, &body) {
        Ok((answer, mut params)) => match state.persisted.resolve(&mut params) {
            Ok(()) => execute(&state, &headers, answer, params).await,
            Err(refusal) => refused(answer, refusal),
        },
        Err(response) => *response,
    }
}

/// The answer to a request whose persisted query cannot be used.
fn refused(answer: Answer, refusal: super::persisted::Refusal) -> Response {
    match refusal {
        super::persisted::Refusal::BadRequest(message) => bad_request(answer, message),
        super::persisted::Refusal::Error { message, code } => respond(
            answer,
            StatusCode::OK,
            super::persisted::error_body(&message, code),
        ),
    }
}
