//! The reference dashboard at `/`: every report as a web page with charts, served by
//! the same binary.
//!
//! Every page gets its data the way an API client does: it runs a GraphQL document of the
//! public schema in-process, as the signed-in key (its scopes, its rate limit), and
//! shows that document and its variables so a frontend team can copy them. Templates
//! are `maud` (compiled into the binary), charts are SVG drawn by `plotters`, CSS and
//! the small copy-button script are compiled in too: nothing comes from another host,
//! and every page works without JavaScript.
//!
//! To add a page: write `pages/<name>.rs` with a handler that takes a [`Session`], runs
//! its query with [`data::run`] and returns [`layout::Page`]; add its route below and,
//! if it belongs in the menu, an entry in [`layout::NAV`].
#[macro_use]
mod data;
mod charts;
mod components;
mod csv;
mod format;
mod forms;
mod layout;
mod pages;
mod ranked;
mod session;

use crate::http::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use session::{COOKIE, Session};

/// Largest form body the dashboard accepts (a pasted key, a date range).
const FORM_LIMIT: usize = 16 * 1024;

/// The dashboard's routes, merged into the app's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home::home))
        .route(
            "/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/sign-out", post(session::sign_out))
        .route("/monthly", get(pages::monthly::page))
        .route("/insights", get(pages::insights::page))
        .route("/series", get(pages::series::page))
        .route("/breakdown", get(pages::breakdown::page))
        .route("/events", get(pages::events::page))
        .route("/assets/{id}", get(pages::entity::asset))
        .route("/users/{id}", get(pages::entity::user))
        .route("/collections/{id}", get(pages::entity::collection))
        .route("/jobs/{id}", get(pages::entity::job))
        .route("/admin", get(pages::admin::page))
        .route("/activity", get(pages::activity::page))
        .route(
            "/activity/reports",
            get(pages::activity_reports::page).post(pages::activity_reports::create),
        )
        .route("/csv/activity-reports/{file}", get(csv::activity_report))
        .route("/csv/{file}", get(csv::export))
        .route("/static/dashboard.css", get(layout::stylesheet))
        .route("/static/dashboard.js", get(layout::script))
        .route("/static/favicon.svg", get(layout::favicon))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
}
