//! Insights over any date range, series, correlation, breakdowns, drilldowns and entity
//! stats, on small datasets whose answers were worked out by hand.
use crate::helpers::{TestApp, spawn_app};
use crate::monthly::ev;
use serde_json::{Value, json};

fn upload(id: &str, at: &str, user: Option<&str>, asset: &str, source: &str, kind: &str) -> Value {
    ev(
        id,
        "asset.uploaded",
        at,
        user,
        json!({"assetId": asset, "filename": format!("{asset}.jpg"),
        "assetType": kind, "source": source}),
    )
}

fn download(id: &str, at: &str, user: &str, asset: &str, action: &str, bulk: bool) -> Value {
    ev(
        id,
        "asset.downloaded",
        at,
        Some(user),
        json!({"assetId": asset, "actionId": action,
        "bulk": bulk, "variant": "ORIGINAL"}),
    )
}

fn job(id: &str, ty: &str, at: &str, job: &str) -> Value {
    let fields = match ty {
        "job.created" => json!({"jobId": job, "name": "Spring", "workflow": "Review"}),
        "job.finished" => json!({"jobId": job}),
        _ => json!({"jobId": job, "fromStage": "A", "toStage": "B"}),
    };
    ev(id, ty, at, Some("u1"), fields)
}

async fn ingest_ok(app: &TestApp, key: &str, events: &[Value]) {
    let report = app.ingest(key, events).await;
    assert_eq!(report["rejected"], 0, "{report}");
}

const RANGE: &str = r#"{from: "2025-03-10", to: "2025-03-12"}"#;

/// The media, jobs and users dataset: range 2025-03-10..12 (3 days), previous period
/// 2025-03-07..09, all in UTC.
async fn aspects_app() -> (TestApp, String) {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let t = |d: &str, h: &str| format!("2025-03-{d}T{h}:00Z");
    let mut events = vec![
        upload("up1", &t("10", "08:00"), Some("u1"), "a1", "WEB", "IMAGE"),
        upload("up2", &t("12", "08:00"), None, "a2", "API", "VIDEO"),
        upload(
            "up3",
            &t("09", "08:00"),
            Some("u2"),
            "a3",
            "MASS_UPLOADER",
            "IMAGE",
        ),
        upload("up4", &t("13", "08:00"), Some("u2"), "a4", "WEB", "IMAGE"),
        ev(
            "v1",
            "asset.viewed",
            &t("10", "09:00"),
            Some("u1"),
            json!({"assetId": "a1"}),
        ),
        ev(
            "v2",
            "asset.viewed",
            &t("11", "09:00"),
            Some("u2"),
            json!({"assetId": "a1"}),
        ),
        download("d1", &t("10", "09:00"), "u1", "a1", "x1", false),
        download("d2", &t("10", "09:00"), "u1", "a2", "x1", false),
        download("d3", &t("11", "09:00"), "u2", "a1", "x2", true),
        download("d4", &t("11", "10:00"), "u2", "a2", "x3", false),
        download("d5", &t("08", "10:00"), "u2", "a1", "x4", false),
        ev(
            "ar1",
            "asset.archived",
            &t("11", "11:00"),
            Some("u1"),
            json!({"assetId": "a1"}),
        ),
        ev(
            "de1",
            "asset.deleted",
            &t("12", "11:00"),
            Some("u1"),
            json!({"assetId": "a3"}),
        ),
        // Jobs. j1: created before the range, an advance with nothing pending (none), two
        // send-backs then an advance (one round), finished in the range after 7 days.
        job("j1c", "job.created", &t("05", "00:00"), "j1"),
        job("j1f", "job.finished", &t("12", "00:00"), "j1"),
        // j2: created and finished in the range after 2 hours; advanced with nothing pending.
        job("j2c", "job.created", &t("10", "00:00"), "j2"),
        job("j2a", "job.advanced", &t("10", "01:00"), "j2"),
        job("j2f", "job.finished", &t("10", "02:00"), "j2"),
        // j3: created and sent back, not finished.
        job("j3c", "job.created", &t("11", "00:00"), "j3"),
        job("j3s", "job.sent_back", &t("11", "01:00"), "j3"),
        // j4: the previous period, one day long.
        job("j4c", "job.created", &t("07", "00:00"), "j4"),
        job("j4f", "job.finished", &t("08", "00:00"), "j4"),
        ev(
            "n1",
            "user.created",
            &t("10", "07:00"),
            Some("u5"),
            json!({"email": "e@x", "name": "E",
            "role": "Editor", "via": "MANUAL"}),
        ),
        ev(
            "n2",
            "user.created",
            &t("11", "07:00"),
            Some("u6"),
            json!({"email": "f@x", "name": "F",
            "role": "Editor", "via": "BULK"}),
        ),
        ev(
            "l1",
            "user.logged_in",
            &t("10", "07:30"),
            Some("u1"),
            json!({"sso": true}),
        ),
        ev(
            "l2",
            "user.logged_in",
            &t("11", "07:30"),
            Some("u1"),
            json!({"sso": false}),
        ),
        ev(
            "l3",
            "user.logged_in",
            &t("12", "07:30"),
            Some("u2"),
            json!({"sso": true}),
        ),
        ev(
            "l4",
            "user.logged_in",
            &t("09", "07:30"),
            Some("u2"),
            json!({"sso": true}),
        ),
        ev(
            "o1",
            "user.logged_out",
            &t("11", "18:00"),
            Some("u1"),
            json!({}),
        ),
    ];
    // j1's round arrives out of order: the advance first, its send-backs in a later call.
    let late = vec![
        job("j1s1", "job.sent_back", &t("10", "10:00"), "j1"),
        job("j1s2", "job.sent_back", &t("10", "11:00"), "j1"),
    ];
    events.push(job("j1a1", "job.advanced", &t("10", "12:00"), "j1"));
    events.push(job("j1a2", "job.advanced", &t("10", "09:00"), "j1"));
    ingest_ok(&app, &key, &events).await;
    ingest_ok(&app, &key, &late).await;
    (app, key)
}

