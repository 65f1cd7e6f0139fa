//! The monthly report from raw events: per-month counts over the trend's 12 months and
//! grouped counts of the listed month for every top list.
use super::baseline::{Ranked, catalog, edges, metric_value, text_count, top_list, user_node};
use super::queries::Scenario;
use super::raw::Raw;
use crate::analytics::rollups::normalise;
use crate::analytics::time::YearMonth;
use sea_orm::{ConnectionTrait, DbErr, Value as DbValue};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

/// A row (asset, downloads, distinct downloaders) as a ranked downloaded asset.
pub(super) fn downloaded_asset(row: &sea_orm::QueryResult) -> Result<Ranked, DbErr> {
    let (asset, n, users): (String, i64, i64) = (
        row.try_get_by_index(0)?,
        row.try_get_by_index(1)?,
        row.try_get_by_index(2)?,
    );
    Ok(Ranked {
        count: n,
        key: (asset, String::new()),
        edge: Map::from_iter([
            ("downloads".to_owned(), json!(n)),
            ("users".to_owned(), json!(users)),
        ]),
    })
}

const TOP: usize = 10;
const UPLOADED: &str = "e.event_type = 'asset.uploaded'";
pub(super) const SEARCHED: &str = "e.event_type = 'search.performed'";
const ACTIVE: &str = "e.event_type IN ('search.performed', 'asset.downloaded', 'asset.uploaded') AND e.user_id IS NOT NULL";

pub(super) struct Month<'r, 'a, C> {
    pub(super) raw: &'r Raw<'a, C>,
    pub(super) month: YearMonth,
    pub(super) months: Vec<String>,
}

impl<C: ConnectionTrait> Month<'_, '_, C> {
    fn non_bulk(&self) -> String {
        format!(
            "e.event_type = 'asset.downloaded' AND NOT {}",
            self.raw.truthy("bulk")
        )
    }

    fn public_view(&self) -> String {
        format!(
            "e.event_type = 'collection.viewed' AND {}",
            self.raw.truthy("viaPublicLink")
        )
    }

    /// `aggregate` per month of the trend over the events matching `condition`.
    pub(super) async fn per_month(
        &self,
        aggregate: &str,
        condition: &str,
    ) -> Result<Vec<i64>, DbErr> {
        let sql = format!(
            "SELECT e.local_month, {aggregate} FROM events e WHERE e.environment_id = $1 \
             AND e.local_month >= $2 AND e.local_month <= $3 AND {condition} GROUP BY e.local_month"
        );
        let values = vec![
            DbValue::from(self.months[0].clone()),
            DbValue::from(self.months[self.months.len() - 1].clone()),
        ];
        let mut found = HashMap::new();
        for row in self.raw.rows(&sql, values).await? {
            let month: String = row.try_get_by_index(0)?;
            found.insert(month, row.try_get_by_index::<i64>(1)?);
        }
        Ok(self
            .months
            .iter()
            .map(|m| found.get(m).copied().unwrap_or(0))
            .collect())
    }

    pub(super) fn trend(&self, values: &[i64]) -> Value {
        Value::Array(
            self.months
                .iter()
                .zip(values)
                .map(|(month, value)| json!({"month": month, "value": value}))
                .collect(),
        )
    }

    /// The listed month's events matching `condition`, grouped by `keys` (SQL
    /// expressions), with `aggregates` after them.
    pub(super) async fn grouped(
        &self,
        keys: &[&str],
        aggregates: &str,
        from: &str,
        condition: &str,
    ) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        let positions = (1..=keys.len())
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {}, {aggregates} FROM events e {from} WHERE e.environment_id = $1 \
             AND e.local_month = $2 AND {condition} GROUP BY {positions}",
            keys.join(", ")
        );
        self.raw
            .rows(&sql, vec![DbValue::from(self.month.to_string())])
            .await
    }

    /// Counts per non-null text key.
    async fn counts(&self, key: &str, condition: &str) -> Result<Vec<(String, i64)>, DbErr> {
        let mut out = Vec::new();
        for row in self.grouped(&[key], "COUNT(*)", "", condition).await? {
            if let (Some(k), n) = text_count(&row)? {
                out.push((k, n));
            }
        }
        Ok(out)
    }

    /// A normalised-text top list: count and distinct users per normalised `field` of
    /// searches of `kind`.
    async fn text_queries(&self, field: &str, kind: &str, users: bool) -> Result<Value, DbErr> {
        let condition = format!("{SEARCHED} AND {} = '{kind}'", self.raw.text("kind"));
        let text = self.raw.text(field);
        let merged = merge_by_normalised(
            self.grouped(&[&text, "e.user_id"], "COUNT(*)", "", &condition)
                .await?,
        )?;
        let items = merged
            .into_iter()
            .map(|(q, (count, who))| {
                let mut node = Map::new();
                node.insert(field.into(), json!(q));
                node.insert("count".into(), json!(count));
                if users {
                    node.insert("users".into(), json!(who.len()));
                }
                Ranked {
                    count,
                    key: (q, String::new()),
                    edge: Map::from_iter([("node".to_owned(), Value::Object(node))]),
                }
            })
            .collect();
        let (head, items) = top_list(items, TOP);
        Ok(edges(head, items))
    }
}

