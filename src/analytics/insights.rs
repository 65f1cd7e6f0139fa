//! Metric values over any date range, read from the rollups kept per month and per day:
//! a range reads whole months from monthly rows and its partial months from daily rows
//! ([`DayRange::cover`]), so its cost follows the number of periods and keys, not events.
use super::range::{Bucket, DayRange};
use super::ranking::{self, distinct_keys, rows_in as rows, sum_expr, sums_by_period};
use super::rollups::m;
use crate::error::AppResult;
use entity::rollup;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// How a metric's value is read from its rollup rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agg {
    /// The sum of its total rows (key '').
    Total,
    /// The sum of all its rows (a metric split by key, e.g. newUsers by via).
    Sum,
    /// The number of distinct keys among its rows (e.g. activeUsers).
    Distinct,
}

/// Where a dictionary metric's value comes from; `None` for jobDuration, which is a
/// distribution rather than a count.
pub fn value_source(metric: &str, include_bulk: bool) -> Option<Vec<(&'static str, Agg)>> {
    use Agg::*;
    let one = |rollup, agg| Some(vec![(rollup, agg)]);
    match metric {
        "uploads" => one(m::UPLOADS, Total),
        "assetViews" => one(m::ASSET_VIEWS, Total),
        "downloads" if include_bulk => {
            Some(vec![(m::DOWNLOADS, Total), (m::BULK_DOWNLOADS, Total)])
        }
        "downloads" => one(m::DOWNLOADS, Total),
        "downloadActions" => one(m::DOWNLOAD_ACTION, Distinct),
        "uniqueAssetsDownloaded" => one(m::DOWNLOAD_ASSET, Distinct),
        "usersWhoDownloaded" => one(m::DOWNLOADER, Distinct),
        "assetsArchived" => one(m::ASSETS_ARCHIVED, Total),
        "assetsDeleted" => one(m::ASSETS_DELETED, Total),
        "searches" => one(m::SEARCHES, Total),
        "usersWhoSearched" => one(m::SEARCHER, Distinct),
        "activeUsers" => one(m::ACTIVE_USER, Distinct),
        "activeSessions" => one(m::ACTIVE_SESSION, Distinct),
        "collectionsViewed" => one(m::COLLECTIONS_VIEWED, Total),
        "publicCollectionDownloads" => one(m::PUBLIC_DOWNLOAD_VARIANT, Sum),
        "collectionsCreated" => one(m::COLLECTIONS_CREATED, Total),
        "newUsers" => one(m::NEW_USERS, Sum),
        "logins" => one(m::LOGINS, Sum),
        "logouts" => one(m::LOGOUTS, Total),
        "jobsCreated" => one(m::JOBS_CREATED, Total),
        "jobsFinished" => one(m::JOBS_FINISHED, Total),
        "jobRevisions" => one(m::JOB_REVISIONS, Total),
        "revisionRoundsFinished" => one(m::REVISION_ROUNDS, Sum),
        "searchesWithResultCount" => one(m::SEARCHES_WITH_RESULT_COUNT, Total),
        "zeroResultSearches" => one(m::ZERO_RESULT_SEARCHES, Total),
        "convertedSearches" => one(m::CONVERTED_SEARCH, Sum),
        _ => None,
    }
}

/// A rollup's value over `periods` (which must not overlap: a [`DayRange::cover`]).
pub async fn read(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    agg: Agg,
    periods: &[String],
) -> AppResult<i64> {
    let query = rows(environment_id, metric, periods).select_only();
    let value: Option<i64> = match agg {
        Agg::Total => {
            query
                .filter(rollup::Column::Key.eq(""))
                .filter(rollup::Column::Sub.eq(""))
                .column_as(sum_expr(), "n")
                .into_tuple()
                .one(db)
                .await?
        }
        Agg::Sum => {
            query
                .column_as(sum_expr(), "n")
                .into_tuple()
                .one(db)
                .await?
        }
        // One period: the row count that ingest keeps.
        Agg::Distinct if periods.len() == 1 => {
            ranking::distinct(db, environment_id, metric, periods)
                .await?
                .remove(&periods[0])
        }
        Agg::Distinct => {
            query
                .filter(rollup::Column::Count.gt(0))
                .column_as(distinct_keys(), "n")
                .into_tuple()
                .one(db)
                .await?
        }
    };
    Ok(value.unwrap_or(0))
}