fn value(v: &Value) -> (i64, i64, Value) {
    (
        v["current"].as_i64().unwrap(),
        v["previous"].as_i64().unwrap(),
        v["changePercent"].clone(),
    )
}

#[tokio::test]
async fn media_metrics_against_the_period_before() {
    let (app, key) = aspects_app().await;
    let q = format!(
        r#"{{ insights(range: {RANGE}) {{ range {{ from to }} previousRange {{ from to }}
            media {{ uploads {{ current previous change changePercent }}
              uploadsBySource {{ key current previous }} uploadsByAssetType {{ key current previous }}
              assetViews {{ current previous changePercent }}
              downloads {{ current previous change changePercent }}
              bulk: downloads(includeBulk: true) {{ current previous }}
              downloadActions {{ current previous }}
              assetsDeleted {{ current previous }} assetsArchived {{ current previous }} }} }} }}"#
    );
    let d = app.data(&key, &q, json!({})).await;
    let i = &d["insights"];
    assert_eq!(
        i["range"],
        json!({"from": "2025-03-10", "to": "2025-03-12"})
    );
    assert_eq!(
        i["previousRange"],
        json!({"from": "2025-03-07", "to": "2025-03-09"})
    );
    let media = &i["media"];
    // up1 and up2 in the range; up3 before it; up4 after it.
    assert_eq!(
        media["uploads"],
        json!({"current": 2, "previous": 1, "change": 1, "changePercent": 100.0})
    );
    assert_eq!(
        media["uploadsBySource"],
        json!([{"key": "WEB", "current": 1, "previous": 0}, {"key": "EXTERNAL_UPLOADER", "current": 0, "previous": 0},
               {"key": "MASS_UPLOADER", "current": 0, "previous": 1}, {"key": "API", "current": 1, "previous": 0}])
    );
    assert_eq!(
        media["uploadsByAssetType"],
        json!([{"key": "IMAGE", "current": 1, "previous": 1}, {"key": "VIDEO", "current": 1, "previous": 0},
               {"key": "RAW", "current": 0, "previous": 0}])
    );
    // Previous 0: no percentage.
    assert_eq!(value(&media["assetViews"]), (2, 0, Value::Null));
    // d1, d2, d4 (d3 is bulk); before: d5.
    assert_eq!(
        media["downloads"],
        json!({"current": 3, "previous": 1, "change": 2, "changePercent": 200.0})
    );
    assert_eq!(media["bulk"], json!({"current": 4, "previous": 1}));
    // x1 (d1 and d2) and x3; x2 was bulk.
    assert_eq!(
        media["downloadActions"],
        json!({"current": 2, "previous": 1})
    );
    assert_eq!(media["assetsDeleted"], json!({"current": 1, "previous": 0}));
    assert_eq!(
        media["assetsArchived"],
        json!({"current": 1, "previous": 0})
    );
}

