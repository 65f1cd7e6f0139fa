//! `highlights(month:)`: the count metrics that moved far from their 6-month baseline
//! in a month, and declining adoption.
use super::IntoGql;
use super::context::{caller, db};
use super::month::Month;
use super::range::MetricName;
use crate::analytics::highlights::{self, Direction, Kind};
use crate::storage::keys::Scope;
use async_graphql::{Context, Enum, Object, Result, SimpleObject};

#[derive(Default)]
pub struct HighlightsQuery;

/// What a highlight reports.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightKind {
    /// The month's value is far from the mean μ of the 6 months before: |value − μ| ≥
    /// 2σ (σ their population standard deviation) and |value − μ| ≥ 20% of μ; when μ
    /// is 0, a value of at least 5.
    SignificantChange,
    /// activeUsers fell in each of the last 3 months (M below M−1, M−1 below M−2, M−2
    /// below M−3); set against M−3's value.
    DecliningAdoption,
}

/// Which way a value moved.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightDirection {
    /// Above its baseline.
    Up,
    /// Below its baseline.
    Down,
}

/// A metric of a month that stands out.
#[derive(SimpleObject, Clone, Debug)]
pub struct Highlight {
    /// What it reports.
    pub kind: HighlightKind,
    /// The metric (activeUsers for DECLINING_ADOPTION).
    pub metric: MetricName,
    /// Which way it moved (DOWN for DECLINING_ADOPTION).
    pub direction: HighlightDirection,
    /// The metric's value in the month.
    pub value: i64,
    /// What the value is set against: for SIGNIFICANT_CHANGE the mean μ of the 6 months
    /// before; for DECLINING_ADOPTION the value 3 months before.
    pub mean: f64,
    /// (value − mean) / mean × 100; null when mean is 0.
    pub change_percent: Option<f64>,
    /// (value − μ) / σ, σ the population standard deviation of the 6 months before;
    /// null when σ is 0, and for DECLINING_ADOPTION.
    pub z: Option<f64>,
}

/// The highlights of a month, or why it has none.
#[derive(SimpleObject, Clone, Debug)]
pub struct MonthHighlights {
    /// The listed month.
    pub month: Month,
    /// Whether the 6 months before it all are on or after the month of the environment's
    /// first event. When not, there is not enough history yet for a baseline and `items`
    /// is empty.
    pub enough_history: bool,
    /// The month (in the environment's time zone) of the environment's first event; null
    /// when it has none. The first month with highlights is 6 months after it.
    pub first_event_month: Option<Month>,
    /// The highlights: DECLINING_ADOPTION first, then those with a null changePercent,
    /// then by |changePercent| descending, then by the metric's enum value ascending
    /// (alphabetically).
    pub items: Vec<Highlight>,
}

impl From<highlights::Highlight> for Highlight {
    fn from(h: highlights::Highlight) -> Self {
        Highlight {
            kind: match h.kind {
                Kind::SignificantChange => HighlightKind::SignificantChange,
                Kind::DecliningAdoption => HighlightKind::DecliningAdoption,
            },
            // Every metric highlights check is in the enum (a unit test holds them to it).
            metric: MetricName::from_name(h.metric).unwrap_or(MetricName::ActiveUsers),
            direction: match h.direction {
                Direction::Up => HighlightDirection::Up,
                Direction::Down => HighlightDirection::Down,
            },
            value: h.value,
            mean: h.mean,
            change_percent: h.change_percent,
            z: h.z,
        }
    }
}

#[Object]
impl HighlightsQuery {
    /// The highlights of a month (in the environment's time zone), read from the monthly
    /// rollups: each count metric of the dictionary (uploads, assetViews, downloads,
    /// downloadActions, uniqueAssetsDownloaded, usersWhoDownloaded, assetsArchived,
    /// assetsDeleted, searches, usersWhoSearched, activeUsers, activeSessions,
    /// collectionsViewed, publicCollectionDownloads, collectionsCreated, newUsers, logins,
    /// logouts, jobsCreated, jobsFinished, jobRevisions, revisionRoundsFinished,
    /// searchesWithResultCount, zeroResultSearches, convertedSearches) whose value is far
    /// from its 6-month baseline, and declining adoption (activeUsers falling 3 months
    /// running). Empty, with `enoughHistory` false, while any of the 6 months before is
    /// before the environment's first event. Needs reports:read.
    async fn highlights(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The listed month, `YYYY-MM`.")] month: Month,
    ) -> Result<MonthHighlights> {
        let caller = caller(ctx, Scope::ReportsRead).gql()?;
        let listed = month.get().gql()?;
        let found = highlights::of_month(db(ctx).gql()?, caller.environment.id, listed)
            .await
            .gql()?;
        Ok(MonthHighlights {
            month: listed.into(),
            enough_history: found.enough_history,
            first_event_month: found.first_month.map(Into::into),
            items: found.items.into_iter().map(Into::into).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::MetricName;
    use crate::analytics::highlights::{METRICS, enum_value};
    use async_graphql::resolver_utils::EnumType;

    #[test]
    fn every_checked_metric_is_in_the_enum_under_the_value_it_sorts_by() {
        for name in METRICS {
            let metric = MetricName::from_name(name).expect("in the enum");
            let item = MetricName::items()
                .iter()
                .find(|i| i.value == metric)
                .expect("an item");
            assert_eq!(item.name, enum_value(name));
        }
    }
}
