//! The sections of the monthly report, each with its ranked lists and trends.
use super::IntoGql;
use super::context::db;
use super::loaders::{AssetLoader, CollectionLoader, UserLoader, load_many};
use super::month::{Month, TrendPoint};
use super::monthly::{ReportScope, rank_cursor, ranked_page_info};
use super::nodes::{Asset, Collection, User};
use crate::analytics::ranking::{self, Ranked, RankedRow};
use crate::analytics::rollups::m;
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object, Result, SimpleObject};
use std::collections::HashMap;
use std::sync::Arc;

crate::ranked_connection_type!(EngagedUserConnection, EngagedUserEdge, User, "the most engaged users", {
    /// searches + downloads + uploads in the month.
    total: i64,
    /// search.performed events of the user.
    searches: i64,
    /// asset.downloaded events of the user, bulk included (as in activeUsers).
    downloads: i64,
    /// asset.uploaded events of the user.
    uploads: i64,
});
crate::ranked_connection_type!(
    SearchQueryConnection,
    SearchQueryEdge,
    SearchQueryCount,
    "search queries",
    {}
);
crate::ranked_connection_type!(
    FilterValueConnection,
    FilterValueEdge,
    FilterValueCount,
    "search filter values",
    {}
);
crate::ranked_connection_type!(
    ExpressionConnection,
    ExpressionEdge,
    ExpressionCount,
    "search expressions",
    {}
);
crate::ranked_connection_type!(ReferenceImageConnection, ReferenceImageEdge, Asset, "reference images of visual similarity searches", {
    /// VISUAL_SIMILARITY searches that used this asset as their reference image.
    searches: i64,
});
crate::ranked_connection_type!(DownloadedAssetConnection, DownloadedAssetEdge, Asset, "the most downloaded assets", {
    /// Non-bulk asset.downloaded events of the asset.
    downloads: i64,
    /// Distinct users among them.
    users: i64,
});
crate::ranked_connection_type!(CollectionViewsConnection, CollectionViewsEdge, Collection, "the most viewed public collections", {
    /// collection.viewed events through the public link.
    views: i64,
});
crate::ranked_connection_type!(CollectionDownloadsConnection, CollectionDownloadsEdge, Collection, "the most downloaded public collections", {
    /// collection.downloaded events (downloads from the public collection).
    downloads: i64,
});
crate::ranked_connection_type!(CollectionCreatorConnection, CollectionCreatorEdge, User, "the users who created the most collections", {
    /// collection.created events of the user.
    collections_created: i64,
});

/// A normalised search query (trimmed, lower-cased, inner whitespace collapsed).
#[derive(SimpleObject)]
pub struct SearchQueryCount {
    /// The normalised query.
    pub query: String,
    /// Searches with this query in the period.
    pub count: i64,
    /// Distinct users who searched for it.
    pub users: i64,
}

/// A (field, value) pair set in the filters of searches.
#[derive(SimpleObject)]
pub struct FilterValueCount {
    /// The filtered field, e.g. "Region".
    pub field: String,
    /// The value chosen, e.g. "EMEA".
    pub value: String,
    /// Searches, of any kind, that set it.
    pub count: i64,
}

/// A normalised search expression.
#[derive(SimpleObject)]
pub struct ExpressionCount {
    /// The normalised expression.
    pub expression: String,
    /// EXPRESSION searches with it in the month.
    pub count: i64,
}

/// Loads the entities a ranked page names, in its order (rows whose entity is missing
/// are left out; ingest always makes at least a placeholder).
async fn ranked_entities<L>(
    ctx: &Context<'_>,
    ranked: &Ranked,
) -> Result<Vec<(String, L::Value, RankedRow)>>
where
    L: Loader<String, Error = Arc<crate::error::AppError>>,
{
    let keys: Vec<String> = ranked.rows.iter().map(|r| r.key.clone()).collect();
    let mut found = load_many::<L>(ctx, keys).await?;
    Ok(ranked
        .rows
        .iter()
        .filter_map(|row| {
            found
                .remove(&row.key)
                .map(|v| (rank_cursor(row), v, row.clone()))
        })
        .collect())
}

/// Per key of a ranked page: the key's count in `metric` (sub ''), or with `distinct`
/// the number of its distinct subs (e.g. the users of a query).
async fn per_key(
    ctx: &Context<'_>,
    scope: &ReportScope,
    metric: &str,
    ranked: &Ranked,
    distinct: bool,
) -> Result<HashMap<String, i64>> {
    let keys: Vec<String> = ranked.rows.iter().map(|r| r.key.clone()).collect();
    let (db, env, period) = (db(ctx).gql()?, scope.environment_id, scope.period());
    if distinct {
        ranking::distinct_subs(db, env, metric, &period, &keys).await
    } else {
        ranking::counts(db, env, metric, &period, &keys).await
    }
    .gql()
}

