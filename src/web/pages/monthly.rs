//! The monthly Assets Reports (seed 002): the summary as cards with the change from the
//! month before, then the Engagement, Search, Downloads and Collections reports, each
//! with its 12-month trends as charts and its top lists with paging.
use super::monthly_sections as sections;
use crate::analytics::time::YearMonth;
use crate::error::AppError;
use crate::http::AppState;
use crate::web::charts::{Chart, Kind, Line};
use crate::web::components::{Here, compared_card};
use crate::web::data::{self, Compared, Connection, TrendPoint};
use crate::web::format;
use crate::web::forms::{self, month_form, refusal_box};
use crate::web::layout::Page;
use crate::web::ranked::Ranked;
use crate::web::session::Session;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Days, NaiveDate};
use maud::html;
use serde::Deserialize;
use serde_json::json;

/// Items per page of each top list.
pub const PAGE: i64 = 10;

pub const QUERY: &str = r#"query MonthlyReport($month: Month!, $first: Int!,
  $usersAfter: String, $queriesAfter: String, $filtersAfter: String,
  $expressionsAfter: String, $imagesAfter: String, $visualAfter: String,
  $assetsAfter: String, $viewedAfter: String, $downloadedAfter: String,
  $creatorsAfter: String) {
  monthlyReport(month: $month) {
    month
    summary {
      activeUsers { ...Compared }
      uploads { ...Compared }
      searches { ...Compared }
      downloads { ...Compared }
      collectionsViewed { ...Compared }
    }
    engagement {
      topUsers(first: $first, after: $usersAfter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { userId name email role } total searches downloads uploads }
      }
      activeUsersTrend { month value }
      activeSessionsTrend { month value }
    }
    search {
      topQueries(first: $first, after: $queriesAfter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { query count users } }
      }
      topFilterValues(first: $first, after: $filtersAfter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { field value count } }
      }
      topExpressions(first: $first, after: $expressionsAfter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { expression count } }
      }
      searchesTrend { month value }
      usersWhoSearchedTrend { month value }
      visual {
        topReferenceImages(first: $first, after: $imagesAfter) {
          totalCount pageInfo { hasNextPage endCursor }
          edges { node { assetId filename } searches }
        }
        topTextQueries(first: $first, after: $visualAfter) {
          totalCount pageInfo { hasNextPage endCursor }
          edges { node { query count users } }
        }
      }
    }
    downloads {
      topAssets(first: $first, after: $assetsAfter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { assetId filename assetType uploader { userId name } } downloads users }
      }
      uniqueAssetsDownloadedTrend { month value }
      downloadsTrend { month value }
      usersWhoDownloadedTrend { month value }
    }
    collections {
      topViewed(first: $first, after: $viewedAfter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { collectionId name } views }
      }
      topDownloaded(first: $first, after: $downloadedAfter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { collectionId name } downloads }
      }
      topCreators(first: $first, after: $creatorsAfter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { userId name email } collectionsCreated }
      }
      viewsTrend { month value }
      downloadsTrend { month original transformed total }
      collectionsCreatedTrend { month value }
    }
  }
  highlights(month: $month) { enoughHistory firstEventMonth items { kind metric direction value mean changePercent } }
}

fragment Compared on MetricValue { current previous change changePercent }"#;

/// The cursor parameter of each top list, and its GraphQL variable.
pub const CURSORS: [(&str, &str); 10] = [
    ("users", "usersAfter"),
    ("queries", "queriesAfter"),
    ("filters", "filtersAfter"),
    ("expressions", "expressionsAfter"),
    ("images", "imagesAfter"),
    ("visual", "visualAfter"),
    ("assets", "assetsAfter"),
    ("viewed", "viewedAfter"),
    ("downloaded", "downloadedAfter"),
    ("creators", "creatorsAfter"),
];

#[derive(Deserialize)]
pub struct Params {
    month: Option<String>,
    users: Option<String>,
    queries: Option<String>,
    filters: Option<String>,
    expressions: Option<String>,
    images: Option<String>,
    visual: Option<String>,
    assets: Option<String>,
    viewed: Option<String>,
    downloaded: Option<String>,
    creators: Option<String>,
}

