//! Insights over a date range, a daily series and the top assets with their stats, from
//! raw events.
use super::baseline::{edges, metric_value, placeholders, top_list};
use super::baseline_monthly::{asset_nodes, downloaded_asset};
use super::queries::{SERIES_METRICS, Scenario};
use super::raw::Raw;
use chrono::{Duration, NaiveDate};
use sea_orm::{ConnectionTrait, DbErr, Value as DbValue};
use serde_json::{Value, json};
use std::collections::HashMap;

const NON_BULK: &str = "e.event_type = 'asset.downloaded' AND NOT ";

/// Current and previous counts over `range` and the equally long range before it.
struct Periods<'r, 'a, C> {
    raw: &'r Raw<'a, C>,
    from: NaiveDate,
    to: NaiveDate,
    previous_from: NaiveDate,
}

impl<C: ConnectionTrait> Periods<'_, '_, C> {
    /// `(key, current, previous)` of `aggregate_of(value)` over the events matching
    /// `condition`, grouped by `key` (a SQL expression; `'' ` for none).
    async fn split(
        &self,
        key: &str,
        value: &str,
        distinct: bool,
        condition: &str,
    ) -> Result<Vec<(Option<String>, i64, i64)>, DbErr> {
        let d = if distinct { "DISTINCT " } else { "" };
        let sql = format!(
            "SELECT {key}, COUNT({d}CASE WHEN e.local_day >= $2 THEN {value} END), \
             COUNT({d}CASE WHEN e.local_day < $2 THEN {value} END) FROM events e \
             WHERE e.environment_id = $1 AND e.local_day >= $3 AND e.local_day <= $4 \
             AND {condition} GROUP BY 1"
        );
        let values = vec![
            DbValue::from(self.from),
            DbValue::from(self.previous_from),
            DbValue::from(self.to),
        ];
        let mut out = Vec::new();
        for row in self.raw.rows(&sql, values).await? {
            out.push((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
            ));
        }
        Ok(out)
    }

    async fn metric(&self, condition: &str) -> Result<Value, DbErr> {
        let rows = self.split("'all'", "1", false, condition).await?;
        let (c, p) = rows.first().map_or((0, 0), |r| (r.1, r.2));
        Ok(metric_value(c, p))
    }

    /// A split metric: `known` keys first, in order, then any other key.
    async fn keyed(&self, key: &str, condition: &str, known: &[&str]) -> Result<Value, DbErr> {
        let rows = self.split(key, "1", false, condition).await?;
        let mut found: HashMap<String, (i64, i64)> = HashMap::new();
        for (k, c, p) in rows {
            if let Some(k) = k {
                found.insert(k, (c, p));
            }
        }
        let mut keys: Vec<String> = known.iter().map(|k| (*k).to_owned()).collect();
        let mut extra: Vec<String> = found
            .keys()
            .filter(|k| !keys.contains(k))
            .cloned()
            .collect();
        extra.sort();
        keys.extend(extra);
        Ok(Value::Array(
            keys.into_iter()
                .map(|k| {
                    let (c, p) = found.get(&k).copied().unwrap_or((0, 0));
                    let mut v = metric_value(c, p);
                    v["key"] = json!(k);
                    v
                })
                .collect(),
        ))
    }
}

fn typed(t: &str) -> String {
    format!("e.event_type = '{t}'")
}

pub async fn insights<C: ConnectionTrait>(raw: &Raw<'_, C>, s: &Scenario) -> Result<Value, DbErr> {
    let (from, to) = s.days(90);
    let previous_from = from - Duration::days(90);
    let p = Periods {
        raw,
        from,
        to,
        previous_from,
    };
    let bulk = raw.truthy("bulk");
    let non_bulk = format!("{NON_BULK}{bulk}");
    let uploaded = typed("asset.uploaded");
    let created = typed("user.created");
    let logged_in = typed("user.logged_in");
    let sso = format!(
        "CASE WHEN {} THEN 'SSO' ELSE 'NON_SSO' END",
        raw.truthy("sso")
    );
    let actions = p
        .split("'all'", &raw.text("actionId"), true, &non_bulk)
        .await?;
    let (ac, ap) = actions.first().map_or((0, 0), |r| (r.1, r.2));
    Ok(json!({"insights": {
        "range": {"from": from, "to": to},
        "previousRange": {"from": previous_from, "to": from - Duration::days(1)},
        "media": {
            "uploads": p.metric(&uploaded).await?,
            "uploadsBySource": p.keyed(&raw.text("source"), &uploaded,
                &["WEB", "EXTERNAL_UPLOADER", "MASS_UPLOADER", "API"]).await?,
            "uploadsByAssetType": p.keyed(&raw.text("assetType"), &uploaded,
                &["IMAGE", "VIDEO", "RAW"]).await?,
            "assetViews": p.metric(&typed("asset.viewed")).await?,
            "downloads": p.metric(&non_bulk).await?,
            "bulk": p.metric(&typed("asset.downloaded")).await?,
            "downloadActions": metric_value(ac, ap),
            "assetsDeleted": p.metric(&typed("asset.deleted")).await?,
            "assetsArchived": p.metric(&typed("asset.archived")).await?,
        },
        "jobs": {
            "jobsCreated": p.metric(&typed("job.created")).await?,
            "jobsFinished": p.metric(&typed("job.finished")).await?,
            "jobRevisions": p.metric(&typed("job.sent_back")).await?,
        },
        "users": {
            "newUsers": p.metric(&created).await?,
            "newUsersByVia": p.keyed(&raw.text("via"), &created,
                &["MANUAL", "BULK", "ACCESS_REQUEST"]).await?,
            "logins": p.metric(&logged_in).await?,
            "loginsBySso": p.keyed(&sso, &logged_in, &["SSO", "NON_SSO"]).await?,
            "logouts": p.metric(&typed("user.logged_out")).await?,
        },
    }}))
}

