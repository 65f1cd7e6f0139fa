//! The schema's own description: printed in `schema.graphql` and answered by
//! `__schema { description }` (async-graphql answers a fixed text about GraphQL in
//! general; [`SchemaDescription`] answers this one instead).
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};
use std::sync::Arc;

/// What the schema is.
pub const SCHEMA_DESCRIPTION: &str = "dam-insights: analytics of the activity of a Digital Asset Management system (searches, views, downloads, uploads, collections, jobs, portals). Monthly reports, insights and series over any date range, entity stats, drilldowns to the events counted, the admin dashboard, the activity log, and ingest of events and catalog records. Every request needs a bearer key of an environment (`Authorization: Bearer dami_...`); see `limits` for what a request may ask and `rateLimit` for what it costs.";

/// Puts [`SCHEMA_DESCRIPTION`] in `sdl`, the SDL async-graphql prints (which has no
/// place for it), before its `schema` block.
pub fn with_description(sdl: String) -> String {
    match sdl.find("\nschema {") {
        Some(at) => format!(
            "{}\n\"\"\"\n{SCHEMA_DESCRIPTION}\n\"\"\"{}",
            &sdl[..at],
            &sdl[at..]
        ),
        None => sdl,
    }
}

/// Answers `__schema { description }` with [`SCHEMA_DESCRIPTION`].
pub struct SchemaDescription;

impl ExtensionFactory for SchemaDescription {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SchemaDescription)
    }
}

#[async_trait::async_trait]
impl Extension for SchemaDescription {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type == "__Schema" && info.name == "description" {
            return Ok(Some(Value::String(SCHEMA_DESCRIPTION.into())));
        }
        next.run(ctx, info).await
    }
}
