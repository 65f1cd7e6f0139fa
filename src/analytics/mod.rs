//! Analytics: period and time-zone math and metric queries. No GraphQL types here.
pub mod content_health;
pub mod conversions;
pub mod dashboard;
pub mod highlights;
pub mod insights;
pub mod jobs;
pub mod metrics;
pub mod range;
pub mod ranking;
pub mod rollups;
pub mod search;
pub mod time;
