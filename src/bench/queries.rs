//! The benchmarked GraphQL queries. They select no opaque ids or cursors, so that the
//! raw-event baseline can compute every field of their answers.
use crate::analytics::time::YearMonth;
use chrono::{Datelike, Duration, NaiveDate};

/// Where the benchmarked queries look: the last complete month before `until`, the 90
/// and 365 days ending with `until`.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    pub until: NaiveDate,
}

impl Scenario {
    /// The month of the monthly report: the one before `until`'s month.
    pub fn month(&self) -> YearMonth {
        YearMonth {
            year: self.until.year(),
            month: self.until.month(),
        }
        .previous()
    }

    /// The first and last day of [`Self::month`].
    pub fn month_days(&self) -> (NaiveDate, NaiveDate) {
        let first = self.until.with_day(1).unwrap_or(self.until);
        let last = first - Duration::days(1);
        (last.with_day(1).unwrap_or(last), last)
    }

    /// The `days` days ending with `until`.
    pub fn days(&self, days: i64) -> (NaiveDate, NaiveDate) {
        (self.until - Duration::days(days - 1), self.until)
    }
}

/// The benchmarked queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchQuery {
    /// The full monthly report: every section, top lists of 10, every trend.
    MonthlyReport,
    /// The summary section alone (the small query of the load test).
    Summary,
    /// `insights` over the 90 days ending with `until`.
    Insights90,
    /// A DAY `series` of 4 metrics over the 365 days ending with `until`.
    Series365,
    /// The month's 100 most downloaded assets with filename, uploader and stats.
    TopAssets100,
    /// The monthly report's search effectiveness: zero-result searches and conversions,
    /// with their change, top zero-result queries and 12-month trends.
    SearchEffectiveness,
    /// `unusedAssets` over the 90 days ending with `until`: count, first 10, breakdowns.
    UnusedAssets90,
    /// `risingAssets` of the month, the first 10.
    RisingAssets,
}

const VALUE: &str = "{ current previous change changePercent }";
const SPLIT: &str = "{ key current previous change changePercent }";
const TREND: &str = "{ month value }";
const RATE: &str = "{ current previous change changePercent }";

