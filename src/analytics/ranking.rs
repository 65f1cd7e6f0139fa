//! Reading rollups: totals, distinct counts, trends and ranked pages.
use crate::analytics::rollups::m;
use crate::error::AppResult;
use entity::rollup;
use sea_orm::sea_query::{Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// One ranked row: what was counted and how often.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankedRow {
    pub key: String,
    pub sub: String,
    pub count: i64,
}

/// A page of a ranking, by count descending, then key and sub ascending.
pub struct Ranked {
    pub rows: Vec<RankedRow>,
    pub has_next: bool,
    /// Rows in the whole ranking.
    pub total: u64,
    /// The sum of every row's count in the whole ranking (0 when not asked for).
    pub sum: i64,
}

fn rows_of(environment_id: i64, metric: &str) -> sea_orm::Select<rollup::Entity> {
    rollup::Entity::find()
        .filter(rollup::Column::EnvironmentId.eq(environment_id))
        .filter(rollup::Column::Metric.eq(metric))
}

/// A metric's rows in `periods`.
pub fn rows_in(
    environment_id: i64,
    metric: &str,
    periods: &[String],
) -> sea_orm::Select<rollup::Entity> {
    rows_of(environment_id, metric).filter(rollup::Column::Period.is_in(periods.iter().cloned()))
}

/// The sum of the selected rows' counts, 0 when there are none.
pub fn sum_expr() -> SimpleExpr {
    Expr::cust("CAST(COALESCE(SUM(\"count\"), 0) AS BIGINT)")
}

/// The number of distinct keys among the selected rows. Over the key expression, not the
/// column: SQLite would otherwise walk the key-first index through every period of the
/// metric (it yields keys in order, sparing a sort) where the selected periods are a
/// fraction of them; counting over `key || ''` lets it read just those periods.
pub fn distinct_keys() -> SimpleExpr {
    Expr::cust("CAST(COUNT(DISTINCT \"key\" || '') AS BIGINT)")
}

