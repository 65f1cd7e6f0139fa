//! The raw-event baseline: each benchmarked query's answer computed from the `events`
//! table with plain SQL aggregations (plus the catalog tables for names), shaped like the
//! served `data`. Only small grouped results are finished in Rust (merging queries that
//! normalise alike, ranking).
use super::queries::{BenchQuery, Scenario};
use super::raw::Raw;
use super::{baseline_health, baseline_monthly, baseline_range, baseline_search};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value as DbValue};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The answer (`data`) that `query` must give for environment `env`, from raw events.
pub async fn baseline<C: ConnectionTrait>(
    db: &C,
    env: i64,
    scenario: &Scenario,
    query: BenchQuery,
) -> Result<Value, DbErr> {
    let raw = Raw::new(db, env);
    match query {
        BenchQuery::MonthlyReport => baseline_monthly::full(&raw, scenario).await,
        BenchQuery::Summary => baseline_monthly::summary_only(&raw, scenario).await,
        BenchQuery::Insights90 => baseline_range::insights(&raw, scenario).await,
        BenchQuery::Series365 => baseline_range::series(&raw, scenario).await,
        BenchQuery::TopAssets100 => baseline_range::top_assets(&raw, scenario).await,
        BenchQuery::SearchEffectiveness => baseline_search::effectiveness(&raw, scenario).await,
        BenchQuery::UnusedAssets90 => baseline_health::unused(&raw, scenario).await,
        BenchQuery::RisingAssets => baseline_health::rising(&raw, scenario).await,
    }
}

/// `{current previous change changePercent}`.
pub fn metric_value(current: i64, previous: i64) -> Value {
    let change = current - previous;
    json!({
        "current": current,
        "previous": previous,
        "change": change,
        "changePercent": (previous != 0).then(|| change as f64 / previous as f64 * 100.0),
    })
}

/// One item of a top list: its count, its ranking key (ties go by key ascending) and the
/// rest of its edge.
pub struct Ranked {
    pub count: i64,
    pub key: (String, String),
    pub edge: Map<String, Value>,
}

/// `{totalCount edges}` of the first `first` items, ordered as every top list is.
pub fn top_list(mut items: Vec<Ranked>, first: usize) -> (Value, Vec<Ranked>) {
    items.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    let total = items.len();
    items.truncate(first);
    (json!({ "totalCount": total }), items)
}

/// Finishes a top list: `make` turns each kept item into its edge.
pub fn edges(mut head: Value, items: Vec<Ranked>) -> Value {
    let edges: Vec<Value> = items.into_iter().map(|i| Value::Object(i.edge)).collect();
    head["edges"] = Value::Array(edges);
    head
}

/// `$from, $from+1, …`: placeholders for `n` bound values.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of a catalog table by id: `columns` (after `id`) of `table`, keyed by id.
pub async fn catalog<C: ConnectionTrait>(
    raw: &Raw<'_, C>,
    table: &str,
    columns: &[&str],
    ids: &[String],
) -> Result<HashMap<String, Vec<Option<String>>>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, {} FROM {table} WHERE environment_id = $1 AND id IN ({})",
        columns.join(", "),
        placeholders(2, ids.len())
    );
    let values = ids.iter().map(|id| DbValue::from(id.clone())).collect();
    let mut out = HashMap::new();
    for row in raw.rows(&sql, values).await? {
        let id: String = row.try_get_by_index(0)?;
        let mut fields = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            fields.push(row.try_get_by_index::<Option<String>>(i + 1)?);
        }
        out.insert(id, fields);
    }
    Ok(out)
}

/// The user node `{userId name…}` with the named fields, or null when the row is missing.
pub fn user_node(users: &HashMap<String, Vec<Option<String>>>, id: &str, fields: &[&str]) -> Value {
    match users.get(id) {
        None => Value::Null,
        Some(values) => {
            let mut node = Map::new();
            node.insert("userId".into(), json!(id));
            for (name, value) in fields.iter().zip(values) {
                node.insert((*name).into(), json!(value));
            }
            Value::Object(node)
        }
    }
}

/// Reads a `(text, count)` row.
pub fn text_count(row: &QueryResult) -> Result<(Option<String>, i64), DbErr> {
    Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?))
}
