//! How an answer is held against what README shows. The demo data ends on the day it
//! is seeded, so most figures change with the date: by default an answer must have the
//! shape README shows (the same keys, in objects at every depth; arrays whose items each
//! have the shape of README's item at that place or its last one; the same kind of value
//! where both are non-null), and the paths an output block lists as `exact` must be
//! equal. Paths are dot-separated keys and array indexes, `*` for every item.
use serde_json::Value;

/// Where `got` does not have the shape of `want`.
pub fn shape(want: &Value, got: &Value, path: &str, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(w), Value::Object(g)) => {
            for k in w.keys().filter(|k| !g.contains_key(*k)) {
                out.push(format!("{path}.{k}: missing from the answer"));
            }
            for k in g.keys().filter(|k| !w.contains_key(*k)) {
                out.push(format!("{path}.{k}: in the answer, not in README"));
            }
            for (k, wv) in w {
                if let Some(gv) = g.get(k) {
                    shape(wv, gv, &format!("{path}.{k}"), out);
                }
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.is_empty() && !g.is_empty() {
                out.push(format!(
                    "{path}: README shows no items, the answer has {}",
                    g.len()
                ));
            }
            for (i, gv) in g.iter().enumerate() {
                if let Some(wv) = w.get(i).or(w.last()) {
                    shape(wv, gv, &format!("{path}.{i}"), out);
                }
            }
        }
        (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_)) => {}
        _ => out.push(format!("{path}: README shows {want}, the answer has {got}")),
    }
}

/// The values at `path` (several through `*`), with their concrete paths.
pub fn at<'a>(value: &'a Value, path: &str) -> Vec<(String, Option<&'a Value>)> {
    let mut found = vec![(String::new(), Some(value))];
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut next = Vec::new();
        for (p, v) in found {
            match (v, part) {
                (Some(Value::Array(items)), "*") => next.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| (format!("{p}.{i}"), Some(item))),
                ),
                (Some(Value::Array(items)), index) => next.push((
                    format!("{p}.{index}"),
                    index.parse::<usize>().ok().and_then(|i| items.get(i)),
                )),
                (Some(Value::Object(map)), key) => next.push((format!("{p}.{key}"), map.get(key))),
                (_, key) => next.push((format!("{p}.{key}"), None)),
            }
        }
        found = next;
    }
    found
}

/// Where the values at `path` differ between `want` and `got`.
pub fn exact_at(want: &Value, got: &Value, path: &str, out: &mut Vec<String>) {
    let wanted = at(want, path);
    let gotten = at(got, path);
    if wanted.len() != gotten.len() {
        out.push(format!(
            "{path}: README has {} values there, the answer {}",
            wanted.len(),
            gotten.len()
        ));
        return;
    }
    for ((p, w), (_, g)) in wanted.into_iter().zip(gotten) {
        if w != g {
            out.push(format!(
                "{p}: README shows {}, the answer has {}",
                w.map_or("nothing".into(), Value::to_string),
                g.map_or("nothing".into(), Value::to_string)
            ));
        }
    }
}

/// JSON as README shows it: a value that fits in `width` columns on one line, larger
/// ones with one member or item a line.
pub fn pretty(value: &Value) -> String {
    let mut out = String::new();
    write(value, 0, &mut out);
    out
}

const WIDTH: usize = 100;

fn write(value: &Value, indent: usize, out: &mut String) {
    let flat = flat(value);
    if indent + flat.len() <= WIDTH {
        out.push_str(&flat);
        return;
    }
    let pad = " ".repeat(indent + 2);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(&pad);
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                write(v, indent + 2, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, v) in items.iter().enumerate() {
                out.push_str(&pad);
                write(v, indent + 2, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
        }
        _ => out.push_str(&flat),
    }
}

/// One line, with a space after `:` and `,` as people write JSON.
fn flat(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), flat(v)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flat).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

#[test]
fn shapes_paths_and_pretty_printing() {
    use serde_json::json;
    let want = json!({"a": [{"n": 1, "s": "x"}], "b": null, "c": {"d": true}});
    let mut out = Vec::new();
    shape(
        &want,
        &json!({"a": [{"n": 5, "s": "y"}, {"n": 6, "s": "z"}], "b": 3, "c": {"d": false}}),
        "",
        &mut out,
    );
    assert!(out.is_empty(), "{out:?}");
    shape(
        &want,
        &json!({"a": [{"n": "5", "s": "y"}], "b": 3, "c": {"e": 1}}),
        "",
        &mut out,
    );
    assert_eq!(out.len(), 3, "{out:?}");
    let mut out = Vec::new();
    exact_at(
        &want,
        &json!({"a": [{"n": 1}, {"n": 1}]}),
        "a.*.n",
        &mut out,
    );
    assert_eq!(out.len(), 1, "{out:?}");
    let mut out = Vec::new();
    exact_at(&want, &json!({"a": [{"n": 2}]}), "a.*.n", &mut out);
    assert_eq!(out, [".a.0.n: README shows 1, the answer has 2"]);
    assert_eq!(pretty(&json!({"a": [1, 2]})), r#"{"a": [1, 2]}"#);
    let long = json!({"k": "x".repeat(100)});
    assert_eq!(
        pretty(&long),
        format!("{{\n  \"k\": \"{}\"\n}}", "x".repeat(100))
    );
}
