//! Entity stats over a range (an asset's views and downloads, a user's activity, a job's
//! stages, a collection's views and downloads), batched through dataloaders so a list of
//! entities costs a few queries whatever its length.
use super::IntoGql;
use super::context::{caller, db};
use super::events::{EventConnection, entity_events};
use super::range::DateRange;
use super::stat_pages::{Page, Pages};
use crate::analytics::insights::for_keys;
use crate::analytics::range::DayRange;
use crate::analytics::rollups::m;
use crate::error::AppError;
use crate::storage::environments::Environment;
use crate::storage::keys::Scope;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{collection_asset, event};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// One number of one entity over a range: a rollup's sum for the entity's key, or its
/// number of distinct subs (e.g. an asset's distinct downloaders).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StatKey {
    pub metric: &'static str,
    pub range: DayRange,
    pub distinct_subs: bool,
    pub key: String,
}

/// Counts that dataloaders batch: rollup stats, collection memberships, last logins.
pub struct StatLoader {
    db: DatabaseConnection,
    environment_id: i64,
    time_zone: chrono_tz::Tz,
    /// The pages of entities listed so far in the request (see [`super::stat_pages`]).
    pub pages: Pages,
}

impl Loader<StatKey> for StatLoader {
    type Value = i64;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[StatKey]) -> Result<HashMap<StatKey, i64>, Self::Error> {
        let mut groups: HashMap<(&'static str, DayRange, bool), Vec<String>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.metric, k.range, k.distinct_subs))
                .or_default()
                .push(k.key.clone());
        }
        let mut out = HashMap::new();
        for ((metric, range, distinct_subs), ids) in groups {
            let found = for_keys(
                &self.db,
                self.environment_id,
                metric,
                &range.cover(),
                &ids,
                distinct_subs,
            )
            .await
            .map_err(Arc::new)?;
            for key in ids {
                let n = found.get(&key).copied().unwrap_or(0);
                out.insert(
                    StatKey {
                        metric,
                        range,
                        distinct_subs,
                        key,
                    },
                    n,
                );
            }
        }
        Ok(out)
    }
}

/// Which side of collection membership to count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Membership {
    /// The collections holding an asset.
    CollectionsOf(String),
    /// The assets a collection holds.
    AssetsOf(String),
}

impl Loader<Membership> for StatLoader {
    type Value = i64;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Membership]) -> Result<HashMap<Membership, i64>, Self::Error> {
        let mut out = HashMap::new();
        for by_asset in [true, false] {
            let ids: Vec<String> =
                keys.iter()
                    .filter_map(|k| match (k, by_asset) {
                        (Membership::CollectionsOf(id), true)
                        | (Membership::AssetsOf(id), false) => Some(id.clone()),
                        _ => None,
                    })
                    .collect();
            if ids.is_empty() {
                continue;
            }
            let column = if by_asset {
                collection_asset::Column::AssetId
            } else {
                collection_asset::Column::CollectionId
            };
            let found: Vec<(String, i64)> = collection_asset::Entity::find()
                .filter(collection_asset::Column::EnvironmentId.eq(self.environment_id))
                .filter(column.is_in(ids.iter().cloned()))
                .select_only()
                .column(column)
                .column_as(Expr::from(Func::count(Expr::col(column))), "n")
                .group_by(column)
                .into_tuple()
                .all(&self.db)
                .await
                .map_err(|e| Arc::new(AppError::from(e)))?;
            let found: HashMap<String, i64> = found.into_iter().collect();
            for id in ids {
                let n = found.get(&id).copied().unwrap_or(0);
                let key = if by_asset {
                    Membership::CollectionsOf(id)
                } else {
                    Membership::AssetsOf(id)
                };
                out.insert(key, n);
            }
        }
        Ok(out)
    }
}

/// A user's latest login within a range.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LastLogin {
    pub user: String,
    pub range: DayRange,
}

impl Loader<LastLogin> for StatLoader {
    type Value = DateTime<Utc>;
    type Error = Arc<AppError>;

    async fn load(
        &self,
        keys: &[LastLogin],
    ) -> Result<HashMap<LastLogin, DateTime<Utc>>, Self::Error> {
        let mut out = HashMap::new();
        let ranges: HashSet<DayRange> = keys.iter().map(|k| k.range).collect();
        for range in ranges {
            let (from, until) = range.instants(self.time_zone);
            let users: Vec<String> = keys
                .iter()
                .filter(|k| k.range == range)
                .map(|k| k.user.clone())
                .collect();
            let found: Vec<(Option<String>, Option<DateTime<Utc>>)> = event::Entity::find()
                .filter(event::Column::EnvironmentId.eq(self.environment_id))
                .filter(event::Column::EventType.eq("user.logged_in"))
                .filter(event::Column::UserId.is_in(users))
                .filter(event::Column::OccurredAt.gte(from))
                .filter(event::Column::OccurredAt.lt(until))
                .select_only()
                .column(event::Column::UserId)
                .column_as(
                    Expr::from(Func::max(Expr::col(event::Column::OccurredAt))),
                    "last",
                )
                .group_by(event::Column::UserId)
                .into_tuple()
                .all(&self.db)
                .await
                .map_err(|e| Arc::new(AppError::from(e)))?;
            for (user, at) in found {
                if let (Some(user), Some(at)) = (user, at) {
                    out.insert(LastLogin { user, range }, at);
                }
            }
        }
        Ok(out)
    }
}

