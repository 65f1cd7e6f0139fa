//! The kinds of field an event or catalog record declares, and the checks of one field's
//! value: its type, and the limits that keep every stored value within what both
//! databases accept (index row sizes, timestamp ranges, text without U+0000).
//!
//! Text limits are in bytes of UTF-8, not characters: PostgreSQL refuses a B-tree index
//! row over 2,704 bytes, and a rollup row's key is (environment, metric, period, key,
//! sub). With the longest metric name (31 bytes), a day (10), a filter field and value
//! at [`MAX_TERM_BYTES`] each (or a search term and a user id), a key stays under 2,150
//! bytes.
use chrono::{DateTime, Datelike, Timelike, Utc};
use serde_json::{Map, Value};

/// Longest accepted id (event, user, asset, session, action…), in bytes: ids are primary
/// keys, index entries and rollup keys.
pub const MAX_ID_BYTES: usize = 255;
/// Longest accepted search term (a search's `query` or `expression`, also once
/// normalised; a filter's `field` and `value`), in bytes: each is a rollup key.
pub const MAX_TERM_BYTES: usize = 1024;
/// Longest accepted other text (names, file names, folders, tags, metaproperty values…),
/// in bytes.
pub const MAX_TEXT_BYTES: usize = 4096;
/// Most items in a list field (tags, groups, filters, values of one metaproperty).
pub const MAX_LIST_LEN: usize = 1000;
/// The years an accepted timestamp may lie in (UTC): PostgreSQL has no year 0, and four
/// digits keep stored instants sorting as text on SQLite.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// The kinds of field an event type declares.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// A non-empty identifier string, at most [`MAX_ID_BYTES`].
    Id,
    /// A free-text string, at most [`MAX_TEXT_BYTES`].
    Text,
    /// A search term, at most [`MAX_TERM_BYTES`] as sent and once normalised.
    Term,
    Bool,
    /// A non-negative integer that fits a signed 64-bit column.
    Count,
    Enum(&'static [&'static str]),
    /// An array of strings.
    Strings,
    /// An array of ids.
    Ids,
    /// An object: metaproperty name to an array of string values.
    Metaproperties,
    /// An array of `{field, value}` objects.
    Filters,
    /// An RFC 3339 timestamp with offset, in the years [`YEARS`].
    Timestamp,
}

pub(crate) struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub(crate) const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}
pub(crate) const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// True when a string anywhere in `v` (keys included) holds U+0000, which PostgreSQL
/// cannot store in text or JSON.
fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Refuses `text` (the value of `name`) when it is longer than `max` bytes.
pub(crate) fn check_bytes(text: &str, name: &str, max: usize) -> Result<(), String> {
    if text.len() > max {
        return Err(format!(
            "{name} is {} bytes long: at most {max} bytes (UTF-8) are accepted",
            text.len()
        ));
    }
    Ok(())
}

/// Refuses a search term over [`MAX_TERM_BYTES`], as sent or once normalised (lower-casing
/// can lengthen a text: `İ` is 2 bytes, `i̇` 3).
fn check_term(text: &str, name: &str) -> Result<(), String> {
    check_bytes(text, name, MAX_TERM_BYTES)?;
    let normalised = crate::analytics::rollups::normalise(text);
    if normalised.len() > MAX_TERM_BYTES {
        return Err(format!(
            "{name} is {} bytes long once lower-cased: at most {MAX_TERM_BYTES} bytes (UTF-8) are accepted",
            normalised.len()
        ));
    }
    Ok(())
}

/// Parses an RFC 3339 timestamp with offset whose UTC year lies in [`YEARS`]; a leap
/// second is refused (PostgreSQL would store the next second, SQLite the text `:60`).
pub(crate) fn parse_timestamp(text: &str, name: &str) -> Result<DateTime<Utc>, String> {
    let at = DateTime::parse_from_rfc3339(text)
        .map_err(|_| {
            format!(
                "{name} {text:?} is not an RFC 3339 timestamp with offset, e.g. 2025-10-03T09:00:00+02:00"
            )
        })?
        .with_timezone(&Utc);
    if at.nanosecond() >= 1_000_000_000 {
        return Err(format!(
            "{name} {text:?} is a leap second (:60), which the databases store as the next second: send :59.999 or the next minute"
        ));
    }
    if !YEARS.contains(&at.year()) {
        return Err(format!(
            "{name} {text:?} lies in the year {} (UTC): years {} to {} are accepted",
            at.year(),
            YEARS.start(),
            YEARS.end()
        ));
    }
    Ok(at)
}

