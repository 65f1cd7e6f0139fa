//! Dataloaders: every relation hop batches its keys into one query per table.
use super::IntoGql;
use crate::error::AppError;
use crate::storage::catalog::{CatalogTable, by_ids};
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{asset, collection, event, job, portal, user};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// Loads rows of table `E` by the DAM's id, within the caller's environment.
pub struct CatalogLoader<E> {
    db: DatabaseConnection,
    environment_id: i64,
    table: PhantomData<fn() -> E>,
}

impl<E: CatalogTable> Loader<String> for CatalogLoader<E>
where
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, E::Model>, Self::Error> {
        let rows = by_ids::<E>(&self.db, self.environment_id, keys)
            .await
            .map_err(|e| Arc::new(AppError::from(e)))?;
        Ok(rows
            .into_iter()
            .map(|m| (E::id(&m).to_owned(), m))
            .collect())
    }
}

pub type AssetLoader = CatalogLoader<asset::Entity>;
pub type UserLoader = CatalogLoader<user::Entity>;
pub type CollectionLoader = CatalogLoader<collection::Entity>;
pub type JobLoader = CatalogLoader<job::Entity>;
pub type PortalLoader = CatalogLoader<portal::Entity>;
pub type EventLoader = CatalogLoader<event::Entity>;

/// The request's `DataLoader<L>`.
fn request_loader<'a, L>(
    ctx: &'a Context<'_>,
) -> async_graphql::Result<&'a DataLoader<L, HashMapCache>>
where
    L: Loader<String, Error = Arc<AppError>>,
{
    ctx.data::<DataLoader<L, HashMapCache>>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("no loader in the request")))
        .gql()
}

/// Loads one row through the request's `DataLoader<L>`.
pub async fn load<L>(ctx: &Context<'_>, id: String) -> async_graphql::Result<Option<L::Value>>
where
    L: Loader<String, Error = Arc<AppError>>,
{
    request_loader::<L>(ctx)?
        .load_one(id)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("loading: {e:?}")))
        .gql()
}

/// Loads the row an optional id names, if any.
pub async fn load_opt<L>(
    ctx: &Context<'_>,
    id: &Option<String>,
) -> async_graphql::Result<Option<L::Value>>
where
    L: Loader<String, Error = Arc<AppError>>,
{
    match id {
        Some(id) => load::<L>(ctx, id.clone()).await,
        None => Ok(None),
    }
}

/// The loaders of one request: they cache what they loaded for the request's lifetime,
/// so a row fetched once (or prefetched by a list) is not fetched again.
pub type RequestLoader<E> = DataLoader<CatalogLoader<E>, HashMapCache>;

fn loader<E: CatalogTable>(db: &DatabaseConnection, environment_id: i64) -> RequestLoader<E>
where
    E::Model: Clone + Send + Sync + 'static,
{
    DataLoader::with_cache(
        CatalogLoader {
            db: db.clone(),
            environment_id,
            table: PhantomData,
        },
        tokio::spawn,
        HashMapCache::default(),
    )
}

/// Adds one loader per catalog table, bound to `environment_id`, to a request.
pub fn register(
    request: async_graphql::Request,
    db: &DatabaseConnection,
    environment_id: i64,
) -> async_graphql::Request {
    request
        .data(loader::<asset::Entity>(db, environment_id))
        .data(loader::<user::Entity>(db, environment_id))
        .data(loader::<collection::Entity>(db, environment_id))
        .data(loader::<job::Entity>(db, environment_id))
        .data(loader::<portal::Entity>(db, environment_id))
        .data(loader::<event::Entity>(db, environment_id))
}

/// Loads many rows at once through the request's `DataLoader<L>`.
pub async fn load_many<L>(
    ctx: &Context<'_>,
    ids: Vec<String>,
) -> async_graphql::Result<HashMap<String, L::Value>>
where
    L: Loader<String, Error = Arc<AppError>>,
{
    super::stats::register_page::<L>(ctx, &ids);
    request_loader::<L>(ctx)?
        .load_many(ids)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("loading: {e:?}")))
        .gql()
}
