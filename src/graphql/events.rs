//! Events as nodes, and the drilldowns that list them: from a metric to exactly the
//! events it counted, and from an entity to its history.
use super::IntoGql;
use super::context::db;
use super::ids::{NodeType, global_id, page_size, parse_cursor};
use super::loaders::{
    AssetLoader, CollectionLoader, EventLoader, JobLoader, PortalLoader, UserLoader, load_many,
    load_opt,
};
use super::nodes::{Asset, Collection, Job, Portal, User};
use super::range::Date;
use crate::analytics::insights::{Agg, read, value_source};
use crate::analytics::range::DayRange;
use crate::analytics::rollups::{event_key, event_of_key, m};
use crate::error::AppError;
use crate::storage::catalog::Page;
use crate::storage::environments::Environment;
use crate::storage::events::{self, After, EventFilter};
use async_graphql::{Context, ID, Json, Object, Result};
use chrono::{DateTime, Utc};
use entity::event;
use serde_json::Value;

#[derive(Clone)]
pub struct Event(pub event::Model);

/// One stored event, as the DAM sent it.
#[Object]
impl Event {
    /// The opaque global id: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Event, &self.0.id)
    }
    /// The sender's id of the event (its idempotency key).
    async fn event_id(&self) -> &str {
        &self.0.id
    }
    /// The dotted event type, e.g. `asset.downloaded`.
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The calendar day it belongs to in the environment's time zone.
    async fn day(&self) -> Date {
        self.0.local_day.into()
    }
    /// The session it belongs to, if the DAM sent one.
    async fn session_id(&self) -> Option<&str> {
        self.0.session_id.as_deref()
    }
    /// The actor (on user.* events, the user the event is about); null for anonymous
    /// viewers of a public link.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(load_opt::<UserLoader>(ctx, &self.0.user_id)
            .await?
            .map(User))
    }
    /// The asset it is about, if any (deleted assets resolve too).
    async fn asset(&self, ctx: &Context<'_>) -> Result<Option<Asset>> {
        Ok(load_opt::<AssetLoader>(ctx, &self.0.asset_id)
            .await?
            .map(Asset))
    }
    /// The collection it is about, if any.
    async fn collection(&self, ctx: &Context<'_>) -> Result<Option<Collection>> {
        Ok(load_opt::<CollectionLoader>(ctx, &self.0.collection_id)
            .await?
            .map(Collection))
    }
    /// The job it is about, if any.
    async fn job(&self, ctx: &Context<'_>) -> Result<Option<Job>> {
        Ok(load_opt::<JobLoader>(ctx, &self.0.job_id).await?.map(Job))
    }
    /// The portal it is about, if any.
    async fn portal(&self, ctx: &Context<'_>) -> Result<Option<Portal>> {
        Ok(load_opt::<PortalLoader>(ctx, &self.0.portal_id)
            .await?
            .map(Portal))
    }
    /// The fields of its type other than the ids above (e.g. bulk, variant, query), as
    /// sent.
    async fn fields(&self) -> Json<Value> {
        Json(self.0.payload.clone())
    }
}

crate::connection_type!(EventConnection, EventEdge, Event, "events, newest first");

pub(crate) fn event_cursor(e: &event::Model) -> String {
    event_key(e.occurred_at, &e.id)
}

pub(crate) fn parse_after(after: Option<String>) -> Result<Option<After>> {
    let Some(after) = after else { return Ok(None) };
    let key = parse_cursor(&after).gql()?;
    let bad = || {
        AppError::BadUserInput(format!(
            "{} is not a cursor of an event list: pass an `endCursor` or edge `cursor` of this list",
            crate::graphql::ids::quoted(&after)
        ))
    };
    let (at, id) = key.split_once('|').ok_or_else(bad).gql()?;
    let at = DateTime::parse_from_rfc3339(at).map_err(|_| bad()).gql()?;
    Ok(Some(After {
        occurred_at: at.with_timezone(&Utc),
        id: id.to_owned(),
    }))
}

fn is_bulk(e: &event::Model) -> bool {
    e.payload.get("bulk").and_then(Value::as_bool) == Some(true)
}

fn not_bulk(e: &event::Model) -> bool {
    !is_bulk(e)
}

fn via_public_link(e: &event::Model) -> bool {
    e.payload.get("viaPublicLink").and_then(Value::as_bool) == Some(true)
}

fn has_result_count(e: &event::Model) -> bool {
    e.payload
        .get("resultCount")
        .and_then(Value::as_i64)
        .is_some()
}

fn zero_results(e: &event::Model) -> bool {
    e.payload.get("resultCount").and_then(Value::as_i64) == Some(0)
}

