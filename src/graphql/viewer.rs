//! `viewer` (who is calling) and `metrics` (the dictionary).
use super::IntoGql;
use super::context::{authenticated, caller};
use super::limits::{CostMeter, Limits, RateLimiter};
use crate::analytics::metrics::{DICTIONARY, Unit};
use crate::storage::keys::Scope;
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::sync::atomic::Ordering;

#[derive(Default)]
pub struct ViewerQuery;

/// The environment (tenant) a key belongs to.
#[derive(SimpleObject)]
pub struct Environment {
    /// The environment's name.
    pub name: String,
    /// Its IANA time zone: days and months of every report are calendar days and months
    /// there.
    pub time_zone: String,
    /// Days raw events are kept (by occurredAt); null keeps them forever. Reports keep
    /// counting deleted events (their rollups stay); drilldowns no longer list them.
    pub retention_days: Option<u32>,
    /// Events that occurred before this instant were deleted by retention (null when
    /// none were): drilldowns and the activity log hold only events from it on.
    pub events_deleted_before: Option<DateTime<Utc>>,
}

/// The caller: its key's environment and scopes.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The environment every answer is about.
    pub environment: Environment,
    /// The scopes of the key in use: `reports:read`, `admin`, `events:write`.
    pub scopes: Vec<String>,
}

/// The unit of a metric's values.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MetricUnit {
    /// A number of events or of distinct things.
    Count,
    /// A duration in seconds.
    Seconds,
    /// A percentage, 0 to 100 (a rate; null where what it divides by is 0).
    Percent,
}

/// One entry of the metric dictionary.
#[derive(SimpleObject)]
pub struct Metric {
    /// The metric's name, as used by reports.
    pub name: String,
    /// What is counted and what is not.
    pub description: String,
    /// The unit of its values.
    pub unit: MetricUnit,
}

/// The limits every request is held to.
#[derive(SimpleObject)]
pub struct LimitsInfo {
    /// Most lexical tokens (names, punctuation, values) a document may hold, counted
    /// before it is parsed.
    pub max_tokens: i64,
    /// Deepest selection nesting a query may have, fragments expanded (an operation of
    /// introspection alone may nest 20 deep).
    pub max_depth: i64,
    /// Highest cost a query may have, fragments expanded: a field costs 1 plus what it
    /// selects; a page (a field taking `first`, default 10) costs 1, plus its
    /// connection's fields (`totalCount`, `pageInfo`) once, plus `first` times its
    /// `edges` or `nodes`.
    pub max_complexity: i64,
    /// Most fields (aliases included) a query may hold, each fragment counted every time
    /// it is spread (an operation of introspection alone may hold 1000).
    pub max_fields: i64,
    /// Most directives a query may hold, fragments expanded.
    pub max_directives: i64,
    /// Largest `first` of a list.
    pub max_page_size: i64,
    /// `first` when none is given.
    pub default_page_size: i64,
    /// Largest body of POST /graphql, in bytes.
    pub max_body_bytes: i64,
    /// Longest a request may run, in milliseconds.
    pub timeout_ms: i64,
    /// Cost points a key may spend per window (a token bucket refilled evenly); 0 when
    /// rate limiting is off.
    pub rate_limit_points: i64,
    /// The window of `rateLimitPoints`, in seconds.
    pub rate_limit_window_seconds: i64,
    /// Events a key may ingest per second; 0 when unlimited.
    pub ingest_events_per_second: i64,
    /// Active subscriptions one WebSocket connection (`/graphql/ws`) may hold.
    pub max_subscriptions_per_connection: i64,
    /// Active subscriptions one key may hold over all its connections.
    pub max_subscriptions_per_key: i64,
    /// Seconds a WebSocket connection without subscriptions may stay silent before it
    /// is closed.
    pub subscription_idle_seconds: i64,
}

/// The caller's rate-limit state after this request was charged.
#[derive(SimpleObject)]
pub struct RateLimitInfo {
    /// Points the bucket holds when full.
    pub limit: i64,
    /// Points left after this request.
    pub remaining: i64,
    /// When the bucket is full again.
    pub reset_at: DateTime<Utc>,
    /// What this request cost (see `Limits.maxComplexity`).
    pub cost: i64,
}

#[Object]
impl ViewerQuery {
    /// The limits every request is held to: depth, complexity, fields, directives, page
    /// size, body size, timeout and rate. Needs any valid key.
    async fn limits(&self, ctx: &Context<'_>) -> Result<LimitsInfo> {
        authenticated(ctx).gql()?;
        let l = ctx.data::<Limits>()?;
        let live = ctx.data::<crate::live::Live>()?.limits;
        Ok(LimitsInfo {
            max_tokens: l.max_tokens as i64,
            max_subscriptions_per_connection: live.per_connection as i64,
            max_subscriptions_per_key: live.per_key as i64,
            subscription_idle_seconds: live.idle.as_secs() as i64,
            max_depth: l.max_depth as i64,
            max_complexity: l.max_complexity as i64,
            max_fields: l.max_fields as i64,
            max_directives: l.max_directives as i64,
            max_page_size: l.max_page_size as i64,
            default_page_size: l.default_page_size as i64,
            max_body_bytes: l.graphql_body_limit as i64,
            timeout_ms: l.timeout.as_millis() as i64,
            rate_limit_points: l.rate_points as i64,
            rate_limit_window_seconds: l.rate_window.as_secs() as i64,
            ingest_events_per_second: l.ingest_events_per_second as i64,
        })
    }

    /// The caller's rate-limit state, this request included. Needs any valid key.
    async fn rate_limit(&self, ctx: &Context<'_>) -> Result<RateLimitInfo> {
        let caller = authenticated(ctx).gql()?;
        super::cache::volatile(ctx);
        let meter = ctx.data::<Arc<CostMeter>>()?;
        let state = match *meter.state.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(state) => state,
            None => ctx.data::<RateLimiter>()?.peek(&caller.key_id),
        };
        Ok(RateLimitInfo {
            limit: state.limit as i64,
            remaining: state.remaining as i64,
            reset_at: Utc::now() + state.reset_in,
            cost: meter.requested.load(Ordering::Relaxed) as i64,
        })
    }

    /// The caller: the environment of the API key and its scopes. Needs any valid key.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let caller = authenticated(ctx).gql()?;
        let db = super::context::db(ctx).gql()?;
        let retention = crate::storage::environments::retention(db, caller.environment.id)
            .await
            .gql()?;
        Ok(Viewer {
            environment: Environment {
                name: caller.environment.name.clone(),
                time_zone: caller.environment.time_zone.name().to_owned(),
                retention_days: retention.days,
                events_deleted_before: retention.deleted_before,
            },
            scopes: caller
                .scopes
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        })
    }

    /// The metric dictionary: every metric's name, definition and unit.
    /// CSV: GET /v1/exports/metrics.csv
    async fn metrics(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
        caller(ctx, Scope::ReportsRead).gql()?;
        Ok(DICTIONARY
            .iter()
            .map(|m| Metric {
                name: m.name.to_owned(),
                description: m.description.to_owned(),
                unit: match m.unit {
                    Unit::Count => MetricUnit::Count,
                    Unit::Seconds => MetricUnit::Seconds,
                    Unit::Percent => MetricUnit::Percent,
                },
            })
            .collect())
    }
}
