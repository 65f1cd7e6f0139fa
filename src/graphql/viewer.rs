//! `viewer` (who is calling) and `metrics` (the dictionary).
use super::IntoGql;
use super::context::{authenticated, caller};
use crate::analytics::metrics::{DICTIONARY, Unit};
use crate::storage::keys::Scope;
use async_graphql::{Context, Enum, Object, Result, SimpleObject};

#[derive(Default)]
pub struct ViewerQuery;

/// The environment (tenant) a key belongs to.
#[derive(SimpleObject)]
pub struct Environment {
    /// The environment's name.
    pub name: String,
    /// Its IANA time zone: days and months of every report are calendar days and months
    /// there.
    pub time_zone: String,
}

/// The caller: its key's environment and scopes.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The environment every answer is about.
    pub environment: Environment,
    /// The scopes of the key in use: `reports:read`, `admin`, `events:write`.
    pub scopes: Vec<String>,
}

/// The unit of a metric's values.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MetricUnit {
    /// A number of events or of distinct things.
    Count,
    /// A duration in seconds.
    Seconds,
}

/// One entry of the metric dictionary.
#[derive(SimpleObject)]
pub struct Metric {
    /// The metric's name, as used by reports.
    pub name: String,
    /// What is counted and what is not.
    pub description: String,
    /// The unit of its values.
    pub unit: MetricUnit,
}

#[Object]
impl ViewerQuery {
    /// The caller: the environment of the API key and its scopes. Needs any valid key.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let caller = authenticated(ctx).gql()?;
        Ok(Viewer {
            environment: Environment {
                name: caller.environment.name.clone(),
                time_zone: caller.environment.time_zone.name().to_owned(),
            },
            scopes: caller
                .scopes
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        })
    }

    /// The metric dictionary: every metric's name, definition and unit.
    /// CSV: GET /v1/exports/metrics.csv
    async fn metrics(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
        caller(ctx, Scope::ReportsRead).gql()?;
        Ok(DICTIONARY
            .iter()
            .map(|m| Metric {
                name: m.name.to_owned(),
                description: m.description.to_owned(),
                unit: match m.unit {
                    Unit::Count => MetricUnit::Count,
                    Unit::Seconds => MetricUnit::Seconds,
                },
            })
            .collect())
    }
}
