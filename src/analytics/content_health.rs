//! Content health (PRODUCT.md, "Content health"): the assets nobody used over a range,
//! and the assets whose downloads rose in a month. Read from the per-asset rollups and
//! the assets' current attributes.
use super::range::DayRange;
use super::ranking::{rows_in, sum_expr};
use super::rollups::m;
use super::time::YearMonth;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{asset, rollup};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// An unused asset, with what its list is ordered and broken down by.
#[derive(Clone, Debug)]
pub struct UnusedAsset {
    pub id: String,
    pub uploaded_at: Option<DateTime<Utc>>,
    pub folder: Option<String>,
    pub asset_type: Option<String>,
}

impl UnusedAsset {
    /// The list's order: assets without an upload time first, then the oldest upload,
    /// then id.
    pub fn order_key(&self) -> (Option<DateTime<Utc>>, &str) {
        (self.uploaded_at, &self.id)
    }
}

/// (id, uploadedAt, folder, asset type, last used day) of a candidate.
type Candidate = (
    String,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Keys per `IN` list when checking candidates' use in the range.
const CHECK_CHUNK: usize = 500;

/// unusedAssets(range): assets that existed when the range began (an asset.uploaded
/// before its first day, or a catalog sync with no upload event), never archived or
/// deleted up to the end of its last day, with no asset.viewed, asset.downloaded (bulk
/// included) or collection.downloaded of them in the range; in the list's order.
///
/// Read from the asset rows alone (their first upload, first removal and last use days,
/// kept by ingest as the per-asset rollups count): an asset last used before the range,
/// or never, is unused; one last used within it is used. Only an asset last used after
/// the range (a range in the past) may or may not have been used within it: those are
/// checked against the `assetUse` rollups of the range, by key.
pub async fn unused_assets(
    db: &DatabaseConnection,
    environment_id: i64,
    range: &DayRange,
) -> AppResult<Vec<UnusedAsset>> {
    let (from, to) = (range.from.to_string(), range.to.to_string());
    let existed = Condition::any()
        .add(asset::Column::FirstUploadedDay.lt(from.as_str()))
        .add(
            Condition::all()
                .add(asset::Column::FirstUploadedDay.is_null())
                .add(asset::Column::Placeholder.eq(false)),
        );
    // Archived or deleted by an event up to the last day; a status set by a sync alone
    // has no time, so it holds throughout.
    let kept = Condition::any()
        .add(asset::Column::RemovedDay.gt(to.as_str()))
        .add(
            Condition::all()
                .add(asset::Column::RemovedDay.is_null())
                .add(asset::Column::Status.eq("ACTIVE")),
        );
    let not_used_within = Condition::any()
        .add(asset::Column::LastUsedDay.is_null())
        .add(asset::Column::LastUsedDay.lt(from.as_str()))
        .add(asset::Column::LastUsedDay.gt(to.as_str()));
    let rows: Vec<Candidate> = asset::Entity::find()
        .filter(asset::Column::EnvironmentId.eq(environment_id))
        .filter(existed)
        .filter(kept)
        .filter(not_used_within)
        .select_only()
        .column(asset::Column::Id)
        .column(asset::Column::UploadedAt)
        .column(asset::Column::Folder)
        .column(asset::Column::AssetType)
        .column(asset::Column::LastUsedDay)
        .into_tuple()
        .all(db)
        .await?;
    let later: Vec<&str> = rows
        .iter()
        .filter(|r| r.4.as_deref().is_some_and(|d| d > to.as_str()))
        .map(|r| r.0.as_str())
        .collect();
    let mut used: HashSet<String> = HashSet::new();
    if !later.is_empty() {
        let cover = range.cover();
        for chunk in later.chunks(CHECK_CHUNK) {
            let keys: Vec<String> = rows_in(environment_id, m::ASSET_USE, &cover)
                .filter(rollup::Column::Key.is_in(chunk.iter().copied()))
                .filter(rollup::Column::Count.gt(0))
                .select_only()
                .column(rollup::Column::Key)
                .distinct()
                .into_tuple()
                .all(db)
                .await?;
            used.extend(keys);
        }
    }
    let mut out: Vec<UnusedAsset> = rows
        .into_iter()
        .filter(|r| !used.contains(&r.0))
        .map(|(id, uploaded_at, folder, asset_type, _)| UnusedAsset {
            id,
            uploaded_at,
            folder,
            asset_type,
        })
        .collect();
    out.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    Ok(out)
}

/// A rising asset: its non-bulk downloads in the month and in the 3 months before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RisingAsset {
    pub id: String,
    pub downloads: i64,
    /// The sum of the 3 months before (3 times their average).
    pub before: i64,
}

impl RisingAsset {
    /// downloads / the 3 months' average; `None` for an asset with none before.
    pub fn ratio(&self) -> Option<f64> {
        (self.before > 0).then(|| self.downloads as f64 * 3.0 / self.before as f64)
    }

    /// The average monthly downloads of the 3 months before.
    pub fn average(&self) -> f64 {
        self.before as f64 / 3.0
    }
}

/// The list's order: no history first, then the ratio descending (compared exactly),
/// then downloads descending, then id.
pub fn rising_order(a: &RisingAsset, b: &RisingAsset) -> Ordering {
    let ratio = match (a.before == 0, b.before == 0) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => (i128::from(b.downloads) * i128::from(a.before))
            .cmp(&(i128::from(a.downloads) * i128::from(b.before))),
    };
    ratio
        .then_with(|| b.downloads.cmp(&a.downloads))
        .then_with(|| a.id.cmp(&b.id))
}

/// Downloads a rising asset has at least, in its month.
pub const RISING_MIN: i64 = 10;

/// risingAssets(month): assets with at least 10 non-bulk downloads in the month and at
/// least the sum of their downloads in the 3 months before; in the list's order.
pub async fn rising_assets(
    db: &DatabaseConnection,
    environment_id: i64,
    month: YearMonth,
) -> AppResult<Vec<RisingAsset>> {
    let candidates: Vec<(String, i64)> =
        rows_in(environment_id, m::DOWNLOAD_ASSET, &[month.to_string()])
            .filter(rollup::Column::Count.gte(RISING_MIN))
            .select_only()
            .column(rollup::Column::Key)
            .column(rollup::Column::Count)
            .into_tuple()
            .all(db)
            .await?;
    let before_months: Vec<String> = month
        .previous()
        .ending(3)
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut before: HashMap<String, i64> = HashMap::new();
    for chunk in candidates.chunks(500) {
        let keys: Vec<String> = chunk.iter().map(|(k, _)| k.clone()).collect();
        let rows: Vec<(String, i64)> = rows_in(environment_id, m::DOWNLOAD_ASSET, &before_months)
            .filter(rollup::Column::Key.is_in(keys))
            .select_only()
            .column(rollup::Column::Key)
            .column_as(sum_expr(), "n")
            .group_by(rollup::Column::Key)
            .into_tuple()
            .all(db)
            .await?;
        before.extend(rows);
    }
    let mut out: Vec<RisingAsset> = candidates
        .into_iter()
        .map(|(id, downloads)| RisingAsset {
            before: before.get(&id).copied().unwrap_or(0),
            id,
            downloads,
        })
        .filter(|a| a.downloads >= a.before)
        .collect();
    out.sort_by(rising_order);
    Ok(out)
}
