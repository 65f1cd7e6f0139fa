//! What subscriptions wait on: each watched environment's data version, polled from the
//! database (so a change committed through any server replica reaches subscribers on
//! every one), and the limits on subscriptions per key and per connection.
use crate::error::AppResult;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The limits on subscriptions (readable in the `limits` query).
#[derive(Clone, Copy, Debug)]
pub struct LiveLimits {
    /// Active subscriptions one connection may hold.
    pub per_connection: usize,
    /// Active subscriptions one key may hold over all its connections (per server).
    pub per_key: usize,
    /// A connection without subscriptions and silent this long is closed.
    pub idle: Duration,
    /// How often watched versions are read.
    pub poll: Duration,
}

struct Watched {
    sender: watch::Sender<i64>,
}

/// The hub: the versions of environments with subscribers, and who holds how many
/// subscriptions.
#[derive(Clone)]
pub struct Live {
    pub limits: LiveLimits,
    watched: Arc<Mutex<HashMap<i64, Watched>>>,
    per_key: Arc<Mutex<HashMap<String, usize>>>,
}

/// The subscriptions of one connection (connection data).
#[derive(Clone, Default)]
pub struct ConnectionCount(pub Arc<AtomicUsize>);

/// One active subscription: counted against its key and connection until dropped.
pub struct Permit {
    live: Live,
    key: String,
    connection: ConnectionCount,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.connection.0.fetch_sub(1, Ordering::Relaxed);
        let mut per_key = self.live.per_key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per_key.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                per_key.remove(&self.key);
            }
        }
    }
}

impl Live {
    /// The hub, polling `db` every `limits.poll` while anything is watched.
    pub fn start(db: DatabaseConnection, limits: LiveLimits) -> Live {
        let live = Live {
            limits,
            watched: Arc::default(),
            per_key: Arc::default(),
        };
        let poller = live.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(limits.poll);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(err) = poller.poll(&db).await {
                    tracing::warn!(error = %err, "reading data versions for subscriptions");
                }
            }
        });
        live
    }

    /// Reads the versions of watched environments and tells their subscribers of changes;
    /// forgets environments nobody watches any more.
    async fn poll(&self, db: &DatabaseConnection) -> AppResult<()> {
        let ids: Vec<i64> = {
            let mut watched = self.watched.lock().unwrap_or_else(|e| e.into_inner());
            watched.retain(|_, w| w.sender.receiver_count() > 0);
            watched.keys().copied().collect()
        };
        if ids.is_empty() {
            return Ok(());
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                format!(
                    "SELECT environment_id, version FROM data_versions WHERE environment_id IN ({list})"
                ),
            ))
            .await?;
        let watched = self.watched.lock().unwrap_or_else(|e| e.into_inner());
        for row in rows {
            let id: i64 = row.try_get("", "environment_id")?;
            let version: i64 = row.try_get("", "version")?;
            if let Some(w) = watched.get(&id) {
                w.sender.send_if_modified(|v| {
                    let changed = *v != version;
                    *v = version;
                    changed
                });
            }
        }
        Ok(())
    }

    /// A receiver of the environment's data version, starting at `version`.
    pub fn watch(&self, environment_id: i64, version: i64) -> watch::Receiver<i64> {
        let mut watched = self.watched.lock().unwrap_or_else(|e| e.into_inner());
        let w = watched.entry(environment_id).or_insert_with(|| Watched {
            sender: watch::channel(version).0,
        });
        let mut rx = w.sender.subscribe();
        rx.mark_unchanged();
        rx
    }

    /// Admits one more subscription of `key` on `connection`, or says which limit it
    /// would pass.
    pub fn admit(&self, key: &str, connection: &ConnectionCount) -> Result<Permit, String> {
        let mut per_key = self.per_key.lock().unwrap_or_else(|e| e.into_inner());
        let held = per_key.get(key).copied().unwrap_or(0);
        if held >= self.limits.per_key {
            return Err(format!(
                "this key holds {held} subscriptions, the most one key may (limits.maxSubscriptionsPerKey): complete one first"
            ));
        }
        let on_connection = connection.0.load(Ordering::Relaxed);
        if on_connection >= self.limits.per_connection {
            return Err(format!(
                "this connection holds {on_connection} subscriptions, the most one connection may (limits.maxSubscriptionsPerConnection): complete one first"
            ));
        }
        *per_key.entry(key.to_owned()).or_insert(0) += 1;
        connection.0.fetch_add(1, Ordering::Relaxed);
        Ok(Permit {
            live: self.clone(),
            key: key.to_owned(),
            connection: connection.clone(),
        })
    }
}
