//! Content health (PRODUCT.md, "Content health"): `unusedAssets(range)` and
//! `risingAssets(month)`, each drilling down to the asset.
use super::IntoGql;
use super::context::{caller, db};
use super::ids::{page_size, parse_cursor};
use super::loaders::{AssetLoader, load_many};
use super::month::Month;
use super::nodes::{Asset, AssetConnection};
use super::range::{DateRange, DateRangeValue};
use crate::analytics::content_health::{
    RisingAsset, UnusedAsset, rising_assets, rising_order, unused_assets,
};
use crate::analytics::range::DayRange;
use crate::analytics::time::YearMonth;
use crate::error::AppError;
use crate::storage::catalog::Page;
use crate::storage::keys::Scope;
use async_graphql::{Context, Object, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct ContentHealthQuery;

/// The unused assets of a breakdown's value.
#[derive(SimpleObject)]
pub struct UnusedGroup {
    /// The folder or asset type; null for the assets without one.
    pub value: Option<String>,
    /// Unused assets with it.
    pub count: i64,
}

/// The assets nobody used over a range: candidates to retire or to re-tag.
pub struct UnusedAssets {
    range: DayRange,
    assets: Vec<UnusedAsset>,
}

fn groups(
    assets: &[UnusedAsset],
    value: impl Fn(&UnusedAsset) -> Option<String>,
) -> Vec<UnusedGroup> {
    let mut counts: BTreeMap<Option<String>, i64> = BTreeMap::new();
    for a in assets {
        *counts.entry(value(a)).or_insert(0) += 1;
    }
    let mut out: Vec<UnusedGroup> = counts
        .into_iter()
        .map(|(value, count)| UnusedGroup { value, count })
        .collect();
    // Most first, then by value, the assets without one last among equals.
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| match (&a.value, &b.value) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
    });
    out
}

fn unused_cursor(a: &UnusedAsset) -> String {
    let at = a
        .uploaded_at
        .map_or_else(String::new, |t| t.timestamp_micros().to_string());
    format!("{at}|{}", a.id)
}

fn parse_unused_cursor(after: &str) -> Result<(Option<DateTime<Utc>>, String)> {
    let key = parse_cursor(after).gql()?;
    let parsed = key.split_once('|').and_then(|(at, id)| {
        let at = if at.is_empty() {
            None
        } else {
            Some(DateTime::<Utc>::from_timestamp_micros(at.parse().ok()?)?)
        };
        Some((at, id.to_owned()))
    });
    parsed
        .ok_or_else(|| {
            AppError::BadUserInput(format!(
                "{} is not a cursor of unusedAssets: pass an `endCursor` or edge `cursor` of it",
                crate::graphql::ids::quoted(after)
            ))
        })
        .gql()
}

#[Object]
/// The assets nobody used over a range: candidates to retire or to re-tag.
impl UnusedAssets {
    /// The range, as given.
    async fn range(&self) -> DateRangeValue {
        self.range.into()
    }
    /// How many assets are unused.
    async fn count(&self) -> i64 {
        self.assets.len() as i64
    }
    /// The unused assets: those without an upload time first, then the oldest upload,
    /// then by id.
    /// CSV: GET /v1/exports/unused-assets.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
    async fn assets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<AssetConnection> {
        let first = page_size(first).gql()? as usize;
        let after_given = after.is_some();
        let start = match after {
            Some(a) => {
                let (at, id) = parse_unused_cursor(&a)?;
                let pivot = (at, id.as_str());
                self.assets.partition_point(|x| x.order_key() <= pivot)
            }
            None => 0,
        };
        let page: Vec<&UnusedAsset> = self.assets[start..].iter().take(first).collect();
        let has_next = self.assets.len() > start + page.len();
        let ids: Vec<String> = page.iter().map(|a| a.id.clone()).collect();
        let mut found = load_many::<AssetLoader>(ctx, ids).await?;
        let items: Vec<(String, entity::asset::Model)> = page
            .iter()
            .filter_map(|a| found.remove(&a.id).map(|m| (unused_cursor(a), m)))
            .collect();
        Ok(AssetConnection::from_page(
            Page {
                items,
                has_next,
                total: self.assets.len() as u64,
            },
            after_given,
            |(key, _)| key.clone(),
            |(_, m)| Asset(m),
        ))
    }
    /// The unused assets per folder, most first.
    async fn by_folder(&self) -> Vec<UnusedGroup> {
        groups(&self.assets, |a| a.folder.clone())
    }
    /// The unused assets per asset type (IMAGE, VIDEO, RAW), most first.
    async fn by_asset_type(&self) -> Vec<UnusedGroup> {
        groups(&self.assets, |a| a.asset_type.clone())
    }
}

