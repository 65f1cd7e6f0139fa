//! The `Month` scalar, month-over-month values and trend points.
use crate::analytics::time::YearMonth;
use crate::error::{AppError, AppResult};
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value};

/// A calendar month in the environment's time zone, written `YYYY-MM` (e.g. "2025-10").
#[derive(Clone, Debug)]
pub struct Month(pub String);

#[Scalar(
    name = "Month",
    specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html"
)]
/// A calendar month in the environment's time zone, written `YYYY-MM` (ISO 8601, a
/// four-digit year from 0001 to 9999), e.g. "2025-10".
impl ScalarType for Month {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) if Month::year_month(&s).is_some() => Ok(Month(s)),
            Value::String(s) => Err(InputValueError::custom(Month::refusal(&s))),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    /// Checked when the document is validated, before anything runs.
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if Month::year_month(s).is_some())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

impl Month {
    /// `text` as a month: `YYYY-MM`, year 0001 to 9999, month 01 to 12.
    pub(crate) fn year_month(text: &str) -> Option<YearMonth> {
        YearMonth::parse(text).filter(|m| m.year >= 1)
    }

    pub(crate) fn refusal(text: &str) -> String {
        format!(
            "month {} is not a month: write it YYYY-MM with a year from 0001 to 9999, e.g. \"2025-10\"",
            crate::graphql::ids::quoted(text)
        )
    }

    pub fn get(&self) -> AppResult<YearMonth> {
        Month::year_month(&self.0).ok_or_else(|| AppError::BadUserInput(Month::refusal(&self.0)))
    }
}

impl From<YearMonth> for Month {
    fn from(m: YearMonth) -> Self {
        Month(m.to_string())
    }
}

/// A value for the listed month against the month before.
#[derive(SimpleObject, Clone, Debug)]
pub struct MetricValue {
    /// The value in the listed month.
    pub current: i64,
    /// The value in the month before.
    pub previous: i64,
    /// current - previous.
    pub change: i64,
    /// change / previous * 100; null when previous is 0.
    pub change_percent: Option<f64>,
}

impl MetricValue {
    pub fn new(current: i64, previous: i64) -> Self {
        MetricValue {
            current,
            previous,
            change: current - previous,
            change_percent: change_percent(current, previous),
        }
    }
}

/// (current - previous) / previous * 100; `None` when previous is 0.
pub fn change_percent(current: i64, previous: i64) -> Option<f64> {
    (previous != 0).then(|| (current - previous) as f64 / previous as f64 * 100.0)
}

/// One month of a trend.
#[derive(SimpleObject, Clone, Debug)]
pub struct TrendPoint {
    /// The month.
    pub month: Month,
    /// The metric's value in it (0 when nothing happened).
    pub value: i64,
}
