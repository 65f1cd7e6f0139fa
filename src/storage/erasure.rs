//! Erasing a user: their name, email and groups removed; their id replaced by a
//! pseudonym in the catalog, the events (columns and payloads) and the rollups, so every
//! report keeps its numbers (the pseudonym is one user, as the id was). Runs in one
//! transaction that holds the environment's writer lock.
use crate::analytics::rollups::{Increments, USER_KEYED, UserPart};
use crate::error::{AppError, AppResult};
use entity::{asset, collection, environment, event, job, rollup, user};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

/// Every pseudonym starts with this.
pub const PSEUDONYM_PREFIX: &str = "erased-";

/// The user.* event types: their payloads hold a user's email, name and groups (of the
/// user concerned) and the acting admin's id (`byUserId`).
const USER_EVENT_TYPES: &[&str] = &["user.created", "user.updated", "user.deleted"];

/// Payload fields that hold the user concerned's personal data.
const PERSONAL_FIELDS: &[&str] = &["email", "name", "groups"];

/// Events read per step when rewriting payloads.
const PAGE: u64 = 1_000;

/// What an erasure changed.
#[derive(Clone, Debug, Default)]
pub struct Erased {
    pub pseudonym: String,
    /// Events whose user id or payload was rewritten.
    pub events: u64,
    /// Rollup rows moved to the pseudonym.
    pub rollup_rows: u64,
}

/// The environment's pseudonym secret, made at its first erasure (32 random bytes).
async fn secret<C: ConnectionTrait>(db: &C, environment_id: i64) -> AppResult<Vec<u8>> {
    let current = environment::Entity::find_by_id(environment_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("the environment is gone".into()))?;
    let hex = match current.pseudonym_secret {
        Some(hex) => hex,
        None => {
            let mut bytes = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            environment::ActiveModel {
                id: Set(environment_id),
                pseudonym_secret: Set(Some(hex.clone())),
                ..Default::default()
            }
            .update(db)
            .await?;
            hex
        }
    };
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("bad pseudonym secret: {e}")))
}