/// The selected rows' counts summed per period.
pub async fn sums_by_period(
    db: &DatabaseConnection,
    query: sea_orm::Select<rollup::Entity>,
) -> AppResult<HashMap<String, i64>> {
    Ok(query
        .select_only()
        .column(rollup::Column::Period)
        .column_as(sum_expr(), "n")
        .group_by(rollup::Column::Period)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// A metric's total (its key '' row) per period; absent periods are 0.
pub async fn totals(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
) -> AppResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = rows_in(environment_id, metric, periods)
        .filter(rollup::Column::Key.eq(""))
        .filter(rollup::Column::Sub.eq(""))
        .select_only()
        .column(rollup::Column::Period)
        .column(rollup::Column::Count)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// A metric's number of rows with a count above 0 (a distinct count) per period, as
/// ingest keeps it in [`m::ROWS`]: one row read per period, however many rows it counts.
pub async fn distinct(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
) -> AppResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = rows_in(environment_id, m::ROWS, periods)
        .filter(rollup::Column::Key.eq(metric))
        .filter(rollup::Column::Sub.eq(""))
        .select_only()
        .column(rollup::Column::Period)
        .column(rollup::Column::Count)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The monthly summary's metrics, and whether each is a distinct count.
pub const SUMMARY_METRICS: [(&str, bool); 5] = [
    (m::ACTIVE_USER, true),
    (m::UPLOADS, false),
    (m::SEARCHES, false),
    (m::DOWNLOADS, false),
    (m::COLLECTIONS_VIEWED, false),
];

/// The value of each of [`SUMMARY_METRICS`] per period, by (metric, period): the totals
/// and the distinct counts (as [`totals`] and [`distinct`] read them) in one statement.
pub async fn summary(
    db: &DatabaseConnection,
    environment_id: i64,
    periods: &[String],
) -> AppResult<HashMap<(String, String), i64>> {
    let totals = SUMMARY_METRICS.iter().filter(|(_, d)| !d).map(|(m, _)| *m);
    let distinct = SUMMARY_METRICS.iter().filter(|(_, d)| *d).map(|(m, _)| *m);
    // Every term on a primary-key column as an IN list, in the key's order: SQLite
    // seeks each (metric, period, key) combination in the primary key, where an OR of the
    // two kinds of rows made it walk every row of the environment (80 ms at 100k events
    // against 0.5 ms). The combinations that are not summary rows (a total's row under a
    // metric name as key, `#rows` under '') do not exist; the filter below drops them all
    // the same.
    let metrics: Vec<&str> = totals.clone().chain([m::ROWS]).collect();
    let keys: Vec<&str> = std::iter::once("").chain(distinct.clone()).collect();
    let rows: Vec<(String, String, String, i64)> = rollup::Entity::find()
        .filter(rollup::Column::EnvironmentId.eq(environment_id))
        .filter(rollup::Column::Metric.is_in(metrics))
        .filter(rollup::Column::Period.is_in(periods.iter().cloned()))
        .filter(rollup::Column::Key.is_in(keys))
        .filter(rollup::Column::Sub.eq(""))
        .select_only()
        .column(rollup::Column::Metric)
        .column(rollup::Column::Key)
        .column(rollup::Column::Period)
        .column(rollup::Column::Count)
        .into_tuple()
        .all(db)
        .await?;
    let wanted = |metric: &str, key: &str| {
        if metric == m::ROWS {
            distinct.clone().any(|d| d == key)
        } else {
            key.is_empty() && totals.clone().any(|t| t == metric)
        }
    };
    Ok(rows
        .into_iter()
        .filter(|(metric, key, _, _)| wanted(metric, key))
        .map(|(metric, key, period, count)| {
            let metric = if metric == m::ROWS { key } else { metric };
            ((metric, period), count)
        })
        .collect())
}

/// A metric's count per (period, key), for metrics keyed by a small set such as variants.
pub async fn by_key(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
) -> AppResult<HashMap<(String, String), i64>> {
    let rows: Vec<(String, String, i64)> = rows_in(environment_id, metric, periods)
        .select_only()
        .column(rollup::Column::Period)
        .column(rollup::Column::Key)
        .column(rollup::Column::Count)
        .into_tuple()
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for (period, key, count) in rows {
        *out.entry((period, key)).or_insert(0) += count;
    }
    Ok(out)
}

/// The sum of the counts of a metric's rows over `periods`, 0 when there are none.
pub async fn sum(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
) -> AppResult<i64> {
    let n: Option<i64> = rows_in(environment_id, metric, periods)
        .select_only()
        .column_as(sum_expr(), "n")
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0))
}

/// The terms that let the planner read a ranking from the ranking index, which holds
/// only the monthly rows of the ranked metrics (`migration::RANKED_METRICS`): the metric
/// as a literal (a bound parameter cannot prove the index's predicate) and the monthly
/// rows' period length, both as the index's predicate states them. Another metric gets
/// no term (its rows are sorted instead).
fn ranking_index(metric: &str) -> Condition {
    match migration::RANKED_METRICS.iter().find(|m| **m == metric) {
        Some(ranked) => Condition::all()
            .add(Expr::cust(format!("metric = '{ranked}'")))
            .add(Expr::cust("length(period) = 7")),
        None => Condition::all(),
    }
}

