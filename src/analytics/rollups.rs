//! What each event adds to the rollups. Ingest applies these increments in the event's
//! own transaction; `rollups rebuild` applies them again from the raw events. Both go
//! through [`increments`], so they cannot disagree on what is counted.
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Rollup metric names. `key` and `sub` say what a row's key and sub hold.
pub mod m {
    /// asset.uploaded events; key ''.
    pub const UPLOADS: &str = "uploads";
    /// search.performed events; key ''.
    pub const SEARCHES: &str = "searches";
    /// Non-bulk asset.downloaded events; key ''.
    pub const DOWNLOADS: &str = "downloads";
    /// collection.viewed with viaPublicLink; key ''.
    pub const COLLECTIONS_VIEWED: &str = "collectionsViewed";
    /// collection.created events; key ''.
    pub const COLLECTIONS_CREATED: &str = "collectionsCreated";
    /// Per user (key): searches + downloads (bulk included) + uploads.
    pub const ACTIVE_USER: &str = "activeUser";
    /// Per user: searches.
    pub const USER_SEARCHES: &str = "userSearches";
    /// Per user: downloads, bulk included.
    pub const USER_DOWNLOADS: &str = "userDownloads";
    /// Per user: uploads.
    pub const USER_UPLOADS: &str = "userUploads";
    /// Per session id (key): events of users.
    pub const ACTIVE_SESSION: &str = "activeSession";
    /// Per user: searches (the rows are usersWhoSearched).
    pub const SEARCHER: &str = "searcher";
    /// Per normalised TEXT query.
    pub const QUERY: &str = "searchQuery";
    /// Per normalised TEXT query (key) and user (sub).
    pub const QUERY_USER: &str = "searchQueryUser";
    /// Per filter field (key) and value (sub).
    pub const FILTER: &str = "searchFilter";
    /// Per normalised expression.
    pub const EXPRESSION: &str = "searchExpression";
    /// Per reference asset of VISUAL_SIMILARITY searches.
    pub const VISUAL_REFERENCE: &str = "visualReference";
    /// Per normalised VISUAL_TEXT query.
    pub const VISUAL_TEXT: &str = "visualText";
    /// Per normalised VISUAL_TEXT query (key) and user (sub).
    pub const VISUAL_TEXT_USER: &str = "visualTextUser";
    /// Per asset: non-bulk downloads (the rows are uniqueAssetsDownloaded).
    pub const DOWNLOAD_ASSET: &str = "downloadAsset";
    /// Per asset (key) and user (sub): non-bulk downloads.
    pub const DOWNLOAD_ASSET_USER: &str = "downloadAssetUser";
    /// Per user: non-bulk downloads (the rows are usersWhoDownloaded).
    pub const DOWNLOADER: &str = "downloader";
    /// Per collection: collection.viewed with viaPublicLink.
    pub const PUBLIC_VIEW: &str = "publicCollectionView";
    /// Per collection: collection.downloaded.
    pub const PUBLIC_DOWNLOAD: &str = "publicCollectionDownload";
    /// Per variant (ORIGINAL / TRANSFORMED): collection.downloaded.
    pub const PUBLIC_DOWNLOAD_VARIANT: &str = "publicCollectionDownloadVariant";
    /// Per user: collection.created.
    pub const CREATOR: &str = "collectionCreator";
}

/// The facts of one event that rollups read.
pub struct EventFacts<'a> {
    pub event_type: &'a str,
    pub user_id: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub asset_id: Option<&'a str>,
    pub collection_id: Option<&'a str>,
    /// The local month, `YYYY-MM`.
    pub month: &'a str,
    pub payload: &'a Map<String, Value>,
}

