//! Validation of one incoming event: from a flat JSON object to a [`ValidEvent`], or a
//! [`Rejection`] naming the field and what is accepted.
use super::fields::{Field, Kind, check_declared, check_field, opt, parse_timestamp, req};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

/// Why one event (or catalog record) was refused. Nothing of it was stored.
#[derive(Clone, Debug, PartialEq, Serialize, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "Rejection")]
pub struct Rejection {
    /// Position in the input: the line of an NDJSON body, else the 1-based index in the array.
    pub line: u64,
    /// The event's (or record's) `id`, when it had a readable one.
    pub event_id: Option<String>,
    /// The offending field, when one field is to blame.
    pub field: Option<String>,
    /// What was wrong and what is accepted.
    pub reason: String,
}

pub(crate) const ASSET_TYPES: &[&str] = &["IMAGE", "VIDEO", "RAW"];
pub(crate) const SOURCES: &[&str] = &["WEB", "EXTERNAL_UPLOADER", "MASS_UPLOADER", "API"];
const DOWNLOAD_VARIANTS: &[&str] = &["ORIGINAL", "DERIVATIVE"];
const COLLECTION_VARIANTS: &[&str] = &["ORIGINAL", "TRANSFORMED"];
const SEARCH_KINDS: &[&str] = &[
    "TEXT",
    "FILTER",
    "EXPRESSION",
    "VISUAL_TEXT",
    "VISUAL_SIMILARITY",
];
pub(crate) const VIAS: &[&str] = &["MANUAL", "BULK", "ACCESS_REQUEST"];

/// Every event type: its dotted name and the fields it declares beyond the common ones
/// (`id`, `type`, `occurredAt`, `userId`, `sessionId`).
const TYPES: &[(&str, &[Field])] = &[
    (
        "asset.uploaded",
        &[
            req("assetId", Kind::Id),
            req("filename", Kind::Text),
            req("assetType", Kind::Enum(ASSET_TYPES)),
            opt("folder", Kind::Text),
            opt("tags", Kind::Strings),
            opt("metaproperties", Kind::Metaproperties),
            req("source", Kind::Enum(SOURCES)),
        ],
    ),
    ("asset.viewed", &[req("assetId", Kind::Id)]),
    (
        "asset.downloaded",
        &[
            req("assetId", Kind::Id),
            req("actionId", Kind::Id),
            req("bulk", Kind::Bool),
            req("variant", Kind::Enum(DOWNLOAD_VARIANTS)),
        ],
    ),
    (
        "asset.updated",
        &[
            req("assetId", Kind::Id),
            opt("filename", Kind::Text),
            opt("assetType", Kind::Enum(ASSET_TYPES)),
            opt("folder", Kind::Text),
            opt("tags", Kind::Strings),
            opt("metaproperties", Kind::Metaproperties),
        ],
    ),
    ("asset.archived", &[req("assetId", Kind::Id)]),
    ("asset.deleted", &[req("assetId", Kind::Id)]),
    (
        "asset.added_to_collection",
        &[req("assetId", Kind::Id), req("collectionId", Kind::Id)],
    ),
    (
        "search.performed",
        &[
            req("kind", Kind::Enum(SEARCH_KINDS)),
            opt("query", Kind::Term),
            opt("filters", Kind::Filters),
            opt("expression", Kind::Term),
            opt("referenceAssetId", Kind::Id),
            opt("resultCount", Kind::Count),
        ],
    ),
    (
        "collection.created",
        &[
            req("collectionId", Kind::Id),
            req("name", Kind::Text),
            req("public", Kind::Bool),
        ],
    ),
    ("collection.published", &[req("collectionId", Kind::Id)]),
    ("collection.unpublished", &[req("collectionId", Kind::Id)]),
    (
        "collection.viewed",
        &[
            req("collectionId", Kind::Id),
            req("viaPublicLink", Kind::Bool),
        ],
    ),
    (
        "collection.downloaded",
        &[
            req("collectionId", Kind::Id),
            req("assetId", Kind::Id),
            req("variant", Kind::Enum(COLLECTION_VARIANTS)),
            opt("preset", Kind::Text),
        ],
    ),
    (
        "portal.published",
        &[
            req("portalId", Kind::Id),
            req("name", Kind::Text),
            req("assetCount", Kind::Count),
        ],
    ),
    ("portal.unpublished", &[req("portalId", Kind::Id)]),
    (
        "job.created",
        &[
            req("jobId", Kind::Id),
            req("name", Kind::Text),
            req("workflow", Kind::Text),
        ],
    ),
    (
        "job.advanced",
        &[
            req("jobId", Kind::Id),
            req("fromStage", Kind::Text),
            req("toStage", Kind::Text),
        ],
    ),
    (
        "job.sent_back",
        &[
            req("jobId", Kind::Id),
            req("fromStage", Kind::Text),
            req("toStage", Kind::Text),
        ],
    ),
    ("job.finished", &[req("jobId", Kind::Id)]),
    (
        "user.created",
        &[
            req("email", Kind::Text),
            req("name", Kind::Text),
            req("role", Kind::Text),
            opt("groups", Kind::Strings),
            req("via", Kind::Enum(VIAS)),
            opt("byUserId", Kind::Id),
        ],
    ),
    (
        "user.updated",
        &[
            opt("email", Kind::Text),
            opt("name", Kind::Text),
            opt("role", Kind::Text),
            opt("groups", Kind::Strings),
            opt("byUserId", Kind::Id),
        ],
    ),
    ("user.deleted", &[opt("byUserId", Kind::Id)]),
    ("user.logged_in", &[req("sso", Kind::Bool)]),
    ("user.logged_out", &[]),
];

