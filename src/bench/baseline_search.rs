//! The monthly report's search effectiveness from raw events: searches with a result
//! count, zero-result searches and queries, and converted searches, each derived from
//! the `events` table as PRODUCT.md defines it ("Search effectiveness").
use super::baseline::{Ranked, edges, metric_value, top_list};
use super::baseline_monthly::{Month, SEARCHED, merge_by_normalised, month_of};
use super::queries::Scenario;
use super::raw::Raw;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value as DbValue};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// How long after a search a view or download converts it (30:00.000 included).
const WINDOW_MINUTES: i64 = 30;

/// `part / whole × 100`, none when `whole` is 0.
fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole != 0).then(|| part as f64 / whole as f64 * 100.0)
}

/// `{current previous change changePercent}` of a rate; the change in points.
fn rate_value(current: Option<f64>, previous: Option<f64>) -> Value {
    let change = current.zip(previous).map(|(c, p)| c - p);
    let percent = change
        .zip(previous)
        .and_then(|(d, p)| (p != 0.0).then(|| d / p * 100.0));
    json!({"current": current, "previous": previous, "change": change, "changePercent": percent})
}

/// One search, view or download of a known user.
struct Act {
    at: DateTime<Utc>,
    id: String,
    search: bool,
    month: String,
}

/// Converted searches per month of the search, from every search, view and download of
/// known users from the first month on: a search is converted when a view or download
/// of the same user lies strictly after it, at most 30 minutes after it, and strictly
/// before that user's next search (the next in occurredAt order, then id).
async fn converted_per_month<C: ConnectionTrait>(
    m: &Month<'_, '_, C>,
) -> Result<HashMap<String, i64>, DbErr> {
    let sql = "SELECT e.user_id, e.id, e.event_type, e.occurred_at, e.local_month FROM events e \
               WHERE e.environment_id = $1 AND e.local_month >= $2 AND e.user_id IS NOT NULL \
               AND e.event_type IN ('search.performed', 'asset.viewed', 'asset.downloaded')";
    let mut per_user: HashMap<String, Vec<Act>> = HashMap::new();
    for row in m
        .raw
        .rows(sql, vec![DbValue::from(m.months[0].clone())])
        .await?
    {
        let user: String = row.try_get_by_index(0)?;
        let kind: String = row.try_get_by_index(2)?;
        per_user.entry(user).or_default().push(Act {
            id: row.try_get_by_index(1)?,
            search: kind == "search.performed",
            at: row.try_get_by_index(3)?,
            month: row.try_get_by_index(4)?,
        });
    }
    let window = Duration::minutes(WINDOW_MINUTES);
    let mut out: HashMap<String, i64> = HashMap::new();
    for acts in per_user.values_mut() {
        acts.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        // The time of each act's next search (after it in the order), from the end.
        let mut next: Vec<Option<DateTime<Utc>>> = vec![None; acts.len()];
        for i in (0..acts.len().saturating_sub(1)).rev() {
            next[i] = if acts[i + 1].search {
                Some(acts[i + 1].at)
            } else {
                next[i + 1]
            };
        }
        for (i, s) in acts.iter().enumerate().filter(|(_, a)| a.search) {
            // Acts before this one in the order are not after it in time.
            let converted = acts[i + 1..]
                .iter()
                .take_while(|a| a.at <= s.at + window)
                .any(|a| !a.search && a.at > s.at && next[i].is_none_or(|n| a.at < n));
            if converted {
                *out.entry(s.month.clone()).or_default() += 1;
            }
        }
    }
    Ok(out)
}

/// The zero-result TEXT and VISUAL_TEXT queries of the month, normalised, with their
/// count (anonymous searches included) and distinct users.
async fn zero_result_queries<C: ConnectionTrait>(
    m: &Month<'_, '_, C>,
    zero: &str,
) -> Result<Value, DbErr> {
    let raw = m.raw;
    let condition = format!(
        "{SEARCHED} AND {zero} AND {} IN ('TEXT', 'VISUAL_TEXT')",
        raw.text("kind")
    );
    let merged = merge_by_normalised(
        m.grouped(
            &[&raw.text("query"), "e.user_id"],
            "COUNT(*)",
            "",
            &condition,
        )
        .await?,
    )?;
    let sum: i64 = merged.values().map(|(n, _)| n).sum();
    let items = merged
        .into_iter()
        .map(|(q, (count, who))| Ranked {
            count,
            edge: Map::from_iter([(
                "node".to_owned(),
                json!({"query": q, "count": count, "users": who.len()}),
            )]),
            key: (q, String::new()),
        })
        .collect();
    let (mut head, items) = top_list(items, 10);
    head["countSum"] = json!(sum);
    Ok(edges(head, items))
}

pub async fn effectiveness<C: ConnectionTrait>(
    raw: &Raw<'_, C>,
    s: &Scenario,
) -> Result<Value, DbErr> {
    let m = month_of(raw, s);
    let count = raw.text("resultCount");
    let carried = format!("{SEARCHED} AND {count} IS NOT NULL");
    let zero = format!("CAST({count} AS INTEGER) = 0");
    let with = m.per_month("COUNT(*)", &carried).await?;
    let zeros = m
        .per_month("COUNT(*)", &format!("{carried} AND {zero}"))
        .await?;
    let known = m
        .per_month("COUNT(*)", &format!("{SEARCHED} AND e.user_id IS NOT NULL"))
        .await?;
    let per = converted_per_month(&m).await?;
    let converted: Vec<i64> = m
        .months
        .iter()
        .map(|month| per.get(month).copied().unwrap_or(0))
        .collect();
    let zero_rates: Vec<Option<f64>> = zeros.iter().zip(&with).map(|(z, w)| rate(*z, *w)).collect();
    let conversion_rates: Vec<Option<f64>> = converted
        .iter()
        .zip(&known)
        .map(|(c, k)| rate(*c, *k))
        .collect();
    let rate_trend = |rates: &[Option<f64>]| {
        Value::Array(
            m.months
                .iter()
                .zip(rates)
                .map(|(month, value)| json!({"month": month, "value": value}))
                .collect(),
        )
    };
    let mv = |v: &[i64]| metric_value(v[11], v[10]);
    let rv = |v: &[Option<f64>]| rate_value(v[11], v[10]);
    Ok(json!({"monthlyReport": {"search": {"effectiveness": {
        "searchesWithResultCount": mv(&with),
        "zeroResultSearches": mv(&zeros),
        "zeroResultRate": rv(&zero_rates),
        "convertedSearches": mv(&converted),
        "searchConversionRate": rv(&conversion_rates),
        "topZeroResultQueries": zero_result_queries(&m, &zero).await?,
        "searchesWithResultCountTrend": m.trend(&with),
        "zeroResultSearchesTrend": m.trend(&zeros),
        "zeroResultRateTrend": rate_trend(&zero_rates),
        "convertedSearchesTrend": m.trend(&converted),
        "searchConversionRateTrend": rate_trend(&conversion_rates),
    }}}}))
}
