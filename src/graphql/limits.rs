//! Query limits and cost accounting, enforced for every GraphQL request by
//! [`LimitsExtension`]:
//! - fields (aliases included) and directives per document, counted when it parses;
//! - depth and complexity, from async-graphql's validation. A field costs 1; a list field
//!   taking `first` costs `first` (default 10) times the cost of what it selects, so
//!   nested connections multiply. **Every field with a `first` argument must declare
//!   `#[graphql(complexity = "page_cost(first, child_complexity)")]`** (import
//!   `crate::graphql::limits::page_cost`);
//! - the caller's rate limit: a token bucket of cost points per key, charged with the
//!   requested complexity before any field runs.
//!
//! Every rejection names the limit and by how much it was exceeded, with
//! `extensions.code` QUERY_TOO_COMPLEX or RATE_LIMITED. Every answer carries
//! `extensions.cost { requested actual }` (added by the HTTP layer): the complexity, and
//! the fields resolved.
use crate::config::Config;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, NextValidation,
    ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, ValidationResult, Value, Variables};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The cost of a list field taking `first`: `first` (default 10, at least 1) times the
/// cost of one item.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let n = first.unwrap_or(10).clamp(1, i32::MAX) as usize;
    n.saturating_mul(child_complexity).saturating_add(1)
}

/// The limits every request is held to (readable through the `limits` query).
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_fields: usize,
    pub max_directives: usize,
    pub max_page_size: usize,
    pub default_page_size: usize,
    /// Cost points a key may spend per `rate_window`; 0 turns rate limiting off.
    pub rate_points: u64,
    pub rate_window: Duration,
    /// Events a key may ingest per second; 0 turns it off.
    pub ingest_events_per_second: u64,
    pub graphql_body_limit: usize,
    pub timeout: Duration,
}

impl Limits {
    pub fn from_config(config: &Config) -> Self {
        Limits {
            max_depth: config.max_depth,
            max_complexity: config.max_complexity,
            max_fields: config.max_fields,
            max_directives: config.max_directives,
            max_page_size: 100,
            default_page_size: 10,
            rate_points: config.rate_limit_points,
            rate_window: Duration::from_secs(60),
            ingest_events_per_second: config.ingest_events_per_second,
            graphql_body_limit: config.graphql_body_limit,
            timeout: Duration::from_millis(config.request_timeout_ms),
        }
    }
}

/// A bucket's state after a charge.
#[derive(Clone, Copy, Debug)]
pub struct BucketState {
    pub limit: u64,
    pub remaining: u64,
    /// When the bucket is full again.
    pub reset_in: Duration,
    /// When `cost` more points would be available (zero if they are).
    pub retry_in: Duration,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets per key: `capacity` points, refilled at `capacity / window`.
#[derive(Clone)]
pub struct RateLimiter {
    pub capacity: u64,
    window: Duration,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

impl RateLimiter {
    pub fn new(capacity: u64, window: Duration) -> Self {
        RateLimiter {
            capacity,
            window,
            buckets: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    fn rate(&self) -> f64 {
        self.capacity as f64 / self.window.as_secs_f64().max(1e-9)
    }

    /// Takes `cost` points from `key`'s bucket if it holds them; the state either way.
    pub fn charge(&self, key: &str, cost: u64) -> (bool, BucketState) {
        if !self.enabled() {
            return (true, self.state_of(self.capacity as f64, cost));
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.capacity as f64,
            at: now,
        });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * self.rate())
            .min(self.capacity as f64);
        bucket.at = now;
        let ok = bucket.tokens >= cost as f64;
        if ok {
            bucket.tokens -= cost as f64;
        }
        (ok, self.state_of(bucket.tokens, cost))
    }

    /// The state of `key`'s bucket without charging it.
    pub fn peek(&self, key: &str) -> BucketState {
        self.charge(key, 0).1
    }

