//! The metric dictionary (PRODUCT.md): every metric's name, definition and unit.

/// What a metric's numbers count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A count of events or of distinct things.
    Count,
    /// A duration in seconds.
    Seconds,
    /// A percentage, 0 to 100.
    Percent,
}

/// One entry of the dictionary.
#[derive(Clone, Copy, Debug)]
pub struct MetricDef {
    pub name: &'static str,
    pub description: &'static str,
    pub unit: Unit,
}

const fn count(name: &'static str, description: &'static str) -> MetricDef {
    MetricDef {
        name,
        description,
        unit: Unit::Count,
    }
}

/// Every metric, in the dictionary's order.
pub const DICTIONARY: &[MetricDef] = &[
    count(
        "uploads",
        "asset.uploaded events; every asset counts once, whatever its source (mass uploader and API included). Breakdown by source and asset type.",
    ),
    count(
        "assetViews",
        "asset.viewed events: views of an asset's detail page, not of an overview or grid.",
    ),
    count(
        "downloads",
        "asset.downloaded events with bulk = false; each asset delivered counts once, originals and derivatives alike. `includeBulk: true` adds bulk downloads.",
    ),
    count(
        "downloadActions",
        "Distinct actionId among non-bulk asset.downloaded events (selecting 10 assets and downloading them is 1 action, 10 downloads).",
    ),
    count(
        "uniqueAssetsDownloaded",
        "Distinct assetId among non-bulk downloads.",
    ),
    count(
        "usersWhoDownloaded",
        "Distinct userId among non-bulk downloads.",
    ),
    count("assetsArchived", "asset.archived events."),
    count("assetsDeleted", "asset.deleted events."),
    count(
        "searches",
        "search.performed events of every kind, repeats included.",
    ),
    count(
        "usersWhoSearched",
        "Distinct userId among search.performed events.",
    ),
    count(
        "activeUsers",
        "Distinct users with at least one search, download (bulk included) or upload in the period.",
    ),
    count(
        "activeSessions",
        "Distinct non-null sessionId among events of users in the period.",
    ),
    count(
        "collectionsViewed",
        "collection.viewed events with viaPublicLink = true: views of publicly shared collections.",
    ),
    count(
        "publicCollectionDownloads",
        "collection.downloaded events (downloads from public collections), split ORIGINAL / TRANSFORMED.",
    ),
    count("collectionsCreated", "collection.created events."),
    count(
        "newUsers",
        "user.created events, split by via (MANUAL, BULK, ACCESS_REQUEST).",
    ),
    count("logins", "user.logged_in events, split by sso."),
    count(
        "logouts",
        "user.logged_out events; a timeout is not a logout.",
    ),
    count("jobsCreated", "job.created events."),
    count("jobsFinished", "job.finished events."),
    count("jobRevisions", "job.sent_back events."),
    count(
        "revisionRoundsFinished",
        "Per job, in occurredAt order (then id): job.sent_back adds a pending send-back; a job.advanced while one is pending finishes a round (counted in the period of that job.advanced) and removes one. Sent back twice then advanced once is one round; advanced with nothing pending is none.",
    ),
    MetricDef {
        name: "jobDuration",
        description: "For jobs finished in the period: finishedAt - createdAt, in seconds: count, average, median, 90th percentile, max.",
        unit: Unit::Seconds,
    },
    count(
        "searchesWithResultCount",
        "search.performed events that carry resultCount.",
    ),
    count(
        "zeroResultSearches",
        "search.performed events with resultCount = 0.",
    ),
    MetricDef {
        name: "zeroResultRate",
        description: "zeroResultSearches / searchesWithResultCount × 100; null when the latter is 0. Searches without resultCount are in neither. Its change is in percentage points, its changePercent relative.",
        unit: Unit::Percent,
    },
    count(
        "topZeroResultQueries",
        "One list of the normalised TEXT and VISUAL_TEXT queries of zero-result searches (anonymous ones included), each with its count and distinct users, ranked by count: words users look for that the library does not hold.",
    ),
    count(
        "convertedSearches",
        "Searches with a userId that the same user follows — strictly after the search, at most 30 minutes after it (30:00.000 included), and strictly before their own next search — with an asset.viewed or asset.downloaded (bulk included). Counted once per search, in the period of the search; events arriving late re-evaluate it (a late search can take a conversion from an earlier one, so a past month's figure can go down).",
    ),
    MetricDef {
        name: "searchConversionRate",
        description: "convertedSearches / searches by known users (with a userId) × 100; null when there are none. Its change is in percentage points, its changePercent relative.",
        unit: Unit::Percent,
    },
    count(
        "unusedAssets",
        "Over a range: assets that existed when the range began (an asset.uploaded before the start of its first day, or a catalog sync with no upload event; assets known only from other events do not count), were never archived or deleted up to the end of its last day, and had no asset.viewed, asset.downloaded (bulk included) or collection.downloaded of them in the range.",
    ),
    count(
        "risingAssets",
        "In a month: assets with at least 10 non-bulk downloads in it and at least 3 times their average monthly downloads over the 3 months before (at least the sum of those 3 months). An asset with none before is rising at 10, with a null ratio; those come first, then the ratio descending, then downloads descending, then id.",
    ),
    count(
        "highlights",
        "In a month M, for each count metric (uploads, assetViews, downloads, downloadActions, uniqueAssetsDownloaded, usersWhoDownloaded, assetsArchived, assetsDeleted, searches, usersWhoSearched, activeUsers, activeSessions, collectionsViewed, publicCollectionDownloads, collectionsCreated, newUsers, logins, logouts, jobsCreated, jobsFinished, jobRevisions, revisionRoundsFinished, searchesWithResultCount, zeroResultSearches, convertedSearches): its monthly value against the mean μ and population standard deviation σ of its values in the 6 months before M. SIGNIFICANT_CHANGE, UP or DOWN, when |value − μ| ≥ 2σ and |value − μ| ≥ 20% of μ (when μ = 0: when the value is at least 5); change percent null when μ = 0, z = (value − μ) / σ null when σ = 0. DECLINING_ADOPTION (activeUsers, DOWN, against M−3's value) when activeUsers fell in each of the last 3 months. None while any of the 6 months is before the environment's first event (not enough history). Order: DECLINING_ADOPTION, then null change percent, then |change percent| descending, then the metric's enum value.",
    ),
];
