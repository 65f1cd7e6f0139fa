//! Environments (tenants): creation and look-up.
use crate::error::{AppError, AppResult};
use chrono::Utc;
use chrono_tz::Tz;
use entity::environment;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
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
pub async fn create(
    db: &DatabaseConnection,
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

pub async fn find_by_name(db: &DatabaseConnection, name: &str) -> AppResult<Option<Environment>> {
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