/// `aggregate` per local day from `from` to `to` over the events matching `condition`,
/// every day present.
async fn per_day<C: ConnectionTrait>(
    raw: &Raw<'_, C>,
    (from, to): (NaiveDate, NaiveDate),
    aggregate: &str,
    condition: &str,
) -> Result<Vec<i64>, DbErr> {
    let sql = format!(
        "SELECT e.local_day, {aggregate} FROM events e WHERE e.environment_id = $1 \
         AND e.local_day >= $2 AND e.local_day <= $3 AND {condition} GROUP BY e.local_day"
    );
    let mut found: HashMap<NaiveDate, i64> = HashMap::new();
    for row in raw.rows(&sql, vec![from.into(), to.into()]).await? {
        found.insert(row.try_get_by_index(0)?, row.try_get_by_index(1)?);
    }
    Ok(from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|d| found.get(&d).copied().unwrap_or(0))
        .collect())
}

pub async fn series<C: ConnectionTrait>(raw: &Raw<'_, C>, s: &Scenario) -> Result<Value, DbErr> {
    let days = s.days(365);
    let non_bulk = format!("{NON_BULK}{}", raw.truthy("bulk"));
    let active = "e.event_type IN ('search.performed', 'asset.downloaded', 'asset.uploaded') AND e.user_id IS NOT NULL";
    let values = [
        per_day(raw, days, "COUNT(*)", &typed("asset.uploaded")).await?,
        per_day(raw, days, "COUNT(*)", &non_bulk).await?,
        per_day(raw, days, "COUNT(*)", &typed("search.performed")).await?,
        per_day(raw, days, "COUNT(DISTINCT e.user_id)", active).await?,
    ];
    let buckets: Vec<Value> = days
        .0
        .iter_days()
        .take_while(|d| *d <= days.1)
        .map(|d| json!({"from": d, "to": d}))
        .collect();
    let metrics: Vec<Value> = SERIES_METRICS
        .iter()
        .zip(values)
        .map(|(metric, values)| json!({"metric": metric, "values": values}))
        .collect();
    Ok(json!({"series": {"buckets": buckets, "metrics": metrics}}))
}

pub async fn top_assets<C: ConnectionTrait>(
    raw: &Raw<'_, C>,
    s: &Scenario,
) -> Result<Value, DbErr> {
    let month = s.month().to_string();
    let (from, to) = s.month_days();
    let non_bulk = format!("{NON_BULK}{}", raw.truthy("bulk"));
    let sql = format!(
        "SELECT e.asset_id, COUNT(*), COUNT(DISTINCT e.user_id) FROM events e \
         WHERE e.environment_id = $1 AND e.local_month = $2 AND {non_bulk} \
         AND e.asset_id IS NOT NULL GROUP BY 1"
    );
    let mut items = Vec::new();
    for row in raw.rows(&sql, vec![month.clone().into()]).await? {
        items.push(downloaded_asset(&row)?);
    }
    let (head, mut items) = top_list(items, 100);
    // Each asset's stats over the month's days, as a per-asset query would read them.
    let ids: Vec<String> = items.iter().map(|i| i.key.0.clone()).collect();
    let mut stats: HashMap<String, [i64; 3]> = HashMap::new();
    if !ids.is_empty() {
        let sql = format!(
            "SELECT e.asset_id, COUNT(CASE WHEN e.event_type = 'asset.viewed' THEN 1 END), \
             COUNT(CASE WHEN {non_bulk} THEN 1 END), \
             COUNT(DISTINCT CASE WHEN {non_bulk} THEN e.user_id END) FROM events e \
             WHERE e.environment_id = $1 AND e.local_day >= $2 AND e.local_day <= $3 \
             AND e.asset_id IN ({}) GROUP BY 1",
            placeholders(4, ids.len())
        );
        let mut values: Vec<DbValue> = vec![from.into(), to.into()];
        values.extend(ids.iter().map(|id| DbValue::from(id.clone())));
        for row in raw.rows(&sql, values).await? {
            let asset: String = row.try_get_by_index(0)?;
            stats.insert(
                asset,
                [
                    row.try_get_by_index(1)?,
                    row.try_get_by_index(2)?,
                    row.try_get_by_index(3)?,
                ],
            );
        }
    }
    asset_nodes(raw, &mut items, |id| {
        let [views, downloads, downloaders] = stats.get(id).copied().unwrap_or_default();
        Some(json!({"views": views, "downloads": downloads, "downloaders": downloaders}))
    })
    .await?;
    Ok(json!({"monthlyReport": {"downloads": {"topAssets": edges(head, items)}}}))
}
