//! Calendar days and months in an environment's zone.
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The calendar day of `at` in `tz`.
pub fn local_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The calendar month (`YYYY-MM`) of `at` in `tz`.
pub fn local_month(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m").to_string()
}

/// The first instant of calendar day `day` in `tz`: its midnight, or when a time-zone
/// change skips midnight, the first local time that exists that day.
/// The first local month (`YYYY-MM`) and day (`YYYY-MM-DD`) that begin at or after
/// `at`: the periods whose events all occurred at or after it.
pub fn complete_from(at: DateTime<Utc>, tz: Tz) -> (String, String) {
    let day = local_day(at, tz);
    let day = if day_start(day, tz) < at {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    let first_of_month = day.with_day(1).unwrap_or(day);
    let month = if first_of_month == day && day_start(day, tz) >= at {
        day
    } else {
        first_of_month
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first_of_month)
    };
    (
        month.format("%Y-%m").to_string(),
        day.format("%Y-%m-%d").to_string(),
    )
}

pub fn day_start(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut at = day.and_time(chrono::NaiveTime::MIN);
    for _ in 0..(24 * 4) {
        if let Some(t) = tz.from_local_datetime(&at).earliest() {
            return t.with_timezone(&Utc);
        }
        at += chrono::Duration::minutes(15);
    }
    Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN))
}

/// A calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl YearMonth {
    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Self> {
        let (y, m) = text.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    pub fn previous(self) -> Self {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The `n` months ending with this one, oldest first.
    /// The same calendar month a year earlier.
    pub fn year_earlier(self) -> Self {
        YearMonth {
            year: self.year - 1,
            month: self.month,
        }
    }

    pub fn ending(self, n: usize) -> Vec<YearMonth> {
        let mut months = Vec::with_capacity(n);
        let mut m = self;
        for _ in 0..n {
            months.push(m);
            m = m.previous();
        }
        months.reverse();
        months
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::YearMonth;

    #[test]
    fn months_parse_strictly_and_trends_cross_years() {
        assert_eq!(
            YearMonth::parse("2025-01"),
            Some(YearMonth {
                year: 2025,
                month: 1
            })
        );
        for bad in [
            "2025-1",
            "2025-13",
            "2025-00",
            "25-01",
            "2025/01",
            "2025-01-01",
            "",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
        let months: Vec<String> = YearMonth::parse("2025-02")
            .unwrap()
            .ending(3)
            .iter()
            .map(|m| m.to_string())
            .collect();
        assert_eq!(months, ["2024-12", "2025-01", "2025-02"]);
    }
}
