//! Catalog sync: upserts of assets, users, collections and portals that existed before
//! (or outside) the event stream. A sync counts as no activity: it stores no event.
use super::entities::{AssetPatch, CatalogChanges, CollectionPatch, PortalPatch, UserPatch};
use super::event::{ASSET_TYPES, Rejection, SOURCES, VIAS};
use super::fields::{Field, Kind, check_declared, check_field, opt, req};
use super::{Ingestor, Item, Refused};
use crate::error::AppResult;
use crate::storage::environments::Environment;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

const ASSET_STATUSES: &[&str] = &["ACTIVE", "ARCHIVED", "DELETED"];
const USER_STATUSES: &[&str] = &["ACTIVE", "DELETED"];

/// Fields every record may carry besides its kind's own.
const COMMON: &[&str] = &["kind", "id", "updatedAt"];

const KINDS: &[(&str, &[Field])] = &[
    (
        "asset",
        &[
            opt("filename", Kind::Text),
            opt("assetType", Kind::Enum(ASSET_TYPES)),
            opt("folder", Kind::Text),
            opt("tags", Kind::Strings),
            opt("metaproperties", Kind::Metaproperties),
            opt("source", Kind::Enum(SOURCES)),
            opt("uploadedBy", Kind::Id),
            opt("uploadedAt", Kind::Timestamp),
            opt("status", Kind::Enum(ASSET_STATUSES)),
        ],
    ),
    (
        "user",
        &[
            opt("email", Kind::Text),
            opt("name", Kind::Text),
            opt("role", Kind::Text),
            opt("groups", Kind::Strings),
            opt("via", Kind::Enum(VIAS)),
            opt("status", Kind::Enum(USER_STATUSES)),
            opt("createdAt", Kind::Timestamp),
            opt("lastLoginAt", Kind::Timestamp),
        ],
    ),
    (
        "collection",
        &[
            opt("name", Kind::Text),
            opt("public", Kind::Bool),
            opt("createdBy", Kind::Id),
            opt("createdAt", Kind::Timestamp),
            opt("assetIds", Kind::Ids),
        ],
    ),
    (
        "portal",
        &[
            req("name", Kind::Text),
            opt("assetCount", Kind::Count),
            opt("live", Kind::Bool),
        ],
    ),
];

/// What a catalog sync did.
#[derive(Clone, Debug, Default, Serialize, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// Records created or updated.
    pub upserted: u64,
    /// The records refused.
    #[serde(flatten)]
    #[graphql(flatten)]
    pub refused: Refused,
}

struct Record {
    kind: &'static str,
    id: String,
    at: DateTime<Utc>,
    fields: Map<String, Value>,
}

fn validate(line: u64, value: Value, now: DateTime<Utc>) -> Result<Record, Rejection> {
    let Value::Object(mut obj) = value else {
        return Err(Rejection {
            line,
            event_id: None,
            field: None,
            reason: "a record must be a JSON object".into(),
        });
    };
    obj.retain(|_, v| !v.is_null());
    let id = obj.get("id").and_then(Value::as_str).map(str::to_owned);
    let reject = |field: &str, reason: String| Rejection {
        line,
        event_id: id.clone(),
        field: Some(field.to_owned()),
        reason,
    };
    let kinds = || KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ");
    let kind_name = obj
        .remove("kind")
        .and_then(|v| v.as_str().map(str::to_owned));
    let Some((kind, fields)) = KINDS.iter().find(|(k, _)| Some(*k) == kind_name.as_deref()) else {
        return Err(reject(
            "kind",
            format!("kind is required: one of {}", kinds()),
        ));
    };
    let Some(raw_id) = obj.remove("id") else {
        return Err(reject(
            "id",
            format!("id is required: the {kind}'s id in the DAM"),
        ));
    };
    check_field(&raw_id, "id", Kind::Id).map_err(|r| reject("id", r))?;
    let at = match obj.remove("updatedAt") {
        None => now,
        Some(v) => {
            check_field(&v, "updatedAt", Kind::Timestamp).map_err(|r| reject("updatedAt", r))?;
            parse_time(&v).unwrap_or(now)
        }
    };
    check_declared(&obj, fields, COMMON, &format!("in a {kind} record"))
        .map_err(|(field, reason)| reject(&field, reason))?;
    Ok(Record {
        kind,
        id: raw_id.as_str().unwrap_or_default().to_owned(),
        at,
        fields: obj,
    })
}

fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn add(record: Record, changes: &mut CatalogChanges) {
    let f = &record.fields;
    let text = |name: &str| f.get(name).and_then(Value::as_str).map(str::to_owned);
    let json = |name: &str| f.get(name).cloned();
    let (id, at) = (record.id.as_str(), record.at);
    match record.kind {
        "asset" => changes.assets.add(
            id,
            at,
            AssetPatch {
                filename: text("filename"),
                asset_type: text("assetType"),
                folder: text("folder"),
                tags: json("tags"),
                metaproperties: json("metaproperties"),
                source: text("source"),
                uploaded_by: text("uploadedBy"),
                uploaded_at: f.get("uploadedAt").and_then(parse_time),
                status: text("status"),
                creates: true,
                ..Default::default()
            },
        ),
        "user" => changes.users.add(
            id,
            at,
            UserPatch {
                email: text("email"),
                name: text("name"),
                role: text("role"),
                groups: json("groups"),
                via: text("via"),
                status: text("status"),
                created_at: f.get("createdAt").and_then(parse_time),
                logged_in_at: f.get("lastLoginAt").and_then(parse_time),
                creates: true,
            },
        ),
        "collection" => {
            changes.collections.add(
                id,
                at,
                CollectionPatch {
                    name: text("name"),
                    is_public: f.get("public").and_then(Value::as_bool),
                    created_by: text("createdBy"),
                    created_at: f.get("createdAt").and_then(parse_time),
                    creates: true,
                },
            );
            if let Some(Value::Array(assets)) = f.get("assetIds") {
                let assets: Vec<String> = assets
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect();
                for asset in &assets {
                    changes.assets.add(asset, at, AssetPatch::default());
                }
                changes.replaced_memberships.insert(id.to_owned(), assets);
            }
        }
        _ => changes.portals.add(
            id,
            at,
            PortalPatch {
                name: text("name"),
                asset_count: f.get("assetCount").and_then(Value::as_i64),
                is_live: f.get("live").and_then(Value::as_bool),
                creates: true,
            },
        ),
    }
}

impl Ingestor {
    /// Validates catalog records and upserts the valid ones in one transaction.
    pub async fn sync(
        &self,
        env: &Environment,
        items: Vec<Item>,
        report: &mut SyncReport,
    ) -> AppResult<()> {
        let now = Utc::now();
        let mut changes = CatalogChanges::default();
        let mut count = 0;
        for item in items {
            let record = item
                .value
                .map_err(|unreadable| unreadable.rejection(item.line))
                .and_then(|value| validate(item.line, value, now));
            match record {
                Ok(record) => {
                    add(record, &mut changes);
                    count += 1;
                }
                Err(rejection) => report.refused.add(rejection),
            }
        }
        if count == 0 {
            return Ok(());
        }
        let _guard = self.lock_sqlite().await;
        let txn = self.begin_write().await?;
        self.lock_environment(&txn, env.id).await?;
        changes.write(&txn, env.id).await?;
        txn.commit().await?;
        report.upserted += count;
        Ok(())
    }
}
