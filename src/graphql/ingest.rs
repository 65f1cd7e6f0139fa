//! Mutations: event ingest and catalog sync, with the same rules and answers as
//! `POST /v1/events` and `POST /v1/catalog`.
use super::IntoGql;
use super::context::caller;
use super::limits::IngestRate;
use crate::error::AppError;
use crate::ingest::catalog::SyncReport;
use crate::ingest::{IngestReport, Ingestor, Item};
use crate::storage::keys::Scope;
use async_graphql::{Context, InputObject, Object, Result};
use serde::Serialize;
use serde_json::{Map, Value};

/// The most events or records one mutation call takes.
pub const MAX_PER_CALL: usize = 1000;

#[derive(Default)]
pub struct IngestMutation;

/// A metaproperty and its values.
#[derive(InputObject, Serialize, Clone)]
pub struct MetapropertyInput {
    /// The metaproperty's name, e.g. "Region".
    pub name: String,
    /// Its values, e.g. ["EMEA"].
    pub values: Vec<String>,
}

/// One filter of a search: a field and the value it was set to.
#[derive(InputObject, Serialize, Clone)]
pub struct SearchFilterInput {
    /// The filtered field, e.g. "Region" or "assetType".
    pub field: String,
    /// The value chosen.
    pub value: String,
}

/// One event, with the fields of its type (see PRODUCT.md's event model). The fields are
/// all optional here so that a missing or wrong one is reported per event, like the
/// NDJSON endpoint does, instead of failing the whole call.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EventInput {
    /// The sender's unique event id (idempotency key).
    pub id: Option<String>,
    /// The dotted type name, e.g. "asset.downloaded".
    #[serde(rename = "type")]
    #[graphql(name = "type")]
    pub event_type: Option<String>,
    /// RFC 3339 timestamp with offset, e.g. "2025-10-03T09:00:00+02:00".
    pub occurred_at: Option<String>,
    /// The actor; on user.* events the user the event is about.
    pub user_id: Option<String>,
    /// The session the event belongs to.
    pub session_id: Option<String>,
    /// On user.* events: the admin who made the change.
    pub by_user_id: Option<String>,
    /// asset.* and collection.downloaded: the asset.
    pub asset_id: Option<String>,
    /// asset.uploaded / asset.updated: the file name.
    pub filename: Option<String>,
    /// asset.uploaded / asset.updated: IMAGE, VIDEO or RAW.
    pub asset_type: Option<String>,
    /// asset.uploaded / asset.updated: the folder path.
    pub folder: Option<String>,
    /// asset.uploaded / asset.updated: the tags.
    pub tags: Option<Vec<String>>,
    /// asset.uploaded / asset.updated: metaproperties and their values.
    #[serde(skip)]
    pub metaproperties: Option<Vec<MetapropertyInput>>,
    /// asset.uploaded: WEB, EXTERNAL_UPLOADER, MASS_UPLOADER or API.
    pub source: Option<String>,
    /// asset.downloaded: shared by every asset of one user action.
    pub action_id: Option<String>,
    /// asset.downloaded: a folder/zip download.
    pub bulk: Option<bool>,
    /// asset.downloaded: ORIGINAL or DERIVATIVE; collection.downloaded: ORIGINAL or TRANSFORMED.
    pub variant: Option<String>,
    /// search.performed: TEXT, FILTER, EXPRESSION, VISUAL_TEXT or VISUAL_SIMILARITY.
    pub kind: Option<String>,
    /// search.performed: the text typed (TEXT, VISUAL_TEXT).
    pub query: Option<String>,
    /// search.performed: the filters set.
    pub filters: Option<Vec<SearchFilterInput>>,
    /// search.performed: the expression (EXPRESSION).
    pub expression: Option<String>,
    /// search.performed: the reference image (VISUAL_SIMILARITY).
    pub reference_asset_id: Option<String>,
    /// search.performed: how many results it found.
    pub result_count: Option<i64>,
    /// collection.* and asset.added_to_collection: the collection.
    pub collection_id: Option<String>,
    /// collection.created, portal.published, job.created, user.*: the name.
    pub name: Option<String>,
    /// collection.created: whether its public link is on.
    pub public: Option<bool>,
    /// collection.viewed: viewed through the public link.
    pub via_public_link: Option<bool>,
    /// collection.downloaded: the transformation preset.
    pub preset: Option<String>,
    /// portal.*: the portal.
    pub portal_id: Option<String>,
    /// portal.published: the number of assets it shows.
    pub asset_count: Option<i64>,
    /// job.*: the job.
    pub job_id: Option<String>,
    /// job.created: the workflow.
    pub workflow: Option<String>,
    /// job.advanced / job.sent_back: the stage left.
    pub from_stage: Option<String>,
    /// job.advanced / job.sent_back: the stage entered.
    pub to_stage: Option<String>,
    /// user.created / user.updated: e-mail address.
    pub email: Option<String>,
    /// user.created / user.updated: the DAM's role name.
    pub role: Option<String>,
    /// user.created / user.updated: user groups.
    pub groups: Option<Vec<String>>,
    /// user.created: MANUAL, BULK or ACCESS_REQUEST.
    pub via: Option<String>,
    /// user.logged_in: a single sign-on login.
    pub sso: Option<bool>,
}

