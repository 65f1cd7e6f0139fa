//! The storage figure: the database's size per stored event, measured after the writes
//! are settled (SQLite: the write-ahead log checkpointed into the database file;
//! PostgreSQL: `VACUUM ANALYZE`, which also refreshes the planner's statistics).
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// The database's size in bytes and the events it holds.
pub struct Footprint {
    pub bytes: i64,
    pub events: i64,
    /// What settled the database before it was measured.
    pub settled_by: &'static str,
}

impl Footprint {
    pub fn per_event(&self) -> f64 {
        self.bytes as f64 / self.events.max(1) as f64
    }
}

async fn number(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row from {sql}"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// Settles the database and measures it. On PostgreSQL this is also what the planner's
/// statistics come from after the bulk load (as autovacuum's analyze would give them on
/// a default installation; this machine's server runs with `autovacuum = off`).
pub async fn measure(db: &DatabaseConnection) -> anyhow::Result<Footprint> {
    let (bytes, settled_by) = if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("VACUUM ANALYZE").await?;
        // VACUUM dirties every page it visits; the timed queries should not share the
        // disk with their flush. CHECKPOINT needs a superuser or `pg_checkpoint`; without
        // either the flush is left to the server's own checkpoints.
        let _ = db.execute_unprepared("CHECKPOINT").await;
        let bytes = number(db, "SELECT pg_database_size(current_database())").await?;
        (bytes, "VACUUM ANALYZE, CHECKPOINT, pg_database_size")
    } else {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
        let pages = number(db, "PRAGMA page_count").await?;
        let bytes = pages * number(db, "PRAGMA page_size").await?;
        (
            bytes,
            "PRAGMA wal_checkpoint(TRUNCATE), page_count x page_size",
        )
    };
    let events = number(db, "SELECT COUNT(*) FROM events").await?;
    Ok(Footprint {
        bytes,
        events,
        settled_by,
    })
}