pub(super) async fn query_counts(
    ctx: &Context<'_>,
    scope: &ReportScope,
    metric: &str,
    users_metric: &str,
    first: Option<i32>,
    after: Option<String>,
) -> Result<SearchQueryConnection> {
    let (ranked, after_given) = scope.ranked(ctx, metric, first, after).await?;
    let users = per_key(ctx, scope, users_metric, &ranked, true).await?;
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

fn get(map: &HashMap<String, i64>, key: &str) -> i64 {
    map.get(key).copied().unwrap_or(0)
}

/// Who uses the Media Library, and how much.
pub struct EngagementReport(pub ReportScope);

#[Object]
/// Who uses the Media Library, and how much.
impl EngagementReport {
    /// The most engaged users: actions = searches + downloads (bulk included) + uploads,
    /// highest first, ties by user id.
    /// CSV: GET /v1/exports/top-engaged-users.csv?month=YYYY-MM
    async fn top_users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<EngagedUserConnection> {
        let (ranked, after_given) = self.0.ranked(ctx, m::ACTIVE_USER, first, after).await?;
        let searches = per_key(ctx, &self.0, m::SEARCHER, &ranked, false).await?;
        let downloads = per_key(ctx, &self.0, m::USER_DOWNLOADS, &ranked, false).await?;
        let uploads = per_key(ctx, &self.0, m::USER_UPLOADS, &ranked, false).await?;
        let edges = ranked_entities::<UserLoader>(ctx, &ranked)
            .await?
            .into_iter()
            .map(|(cursor, user, row)| EngagedUserEdge {
                cursor,
                total: row.count,
                searches: get(&searches, &row.key),
                downloads: get(&downloads, &row.key),
                uploads: get(&uploads, &row.key),
                node: User(user),
            })
            .collect();
        Ok(EngagedUserConnection {
            edges,
            page_info: ranked_page_info(&ranked, after_given),
            total_count: ranked.total,
            count_sum: ranked.sum,
        })
    }
    /// activeUsers per month: distinct users with at least one search, download (bulk
    /// included) or upload; the 12 months ending with the listed one.
    /// CSV: GET /v1/exports/active-users-trend.csv?month=YYYY-MM
    async fn active_users_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::ACTIVE_USER, true).await
    }
    /// activeSessions per month: distinct non-null sessionId among events of users; the
    /// 12 months ending with the listed one.
    /// CSV: GET /v1/exports/active-sessions-trend.csv?month=YYYY-MM
    async fn active_sessions_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::ACTIVE_SESSION, true).await
    }
}

/// What people search for and how.
pub struct SearchReport(pub ReportScope);

#[Object]
/// What people search for and how.
impl SearchReport {
    /// The `query` of TEXT searches, normalised (trimmed, lower-cased, inner whitespace
    /// collapsed), by number of searches, with the number of distinct users.
    /// CSV: GET /v1/exports/top-search-queries.csv?month=YYYY-MM
    async fn top_queries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<SearchQueryConnection> {
        query_counts(ctx, &self.0, m::QUERY, m::QUERY_USER, first, after).await
    }
    /// Every (field, value) pair in the filters of any search, whatever its kind, by
    /// number of searches that set it.
    /// CSV: GET /v1/exports/top-filter-values.csv?month=YYYY-MM
    async fn top_filter_values(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<FilterValueConnection> {
        let (ranked, after_given) = self.0.ranked(ctx, m::FILTER, first, after).await?;
        Ok(FilterValueConnection {
            page_info: ranked_page_info(&ranked, after_given),
            total_count: ranked.total,
            count_sum: ranked.sum,
            edges: ranked
                .rows
                .iter()
                .map(|row| FilterValueEdge {
                    cursor: rank_cursor(row),
                    node: FilterValueCount {
                        field: row.key.clone(),
                        value: row.sub.clone(),
                        count: row.count,
                    },
                })
                .collect(),
        })
    }
    /// The `expression` of EXPRESSION searches, normalised like queries, by number of
    /// searches.
    /// CSV: GET /v1/exports/top-expressions.csv?month=YYYY-MM
    async fn top_expressions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<ExpressionConnection> {
        let (ranked, after_given) = self.0.ranked(ctx, m::EXPRESSION, first, after).await?;
        Ok(ExpressionConnection {
            page_info: ranked_page_info(&ranked, after_given),
            total_count: ranked.total,
            count_sum: ranked.sum,
            edges: ranked
                .rows
                .iter()
                .map(|row| ExpressionEdge {
                    cursor: rank_cursor(row),
                    node: ExpressionCount {
                        expression: row.key.clone(),
                        count: row.count,
                    },
                })
                .collect(),
        })
    }
    /// searches per month: search.performed events of every kind, repeats included.
    /// CSV: GET /v1/exports/searches-trend.csv?month=YYYY-MM
    async fn searches_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::SEARCHES, false).await
    }
    /// usersWhoSearched per month: distinct userId among search.performed events.
    /// CSV: GET /v1/exports/users-who-searched-trend.csv?month=YYYY-MM
    async fn users_who_searched_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::SEARCHER, true).await
    }
    /// Visual search: reference images and visual-text queries.
    async fn visual(&self) -> VisualSearchReport {
        VisualSearchReport(self.0)
    }
    /// Search effectiveness: searches that found nothing, and searches followed by a
    /// view or download, with month-over-month change and 12-month trends.
    async fn effectiveness(&self) -> super::search_effectiveness::SearchEffectiveness {
        super::search_effectiveness::SearchEffectiveness(self.0)
    }
}

