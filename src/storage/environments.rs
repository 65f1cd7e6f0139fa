//! Environments (tenants): creation and look-up.
use crate::error::{AppError, AppResult};
use chrono::DateTime;
use chrono::Utc;
use chrono_tz::Tz;
use entity::environment;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A resolved environment, with its zone parsed.
#[derive(Clone, Debug)]
pub struct Environment {
    pub id: i64,
    pub name: String,
    pub time_zone: Tz,
}

impl Environment {
    /// An environment from its stored columns; INTERNAL when the zone is unknown.
    pub fn from_columns(id: i64, name: String, time_zone: &str) -> AppResult<Self> {
        let time_zone = time_zone.parse::<Tz>().map_err(|_| {
            AppError::Internal(anyhow::anyhow!(
                "environment {id} has an unknown time zone {time_zone:?}"
            ))
        })?;
        Ok(Environment {
            id,
            name,
            time_zone,
        })
    }
}

impl TryFrom<environment::Model> for Environment {
    type Error = AppError;
    fn try_from(model: environment::Model) -> AppResult<Self> {
        Environment::from_columns(model.id, model.name, &model.time_zone)
    }
}

/// Parses an IANA zone name such as `Europe/Amsterdam`.
pub fn parse_time_zone(name: &str) -> AppResult<Tz> {
    name.parse::<Tz>().map_err(|_| {
        AppError::BadUserInput(format!(
            "unknown time zone {name:?}: give an IANA zone name such as \"Europe/Amsterdam\", \"America/New_York\" or \"UTC\""
        ))
    })
}

fn check_name(name: &str) -> AppResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(AppError::BadUserInput(format!(
            "invalid environment name {name:?}: use 1 to 64 characters among a-z, 0-9, '-' and '_'"
        )))
    }
}

/// Creates an environment; the name must be new.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    name: &str,
    time_zone: &str,
) -> AppResult<Environment> {
    check_name(name)?;
    let tz = parse_time_zone(time_zone)?;
    if find_by_name(db, name).await?.is_some() {
        return Err(AppError::BadUserInput(format!(
            "an environment named {name:?} already exists"
        )));
    }
    let model = environment::ActiveModel {
        name: Set(name.to_owned()),
        time_zone: Set(tz.name().to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    model.try_into()
}

pub async fn find_by_name<C: ConnectionTrait>(
    db: &C,
    name: &str,
) -> AppResult<Option<Environment>> {
    environment::Entity::find()
        .filter(environment::Column::Name.eq(name))
        .one(db)
        .await?
        .map(Environment::try_from)
        .transpose()
}

pub async fn find_by_id(db: &DatabaseConnection, id: i64) -> AppResult<Option<Environment>> {
    environment::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Environment::try_from)
        .transpose()
}

/// Finds an environment by name, or says which names exist.
pub async fn require(db: &DatabaseConnection, name: &str) -> AppResult<Environment> {
    find_by_name(db, name).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "no environment named {name:?}: create it with `dam-insights environments create {name} --timezone <IANA zone>`"
        ))
    })
}

pub async fn count(db: &DatabaseConnection) -> AppResult<u64> {
    Ok(environment::Entity::find().count(db).await?)
}

/// Every environment, by id.
pub async fn all(db: &DatabaseConnection) -> AppResult<Vec<Environment>> {
    environment::Entity::find()
        .order_by_asc(environment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Environment::try_from)
        .collect()
}

/// How long an environment keeps its raw events.
#[derive(Clone, Copy, Debug, Default)]
pub struct Retention {
    /// Days raw events are kept, by occurredAt; None keeps them forever.
    pub days: Option<u32>,
    /// Events that occurred before this instant were deleted.
    pub deleted_before: Option<DateTime<Utc>>,
}

impl Retention {
    fn of(model: &environment::Model) -> Self {
        Retention {
            days: model.retention_days.and_then(|d| u32::try_from(d).ok()),
            deleted_before: model.events_deleted_before,
        }
    }

    /// The instant before which events are no longer kept at `now`: those before it were
    /// deleted (or are about to be), so an event sent now from before it is refused (it
    /// could not be told from a repeat of a deleted one). None when nothing is deleted.
    pub fn horizon(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let by_days = self
            .days
            .map(|d| now - chrono::Duration::days(i64::from(d)));
        by_days.max(self.deleted_before)
    }
}

/// The retention of an environment.
pub async fn retention<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Retention> {
    Ok(environment::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|m| Retention::of(&m))
        .unwrap_or_default())
}

