//! The admin dashboard's figures of what the library holds now, and uploads per day.
use super::enums::AssetType;
use super::range::Date;
use async_graphql::SimpleObject;

/// Assets of one type.
#[derive(SimpleObject)]
pub struct AssetTypeCount {
    /// The type; null for assets known only from events that named them.
    pub asset_type: Option<AssetType>,
    /// Assets of the type, archived ones included, deleted ones not.
    pub count: i64,
    /// Archived assets of the type.
    pub archived: i64,
}

/// The assets stored in the DAM.
#[derive(SimpleObject)]
pub struct DashboardAssets {
    /// Assets not deleted (archived ones included).
    pub total: i64,
    /// Archived assets (counted in `total` too).
    pub archived: i64,
    /// `total` split by asset type. CSV: GET /v1/exports/dashboard-assets-by-type.csv
    pub by_type: Vec<AssetTypeCount>,
}

/// Users of one role.
#[derive(SimpleObject)]
pub struct RoleCount {
    /// The DAM's role name; null when unknown.
    pub role: Option<String>,
    /// Users with the role (deleted users not counted).
    pub count: i64,
}

/// The DAM's users.
#[derive(SimpleObject)]
pub struct DashboardUsers {
    /// Users not deleted.
    pub total: i64,
    /// `total` split by role, by role name. CSV: GET /v1/exports/dashboard-users-by-role.csv
    pub by_role: Vec<RoleCount>,
}

/// Collections and the assets they hold.
#[derive(SimpleObject)]
pub struct DashboardCollections {
    /// Every collection.
    pub total: i64,
    /// Distinct assets (not deleted) held by any collection.
    pub assets: i64,
    /// Collections whose public link is on.
    pub published: i64,
    /// Distinct assets (not deleted) held by any published collection.
    pub published_assets: i64,
}

/// Live (published) portals.
#[derive(SimpleObject)]
pub struct DashboardPortals {
    /// Portals live now.
    pub live: i64,
    /// The sum of their asset counts, as last published.
    pub assets: i64,
}

/// Uploads on one day.
#[derive(SimpleObject)]
pub struct DayUploads {
    /// The calendar day, in the environment's time zone.
    pub day: Date,
    /// asset.uploaded events on it (matching the filters).
    pub uploads: i64,
}
