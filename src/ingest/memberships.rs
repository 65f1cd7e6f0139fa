//! Which assets a collection holds.
use chrono::{DateTime, Utc};
use entity::collection_asset;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use std::collections::BTreeMap;

use super::entities::INSERT_CHUNK;

/// Adds memberships (keeping the first time an asset was added), after replacing the
/// whole membership of the collections a sync lists.
pub async fn write<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    added: BTreeMap<(String, String), DateTime<Utc>>,
    replaced: BTreeMap<String, Vec<String>>,
) -> Result<(), DbErr> {
    let mut rows: Vec<collection_asset::ActiveModel> = Vec::new();
    for (collection_id, asset_ids) in replaced {
        collection_asset::Entity::delete_many()
            .filter(collection_asset::Column::EnvironmentId.eq(environment_id))
            .filter(collection_asset::Column::CollectionId.eq(collection_id.as_str()))
            .filter(collection_asset::Column::AssetId.is_not_in(asset_ids.iter().cloned()))
            .exec(db)
            .await?;
        rows.extend(
            asset_ids
                .into_iter()
                .map(|asset_id| collection_asset::ActiveModel {
                    environment_id: Set(environment_id),
                    collection_id: Set(collection_id.clone()),
                    asset_id: Set(asset_id),
                    added_at: Set(None),
                }),
        );
    }
    rows.extend(added.into_iter().map(|((collection_id, asset_id), at)| {
        collection_asset::ActiveModel {
            environment_id: Set(environment_id),
            collection_id: Set(collection_id),
            asset_id: Set(asset_id),
            added_at: Set(Some(at)),
        }
    }));
    for chunk in rows.chunks(INSERT_CHUNK) {
        collection_asset::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    collection_asset::Column::EnvironmentId,
                    collection_asset::Column::CollectionId,
                    collection_asset::Column::AssetId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .try_insert()
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
