//! Content health from raw events: the assets nobody used over the 90 days ending with
//! `until`, and the month's rising assets (PRODUCT.md, "Content health"). The asset
//! catalog gives what the events do not: folder, type, filename, upload time, and the
//! assets a sync brought without an upload event.
use super::baseline::{Ranked, catalog, edges};
use super::queries::Scenario;
use super::raw::Raw;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value as DbValue};
use serde_json::{Map, Value, json};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

/// The distinct asset ids of the events matching `condition` (`$2…`: `days`). Ingest
/// keeps an event's `assetId` in its `asset_id` column, out of the payload.
async fn asset_ids<C: ConnectionTrait>(
    raw: &Raw<'_, C>,
    condition: &str,
    days: &[NaiveDate],
) -> Result<HashSet<String>, DbErr> {
    let sql = format!(
        "SELECT DISTINCT e.asset_id FROM events e WHERE e.environment_id = $1 AND {condition}"
    );
    let mut out = HashSet::new();
    for row in raw
        .rows(&sql, days.iter().map(|d| DbValue::from(*d)).collect())
        .await?
    {
        if let Some(id) = row.try_get_by_index::<Option<String>>(0)? {
            out.insert(id);
        }
    }
    Ok(out)
}

/// An unused asset's catalog row.
struct Unused {
    id: String,
    uploaded_at: Option<DateTime<Utc>>,
    filename: Option<String>,
    folder: Option<String>,
    asset_type: Option<String>,
}

/// `[{value count}]` most first, then by value, the assets without one last.
fn breakdown(values: impl Iterator<Item = Option<String>>) -> Value {
    let mut counts: BTreeMap<Option<String>, i64> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let mut groups: Vec<(Option<String>, i64)> = counts.into_iter().collect();
    groups.sort_by(|a, b| {
        b.1.cmp(&a.1).then_with(|| match (&a.0, &b.0) {
            (Some(x), Some(y)) => x.cmp(y),
            (x, y) => x.is_none().cmp(&y.is_none()),
        })
    });
    Value::Array(
        groups
            .into_iter()
            .map(|(value, count)| json!({"value": value, "count": count}))
            .collect(),
    )
}

pub async fn unused<C: ConnectionTrait>(raw: &Raw<'_, C>, s: &Scenario) -> Result<Value, DbErr> {
    let (from, to) = s.days(90);
    let uploaded = "e.event_type = 'asset.uploaded'";
    let removed = "e.event_type IN ('asset.archived', 'asset.deleted')";
    let uploaded_ever = asset_ids(raw, uploaded, &[]).await?;
    let uploaded_before =
        asset_ids(raw, &format!("{uploaded} AND e.local_day < $2"), &[from]).await?;
    let removed_ever = asset_ids(raw, removed, &[]).await?;
    let removed_by_end = asset_ids(raw, &format!("{removed} AND e.local_day <= $2"), &[to]).await?;
    let used = asset_ids(
        raw,
        "e.event_type IN ('asset.viewed', 'asset.downloaded', 'collection.downloaded') \
         AND e.local_day >= $2 AND e.local_day <= $3",
        &[from, to],
    )
    .await?;
    let sql = "SELECT id, uploaded_at, filename, folder, asset_type, placeholder, status \
               FROM assets WHERE environment_id = $1";
    let mut assets = Vec::new();
    for row in raw.rows(sql, vec![]).await? {
        let id: String = row.try_get_by_index(0)?;
        let placeholder: bool = row.try_get_by_index(5)?;
        let status: String = row.try_get_by_index(6)?;
        // Existed when the range began: uploaded before its first day, or synced (a
        // catalog row of no upload event, not a placeholder of other events).
        let existed = if uploaded_ever.contains(&id) {
            uploaded_before.contains(&id)
        } else {
            !placeholder
        };
        // Archived or deleted up to its last day; a synced status holds throughout.
        let gone = if removed_ever.contains(&id) {
            removed_by_end.contains(&id)
        } else {
            status != "ACTIVE"
        };
        if existed && !gone && !used.contains(&id) {
            assets.push(Unused {
                uploaded_at: row.try_get_by_index(1)?,
                filename: row.try_get_by_index(2)?,
                folder: row.try_get_by_index(3)?,
                asset_type: row.try_get_by_index(4)?,
                id,
            });
        }
    }
    assets.sort_by(|a, b| (a.uploaded_at, &a.id).cmp(&(b.uploaded_at, &b.id)));
    let first: Vec<Value> = assets
        .iter()
        .take(10)
        .map(|a| {
            json!({"node": {"assetId": a.id, "filename": a.filename, "folder": a.folder, "assetType": a.asset_type}})
        })
        .collect();
    Ok(json!({"unusedAssets": {
        "range": {"from": from.to_string(), "to": to.to_string()},
        "count": assets.len(),
        "assets": {"totalCount": assets.len(), "edges": first},
        "byFolder": breakdown(assets.iter().map(|a| a.folder.clone())),
        "byAssetType": breakdown(assets.iter().map(|a| a.asset_type.clone())),
    }}))
}

