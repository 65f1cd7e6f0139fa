//! Insights over any date range (Bynder Insights): the Media, Jobs and Users aspects
//! against the period before, series on shared buckets, correlation, breakdowns by an
//! asset attribute, and the events behind every count. Read from rollups kept per month
//! and per day.
use super::IntoGql;
use super::context::{caller, db};
use super::events::{EventConnection, metric_events};
use super::month::change_percent;
use super::nodes::strings;
use super::range::{ComparisonPeriod, Date, DateRange, DateRangeValue, Interval, MetricName};
use super::search_effectiveness::SearchInsights;
use crate::analytics::insights::{self, DurationStats, pearson, sums_by_key, value};
use crate::analytics::range::{Bucket, Comparison, DayRange};
use crate::analytics::rollups::m;
use crate::analytics::search::{SearchRate, rate_per_bucket};
use crate::error::AppError;
use crate::storage::catalog::by_ids;
use crate::storage::environments::Environment;
use crate::storage::keys::Scope;
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::asset;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

#[derive(Default)]
pub struct InsightsQuery;

/// The environment and range an insight is about.
#[derive(Clone)]
pub(super) struct Scoped {
    pub(super) env: Environment,
    pub(super) range: DayRange,
    /// What `previous` values cover.
    pub(super) compare: Comparison,
}

impl Scoped {
    /// The range the values are compared with.
    pub(super) fn compared(&self) -> DayRange {
        self.range.compared(self.compare)
    }

    pub(super) async fn metric(
        &self,
        ctx: &Context<'_>,
        metric: &'static str,
        include_bulk: bool,
    ) -> Result<RangeMetric> {
        let db = db(ctx).gql()?;
        let current = value(db, self.env.id, metric, include_bulk, &self.range)
            .await
            .gql()?;
        let previous = value(db, self.env.id, metric, include_bulk, &self.compared())
            .await
            .gql()?;
        Ok(RangeMetric {
            scope: self.clone(),
            metric,
            include_bulk,
            current,
            previous,
        })
    }

    /// A metric split by its rollup's keys; `known` are listed even when 0.
    async fn splits(
        &self,
        ctx: &Context<'_>,
        rollup: &str,
        known: &[&str],
    ) -> Result<Vec<RangeSplit>> {
        let db = db(ctx).gql()?;
        let current = sums_by_key(db, self.env.id, rollup, &self.range.cover())
            .await
            .gql()?;
        let previous = sums_by_key(db, self.env.id, rollup, &self.compared().cover())
            .await
            .gql()?;
        let mut keys: Vec<String> = known.iter().map(|k| (*k).to_owned()).collect();
        for key in current.keys().chain(previous.keys()) {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        Ok(keys
            .into_iter()
            .map(|key| {
                let c = current.get(&key).copied().unwrap_or(0);
                let p = previous.get(&key).copied().unwrap_or(0);
                RangeSplit {
                    key,
                    current: c,
                    previous: p,
                    change: c - p,
                    change_percent: change_percent(c, p),
                }
            })
            .collect())
    }
}

/// A count over the range against the comparison period (`previousRange`), with the
/// events behind it.
pub struct RangeMetric {
    scope: Scoped,
    metric: &'static str,
    include_bulk: bool,
    current: i64,
    previous: i64,
}

#[Object]
/// A count over the range against the comparison period (`previousRange`), with the
/// events behind it.
impl RangeMetric {
    /// The metric's name in the dictionary.
    async fn metric(&self) -> &str {
        self.metric
    }
    /// The value over the range.
    async fn current(&self) -> i64 {
        self.current
    }
    /// The value over the comparison period (`previousRange`).
    async fn previous(&self) -> i64 {
        self.previous
    }
    /// current - previous.
    async fn change(&self) -> i64 {
        self.current - self.previous
    }
    /// change / previous * 100; null when previous is 0.
    async fn change_percent(&self) -> Option<f64> {
        change_percent(self.current, self.previous)
    }
    /// Exactly the events this metric counted over the range, newest first (for a
    /// distinct count such as downloadActions: the events whose distinct values it
    /// counted). `totalCount` is the number of those events.
    /// CSV: GET /v1/exports/metric-events.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&metric=<MetricName>&includeBulk=false
    /// Raw events older than the environment's retention are deleted
    /// (`viewer.environment.eventsDeletedBefore`): this list no longer holds them, while
    /// the counts and `totalCount` still count them.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Events per page: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<EventConnection> {
        metric_events(
            ctx,
            &self.scope.env,
            self.metric,
            self.include_bulk,
            &self.scope.range,
            first,
            after,
        )
        .await
    }
}

