//! Puts the fields of a response in the order the query selected them (the GraphQL spec
//! asks for it; async-graphql 7.2 inserts them in the order they finished resolving).
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};
use serde_json::{Map, Value};
use std::collections::HashMap;

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// Reorders `data` after the selection of the operation `operation_name` of the parsed
/// document `doc` picks.
pub fn order_response(data: &mut Value, doc: &ExecutableDocument, operation_name: Option<&str>) {
    let ExecutableDocument {
        operations,
        fragments,
        ..
    } = doc;
    let set = match (operations, operation_name) {
        (DocumentOperations::Single(op), _) => &op.node.selection_set,
        (DocumentOperations::Multiple(ops), Some(name)) => {
            match ops.iter().find(|(n, _)| n.as_str() == name) {
                Some((_, op)) => &op.node.selection_set,
                None => return,
            }
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.iter().next() {
            Some((_, op)) => &op.node.selection_set,
            None => return,
        },
        _ => return,
    };
    reorder(data, &[&set.node], fragments, 0);
}

/// The response keys the sets select, in order, each with the sets selected below it.
fn collect<'a>(
    sets: &[&'a SelectionSet],
    fragments: &'a Fragments,
    depth: usize,
    out: &mut Vec<(String, Vec<&'a SelectionSet>)>,
) {
    if depth > 64 {
        return;
    }
    for set in sets {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.alias.as_ref().unwrap_or(&field.name).node.to_string();
                    let index = match out.iter().position(|(k, _)| *k == key) {
                        Some(i) => i,
                        None => {
                            out.push((key, Vec::new()));
                            out.len() - 1
                        }
                    };
                    out[index].1.push(&field.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                        collect(
                            &[&fragment.node.selection_set.node],
                            fragments,
                            depth + 1,
                            out,
                        );
                    }
                }
                Selection::InlineFragment(inline) => {
                    collect(
                        &[&inline.node.selection_set.node],
                        fragments,
                        depth + 1,
                        out,
                    );
                }
            }
        }
    }
}

fn reorder(value: &mut Value, sets: &[&SelectionSet], fragments: &Fragments, depth: usize) {
    if depth > 64 {
        return;
    }
    match value {
        Value::Array(items) => {
            for item in items {
                reorder(item, sets, fragments, depth + 1);
            }
        }
        Value::Object(map) => {
            let mut keys = Vec::new();
            collect(sets, fragments, 0, &mut keys);
            let mut old = std::mem::take(map);
            let mut ordered = Map::with_capacity(old.len());
            for (key, below) in keys {
                if let Some(mut v) = old.remove(&key) {
                    reorder(&mut v, &below, fragments, depth + 1);
                    ordered.insert(key, v);
                }
            }
            ordered.extend(old);
            *map = ordered;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::order_response;
    use serde_json::json;

    #[test]
    fn fields_follow_the_query_through_aliases_fragments_and_lists() {
        let mut data =
            json!({"b": 1, "list": [{"y": 1, "x": 2, "__typename": "T"}], "a": {"d": 1, "c": 2}});
        let query =
            "query Q { a { ...F } list { __typename ... on T { x } y } b } fragment F on A { c d }";
        let doc = async_graphql::parser::parse_query(query).unwrap();
        order_response(&mut data, &doc, Some("Q"));
        assert_eq!(
            data.to_string(),
            r#"{"a":{"c":2,"d":1},"list":[{"__typename":"T","x":2,"y":1}],"b":1}"#
        );
    }
}