#[tokio::test]
async fn job_metrics_rounds_and_durations() {
    let (app, key) = aspects_app().await;
    let q = format!(
        r#"{{ insights(range: {RANGE}) {{ jobs {{
            jobsCreated {{ current previous }} jobsFinished {{ current previous }}
            jobRevisions {{ current previous }}
            revisionRoundsFinished {{ current previous events {{ totalCount nodes {{ eventId }} }} }}
            jobDuration {{ current {{ count averageSeconds medianSeconds p90Seconds maxSeconds }}
                           previous {{ count averageSeconds maxSeconds }}
                           events {{ totalCount nodes {{ eventId job {{ jobId durationSeconds }} }} }} }} }} }} }}"#
    );
    let d = app.data(&key, &q, json!({})).await;
    let jobs = &d["insights"]["jobs"];
    assert_eq!(jobs["jobsCreated"], json!({"current": 2, "previous": 1}));
    assert_eq!(jobs["jobsFinished"], json!({"current": 2, "previous": 1}));
    assert_eq!(jobs["jobRevisions"], json!({"current": 3, "previous": 0}));
    // j1: sent back twice, then advanced once: one round (on the advance j1a1), though
    // the send-backs arrived after the advance; j1a2 and j2a had nothing pending.
    let rounds = &jobs["revisionRoundsFinished"];
    assert_eq!(
        (rounds["current"].clone(), rounds["previous"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(
        rounds["events"],
        json!({"totalCount": 1, "nodes": [{"eventId": "j1a1"}]})
    );
    // j2: 2 hours; j1: created before the range, 7 days.
    assert_eq!(
        jobs["jobDuration"]["current"],
        json!({"count": 2, "averageSeconds": 306000.0, "medianSeconds": 306000.0,
               "p90Seconds": 604800.0, "maxSeconds": 604800})
    );
    assert_eq!(
        jobs["jobDuration"]["previous"],
        json!({"count": 1, "averageSeconds": 86400.0, "maxSeconds": 86400})
    );
    assert_eq!(
        jobs["jobDuration"]["events"],
        json!({"totalCount": 2, "nodes": [
            {"eventId": "j1f", "job": {"jobId": "j1", "durationSeconds": 604800}},
            {"eventId": "j2f", "job": {"jobId": "j2", "durationSeconds": 7200}}]})
    );
}

#[tokio::test]
async fn user_metrics_split_by_via_and_sso() {
    let (app, key) = aspects_app().await;
    let q = format!(
        r#"{{ insights(range: {RANGE}) {{ users {{
            newUsers {{ current previous }} newUsersByVia {{ key current }}
            logins {{ current previous changePercent }} loginsBySso {{ key current previous }}
            logouts {{ current previous }} }} }} }}"#
    );
    let d = app.data(&key, &q, json!({})).await;
    let users = &d["insights"]["users"];
    assert_eq!(users["newUsers"], json!({"current": 2, "previous": 0}));
    assert_eq!(
        users["newUsersByVia"],
        json!([{"key": "MANUAL", "current": 1}, {"key": "BULK", "current": 1}, {"key": "ACCESS_REQUEST", "current": 0}])
    );
    assert_eq!(
        users["logins"],
        json!({"current": 3, "previous": 1, "changePercent": 200.0})
    );
    assert_eq!(
        users["loginsBySso"],
        json!([{"key": "SSO", "current": 2, "previous": 1}, {"key": "NON_SSO", "current": 1, "previous": 0}])
    );
    assert_eq!(users["logouts"], json!({"current": 1, "previous": 0}));
}

