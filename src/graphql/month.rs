//! The `Month` scalar, month-over-month values and trend points.
use crate::analytics::time::YearMonth;
use crate::error::{AppError, AppResult};
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value};

/// A calendar month in the environment's time zone, written `YYYY-MM` (e.g. "2025-10").
#[derive(Clone, Debug)]
pub struct Month(pub String);

#[Scalar(name = "Month")]
/// A calendar month in the environment's time zone, written `YYYY-MM` (e.g. "2025-10").
impl ScalarType for Month {
    fn parse(value: Value) -> InputValueResult<Self> {
        // Any string passes here; `Month::get` checks the form so that a bad value is a
        // BAD_USER_INPUT error that says what is accepted.
        match value {
            Value::String(s) => Ok(Month(s)),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

impl Month {
    pub fn get(&self) -> AppResult<YearMonth> {
        YearMonth::parse(&self.0).ok_or_else(|| {
            AppError::BadUserInput(format!(
                "month {} is not a month: write it YYYY-MM, e.g. \"2025-10\"",
                crate::graphql::ids::quoted(&self.0)
            ))
        })
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
