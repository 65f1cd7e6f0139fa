//! The four reports of the monthly page: Engagement, Search, Downloads, Collections.
use super::monthly::{Report, month_days, month_events, trend};
use crate::web::charts::{Chart, Kind, Line};
use crate::web::components::{
    Here, asset_link, collection_link, csv_href, entity_href, heading, user_link,
};
use crate::web::format;
use crate::web::ranked::{Column, Item, Paging, Ranked, table};
use maud::{Markup, html};

/// `/assets/a1?from=…&to=…`: an entity's page over the report's month.
fn over_month(kind: &str, id: Option<&str>, month: &str) -> Option<String> {
    let (from, to) = month_days(month)?;
    Some(format!(
        "{}{}",
        entity_href(kind, id?),
        format::query_string(&[("from", &from.to_string()), ("to", &to.to_string())])
    ))
}

fn csv(name: &str, month: &str) -> String {
    csv_href(name, &[("month", month)])
}

fn paging<'a>(here: &'a Here, param: &'a str) -> Option<Paging<'a>> {
    Some(Paging {
        here,
        param,
        anchor: param,
    })
}

pub fn engagement(r: &Report, here: &Here) -> Markup {
    let m = r.month.as_str();
    let user = |e: &Ranked| {
        let link = user_link(&e.node.as_ref());
        html! { (link) @if let Some(role) = &e.node.role { span.muted { " · " (role) } } }
    };
    let user_page = |e: &Ranked| over_month("users", e.node.user_id.as_deref(), m);
    html! {
        section.report aria-labelledby="engagement" {
            (heading(2, "engagement", "Engagement", None))
            p.lead { "Who uses the Media Library, and how much." }
            div.grid2 {
                div.panel {
                    (trend("active-users-trend", "Active users", "users", Some("ACTIVE_USERS"), &r.engagement.active_users_trend))
                    a.csv-inline href=(csv("active-users-trend", m)) download { "CSV" }
                }
                div.panel {
                    (trend("active-sessions-trend", "Active sessions", "sessions", Some("ACTIVE_SESSIONS"), &r.engagement.active_sessions_trend))
                    a.csv-inline href=(csv("active-sessions-trend", m)) download { "CSV" }
                }
            }
            div.panel #users {
                (heading(3, "top-users", "Top engaged users", Some(&csv("top-engaged-users", m))))
                p.hint { "Actions = searches + downloads (bulk included) + uploads in the month." }
                (table(&r.engagement.top_users, &[
                    Column::Item("User", &user),
                    Column::Count("Actions", "total", Some(&user_page)),
                    Column::Meter("", "total"),
                    Column::Count("Searches", "searches", None),
                    Column::Count("Downloads", "downloads", None),
                    Column::Count("Uploads", "uploads", None),
                ], paging(here, "users"), "topUsers"))
            }
        }
    }
}

