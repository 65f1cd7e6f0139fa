//! What each event type changes in the catalog. An event naming an entity not seen yet
//! makes a placeholder of it, filled in later by its creating event or a sync.
use super::entities::{
    AssetPatch, CatalogChanges, CollectionPatch, JobPatch, PortalPatch, UserPatch,
};
use super::event::ValidEvent;
use serde_json::Value;

fn text(e: &ValidEvent, field: &str) -> Option<String> {
    e.str(field).map(str::to_owned)
}

fn json(e: &ValidEvent, field: &str) -> Option<Value> {
    e.payload.get(field).cloned()
}

/// Records the catalog changes `e`, of local day `day`, implies.
pub fn add(e: &ValidEvent, day: &str, changes: &mut CatalogChanges) {
    let at = e.occurred_at;
    if let Some(user) = &e.user_id {
        changes.users.add(user, at, UserPatch::default());
    }
    if let Some(admin) = e.str("byUserId") {
        changes.users.add(admin, at, UserPatch::default());
    }
    if let Some(reference) = e.str("referenceAssetId") {
        changes.assets.add(reference, at, AssetPatch::default());
    }
    if let Some(collection) = &e.collection_id {
        let patch = match e.event_type {
            "collection.created" => CollectionPatch {
                name: text(e, "name"),
                is_public: e.bool("public"),
                created_by: e.user_id.clone(),
                created_at: Some(at),
                creates: true,
            },
            "collection.published" => CollectionPatch {
                is_public: Some(true),
                ..Default::default()
            },
            "collection.unpublished" => CollectionPatch {
                is_public: Some(false),
                ..Default::default()
            },
            _ => CollectionPatch::default(),
        };
        changes.collections.add(collection, at, patch);
    }
    if let Some(asset) = &e.asset_id {
        let patch = match e.event_type {
            "asset.uploaded" => AssetPatch {
                filename: text(e, "filename"),
                asset_type: text(e, "assetType"),
                folder: Some(text(e, "folder").unwrap_or_default()),
                tags: Some(json(e, "tags").unwrap_or_else(|| Value::Array(Vec::new()))),
                metaproperties: Some(
                    json(e, "metaproperties").unwrap_or_else(|| Value::Object(Default::default())),
                ),
                source: text(e, "source"),
                uploaded_by: e.user_id.clone(),
                uploaded_at: Some(at),
                status: Some("ACTIVE".into()),
                creates: true,
                ..Default::default()
            },
            "asset.updated" => AssetPatch {
                filename: text(e, "filename"),
                asset_type: text(e, "assetType"),
                folder: text(e, "folder"),
                tags: json(e, "tags"),
                metaproperties: json(e, "metaproperties"),
                ..Default::default()
            },
            "asset.archived" => AssetPatch {
                status: Some("ARCHIVED".into()),
                ..Default::default()
            },
            "asset.deleted" => AssetPatch {
                status: Some("DELETED".into()),
                ..Default::default()
            },
            _ => AssetPatch::default(),
        };
        // The days `unusedAssets` reads, as the per-asset rollups count them.
        let mut patch = patch;
        match e.event_type {
            "asset.uploaded" => patch.uploaded_day = Some(day.to_owned()),
            "asset.archived" | "asset.deleted" => patch.removed_day = Some(day.to_owned()),
            "asset.viewed" | "asset.downloaded" | "collection.downloaded" => {
                patch.used_day = Some(day.to_owned())
            }
            _ => {}
        }
        changes.assets.add(asset, at, patch);
        if let (Some(collection), "asset.added_to_collection") = (&e.collection_id, e.event_type) {
            changes.add_membership(collection, asset, at);
        }
    }
    if let Some(portal) = &e.portal_id {
        let patch = match e.event_type {
            "portal.published" => PortalPatch {
                name: text(e, "name"),
                asset_count: e.payload.get("assetCount").and_then(Value::as_i64),
                is_live: Some(true),
                creates: true,
            },
            _ => PortalPatch {
                is_live: Some(false),
                ..Default::default()
            },
        };
        changes.portals.add(portal, at, patch);
    }
    if let Some(job) = &e.job_id {
        let patch = match e.event_type {
            "job.created" => JobPatch {
                name: text(e, "name"),
                workflow: text(e, "workflow"),
                created_by: e.user_id.clone(),
                created_at: Some(at),
                creates: true,
                ..Default::default()
            },
            "job.advanced" | "job.sent_back" => JobPatch {
                stage: text(e, "toStage"),
                ..Default::default()
            },
            "job.finished" => JobPatch {
                finished_at: Some(at),
                ..Default::default()
            },
            _ => JobPatch::default(),
        };
        changes.jobs.add(job, at, patch);
    }
    if let (Some(user), true) = (&e.user_id, e.event_type.starts_with("user.")) {
        let patch = match e.event_type {
            "user.created" => UserPatch {
                email: text(e, "email"),
                name: text(e, "name"),
                role: text(e, "role"),
                groups: Some(json(e, "groups").unwrap_or_else(|| Value::Array(Vec::new()))),
                via: text(e, "via"),
                status: Some("ACTIVE".into()),
                created_at: Some(at),
                creates: true,
                ..Default::default()
            },
            "user.updated" => UserPatch {
                email: text(e, "email"),
                name: text(e, "name"),
                role: text(e, "role"),
                groups: json(e, "groups"),
                ..Default::default()
            },
            "user.deleted" => UserPatch {
                status: Some("DELETED".into()),
                ..Default::default()
            },
            "user.logged_in" => UserPatch {
                logged_in_at: Some(at),
                ..Default::default()
            },
            _ => UserPatch::default(),
        };
        changes.users.add(user, at, patch);
    }
}
