//! The read cache: whole answers of read operations, per environment and data version.
//!
//! An answer is keyed by the environment, the document, the operation name, the
//! variables and the caller's scopes, and stored with the environment's data version the
//! request read, after it arrived, with its key or in a freshness read shared by the
//! requests of the moment (`http::callers`; `storage::data_versions`, bumped in every
//! transaction that changes the environment's data). A request looks up only entries of the version it
//! read itself, so no answer outlives the change that made it stale, whichever server
//! replica took the change: they share the database the version lives in. When a newer
//! version shows up, the environment's older entries are dropped at once.
//!
//! Only answers that depend on the data alone are kept: without errors, and without a
//! field that read the clock or the caller's rate-limit state (those call [`volatile`]).
//! Memory is bounded by [`ReadCache::new`]'s byte budget: the least recently used
//! answers go first.
//!
//! Misses of one key run the query once ([`ReadCache::fly`]): the first runs it, the
//! others wait for its answer and are then answered from the cache.
use async_graphql::Context;
use lru::LruCache;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Bytes an entry costs besides its answer: the key, the bookkeeping, the LRU node.
const ENTRY_OVERHEAD: usize = 160;

/// A cached answer.
#[derive(Clone)]
pub struct Entry {
    /// The answer's `data`, serialized.
    pub data: Arc<str>,
    /// The complexity the query was charged when it ran (a hit is charged the same).
    pub cost: u64,
    /// The answer's entity tag, from its content.
    pub etag: Arc<str>,
    /// The operation's name, for metrics and logs.
    pub operation: Option<Arc<str>>,
}

struct Stored {
    environment_id: i64,
    entry: Entry,
}

impl Stored {
    fn size(&self) -> usize {
        self.entry.data.len() + self.entry.etag.len() + ENTRY_OVERHEAD
    }
}

struct Inner {
    lru: LruCache<[u8; 32], Stored>,
    /// The newest data version seen per environment: every entry is of it.
    environments: HashMap<i64, i64>,
    bytes: usize,
}

/// The answers of read operations, shared by every request of the process.
#[derive(Clone)]
pub struct ReadCache {
    max_bytes: usize,
    inner: Arc<Mutex<Inner>>,
    /// The keys whose query is running, and what waiting for it watches.
    flights: Flights,
}

/// The keys whose query is running, each with what its followers watch.
type Flights = Arc<Mutex<HashMap<[u8; 32], tokio::sync::watch::Receiver<()>>>>;

/// A miss's part in running its query: the first runs it; the others wait for it.
pub enum Flight {
    /// Runs the query; when dropped (stored or not), those waiting go on.
    Leader(Leader),
    /// Waits for the leader: `changed()` returns (an error) when it is done.
    Follower(tokio::sync::watch::Receiver<()>),
}

/// The running query of a key.
pub struct Leader {
    flights: Flights,
    hash: [u8; 32],
    _done: tokio::sync::watch::Sender<()>,
}

impl Drop for Leader {
    fn drop(&mut self) {
        // Off the map first, then `_done` goes: a follower that saw the map entry sees
        // the sender dropped.
        self.flights
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.hash);
    }
}

/// What identifies an answer: the environment, its data version, and the request.
pub struct Key {
    pub environment_id: i64,
    pub version: i64,
    hash: [u8; 32],
}

impl Key {
    /// The key of a request of the caller's: its scopes (as a set: each a bit of
    /// `scopes`), document, operation name and variables (as sent: the same variables in
    /// another order are another key).
    pub fn new(
        environment_id: i64,
        version: i64,
        scopes: u32,
        document: &str,
        operation_name: Option<&str>,
        variables: &str,
    ) -> Key {
        let mut h = Sha256::new();
        h.update(environment_id.to_le_bytes());
        h.update(version.to_le_bytes());
        h.update(scopes.to_le_bytes());
        // Each part with its length first: no two requests hash the same bytes.
        for part in [document, operation_name.unwrap_or("\u{0}"), variables] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        Key {
            environment_id,
            version,
            hash: h.finalize().into(),
        }
    }
}

