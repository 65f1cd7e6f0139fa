//! The GraphQL schema: types and thin resolvers, one module per area.
pub mod activity;
pub mod catalog;
pub mod connection;
pub mod content_health;
pub mod context;
pub mod dashboard;
mod dashboard_figures;
pub mod enums;
pub mod erasure;
pub mod events;
pub mod ids;
pub mod ingest;
pub mod insights;
pub mod limits;
pub mod loaders;
pub mod month;
pub mod monthly;
pub mod monthly_lists;
pub mod nodes;
pub mod operator;
pub mod range;
pub mod search_effectiveness;
pub mod stats;
pub mod viewer;

use crate::error::{AppError, AppResult};
use crate::ingest::Ingestor;
use async_graphql::{EmptySubscription, ErrorExtensions, MergedObject, Schema};
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
);

/// Every mutation root field.
#[derive(MergedObject, Default)]
pub struct Mutation(
    ingest::IngestMutation,
    activity::ActivityMutation,
    erasure::ErasureMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema without data: what `schema.graphql` is printed from.
pub fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
}

/// The served schema: the database, the ingestor, the clock and the limits every request
/// is held to; in production mode without introspection and field suggestions.
pub fn build_schema(
    db: DatabaseConnection,
    ingestor: Ingestor,
    clock: crate::clock::SharedClock,
    limits: limits::Limits,
    limiter: limits::RateLimiter,
    ingest_rate: limits::IngestRate,
    production: bool,
) -> AppSchema {
    let mut builder = schema_builder()
        .data(db)
        .data(ingestor)
        .data(clock)
        .data(limits.clone())
        .data(limiter.clone())
        .data(ingest_rate)
        .extension(limits::LimitsExtension { limits, limiter })
        .extension(crate::telemetry::graphql::OperationMetrics {
            endpoint: "graphql",
        });
    if production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The SDL of the served schema.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
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
