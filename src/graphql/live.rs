//! Subscriptions (over WebSocket at `/graphql/ws`): `summaryChanged` and
//! `metricsChanged`. Each sends the current value first, then the new value each time
//! the environment's data changed it: the subscriber's environment's data version is
//! polled (`crate::live`), the value read again, and sent only when it differs, so a
//! burst of ingests in one poll window makes one push and a change elsewhere none.
use super::IntoGql;
use super::context::{caller, db};
use super::month::Month;
use super::monthly::{ReportScope, Summary};
use super::range::{DateRange, DateRangeValue, MetricName};
use crate::analytics::insights;
use crate::analytics::range::DayRange;
use crate::analytics::ranking;
use crate::error::AppError;
use crate::live::{ConnectionCount, Live, Permit};
use crate::storage::keys::Scope;
use async_graphql::{Context, ErrorExtensions, Result, SimpleObject, Subscription};
use futures::Stream;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

/// Every subscription root field.
#[derive(Default)]
pub struct LiveSubscription;

/// A metric's value over a range.
#[derive(SimpleObject, Clone, PartialEq)]
pub struct MetricTotal {
    /// The metric.
    pub metric: MetricName,
    /// Its value over the range.
    pub value: i64,
}

/// The values of metrics over a range, as they are now.
#[derive(SimpleObject, Clone)]
pub struct MetricsUpdate {
    /// The days covered.
    pub range: DateRangeValue,
    /// Each metric asked for, in the order asked.
    pub values: Vec<MetricTotal>,
}

/// The admission of one more subscription, or the coded error of the limit it passes.
fn admit(ctx: &Context<'_>, key: &str) -> Result<(Live, Permit)> {
    let live = ctx.data::<Live>()?.clone();
    let connection = ctx
        .data_opt::<ConnectionCount>()
        .cloned()
        .unwrap_or_default();
    let permit = live.admit(key, &connection).map_err(|message| {
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "SUBSCRIPTION_LIMIT"))
    })?;
    Ok((live, permit))
}

/// The stream of `read`'s values: the first at once, then each that differs from the
/// one sent before, read after the environment's data version moved.
fn changes<T, V, F, Fut>(
    versions: watch::Receiver<i64>,
    permit: Permit,
    read: F,
    make: impl Fn(&V) -> T + Send + 'static,
) -> impl Stream<Item = T>
where
    T: Send + 'static,
    V: PartialEq + Send + 'static,
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Option<V>> + Send,
{
    futures::stream::unfold(
        (versions, permit, None::<V>, read, make),
        |(mut versions, permit, last, read, make)| async move {
            if last.is_some() {
                versions.changed().await.ok()?;
            }
            let mut last = last;
            loop {
                let value = read().await?;
                if last.as_ref() != Some(&value) {
                    let item = make(&value);
                    return Some((item, (versions, permit, Some(value), read, make)));
                }
                last = Some(value);
                versions.changed().await.ok()?;
            }
        },
    )
}

/// The month's summary figures (current and previous month), to tell whether it changed.
async fn summary_values(db: &DatabaseConnection, scope: ReportScope) -> Option<Vec<i64>> {
    let periods = [scope.month.to_string(), scope.month.previous().to_string()];
    let values = ranking::summary(db, scope.environment_id, &periods)
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "reading a subscription's summary"))
        .ok()?;
    let mut out = Vec::new();
    for (metric, _) in ranking::SUMMARY_METRICS {
        out.extend(periods.iter().map(|p| {
            values
                .get(&(metric.to_owned(), p.clone()))
                .copied()
                .unwrap_or(0)
        }));
    }
    Some(out)
}

#[Subscription(name = "Subscription")]
/// Live values over WebSocket at `/graphql/ws` (graphql-transport-ws): each sends the
/// current value, then the new one within a second of an ingest that changed it.
impl LiveSubscription {
    /// The month's summary (as `monthlyReport(month:).summary`): now, then each time an
    /// ingest changes it, within a second. Needs reports:read.
    async fn summary_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The listed month, `YYYY-MM`.")] month: Month,
    ) -> Result<impl Stream<Item = Summary> + use<>> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        let scope = ReportScope {
            environment_id: caller.environment.id,
            month: month.get().gql()?,
        };
        let db = db(ctx).gql()?.clone();
        let (live, permit) = admit(ctx, &caller.key_id)?;
        let versions = live.watch(caller.environment.id, caller.data_version);
        Ok(changes(
            versions,
            permit,
            move || {
                let db = db.clone();
                async move { summary_values(&db, scope).await }
            },
            move |_| Summary::new(scope),
        ))
    }

    /// Metrics' values over a range (as `insights`' `current`): now, then each time an
    /// ingest changes any of them, within a second. At most 25 metrics; counts only (not
    /// jobDuration). Needs reports:read.
    async fn metrics_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The metrics, at most 25.")] metrics: Vec<MetricName>,
        #[graphql(desc = "The days to cover.")] range: DateRange,
    ) -> Result<impl Stream<Item = MetricsUpdate> + use<>> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        let days: DayRange = range.get().gql()?;
        if metrics.is_empty() || metrics.len() > 25 {
            return Err(AppError::BadUserInput(format!(
                "{} metrics asked: name 1 to 25",
                metrics.len()
            )))
            .gql();
        }
        if let Some(m) = metrics
            .iter()
            .find(|m| insights::value_source(m.name(), false).is_none())
        {
            return Err(AppError::BadUserInput(format!(
                "{} is a distribution, not a count: read insights.jobs.jobDuration instead",
                m.name()
            )))
            .gql();
        }
        let db = db(ctx).gql()?.clone();
        let environment_id = caller.environment.id;
        let (live, permit) = admit(ctx, &caller.key_id)?;
        let versions = live.watch(environment_id, caller.data_version);
        let asked = metrics.clone();
        Ok(changes(
            versions,
            permit,
            move || {
                let (db, metrics) = (db.clone(), metrics.clone());
                async move {
                    let mut out = Vec::with_capacity(metrics.len());
                    for metric in metrics {
                        let value = insights::value(
                            &db,
                            environment_id,
                            metric.name(),
                            false,
                            &days,
                        )
                        .await
                        .inspect_err(
                            |e| tracing::warn!(error = %e, "reading a subscription's metrics"),
                        )
                        .ok()?;
                        out.push(value);
                    }
                    Some(out)
                }
            },
            move |values: &Vec<i64>| MetricsUpdate {
                range: days.into(),
                values: asked
                    .iter()
                    .zip(values)
                    .map(|(metric, value)| MetricTotal {
                        metric: *metric,
                        value: *value,
                    })
                    .collect(),
            },
        ))
    }
}
