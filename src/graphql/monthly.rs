//! `monthlyReport(month:)`: the Assets Reports — summary and the Engagement, Search,
//! Downloads and Collections reports — read from rollups.
use super::IntoGql;
use super::context::{caller, db};
use super::month::{MetricValue, Month, TrendPoint};
use super::monthly_lists::{CollectionsReport, DownloadsReport, EngagementReport, SearchReport};
use crate::analytics::ranking::{self, RankedRow};
use crate::analytics::rollups::m;
use crate::analytics::time::YearMonth;
use crate::error::AppError;
use crate::storage::keys::Scope;
use async_graphql::connection::PageInfo;
use async_graphql::{Context, Object, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Default)]
pub struct MonthlyQuery;

/// Which environment and month a report section is about.
#[derive(Clone, Copy)]
pub struct ReportScope {
    pub environment_id: i64,
    pub month: YearMonth,
}

impl ReportScope {
    pub fn period(&self) -> String {
        self.month.to_string()
    }

    /// A metric per period: its rows' number when `distinct`, else its total row.
    async fn values(
        &self,
        ctx: &Context<'_>,
        metric: &str,
        distinct: bool,
        periods: &[String],
    ) -> Result<std::collections::HashMap<String, i64>> {
        let db = db(ctx).gql()?;
        if distinct {
            ranking::distinct(db, self.environment_id, metric, periods).await
        } else {
            ranking::totals(db, self.environment_id, metric, periods).await
        }
        .gql()
    }

    /// A trend: the 12 months ending with the listed one, oldest first, zero-filled.
    /// `distinct` counts a metric's rows; otherwise its total row is read.
    pub async fn trend(
        &self,
        ctx: &Context<'_>,
        metric: &str,
        distinct: bool,
    ) -> Result<Vec<TrendPoint>> {
        let months = self.month.ending(12);
        let periods: Vec<String> = months.iter().map(ToString::to_string).collect();
        let values = self.values(ctx, metric, distinct, &periods).await?;
        Ok(months
            .into_iter()
            .zip(periods)
            .map(|(month, period)| TrendPoint {
                month: month.into(),
                value: values.get(&period).copied().unwrap_or(0),
            })
            .collect())
    }

    pub async fn month_over_month(
        &self,
        ctx: &Context<'_>,
        metric: &str,
        distinct: bool,
    ) -> Result<MetricValue> {
        let periods = [
            self.month.to_string(),
            self.month.previous().to_string(),
            self.month.year_earlier().to_string(),
        ];
        let values = self.values(ctx, metric, distinct, &periods).await?;
        let get = |p: &String| values.get(p).copied().unwrap_or(0);
        Ok(MetricValue::new(
            get(&periods[0]),
            get(&periods[1]),
            get(&periods[2]),
        ))
    }

    /// A page of the ranking of `metric` in the listed month.
    pub async fn ranked(
        &self,
        ctx: &Context<'_>,
        metric: &str,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<(ranking::Ranked, bool)> {
        let first = super::ids::page_size(first).gql()?;
        let after_given = after.is_some();
        let after = after.map(|a| parse_rank_cursor(&a)).transpose().gql()?;
        let ranked = ranking::top(
            db(ctx).gql()?,
            self.environment_id,
            metric,
            &self.period(),
            after,
            first,
            ctx.look_ahead().field("countSum").exists(),
        )
        .await
        .gql()?;
        Ok((ranked, after_given))
    }
}

/// The cursor of a ranked row: its count and keys, so the next page starts right after it.
pub fn rank_cursor(row: &RankedRow) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!([row.count, row.key, row.sub]).to_string())
}

