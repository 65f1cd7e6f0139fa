use sea_orm::entity::prelude::*;

/// One stored event, append-only. `local_day` and `local_month` are the calendar day and
/// month of `occurred_at` in the environment's time zone, computed at ingest.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub environment_id: i64,
    /// The sender's idempotency key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The dotted type name, e.g. `asset.downloaded`.
    pub event_type: String,
    pub occurred_at: DateTimeUtc,
    pub local_day: Date,
    /// `YYYY-MM`.
    pub local_month: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub asset_id: Option<String>,
    pub collection_id: Option<String>,
    pub job_id: Option<String>,
    pub portal_id: Option<String>,
    /// The fields of the event's type other than the ids above.
    pub payload: Json,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
