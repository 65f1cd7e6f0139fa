use super::generator::{Generator, GeneratorOptions};
use chrono::{DateTime, NaiveDate};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

fn options(events: u64, seed: u64) -> GeneratorOptions {
    GeneratorOptions {
        events,
        seed,
        until: NaiveDate::from_ymd_opt(2025, 10, 31).unwrap(),
        time_zone: chrono_tz::Europe::Amsterdam,
        users: 20,
        assets: 600,
        id_prefix: "t-".into(),
    }
}

#[test]
fn the_same_options_make_the_same_events() {
    let a: Vec<Value> = Generator::new(options(5_000, 3)).take(1000).collect();
    let b: Vec<Value> = Generator::new(options(5_000, 3)).take(1000).collect();
    let c: Vec<Value> = Generator::new(options(5_000, 4)).take(1000).collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn the_stream_is_ordered_complete_and_consistent() {
    let opts = options(20_000, 9);
    let events: Vec<Value> = Generator::new(opts.clone()).collect();
    let n = events.len() as f64;
    assert!((n - 20_000.0).abs() / 20_000.0 < 0.05, "{n} events");

    let end = opts.until.succ_opt().unwrap();
    let mut ids = HashSet::new();
    let mut last = None;
    let mut types = BTreeMap::new();
    let mut created: HashSet<String> = HashSet::new();
    for e in &events {
        let t = DateTime::parse_from_rfc3339(e["occurredAt"].as_str().unwrap()).unwrap();
        assert!(last.is_none_or(|l| l <= t), "time order at {e}");
        assert!(t.date_naive() < end);
        last = Some(t);
        assert!(
            ids.insert(e["id"].as_str().unwrap().to_owned()),
            "unique ids"
        );
        let ty = e["type"].as_str().unwrap();
        *types.entry(ty.to_owned()).or_insert(0) += 1;
        for (field, kind, creator) in [
            ("assetId", "a", "asset.uploaded"),
            ("referenceAssetId", "a", ""),
            ("collectionId", "c", "collection.created"),
            ("jobId", "j", "job.created"),
            ("userId", "u", "user.created"),
        ] {
            if let Some(id) = e[field].as_str() {
                if ty == creator {
                    created.insert(format!("{kind}{id}"));
                } else {
                    assert!(
                        created.contains(&format!("{kind}{id}")),
                        "{field} {id} used before it was created: {e}"
                    );
                }
            }
        }
    }
    for ty in [
        "asset.uploaded",
        "asset.viewed",
        "asset.downloaded",
        "asset.updated",
        "asset.archived",
        "asset.deleted",
        "asset.added_to_collection",
        "search.performed",
        "collection.created",
        "collection.published",
        "collection.unpublished",
        "collection.viewed",
        "collection.downloaded",
        "portal.published",
        "portal.unpublished",
        "job.created",
        "job.advanced",
        "job.sent_back",
        "job.finished",
        "user.created",
        "user.updated",
        "user.deleted",
        "user.logged_in",
        "user.logged_out",
    ] {
        assert!(types.contains_key(ty), "{ty} missing: {types:?}");
    }
}
