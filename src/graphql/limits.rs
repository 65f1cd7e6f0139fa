//! Query limits and cost accounting, enforced for every GraphQL request by
//! [`LimitsExtension`], before async-graphql validates the document:
//! - tokens and bracket nesting of the text, counted before it is parsed
//!   ([`super::scan::tokens`]);
//! - fields (aliases included), depth, directives and cost of each operation with every
//!   fragment spread expanded, worked out without building the expansion
//!   ([`super::scan`]); the standard introspection queries are held to the more generous
//!   [`INTROSPECTION_MAX_DEPTH`] and [`INTROSPECTION_MAX_FIELDS`];
//! - the caller's rate limit: a token bucket of cost points per key, charged with the
//!   operation's cost before any field runs.
//!
//! Every rejection names the limit and by how much it was exceeded, with
//! `extensions.code` QUERY_TOO_COMPLEX or RATE_LIMITED. Every answer carries
//! `extensions.cost { requested actual }` (added by the HTTP layer): the cost, and the
//! fields resolved.
use super::scan::schema_index::SchemaIndex;
use super::scan::{self, Size, tokens};
use crate::config::Config;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextResolve,
    NextValidation, ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError, ServerResult, ValidationResult, Value, Variables};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use super::rate_limit::{BucketState, IngestRate, RateLimiter};

/// The deepest an introspection-only operation may nest (the standard introspection
/// queries of graphql-js, GraphiQL, Apollo and gql nest at most 15 deep), when the
/// configured depth is lower.
pub const INTROSPECTION_MAX_DEPTH: usize = 20;

/// The most fields (fragments expanded) an introspection-only operation may hold, when
/// the configured limit is lower.
pub const INTROSPECTION_MAX_FIELDS: usize = 1_000;

/// The limits every request is held to (readable through the `limits` query).
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_tokens: usize,
    pub max_nesting: usize,
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

/// How deeply brackets may nest in a document's text: room for the deepest selection
/// allowed (introspection's included) and for arguments' lists and objects inside it.
pub fn nesting_for(max_depth: usize) -> usize {
    max_depth.max(INTROSPECTION_MAX_DEPTH) + 12
}

impl Limits {
    pub fn from_config(config: &Config) -> Self {
        Limits {
            max_tokens: config.max_tokens,
            max_nesting: nesting_for(config.max_depth),
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

/// The request's document, parsed once by the HTTP layer (request data): the checks
/// here scan it instead of parsing the text again.
pub struct Parsed(pub Arc<ExecutableDocument>);

/// An error with `extensions.code`.
pub fn coded_error(message: String, code: &str) -> ServerError {
    let mut err = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code);
    err.extensions = Some(ext);
    err
}

/// Enforces [`Limits`] and accounts each request's cost.
pub struct LimitsExtension {
    pub limits: Limits,
    pub limiter: RateLimiter,
    /// The schema as the document scan sees it.
    pub index: Arc<SchemaIndex>,
    /// Production mode: introspection is refused.
    pub production: bool,
}

impl ExtensionFactory for LimitsExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsChecks {
            limits: self.limits.clone(),
            limiter: self.limiter.clone(),
            index: self.index.clone(),
            production: self.production,
            operation_name: Mutex::new(None),
            cost: Mutex::new(0),
        })
    }
}

struct LimitsChecks {
    limits: Limits,
    limiter: RateLimiter,
    index: Arc<SchemaIndex>,
    production: bool,
    /// The operation the request names.
    operation_name: Mutex<Option<String>>,
    /// The cost of the operation that runs, from the scan.
    cost: Mutex<u64>,
}

fn over(what: &str, value: u64, limit: usize) -> ServerError {
    coded_error(
        format!(
            "the query's {what} is {value}, over the limit of {limit} by {}: simplify the query (see the `limits` query)",
            value.saturating_sub(limit as u64)
        ),
        "QUERY_TOO_COMPLEX",
    )
}