fn keyed(
    counts: Vec<(String, i64)>,
    edge: impl Fn(&str, i64) -> Map<String, Value>,
) -> Vec<Ranked> {
    counts
        .into_iter()
        .map(|(k, n)| Ranked {
            count: n,
            edge: edge(&k, n),
            key: (k, String::new()),
        })
        .collect()
}

pub(super) fn month_of<'r, 'a, C>(raw: &'r Raw<'a, C>, s: &Scenario) -> Month<'r, 'a, C> {
    let month = s.month();
    Month {
        raw,
        month,
        months: month.ending(12).iter().map(ToString::to_string).collect(),
    }
}

/// `{month summary}`, and the per-month values of activeUsers, uploads, searches,
/// downloads and collectionsViewed.
async fn summary<C: ConnectionTrait>(
    m: &Month<'_, '_, C>,
) -> Result<(Value, [Vec<i64>; 5]), DbErr> {
    let active = m.per_month("COUNT(DISTINCT e.user_id)", ACTIVE).await?;
    let uploads = m.per_month("COUNT(*)", UPLOADED).await?;
    let searches = m.per_month("COUNT(*)", SEARCHED).await?;
    let downloads = m.per_month("COUNT(*)", &m.non_bulk()).await?;
    let views = m.per_month("COUNT(*)", &m.public_view()).await?;
    let mv = |v: &[i64]| metric_value(v[11], v[10]);
    let summary = json!({
        "activeUsers": mv(&active),
        "uploads": mv(&uploads),
        "searches": mv(&searches),
        "downloads": mv(&downloads),
        "collectionsViewed": mv(&views),
    });
    Ok((summary, [active, uploads, searches, downloads, views]))
}

pub async fn summary_only<C: ConnectionTrait>(
    raw: &Raw<'_, C>,
    s: &Scenario,
) -> Result<Value, DbErr> {
    let m = month_of(raw, s);
    let (summary, _) = summary(&m).await?;
    Ok(json!({"monthlyReport": {"month": m.month.to_string(), "summary": summary}}))
}

pub async fn full<C: ConnectionTrait>(raw: &Raw<'_, C>, s: &Scenario) -> Result<Value, DbErr> {
    let m = month_of(raw, s);
    let (summary, [active, _, searches, downloads, views]) = summary(&m).await?;
    Ok(json!({"monthlyReport": {
        "month": m.month.to_string(),
        "summary": summary,
        "engagement": {
            "topUsers": top_users(&m).await?,
            "activeUsersTrend": m.trend(&active),
            "activeSessionsTrend": m.trend(&m.per_month(
                "COUNT(DISTINCT e.session_id)",
                "e.user_id IS NOT NULL AND e.session_id IS NOT NULL").await?),
        },
        "search": search(&m, &searches).await?,
        "downloads": {
            "topAssets": top_assets(&m).await?,
            "uniqueAssetsDownloadedTrend": m.trend(&m.per_month("COUNT(DISTINCT e.asset_id)", &m.non_bulk()).await?),
            "downloadsTrend": m.trend(&downloads),
            "usersWhoDownloadedTrend": m.trend(&m.per_month("COUNT(DISTINCT e.user_id)", &m.non_bulk()).await?),
        },
        "collections": collections(&m, &views).await?,
    }}))
}

async fn top_users<C: ConnectionTrait>(m: &Month<'_, '_, C>) -> Result<Value, DbErr> {
    let mut per_user: HashMap<String, [i64; 3]> = HashMap::new();
    for row in m
        .grouped(&["e.user_id", "e.event_type"], "COUNT(*)", "", ACTIVE)
        .await?
    {
        let (user, kind, n): (String, String, i64) = (
            row.try_get_by_index(0)?,
            row.try_get_by_index(1)?,
            row.try_get_by_index(2)?,
        );
        let slot = match kind.as_str() {
            "search.performed" => 0,
            "asset.downloaded" => 1,
            _ => 2,
        };
        per_user.entry(user).or_default()[slot] += n;
    }
    let items = per_user
        .into_iter()
        .map(|(user, [s, d, u])| Ranked {
            count: s + d + u,
            edge: Map::from_iter([
                ("total".to_owned(), json!(s + d + u)),
                ("searches".to_owned(), json!(s)),
                ("downloads".to_owned(), json!(d)),
                ("uploads".to_owned(), json!(u)),
            ]),
            key: (user, String::new()),
        })
        .collect();
    let (head, mut items) = top_list(items, TOP);
    let ids: Vec<String> = items.iter().map(|i| i.key.0.clone()).collect();
    let users = catalog(m.raw, "users", &["name", "role"], &ids).await?;
    for item in &mut items {
        let node = user_node(&users, &item.key.0, &["name", "role"]);
        item.edge.insert("node".into(), node);
    }
    Ok(edges(head, items))
}

