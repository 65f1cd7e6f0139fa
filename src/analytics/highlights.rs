//! Highlights of a month (PRODUCT.md, "Highlights"): count metrics that moved far from
//! their 6-month baseline, and activeUsers falling 3 months running. Values are the
//! monthly rollups' (the same monthly values as trends), in the environment's zone.
use super::insights::bucket_values;
use super::range::{Bucket, DayRange};
use super::rollups::m;
use super::time::YearMonth;
use crate::error::AppResult;
use chrono::{Months, NaiveDate};
use entity::{event, rollup};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::cmp::Ordering;

/// The count metrics a month is checked on, in the dictionary's order.
pub const METRICS: &[&str] = &[
    "uploads",
    "assetViews",
    "downloads",
    "downloadActions",
    "uniqueAssetsDownloaded",
    "usersWhoDownloaded",
    "assetsArchived",
    "assetsDeleted",
    "searches",
    "usersWhoSearched",
    "activeUsers",
    "activeSessions",
    "collectionsViewed",
    "publicCollectionDownloads",
    "collectionsCreated",
    "newUsers",
    "logins",
    "logouts",
    "jobsCreated",
    "jobsFinished",
    "jobRevisions",
    "revisionRoundsFinished",
    "searchesWithResultCount",
    "zeroResultSearches",
    "convertedSearches",
];

/// Months of the baseline before the listed one.
pub const BASELINE_MONTHS: usize = 6;

/// What a highlight reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// activeUsers fell in each of the last 3 months (sorted first).
    DecliningAdoption,
    /// A value far from its 6-month baseline.
    SignificantChange,
}

/// Which way a value moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// One highlight of a month.
#[derive(Clone, Debug, PartialEq)]
pub struct Highlight {
    pub kind: Kind,
    /// The dictionary name of the metric.
    pub metric: &'static str,
    pub direction: Direction,
    /// The metric's value in the month.
    pub value: i64,
    /// What the value is set against: μ of the 6 months before, or for
    /// DECLINING_ADOPTION the value 3 months before.
    pub mean: f64,
    /// (value − mean) / mean × 100; `None` when mean is 0.
    pub change_percent: Option<f64>,
    /// (value − μ) / σ; `None` when σ is 0 (and for DECLINING_ADOPTION).
    pub z: Option<f64>,
}

/// A month's highlights, or why it has none.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthHighlights {
    /// The local month of the environment's first event (`None` when it has none).
    pub first_month: Option<YearMonth>,
    /// Whether every month of the baseline is on or after `first_month`.
    pub enough_history: bool,
    /// Ordered: DECLINING_ADOPTION first, then null change percent, then |change
    /// percent| descending, then the metric's enum value ascending.
    pub items: Vec<Highlight>,
}

/// The SIGNIFICANT_CHANGE highlight of `value` against its baseline, if flagged:
/// |value − μ| ≥ 2σ and |value − μ| ≥ 20% of μ; when μ is 0, a value of at least 5.
/// The tests are exact, in integers: with S = Σx and Q = Σx² over n months, |value − μ|
/// ≥ 2σ is (n·value − S)² ≥ 4(n·Q − S²), and ≥ 20% of μ is 5·|n·value − S| ≥ S.
pub fn significant(metric: &'static str, baseline: &[i64], value: i64) -> Option<Highlight> {
    let n = baseline.len() as i128;
    if n == 0 {
        return None;
    }
    let s: i128 = baseline.iter().map(|&x| x as i128).sum();
    let q: i128 = baseline.iter().map(|&x| (x as i128) * (x as i128)).sum();
    let d = n * value as i128 - s;
    let flagged = if s == 0 {
        value >= 5
    } else {
        d * d >= 4 * (n * q - s * s) && 5 * d.abs() >= s
    };
    if !flagged {
        return None;
    }
    // value − μ = d / n and σ = √(n·Q − S²) / n: each figure is one rounding away from
    // exact, so equal ratios give equal numbers.
    let spread = n * q - s * s;
    Some(Highlight {
        kind: Kind::SignificantChange,
        metric,
        direction: if d > 0 {
            Direction::Up
        } else {
            Direction::Down
        },
        value,
        mean: s as f64 / n as f64,
        change_percent: (s != 0).then(|| (d * 100) as f64 / s as f64),
        z: (spread > 0).then(|| d as f64 / (spread as f64).sqrt()),
    })
}

/// The DECLINING_ADOPTION highlight when activeUsers fell in each of the last 3 months:
/// `last4` holds M−3, M−2, M−1 and M.
pub fn declining(last4: &[i64]) -> Option<Highlight> {
    let [a3, a2, a1, a0] = *last4 else {
        return None;
    };
    (a0 < a1 && a1 < a2 && a2 < a3).then(|| Highlight {
        kind: Kind::DecliningAdoption,
        metric: "activeUsers",
        direction: Direction::Down,
        value: a0,
        mean: a3 as f64,
        change_percent: Some(((a0 - a3) * 100) as f64 / a3 as f64),
        z: None,
    })
}

