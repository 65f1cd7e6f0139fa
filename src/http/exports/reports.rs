//! `GET /v1/exports/activity-reports/{id}.csv`: a made activity report, streamed a
//! stored chunk at a time.
use super::super::AppState;
use super::super::auth::rest_caller;
use super::{bad_parameter, body, csv_response};
use crate::error::AppError;
use crate::storage::activity_reports::{self as store, READY};
use crate::storage::keys::Scope;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

pub async fn activity_report_csv(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = file
        .strip_suffix(".csv")
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return bad_parameter(
            "id",
            format!(
                "{file:?} is not a report file: ask for <id>.csv with the id of a report from `activityReports`"
            ),
        );
    };
    let caller = match rest_caller(&state.db, &headers, Scope::Admin).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    let env_id = caller.environment.id;
    let report = match store::find(&state.db, env_id, id, state.clock.now()).await {
        Ok(Some(report)) => report,
        Ok(None) => {
            return AppError::NotFound(format!(
                "there is no activity report {id}, or it expired (reports are kept 30 days)"
            ))
            .into_response();
        }
        Err(e) => return e.into_response(),
    };
    if report.status != READY {
        return AppError::NotFound(format!(
            "activity report {id} is {}: its CSV can be downloaded once its status is READY",
            report.status
        ))
        .into_response();
    }
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut seq = 0;
        loop {
            let item = match store::chunk(&db, env_id, id, seq).await {
                Ok(Some(data)) => Ok(Bytes::from(data)),
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(error = ?e, report = id, "report download stopped");
                    Err(std::io::Error::other("the download stopped"))
                }
            };
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                return;
            }
            seq += 1;
        }
    });
    csv_response(&format!("activity-report-{id}"), body(rx))
}
