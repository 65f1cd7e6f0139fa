//! Every metric's name, labels and description: README lists the same.
use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};

/// HTTP requests, by `method`, `route` (the route's template, `unmatched` for none) and
/// `status`.
pub const HTTP_REQUESTS: &str = "dam_http_requests_total";
/// HTTP request latency in seconds, by `method` and `route`.
pub const HTTP_DURATION: &str = "dam_http_request_duration_seconds";
/// GraphQL operations, by `endpoint` (`graphql`, `admin`), `operation` (its name) and
/// `outcome` (`ok` or the first error's code).
pub const GRAPHQL_OPERATIONS: &str = "dam_graphql_operations_total";
/// GraphQL operation latency in seconds, by `endpoint` and `operation`.
pub const GRAPHQL_DURATION: &str = "dam_graphql_operation_duration_seconds";
/// Events stored by ingest (REST and GraphQL).
pub const EVENTS_INGESTED: &str = "dam_events_ingested_total";
/// Events that were repeats of stored ones (or of earlier ones in the same call).
pub const EVENTS_DUPLICATE: &str = "dam_events_duplicate_total";
/// Events refused (invalid, or older than the environment's retention).
pub const EVENTS_REFUSED: &str = "dam_events_refused_total";
/// Requests refused by a rate limit (HTTP 429), by `route`.
pub const RATE_LIMITED: &str = "dam_rate_limit_refusals_total";
/// Read-cache look-ups, by `outcome` (`hit`, `miss`).
pub const CACHE_LOOKUPS: &str = "dam_cache_lookups_total";
/// Database pool connections, by `state` (`in_use`, `idle`), read at each scrape.
pub const DB_POOL_CONNECTIONS: &str = "dam_db_pool_connections";
/// The database pool's largest size.
pub const DB_POOL_MAX_CONNECTIONS: &str = "dam_db_pool_max_connections";
/// Background job runs finished, by `job` (`activity_report`, `retention`) and `outcome`
/// (`ok`, `failed`, `aborted`).
pub const JOBS: &str = "dam_background_jobs_total";
/// Background job runs in progress, by `job`.
pub const JOBS_RUNNING: &str = "dam_background_jobs_running";
/// Background job run time in seconds, by `job`.
pub const JOB_DURATION: &str = "dam_background_job_duration_seconds";
/// Raw events deleted by the retention job.
pub const RETENTION_DELETED: &str = "dam_retention_events_deleted_total";

/// Gives each metric its description (Prometheus `# HELP`).
pub(super) fn describe() {
    describe_counter!(HTTP_REQUESTS, "HTTP requests by method, route and status");
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "HTTP request latency by method and route"
    );
    describe_counter!(
        GRAPHQL_OPERATIONS,
        "GraphQL operations by endpoint, operation name and outcome (ok or the error code)"
    );
    describe_histogram!(
        GRAPHQL_DURATION,
        Unit::Seconds,
        "GraphQL operation latency by endpoint and operation name"
    );
    describe_counter!(EVENTS_INGESTED, "events stored by ingest");
    describe_counter!(EVENTS_DUPLICATE, "events that repeated a stored id");
    describe_counter!(EVENTS_REFUSED, "events refused by ingest");
    describe_counter!(RATE_LIMITED, "requests refused by a rate limit (HTTP 429)");
    describe_counter!(CACHE_LOOKUPS, "read-cache look-ups by outcome (hit, miss)");
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "database pool connections by state (in_use, idle)"
    );
    describe_gauge!(DB_POOL_MAX_CONNECTIONS, "the database pool's largest size");
    describe_counter!(JOBS, "background job runs finished by job and outcome");
    describe_gauge!(JOBS_RUNNING, "background job runs in progress by job");
    describe_histogram!(
        JOB_DURATION,
        Unit::Seconds,
        "background job run time by job"
    );
    describe_counter!(RETENTION_DELETED, "raw events deleted by the retention job");
}