pub fn parse_rank_cursor(cursor: &str) -> Result<RankedRow, AppError> {
    let bad = || {
        AppError::BadUserInput(format!(
            "{} is not a cursor of this list: pass an `endCursor` or edge `cursor` this list returned",
            crate::graphql::ids::quoted(cursor)
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    match value.as_array().map(Vec::as_slice) {
        Some([count, key, sub]) => Ok(RankedRow {
            count: count.as_i64().ok_or_else(bad)?,
            key: key.as_str().ok_or_else(bad)?.to_owned(),
            sub: sub.as_str().ok_or_else(bad)?.to_owned(),
        }),
        _ => Err(bad()),
    }
}

/// The Relay page info of a ranked page.
pub fn ranked_page_info(ranked: &ranking::Ranked, after_given: bool) -> PageInfo {
    super::connection::page_info(
        after_given,
        ranked.has_next,
        ranked.rows.first().map(rank_cursor),
        ranked.rows.last().map(rank_cursor),
    )
}

/// The Assets Reports for one month: a summary with month-over-month change and the
/// Engagement, Search, Downloads and Collections reports.
pub struct MonthlyReport(ReportScope);

#[Object]
/// The Assets Reports for one month: a summary with month-over-month change and the
/// Engagement, Search, Downloads and Collections reports.
impl MonthlyReport {
    /// The listed month.
    async fn month(&self) -> Month {
        self.0.month.into()
    }
    /// The month's headline figures, each against the month before and the same month a
    /// year earlier.
    async fn summary(&self) -> Summary {
        Summary::new(self.0)
    }
    /// Who uses the Media Library, and how much.
    async fn engagement(&self) -> EngagementReport {
        EngagementReport(self.0)
    }
    /// What people search for and how.
    async fn search(&self) -> SearchReport {
        SearchReport(self.0)
    }
    /// What is downloaded, and by how many.
    async fn downloads(&self) -> DownloadsReport {
        DownloadsReport(self.0)
    }
    /// How public collections are viewed and downloaded, and who creates collections.
    async fn collections(&self) -> CollectionsReport {
        CollectionsReport(self.0)
    }
}

/// The month's headline figures, each against the month before and the same month a
/// year earlier.
pub struct Summary {
    scope: ReportScope,
    /// Every figure of the summary, read in one statement by the first field asked.
    values: tokio::sync::OnceCell<std::collections::HashMap<(String, String), i64>>,
}

impl Summary {
    pub fn new(scope: ReportScope) -> Self {
        Summary {
            scope,
            values: tokio::sync::OnceCell::new(),
        }
    }

    /// `metric`'s value this month, the month before and a year earlier.
    async fn value(&self, ctx: &Context<'_>, metric: &str) -> Result<MetricValue> {
        let month = self.scope.month;
        let periods = [
            month.to_string(),
            month.previous().to_string(),
            month.year_earlier().to_string(),
        ];
        let values = self
            .values
            .get_or_try_init(|| async {
                ranking::summary(db(ctx).gql()?, self.scope.environment_id, &periods)
                    .await
                    .gql()
            })
            .await?;
        let get = |p: &String| {
            values
                .get(&(metric.to_owned(), p.clone()))
                .copied()
                .unwrap_or(0)
        };
        Ok(MetricValue::new(
            get(&periods[0]),
            get(&periods[1]),
            get(&periods[2]),
        ))
    }
}

#[Object]
/// The month's headline figures, each against the month before and the same month a
/// year earlier.
impl Summary {
    /// activeUsers: distinct users with at least one search, download (bulk included) or
    /// upload in the month.
    async fn active_users(&self, ctx: &Context<'_>) -> Result<MetricValue> {
        self.value(ctx, m::ACTIVE_USER).await
    }
    /// uploads: asset.uploaded events; every asset counts once, whatever its source (mass
    /// uploader and API included).
    async fn uploads(&self, ctx: &Context<'_>) -> Result<MetricValue> {
        self.value(ctx, m::UPLOADS).await
    }
    /// searches: search.performed events of every kind (text, filters, expressions,
    /// visual search), repeats included.
    async fn searches(&self, ctx: &Context<'_>) -> Result<MetricValue> {
        self.value(ctx, m::SEARCHES).await
    }
    /// downloads: asset.downloaded events with bulk = false; each asset delivered counts
    /// once, originals and derivatives alike. Bulk (folder/zip) downloads are not counted.
    async fn downloads(&self, ctx: &Context<'_>) -> Result<MetricValue> {
        self.value(ctx, m::DOWNLOADS).await
    }
    /// collectionsViewed: collection.viewed events with viaPublicLink = true, i.e. views
    /// of publicly shared collections; internal views are not counted.
    async fn collections_viewed(&self, ctx: &Context<'_>) -> Result<MetricValue> {
        self.value(ctx, m::COLLECTIONS_VIEWED).await
    }
}

#[Object]
impl MonthlyQuery {
    /// The Assets Reports of a month (in the environment's time zone). Needs reports:read.
    async fn monthly_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The listed month, `YYYY-MM`.")] month: Month,
    ) -> Result<MonthlyReport> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        let month = month.get().gql()?;
        Ok(MonthlyReport(ReportScope {
            environment_id: caller.environment.id,
            month,
        }))
    }
}