    fn state_of(&self, tokens: f64, cost: u64) -> BucketState {
        let rate = self.rate();
        let secs = |missing: f64| Duration::from_secs_f64((missing.max(0.0) / rate).min(1e9));
        BucketState {
            limit: self.capacity,
            remaining: tokens.max(0.0).floor() as u64,
            reset_in: secs(self.capacity as f64 - tokens),
            retry_in: secs(cost as f64 - tokens),
        }
    }
}

/// Who a request's cost is charged to (added per request by the HTTP layer).
#[derive(Clone)]
pub struct RateKey(pub String);

/// The request's cost so far, for `rateLimit` and `extensions.cost`.
#[derive(Default)]
pub struct CostMeter {
    pub requested: AtomicUsize,
    pub actual: AtomicUsize,
    pub state: Mutex<Option<BucketState>>,
}

/// An error with `extensions.code`.
pub fn coded_error(message: String, code: &str) -> ServerError {
    let mut err = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code);
    err.extensions = Some(ext);
    err
}

/// Fields (aliases included) and directives written in a document.
fn count(doc: &ExecutableDocument) -> (usize, usize) {
    fn walk(set: &Positioned<SelectionSet>, fields: &mut usize, directives: &mut usize) {
        for item in &set.node.items {
            match &item.node {
                Selection::Field(f) => {
                    *fields += 1;
                    *directives += f.node.directives.len();
                    walk(&f.node.selection_set, fields, directives);
                }
                Selection::FragmentSpread(s) => *directives += s.node.directives.len(),
                Selection::InlineFragment(i) => {
                    *directives += i.node.directives.len();
                    walk(&i.node.selection_set, fields, directives);
                }
            }
        }
    }
    let (mut fields, mut directives) = (0, 0);
    for (_, op) in doc.operations.iter() {
        directives += op.node.directives.len();
        walk(&op.node.selection_set, &mut fields, &mut directives);
    }
    for fragment in doc.fragments.values() {
        directives += fragment.node.directives.len();
        walk(&fragment.node.selection_set, &mut fields, &mut directives);
    }
    (fields, directives)
}

/// Enforces [`Limits`] and accounts each request's cost.
pub struct LimitsExtension {
    pub limits: Limits,
    pub limiter: RateLimiter,
}

impl ExtensionFactory for LimitsExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsChecks {
            limits: self.limits.clone(),
            limiter: self.limiter.clone(),
        })
    }
}

struct LimitsChecks {
    limits: Limits,
    limiter: RateLimiter,
}

fn over(what: &str, value: usize, limit: usize) -> ServerError {
    coded_error(
        format!(
            "the query's {what} is {value}, over the limit of {limit} by {}: simplify the query (see the `limits` query)",
            value - limit
        ),
        "QUERY_TOO_COMPLEX",
    )
}

#[async_trait::async_trait]
impl Extension for LimitsChecks {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let (fields, directives) = count(&doc);
        if fields > self.limits.max_fields {
            return Err(over(
                "number of fields (aliases included)",
                fields,
                self.limits.max_fields,
            ));
        }
        if directives > self.limits.max_directives {
            return Err(over(
                "number of directives",
                directives,
                self.limits.max_directives,
            ));
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let meter = ctx.data_opt::<Arc<CostMeter>>();
        if let Some(meter) = meter {
            meter.requested.store(result.complexity, Ordering::Relaxed);
        }
        if result.depth > self.limits.max_depth {
            return Err(vec![over("depth", result.depth, self.limits.max_depth)]);
        }
        if result.complexity > self.limits.max_complexity {
            return Err(vec![over(
                "complexity",
                result.complexity,
                self.limits.max_complexity,
            )]);
        }
        if let Some(meter) = meter
            && let Some(RateKey(key)) = ctx.data_opt::<RateKey>()
        {
            let (ok, state) = self.limiter.charge(key, result.complexity as u64);
            *meter.state.lock().unwrap_or_else(|e| e.into_inner()) = Some(state);
            if !ok {
                let mut err = coded_error(
                    format!(
                        "rate limit exceeded: the query costs {} points and the key has {} of {} left; retry in {} s",
                        result.complexity,
                        state.remaining,
                        state.limit,
                        state.retry_in.as_secs().max(1)
                    ),
                    "RATE_LIMITED",
                );
                if let Some(ext) = err.extensions.as_mut() {
                    ext.set("retryAfter", state.retry_in.as_secs().max(1));
                }
                return Err(vec![err]);
            }
        }
        Ok(result)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if let Some(meter) = ctx.data_opt::<Arc<CostMeter>>() {
            meter.actual.fetch_add(1, Ordering::Relaxed);
        }
        next.run(ctx, info).await
    }
}

/// The events-per-second limiter of ingest (schema data).
#[derive(Clone)]
pub struct IngestRate(pub RateLimiter);

impl IngestRate {
    /// Takes `n` events from `key`'s allowance: RATE_LIMITED when the bucket is empty.
    pub fn check(&self, key: &str, n: u64) -> crate::error::AppResult<()> {
        let limiter = &self.0;
        if !limiter.enabled() {
            return Ok(());
        }
        let (ok, state) = limiter.charge(key, n.min(limiter.capacity));
        if ok {
            return Ok(());
        }
        let retry_after = state.retry_in.as_secs().max(1);
        Err(crate::error::AppError::RateLimited {
            message: format!(
                "ingest rate limit exceeded: {n} events asked, {} of {} events per second left; retry in {retry_after} s",
                state.remaining, state.limit
            ),
            retry_after,
        })
    }

    /// Waits until `key` may ingest `n` more events (a streamed body is slowed down, not
    /// cut off).
    pub async fn throttle(&self, key: &str, n: u64) {
        let limiter = &self.0;
        if !limiter.enabled() {
            return;
        }
        loop {
            let (ok, state) = limiter.charge(key, n.min(limiter.capacity));
            if ok {
                return;
            }
            tokio::time::sleep(state.retry_in.max(Duration::from_millis(1))).await;
        }
    }
}
