//! The admin dashboard's catalog figures: what the library holds now (assets, users,
//! collections, live portals), counted from the catalog tables of one environment.
use crate::error::AppResult;
use entity::{asset, collection, collection_asset, portal, user};
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, IntoIden, JoinType, Order, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};

const DELETED: &str = "DELETED";
const ARCHIVED: &str = "ARCHIVED";

fn count_expr() -> Expr {
    Expr::cust("CAST(COUNT(*) AS BIGINT)")
}

/// Assets not deleted, per type (None while unknown): (type, all, archived).
pub async fn assets_by_type(
    db: &DatabaseConnection,
    environment_id: i64,
) -> AppResult<Vec<(Option<String>, i64, i64)>> {
    let rows: Vec<(Option<String>, String, i64)> = asset::Entity::find()
        .filter(asset::Column::EnvironmentId.eq(environment_id))
        .filter(asset::Column::Status.ne(DELETED))
        .select_only()
        .column(asset::Column::AssetType)
        .column(asset::Column::Status)
        .column_as(count_expr(), "n")
        .group_by(asset::Column::AssetType)
        .group_by(asset::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: Vec<(Option<String>, i64, i64)> = Vec::new();
    for (kind, status, n) in rows {
        let archived = if status == ARCHIVED { n } else { 0 };
        match out.iter_mut().find(|(k, _, _)| *k == kind) {
            Some(entry) => {
                entry.1 += n;
                entry.2 += archived;
            }
            None => out.push((kind, n, archived)),
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Users not deleted, per role (None when unknown), by role.
pub async fn users_by_role(
    db: &DatabaseConnection,
    environment_id: i64,
) -> AppResult<Vec<(Option<String>, i64)>> {
    let mut rows: Vec<(Option<String>, i64)> = user::Entity::find()
        .filter(user::Column::EnvironmentId.eq(environment_id))
        .filter(user::Column::Status.ne(DELETED))
        .select_only()
        .column(user::Column::Role)
        .column_as(count_expr(), "n")
        .group_by(user::Column::Role)
        .into_tuple()
        .all(db)
        .await?;
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows)
}

/// Collections and public (published) ones, each with the distinct assets, not deleted,
/// that they hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CollectionTotals {
    pub collections: i64,
    pub collection_assets: i64,
    pub published: i64,
    pub published_assets: i64,
}

pub async fn collections(
    db: &DatabaseConnection,
    environment_id: i64,
) -> AppResult<CollectionTotals> {
    let counts: Vec<(bool, i64)> = collection::Entity::find()
        .filter(collection::Column::EnvironmentId.eq(environment_id))
        .select_only()
        .column(collection::Column::IsPublic)
        .column_as(count_expr(), "n")
        .group_by(collection::Column::IsPublic)
        .into_tuple()
        .all(db)
        .await?;
    // Distinct assets held by all collections, and by public ones: a join within the
    // environment on both tables' keys.
    let held = |public_only: bool| {
        let (ca, c, a) = (Alias::new("ca"), Alias::new("c"), Alias::new("a"));
        let mut q = Query::select();
        q.expr_as(
            Expr::cust("CAST(COUNT(DISTINCT \"ca\".\"asset_id\") AS BIGINT)"),
            Alias::new("n"),
        )
        .from_as(collection_asset::Entity, ca.clone())
        .join_as(
            JoinType::InnerJoin,
            asset::Entity,
            a.clone(),
            Expr::col((a.clone(), asset::Column::EnvironmentId))
                .equals((ca.clone(), collection_asset::Column::EnvironmentId))
                .and(
                    Expr::col((a.clone(), asset::Column::Id))
                        .equals((ca.clone(), collection_asset::Column::AssetId)),
                ),
        )
        .and_where(
            Expr::col((ca.clone(), collection_asset::Column::EnvironmentId)).eq(environment_id),
        )
        .and_where(Expr::col((a.clone(), asset::Column::Status)).ne(DELETED));
        if public_only {
            q.join_as(
                JoinType::InnerJoin,
                collection::Entity,
                c.clone(),
                Expr::col((c.clone(), collection::Column::EnvironmentId))
                    .equals((ca.clone(), collection_asset::Column::EnvironmentId))
                    .and(
                        Expr::col((c.clone(), collection::Column::Id))
                            .equals((ca.clone(), collection_asset::Column::CollectionId)),
                    ),
            )
            .and_where(Expr::col((c, collection::Column::IsPublic)).eq(true));
        }
        db.get_database_backend().build(&q)
    };
    let mut assets = [0i64; 2];
    for (i, public) in [false, true].into_iter().enumerate() {
        if let Some(row) = db.query_one_raw(held(public)).await? {
            assets[i] = row.try_get("", "n")?;
        }
    }
    Ok(CollectionTotals {
        collections: counts.iter().map(|(_, n)| n).sum(),
        collection_assets: assets[0],
        published: counts.iter().filter(|(p, _)| *p).map(|(_, n)| n).sum(),
        published_assets: assets[1],
    })
}

/// Live portals: (portals, the sum of their asset counts).
pub async fn live_portals(db: &DatabaseConnection, environment_id: i64) -> AppResult<(i64, i64)> {
    let row: Option<(i64, i64)> = portal::Entity::find()
        .filter(portal::Column::EnvironmentId.eq(environment_id))
        .filter(portal::Column::IsLive.eq(true))
        .select_only()
        .column_as(count_expr(), "n")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(\"asset_count\"), 0) AS BIGINT)"),
            "assets",
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.unwrap_or((0, 0)))
}

/// Who a dashboard ranking lists after those it counted, with a count of 0: the
/// downloaded versions show "all users" and "all published collections" (seed 001).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Members {
    /// Every user not deleted.
    Users,
    /// Every published (public) collection.
    PublishedCollections,
}

