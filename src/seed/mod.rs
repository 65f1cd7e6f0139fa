//! Deterministic demo data: a generator of realistic activity, and loading it through
//! the ingest path.
pub mod generator;
mod load;

pub use load::run;
