//! Operating signals: Prometheus metrics served at `/metrics`, and the request span's
//! fields (route, GraphQL operation, environment id; never the key).
//!
//! Recording a metric is one call from anywhere, e.g. `telemetry::cache_lookup(true)` or
//! `metrics::counter!(names::EVENTS_INGESTED).increment(n)`; every name is in [`names`]
//! (and in README) with its description. Without an installed recorder (the CLI's one-shot
//! commands) the calls do nothing.
pub mod graphql;
pub mod http;
pub mod names;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseConnection, DbBackend};
use std::sync::OnceLock;
use std::time::Duration;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Latency buckets in seconds: 1 ms to 30 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Installs the process's metrics recorder (once; later calls return the same handle).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = || {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new())
        };
        let handle = builder().install_recorder().unwrap_or_else(|err| {
            // Another recorder is installed (an embedding program's): render ours empty.
            tracing::warn!(error = %err, "a metrics recorder is installed already");
            builder().build_recorder().handle()
        });
        names::describe();
        handle
    })
}

/// The Prometheus text of every metric, with the database pool's gauges read now.
pub fn render(db: &DatabaseConnection) -> String {
    pool_gauges(db);
    let handle = install();
    handle.run_upkeep();
    handle.render()
}

fn pool_gauges(db: &DatabaseConnection) {
    let (size, idle, max) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => return,
    };
    let idle = idle as f64;
    gauge!(names::DB_POOL_CONNECTIONS, "state" => "idle").set(idle);
    gauge!(names::DB_POOL_CONNECTIONS, "state" => "in_use").set((f64::from(size) - idle).max(0.0));
    gauge!(names::DB_POOL_MAX_CONNECTIONS).set(f64::from(max));
}

/// Counts what one ingest call did.
pub fn events(accepted: u64, duplicates: u64, refused: u64) {
    counter!(names::EVENTS_INGESTED).increment(accepted);
    counter!(names::EVENTS_DUPLICATE).increment(duplicates);
    counter!(names::EVENTS_REFUSED).increment(refused);
}

/// Counts one look-up of the read cache.
pub fn cache_lookup(hit: bool) {
    let outcome = if hit { "hit" } else { "miss" };
    counter!(names::CACHE_LOOKUPS, "outcome" => outcome).increment(1);
}

/// A background job run: counts it while it runs ([`JobRun::finish`] ends it).
pub struct JobRun {
    job: &'static str,
    started: std::time::Instant,
    done: bool,
}

/// Starts counting a run of the background job `job` (`activity_report`, `retention`).
pub fn job_started(job: &'static str) -> JobRun {
    gauge!(names::JOBS_RUNNING, "job" => job).increment(1.0);
    JobRun {
        job,
        started: std::time::Instant::now(),
        done: false,
    }
}

impl JobRun {
    /// Ends the run with its outcome.
    pub fn finish(mut self, ok: bool) {
        self.record(if ok { "ok" } else { "failed" });
    }

    fn record(&mut self, outcome: &'static str) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        gauge!(names::JOBS_RUNNING, "job" => self.job).decrement(1.0);
        counter!(names::JOBS, "job" => self.job, "outcome" => outcome).increment(1);
        histogram!(names::JOB_DURATION, "job" => self.job)
            .record(self.started.elapsed().as_secs_f64());
    }
}

impl Drop for JobRun {
    /// A run dropped without an outcome (its task was cancelled) counts as aborted.
    fn drop(&mut self) {
        self.record("aborted");
    }
}

/// Counts raw events the retention job deleted.
pub fn retention_deleted(n: u64) {
    counter!(names::RETENTION_DELETED).increment(n);
}

/// Seconds of a duration, for histograms.
pub(crate) fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}
