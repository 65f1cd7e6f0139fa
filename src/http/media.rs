//! The media type of a GraphQL-over-HTTP answer: negotiated from `Accept`
//! (async-graphql-axum would always answer application/graphql-response+json), and
//! answers written in it.
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub(super) const JSON: &str = "application/json";

/// The media type of the answer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    /// `application/graphql-response+json`: request errors get a 4xx status.
    GraphqlResponse,
    /// `application/json`: every well-formed request gets 200.
    Json,
}

/// Picks the answer's media type from `Accept`: the first acceptable range wins.
pub(super) fn negotiate(headers: &HeaderMap) -> Result<Answer, Box<Response>> {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(Answer::Json);
    };
    if accept.trim().is_empty() {
        return Ok(Answer::Json);
    }
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            matches!(
                p.trim().replace(' ', "").as_str(),
                "q=0" | "q=0.0" | "q=0.00" | "q=0.000"
            )
        });
        if refused {
            continue;
        }
        match media.as_str() {
            GRAPHQL_RESPONSE_JSON => return Ok(Answer::GraphqlResponse),
            JSON | "application/*" | "*/*" => return Ok(Answer::Json),
            _ => {}
        }
    }
    Err(Box::new((
        StatusCode::NOT_ACCEPTABLE,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"))],
        json!({ "errors": [{
            "message": "none of the media types in Accept can be served: accept application/graphql-response+json or application/json",
            "extensions": { "code": "NOT_ACCEPTABLE" }
        }]})
        .to_string(),
    )
        .into_response()))
}

impl Answer {
    /// The `Content-Type` of an answer of this media type.
    pub(super) fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Answer::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Answer::Json => "application/json; charset=utf-8",
        })
    }
}

/// An answer with a JSON body, in the media type negotiated.
pub(super) fn respond(answer: Answer, status: StatusCode, body: Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, answer.content_type())],
        body.to_string(),
    )
        .into_response()
}

/// A request that is not a well-formed GraphQL-over-HTTP request: always 400.
pub(super) fn bad_request(answer: Answer, message: String) -> Response {
    respond(
        answer,
        StatusCode::BAD_REQUEST,
        json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_REQUEST" } }] }),
    )
}
