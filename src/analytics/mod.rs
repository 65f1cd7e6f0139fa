//! Analytics: period and time-zone math and metric queries. No GraphQL types here.
pub mod metrics;
pub mod ranking;
pub mod rollups;
pub mod time;
