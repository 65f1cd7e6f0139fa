//! Test harness: every test gets its own fresh, migrated database (a SQLite file, or a
//! new PostgreSQL database when DATABASE_URL points at a server) and the app's router.
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use dam_insights::config::Config;
use dam_insights::storage::{environments, keys};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub db: DatabaseConnection,
    /// Kept so the database lives as long as the app.
    _database: FreshDatabase,
}

/// A database of one test's own, removed when dropped.
pub struct FreshDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL server to test against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

fn with_database(url: &str, name: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("DATABASE_URL is a URL");
    parsed.set_path(&format!("/{name}"));
    parsed.to_string()
}

/// A new, empty database: a SQLite file in a temporary folder, or a new PostgreSQL
/// database on the server DATABASE_URL names.
pub async fn fresh_database() -> FreshDatabase {
    match postgres_url() {
        Some(admin) => {
            let name = format!(
                "dam_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                rand_suffix()
            );
            let conn = Database::connect(admin.as_str())
                .await
                .expect("connect to PostgreSQL");
            conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            conn.close().await.ok();
            FreshDatabase {
                url: with_database(&admin, &name),
                _dir: None,
                postgres: Some((admin, name)),
            }
        }
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            FreshDatabase {
                url,
                _dir: Some(dir),
                postgres: None,
            }
        }
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let database = fresh_database().await;
    let mut config = Config::for_database(database.url.clone());
    configure(&mut config);
    let state = dam_insights::build(config).await.expect("build the app");
    let db = state.db.clone();
    TestApp {
        router: dam_insights::app(state),
        db,
        _database: database,
    }
}

impl TestApp {
    /// An app over a state built by the test itself, on `database`.
    pub fn from_state(state: dam_insights::AppState, database: FreshDatabase) -> TestApp {
        TestApp {
            db: state.db.clone(),
            router: dam_insights::app(state),
            _database: database,
        }
    }

    /// The URL of the test's database (for running the CLI against it).
    pub fn url(&self) -> &str {
        &self._database.url
    }
}

impl FreshDatabase {
    /// The same database again, for a second server on it; the first one removes it.
    pub fn shared(other: &FreshDatabase) -> FreshDatabase {
        FreshDatabase {
            url: other.url.clone(),
            _dir: None,
            postgres: None,
        }
    }

    /// A database another app already owns, by its URL (that app removes it).
    pub fn shared_url(url: &str) -> FreshDatabase {
        FreshDatabase {
            url: url.to_owned(),
            _dir: None,
            postgres: None,
        }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            // Drop runs outside async: a small runtime of its own removes the database.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(conn) = Database::connect(admin.as_str()).await {
                        let _ = conn
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                        let _ = conn.close().await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
    /// The JSON of a 200 answer; any other status fails the test with the body.
    pub fn ok_json(&self) -> Value {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

impl TestApp {
    /// Creates an environment and a key with `scopes`; returns the key.
    pub async fn environment(&self, name: &str, time_zone: &str, scopes: &str) -> String {
        let env = match environments::find_by_name(&self.db, name)
            .await
            .expect("query")
        {
            Some(env) => env,
            None => environments::create(&self.db, name, time_zone)
                .await
                .expect("create environment"),
        };
        let scopes = keys::Scope::parse_list(scopes).expect("scopes");
        keys::create(&self.db, env.id, &scopes)
            .await
            .expect("create key")
    }

    /// An environment in UTC with a key of every scope.
    pub async fn full_key(&self) -> String {
        self.environment("acme", "UTC", "reports:read,admin,events:write")
            .await
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// POSTs a GraphQL request and returns the JSON answer.
    pub async fn graphql(&self, key: &str, query: &str, variables: Value) -> Value {
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("authorization", format!("Bearer {key}"))
            .body(Body::from(
                json!({ "query": query, "variables": variables }).to_string(),
            ))
            .expect("request");
        self.send(request).await.ok_json()
    }

    /// POSTs a GraphQL request that must succeed and returns its `data`.
    pub async fn data(&self, key: &str, query: &str, variables: Value) -> Value {
        let answer = self.graphql(key, query, variables).await;
        assert!(
            answer.get("errors").is_none(),
            "unexpected errors: {answer}"
        );
        answer["data"].clone()
    }

    /// POSTs an ingest body (NDJSON or a JSON array) to `path`.
    pub async fn post_body(
        &self,
        path: &str,
        key: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Reply {
        let request = Request::post(path)
            .header("content-type", content_type)
            .header("authorization", format!("Bearer {key}"))
            .body(body.into())
            .expect("request");
        self.send(request).await
    }

    /// POSTs events as NDJSON, one JSON value a line; the answer must be 200.
    pub async fn ingest(&self, key: &str, events: &[Value]) -> Value {
        let body: String = events.iter().map(|e| format!("{e}\n")).collect();
        self.post_body("/v1/events", key, "application/x-ndjson", body)
            .await
            .ok_json()
    }

    /// Rows in a table (to prove what was or was not stored).
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count")
    }
}

/// An app whose clock is `clock` (dashboard windows, report expiry).
pub async fn spawn_app_at(clock: dam_insights::clock::SharedClock) -> TestApp {
    let database = fresh_database().await;
    let config = Config::for_database(database.url.clone());
    let db = dam_insights::storage::connect(&database.url)
        .await
        .expect("connect");
    let state = dam_insights::build_with_clock(config, db, clock)
        .await
        .expect("build the app");
    TestApp::from_state(state, database)
}

impl TestApp {
    /// GETs `path` with the key.
    pub async fn get(&self, path: &str, key: &str) -> Reply {
        let request = Request::get(path)
            .header("authorization", format!("Bearer {key}"))
            .body(Body::empty())
            .expect("request");
        self.send(request).await
    }
}