/// What a metric's drilldown lists: stored events (and the rollups that count them), or
/// the events a per-event rollup names.
enum Drill {
    Events {
        filter: EventFilter,
        counted_by: Vec<(&'static str, Agg)>,
    },
    Keyed(&'static str),
}

fn drill(metric: &str, include_bulk: bool, (from, until): (DateTime<Utc>, DateTime<Utc>)) -> Drill {
    let mut filter = EventFilter {
        types: Vec::new(),
        with_user: false,
        with_session: false,
        entity: None,
        keep: None,
        from,
        until,
    };
    let non_bulk = |mut f: EventFilter| {
        f.types = vec!["asset.downloaded"];
        f.keep = Some(not_bulk);
        f
    };
    let (filter, counted_by) = match metric {
        "revisionRoundsFinished" => return Drill::Keyed(m::REVISION_ROUNDS),
        "jobDuration" => return Drill::Keyed(m::JOB_DURATION),
        "convertedSearches" => return Drill::Keyed(m::CONVERTED_SEARCH),
        "downloads" if include_bulk => {
            filter.types = vec!["asset.downloaded"];
            (
                filter,
                vec![(m::DOWNLOADS, Agg::Total), (m::BULK_DOWNLOADS, Agg::Total)],
            )
        }
        "downloads" | "downloadActions" | "uniqueAssetsDownloaded" | "usersWhoDownloaded" => {
            (non_bulk(filter), vec![(m::DOWNLOADS, Agg::Total)])
        }
        "usersWhoSearched" => {
            filter.types = vec!["search.performed"];
            filter.with_user = true;
            (filter, vec![(m::SEARCHER, Agg::Sum)])
        }
        "activeUsers" => {
            filter.types = vec!["asset.uploaded", "asset.downloaded", "search.performed"];
            filter.with_user = true;
            (filter, vec![(m::ACTIVE_USER, Agg::Sum)])
        }
        "activeSessions" => {
            filter.with_user = true;
            filter.with_session = true;
            (filter, vec![(m::ACTIVE_SESSION, Agg::Sum)])
        }
        "searchesWithResultCount" | "zeroResultSearches" => {
            filter.types = vec!["search.performed"];
            filter.keep = Some(if metric == "zeroResultSearches" {
                zero_results
            } else {
                has_result_count
            });
            (filter, value_source(metric, false).unwrap_or_default())
        }
        "collectionsViewed" => {
            filter.types = vec!["collection.viewed"];
            filter.keep = Some(via_public_link);
            (filter, vec![(m::COLLECTIONS_VIEWED, Agg::Total)])
        }
        other => {
            filter.types = vec![match other {
                "uploads" => "asset.uploaded",
                "assetViews" => "asset.viewed",
                "assetsArchived" => "asset.archived",
                "assetsDeleted" => "asset.deleted",
                "searches" => "search.performed",
                "publicCollectionDownloads" => "collection.downloaded",
                "collectionsCreated" => "collection.created",
                "newUsers" => "user.created",
                "logins" => "user.logged_in",
                "logouts" => "user.logged_out",
                "jobsCreated" => "job.created",
                "jobsFinished" => "job.finished",
                _ => "job.sent_back",
            }];
            (filter, value_source(other, false).unwrap_or_default())
        }
    };
    Drill::Events { filter, counted_by }
}

pub(crate) fn connection(
    items: Vec<event::Model>,
    has_next: bool,
    total: u64,
    after_given: bool,
) -> EventConnection {
    EventConnection::from_page(
        Page {
            items,
            has_next,
            total,
        },
        after_given,
        event_cursor,
        Event,
    )
}

/// Exactly the events `metric` counted over `range`, newest first.
pub async fn metric_events(
    ctx: &Context<'_>,
    env: &Environment,
    metric: &str,
    include_bulk: bool,
    range: &DayRange,
    first: Option<i32>,
    after: Option<String>,
) -> Result<EventConnection> {
    let first = page_size(first).gql()?;
    let after_given = after.is_some();
    let after = parse_after(after)?;
    let db = db(ctx).gql()?;
    let periods = range.cover();
    match drill(metric, include_bulk, range.instants(env.time_zone)) {
        Drill::Events { filter, counted_by } => {
            let page = events::page(db, env.id, &filter, after, first)
                .await
                .gql()?;
            let mut total = 0;
            for (rollup, agg) in counted_by {
                total += read(db, env.id, rollup, agg, &periods).await.gql()?;
            }
            Ok(connection(
                page.events,
                page.has_next,
                total as u64,
                after_given,
            ))
        }
        Drill::Keyed(rollup) => {
            let before = after.map(|a| event_key(a.occurred_at, &a.id));
            let rows = crate::analytics::insights::event_rows(
                db,
                env.id,
                rollup,
                &periods,
                before.as_deref(),
                first + 1,
            )
            .await
            .gql()?;
            let has_next = rows.len() as u64 > first;
            let ids: Vec<String> = rows
                .iter()
                .take(first as usize)
                .map(|(key, _)| event_of_key(key).to_owned())
                .collect();
            let mut found = load_many::<EventLoader>(ctx, ids.clone()).await?;
            let items = ids.iter().filter_map(|id| found.remove(id)).collect();
            let total = read(db, env.id, rollup, Agg::Sum, &periods).await.gql()?;
            Ok(connection(items, has_next, total as u64, after_given))
        }
    }
}

/// The events naming one entity over `range`, newest first.
pub async fn entity_events(
    ctx: &Context<'_>,
    env: &Environment,
    column: event::Column,
    id: &str,
    range: &DayRange,
    first: Option<i32>,
    after: Option<String>,
) -> Result<EventConnection> {
    let first = page_size(first).gql()?;
    let after_given = after.is_some();
    let after = parse_after(after)?;
    let db = db(ctx).gql()?;
    let (from, until) = range.instants(env.time_zone);
    let filter = EventFilter {
        types: Vec::new(),
        with_user: false,
        with_session: false,
        entity: Some((column, id.to_owned())),
        keep: None,
        from,
        until,
    };
    let page = events::page(db, env.id, &filter, after, first)
        .await
        .gql()?;
    let total = events::count(db, env.id, &filter).await.gql()?;
    Ok(connection(page.events, page.has_next, total, after_given))
}
