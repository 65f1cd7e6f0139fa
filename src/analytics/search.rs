//! Search effectiveness: zeroResultRate and searchConversionRate, each a ratio of two
//! additive rollups, over a range, per period (trends) and per bucket (series).
use super::insights::{Agg, read};
use super::range::Bucket;
use super::ranking::{rows_in, sums_by_period};
use super::rollups::m;
use crate::error::AppResult;
use entity::rollup;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use std::collections::HashMap;

/// A rate of the dictionary, in percent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchRate {
    /// zeroResultSearches / searchesWithResultCount × 100.
    ZeroResult,
    /// convertedSearches / searches by known users × 100.
    Conversion,
}

impl SearchRate {
    /// The rollups of (numerator, denominator), each with how it is read.
    fn parts(self) -> [(&'static str, Agg); 2] {
        match self {
            SearchRate::ZeroResult => [
                (m::ZERO_RESULT_SEARCHES, Agg::Total),
                (m::SEARCHES_WITH_RESULT_COUNT, Agg::Total),
            ],
            SearchRate::Conversion => [
                (m::CONVERTED_SEARCH, Agg::Sum),
                (m::KNOWN_USER_SEARCHES, Agg::Total),
            ],
        }
    }
}

/// numerator / denominator × 100; `None` when the denominator is 0.
pub fn percent(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 * 100.0 / denominator as f64)
}

/// The rate over `periods` (which must not overlap: a range's cover).
pub async fn rate(
    db: &DatabaseConnection,
    environment_id: i64,
    which: SearchRate,
    periods: &[String],
) -> AppResult<Option<f64>> {
    let [(num, num_agg), (den, den_agg)] = which.parts();
    let numerator = read(db, environment_id, num, num_agg, periods).await?;
    let denominator = read(db, environment_id, den, den_agg, periods).await?;
    Ok(percent(numerator, denominator))
}

/// (numerator, denominator) per period of `periods`; absent periods are (0, 0).
async fn parts_by_period(
    db: &DatabaseConnection,
    environment_id: i64,
    which: SearchRate,
    periods: &[String],
) -> AppResult<[HashMap<String, i64>; 2]> {
    let mut out = [HashMap::new(), HashMap::new()];
    for (slot, (metric, agg)) in out.iter_mut().zip(which.parts()) {
        let mut query = rows_in(environment_id, metric, periods);
        if agg == Agg::Total {
            query = query
                .filter(rollup::Column::Key.eq(""))
                .filter(rollup::Column::Sub.eq(""));
        }
        *slot = sums_by_period(db, query).await?;
    }
    Ok(out)
}

/// The rate in each of `periods` (a trend's months).
pub async fn rate_per_period(
    db: &DatabaseConnection,
    environment_id: i64,
    which: SearchRate,
    periods: &[String],
) -> AppResult<Vec<Option<f64>>> {
    let [num, den] = parts_by_period(db, environment_id, which, periods).await?;
    let get = |map: &HashMap<String, i64>, p: &String| map.get(p).copied().unwrap_or(0);
    Ok(periods
        .iter()
        .map(|p| percent(get(&num, p), get(&den, p)))
        .collect())
}

/// The rate in each bucket of a series: numerator and denominator each summed over the
/// bucket's periods.
pub async fn rate_per_bucket(
    db: &DatabaseConnection,
    environment_id: i64,
    which: SearchRate,
    buckets: &[Bucket],
) -> AppResult<Vec<Option<f64>>> {
    let covers: Vec<Vec<String>> = buckets.iter().map(|b| b.range.cover()).collect();
    let periods: Vec<String> = covers.iter().flatten().cloned().collect();
    let [num, den] = parts_by_period(db, environment_id, which, &periods).await?;
    let sum = |map: &HashMap<String, i64>, cover: &[String]| -> i64 {
        cover.iter().map(|p| map.get(p).copied().unwrap_or(0)).sum()
    };
    Ok(covers
        .iter()
        .map(|cover| percent(sum(&num, cover), sum(&den, cover)))
        .collect())
}