pub fn search(r: &Report, here: &Here) -> Markup {
    let m = r.month.as_str();
    let s = &r.search;
    let query = |e: &Ranked| e.node.query.clone().unwrap_or_default();
    let filter = |e: &Ranked| {
        format!(
            "{} = {}",
            e.node.field.as_deref().unwrap_or_default(),
            e.node.value.as_deref().unwrap_or_default()
        )
    };
    let expression = |e: &Ranked| e.node.expression.clone().unwrap_or_default();
    let image = |e: &Ranked| asset_link(&e.node.as_ref());
    let image_page = |e: &Ranked| over_month("assets", e.node.asset_id.as_deref(), m);
    html! {
        section.report aria-labelledby="search" {
            (heading(2, "search", "Search", None))
            p.lead { "What people look for, and how." }
            div.grid2 {
                div.panel {
                    (trend("searches-trend", "Searches", "searches", Some("SEARCHES"), &s.searches_trend))
                    a.csv-inline href=(csv("searches-trend", m)) download { "CSV" }
                }
                div.panel {
                    (trend("users-who-searched-trend", "Users who searched", "users", Some("USERS_WHO_SEARCHED"), &s.users_who_searched_trend))
                    a.csv-inline href=(csv("users-who-searched-trend", m)) download { "CSV" }
                }
            }
            div.grid2 {
                div.panel #queries {
                    (heading(3, "top-queries", "Top searches", Some(&csv("top-search-queries", m))))
                    (table(&s.top_queries, &[
                        Column::Text("Query", &query),
                        Column::Count("Searches", "count", None),
                        Column::Meter("", "count"),
                        Column::Count("Users", "users", None),
                    ], paging(here, "queries"), "topQueries"))
                }
                div.panel #filters {
                    (heading(3, "top-filters", "Top filter values", Some(&csv("top-filter-values", m))))
                    (table(&s.top_filter_values, &[
                        Column::Text("Filter", &filter),
                        Column::Count("Searches", "count", None),
                        Column::Meter("", "count"),
                    ], paging(here, "filters"), "topFilterValues"))
                }
                div.panel #expressions {
                    (heading(3, "top-expressions", "Top search expressions", Some(&csv("top-expressions", m))))
                    (table(&s.top_expressions, &[
                        Column::Text("Expression", &expression),
                        Column::Count("Searches", "count", None),
                        Column::Meter("", "count"),
                    ], paging(here, "expressions"), "topExpressions"))
                }
                div.panel #images {
                    (heading(3, "top-images", "Images used in similarity search", Some(&csv("top-reference-images", m))))
                    (table(&s.visual.top_reference_images, &[
                        Column::Item("Image", &image),
                        Column::Count("Searches", "searches", Some(&image_page)),
                        Column::Meter("", "searches"),
                    ], paging(here, "images"), "topReferenceImages"))
                }
                div.panel #visual {
                    (heading(3, "top-visual", "Top terms in visual search", Some(&csv("top-visual-text-queries", m))))
                    (table(&s.visual.top_text_queries, &[
                        Column::Text("Terms", &query),
                        Column::Count("Searches", "count", None),
                        Column::Meter("", "count"),
                        Column::Count("Users", "users", None),
                    ], paging(here, "visual"), "topTextQueries"))
                }
            }
        }
    }
}

pub fn downloads(r: &Report, here: &Here) -> Markup {
    let m = r.month.as_str();
    let d = &r.downloads;
    let asset = |e: &Ranked| {
        html! {
            (asset_link(&e.node.as_ref()))
            @if let Some(t) = &e.node.asset_type { span.tag { (t) } }
        }
    };
    let uploader = |e: &Ranked| match &e.node.uploader {
        Some(u) => user_link(&Item::as_ref(u)),
        None => html! { span.muted { "—" } },
    };
    let asset_page = |e: &Ranked| over_month("assets", e.node.asset_id.as_deref(), m);
    html! {
        section.report aria-labelledby="downloads" {
            (heading(2, "downloads", "Downloads", None))
            p.lead { "What is downloaded, and by how many. Bulk (folder/zip) downloads are not counted." }
            div.grid3 {
                div.panel {
                    (trend("downloads-trend", "Downloads", "downloads", Some("DOWNLOADS"), &d.downloads_trend))
                    a.csv-inline href=(csv("downloads-trend", m)) download { "CSV" }
                }
                div.panel {
                    (trend("unique-assets-trend", "Unique assets downloaded", "assets", Some("UNIQUE_ASSETS_DOWNLOADED"), &d.unique_assets_downloaded_trend))
                    a.csv-inline href=(csv("unique-assets-downloaded-trend", m)) download { "CSV" }
                }
                div.panel {
                    (trend("downloaders-trend", "Users who downloaded", "users", Some("USERS_WHO_DOWNLOADED"), &d.users_who_downloaded_trend))
                    a.csv-inline href=(csv("users-who-downloaded-trend", m)) download { "CSV" }
                }
            }
            div.panel #assets {
                (heading(3, "top-assets", "Top downloaded assets", Some(&csv("top-downloaded-assets", m))))
                (table(&d.top_assets, &[
                    Column::Item("Asset", &asset),
                    Column::Item("Uploaded by", &uploader),
                    Column::Count("Downloads", "downloads", Some(&asset_page)),
                    Column::Meter("", "downloads"),
                    Column::Count("Users", "users", None),
                ], paging(here, "assets"), "topAssets"))
            }
        }
    }
}