#[tokio::test]
async fn every_drilldown_lists_exactly_the_events_its_metric_counted() {
    let (app, key) = aspects_app().await;
    let fields = [
        ("media", "uploads"),
        ("media", "assetViews"),
        ("media", "downloads"),
        ("media", "downloads(includeBulk: true)"),
        ("media", "downloadActions"),
        ("media", "assetsDeleted"),
        ("media", "assetsArchived"),
        ("jobs", "jobsCreated"),
        ("jobs", "jobsFinished"),
        ("jobs", "jobRevisions"),
        ("jobs", "revisionRoundsFinished"),
        ("users", "newUsers"),
        ("users", "logins"),
        ("users", "logouts"),
    ];
    for (aspect, field) in fields {
        let q = format!(
            r#"{{ insights(range: {RANGE}) {{ {aspect} {{ m: {field} {{ current
                events(first: 100) {{ totalCount nodes {{ eventId type }} pageInfo {{ hasNextPage }} }} }} }} }} }}"#
        );
        let d = app.data(&key, &q, json!({})).await;
        let m = &d["insights"][aspect]["m"];
        let events = &m["events"];
        let listed = events["nodes"].as_array().unwrap().len() as i64;
        if field != "downloadActions" {
            assert_eq!(events["totalCount"], m["current"], "{field}: {m}");
        }
        assert_eq!(
            events["totalCount"].as_i64().unwrap(),
            listed,
            "{field}: {m}"
        );
        assert_eq!(events["pageInfo"]["hasNextPage"], false);
    }
    // Downloads: the non-bulk ones, newest first; d1 and d2 share their instant, so the
    // larger id comes first.
    let q = format!(
        r#"{{ insights(range: {RANGE}) {{ media {{ downloads {{ events {{ nodes {{ eventId type
              asset {{ assetId }} user {{ userId }} fields }} }} }} }} }} }}"#
    );
    let d = app.data(&key, &q, json!({})).await;
    let nodes = &d["insights"]["media"]["downloads"]["events"]["nodes"];
    let ids: Vec<&str> = nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["d4", "d2", "d1"]);
    assert_eq!(nodes[0]["asset"]["assetId"], "a2");
    assert_eq!(nodes[0]["user"]["userId"], "u2");
    assert_eq!(nodes[0]["fields"]["bulk"], false);
    assert_eq!(nodes[0]["fields"]["actionId"], "x3");

    // The root drilldown pages one event at a time, each exactly once.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app
            .data(
                &key,
                r#"query($after: String) { events(metric: ACTIVE_USERS, range: {from: "2025-03-10", to: "2025-03-12"}, first: 1, after: $after) {
                    totalCount pageInfo { hasNextPage endCursor } nodes { eventId } } }"#,
                json!({"after": after}),
            )
            .await;
        let c = &d["events"];
        // up1 (u1), d1, d2, d3 (bulk counts for activeUsers), d4; up2 has no user.
        assert_eq!(c["totalCount"], 5);
        seen.extend(
            c["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["eventId"].as_str().unwrap().to_owned()),
        );
        if c["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = c["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, ["d4", "d3", "d2", "d1", "up1"]);
}