/// One part of a split metric (e.g. uploads of one source) over the range against the
/// comparison period.
#[derive(SimpleObject)]
pub struct RangeSplit {
    /// The part: a source, asset type, via, SSO / NON_SSO or variant.
    pub key: String,
    /// Its value over the range.
    pub current: i64,
    /// Its value over the comparison period (`previousRange`).
    pub previous: i64,
    /// current - previous.
    pub change: i64,
    /// change / previous * 100; null when previous is 0.
    pub change_percent: Option<f64>,
}

/// The Media, Jobs and Users aspects over a date range, each count against the
/// comparison period.
pub struct Insights(Scoped);

#[Object]
/// The Media, Jobs and Users aspects over a date range, each count against the
/// comparison period.
impl Insights {
    /// The range, as given.
    async fn range(&self) -> DateRangeValue {
        self.0.range.into()
    }
    /// The range `previous` values cover: the equally long range just before it, or with
    /// PREVIOUS_YEAR its first and last days a year earlier (29 February maps to 28
    /// February).
    async fn previous_range(&self) -> DateRangeValue {
        self.0.compared().into()
    }
    /// Uploads, views, downloads, deletions and archivals of assets.
    async fn media(&self) -> MediaInsights {
        MediaInsights(self.0.clone())
    }
    /// Workflow jobs: created, finished, revisions and durations.
    async fn jobs(&self) -> JobInsights {
        JobInsights(self.0.clone())
    }
    /// New users, logins and logouts.
    async fn users(&self) -> UserInsights {
        UserInsights(self.0.clone())
    }
    /// Search effectiveness: searches that found nothing, and searches followed by a
    /// view or download.
    async fn search(&self) -> SearchInsights {
        SearchInsights(self.0.clone())
    }
}

/// The Media aspect.
pub struct MediaInsights(Scoped);

#[Object]
/// The Media aspect.
impl MediaInsights {
    /// uploads: asset.uploaded events; every asset counts once, whatever its source (mass
    /// uploader and API included).
    async fn uploads(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "uploads", false).await
    }
    /// uploads split by source: WEB, EXTERNAL_UPLOADER, MASS_UPLOADER, API.
    /// CSV: GET /v1/exports/uploads-by-source.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
    async fn uploads_by_source(&self, ctx: &Context<'_>) -> Result<Vec<RangeSplit>> {
        self.0
            .splits(
                ctx,
                m::UPLOADS_BY_SOURCE,
                &["WEB", "EXTERNAL_UPLOADER", "MASS_UPLOADER", "API"],
            )
            .await
    }
    /// uploads split by asset type: IMAGE, VIDEO, RAW.
    /// CSV: GET /v1/exports/uploads-by-asset-type.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
    async fn uploads_by_asset_type(&self, ctx: &Context<'_>) -> Result<Vec<RangeSplit>> {
        self.0
            .splits(ctx, m::UPLOADS_BY_TYPE, &["IMAGE", "VIDEO", "RAW"])
            .await
    }
    /// assetViews: asset.viewed events, views of an asset's detail page (not of an
    /// overview or grid).
    async fn asset_views(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "assetViews", false).await
    }
    /// downloads: asset.downloaded events with bulk = false; each asset delivered counts
    /// once, originals and derivatives alike. `includeBulk: true` adds bulk (folder/zip)
    /// downloads.
    async fn downloads(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = false,
            desc = "Add bulk (folder/zip) downloads, which the dictionary's downloads leave out."
        )]
        include_bulk: bool,
    ) -> Result<RangeMetric> {
        self.0.metric(ctx, "downloads", include_bulk).await
    }
    /// downloadActions: distinct actionId among non-bulk downloads (selecting 10 assets
    /// and downloading them is 1 action, 10 downloads).
    async fn download_actions(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "downloadActions", false).await
    }
    /// assetsDeleted: asset.deleted events.
    async fn assets_deleted(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "assetsDeleted", false).await
    }
    /// assetsArchived: asset.archived events.
    async fn assets_archived(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "assetsArchived", false).await
    }
}

/// The Jobs aspect.
pub struct JobInsights(Scoped);