pub(crate) fn check_field(value: &Value, name: &str, kind: Kind) -> Result<(), String> {
    if has_nul(value) {
        return Err(format!(
            "{name} contains a NUL character (U+0000), which cannot be stored: remove it"
        ));
    }
    let text = |v: &Value, max: usize, what: &str| -> Result<(), String> {
        match v.as_str() {
            Some(s) => check_bytes(s, name, max),
            None => Err(format!("{name} must be {what}")),
        }
    };
    match kind {
        Kind::Id => {
            text(value, MAX_ID_BYTES, "a string id")?;
            if value.as_str().is_some_and(|s| s.trim().is_empty()) {
                return Err(format!("{name} must not be empty"));
            }
            Ok(())
        }
        Kind::Text => text(value, MAX_TEXT_BYTES, "a string"),
        Kind::Term => match value.as_str() {
            Some(s) => check_term(s, name),
            None => Err(format!("{name} must be a string")),
        },
        Kind::Bool => match value {
            Value::Bool(_) => Ok(()),
            _ => Err(format!("{name} must be true or false")),
        },
        Kind::Count => match value.as_u64() {
            Some(n) if n <= i64::MAX as u64 => Ok(()),
            _ => Err(format!(
                "{name} must be a non-negative integer of at most {}",
                i64::MAX
            )),
        },
        Kind::Enum(values) => match value.as_str() {
            Some(s) if values.contains(&s) => Ok(()),
            _ => Err(format!("{name} must be one of {}", values.join(", "))),
        },
        Kind::Strings => string_list(value, name, MAX_TEXT_BYTES),
        Kind::Ids => {
            string_list(value, name, MAX_ID_BYTES)?;
            if value.as_array().is_some_and(|items| {
                items
                    .iter()
                    .any(|i| i.as_str().is_some_and(|s| s.trim().is_empty()))
            }) {
                return Err(format!("{name} must not hold an empty id"));
            }
            Ok(())
        }
        Kind::Timestamp => match value.as_str() {
            Some(s) => parse_timestamp(s, name).map(|_| ()),
            None => Err(format!(
                "{name} must be an RFC 3339 timestamp with offset, e.g. 2025-10-03T09:00:00+02:00"
            )),
        },
        Kind::Metaproperties => {
            let Some(map) = value.as_object() else {
                return Err(format!(
                    "{name} must be an object of name to a list of values, e.g. {{\"Region\": [\"EMEA\"]}}"
                ));
            };
            if map.len() > MAX_LIST_LEN {
                return Err(format!("{name} has more than {MAX_LIST_LEN} entries"));
            }
            for (prop, values) in map {
                if prop.trim().is_empty() {
                    return Err(format!("{name} has an empty metaproperty name"));
                }
                check_bytes(
                    prop,
                    &format!("a metaproperty name in {name}"),
                    MAX_ID_BYTES,
                )?;
                string_list(values, &format!("{name}.{prop}"), MAX_TEXT_BYTES)?;
            }
            Ok(())
        }
        Kind::Filters => filters(value, name),
    }
}

fn filters(value: &Value, name: &str) -> Result<(), String> {
    let Some(items) = value.as_array() else {
        return Err(format!(
            "{name} must be a list of {{\"field\": ..., \"value\": ...}} objects"
        ));
    };
    if items.len() > MAX_LIST_LEN {
        return Err(format!("{name} has more than {MAX_LIST_LEN} items"));
    }
    for (i, item) in items.iter().enumerate() {
        let pair = item.as_object().filter(|o| o.len() == 2).and_then(|o| {
            match (o.get("field").and_then(Value::as_str), o.get("value")) {
                (Some(f), Some(Value::String(v))) if !f.is_empty() => Some((f, v)),
                _ => None,
            }
        });
        let Some((field, value)) = pair else {
            return Err(format!(
                "{name} must be a list of {{\"field\": string, \"value\": string}} objects"
            ));
        };
        check_bytes(field, &format!("{name}[{i}].field"), MAX_TERM_BYTES)?;
        check_bytes(value, &format!("{name}[{i}].value"), MAX_TERM_BYTES)?;
    }
    Ok(())
}

fn string_list(value: &Value, name: &str, max: usize) -> Result<(), String> {
    let Some(items) = value.as_array() else {
        return Err(format!("{name} must be a list of strings"));
    };
    if items.len() > MAX_LIST_LEN {
        return Err(format!("{name} has more than {MAX_LIST_LEN} items"));
    }
    for (i, item) in items.iter().enumerate() {
        let Some(s) = item.as_str() else {
            return Err(format!("{name} must be a list of strings"));
        };
        check_bytes(s, &format!("{name}[{i}]"), max)?;
    }
    Ok(())
}

/// Checks `obj` against the `fields` its type declares (`common` ones are allowed too and
/// checked elsewhere): no unknown field, every required one present, each of its kind.
/// `owner` ends the messages, e.g. "on asset.viewed". Returns the field and the reason.
pub(crate) fn check_declared(
    obj: &Map<String, Value>,
    fields: &[Field],
    common: &[&str],
    owner: &str,
) -> Result<(), (String, String)> {
    if let Some(unknown) = obj
        .keys()
        .find(|k| !fields.iter().any(|f| f.name == k.as_str()))
    {
        let mut accepted: Vec<&str> = common.to_vec();
        accepted.extend(fields.iter().map(|f| f.name));
        return Err((
            unknown.clone(),
            format!(
                "{unknown} is not a field {owner}: accepted fields are {}",
                accepted.join(", ")
            ),
        ));
    }
    for field in fields {
        match obj.get(field.name) {
            None if field.required => {
                return Err((
                    field.name.to_owned(),
                    format!("{} is required {owner}", field.name),
                ));
            }
            None => {}
            Some(v) => {
                check_field(v, field.name, field.kind).map_err(|r| (field.name.to_owned(), r))?
            }
        }
    }
    Ok(())
}
