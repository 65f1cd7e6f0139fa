//! The CSV exports: one entry per list, series, breakdown or drilldown of the schema.
//! See the parent module for how an entry is served and how to add one.
use crate::graphql::dashboard::{DashboardWindow, UploadOrigin};
use crate::graphql::enums::{AssetStatus, AssetType, JobStatus, UploadSource, UserStatus};
use crate::graphql::insights::{BreakdownDimension, RateName};
use crate::graphql::range::{ComparisonPeriod, Interval, MetricName};
use crate::storage::keys::Scope;
use async_graphql::resolver_utils::EnumType;

/// What the field at the end of an export's path returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A connection: paged with `first`/`after`; columns are read from each edge.
    Connection,
    /// A list returned whole; columns are read from each item.
    List,
    /// A `Series`: a row per bucket (columns read from it), then a column per metric
    /// and per rate; with `compareTo`, the compared days and a `.previous` column after
    /// each metric's and rate's.
    Series,
}

/// The type of a query parameter's value.
pub enum ParamKind {
    /// `YYYY-MM`.
    Month,
    /// `YYYY-MM-DD`.
    Date,
    Int,
    /// `true` or `false`.
    Bool,
    Text,
    /// One of the values of a GraphQL enum.
    Enum(fn() -> Vec<&'static str>),
    /// One or more of the values, comma-separated.
    EnumList(fn() -> Vec<&'static str>),
}

/// A query parameter: its name, its type, whether it must be given, and the dotted
/// path of the GraphQL variable it sets (`range.from` sets `from` in `$range`).
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
    pub required: bool,
    pub target: &'static str,
}

/// One CSV export.
pub struct Export {
    /// Served at `/v1/exports/<name>.csv`.
    pub name: &'static str,
    /// The scope the key needs (the GraphQL field's).
    pub scope: Scope,
    /// The query's variable definitions (besides `$first`/`$after` of connections).
    pub vars: &'static str,
    pub params: &'static [Param],
    /// The fields from the query root to the list; a connection's last field gets
    /// `first`/`after` added to its arguments.
    pub path: &'static [&'static str],
    pub kind: Kind,
    /// Header and dotted path of each column's value.
    pub columns: &'static [(&'static str, &'static str)],
}

fn names<T: EnumType>() -> Vec<&'static str> {
    T::items().iter().map(|i| i.name).collect()
}

fn event_types() -> Vec<&'static str> {
    crate::ingest::event::type_names().collect()
}