/// count, average, median, 90th percentile and max of job durations, in seconds.
#[derive(SimpleObject)]
pub struct DurationSummary {
    /// Jobs finished in the period whose creation is known.
    pub count: i64,
    /// The mean duration; null when no job finished.
    pub average_seconds: Option<f64>,
    /// The middle duration (the mean of the two middle ones for an even count).
    pub median_seconds: Option<f64>,
    /// The nearest-rank 90th percentile: the smallest duration with at least 90% of the
    /// durations at or below it.
    pub p90_seconds: Option<f64>,
    /// The longest duration.
    pub max_seconds: Option<i64>,
}

impl From<DurationStats> for DurationSummary {
    fn from(s: DurationStats) -> Self {
        DurationSummary {
            count: s.count,
            average_seconds: s.average,
            median_seconds: s.median,
            p90_seconds: s.p90,
            max_seconds: s.max,
        }
    }
}

/// jobDuration over the range and the comparison period, with the jobs' job.finished events.
pub struct JobDuration(Scoped);

#[Object]
/// jobDuration: for jobs finished in the period, finishedAt - createdAt in seconds (the
/// first job.finished and the first job.created of the job).
impl JobDuration {
    /// Over the range.
    async fn current(&self, ctx: &Context<'_>) -> Result<DurationSummary> {
        let db = db(ctx).gql()?;
        let s = insights::durations(db, self.0.env.id, &self.0.range.cover())
            .await
            .gql()?;
        Ok(DurationStats::of(s).into())
    }
    /// Over the comparison period (`previousRange`).
    async fn previous(&self, ctx: &Context<'_>) -> Result<DurationSummary> {
        let db = db(ctx).gql()?;
        let s = insights::durations(db, self.0.env.id, &self.0.compared().cover())
            .await
            .gql()?;
        Ok(DurationStats::of(s).into())
    }
    /// The job.finished events of the jobs counted, newest first.
    /// CSV: GET /v1/exports/metric-events.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&metric=JOB_DURATION
    /// Job events are kept past the environment's retention: this list holds them all.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Events per page: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<EventConnection> {
        metric_events(
            ctx,
            &self.0.env,
            "jobDuration",
            false,
            &self.0.range,
            first,
            after,
        )
        .await
    }
}

#[Object]
/// The Jobs aspect.
impl JobInsights {
    /// jobsCreated: job.created events.
    async fn jobs_created(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "jobsCreated", false).await
    }
    /// jobsFinished: job.finished events.
    async fn jobs_finished(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "jobsFinished", false).await
    }
    /// jobRevisions: job.sent_back events.
    async fn job_revisions(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "jobRevisions", false).await
    }
    /// revisionRoundsFinished: per job, in occurredAt order (then id), a job.sent_back
    /// adds a pending send-back and a job.advanced while one is pending finishes a round
    /// (counted on that job.advanced's day) and removes one. Sent back twice then advanced
    /// once is one round; advanced with nothing pending is none. Late events re-evaluate
    /// the job.
    async fn revision_rounds_finished(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "revisionRoundsFinished", false).await
    }
    /// jobDuration: for jobs finished in the period, finishedAt - createdAt in seconds:
    /// count, average, median, 90th percentile, max.
    async fn job_duration(&self) -> JobDuration {
        JobDuration(self.0.clone())
    }
}

/// The Users aspect.
pub struct UserInsights(Scoped);

#[Object]
/// The Users aspect.
impl UserInsights {
    /// newUsers: user.created events.
    async fn new_users(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "newUsers", false).await
    }
    /// newUsers split by via: MANUAL, BULK, ACCESS_REQUEST.
    /// CSV: GET /v1/exports/new-users-by-via.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
    async fn new_users_by_via(&self, ctx: &Context<'_>) -> Result<Vec<RangeSplit>> {
        self.0
            .splits(ctx, m::NEW_USERS, &["MANUAL", "BULK", "ACCESS_REQUEST"])
            .await
    }
    /// logins: user.logged_in events.
    async fn logins(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "logins", false).await
    }
    /// logins split by sso: SSO (single sign-on) and NON_SSO.
    /// CSV: GET /v1/exports/logins-by-sso.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
    async fn logins_by_sso(&self, ctx: &Context<'_>) -> Result<Vec<RangeSplit>> {
        self.0.splits(ctx, m::LOGINS, &["SSO", "NON_SSO"]).await
    }
    /// logouts: user.logged_out events; a timeout is not a logout.
    async fn logouts(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "logouts", false).await
    }
}

