//! Tests through the public surface: GraphQL over HTTP, the REST endpoints and the CLI.
mod activity;
mod bench;
mod catalog;
mod cli;
mod dashboard;
mod demo_key;
mod exports;
mod graphql_http;
mod helpers;
mod ingest;
mod ingest_graphql;
mod insights;
mod monthly;
mod rollups;
mod schema;
mod security;
mod time_zones;
