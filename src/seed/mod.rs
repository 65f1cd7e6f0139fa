//! Deterministic demo data: a generator of realistic activity, and loading it through
//! the ingest path.
mod catalog;
pub mod generator;
mod load;
mod vocabulary;

pub use load::run;

#[cfg(test)]
mod tests;
