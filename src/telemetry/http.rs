//! The HTTP side of telemetry: each request's span and metrics, and `/metrics`.
use super::names;
use crate::http::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics::{counter, histogram};
use std::time::Instant;
use tracing::Span;
use tracing::field::Empty;

/// The route template a request matched (`/v1/exports/{file}`), or `unmatched`: labels
/// stay few whatever paths clients send.
fn route(req: &Request<Body>) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned())
}

/// The method as a label: the standard ones, else `other`.
fn method(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// The span of one request: its method, path and route, and, once known, the GraphQL
/// operation, the caller's environment id (never the key or the query string) and the
/// read cache's outcome (hit or miss).
pub fn request_span(req: &Request<Body>) -> Span {
    tracing::info_span!(
        "request",
        method = method(req.method()),
        path = req.uri().path(),
        route = route(req),
        operation = Empty,
        environment_id = Empty,
        cache = Empty,
    )
}

/// Records the caller's environment on the current request's span.
pub fn record_environment(environment_id: i64) {
    Span::current().record("environment_id", environment_id);
}

/// Counts each request by method, route and status, its latency (to the response head),
/// and rate-limit refusals (429).
pub async fn track(req: Request, next: Next) -> Response {
    let route = route(&req);
    let method = method(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status();
    counter!(names::HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status.as_u16().to_string())
        .increment(1);
    histogram!(names::HTTP_DURATION, "method" => method, "route" => route.clone())
        .record(super::seconds(started.elapsed()));
    if status == StatusCode::TOO_MANY_REQUESTS {
        counter!(names::RATE_LIMITED, "route" => route).increment(1);
    }
    response
}

/// `GET /metrics`: every metric in the Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        super::render(&state.db),
    )
        .into_response()
}