pub fn collections(r: &Report, here: &Here) -> Markup {
    let m = r.month.as_str();
    let c = &r.collections;
    let collection = |e: &Ranked| collection_link(&e.node.as_ref());
    let collection_page =
        |e: &Ranked| over_month("collections", e.node.collection_id.as_deref(), m);
    let creator = |e: &Ranked| user_link(&e.node.as_ref());
    let creator_page = |e: &Ranked| over_month("users", e.node.user_id.as_deref(), m);
    let months: Vec<String> = c.downloads_trend.iter().map(|p| p.month.clone()).collect();
    let split_link =
        |_s: usize, b: usize| month_events("PUBLIC_COLLECTION_DOWNLOADS", months.get(b)?);
    let split = Chart {
        id: "collection-downloads-trend",
        title: "Public collection downloads",
        x_name: "Month",
        unit: "downloads",
        short: c
            .downloads_trend
            .iter()
            .map(|p| format::month_short(&p.month))
            .collect(),
        full: months.clone(),
        series: vec![
            Line {
                name: "Original".into(),
                values: c.downloads_trend.iter().map(|p| p.original).collect(),
            },
            Line {
                name: "Transformed".into(),
                values: c.downloads_trend.iter().map(|p| p.transformed).collect(),
            },
        ],
        kind: Kind::Stacked,
        link: Some(&split_link),
        wide: false,
    };
    html! {
        section.report aria-labelledby="collections" {
            (heading(2, "collections", "Collections", None))
            p.lead { "How public collections are viewed and downloaded, and who creates collections." }
            div.grid3 {
                div.panel {
                    (trend("collection-views-trend", "Public collection views", "views", Some("COLLECTIONS_VIEWED"), &c.views_trend))
                    a.csv-inline href=(csv("public-collection-views-trend", m)) download { "CSV" }
                }
                div.panel {
                    (split.render())
                    a.csv-inline href=(csv("public-collection-downloads-trend", m)) download { "CSV" }
                }
                div.panel {
                    (trend("collections-created-trend", "Collections created", "collections", Some("COLLECTIONS_CREATED"), &c.collections_created_trend))
                    a.csv-inline href=(csv("collections-created-trend", m)) download { "CSV" }
                }
            }
            div.grid3 {
                div.panel #viewed {
                    (heading(3, "top-viewed", "Top viewed public collections", Some(&csv("top-viewed-public-collections", m))))
                    (table(&c.top_viewed, &[
                        Column::Item("Collection", &collection),
                        Column::Count("Views", "views", Some(&collection_page)),
                        Column::Meter("", "views"),
                    ], paging(here, "viewed"), "topViewed"))
                }
                div.panel #downloaded {
                    (heading(3, "top-downloaded", "Top downloaded public collections", Some(&csv("top-downloaded-public-collections", m))))
                    (table(&c.top_downloaded, &[
                        Column::Item("Collection", &collection),
                        Column::Count("Downloads", "downloads", Some(&collection_page)),
                        Column::Meter("", "downloads"),
                    ], paging(here, "downloaded"), "topDownloaded"))
                }
                div.panel #creators {
                    (heading(3, "top-creators", "Top collection creators", Some(&csv("top-collection-creators", m))))
                    (table(&c.top_creators, &[
                        Column::Item("User", &creator),
                        Column::Count("Created", "collectionsCreated", Some(&creator_page)),
                        Column::Meter("", "collectionsCreated"),
                    ], paging(here, "creators"), "topCreators"))
                }
            }
        }
    }
}
