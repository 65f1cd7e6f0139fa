//! The demo data shows something in every report built beyond the seeds: search
//! effectiveness (zero-result searches on words the library lacks, converted searches),
//! unused and rising assets, and highlights, for the last whole month. Seeded as the
//! demo is (the generator), smaller: 10,000 events up to 2025-11-15, Europe/Amsterdam.
use crate::helpers::{TestApp, spawn_app};
use dam_insights::cli::SeedArgs;
use serde_json::json;

async fn demo() -> (TestApp, String) {
    let app = spawn_app().await;
    let args = SeedArgs {
        environment: "demo".into(),
        timezone: "Europe/Amsterdam".into(),
        events: 10_000,
        seed: 1,
        users: 30,
        assets: 500,
        until: chrono::NaiveDate::from_ymd_opt(2025, 11, 15),
    };
    dam_insights::seed::run(&app.db, &args).await.expect("seed");
    let key = app
        .environment("demo", "Europe/Amsterdam", "reports:read")
        .await;
    (app, key)
}

#[tokio::test]
async fn every_new_report_has_something_to_show_on_the_demo() {
    let (app, key) = demo().await;
    let d = app
        .data(
            &key,
            r#"{ monthlyReport(month: "2025-10") { search { effectiveness {
                   searchesWithResultCount { current } zeroResultSearches { current }
                   convertedSearches { current } searchConversionRate { current }
                   topZeroResultQueries(first: 1) { edges { node { query } } } } } }
                 unusedAssets(range: {from: "2025-10-01", to: "2025-10-31"}) { count }
                 risingAssets(month: "2025-10") { totalCount edges { node { assetId } downloads ratio } }
                 highlights(month: "2025-10") { enoughHistory items { metric direction } } }"#,
            json!({}),
        )
        .await;
    let e = &d["monthlyReport"]["search"]["effectiveness"];
    let n = |v: &serde_json::Value| v.as_i64().unwrap();
    let searches = n(&e["searchesWithResultCount"]["current"]);
    let zero = n(&e["zeroResultSearches"]["current"]);
    assert!(zero > 0 && zero < searches, "{e}");
    assert!(n(&e["convertedSearches"]["current"]) > 0, "{e}");
    // The launch nobody tagged yet leads the words the library lacks.
    assert_eq!(
        e["topZeroResultQueries"]["edges"][0]["node"]["query"],
        json!("aurora launch")
    );
    assert!(n(&d["unusedAssets"]["count"]) > 0, "{d}");
    let rising = &d["risingAssets"];
    assert!(n(&rising["totalCount"]) >= 3, "{rising}");
    assert_eq!(d["highlights"]["enoughHistory"], json!(true));
    let items = d["highlights"]["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["metric"] == "ZERO_RESULT_SEARCHES" && i["direction"] == "UP"),
        "{items:?}"
    );
}
