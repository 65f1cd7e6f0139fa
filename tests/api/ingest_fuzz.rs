//! A property test of ingest through HTTP, with a fixed seed and a bounded number of
//! cases: batches of valid events, some bent with long or odd Unicode text, U+0000,
//! lone surrogates, numbers over 64 bits, odd dates, repeated keys and deep nesting.
//! Every call answers 200; every line is accepted, a duplicate or rejected by its line;
//! what was accepted is stored and nothing else; every event bent in a way the database
//! cannot take is rejected; and the rollups ingest maintained equal a rebuild.
use crate::helpers::spawn_app;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use std::cell::Cell;
use std::collections::HashMap;

/// One field of an item as raw JSON text: a key and its value's text.
type RawField = (String, String);

/// An item: its fields in order, and whether a bend made it certainly unacceptable.
#[derive(Clone, Debug)]
struct RawItem {
    fields: Vec<RawField>,
    must_reject: bool,
}

impl RawItem {
    fn text(&self) -> String {
        let inner: Vec<String> = self
            .fields
            .iter()
            .map(|(k, v)| format!("{}:{v}", Value::String(k.clone())))
            .collect();
        format!("{{{}}}", inner.join(","))
    }
}

/// A valid event of one of a few types, as (key, JSON value) pairs.
fn base(kind: u8, day: u32) -> Vec<(&'static str, Value)> {
    let at = json!(format!("2025-10-{day:02}T09:00:00Z"));
    let mut fields = vec![("occurredAt", at), ("userId", json!("u1"))];
    let own: Vec<(&'static str, Value)> = match kind {
        0 => vec![
            ("type", json!("search.performed")),
            ("kind", json!("TEXT")),
            ("query", json!("Logo")),
        ],
        1 => vec![
            ("type", json!("search.performed")),
            ("kind", json!("FILTER")),
            ("filters", json!([{"field": "Region", "value": "EMEA"}])),
        ],
        2 => vec![
            ("type", json!("search.performed")),
            ("kind", json!("EXPRESSION")),
            ("expression", json!("a AND b")),
            ("resultCount", json!(3)),
        ],
        3 => vec![
            ("type", json!("asset.uploaded")),
            ("assetId", json!("a1")),
            ("filename", json!("f.jpg")),
            ("assetType", json!("IMAGE")),
            ("source", json!("WEB")),
            ("metaproperties", json!({"Region": ["EMEA"]})),
        ],
        _ => vec![
            ("type", json!("collection.created")),
            ("collectionId", json!("c1")),
            ("name", json!("Summer")),
            ("public", json!(true)),
        ],
    };
    fields.extend(own);
    fields
}

/// Odd text: letters from awkward corners of Unicode, up to a few kilobytes.
fn odd_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a".to_owned()),
        Just(" ".to_owned()),
        Just("İ".to_owned()),
        Just("Ⱥ".to_owned()),
        Just("e\u{301}".to_owned()),
        Just("\u{202e}".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("\u{fffd}".to_owned()),
        Just("\u{10ffff}".to_owned()),
        Just("😀".to_owned()),
        Just("漢".to_owned()),
        Just("\"\\".to_owned()),
    ];
    (prop::collection::vec(piece, 1..40), 1usize..200).prop_map(|(pieces, times)| {
        let unit: String = pieces.concat();
        unit.repeat(times)
    })
}

/// A bend: what it does to an item's fields, and whether it makes the item certainly
/// unacceptable.
#[derive(Clone, Debug)]
enum Bend {
    /// Some string field becomes this text (within limits or not: either answer is right).
    Text(String),
    /// Some string field gets U+0000 inside.
    Nul,
    /// Some string field becomes a lone surrogate escape.
    Surrogate,
    /// `resultCount` (added if absent) becomes this raw number text.
    Number(&'static str, bool),
    /// occurredAt becomes this text.
    Date(&'static str, bool),
    /// A key already there is sent again.
    Repeat,
    /// A field's value is wrapped in this many arrays.
    Nest(usize),
}

fn bend() -> impl Strategy<Value = Bend> {
    prop_oneof![
        odd_text().prop_map(Bend::Text),
        Just(Bend::Nul),
        Just(Bend::Surrogate),
        prop_oneof![
            Just(("9223372036854775807", false)),
            Just(("9223372036854775808", true)),
            Just(("18446744073709551616", true)),
            Just(("-1", true)),
            Just(("1.5", true)),
            Just(("1e400", true)),
            Just(("-0", false)),
        ]
        .prop_map(|(n, bad)| Bend::Number(n, bad)),
        prop_oneof![
            Just(("0000-01-01T00:00:00Z", true)),
            Just(("0001-01-01T00:00:00Z", true)),
            Just(("1969-12-31T23:59:59Z", true)),
            Just(("1970-01-01T00:00:00Z", false)),
            Just(("2025-10-03T23:59:60Z", true)),
            Just(("2025-10-03T09:00:00+23:59", false)),
            Just(("9999-12-31T23:59:59Z", true)),
            Just(("2025-13-01T00:00:00Z", true)),
            Just(("+2025-10-03T09:00:00Z", true)),
        ]
        .prop_map(|(d, bad)| Bend::Date(d, bad)),
        Just(Bend::Repeat),
        (1usize..40).prop_map(Bend::Nest),
    ]
}

fn item() -> impl Strategy<Value = (u8, u32, Vec<(Bend, usize)>)> {
    (
        0u8..5,
        1u32..=28,
        prop::collection::vec((bend(), 0usize..16), 0..3),
    )
}

/// Applies `bends` to a valid event of `kind` with id `id`.
fn build(id: &str, kind: u8, day: u32, bends: &[(Bend, usize)]) -> RawItem {
    let mut fields: Vec<RawField> = vec![("id".to_owned(), json!(id).to_string())];
    fields.extend(
        base(kind, day)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_string())),
    );
    // Whether each bent field, the date and the count end up unacceptable: a later bend
    // of the same field replaces an earlier one.
    let mut bad_fields: HashMap<usize, bool> = HashMap::new();
    let mut date_bad = false;
    let mut number_bad = false;
    let mut repeated = false;
    // Fields whose value is a plain string other than the id and type.
    let strings = |fields: &[RawField]| -> Vec<usize> {
        (0..fields.len())
            .filter(|&i| {
                let k = fields[i].0.as_str();
                k != "id" && k != "type" && k != "occurredAt" && fields[i].1.starts_with('"')
            })
            .collect()
    };
    for (bend, pick) in bends {
        let candidates = strings(&fields);
        let Some(&target) = candidates.get(pick % candidates.len().max(1)) else {
            continue;
        };
        match bend {
            Bend::Text(text) => {
                fields[target].1 = json!(text).to_string();
                bad_fields.insert(target, false);
            }
            Bend::Nul => {
                fields[target].1 = json!(format!("x\u{0}y")).to_string();
                bad_fields.insert(target, true);
            }
            Bend::Surrogate => {
                fields[target].1 = "\"a\\udc00b\"".to_owned();
                bad_fields.insert(target, true);
            }
            Bend::Number(n, bad) => {
                fields.retain(|(k, _)| k != "resultCount");
                fields.push(("resultCount".to_owned(), (*n).to_owned()));
                // Only a search declares resultCount.
                number_bad = *bad || kind > 2;
            }
            Bend::Date(d, bad) => {
                for f in fields.iter_mut().filter(|(k, _)| k == "occurredAt") {
                    f.1 = json!(d).to_string();
                }
                date_bad = *bad;
            }
            Bend::Repeat => {
                let again = fields[pick % fields.len()].clone();
                fields.push(again);
                repeated = true;
            }
            Bend::Nest(depth) => {
                let value = &mut fields[target].1;
                *value = format!("{}{value}{}", "[".repeat(*depth), "]".repeat(*depth));
                // Any array in place of a plain string is refused; past 15 more levels
                // the JSON itself is.
                bad_fields.insert(target, true);
            }
        }
    }
    let must_reject = repeated || date_bad || number_bad || bad_fields.values().any(|b| *b);
    RawItem {
        fields,
        must_reject,
    }
}

