//! The standard introspection documents (fixtures written by
//! tests/api/fixtures/introspection/generate.mjs and generate_gql.py) get the schema over
//! HTTP; a deeper hand-made one is refused; production mode refuses introspection with a
//! code.
use crate::document_limits::{error, gql};
use crate::helpers::{spawn_app, spawn_app_with};
use serde_json::Value;

const FIXTURES: [(&str, &str); 4] = [
    (
        "graphql-js-every-option",
        include_str!("fixtures/introspection/graphql-js-every-option.graphql"),
    ),
    (
        "graphiql-4",
        include_str!("fixtures/introspection/graphiql-4.graphql"),
    ),
    (
        "apollo",
        include_str!("fixtures/introspection/apollo.graphql"),
    ),
    (
        "python-gql",
        include_str!("fixtures/introspection/python-gql.graphql"),
    ),
];

fn scalar<'a>(schema: &'a Value, name: &str) -> &'a Value {
    schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("type {name}"))
}

#[tokio::test]
async fn the_standard_introspection_documents_get_the_schema() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    for (name, doc) in FIXTURES {
        let r = gql(&app, Some(&key), doc).await.ok_json();
        assert!(r.get("errors").is_none(), "{name}: {r}");
        let schema = &r["data"]["__schema"];
        assert_eq!(schema["queryType"]["name"], "Query", "{name}");
        assert!(schema["types"].as_array().unwrap().len() > 100, "{name}");
        // Charged what it expands to, not refused for it.
        let cost = r["extensions"]["cost"]["requested"].as_u64().unwrap();
        assert!(cost > 100 && cost < 1_000, "{name}: {cost}");
    }
    // Every option on: the schema's own description, the scalars' specifications.
    let r = gql(&app, Some(&key), FIXTURES[0].1).await.ok_json();
    let schema = &r["data"]["__schema"];
    assert!(
        schema["description"]
            .as_str()
            .unwrap()
            .starts_with("dam-insights: analytics of the activity"),
        "{}",
        schema["description"]
    );
    assert_eq!(
        scalar(schema, "DateTime")["specifiedByURL"],
        "https://datatracker.ietf.org/doc/html/rfc3339"
    );
    assert!(
        scalar(schema, "DateTime")["description"]
            .as_str()
            .unwrap()
            .starts_with("An instant, written as RFC 3339")
    );
    for name in ["Date", "Month"] {
        assert_eq!(
            scalar(schema, name)["specifiedByURL"],
            "https://www.iso.org/iso-8601-date-and-time-format.html"
        );
    }
    assert!(
        scalar(schema, "JSON")["description"]
            .as_str()
            .unwrap()
            .starts_with("Any JSON value (RFC 8259)")
    );
    // Without a key too (tools fetch the schema before they are given one).
    let r = gql(&app, None, FIXTURES[1].1).await.ok_json();
    assert!(r.get("errors").is_none(), "{r}");
}

#[tokio::test]
async fn introspection_deeper_than_the_standard_ones_or_beside_data_is_refused() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    // 30 levels of ofType written out: 33 brackets deep, refused before parsing.
    let written = format!(
        "{{ __schema {{ types {{ {} name {} }} }} }}",
        "ofType { ".repeat(30),
        "}".repeat(30)
    );
    let (code, message) = error(&gql(&app, Some(&key), &written).await);
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    assert!(message.contains("nesting of brackets is 33"), "{message}");
    // The same through fragments: __schema, types and 31 levels of __Type: depth 33.
    let mut doc =
        String::from("query { __schema { types { ...T30 } } }\nfragment T0 on __Type { name }\n");
    for i in 1..=30 {
        doc.push_str(&format!(
            "fragment T{i} on __Type {{ kind ofType {{ ...T{} }} }}\n",
            i - 1
        ));
    }
    let (code, message) = error(&gql(&app, None, &doc).await);
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    assert!(
        message.contains("depth is 33, over the limit of 20 by 13"),
        "{message}"
    );
    // Introspection beside data is held to the ordinary limits: the standard document
    // (depth 15 with graphql-js's TypeRef) plus one data field goes over depth 12.
    let mixed = FIXTURES[0]
        .1
        .replacen("__schema {", "viewer { scopes } __schema {", 1);
    let (code, message) = error(&gql(&app, Some(&key), &mixed).await);
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    assert!(message.contains("over the limit of 12"), "{message}");
}

#[tokio::test]
async fn production_mode_refuses_introspection_with_a_code() {
    let app = spawn_app_with(|c| c.production = true).await;
    let key = app.full_key().await;
    for doc in [
        "{ __schema { types { name } } }",
        "{ __type(name: \"Query\") { name } }",
        "query { ...S } fragment S on Query { __schema { queryType { name } } }",
        FIXTURES[1].1,
    ] {
        let r = gql(&app, Some(&key), doc).await;
        let (code, message) = error(&r);
        assert_eq!(code, "INTROSPECTION_DISABLED", "{doc}");
        assert!(message.contains("production mode"), "{message}");
        assert!(r.json().get("data").is_none());
    }
    // __typename is not introspection of the schema.
    let r = gql(&app, Some(&key), "{ __typename }").await.ok_json();
    assert_eq!(r["data"]["__typename"], "Query");
}
