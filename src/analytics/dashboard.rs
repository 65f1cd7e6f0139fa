//! The admin dashboard's activity figures, read from the daily `dash*` rollups (and the
//! daily per-collection views): windows of the last N local days, uploads per day by
//! source and type, and rankings summed over a window's days.
use super::range::DayRange;
use super::ranking::{distinct_keys, rows_in as rows, sum_expr, sums_by_period};
use super::time::local_day;
use crate::error::AppResult;
use crate::storage::dashboard::{self as store, Members};
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::rollup;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

/// The `days` calendar days ending today (today included) in `tz`.
pub fn window(now: DateTime<Utc>, tz: Tz, days: u64) -> DayRange {
    let today = local_day(now, tz);
    DayRange {
        from: today - Days::new(days.saturating_sub(1)),
        to: today,
    }
}

/// Every day of a range as a daily rollup period, `YYYY-MM-DD`.
pub fn day_periods(range: &DayRange) -> Vec<String> {
    range
        .each_day()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect()
}

/// Which uploads to count: by source (API, or users through any other way in) and type.
#[derive(Clone, Copy, Debug, Default)]
pub struct UploadFilter<'a> {
    /// Some(true): API uploads only; Some(false): every other source only.
    pub api: Option<bool>,
    /// Only this asset type (IMAGE, VIDEO, RAW).
    pub asset_type: Option<&'a str>,
}

/// Uploads on each day of `range` (0 where none), oldest first.
pub async fn uploads_per_day(
    db: &DatabaseConnection,
    environment_id: i64,
    range: &DayRange,
    filter: UploadFilter<'_>,
) -> AppResult<Vec<(NaiveDate, i64)>> {
    let periods = day_periods(range);
    let mut query = rows(environment_id, super::rollups::dash::DASH_UPLOADS, &periods);
    match filter.api {
        Some(true) => query = query.filter(rollup::Column::Key.eq("API")),
        Some(false) => query = query.filter(rollup::Column::Key.ne("API")),
        None => {}
    }
    if let Some(kind) = filter.asset_type {
        query = query.filter(rollup::Column::Sub.eq(kind));
    }
    let found = sums_by_period(db, query).await?;
    Ok(range
        .each_day()
        .zip(periods)
        .map(|(day, period)| (day, found.get(&period).copied().unwrap_or(0)))
        .collect())
}

/// One key of a window ranking and its sum over the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowRow {
    pub key: String,
    pub count: i64,
}

/// A page of a window ranking.
pub struct WindowPage {
    pub rows: Vec<WindowRow>,
    pub has_next: bool,
    /// Keys in the whole ranking.
    pub total: u64,
}

/// A page of the keys of `metric` by their sum over `periods` descending, then key
/// ascending, after `after` (the last row of the previous page); then, with a count of 0
/// and by key, the `members` that the window did not count.
pub async fn ranked(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
    members: Members,
    after: Option<WindowRow>,
    first: u64,
) -> AppResult<WindowPage> {
    let base = rows(environment_id, metric, periods).filter(rollup::Column::Count.gt(0));
    let counted = || {
        base.clone()
            .select_only()
            .column(rollup::Column::Key)
            .into_query()
    };
    let counted_total: Option<i64> = base
        .clone()
        .select_only()
        .column_as(distinct_keys(), "n")
        .into_tuple()
        .one(db)
        .await?;
    let idle_total = store::idle_count(db, environment_id, members, counted()).await?;
    let total = u64::try_from(counted_total.unwrap_or(0)).unwrap_or(0) + idle_total;
    // A cursor of count 0 lies among the members the window did not count.
    let after_idle = match &after {
        Some(a) if a.count <= 0 => Some(a.key.clone()),
        _ => None,
    };
    let mut out = Vec::new();
    if after_idle.is_none() {
        let mut query = base
            .clone()
            .select_only()
            .column(rollup::Column::Key)
            .column_as(sum_expr(), "n")
            .group_by(rollup::Column::Key);
        if let Some(a) = after {
            query = query.having(
                Condition::any().add(sum_expr().lt(a.count)).add(
                    Condition::all()
                        .add(sum_expr().eq(a.count))
                        .add(rollup::Column::Key.gt(a.key)),
                ),
            );
        }
        let found: Vec<(String, i64)> = query
            .order_by_desc(sum_expr())
            .order_by_asc(rollup::Column::Key)
            .limit(first + 1)
            .into_tuple()
            .all(db)
            .await?;
        out.extend(
            found
                .into_iter()
                .map(|(key, count)| WindowRow { key, count }),
        );
    }
    if out.len() as u64 <= first {
        let want = first + 1 - out.len() as u64;
        let idle = store::idle_members(
            db,
            environment_id,
            members,
            counted(),
            after_idle.as_deref(),
            want,
        )
        .await?;
        out.extend(idle.into_iter().map(|key| WindowRow { key, count: 0 }));
    }
    let has_next = out.len() as u64 > first;
    out.truncate(first as usize);
    Ok(WindowPage {
        rows: out,
        has_next,
        total,
    })
}

/// The sum of all rows of `metric` over `periods`.
pub async fn total(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
) -> AppResult<i64> {
    let n: Option<i64> = rows(environment_id, metric, periods)
        .select_only()
        .column_as(sum_expr(), "n")
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0))
}
