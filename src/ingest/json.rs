//! Reading one ingest item's JSON strictly: a key repeated in one object (which
//! `serde_json` would silently resolve to its last value) and nesting deeper than
//! [`MAX_DEPTH`] are refused, naming the key or the depth.
use super::Unreadable;
use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// The deepest nesting of arrays and objects accepted in one item, the item's own object
/// counting as 1 (an event needs 3: the event, its `filters`, a filter).
pub const MAX_DEPTH: usize = 16;

/// Parses `text` as one JSON value; refuses repeated keys (naming the key as the field,
/// and the item's `id` when that is not the key repeated) and deep nesting.
pub fn parse(text: &str) -> Result<Value, Unreadable> {
    let repeated = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Strict {
        depth: 0,
        repeated: &repeated,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        let field = repeated.into_inner();
        // The id, when it is readable: the last of the repeated values is no answer.
        let id = field
            .as_ref()
            .filter(|key| key.as_str() != "id")
            .and_then(|_| serde_json::from_str::<Value>(text).ok())
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
        Unreadable {
            id,
            field,
            reason: format!("not valid JSON: {e}"),
        }
    })
}

#[derive(Clone, Copy)]
struct Strict<'a> {
    /// Arrays and objects around the value.
    depth: usize,
    /// Set to the key found twice in one object.
    repeated: &'a RefCell<Option<String>>,
}

impl Strict<'_> {
    fn enter<E: Error>(self) -> Result<Self, E> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(E::custom(format!(
                "arrays and objects are nested more than {MAX_DEPTH} deep"
            )));
        }
        Ok(Strict { depth, ..self })
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number is not finite"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.enter()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.enter()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(inner)?;
            if out.contains_key(&key) {
                let message =
                    format!("the key {key:?} appears twice in one object: send each key once");
                *self.repeated.borrow_mut() = Some(key);
                return Err(A::Error::custom(message));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_refused_at_any_depth() {
        let twice = parse(r#"{"id":"a","id":"b"}"#).unwrap_err();
        assert_eq!((twice.field.as_deref(), twice.id), (Some("id"), None));
        let nested = r#"{"id":"e1","filters":[{"field":"x","value":"a","value":"b"}]}"#;
        let twice = parse(nested).unwrap_err();
        assert_eq!(twice.field.as_deref(), Some("value"));
        assert_eq!(twice.id.as_deref(), Some("e1"));
        assert!(twice.reason.contains("\"value\" appears twice"));
        assert_eq!(parse(r#"{"a":{"b":1},"c":[1,2]}"#).unwrap()["a"]["b"], 1);
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(
            parse(&deep)
                .unwrap_err()
                .reason
                .contains("nested more than")
        );
    }

    #[test]
    fn trailing_data_and_lone_surrogates_are_refused() {
        assert!(parse(r#"{"a":1} x"#).is_err());
        assert!(parse(r#"{"a":"\ud800"}"#).is_err());
    }
}
