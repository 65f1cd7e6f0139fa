//! What each event adds to the rollups. Ingest applies these increments in the event's
//! own transaction; `rollups rebuild` applies them again from the raw events. Both go
//! through [`increments`], so they cannot disagree on what is counted.
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Rollup metric names. `key` and `sub` say what a row's key and sub hold.
pub mod m {
    /// Per metric (key): its number of rows with a count above 0 in the period, kept by
    /// `storage::rollups::add` as rows come and go. Distinct counts and ranking totals of
    /// one period read it instead of counting rows.
    pub const ROWS: &str = "#rows";
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
    /// Per user: downloads, bulk included.
    pub const USER_DOWNLOADS: &str = "userDownloads";
    /// Per user: uploads.
    pub const USER_UPLOADS: &str = "userUploads";
    /// Per session id (key): events of users.
    pub const ACTIVE_SESSION: &str = "activeSession";
    /// Per user: searches (the rows are usersWhoSearched; a user's count is their
    /// searches, as the engagement list shows them).
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

    // Kept per month and per day, for insights over any date range.
    /// Per source (key): asset.uploaded events.
    pub const UPLOADS_BY_SOURCE: &str = "uploadsBySource";
    /// Per asset type (key): asset.uploaded events.
    pub const UPLOADS_BY_TYPE: &str = "uploadsByType";
    /// Per asset (key): asset.uploaded events.
    pub const ASSET_UPLOADS: &str = "assetUploads";
    /// asset.viewed events; key ''.
    pub const ASSET_VIEWS: &str = "assetViews";
    /// Per asset (key): asset.viewed events.
    pub const ASSET_VIEWS_BY_ASSET: &str = "assetViewsByAsset";
    /// Bulk asset.downloaded events; key ''.
    pub const BULK_DOWNLOADS: &str = "bulkDownloads";
    /// Per actionId (key): non-bulk downloads (the rows are downloadActions).
    pub const DOWNLOAD_ACTION: &str = "downloadAction";
    /// asset.archived events; key ''.
    pub const ASSETS_ARCHIVED: &str = "assetsArchived";
    /// Per asset (key): asset.archived events.
    pub const ASSET_ARCHIVES: &str = "assetArchives";
    /// asset.deleted events; key ''.
    pub const ASSETS_DELETED: &str = "assetsDeleted";
    /// Per asset (key): asset.deleted events.
    pub const ASSET_DELETES: &str = "assetDeletes";
    /// Per collection (key): every collection.viewed, public link or not.
    pub const COLLECTION_VIEWS: &str = "collectionViews";
    /// Per via (key): user.created events.
    pub const NEW_USERS: &str = "newUsers";
    /// Per SSO / NON_SSO (key): user.logged_in events.
    pub const LOGINS: &str = "logins";
    /// Per user (key): user.logged_in events.
    pub const USER_LOGINS: &str = "userLogins";
    /// user.logged_out events; key ''.
    pub const LOGOUTS: &str = "logouts";
    /// job.created events; key ''.
    pub const JOBS_CREATED: &str = "jobsCreated";
    /// job.finished events; key ''.
    pub const JOBS_FINISHED: &str = "jobsFinished";
    /// job.sent_back events; key ''.
    pub const JOB_REVISIONS: &str = "jobRevisions";
    /// Per job.advanced event that finished a revision round (key: [`super::event_key`]).
    /// Derived from each job's whole history, so late events re-evaluate it.
    pub const REVISION_ROUNDS: &str = "revisionRounds";
    /// search.performed events that carry resultCount; key ''.
    pub const SEARCHES_WITH_RESULT_COUNT: &str = "searchesWithResultCount";
    /// search.performed events with resultCount = 0; key ''.
    pub const ZERO_RESULT_SEARCHES: &str = "zeroResultSearches";
    /// Per normalised TEXT or VISUAL_TEXT query (key) of searches with resultCount = 0,
    /// anonymous ones included.
    pub const ZERO_RESULT_QUERY: &str = "zeroResultQuery";
    /// Per such query (key) and user (sub).
    pub const ZERO_RESULT_QUERY_USER: &str = "zeroResultQueryUser";
    /// search.performed events with a userId; key ''.
    pub const KNOWN_USER_SEARCHES: &str = "knownUserSearches";
    /// Per converted search (key: the search's [`super::event_key`]). Derived from the
    /// user's searches, views and downloads (`analytics::conversions`), so late events
    /// re-evaluate it.
    pub const CONVERTED_SEARCH: &str = "convertedSearch";
    /// Per asset (key): its uses — asset.viewed, asset.downloaded (bulk included) and
    /// collection.downloaded of it (the assets with none in a range are unusedAssets).
    pub const ASSET_USE: &str = "assetUse";
    /// Per finished job, keyed by its job.finished event ([`super::event_key`]); sub is
    /// finishedAt - createdAt in seconds. Derived from each job's whole history.
    pub const JOB_DURATION: &str = "jobDuration";
}

