//! The catalog's node types. Each wraps its stored row; the row's columns are not the API.
use super::enums::{AssetStatus, AssetType, JobStatus, UploadSource, UserStatus, UserVia};
use super::events::EventConnection;
use super::ids::{NodeType, global_id};
use super::loaders::{AssetLoader, CollectionLoader, UserLoader, load_opt};
use super::range::DateRange;
use super::stats::{
    AssetStats, CollectionStats, JobStats, StatScope, UserStats, history, job_stats,
};
use async_graphql::{Context, ID, Interface, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{asset, collection, event, job, portal, user};
use serde_json::Value;

/// An object with a global id, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The opaque global id: pass it to `node(id:)`."
))]
pub enum Node {
    Asset(Asset),
    User(User),
    Collection(Collection),
    Job(Job),
    Portal(Portal),
    Event(super::events::Event),
}

/// The strings of a JSON array column; empty when absent.
pub(crate) fn strings(value: &Option<Value>) -> Vec<String> {
    value
        .as_ref()
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn load_user(ctx: &Context<'_>, id: &Option<String>) -> Result<Option<User>> {
    Ok(load_opt::<UserLoader>(ctx, id).await?.map(User))
}

/// One value set of a metaproperty on an asset.
#[derive(SimpleObject)]
pub struct Metaproperty {
    /// The metaproperty's name, e.g. "Region".
    pub name: String,
    /// Its values on this asset (an asset may hold several).
    pub values: Vec<String>,
}

#[derive(Clone)]
pub struct Asset(pub asset::Model);

/// A Media Library asset. A deleted asset still resolves, with status DELETED.
#[Object]
impl Asset {
    /// The opaque global id: pass it to `node(id:)`.
    async fn id(&self) -> ID {
        global_id(NodeType::Asset, &self.0.id)
    }
    /// The asset's id in the DAM.
    async fn asset_id(&self) -> &str {
        &self.0.id
    }
    /// The file name; null while the asset is known only from events that name it.
    async fn filename(&self) -> Option<&str> {
        self.0.filename.as_deref()
    }
    /// Image, video or other file.
    async fn asset_type(&self) -> Option<AssetType> {
        self.0.asset_type.as_deref().and_then(AssetType::from_db)
    }
    /// The folder path.
    async fn folder(&self) -> Option<&str> {
        self.0.folder.as_deref()
    }
    /// The asset's tags.
    async fn tags(&self) -> Vec<String> {
        strings(&self.0.tags)
    }
    /// The asset's metaproperties with their values, by name.
    async fn metaproperties(&self) -> Vec<Metaproperty> {
        let Some(Value::Object(map)) = &self.0.metaproperties else {
            return Vec::new();
        };
        map.iter()
            .map(|(name, values)| Metaproperty {
                name: name.clone(),
                values: strings(&Some(values.clone())),
            })
            .collect()
    }
    /// How it was uploaded.
    async fn source(&self) -> Option<UploadSource> {
        self.0.source.as_deref().and_then(UploadSource::from_db)
    }
    /// Active, archived or deleted.
    async fn status(&self) -> AssetStatus {
        AssetStatus::from_db(&self.0.status).unwrap_or(AssetStatus::Active)
    }
    /// When it was uploaded (the asset.uploaded event's occurredAt).
    async fn uploaded_at(&self) -> Option<DateTime<Utc>> {
        self.0.uploaded_at
    }
    /// The user who uploaded it; null for untracked uploads (API, anonymous).
    async fn uploader(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load_user(ctx, &self.0.uploaded_by).await
    }
    /// The asset's views, downloads, distinct downloaders and collections over a range.
    async fn stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to cover (environment's time zone, both included).")]
        range: DateRange,
    ) -> Result<AssetStats> {
        Ok(AssetStats(StatScope::new::<AssetLoader>(
            ctx, &self.0.id, &range,
        )?))
    }
    /// Every event naming the asset over a range, newest first.
    /// CSV: GET /v1/exports/asset-events.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&id=<assetId>
    /// Raw events older than the environment's retention are deleted
    /// (`viewer.environment.eventsDeletedBefore`): this list no longer holds them.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to cover (environment's time zone, both included).")]
        range: DateRange,
        #[graphql(desc = "Events per page: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<EventConnection> {
        history(
            ctx,
            event::Column::AssetId,
            &self.0.id,
            &range,
            first,
            after,
        )
        .await
    }
    /// True while the asset is known only because events named it: its asset.uploaded
    /// event or a catalog sync has not arrived yet.
    async fn placeholder(&self) -> bool {
        self.0.placeholder
    }
}

#[derive(Clone)]
pub struct User(pub user::Model);

/// A user of the DAM.
#[Object]
impl User {
    /// The opaque global id: pass it to `node(id:)`.
    async fn id(&self) -> ID {
        global_id(NodeType::User, &self.0.id)
    }
    /// The user's id in the DAM.
    async fn user_id(&self) -> &str {
        &self.0.id
    }
    /// E-mail address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Display name.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// The DAM's own role name (free text).
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
    /// The user groups the user belongs to.
    async fn groups(&self) -> Vec<String> {
        strings(&self.0.groups)
    }
    /// How the account was created.
    async fn via(&self) -> Option<UserVia> {
        self.0.via.as_deref().and_then(UserVia::from_db)
    }
    /// Whether the account still exists.
    async fn status(&self) -> UserStatus {
        UserStatus::from_db(&self.0.status).unwrap_or(UserStatus::Active)
    }
    /// When the account was created.
    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.created_at
    }
    /// The latest user.logged_in.
    async fn last_login_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_login_at
    }
    /// The user's searches, downloads, uploads, logins and last login over a range.
    async fn stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to cover (environment's time zone, both included).")]
        range: DateRange,
    ) -> Result<UserStats> {
        Ok(UserStats(StatScope::new::<UserLoader>(
            ctx, &self.0.id, &range,
        )?))
    }
    /// Every event with the user as actor (or, on user.* events, as subject) over a
    /// range, newest first.
    /// CSV: GET /v1/exports/user-events.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&id=<userId>
    /// Raw events older than the environment's retention are deleted
    /// (`viewer.environment.eventsDeletedBefore`): this list no longer holds them.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to cover (environment's time zone, both included).")]
        range: DateRange,
        #[graphql(desc = "Events per page: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<EventConnection> {
        history(ctx, event::Column::UserId, &self.0.id, &range, first, after).await
    }
    /// True while the user is known only because events named them.
    async fn placeholder(&self) -> bool {
        self.0.placeholder
    }
}