/// A GraphQL selection of dotted paths: `["node.a", "node.b", "c"]` → `node { a b } c`.
fn selection(paths: &[&str]) -> String {
    let mut order: Vec<&str> = Vec::new();
    let mut children: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for path in paths {
        let (head, rest) = match path.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (*path, None),
        };
        if !order.contains(&head) {
            order.push(head);
        }
        if let Some(rest) = rest {
            children.entry(head).or_default().push(rest);
        }
    }
    order
        .iter()
        .map(|head| match children.get(head) {
            Some(sub) => format!("{head} {{ {} }}", selection(sub)),
            None => (*head).to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Export {
    /// The GraphQL document of one page.
    pub fn query(&self) -> String {
        let paths: Vec<&str> = self.columns.iter().map(|(_, p)| *p).collect();
        let (mut vars, inner) = match self.kind {
            Kind::Connection => (
                "$first: Int, $after: String".to_owned(),
                format!(
                    "pageInfo {{ hasNextPage endCursor }} edges {{ {} }}",
                    selection(&paths)
                ),
            ),
            Kind::List => (String::new(), selection(&paths)),
            Kind::Series => (
                String::new(),
                format!(
                    "buckets {{ {} compared {{ from to }} }} metrics {{ metric values previousValues }} rates {{ rate values previousValues }}",
                    selection(&paths)
                ),
            ),
        };
        if !self.vars.is_empty() {
            if !vars.is_empty() {
                vars.push_str(", ");
            }
            vars.push_str(self.vars);
        }
        let mut body = inner;
        for (i, segment) in self.path.iter().enumerate().rev() {
            let last = i + 1 == self.path.len();
            let field = if last && self.kind == Kind::Connection {
                match segment.strip_suffix(')') {
                    Some(open) => format!("{open}, first: $first, after: $after)"),
                    None => format!("{segment}(first: $first, after: $after)"),
                }
            } else {
                (*segment).to_owned()
            };
            body = format!("{field} {{ {body} }}");
        }
        if vars.is_empty() {
            format!("query Export {{ {body} }}")
        } else {
            format!("query Export({vars}) {{ {body} }}")
        }
    }
}

const fn req(name: &'static str, kind: ParamKind, target: &'static str) -> Param {
    Param {
        name,
        kind,
        required: true,
        target,
    }
}

const fn opt(name: &'static str, kind: ParamKind, target: &'static str) -> Param {
    Param {
        name,
        kind,
        required: false,
        target,
    }
}

const MONTH: &[Param] = &[req("month", ParamKind::Month, "month")];
const MONTH_VAR: &str = "$month: Month!";
const RANGE: &[Param] = &[
    req("from", ParamKind::Date, "range.from"),
    req("to", ParamKind::Date, "range.to"),
];
const RANGE_VAR: &str = "$range: DateRange!";
const TREND: &[(&str, &str)] = &[("month", "month"), ("value", "value")];
const SPLIT: &[(&str, &str)] = &[
    ("key", "key"),
    ("current", "current"),
    ("previous", "previous"),
    ("change", "change"),
    ("changePercent", "changePercent"),
];
const EVENT_COLUMNS: &[(&str, &str)] = &[
    ("occurredAt", "node.occurredAt"),
    ("day", "node.day"),
    ("eventId", "node.eventId"),
    ("type", "node.type"),
    ("userId", "node.user.userId"),
    ("sessionId", "node.sessionId"),
    ("assetId", "node.asset.assetId"),
    ("collectionId", "node.collection.collectionId"),
    ("jobId", "node.job.jobId"),
    ("portalId", "node.portal.portalId"),
    ("fields", "node.fields"),
];
const WINDOW: &[Param] = &[opt(
    "window",
    ParamKind::Enum(names::<DashboardWindow>),
    "window",
)];
const WINDOW_VAR: &str = "$window: DashboardWindow! = LAST_7_DAYS";

macro_rules! monthly {
    ($name:literal, [$($seg:literal),*], $kind:ident, $cols:expr) => {
        Export {
            name: $name,
            scope: Scope::ReportsRead,
            vars: MONTH_VAR,
            params: MONTH,
            path: &["monthlyReport(month: $month)", $($seg),*],
            kind: Kind::$kind,
            columns: $cols,
        }
    };
}

macro_rules! history {
    ($name:literal, $root:literal) => {
        Export {
            name: $name,
            scope: Scope::ReportsRead,
            vars: "$id: String!, $range: DateRange!",
            params: &[
                req("id", ParamKind::Text, "id"),
                req("from", ParamKind::Date, "range.from"),
                req("to", ParamKind::Date, "range.to"),
            ],
            path: &[$root, "events(range: $range)"],
            kind: Kind::Connection,
            columns: EVENT_COLUMNS,
        }
    };
}

macro_rules! split {
    ($name:literal, $aspect:literal, $field:literal) => {
        Export {
            name: $name,
            scope: Scope::ReportsRead,
            vars: RANGE_VAR,
            params: RANGE,
            path: &["insights(range: $range)", $aspect, $field],
            kind: Kind::List,
            columns: SPLIT,
        }
    };
}

const USER_COLUMNS: &[(&str, &str)] = &[
    ("userId", "node.userId"),
    ("email", "node.email"),
    ("name", "node.name"),
];

/// Every export.
pub static EXPORTS: &[Export] = &[
    // Monthly Assets Reports (seed 002).
    monthly!(
        "top-engaged-users",
        ["engagement", "topUsers"],
        Connection,
        &[
            ("userId", "node.userId"),
            ("email", "node.email"),
            ("name", "node.name"),
            ("actions", "total"),
            ("searches", "searches"),
            ("downloads", "downloads"),
            ("uploads", "uploads"),
        ]
    ),
    monthly!(
        "active-users-trend",
        ["engagement", "activeUsersTrend"],
        List,
        TREND
    ),
    monthly!(
        "active-sessions-trend",
        ["engagement", "activeSessionsTrend"],
        List,
        TREND
    ),
    monthly!(
        "top-search-queries",
        ["search", "topQueries"],
        Connection,
        &[
            ("query", "node.query"),
            ("searches", "node.count"),
            ("users", "node.users"),
        ]
    ),
    monthly!(
        "top-filter-values",
        ["search", "topFilterValues"],
        Connection,
        &[
            ("field", "node.field"),
            ("value", "node.value"),
            ("searches", "node.count"),
        ]
    ),
    monthly!(
        "top-expressions",
        ["search", "topExpressions"],
        Connection,
        &[
            ("expression", "node.expression"),
            ("searches", "node.count"),
        ]
    ),
    monthly!("searches-trend", ["search", "searchesTrend"], List, TREND),
    monthly!(
        "top-zero-result-queries",
        ["search", "effectiveness", "topZeroResultQueries"],
        Connection,
        &[
            ("query", "node.query"),
            ("searches", "node.count"),
            ("users", "node.users"),
        ]
    ),
    monthly!(
        "searches-with-result-count-trend",
        ["search", "effectiveness", "searchesWithResultCountTrend"],
        List,
        TREND
    ),
    monthly!(
        "zero-result-searches-trend",
        ["search", "effectiveness", "zeroResultSearchesTrend"],
        List,
        TREND
    ),
    monthly!(
        "zero-result-rate-trend",
        ["search", "effectiveness", "zeroResultRateTrend"],
        List,
        TREND
    ),
    monthly!(
        "converted-searches-trend",
        ["search", "effectiveness", "convertedSearchesTrend"],
        List,
        TREND
    ),
    monthly!(
        "search-conversion-rate-trend",
        ["search", "effectiveness", "searchConversionRateTrend"],
        List,
        TREND
    ),
    monthly!(
        "users-who-searched-trend",
        ["search", "usersWhoSearchedTrend"],
        List,
        TREND
    ),
    monthly!(
        "top-reference-images",
        ["search", "visual", "topReferenceImages"],
        Connection,
        &[
            ("assetId", "node.assetId"),
            ("filename", "node.filename"),
            ("searches", "searches"),
        ]
    ),
    monthly!(
        "top-visual-text-queries",
        ["search", "visual", "topTextQueries"],
        Connection,
        &[
            ("query", "node.query"),
            ("searches", "node.count"),
            ("users", "node.users"),
        ]
    ),
    monthly!(
        "top-downloaded-assets",
        ["downloads", "topAssets"],
        Connection,
        &[
            ("assetId", "node.assetId"),
            ("filename", "node.filename"),
            ("assetType", "node.assetType"),
            ("downloads", "downloads"),
            ("users", "users"),
        ]
    ),
    monthly!(
        "unique-assets-downloaded-trend",
        ["downloads", "uniqueAssetsDownloadedTrend"],
        List,
        TREND
    ),
    monthly!(
        "downloads-trend",
        ["downloads", "downloadsTrend"],
        List,
        TREND
    ),
    monthly!(
        "users-who-downloaded-trend",
        ["downloads", "usersWhoDownloadedTrend"],
        List,
        TREND
    ),
    monthly!(
        "top-viewed-public-collections",
        ["collections", "topViewed"],
        Connection,
        &[
            ("collectionId", "node.collectionId"),
            ("name", "node.name"),
            ("views", "views"),
        ]
    ),
    monthly!(
        "top-downloaded-public-collections",
        ["collections", "topDownloaded"],
        Connection,
        &[
            ("collectionId", "node.collectionId"),
            ("name", "node.name"),
            ("downloads", "downloads"),
        ]
    ),
    monthly!(
        "top-collection-creators",
        ["collections", "topCreators"],
        Connection,
        &[
            ("userId", "node.userId"),
            ("email", "node.email"),
            ("name", "node.name"),
            ("collectionsCreated", "collectionsCreated"),
        ]
    ),
    monthly!(
        "public-collection-views-trend",
        ["collections", "viewsTrend"],
        List,
        TREND
    ),
    monthly!(
        "public-collection-downloads-trend",
        ["collections", "downloadsTrend"],
        List,
        &[
            ("month", "month"),
            ("original", "original"),
            ("transformed", "transformed"),
            ("total", "total"),
        ]
    ),
    monthly!(
        "collections-created-trend",
        ["collections", "collectionsCreatedTrend"],
        List,
        TREND
    ),
    // Catalog lists.
    Export {
        name: "assets",
        scope: Scope::ReportsRead,
        vars: "$filter: AssetFilterInput",
        params: &[
            opt(
                "status",
                ParamKind::Enum(names::<AssetStatus>),
                "filter.status",
            ),
            opt(
                "assetType",
                ParamKind::Enum(names::<AssetType>),
                "filter.assetType",
            ),
            opt(
                "source",
                ParamKind::Enum(names::<UploadSource>),
                "filter.source",
            ),
            opt("folder", ParamKind::Text, "filter.folder"),
            opt("uploadedBy", ParamKind::Text, "filter.uploadedBy"),
        ],
        path: &["assets(filter: $filter)"],
        kind: Kind::Connection,
        columns: &[
            ("assetId", "node.assetId"),
            ("filename", "node.filename"),
            ("assetType", "node.assetType"),
            ("folder", "node.folder"),
            ("tags", "node.tags"),
            ("source", "node.source"),
            ("status", "node.status"),
            ("uploadedAt", "node.uploadedAt"),
            ("uploaderId", "node.uploader.userId"),
        ],
    },
    Export {
        name: "users",
        scope: Scope::ReportsRead,
        vars: "$filter: UserFilterInput",
        params: &[
            opt("role", ParamKind::Text, "filter.role"),
            opt(
                "status",
                ParamKind::Enum(names::<UserStatus>),
                "filter.status",
            ),
        ],
        path: &["users(filter: $filter)"],
        kind: Kind::Connection,
        columns: &[
            ("userId", "node.userId"),
            ("email", "node.email"),
            ("name", "node.name"),
            ("role", "node.role"),
            ("groups", "node.groups"),
            ("via", "node.via"),
            ("status", "node.status"),
            ("createdAt", "node.createdAt"),
            ("lastLoginAt", "node.lastLoginAt"),
        ],
    },
    Export {
        name: "collections",
        scope: Scope::ReportsRead,
        vars: "$filter: CollectionFilterInput",
        params: &[
            opt("public", ParamKind::Bool, "filter.public"),
            opt("createdBy", ParamKind::Text, "filter.createdBy"),
        ],
        path: &["collections(filter: $filter)"],
        kind: Kind::Connection,
        columns: &[
            ("collectionId", "node.collectionId"),
            ("name", "node.name"),
            ("public", "node.public"),
            ("createdAt", "node.createdAt"),
            ("creatorId", "node.creator.userId"),
        ],
    },
    Export {
        name: "jobs",
        scope: Scope::ReportsRead,
        vars: "$filter: JobFilterInput",
        params: &[
            opt(
                "status",
                ParamKind::Enum(names::<JobStatus>),
                "filter.status",
            ),
            opt("workflow", ParamKind::Text, "filter.workflow"),
        ],
        path: &["jobs(filter: $filter)"],
        kind: Kind::Connection,
        columns: &[
            ("jobId", "node.jobId"),
            ("name", "node.name"),
            ("workflow", "node.workflow"),
            ("status", "node.status"),
            ("stage", "node.stage"),
            ("createdAt", "node.createdAt"),
            ("finishedAt", "node.finishedAt"),
            ("durationSeconds", "node.durationSeconds"),
        ],
    },
    Export {
        name: "portals",
        scope: Scope::ReportsRead,
        vars: "$filter: PortalFilterInput",
        params: &[opt("live", ParamKind::Bool, "filter.live")],
        path: &["portals(filter: $filter)"],
        kind: Kind::Connection,
        columns: &[
            ("portalId", "node.portalId"),
            ("name", "node.name"),
            ("assetCount", "node.assetCount"),
            ("live", "node.live"),
        ],
    },
    Export {
        name: "metrics",
        scope: Scope::ReportsRead,
        vars: "",
        params: &[],
        path: &["metrics"],
        kind: Kind::List,
        columns: &[
            ("name", "name"),
            ("description", "description"),
            ("unit", "unit"),
        ],
    },
    // Insights over any date range (seed 000).
    Export {
        name: "zero-result-queries",
        scope: Scope::ReportsRead,
        vars: RANGE_VAR,
        params: RANGE,
        path: &["insights(range: $range)", "search", "topZeroResultQueries"],
        kind: Kind::Connection,
        columns: &[
            ("query", "node.query"),
            ("searches", "node.count"),
            ("users", "node.users"),
        ],
    },
    Export {
        name: "unused-assets",
        scope: Scope::ReportsRead,
        vars: RANGE_VAR,
        params: RANGE,
        path: &["unusedAssets(range: $range)", "assets"],
        kind: Kind::Connection,
        columns: &[
            ("assetId", "node.assetId"),
            ("filename", "node.filename"),
            ("assetType", "node.assetType"),
            ("folder", "node.folder"),
            ("uploadedAt", "node.uploadedAt"),
        ],
    },
    Export {
        name: "rising-assets",
        scope: Scope::ReportsRead,
        vars: MONTH_VAR,
        params: MONTH,
        path: &["risingAssets(month: $month)"],
        kind: Kind::Connection,
        columns: &[
            ("assetId", "node.assetId"),
            ("filename", "node.filename"),
            ("downloads", "downloads"),
            ("threeMonthAverage", "threeMonthAverage"),
            ("ratio", "ratio"),
        ],
    },
    split!("uploads-by-source", "media", "uploadsBySource"),
    split!("uploads-by-asset-type", "media", "uploadsByAssetType"),
    split!("new-users-by-via", "users", "newUsersByVia"),
    split!("logins-by-sso", "users", "loginsBySso"),
    Export {
        name: "series",
        scope: Scope::ReportsRead,
        vars: "$metrics: [MetricName!]!, $range: DateRange!, $interval: Interval!, $rates: [RateName!]! = [], $compareTo: ComparisonPeriod",
        params: &[
            req(
                "metrics",
                ParamKind::EnumList(names::<MetricName>),
                "metrics",
            ),
            req("from", ParamKind::Date, "range.from"),
            req("to", ParamKind::Date, "range.to"),
            req("interval", ParamKind::Enum(names::<Interval>), "interval"),
            opt("rates", ParamKind::EnumList(names::<RateName>), "rates"),
            opt(
                "compareTo",
                ParamKind::Enum(names::<ComparisonPeriod>),
                "compareTo",
            ),
        ],
        path: &[
            "series(metrics: $metrics, range: $range, interval: $interval, rates: $rates, compareTo: $compareTo)",
        ],
        kind: Kind::Series,
        columns: &[("start", "start"), ("from", "from"), ("to", "to")],
    },
    Export {
        name: "breakdown",
        scope: Scope::ReportsRead,
        vars: "$metric: MetricName!, $by: BreakdownBy!, $range: DateRange!",
        params: &[
            req("metric", ParamKind::Enum(names::<MetricName>), "metric"),
            req(
                "dimension",
                ParamKind::Enum(names::<BreakdownDimension>),
                "by.dimension",
            ),
            opt("name", ParamKind::Text, "by.name"),
            req("from", ParamKind::Date, "range.from"),
            req("to", ParamKind::Date, "range.to"),
        ],
        path: &["breakdown(metric: $metric, by: $by, range: $range)"],
        kind: Kind::Connection,
        columns: &[("value", "node.value"), ("count", "count")],
    },
    Export {
        name: "metric-events",
        scope: Scope::ReportsRead,
        vars: "$metric: MetricName!, $range: DateRange!, $includeBulk: Boolean! = false",
        params: &[
            req("metric", ParamKind::Enum(names::<MetricName>), "metric"),
            req("from", ParamKind::Date, "range.from"),
            req("to", ParamKind::Date, "range.to"),
            opt("includeBulk", ParamKind::Bool, "includeBulk"),
        ],
        path: &["events(metric: $metric, range: $range, includeBulk: $includeBulk)"],
        kind: Kind::Connection,
        columns: EVENT_COLUMNS,
    },
    history!("asset-events", "asset(id: $id)"),
    history!("user-events", "user(id: $id)"),
    history!("collection-events", "collection(id: $id)"),
    history!("job-events", "job(id: $id)"),
    // Admin dashboard (seed 001).
    Export {
        name: "dashboard-assets-by-type",
        scope: Scope::Admin,
        vars: "",
        params: &[],
        path: &["dashboard(window: LAST_7_DAYS)", "assets", "byType"],
        kind: Kind::List,
        columns: &[
            ("assetType", "assetType"),
            ("count", "count"),
            ("archived", "archived"),
        ],
    },
    Export {
        name: "dashboard-users-by-role",
        scope: Scope::Admin,
        vars: "",
        params: &[],
        path: &["dashboard(window: LAST_7_DAYS)", "users", "byRole"],
        kind: Kind::List,
        columns: &[("role", "role"), ("count", "count")],
    },
    Export {
        name: "dashboard-top-viewed-collections",
        scope: Scope::Admin,
        vars: WINDOW_VAR,
        params: WINDOW,
        path: &["dashboard(window: $window)", "topViewedCollections"],
        kind: Kind::Connection,
        columns: &[
            ("collectionId", "node.collectionId"),
            ("name", "node.name"),
            ("public", "node.public"),
            ("views", "views"),
        ],
    },
    Export {
        name: "dashboard-uploads-per-day",
        scope: Scope::Admin,
        vars: "$source: UploadOrigin, $assetType: AssetType",
        params: &[
            opt("source", ParamKind::Enum(names::<UploadOrigin>), "source"),
            opt(
                "assetType",
                ParamKind::Enum(names::<AssetType>),
                "assetType",
            ),
        ],
        path: &[
            "dashboard(window: LAST_7_DAYS)",
            "uploadsPerDay(source: $source, assetType: $assetType)",
        ],
        kind: Kind::List,
        columns: &[("day", "day"), ("uploads", "uploads")],
    },
    Export {
        name: "dashboard-most-active-users",
        scope: Scope::Admin,
        vars: WINDOW_VAR,
        params: WINDOW,
        path: &["dashboard(window: $window)", "mostActiveUsers"],
        kind: Kind::Connection,
        columns: &[
            USER_COLUMNS[0],
            USER_COLUMNS[1],
            USER_COLUMNS[2],
            ("role", "node.role"),
            ("groups", "node.groups"),
            ("lastLoginAt", "node.lastLoginAt"),
            ("createdAt", "node.createdAt"),
            ("actions", "actions"),
            ("sharePercent", "sharePercent"),
        ],
    },
    // Activity log (seed 001).
    Export {
        name: "activity-log",
        scope: Scope::Admin,
        vars: "$filter: ActivityLogFilter",
        params: &[
            opt("from", ParamKind::Date, "filter.range.from"),
            opt("to", ParamKind::Date, "filter.range.to"),
            opt("types", ParamKind::EnumList(event_types), "filter.types"),
            opt("userId", ParamKind::Text, "filter.userId"),
            opt("assetId", ParamKind::Text, "filter.assetId"),
            opt("collectionId", ParamKind::Text, "filter.collectionId"),
        ],
        path: &["activityLog(filter: $filter)"],
        kind: Kind::Connection,
        columns: EVENT_COLUMNS,
    },
    Export {
        name: "activity-reports",
        scope: Scope::Admin,
        vars: "",
        params: &[],
        path: &["activityReports"],
        kind: Kind::Connection,
        columns: &[
            ("id", "node.id"),
            ("status", "node.status"),
            ("from", "node.range.from"),
            ("to", "node.range.to"),
            ("rowCount", "node.rowCount"),
            ("createdAt", "node.createdAt"),
            ("expiresAt", "node.expiresAt"),
            ("downloadUrl", "node.downloadUrl"),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_validates_against_the_schema() {
        let schema = crate::graphql::schema_builder().finish();
        for export in EXPORTS {
            let query = export.query();
            let doc = async_graphql::parser::parse_query(&query)
                .unwrap_or_else(|e| panic!("{}: {e}: {query}", export.name));
            drop(doc);
            let errors = futures::executor::block_on(
                schema.execute(async_graphql::Request::new(query.clone())),
            )
            .errors;
            // Without variables or a key, the query may only fail for those reasons:
            // a missing variable, or a field error (with a path) for the missing key.
            let bad: Vec<_> = errors
                .iter()
                .filter(|e| e.path.is_empty() && !e.message.contains("not provided"))
                .collect();
            assert!(bad.is_empty(), "{}: {bad:?}\n{query}", export.name);
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = EXPORTS.iter().map(|e| e.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EXPORTS.len());
    }
}