/// A dictionary name as its GraphQL enum value: `activeUsers` → `ACTIVE_USERS`.
pub fn enum_value(metric: &str) -> String {
    let mut out = String::with_capacity(metric.len() + 4);
    for c in metric.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The order of highlights (see [`MonthHighlights::items`]).
pub fn order(a: &Highlight, b: &Highlight) -> Ordering {
    a.kind
        .cmp(&b.kind)
        .then_with(|| {
            let magnitude = |h: &Highlight| h.change_percent.map(f64::abs);
            match (magnitude(a), magnitude(b)) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => y.total_cmp(&x),
            }
        })
        .then_with(|| enum_value(a.metric).cmp(&enum_value(b.metric)))
}

/// Highlights from each metric's values over the 7 months M−6 … M, oldest first.
pub fn from_values(series: &[(&'static str, Vec<i64>)]) -> Vec<Highlight> {
    let mut items = Vec::new();
    for (metric, values) in series {
        let Some((&value, baseline)) = values.split_last() else {
            continue;
        };
        if *metric == "activeUsers" && values.len() >= 4 {
            items.extend(declining(&values[values.len() - 4..]));
        }
        items.extend(significant(metric, baseline, value));
    }
    items.sort_by(order);
    items
}

/// The local month of the environment's first event: the earlier of its oldest stored
/// event's and its oldest rollup period's (rollups outlive events deleted by retention).
/// Both are one index probe.
pub async fn first_month(
    db: &DatabaseConnection,
    environment_id: i64,
) -> AppResult<Option<YearMonth>> {
    let oldest_event: Option<String> = event::Entity::find()
        .filter(event::Column::EnvironmentId.eq(environment_id))
        .order_by_asc(event::Column::OccurredAt)
        .select_only()
        .column(event::Column::LocalMonth)
        .into_tuple()
        .one(db)
        .await?;
    let oldest_period: Option<Option<String>> = rollup::Entity::find()
        .filter(rollup::Column::EnvironmentId.eq(environment_id))
        .filter(rollup::Column::Metric.eq(m::ROWS))
        .select_only()
        .column_as(
            Expr::expr(Func::min(Expr::col(rollup::Column::Period))),
            "p",
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok([oldest_event, oldest_period.flatten()]
        .into_iter()
        .flatten()
        .filter_map(|p| YearMonth::parse(p.get(..7)?))
        .min())
}

/// The whole calendar month `month` as a day range.
fn days_of(month: YearMonth) -> Option<DayRange> {
    let from = NaiveDate::from_ymd_opt(month.year, month.month, 1)?;
    let to = from.checked_add_months(Months::new(1))?.pred_opt()?;
    Some(DayRange { from, to })
}

/// The highlights of `month`.
pub async fn of_month(
    db: &DatabaseConnection,
    environment_id: i64,
    month: YearMonth,
) -> AppResult<MonthHighlights> {
    let first = first_month(db, environment_id).await?;
    let months = month.ending(BASELINE_MONTHS + 1);
    let enough_history = first.is_some_and(|f| months[0] >= f);
    let buckets: Option<Vec<Bucket>> = months
        .iter()
        .map(|&m| {
            days_of(m).map(|range| Bucket {
                start: range.from,
                range,
            })
        })
        .collect();
    let (true, Some(buckets)) = (enough_history, buckets) else {
        return Ok(MonthHighlights {
            first_month: first,
            enough_history: false,
            items: Vec::new(),
        });
    };
    let mut series = Vec::with_capacity(METRICS.len());
    for &metric in METRICS {
        series.push((
            metric,
            bucket_values(db, environment_id, metric, &buckets).await?,
        ));
    }
    Ok(MonthHighlights {
        first_month: first,
        enough_history,
        items: from_values(&series),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_baseline_flags_a_jump_of_a_fifth_without_z() {
        let h = significant("uploads", &[10; 6], 12).unwrap();
        assert_eq!(h.direction, Direction::Up);
        assert_eq!(h.change_percent, Some(20.0));
        assert_eq!(h.z, None);
        assert_eq!(significant("uploads", &[10; 6], 11), None);
        assert_eq!(significant("uploads", &[10; 6], 10), None);
    }

    #[test]
    fn a_zero_baseline_flags_five_and_more() {
        let h = significant("logins", &[0; 6], 5).unwrap();
        assert_eq!((h.change_percent, h.z, h.mean), (None, None, 0.0));
        assert_eq!(significant("logins", &[0; 6], 4), None);
    }

    #[test]
    fn two_sigma_is_exact() {
        // 0 and 20 alternating: μ 10, σ 10; 30 is exactly 2σ above, 29 is not.
        let b = [0, 20, 0, 20, 0, 20];
        let h = significant("searches", &b, 30).unwrap();
        assert_eq!((h.change_percent, h.z), (Some(200.0), Some(2.0)));
        assert_eq!(significant("searches", &b, 29), None);
        assert_eq!(
            significant("searches", &b, 0).map(|h| h.z),
            None,
            "within 2σ"
        );
    }

    #[test]
    fn enum_values_are_screaming_snake() {
        assert_eq!(enum_value("activeUsers"), "ACTIVE_USERS");
        assert_eq!(enum_value("uploads"), "UPLOADS");
    }
}
