//! The dashboard's CSV links: the API's own exports (`/v1/exports/…`, same names, same
//! parameters, same rows), run as the signed-in key. The API takes keys only from the
//! `Authorization` header, so these routes hand it the cookie's key that way.
use super::session::Session;
use crate::http::AppState;
use crate::http::exports;
use axum::extract::{Path, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};

fn as_bearer(session: &Session) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&format!("Bearer {}", session.key)) {
        headers.insert(AUTHORIZATION, value);
    }
    headers
}

/// `GET /csv/{name}.csv?…`: `GET /v1/exports/{name}.csv?…` as the session's key.
pub async fn export(
    State(state): State<AppState>,
    session: Session,
    Path(file): Path<String>,
    uri: Uri,
) -> Response {
    let headers = as_bearer(&session);
    exports::export_csv(State(state), Path(file), headers, uri)
        .await
        .into_response()
}

/// `GET /csv/activity-reports/{id}.csv`: a made activity report.
pub async fn activity_report(
    State(state): State<AppState>,
    session: Session,
    Path(file): Path<String>,
) -> Response {
    let headers = as_bearer(&session);
    exports::activity_report_csv(State(state), Path(file), headers).await
}