/// One bucket of a series.
#[derive(SimpleObject)]
pub struct SeriesBucket {
    /// The first day of the calendar day, week (Monday) or month.
    pub start: Date,
    /// The first day of the bucket inside the range (`start`, but for the first bucket
    /// when the range begins mid-week or mid-month).
    pub from: Date,
    /// The last day of the bucket inside the range.
    pub to: Date,
    /// With `compareTo`: the days the bucket is compared with; null without it.
    pub compared: Option<DateRangeValue>,
}

/// One metric's values, a value per bucket.
#[derive(SimpleObject)]
pub struct MetricSeries {
    /// The metric.
    pub metric: MetricName,
    /// Its value in each bucket, in the order of `buckets` (0 where nothing happened). A
    /// distinct count (e.g. activeUsers) counts distinct values within each bucket.
    pub values: Vec<i64>,
    /// With `compareTo`: its value in each bucket's comparison bucket
    /// (`buckets.compared`); null without `compareTo`.
    pub previous_values: Option<Vec<i64>>,
}

/// Metrics over shared buckets.
#[derive(SimpleObject)]
pub struct Series {
    /// The range.
    pub range: DateRangeValue,
    /// The bucket length.
    pub interval: Interval,
    /// The buckets, oldest first; every metric has one value per bucket.
    pub buckets: Vec<SeriesBucket>,
    /// The metrics, in the order asked.
    pub metrics: Vec<MetricSeries>,
    /// The rates asked for (`rates`), in the order asked.
    pub rates: Vec<RateSeries>,
}

/// A rate of the dictionary, for a series.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateName {
    /// zeroResultRate: zeroResultSearches / searchesWithResultCount × 100.
    ZeroResultRate,
    /// searchConversionRate: convertedSearches / searches by known users × 100.
    SearchConversionRate,
}

impl From<RateName> for SearchRate {
    fn from(r: RateName) -> Self {
        match r {
            RateName::ZeroResultRate => SearchRate::ZeroResult,
            RateName::SearchConversionRate => SearchRate::Conversion,
        }
    }
}

/// One rate's values, a value per bucket.
#[derive(SimpleObject)]
pub struct RateSeries {
    /// The rate.
    pub rate: RateName,
    /// Its value (0 to 100) in each bucket, in the order of `buckets`: numerator and
    /// denominator each counted over the bucket; null where the denominator is 0.
    pub values: Vec<Option<f64>>,
    /// With `compareTo`: its value in each bucket's comparison bucket; null without
    /// `compareTo`.
    pub previous_values: Option<Vec<Option<f64>>>,
}

/// The Pearson correlation of two metrics over the same buckets.
#[derive(SimpleObject)]
pub struct Correlation {
    /// The Pearson coefficient, -1 to 1; null when undefined (fewer than 2 buckets, or a
    /// metric that does not vary).
    pub coefficient: Option<f64>,
    /// The series both were computed on.
    pub series: Series,
}

/// What a breakdown splits a metric by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakdownDimension {
    /// The values of the metaproperty named `name` (an asset with two values counts in
    /// both).
    Metaproperty,
    /// The asset's tags (an asset with two tags counts in both).
    Tag,
    /// The asset type: IMAGE, VIDEO, RAW.
    AssetType,
    /// The asset's folder.
    Folder,
}

/// What to split a metric by.
#[derive(InputObject, Clone, Debug)]
pub struct BreakdownBy {
    /// The attribute of the assets.
    pub dimension: BreakdownDimension,
    /// The metaproperty's name (e.g. "Region"); only with METAPROPERTY.
    pub name: Option<String>,
}

/// One value of a breakdown and the metric's count for the assets that hold it.
#[derive(SimpleObject, Clone)]
pub struct BreakdownValue {
    /// The attribute's value; null for the assets that have none.
    pub value: Option<String>,
}

crate::ranked_connection_type!(
    BreakdownConnection,
    BreakdownEdge,
    BreakdownValue,
    "a metric's counts per value of an asset attribute",
    {
        /// The metric's count over the range for the assets holding this value.
        count: i64,
    }
);