/// The entity tag of an answer's `data`: weak, as the answer's `extensions` (its cost,
/// hit or miss) may differ between two answers of the same data.
pub fn etag(data: &str) -> String {
    let digest = Sha256::digest(data.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

impl ReadCache {
    /// A cache holding at most `max_bytes` of answers; 0 turns it off.
    pub fn new(max_bytes: usize) -> Self {
        ReadCache {
            max_bytes,
            inner: Arc::new(Mutex::new(Inner {
                lru: LruCache::unbounded(),
                environments: HashMap::new(),
                bytes: 0,
            })),
            flights: Arc::default(),
        }
    }

    /// Joins the run of `key`'s query: leads it when none is running, else follows.
    pub fn fly(&self, key: &Key) -> Flight {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(running) = flights.get(&key.hash) {
            return Flight::Follower(running.clone());
        }
        let (done, watch) = tokio::sync::watch::channel(());
        flights.insert(key.hash, watch);
        Flight::Leader(Leader {
            flights: self.flights.clone(),
            hash: key.hash,
            _done: done,
        })
    }

    pub fn enabled(&self) -> bool {
        self.max_bytes > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer stored under `key`, if any, counted as a hit or a miss.
    pub fn get(&self, key: &Key) -> Option<Entry> {
        if !self.enabled() {
            return None;
        }
        let mut inner = self.lock();
        inner.see_version(key.environment_id, key.version);
        let found = match inner.environments.get(&key.environment_id) {
            Some(version) if *version == key.version => {
                inner.lru.get(&key.hash).map(|s| s.entry.clone())
            }
            _ => None,
        };
        drop(inner);
        crate::telemetry::cache_lookup(found.is_some());
        found
    }

    /// Stores an answer under `key`, unless a newer data version of its environment was
    /// seen meanwhile (the answer may then be stale) or it alone is over the budget.
    pub fn put(&self, key: &Key, entry: Entry) {
        let stored = Stored {
            environment_id: key.environment_id,
            entry,
        };
        let size = stored.size();
        if !self.enabled() || size > self.max_bytes {
            return;
        }
        let mut inner = self.lock();
        inner.see_version(key.environment_id, key.version);
        if inner.environments.get(&key.environment_id) != Some(&key.version) {
            return;
        }
        if let Some(old) = inner.lru.put(key.hash, stored) {
            inner.bytes -= old.size();
        }
        inner.bytes += size;
        while inner.bytes > self.max_bytes {
            let Some((_, old)) = inner.lru.pop_lru() else {
                break;
            };
            inner.bytes -= old.size();
        }
    }

    /// Bytes of answers held now.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

impl Inner {
    /// Notes that `environment_id`'s data is at `version`: when that is newer than what
    /// was seen, the environment's entries are of old data and go.
    fn see_version(&mut self, environment_id: i64, version: i64) {
        let seen = self.environments.entry(environment_id).or_insert(version);
        if version <= *seen {
            return;
        }
        *seen = version;
        let stale: Vec<[u8; 32]> = self
            .lru
            .iter()
            .filter(|(_, s)| s.environment_id == environment_id)
            .map(|(hash, _)| *hash)
            .collect();
        for hash in stale {
            if let Some(old) = self.lru.pop(&hash) {
                self.bytes -= old.size();
            }
        }
    }
}

/// Marks a request whose answer must not be cached (request data, added by the HTTP
/// layer).
#[derive(Default)]
pub struct Volatile(AtomicBool);

impl Volatile {
    /// True when a field of the request said its answer cannot be cached.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Says the request's answer depends on more than the environment's data (the clock,
/// the caller's rate limit), so it is not cached.
pub fn volatile(ctx: &Context<'_>) {
    if let Some(v) = ctx.data_opt::<Arc<Volatile>>() {
        v.0.store(true, Ordering::Relaxed);
    }
}
