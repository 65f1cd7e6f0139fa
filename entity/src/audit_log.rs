use sea_orm::entity::prelude::*;

/// One operator action or user erasure: who did what, when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    /// The environment acted on.
    #[sea_orm(primary_key, auto_increment = false)]
    pub environment_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub at: DateTimeUtc,
    /// `operator:<fingerprint>` or `key:<key id>`.
    pub actor: String,
    /// The mutation's name, e.g. `createEnvironment`.
    pub action: String,
    /// What it was asked and what it changed (never a token or an erased value).
    pub details: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
