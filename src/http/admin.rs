//! `/admin/graphql`: the operator's GraphQL endpoint, apart from the tenants' `/graphql`
//! (so a proxy can keep it off the public network): POST JSON, GraphiQL for a browser.
use super::AppState;
use super::auth::bearer;
use super::graphql::code_errors;
use super::media::{Answer, respond};
use super::params::post_params;
use crate::graphql::limits::coded_error;
use crate::graphql::operator::OperatorAuth;
use async_graphql::http::GraphiQLSource;
use async_graphql::{Request, Variables};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{ACCEPT, AUTHORIZATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// Who is calling: the operator whose credential's SHA-256 is configured, or why not.
fn operator_auth(state: &AppState, headers: &HeaderMap) -> OperatorAuth {
    match bearer(headers) {
        Some(token) => state
            .operators
            .authenticate(token)
            .map_or(OperatorAuth::Invalid, OperatorAuth::Operator),
        None if headers.contains_key(AUTHORIZATION) => OperatorAuth::Invalid,
        None => OperatorAuth::Missing,
    }
}

/// POST: a JSON body `{query, operationName, variables}` run on the operator schema.
pub async fn post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (answer, params) = match post_params(&headers, &body) {
        Ok(parsed) => parsed,
        Err(response) => return *response,
    };
    let mut request = Request::new(params.query).data(operator_auth(&state, &headers));
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = params.variables {
        request = request.variables(Variables::from_json(Value::Object(vars)));
    }
    let timeout = Duration::from_millis(state.config.request_timeout_ms);
    let mut response =
        match tokio::time::timeout(timeout, state.admin_schema.execute(request)).await {
            Ok(response) => response,
            Err(_) => async_graphql::Response::from_errors(vec![coded_error(
                format!(
                    "the request ran over the time limit of {} ms",
                    timeout.as_millis()
                ),
                "TIMEOUT",
            )]),
        };
    code_errors(&mut response.errors);
    // A request error (the document does not parse or validate) runs no field: no data.
    let request_error = response.data == async_graphql::Value::Null
        && response.errors.iter().all(|e| e.path.is_empty())
        && !response.errors.is_empty();
    let mut body = Map::new();
    if !request_error {
        body.insert(
            "data".into(),
            response.data.into_json().unwrap_or(Value::Null),
        );
    }
    if !response.errors.is_empty() {
        body.insert("errors".into(), json!(response.errors));
    }
    let status = if request_error && answer == Answer::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    respond(answer, status, Value::Object(body))
}

/// GET: GraphiQL for a browser (not in production mode); queries go by POST.
pub async fn get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let html = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if html && !state.config.production {
        return Html(
            GraphiQLSource::build()
                .endpoint("/admin/graphql")
                .title("dam-insights operator")
                .finish(),
        )
        .into_response();
    }
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(axum::http::header::ALLOW, "POST")],
        axum::Json(json!({ "errors": [{
            "message": "send operator requests with POST (Content-Type: application/json)",
            "extensions": { "code": "METHOD_NOT_ALLOWED" }
        }]})),
    )
        .into_response()
}