/// Visual search: what images people search by, and what they describe.
pub struct VisualSearchReport(pub ReportScope);

#[Object]
/// Visual search: what images people search by, and what they describe.
impl VisualSearchReport {
    /// The reference images (referenceAssetId) of VISUAL_SIMILARITY searches, by number
    /// of searches.
    /// CSV: GET /v1/exports/top-reference-images.csv?month=YYYY-MM
    async fn top_reference_images(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<ReferenceImageConnection> {
        let (ranked, after_given) = self
            .0
            .ranked(ctx, m::VISUAL_REFERENCE, first, after)
            .await?;
        let edges = ranked_entities::<AssetLoader>(ctx, &ranked)
            .await?
            .into_iter()
            .map(|(cursor, asset, row)| ReferenceImageEdge {
                cursor,
                searches: row.count,
                node: Asset(asset),
            })
            .collect();
        Ok(ReferenceImageConnection {
            edges,
            page_info: ranked_page_info(&ranked, after_given),
            total_count: ranked.total,
            count_sum: ranked.sum,
        })
    }
    /// The `query` of VISUAL_TEXT searches, normalised, by number of searches, with the
    /// number of distinct users.
    /// CSV: GET /v1/exports/top-visual-text-queries.csv?month=YYYY-MM
    async fn top_text_queries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<SearchQueryConnection> {
        query_counts(
            ctx,
            &self.0,
            m::VISUAL_TEXT,
            m::VISUAL_TEXT_USER,
            first,
            after,
        )
        .await
    }
}

/// What is downloaded, and by how many.
pub struct DownloadsReport(pub ReportScope);

#[Object]
/// What is downloaded, and by how many.
impl DownloadsReport {
    /// Assets by non-bulk downloads (each asset delivered counts once, originals and
    /// derivatives alike), with the number of distinct users who downloaded them.
    /// CSV: GET /v1/exports/top-downloaded-assets.csv?month=YYYY-MM
    async fn top_assets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<DownloadedAssetConnection> {
        let (ranked, after_given) = self.0.ranked(ctx, m::DOWNLOAD_ASSET, first, after).await?;
        let users = per_key(ctx, &self.0, m::DOWNLOAD_ASSET_USER, &ranked, true).await?;
        let assets = ranked_entities::<AssetLoader>(ctx, &ranked).await?;
        if ctx
            .look_ahead()
            .field("edges")
            .field("node")
            .field("uploader")
            .exists()
        {
            // One batch for every uploader of the page, cached for the nodes' own fields.
            let uploaders = assets
                .iter()
                .filter_map(|(_, a, _)| a.uploaded_by.clone())
                .collect();
            load_many::<UserLoader>(ctx, uploaders).await?;
        }
        let edges = assets
            .into_iter()
            .map(|(cursor, asset, row)| DownloadedAssetEdge {
                cursor,
                downloads: row.count,
                users: get(&users, &row.key),
                node: Asset(asset),
            })
            .collect();
        Ok(DownloadedAssetConnection {
            edges,
            page_info: ranked_page_info(&ranked, after_given),
            total_count: ranked.total,
            count_sum: ranked.sum,
        })
    }
    /// uniqueAssetsDownloaded per month: distinct assetId among non-bulk downloads.
    /// CSV: GET /v1/exports/unique-assets-downloaded-trend.csv?month=YYYY-MM
    async fn unique_assets_downloaded_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::DOWNLOAD_ASSET, true).await
    }
    /// downloads per month: asset.downloaded events with bulk = false.
    /// CSV: GET /v1/exports/downloads-trend.csv?month=YYYY-MM
    async fn downloads_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::DOWNLOADS, false).await
    }
    /// usersWhoDownloaded per month: distinct userId among non-bulk downloads.
    /// CSV: GET /v1/exports/users-who-downloaded-trend.csv?month=YYYY-MM
    async fn users_who_downloaded_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::DOWNLOADER, true).await
    }
}