impl BenchQuery {
    pub const ALL: [BenchQuery; 8] = [
        BenchQuery::MonthlyReport,
        BenchQuery::Summary,
        BenchQuery::Insights90,
        BenchQuery::Series365,
        BenchQuery::TopAssets100,
        BenchQuery::SearchEffectiveness,
        BenchQuery::UnusedAssets90,
        BenchQuery::RisingAssets,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BenchQuery::MonthlyReport => "monthly report (full)",
            BenchQuery::Summary => "monthly summary",
            BenchQuery::Insights90 => "insights, 90 days",
            BenchQuery::Series365 => "series DAY x4, 365 days",
            BenchQuery::TopAssets100 => "top 100 assets + stats",
            BenchQuery::SearchEffectiveness => "search effectiveness (month)",
            BenchQuery::UnusedAssets90 => "unused assets, 90 days",
            BenchQuery::RisingAssets => "rising assets (month)",
        }
    }

    /// The query text for `s`.
    pub fn graphql(self, s: &Scenario) -> String {
        let month = s.month();
        match self {
            BenchQuery::Summary => format!(
                "{{ monthlyReport(month: \"{month}\") {{ month summary {} }} }}",
                summary()
            ),
            BenchQuery::MonthlyReport => format!(
                "{{ monthlyReport(month: \"{month}\") {{ month summary {summary}
  engagement {{ topUsers(first: 10) {{ totalCount edges {{ node {{ userId name role }} total searches downloads uploads }} }}
    activeUsersTrend {TREND} activeSessionsTrend {TREND} }}
  search {{ topQueries(first: 10) {{ totalCount edges {{ node {{ query count users }} }} }}
    topFilterValues(first: 10) {{ totalCount edges {{ node {{ field value count }} }} }}
    topExpressions(first: 10) {{ totalCount edges {{ node {{ expression count }} }} }}
    searchesTrend {TREND} usersWhoSearchedTrend {TREND}
    visual {{ topReferenceImages(first: 10) {{ totalCount edges {{ node {{ assetId filename }} searches }} }}
      topTextQueries(first: 10) {{ totalCount edges {{ node {{ query count users }} }} }} }} }}
  downloads {{ topAssets(first: 10) {{ totalCount edges {{ node {{ assetId filename uploader {{ userId name }} }} downloads users }} }}
    uniqueAssetsDownloadedTrend {TREND} downloadsTrend {TREND} usersWhoDownloadedTrend {TREND} }}
  collections {{ topViewed(first: 10) {{ totalCount edges {{ node {{ collectionId name }} views }} }}
    topDownloaded(first: 10) {{ totalCount edges {{ node {{ collectionId name }} downloads }} }}
    viewsTrend {TREND} downloadsTrend {{ month original transformed total }}
    topCreators(first: 10) {{ totalCount edges {{ node {{ userId name }} collectionsCreated }} }}
    collectionsCreatedTrend {TREND} }} }} }}",
                summary = summary()
            ),
            BenchQuery::Insights90 => {
                let (from, to) = s.days(90);
                format!(
                    "{{ insights(range: {{from: \"{from}\", to: \"{to}\"}}) {{ range {{ from to }} previousRange {{ from to }}
  media {{ uploads {VALUE} uploadsBySource {SPLIT} uploadsByAssetType {SPLIT} assetViews {VALUE}
    downloads {VALUE} bulk: downloads(includeBulk: true) {VALUE} downloadActions {VALUE}
    assetsDeleted {VALUE} assetsArchived {VALUE} }}
  jobs {{ jobsCreated {VALUE} jobsFinished {VALUE} jobRevisions {VALUE} }}
  users {{ newUsers {VALUE} newUsersByVia {SPLIT} logins {VALUE} loginsBySso {SPLIT} logouts {VALUE} }} }} }}"
                )
            }
            BenchQuery::Series365 => {
                let (from, to) = s.days(365);
                format!(
                    "{{ series(metrics: [UPLOADS, DOWNLOADS, SEARCHES, ACTIVE_USERS], range: {{from: \"{from}\", to: \"{to}\"}}, interval: DAY) {{ buckets {{ from to }} metrics {{ metric values }} }} }}"
                )
            }
            BenchQuery::TopAssets100 => {
                let (from, to) = s.month_days();
                format!(
                    "{{ monthlyReport(month: \"{month}\") {{ downloads {{ topAssets(first: 100) {{ totalCount edges {{ node {{ assetId filename uploader {{ userId name }} stats(range: {{from: \"{from}\", to: \"{to}\"}}) {{ views downloads downloaders }} }} downloads users }} }} }} }} }}"
                )
            }
            BenchQuery::SearchEffectiveness => format!(
                "{{ monthlyReport(month: \"{month}\") {{ search {{ effectiveness {{
  searchesWithResultCount {VALUE} zeroResultSearches {VALUE} zeroResultRate {RATE}
  convertedSearches {VALUE} searchConversionRate {RATE}
  topZeroResultQueries(first: 10) {{ totalCount countSum edges {{ node {{ query count users }} }} }}
  searchesWithResultCountTrend {TREND} zeroResultSearchesTrend {TREND} zeroResultRateTrend {TREND}
  convertedSearchesTrend {TREND} searchConversionRateTrend {TREND} }} }} }} }}"
            ),
            BenchQuery::UnusedAssets90 => {
                let (from, to) = s.days(90);
                format!(
                    "{{ unusedAssets(range: {{from: \"{from}\", to: \"{to}\"}}) {{ range {{ from to }} count
  assets(first: 10) {{ totalCount edges {{ node {{ assetId filename folder assetType }} }} }}
  byFolder {{ value count }} byAssetType {{ value count }} }} }}"
                )
            }
            BenchQuery::RisingAssets => format!(
                "{{ risingAssets(month: \"{month}\", first: 10) {{ totalCount countSum edges {{ node {{ assetId filename }} downloads threeMonthAverage ratio }} }} }}"
            ),
        }
    }
}

fn summary() -> String {
    format!(
        "{{ activeUsers {VALUE} uploads {VALUE} searches {VALUE} downloads {VALUE} collectionsViewed {VALUE} }}"
    )
}

/// The 4 metrics of [`BenchQuery::Series365`], as the schema names them.
pub const SERIES_METRICS: [&str; 4] = ["UPLOADS", "DOWNLOADS", "SEARCHES", "ACTIVE_USERS"];