#[test]
fn random_bent_events_never_cost_a_500_nor_a_half_written_batch() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app());
    let key = rt.block_on(app.full_key());
    let config = Config {
        cases: 160,
        failure_persistence: None,
        max_shrink_iters: 0,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let case = Cell::new(0u32);
    let stored = Cell::new(0i64);
    let strategy = prop::collection::vec(item(), 1..8);
    runner
        .run(&strategy, |items| {
            let n = case.get();
            case.set(n + 1);
            let built: Vec<RawItem> = items
                .iter()
                .enumerate()
                .map(|(i, (kind, day, bends))| build(&format!("c{n}-{i}"), *kind, *day, bends))
                .collect();
            let body: String = built.iter().map(|b| format!("{}\n", b.text())).collect();
            let before = rt.block_on(app.count("events"));
            let reply =
                rt.block_on(app.post_body("/v1/events", &key, "application/x-ndjson", body));
            prop_assert_eq!(
                reply.status.as_u16(),
                200,
                "{}",
                String::from_utf8_lossy(&reply.body)
            );
            let answer = reply.json();
            let accepted = answer["accepted"].as_i64().unwrap();
            let rejected = answer["rejected"].as_u64().unwrap();
            prop_assert_eq!(answer["duplicates"].as_i64(), Some(0));
            prop_assert_eq!(accepted as u64 + rejected, built.len() as u64);
            let lines: Vec<u64> = answer["rejections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["line"].as_u64().unwrap())
                .collect();
            for (i, b) in built.iter().enumerate() {
                let line = i as u64 + 1;
                let refused = lines.contains(&line);
                if b.must_reject {
                    prop_assert!(refused, "line {} was accepted: {}", line, short(&b.text()));
                }
                // Each event is stored exactly when it was not refused.
                let id = format!("c{n}-{i}");
                let found = rt.block_on(count_id(&app, &id));
                prop_assert_eq!(found, i64::from(!refused), "{}", short(&b.text()));
            }
            stored.set(stored.get() + accepted);
            prop_assert_eq!(rt.block_on(app.count("events")), before + accepted);
            Ok(())
        })
        .map_err(|e| short(&e.to_string()))
        .unwrap();
    assert!(
        stored.get() > 50,
        "most events are stored: {}",
        stored.get()
    );

    // The rollups ingest kept equal a rebuild from what was stored.
    let env = rt
        .block_on(dam_insights::storage::environments::require(
            &app.db, "acme",
        ))
        .unwrap();
    let maintained = rt
        .block_on(dam_insights::storage::rollups::snapshot(&app.db, env.id))
        .unwrap();
    crate::cli::ok(&crate::cli::run(app.url(), &["rollups", "rebuild"]));
    let rebuilt = rt
        .block_on(dam_insights::storage::rollups::snapshot(&app.db, env.id))
        .unwrap();
    assert_eq!(maintained, rebuilt);
}

/// The start of a long text, for failure messages.
fn short(text: &str) -> String {
    text.chars().take(600).collect()
}

/// How many stored events have `id` (an id with odd characters is never looked up: the
/// test's ids are plain).
async fn count_id(app: &crate::helpers::TestApp, id: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "SELECT COUNT(*) AS n FROM events WHERE id = $1",
        _ => "SELECT COUNT(*) AS n FROM events WHERE id = ?",
    };
    let row = app
        .db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}
