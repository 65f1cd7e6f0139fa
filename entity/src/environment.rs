use sea_orm::entity::prelude::*;

/// A tenant: one DAM product environment with its own time zone.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "environments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub time_zone: String,
    pub created_at: DateTimeUtc,
    /// Days raw events are kept (by occurredAt); None keeps them forever.
    pub retention_days: Option<i32>,
    /// Events that occurred before this instant were deleted by the retention job (and
    /// events sent now that old are refused: they could not be told from repeats).
    pub events_deleted_before: Option<DateTimeUtc>,
    /// The secret erasure pseudonyms are made with (hex), set at the first erasure.
    pub pseudonym_secret: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
