use sea_orm::entity::prelude::*;

/// An activity report: the events of a range of days as CSV, made in the background.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub environment_id: i64,
    /// 1, 2, 3… within the environment, in the order the reports were asked for.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// PENDING, RUNNING, READY or FAILED.
    pub status: String,
    pub range_from: Date,
    pub range_to: Date,
    /// The number of events in the CSV, once READY.
    pub row_count: Option<i64>,
    /// When it was asked for; events received after it are left out.
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Why it FAILED.
    pub failure: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
