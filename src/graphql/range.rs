//! Inputs of reports over any date range: the `Date` scalar, `DateRange`, `Interval` and
//! `MetricName`.
use crate::analytics::range::{Comparison, DayRange, Interval as RangeInterval};
use crate::error::{AppError, AppResult};
use async_graphql::{
    Enum, InputObject, InputValueError, InputValueResult, Scalar, ScalarType, Value,
};
use chrono::NaiveDate;

/// A calendar day in the environment's time zone, written `YYYY-MM-DD` (e.g. "2025-10-03").
#[derive(Clone, Debug)]
pub struct Date(pub String);

#[Scalar(
    name = "Date",
    specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html"
)]
/// A calendar day in the environment's time zone, written `YYYY-MM-DD` (ISO 8601, a
/// four-digit year from 0001 to 9999), e.g. "2025-10-03".
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) if Date::day(&s).is_some() => Ok(Date(s)),
            Value::String(s) => Err(InputValueError::custom(Date::refusal("date", &s))),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    /// Checked when the document is validated, before anything runs.
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if Date::day(s).is_some())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

impl Date {
    /// `text` as a day: `YYYY-MM-DD`, year 0001 to 9999.
    pub(crate) fn day(text: &str) -> Option<NaiveDate> {
        let b = text.as_bytes();
        let ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        ok.then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten()
            .filter(|d| chrono::Datelike::year(d) >= 1)
    }

    pub(crate) fn refusal(field: &str, text: &str) -> String {
        format!(
            "{field} {} is not a date: write it YYYY-MM-DD with a year from 0001 to 9999, e.g. \"2025-10-03\"",
            crate::graphql::ids::quoted(text)
        )
    }

    /// The day, or BAD_USER_INPUT naming `field` and the accepted form.
    pub fn get(&self, field: &str) -> AppResult<NaiveDate> {
        Date::day(&self.0).ok_or_else(|| AppError::BadUserInput(Date::refusal(field, &self.0)))
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d.format("%Y-%m-%d").to_string())
    }
}

/// Calendar days `from` to `to` in the environment's time zone, both included; at most
/// 2 years long.
#[derive(InputObject, Clone, Debug)]
pub struct DateRange {
    /// The first day, included.
    pub from: Date,
    /// The last day, included; not before `from`.
    pub to: Date,
}

impl DateRange {
    /// The checked range: BAD_USER_INPUT for a bad date, `from` after `to`, or a range
    /// over 2 years.
    pub fn get(&self) -> AppResult<DayRange> {
        DayRange::checked(self.from.get("range.from")?, self.to.get("range.to")?)
    }
}

/// The days of a range, as answered.
#[derive(async_graphql::SimpleObject, Clone, Debug)]
pub struct DateRangeValue {
    /// The first day, included.
    pub from: Date,
    /// The last day, included.
    pub to: Date,
}

impl From<DayRange> for DateRangeValue {
    fn from(r: DayRange) -> Self {
        DateRangeValue {
            from: r.from.into(),
            to: r.to.into(),
        }
    }
}

/// The length of a series' buckets, in the environment's time zone.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    /// Calendar days (a day of 23 or 25 hours at a daylight-saving change is one bucket).
    Day,
    /// Calendar weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
}

impl From<Interval> for RangeInterval {
    fn from(i: Interval) -> Self {
        match i {
            Interval::Day => RangeInterval::Day,
            Interval::Week => RangeInterval::Week,
            Interval::Month => RangeInterval::Month,
        }
    }
}

/// What a date-range value is compared with.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ComparisonPeriod {
    /// The equally long range just before (the default). In a series, each bucket's days
    /// shifted back by the range's length.
    #[default]
    PreviousPeriod,
    /// The range whose first and last days are the range's own one year earlier (29
    /// February maps to 28 February, so the two ranges can differ by a day). In a series,
    /// each bucket against the bucket a year earlier: the same day for DAY, the week 52
    /// weeks earlier for WEEK, the same month for MONTH.
    PreviousYear,
}

impl From<ComparisonPeriod> for Comparison {
    fn from(c: ComparisonPeriod) -> Self {
        match c {
            ComparisonPeriod::PreviousPeriod => Comparison::PreviousPeriod,
            ComparisonPeriod::PreviousYear => Comparison::PreviousYear,
        }
    }
}

macro_rules! metric_names {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// A metric of the dictionary (see the `metrics` query for each one's definition).
        #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum MetricName {
            $(#[doc = concat!("The dictionary's `", $name, "`.")] $variant,)*
        }

        impl MetricName {
            /// The metric's name in the dictionary.
            pub fn name(self) -> &'static str {
                match self {
                    $(MetricName::$variant => $name,)*
                }
            }

            /// The metric of a dictionary name; `None` for any other.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(MetricName::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

metric_names!(
    Uploads = "uploads",
    AssetViews = "assetViews",
    Downloads = "downloads",
    DownloadActions = "downloadActions",
    UniqueAssetsDownloaded = "uniqueAssetsDownloaded",
    UsersWhoDownloaded = "usersWhoDownloaded",
    AssetsArchived = "assetsArchived",
    AssetsDeleted = "assetsDeleted",
    Searches = "searches",
    UsersWhoSearched = "usersWhoSearched",
    ActiveUsers = "activeUsers",
    ActiveSessions = "activeSessions",
    CollectionsViewed = "collectionsViewed",
    PublicCollectionDownloads = "publicCollectionDownloads",
    CollectionsCreated = "collectionsCreated",
    NewUsers = "newUsers",
    Logins = "logins",
    Logouts = "logouts",
    JobsCreated = "jobsCreated",
    JobsFinished = "jobsFinished",
    JobRevisions = "jobRevisions",
    RevisionRoundsFinished = "revisionRoundsFinished",
    JobDuration = "jobDuration",
    SearchesWithResultCount = "searchesWithResultCount",
    ZeroResultSearches = "zeroResultSearches",
    ConvertedSearches = "convertedSearches",
);
