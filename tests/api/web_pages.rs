//! The dashboard's pages show exactly what GraphQL answers for the same arguments, on a
//! small demo (the seed generator, 4,000 events up to 2025-11-15, Europe/Amsterdam);
//! another environment's entity is not found; forms refuse bad input saying what is
//! accepted. Prints each page's server time (Server-Timing).
use crate::helpers::{TestApp, spawn_app_at};
use crate::web::{html, page};
use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use dam_insights::cli::SeedArgs;
use dam_insights::clock::FixedClock;
use serde_json::{Value, json};

async fn demo() -> (TestApp, String) {
    let app = spawn_app_at(FixedClock::new(
        Utc.with_ymd_and_hms(2025, 11, 15, 12, 0, 0).unwrap(),
    ))
    .await;
    let args = SeedArgs {
        environment: "demo".into(),
        timezone: "Europe/Amsterdam".into(),
        events: 4_000,
        seed: 1,
        users: 20,
        assets: 300,
        until: chrono::NaiveDate::from_ymd_opt(2025, 11, 15),
    };
    dam_insights::seed::run(&app.db, &args).await.expect("seed");
    let key = app
        .environment("demo", "Europe/Amsterdam", "reports:read,admin")
        .await;
    (app, key)
}

/// The number an element marked `data-field="<field>"` shows: its `data-value`, or its
/// text.
fn field(html: &str, name: &str) -> String {
    let marker = format!("data-field=\"{name}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no {marker}"));
    let tag_start = html[..at].rfind('<').unwrap();
    let rest = &html[at + marker.len()..];
    if html[tag_start..].starts_with("<strong") {
        let text = &rest[rest.find('>').unwrap() + 1..];
        return text[..text.find('<').unwrap()].replace(',', "");
    }
    let v = &rest[rest
        .find("data-value=\"")
        .unwrap_or_else(|| panic!("no value of {name}"))
        + 12..];
    v[..v.find('"').unwrap()].to_owned()
}

fn int(html: &str, name: &str) -> i64 {
    field(html, name)
        .parse()
        .unwrap_or_else(|_| panic!("{name}: {:?}", field(html, name)))
}

/// The numbers of the cells that follow each `marker` inside `html[from..to]`.
fn numbers_after(section: &str, marker: &str) -> Vec<i64> {
    section
        .split(marker)
        .skip(1)
        .map(|cell| {
            let mut text = String::new();
            let mut in_tag = false;
            for c in cell.chars() {
                match c {
                    '<' => {
                        if !text.is_empty() {
                            break;
                        }
                        in_tag = true
                    }
                    '>' => in_tag = false,
                    c if !in_tag && (c.is_ascii_digit() || c == '−') => text.push(c),
                    ',' => {}
                    _ if !in_tag && !text.is_empty() => break,
                    _ => {}
                }
            }
            text.replace('−', "-")
                .parse()
                .unwrap_or_else(|_| panic!("not a number: {cell:.80}"))
        })
        .collect()
}

