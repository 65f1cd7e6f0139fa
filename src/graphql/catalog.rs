//! Catalog queries: single entities, `node(id:)`, and keyset-paged lists.
use super::IntoGql;
use super::context::{caller, db};
use super::enums::{AssetStatus, AssetType, JobStatus, UploadSource, UserStatus};
use super::events::Event;
use super::ids::{NodeType, page_size, parse_cursor, parse_global_id};
use super::loaders::{
    AssetLoader, CollectionLoader, EventLoader, JobLoader, PortalLoader, UserLoader, load,
};
use super::nodes::{
    Asset, AssetConnection, Collection, CollectionConnection, Job, JobConnection, Node, Portal,
    PortalConnection, User, UserConnection,
};
use crate::storage::catalog::{
    self, AssetFilter, CollectionFilter, JobFilter, PortalFilter, UserFilter,
};
use crate::storage::keys::Scope;
use async_graphql::{Context, ID, InputObject, Object, Result};

#[derive(Default)]
pub struct CatalogQuery;

/// Narrows `assets`; every field given must match.
#[derive(InputObject, Default)]
pub struct AssetFilterInput {
    /// Only assets in this state.
    pub status: Option<AssetStatus>,
    /// Only assets of this type.
    pub asset_type: Option<AssetType>,
    /// Only assets uploaded this way.
    pub source: Option<UploadSource>,
    /// Only assets in exactly this folder.
    pub folder: Option<String>,
    /// Only assets uploaded by this user (the DAM's user id).
    pub uploaded_by: Option<String>,
}

/// Narrows `users`.
#[derive(InputObject, Default)]
pub struct UserFilterInput {
    /// Only users with exactly this role name.
    pub role: Option<String>,
    /// Only users in this state.
    pub status: Option<UserStatus>,
}

/// Narrows `collections`.
#[derive(InputObject, Default)]
pub struct CollectionFilterInput {
    /// Only public (true) or only non-public (false) collections.
    pub public: Option<bool>,
    /// Only collections created by this user (the DAM's user id).
    pub created_by: Option<String>,
}

/// Narrows `jobs`.
#[derive(InputObject, Default)]
pub struct JobFilterInput {
    /// Only open or only finished jobs.
    pub status: Option<JobStatus>,
    /// Only jobs of this workflow.
    pub workflow: Option<String>,
}

/// Narrows `portals`.
#[derive(InputObject, Default)]
pub struct PortalFilterInput {
    /// Only live (true) or only offline (false) portals.
    pub live: Option<bool>,
}

fn after(after: Option<String>) -> Result<Option<String>> {
    after.map(|a| parse_cursor(&a)).transpose().gql()
}

