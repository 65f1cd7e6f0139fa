//! Search effectiveness (PRODUCT.md, "Search effectiveness"): searches that found nothing
//! and searches that led to a view or download, in the monthly search report and over
//! any date range. Read from rollups.
use super::IntoGql;
use super::context::db;
use super::insights::{RangeMetric, Scoped};
use super::month::{MetricValue, RateTrendPoint, RateValue, TrendPoint};
use super::monthly::{ReportScope, parse_rank_cursor, rank_cursor, ranked_page_info};
use super::monthly_lists::{
    SearchQueryConnection, SearchQueryCount, SearchQueryEdge, query_counts,
};
use crate::analytics::insights::for_keys;
use crate::analytics::ranking;
use crate::analytics::rollups::m;
use crate::analytics::search::{SearchRate, rate, rate_per_period};
use async_graphql::{Context, Object, Result};

/// Search effectiveness in one month, each value against the month before, with trends
/// of the 12 months ending with it.
pub struct SearchEffectiveness(pub ReportScope);

impl SearchEffectiveness {
    async fn rate(&self, ctx: &Context<'_>, which: SearchRate) -> Result<RateValue> {
        let periods = [
            self.0.month.to_string(),
            self.0.month.previous().to_string(),
        ];
        let values = rate_per_period(db(ctx).gql()?, self.0.environment_id, which, &periods)
            .await
            .gql()?;
        Ok(RateValue::new(values[0], values[1]))
    }

    async fn rate_trend(
        &self,
        ctx: &Context<'_>,
        which: SearchRate,
    ) -> Result<Vec<RateTrendPoint>> {
        let months = self.0.month.ending(12);
        let periods: Vec<String> = months.iter().map(ToString::to_string).collect();
        let values = rate_per_period(db(ctx).gql()?, self.0.environment_id, which, &periods)
            .await
            .gql()?;
        Ok(months
            .into_iter()
            .zip(values)
            .map(|(month, value)| RateTrendPoint {
                month: month.into(),
                value,
            })
            .collect())
    }
}

#[Object]
/// Search effectiveness in one month, each value against the month before, with trends
/// of the 12 months ending with it.
impl SearchEffectiveness {
    /// searchesWithResultCount: search.performed events that carry resultCount.
    async fn searches_with_result_count(&self, ctx: &Context<'_>) -> Result<MetricValue> {
        self.0
            .month_over_month(ctx, m::SEARCHES_WITH_RESULT_COUNT, false)
            .await
    }
    /// zeroResultSearches: search.performed events with resultCount = 0.
    async fn zero_result_searches(&self, ctx: &Context<'_>) -> Result<MetricValue> {
        self.0
            .month_over_month(ctx, m::ZERO_RESULT_SEARCHES, false)
            .await
    }
    /// zeroResultRate: zeroResultSearches / searchesWithResultCount × 100; null when the
    /// latter is 0. Searches without resultCount are in neither. The change is in
    /// percentage points.
    async fn zero_result_rate(&self, ctx: &Context<'_>) -> Result<RateValue> {
        self.rate(ctx, SearchRate::ZeroResult).await
    }
    /// convertedSearches: searches with a userId that the same user follows — strictly
    /// after the search, at most 30 minutes after it (30:00.000 included), and strictly
    /// before their own next search — with an asset.viewed or asset.downloaded (bulk
    /// included). Counted once per search, in the month of the search; late events
    /// re-evaluate it (a late search can take a conversion from an earlier one, so a past
    /// month's figure can go down).
    async fn converted_searches(&self, ctx: &Context<'_>) -> Result<MetricValue> {
        self.0
            .month_over_month(ctx, m::CONVERTED_SEARCH, true)
            .await
    }
    /// searchConversionRate: convertedSearches / searches by known users (with a userId)
    /// × 100; null when there are none. The change is in percentage points.
    async fn search_conversion_rate(&self, ctx: &Context<'_>) -> Result<RateValue> {
        self.rate(ctx, SearchRate::Conversion).await
    }
    /// topZeroResultQueries: one list of the normalised (trimmed, lower-cased, inner
    /// whitespace collapsed) `query` of TEXT and VISUAL_TEXT searches with resultCount =
    /// 0, anonymous ones included, each with its count and distinct users, by count
    /// descending then query: words users look for that the library does not hold.
    /// CSV: GET /v1/exports/top-zero-result-queries.csv?month=YYYY-MM
    async fn top_zero_result_queries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<SearchQueryConnection> {
        query_counts(
            ctx,
            &self.0,
            m::ZERO_RESULT_QUERY,
            m::ZERO_RESULT_QUERY_USER,
            first,
            after,
        )
        .await
    }
    /// searchesWithResultCount per month, the 12 months ending with the listed one.
    /// CSV: GET /v1/exports/searches-with-result-count-trend.csv?month=YYYY-MM
    async fn searches_with_result_count_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0
            .trend(ctx, m::SEARCHES_WITH_RESULT_COUNT, false)
            .await
    }
    /// zeroResultSearches per month, the 12 months ending with the listed one.
    /// CSV: GET /v1/exports/zero-result-searches-trend.csv?month=YYYY-MM
    async fn zero_result_searches_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::ZERO_RESULT_SEARCHES, false).await
    }
    /// zeroResultRate per month (null where no search carried resultCount), the 12
    /// months ending with the listed one.
    /// CSV: GET /v1/exports/zero-result-rate-trend.csv?month=YYYY-MM
    async fn zero_result_rate_trend(&self, ctx: &Context<'_>) -> Result<Vec<RateTrendPoint>> {
        self.rate_trend(ctx, SearchRate::ZeroResult).await
    }
    /// convertedSearches per month, the 12 months ending with the listed one.
    /// CSV: GET /v1/exports/converted-searches-trend.csv?month=YYYY-MM
    async fn converted_searches_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::CONVERTED_SEARCH, true).await
    }
    /// searchConversionRate per month (null where no known user searched), the 12
    /// months ending with the listed one.
    /// CSV: GET /v1/exports/search-conversion-rate-trend.csv?month=YYYY-MM
    async fn search_conversion_rate_trend(&self, ctx: &Context<'_>) -> Result<Vec<RateTrendPoint>> {
        self.rate_trend(ctx, SearchRate::Conversion).await
    }
}

