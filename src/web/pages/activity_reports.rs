//! `GET /activity/reports`: the activity reports (CSV of every event of a range, made in
//! the background, kept 30 days) and `POST /activity/reports` to ask for a new one.
use crate::error::AppError;
use crate::http::AppState;
use crate::storage::keys::Scope;
use crate::web::components::{Here, csv_href, heading, pager};
use crate::web::data::{self, Connection, Edge};
use crate::web::format;
use crate::web::forms::{self, range_inputs, refusal_box};
use crate::web::layout::Page;
use crate::web::session::{Session, check_same_origin, see_other};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Datelike;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

const QUERY: &str = r#"query ActivityReports($first: Int!, $after: String) {
  activityReports(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id status range { from to } rowCount createdAt expiresAt downloadUrl failure } }
  }
}"#;

const CREATE: &str = r#"mutation CreateActivityReport($range: DateRange!) {
  createActivityReport(range: $range) { id status }
}"#;

#[derive(Deserialize)]
pub struct Params {
    after: Option<String>,
    created: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    activity_reports: Connection<Edge<Report>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    id: String,
    status: String,
    range: Range,
    row_count: Option<i64>,
    created_at: String,
    expires_at: String,
    download_url: Option<String>,
    failure: Option<String>,
}

#[derive(Deserialize)]
struct Range {
    from: String,
    to: String,
}

fn form(from: &str, to: &str) -> Markup {
    html! {
        form.filters method="post" action="/activity/reports" {
            (range_inputs(from, to))
            button.primary type="submit" { "Make a report" }
        }
    }
}

/// `GET /activity/reports`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(p): Query<Params>,
) -> Response {
    let built = list(&state, &session, &p, None).await;
    session.respond(built, "/activity/reports")
}

async fn list(
    state: &AppState,
    session: &Session,
    p: &Params,
    refused: Option<(forms::Refusal, String, String)>,
) -> Result<Page, AppError> {
    session.caller.require(Scope::Admin)?;
    let after = forms::given(&p.after);
    let (answer, shown) = data::run::<Answer>(
        state,
        session,
        "Activity reports",
        QUERY,
        json!({ "first": 20, "after": after }),
    )
    .await?;
    let reports = answer.activity_reports;
    let here = Here::new("/activity/reports", &[("after", after.unwrap_or_default())]);
    let tz = session.caller.environment.time_zone;
    let today = forms::today(state, &session.caller.environment);
    let (from, to) = match &refused {
        Some((_, f, t)) => (f.clone(), t.clone()),
        None => {
            let first = today.with_day0(0).unwrap_or(today);
            (first.to_string(), today.to_string())
        }
    };
    let created = forms::given(&p.created);
    let body = html! {
        div.page-head {
            div {
                h1 { "Activity reports" }
                p.subtitle { "A CSV of every event of a range of days, made in the background. Reports are kept 30 days; at most 30 are kept (a 31st removes the oldest)." }
            }
        }
        @if let Some((refusal, _, _)) = &refused { (refusal_box(refusal)) }
        @if let Some(id) = created { p.notice role="status" { "Report " (id) " is being made: reload this page to see when it is ready." } }
        (form(&from, &to))
        div.panel {
            (heading(2, "reports", "Reports", Some(&csv_href("activity-reports", &[]))))
            div.table-scroll { table {
                thead { tr {
                    th scope="col" { "Report" } th scope="col" { "Days" } th scope="col" { "Status" }
                    th.num scope="col" { "Events" } th scope="col" { "Asked for" } th scope="col" { "Expires" } th scope="col" { "File" }
                } }
                tbody {
                    @if reports.edges.is_empty() { tr { td.empty colspan="7" { "No reports yet: make one above." } } }
                    @for Edge { node: r } in &reports.edges {
                        tr data-report=(r.id) {
                            td { "#" (r.id) }
                            td { (r.range.from) " to " (r.range.to) }
                            td { span class=(format!("status {}", r.status.to_lowercase())) { (r.status) }
                                @if let Some(f) = &r.failure { " " span.muted { (f) } } }
                            td.num { @if let Some(n) = r.row_count { (format::int(n)) } }
                            td { (format::instant(&r.created_at, tz)) }
                            td { (format::instant(&r.expires_at, tz)) }
                            td { @if r.download_url.is_some() {
                                a href=(format!("/csv/activity-reports/{}.csv", r.id)) download { "Download CSV" }
                            } }
                        }
                    }
                }
            } }
            (pager(&here, "after", &reports.page_info, reports.edges.len(), reports.total_count, "reports"))
        }
    };
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(Page::new("Activity reports", "reports", body)
        .with_shown(vec![shown])
        .with_status(status))
}

#[derive(Deserialize)]
pub struct CreateForm {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    create_activity_report: CreatedReport,
}

#[derive(Deserialize)]
struct CreatedReport {
    id: String,
}

/// `POST /activity/reports`: asks for a report of the form's range.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Session,
    Form(f): Form<CreateForm>,
) -> Response {
    if let Err(refused) = check_same_origin(&headers) {
        return *refused;
    }
    let path = "/activity/reports";
    if let Err(e) = session.caller.require(Scope::Admin) {
        return session.respond(Err(e), path);
    }
    let today = forms::today(&state, &session.caller.environment);
    let typed = (
        f.from.clone().unwrap_or_default(),
        f.to.clone().unwrap_or_default(),
    );
    let no_paging = Params {
        after: None,
        created: None,
    };
    let range = match (forms::given(&f.from), forms::given(&f.to)) {
        (None, None) => Err(forms::Refusal {
            field: "from",
            message: "Give the days to report: from and to (YYYY-MM-DD, both included).".into(),
        }),
        _ => forms::range(&f.from, &f.to, today, 1),
    };
    let (from, to) = match range {
        Ok(r) => r,
        Err(refusal) => {
            let built = list(
                &state,
                &session,
                &no_paging,
                Some((refusal, typed.0, typed.1)),
            )
            .await;
            return session.respond(built, path);
        }
    };
    let variables = json!({ "range": { "from": from.to_string(), "to": to.to_string() } });
    match data::run::<Created>(
        &state,
        &session,
        "Create an activity report",
        CREATE,
        variables,
    )
    .await
    {
        Ok((created, _)) => see_other(&format!(
            "/activity/reports{}",
            format::query_string(&[("created", &created.create_activity_report.id)])
        )),
        Err(AppError::BadUserInput(message)) => {
            let refusal = forms::Refusal {
                field: "range",
                message,
            };
            let built = list(
                &state,
                &session,
                &no_paging,
                Some((refusal, typed.0, typed.1)),
            )
            .await;
            session.respond(built, path)
        }
        Err(e) => session.respond(Err(e), path),
    }
}
