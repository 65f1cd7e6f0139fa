//! Who is calling `/graphql`, without a statement of its own per request.
//!
//! The rule: a request sees every write committed before it arrived, on any server
//! process sharing the database — new data (ingest, catalog sync, erasure: each bumps the
//! environment's data version, `storage::data_versions`) and key revocations (which bump
//! it too, `keys::revoke`).
//!
//! Keys once read are kept in memory by their token's digest, with the data version they
//! were read with (in the same statement, so the version says the key was not revoked
//! then). A request of a known key then waits for a *freshness read*: one statement
//! reading the data versions of the environments in use, which **started after the
//! request arrived**. A request arriving while a read is in flight waits for the next
//! one, started as soon as the current one ends; so one read at a time per server
//! serves every request that waited for it. When the read gives the environment the
//! version the key was read with, nothing changed since (no revocation either): the
//! request runs with that version, and the read cache answers hits of it. Otherwise, or
//! for a key not known yet, the key is read again (`keys::authenticate`: key,
//! environment and version in one statement).
use crate::error::{AppError, AppResult};
use crate::storage::keys::{self, Caller};
use sea_orm::DatabaseConnection;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::watch;

/// Keys kept at most; past it the memory starts over (each key read again once).
const MAX_KEYS: usize = 10_000;

/// A key read from the database, not revoked then.
struct Known {
    caller: Caller,
    /// The environment's data version read with the key.
    version: i64,
    /// When its last use was last written.
    touched: Instant,
}

#[derive(Default)]
struct Table {
    by_digest: HashMap<[u8; 32], Known>,
    /// The environments of the keys held: what a freshness read reads.
    environments: BTreeSet<i64>,
}

/// The freshness reads started so far, and the newest a request waits for.
#[derive(Default)]
struct Reads {
    started: u64,
    wanted: u64,
    running: bool,
}

/// The outcome of a freshness read: the versions of the environments it read (None
/// when the statement failed).
#[derive(Clone, Default)]
struct Published {
    read: u64,
    versions: Option<Arc<HashMap<i64, i64>>>,
}

struct Inner {
    db: DatabaseConnection,
    table: Mutex<Table>,
    reads: Mutex<Reads>,
    published: watch::Sender<Published>,
}

/// The callers of `/graphql`, shared by every request of the process.
#[derive(Clone)]
pub struct Callers {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Callers {
    pub fn new(db: DatabaseConnection) -> Self {
        Callers {
            inner: Arc::new(Inner {
                db,
                table: Mutex::default(),
                reads: Mutex::default(),
                published: watch::Sender::new(Published::default()),
            }),
        }
    }

    /// The caller of `token`, with its environment's data version as of no earlier than
    /// this call: UNAUTHENTICATED for an unknown or revoked key.
    pub async fn authenticate(&self, token: &str) -> AppResult<Caller> {
        let digest = keys::digest(token);
        let known = lock(&self.inner.table)
            .by_digest
            .get(&digest)
            .map(|k| (k.caller.environment.id, k.version));
        if let Some((environment_id, version)) = known
            && let Some(versions) = self.fresh_versions().await
            && versions.get(&environment_id) == Some(&version)
        {
            let mut table = lock(&self.inner.table);
            if let Some(k) = table.by_digest.get_mut(&digest)
                && k.version == version
            {
                let caller = k.caller.clone();
                if k.touched.elapsed() >= keys::TOUCH_EVERY {
                    k.touched = Instant::now();
                    keys::touch(
                        &self.inner.db,
                        environment_id,
                        &caller.key_id,
                        chrono::Utc::now(),
                    );
                }
                return Ok(caller);
            }
        }
        // Not known, or its environment moved on (new data, or perhaps a revocation).
        match keys::authenticate(&self.inner.db, token).await {
            Ok(caller) => {
                let mut table = lock(&self.inner.table);
                if table.by_digest.len() >= MAX_KEYS {
                    *table = Table::default();
                }
                table.environments.insert(caller.environment.id);
                table.by_digest.insert(
                    digest,
                    Known {
                        caller: caller.clone(),
                        version: caller.data_version,
                        touched: Instant::now(),
                    },
                );
                Ok(caller)
            }
            Err(e) => {
                if matches!(e, AppError::Unauthenticated(_)) {
                    lock(&self.inner.table).by_digest.remove(&digest);
                }
                Err(e)
            }
        }
    }

    /// The data versions from a freshness read that started after this call (None when
    /// it failed): starts one when none is under way, else waits for the next.
    async fn fresh_versions(&self) -> Option<Arc<HashMap<i64, i64>>> {
        let mut published = self.inner.published.subscribe();
        let needed = {
            let mut reads = lock(&self.inner.reads);
            let needed = reads.started + 1;
            reads.wanted = reads.wanted.max(needed);
            if !reads.running {
                reads.running = true;
                tokio::spawn(self.clone().run_reads());
            }
            needed
        };
        loop {
            {
                let now = published.borrow_and_update();
                if now.read >= needed {
                    return now.versions.clone();
                }
            }
            published.changed().await.ok()?;
        }
    }

    /// Runs freshness reads one after the other while requests wait for one.
    async fn run_reads(self) {
        loop {
            let read = {
                let mut reads = lock(&self.inner.reads);
                if reads.wanted <= reads.started {
                    reads.running = false;
                    return;
                }
                reads.started += 1;
                reads.started
            };
            let environments: Vec<i64> = lock(&self.inner.table)
                .environments
                .iter()
                .copied()
                .collect();
            let versions = if environments.is_empty() {
                Some(Arc::default())
            } else {
                match crate::storage::data_versions::read(&self.inner.db, &environments).await {
                    Ok(mut versions) => {
                        // An environment without a row was never bumped: version 0.
                        for id in environments {
                            versions.entry(id).or_insert(0);
                        }
                        Some(Arc::new(versions))
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the data versions");
                        None
                    }
                }
            };
            self.inner
                .published
                .send_replace(Published { read, versions });
        }
    }
}
