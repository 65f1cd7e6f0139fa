//! Running a page's GraphQL document as the signed-in key, exactly as the CSV exports
//! do: the public schema, in-process, with the key's scopes, loaders and rate limit.
use super::session::Session;
use crate::error::AppError;
use crate::http::AppState;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// A GraphQL document a page ran and its variables, shown on the page to copy.
pub struct Shown {
    pub label: &'static str,
    pub query: &'static str,
    pub variables: Value,
}

/// Runs `query` with `variables` as the session's key and reads the answer's `data`
/// as `T`.
pub async fn run<T: DeserializeOwned>(
    state: &AppState,
    session: &Session,
    label: &'static str,
    query: &'static str,
    variables: Value,
) -> Result<(T, Shown), AppError> {
    let vars = match &variables {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let started = Instant::now();
    // Held to the same time limit as `/graphql`.
    let limit = Duration::from_millis(state.config.request_timeout_ms);
    let data = tokio::time::timeout(
        limit,
        crate::http::exports::run(state, &session.caller, query, &vars),
    )
    .await;
    session.spent(started.elapsed().as_micros() as u64);
    let data = data.map_err(|_| {
        AppError::BadUserInput(format!(
            "the page's query ran over the time limit of {} ms: ask for less (a shorter range)",
            limit.as_millis()
        ))
    })??;
    let typed = serde_json::from_value(data).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("the {label} answer has another shape: {e}"))
    })?;
    Ok((
        typed,
        Shown {
            label,
            query,
            variables,
        },
    ))
}

/// A page of a connection.
#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Connection<E> {
    pub total_count: i64,
    pub edges: Vec<E>,
    pub page_info: PageInfo,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// An edge whose counts the page reads by name.
#[derive(Deserialize, Clone)]
pub struct Edge<N> {
    pub node: N,
}

/// A value against the period before.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct Compared {
    pub current: i64,
    pub previous: i64,
    pub change: i64,
    pub change_percent: Option<f64>,
}

/// One month of a trend.
#[derive(Deserialize, Clone)]
pub struct TrendPoint {
    pub month: String,
    pub value: i64,
}

/// What a page shows of an asset, user, collection or job in a list.
#[derive(Deserialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct EntityRef {
    pub asset_id: Option<String>,
    pub user_id: Option<String>,
    pub collection_id: Option<String>,
    pub job_id: Option<String>,
    pub filename: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// One event of a list.
#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct EventRow {
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub occurred_at: String,
    pub user: Option<EntityRef>,
    pub asset: Option<EntityRef>,
    pub collection: Option<EntityRef>,
    pub job: Option<EntityRef>,
    pub fields: Value,
}

/// The selection of an event row, for documents that list events.
macro_rules! event_fields {
    () => {
        "eventId type occurredAt user { userId name email } asset { assetId filename } collection { collectionId name } job { jobId name } fields"
    };
}