/// A page of a ranking after `after` (the last row of the previous page); with
/// `with_sum`, also the sum of every row's count.
pub async fn top(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    period: &str,
    after: Option<RankedRow>,
    first: u64,
    with_sum: bool,
) -> AppResult<Ranked> {
    debug_assert!(
        migration::RANKED_METRICS.contains(&metric) && period.len() == 7,
        "{metric} in {period} is ranked, but the ranking index holds only the monthly rows of migration::RANKED_METRICS"
    );
    let base = rows_of(environment_id, metric)
        .filter(rollup::Column::Period.eq(period))
        .filter(rollup::Column::Count.gt(0))
        .filter(ranking_index(metric));
    let period_list = [period.to_owned()];
    let total = distinct(db, environment_id, metric, &period_list)
        .await?
        .remove(period);
    let mut query = base;
    if let Some(a) = after {
        query = query.filter(
            Condition::any().add(rollup::Column::Count.lt(a.count)).add(
                Condition::all().add(rollup::Column::Count.eq(a.count)).add(
                    Condition::any()
                        .add(rollup::Column::Key.gt(a.key.clone()))
                        .add(
                            Condition::all()
                                .add(rollup::Column::Key.eq(a.key))
                                .add(rollup::Column::Sub.gt(a.sub)),
                        ),
                ),
            ),
        );
    }
    let rows: Vec<(String, String, i64)> = query
        .select_only()
        .column(rollup::Column::Key)
        .column(rollup::Column::Sub)
        .column(rollup::Column::Count)
        .order_by_desc(rollup::Column::Count)
        .order_by_asc(rollup::Column::Key)
        .order_by_asc(rollup::Column::Sub)
        .limit(first + 1)
        .into_tuple()
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > first;
    let sum = if with_sum {
        self::sum(db, environment_id, metric, &period_list).await?
    } else {
        0
    };
    Ok(Ranked {
        sum,
        rows: rows
            .into_iter()
            .take(first as usize)
            .map(|(key, sub, count)| RankedRow { key, sub, count })
            .collect(),
        has_next,
        total: total.unwrap_or(0) as u64,
    })
}

/// The counts of `keys` (rows with sub '') in one period.
pub async fn counts(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    period: &str,
    keys: &[String],
) -> AppResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = rows_of(environment_id, metric)
        .filter(rollup::Column::Period.eq(period))
        .filter(rollup::Column::Key.is_in(keys.iter().cloned()))
        .filter(rollup::Column::Sub.eq(""))
        .select_only()
        .column(rollup::Column::Key)
        .column(rollup::Column::Count)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The number of distinct subs of each of `keys` in one period (e.g. users per query).
pub async fn distinct_subs(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    period: &str,
    keys: &[String],
) -> AppResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = rows_of(environment_id, metric)
        .filter(rollup::Column::Period.eq(period))
        .filter(rollup::Column::Key.is_in(keys.iter().cloned()))
        .filter(rollup::Column::Count.gt(0))
        .select_only()
        .column(rollup::Column::Key)
        .column_as(Expr::from(Func::count(Expr::col(rollup::Column::Sub))), "n")
        .group_by(rollup::Column::Key)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// A page of the keys of `metric` (rows with sub '') by their sum over `periods`
/// descending, then key ascending, after `after` (the last row of the previous page);
/// with `with_sum`, also the sum of every key's count.
pub async fn top_over(
    db: &DatabaseConnection,
    environment_id: i64,
    metric: &str,
    periods: &[String],
    after: Option<RankedRow>,
    first: u64,
    with_sum: bool,
) -> AppResult<Ranked> {
    let base = rows_in(environment_id, metric, periods)
        .filter(rollup::Column::Sub.eq(""))
        .filter(rollup::Column::Count.gt(0));
    let total: Option<i64> = base
        .clone()
        .select_only()
        .column_as(distinct_keys(), "n")
        .into_tuple()
        .one(db)
        .await?;
    let mut query = base
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
    let rows: Vec<(String, i64)> = query
        .order_by_desc(sum_expr())
        .order_by_asc(rollup::Column::Key)
        .limit(first + 1)
        .into_tuple()
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > first;
    let sum = if with_sum {
        self::sum(db, environment_id, metric, periods).await?
    } else {
        0
    };
    Ok(Ranked {
        rows: rows
            .into_iter()
            .take(first as usize)
            .map(|(key, count)| RankedRow {
                key,
                sub: String::new(),
                count,
            })
            .collect(),
        has_next,
        total: u64::try_from(total.unwrap_or(0)).unwrap_or(0),
        sum,
    })
}