/// The part of `html` from `start` to the next `end`.
fn part<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let rest = &html[at..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The values of a chart's data table, row by row.
fn chart_values(html: &str, id: &str) -> Vec<i64> {
    let figure = part(
        html,
        &format!("<figure class=\"chart\" id=\"{id}\""),
        "</figure>",
    );
    numbers_after(part(figure, "<tbody>", "</tbody>"), "<td class=\"num\">")
}

/// A ranked table's counts of one column.
fn list_counts(html: &str, list: &str, count: &str) -> Vec<i64> {
    let table = part(html, &format!("data-list=\"{list}\""), "</table>");
    numbers_after(table, &format!("data-count=\"{count}\">"))
}

async fn gql(app: &TestApp, key: &str, query: &str, vars: Value) -> Value {
    app.data(key, query, vars).await
}

fn timing(reply: &crate::helpers::Reply, path: &str) {
    let t = reply
        .headers
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    println!("server time {path}: {t}");
}

#[tokio::test]
async fn every_page_shows_what_graphql_answers() {
    let (app, key) = demo().await;

    // The monthly report.
    let path = "/monthly?month=2025-10";
    let reply = page(&app, &key, path).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", html(&reply));
    timing(&reply, path);
    let m = html(&reply);
    assert!(
        m.contains("query MonthlyReport("),
        "the page shows its query"
    );
    let r = gql(&app, &key, "{ monthlyReport(month: \"2025-10\") {
        summary { activeUsers { current change } uploads { current change } searches { current change } downloads { current change } collectionsViewed { current change } }
        engagement { topUsers(first: 10) { edges { total } } activeUsersTrend { value } }
        downloads { topAssets(first: 10) { edges { node { assetId } downloads users } } downloadsTrend { value } }
        collections { downloadsTrend { original transformed } } } }", json!({})).await;
    let s = &r["monthlyReport"]["summary"];
    for name in [
        "activeUsers",
        "uploads",
        "searches",
        "downloads",
        "collectionsViewed",
    ] {
        assert_eq!(
            int(&m, &format!("summary.{name}")),
            s[name]["current"].as_i64().unwrap(),
            "{name}"
        );
        let card = part(
            &m,
            &format!("data-field=\"summary.{name}\""),
            "card-previous",
        );
        assert!(
            card.contains(&format!("data-change=\"{}\"", s[name]["change"])),
            "{name} change"
        );
    }
    assert!(
        s["downloads"]["current"].as_i64().unwrap() > 0,
        "the demo has downloads in October"
    );
    // The highlights, in GraphQL's order (the demo's October has some: its last two
    // months hold a launch nobody tagged, so zero-result searches jump).
    let h = gql(
        &app,
        &key,
        r#"{ highlights(month: "2025-10") { items { metric } } }"#,
        json!({}),
    )
    .await;
    let want: Vec<&str> = h["highlights"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metric"].as_str().unwrap())
        .collect();
    let shown: Vec<&str> = m
        .split("data-highlight=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(!want.is_empty(), "the demo's October has highlights");
    assert_eq!(shown, want);
    let values = |v: &Value, key: &str| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x[key].as_i64().unwrap())
            .collect()
    };
    let rep = &r["monthlyReport"];
    assert_eq!(
        list_counts(&m, "topUsers", "total"),
        values(&rep["engagement"]["topUsers"]["edges"], "total")
    );
    assert_eq!(
        list_counts(&m, "topAssets", "downloads"),
        values(&rep["downloads"]["topAssets"]["edges"], "downloads")
    );
    assert_eq!(
        list_counts(&m, "topAssets", "users"),
        values(&rep["downloads"]["topAssets"]["edges"], "users")
    );
    assert_eq!(
        chart_values(&m, "active-users-trend"),
        values(&rep["engagement"]["activeUsersTrend"], "value")
    );
    assert_eq!(
        chart_values(&m, "downloads-trend"),
        values(&rep["downloads"]["downloadsTrend"], "value")
    );
    let split: Vec<i64> = rep["collections"]["downloadsTrend"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            [
                p["original"].as_i64().unwrap(),
                p["transformed"].as_i64().unwrap(),
            ]
        })
        .collect();
    assert_eq!(chart_values(&m, "collection-downloads-trend"), split);

    // A number's drilldown: the events behind October's downloads, as many as counted.
    let path = "/events?metric=DOWNLOADS&from=2025-10-01&to=2025-10-31";
    let ev = page(&app, &key, path).await;
    timing(&ev, path);
    assert!(
        m.contains("href=\"/events?metric=DOWNLOADS&amp;from=2025-10-01&amp;to=2025-10-31\""),
        "the card links to its events"
    );
    assert_eq!(
        int(&html(&ev), "events.totalCount"),
        s["downloads"]["current"].as_i64().unwrap()
    );

    // The top asset's page: its downloads in October are the list's.
    let top = &rep["downloads"]["topAssets"]["edges"][0];
    let asset = top["node"]["assetId"].as_str().unwrap();
    let path = format!("/assets/{asset}?from=2025-10-01&to=2025-10-31");
    let a = page(&app, &key, &path).await;
    assert_eq!(a.status, StatusCode::OK);
    timing(&a, &path);
    assert!(
        m.contains(&format!(
            "href=\"/assets/{asset}?from=2025-10-01&amp;to=2025-10-31\""
        )),
        "the count links to the asset"
    );
    assert_eq!(
        int(&html(&a), "stats.downloads"),
        top["downloads"].as_i64().unwrap()
    );
    assert_eq!(
        int(&html(&a), "stats.downloaders"),
        top["users"].as_i64().unwrap()
    );

    // Insights over October.
    let path = "/insights?from=2025-10-01&to=2025-10-31";
    let i = page(&app, &key, path).await;
    timing(&i, path);
    let i = html(&i);
    let g = gql(&app, &key, "{ insights(range: {from: \"2025-10-01\", to: \"2025-10-31\"}) {
        media { uploads { current } assetViews { current } downloads { current } downloadActions { current } }
        jobs { jobsCreated { current } jobRevisions { current } }
        users { newUsers { current } logins { current } logouts { current } } } }", json!({})).await;
    for (aspect, name) in [
        ("media", "uploads"),
        ("media", "assetViews"),
        ("media", "downloads"),
        ("media", "downloadActions"),
        ("jobs", "jobsCreated"),
        ("jobs", "jobRevisions"),
        ("users", "newUsers"),
        ("users", "logins"),
        ("users", "logouts"),
    ] {
        assert_eq!(
            int(&i, &format!("{aspect}.{name}")),
            g["insights"][aspect][name]["current"].as_i64().unwrap(),
            "{aspect}.{name}"
        );
    }

    // A weekly series of two metrics, and a correlation.
    let path = "/series?metrics=UPLOADS,DOWNLOADS&from=2025-08-01&to=2025-10-31&interval=WEEK&a=SEARCHES&b=DOWNLOADS";
    let se = page(&app, &key, path).await;
    timing(&se, path);
    let se = html(&se);
    let g = gql(&app, &key, "{ series(metrics: [UPLOADS, DOWNLOADS], range: {from: \"2025-08-01\", to: \"2025-10-31\"}, interval: WEEK) { metrics { values } }
        correlation(a: SEARCHES, b: DOWNLOADS, range: {from: \"2025-08-01\", to: \"2025-10-31\"}, interval: WEEK) { coefficient } }", json!({})).await;
    let (up, down) = (
        &g["series"]["metrics"][0]["values"],
        &g["series"]["metrics"][1]["values"],
    );
    let rows: Vec<i64> = (0..up.as_array().unwrap().len())
        .flat_map(|b| [up[b].as_i64().unwrap(), down[b].as_i64().unwrap()])
        .collect();
    assert_eq!(chart_values(&se, "series-chart"), rows);
    let c = g["correlation"]["coefficient"].as_f64().unwrap();
    assert_eq!(field(&se, "correlation.coefficient"), format!("{c:.4}"));

    // The breakdown of downloads by Region.
    let path = "/breakdown?metric=DOWNLOADS&dimension=METAPROPERTY&name=Region&from=2025-10-01&to=2025-10-31";
    let b = page(&app, &key, path).await;
    timing(&b, path);
    let g = gql(&app, &key, "{ breakdown(metric: DOWNLOADS, by: {dimension: METAPROPERTY, name: \"Region\"}, range: {from: \"2025-10-01\", to: \"2025-10-31\"}, first: 20) { edges { count } } }", json!({})).await;
    assert_eq!(
        list_counts(&html(&b), "breakdown", "count"),
        values(&g["breakdown"]["edges"], "count")
    );

    // The admin dashboard (the clock says 2025-11-15).
    let path = "/admin?window=LAST_30_DAYS&source=USER";
    let d = page(&app, &key, path).await;
    timing(&d, path);
    let d = html(&d);
    let g = gql(&app, &key, "{ dashboard(window: LAST_30_DAYS) { assets { total } users { total } collections { total published } livePortals { live }
        uploadsPerDay(source: USER) { uploads } mostActiveUsers(first: 10) { edges { actions } } } }", json!({})).await;
    let dash = &g["dashboard"];
    assert_eq!(
        int(&d, "assets.total"),
        dash["assets"]["total"].as_i64().unwrap()
    );
    assert_eq!(
        int(&d, "users.total"),
        dash["users"]["total"].as_i64().unwrap()
    );
    assert_eq!(
        int(&d, "collections.total"),
        dash["collections"]["total"].as_i64().unwrap()
    );
    assert_eq!(
        int(&d, "collections.published"),
        dash["collections"]["published"].as_i64().unwrap()
    );
    assert_eq!(
        int(&d, "livePortals.live"),
        dash["livePortals"]["live"].as_i64().unwrap()
    );
    let per_day = values(&dash["uploadsPerDay"], "uploads");
    assert_eq!(chart_values(&d, "uploads-per-day"), per_day);
    assert_eq!(int(&d, "uploadsPerDay.total"), per_day.iter().sum::<i64>());
    assert_eq!(
        list_counts(&d, "mostActiveUsers", "actions"),
        values(&dash["mostActiveUsers"]["edges"], "actions")
    );

    // The activity log.
    let path = "/activity?from=2025-10-01&to=2025-10-31&types=asset.deleted";
    let l = page(&app, &key, path).await;
    timing(&l, path);
    let g = gql(&app, &key, "{ activityLog(filter: {range: {from: \"2025-10-01\", to: \"2025-10-31\"}, types: [\"asset.deleted\"]}) { totalCount } }", json!({})).await;
    assert_eq!(
        int(&html(&l), "activityLog.totalCount"),
        g["activityLog"]["totalCount"].as_i64().unwrap()
    );

    let path = "/activity/reports";
    let rp = page(&app, &key, path).await;
    timing(&rp, path);
    assert_eq!(rp.status, StatusCode::OK);
}