#[derive(Clone)]
pub struct Collection(pub collection::Model);

/// A collection of assets; public while its public link is on.
#[Object]
impl Collection {
    /// The opaque global id: pass it to `node(id:)`.
    async fn id(&self) -> ID {
        global_id(NodeType::Collection, &self.0.id)
    }
    /// The collection's id in the DAM.
    async fn collection_id(&self) -> &str {
        &self.0.id
    }
    /// The collection's name.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// True while the collection's public link is on.
    async fn public(&self) -> bool {
        self.0.is_public
    }
    /// When it was created.
    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.created_at
    }
    /// The user who created it.
    async fn creator(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load_user(ctx, &self.0.created_by).await
    }
    /// The collection's views, downloads and assets over a range.
    async fn stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to cover (environment's time zone, both included).")]
        range: DateRange,
    ) -> Result<CollectionStats> {
        Ok(CollectionStats(StatScope::new::<CollectionLoader>(
            ctx, &self.0.id, &range,
        )?))
    }
    /// Every event naming the collection over a range, newest first.
    /// CSV: GET /v1/exports/collection-events.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&id=<collectionId>
    /// Raw events older than the environment's retention are deleted
    /// (`viewer.environment.eventsDeletedBefore`): this list no longer holds them.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to cover (environment's time zone, both included).")]
        range: DateRange,
        #[graphql(desc = "Events per page: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<EventConnection> {
        history(
            ctx,
            event::Column::CollectionId,
            &self.0.id,
            &range,
            first,
            after,
        )
        .await
    }
    /// True while the collection is known only because events named it.
    async fn placeholder(&self) -> bool {
        self.0.placeholder
    }
}

#[derive(Clone)]
pub struct Job(pub job::Model);

/// A workflow (review) job.
#[Object]
impl Job {
    /// The opaque global id: pass it to `node(id:)`.
    async fn id(&self) -> ID {
        global_id(NodeType::Job, &self.0.id)
    }
    /// The job's id in the DAM.
    async fn job_id(&self) -> &str {
        &self.0.id
    }
    /// The job's name.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// The workflow it runs in.
    async fn workflow(&self) -> Option<&str> {
        self.0.workflow.as_deref()
    }
    /// OPEN until a job.finished event arrives.
    async fn status(&self) -> JobStatus {
        if self.0.finished_at.is_some() {
            JobStatus::Finished
        } else {
            JobStatus::Open
        }
    }
    /// The stage the newest job.advanced or job.sent_back moved it to.
    async fn stage(&self) -> Option<&str> {
        self.0.stage.as_deref()
    }
    /// When it was created.
    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.created_at
    }
    /// When it finished.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// finishedAt - createdAt in seconds; null until both are known.
    async fn duration_seconds(&self) -> Option<i64> {
        Some((self.0.finished_at? - self.0.created_at?).num_seconds())
    }
    /// The user who created it.
    async fn creator(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        load_user(ctx, &self.0.created_by).await
    }
    /// The job's moves between stages and its revisions over a range (its status and
    /// duration are `status` and `durationSeconds`).
    async fn stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to cover (environment's time zone, both included).")]
        range: DateRange,
    ) -> Result<JobStats> {
        job_stats(ctx, &self.0.id, &range).await
    }
    /// Every event naming the job over a range, newest first.
    /// CSV: GET /v1/exports/job-events.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&id=<jobId>
    /// Job events are kept past the environment's retention: this list holds them all.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to cover (environment's time zone, both included).")]
        range: DateRange,
        #[graphql(desc = "Events per page: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<EventConnection> {
        history(ctx, event::Column::JobId, &self.0.id, &range, first, after).await
    }
    /// True while the job is known only because events named it.
    async fn placeholder(&self) -> bool {
        self.0.placeholder
    }
}

#[derive(Clone)]
pub struct Portal(pub portal::Model);

/// A portal: a published selection of assets, live while published.
#[Object]
impl Portal {
    /// The opaque global id: pass it to `node(id:)`.
    async fn id(&self) -> ID {
        global_id(NodeType::Portal, &self.0.id)
    }
    /// The portal's id in the DAM.
    async fn portal_id(&self) -> &str {
        &self.0.id
    }
    /// The portal's name.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// The number of assets it shows, as last published.
    async fn asset_count(&self) -> Option<i64> {
        self.0.asset_count
    }
    /// True while the portal is published.
    async fn live(&self) -> bool {
        self.0.is_live
    }
    /// True while the portal is known only because events named it.
    async fn placeholder(&self) -> bool {
        self.0.placeholder
    }
}

crate::connection_type!(AssetConnection, AssetEdge, Asset, "assets");
crate::connection_type!(UserConnection, UserEdge, User, "users");
crate::connection_type!(
    CollectionConnection,
    CollectionEdge,
    Collection,
    "collections"
);
crate::connection_type!(JobConnection, JobEdge, Job, "jobs");
crate::connection_type!(PortalConnection, PortalEdge, Portal, "portals");