#[Object]
impl CatalogQuery {
    /// Any object by its global id (Asset, User, Collection, Job, Portal or Event); null when
    /// the caller's environment has no such object.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id returned by this API.")] id: ID,
    ) -> Result<Option<Node>> {
        caller(ctx, Scope::ReportsRead).gql()?;
        let (kind, local) = parse_global_id(&id).gql()?;
        Ok(match kind {
            NodeType::Asset => load::<AssetLoader>(ctx, local)
                .await?
                .map(|m| Node::Asset(Asset(m))),
            NodeType::User => load_user(ctx, local).await?.map(Node::User),
            NodeType::Collection => load::<CollectionLoader>(ctx, local)
                .await?
                .map(|m| Node::Collection(Collection(m))),
            NodeType::Job => load::<JobLoader>(ctx, local)
                .await?
                .map(|m| Node::Job(Job(m))),
            NodeType::Portal => load::<PortalLoader>(ctx, local)
                .await?
                .map(|m| Node::Portal(Portal(m))),
            NodeType::Event => load::<EventLoader>(ctx, local)
                .await?
                .map(|m| Node::Event(Event(m))),
        })
    }

    /// One asset by its id in the DAM (not the global id); deleted assets resolve too.
    async fn asset(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The asset's id in the DAM.")] id: String,
    ) -> Result<Option<Asset>> {
        caller(ctx, Scope::ReportsRead).gql()?;
        Ok(load::<AssetLoader>(ctx, id).await?.map(Asset))
    }

    /// Assets by id ascending.
    /// CSV: GET /v1/exports/assets.csv?status=…&assetType=…&source=…&folder=…&uploadedBy=… (filters optional)
    async fn assets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<AssetFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<AssetConnection> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        let f = filter.unwrap_or_default();
        let filter = AssetFilter {
            status: f.status.map(|s| s.as_db().to_owned()),
            asset_type: f.asset_type.map(|s| s.as_db().to_owned()),
            source: f.source.map(|s| s.as_db().to_owned()),
            folder: f.folder,
            uploaded_by: f.uploaded_by,
        };
        let (first, after) = (page_size(first).gql()?, self::after(after)?);
        let given = after.is_some();
        let page = catalog::assets(db(ctx).gql()?, caller.environment.id, filter, after, first)
            .await
            .gql()?;
        Ok(AssetConnection::from_page(
            page,
            given,
            |m| m.id.clone(),
            Asset,
        ))
    }

    /// One user by their id in the DAM.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id in the DAM.")] id: String,
    ) -> Result<Option<User>> {
        caller(ctx, Scope::ReportsRead).gql()?;
        load_user(ctx, id).await
    }

    /// Users by id ascending.
    /// CSV: GET /v1/exports/users.csv?role=…&status=… (filters optional)
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<UserFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<UserConnection> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        let f = filter.unwrap_or_default();
        let filter = UserFilter {
            role: f.role,
            status: f.status.map(|s| s.as_db().to_owned()),
        };
        let (first, after) = (page_size(first).gql()?, self::after(after)?);
        let given = after.is_some();
        let page = catalog::users(db(ctx).gql()?, caller.environment.id, filter, after, first)
            .await
            .gql()?;
        Ok(UserConnection::from_page(
            page,
            given,
            |m| m.id.clone(),
            User,
        ))
    }

    /// One collection by its id in the DAM.
    async fn collection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The collection's id in the DAM.")] id: String,
    ) -> Result<Option<Collection>> {
        caller(ctx, Scope::ReportsRead).gql()?;
        Ok(load::<CollectionLoader>(ctx, id).await?.map(Collection))
    }

    /// Collections by id ascending.
    /// CSV: GET /v1/exports/collections.csv?public=true|false&createdBy=… (filters optional)
    async fn collections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<CollectionFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<CollectionConnection> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        let f = filter.unwrap_or_default();
        let filter = CollectionFilter {
            public: f.public,
            created_by: f.created_by,
        };
        let (first, after) = (page_size(first).gql()?, self::after(after)?);
        let given = after.is_some();
        let page =
            catalog::collections(db(ctx).gql()?, caller.environment.id, filter, after, first)
                .await
                .gql()?;
        Ok(CollectionConnection::from_page(
            page,
            given,
            |m| m.id.clone(),
            Collection,
        ))
    }

    /// One job by its id in the DAM.
    async fn job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job's id in the DAM.")] id: String,
    ) -> Result<Option<Job>> {
        caller(ctx, Scope::ReportsRead).gql()?;
        Ok(load::<JobLoader>(ctx, id).await?.map(Job))
    }

    /// Jobs by id ascending.
    /// CSV: GET /v1/exports/jobs.csv?status=OPEN|FINISHED&workflow=… (filters optional)
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<JobFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<JobConnection> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        let f = filter.unwrap_or_default();
        let filter = JobFilter {
            finished: f.status.map(|s| s == JobStatus::Finished),
            workflow: f.workflow,
        };
        let (first, after) = (page_size(first).gql()?, self::after(after)?);
        let given = after.is_some();
        let page = catalog::jobs(db(ctx).gql()?, caller.environment.id, filter, after, first)
            .await
            .gql()?;
        Ok(JobConnection::from_page(page, given, |m| m.id.clone(), Job))
    }

    /// One portal by its id in the DAM.
    async fn portal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The portal's id in the DAM.")] id: String,
    ) -> Result<Option<Portal>> {
        caller(ctx, Scope::ReportsRead).gql()?;
        Ok(load::<PortalLoader>(ctx, id).await?.map(Portal))
    }

    /// Portals by id ascending.
    /// CSV: GET /v1/exports/portals.csv?live=true|false (optional)
    async fn portals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<PortalFilterInput>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<PortalConnection> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        let f = filter.unwrap_or_default();
        let filter = PortalFilter { live: f.live };
        let (first, after) = (page_size(first).gql()?, self::after(after)?);
        let given = after.is_some();
        let page = catalog::portals(db(ctx).gql()?, caller.environment.id, filter, after, first)
            .await
            .gql()?;
        Ok(PortalConnection::from_page(
            page,
            given,
            |m| m.id.clone(),
            Portal,
        ))
    }
}

async fn load_user(ctx: &Context<'_>, id: String) -> Result<Option<User>> {
    Ok(load::<UserLoader>(ctx, id).await?.map(User))
}
