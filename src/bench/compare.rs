//! Comparing a served answer with the baseline's: equal JSON, numbers compared as
//! numbers (floats within a relative 1e-9).
use serde_json::Value;

/// Where `served` and `expected` differ (at most `limit` paths), empty when equal.
pub fn differences(served: &Value, expected: &Value, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    walk("", served, expected, limit, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, limit: usize, out: &mut Vec<String>) {
    if out.len() >= limit {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) => walk(&format!("{path}.{k}"), va, vb, limit, out),
                    None => out.push(format!("{path}.{k}: served but not expected")),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{path}.{k}: expected but not served"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!(
                    "{path}: {} items served, {} expected",
                    x.len(),
                    y.len()
                ));
            }
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                walk(&format!("{path}[{i}]"), va, vb, limit, out);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let equal = match (x.as_i64(), y.as_i64()) {
                (Some(i), Some(j)) => i == j,
                _ => {
                    let (f, g) = (
                        x.as_f64().unwrap_or(f64::NAN),
                        y.as_f64().unwrap_or(f64::NAN),
                    );
                    (f - g).abs() <= 1e-9 * f.abs().max(g.abs()).max(1.0)
                }
            };
            if !equal {
                out.push(format!("{path}: served {x}, expected {y}"));
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: served {a}, expected {b}")),
    }
}

#[cfg(test)]
mod tests {
    use super::differences;
    use serde_json::json;

    #[test]
    fn equal_answers_have_no_differences_and_unequal_ones_name_the_path() {
        let a = json!({"x": [1, 2.5, {"y": "z"}], "p": null});
        assert!(
            differences(
                &a,
                &json!({"x": [1, 2.5000000000001, {"y": "z"}], "p": null}),
                5
            )
            .is_empty()
        );
        let d = differences(&a, &json!({"x": [1, 3, {"y": "w"}], "p": 1}), 5);
        assert_eq!(
            d,
            [
                ".x[1]: served 2.5, expected 3",
                ".x[2].y: served \"z\", expected \"w\"",
                ".p: served null, expected 1"
            ]
        );
    }
}
