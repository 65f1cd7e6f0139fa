//! One module per page (or family of pages).
pub mod activity;
pub mod activity_reports;
pub mod admin;
pub mod breakdown;
pub mod entity;
mod entity_queries;
pub mod events;
pub mod home;
pub mod insights;
pub mod monthly;
mod monthly_highlights;
mod monthly_sections;
pub mod series;
