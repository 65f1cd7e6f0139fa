//! sea-orm entities of dam-insights: table shapes only, no logic.
pub mod activity_report;
pub mod activity_report_chunk;
pub mod api_key;
pub mod asset;
pub mod audit_log;
pub mod collection;
pub mod collection_asset;
pub mod environment;
pub mod event;
pub mod job;
pub mod portal;
pub mod rollup;
pub mod user;
