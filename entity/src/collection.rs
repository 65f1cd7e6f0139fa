use sea_orm::entity::prelude::*;

/// A collection of assets; public when its public link is on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "collections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub environment_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: Option<String>,
    pub is_public: bool,
    pub created_by: Option<String>,
    pub created_at: Option<DateTimeUtc>,
    /// When each mutable field was last set: field name to occurredAt in microseconds
    /// since the epoch, so late-arriving events never overwrite newer values.
    pub versions: Json,
    /// True while only referenced by events, before its creating event or a sync.
    pub placeholder: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
