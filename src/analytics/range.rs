//! Date ranges in an environment's zone: validation, the previous period, the rollup
//! periods that cover a range, and the buckets of a series.
use super::time::day_start;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};

/// Calendar days `from` to `to`, both included, in the environment's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Series hold at most this many buckets.
pub const MAX_BUCKETS: usize = 1000;

impl DayRange {
    /// A range as a caller gave it: `from` not after `to`, at most 2 years long.
    pub fn checked(from: NaiveDate, to: NaiveDate) -> AppResult<Self> {
        if from > to {
            return Err(AppError::BadUserInput(format!(
                "range.from {from} is after range.to {to}: give from <= to (both days are included)"
            )));
        }
        let limit = from
            .checked_add_months(Months::new(24))
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX);
        if to > limit {
            return Err(AppError::BadUserInput(format!(
                "the range {from} to {to} is longer than 2 years: the latest `to` for this `from` is {limit}"
            )));
        }
        Ok(DayRange { from, to })
    }

    /// The number of days, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The equally long range just before this one.
    pub fn previous(&self) -> DayRange {
        let n = self.days() as u64;
        DayRange {
            from: self.from - Days::new(n),
            to: self.from - Days::new(1),
        }
    }

    /// The range whose first and last days are this one's a year earlier (29 February
    /// maps to 28 February, so the two can differ by a day).
    pub fn year_earlier(&self) -> DayRange {
        DayRange {
            from: year_earlier(self.from),
            to: year_earlier(self.to),
        }
    }

    /// The range this one is compared with.
    pub fn compared(&self, with: Comparison) -> DayRange {
        match with {
            Comparison::PreviousPeriod => self.previous(),
            Comparison::PreviousYear => self.year_earlier(),
        }
    }

    /// The instants the range covers in `tz`: from the start of `from` (included) to the
    /// start of the day after `to` (excluded).
    pub fn instants(&self, tz: chrono_tz::Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            day_start(self.from, tz),
            day_start(self.to + Days::new(1), tz),
        )
    }

    /// Every day of the range, oldest first.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }

    /// The rollup periods whose rows together count the range exactly once: whole
    /// months as `YYYY-MM`, the days of partly covered months as `YYYY-MM-DD`.
    pub fn cover(&self) -> Vec<String> {
        let mut periods = Vec::new();
        let mut day = self.from;
        while day <= self.to {
            let first = day.with_day(1).expect("day 1 exists");
            let last = last_of_month(first);
            if day == first && last <= self.to {
                periods.push(first.format("%Y-%m").to_string());
                day = last + Days::new(1);
            } else {
                periods.push(day.format("%Y-%m-%d").to_string());
                day = day + Days::new(1);
            }
        }
        periods
    }

    /// The buckets of a series over this range.
    pub fn buckets(&self, interval: Interval) -> AppResult<Vec<Bucket>> {
        let mut buckets: Vec<Bucket> = Vec::new();
        for day in self.each_day() {
            let start = interval.start_of(day);
            match buckets.last_mut() {
                Some(b) if b.start == start => b.range.to = day,
                _ => {
                    if buckets.len() == MAX_BUCKETS {
                        return Err(AppError::BadUserInput(format!(
                            "the range {} to {} has more than {MAX_BUCKETS} {} buckets: use a shorter range or a longer interval",
                            self.from,
                            self.to,
                            interval.name()
                        )));
                    }
                    buckets.push(Bucket {
                        start,
                        range: DayRange { from: day, to: day },
                    });
                }
            }
        }
        Ok(buckets)
    }
}

fn last_of_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// The length of a series' buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    Day,
    /// Calendar weeks, starting Monday.
    Week,
    Month,
}

impl Interval {
    /// The first day of the calendar bucket holding `day`.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Interval::Day => day,
            Interval::Week => day - Days::new(day.weekday().num_days_from_monday() as u64),
            Interval::Month => day.with_day(1).expect("day 1 exists"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Interval::Day => "DAY",
            Interval::Week => "WEEK",
            Interval::Month => "MONTH",
        }
    }
}

/// One bucket of a series: the calendar day, week or month starting at `start`, of which
/// the days in `range` lie in the series' range (all of them, but at the range's ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub start: NaiveDate,
    pub range: DayRange,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_cover_uses_whole_months_and_the_days_around_them() {
        let r = DayRange::checked(d("2025-01-30"), d("2025-03-02")).unwrap();
        assert_eq!(
            r.cover(),
            [
                "2025-01-30",
                "2025-01-31",
                "2025-02",
                "2025-03-01",
                "2025-03-02"
            ]
        );
        let r = DayRange::checked(d("2025-02-01"), d("2025-02-28")).unwrap();
        assert_eq!(r.cover(), ["2025-02"]);
    }

    #[test]
    fn weeks_start_on_monday_and_cross_years() {
        // 2025-12-29 is a Monday; 2026-01-04 a Sunday.
        let r = DayRange::checked(d("2025-12-27"), d("2026-01-06")).unwrap();
        let b = r.buckets(Interval::Week).unwrap();
        let starts: Vec<String> = b.iter().map(|b| b.start.to_string()).collect();
        assert_eq!(starts, ["2025-12-22", "2025-12-29", "2026-01-05"]);
        assert_eq!(
            b[0].range,
            DayRange {
                from: d("2025-12-27"),
                to: d("2025-12-28")
            }
        );
        assert_eq!(b[1].range.to, d("2026-01-04"));
    }

    #[test]
    fn previous_period_is_equally_long_and_adjacent() {
        let r = DayRange::checked(d("2025-03-01"), d("2025-03-03")).unwrap();
        assert_eq!(
            r.previous(),
            DayRange {
                from: d("2025-02-26"),
                to: d("2025-02-28")
            }
        );
    }

    #[test]
    fn ranges_are_checked() {
        assert!(DayRange::checked(d("2025-03-02"), d("2025-03-01")).is_err());
        assert!(DayRange::checked(d("2024-01-01"), d("2025-12-31")).is_ok());
        assert!(DayRange::checked(d("2024-01-01"), d("2026-01-01")).is_err());
        let long = DayRange::checked(d("2023-01-01"), d("2024-12-31")).unwrap();
        assert!(long.buckets(Interval::Day).is_ok());
    }
}

/// What a date-range value is compared with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Comparison {
    /// The equally long range just before.
    #[default]
    PreviousPeriod,
    /// The same days a year earlier.
    PreviousYear,
}

/// The same calendar day a year earlier; 29 February maps to 28 February.
pub fn year_earlier(day: NaiveDate) -> NaiveDate {
    let year = day.year() - 1;
    day.with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, day.month(), 28))
        .unwrap_or(day)
}

impl Bucket {
    /// The bucket this one is compared with: for PREVIOUS_YEAR the same days a year
    /// earlier (DAY, MONTH) or 52 weeks earlier (WEEK); for PREVIOUS_PERIOD its days
    /// shifted back by the length of the whole range (`range_days`).
    pub fn compared(&self, with: Comparison, interval: Interval, range_days: i64) -> DayRange {
        let shift = |days: i64| DayRange {
            from: self.range.from - Days::new(days as u64),
            to: self.range.to - Days::new(days as u64),
        };
        match (with, interval) {
            (Comparison::PreviousPeriod, _) => shift(range_days),
            (Comparison::PreviousYear, Interval::Week) => shift(364),
            (Comparison::PreviousYear, _) => self.range.year_earlier(),
        }
    }
}