crate::ranked_connection_type!(RisingAssetConnection, RisingAssetEdge, Asset, "rising assets: those with no history first, then by ratio, downloads and id", {
    /// Non-bulk asset.downloaded events of the asset in the month (at least 10).
    downloads: i64,
    /// Its average monthly non-bulk downloads over the 3 months before.
    three_month_average: f64,
    /// downloads / threeMonthAverage (at least 3); null for an asset with no download in
    /// the 3 months before.
    ratio: Option<f64>,
});

fn rising_cursor(a: &RisingAsset) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!(["r", a.downloads, a.before, a.id]).to_string())
}

fn parse_rising_cursor(after: &str) -> Result<RisingAsset> {
    let bad = || {
        AppError::BadUserInput(format!(
            "{} is not a cursor of risingAssets: pass an `endCursor` or edge `cursor` of it",
            crate::graphql::ids::quoted(after)
        ))
    };
    let value: serde_json::Value = URL_SAFE_NO_PAD
        .decode(after)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(bad)
        .gql()?;
    match value.as_array().map(Vec::as_slice) {
        Some([tag, d, s, id]) if tag == "r" => Ok(RisingAsset {
            downloads: d.as_i64().ok_or_else(bad).gql()?,
            before: s.as_i64().ok_or_else(bad).gql()?,
            id: id.as_str().ok_or_else(bad).gql()?.to_owned(),
        }),
        _ => Err(bad()).gql(),
    }
}

#[Object]
impl ContentHealthQuery {
    /// unusedAssets: assets that existed when the range began — an asset.uploaded before
    /// the start of its first day, or a catalog sync with no upload event (such an asset
    /// counts as always there); assets known only from other events do not count — that
    /// were never archived or deleted up to the end of its last day, and had no
    /// asset.viewed, asset.downloaded (bulk included) or collection.downloaded of them in
    /// the range. Days are the environment's. Needs reports:read.
    async fn unused_assets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to cover.")] range: DateRange,
    ) -> Result<UnusedAssets> {
        let env = caller(ctx, Scope::ReportsRead).gql()?.environment.id;
        let range = range.get().gql()?;
        let assets = unused_assets(db(ctx).gql()?, env, &range).await.gql()?;
        Ok(UnusedAssets { range, assets })
    }

    /// risingAssets: assets with at least 10 non-bulk downloads in the month and at least
    /// 3 times their average monthly downloads over the 3 months before it (that is, at
    /// least the sum of those 3 months). An asset with none before is rising at 10, with
    /// a null ratio; those come first, then the ratio descending, then downloads
    /// descending, then id. `countSum` is the sum of their downloads. Needs reports:read.
    /// CSV: GET /v1/exports/rising-assets.csv?month=YYYY-MM
    async fn rising_assets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.")] month: Month,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<RisingAssetConnection> {
        let env = caller(ctx, Scope::ReportsRead).gql()?.environment.id;
        let month: YearMonth = month.get().gql()?;
        let first = page_size(first).gql()? as usize;
        let after_given = after.is_some();
        let after = after.map(|a| parse_rising_cursor(&a)).transpose()?;
        let all = rising_assets(db(ctx).gql()?, env, month).await.gql()?;
        let count_sum = all.iter().map(|a| a.downloads).sum();
        let start = match &after {
            Some(pivot) => all.partition_point(|x| rising_order(x, pivot).is_le()),
            None => 0,
        };
        let page: Vec<&RisingAsset> = all[start..].iter().take(first).collect();
        let has_next = all.len() > start + page.len();
        let ids: Vec<String> = page.iter().map(|a| a.id.clone()).collect();
        let mut found = load_many::<AssetLoader>(ctx, ids).await?;
        let edges: Vec<RisingAssetEdge> = page
            .iter()
            .filter_map(|a| {
                found.remove(&a.id).map(|m| RisingAssetEdge {
                    cursor: rising_cursor(a),
                    node: Asset(m),
                    downloads: a.downloads,
                    three_month_average: a.average(),
                    ratio: a.ratio(),
                })
            })
            .collect();
        Ok(RisingAssetConnection {
            page_info: super::connection::page_info(
                after_given,
                has_next,
                edges.first().map(|e| e.cursor.clone()),
                edges.last().map(|e| e.cursor.clone()),
            ),
            edges,
            total_count: all.len() as u64,
            count_sum,
        })
    }
}
