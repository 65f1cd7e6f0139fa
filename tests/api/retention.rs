//! Retention: old raw events deleted by the job, every report unchanged, drilldowns
//! without them, old events refused, and a rebuild that keeps the periods it cannot redo.
use crate::cli::{ok, run};
use crate::helpers::spawn_app_with;
use axum::body::Body;
use axum::http::Request;
use chrono::{Duration, Utc};
use serde_json::{Value, json};

fn ev(id: &str, kind: &str, at: chrono::DateTime<Utc>, fields: Value) -> Value {
    let mut e = json!({"id": id, "type": kind, "occurredAt": at.to_rfc3339(), "userId": "u1"});
    e.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    e
}

#[tokio::test]
async fn retention_deletes_old_raw_events_and_every_report_keeps_its_numbers() {
    let (credential, digest) = dam_insights::operator::new_credential();
    let app = spawn_app_with(|c| c.operator_credential_sha256 = vec![digest]).await;
    let key = app.full_key().await;
    let now = Utc::now();
    let (old, recent) = (now - Duration::days(100), now - Duration::days(2));
    let asset = json!({"assetId": "a1"});
    app.ingest(
        &key,
        &[
            ev("up", "asset.uploaded", old, json!({"assetId": "a1", "filename": "a.jpg", "assetType": "IMAGE", "source": "WEB"})),
            ev("v1", "asset.viewed", old, asset.clone()),
            ev("v2", "asset.viewed", old + Duration::minutes(1), asset.clone()),
            ev("v3", "asset.viewed", recent, asset.clone()),
            ev("j1", "job.created", old, json!({"jobId": "j1", "name": "Review", "workflow": "w"})),
            ev("s1", "search.performed", recent, json!({"kind": "TEXT", "query": "logo"})),
        ],
    )
    .await;
    let range = json!({"from": (old - Duration::days(1)).date_naive().to_string(), "to": now.date_naive().to_string()});
    let month = old.format("%Y-%m").to_string();
    let reports = r#"query($r: DateRange!, $m: Month!) {
      insights(range: $r) { media { uploads { current } assetViews { current } } jobs { jobsCreated { current } } }
      monthlyReport(month: $m) { summary { uploads { current } searches { current } activeUsers { current } } engagement { activeUsersTrend { month value } } }
      series(metrics: [UPLOADS, ASSET_VIEWS], range: $r, interval: MONTH) { metrics { metric values } } }"#;
    let drilldown = r#"query($r: DateRange!) { insights(range: $r) { media {
      uploads { events(first: 100) { totalCount nodes { eventId } } } assetViews { events(first: 100) { totalCount nodes { eventId } } } } } }"#;
    let vars = json!({"r": range, "m": month});
    let before = app.data(&key, reports, vars.clone()).await;
    assert_eq!(before["insights"]["media"]["assetViews"]["current"], 3);

    let set = json!({"query": r#"mutation { updateEnvironment(name: "acme", input: {retentionDays: 30}) { retentionDays } }"#});
    let reply = app
        .send(
            Request::post("/admin/graphql")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {credential}"))
                .body(Body::from(set.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        reply.ok_json()["data"]["updateEnvironment"]["retentionDays"],
        30
    );

    let out = run(app.url(), &["retention", "run"]);
    ok(&out);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("deleted 3 raw events of 1 environment(s)"),
        "{said}"
    );
    assert_eq!(
        app.count("events").await,
        3,
        "v3, s1 and the job event are kept"
    );

    assert_eq!(
        app.data(&key, reports, vars.clone()).await,
        before,
        "every report keeps its numbers"
    );
    let drill = app.data(&key, drilldown, json!({"r": range})).await;
    // The lists hold the kept events; totalCount still counts the deleted ones.
    assert_eq!(
        drill["insights"]["media"]["uploads"]["events"]["nodes"],
        json!([])
    );
    assert_eq!(
        drill["insights"]["media"]["uploads"]["events"]["totalCount"],
        1
    );
    assert_eq!(
        drill["insights"]["media"]["assetViews"]["events"]["totalCount"],
        3
    );
    assert_eq!(
        drill["insights"]["media"]["assetViews"]["events"]["nodes"],
        json!([{"eventId": "v3"}])
    );
    let viewer = app
        .data(
            &key,
            "{ viewer { environment { retentionDays eventsDeletedBefore } } }",
            json!({}),
        )
        .await;
    assert_eq!(viewer["viewer"]["environment"]["retentionDays"], 30);
    assert!(viewer["viewer"]["environment"]["eventsDeletedBefore"].is_string());

    // An event from before what is kept is refused (it could be a repeat of a deleted
    // one); a job event is kept whatever its age.
    let answer = app
        .ingest(
            &key,
            &[
                ev("v1", "asset.viewed", old, asset.clone()),
                ev(
                    "j2",
                    "job.advanced",
                    old + Duration::hours(1),
                    json!({"jobId": "j1", "fromStage": "a", "toStage": "b"}),
                ),
            ],
        )
        .await;
    assert_eq!(
        (answer["accepted"].clone(), answer["rejected"].clone()),
        (json!(1), json!(1)),
        "{answer}"
    );
    assert_eq!(answer["rejections"][0]["field"], "occurredAt");
    assert!(
        answer["rejections"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("kept 30 days")
    );

    // A rebuild recomputes only the periods whose events are all still there.
    let kept = app.data(&key, reports, vars.clone()).await;
    ok(&run(app.url(), &["rollups", "rebuild"]));
    assert_eq!(
        app.data(&key, reports, vars).await,
        kept,
        "the rebuild lost no deleted history"
    );
}