/// The user's pseudonym: `erased-` and an HMAC-SHA256 of the id under the environment's
/// secret (128 bits, hex). The same user always gets the same one, so erasing again after
/// late events merges them; without the secret it cannot be computed from an id.
pub async fn pseudonym<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    user_id: &str,
) -> AppResult<String> {
    let key = secret(db, environment_id).await?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hmac key: {e}")))?;
    mac.update(user_id.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{PSEUDONYM_PREFIX}{hex}"))
}

/// Erases `user_id` of the environment within `db` (a transaction holding its writer
/// lock). NOT_FOUND when the environment knows no such user.
pub async fn erase<C: ConnectionTrait>(
    db: &C,
    environment_id: i64,
    user_id: &str,
) -> AppResult<Erased> {
    if user_id.starts_with(PSEUDONYM_PREFIX) {
        return Err(AppError::BadUserInput(format!(
            "{} is a pseudonym already: that user was erased",
            crate::graphql::ids::quoted(user_id)
        )));
    }
    let found = user::Entity::find_by_id((environment_id, user_id.to_owned()))
        .one(db)
        .await?;
    if found.is_none() {
        return Err(AppError::NotFound(format!(
            "no user {} in this environment",
            crate::graphql::ids::quoted(user_id)
        )));
    }
    let p = pseudonym(db, environment_id, user_id).await?;
    catalog(db, environment_id, user_id, &p).await?;
    let events = events(db, environment_id, user_id, &p).await?;
    let rollup_rows = rollups(db, environment_id, user_id, &p).await?;
    Ok(Erased {
        pseudonym: p,
        events,
        rollup_rows,
    })
}

/// The user row (renamed, or merged into the pseudonym's from an earlier erasure) and
/// the catalog columns naming the user.
async fn catalog<C: ConnectionTrait>(db: &C, env: i64, id: &str, p: &str) -> AppResult<()> {
    let merged = user::Entity::find_by_id((env, p.to_owned()))
        .one(db)
        .await?;
    let this = Condition::all()
        .add(user::Column::EnvironmentId.eq(env))
        .add(user::Column::Id.eq(id));
    if merged.is_some() {
        user::Entity::delete_many().filter(this).exec(db).await?;
    } else {
        user::Entity::update_many()
            .col_expr(user::Column::Id, Expr::value(p))
            .col_expr(user::Column::Email, Expr::value(Option::<String>::None))
            .col_expr(user::Column::Name, Expr::value(Option::<String>::None))
            .col_expr(user::Column::Groups, Expr::value(Option::<Value>::None))
            .filter(this)
            .exec(db)
            .await?;
    }
    asset::Entity::update_many()
        .col_expr(asset::Column::UploadedBy, Expr::value(p))
        .filter(asset::Column::EnvironmentId.eq(env))
        .filter(asset::Column::UploadedBy.eq(id))
        .exec(db)
        .await?;
    collection::Entity::update_many()
        .col_expr(collection::Column::CreatedBy, Expr::value(p))
        .filter(collection::Column::EnvironmentId.eq(env))
        .filter(collection::Column::CreatedBy.eq(id))
        .exec(db)
        .await?;
    job::Entity::update_many()
        .col_expr(job::Column::CreatedBy, Expr::value(p))
        .filter(job::Column::EnvironmentId.eq(env))
        .filter(job::Column::CreatedBy.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The events' `user_id`, and the user.* payloads: the personal fields of the user
/// concerned removed, the acting admin's id replaced. Returns the events changed.
async fn events<C: ConnectionTrait>(db: &C, env: i64, id: &str, p: &str) -> AppResult<u64> {
    let mut changed = event::Entity::update_many()
        .col_expr(event::Column::UserId, Expr::value(p))
        .filter(event::Column::EnvironmentId.eq(env))
        .filter(event::Column::UserId.eq(id))
        .exec(db)
        .await?
        .rows_affected;
    let mut after: Option<String> = None;
    loop {
        let mut query = event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .column(event::Column::UserId)
            .column(event::Column::Payload)
            .filter(event::Column::EnvironmentId.eq(env))
            .filter(event::Column::EventType.is_in(USER_EVENT_TYPES.iter().copied()))
            .order_by_asc(event::Column::Id)
            .limit(PAGE);
        if let Some(after) = &after {
            query = query.filter(event::Column::Id.gt(after.as_str()));
        }
        let rows: Vec<(String, Option<String>, Value)> = query.into_tuple().all(db).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.0.clone());
        for (event_id, subject, mut payload) in rows {
            let Some(fields) = payload.as_object_mut() else {
                continue;
            };
            let mut touched = false;
            if subject.as_deref() == Some(p) {
                for f in PERSONAL_FIELDS {
                    touched |= fields.remove(*f).is_some();
                }
            }
            if fields.get("byUserId").and_then(Value::as_str) == Some(id) {
                fields.insert("byUserId".into(), Value::String(p.to_owned()));
                touched = true;
            }
            if touched {
                event::Entity::update_many()
                    .col_expr(event::Column::Payload, Expr::value(payload))
                    .filter(event::Column::EnvironmentId.eq(env))
                    .filter(event::Column::Id.eq(event_id))
                    .exec(db)
                    .await?;
                // Those whose user_id was rewritten are counted already.
                if subject.as_deref() != Some(p) {
                    changed += 1;
                }
            }
        }
    }
    Ok(changed)
}

/// Moves every rollup row holding the user (see [`USER_KEYED`]) to the pseudonym: its
/// count taken from the user's row and added to the pseudonym's, so each metric's row
/// counts (its distinct counts) stay; then drops the user's emptied rows.
async fn rollups<C: ConnectionTrait>(db: &C, env: i64, id: &str, p: &str) -> AppResult<u64> {
    let mut moves = Increments::new();
    let mut moved = 0;
    for (metric, part) in USER_KEYED {
        let column = match part {
            UserPart::Key => rollup::Column::Key,
            UserPart::Sub => rollup::Column::Sub,
        };
        let rows = rollup::Entity::find()
            .filter(rollup::Column::EnvironmentId.eq(env))
            .filter(rollup::Column::Metric.eq(*metric))
            .filter(column.eq(id))
            .all(db)
            .await?;
        for row in rows {
            moved += 1;
            let (key, sub) = match part {
                UserPart::Key => (p.to_owned(), row.sub.clone()),
                UserPart::Sub => (row.key.clone(), p.to_owned()),
            };
            *moves
                .entry((*metric, row.period.clone(), row.key, row.sub))
                .or_insert(0) -= row.count;
            *moves.entry((*metric, row.period, key, sub)).or_insert(0) += row.count;
        }
    }
    crate::storage::rollups::add(db, env, moves).await?;
    for (metric, part) in USER_KEYED {
        let column = match part {
            UserPart::Key => rollup::Column::Key,
            UserPart::Sub => rollup::Column::Sub,
        };
        rollup::Entity::delete_many()
            .filter(rollup::Column::EnvironmentId.eq(env))
            .filter(rollup::Column::Metric.eq(*metric))
            .filter(column.eq(id))
            .exec(db)
            .await?;
    }
    Ok(moved)
}

/// Marks the environment's READY activity reports to be made again (their CSV holds
/// the events as they were) and drops their CSV; returns them, to be restarted once the
/// erasure is committed.
pub async fn remake_reports<C: ConnectionTrait>(
    db: &C,
    env: i64,
) -> AppResult<Vec<entity::activity_report::Model>> {
    use crate::storage::activity_reports::{PENDING, READY};
    use entity::{activity_report as report, activity_report_chunk as chunk};
    let ready = report::Entity::find()
        .filter(report::Column::EnvironmentId.eq(env))
        .filter(report::Column::Status.eq(READY))
        .all(db)
        .await?;
    let ids: Vec<i64> = ready.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(ready);
    }
    chunk::Entity::delete_many()
        .filter(chunk::Column::EnvironmentId.eq(env))
        .filter(chunk::Column::ReportId.is_in(ids.clone()))
        .exec(db)
        .await?;
    report::Entity::update_many()
        .col_expr(report::Column::Status, Expr::value(PENDING))
        .col_expr(report::Column::RowCount, Expr::value(Option::<i64>::None))
        .filter(report::Column::EnvironmentId.eq(env))
        .filter(report::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(ready)
}