async fn search<C: ConnectionTrait>(
    m: &Month<'_, '_, C>,
    searches: &[i64],
) -> Result<Value, DbErr> {
    let raw = m.raw;
    let mut filters = Vec::new();
    let (field, value) = (raw.element_text("field"), raw.element_text("value"));
    for row in m
        .grouped(
            &[&field, &value],
            "COUNT(*)",
            &raw.each("filters"),
            SEARCHED,
        )
        .await?
    {
        if let (Some(f), Some(v), n) = (
            row.try_get_by_index::<Option<String>>(0)?,
            row.try_get_by_index::<Option<String>>(1)?,
            row.try_get_by_index::<i64>(2)?,
        ) {
            let node = json!({"field": f, "value": v, "count": n});
            filters.push(Ranked {
                count: n,
                key: (f, v),
                edge: Map::from_iter([("node".to_owned(), node)]),
            });
        }
    }
    let (head, items) = top_list(filters, TOP);
    let top_filters = edges(head, items);

    let expression_condition = format!("{SEARCHED} AND {} = 'EXPRESSION'", raw.text("kind"));
    let mut merged: HashMap<String, i64> = HashMap::new();
    for (x, n) in m
        .counts(&raw.text("expression"), &expression_condition)
        .await?
    {
        let x = normalise(&x);
        if !x.is_empty() {
            *merged.entry(x).or_default() += n;
        }
    }
    let expressions = keyed(merged.into_iter().collect(), |x, n| {
        Map::from_iter([("node".to_owned(), json!({"expression": x, "count": n}))])
    });
    let (head, items) = top_list(expressions, TOP);
    let top_expressions = edges(head, items);

    let reference_condition = format!("{SEARCHED} AND {} = 'VISUAL_SIMILARITY'", raw.text("kind"));
    let references = keyed(
        m.counts(&raw.text("referenceAssetId"), &reference_condition)
            .await?,
        |_, n| Map::from_iter([("searches".to_owned(), json!(n))]),
    );
    let (head, mut items) = top_list(references, TOP);
    let ids: Vec<String> = items.iter().map(|i| i.key.0.clone()).collect();
    let assets = catalog(raw, "assets", &["filename"], &ids).await?;
    for item in &mut items {
        let filename = assets.get(&item.key.0).and_then(|f| f[0].clone());
        item.edge.insert(
            "node".into(),
            json!({"assetId": item.key.0, "filename": filename}),
        );
    }
    let top_references = edges(head, items);

    Ok(json!({
        "topQueries": m.text_queries("query", "TEXT", true).await?,
        "topFilterValues": top_filters,
        "topExpressions": top_expressions,
        "searchesTrend": m.trend(searches),
        "usersWhoSearchedTrend": m.trend(&m.per_month("COUNT(DISTINCT e.user_id)", SEARCHED).await?),
        "visual": {
            "topReferenceImages": top_references,
            "topTextQueries": m.text_queries("query", "VISUAL_TEXT", true).await?,
        },
    }))
}

async fn top_assets<C: ConnectionTrait>(m: &Month<'_, '_, C>) -> Result<Value, DbErr> {
    let condition = format!("{} AND e.asset_id IS NOT NULL", m.non_bulk());
    let mut items = Vec::new();
    for row in m
        .grouped(
            &["e.asset_id"],
            "COUNT(*), COUNT(DISTINCT e.user_id)",
            "",
            &condition,
        )
        .await?
    {
        items.push(downloaded_asset(&row)?);
    }
    let (head, mut items) = top_list(items, TOP);
    asset_nodes(m.raw, &mut items, |_| None).await?;
    Ok(edges(head, items))
}

/// Sets each item's `node` to `{assetId filename uploader {userId name}}` plus `extra`.
pub async fn asset_nodes<C: ConnectionTrait>(
    raw: &Raw<'_, C>,
    items: &mut [Ranked],
    extra: impl Fn(&str) -> Option<Value>,
) -> Result<(), DbErr> {
    let ids: Vec<String> = items.iter().map(|i| i.key.0.clone()).collect();
    let assets = catalog(raw, "assets", &["filename", "uploaded_by"], &ids).await?;
    let uploaders: Vec<String> = assets.values().filter_map(|a| a[1].clone()).collect();
    let users = catalog(raw, "users", &["name"], &uploaders).await?;
    for item in items {
        let asset = assets.get(&item.key.0);
        let filename = asset.and_then(|a| a[0].clone());
        let uploader = asset
            .and_then(|a| a[1].as_deref())
            .map_or(Value::Null, |u| user_node(&users, u, &["name"]));
        let mut node = json!({"assetId": item.key.0, "filename": filename, "uploader": uploader});
        if let Some(stats) = extra(&item.key.0) {
            node["stats"] = stats;
        }
        item.edge.insert("node".into(), node);
    }
    Ok(())
}