/// The request's stat loader.
pub fn stat_loader(
    db: &DatabaseConnection,
    env: &Environment,
    delay: std::time::Duration,
) -> DataLoader<StatLoader, HashMapCache> {
    DataLoader::with_cache(
        StatLoader {
            db: db.clone(),
            environment_id: env.id,
            time_zone: env.time_zone,
            pages: Pages::default(),
        },
        tokio::spawn,
        HashMapCache::default(),
    )
    // Entities asked for one by one (not listed in a page, see `stat_pages`) wait this
    // long for others to batch with.
    .delay(delay)
}

/// The request's stat loader.
fn stat_loader_of<'a>(ctx: &'a Context<'_>) -> Result<&'a DataLoader<StatLoader, HashMapCache>> {
    ctx.data::<DataLoader<StatLoader, HashMapCache>>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("no stat loader in the request")))
        .gql()
}

/// Registers `ids`, entities of the table catalog loader `L` reads, as one page whose
/// stats load together.
pub fn register_page<L>(ctx: &Context<'_>, ids: &[String]) {
    if let Ok(loader) = ctx.data::<DataLoader<StatLoader, HashMapCache>>() {
        loader
            .loader()
            .pages
            .register(std::any::type_name::<L>(), ids);
    }
}

/// The value of `make(id)`: loaded for the entity's whole page when it was listed in
/// one, else batched by the dataloader.
async fn load<K>(
    ctx: &Context<'_>,
    page: Option<&Page>,
    id: &str,
    make: impl Fn(String) -> K,
) -> Result<Option<<StatLoader as Loader<K>>::Value>>
where
    K: Send + Sync + Clone + Eq + std::hash::Hash + std::fmt::Debug + 'static,
    StatLoader: Loader<K, Error = Arc<AppError>>,
{
    let loader = stat_loader_of(ctx)?;
    let loaded = match page {
        Some(page) => page.get(loader.loader(), make, id).await,
        None => loader.load_one(make(id.to_owned())).await,
    };
    loaded
        .map_err(|e| AppError::Internal(anyhow::anyhow!("loading stats: {e:?}")))
        .gql()
}

/// One entity's key and range, for its stats.
#[derive(Clone)]
pub struct StatScope {
    id: String,
    range: DayRange,
    /// The page the entity was listed in, if any.
    page: Option<Arc<Page>>,
}

impl StatScope {
    /// The scope of the entity `id` of the table catalog loader `L` reads.
    pub fn new<L>(ctx: &Context<'_>, id: &str, range: &DateRange) -> Result<Self> {
        caller(ctx, Scope::ReportsRead).gql()?;
        let page = stat_loader_of(ctx)?
            .loader()
            .pages
            .page(std::any::type_name::<L>(), id);
        Ok(StatScope {
            id: id.to_owned(),
            range: range.get().gql()?,
            page,
        })
    }

    async fn load<K>(
        &self,
        ctx: &Context<'_>,
        make: impl Fn(String) -> K,
    ) -> Result<Option<<StatLoader as Loader<K>>::Value>>
    where
        K: Send + Sync + Clone + Eq + std::hash::Hash + std::fmt::Debug + 'static,
        StatLoader: Loader<K, Error = Arc<AppError>>,
    {
        load(ctx, self.page.as_deref(), &self.id, make).await
    }

    async fn sum(&self, ctx: &Context<'_>, metric: &'static str) -> Result<i64> {
        self.stat(ctx, metric, false).await
    }

    async fn stat(
        &self,
        ctx: &Context<'_>,
        metric: &'static str,
        distinct_subs: bool,
    ) -> Result<i64> {
        let range = self.range;
        Ok(self
            .load(ctx, |key| StatKey {
                metric,
                range,
                distinct_subs,
                key,
            })
            .await?
            .unwrap_or(0))
    }
}

/// An asset's activity over a range.
pub struct AssetStats(pub StatScope);

