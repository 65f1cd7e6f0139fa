//! `GET /`: the first page the key may see.
use crate::storage::keys::Scope;
use crate::web::layout::{self, Page};
use crate::web::session::{Session, see_other};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

/// The monthly report for a key with reports:read, the admin dashboard for an admin
/// key, else a page saying what the key can do.
pub async fn home(session: Session) -> Response {
    if session.has(Scope::ReportsRead) {
        return see_other("/monthly");
    }
    if session.has(Scope::Admin) {
        return see_other("/admin");
    }
    layout::render(
        &session,
        Page::message(
            "Nothing to show",
            StatusCode::FORBIDDEN,
            html! {
                h1 { "Nothing to show with this key" }
                p.error role="alert" { "This key has neither the reports:read scope (reports) nor the admin scope (admin dashboard, activity log). "
                    "Sign out and sign in with a key that has one of them." }
            },
        ),
    )
}