/// (metric, period, key, sub) → count to add.
pub type Increments = HashMap<(&'static str, String, String, String), i64>;

/// Trimmed, lower-cased, inner whitespace collapsed to one space.
pub fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Adds what `e` counts to `out`.
pub fn increments(e: &EventFacts<'_>, out: &mut Increments) {
    let mut add = |metric: &'static str, key: &str, sub: &str| {
        *out.entry((metric, e.month.to_owned(), key.to_owned(), sub.to_owned()))
            .or_insert(0) += 1;
    };
    let str_field = |name: &str| e.payload.get(name).and_then(Value::as_str);
    if let (Some(_), Some(session)) = (e.user_id, e.session_id) {
        add(m::ACTIVE_SESSION, session, "");
    }
    match e.event_type {
        "asset.uploaded" => {
            add(m::UPLOADS, "", "");
            if let Some(user) = e.user_id {
                add(m::ACTIVE_USER, user, "");
                add(m::USER_UPLOADS, user, "");
            }
        }
        "asset.downloaded" => {
            let bulk = e
                .payload
                .get("bulk")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if let Some(user) = e.user_id {
                add(m::ACTIVE_USER, user, "");
                add(m::USER_DOWNLOADS, user, "");
            }
            if !bulk {
                add(m::DOWNLOADS, "", "");
                if let Some(asset) = e.asset_id {
                    add(m::DOWNLOAD_ASSET, asset, "");
                    if let Some(user) = e.user_id {
                        add(m::DOWNLOAD_ASSET_USER, asset, user);
                    }
                }
                if let Some(user) = e.user_id {
                    add(m::DOWNLOADER, user, "");
                }
            }
        }
        "search.performed" => {
            add(m::SEARCHES, "", "");
            if let Some(user) = e.user_id {
                add(m::ACTIVE_USER, user, "");
                add(m::USER_SEARCHES, user, "");
                add(m::SEARCHER, user, "");
            }
            let (text_metric, user_metric) = match str_field("kind") {
                Some("TEXT") => (Some(m::QUERY), m::QUERY_USER),
                Some("VISUAL_TEXT") => (Some(m::VISUAL_TEXT), m::VISUAL_TEXT_USER),
                _ => (None, m::QUERY_USER),
            };
            let query = str_field("query").map(normalise).filter(|q| !q.is_empty());
            if let (Some(metric), Some(query)) = (text_metric, query) {
                add(metric, &query, "");
                if let Some(user) = e.user_id {
                    add(user_metric, &query, user);
                }
            }
            if str_field("kind") == Some("EXPRESSION")
                && let Some(expression) = str_field("expression")
                    .map(normalise)
                    .filter(|x| !x.is_empty())
            {
                add(m::EXPRESSION, &expression, "");
            }
            if str_field("kind") == Some("VISUAL_SIMILARITY")
                && let Some(reference) = str_field("referenceAssetId")
            {
                add(m::VISUAL_REFERENCE, reference, "");
            }
            for filter in e
                .payload
                .get("filters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let (Some(field), Some(value)) = (
                    filter.get("field").and_then(Value::as_str),
                    filter.get("value").and_then(Value::as_str),
                ) {
                    add(m::FILTER, field, value);
                }
            }
        }
        "collection.viewed"
            if e.payload.get("viaPublicLink").and_then(Value::as_bool) == Some(true) =>
        {
            add(m::COLLECTIONS_VIEWED, "", "");
            if let Some(collection) = e.collection_id {
                add(m::PUBLIC_VIEW, collection, "");
            }
        }
        "collection.downloaded" => {
            if let Some(collection) = e.collection_id {
                add(m::PUBLIC_DOWNLOAD, collection, "");
            }
            if let Some(variant) = str_field("variant") {
                add(m::PUBLIC_DOWNLOAD_VARIANT, variant, "");
            }
        }
        "collection.created" => {
            add(m::COLLECTIONS_CREATED, "", "");
            if let Some(user) = e.user_id {
                add(m::CREATOR, user, "");
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn normalising_trims_lowercases_and_collapses_whitespace() {
        assert_eq!(normalise("  Summer\t  CAMPAIGN \n"), "summer campaign");
        assert_eq!(normalise("logo"), "logo");
        assert_eq!(normalise("   "), "");
    }
}
