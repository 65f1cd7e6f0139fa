//! Writing CSV by hand: RFC 4180 quoting, and cells made safe against spreadsheet
//! formula injection.
use serde_json::Value;

/// One cell: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'` (so a spreadsheet shows it instead of evaluating it); a cell holding `,`,
/// `"`, CR or LF is quoted with its quotes doubled.
pub fn text_cell(text: &str) -> String {
    let safe = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    };
    quote(safe)
}

fn quote(text: String) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A JSON value as a cell: null is empty, numbers and booleans as written (a negative
/// number is a number, not a formula), strings as text cells, a list of strings joined
/// with "; ", anything else as its JSON text.
pub fn json_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => text_cell(s),
        Value::Array(items) if items.iter().all(Value::is_string) => text_cell(
            &items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => text_cell(&other.to_string()),
    }
}

/// One CSV line of already-made cells, ending in CRLF.
pub fn line<I: IntoIterator<Item = String>>(cells: I) -> String {
    let mut out = cells.into_iter().collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// The header line of `names`.
pub fn header<'a, I: IntoIterator<Item = &'a str>>(names: I) -> String {
    line(names.into_iter().map(text_cell))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(text_cell("plain"), "plain");
        assert_eq!(text_cell("a,b"), "\"a,b\"");
        assert_eq!(text_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text_cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(text_cell("=1+1"), "'=1+1");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-2"), "'-2");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(
            text_cell("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(json_cell(&json!(-3)), "-3");
        assert_eq!(json_cell(&json!(["a", "b"])), "a; b");
        assert_eq!(json_cell(&json!(null)), "");
    }
}
