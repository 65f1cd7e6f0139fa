//! The DAM Admin Dashboard (seed 001): what the library holds now, and activity over
//! the last 7 or 30 days. Needs the `admin` scope.
use super::IntoGql;
use super::context::{caller, db, now};
use super::dashboard_figures::{
    AssetTypeCount, DashboardAssets, DashboardCollections, DashboardPortals, DashboardUsers,
    DayUploads, RoleCount,
};
use super::enums::AssetType;
use super::ids::{cursor, page_size, parse_cursor};
use super::loaders::{CollectionLoader, UserLoader, load_many};
use super::nodes::{Collection, User};
use super::range::DateRangeValue;
use crate::analytics::dashboard::{
    self as dash, UploadFilter, WindowPage, WindowRow, day_periods, window,
};
use crate::analytics::range::DayRange;
use crate::analytics::rollups::{dash::DASH_USER_ACTIONS, m};
use crate::error::AppError;
use crate::storage::dashboard::{self as store, Members};
use crate::storage::environments::Environment;
use crate::storage::keys::Scope;
use async_graphql::{Context, Enum, Object, Result};

/// The days a dashboard's activity figures cover, ending today in the environment's
/// time zone (today included).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DashboardWindow {
    /// The 7 calendar days ending today.
    #[graphql(name = "LAST_7_DAYS")]
    Last7Days,
    /// The 30 calendar days ending today.
    #[graphql(name = "LAST_30_DAYS")]
    Last30Days,
}

impl DashboardWindow {
    fn days(self) -> u64 {
        match self {
            DashboardWindow::Last7Days => 7,
            DashboardWindow::Last30Days => 30,
        }
    }
}

/// Who uploaded: through the API, or a user of the DAM (web upload, external or mass
/// uploader).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadOrigin {
    /// Uploads with source API.
    Api,
    /// Uploads with any other source: WEB, EXTERNAL_UPLOADER, MASS_UPLOADER.
    User,
}

#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// The DAM Admin Dashboard: assets, users, collections and live portals as they are
    /// now, and activity (top viewed collections, most active users) over the window.
    /// Needs the admin scope.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days the activity figures cover, ending today.")]
        window: DashboardWindow,
    ) -> Result<Dashboard> {
        let env = caller(ctx, Scope::Admin).gql()?.environment.clone();
        let range = self::window(now(ctx), env.time_zone, window.days());
        Ok(Dashboard { env, window, range })
    }
}

pub struct Dashboard {
    env: Environment,
    window: DashboardWindow,
    range: DayRange,
}

crate::ranked_connection_type!(DashboardCollectionConnection, DashboardCollectionEdge, Collection, "the dashboard's collections by views in the window: those viewed, then every other published collection", {
    /// Every collection.viewed event of the collection in the window, through the public
    /// link or not, anonymous or not (each event is one view: opening the collection);
    /// 0 for a published collection nobody viewed.
    views: i64,
});
crate::ranked_connection_type!(ActiveUserConnection, ActiveUserEdge, User, "the dashboard's users by actions in the window: those who acted, then every other user", {
    /// Events of the window that the user made: every event whose actor is the user. The
    /// actor is the event's `userId`, except on user.created, user.updated and
    /// user.deleted, whose `userId` is the user changed: those count for the admin in
    /// `byUserId` (for nobody without it). A login or logout is its own user's action.
    /// Anonymous events (no `userId`) count for nobody. 0 for a user who did nothing.
    actions: i64,
    /// `actions` as a percentage (0 to 100) of the sum of every user's `actions` in the
    /// window, that is of all the window's events that have an actor; 0 when none has.
    share_percent: f64,
});

fn parse_after(after: Option<String>) -> Result<Option<WindowRow>> {
    let Some(after) = after else { return Ok(None) };
    let key = parse_cursor(&after).gql()?;
    let row = key.split_once('|').and_then(|(n, k)| {
        Some(WindowRow {
            count: n.parse().ok()?,
            key: k.to_owned(),
        })
    });
    row.map(Some)
        .ok_or_else(|| {
            AppError::BadUserInput(format!(
                "{} is not a cursor of this list: pass an `endCursor` or edge `cursor` of it",
                crate::graphql::ids::quoted(&after)
            ))
        })
        .gql()
}

fn row_cursor(row: &WindowRow) -> String {
    cursor(&format!("{}|{}", row.count, row.key))
}

fn page_info(page: &WindowPage, after_given: bool) -> async_graphql::connection::PageInfo {
    super::connection::page_info(
        after_given,
        page.has_next,
        page.rows.first().map(row_cursor),
        page.rows.last().map(row_cursor),
    )
}