impl LimitsChecks {
    /// Refuses an operation (or fragment) whose expanded size passes a limit.
    fn check(&self, size: &Size) -> ServerResult<()> {
        let l = &self.limits;
        // Introspection alone (the standard queries nest up to 15 deep) gets more room.
        let introspection = size.introspects && !size.queries_data;
        let (max_depth, max_fields) = if introspection {
            (
                l.max_depth.max(INTROSPECTION_MAX_DEPTH),
                l.max_fields.max(INTROSPECTION_MAX_FIELDS),
            )
        } else {
            (l.max_depth, l.max_fields)
        };
        if size.fields > max_fields as u64 {
            return Err(over(
                "number of fields (aliases included, fragments expanded)",
                size.fields,
                max_fields,
            ));
        }
        if size.depth > max_depth as u64 {
            return Err(over("depth", size.depth, max_depth));
        }
        if size.directives > l.max_directives as u64 {
            return Err(over(
                "number of directives",
                size.directives,
                l.max_directives,
            ));
        }
        if size.cost() > l.max_complexity as u64 {
            return Err(over("complexity", size.cost(), l.max_complexity));
        }
        Ok(())
    }

    /// The scan of a parsed document: every operation and fragment within the limits; the
    /// cost of the one that runs.
    fn scan(&self, doc: &ExecutableDocument, variables: &Variables) -> ServerResult<u64> {
        let scanned = scan::scan(&self.index, doc, variables)
            .map_err(|refusal| coded_error(refusal.message, refusal.code))?;
        for (_, size) in &scanned.operations {
            if self.production && size.introspects {
                return Err(coded_error(
                    "introspection is off in production mode: the schema is schema.graphql of the release".into(),
                    "INTROSPECTION_DISABLED",
                ));
            }
            self.check(size)?;
        }
        for (_, size) in &scanned.fragments {
            // A fragment on its own is held to the generous limits: the operations that
            // spread it are checked above.
            let lenient = Size {
                introspects: true,
                queries_data: false,
                ..*size
            };
            self.check(&lenient)?;
        }
        let name = self
            .operation_name
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let runs = match &name {
            Some(name) => scanned
                .operations
                .iter()
                .find(|(n, _)| n.as_deref() == Some(name.as_str())),
            None if scanned.operations.len() == 1 => scanned.operations.first(),
            None => None,
        };
        Ok(runs.map(|(_, size)| size.cost()).unwrap_or(0))
    }
}

#[async_trait::async_trait]
impl Extension for LimitsChecks {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        *self
            .operation_name
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = request.operation_name.clone();
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let l = &self.limits;
        match tokens::check(query, l.max_tokens, l.max_nesting) {
            Ok(()) => {}
            Err(tokens::TokenBound::Tokens(n)) => {
                return Err(over("number of tokens", n as u64, l.max_tokens));
            }
            Err(tokens::TokenBound::Nesting(n)) => {
                return Err(over("nesting of brackets", n as u64, l.max_nesting));
            }
        }
        // Scanned before async-graphql sees it: its own parse step walks every fragment
        // spread as it expands (exponential in the fan-out), so the document is parsed
        // here first and refused when it expands too far. (A document that does not parse
        // goes on to get async-graphql's syntax error.)
        let doc = match ctx.data_opt::<Parsed>() {
            Some(Parsed(doc)) => Some(doc.clone()),
            None => async_graphql::parser::parse_query(query).ok().map(Arc::new),
        };
        if let Some(doc) = doc {
            let cost = self.scan(&doc, variables)?;
            *self.cost.lock().unwrap_or_else(|e| e.into_inner()) = cost;
            if let Some(meter) = ctx.data_opt::<Arc<CostMeter>>() {
                meter.requested.store(cost as usize, Ordering::Relaxed);
            }
        }
        next.run(ctx, query, variables).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let cost = *self.cost.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(meter) = ctx.data_opt::<Arc<CostMeter>>()
            && let Some(RateKey(key)) = ctx.data_opt::<RateKey>()
        {
            let (ok, state) = self.limiter.charge(key, cost);
            *meter.state.lock().unwrap_or_else(|e| e.into_inner()) = Some(state);
            if !ok {
                let mut err = coded_error(
                    format!(
                        "rate limit exceeded: the query costs {cost} points and the key has {} of {} left; retry in {} s",
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