#[tokio::test]
async fn weekly_series_across_a_year_boundary_and_correlation() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    ingest_ok(
        &app,
        &key,
        &[
            upload(
                "e1",
                "2025-12-27T10:00:00Z",
                Some("u1"),
                "a1",
                "WEB",
                "IMAGE",
            ),
            upload(
                "e2",
                "2025-12-29T10:00:00Z",
                Some("u1"),
                "a2",
                "WEB",
                "IMAGE",
            ),
            upload(
                "e3",
                "2025-12-29T11:00:00Z",
                Some("u2"),
                "a3",
                "WEB",
                "IMAGE",
            ),
            upload(
                "e4",
                "2026-01-04T10:00:00Z",
                Some("u1"),
                "a4",
                "WEB",
                "IMAGE",
            ),
            upload(
                "e5",
                "2026-01-05T10:00:00Z",
                Some("u3"),
                "a5",
                "WEB",
                "IMAGE",
            ),
        ],
    )
    .await;
    let range = r#"{from: "2025-12-27", to: "2026-01-06"}"#;
    let d = app
        .data(
            &key,
            &format!(
                r#"{{ week: series(metrics: [UPLOADS, ACTIVE_USERS, DOWNLOADS], range: {range}, interval: WEEK) {{
                       interval buckets {{ start from to }} metrics {{ metric values }} }}
                     month: series(metrics: [UPLOADS, ACTIVE_USERS], range: {range}, interval: MONTH) {{
                       buckets {{ start from to }} metrics {{ values }} }}
                     day: series(metrics: [UPLOADS, ACTIVE_USERS], range: {{from: "2025-12-27", to: "2025-12-29"}}, interval: DAY) {{
                       buckets {{ start }} metrics {{ values }} }}
                     correlation(a: UPLOADS, b: ACTIVE_USERS, range: {range}, interval: WEEK) {{ coefficient }}
                     flat: correlation(a: UPLOADS, b: DOWNLOADS, range: {range}, interval: WEEK) {{ coefficient }} }}"#
            ),
            json!({}),
        )
        .await;
    // 2025-12-29 and 2026-01-05 are Mondays.
    assert_eq!(
        d["week"]["buckets"],
        json!([{"start": "2025-12-22", "from": "2025-12-27", "to": "2025-12-28"},
               {"start": "2025-12-29", "from": "2025-12-29", "to": "2026-01-04"},
               {"start": "2026-01-05", "from": "2026-01-05", "to": "2026-01-06"}])
    );
    assert_eq!(
        d["week"]["metrics"],
        json!([{"metric": "UPLOADS", "values": [1, 3, 1]},
               {"metric": "ACTIVE_USERS", "values": [1, 2, 1]},
               {"metric": "DOWNLOADS", "values": [0, 0, 0]}])
    );
    assert_eq!(
        d["month"]["buckets"],
        json!([{"start": "2025-12-01", "from": "2025-12-27", "to": "2025-12-31"},
               {"start": "2026-01-01", "from": "2026-01-01", "to": "2026-01-06"}])
    );
    // December: u1 and u2; January: u1 and u3.
    assert_eq!(
        d["month"]["metrics"],
        json!([{"values": [3, 2]}, {"values": [2, 2]}])
    );
    // 2025-12-29: u1 and u2.
    assert_eq!(
        d["day"]["metrics"],
        json!([{"values": [1, 0, 2]}, {"values": [1, 0, 2]}])
    );
    // [1, 3, 1] against [1, 2, 1]: deviations proportional, r = 1.
    let r = d["correlation"]["coefficient"].as_f64().unwrap();
    assert!((r - 1.0).abs() < 1e-9, "{r}");
    // A series that does not vary: undefined.
    assert_eq!(d["flat"]["coefficient"], Value::Null);
}

