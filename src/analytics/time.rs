//! Calendar days and months in an environment's zone.
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The calendar day of `at` in `tz`.
pub fn local_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The calendar month (`YYYY-MM`) of `at` in `tz`.
pub fn local_month(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m").to_string()
}
