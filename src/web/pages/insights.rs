//! `GET /insights?from=…&to=…`: the Media, Jobs and Users aspects over a date range
//! (seed 000), each figure against the equally long range before it, each linking to
//! the events behind it.
use crate::error::AppError;
use crate::http::AppState;
use crate::storage::keys::Scope;
use crate::web::components::{compared_card, csv_href, heading};
use crate::web::data::{self, Compared};
use crate::web::format;
use crate::web::forms::{self, range_inputs, refusal_box};
use crate::web::layout::Page;
use crate::web::session::Session;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

const QUERY: &str = r#"query Insights($range: DateRange!) {
  insights(range: $range) {
    range { from to }
    previousRange { from to }
    media {
      uploads { ...Compared }
      uploadsBySource { ...Split }
      uploadsByAssetType { ...Split }
      assetViews { ...Compared }
      downloads { ...Compared }
      downloadActions { ...Compared }
      assetsDeleted { ...Compared }
      assetsArchived { ...Compared }
    }
    jobs {
      jobsCreated { ...Compared }
      jobsFinished { ...Compared }
      jobRevisions { ...Compared }
      revisionRoundsFinished { ...Compared }
      jobDuration { current { ...Duration } previous { ...Duration } }
    }
    users {
      newUsers { ...Compared }
      newUsersByVia { ...Split }
      logins { ...Compared }
      loginsBySso { ...Split }
      logouts { ...Compared }
    }
  }
}

fragment Compared on RangeMetric { current previous change changePercent }
fragment Split on RangeSplit { key current previous change changePercent }
fragment Duration on DurationSummary { count averageSeconds medianSeconds p90Seconds maxSeconds }"#;

#[derive(Deserialize)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    insights: Insights,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Insights {
    range: Range,
    previous_range: Range,
    media: Media,
    jobs: Jobs,
    users: Users,
}

