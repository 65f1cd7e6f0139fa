//! Persisted queries on `/graphql`: Apollo's automatic persisted queries protocol
//! (`extensions.persistedQuery.sha256Hash`; an unknown hash answers
//! `PersistedQueryNotFound`, the client sends the document with its hash, which is
//! checked and registered), and documents registered in advance from a manifest file in
//! Apollo's format, which production can make the only documents that run.
use super::params::Params;
use lru::LruCache;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Bytes of documents the automatic store keeps (least recently used go first).
const AUTOMATIC_BYTES: usize = 16 * 1024 * 1024;

/// The message and code clients look for: Apollo's link sends the document on it.
pub const NOT_FOUND: &str = "PersistedQueryNotFound";

/// The SHA-256 of a document, in lowercase hex.
pub fn sha256_hex(document: &str) -> String {
    Sha256::digest(document.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a request's persisted query could not be used: a body to answer with.
pub enum Refusal {
    /// A malformed `persistedQuery` or a hash that is not the document's (400).
    BadRequest(String),
    /// An answer with a GraphQL error (200, so that clients act on its code).
    Error { message: String, code: &'static str },
}

struct Automatic {
    lru: LruCache<String, Arc<str>>,
    bytes: usize,
}

/// The documents known by hash: registered in advance, and sent by clients.
#[derive(Clone)]
pub struct PersistedQueries {
    registered: Arc<HashMap<String, Arc<str>>>,
    automatic: Arc<Mutex<Automatic>>,
    only_registered: bool,
}

impl PersistedQueries {
    /// The store: `registered` documents by hash; with `only_registered`, no other
    /// document runs and clients cannot register any.
    pub fn new(registered: HashMap<String, Arc<str>>, only_registered: bool) -> Self {
        PersistedQueries {
            registered: Arc::new(registered),
            automatic: Arc::new(Mutex::new(Automatic {
                lru: LruCache::unbounded(),
                bytes: 0,
            })),
            only_registered,
        }
    }

    /// Reads a manifest in Apollo's persisted-query manifest format
    /// (`{"format": "apollo-persisted-query-manifest", "version": 1, "operations":
    /// [{"id", "name", "type", "body"}]}`, what `generate-persisted-query-manifest` and
    /// `dam-insights persisted-queries manifest` write): every id must be its body's
    /// SHA-256.
    pub fn read_manifest(text: &str) -> anyhow::Result<HashMap<String, Arc<str>>> {
        let manifest: Value = serde_json::from_str(text)
            .map_err(|e| anyhow::anyhow!("the persisted-query manifest is not JSON: {e}"))?;
        if manifest["format"] != "apollo-persisted-query-manifest" || manifest["version"] != 1 {
            anyhow::bail!(
                "the persisted-query manifest must have \"format\": \"apollo-persisted-query-manifest\" and \"version\": 1"
            );
        }
        let Some(operations) = manifest["operations"].as_array() else {
            anyhow::bail!("the persisted-query manifest must list its documents in \"operations\"");
        };
        let mut out = HashMap::new();
        for (i, op) in operations.iter().enumerate() {
            let (Some(id), Some(body)) = (op["id"].as_str(), op["body"].as_str()) else {
                anyhow::bail!("operation {i} of the manifest needs an \"id\" and a \"body\"");
            };
            let hash = sha256_hex(body);
            if id != hash {
                anyhow::bail!(
                    "operation {i} of the manifest has id {id}, but its body's SHA-256 is {hash}"
                );
            }
            out.insert(hash, Arc::from(body));
        }
        Ok(out)
    }

    /// Fills in the document of a request sent by hash, checks and registers one sent
    /// with its hash, and, when only registered documents run, refuses any other.
    pub(super) fn resolve(&self, params: &mut Params) -> Result<(), Refusal> {
        let hash = match params
            .extensions
            .as_ref()
            .and_then(|e| e.get("persistedQuery"))
        {
            None => None,
            Some(pq) => Some(requested_hash(pq)?),
        };
        let Some(hash) = hash else {
            if self.only_registered {
                let hash = sha256_hex(&params.query);
                if !self.registered.contains_key(&hash) {
                    return Err(not_registered(&hash));
                }
            }
            return Ok(());
        };
        if params.query.is_empty() {
            params.query = match self.find(&hash) {
                Some(document) => document.to_string(),
                None if self.only_registered => return Err(not_registered(&hash)),
                None => {
                    return Err(Refusal::Error {
                        message: NOT_FOUND.into(),
                        code: "PERSISTED_QUERY_NOT_FOUND",
                    });
                }
            };
            return Ok(());
        }
        let actual = sha256_hex(&params.query);
        if actual != hash {
            return Err(Refusal::BadRequest(format!(
                "extensions.persistedQuery.sha256Hash is {hash}, but the query's SHA-256 is {actual}: send the hash of the exact query text"
            )));
        }
        if self.registered.contains_key(&hash) {
            return Ok(());
        }
        if self.only_registered {
            return Err(not_registered(&hash));
        }
        self.remember(hash, &params.query);
        Ok(())
    }

    fn find(&self, hash: &str) -> Option<Arc<str>> {
        if let Some(document) = self.registered.get(hash) {
            return Some(document.clone());
        }
        let mut automatic = self.automatic.lock().unwrap_or_else(|e| e.into_inner());
        automatic.lru.get(hash).cloned()
    }

    fn remember(&self, hash: String, document: &str) {
        let size = hash.len() + document.len();
        if size > AUTOMATIC_BYTES {
            return;
        }
        let mut automatic = self.automatic.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = automatic.lru.put(hash.clone(), Arc::from(document)) {
            automatic.bytes -= hash.len() + old.len();
        }
        automatic.bytes += size;
        while automatic.bytes > AUTOMATIC_BYTES {
            let Some((h, d)) = automatic.lru.pop_lru() else {
                break;
            };
            automatic.bytes -= h.len() + d.len();
        }
    }
}

/// The hash a `persistedQuery` extension asks for.
fn requested_hash(pq: &Value) -> Result<String, Refusal> {
    let bad = |what: &str| {
        Refusal::BadRequest(format!(
            "extensions.persistedQuery {what}: send {{\"version\": 1, \"sha256Hash\": \"<64 hex digits>\"}}"
        ))
    };
    let Value::Object(pq) = pq else {
        return Err(bad("must be an object"));
    };
    if pq.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(bad("has an unsupported version (only version 1 is)"));
    }
    let hash = pq.get("sha256Hash").and_then(Value::as_str).unwrap_or("");
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad(
            "needs sha256Hash, the query's SHA-256 in 64 hex digits",
        ));
    }
    Ok(hash.to_ascii_lowercase())
}

fn not_registered(hash: &str) -> Refusal {
    Refusal::Error {
        message: format!(
            "this server runs only registered documents, and the document with SHA-256 {hash} is not one: add it to the persisted-query manifest the server starts with (--persisted-queries)"
        ),
        code: "PERSISTED_QUERY_NOT_REGISTERED",
    }
}

/// True when a request's `extensions` ask for a persisted query (its `query` may then
/// be left out).
pub(super) fn asks_for_one(extensions: Option<&Value>) -> bool {
    matches!(extensions, Some(Value::Object(e)) if e.contains_key("persistedQuery"))
}

/// The answer body of a refusal with a GraphQL error.
pub(super) fn error_body(message: &str, code: &str) -> Value {
    let mut ext = Map::new();
    ext.insert("code".into(), Value::String(code.into()));
    json!({ "errors": [{ "message": message, "extensions": ext }] })
}
