//! User erasure: every report unchanged, the user's email, name, groups and id nowhere
//! in the database.
use crate::helpers::{TestApp, spawn_app_at};
use chrono::{TimeZone, Utc};
use dam_insights::clock::FixedClock;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

/// What must be gone after the erasure (lower case).
const SECRETS: &[&str] = &[
    "u-erin",
    "erin.secret@example.com",
    "erin.new@example.com",
    "zorgvlied",
    "erin-group-q",
];

fn ev(id: &str, kind: &str, day: u32, minute: u32, user: &str, fields: Value) -> Value {
    let mut e = json!({"id": id, "type": kind, "occurredAt": format!("2025-10-{day:02}T09:{minute:02}:00Z"), "userId": user, "sessionId": format!("s{}", user.len() % 7)});
    e.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    e
}

fn events() -> Vec<Value> {
    let erin = "u-erin";
    vec![
        ev(
            "e01",
            "user.created",
            1,
            0,
            "u-adm",
            json!({"email": "adm@example.com", "name": "Adm", "role": "Admin", "via": "MANUAL"}),
        ),
        ev(
            "e02",
            "user.created",
            1,
            1,
            erin,
            json!({"email": "erin.secret@example.com", "name": "Erin Zorgvlied", "role": "Editor", "groups": ["Erin-Group-Q"], "via": "MANUAL", "byUserId": "u-adm"}),
        ),
        ev(
            "e03",
            "user.created",
            1,
            2,
            "u-bob",
            json!({"email": "bob@example.com", "name": "Bob", "role": "Viewer", "via": "BULK", "byUserId": erin}),
        ),
        ev(
            "e04",
            "asset.uploaded",
            2,
            0,
            erin,
            json!({"assetId": "a1", "filename": "a1.jpg", "assetType": "IMAGE", "source": "WEB"}),
        ),
        ev(
            "e05",
            "asset.uploaded",
            2,
            1,
            erin,
            json!({"assetId": "a2", "filename": "a2.jpg", "assetType": "VIDEO", "source": "API"}),
        ),
        ev(
            "e06",
            "asset.downloaded",
            3,
            0,
            erin,
            json!({"assetId": "a1", "actionId": "x1", "bulk": false, "variant": "ORIGINAL"}),
        ),
        ev(
            "e07",
            "asset.downloaded",
            3,
            1,
            erin,
            json!({"assetId": "a2", "actionId": "x2", "bulk": true, "variant": "ORIGINAL"}),
        ),
        ev(
            "e08",
            "search.performed",
            4,
            0,
            erin,
            json!({"kind": "TEXT", "query": "Logo", "filters": [{"field": "Region", "value": "EMEA"}]}),
        ),
        ev(
            "e09",
            "search.performed",
            4,
            1,
            erin,
            json!({"kind": "VISUAL_TEXT", "query": "sunset"}),
        ),
        ev(
            "e10",
            "search.performed",
            4,
            2,
            erin,
            json!({"kind": "TEXT", "query": "logo"}),
        ),
        ev(
            "e11",
            "collection.created",
            5,
            0,
            erin,
            json!({"collectionId": "c1", "name": "Kit", "public": true}),
        ),
        ev("e12", "user.logged_in", 5, 1, erin, json!({"sso": true})),
        ev(
            "e13",
            "user.updated",
            6,
            0,
            "u-bob",
            json!({"role": "Editor", "byUserId": erin}),
        ),
        ev("e14", "asset.viewed", 6, 1, erin, json!({"assetId": "a1"})),
        ev(
            "e15",
            "job.created",
            6,
            2,
            erin,
            json!({"jobId": "j1", "name": "Review", "workflow": "w"}),
        ),
        ev(
            "e16",
            "asset.downloaded",
            7,
            0,
            "u-bob",
            json!({"assetId": "a1", "actionId": "x3", "bulk": false, "variant": "ORIGINAL"}),
        ),
        ev(
            "e17",
            "search.performed",
            7,
            1,
            "u-bob",
            json!({"kind": "TEXT", "query": "logo"}),
        ),
        ev(
            "e18",
            "user.updated",
            8,
            0,
            erin,
            json!({"email": "erin.new@example.com", "byUserId": "u-adm"}),
        ),
        ev("e19", "user.logged_out", 8, 1, erin, json!({})),
    ]
}

