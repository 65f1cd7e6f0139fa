//! Making activity reports in the background: a tokio task per report reads the events
//! of its range, newest first, and stores the CSV in chunks of 1,000 events. A report
//! left PENDING or RUNNING by a stopped server is made again from the start when the next
//! server starts ([`resume`]), so none stays RUNNING forever.
use crate::analytics::time::day_start;
use crate::csv;
use crate::error::{AppError, AppResult};
use crate::storage::activity::{self, ActivityFilter};
use crate::storage::activity_reports::{self as store, FAILED, READY, RUNNING};
use crate::storage::environments;
use crate::storage::events::After;
use chrono::Days;
use entity::{activity_report, event};
use sea_orm::DatabaseConnection;

/// The columns of an activity report (and of the activity-log CSV export).
pub const COLUMNS: &[&str] = &[
    "occurredAt",
    "day",
    "eventId",
    "type",
    "userId",
    "sessionId",
    "assetId",
    "collectionId",
    "jobId",
    "portalId",
    "fields",
];

/// Events per chunk of a report.
const CHUNK_ROWS: u64 = 1_000;

/// The CSV line of one event.
pub fn event_line(e: &event::Model) -> String {
    let text = |v: &Option<String>| v.as_deref().map(csv::text_cell).unwrap_or_default();
    csv::line([
        e.occurred_at.to_rfc3339(),
        e.local_day.format("%Y-%m-%d").to_string(),
        csv::text_cell(&e.id),
        csv::text_cell(&e.event_type),
        text(&e.user_id),
        text(&e.session_id),
        text(&e.asset_id),
        text(&e.collection_id),
        text(&e.job_id),
        text(&e.portal_id),
        csv::json_cell(&e.payload),
    ])
}

/// Starts making `report` in the background.
pub fn spawn(db: DatabaseConnection, report: activity_report::Model) {
    tokio::spawn(async move {
        let (env, id) = (report.environment_id, report.id);
        let job = crate::telemetry::job_started("activity_report");
        let result = run(&db, &report).await;
        job.finish(result.is_ok());
        if let Err(err) = result {
            tracing::error!(error = ?err, environment = env, report = id, "activity report failed");
            let _ = store::clear_chunks(&db, env, id).await;
            let _ = store::set_status(
                &db,
                env,
                id,
                FAILED,
                None,
                Some("the report could not be made: ask for it again".into()),
            )
            .await;
        }
    });
}

/// Makes a report: RUNNING, the CSV chunk by chunk, then READY with its row count.
pub async fn run(db: &DatabaseConnection, report: &activity_report::Model) -> AppResult<()> {
    let (env_id, id) = (report.environment_id, report.id);
    if !store::set_status(db, env_id, id, RUNNING, None, None).await? {
        return Ok(()); // removed meanwhile (the 30-report cap)
    }
    store::clear_chunks(db, env_id, id).await?;
    let env = environments::find_by_id(db, env_id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("environment {env_id} is gone")))?;
    let filter = ActivityFilter {
        from: Some(day_start(report.range_from, env.time_zone)),
        until: Some(day_start(report.range_to + Days::new(1), env.time_zone)),
        ..ActivityFilter::default()
    };
    let mut data = csv::header(COLUMNS.iter().copied());
    let (mut rows, mut seq, mut after): (i64, i32, Option<After>) = (0, 0, None);
    loop {
        let page = activity::page(db, env_id, &filter, after.as_ref(), CHUNK_ROWS).await?;
        for e in &page.events {
            data.push_str(&event_line(e));
        }
        rows += page.events.len() as i64;
        after = page.events.last().map(|e| After {
            occurred_at: e.occurred_at,
            id: e.id.clone(),
        });
        store::add_chunk(db, env_id, id, seq, std::mem::take(&mut data)).await?;
        seq += 1;
        if !page.has_next {
            break;
        }
    }
    store::set_status(db, env_id, id, READY, Some(rows), None).await?;
    Ok(())
}

/// Makes again, in the background, every report a stopped server left unfinished.
pub async fn resume(db: &DatabaseConnection) -> AppResult<usize> {
    let reports = store::unfinished(db).await?;
    let n = reports.len();
    for report in reports {
        tracing::info!(
            environment = report.environment_id,
            report = report.id,
            "resuming an unfinished activity report"
        );
        spawn(db.clone(), report);
    }
    Ok(n)
}
