//! The pages' forms: reading their query parameters, the defaults when a field is left
//! empty, and a refusal that says what is accepted when one is wrong.
use crate::analytics::time::{YearMonth, local_day};
use crate::http::AppState;
use crate::storage::environments::Environment;
use async_graphql::resolver_utils::EnumType;
use chrono::{Datelike, Days, NaiveDate};
use maud::{Markup, html};

/// A form field that was not accepted.
#[derive(Debug)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
}

pub type Checked<T> = Result<T, Refusal>;

fn refuse<T>(field: &'static str, message: String) -> Checked<T> {
    Err(Refusal { field, message })
}

/// Today in the environment's zone (the server's clock).
pub fn today(state: &AppState, env: &Environment) -> NaiveDate {
    local_day(state.clock.now(), env.time_zone)
}

/// A non-empty parameter, trimmed.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// `YYYY-MM`; the last whole month when empty.
pub fn month(raw: &Option<String>, today: NaiveDate) -> Checked<YearMonth> {
    match given(raw) {
        None => Ok(YearMonth {
            year: today.year(),
            month: today.month(),
        }
        .previous()),
        Some(text) => YearMonth::parse(text).map_or_else(
            || {
                refuse(
                    "month",
                    format!(
                        "The month {:?} is not accepted: give a month as YYYY-MM, e.g. 2026-10.",
                        cut(text)
                    ),
                )
            },
            Ok,
        ),
    }
}

/// A calendar day `YYYY-MM-DD`.
fn day(field: &'static str, text: &str) -> Checked<NaiveDate> {
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) if text.len() == 10 => Ok(d),
        _ => refuse(
            field,
            format!(
                "The day {:?} is not accepted: give a day as YYYY-MM-DD, e.g. 2026-10-03.",
                cut(text)
            ),
        ),
    }
}

/// Days `from` to `to`, both included (GraphQL checks the longest range); `default_days` ending
/// yesterday when both are empty.
pub fn range(
    from: &Option<String>,
    to: &Option<String>,
    today: NaiveDate,
    default_days: u64,
) -> Checked<(NaiveDate, NaiveDate)> {
    let (from, to) = match (given(from), given(to)) {
        (None, None) => {
            let to = today - Days::new(1);
            return Ok((to - Days::new(default_days - 1), to));
        }
        (Some(f), Some(t)) => (day("from", f)?, day("to", t)?),
        (Some(_), None) => {
            return refuse("to", "Give the last day too: a range needs both from and to (YYYY-MM-DD, both included).".into());
        }
        (None, Some(_)) => {
            return refuse("from", "Give the first day too: a range needs both from and to (YYYY-MM-DD, both included).".into());
        }
    };
    if from > to {
        return refuse(
            "from",
            format!(
                "The range starts ({from}) after it ends ({to}): give from on or before to (both days are included)."
            ),
        );
    }
    Ok((from, to))
}

/// One value of a GraphQL enum, or `default` when empty.
pub fn one_of<T: EnumType>(
    field: &'static str,
    raw: &Option<String>,
    default: Option<&'static str>,
) -> Checked<Option<&'static str>> {
    let items = T::items();
    match given(raw) {
        None => Ok(default),
        Some(text) => match items.iter().find(|i| i.name == text) {
            Some(item) => Ok(Some(item.name)),
            None => refuse(
                field,
                format!(
                    "{:?} is not accepted for {field}: give one of {}.",
                    cut(text),
                    items.iter().map(|i| i.name).collect::<Vec<_>>().join(", ")
                ),
            ),
        },
    }
}

/// One or more of `allowed`, comma-separated or repeated; `default` when empty.
pub fn many_of(
    field: &'static str,
    raws: &[String],
    allowed: &[&'static str],
    default: &[&'static str],
    most: usize,
) -> Checked<Vec<&'static str>> {
    let mut chosen: Vec<&'static str> = Vec::new();
    for part in raws.iter().flat_map(|r| r.split(',')).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        match allowed.iter().find(|a| **a == part) {
            Some(a) if !chosen.contains(a) => chosen.push(a),
            Some(_) => {}
            None => {
                return refuse(
                    field,
                    format!(
                        "{:?} is not accepted for {field}: give one or more of {}.",
                        cut(part),
                        allowed.join(", ")
                    ),
                );
            }
        }
    }
    if chosen.len() > most {
        return refuse(field, format!("Give at most {most} for {field}."));
    }
    Ok(if chosen.is_empty() {
        default.to_vec()
    } else {
        chosen
    })
}

/// Text as typed, at most 64 characters, for quoting it back.
fn cut(text: &str) -> String {
    text.chars().take(64).collect()
}

/// The refusal, shown above the form.
pub fn refusal_box(refusal: &Refusal) -> Markup {
    html! {
        div.error role="alert" data-field=(refusal.field) {
            strong { "Not accepted: " } (refusal.message)
        }
    }
}

/// A month picker with the month shown.
pub fn month_form(action: &str, month: &str, extra: Markup) -> Markup {
    html! {
        form.filters method="get" action=(action) {
            label { span { "Month" }
                input type="month" name="month" value=(month) pattern="[0-9]{4}-[0-9]{2}" placeholder="YYYY-MM" required;
            }
            (extra)
            button type="submit" { "Show" }
        }
    }
}

/// A range picker (`from`, `to`) with other fields.
pub fn range_inputs(from: &str, to: &str) -> Markup {
    html! {
        label { span { "From" } input type="date" name="from" value=(from) required; }
        label { span { "To" } input type="date" name="to" value=(to) required; }
    }
}

/// A `<select>` of values with one selected; `empty` adds a first option for none.
pub fn select(
    name: &str,
    label: &str,
    values: &[&str],
    selected: &str,
    empty: Option<&str>,
) -> Markup {
    html! {
        label { span { (label) }
            select name=(name) {
                @if let Some(empty) = empty { option value="" selected[selected.is_empty()] { (empty) } }
                @for v in values { option value=(v) selected[*v == selected] { (super::format::metric_label(v)) } }
            }
        }
    }
}

/// The names of a GraphQL enum's values.
pub fn names<T: EnumType>() -> Vec<&'static str> {
    T::items().iter().map(|i| i.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_and_ranges() {
        let today = d("2026-11-22");
        assert_eq!(month(&None, today).unwrap().to_string(), "2026-10");
        assert_eq!(
            month(&Some("2026-01".into()), today).unwrap().to_string(),
            "2026-01"
        );
        assert!(month(&Some("2026-13".into()), today).is_err());
        assert!(
            month(&Some("oct".into()), today)
                .unwrap_err()
                .message
                .contains("YYYY-MM")
        );
        assert_eq!(
            range(&None, &None, today, 30).unwrap(),
            (d("2026-10-23"), d("2026-11-21"))
        );
        assert!(
            range(
                &Some("2026-10-02".into()),
                &Some("2026-10-01".into()),
                today,
                30
            )
            .is_err()
        );
        assert!(range(&Some("2026-10-02".into()), &None, today, 30).is_err());
        assert!(
            range(
                &Some("2026-1-1".into()),
                &Some("2026-01-02".into()),
                today,
                30
            )
            .is_err()
        );
    }
}