#[Object]
/// An asset's activity over a range.
impl AssetStats {
    /// asset.viewed events of the asset.
    async fn views(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.sum(ctx, m::ASSET_VIEWS_BY_ASSET).await
    }
    /// Non-bulk asset.downloaded events of the asset (as the dictionary's downloads).
    async fn downloads(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.sum(ctx, m::DOWNLOAD_ASSET).await
    }
    /// Distinct users among those downloads.
    async fn downloaders(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.stat(ctx, m::DOWNLOAD_ASSET_USER, true).await
    }
    /// The collections holding the asset now (whatever the range).
    async fn collections(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self
            .0
            .load(ctx, Membership::CollectionsOf)
            .await?
            .unwrap_or(0))
    }
}

/// A user's activity over a range.
pub struct UserStats(pub StatScope);

#[Object]
/// A user's activity over a range.
impl UserStats {
    /// search.performed events of the user.
    async fn searches(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.sum(ctx, m::SEARCHER).await
    }
    /// Non-bulk asset.downloaded events of the user (as the dictionary's downloads).
    async fn downloads(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.sum(ctx, m::DOWNLOADER).await
    }
    /// asset.uploaded events of the user.
    async fn uploads(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.sum(ctx, m::USER_UPLOADS).await
    }
    /// user.logged_in events of the user.
    async fn logins(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.sum(ctx, m::USER_LOGINS).await
    }
    /// The user's latest login in the range; null when none.
    async fn last_login_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        let range = self.0.range;
        self.0.load(ctx, |user| LastLogin { user, range }).await
    }
}

/// A collection's activity over a range.
pub struct CollectionStats(pub StatScope);

#[Object]
/// A collection's activity over a range.
impl CollectionStats {
    /// collection.viewed events of the collection, internal and via its public link.
    async fn views(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.sum(ctx, m::COLLECTION_VIEWS).await
    }
    /// collection.viewed events via its public link.
    async fn public_views(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.sum(ctx, m::PUBLIC_VIEW).await
    }
    /// collection.downloaded events: downloads from the public collection.
    async fn downloads(&self, ctx: &Context<'_>) -> Result<i64> {
        self.0.sum(ctx, m::PUBLIC_DOWNLOAD).await
    }
    /// The assets the collection holds now (whatever the range).
    async fn assets(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.0.load(ctx, Membership::AssetsOf).await?.unwrap_or(0))
    }
}

/// One move of a job between stages.
#[derive(SimpleObject)]
pub struct JobStage {
    /// The stage it left.
    pub from_stage: Option<String>,
    /// The stage it entered.
    pub to_stage: Option<String>,
    /// True for a job.sent_back (a revision), false for a job.advanced.
    pub sent_back: bool,
    /// When it moved.
    pub at: DateTime<Utc>,
}

/// A job's progress over a range.
#[derive(SimpleObject)]
pub struct JobStats {
    /// Its moves between stages in the range, oldest first.
    pub stages: Vec<JobStage>,
    /// job.sent_back events in the range.
    pub revisions: i64,
}

/// The moves of a job within a range.
pub async fn job_stats(ctx: &Context<'_>, job: &str, range: &DateRange) -> Result<JobStats> {
    let env = caller(ctx, Scope::ReportsRead).gql()?.environment.clone();
    let (from, until) = range.get().gql()?.instants(env.time_zone);
    let rows: Vec<event::Model> = event::Entity::find()
        .filter(event::Column::EnvironmentId.eq(env.id))
        .filter(event::Column::JobId.eq(job))
        .filter(event::Column::EventType.is_in(["job.advanced", "job.sent_back"]))
        .filter(event::Column::OccurredAt.gte(from))
        .filter(event::Column::OccurredAt.lt(until))
        .order_by_asc(event::Column::OccurredAt)
        .order_by_asc(event::Column::Id)
        .all(db(ctx).gql()?)
        .await
        .map_err(AppError::from)
        .gql()?;
    let text =
        |e: &event::Model, f: &str| e.payload.get(f).and_then(|v| v.as_str()).map(str::to_owned);
    let stages: Vec<JobStage> = rows
        .iter()
        .map(|e| JobStage {
            from_stage: text(e, "fromStage"),
            to_stage: text(e, "toStage"),
            sent_back: e.event_type == "job.sent_back",
            at: e.occurred_at,
        })
        .collect();
    Ok(JobStats {
        revisions: stages.iter().filter(|s| s.sent_back).count() as i64,
        stages,
    })
}

/// An entity's events over a range, newest first.
pub async fn history(
    ctx: &Context<'_>,
    column: event::Column,
    id: &str,
    range: &DateRange,
    first: Option<i32>,
    after: Option<String>,
) -> Result<EventConnection> {
    let env = caller(ctx, Scope::ReportsRead).gql()?.environment.clone();
    let range = range.get().gql()?;
    entity_events(ctx, &env, column, id, &range, first, after).await
}
