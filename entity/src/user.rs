use sea_orm::entity::prelude::*;

/// A DAM user, from user.* events or a catalog sync.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub environment_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub groups: Option<Json>,
    pub via: Option<String>,
    /// ACTIVE or DELETED.
    pub status: String,
    pub created_at: Option<DateTimeUtc>,
    pub last_login_at: Option<DateTimeUtc>,
    /// When each mutable field was last set: field name to occurredAt in microseconds
    /// since the epoch, so late-arriving events never overwrite newer values.
    pub versions: Json,
    /// True while only referenced by events, before its creating event or a sync.
    pub placeholder: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
