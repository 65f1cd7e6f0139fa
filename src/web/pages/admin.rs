//! `GET /admin`: the DAM Admin Dashboard (seed 001): totals as they are now, uploads per
//! day with their filters, top viewed collections and the most active users with their
//! share of all activity, over the last 7 or 30 days.
use crate::error::AppError;
use crate::graphql::dashboard::{DashboardWindow, UploadOrigin};
use crate::graphql::enums::AssetType;
use crate::http::AppState;
use crate::storage::keys::Scope;
use crate::web::charts::{Chart, Kind, Line};
use crate::web::components::{Here, collection_link, csv_href, figure_card, heading, user_link};
use crate::web::data::{self, Connection};
use crate::web::format;
use crate::web::forms::{self, refusal_box, select};
use crate::web::layout::Page;
use crate::web::ranked::{Column, Paging, Ranked, table};
use crate::web::session::Session;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

const QUERY: &str = r#"query AdminDashboard($window: DashboardWindow!, $source: UploadOrigin,
  $assetType: AssetType, $viewedAfter: String, $activeAfter: String) {
  dashboard(window: $window) {
    range { from to }
    assets { total archived byType { assetType count archived } }
    users { total byRole { role count } }
    collections { total assets published publishedAssets }
    livePortals { live assets }
    uploadsPerDay(source: $source, assetType: $assetType) { day uploads }
    topViewedCollections(first: 10, after: $viewedAfter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { collectionId name public } views }
    }
    mostActiveUsers(first: 10, after: $activeAfter) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { userId name email role groups lastLoginAt createdAt } actions sharePercent }
    }
  }
}"#;

