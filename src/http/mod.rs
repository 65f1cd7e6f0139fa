//! HTTP: the axum router, auth, ingest endpoints and health probes.
pub mod auth;
pub mod exports;
mod field_order;
pub mod graphql;
pub mod health;
pub mod ingest;

use crate::config::Config;
use crate::graphql::AppSchema;
use crate::ingest::Ingestor;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    pub ingestor: Ingestor,
    pub config: Arc<Config>,
    /// Where "now" comes from (dashboard windows, report expiry).
    pub clock: crate::clock::SharedClock,
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    let graphql_limit = state.config.graphql_body_limit;
    Router::new()
        .route(
            "/graphql",
            get(graphql::get)
                .post(graphql::post)
                .layer(DefaultBodyLimit::max(graphql_limit)),
        )
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
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
