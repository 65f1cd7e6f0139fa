//! Plain SQL over the raw `events` table, one text per backend where they differ (JSON
//! field access). Every text is a constant of this module; values are bound parameters.
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, Value};

/// Raw-event queries of one environment: `$1` is always its id.
pub struct Raw<'a, C> {
    pub db: &'a C,
    pub env: i64,
    pg: bool,
}

impl<'a, C: ConnectionTrait> Raw<'a, C> {
    pub fn new(db: &'a C, env: i64) -> Self {
        Raw {
            db,
            env,
            pg: db.get_database_backend() == DbBackend::Postgres,
        }
    }

    /// The text of a top-level field of an event's payload (`field` is a constant).
    pub fn text(&self, field: &str) -> String {
        if self.pg {
            format!("(e.payload->>'{field}')")
        } else {
            format!("json_extract(e.payload, '$.{field}')")
        }
    }

    /// True when a boolean field of the payload is present and true.
    pub fn truthy(&self, field: &str) -> String {
        if self.pg {
            format!("(COALESCE(e.payload->>'{field}', 'false') = 'true')")
        } else {
            format!("(COALESCE(json_extract(e.payload, '$.{field}'), 0) = 1)")
        }
    }

    /// A FROM item of the elements `f.value` of an array field of the payload, and the
    /// text of a field of such an element.
    pub fn each(&self, field: &str) -> String {
        if self.pg {
            format!("CROSS JOIN LATERAL json_array_elements(e.payload->'{field}') AS f(value)")
        } else {
            format!("CROSS JOIN json_each(e.payload, '$.{field}') AS f")
        }
    }

    pub fn element_text(&self, field: &str) -> String {
        if self.pg {
            format!("(f.value->>'{field}')")
        } else {
            format!("json_extract(f.value, '$.{field}')")
        }
    }

    /// Runs `sql` written with `$n` placeholders (`$1` the environment), `values` being
    /// `$2…`.
    pub async fn rows(&self, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>, DbErr> {
        let mut all = vec![Value::from(self.env)];
        all.extend(values);
        let (backend, sql) = if self.pg {
            (DbBackend::Postgres, sql.to_owned())
        } else {
            // SQLite numbers parameters as ?1, ?2…
            (DbBackend::Sqlite, sqlite_placeholders(sql))
        };
        self.db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, all))
            .await
    }
}

/// `$n` placeholders as SQLite's `?n`, leaving JSON paths such as `'$.query'` alone.
fn sqlite_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_numbered_question_marks_and_paths_stay() {
        assert_eq!(
            super::sqlite_placeholders("json_extract(p, '$.q') = $2 AND id = $1"),
            "json_extract(p, '$.q') = ?2 AND id = ?1"
        );
    }
}
