//! The activity log (seed 001): every event as an audit trail, newest first, and the
//! activity reports made from it in the background. Needs the `admin` scope.
use super::IntoGql;
use super::context::{caller, db, now};
use super::events::{EventConnection, connection, parse_after};
use super::ids::{page_size, parse_cursor};
use super::range::{DateRange, DateRangeValue};
use crate::analytics::range::DayRange;
use crate::error::{AppError, AppResult};
use crate::storage::activity::{self, ActivityFilter};
use crate::storage::activity_reports as store;
use crate::storage::keys::Scope;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::activity_report;

/// Narrows the activity log; every field given must match.
#[derive(InputObject, Default)]
pub struct ActivityLogFilter {
    /// Only events on these days (environment's time zone, both included).
    pub range: Option<DateRange>,
    /// Only events of these types, e.g. ["asset.deleted", "user.updated"].
    pub types: Option<Vec<String>>,
    /// Only events with this user (the DAM's id) as `userId`: the actor, or on user.*
    /// events the user concerned.
    pub user_id: Option<String>,
    /// Only events naming this asset (the DAM's id).
    pub asset_id: Option<String>,
    /// Only events naming this collection (the DAM's id).
    pub collection_id: Option<String>,
}

fn check_types(types: Vec<String>) -> AppResult<Vec<String>> {
    let known: Vec<&str> = crate::ingest::event::type_names().collect();
    for t in &types {
        if !known.contains(&t.as_str()) {
            return Err(AppError::BadUserInput(format!(
                "filter.types holds {t:?}, which is not an event type: use any of {}",
                known.join(", ")
            )));
        }
    }
    Ok(types)
}

impl ActivityLogFilter {
    fn get(self, tz: chrono_tz::Tz) -> AppResult<ActivityFilter> {
        let bounds = self
            .range
            .map(|r| r.get())
            .transpose()?
            .map(|r| r.instants(tz));
        Ok(ActivityFilter {
            from: bounds.map(|b| b.0),
            until: bounds.map(|b| b.1),
            types: check_types(self.types.unwrap_or_default())?,
            user_id: self.user_id,
            asset_id: self.asset_id,
            collection_id: self.collection_id,
        })
    }
}

/// Where an activity report is in its making.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivityReportStatus {
    /// Asked for; not started yet.
    Pending,
    /// Being made.
    Running,
    /// Made: download it from `downloadUrl`.
    Ready,
    /// Could not be made (see `failure`); ask for a new one.
    Failed,
}

#[derive(Clone)]
pub struct ActivityReport(activity_report::Model);

/// A CSV of every event of a range of days, made in the background; downloadable for
/// 30 days. An environment keeps at most 30: making a 31st removes the oldest.
#[Object]
impl ActivityReport {
    /// The report's id in its environment.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Where it is in its making.
    async fn status(&self) -> ActivityReportStatus {
        match self.0.status.as_str() {
            store::RUNNING => ActivityReportStatus::Running,
            store::READY => ActivityReportStatus::Ready,
            store::FAILED => ActivityReportStatus::Failed,
            _ => ActivityReportStatus::Pending,
        }
    }
    /// The days it covers (environment's time zone, both included).
    async fn range(&self) -> DateRangeValue {
        DayRange {
            from: self.0.range_from,
            to: self.0.range_to,
        }
        .into()
    }
    /// The number of events in it, once READY.
    async fn row_count(&self) -> Option<i64> {
        self.0.row_count
    }
    /// When it was asked for.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it stops being downloadable: 30 days after `createdAt`.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// The path of its CSV on this server (GET it with an admin key), once READY.
    async fn download_url(&self) -> Option<String> {
        (self.0.status == store::READY).then(|| download_path(self.0.id))
    }
    /// Why it FAILED.
    async fn failure(&self) -> Option<&str> {
        self.0.failure.as_deref()
    }
}

/// The download path of report `id`.
pub fn download_path(id: i64) -> String {
    format!("/v1/exports/activity-reports/{id}.csv")
}

crate::connection_type!(
    ActivityReportConnection,
    ActivityReportEdge,
    ActivityReport,
    "activity reports, newest first"
);

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// Every event as an audit trail, newest first (occurredAt, then event id,
    /// descending): who did what to which asset, user or collection, and when. Needs the
    /// admin scope. CSV: GET
    /// /v1/exports/activity-log.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&types=asset.deleted,user.updated&userId=…&assetId=…&collectionId=…
    /// (every parameter optional)
    /// Raw events older than the environment's retention are deleted
    /// (`viewer.environment.eventsDeletedBefore`): this list no longer holds them.
    async fn activity_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the log.")] filter: Option<ActivityLogFilter>,
        #[graphql(desc = "Events per page: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<EventConnection> {
        let env = &caller(ctx, Scope::Admin).gql()?.environment;
        let filter = filter.unwrap_or_default().get(env.time_zone).gql()?;
        let first = page_size(first).gql()?;
        let after_given = after.is_some();
        let after = parse_after(after)?;
        let db = db(ctx).gql()?;
        let page = activity::page(db, env.id, &filter, after.as_ref(), first)
            .await
            .gql()?;
        let total = activity::count(db, env.id, &filter).await.gql()?;
        Ok(connection(page.events, page.has_next, total, after_given))
    }

    /// The environment's activity reports that have not expired, newest first. Needs the
    /// admin scope. CSV: GET /v1/exports/activity-reports.csv
    async fn activity_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, default 10.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<ActivityReportConnection> {
        let env = &caller(ctx, Scope::Admin).gql()?.environment;
        let first = page_size(first).gql()?;
        let after_given = after.is_some();
        let after = match after {
            None => None,
            Some(a) => Some(
                parse_cursor(&a)
                    .ok()
                    .and_then(|k| k.parse::<i64>().ok())
                    .ok_or_else(|| {
                        AppError::BadUserInput(format!(
                            "{a:?} is not a cursor of this list: pass an `endCursor` or edge `cursor` of it"
                        ))
                    })
                    .gql()?,
            ),
        };
        let (rows, has_next, total) = store::list(db(ctx).gql()?, env.id, now(ctx), after, first)
            .await
            .gql()?;
        Ok(ActivityReportConnection::from_page(
            crate::storage::catalog::Page {
                items: rows,
                has_next,
                total,
            },
            after_given,
            |r| r.id.to_string(),
            ActivityReport,
        ))
    }
}

#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Starts making an activity report of every event on the range's days and returns
    /// it at once, PENDING; poll `activityReports` until it is READY, then download its
    /// CSV. Reports expire after 30 days; making a 31st removes the oldest. Needs the
    /// admin scope.
    async fn create_activity_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The days to report (environment's time zone, both included).")]
        range: DateRange,
    ) -> Result<ActivityReport> {
        let env = &caller(ctx, Scope::Admin).gql()?.environment;
        let range = range.get().gql()?;
        let db = db(ctx).gql()?;
        let report = store::create(db, env.id, range.from, range.to, now(ctx))
            .await
            .gql()?;
        crate::activity_reports::spawn(db.clone(), report.clone());
        Ok(ActivityReport(report))
    }
}
