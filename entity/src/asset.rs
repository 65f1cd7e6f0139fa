use sea_orm::entity::prelude::*;

/// A Media Library asset, from asset.* events or a catalog sync.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub environment_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub filename: Option<String>,
    /// IMAGE, VIDEO or RAW.
    pub asset_type: Option<String>,
    pub folder: Option<String>,
    /// JSON array of strings.
    pub tags: Option<Json>,
    /// JSON object: metaproperty name to an array of values.
    pub metaproperties: Option<Json>,
    /// WEB, EXTERNAL_UPLOADER, MASS_UPLOADER or API.
    pub source: Option<String>,
    pub uploaded_by: Option<String>,
    pub uploaded_at: Option<DateTimeUtc>,
    /// ACTIVE, ARCHIVED or DELETED.
    pub status: String,
    /// When each mutable field was last set: field name to occurredAt in microseconds
    /// since the epoch, so late-arriving events never overwrite newer values.
    pub versions: Json,
    /// True while only referenced by events, before its creating event or a sync.
    pub placeholder: bool,
    /// The local day (YYYY-MM-DD) of its first asset.uploaded; null without one.
    pub first_uploaded_day: Option<String>,
    /// The local day of its first asset.archived or asset.deleted; null without one.
    pub removed_day: Option<String>,
    /// The local day of its last asset.viewed, asset.downloaded (bulk included) or
    /// collection.downloaded; null without one.
    pub last_used_day: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
