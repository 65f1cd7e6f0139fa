//! The benchmark (`dam-insights bench`) and the raw-event baseline it checks the served
//! answers against: the same answers computed by aggregating the `events` table directly,
//! as a generic GraphQL-over-SQL layer would.
pub mod baseline;
mod baseline_health;
mod baseline_monthly;
mod baseline_range;
mod baseline_search;
pub mod client;
pub mod compare;
mod footprint;
mod load;
pub mod queries;
mod raw;
pub mod run;
mod server;
mod stats;
mod table;

pub use baseline::baseline;
pub use compare::differences;
pub use queries::{BenchQuery, Scenario};
