//! CSV exports: all rows of a list longer than a page, equal to the GraphQL pages; RFC
//! 4180 quoting and formula-injection escaping; parameter errors; scopes; and every
//! registered export answering on the dashboard's environment.
use crate::dashboard::environment;
use crate::helpers::spawn_app;
use crate::ingest::upload;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn lines(body: Vec<u8>) -> Vec<String> {
    let text = String::from_utf8(body).unwrap();
    assert!(text.ends_with("\r\n"), "{text}");
    text.trim_end_matches("\r\n")
        .split("\r\n")
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn an_export_holds_every_row_of_the_concatenated_pages() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let events: Vec<Value> = (0..250)
        .map(|i| {
            upload(
                &format!("e{i}"),
                "2025-10-03T09:00:00Z",
                "u1",
                &format!("a{i:03}"),
                &format!("f{i}.jpg"),
            )
        })
        .collect();
    app.ingest(&key, &events).await;
    // The GraphQL pages, 30 at a time.
    let q = "query($after: String) { assets(first: 30, after: $after) { edges { node { assetId filename assetType folder tags source status uploadedAt uploader { userId } } } pageInfo { hasNextPage endCursor } } }";
    let mut rows = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app.data(&key, q, json!({"after": after})).await;
        for e in d["assets"]["edges"].as_array().unwrap() {
            let n = &e["node"];
            rows.push(format!(
                "{},{},{},{},{},{},{},{},{}",
                n["assetId"].as_str().unwrap(),
                n["filename"].as_str().unwrap(),
                n["assetType"].as_str().unwrap(),
                n["folder"].as_str().unwrap(),
                n["tags"][0].as_str().unwrap(),
                n["source"].as_str().unwrap(),
                n["status"].as_str().unwrap(),
                n["uploadedAt"].as_str().unwrap(),
                n["uploader"]["userId"].as_str().unwrap(),
            ));
        }
        if d["assets"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = d["assets"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(rows.len(), 250);
    let reply = app.get("/v1/exports/assets.csv", &key).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), "text/csv; charset=utf-8");
    let csv = lines(reply.body);
    assert_eq!(
        csv[0],
        "assetId,filename,assetType,folder,tags,source,status,uploadedAt,uploaderId"
    );
    assert_eq!(csv[1..], rows[..]);
    assert_eq!(
        csv[1],
        "a000,f0.jpg,IMAGE,/Marketing,summer,WEB,ACTIVE,2025-10-03T09:00:00+00:00,u1"
    );
    // Filters are query parameters, as in GraphQL.
    let none = app.get("/v1/exports/assets.csv?status=DELETED", &key).await;
    assert_eq!(lines(none.body).len(), 1);
}

#[tokio::test]
async fn cells_are_quoted_and_formulas_neutralised() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let names = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1",
        "-1+2",
        "@SUM(A1)",
        "a,b",
        "say \"hi\"",
        "two\nlines",
        "\tTab",
    ];
    let events: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            upload(
                &format!("e{i}"),
                "2025-10-03T09:00:00Z",
                "u1",
                &format!("a{i}"),
                n,
            )
        })
        .collect();
    app.ingest(&key, &events).await;
    let reply = app.get("/v1/exports/assets.csv", &key).await;
    let text = String::from_utf8(reply.body).unwrap();
    let filename = |asset: &str| -> String {
        let start = text.find(&format!("\r\n{asset},")).unwrap() + asset.len() + 3;
        let rest = &text[start..];
        let end = rest.find(",IMAGE,").unwrap();
        rest[..end].to_owned()
    };
    assert_eq!(
        filename("a0"),
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
    );
    assert_eq!(filename("a1"), "'+1");
    assert_eq!(filename("a2"), "'-1+2");
    assert_eq!(filename("a3"), "'@SUM(A1)");
    assert_eq!(filename("a4"), "\"a,b\"");
    assert_eq!(filename("a5"), "\"say \"\"hi\"\"\"");
    assert_eq!(filename("a6"), "\"two\nlines\"");
    assert_eq!(filename("a7"), "'\tTab");
}