fn metaproperties_json(list: &[MetapropertyInput]) -> Value {
    let mut map = Map::new();
    for m in list {
        let values = map
            .entry(m.name.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = values {
            items.extend(m.values.iter().cloned().map(Value::String));
        }
    }
    Value::Object(map)
}

/// The flat JSON the NDJSON endpoint would receive for `input`.
fn to_json<T: Serialize>(input: &T, metaproperties: Option<&[MetapropertyInput]>) -> Value {
    let mut value = serde_json::to_value(input).unwrap_or(Value::Null);
    if let (Value::Object(obj), Some(list)) = (&mut value, metaproperties) {
        obj.insert("metaproperties".into(), metaproperties_json(list));
    }
    value
}

fn items<T: Serialize>(
    inputs: &[T],
    metaproperties: impl Fn(&T) -> Option<&[MetapropertyInput]>,
    extra: &[(&str, &str)],
) -> Result<Vec<Item>> {
    if inputs.len() > MAX_PER_CALL {
        return Err(AppError::BadUserInput(format!(
            "{} items in one call: at most {MAX_PER_CALL} are accepted; split the list or use the NDJSON endpoint",
            inputs.len()
        )))
        .gql();
    }
    Ok(inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let mut value = to_json(input, metaproperties(input));
            if let Value::Object(obj) = &mut value {
                for (k, v) in extra {
                    obj.insert((*k).to_owned(), Value::String((*v).to_owned()));
                }
            }
            Item {
                line: i as u64 + 1,
                value: Ok(value),
            }
        })
        .collect())
}

/// An asset as the DAM has it now.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetSyncInput {
    /// The asset's id in the DAM.
    pub id: String,
    /// As of when this is true (RFC 3339); later events win over it, older ones don't. Default: now.
    pub updated_at: Option<String>,
    /// The file name.
    pub filename: Option<String>,
    /// IMAGE, VIDEO or RAW.
    pub asset_type: Option<String>,
    /// The folder path.
    pub folder: Option<String>,
    /// The tags.
    pub tags: Option<Vec<String>>,
    /// Metaproperties and their values.
    #[serde(skip)]
    pub metaproperties: Option<Vec<MetapropertyInput>>,
    /// WEB, EXTERNAL_UPLOADER, MASS_UPLOADER or API.
    pub source: Option<String>,
    /// The uploader's user id.
    pub uploaded_by: Option<String>,
    /// When it was uploaded (RFC 3339).
    pub uploaded_at: Option<String>,
    /// ACTIVE, ARCHIVED or DELETED.
    pub status: Option<String>,
}