impl Dashboard {
    async fn ranked(
        &self,
        ctx: &Context<'_>,
        metric: &str,
        members: Members,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<(WindowPage, bool)> {
        let first = page_size(first).gql()?;
        let after_given = after.is_some();
        let after = parse_after(after)?;
        let page = dash::ranked(
            db(ctx).gql()?,
            self.env.id,
            metric,
            &day_periods(&self.range),
            members,
            after,
            first,
        )
        .await
        .gql()?;
        Ok((page, after_given))
    }
}

/// The DAM Admin Dashboard: the library as it is now, and activity over a window of
/// days ending today.
#[Object]
impl Dashboard {
    /// The window asked for.
    async fn window(&self) -> DashboardWindow {
        self.window
    }
    /// The window's days: the last 7 or 30 ending today, in the environment's zone.
    async fn range(&self) -> DateRangeValue {
        self.range.into()
    }
    /// Total assets stored, and how they split by type (deleted assets not counted;
    /// archived ones counted, and also shown apart).
    async fn assets(&self, ctx: &Context<'_>) -> Result<DashboardAssets> {
        let rows = store::assets_by_type(db(ctx).gql()?, self.env.id)
            .await
            .gql()?;
        Ok(DashboardAssets {
            total: rows.iter().map(|r| r.1).sum(),
            archived: rows.iter().map(|r| r.2).sum(),
            by_type: rows
                .into_iter()
                .map(|(kind, count, archived)| AssetTypeCount {
                    asset_type: kind.as_deref().and_then(AssetType::from_db),
                    count,
                    archived,
                })
                .collect(),
        })
    }
    /// Total users and how many have each role (deleted users not counted).
    async fn users(&self, ctx: &Context<'_>) -> Result<DashboardUsers> {
        let rows = store::users_by_role(db(ctx).gql()?, self.env.id)
            .await
            .gql()?;
        Ok(DashboardUsers {
            total: rows.iter().map(|r| r.1).sum(),
            by_role: rows
                .into_iter()
                .map(|(role, count)| RoleCount { role, count })
                .collect(),
        })
    }
    /// Collections and published collections, each with the assets they hold.
    async fn collections(&self, ctx: &Context<'_>) -> Result<DashboardCollections> {
        let t = store::collections(db(ctx).gql()?, self.env.id)
            .await
            .gql()?;
        Ok(DashboardCollections {
            total: t.collections,
            assets: t.collection_assets,
            published: t.published,
            published_assets: t.published_assets,
        })
    }
    /// Live portals and the assets they show.
    async fn live_portals(&self, ctx: &Context<'_>) -> Result<DashboardPortals> {
        let (live, assets) = store::live_portals(db(ctx).gql()?, self.env.id)
            .await
            .gql()?;
        Ok(DashboardPortals { live, assets })
    }
    /// Collections by views in the window (every collection.viewed event, through the
    /// public link or not), most first, ties by collection id; then, with 0 views, every
    /// published collection not viewed in the window, by id. The first 10 are the
    /// dashboard's "Total Views - Top 10"; paging on gives every published collection
    /// (and any other viewed in the window), as the downloaded version does. CSV: GET
    /// /v1/exports/dashboard-top-viewed-collections.csv?window=LAST_7_DAYS
    async fn top_viewed_collections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<DashboardCollectionConnection> {
        let (page, after_given) = self
            .ranked(
                ctx,
                m::COLLECTION_VIEWS,
                Members::PublishedCollections,
                first,
                after,
            )
            .await?;
        let count_sum = if ctx.look_ahead().field("countSum").exists() {
            dash::total(
                db(ctx).gql()?,
                self.env.id,
                m::COLLECTION_VIEWS,
                &day_periods(&self.range),
            )
            .await
            .gql()?
        } else {
            0
        };
        let keys = page.rows.iter().map(|r| r.key.clone()).collect();
        let mut found = load_many::<CollectionLoader>(ctx, keys).await?;
        Ok(DashboardCollectionConnection {
            page_info: page_info(&page, after_given),
            total_count: page.total,
            count_sum,
            edges: page
                .rows
                .iter()
                .filter_map(|r| {
                    found.remove(&r.key).map(|c| DashboardCollectionEdge {
                        cursor: row_cursor(r),
                        node: Collection(c),
                        views: r.count,
                    })
                })
                .collect(),
        })
    }
    /// Uploads on each of the last 7 days (ending today, whatever the window), oldest
    /// first, zero-filled; the filters combine. CSV: GET
    /// /v1/exports/dashboard-uploads-per-day.csv?source=API&assetType=IMAGE (both optional)
    async fn uploads_per_day(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only API uploads, or only uploads by users.")] source: Option<
            UploadOrigin,
        >,
        #[graphql(desc = "Only uploads of this asset type.")] asset_type: Option<AssetType>,
    ) -> Result<Vec<DayUploads>> {
        let range = DayRange {
            from: self.range.to - chrono::Days::new(6),
            to: self.range.to,
        };
        let filter = UploadFilter {
            api: source.map(|s| s == UploadOrigin::Api),
            asset_type: asset_type.map(|t| t.as_db()),
        };
        let days = dash::uploads_per_day(db(ctx).gql()?, self.env.id, &range, filter)
            .await
            .gql()?;
        Ok(days
            .into_iter()
            .map(|(day, uploads)| DayUploads {
                day: day.into(),
                uploads,
            })
            .collect())
    }
    /// Users by actions in the window, most first, ties by user id, with their share of
    /// all users' actions; then, with 0 actions, every other user not deleted, by id. The
    /// first 10 are the dashboard's "Active Users - Top 10"; paging on gives every user,
    /// as the downloaded version does. CSV: GET
    /// /v1/exports/dashboard-most-active-users.csv?window=LAST_30_DAYS
    async fn most_active_users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<ActiveUserConnection> {
        let (page, after_given) = self
            .ranked(ctx, DASH_USER_ACTIONS, Members::Users, first, after)
            .await?;
        let all = dash::total(
            db(ctx).gql()?,
            self.env.id,
            DASH_USER_ACTIONS,
            &day_periods(&self.range),
        )
        .await
        .gql()?;
        let keys = page.rows.iter().map(|r| r.key.clone()).collect();
        let mut found = load_many::<UserLoader>(ctx, keys).await?;
        Ok(ActiveUserConnection {
            page_info: page_info(&page, after_given),
            total_count: page.total,
            count_sum: all,
            edges: page
                .rows
                .iter()
                .filter_map(|r| {
                    found.remove(&r.key).map(|u| ActiveUserEdge {
                        cursor: row_cursor(r),
                        node: User(u),
                        actions: r.count,
                        share_percent: if all > 0 {
                            r.count as f64 * 100.0 / all as f64
                        } else {
                            0.0
                        },
                    })
                })
                .collect(),
        })
    }
}