/// One month of public collection downloads, split by variant.
#[derive(SimpleObject)]
pub struct CollectionDownloadsPoint {
    /// The month.
    pub month: Month,
    /// collection.downloaded events of the original file.
    pub original: i64,
    /// collection.downloaded events of a transformed file (a preset).
    pub transformed: i64,
    /// original + transformed.
    pub total: i64,
}

/// How public collections are viewed and downloaded, and who creates collections.
pub struct CollectionsReport(pub ReportScope);

#[Object]
/// How public collections are viewed and downloaded, and who creates collections.
impl CollectionsReport {
    /// Public collections by views through the public link (collection.viewed with
    /// viaPublicLink = true; anonymous viewers included).
    /// CSV: GET /v1/exports/top-viewed-public-collections.csv?month=YYYY-MM
    async fn top_viewed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<CollectionViewsConnection> {
        let (ranked, after_given) = self.0.ranked(ctx, m::PUBLIC_VIEW, first, after).await?;
        let edges = ranked_entities::<CollectionLoader>(ctx, &ranked)
            .await?
            .into_iter()
            .map(|(cursor, c, row)| CollectionViewsEdge {
                cursor,
                views: row.count,
                node: Collection(c),
            })
            .collect();
        Ok(CollectionViewsConnection {
            edges,
            page_info: ranked_page_info(&ranked, after_given),
            total_count: ranked.total,
            count_sum: ranked.sum,
        })
    }
    /// Public collections by downloads from them (collection.downloaded).
    /// CSV: GET /v1/exports/top-downloaded-public-collections.csv?month=YYYY-MM
    async fn top_downloaded(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<CollectionDownloadsConnection> {
        let (ranked, after_given) = self.0.ranked(ctx, m::PUBLIC_DOWNLOAD, first, after).await?;
        let edges = ranked_entities::<CollectionLoader>(ctx, &ranked)
            .await?
            .into_iter()
            .map(|(cursor, c, row)| CollectionDownloadsEdge {
                cursor,
                downloads: row.count,
                node: Collection(c),
            })
            .collect();
        Ok(CollectionDownloadsConnection {
            edges,
            page_info: ranked_page_info(&ranked, after_given),
            total_count: ranked.total,
            count_sum: ranked.sum,
        })
    }
    /// Users by collections created (collection.created).
    /// CSV: GET /v1/exports/top-collection-creators.csv?month=YYYY-MM
    async fn top_creators(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<CollectionCreatorConnection> {
        let (ranked, after_given) = self.0.ranked(ctx, m::CREATOR, first, after).await?;
        let edges = ranked_entities::<UserLoader>(ctx, &ranked)
            .await?
            .into_iter()
            .map(|(cursor, u, row)| CollectionCreatorEdge {
                cursor,
                collections_created: row.count,
                node: User(u),
            })
            .collect();
        Ok(CollectionCreatorConnection {
            edges,
            page_info: ranked_page_info(&ranked, after_given),
            total_count: ranked.total,
            count_sum: ranked.sum,
        })
    }
    /// collectionsViewed per month: collection.viewed events with viaPublicLink = true.
    /// CSV: GET /v1/exports/public-collection-views-trend.csv?month=YYYY-MM
    async fn views_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::COLLECTIONS_VIEWED, false).await
    }
    /// publicCollectionDownloads per month: collection.downloaded events, split ORIGINAL /
    /// TRANSFORMED.
    /// CSV: GET /v1/exports/public-collection-downloads-trend.csv?month=YYYY-MM
    async fn downloads_trend(&self, ctx: &Context<'_>) -> Result<Vec<CollectionDownloadsPoint>> {
        let months = self.0.month.ending(12);
        let periods: Vec<String> = months.iter().map(ToString::to_string).collect();
        let values = ranking::by_key(
            db(ctx).gql()?,
            self.0.environment_id,
            m::PUBLIC_DOWNLOAD_VARIANT,
            &periods,
        )
        .await
        .gql()?;
        Ok(months
            .into_iter()
            .zip(periods)
            .map(|(month, period)| {
                let original = values
                    .get(&(period.clone(), "ORIGINAL".into()))
                    .copied()
                    .unwrap_or(0);
                let transformed = values
                    .get(&(period, "TRANSFORMED".into()))
                    .copied()
                    .unwrap_or(0);
                CollectionDownloadsPoint {
                    month: month.into(),
                    original,
                    transformed,
                    total: original + transformed,
                }
            })
            .collect())
    }
    /// collectionsCreated per month: collection.created events.
    /// CSV: GET /v1/exports/collections-created-trend.csv?month=YYYY-MM
    async fn collections_created_trend(&self, ctx: &Context<'_>) -> Result<Vec<TrendPoint>> {
        self.0.trend(ctx, m::COLLECTIONS_CREATED, false).await
    }
}
