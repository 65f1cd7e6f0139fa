//! Per-field versions: each mutable field of an entity remembers the occurredAt of the
//! event that set it, so events applied in any order leave the same state.
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

pub struct Versions(Map<String, Value>);

impl Versions {
    pub fn from_json(value: &Value) -> Self {
        Versions(value.as_object().cloned().unwrap_or_default())
    }

    pub fn into_json(self) -> Value {
        Value::Object(self.0)
    }

    /// True (and the field's version moves to `at`) when a value from `at` may replace
    /// the field's current one: it is at least as new as whatever set it.
    pub fn accept(&mut self, field: &str, at: DateTime<Utc>) -> bool {
        let at = at.timestamp_micros();
        let current = self.0.get(field).and_then(Value::as_i64);
        if current.is_none_or(|c| at >= c) {
            self.0.insert(field.to_owned(), Value::from(at));
            true
        } else {
            false
        }
    }
}

/// Sets `slot` to `value` when the field's version accepts `at`.
pub fn set<T>(versions: &mut Versions, field: &str, at: DateTime<Utc>, slot: &mut T, value: T) {
    if versions.accept(field, at) {
        *slot = value;
    }
}