#[tokio::test]
async fn csv_links_are_the_api_exports_run_as_the_session() {
    let (app, key) = demo().await;
    let via_page = page(&app, &key, "/csv/top-downloaded-assets.csv?month=2025-10").await;
    assert_eq!(via_page.status, StatusCode::OK);
    let via_api = app
        .get("/v1/exports/top-downloaded-assets.csv?month=2025-10", &key)
        .await;
    assert_eq!(via_page.body, via_api.body);
    assert!(
        String::from_utf8(via_page.body)
            .unwrap()
            .starts_with("assetId,filename,assetType,downloads,users\r\n")
    );
    // The monthly page links to it with the same parameters.
    let m = html(&page(&app, &key, "/monthly?month=2025-10").await);
    assert!(m.contains("href=\"/csv/top-downloaded-assets.csv?month=2025-10\""));
    let bad = page(&app, &key, "/csv/top-downloaded-assets.csv?month=2025-13").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn another_environments_entity_is_not_found() {
    let (app, key) = demo().await;
    let other = app.environment("other", "UTC", "reports:read").await;
    let asset = gql(
        &app,
        &key,
        "{ assets(first: 1) { edges { node { assetId } } } }",
        json!({}),
    )
    .await;
    let id = asset["assets"]["edges"][0]["node"]["assetId"]
        .as_str()
        .unwrap()
        .to_owned();
    let users = gql(
        &app,
        &key,
        "{ users(first: 1) { edges { node { userId } } } }",
        json!({}),
    )
    .await;
    let user = users["users"]["edges"][0]["node"]["userId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        page(&app, &key, &format!("/assets/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        page(&app, &key, &format!("/users/{user}")).await.status,
        StatusCode::OK
    );
    for path in [
        format!("/assets/{id}"),
        format!("/users/{user}"),
        "/collections/c1".into(),
        "/jobs/j1".into(),
    ] {
        let reply = page(&app, &other, &path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(html(&reply).contains("in the environment other"), "{path}");
    }
}

#[tokio::test]
async fn forms_refuse_bad_input_saying_what_is_accepted() {
    let (app, key) = demo().await;
    for (path, says) in [
        ("/monthly?month=2025-13", "give a month as YYYY-MM"),
        ("/monthly?month=october", "give a month as YYYY-MM"),
        (
            "/insights?from=2025-10-05&to=2025-10-01",
            "give from on or before to",
        ),
        (
            "/insights?from=2025-10-05",
            "a range needs both from and to",
        ),
        (
            "/insights?from=2025-10-5&to=2025-10-06",
            "give a day as YYYY-MM-DD",
        ),
        ("/insights?from=2019-01-01&to=2025-10-06", "2 years"),
        ("/series?metrics=NOPE", "give one or more of UPLOADS"),
        ("/series?interval=HOURLY", "give one of DAY, WEEK, MONTH"),
        (
            "/breakdown?metric=SEARCHES",
            "give one or more of UPLOADS, ASSET_VIEWS",
        ),
        (
            "/events?metric=DOWNLOADS&from=2025-10-01&to=2025-09-01",
            "give from on or before to",
        ),
        (
            "/admin?window=LAST_YEAR",
            "give one of LAST_7_DAYS, LAST_30_DAYS",
        ),
        ("/activity?types=asset.exploded", "give one or more of"),
        ("/assets/a1?from=x&to=y", "give a day as YYYY-MM-DD"),
    ] {
        let reply = page(&app, &key, path).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        let body = html(&reply);
        assert!(
            body.contains(says),
            "{path}: {}",
            part(&body, "role=\"alert\"", "</div>")
        );
        assert!(body.contains("<form"), "{path}: the form is shown again");
    }
    // A report form with a bad range makes nothing.
    let reply = crate::web::post_form(
        &app,
        "/activity/reports",
        "from=2025-10-09&to=2025-10-01",
        Some(&key),
        &[],
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(html(&reply).contains("give from on or before to"));
    assert_eq!(app.count("activity_reports").await, 0);
}
