//! The GraphQL schema: types and thin resolvers, one module per area.
pub mod activity;
pub mod cache;
pub mod catalog;
pub mod connection;
pub mod content_health;
pub mod context;
pub mod dashboard;
mod dashboard_figures;
pub mod enums;
pub mod erasure;
pub mod events;
pub mod highlights;
pub mod ids;
pub mod ingest;
pub mod insights;
pub mod limits;
pub mod live;
pub mod loaders;
pub mod month;
pub mod monthly;
pub mod monthly_lists;
pub mod nodes;
pub mod operator;
pub mod range;
pub mod rate_limit;
pub mod scan;
pub mod schema_description;
pub mod search_effectiveness;
mod stat_pages;
pub mod stats;
pub mod viewer;

use crate::error::{AppError, AppResult};
use crate::ingest::Ingestor;
use async_graphql::{ErrorExtensions, MergedObject, Schema};
use sea_orm::DatabaseConnection;

/// Every query root field.
#[derive(MergedObject, Default)]
pub struct Query(
    viewer::ViewerQuery,
    catalog::CatalogQuery,
    monthly::MonthlyQuery,
    insights::InsightsQuery,
    dashboard::DashboardQuery,
    activity::ActivityQuery,
    content_health::ContentHealthQuery,
    highlights::HighlightsQuery,
);

/// Every mutation root field.
#[derive(MergedObject, Default)]
pub struct Mutation(
    ingest::IngestMutation,
    activity::ActivityMutation,
    erasure::ErasureMutation,
);

/// Every subscription root field (served over WebSocket at `/graphql/ws`).
pub type Subscription = live::LiveSubscription;

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// The schema without data: what `schema.graphql` is printed from.
pub fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription::default())
        .override_output_type_description::<chrono::DateTime<chrono::Utc>>(
            "An instant, written as RFC 3339 date-time with an offset (e.g. \"2025-10-03T14:05:00Z\"); answers are in UTC.",
        )
        .override_output_type_description::<async_graphql::Json<serde_json::Value>>(
            "Any JSON value (RFC 8259), as the event carried it: an object of the event's own fields.",
        )
        .extension(schema_description::SchemaDescription)
}

/// The served schema: the database, the ingestor, the clock and the limits every request
/// is held to; in production mode without introspection and field suggestions.
#[allow(clippy::too_many_arguments)] // one argument per shared service of the schema
pub fn build_schema(
    db: DatabaseConnection,
    ingestor: Ingestor,
    clock: crate::clock::SharedClock,
    limits: limits::Limits,
    limiter: limits::RateLimiter,
    ingest_rate: limits::IngestRate,
    live: crate::live::Live,
    production: bool,
) -> AppSchema {
    let index = std::sync::Arc::new(scan::schema_index::SchemaIndex::from_sdl(
        &schema_builder().finish().sdl(),
    ));
    let mut builder = schema_builder()
        // The scan refuses deeper nesting first, with a code that says so.
        .limit_recursive_depth(limits.max_nesting + 1)
        .data(live)
        .data(db)
        .data(ingestor)
        .data(clock)
        .data(limits.clone())
        .data(limiter.clone())
        .data(ingest_rate)
        // Outside the limits, so that a refused document is counted under its name.
        .extension(crate::telemetry::graphql::OperationMetrics {
            endpoint: "graphql",
        })
        .extension(limits::LimitsExtension {
            limits,
            limiter,
            index,
            production,
        });
    if production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The SDL of the served schema.
pub fn sdl() -> String {
    let options = async_graphql::SDLExportOptions::new().include_specified_by();
    schema_description::with_description(schema_builder().finish().sdl_with_options(options))
}

/// Turns an [`AppError`] into a GraphQL error carrying `extensions.code`. (`?` alone
/// would go through async-graphql's blanket `From<Display>` and lose the code.)
pub(crate) trait IntoGql<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGql<T> for AppResult<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e: AppError| e.extend())
    }
}