/// A user as the DAM has them now.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSyncInput {
    /// The user's id in the DAM.
    pub id: String,
    /// As of when this is true (RFC 3339). Default: now.
    pub updated_at: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// The DAM's role name.
    pub role: Option<String>,
    /// User groups.
    pub groups: Option<Vec<String>>,
    /// MANUAL, BULK or ACCESS_REQUEST.
    pub via: Option<String>,
    /// ACTIVE or DELETED.
    pub status: Option<String>,
    /// When the account was created (RFC 3339).
    pub created_at: Option<String>,
    /// The latest login (RFC 3339).
    pub last_login_at: Option<String>,
}

/// A collection as the DAM has it now.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionSyncInput {
    /// The collection's id in the DAM.
    pub id: String,
    /// As of when this is true (RFC 3339). Default: now.
    pub updated_at: Option<String>,
    /// The name.
    pub name: Option<String>,
    /// Whether its public link is on.
    pub public: Option<bool>,
    /// The creator's user id.
    pub created_by: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: Option<String>,
    /// Every asset it holds: replaces the membership known so far.
    pub asset_ids: Option<Vec<String>>,
}

/// A portal as the DAM has it now.
#[derive(InputObject, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalSyncInput {
    /// The portal's id in the DAM.
    pub id: String,
    /// As of when this is true (RFC 3339). Default: now.
    pub updated_at: Option<String>,
    /// The name.
    pub name: String,
    /// The number of assets it shows.
    pub asset_count: Option<i64>,
    /// Whether it is published.
    pub live: Option<bool>,
}

async fn sync(ctx: &Context<'_>, items: Vec<Item>) -> Result<SyncReport> {
    let caller = caller(ctx, Scope::EventsWrite).gql()?;
    let ingestor = ctx.data::<Ingestor>()?;
    let mut report = SyncReport::default();
    ingestor
        .sync(&caller.environment, items, &mut report)
        .await
        .gql()?;
    Ok(report)
}

fn no_metaproperties<T>(_: &T) -> Option<&[MetapropertyInput]> {
    None
}

#[Object]
impl IngestMutation {
    /// Stores events (at most 1,000 a call), each once: an id already stored counts as a
    /// duplicate and changes nothing. Needs the events:write scope.
    async fn ingest_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The events, in any order.")] events: Vec<EventInput>,
    ) -> Result<IngestReport> {
        let caller = caller(ctx, Scope::EventsWrite).gql()?;
        ctx.data::<IngestRate>()?
            .check(&caller.key_id, events.len() as u64)
            .gql()?;
        let items = items(&events, |e| e.metaproperties.as_deref(), &[])?;
        let ingestor = ctx.data::<Ingestor>()?;
        let mut report = IngestReport::default();
        ingestor
            .ingest(&caller.environment, items, &mut report)
            .await
            .gql()?;
        Ok(report)
    }

    /// Upserts assets (at most 1,000 a call); counts as no activity. Needs events:write.
    async fn sync_assets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assets.")] assets: Vec<AssetSyncInput>,
    ) -> Result<SyncReport> {
        sync(
            ctx,
            items(
                &assets,
                |a| a.metaproperties.as_deref(),
                &[("kind", "asset")],
            )?,
        )
        .await
    }

    /// Upserts users (at most 1,000 a call); counts as no activity. Needs events:write.
    async fn sync_users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The users.")] users: Vec<UserSyncInput>,
    ) -> Result<SyncReport> {
        sync(ctx, items(&users, no_metaproperties, &[("kind", "user")])?).await
    }

    /// Upserts collections (at most 1,000 a call); counts as no activity. Needs events:write.
    async fn sync_collections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The collections.")] collections: Vec<CollectionSyncInput>,
    ) -> Result<SyncReport> {
        sync(
            ctx,
            items(&collections, no_metaproperties, &[("kind", "collection")])?,
        )
        .await
    }

    /// Upserts portals (at most 1,000 a call); counts as no activity. Needs events:write.
    async fn sync_portals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The portals.")] portals: Vec<PortalSyncInput>,
    ) -> Result<SyncReport> {
        sync(
            ctx,
            items(&portals, no_metaproperties, &[("kind", "portal")])?,
        )
        .await
    }
}