async fn collections<C: ConnectionTrait>(
    m: &Month<'_, '_, C>,
    views: &[i64],
) -> Result<Value, DbErr> {
    let named = |counts: Vec<(String, i64)>, field: &'static str| {
        keyed(counts, move |_, n| {
            Map::from_iter([(field.to_owned(), json!(n))])
        })
    };
    let viewed = named(
        m.counts("e.collection_id", &m.public_view()).await?,
        "views",
    );
    let downloaded_condition = "e.event_type = 'collection.downloaded'";
    let downloaded = named(
        m.counts("e.collection_id", downloaded_condition).await?,
        "downloads",
    );
    let created = "e.event_type = 'collection.created'";
    let creators = named(m.counts("e.user_id", created).await?, "collectionsCreated");

    let mut lists = Vec::new();
    for list in [viewed, downloaded] {
        let (head, mut items) = top_list(list, TOP);
        let ids: Vec<String> = items.iter().map(|i| i.key.0.clone()).collect();
        let names = catalog(m.raw, "collections", &["name"], &ids).await?;
        for item in &mut items {
            let name = names.get(&item.key.0).and_then(|n| n[0].clone());
            item.edge.insert(
                "node".into(),
                json!({"collectionId": item.key.0, "name": name}),
            );
        }
        lists.push(edges(head, items));
    }
    let (head, mut items) = top_list(creators, TOP);
    let ids: Vec<String> = items.iter().map(|i| i.key.0.clone()).collect();
    let users = catalog(m.raw, "users", &["name"], &ids).await?;
    for item in &mut items {
        let node = user_node(&users, &item.key.0, &["name"]);
        item.edge.insert("node".into(), node);
    }
    let top_creators = edges(head, items);

    let variant = m.raw.text("variant");
    let sql = format!(
        "SELECT e.local_month, {variant}, COUNT(*) FROM events e WHERE e.environment_id = $1 \
         AND e.local_month >= $2 AND e.local_month <= $3 AND {downloaded_condition} GROUP BY 1, 2"
    );
    let mut per: HashMap<(String, String), i64> = HashMap::new();
    let values = vec![
        DbValue::from(m.months[0].clone()),
        DbValue::from(m.months[11].clone()),
    ];
    for row in m.raw.rows(&sql, values).await? {
        if let (month, Some(v), n) = (
            row.try_get_by_index::<String>(0)?,
            row.try_get_by_index::<Option<String>>(1)?,
            row.try_get_by_index::<i64>(2)?,
        ) {
            per.insert((month, v), n);
        }
    }
    let downloads_trend: Vec<Value> = m
        .months
        .iter()
        .map(|month| {
            let get = |v: &str| {
                per.get(&(month.clone(), v.to_owned()))
                    .copied()
                    .unwrap_or(0)
            };
            let (o, t) = (get("ORIGINAL"), get("TRANSFORMED"));
            json!({"month": month, "original": o, "transformed": t, "total": o + t})
        })
        .collect();
    let [top_viewed, top_downloaded] = <[Value; 2]>::try_from(lists).unwrap_or_default();
    Ok(json!({
        "topViewed": top_viewed,
        "topDownloaded": top_downloaded,
        "viewsTrend": m.trend(views),
        "downloadsTrend": downloads_trend,
        "topCreators": top_creators,
        "collectionsCreatedTrend": m.trend(&m.per_month("COUNT(*)", created).await?),
    }))
}

/// Rows of (text, user id, count) merged by the text as the rollups normalise it: each
/// normalised text's count and its distinct users; empty texts left out.
pub(super) fn merge_by_normalised(
    rows: Vec<sea_orm::QueryResult>,
) -> Result<HashMap<String, (i64, HashSet<String>)>, DbErr> {
    let mut merged: HashMap<String, (i64, HashSet<String>)> = HashMap::new();
    for row in rows {
        let (Some(q), user, n) = (
            row.try_get_by_index::<Option<String>>(0)?,
            row.try_get_by_index::<Option<String>>(1)?,
            row.try_get_by_index::<i64>(2)?,
        ) else {
            continue;
        };
        let q = normalise(&q);
        if q.is_empty() {
            continue;
        }
        let entry = merged.entry(q).or_default();
        entry.0 += n;
        entry.1.extend(user);
    }
    Ok(merged)
}