/// An environment as the operator sees it.
#[derive(Clone, Debug)]
pub struct Provisioned {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
    pub retention: Retention,
}

impl From<environment::Model> for Provisioned {
    fn from(model: environment::Model) -> Self {
        Provisioned {
            retention: Retention::of(&model),
            id: model.id,
            name: model.name,
            time_zone: model.time_zone,
            created_at: model.created_at,
        }
    }
}

/// One environment by name, as the operator sees it.
pub async fn provisioned<C: ConnectionTrait>(db: &C, name: &str) -> AppResult<Provisioned> {
    environment::Entity::find()
        .filter(environment::Column::Name.eq(name))
        .one(db)
        .await?
        .map(Provisioned::from)
        .ok_or_else(|| AppError::NotFound(format!("no environment named {}", quoted(name))))
}

/// A page of environments by name, after the name `after`.
pub async fn page(
    db: &DatabaseConnection,
    after: Option<String>,
    first: u64,
) -> AppResult<crate::storage::catalog::Page<Provisioned>> {
    let page = crate::storage::catalog::page(
        db,
        environment::Entity::find(),
        environment::Column::Name,
        after,
        first,
    )
    .await?;
    Ok(crate::storage::catalog::Page {
        items: page.items.into_iter().map(Provisioned::from).collect(),
        has_next: page.has_next,
        total: page.total,
    })
}

/// The changes asked of an environment; None leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct EnvironmentChanges {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    /// Some(None) keeps raw events forever; Some(Some(n)) keeps them n days.
    pub retention_days: Option<Option<u32>>,
}

/// Longest retention accepted, in days (100 years).
pub const MAX_RETENTION_DAYS: u32 = 36_500;

/// Checks a retention in days: 1 to 36,500.
pub fn check_retention(days: Option<u32>) -> AppResult<()> {
    match days {
        Some(d) if d == 0 || d > MAX_RETENTION_DAYS => Err(AppError::BadUserInput(format!(
            "retentionDays must be between 1 and {MAX_RETENTION_DAYS}, or null to keep raw events forever; got {d}"
        ))),
        _ => Ok(()),
    }
}

/// Applies `changes` to the environment `current` within `txn` (which holds the
/// environment's writer lock, so no event arrives meanwhile). A new time zone is refused
/// once the environment holds events: their stored local days and months, and every
/// rollup, were computed in the old one.
pub async fn update<C: ConnectionTrait>(
    txn: &C,
    current: &Provisioned,
    changes: &EnvironmentChanges,
) -> AppResult<Provisioned> {
    let mut active = environment::ActiveModel {
        id: Set(current.id),
        ..Default::default()
    };
    if let Some(name) = &changes.name
        && *name != current.name
    {
        check_name(name)?;
        let taken = environment::Entity::find()
            .filter(environment::Column::Name.eq(name.as_str()))
            .one(txn)
            .await?;
        if taken.is_some() {
            return Err(AppError::BadUserInput(format!(
                "an environment named {} already exists",
                quoted(name)
            )));
        }
        active.name = Set(name.clone());
    }
    if let Some(zone) = &changes.time_zone {
        let tz = parse_time_zone(zone)?;
        if tz.name() != current.time_zone {
            let any_event = entity::event::Entity::find()
                .filter(entity::event::Column::EnvironmentId.eq(current.id))
                .select_only()
                .column(entity::event::Column::Id)
                .limit(1)
                .into_tuple::<String>()
                .one(txn)
                .await?;
            if any_event.is_some() {
                return Err(AppError::BadUserInput(format!(
                    "the time zone of {} cannot change from {} to {}: it holds events, whose local days and months (and every report built on them) were computed in {}; create a new environment in {} and send its events there",
                    quoted(&current.name),
                    current.time_zone,
                    tz.name(),
                    current.time_zone,
                    tz.name()
                )));
            }
            active.time_zone = Set(tz.name().to_owned());
        }
    }
    if let Some(days) = changes.retention_days {
        check_retention(days)?;
        active.retention_days = Set(days.map(|d| d as i32));
    }
    let model = active.update(txn).await?;
    Ok(model.into())
}

/// Sets the retention of a new environment.
pub async fn set_retention<C: ConnectionTrait>(
    db: &C,
    id: i64,
    days: Option<u32>,
) -> AppResult<()> {
    check_retention(days)?;
    environment::ActiveModel {
        id: Set(id),
        retention_days: Set(days.map(|d| d as i32)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

fn quoted(value: &str) -> String {
    crate::graphql::ids::quoted(value)
}