#[derive(Deserialize)]
pub struct Params {
    window: Option<String>,
    source: Option<String>,
    #[serde(rename = "assetType")]
    asset_type: Option<String>,
    viewed: Option<String>,
    active: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    dashboard: Dashboard,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Dashboard {
    range: Range,
    assets: Assets,
    users: Users,
    collections: Collections,
    live_portals: Portals,
    uploads_per_day: Vec<DayUploads>,
    top_viewed_collections: Connection<Ranked>,
    most_active_users: Connection<Ranked>,
}

#[derive(Deserialize)]
struct Range {
    from: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Assets {
    total: i64,
    archived: i64,
    by_type: Vec<TypeCount>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypeCount {
    asset_type: Option<String>,
    count: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Users {
    total: i64,
    by_role: Vec<RoleCount>,
}

#[derive(Deserialize)]
struct RoleCount {
    role: Option<String>,
    count: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Collections {
    total: i64,
    assets: i64,
    published: i64,
    published_assets: i64,
}

#[derive(Deserialize)]
struct Portals {
    live: i64,
    assets: i64,
}

#[derive(Deserialize)]
struct DayUploads {
    day: String,
    uploads: i64,
}

fn form(window: &str, source: &str, asset_type: &str) -> Markup {
    html! {
        form.filters method="get" action="/admin" {
            (select("window", "Activity over", &forms::names::<DashboardWindow>(), window, None))
            (select("source", "Uploads by", &forms::names::<UploadOrigin>(), source, Some("API and users")))
            (select("assetType", "Asset type", &forms::names::<AssetType>(), asset_type, Some("Every type")))
            button type="submit" { "Show" }
        }
    }
}

/// `GET /admin`.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(p): Query<Params>,
) -> Response {
    let built = build(&state, &session, &p).await;
    session.respond(built, "/admin")
}

async fn build(state: &AppState, session: &Session, p: &Params) -> Result<Page, AppError> {
    session.caller.require(Scope::Admin)?;
    let checked = (|| {
        Ok((
            forms::one_of::<DashboardWindow>("window", &p.window, Some("LAST_7_DAYS"))?
                .unwrap_or("LAST_7_DAYS"),
            forms::one_of::<UploadOrigin>("source", &p.source, None)?,
            forms::one_of::<AssetType>("assetType", &p.asset_type, None)?,
        ))
    })();
    let (window, source, asset_type) = match checked {
        Ok(ok) => ok,
        Err(refusal) => {
            return Ok(Page::new(
                "Admin dashboard",
                "admin",
                html! { h1 { "Admin dashboard" } (refusal_box(&refusal)) (form("LAST_7_DAYS", "", "")) },
            )
            .with_status(StatusCode::BAD_REQUEST));
        }
    };
    let (viewed, active) = (forms::given(&p.viewed), forms::given(&p.active));
    let variables = json!({
        "window": window, "source": source, "assetType": asset_type,
        "viewedAfter": viewed, "activeAfter": active,
    });
    let (answer, shown) =
        data::run::<Answer>(state, session, "Admin dashboard", QUERY, variables).await?;
    let d = answer.dashboard;
    let here = Here::new(
        "/admin",
        &[
            ("window", window),
            ("source", source.unwrap_or_default()),
            ("assetType", asset_type.unwrap_or_default()),
            ("viewed", viewed.unwrap_or_default()),
            ("active", active.unwrap_or_default()),
        ],
    );
    let uploads_total: i64 = d.uploads_per_day.iter().map(|u| u.uploads).sum();
    let uploads = Chart {
        id: "uploads-per-day",
        title: "Uploads per day, last 7 days",
        x_name: "Day",
        unit: "uploads",
        short: d
            .uploads_per_day
            .iter()
            .map(|u| u.day.get(5..).unwrap_or(&u.day).to_owned())
            .collect(),
        full: d.uploads_per_day.iter().map(|u| u.day.clone()).collect(),
        series: vec![Line {
            name: "Uploads".into(),
            values: d.uploads_per_day.iter().map(|u| u.uploads).collect(),
        }],
        kind: Kind::Bars,
        link: None,
        wide: true,
    };
    let by_type = Chart {
        id: "assets-by-type",
        title: "Assets by type",
        x_name: "Type",
        unit: "assets",
        short: d
            .assets
            .by_type
            .iter()
            .map(|t| t.asset_type.clone().unwrap_or_else(|| "unknown".into()))
            .collect(),
        full: d
            .assets
            .by_type
            .iter()
            .map(|t| t.asset_type.clone().unwrap_or_else(|| "unknown".into()))
            .collect(),
        series: vec![Line {
            name: "Assets".into(),
            values: d.assets.by_type.iter().map(|t| t.count).collect(),
        }],
        kind: Kind::Ranking,
        link: None,
        wide: false,
    };
    let by_role = Chart {
        id: "users-by-role",
        title: "Users by role",
        x_name: "Role",
        unit: "users",
        short: d
            .users
            .by_role
            .iter()
            .map(|r| r.role.clone().unwrap_or_else(|| "unknown".into()))
            .collect(),
        full: d
            .users
            .by_role
            .iter()
            .map(|r| r.role.clone().unwrap_or_else(|| "unknown".into()))
            .collect(),
        series: vec![Line {
            name: "Users".into(),
            values: d.users.by_role.iter().map(|r| r.count).collect(),
        }],
        kind: Kind::Ranking,
        link: None,
        wide: false,
    };
    let collection = |e: &Ranked| collection_link(&e.node.as_ref());
    let tz = session.caller.environment.time_zone;
    let last_login = |e: &Ranked| {
        e.node
            .last_login_at
            .as_deref()
            .map(|t| format::instant(t, tz))
            .unwrap_or_else(|| "never".into())
    };
    let groups = |e: &Ranked| e.node.groups.clone().unwrap_or_default().join(", ");
    let user = |e: &Ranked| html! { (user_link(&e.node.as_ref())) @if let Some(r) = &e.node.role { span.muted { " · " (r) } } };
    let email = |e: &Ranked| e.node.email.clone().unwrap_or_default();
    let share = |e: &Ranked| {
        format::percent(
            e.counts
                .get("sharePercent")
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0),
        )
    };
    let window_label = if window == "LAST_30_DAYS" {
        "last 30 days"
    } else {
        "last 7 days"
    };
    let window_pair = [("window", window)];
    let uploads_csv = csv_href(
        "dashboard-uploads-per-day",
        &[
            ("source", source.unwrap_or_default()),
            ("assetType", asset_type.unwrap_or_default()),
        ],
    );
    let body = html! {
        div.page-head {
            div {
                h1 { "Admin dashboard" }
                p.subtitle { "The library now · activity over the " (window_label) " (" (d.range.from) " to " (d.range.to) ")" }
            }
            (form(window, source.unwrap_or_default(), asset_type.unwrap_or_default()))
        }
        section.cards aria-label="Totals" {
            (figure_card("Assets", "assets.total", d.assets.total, Some(html! { (format::int(d.assets.archived)) " archived" })))
            (figure_card("Users", "users.total", d.users.total, None))
            (figure_card("Collections", "collections.total", d.collections.total, Some(html! { (format::int(d.collections.assets)) " assets in them" })))
            (figure_card("Published collections", "collections.published", d.collections.published, Some(html! { (format::int(d.collections.published_assets)) " assets in them" })))
            (figure_card("Live portals", "livePortals.live", d.live_portals.live, Some(html! { (format::int(d.live_portals.assets)) " assets shown" })))
        }
        div.grid2 {
            div.panel {
                (by_type.render())
                a.csv-inline href=(csv_href("dashboard-assets-by-type", &[])) download { "CSV" }
            }
            div.panel {
                (by_role.render())
                a.csv-inline href=(csv_href("dashboard-users-by-role", &[])) download { "CSV" }
            }
        }
        div.panel {
            (heading(2, "uploads", "Uploads", Some(&uploads_csv)))
            p.subtitle { strong data-field="uploadsPerDay.total" { (format::int(uploads_total)) } " uploads in the last 7 days"
                @if let Some(s) = source { " · " (format::metric_label(s)) } @if let Some(t) = asset_type { " · " (format::metric_label(t)) } }
            (uploads.render())
        }
        div {
            div.panel #viewed {
                (heading(2, "top-viewed", "Total views – top collections", Some(&csv_href("dashboard-top-viewed-collections", &window_pair))))
                (table(&d.top_viewed_collections, &[
                    Column::Item("Collection", &collection),
                    Column::Count("Views", "views", None),
                    Column::Meter("", "views"),
                ], Some(Paging { here: &here, param: "viewed", anchor: "viewed" }), "topViewedCollections"))
            }
            div.panel #active {
                (heading(2, "most-active", "Most active users", Some(&csv_href("dashboard-most-active-users", &window_pair))))
                (table(&d.most_active_users, &[
                    Column::Item("User", &user),
                    Column::Text("E-mail", &email),
                    Column::Text("Groups", &groups),
                    Column::Text("Last login", &last_login),
                    Column::Count("Actions", "actions", None),
                    Column::Text("Share", &share),
                    Column::Meter("", "actions"),
                ], Some(Paging { here: &here, param: "active", anchor: "active" }), "mostActiveUsers"))
            }
        }
    };
    Ok(Page::new("Admin dashboard", "admin", body).with_shown(vec![shown]))
}
