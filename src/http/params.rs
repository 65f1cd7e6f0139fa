//! The parameters of a GraphQL-over-HTTP request (`query`, `operationName`,
//! `variables`, `extensions`), read from a POST body or GET's URL and checked.
use super::media::{Answer, JSON, bad_request, negotiate, respond};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

/// The parameters of a GraphQL-over-HTTP request.
pub(super) struct Params {
    pub(super) query: String,
    pub(super) operation_name: Option<String>,
    pub(super) variables: Option<Map<String, Value>>,
    pub(super) extensions: Option<Map<String, Value>>,
}

/// Checks the JSON body (or GET parameters as JSON) of a request.
pub(super) fn params(body: Value) -> Result<Params, String> {
    let Value::Object(mut obj) = body else {
        return Err("the body must be a JSON object with a `query` string; batches (arrays) are not supported".into());
    };
    let query = match obj.remove("query") {
        Some(Value::String(q)) => q,
        // Sent by hash alone: the document comes from the persisted queries.
        None if super::persisted::asks_for_one(obj.get("extensions")) => String::new(),
        Some(_) => return Err("`query` must be a string holding the GraphQL document".into()),
        None => return Err("`query` is required: a string holding the GraphQL document".into()),
    };
    let operation_name = match obj.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err("`operationName` must be a string or null".into()),
    };
    let object = |name: &str, value: Option<Value>| match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(format!("`{name}` must be a JSON object or null")),
    };
    let variables = object("variables", obj.remove("variables"))?;
    let extensions = object("extensions", obj.remove("extensions"))?;
    Ok(Params {
        query,
        operation_name,
        variables,
        extensions,
    })
}

/// The answer's media type and the parameters of a POST body, or the response refusing
/// it (a media type that cannot be served or was not sent as JSON, a malformed body).
pub(super) fn post_params(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Answer, Params), Box<Response>> {
    let answer = negotiate(headers)?;
    let media = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    if media.as_deref() != Some(JSON) {
        return Err(Box::new(respond(
            answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({ "errors": [{
                "message": "POST bodies must be sent with Content-Type: application/json",
                "extensions": { "code": "UNSUPPORTED_MEDIA_TYPE" }
            }]}),
        )));
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Err(Box::new(bad_request(
                answer,
                format!("the body is not valid JSON: {e}"),
            )));
        }
    };
    match params(value) {
        Ok(params) => Ok((answer, params)),
        Err(message) => Err(Box::new(bad_request(answer, message))),
    }
}
