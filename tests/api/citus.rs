//! The Citus layout: every table is distributed by `environment_id` or is a reference
//! table, as README's calls say, and PostgreSQL's catalog shows the invariants Citus
//! needs, so a migration that breaks them fails here.
use crate::helpers::{postgres_url, spawn_app};
use sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeMap;

/// The table → call of README's `create_distributed_table` / `create_reference_table`
/// lines.
fn readme_layout() -> BTreeMap<String, &'static str> {
    let readme = include_str!("../../README.md");
    let mut out = BTreeMap::new();
    for line in readme.lines() {
        for (call, kind) in [
            ("SELECT create_distributed_table('", "distributed"),
            ("SELECT create_reference_table('", "reference"),
        ] {
            if let Some(rest) = line.trim().strip_prefix(call) {
                let table = rest.split('\'').next().unwrap().to_owned();
                assert!(out.insert(table, kind).is_none(), "a table is listed twice");
                if kind == "distributed" {
                    assert!(rest.contains("'environment_id')"), "{line}");
                }
            }
        }
    }
    out
}

async fn rows(app: &crate::helpers::TestApp, sql: &str) -> Vec<(String, String)> {
    let db = &app.db;
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap()
    .into_iter()
    .map(|r| {
        (
            r.try_get_by_index(0).unwrap(),
            r.try_get_by_index(1).unwrap(),
        )
    })
    .collect()
}

#[tokio::test]
async fn every_table_is_laid_out_for_citus_by_environment_id() {
    if postgres_url().is_none() {
        eprintln!(
            "note: the Citus layout test reads PostgreSQL's catalog: skipped on SQLite (set DATABASE_URL to a PostgreSQL server)"
        );
        return;
    }
    let app = spawn_app().await;
    let layout = readme_layout();
    // Every table (sea-orm-migration's own bookkeeping aside) has its call in README.
    let tables = rows(&app, "SELECT tablename::text, 'table' FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'seaql_migrations'").await;
    let names: Vec<String> = tables.into_iter().map(|(t, _)| t).collect();
    let listed: Vec<String> = layout.keys().cloned().collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, listed, "README's Citus calls and the tables differ");
    let distributed = |t: &str| layout.get(t) == Some(&"distributed");

    // Every primary key and unique index of a distributed table starts with environment_id.
    let unique = rows(
        &app,
        "SELECT c.relname::text || '.' || i.relname::text, a.attname::text
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
         WHERE n.nspname = 'public' AND (x.indisunique OR x.indisprimary)",
    )
    .await;
    assert!(!unique.is_empty());
    for (index, first) in &unique {
        let table = index.split('.').next().unwrap();
        if distributed(table) {
            assert_eq!(
                first, "environment_id",
                "{index} must start with environment_id"
            );
        }
    }
    // Every foreign key between distributed tables includes environment_id on both sides.
    let fks = rows(
        &app,
        "SELECT con.conname::text || ':' || src.relname::text || '->' || dst.relname::text,
                (SELECT string_agg(a.attname::text, ',') FROM pg_attribute a
                 WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey))
         FROM pg_constraint con JOIN pg_class src ON src.oid = con.conrelid
         JOIN pg_class dst ON dst.oid = con.confrelid
         JOIN pg_namespace n ON n.oid = src.relnamespace
         WHERE con.contype = 'f' AND n.nspname = 'public'",
    )
    .await;
    assert!(!fks.is_empty());
    for (fk, columns) in &fks {
        let (src, dst) = fk.split_once(':').unwrap().1.split_once("->").unwrap();
        if distributed(src) && distributed(dst) {
            assert!(
                columns.split(',').any(|c| c == "environment_id"),
                "{fk} lacks environment_id: {columns}"
            );
        } else if distributed(src) {
            assert_eq!(
                layout.get(dst),
                Some(&"reference"),
                "{fk}: a distributed table may only reference a reference table"
            );
        }
    }
}
