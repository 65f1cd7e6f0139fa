//! The catalog state that events and syncs imply: per-entity patches, applied in
//! occurredAt order with per-field versions, loaded and written once per batch.
use super::versions::{Versions, set};
use crate::storage::catalog::{CatalogTable, by_ids};
use chrono::{DateTime, Utc};
use entity::{asset, collection, job, portal, user};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, IdenStatic, IntoActiveModel, Iterable};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's parameter limits.
pub const INSERT_CHUNK: usize = 1000;

/// One catalog table whose rows events and syncs patch.
pub trait CatalogEntity: CatalogTable
where
    Self::Model: IntoActiveModel<Self::ActiveModel> + Clone + PartialEq,
    Self::ActiveModel: ActiveModelTrait<Entity = Self>,
{
    type Patch;
    fn placeholder(environment_id: i64, id: &str) -> Self::Model;
    fn versions(model: &mut Self::Model) -> &mut Value;
    fn apply(
        model: &mut Self::Model,
        versions: &mut Versions,
        at: DateTime<Utc>,
        patch: Self::Patch,
    );
}

/// The patches of one entity, each with the occurredAt it applies as of.
type Timeline<P> = Vec<(DateTime<Utc>, P)>;

/// Patches for one table, gathered over a batch, applied in time order.
pub struct Changes<E: CatalogEntity>
where
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + PartialEq,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    patches: BTreeMap<String, Timeline<E::Patch>>,
}

impl<E: CatalogEntity> Default for Changes<E>
where
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + PartialEq,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    fn default() -> Self {
        Changes {
            patches: BTreeMap::new(),
        }
    }
}

impl<E: CatalogEntity> Changes<E>
where
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + PartialEq + Send,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    E::Patch: Send,
{
    /// Records a patch. Callers add patches in (occurredAt, id) order.
    pub fn add(&mut self, id: &str, at: DateTime<Utc>, patch: E::Patch) {
        self.patches
            .entry(id.to_owned())
            .or_default()
            .push((at, patch));
    }

    /// Loads the touched rows (or makes placeholders), applies the patches and writes
    /// back the rows that changed.
    pub async fn write<C: ConnectionTrait>(self, db: &C, environment_id: i64) -> Result<(), DbErr> {
        if self.patches.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = self.patches.keys().cloned().collect();
        let mut existing: HashMap<String, E::Model> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(INSERT_CHUNK) {
            let rows = by_ids::<E>(db, environment_id, chunk).await?;
            existing.extend(rows.into_iter().map(|m| (E::id(&m).to_owned(), m)));
        }
        let mut changed = Vec::new();
        for (id, patches) in self.patches {
            let before = existing.remove(&id);
            let mut model = before
                .clone()
                .unwrap_or_else(|| E::placeholder(environment_id, &id));
            let mut versions = Versions::from_json(E::versions(&mut model));
            for (at, patch) in patches {
                E::apply(&mut model, &mut versions, at, patch);
            }
            *E::versions(&mut model) = versions.into_json();
            if before.as_ref() != Some(&model) {
                changed.push(model);
            }
        }
        upsert::<E>(db, changed).await
    }
}

