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

/// A rate (a percentage, 0 to 100) against a comparison period.
#[derive(SimpleObject, Clone, Debug)]
pub struct RateValue {
    /// The rate in the period; null when what it divides by is 0.
    pub current: Option<f64>,
    /// The rate in the comparison period; null when what it divides by is 0 there.
    pub previous: Option<f64>,
    /// current - previous, in percentage points; null when either is null.
    pub change: Option<f64>,
    /// change / previous * 100, relative as for counts; null when either is null or
    /// previous is 0.
    pub change_percent: Option<f64>,
}

impl RateValue {
    pub fn new(current: Option<f64>, previous: Option<f64>) -> Self {
        let change = current.zip(previous).map(|(c, p)| c - p);
        RateValue {
            current,
            previous,
            change,
            change_percent: change
                .zip(previous)
                .and_then(|(d, p)| (p != 0.0).then(|| d / p * 100.0)),
        }
    }
}

/// One month of a rate's trend.
#[derive(SimpleObject, Clone, Debug)]
pub struct RateTrendPoint {
    /// The month.
    pub month: Month,
    /// The rate in it, 0 to 100; null when what it divides by is 0.
    pub value: Option<f64>,
}

/// A value for the listed month against the month before and against the same calendar
/// month a year earlier.
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
    /// The value in the same calendar month a year earlier.
    pub year_ago: i64,
    /// current - yearAgo.
    pub year_ago_change: i64,
    /// yearAgoChange / yearAgo * 100; null when yearAgo is 0.
    pub year_ago_change_percent: Option<f64>,
}

impl MetricValue {
    pub fn new(current: i64, previous: i64, year_ago: i64) -> Self {
        MetricValue {
            current,
            previous,
            change: current - previous,
            change_percent: change_percent(current, previous),
            year_ago,
            year_ago_change: current - year_ago,
            year_ago_change_percent: change_percent(current, year_ago),
        }
    }
}