/// Search effectiveness over a date range, each value against the comparison period.
pub struct SearchInsights(pub(super) Scoped);

impl SearchInsights {
    async fn rate(&self, ctx: &Context<'_>, which: SearchRate) -> Result<RateValue> {
        let db = db(ctx).gql()?;
        let env = self.0.env.id;
        let current = rate(db, env, which, &self.0.range.cover()).await.gql()?;
        let previous = rate(db, env, which, &self.0.compared().cover())
            .await
            .gql()?;
        Ok(RateValue::new(current, previous))
    }
}

#[Object]
/// Search effectiveness over a date range, each value against the comparison period.
impl SearchInsights {
    /// searchesWithResultCount: search.performed events that carry resultCount.
    async fn searches_with_result_count(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "searchesWithResultCount", false).await
    }
    /// zeroResultSearches: search.performed events with resultCount = 0.
    async fn zero_result_searches(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "zeroResultSearches", false).await
    }
    /// zeroResultRate: zeroResultSearches / searchesWithResultCount × 100; null when the
    /// latter is 0. Searches without resultCount are in neither. The change is in
    /// percentage points.
    async fn zero_result_rate(&self, ctx: &Context<'_>) -> Result<RateValue> {
        self.rate(ctx, SearchRate::ZeroResult).await
    }
    /// convertedSearches: searches with a userId that the same user follows — strictly
    /// after the search, at most 30 minutes after it (30:00.000 included), and strictly
    /// before their own next search — with an asset.viewed or asset.downloaded (bulk
    /// included). Counted once per search, on the day of the search; late events
    /// re-evaluate it (a late search can take a conversion from an earlier one). Its
    /// events are the converted searches.
    async fn converted_searches(&self, ctx: &Context<'_>) -> Result<RangeMetric> {
        self.0.metric(ctx, "convertedSearches", false).await
    }
    /// searchConversionRate: convertedSearches / searches by known users (with a userId)
    /// × 100; null when there are none. The change is in percentage points.
    async fn search_conversion_rate(&self, ctx: &Context<'_>) -> Result<RateValue> {
        self.rate(ctx, SearchRate::Conversion).await
    }
    /// topZeroResultQueries over the range: one list of the normalised `query` of TEXT
    /// and VISUAL_TEXT searches with resultCount = 0, anonymous ones included, each with
    /// its count and distinct users, by count descending then query.
    /// CSV: GET /v1/exports/zero-result-queries.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
    async fn top_zero_result_queries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<SearchQueryConnection> {
        let first = super::ids::page_size(first).gql()?;
        let after_given = after.is_some();
        let after = after.map(|a| parse_rank_cursor(&a)).transpose().gql()?;
        let db = db(ctx).gql()?;
        let (env, periods) = (self.0.env.id, self.0.range.cover());
        let ranked = ranking::top_over(
            db,
            env,
            m::ZERO_RESULT_QUERY,
            &periods,
            after,
            first,
            ctx.look_ahead().field("countSum").exists(),
        )
        .await
        .gql()?;
        let keys: Vec<String> = ranked.rows.iter().map(|r| r.key.clone()).collect();
        let users = for_keys(db, env, m::ZERO_RESULT_QUERY_USER, &periods, &keys, true)
            .await
            .gql()?;
        Ok(SearchQueryConnection {
            page_info: ranked_page_info(&ranked, after_given),
            total_count: ranked.total,
            count_sum: ranked.sum,
            edges: ranked
                .rows
                .iter()
                .map(|row| SearchQueryEdge {
                    cursor: rank_cursor(row),
                    node: SearchQueryCount {
                        query: row.key.clone(),
                        count: row.count,
                        users: users.get(&row.key).copied().unwrap_or(0),
                    },
                })
                .collect(),
        })
    }
}