const REPORTS: &str = r#"{
  monthlyReport(month: "2025-10") {
    summary { activeUsers { current } uploads { current } searches { current } downloads { current } collectionsViewed { current } }
    engagement { topUsers(first: 10) { totalCount edges { total searches downloads uploads node { role } } } activeUsersTrend { month value } activeSessionsTrend { month value } }
    search { topQueries(first: 10) { totalCount edges { node { query count users } } } topFilterValues { edges { node { field value count } } }
             usersWhoSearchedTrend { month value } visual { topTextQueries { edges { node { query count users } } } } }
    downloads { topAssets { edges { downloads users node { filename } } } usersWhoDownloadedTrend { month value } uniqueAssetsDownloadedTrend { month value } }
    collections { topCreators { totalCount edges { collectionsCreated } } collectionsCreatedTrend { month value } } }
  insights(range: {from: "2025-10-01", to: "2025-10-10"}) {
    media { uploads { current } downloads { current } downloadActions { current } assetViews { current } }
    users { newUsers { current } logins { current } logouts { current } } jobs { jobsCreated { current } } }
  series(metrics: [ACTIVE_USERS, USERS_WHO_DOWNLOADED, USERS_WHO_SEARCHED], range: {from: "2025-10-01", to: "2025-10-10"}, interval: DAY) { metrics { metric values } }
  dashboard(window: LAST_30_DAYS) { users { total byRole { role count } }
    mostActiveUsers(first: 10) { totalCount edges { actions sharePercent node { role lastLoginAt createdAt } } } }
  activityLog(first: 100) { totalCount }
}"#;

/// Every row of every table as text, lower-cased.
async fn dump(app: &TestApp) -> Vec<(String, String)> {
    let db = &app.db;
    let backend = db.get_database_backend();
    let sql = |s: String| Statement::from_string(backend, s);
    let tables_sql = match backend {
        DbBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table'",
    };
    let mut rows = Vec::new();
    for t in db.query_all_raw(sql(tables_sql.into())).await.unwrap() {
        let table: String = t.try_get("", "name").unwrap();
        let select = match backend {
            DbBackend::Postgres => format!("SELECT t::text AS row FROM \"{table}\" t"),
            _ => {
                let cols = db
                    .query_all_raw(sql(format!(
                        "SELECT name FROM pragma_table_info('{table}')"
                    )))
                    .await
                    .unwrap();
                let cells: Vec<String> = cols
                    .iter()
                    .map(|c| {
                        format!(
                            "coalesce(CAST(\"{}\" AS TEXT), '')",
                            c.try_get::<String>("", "name").unwrap()
                        )
                    })
                    .collect();
                format!(
                    "SELECT {} AS row FROM \"{table}\"",
                    cells.join(" || '|' || ")
                )
            }
        };
        for r in db.query_all_raw(sql(select)).await.unwrap() {
            rows.push((
                table.clone(),
                r.try_get::<String>("", "row").unwrap().to_lowercase(),
            ));
        }
    }
    rows
}