#[tokio::test]
async fn bad_parameters_get_a_400_naming_the_parameter() {
    let (app, key) = environment().await;
    let cases = [
        ("/v1/exports/no-such-report.csv", "report"),
        ("/v1/exports/top-downloaded-assets.csv", "month"),
        (
            "/v1/exports/top-downloaded-assets.csv?month=2025-13",
            "month",
        ),
        (
            "/v1/exports/top-downloaded-assets.csv?month=2025-10&first=5",
            "first",
        ),
        ("/v1/exports/assets.csv?status=GONE", "status"),
        (
            "/v1/exports/series.csv?metrics=UPLOADS,NOPE&from=2025-10-01&to=2025-10-02&interval=DAY",
            "metrics",
        ),
        (
            "/v1/exports/series.csv?metrics=UPLOADS&from=2025-10-05&to=2025-10-02&interval=DAY",
            "from",
        ),
        ("/v1/exports/activity-log.csv?from=2025-10-01", "to"),
        ("/v1/exports/activity-log.csv?types=asset.exploded", "types"),
        (
            "/v1/exports/dashboard-most-active-users.csv?window=YESTERDAY",
            "window",
        ),
    ];
    for (path, parameter) in cases {
        let reply = app.get(path, &key).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        let body = reply.json();
        assert_eq!(body["error"]["code"], "BAD_USER_INPUT", "{path}");
        assert_eq!(body["error"]["parameter"], parameter, "{path}: {body}");
    }
    // An error found by the query itself is a 400 too.
    let reply = app.get("/v1/exports/breakdown.csv?metric=UPLOADS&dimension=METAPROPERTY&from=2025-10-01&to=2025-10-02", &key).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"]["code"], "BAD_USER_INPUT");
    // A missing entity is a 404.
    let reply = app
        .get(
            "/v1/exports/asset-events.csv?id=nope&from=2025-10-01&to=2025-10-02",
            &key,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn exports_need_the_key_and_scope_of_their_field() {
    let (app, _) = environment().await;
    let reader = app.environment("acme", "UTC", "reports:read").await;
    let reply = app
        .get("/v1/exports/dashboard-most-active-users.csv", &reader)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app.get("/v1/exports/activity-log.csv", &reader).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app.get("/v1/exports/assets.csv", "dami_nonsense").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/v1/exports/assets.csv", &reader).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn dashboard_lists_export_row_by_row() {
    let (app, key) = environment().await;
    let users = lines(
        app.get(
            "/v1/exports/dashboard-most-active-users.csv?window=LAST_7_DAYS",
            &key,
        )
        .await
        .body,
    );
    assert_eq!(
        users[0],
        "userId,email,name,role,groups,lastLoginAt,createdAt,actions,sharePercent"
    );
    let share = |n: f64| serde_json::to_string(&json!(n * 100.0 / 23.0)).unwrap();
    assert_eq!(
        users[1],
        format!(
            "u2,u2@example.com,U2,Editor,Team,,2025-10-01T08:01:00+00:00,10,{}",
            share(10.0)
        )
    );
    assert_eq!(
        users[2],
        format!(
            "u1,u1@example.com,U1,Admin,Team,,2025-10-01T08:00:00+00:00,9,{}",
            share(9.0)
        )
    );
    assert_eq!(
        users[3],
        format!(
            "u3,u3@example.com,U3,Editor,Team,2025-10-10T09:03:00+00:00,2025-10-01T08:02:00+00:00,4,{}",
            share(4.0)
        )
    );
    assert_eq!(users.len(), 4);
    let uploads = lines(
        app.get(
            "/v1/exports/dashboard-uploads-per-day.csv?source=USER&assetType=VIDEO",
            &key,
        )
        .await
        .body,
    );
    assert_eq!(
        uploads,
        [
            "day,uploads",
            "2025-10-04,0",
            "2025-10-05,0",
            "2025-10-06,1",
            "2025-10-07,0",
            "2025-10-08,0",
            "2025-10-09,0",
            "2025-10-10,1"
        ]
    );
    let viewed = lines(
        app.get(
            "/v1/exports/dashboard-top-viewed-collections.csv?window=LAST_30_DAYS",
            &key,
        )
        .await
        .body,
    );
    assert_eq!(
        viewed,
        [
            "collectionId,name,public,views",
            "c2,C2,true,3",
            "c1,C1,false,1",
            "c3,C3,false,1"
        ]
    );
    let series = lines(app.get("/v1/exports/series.csv?metrics=UPLOADS,ACTIVE_USERS&from=2025-10-08&to=2025-10-10&interval=DAY", &key).await.body);
    assert_eq!(
        series,
        [
            "start,from,to,UPLOADS,ACTIVE_USERS",
            "2025-10-08,2025-10-08,2025-10-08,0,0",
            "2025-10-09,2025-10-09,2025-10-09,2,2",
            "2025-10-10,2025-10-10,2025-10-10,1,1"
        ]
    );
}

#[tokio::test]
async fn the_activity_log_export_equals_the_log() {
    let (app, key) = environment().await;
    let csv = lines(app.get("/v1/exports/activity-log.csv?userId=u2&from=2025-10-09&to=2025-10-10&types=asset.added_to_collection,collection.viewed", &key).await.body);
    assert_eq!(
        csv[0],
        "occurredAt,day,eventId,type,userId,sessionId,assetId,collectionId,jobId,portalId,fields"
    );
    let ids: Vec<&str> = csv[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(ids, ["e33", "e32", "e28", "e27", "e26"]);
    assert_eq!(
        csv[1],
        r#"2025-10-10T09:02:00+00:00,2025-10-10,e33,collection.viewed,u2,,,c2,,,"{""viaPublicLink"":false}""#
    );
}

/// Sample parameters for every export; a new export without an entry here fails.
fn sample(name: &str) -> &'static str {
    match name {
        n if n.starts_with("top-") || n.ends_with("-trend") || n == "rising-assets" => {
            "month=2025-10"
        }
        "uploads-by-source"
        | "uploads-by-asset-type"
        | "new-users-by-via"
        | "logins-by-sso"
        | "zero-result-queries"
        | "unused-assets" => "from=2025-10-01&to=2025-10-10",
        "series" => "metrics=UPLOADS,DOWNLOADS&from=2025-10-01&to=2025-10-10&interval=WEEK",
        "breakdown" => "metric=UPLOADS&dimension=ASSET_TYPE&from=2025-10-01&to=2025-10-10",
        "metric-events" => "metric=UPLOADS&from=2025-10-01&to=2025-10-10",
        "asset-events" => "id=a2&from=2025-10-01&to=2025-10-10",
        "user-events" => "id=u2&from=2025-10-01&to=2025-10-10",
        "collection-events" => "id=c2&from=2025-10-01&to=2025-10-10",
        "job-events" => "id=j1&from=2025-10-01&to=2025-10-10",
        "assets"
        | "users"
        | "collections"
        | "jobs"
        | "portals"
        | "metrics"
        | "activity-log"
        | "activity-reports"
        | "dashboard-assets-by-type"
        | "dashboard-users-by-role"
        | "dashboard-uploads-per-day" => "",
        "dashboard-top-viewed-collections" | "dashboard-most-active-users" => "window=LAST_30_DAYS",
        other => panic!("no sample parameters for export {other}"),
    }
}

#[tokio::test]
async fn every_export_answers_and_its_field_names_its_address() {
    let (app, key) = environment().await;
    app.ingest(&key, &[json!({"id": "j", "type": "job.created", "occurredAt": "2025-10-09T10:00:00Z", "userId": "u1", "jobId": "j1", "name": "Review", "workflow": "Default"})]).await;
    let sdl = dam_insights::graphql::sdl();
    for export in dam_insights::http::exports::registry::EXPORTS {
        let path = format!("/v1/exports/{}.csv?{}", export.name, sample(export.name));
        let reply = app.get(&path, &key).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let csv = lines(reply.body);
        let header: Vec<&str> = csv[0].split(',').collect();
        for (column, _) in export.columns {
            assert!(header.contains(column), "{path}: {header:?}");
        }
        assert!(
            sdl.contains(&format!("/v1/exports/{}.csv", export.name)),
            "no field names {}",
            export.name
        );
    }
}