/// A dictionary metric's value over a range.
pub async fn value(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    include_bulk: bool,
    range: &DayRange,
) -> AppResult<i64> {
    let periods = range.cover();
    let mut total = 0;
    for (rollup, agg) in value_source(metric, include_bulk).unwrap_or_default() {
        total += read(db, environment_id, rollup, agg, &periods).await?;
    }
    Ok(total)
}

/// A rollup's sum per key over `periods` (e.g. uploads per source).
pub async fn sums_by_key(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
) -> AppResult<HashMap<String, i64>> {
    let found: Vec<(String, i64)> = rows(environment_id, metric, periods)
        .select_only()
        .column(rollup::Column::Key)
        .column_as(sum_expr(), "n")
        .group_by(rollup::Column::Key)
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().filter(|(_, n)| *n != 0).collect())
}

/// A rollup's sum (or, with `distinct_subs`, its number of distinct subs) for each of
/// `keys` over `periods`: one entity's stats, e.g. an asset's views or its downloaders.
pub async fn for_keys(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
    keys: &[String],
    distinct_subs: bool,
) -> AppResult<HashMap<String, i64>> {
    let query = rows(environment_id, metric, periods)
        .filter(rollup::Column::Key.is_in(keys.iter().cloned()))
        .select_only()
        .column(rollup::Column::Key);
    let query = if distinct_subs {
        query.filter(rollup::Column::Count.gt(0)).column_as(
            Expr::from(Func::count_distinct(Expr::col(rollup::Column::Sub))),
            "n",
        )
    } else {
        query.column_as(sum_expr(), "n")
    };
    let found: Vec<(String, i64)> = query
        .group_by(rollup::Column::Key)
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

/// The values of a dictionary metric in each bucket of a series.
pub async fn bucket_values(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    buckets: &[Bucket],
) -> AppResult<Vec<i64>> {
    let mut values = vec![0i64; buckets.len()];
    for (rollup, agg) in value_source(metric, false).unwrap_or_default() {
        if agg == Agg::Distinct {
            // Distinct keys do not add up across periods. Buckets covered by one period
            // (a day, a whole month) read their row counts in one query; others (weeks,
            // partial months) count their distinct keys one bucket at a time.
            let covers: Vec<Vec<String>> = buckets.iter().map(|b| b.range.cover()).collect();
            let single: Vec<String> = covers
                .iter()
                .filter(|c| c.len() == 1)
                .map(|c| c[0].clone())
                .collect();
            let per_period: HashMap<String, i64> = if single.is_empty() {
                HashMap::new()
            } else {
                ranking::distinct(db, environment_id, rollup, &single).await?
            };
            for (value, cover) in values.iter_mut().zip(&covers) {
                *value += match cover.as_slice() {
                    [one] => per_period.get(one).copied().unwrap_or(0),
                    many => read(db, environment_id, rollup, agg, many).await?,
                };
            }
            continue;
        }
        let covers: Vec<Vec<String>> = buckets.iter().map(|b| b.range.cover()).collect();
        let periods: Vec<String> = covers.iter().flatten().cloned().collect();
        let mut query = rows(environment_id, rollup, &periods);
        if agg == Agg::Total {
            query = query
                .filter(rollup::Column::Key.eq(""))
                .filter(rollup::Column::Sub.eq(""));
        }
        let per_period = sums_by_period(db, query).await?;
        for (value, cover) in values.iter_mut().zip(&covers) {
            *value += cover
                .iter()
                .map(|p| per_period.get(p).copied().unwrap_or(0))
                .sum::<i64>();
        }
    }
    Ok(values)
}

/// Rows of a per-event rollup (revisionRounds, jobDuration) over `periods`, newest first,
/// after the key `before`: (key, sub).
pub async fn event_rows(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
    before: Option<&str>,
    limit: u64,
) -> AppResult<Vec<(String, String)>> {
    let mut query = rows(environment_id, metric, periods).filter(rollup::Column::Count.gt(0));
    if let Some(before) = before {
        query = query.filter(rollup::Column::Key.lt(before));
    }
    Ok(query
        .select_only()
        .column(rollup::Column::Key)
        .column(rollup::Column::Sub)
        .order_by_desc(rollup::Column::Key)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// Durations of the jobs finished over `periods`, in seconds.
pub async fn durations(
    db: &DatabaseConnection,
    environment_id: i64,
    periods: &[String],
) -> AppResult<Vec<i64>> {
    let subs: Vec<String> = rows(environment_id, m::JOB_DURATION, periods)
        .filter(rollup::Column::Count.gt(0))
        .select_only()
        .column(rollup::Column::Sub)
        .into_tuple()
        .all(db)
        .await?;
    Ok(subs.iter().filter_map(|s| s.parse().ok()).collect())
}

/// count, average, median, 90th percentile and max of a set of durations.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DurationStats {
    pub count: i64,
    pub average: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub max: Option<i64>,
}

impl DurationStats {
    /// The median is the middle value (the mean of the two middle ones for an even
    /// count); the 90th percentile is the nearest-rank one: the smallest value with at
    /// least 90% of the values at or below it.
    pub fn of(mut seconds: Vec<i64>) -> Self {
        seconds.sort_unstable();
        let n = seconds.len();
        if n == 0 {
            return DurationStats::default();
        }
        let median = if n % 2 == 1 {
            seconds[n / 2] as f64
        } else {
            (seconds[n / 2 - 1] + seconds[n / 2]) as f64 / 2.0
        };
        let rank = (n * 9).div_ceil(10).max(1);
        DurationStats {
            count: n as i64,
            average: Some(seconds.iter().sum::<i64>() as f64 / n as f64),
            median: Some(median),
            p90: Some(seconds[rank - 1] as f64),
            max: seconds.last().copied(),
        }
    }
}

/// The Pearson correlation coefficient of two equally long series; `None` when it is
/// undefined (fewer than 2 points, or a series that does not vary).
pub fn pearson(a: &[i64], b: &[i64]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n < 2 {
        return None;
    }
    let mean = |s: &[i64]| s[..n].iter().sum::<i64>() as f64 / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (da, db) = (a[i] as f64 - ma, b[i] as f64 - mb);
        cov += da * db;
        va += da * da;
        vb += db * db;
    }
    (va > 0.0 && vb > 0.0).then(|| cov / (va.sqrt() * vb.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_stats_by_hand() {
        let s = DurationStats::of(vec![50, 10, 40, 20, 30]);
        assert_eq!(s.count, 5);
        assert_eq!(s.average, Some(30.0));
        assert_eq!(s.median, Some(30.0));
        assert_eq!(s.p90, Some(50.0));
        assert_eq!(s.max, Some(50));
        let s = DurationStats::of(vec![10, 20, 30, 40]);
        assert_eq!(s.median, Some(25.0));
        assert_eq!(s.p90, Some(40.0));
        assert_eq!(DurationStats::of(vec![]).average, None);
    }

    #[test]
    fn pearson_by_hand() {
        let close = |r: Option<f64>, want: f64| (r.unwrap() - want).abs() < 1e-12;
        assert!(close(pearson(&[1, 2, 3], &[2, 4, 6]), 1.0));
        assert!(close(pearson(&[1, 2, 3], &[3, 2, 1]), -1.0));
        assert_eq!(pearson(&[1, 1, 1], &[1, 2, 3]), None);
        assert_eq!(pearson(&[1], &[1]), None);
        let r = pearson(&[1, 2, 3, 4], &[1, 3, 2, 4]).unwrap();
        assert!((r - 0.8).abs() < 1e-12, "{r}");
    }
}