const COMMON: &[&str] = &["id", "type", "occurredAt", "userId", "sessionId"];

/// The dotted names of every accepted event type.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|(name, _)| *name)
}

/// A validated event, ready to store.
#[derive(Clone, Debug)]
pub struct ValidEvent {
    pub id: String,
    /// The dotted type name, one of [`type_names`].
    pub event_type: &'static str,
    pub occurred_at: DateTime<Utc>,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub asset_id: Option<String>,
    pub collection_id: Option<String>,
    pub job_id: Option<String>,
    pub portal_id: Option<String>,
    /// The type's own fields other than the entity ids above, as sent.
    pub payload: Map<String, Value>,
}

impl ValidEvent {
    /// What rollups read of this event; `month` and `day` are its local month and day.
    pub fn facts<'a>(
        &'a self,
        month: &'a str,
        day: &'a str,
    ) -> crate::analytics::rollups::EventFacts<'a> {
        crate::analytics::rollups::EventFacts {
            event_type: self.event_type,
            user_id: self.user_id.as_deref(),
            session_id: self.session_id.as_deref(),
            asset_id: self.asset_id.as_deref(),
            collection_id: self.collection_id.as_deref(),
            month,
            day,
            payload: &self.payload,
        }
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.payload.get(field).and_then(Value::as_str)
    }
    pub fn bool(&self, field: &str) -> Option<bool> {
        self.payload.get(field).and_then(Value::as_bool)
    }
}

