//! Events that the database could not store are refused one by one, by name, before the
//! batch is written: texts over their byte limits, years outside 1970–9999, U+0000, lone
//! surrogates, integers over 64 bits, deep nesting, repeated keys. The rest of the batch
//! is stored, on SQLite and PostgreSQL alike, and rollups keep keys at their maximum.
use crate::helpers::spawn_app;
use crate::monthly::ev;
use dam_insights::storage::{environments, rollups};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// `bytes` bytes of random CJK characters (3 bytes each; one ASCII letter pads the rest):
/// texts that compress badly, as the worst case for an index row.
pub fn cjk(bytes: usize, seed: u64) -> String {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut s: String = (0..bytes / 3)
        .map(|_| char::from_u32(rng.gen_range(0x4E00..0x9FFF)).unwrap())
        .collect();
    s.push_str(&"x".repeat(bytes % 3));
    assert_eq!(s.len(), bytes);
    s
}

fn search(id: &str, fields: Value) -> Value {
    let mut e = ev(
        id,
        "search.performed",
        "2025-10-03T09:00:00Z",
        Some("u1"),
        json!({}),
    );
    for (k, v) in fields.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

/// The rejections of an ingest answer: line → (field, reason).
fn rejections(answer: &Value) -> std::collections::BTreeMap<u64, (String, String)> {
    answer["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                (
                    r["field"].as_str().unwrap_or("-").to_owned(),
                    r["reason"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn texts_over_their_byte_limits_are_refused_by_name_and_keys_at_the_limits_are_stored() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let user_max = cjk(255, 1);
    let events = vec![
        // 1: a query and a user id at their limits: a (query, user) rollup key of both.
        search(
            "q-max",
            json!({"kind": "TEXT", "query": cjk(1024, 2), "userId": user_max}),
        ),
        // 2: a filter field and value at their limits: the widest rollup key.
        search(
            "f-max",
            json!({"kind": "FILTER", "filters": [{"field": cjk(1024, 3), "value": cjk(1024, 4)}]}),
        ),
        // 3-6: one byte over.
        search("q-long", json!({"kind": "TEXT", "query": cjk(1025, 5)})),
        search(
            "v-long",
            json!({"kind": "VISUAL_TEXT", "query": cjk(1025, 6)}),
        ),
        search(
            "x-long",
            json!({"kind": "EXPRESSION", "expression": cjk(1025, 7)}),
        ),
        search(
            "fv-long",
            json!({"kind": "FILTER", "filters": [{"field": "Region", "value": cjk(1025, 8)}]}),
        ),
        // 7: 1,024 bytes as sent, 1,536 once lower-cased (Ⱥ is 2 bytes, ⱥ 3).
        search("q-lower", json!({"kind": "TEXT", "query": "Ⱥ".repeat(512)})),
        // 8: a user id one byte over; 9: an expression at its limit.
        search(
            "u-long",
            json!({"kind": "TEXT", "query": "logo", "userId": cjk(256, 9)}),
        ),
        search(
            "x-max",
            json!({"kind": "EXPRESSION", "expression": cjk(1024, 10)}),
        ),
        // 10, 11: other text at 4,096 bytes and one over.
        ev(
            "up-max",
            "asset.uploaded",
            "2025-10-03T09:00:00Z",
            Some("u1"),
            json!({"assetId": "a1", "filename": cjk(4096, 11), "assetType": "IMAGE", "source": "WEB"}),
        ),
        ev(
            "up-long",
            "asset.uploaded",
            "2025-10-03T09:00:00Z",
            Some("u1"),
            json!({"assetId": "a2", "filename": cjk(4097, 12), "assetType": "IMAGE", "source": "WEB"}),
        ),
        // 12: an asset id over 255 bytes; 13: a metaproperty name over 255 bytes.
        ev(
            "a-long",
            "asset.viewed",
            "2025-10-03T09:00:00Z",
            Some("u1"),
            json!({"assetId": cjk(256, 13)}),
        ),
        ev(
            "mp-long",
            "asset.uploaded",
            "2025-10-03T09:00:00Z",
            Some("u1"),
            json!({"assetId": "a3", "filename": "f", "assetType": "IMAGE", "source": "WEB",
                   "metaproperties": {cjk(256, 14): ["x"]}}),
        ),
    ];
    let answer = app.ingest(&key, &events).await;
    assert_eq!(answer["accepted"], 4, "{answer}");
    assert_eq!(answer["rejected"], 9, "{answer}");
    let got = rejections(&answer);
    let expect = [
        (3, "query", "query is 1025 bytes long: at most 1024 bytes"),
        (4, "query", "query is 1025 bytes long: at most 1024 bytes"),
        (
            5,
            "expression",
            "expression is 1025 bytes long: at most 1024 bytes",
        ),
        (
            6,
            "filters",
            "filters[0].value is 1025 bytes long: at most 1024 bytes",
        ),
        (
            7,
            "query",
            "query is 1536 bytes long once lower-cased: at most 1024 bytes",
        ),
        (8, "userId", "userId is 256 bytes long: at most 255 bytes"),
        (
            11,
            "filename",
            "filename is 4097 bytes long: at most 4096 bytes",
        ),
        (
            12,
            "assetId",
            "assetId is 256 bytes long: at most 255 bytes",
        ),
        (13, "metaproperties", "is 256 bytes long: at most 255 bytes"),
    ];
    for (line, field, reason) in expect {
        let (f, r) = &got[&line];
        assert_eq!(f, field, "line {line}: {r}");
        assert!(r.contains(reason), "line {line}: {r}");
    }
    assert_eq!(app.count("events").await, 4);

    // The widest keys are in the rollups, and a rebuild makes the same rows.
    let env = environments::require(&app.db, "acme").await.unwrap();
    let maintained = rollups::snapshot(&app.db, env.id).await.unwrap();
    let widest = maintained
        .iter()
        .map(|r| r.key.len() + r.sub.len())
        .max()
        .unwrap();
    assert_eq!(widest, 2048);
    assert!(
        maintained
            .iter()
            .any(|r| r.metric == "searchQueryUser" && r.key.len() == 1024 && r.sub.len() == 255)
    );
    crate::cli::ok(&crate::cli::run(app.url(), &["rollups", "rebuild"]));
    assert_eq!(
        rollups::snapshot(&app.db, env.id).await.unwrap(),
        maintained
    );
}

#[tokio::test]
async fn years_nuls_big_numbers_surrogates_and_deep_nesting_are_refused_by_name() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let at = |id: &str, at: &str| ev(id, "asset.viewed", at, Some("u1"), json!({"assetId": "a1"}));
    let deep = format!("{}{}", "[".repeat(17), "]".repeat(17));
    let lines = [
        // 1-4: the year window's edges (in UTC: 00:30+01:00 is still 1969).
        at("y0", "0000-01-01T00:00:00Z").to_string(),
        at("y1969", "1969-12-31T23:59:59Z").to_string(),
        at("y1970", "1970-01-01T00:00:00Z").to_string(),
        at("y1970-local", "1970-01-01T00:30:00+01:00").to_string(),
        // 5-8: U+0000 in a field, in a filter, in a metaproperty name, in an id.
        search("nul-q", json!({"kind": "TEXT", "query": "a\u{0}b"})).to_string(),
        search("nul-f", json!({"kind": "FILTER", "filters": [{"field": "R", "value": "\u{0}"}]})).to_string(),
        ev("nul-mp", "asset.uploaded", "2025-10-03T09:00:00Z", Some("u1"),
            json!({"assetId": "a3", "filename": "f", "assetType": "IMAGE", "source": "WEB",
                   "metaproperties": {"R\u{0}": ["x"]}})).to_string(),
        at("nul\u{0}id", "2025-10-03T09:00:00Z").to_string(),
        // 9-12: integers at and over 64 bits, negative, not finite.
        search("n-max", json!({"kind": "TEXT", "query": "x", "resultCount": i64::MAX})).to_string(),
        r#"{"id":"n-over","type":"search.performed","occurredAt":"2025-10-03T09:00:00Z","kind":"TEXT","query":"x","resultCount":9223372036854775808}"#.to_owned(),
        r#"{"id":"n-neg","type":"search.performed","occurredAt":"2025-10-03T09:00:00Z","kind":"TEXT","query":"x","resultCount":-1}"#.to_owned(),
        r#"{"id":"n-inf","type":"search.performed","occurredAt":"2025-10-03T09:00:00Z","kind":"TEXT","query":"x","resultCount":1e400}"#.to_owned(),
        // 13: a lone surrogate; 14: nesting 17 deep.
        r#"{"id":"sur","type":"search.performed","occurredAt":"2025-10-03T09:00:00Z","kind":"TEXT","query":"\ud800"}"#.to_owned(),
        format!(r#"{{"id":"deep","type":"search.performed","occurredAt":"2025-10-03T09:00:00Z","kind":"TEXT","query":"x","resultCount":{deep}}}"#),
        // 15: a valid one after them all.
        at("last", "2025-10-03T09:00:00Z").to_string(),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let answer = app
        .post_body("/v1/events", &key, "application/x-ndjson", body)
        .await
        .ok_json();
    assert_eq!(answer["accepted"], 3, "{answer}");
    let got = rejections(&answer);
    let expect = [
        (
            1,
            "occurredAt",
            "lies in the year 0 (UTC): years 1970 to 9999 are accepted",
        ),
        (2, "occurredAt", "lies in the year 1969 (UTC)"),
        (4, "occurredAt", "lies in the year 1969 (UTC)"),
        (5, "query", "NUL character"),
        (6, "filters", "NUL character"),
        (7, "metaproperties", "NUL character"),
        (8, "id", "NUL character"),
        (
            10,
            "resultCount",
            "non-negative integer of at most 9223372036854775807",
        ),
        (11, "resultCount", "non-negative integer"),
        (12, "-", "not valid JSON"),
        (13, "-", "not valid JSON"),
        (14, "-", "nested more than 16 deep"),
    ];
    assert_eq!(got.len(), expect.len(), "{answer}");
    for (line, field, reason) in expect {
        let (f, r) = &got[&line];
        assert_eq!(f, field, "line {line}: {r}");
        assert!(r.contains(reason), "line {line}: {r}");
    }
    assert_eq!(app.count("events").await, 3);
}

#[tokio::test]
async fn a_repeated_key_is_refused_naming_it_on_every_ingest_path() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let ok =
        r#"{"id":"ok","type":"asset.viewed","occurredAt":"2025-10-03T09:00:00Z","assetId":"a1"}"#;
    let items = [
        r#"{"id":"a","type":"asset.viewed","occurredAt":"2025-10-03T09:00:00Z","assetId":"a1","id":"b"}"#,
        r#"{"id":"t","type":"asset.viewed","type":"asset.archived","occurredAt":"2025-10-03T09:00:00Z","assetId":"a1"}"#,
        r#"{"id":"f","type":"search.performed","occurredAt":"2025-10-03T09:00:00Z","kind":"FILTER","filters":[{"field":"R","value":"x","value":"y"}]}"#,
        ok,
    ];
    let expect = |answer: &Value| {
        assert_eq!(answer["accepted"], 1, "{answer}");
        let list = answer["rejections"].as_array().unwrap();
        let named: Vec<(u64, &str, Option<&str>)> = list
            .iter()
            .map(|r| {
                assert!(
                    r["reason"].as_str().unwrap().contains("appears twice"),
                    "{r}"
                );
                (
                    r["line"].as_u64().unwrap(),
                    r["field"].as_str().unwrap(),
                    r["eventId"].as_str(),
                )
            })
            .collect();
        // The id of an event whose id is repeated is unknown: neither value is taken.
        assert_eq!(
            named,
            [
                (1, "id", None),
                (2, "type", Some("t")),
                (3, "value", Some("f"))
            ]
        );
    };
    // NDJSON and a JSON array.
    let ndjson: String = items.iter().map(|l| format!("{l}\n")).collect();
    expect(
        &app.post_body("/v1/events", &key, "application/x-ndjson", ndjson)
            .await
            .ok_json(),
    );
    let array = format!("[{}]", items.join(","));
    let answer = app
        .post_body("/v1/events", &key, "application/json", array)
        .await
        .ok_json();
    assert_eq!(answer["duplicates"], 1);
    expect(&json!({"accepted": 1, "rejections": answer["rejections"]}));
    assert_eq!(app.count("events").await, 1);

    // Catalog sync.
    let records = [
        r#"{"kind":"asset","id":"a1","filename":"x.jpg","filename":"y.jpg"}"#,
        r#"{"kind":"asset","id":"a2","metaproperties":{"R":["x"],"R":["y"]}}"#,
        r#"{"kind":"asset","id":"a3","filename":"z.jpg"}"#,
    ];
    let body: String = records.iter().map(|l| format!("{l}\n")).collect();
    let answer = app
        .post_body("/v1/catalog", &key, "application/x-ndjson", body)
        .await
        .ok_json();
    assert_eq!(answer["upserted"], 1, "{answer}");
    let fields: Vec<&str> = answer["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["filename", "R"]);

    // The CLI import.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), items.join("\n")).unwrap();
    let output = crate::cli::run(
        app.url(),
        &[
            "import",
            file.path().to_str().unwrap(),
            "--environment",
            "acme",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("line 1: id: not valid JSON: the key \"id\" appears twice"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 2: event t: type: not valid JSON: the key \"type\" appears twice"),
        "{stderr}"
    );
    assert!(
        stderr.contains("0 accepted, 1 duplicates, 3 rejected"),
        "{stderr}"
    );
}

#[tokio::test]
async fn catalog_records_are_held_to_the_same_limits() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let records = [
        json!({"kind": "collection", "id": "c1", "name": "Kit", "assetIds": ["a1", cjk(256, 20)]}),
        json!({"kind": "asset", "id": "a1", "uploadedAt": "0000-06-01T00:00:00Z"}),
        json!({"kind": "user", "id": cjk(256, 21)}),
        json!({"kind": "portal", "id": "p1", "name": cjk(4097, 22)}),
        json!({"kind": "asset", "id": "a2", "filename": "x\u{0}.jpg"}),
        json!({"kind": "portal", "id": "p2", "name": cjk(4096, 23), "assetCount": i64::MAX}),
        json!({"kind": "collection", "id": "c2", "name": "Kit", "assetIds": [cjk(255, 24)]}),
    ];
    let body: String = records.iter().map(|r| format!("{r}\n")).collect();
    let answer = app
        .post_body("/v1/catalog", &key, "application/x-ndjson", body)
        .await
        .ok_json();
    assert_eq!(answer["upserted"], 2, "{answer}");
    let got = rejections(&answer);
    let expect = [
        (
            1,
            "assetIds",
            "assetIds[1] is 256 bytes long: at most 255 bytes",
        ),
        (2, "uploadedAt", "lies in the year 0 (UTC)"),
        (3, "id", "id is 256 bytes long: at most 255 bytes"),
        (4, "name", "name is 4097 bytes long: at most 4096 bytes"),
        (5, "filename", "NUL character"),
    ];
    assert_eq!(got.len(), expect.len(), "{answer}");
    for (line, field, reason) in expect {
        let (f, r) = &got[&line];
        assert_eq!(f, field, "line {line}: {r}");
        assert!(r.contains(reason), "line {line}: {r}");
    }
    assert_eq!(app.count("portals").await, 1);
    assert_eq!(app.count("collection_assets").await, 1);
}
