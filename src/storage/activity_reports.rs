//! Activity report rows and their CSV chunks. A report lives 30 days; an environment
//! keeps at most 30, and making one more removes the oldest.
use crate::error::AppResult;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{activity_report as report, activity_report_chunk as chunk};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

/// How long a report can be downloaded.
pub const KEEP_DAYS: i64 = 30;
/// Reports an environment keeps at most.
pub const MAX_REPORTS: u64 = 30;

pub const PENDING: &str = "PENDING";
pub const RUNNING: &str = "RUNNING";
pub const READY: &str = "READY";
pub const FAILED: &str = "FAILED";

async fn delete_reports(
    db: &impl ConnectionTrait,
    environment_id: i64,
    ids: Vec<i64>,
) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    chunk::Entity::delete_many()
        .filter(chunk::Column::EnvironmentId.eq(environment_id))
        .filter(chunk::Column::ReportId.is_in(ids.clone()))
        .exec(db)
        .await?;
    report::Entity::delete_many()
        .filter(report::Column::EnvironmentId.eq(environment_id))
        .filter(report::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes the environment's expired reports (their chunks go with them: the chunks'
/// foreign key cascades). A write first, so that a SQLite transaction starting with it
/// takes the write lock at once instead of upgrading a read snapshot.
pub async fn purge_expired(
    db: &impl ConnectionTrait,
    environment_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    report::Entity::delete_many()
        .filter(report::Column::EnvironmentId.eq(environment_id))
        .filter(report::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a new PENDING report of `from`..=`to` made at `now`, removing expired ones
/// and, past [`MAX_REPORTS`], the oldest; all in one transaction.
pub async fn create(
    db: &DatabaseConnection,
    environment_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<report::Model> {
    let txn = db.begin().await?;
    purge_expired(&txn, environment_id, now).await?;
    let last: Option<Option<i64>> = report::Entity::find()
        .filter(report::Column::EnvironmentId.eq(environment_id))
        .select_only()
        .column_as(Expr::from(Func::max(Expr::col(report::Column::Id))), "m")
        .into_tuple()
        .one(&txn)
        .await?;
    let id = last.flatten().unwrap_or(0) + 1;
    let model = report::ActiveModel {
        environment_id: Set(environment_id),
        id: Set(id),
        status: Set(PENDING.to_owned()),
        range_from: Set(from),
        range_to: Set(to),
        row_count: Set(None),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(KEEP_DAYS)),
        failure: Set(None),
    }
    .insert(&txn)
    .await?;
    // At most MAX_REPORTS + 1 rows: the cap holds after every creation.
    let kept: Vec<i64> = report::Entity::find()
        .filter(report::Column::EnvironmentId.eq(environment_id))
        .order_by_desc(report::Column::Id)
        .select_only()
        .column(report::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    let over = kept.into_iter().skip(MAX_REPORTS as usize).collect();
    delete_reports(&txn, environment_id, over).await?;
    txn.commit().await?;
    Ok(model)
}

/// A page of the environment's reports not expired at `now`, newest first, after the
/// report `after`; and the number of them.
pub async fn list(
    db: &DatabaseConnection,
    environment_id: i64,
    now: DateTime<Utc>,
    after: Option<i64>,
    first: u64,
) -> AppResult<(Vec<report::Model>, bool, u64)> {
    let base = report::Entity::find()
        .filter(report::Column::EnvironmentId.eq(environment_id))
        .filter(report::Column::ExpiresAt.gt(now));
    let total: Option<i64> = base
        .clone()
        .select_only()
        .column_as(Expr::from(Func::count(Expr::col(report::Column::Id))), "n")
        .into_tuple()
        .one(db)
        .await?;
    let mut query = base.order_by_desc(report::Column::Id).limit(first + 1);
    if let Some(after) = after {
        query = query.filter(report::Column::Id.lt(after));
    }
    let mut rows = query.all(db).await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, has_next, total.unwrap_or(0) as u64))
}

/// One report, unless it is missing or expired at `now`.
pub async fn find(
    db: &DatabaseConnection,
    environment_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<Option<report::Model>> {
    Ok(report::Entity::find()
        .filter(report::Column::EnvironmentId.eq(environment_id))
        .filter(report::Column::Id.eq(id))
        .filter(report::Column::ExpiresAt.gt(now))
        .one(db)
        .await?)
}

/// Every report of every environment left PENDING or RUNNING (by a stopped server).
pub async fn unfinished(db: &DatabaseConnection) -> AppResult<Vec<report::Model>> {
    Ok(report::Entity::find()
        .filter(report::Column::Status.is_in([PENDING, RUNNING]))
        .order_by_asc(report::Column::EnvironmentId)
        .order_by_asc(report::Column::Id)
        .all(db)
        .await?)
}

/// Sets a report's status (and row count or failure). False when it no longer exists.
pub async fn set_status(
    db: &impl ConnectionTrait,
    environment_id: i64,
    id: i64,
    status: &str,
    row_count: Option<i64>,
    failure: Option<String>,
) -> AppResult<bool> {
    let done = report::Entity::update_many()
        .col_expr(report::Column::Status, Expr::value(status))
        .col_expr(report::Column::RowCount, Expr::value(row_count))
        .col_expr(report::Column::Failure, Expr::value(failure))
        .filter(report::Column::EnvironmentId.eq(environment_id))
        .filter(report::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// Removes a report's chunks (before it is made again).
pub async fn clear_chunks(
    db: &impl ConnectionTrait,
    environment_id: i64,
    id: i64,
) -> AppResult<()> {
    chunk::Entity::delete_many()
        .filter(chunk::Column::EnvironmentId.eq(environment_id))
        .filter(chunk::Column::ReportId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Stores chunk `seq` of a report.
pub async fn add_chunk(
    db: &impl ConnectionTrait,
    environment_id: i64,
    id: i64,
    seq: i32,
    data: String,
) -> AppResult<()> {
    chunk::ActiveModel {
        environment_id: Set(environment_id),
        report_id: Set(id),
        seq: Set(seq),
        data: Set(data),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Chunk `seq` of a report, if there is one.
pub async fn chunk(
    db: &DatabaseConnection,
    environment_id: i64,
    id: i64,
    seq: i32,
) -> AppResult<Option<String>> {
    Ok(chunk::Entity::find()
        .filter(chunk::Column::EnvironmentId.eq(environment_id))
        .filter(chunk::Column::ReportId.eq(id))
        .filter(chunk::Column::Seq.eq(seq))
        .select_only()
        .column(chunk::Column::Data)
        .into_tuple()
        .one(db)
        .await?)
}