#[derive(Deserialize)]
struct Range {
    from: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Media {
    uploads: Compared,
    uploads_by_source: Vec<Split>,
    uploads_by_asset_type: Vec<Split>,
    asset_views: Compared,
    downloads: Compared,
    download_actions: Compared,
    assets_deleted: Compared,
    assets_archived: Compared,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Jobs {
    jobs_created: Compared,
    jobs_finished: Compared,
    job_revisions: Compared,
    revision_rounds_finished: Compared,
    job_duration: JobDuration,
}

#[derive(Deserialize)]
struct JobDuration {
    current: Duration,
    previous: Duration,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Duration {
    count: i64,
    average_seconds: Option<f64>,
    median_seconds: Option<f64>,
    p90_seconds: Option<f64>,
    max_seconds: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Users {
    new_users: Compared,
    new_users_by_via: Vec<Split>,
    logins: Compared,
    logins_by_sso: Vec<Split>,
    logouts: Compared,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Split {
    key: String,
    #[serde(flatten)]
    value: Compared,
}

fn form(from: &str, to: &str) -> Markup {
    html! {
        form.filters method="get" action="/insights" {
            (range_inputs(from, to))
            button type="submit" { "Show" }
        }
    }
}

/// `GET /insights`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(p): Query<Params>,
) -> Response {
    let built = build(&state, &session, &p).await;
    session.respond(built, "/insights")
}

fn refused(p: &Params, message: &forms::Refusal) -> Page {
    Page::new(
        "Insights",
        "insights",
        html! {
            h1 { "Insights" }
            (refusal_box(message))
            (form(p.from.as_deref().unwrap_or_default(), p.to.as_deref().unwrap_or_default()))
        },
    )
    .with_status(StatusCode::BAD_REQUEST)
}

fn split_table(title: &str, id: &str, csv: &str, rows: &[Split]) -> Markup {
    html! {
        div.panel {
            (heading(3, id, title, Some(csv)))
            div.table-scroll { table data-list=(id) {
                thead { tr { th scope="col" { "" } th.num scope="col" { "Now" } th.num scope="col" { "Before" } th.num scope="col" { "Change" } } }
                tbody {
                    @for s in rows {
                        tr data-key=(s.key) {
                            th scope="row" { (split_label(&s.key)) }
                            td.num { (format::int(s.value.current)) }
                            td.num { (format::int(s.value.previous)) }
                            td.num { (format::percent_change(s.value.change_percent)) }
                        }
                    }
                }
            } }
        }
    }
}

/// A split's key in words ("API", "SSO" kept as initials).
fn split_label(key: &str) -> String {
    match key {
        "API" | "SSO" => key.to_owned(),
        "NON_SSO" => "Non-SSO".to_owned(),
        other => format::metric_label(other),
    }
}

fn seconds(s: Option<f64>) -> String {
    s.map(format::duration).unwrap_or_else(|| "—".into())
}

async fn build(state: &AppState, session: &Session, p: &Params) -> Result<Page, AppError> {
    session.caller.require(Scope::ReportsRead)?;
    let today = forms::today(state, &session.caller.environment);
    let (from, to) = match forms::range(&p.from, &p.to, today, 30) {
        Ok((f, t)) => (f.to_string(), t.to_string()),
        Err(refusal) => return Ok(refused(p, &refusal)),
    };
    let variables = json!({ "range": { "from": from, "to": to } });
    let (answer, shown) =
        match data::run::<Answer>(state, session, "Insights", QUERY, variables).await {
            Ok(ok) => ok,
            Err(AppError::BadUserInput(message)) => {
                return Ok(refused(
                    p,
                    &forms::Refusal {
                        field: "range",
                        message,
                    },
                ));
            }
            Err(e) => return Err(e),
        };
    let i = answer.insights;
    let events = |metric: &str| {
        format!(
            "/events{}",
            format::query_string(&[("metric", metric), ("from", &from), ("to", &to)])
        )
    };
    let card = |label: &str, field: &str, value: &Compared, metric: &str| {
        compared_card(
            label,
            field,
            value,
            Some(&events(metric)),
            "the range before",
        )
    };
    let range_pairs = [("from", from.as_str()), ("to", to.as_str())];
    let series = |metrics: &str| {
        format!(
            "/series{}",
            format::query_string(&[
                ("metrics", metrics),
                ("from", &from),
                ("to", &to),
                ("interval", "DAY")
            ])
        )
    };
    let (dc, dp) = (&i.jobs.job_duration.current, &i.jobs.job_duration.previous);
    let body = html! {
        div.page-head {
            div {
                h1 { "Insights" }
                p.subtitle { (i.range.from) " to " (i.range.to) " · against " (i.previous_range.from) " to " (i.previous_range.to) }
            }
            (form(&from, &to))
        }
        section.report aria-labelledby="media" {
            div.section-head { h2 #media { "Media" } a.more href=(series("UPLOADS,ASSET_VIEWS,DOWNLOADS")) { "See as a trend →" } }
            div.cards {
                (card("Uploads", "media.uploads", &i.media.uploads, "UPLOADS"))
                (card("Asset views", "media.assetViews", &i.media.asset_views, "ASSET_VIEWS"))
                (card("Downloads", "media.downloads", &i.media.downloads, "DOWNLOADS"))
                (card("Download actions", "media.downloadActions", &i.media.download_actions, "DOWNLOAD_ACTIONS"))
                (card("Assets archived", "media.assetsArchived", &i.media.assets_archived, "ASSETS_ARCHIVED"))
                (card("Assets deleted", "media.assetsDeleted", &i.media.assets_deleted, "ASSETS_DELETED"))
            }
            div.grid2 {
                (split_table("Uploads by source", "uploadsBySource", &csv_href("uploads-by-source", &range_pairs), &i.media.uploads_by_source))
                (split_table("Uploads by asset type", "uploadsByAssetType", &csv_href("uploads-by-asset-type", &range_pairs), &i.media.uploads_by_asset_type))
            }
        }
        section.report aria-labelledby="jobs" {
            div.section-head { h2 #jobs { "Jobs" } a.more href=(series("JOBS_CREATED,JOBS_FINISHED,JOB_REVISIONS")) { "See as a trend →" } }
            div.cards {
                (card("Jobs created", "jobs.jobsCreated", &i.jobs.jobs_created, "JOBS_CREATED"))
                (card("Jobs finished", "jobs.jobsFinished", &i.jobs.jobs_finished, "JOBS_FINISHED"))
                (card("Job revisions", "jobs.jobRevisions", &i.jobs.job_revisions, "JOB_REVISIONS"))
                (card("Revision rounds finished", "jobs.revisionRoundsFinished", &i.jobs.revision_rounds_finished, "REVISION_ROUNDS_FINISHED"))
            }
            div.panel {
                div.section-head {
                    h3 #job-duration { "Job duration" }
                    a.more href=(events("JOB_DURATION")) { "The finished jobs →" }
                }
                div.table-scroll { table data-list="jobDuration" {
                    thead { tr { th scope="col" { "" } th.num scope="col" { "Jobs" } th.num scope="col" { "Average" } th.num scope="col" { "Median" } th.num scope="col" { "90th percentile" } th.num scope="col" { "Longest" } } }
                    tbody {
                        @for (label, d) in [("This range", dc), ("The range before", dp)] {
                            tr {
                                th scope="row" { (label) }
                                td.num { (format::int(d.count)) }
                                td.num { (seconds(d.average_seconds)) }
                                td.num { (seconds(d.median_seconds)) }
                                td.num { (seconds(d.p90_seconds)) }
                                td.num { (seconds(d.max_seconds.map(|s| s as f64))) }
                            }
                        }
                    }
                } }
            }
        }
        section.report aria-labelledby="users" {
            div.section-head { h2 #users { "Users" } a.more href=(series("NEW_USERS,LOGINS,LOGOUTS")) { "See as a trend →" } }
            div.cards {
                (card("New users", "users.newUsers", &i.users.new_users, "NEW_USERS"))
                (card("Logins", "users.logins", &i.users.logins, "LOGINS"))
                (card("Logouts", "users.logouts", &i.users.logouts, "LOGOUTS"))
            }
            div.grid2 {
                (split_table("New users by how they were added", "newUsersByVia", &csv_href("new-users-by-via", &range_pairs), &i.users.new_users_by_via))
                (split_table("Logins by single sign-on", "loginsBySso", &csv_href("logins-by-sso", &range_pairs), &i.users.logins_by_sso))
            }
        }
    };
    Ok(Page::new("Insights", "insights", body).with_shown(vec![shown]))
}
