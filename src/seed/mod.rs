//! Deterministic demo data: a generator of realistic activity, and loading it through
//! the ingest path.
mod catalog;
pub mod generator;
mod load;
mod vocabulary;

pub use load::run;

/// The demo environment the embedded default seeds on its first start (and `seed`
/// makes by default): about 40,000 events over 13 months from 50 users on 1,000 assets.
/// Sized for a first start of a few seconds, even in a debug build, with every report,
/// top list, trend and drilldown full; `seed --events N` and `bench` make larger ones.
pub const DEMO_EVENTS: u64 = 40_000;
/// The demo's users.
pub const DEMO_USERS: u32 = 50;
/// The demo's assets.
pub const DEMO_ASSETS: u32 = 1_000;

#[cfg(test)]
mod tests;