/// Downloads a rising asset has at least in its month.
const RISING_MIN: i64 = 10;

pub async fn rising<C: ConnectionTrait>(raw: &Raw<'_, C>, s: &Scenario) -> Result<Value, DbErr> {
    let month = s.month();
    let before: Vec<String> = month
        .previous()
        .ending(3)
        .iter()
        .map(ToString::to_string)
        .collect();
    let sql = format!(
        "SELECT e.asset_id, COUNT(CASE WHEN e.local_month = $2 THEN 1 END), \
         COUNT(CASE WHEN e.local_month < $2 THEN 1 END) FROM events e \
         WHERE e.environment_id = $1 AND e.event_type = 'asset.downloaded' AND NOT {bulk} \
         AND e.local_month >= $3 AND e.local_month <= $2 GROUP BY 1",
        bulk = raw.truthy("bulk"),
    );
    let values = vec![
        DbValue::from(month.to_string()),
        DbValue::from(before[0].clone()),
    ];
    // (asset, downloads in the month, downloads in the 3 months before).
    let mut rising: Vec<(String, i64, i64)> = Vec::new();
    for row in raw.rows(&sql, values).await? {
        let (id, n, b): (Option<String>, i64, i64) = (
            row.try_get_by_index(0)?,
            row.try_get_by_index(1)?,
            row.try_get_by_index(2)?,
        );
        // At least 3 times the 3 months' average is at least their sum.
        if let Some(id) = id
            && n >= RISING_MIN
            && n >= b
        {
            rising.push((id, n, b));
        }
    }
    // None before first, then ratio n/b descending (n1*b2 vs n2*b1), downloads, id.
    rising.sort_by(|(i1, n1, b1), (i2, n2, b2)| {
        let by_ratio = match (*b1 == 0, *b2 == 0) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => (n2 * b1).cmp(&(n1 * b2)),
        };
        by_ratio.then(n2.cmp(n1)).then(i1.cmp(i2))
    });
    let sum: i64 = rising.iter().map(|r| r.1).sum();
    let items: Vec<Ranked> = rising
        .iter()
        .map(|(id, n, b)| {
            let average = *b as f64 / 3.0;
            Ranked {
                count: *n,
                key: (id.clone(), String::new()),
                edge: Map::from_iter([
                    ("downloads".to_owned(), json!(n)),
                    ("threeMonthAverage".to_owned(), json!(average)),
                    (
                        "ratio".to_owned(),
                        json!((*b > 0).then(|| *n as f64 / average)),
                    ),
                ]),
            }
        })
        .collect();
    let total = items.len();
    let mut items: Vec<Ranked> = items.into_iter().take(10).collect();
    let ids: Vec<String> = items.iter().map(|i| i.key.0.clone()).collect();
    let names = catalog(raw, "assets", &["filename"], &ids).await?;
    for item in &mut items {
        let filename = names.get(&item.key.0).and_then(|f| f[0].clone());
        item.edge.insert(
            "node".into(),
            json!({"assetId": item.key.0, "filename": filename}),
        );
    }
    Ok(json!({"risingAssets": edges(json!({"totalCount": total, "countSum": sum}), items)}))
}