impl Members {
    /// The members' ids that `counted` (a query of one column of keys) does not hold.
    fn idle(self, environment_id: i64, counted: SelectStatement) -> SelectStatement {
        let mut q = Query::select();
        match self {
            Members::Users => q
                .column(user::Column::Id)
                .from(user::Entity)
                .and_where(Expr::col(user::Column::EnvironmentId).eq(environment_id))
                .and_where(Expr::col(user::Column::Status).ne(DELETED))
                .and_where(Expr::col(user::Column::Id).not_in_subquery(counted)),
            Members::PublishedCollections => q
                .column(collection::Column::Id)
                .from(collection::Entity)
                .and_where(Expr::col(collection::Column::EnvironmentId).eq(environment_id))
                .and_where(Expr::col(collection::Column::IsPublic).eq(true))
                .and_where(Expr::col(collection::Column::Id).not_in_subquery(counted)),
        };
        q
    }
}

/// Up to `limit` ids of the members `counted` does not hold, after the id `after`, by id.
pub async fn idle_members(
    db: &DatabaseConnection,
    environment_id: i64,
    members: Members,
    counted: SelectStatement,
    after: Option<&str>,
    limit: u64,
) -> AppResult<Vec<String>> {
    let id = match members {
        Members::Users => user::Column::Id.into_iden(),
        Members::PublishedCollections => collection::Column::Id.into_iden(),
    };
    let mut q = members.idle(environment_id, counted);
    if let Some(after) = after {
        q.and_where(Expr::col(id.clone()).gt(after));
    }
    q.order_by(id, Order::Asc).limit(limit);
    let rows = db
        .query_all_raw(db.get_database_backend().build(&q))
        .await?;
    rows.iter()
        .map(|row| Ok(row.try_get_by_index::<String>(0)?))
        .collect()
}

/// How many members `counted` does not hold.
pub async fn idle_count(
    db: &DatabaseConnection,
    environment_id: i64,
    members: Members,
    counted: SelectStatement,
) -> AppResult<u64> {
    let mut q = Query::select();
    q.expr_as(count_expr(), Alias::new("n"))
        .from_subquery(members.idle(environment_id, counted), Alias::new("idle"));
    let n: i64 = match db
        .query_one_raw(db.get_database_backend().build(&q))
        .await?
    {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}
