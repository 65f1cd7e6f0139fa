//! `dam-insights persisted-queries manifest FILE…`: the manifest of documents to register
//! in advance (`--persisted-queries`), in Apollo's persisted-query manifest format.
use crate::http::persisted::sha256_hex;
use anyhow::Context;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Prints the manifest of `files`, one document each (its text exactly as the client
/// sends it: the hash is of those bytes).
pub fn manifest(files: &[PathBuf]) -> anyhow::Result<()> {
    let mut operations = Vec::new();
    for file in files {
        let body =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let doc = async_graphql::parser::parse_query(&body)
            .map_err(|e| anyhow::anyhow!("{} is not a GraphQL document: {e}", file.display()))?;
        let (name, ty) = match &doc.operations {
            DocumentOperations::Single(op) => (None, op.node.ty),
            DocumentOperations::Multiple(ops) if ops.len() == 1 => {
                let (name, op) = ops.iter().next().expect("one operation");
                (Some(name.to_string()), op.node.ty)
            }
            DocumentOperations::Multiple(_) => anyhow::bail!(
                "{} holds several operations: put each in a file of its own",
                file.display()
            ),
        };
        let name = name.unwrap_or_else(|| {
            file.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let ty = match ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        operations.push(json!({ "id": sha256_hex(&body), "name": name, "type": ty, "body": body }));
    }
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": Value::Array(operations),
    });
    println!("{}", serde_json::to_string_pretty(&manifest)?);
    Ok(())
}