impl Params {
    fn cursor(&self, name: &str) -> Option<&str> {
        let v = match name {
            "users" => &self.users,
            "queries" => &self.queries,
            "filters" => &self.filters,
            "expressions" => &self.expressions,
            "images" => &self.images,
            "visual" => &self.visual,
            "assets" => &self.assets,
            "viewed" => &self.viewed,
            "downloaded" => &self.downloaded,
            _ => &self.creators,
        };
        forms::given(v)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    monthly_report: Report,
    highlights: super::monthly_highlights::Highlights,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub month: String,
    pub summary: Summary,
    pub engagement: Engagement,
    pub search: Search,
    pub downloads: Downloads,
    pub collections: Collections,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub active_users: Compared,
    pub uploads: Compared,
    pub searches: Compared,
    pub downloads: Compared,
    pub collections_viewed: Compared,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Engagement {
    pub top_users: Connection<Ranked>,
    pub active_users_trend: Vec<TrendPoint>,
    pub active_sessions_trend: Vec<TrendPoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Search {
    pub top_queries: Connection<Ranked>,
    pub top_filter_values: Connection<Ranked>,
    pub top_expressions: Connection<Ranked>,
    pub searches_trend: Vec<TrendPoint>,
    pub users_who_searched_trend: Vec<TrendPoint>,
    pub visual: Visual,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Visual {
    pub top_reference_images: Connection<Ranked>,
    pub top_text_queries: Connection<Ranked>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Downloads {
    pub top_assets: Connection<Ranked>,
    pub unique_assets_downloaded_trend: Vec<TrendPoint>,
    pub downloads_trend: Vec<TrendPoint>,
    pub users_who_downloaded_trend: Vec<TrendPoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collections {
    pub top_viewed: Connection<Ranked>,
    pub top_downloaded: Connection<Ranked>,
    pub top_creators: Connection<Ranked>,
    pub views_trend: Vec<TrendPoint>,
    pub downloads_trend: Vec<SplitPoint>,
    pub collections_created_trend: Vec<TrendPoint>,
}

#[derive(Deserialize)]
pub struct SplitPoint {
    pub month: String,
    pub original: i64,
    pub transformed: i64,
}

/// The first and last day of a month.
pub fn month_days(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let m = YearMonth::parse(month)?;
    let first = NaiveDate::from_ymd_opt(m.year, m.month, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((first, next - Days::new(1)))
}

/// The events behind a metric over a month.
pub fn month_events(metric: &str, month: &str) -> Option<String> {
    let (from, to) = month_days(month)?;
    Some(format!(
        "/events{}",
        format::query_string(&[
            ("metric", metric),
            ("from", &from.to_string()),
            ("to", &to.to_string())
        ])
    ))
}

/// A 12-month trend as a chart whose table links each month to its events.
pub fn trend(
    id: &str,
    title: &str,
    unit: &str,
    metric: Option<&str>,
    points: &[TrendPoint],
) -> maud::Markup {
    let months: Vec<String> = points.iter().map(|p| p.month.clone()).collect();
    let link = |_s: usize, b: usize| metric.and_then(|m| month_events(m, months.get(b)?));
    Chart {
        id,
        title,
        x_name: "Month",
        unit,
        short: points
            .iter()
            .map(|p| format::month_short(&p.month))
            .collect(),
        full: months.clone(),
        series: vec![Line {
            name: title.to_owned(),
            values: points.iter().map(|p| p.value).collect(),
        }],
        kind: Kind::Lines,
        link: Some(&link),
        wide: false,
    }
    .render()
}

/// `GET /monthly?month=YYYY-MM`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<Params>,
) -> Response {
    let built = build(&state, &session, &params).await;
    session.respond(built, "/monthly")
}

async fn build(state: &AppState, session: &Session, params: &Params) -> Result<Page, AppError> {
    session
        .caller
        .require(crate::storage::keys::Scope::ReportsRead)?;
    let today = forms::today(state, &session.caller.environment);
    let month = match forms::month(&params.month, today) {
        Ok(m) => m.to_string(),
        Err(refusal) => {
            let typed = params.month.clone().unwrap_or_default();
            return Ok(Page::new(
                "Monthly report",
                "monthly",
                html! {
                    h1 { "Monthly Assets Reports" }
                    (refusal_box(&refusal))
                    (month_form("/monthly", &typed, html! {}))
                },
            )
            .with_status(StatusCode::BAD_REQUEST));
        }
    };
    let mut variables = json!({ "month": month, "first": PAGE });
    let mut pairs: Vec<(&str, &str)> = vec![("month", month.as_str())];
    for (param, var) in CURSORS {
        if let Some(cursor) = params.cursor(param) {
            variables[var] = json!(cursor);
            pairs.push((param, cursor));
        }
    }
    let here = Here::new("/monthly", &pairs);
    let answer = data::run::<Answer>(state, session, "Monthly report", QUERY, variables).await;
    let (answer, shown) = match answer {
        Ok(ok) => ok,
        Err(AppError::BadUserInput(message)) => {
            return Ok(Page::new(
                "Monthly report",
                "monthly",
                html! {
                    h1 { "Monthly Assets Reports" }
                    div.error role="alert" { strong { "Not accepted: " } (message) }
                    (month_form("/monthly", &month, html! {}))
                },
            )
            .with_status(StatusCode::BAD_REQUEST));
        }
        Err(e) => return Err(e),
    };
    let r = &answer.monthly_report;
    let s = &r.summary;
    let m = r.month.as_str();
    let cards = [
        (
            "Active users",
            "activeUsers",
            &s.active_users,
            "ACTIVE_USERS",
        ),
        ("Uploads", "uploads", &s.uploads, "UPLOADS"),
        ("Searches", "searches", &s.searches, "SEARCHES"),
        ("Downloads", "downloads", &s.downloads, "DOWNLOADS"),
        (
            "Public collection views",
            "collectionsViewed",
            &s.collections_viewed,
            "COLLECTIONS_VIEWED",
        ),
    ];
    let before = format!(
        "in {}",
        format::month_name(
            &YearMonth::parse(m)
                .map(|x| x.previous().to_string())
                .unwrap_or_default()
        )
    );
    let body = html! {
        div.page-head {
            div {
                h1 { "Monthly Assets Reports" }
                p.subtitle { (format::month_name(m)) " · each figure against the month before · " (session.caller.environment.time_zone.name()) }
            }
            (month_form("/monthly", m, html! {}))
        }
        nav.tabs aria-label="Sections" {
            a href="#engagement" { "Engagement" }
            a href="#search" { "Search" }
            a href="#downloads" { "Downloads" }
            a href="#collections" { "Collections" }
        }
        section.cards aria-label="Summary" {
            @for (label, field, value, metric) in cards {
                (compared_card(label, &format!("summary.{field}"), value, month_events(metric, m).as_deref(), &before))
            }
        }
        (super::monthly_highlights::section(&answer.highlights, m))
        (sections::engagement(r, &here))
        (sections::search(r, &here))
        (sections::downloads(r, &here))
        (sections::collections(r, &here))
    };
    Ok(Page::new(format!("Monthly report {m}"), "monthly", body).with_shown(vec![shown]))
}
