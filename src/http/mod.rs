//! HTTP: the axum router, auth, ingest endpoints and health probes.
pub mod admin;
pub mod auth;
mod cache;
pub mod callers;
pub mod exports;
mod field_order;
mod graphiql;
pub mod graphql;
pub mod health;
pub mod ingest;
mod media;
mod params;
pub mod persisted;
mod subscriptions;

use crate::config::Config;
use crate::graphql::AppSchema;
use crate::ingest::Ingestor;
use crate::telemetry::http as telemetry;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, Method};
use axum::routing::{get, post};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    pub ingestor: Ingestor,
    /// Cost points per key, for GraphQL and the REST reads.
    pub limiter: crate::graphql::limits::RateLimiter,
    /// Events per second per key, for ingest.
    pub ingest_limiter: crate::graphql::limits::IngestRate,
    pub config: Arc<Config>,
    /// Where "now" comes from (dashboard windows, report expiry).
    pub clock: crate::clock::SharedClock,
    /// The demo environment's key (every scope) when serving the embedded demo; None
    /// otherwise. GraphiQL's headers start with it.
    pub demo_key: Option<String>,
    /// The operator's schema, served at `/admin/graphql`.
    pub admin_schema: crate::graphql::operator::OperatorSchema,
    /// The configured operator credentials.
    pub operators: crate::operator::Credentials,
    /// Answers of read operations (see `graphql::cache`).
    pub cache: crate::graphql::cache::ReadCache,
    /// The keys of `/graphql`'s callers, kept fresh (see `callers`).
    pub callers: callers::Callers,
    /// The configured limits, read once.
    pub limits: Arc<crate::graphql::limits::Limits>,
    /// Documents known by their hash (see `persisted`).
    pub persisted: persisted::PersistedQueries,
    /// What subscriptions wait on, and their limits.
    pub live: crate::live::Live,
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    let graphql_limit = state.config.graphql_body_limit;
    let cors = cors(&state.config.cors_allow_origins);
    let router = Router::new()
        .route(
            "/graphql",
            get(graphql::get)
                .post(graphql::post)
                .layer(DefaultBodyLimit::max(graphql_limit)),
        )
        .route("/graphql/ws", get(subscriptions::upgrade))
        .route(
            "/v1/events",
            post(ingest::post_events).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/v1/catalog",
            post(ingest::post_catalog).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/v1/exports/activity-reports/{file}",
            get(exports::activity_report_csv),
        )
        .route("/v1/exports/{file}", get(exports::export_csv))
        .route("/schema.graphql", get(graphql::sdl))
        .route(
            "/admin/graphql",
            get(admin::get)
                .post(admin::post)
                .layer(DefaultBodyLimit::max(graphql_limit)),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(crate::web::routes());
    // /metrics is on the main address unless it has one of its own (`--metrics-bind`).
    let router = match state.config.metrics_bind {
        None => router.route("/metrics", get(telemetry::metrics)),
        Some(_) => router,
    };
    let router = router
        .layer(axum::middleware::from_fn(telemetry::track))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(telemetry::request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state);
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// The router of the separate metrics address: `/metrics` alone.
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(telemetry::metrics))
        .with_state(state)
}

/// CORS for the allowed origins: browsers on them may call the API with a key; any other
/// origin gets no CORS headers, so browsers keep its pages from reading answers.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([AUTHORIZATION, CONTENT_TYPE, ACCEPT])
            .expose_headers([RETRY_AFTER])
            .max_age(std::time::Duration::from_secs(600)),
    )
}