/// The per-asset rollup behind a metric that a breakdown can split.
fn per_asset(metric: MetricName) -> Result<&'static str, AppError> {
    Ok(match metric {
        MetricName::Uploads => m::ASSET_UPLOADS,
        MetricName::AssetViews => m::ASSET_VIEWS_BY_ASSET,
        MetricName::Downloads => m::DOWNLOAD_ASSET,
        MetricName::AssetsArchived => m::ASSET_ARCHIVES,
        MetricName::AssetsDeleted => m::ASSET_DELETES,
        other => {
            return Err(AppError::BadUserInput(format!(
                "metric {} is not counted per asset: a breakdown splits UPLOADS, ASSET_VIEWS, DOWNLOADS, ASSETS_ARCHIVED or ASSETS_DELETED",
                other.name()
            )));
        }
    })
}

/// The values an asset holds for a breakdown; empty when none.
fn values_of(asset: Option<&asset::Model>, by: &BreakdownBy, name: &str) -> Vec<String> {
    let Some(asset) = asset else {
        return Vec::new();
    };
    let mut values = match by.dimension {
        BreakdownDimension::AssetType => asset.asset_type.clone().into_iter().collect(),
        BreakdownDimension::Folder => asset.folder.clone().into_iter().collect(),
        BreakdownDimension::Tag => strings(&asset.tags),
        BreakdownDimension::Metaproperty => strings(
            &asset
                .metaproperties
                .as_ref()
                .and_then(|m| m.get(name))
                .cloned(),
        ),
    };
    values.retain(|v| !v.trim().is_empty());
    values.sort();
    values.dedup();
    values
}

fn breakdown_cursor(count: i64, value: &Option<String>) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!(["b", count, value]).to_string())
}

fn parse_breakdown_cursor(cursor: &str) -> Result<(i64, Option<String>), AppError> {
    let bad = || {
        AppError::BadUserInput(format!(
            "{} is not a cursor of this breakdown: pass an `endCursor` or edge `cursor` it returned",
            crate::graphql::ids::quoted(cursor)
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    match value.as_array().map(Vec::as_slice) {
        Some([tag, count, v]) if tag == "b" => Ok((
            count.as_i64().ok_or_else(bad)?,
            match v {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                _ => return Err(bad()),
            },
        )),
        _ => Err(bad()),
    }
}

/// Orders breakdown rows: count descending, then value ascending, the no-value bucket
/// after every value of the same count.
fn rank_order(a: &(Option<String>, i64), b: &(Option<String>, i64)) -> std::cmp::Ordering {
    b.1.cmp(&a.1).then_with(|| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    })
}

/// Assets read per query of a breakdown.
const ASSET_CHUNK: usize = 500;

impl InsightsQuery {
    fn scoped(ctx: &Context<'_>, range: &DateRange, compare: ComparisonPeriod) -> Result<Scoped> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        Ok(Scoped {
            env: caller.environment.clone(),
            range: range.get().gql()?,
            compare: compare.into(),
        })
    }

    async fn series_of(
        ctx: &Context<'_>,
        scope: &Scoped,
        metrics: &[MetricName],
        rates: &[RateName],
        interval: Interval,
        compare: Option<ComparisonPeriod>,
    ) -> Result<Series> {
        if metrics.len() + rates.len() > 25 {
            return Err(AppError::BadUserInput(format!(
                "{} metrics and rates asked: a series holds at most 25",
                metrics.len() + rates.len()
            )))
            .gql();
        }
        let buckets: Vec<Bucket> = scope.range.buckets(interval.into()).gql()?;
        let compared: Option<Vec<Bucket>> = compare.map(|c| {
            buckets
                .iter()
                .map(|b| {
                    let range = b.compared(c.into(), interval.into(), scope.range.days());
                    Bucket {
                        start: range.from,
                        range,
                    }
                })
                .collect()
        });
        let db = db(ctx).gql()?;
        let mut out = Vec::with_capacity(metrics.len());
        for metric in metrics {
            if insights::value_source(metric.name(), false).is_none() {
                return Err(AppError::BadUserInput(format!(
                    "{} is a distribution, not a count: read insights.jobs.jobDuration instead",
                    metric.name()
                )))
                .gql();
            }
            let values = insights::bucket_values(db, scope.env.id, metric.name(), &buckets)
                .await
                .gql()?;
            let previous_values = match &compared {
                Some(c) => Some(
                    insights::bucket_values(db, scope.env.id, metric.name(), c)
                        .await
                        .gql()?,
                ),
                None => None,
            };
            out.push(MetricSeries {
                metric: *metric,
                values,
                previous_values,
            });
        }
        let mut rate_series = Vec::with_capacity(rates.len());
        for rate in rates {
            let values = rate_per_bucket(db, scope.env.id, (*rate).into(), &buckets)
                .await
                .gql()?;
            let previous_values = match &compared {
                Some(c) => Some(
                    rate_per_bucket(db, scope.env.id, (*rate).into(), c)
                        .await
                        .gql()?,
                ),
                None => None,
            };
            rate_series.push(RateSeries {
                rate: *rate,
                values,
                previous_values,
            });
        }
        Ok(Series {
            rates: rate_series,
            range: scope.range.into(),
            interval,
            buckets: buckets
                .iter()
                .enumerate()
                .map(|(i, b)| SeriesBucket {
                    start: b.start.into(),
                    from: b.range.from.into(),
                    to: b.range.to.into(),
                    compared: compared.as_ref().map(|c| c[i].range.into()),
                })
                .collect(),
            metrics: out,
        })
    }
}