#[tokio::test]
async fn days_at_daylight_saving_changes_are_one_bucket_each() {
    let app = spawn_app().await;
    let berlin = app
        .environment("berlin", "Europe/Berlin", "reports:read,events:write")
        .await;
    let new_york = app
        .environment("ny", "America/New_York", "reports:read,events:write")
        .await;
    // Berlin springs forward on 2025-03-30 (a 23-hour day, 22:00Z the day before to 22:00Z).
    let up = |id: &str, at: &str| upload(id, at, Some("u1"), id, "WEB", "IMAGE");
    ingest_ok(
        &app,
        &berlin,
        &[
            up("b1", "2025-03-28T23:00:00Z"), // 03-29 00:00 CET
            up("b2", "2025-03-29T23:30:00Z"), // 03-30 00:30 CET
            up("b3", "2025-03-30T21:59:00Z"), // 03-30 23:59 CEST
            up("b4", "2025-03-30T22:00:00Z"), // 03-31 00:00 CEST
        ],
    )
    .await;
    // New York falls back on 2025-11-02 (a 25-hour day, 04:00Z to 05:00Z the day after).
    ingest_ok(
        &app,
        &new_york,
        &[
            up("n1", "2025-11-02T03:59:00Z"), // 11-01 23:59 EDT
            up("n2", "2025-11-02T04:00:00Z"), // 11-02 00:00 EDT
            up("n3", "2025-11-03T04:30:00Z"), // 11-02 23:30 EST
            up("n4", "2025-11-03T05:00:00Z"), // 11-03 00:00 EST
        ],
    )
    .await;
    let q = |from: &str, to: &str| {
        format!(
            r#"{{ series(metrics: [UPLOADS], range: {{from: "{from}", to: "{to}"}}, interval: DAY) {{ metrics {{ values }} }}
                 events(metric: UPLOADS, range: {{from: "{to}", to: "{to}"}}) {{ nodes {{ eventId }} }}
                 one: events(metric: UPLOADS, range: {{from: "{from}", to: "{from}"}}) {{ nodes {{ eventId }} }} }}"#
        )
    };
    let d = app
        .data(&berlin, &q("2025-03-29", "2025-03-30"), json!({}))
        .await;
    assert_eq!(d["series"]["metrics"][0]["values"], json!([1, 2]));
    assert_eq!(
        d["events"]["nodes"],
        json!([{"eventId": "b3"}, {"eventId": "b2"}])
    );
    assert_eq!(d["one"]["nodes"], json!([{"eventId": "b1"}]));
    let d = app
        .data(&new_york, &q("2025-11-01", "2025-11-02"), json!({}))
        .await;
    assert_eq!(d["series"]["metrics"][0]["values"], json!([1, 2]));
    assert_eq!(
        d["events"]["nodes"],
        json!([{"eventId": "n3"}, {"eventId": "n2"}])
    );
    assert_eq!(d["one"]["nodes"], json!([{"eventId": "n1"}]));
}

#[tokio::test]
async fn breakdown_by_metaproperty_and_tag_with_a_no_value_bucket() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let at = "2025-05-02T10:00:00Z";
    let asset = |id: &str, fields: Value| {
        let mut e = upload(&format!("up-{id}"), at, Some("u1"), id, "WEB", "IMAGE");
        for (k, v) in fields.as_object().unwrap() {
            e[k] = v.clone();
        }
        e
    };
    let mut events = vec![
        asset(
            "a1",
            json!({"metaproperties": {"Region": ["EMEA", "APAC"]}, "tags": ["red", "car"], "folder": "/cars"}),
        ),
        asset("a2", json!({"metaproperties": {"Region": ["EMEA"]}})),
        asset("a3", json!({})),
    ];
    for (i, (asset, bulk)) in [
        ("a1", false),
        ("a1", false),
        ("a2", false),
        ("a3", false),
        ("a3", false),
        ("a3", false),
        ("a2", true),
        ("a2", true),
    ]
    .iter()
    .enumerate()
    {
        events.push(download(
            &format!("d{i}"),
            at,
            "u1",
            asset,
            &format!("x{i}"),
            *bulk,
        ));
    }
    ingest_ok(&app, &key, &events).await;
    let q = r#"query($by: BreakdownBy!, $after: String, $first: Int) {
        breakdown(metric: DOWNLOADS, by: $by, range: {from: "2025-05-01", to: "2025-05-31"}, first: $first, after: $after) {
          totalCount countSum pageInfo { hasNextPage endCursor } edges { node { value } count } } }"#;
    let pairs = |d: &Value| -> Vec<(Value, i64)> {
        d["breakdown"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["node"]["value"].clone(), e["count"].as_i64().unwrap()))
            .collect()
    };
    // EMEA: a1 (2) + a2 (1); APAC: a1 (2); no Region: a3 (3). Bulk downloads are not counted.
    let by = json!({"dimension": "METAPROPERTY", "name": "Region"});
    let d = app.data(&key, q, json!({"by": by, "first": 2})).await;
    assert_eq!(d["breakdown"]["totalCount"], 3);
    // "All others": every value's count, a1's two values each counting its 2.
    assert_eq!(d["breakdown"]["countSum"], 8);
    assert_eq!(pairs(&d), [(json!("EMEA"), 3), (Value::Null, 3)]);
    let after = d["breakdown"]["pageInfo"]["endCursor"].clone();
    let d = app
        .data(&key, q, json!({"by": by, "first": 2, "after": after}))
        .await;
    assert_eq!(pairs(&d), [(json!("APAC"), 2)]);
    assert_eq!(d["breakdown"]["pageInfo"]["hasNextPage"], false);
    // Tags: a1 counts under both of its tags.
    let d = app.data(&key, q, json!({"by": {"dimension": "TAG"}})).await;
    assert_eq!(
        pairs(&d),
        [(Value::Null, 4), (json!("car"), 2), (json!("red"), 2)]
    );
    let d = app
        .data(&key, q, json!({"by": {"dimension": "FOLDER"}}))
        .await;
    assert_eq!(pairs(&d), [(Value::Null, 4), (json!("/cars"), 2)]);
    // Bad requests say what is accepted.
    let answer = app
        .graphql(&key, q, json!({"by": {"dimension": "METAPROPERTY"}}))
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("by.name")
    );
    let answer = app
        .graphql(&key, r#"{ breakdown(metric: ACTIVE_USERS, by: {dimension: TAG}, range: {from: "2025-05-01", to: "2025-05-31"}) { totalCount } }"#, json!({}))
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
}