/// The CSV of activity report `id` once READY.
async fn ready_csv(app: &TestApp, key: &str, id: &str) -> String {
    let q = "{ activityReports(first: 100) { edges { node { id status downloadUrl } } } }";
    for _ in 0..500 {
        let d = app.data(key, q, json!({})).await;
        let edges = d["activityReports"]["edges"].as_array().unwrap().clone();
        if let Some(n) = edges
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["id"] == id && n["status"] == "READY")
        {
            let reply = app.get(n["downloadUrl"].as_str().unwrap(), key).await;
            return String::from_utf8(reply.body).unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("report {id} did not finish");
}

#[tokio::test]
async fn erasing_a_user_leaves_every_report_unchanged_and_their_data_nowhere() {
    let app = spawn_app_at(FixedClock::new(
        Utc.with_ymd_and_hms(2025, 10, 10, 12, 0, 0).unwrap(),
    ))
    .await;
    let key = app.full_key().await;
    let answer = app.ingest(&key, &events()).await;
    assert_eq!(answer["accepted"], 19, "{answer}");
    let report = app
        .data(&key, r#"mutation { createActivityReport(range: {from: "2025-10-01", to: "2025-10-10"}) { id } }"#, json!({}))
        .await;
    let report_id = report["createActivityReport"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let csv = ready_csv(&app, &key, &report_id).await;
    assert!(
        csv.contains("erin.secret@example.com"),
        "the report held the email"
    );
    assert!(
        dump(&app)
            .await
            .iter()
            .any(|(_, r)| r.contains("erin.secret@example.com"))
    );

    let before = app.data(&key, REPORTS, json!({})).await;
    let erased = app
        .data(
            &key,
            r#"mutation { eraseUser(id: "u-erin") { pseudonym events activityReportsRemade } }"#,
            json!({}),
        )
        .await;
    let pseudonym = erased["eraseUser"]["pseudonym"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        pseudonym.starts_with("erased-") && pseudonym.len() == 39,
        "{pseudonym}"
    );
    assert_eq!(
        erased["eraseUser"]["events"], 16,
        "14 as actor or subject, e03 and e13 by byUserId"
    );
    assert_eq!(erased["eraseUser"]["activityReportsRemade"], 1);
    assert_eq!(
        app.data(&key, REPORTS, json!({})).await,
        before,
        "every report keeps its numbers"
    );

    let csv = ready_csv(&app, &key, &report_id).await;
    assert!(
        csv.contains(&pseudonym) && !csv.to_lowercase().contains("erin"),
        "{csv}"
    );
    for (table, row) in dump(&app).await {
        for secret in SECRETS {
            assert!(!row.contains(secret), "{secret} in {table}: {row}");
        }
    }
    let user = app
        .data(
            &key,
            "query($id: String!) { user(id: $id) { email name groups role } }",
            json!({"id": pseudonym}),
        )
        .await;
    assert_eq!(
        user["user"],
        json!({"email": null, "name": null, "groups": [], "role": "Editor"})
    );

    // Erasing again merges later events under the same pseudonym; the id is gone.
    let again = app
        .graphql(
            &key,
            r#"mutation { eraseUser(id: "u-erin") { pseudonym } }"#,
            json!({}),
        )
        .await;
    assert_eq!(again["errors"][0]["extensions"]["code"], "NOT_FOUND");
    app.ingest(
        &key,
        &[ev(
            "e20",
            "asset.viewed",
            9,
            0,
            "u-erin",
            json!({"assetId": "a1"}),
        )],
    )
    .await;
    let merged = app
        .data(
            &key,
            r#"mutation { eraseUser(id: "u-erin") { pseudonym } }"#,
            json!({}),
        )
        .await;
    assert_eq!(merged["eraseUser"]["pseudonym"], pseudonym.as_str());
    let after = app.data(&key, REPORTS, json!({})).await;
    assert_eq!(
        after["monthlyReport"]["summary"],
        before["monthlyReport"]["summary"]
    );
    assert_eq!(
        after["series"], before["series"],
        "still one user: distinct counts unchanged"
    );
    let needs_admin = app.environment("acme", "UTC", "reports:read").await;
    let forbidden = app
        .graphql(
            &needs_admin,
            r#"mutation { eraseUser(id: "u-bob") { pseudonym } }"#,
            json!({}),
        )
        .await;
    assert_eq!(forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN");
}
