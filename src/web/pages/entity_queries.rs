//! The documents of the entity pages: the entity, its stats over the range and over
//! each of the last 6 months (aliases `m0`…`m5`, oldest first), and a page of its
//! events over the range.

macro_rules! entity_query {
    ($name:literal, $root:literal, $fields:literal, $stats:literal) => {
        concat!(
            "query ", $name, "($id: String!, $range: DateRange!, $first: Int!, $after: String,\n",
            "  $m0: DateRange!, $m1: DateRange!, $m2: DateRange!, $m3: DateRange!, $m4: DateRange!, $m5: DateRange!) {\n",
            "  ", $root, "(id: $id) {\n",
            "    ", $fields, "\n",
            "    stats(range: $range) { ", $stats, " }\n",
            "    m0: stats(range: $m0) { ", $stats, " }\n",
            "    m1: stats(range: $m1) { ", $stats, " }\n",
            "    m2: stats(range: $m2) { ", $stats, " }\n",
            "    m3: stats(range: $m3) { ", $stats, " }\n",
            "    m4: stats(range: $m4) { ", $stats, " }\n",
            "    m5: stats(range: $m5) { ", $stats, " }\n",
            "    events(range: $range, first: $first, after: $after) {\n",
            "      totalCount\n      pageInfo { hasNextPage endCursor }\n",
            "      edges { node { ", event_fields!(), " } }\n",
            "    }\n  }\n}"
        )
    };
}

pub const ASSET: &str = entity_query!(
    "AssetPage",
    "asset",
    "assetId filename assetType folder tags metaproperties { name values } source status uploadedAt placeholder uploader { userId name email }",
    "views downloads downloaders collections"
);

pub const USER: &str = entity_query!(
    "UserPage",
    "user",
    "userId name email role groups via status createdAt lastLoginAt placeholder",
    "searches downloads uploads logins lastLoginAt"
);

pub const COLLECTION: &str = entity_query!(
    "CollectionPage",
    "collection",
    "collectionId name public createdAt placeholder creator { userId name email }",
    "views publicViews downloads assets"
);

pub const JOB: &str = entity_query!(
    "JobPage",
    "job",
    "jobId name workflow status stage createdAt finishedAt durationSeconds placeholder creator { userId name email }",
    "revisions stages { fromStage toStage sentBack at }"
);
