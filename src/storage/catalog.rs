//! Catalog reads: one entity, entities by ids (for dataloaders), keyset pages.
use crate::error::AppResult;
use entity::{asset, collection, event, job, portal, user};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

/// One page of a keyset-paginated list, ordered by id ascending.
pub struct Page<M> {
    pub items: Vec<M>,
    pub has_next: bool,
    pub total: u64,
}

/// Pages through `select` by `id` ascending: the rows after `after`, at most `first`.
pub(crate) async fn page<E: EntityTrait>(
    db: &DatabaseConnection,
    select: Select<E>,
    id: E::Column,
    after: Option<String>,
    first: u64,
) -> AppResult<Page<E::Model>> {
    let total: Option<i64> = select
        .clone()
        .select_only()
        .column_as(Expr::from(Func::count(Expr::col(id))), "n")
        .into_tuple()
        .one(db)
        .await?;
    let mut query = select;
    if let Some(after) = after {
        query = query.filter(id.gt(after));
    }
    let mut items = query.order_by_asc(id).limit(first + 1).all(db).await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(Page {
        items,
        has_next,
        total: total.unwrap_or(0) as u64,
    })
}

/// Filters of `assets(filter:)`; every set field must match.
#[derive(Clone, Debug, Default)]
pub struct AssetFilter {
    pub status: Option<String>,
    pub asset_type: Option<String>,
    pub source: Option<String>,
    pub folder: Option<String>,
    pub uploaded_by: Option<String>,
}

pub async fn assets(
    db: &DatabaseConnection,
    environment_id: i64,
    filter: AssetFilter,
    after: Option<String>,
    first: u64,
) -> AppResult<Page<asset::Model>> {
    let cond = Condition::all()
        .add(asset::Column::EnvironmentId.eq(environment_id))
        .add_option(filter.status.map(|v| asset::Column::Status.eq(v)))
        .add_option(filter.asset_type.map(|v| asset::Column::AssetType.eq(v)))
        .add_option(filter.source.map(|v| asset::Column::Source.eq(v)))
        .add_option(filter.folder.map(|v| asset::Column::Folder.eq(v)))
        .add_option(filter.uploaded_by.map(|v| asset::Column::UploadedBy.eq(v)));
    page(
        db,
        asset::Entity::find().filter(cond),
        asset::Column::Id,
        after,
        first,
    )
    .await
}

/// Filters of `users(filter:)`.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub role: Option<String>,
    pub status: Option<String>,
}

pub async fn users(
    db: &DatabaseConnection,
    environment_id: i64,
    filter: UserFilter,
    after: Option<String>,
    first: u64,
) -> AppResult<Page<user::Model>> {
    let cond = Condition::all()
        .add(user::Column::EnvironmentId.eq(environment_id))
        .add_option(filter.role.map(|v| user::Column::Role.eq(v)))
        .add_option(filter.status.map(|v| user::Column::Status.eq(v)));
    page(
        db,
        user::Entity::find().filter(cond),
        user::Column::Id,
        after,
        first,
    )
    .await
}

/// Filters of `collections(filter:)`.
#[derive(Clone, Debug, Default)]
pub struct CollectionFilter {
    pub public: Option<bool>,
    pub created_by: Option<String>,
}

pub async fn collections(
    db: &DatabaseConnection,
    environment_id: i64,
    filter: CollectionFilter,
    after: Option<String>,
    first: u64,
) -> AppResult<Page<collection::Model>> {
    let cond = Condition::all()
        .add(collection::Column::EnvironmentId.eq(environment_id))
        .add_option(filter.public.map(|v| collection::Column::IsPublic.eq(v)))
        .add_option(
            filter
                .created_by
                .map(|v| collection::Column::CreatedBy.eq(v)),
        );
    page(
        db,
        collection::Entity::find().filter(cond),
        collection::Column::Id,
        after,
        first,
    )
    .await
}

/// Filters of `jobs(filter:)`.
#[derive(Clone, Debug, Default)]
pub struct JobFilter {
    /// Some(true): finished jobs only; Some(false): open jobs only.
    pub finished: Option<bool>,
    pub workflow: Option<String>,
}

pub async fn jobs(
    db: &DatabaseConnection,
    environment_id: i64,
    filter: JobFilter,
    after: Option<String>,
    first: u64,
) -> AppResult<Page<job::Model>> {
    let cond = Condition::all()
        .add(job::Column::EnvironmentId.eq(environment_id))
        .add_option(filter.finished.map(|f| {
            if f {
                job::Column::FinishedAt.is_not_null()
            } else {
                job::Column::FinishedAt.is_null()
            }
        }))
        .add_option(filter.workflow.map(|v| job::Column::Workflow.eq(v)));
    page(
        db,
        job::Entity::find().filter(cond),
        job::Column::Id,
        after,
        first,
    )
    .await
}

/// Filters of `portals(filter:)`.
#[derive(Clone, Debug, Default)]
pub struct PortalFilter {
    pub live: Option<bool>,
}

pub async fn portals(
    db: &DatabaseConnection,
    environment_id: i64,
    filter: PortalFilter,
    after: Option<String>,
    first: u64,
) -> AppResult<Page<portal::Model>> {
    let cond = Condition::all()
        .add(portal::Column::EnvironmentId.eq(environment_id))
        .add_option(filter.live.map(|v| portal::Column::IsLive.eq(v)));
    page(
        db,
        portal::Entity::find().filter(cond),
        portal::Column::Id,
        after,
        first,
    )
    .await
}

/// A catalog table: keyed by (environment_id, the DAM's id).
pub trait CatalogTable: EntityTrait {
    const ENV: Self::Column;
    const ID: Self::Column;
    fn id(model: &Self::Model) -> &str;
}

macro_rules! catalog_table {
    ($($module:ident),*) => {$(
        impl CatalogTable for $module::Entity {
            const ENV: $module::Column = $module::Column::EnvironmentId;
            const ID: $module::Column = $module::Column::Id;
            fn id(model: &$module::Model) -> &str {
                &model.id
            }
        }
    )*};
}
catalog_table!(asset, user, collection, job, portal, event);

/// Loads rows of one table by id, within one environment (for dataloaders and `node`).
pub async fn by_ids<E: CatalogTable>(
    db: &impl ConnectionTrait,
    environment_id: i64,
    ids: &[String],
) -> Result<Vec<E::Model>, DbErr> {
    E::find()
        .filter(E::ENV.eq(environment_id))
        .filter(E::ID.is_in(ids.iter().cloned()))
        .all(db)
        .await
}
