//! The checked-in SDL is the served schema, and every part of it is described.
use crate::helpers::spawn_app;
use axum::body::Body;
use axum::http::Request;
use serde_json::json;

#[test]
fn schema_graphql_equals_the_served_schema() {
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
            .expect("schema.graphql is checked in");
    let served = dam_insights::graphql::sdl();
    if checked_in != served {
        panic!(
            "schema.graphql differs from the served schema: regenerate it with \
             `cargo run -- print-schema > schema.graphql` and review the diff"
        );
    }
}

#[test]
fn admin_schema_graphql_equals_the_served_operator_schema() {
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/admin-schema.graphql"))
            .expect("admin-schema.graphql is checked in");
    assert!(
        checked_in == dam_insights::graphql::operator::sdl(),
        "admin-schema.graphql differs from the served operator schema: regenerate it with \
         `cargo run -- print-schema --admin > admin-schema.graphql`"
    );
}

#[tokio::test]
async fn every_type_field_and_argument_is_described() {
    for path in ["/graphql", "/admin/graphql"] {
        let missing = undescribed(path).await;
        assert!(missing.is_empty(), "undescribed in {path}: {missing:?}");
    }
}

/// The types, fields, arguments and values of the schema served at `path` that have no
/// description.
async fn undescribed(path: &str) -> Vec<String> {
    let app = spawn_app().await;
    let query = r#"{ __schema { types { name kind description
        fields { name description args { name description } }
        inputFields { name description }
        enumValues { name description } } } }"#;
    let request = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let answer = app.send(request).await.json();
    let mut missing = Vec::new();
    for t in answer["data"]["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if name.starts_with("__")
            || ["String", "Int", "Float", "Boolean", "ID", "DateTime"].contains(&name)
        {
            continue;
        }
        let described = |v: &serde_json::Value| {
            v["description"]
                .as_str()
                .is_some_and(|d| !d.trim().is_empty())
        };
        if !described(t) {
            missing.push(name.to_owned());
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            if !described(f) {
                missing.push(format!("{name}.{}", f["name"]));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if !described(a) {
                    missing.push(format!("{name}.{}({})", f["name"], a["name"]));
                }
            }
        }
        for f in t["inputFields"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(t["enumValues"].as_array().into_iter().flatten())
        {
            if !described(f) {
                missing.push(format!("{name}.{}", f["name"]));
            }
        }
    }
    missing
}
