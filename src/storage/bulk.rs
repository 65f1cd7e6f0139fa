//! Bulk writes of the ingest path: any number of rows in one statement whose text never
//! changes, the rows travelling as one JSON array parameter (`json_each` on SQLite,
//! `json_array_elements` on PostgreSQL). One prepared statement serves every batch, where
//! a multi-row VALUES list would be a new statement (and a new cached plan) for each row
//! count, and building it row by row costs more than the write on the ingest path.
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, Value};
use serde_json::Value as Json;

/// Rows sent per statement: bounds the JSON parameter to a few megabytes.
const ROWS_PER_STATEMENT: usize = 5_000;

/// One column of a bulk insert: its name and PostgreSQL type (SQLite stores the text).
pub struct Column(pub &'static str, pub &'static str);

/// `INSERT INTO table (environment_id, columns…) SELECT … FROM <the JSON rows> [tail]`:
/// each element of the JSON array is one row, an array of the columns' values in order
/// (JSON null for SQL NULL).
fn insert_sql(backend: DbBackend, table: &str, columns: &[Column], tail: &str) -> String {
    let names = columns
        .iter()
        .map(|c| format!("\"{}\"", c.0))
        .collect::<Vec<_>>()
        .join(", ");
    let (values, from, env) = match backend {
        DbBackend::Postgres => (
            columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("(r->>{i})::{}", c.1))
                .collect::<Vec<_>>()
                .join(", "),
            "json_array_elements($2::json) AS r",
            "$1",
        ),
        // `WHERE true` lets SQLite's parser tell the upsert clause from a join.
        _ => (
            (0..columns.len())
                .map(|i| format!("value->>{i}"))
                .collect::<Vec<_>>()
                .join(", "),
            "json_each(?2) WHERE true",
            "?1",
        ),
    };
    format!(
        "INSERT INTO {table} (environment_id, {names}) SELECT {env}, {values} FROM {from} {tail}"
    )
}

/// Inserts `rows` (each the columns' values in order) into `table` for one environment;
/// `tail` follows the SELECT (an ON CONFLICT clause, RETURNING…). Returns what the
/// statements returned.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    table: &str,
    columns: &[Column],
    tail: &str,
    environment_id: i64,
    rows: Vec<Json>,
) -> Result<Vec<QueryResult>, DbErr> {
    let backend = db.get_database_backend();
    let sql = insert_sql(backend, table, columns, tail);
    let returns = tail.contains("RETURNING");
    let mut returned = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Json> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        let values: [Value; 2] = [environment_id.into(), Json::Array(chunk).to_string().into()];
        let statement = Statement::from_sql_and_values(backend, &sql, values);
        if returns {
            returned.extend(db.query_all_raw(statement).await?);
        } else {
            db.execute_raw(statement).await?;
        }
    }
    Ok(returned)
}

/// Which of `ids` the environment's `table` already holds (by its `id` column).
pub async fn existing_ids<C: ConnectionTrait>(
    db: &C,
    table: &str,
    environment_id: i64,
    ids: &[&str],
) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT id FROM {table} WHERE environment_id = $1 AND id IN (SELECT json_array_elements_text($2::json))"
        ),
        _ => format!(
            "SELECT id FROM {table} WHERE environment_id = ?1 AND id IN (SELECT value FROM json_each(?2))"
        ),
    };
    let mut found = Vec::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let values: [Value; 2] = [
            environment_id.into(),
            serde_json::to_string(chunk)
                .expect("a list of strings serialises")
                .into(),
        ];
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(backend, &sql, values))
            .await?;
        for row in rows {
            found.push(row.try_get::<String>("", "id")?);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[Column("a", "text"), Column("n", "bigint")];

    #[test]
    fn one_statement_text_for_any_row_count() {
        assert_eq!(
            insert_sql(DbBackend::Sqlite, "t", COLUMNS, ""),
            "INSERT INTO t (environment_id, \"a\", \"n\") SELECT ?1, value->>0, value->>1 FROM json_each(?2) WHERE true "
        );
        assert_eq!(
            insert_sql(DbBackend::Postgres, "t", COLUMNS, "ON CONFLICT DO NOTHING"),
            "INSERT INTO t (environment_id, \"a\", \"n\") SELECT $1, (r->>0)::text, (r->>1)::bigint FROM json_array_elements($2::json) AS r ON CONFLICT DO NOTHING"
        );
    }
}