#[tokio::test]
async fn entities_carry_stats_and_their_events() {
    let (app, key) = aspects_app().await;
    ingest_ok(
        &app,
        &key,
        &[
            ev(
                "c1",
                "collection.created",
                "2025-03-10T06:00:00Z",
                Some("u1"),
                json!({"collectionId": "c1", "name": "Spring", "public": true}),
            ),
            ev(
                "ca1",
                "asset.added_to_collection",
                "2025-03-10T06:10:00Z",
                Some("u1"),
                json!({"assetId": "a1", "collectionId": "c1"}),
            ),
            ev(
                "ca2",
                "asset.added_to_collection",
                "2025-03-10T06:20:00Z",
                Some("u1"),
                json!({"assetId": "a2", "collectionId": "c1"}),
            ),
            ev(
                "cv1",
                "collection.viewed",
                "2025-03-11T06:00:00Z",
                None,
                json!({"collectionId": "c1", "viaPublicLink": true}),
            ),
            ev(
                "cv2",
                "collection.viewed",
                "2025-03-11T07:00:00Z",
                Some("u2"),
                json!({"collectionId": "c1", "viaPublicLink": false}),
            ),
            ev(
                "cd1",
                "collection.downloaded",
                "2025-03-12T07:00:00Z",
                None,
                json!({"collectionId": "c1", "assetId": "a1", "variant": "ORIGINAL"}),
            ),
            ev(
                "s1",
                "search.performed",
                "2025-03-11T08:00:00Z",
                Some("u1"),
                json!({"kind": "TEXT", "query": "logo"}),
            ),
            download("d6", "2025-03-12T09:00:00Z", "u1", "a1", "x9", false),
        ],
    )
    .await;
    let q = format!(
        r#"{{ a1: asset(id: "a1") {{ stats(range: {RANGE}) {{ views downloads downloaders collections }}
                 events(range: {RANGE}, first: 3) {{ totalCount nodes {{ eventId }} }} }}
             a3: asset(id: "a3") {{ status stats(range: {RANGE}) {{ views downloads }} }}
             u1: user(id: "u1") {{ stats(range: {RANGE}) {{ searches downloads uploads logins lastLoginAt }} }}
             u2: user(id: "u2") {{ stats(range: {{from: "2025-03-01", to: "2025-03-09"}}) {{ logins lastLoginAt }} }}
             c1: collection(id: "c1") {{ stats(range: {RANGE}) {{ views publicViews downloads assets }} }}
             j1: job(id: "j1") {{ status durationSeconds stats(range: {RANGE}) {{ revisions stages {{ fromStage toStage sentBack at }} }} }} }}"#
    );
    let d = app.data(&key, &q, json!({})).await;
    // a1: viewed twice; downloaded by u1 (d1, d6) non-bulk and by u2 in bulk (d3); in c1.
    assert_eq!(
        d["a1"]["stats"],
        json!({"views": 2, "downloads": 2, "downloaders": 1, "collections": 1})
    );
    // a1's events in the range: up1, v1, d1, ca1, v2, d3, ar1, cd1, d6 = 9, newest first.
    assert_eq!(d["a1"]["events"]["totalCount"], 9);
    assert_eq!(
        d["a1"]["events"]["nodes"],
        json!([{"eventId": "d6"}, {"eventId": "cd1"}, {"eventId": "ar1"}])
    );
    // A deleted asset still resolves.
    assert_eq!(d["a3"]["status"], "DELETED");
    assert_eq!(d["a3"]["stats"], json!({"views": 0, "downloads": 0}));
    assert_eq!(
        d["u1"]["stats"],
        json!({"searches": 1, "downloads": 3, "uploads": 1, "logins": 2, "lastLoginAt": "2025-03-11T07:30:00+00:00"})
    );
    assert_eq!(
        d["u2"]["stats"],
        json!({"logins": 1, "lastLoginAt": "2025-03-09T07:30:00+00:00"})
    );
    assert_eq!(
        d["c1"]["stats"],
        json!({"views": 2, "publicViews": 1, "downloads": 1, "assets": 2})
    );
    assert_eq!(d["j1"]["status"], "FINISHED");
    assert_eq!(d["j1"]["durationSeconds"], 604800);
    assert_eq!(d["j1"]["stats"]["revisions"], 2);
    assert_eq!(d["j1"]["stats"]["stages"].as_array().unwrap().len(), 4);
    assert_eq!(d["j1"]["stats"]["stages"][0]["sentBack"], false);
    assert_eq!(d["j1"]["stats"]["stages"][1]["sentBack"], true);

    // An event is a node.
    let d = app.data(&key, r#"{ events(metric: LOGOUTS, range: {from: "2025-03-11", to: "2025-03-11"}) { nodes { id } } }"#, json!({})).await;
    let id = d["events"]["nodes"][0]["id"].clone();
    let d = app
        .data(&key, r#"query($id: ID!) { node(id: $id) { ... on Event { eventId type user { userId } } } }"#, json!({"id": id}))
        .await;
    assert_eq!(
        d["node"],
        json!({"eventId": "o1", "type": "user.logged_out", "user": {"userId": "u1"}})
    );
}

#[tokio::test]
async fn bad_ranges_are_refused_with_what_is_accepted() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    for (range, needle) in [
        (r#"{from: "2025-03-12", to: "2025-03-10"}"#, "after"),
        (r#"{from: "2024-01-01", to: "2026-01-01"}"#, "2 years"),
        (r#"{from: "2025-3-01", to: "2025-03-10"}"#, "YYYY-MM-DD"),
        (r#"{from: "2025-02-30", to: "2025-03-10"}"#, "YYYY-MM-DD"),
    ] {
        let answer = app
            .graphql(
                &key,
                &format!("{{ insights(range: {range}) {{ media {{ uploads {{ current }} }} }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{answer}"
        );
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(needle),
            "{answer}"
        );
    }
    let answer = app
        .graphql(&key, r#"{ series(metrics: [JOB_DURATION], range: {from: "2025-03-01", to: "2025-03-10"}, interval: DAY) { buckets { start } } }"#, json!({}))
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
    let answer = app
        .graphql(&key, r#"{ events(metric: UPLOADS, range: {from: "2025-03-01", to: "2025-03-10"}, after: "bm9wZQ") { totalCount } }"#, json!({}))
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
}