async fn upsert<E: CatalogEntity>(
    db: &impl ConnectionTrait,
    models: Vec<E::Model>,
) -> Result<(), DbErr>
where
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + PartialEq,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let keys = [E::ENV, E::ID];
    let others: Vec<E::Column> = E::Column::iter()
        .filter(|c| !keys.iter().any(|k| k.as_str() == c.as_str()))
        .collect();
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = models
            .by_ref()
            .take(INSERT_CHUNK)
            .map(|m| m.into_active_model().reset_all())
            .collect();
        E::insert_many(chunk)
            .on_conflict(
                OnConflict::columns(keys)
                    .update_columns(others.clone())
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Changes to an asset. Every `Some` field is set if no newer event set it already.
#[derive(Default)]
pub struct AssetPatch {
    pub filename: Option<String>,
    pub asset_type: Option<String>,
    pub folder: Option<String>,
    pub tags: Option<Value>,
    pub metaproperties: Option<Value>,
    pub source: Option<String>,
    pub uploaded_by: Option<String>,
    pub uploaded_at: Option<DateTime<Utc>>,
    pub status: Option<String>,
    /// The asset's creating event or a sync: it stops being a placeholder.
    pub creates: bool,
    /// The event's local day, when it uploads, removes (archives or deletes) or uses the
    /// asset: the asset keeps the first upload, the first removal and the last use,
    /// whatever order the events arrive in.
    pub uploaded_day: Option<String>,
    pub removed_day: Option<String>,
    pub used_day: Option<String>,
}

/// Keeps in `slot` the earliest (`earliest`) or the latest of it and `day`.
fn keep(slot: &mut Option<String>, day: Option<String>, earliest: bool) {
    if let Some(day) = day
        && slot
            .as_ref()
            .is_none_or(|d| if earliest { day < *d } else { day > *d })
    {
        *slot = Some(day);
    }
}

impl CatalogEntity for asset::Entity {
    type Patch = AssetPatch;

    fn placeholder(environment_id: i64, id: &str) -> asset::Model {
        asset::Model {
            environment_id,
            id: id.to_owned(),
            filename: None,
            asset_type: None,
            folder: None,
            tags: None,
            metaproperties: None,
            source: None,
            uploaded_by: None,
            uploaded_at: None,
            status: "ACTIVE".into(),
            versions: Value::Object(Default::default()),
            placeholder: true,
            first_uploaded_day: None,
            removed_day: None,
            last_used_day: None,
        }
    }
    fn versions(model: &mut asset::Model) -> &mut Value {
        &mut model.versions
    }
    fn apply(m: &mut asset::Model, v: &mut Versions, at: DateTime<Utc>, p: AssetPatch) {
        if let Some(x) = p.filename {
            set(v, "filename", at, &mut m.filename, Some(x));
        }
        if let Some(x) = p.asset_type {
            set(v, "assetType", at, &mut m.asset_type, Some(x));
        }
        if let Some(x) = p.folder {
            set(v, "folder", at, &mut m.folder, Some(x));
        }
        if let Some(x) = p.tags {
            set(v, "tags", at, &mut m.tags, Some(x));
        }
        if let Some(x) = p.metaproperties {
            set(v, "metaproperties", at, &mut m.metaproperties, Some(x));
        }
        if let Some(x) = p.source {
            set(v, "source", at, &mut m.source, Some(x));
        }
        if let Some(x) = p.uploaded_by {
            set(v, "uploadedBy", at, &mut m.uploaded_by, Some(x));
        }
        if let Some(x) = p.uploaded_at {
            set(v, "uploadedAt", at, &mut m.uploaded_at, Some(x));
        }
        if let Some(x) = p.status {
            set(v, "status", at, &mut m.status, x);
        }
        if p.creates {
            m.placeholder = false;
        }
        keep(&mut m.first_uploaded_day, p.uploaded_day, true);
        keep(&mut m.removed_day, p.removed_day, true);
        keep(&mut m.last_used_day, p.used_day, false);
    }
}

/// Changes to a user.
#[derive(Default)]
pub struct UserPatch {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub groups: Option<Value>,
    pub via: Option<String>,
    pub status: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// A login at this time: `last_login_at` keeps the latest.
    pub logged_in_at: Option<DateTime<Utc>>,
    pub creates: bool,
}

impl CatalogEntity for user::Entity {
    type Patch = UserPatch;

    fn placeholder(environment_id: i64, id: &str) -> user::Model {
        user::Model {
            environment_id,
            id: id.to_owned(),
            email: None,
            name: None,
            role: None,
            groups: None,
            via: None,
            status: "ACTIVE".into(),
            created_at: None,
            last_login_at: None,
            versions: Value::Object(Default::default()),
            placeholder: true,
        }
    }
    fn versions(model: &mut user::Model) -> &mut Value {
        &mut model.versions
    }
    fn apply(m: &mut user::Model, v: &mut Versions, at: DateTime<Utc>, p: UserPatch) {
        if let Some(x) = p.email {
            set(v, "email", at, &mut m.email, Some(x));
        }
        if let Some(x) = p.name {
            set(v, "name", at, &mut m.name, Some(x));
        }
        if let Some(x) = p.role {
            set(v, "role", at, &mut m.role, Some(x));
        }
        if let Some(x) = p.groups {
            set(v, "groups", at, &mut m.groups, Some(x));
        }
        if let Some(x) = p.via {
            set(v, "via", at, &mut m.via, Some(x));
        }
        if let Some(x) = p.status {
            set(v, "status", at, &mut m.status, x);
        }
        if let Some(x) = p.created_at {
            set(v, "createdAt", at, &mut m.created_at, Some(x));
        }
        if let Some(x) = p.logged_in_at {
            m.last_login_at = Some(m.last_login_at.map_or(x, |l| l.max(x)));
        }
        if p.creates {
            m.placeholder = false;
        }
    }
}

/// Changes to a collection.
#[derive(Default)]
pub struct CollectionPatch {
    pub name: Option<String>,
    pub is_public: Option<bool>,
    pub created_by: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub creates: bool,
}

impl CatalogEntity for collection::Entity {
    type Patch = CollectionPatch;

    fn placeholder(environment_id: i64, id: &str) -> collection::Model {
        collection::Model {
            environment_id,
            id: id.to_owned(),
            name: None,
            is_public: false,
            created_by: None,
            created_at: None,
            versions: Value::Object(Default::default()),
            placeholder: true,
        }
    }
    fn versions(model: &mut collection::Model) -> &mut Value {
        &mut model.versions
    }
    fn apply(m: &mut collection::Model, v: &mut Versions, at: DateTime<Utc>, p: CollectionPatch) {
        if let Some(x) = p.name {
            set(v, "name", at, &mut m.name, Some(x));
        }
        if let Some(x) = p.is_public {
            set(v, "public", at, &mut m.is_public, x);
        }
        if let Some(x) = p.created_by {
            set(v, "createdBy", at, &mut m.created_by, Some(x));
        }
        if let Some(x) = p.created_at {
            set(v, "createdAt", at, &mut m.created_at, Some(x));
        }
        if p.creates {
            m.placeholder = false;
        }
    }
}

/// Changes to a portal.
#[derive(Default)]
pub struct PortalPatch {
    pub name: Option<String>,
    pub asset_count: Option<i64>,
    pub is_live: Option<bool>,
    pub creates: bool,
}

impl CatalogEntity for portal::Entity {
    type Patch = PortalPatch;

    fn placeholder(environment_id: i64, id: &str) -> portal::Model {
        portal::Model {
            environment_id,
            id: id.to_owned(),
            name: None,
            asset_count: None,
            is_live: false,
            versions: Value::Object(Default::default()),
            placeholder: true,
        }
    }
    fn versions(model: &mut portal::Model) -> &mut Value {
        &mut model.versions
    }
    fn apply(m: &mut portal::Model, v: &mut Versions, at: DateTime<Utc>, p: PortalPatch) {
        if let Some(x) = p.name {
            set(v, "name", at, &mut m.name, Some(x));
        }
        if let Some(x) = p.asset_count {
            set(v, "assetCount", at, &mut m.asset_count, Some(x));
        }
        if let Some(x) = p.is_live {
            set(v, "live", at, &mut m.is_live, x);
        }
        if p.creates {
            m.placeholder = false;
        }
    }
}

/// Changes to a job.
#[derive(Default)]
pub struct JobPatch {
    pub name: Option<String>,
    pub workflow: Option<String>,
    pub created_by: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub stage: Option<String>,
    pub creates: bool,
}

impl CatalogEntity for job::Entity {
    type Patch = JobPatch;

    fn placeholder(environment_id: i64, id: &str) -> job::Model {
        job::Model {
            environment_id,
            id: id.to_owned(),
            name: None,
            workflow: None,
            created_by: None,
            created_at: None,
            finished_at: None,
            stage: None,
            versions: Value::Object(Default::default()),
            placeholder: true,
        }
    }
    fn versions(model: &mut job::Model) -> &mut Value {
        &mut model.versions
    }
    fn apply(m: &mut job::Model, v: &mut Versions, at: DateTime<Utc>, p: JobPatch) {
        if let Some(x) = p.name {
            set(v, "name", at, &mut m.name, Some(x));
        }
        if let Some(x) = p.workflow {
            set(v, "workflow", at, &mut m.workflow, Some(x));
        }
        if let Some(x) = p.created_by {
            set(v, "createdBy", at, &mut m.created_by, Some(x));
        }
        if let Some(x) = p.created_at {
            set(v, "createdAt", at, &mut m.created_at, Some(x));
        }
        if let Some(x) = p.finished_at {
            set(v, "finishedAt", at, &mut m.finished_at, Some(x));
        }
        if let Some(x) = p.stage {
            set(v, "stage", at, &mut m.stage, Some(x));
        }
        if p.creates {
            m.placeholder = false;
        }
    }
}

/// All catalog changes of one batch, plus collection memberships.
#[derive(Default)]
pub struct CatalogChanges {
    pub assets: Changes<asset::Entity>,
    pub users: Changes<user::Entity>,
    pub collections: Changes<collection::Entity>,
    pub portals: Changes<portal::Entity>,
    pub jobs: Changes<job::Entity>,
    /// (collection id, asset id) → when it was first added.
    pub memberships: BTreeMap<(String, String), DateTime<Utc>>,
    /// Collections whose membership a sync replaces: collection id → asset ids.
    pub replaced_memberships: BTreeMap<String, Vec<String>>,
}

impl CatalogChanges {
    pub fn add_membership(&mut self, collection_id: &str, asset_id: &str, at: DateTime<Utc>) {
        let slot = self
            .memberships
            .entry((collection_id.to_owned(), asset_id.to_owned()))
            .or_insert(at);
        *slot = (*slot).min(at);
    }

    pub async fn write<C: ConnectionTrait>(self, db: &C, environment_id: i64) -> Result<(), DbErr> {
        self.assets.write(db, environment_id).await?;
        self.users.write(db, environment_id).await?;
        self.collections.write(db, environment_id).await?;
        self.portals.write(db, environment_id).await?;
        self.jobs.write(db, environment_id).await?;
        super::memberships::write(
            db,
            environment_id,
            self.memberships,
            self.replaced_memberships,
        )
        .await
    }
}