/// The key of a rollup row that stands for one event: its instant in UTC (microseconds,
/// so keys sort in time order) and its id.
pub fn event_key(at: chrono::DateTime<chrono::Utc>, id: &str) -> String {
    format!("{}|{id}", at.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
}

/// The event id in a key made by [`event_key`].
pub fn event_of_key(key: &str) -> &str {
    key.split_once('|').map_or(key, |(_, id)| id)
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
    /// The local day, `YYYY-MM-DD`.
    pub day: &'a str,
    pub payload: &'a Map<String, Value>,
}

/// A rollup row's identity: (metric, period, key, sub).
pub type RowKey = (&'static str, String, String, String);

/// (metric, period, key, sub) → count to add.
pub type Increments = HashMap<RowKey, i64>;

/// Trimmed, lower-cased, inner whitespace collapsed to one space.
pub fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Adds what `e` counts to `out`.
pub fn increments(e: &EventFacts<'_>, out: &mut Increments) {
    dashboard_increments(e, out);
    let bump = |out: &mut Increments, metric: &'static str, period: &str, key: &str, sub: &str| {
        *out.entry((metric, period.to_owned(), key.to_owned(), sub.to_owned()))
            .or_insert(0) += 1;
    };
    // Metrics that a monthly report reads are kept per month; those that insights over
    // any range read are kept per month and per day (see `analytics::range::Cover`).
    let mut add = |metric: &'static str, key: &str, sub: &str| {
        bump(out, metric, e.month, key, sub);
        if DAILY.contains(&metric) {
            bump(out, metric, e.day, key, sub);
        }
    };
    let str_field = |name: &str| e.payload.get(name).and_then(Value::as_str);
    if let (Some(_), Some(session)) = (e.user_id, e.session_id) {
        add(m::ACTIVE_SESSION, session, "");
    }
    if let ("asset.viewed" | "asset.downloaded" | "collection.downloaded", Some(asset)) =
        (e.event_type, e.asset_id)
    {
        add(m::ASSET_USE, asset, "");
    }
    match e.event_type {
        "asset.uploaded" => {
            add(m::UPLOADS, "", "");
            if let Some(source) = str_field("source") {
                add(m::UPLOADS_BY_SOURCE, source, "");
            }
            if let Some(kind) = str_field("assetType") {
                add(m::UPLOADS_BY_TYPE, kind, "");
            }
            if let Some(asset) = e.asset_id {
                add(m::ASSET_UPLOADS, asset, "");
            }
            if let Some(user) = e.user_id {
                add(m::ACTIVE_USER, user, "");
                add(m::USER_UPLOADS, user, "");
            }
        }
        "asset.viewed" => {
            add(m::ASSET_VIEWS, "", "");
            if let Some(asset) = e.asset_id {
                add(m::ASSET_VIEWS_BY_ASSET, asset, "");
            }
        }
        "asset.archived" => {
            add(m::ASSETS_ARCHIVED, "", "");
            if let Some(asset) = e.asset_id {
                add(m::ASSET_ARCHIVES, asset, "");
            }
        }
        "asset.deleted" => {
            add(m::ASSETS_DELETED, "", "");
            if let Some(asset) = e.asset_id {
                add(m::ASSET_DELETES, asset, "");
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
            if bulk {
                add(m::BULK_DOWNLOADS, "", "");
            } else {
                add(m::DOWNLOADS, "", "");
                if let Some(action) = str_field("actionId") {
                    add(m::DOWNLOAD_ACTION, action, "");
                }
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
            let result_count = e.payload.get("resultCount").and_then(Value::as_i64);
            if result_count.is_some() {
                add(m::SEARCHES_WITH_RESULT_COUNT, "", "");
            }
            if result_count == Some(0) {
                add(m::ZERO_RESULT_SEARCHES, "", "");
                if let (Some("TEXT" | "VISUAL_TEXT"), Some(query)) = (
                    str_field("kind"),
                    str_field("query").map(normalise).filter(|q| !q.is_empty()),
                ) {
                    add(m::ZERO_RESULT_QUERY, &query, "");
                    if let Some(user) = e.user_id {
                        add(m::ZERO_RESULT_QUERY_USER, &query, user);
                    }
                }
            }
            if let Some(user) = e.user_id {
                add(m::KNOWN_USER_SEARCHES, "", "");
                add(m::ACTIVE_USER, user, "");
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
            // Top filter values count searches: a pair repeated within one search
            // counts once for it.
            let mut pairs: Vec<(&str, &str)> = e
                .payload
                .get("filters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|filter| {
                    Some((
                        filter.get("field").and_then(Value::as_str)?,
                        filter.get("value").and_then(Value::as_str)?,
                    ))
                })
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            for (field, value) in pairs {
                add(m::FILTER, field, value);
            }
        }
        "collection.viewed" => {
            if let Some(collection) = e.collection_id {
                add(m::COLLECTION_VIEWS, collection, "");
            }
            if e.payload.get("viaPublicLink").and_then(Value::as_bool) == Some(true) {
                add(m::COLLECTIONS_VIEWED, "", "");
                if let Some(collection) = e.collection_id {
                    add(m::PUBLIC_VIEW, collection, "");
                }
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
        "user.created" => {
            if let Some(via) = str_field("via") {
                add(m::NEW_USERS, via, "");
            }
        }
        "user.logged_in" => {
            let sso = e.payload.get("sso").and_then(Value::as_bool) == Some(true);
            add(m::LOGINS, if sso { "SSO" } else { "NON_SSO" }, "");
            if let Some(user) = e.user_id {
                add(m::USER_LOGINS, user, "");
            }
        }
        "user.logged_out" => add(m::LOGOUTS, "", ""),
        "job.created" => add(m::JOBS_CREATED, "", ""),
        "job.finished" => add(m::JOBS_FINISHED, "", ""),
        "job.sent_back" => add(m::JOB_REVISIONS, "", ""),
        _ => {}
    }
}

// ---- Admin dashboard (issue 5): daily rows only, read over the last 7 or 30 days. ----

/// Rollup metrics of the admin dashboard, kept per local day only.
pub mod dash {
    /// asset.uploaded events per source (key, '' when absent) and asset type (sub).
    pub const DASH_UPLOADS: &str = "dashUploads";
    /// Actions per acting user (key): every event with a user as actor. The actor is
    /// the `userId`, except on user.created / updated / deleted, where it is the admin in
    /// `byUserId` when known; a login or logout is its own user's action.
    pub const DASH_USER_ACTIONS: &str = "dashUserActions";
}

/// The acting user of an event: its userId, but on user.created / user.updated /
/// user.deleted (whose userId is the user concerned) the admin in `byUserId`.
pub fn actor<'a>(e: &EventFacts<'a>) -> Option<&'a str> {
    match e.event_type {
        "user.created" | "user.updated" | "user.deleted" => {
            e.payload.get("byUserId").and_then(Value::as_str)
        }
        _ => e.user_id,
    }
}

/// What an event adds to the dashboard's daily rollups.
pub fn dashboard_increments(e: &EventFacts<'_>, out: &mut Increments) {
    let mut add = |metric: &'static str, key: &str, sub: &str| {
        *out.entry((metric, e.day.to_owned(), key.to_owned(), sub.to_owned()))
            .or_insert(0) += 1;
    };
    if e.event_type == "asset.uploaded" {
        let field = |name: &str| e.payload.get(name).and_then(Value::as_str).unwrap_or("");
        add(dash::DASH_UPLOADS, field("source"), field("assetType"));
    }
    if let Some(user) = actor(e) {
        add(dash::DASH_USER_ACTIONS, user, "");
    }
}

/// Which part of a rollup row holds a user id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserPart {
    Key,
    Sub,
}

