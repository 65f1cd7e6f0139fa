//! `POST /v1/events` and `POST /v1/catalog`: NDJSON or JSON-array bodies, processed in
//! batches as they stream in.
use super::AppState;
use super::auth::rest_caller;
use crate::error::{AppError, AppResult};
use crate::ingest::catalog::SyncReport;
use crate::ingest::stream::{Splitter, parse};
use crate::ingest::{BATCH_SIZE, IngestReport, Item};
use crate::storage::keys::Scope;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use futures::StreamExt;

fn check_content_type(headers: &HeaderMap) -> AppResult<()> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let media = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-ndjson"
        | "application/jsonl"
        | "application/json"
        | "application/ndjson" => Ok(()),
        _ => Err(AppError::UnsupportedMediaType(format!(
            "Content-Type {media:?} is not accepted: send application/x-ndjson (one JSON object a line) or application/json (an array)"
        ))),
    }
}

fn too_large(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!(
        "the body is over the limit of {limit} bytes: split it into several requests (events are idempotent, so resending is safe)"
    ))
}

/// Reads a body in chunks and hands out batches of parsed items.
struct BatchReader {
    stream: axum::body::BodyDataStream,
    splitter: Splitter,
    pending: std::collections::VecDeque<Item>,
    limit: usize,
    received: usize,
    done: bool,
}

impl BatchReader {
    fn new(state: &AppState, headers: &HeaderMap, body: Body) -> AppResult<Self> {
        check_content_type(headers)?;
        let limit = state.config.ingest_body_limit;
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large(limit));
        }
        Ok(BatchReader {
            stream: body.into_data_stream(),
            splitter: Splitter::new(),
            pending: Default::default(),
            limit,
            received: 0,
            done: false,
        })
    }

    /// The next batch of at most [`BATCH_SIZE`] items; `None` at the end of the body.
    async fn next_batch(&mut self) -> AppResult<Option<Vec<Item>>> {
        let mut raw = Vec::new();
        while self.pending.len() < BATCH_SIZE && !self.done {
            match self.stream.next().await {
                Some(chunk) => {
                    let chunk = chunk.map_err(|e| {
                        AppError::BadUserInput(format!("the body could not be read: {e}"))
                    })?;
                    self.received += chunk.len();
                    if self.received > self.limit {
                        return Err(too_large(self.limit));
                    }
                    self.splitter.feed(&chunk, &mut raw);
                }
                None => {
                    self.splitter.finish(&mut raw);
                    self.done = true;
                }
            }
            self.pending.extend(raw.drain(..).map(parse));
        }
        if self.pending.is_empty() {
            return Ok(None);
        }
        let n = self.pending.len().min(BATCH_SIZE);
        Ok(Some(self.pending.drain(..n).collect()))
    }
}

/// Stores events; answers the counts of accepted, duplicate and rejected events and
/// lists the rejections.
pub async fn post_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<IngestReport>> {
    let caller = rest_caller(&state.db, &headers, Scope::EventsWrite).await?;
    state.ingest_limiter.check(&caller.key_id, 1)?;
    let mut reader = BatchReader::new(&state, &headers, body)?;
    let mut report = IngestReport::default();
    while let Some(batch) = reader.next_batch().await? {
        state
            .ingest_limiter
            .throttle(&caller.key_id, batch.len() as u64)
            .await;
        state
            .ingestor
            .ingest(&caller.environment, batch, &mut report)
            .await?;
    }
    Ok(Json(report))
}

/// Upserts catalog records (assets, users, collections, portals); no activity is counted.
pub async fn post_catalog(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<SyncReport>> {
    let caller = rest_caller(&state.db, &headers, Scope::EventsWrite).await?;
    let mut reader = BatchReader::new(&state, &headers, body)?;
    let mut report = SyncReport::default();
    while let Some(batch) = reader.next_batch().await? {
        state
            .ingestor
            .sync(&caller.environment, batch, &mut report)
            .await?;
    }
    Ok(Json(report))
}
