//! Writing rollups: adding a batch's increments, and rebuilding from the raw events.
use crate::analytics::rollups::{EventFacts, Increments, increments};
use crate::ingest::INSERT_CHUNK;
use entity::{event, rollup};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Adds `increments` to the rollups of one environment.
pub async fn add<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    increments: Increments,
) -> Result<(), DbErr> {
    let mut rows = increments.into_iter().collect::<Vec<_>>();
    // A fixed order keeps concurrent writers from deadlocking on PostgreSQL.
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for chunk in rows.chunks(INSERT_CHUNK) {
        let models = chunk
            .iter()
            .map(|((metric, period, key, sub), count)| rollup::ActiveModel {
                environment_id: Set(environment_id),
                metric: Set((*metric).to_owned()),
                period: Set(period.clone()),
                key: Set(key.clone()),
                sub: Set(sub.clone()),
                count: Set(*count),
            });
        rollup::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([
                    rollup::Column::EnvironmentId,
                    rollup::Column::Metric,
                    rollup::Column::Period,
                    rollup::Column::Key,
                    rollup::Column::Sub,
                ])
                .value(
                    rollup::Column::Count,
                    Expr::cust("\"rollups\".\"count\" + \"excluded\".\"count\""),
                )
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Events read per step of a rebuild.
const REBUILD_PAGE: u64 = 5_000;

/// Recomputes every rollup of one environment from its raw events within `txn`;
/// `progress` is called with the number of events read so far. Returns that number.
pub async fn rebuild(
    txn: &DatabaseTransaction,
    environment_id: i64,
    mut progress: impl FnMut(u64),
) -> Result<u64, DbErr> {
    rollup::Entity::delete_many()
        .filter(rollup::Column::EnvironmentId.eq(environment_id))
        .exec(txn)
        .await?;
    let mut after: Option<String> = None;
    let mut read = 0u64;
    loop {
        let mut query = event::Entity::find()
            .filter(event::Column::EnvironmentId.eq(environment_id))
            .order_by_asc(event::Column::Id)
            .limit(REBUILD_PAGE);
        if let Some(after) = &after {
            query = query.filter(event::Column::Id.gt(after.as_str()));
        }
        let events = query.all(txn).await?;
        let Some(last) = events.last() else { break };
        after = Some(last.id.clone());
        let mut sums = Increments::new();
        for e in &events {
            increments(&facts(e), &mut sums);
        }
        add(txn, environment_id, sums).await?;
        read += events.len() as u64;
        progress(read);
    }
    Ok(read)
}

/// The rollup facts of a stored event.
pub fn facts(e: &event::Model) -> EventFacts<'_> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, serde_json::Value>> =
        std::sync::OnceLock::new();
    EventFacts {
        event_type: &e.event_type,
        user_id: e.user_id.as_deref(),
        session_id: e.session_id.as_deref(),
        asset_id: e.asset_id.as_deref(),
        collection_id: e.collection_id.as_deref(),
        month: &e.local_month,
        payload: e
            .payload
            .as_object()
            .unwrap_or_else(|| EMPTY.get_or_init(Default::default)),
    }
}

/// Every rollup row of an environment, sorted: to compare maintained and rebuilt ones.
pub async fn snapshot<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
) -> Result<Vec<rollup::Model>, DbErr> {
    rollup::Entity::find()
        .filter(rollup::Column::EnvironmentId.eq(environment_id))
        .filter(rollup::Column::Count.ne(0))
        .order_by_asc(rollup::Column::Metric)
        .order_by_asc(rollup::Column::Period)
        .order_by_asc(rollup::Column::Key)
        .order_by_asc(rollup::Column::Sub)
        .all(db)
        .await
}

/// True when events are stored but no rollup is: a database from before rollups.
pub async fn missing(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let any_event = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .limit(1)
        .into_tuple::<String>()
        .one(db)
        .await?;
    let any_rollup = rollup::Entity::find()
        .select_only()
        .column(rollup::Column::Metric)
        .limit(1)
        .into_tuple::<String>()
        .one(db)
        .await?;
    Ok(any_event.is_some() && any_rollup.is_none())
}