/// Validates one event object. `now` bounds how far in the future `occurredAt` may lie.
pub fn validate(line: u64, value: Value, now: DateTime<Utc>) -> Result<ValidEvent, Rejection> {
    let Value::Object(mut obj) = value else {
        return Err(Rejection {
            line,
            event_id: None,
            field: None,
            reason: "an event must be a JSON object".into(),
        });
    };
    let event_id = obj.get("id").and_then(Value::as_str).map(str::to_owned);
    let reject = |field: Option<&str>, reason: String| Rejection {
        line,
        event_id: event_id.clone(),
        field: field.map(str::to_owned),
        reason,
    };
    // A null is the same as an absent field: GraphQL clients and JSON encoders send both.
    obj.retain(|_, v| !v.is_null());

    let id = match obj.remove("id") {
        None => {
            return Err(reject(
                Some("id"),
                "id is required: the sender's unique event id".into(),
            ));
        }
        Some(v) => {
            check_field(&v, "id", Kind::Id).map_err(|r| reject(Some("id"), r))?;
            v.as_str().unwrap_or_default().to_owned()
        }
    };
    let type_name = match obj.remove("type") {
        Some(Value::String(t)) => t,
        Some(_) | None => {
            return Err(reject(
                Some("type"),
                format!(
                    "type is required: one of {}",
                    type_names().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    };
    let Some((event_type, fields)) = TYPES.iter().find(|(name, _)| *name == type_name) else {
        return Err(reject(
            Some("type"),
            format!(
                "unknown event type {type_name:?}: accepted types are {}",
                type_names().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let occurred_at = match obj.remove("occurredAt") {
        Some(Value::String(s)) => {
            parse_timestamp(&s, "occurredAt").map_err(|r| reject(Some("occurredAt"), r))?
        }
        _ => {
            return Err(reject(
                Some("occurredAt"),
                "occurredAt is required: an RFC 3339 timestamp with offset, e.g. 2025-10-03T09:00:00+02:00".into(),
            ));
        }
    };
    if occurred_at > now + Duration::days(1) {
        return Err(reject(
            Some("occurredAt"),
            "occurredAt lies more than a day in the future".into(),
        ));
    }
    let take_id = |name: &str, obj: &mut Map<String, Value>| -> Result<Option<String>, Rejection> {
        match obj.remove(name) {
            None => Ok(None),
            Some(v) => {
                check_field(&v, name, Kind::Id).map_err(|r| reject(Some(name), r))?;
                Ok(v.as_str().map(str::to_owned))
            }
        }
    };
    let user_id = take_id("userId", &mut obj)?;
    let session_id = take_id("sessionId", &mut obj)?;
    if event_type.starts_with("user.") && user_id.is_none() {
        return Err(reject(
            Some("userId"),
            format!("userId is required on {event_type}: the user the event is about"),
        ));
    }

    check_declared(&obj, fields, COMMON, &format!("on {event_type}"))
        .map_err(|(field, reason)| reject(Some(&field), reason))?;
    check_rules(event_type, &obj).map_err(|(field, reason)| reject(Some(field), reason))?;

    let mut take = |name: &str| obj.remove(name).and_then(|v| v.as_str().map(str::to_owned));
    let asset_id = take("assetId");
    let collection_id = take("collectionId");
    let job_id = take("jobId");
    let portal_id = take("portalId");
    Ok(ValidEvent {
        id,
        event_type,
        occurred_at,
        user_id,
        session_id,
        asset_id,
        collection_id,
        job_id,
        portal_id,
        payload: obj,
    })
}

/// Rules that tie fields together.
fn check_rules(event_type: &str, obj: &Map<String, Value>) -> Result<(), (&'static str, String)> {
    match event_type {
        "search.performed" => {
            let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
            let needed = match kind {
                "TEXT" | "VISUAL_TEXT" => Some("query"),
                "EXPRESSION" => Some("expression"),
                "VISUAL_SIMILARITY" => Some("referenceAssetId"),
                "FILTER" => Some("filters"),
                _ => None,
            };
            if let Some(field) = needed {
                let present = match obj.get(field) {
                    Some(Value::Array(items)) => !items.is_empty(),
                    Some(_) => true,
                    None => false,
                };
                if !present {
                    return Err((field, format!("{field} is required on a {kind} search")));
                }
            }
            Ok(())
        }
        "asset.updated" | "user.updated" => {
            let changed: &[&'static str] = if event_type == "asset.updated" {
                &["filename", "assetType", "folder", "tags", "metaproperties"]
            } else {
                &["email", "name", "role", "groups"]
            };
            if changed.iter().any(|f| obj.contains_key(*f)) {
                Ok(())
            } else {
                Err((
                    changed[0],
                    format!(
                        "{event_type} must name at least one changed field among {}",
                        changed.join(", ")
                    ),
                ))
            }
        }
        _ => Ok(()),
    }
}
