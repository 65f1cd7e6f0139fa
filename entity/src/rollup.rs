use sea_orm::entity::prelude::*;

/// A count per environment, metric, period and key (and `sub` for pairs).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rollups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub environment_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub metric: String,
    /// A local month `YYYY-MM` or day `YYYY-MM-DD`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: String,
    /// The thing counted ('' for a metric's total).
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The second part of a pair ('' when none).
    #[sea_orm(primary_key, auto_increment = false)]
    pub sub: String,
    pub count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