#[Object]
impl InsightsQuery {
    /// The Media, Jobs and Users aspects over a range of days (in the environment's time
    /// zone, both ends included, at most 2 years), each count and rate against the
    /// comparison period (`compareTo`: the equally long range just before it by default,
    /// or the same days a year earlier). A rate's change is in points. Needs
    /// reports:read.
    async fn insights(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to report on.")] range: DateRange,
        #[graphql(
            desc = "What `previous` values cover: PREVIOUS_PERIOD (when absent) or PREVIOUS_YEAR."
        )]
        compare_to: Option<ComparisonPeriod>,
    ) -> Result<Insights> {
        Ok(Insights(Self::scoped(
            ctx,
            &range,
            compare_to.unwrap_or_default(),
        )?))
    }

    /// Metrics over one list of buckets shared by all of them, zero-filled: days, weeks
    /// (Monday to Sunday) or months of the environment's time zone, at most 1,000
    /// buckets. Every count metric of the dictionary can be asked for (not jobDuration).
    /// Needs reports:read.
    /// CSV: GET /v1/exports/series.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&metrics=UPLOADS,DOWNLOADS&interval=DAY[&rates=ZERO_RESULT_RATE][&compareTo=PREVIOUS_YEAR] (a row per bucket, a column per metric and rate; with compareTo, comparedFrom and comparedTo and a `.previous` column after each)
    async fn series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The metrics, at most 25.")] metrics: Vec<MetricName>,
        #[graphql(desc = "The days to cover.")] range: DateRange,
        #[graphql(desc = "The bucket length.")] interval: Interval,
        #[graphql(
            default,
            desc = "Rates to give per bucket as well (zeroResultRate, searchConversionRate)."
        )]
        rates: Vec<RateName>,
        #[graphql(
            desc = "Compare each bucket: PREVIOUS_YEAR with the bucket a year earlier (the same day, the week 52 weeks earlier, the same month), PREVIOUS_PERIOD with its days shifted back by the range's length. Fills `previousValues` and `buckets.compared`."
        )]
        compare_to: Option<ComparisonPeriod>,
    ) -> Result<Series> {
        let scope = Self::scoped(ctx, &range, ComparisonPeriod::PreviousPeriod)?;
        Self::series_of(ctx, &scope, &metrics, &rates, interval, compare_to).await
    }

    /// The Pearson correlation coefficient of two metrics over the same buckets (as
    /// `series` computes them); null when undefined. Needs reports:read.
    async fn correlation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first metric.")] a: MetricName,
        #[graphql(desc = "The second metric.")] b: MetricName,
        #[graphql(desc = "The days to cover.")] range: DateRange,
        #[graphql(desc = "The bucket length.")] interval: Interval,
    ) -> Result<Correlation> {
        let scope = Self::scoped(ctx, &range, ComparisonPeriod::PreviousPeriod)?;
        let series = Self::series_of(ctx, &scope, &[a, b], &[], interval, None).await?;
        let coefficient = pearson(&series.metrics[0].values, &series.metrics[1].values);
        Ok(Correlation {
            coefficient,
            series,
        })
    }

    /// A metric over a range split by an attribute of the assets it counted (a
    /// metaproperty's values, tags, asset type or folder), by count descending then value;
    /// assets without a value count in a bucket of their own (value null), and an asset
    /// with several values counts in each. Splits uploads, assetViews, downloads,
    /// assetsArchived and assetsDeleted, by the assets' current attributes. Needs
    /// reports:read.
    /// CSV: GET /v1/exports/breakdown.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&metric=DOWNLOADS&dimension=METAPROPERTY&name=Region
    async fn breakdown(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The metric to split.")] metric: MetricName,
        #[graphql(desc = "The attribute to split it by.")] by: BreakdownBy,
        #[graphql(desc = "The days to cover.")] range: DateRange,
        #[graphql(desc = "Values per page: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<BreakdownConnection> {
        let scope = Self::scoped(ctx, &range, ComparisonPeriod::PreviousPeriod)?;
        let rollup = per_asset(metric).gql()?;
        let name = match (by.dimension, &by.name) {
            (BreakdownDimension::Metaproperty, Some(n)) if !n.is_empty() => n.clone(),
            (BreakdownDimension::Metaproperty, _) => {
                return Err(AppError::BadUserInput(
                    "by.name is missing: a METAPROPERTY breakdown needs the metaproperty's name, e.g. \"Region\"".into(),
                ))
                .gql();
            }
            (_, Some(_)) => {
                return Err(AppError::BadUserInput(
                    "by.name is only accepted with dimension METAPROPERTY".into(),
                ))
                .gql();
            }
            _ => String::new(),
        };
        let first = super::ids::page_size(first).gql()?;
        let after_given = after.is_some();
        let after = after
            .map(|a| parse_breakdown_cursor(&a))
            .transpose()
            .gql()?;
        let db = db(ctx).gql()?;
        let per_asset: Vec<(String, i64)> =
            sums_by_key(db, scope.env.id, rollup, &scope.range.cover())
                .await
                .gql()?
                .into_iter()
                .collect();
        let mut totals: BTreeMap<Option<String>, i64> = BTreeMap::new();
        for chunk in per_asset.chunks(ASSET_CHUNK) {
            let ids: Vec<String> = chunk.iter().map(|(id, _)| id.clone()).collect();
            let assets: HashMap<String, asset::Model> =
                by_ids::<asset::Entity>(db, scope.env.id, &ids)
                    .await
                    .map_err(AppError::from)
                    .gql()?
                    .into_iter()
                    .map(|a| (a.id.clone(), a))
                    .collect();
            for (id, count) in chunk {
                let values = values_of(assets.get(id), &by, &name);
                if values.is_empty() {
                    *totals.entry(None).or_insert(0) += count;
                }
                for v in values {
                    *totals.entry(Some(v)).or_insert(0) += count;
                }
            }
        }
        let mut rows: Vec<(Option<String>, i64)> =
            totals.into_iter().filter(|(_, n)| *n != 0).collect();
        rows.sort_by(rank_order);
        let total = rows.len() as u64;
        let count_sum = rows.iter().map(|(_, n)| n).sum();
        if let Some((count, value)) = after {
            let pivot = (value, count);
            rows.retain(|r| rank_order(&pivot, r) == std::cmp::Ordering::Less);
        }
        let has_next = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let edges: Vec<BreakdownEdge> = rows
            .into_iter()
            .map(|(value, count)| BreakdownEdge {
                cursor: breakdown_cursor(count, &value),
                node: BreakdownValue { value },
                count,
            })
            .collect();
        Ok(BreakdownConnection {
            page_info: PageInfo {
                has_previous_page: after_given,
                has_next_page: has_next,
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
            total_count: total,
            count_sum,
        })
    }

    /// Exactly the events a metric counted over a range, newest first: the drilldown from
    /// any count to the rows behind it (for downloads, the non-bulk downloads unless
    /// `includeBulk`). Needs reports:read.
    /// CSV: GET /v1/exports/metric-events.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&metric=<MetricName>&includeBulk=false
    /// Raw events older than the environment's retention are deleted
    /// (`viewer.environment.eventsDeletedBefore`): this list no longer holds them, while
    /// the counts and `totalCount` still count them.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The metric whose events to list.")] metric: MetricName,
        #[graphql(desc = "The days to cover.")] range: DateRange,
        #[graphql(
            default = false,
            desc = "With metric DOWNLOADS: list bulk downloads too."
        )]
        include_bulk: bool,
        #[graphql(desc = "Events per page: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<EventConnection> {
        let scope = Self::scoped(ctx, &range, ComparisonPeriod::PreviousPeriod)?;
        metric_events(
            ctx,
            &scope.env,
            metric.name(),
            include_bulk,
            &scope.range,
            first,
            after,
        )
        .await
    }
}