/// Every rollup metric whose key or sub is a user id: erasing a user rewrites these rows
/// to the user's pseudonym (`storage::erasure`). **A new metric keyed by user must be
/// listed here.** The rows keyed by an event ([`event_key`]: revision rounds, job
/// durations, converted searches) hold event ids, which are the sender's and hold no user id.
pub const USER_KEYED: &[(&str, UserPart)] = &[
    (m::ACTIVE_USER, UserPart::Key),
    (m::USER_DOWNLOADS, UserPart::Key),
    (m::USER_UPLOADS, UserPart::Key),
    (m::SEARCHER, UserPart::Key),
    (m::DOWNLOADER, UserPart::Key),
    (m::CREATOR, UserPart::Key),
    (m::USER_LOGINS, UserPart::Key),
    (dash::DASH_USER_ACTIONS, UserPart::Key),
    (m::QUERY_USER, UserPart::Sub),
    (m::VISUAL_TEXT_USER, UserPart::Sub),
    (m::DOWNLOAD_ASSET_USER, UserPart::Sub),
    (m::ZERO_RESULT_QUERY_USER, UserPart::Sub),
];

/// The metrics kept per day as well as per month.
pub const DAILY: &[&str] = &[
    m::UPLOADS,
    m::SEARCHES,
    m::DOWNLOADS,
    m::COLLECTIONS_VIEWED,
    m::COLLECTIONS_CREATED,
    m::ACTIVE_USER,
    m::ACTIVE_SESSION,
    m::SEARCHER,
    m::USER_UPLOADS,
    m::DOWNLOAD_ASSET,
    m::DOWNLOAD_ASSET_USER,
    m::DOWNLOADER,
    m::PUBLIC_VIEW,
    m::PUBLIC_DOWNLOAD,
    m::PUBLIC_DOWNLOAD_VARIANT,
    m::UPLOADS_BY_SOURCE,
    m::UPLOADS_BY_TYPE,
    m::ASSET_UPLOADS,
    m::ASSET_VIEWS,
    m::ASSET_VIEWS_BY_ASSET,
    m::BULK_DOWNLOADS,
    m::DOWNLOAD_ACTION,
    m::ASSETS_ARCHIVED,
    m::ASSET_ARCHIVES,
    m::ASSETS_DELETED,
    m::ASSET_DELETES,
    m::COLLECTION_VIEWS,
    m::NEW_USERS,
    m::LOGINS,
    m::USER_LOGINS,
    m::LOGOUTS,
    m::JOBS_CREATED,
    m::JOBS_FINISHED,
    m::JOB_REVISIONS,
    m::REVISION_ROUNDS,
    m::JOB_DURATION,
    m::SEARCHES_WITH_RESULT_COUNT,
    m::ZERO_RESULT_SEARCHES,
    m::ZERO_RESULT_QUERY,
    m::ZERO_RESULT_QUERY_USER,
    m::KNOWN_USER_SEARCHES,
    m::CONVERTED_SEARCH,
    m::ASSET_USE,
];

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
