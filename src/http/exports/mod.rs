//! CSV export of every list, series, breakdown and drilldown GraphQL serves:
//! `GET /v1/exports/<name>.csv?<parameters>`.
//!
//! Each export is one [`registry::Export`] entry: its name, the scope it needs, its query
//! parameters (name, type, where the value goes in the GraphQL variables), the path of
//! GraphQL fields to the list, and its columns (header and the path of the value inside
//! an edge, list item or bucket). The handler checks the parameters (400 with a JSON
//! body naming the bad one), authenticates the key like any REST endpoint, then runs the
//! schema itself with the caller's key, page after page (100 items, `after` = the last
//! page's `endCursor`), writing CSV rows to the streamed body as each page arrives, so
//! memory stays flat however long the list. Cells follow RFC 4180 and are made safe
//! against formula injection ([`crate::csv`]).
//!
//! To export a new list: add an entry to [`registry::EXPORTS`] (the GraphQL field path,
//! its variables, parameters and columns), and name its address in the field's
//! description (`CSV: GET /v1/exports/<name>.csv?…`); a test checks both.
pub mod registry;
mod reports;

use super::AppState;
use super::auth::rest_caller;
use crate::csv;
use crate::error::AppError;
use crate::graphql::context::Auth;
use crate::storage::keys::Caller;
use async_graphql::{Request, Variables};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use registry::{Export, Kind, ParamKind};
use serde_json::{Map, Value, json};

pub use reports::activity_report_csv;

/// Items per page while exporting a connection.
const PAGE: i64 = 100;

/// A 400 answer naming the bad parameter.
fn bad_parameter(parameter: &str, message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "error": {
            "code": "BAD_USER_INPUT",
            "message": message,
            "parameter": parameter,
        }})),
    )
        .into_response()
}

/// The variables of an export's query from the request's parameters, or a 400 answer.
fn variables(export: &Export, uri: &Uri) -> Result<Map<String, Value>, Box<Response>> {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let accepted = || {
        if export.params.is_empty() {
            "this export takes no parameters".to_owned()
        } else {
            format!(
                "accepted: {}",
                export
                    .params
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    let mut vars = Map::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, raw) in &pairs {
        let Some(param) = export.params.iter().find(|p| p.name == name) else {
            return Err(Box::new(bad_parameter(
                name,
                format!(
                    "{name} is not a parameter of {}.csv: {}",
                    export.name,
                    accepted()
                ),
            )));
        };
        if seen.contains(&param.name) {
            return Err(Box::new(bad_parameter(
                name,
                format!("{name} is given twice: give it once"),
            )));
        }
        seen.push(param.name);
        let value = param.kind.parse(raw).map_err(|expected| {
            Box::new(bad_parameter(
                name,
                format!("{name} is {raw:?}: {expected}"),
            ))
        })?;
        set_path(&mut vars, param.target, value);
    }
    for param in export.params {
        if param.required && !seen.contains(&param.name) {
            return Err(Box::new(bad_parameter(
                param.name,
                format!("{} is required: {}", param.name, param.kind.expected()),
            )));
        }
    }
    // A range needs both ends, and from <= to.
    let date = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    if export.params.iter().any(|p| p.name == "from") {
        match (date("from"), date("to")) {
            (Some(_), None) => {
                return Err(Box::new(bad_parameter(
                    "to",
                    "to is missing: a range needs both from and to (YYYY-MM-DD, both included)"
                        .into(),
                )));
            }
            (None, Some(_)) => {
                return Err(Box::new(bad_parameter(
                    "from",
                    "from is missing: a range needs both from and to (YYYY-MM-DD, both included)"
                        .into(),
                )));
            }
            (Some(from), Some(to)) if from > to => {
                return Err(Box::new(bad_parameter(
                    "from",
                    format!(
                        "from {from} is after to {to}: give from <= to (both days are included)"
                    ),
                )));
            }
            _ => {}
        }
    }
    Ok(vars)
}

fn set_path(vars: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            vars.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = vars
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

/// The value at a dotted path (`node.assetId`), or null.
fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .unwrap_or(&Value::Null)
}

/// Runs one page of an export's query as `caller`.
pub(crate) async fn run(
    state: &AppState,
    caller: &Caller,
    query: &str,
    vars: &Map<String, Value>,
) -> Result<Value, AppError> {
    let request = Request::new(query).variables(Variables::from_json(Value::Object(vars.clone())));
    // Each page is charged to the caller's rate limit like any query.
    let request = super::graphql::for_caller(request, state, caller)
        .data(Auth::Caller(caller.clone()))
        .data(std::sync::Arc::new(
            crate::graphql::limits::CostMeter::default(),
        ));
    let response = state.schema.execute(request).await;
    if let Some(err) = response.errors.first() {
        let code = err
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|c| match c {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            });
        let message = err.message.clone();
        return Err(match code.as_deref() {
            Some("BAD_USER_INPUT") | None => AppError::BadUserInput(message),
            Some("UNAUTHENTICATED") => AppError::Unauthenticated(message),
            Some("FORBIDDEN") => AppError::Forbidden(message),
            Some("NOT_FOUND") => AppError::NotFound(message),
            Some("RATE_LIMITED") => AppError::RateLimited {
                message,
                retry_after: err
                    .extensions
                    .as_ref()
                    .and_then(|e| e.get("retryAfter"))
                    .and_then(|v| v.to_string().parse().ok())
                    .unwrap_or(1),
            },
            Some(_) => AppError::Internal(anyhow::anyhow!("export query failed: {message}")),
        });
    }
    response
        .data
        .into_json()
        .map_err(|e| AppError::Internal(e.into()))
}

/// The list (or connection, or series) an answer holds at the export's path.
fn target<'a>(export: &Export, data: &'a Value) -> Result<&'a Value, AppError> {
    let mut v = data;
    for segment in export.path {
        let name = segment.split('(').next().unwrap_or_default().trim();
        v = v.get(name).unwrap_or(&Value::Null);
        if v.is_null() {
            return Err(AppError::NotFound(format!(
                "nothing matches these parameters ({name} is null): check the ids given"
            )));
        }
    }
    Ok(v)
}

/// The CSV lines of one answer, and the cursor of the next page (connections only).
fn rows(export: &Export, found: &Value, header: bool) -> (String, Option<String>) {
    let mut out = String::new();
    let cells = |item: &Value| -> Vec<String> {
        export
            .columns
            .iter()
            .map(|(_, path)| csv::json_cell(at(item, path)))
            .collect()
    };
    match export.kind {
        Kind::Connection => {
            if header {
                out.push_str(&csv::header(export.columns.iter().map(|(h, _)| *h)));
            }
            for edge in found["edges"].as_array().into_iter().flatten() {
                out.push_str(&csv::line(cells(edge)));
            }
            let info = &found["pageInfo"];
            let next = (info["hasNextPage"] == Value::Bool(true))
                .then(|| info["endCursor"].as_str().map(str::to_owned))
                .flatten();
            (out, next)
        }
        Kind::List => {
            out.push_str(&csv::header(export.columns.iter().map(|(h, _)| *h)));
            for item in found.as_array().into_iter().flatten() {
                out.push_str(&csv::line(cells(item)));
            }
            (out, None)
        }
        Kind::Series => {
            // One row per bucket; a column per metric, then per rate (in the order asked),
            // each followed by its `.previous` column when compared.
            let list = |name: &str| -> Vec<&Value> {
                found[name].as_array().into_iter().flatten().collect()
            };
            let series: Vec<(&Value, &str)> = list("metrics")
                .into_iter()
                .map(|m| (m, "metric"))
                .chain(list("rates").into_iter().map(|r| (r, "rate")))
                .collect();
            let buckets = list("buckets");
            let compared = buckets.iter().any(|b| !b["compared"].is_null());
            let mut names: Vec<String> = export
                .columns
                .iter()
                .map(|(h, _)| (*h).to_owned())
                .collect();
            if compared {
                names.extend(["comparedFrom".to_owned(), "comparedTo".to_owned()]);
            }
            for (s, field) in &series {
                let name = s[*field].as_str().unwrap_or_default();
                names.push(name.to_owned());
                if compared {
                    names.push(format!("{name}.previous"));
                }
            }
            out.push_str(&csv::header(names.iter().map(String::as_str)));
            for (i, bucket) in buckets.iter().enumerate() {
                let mut line = cells(bucket);
                if compared {
                    line.push(csv::json_cell(at(bucket, "compared.from")));
                    line.push(csv::json_cell(at(bucket, "compared.to")));
                }
                for (s, _) in &series {
                    line.push(csv::json_cell(&s["values"][i]));
                    if compared {
                        line.push(csv::json_cell(&s["previousValues"][i]));
                    }
                }
                out.push_str(&csv::line(line));
            }
            (out, None)
        }
    }
}

/// `GET /v1/exports/{name}.csv`.
pub async fn export_csv(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some(export) = file
        .strip_suffix(".csv")
        .and_then(|name| registry::EXPORTS.iter().find(|e| e.name == name))
    else {
        let names: Vec<&str> = registry::EXPORTS.iter().map(|e| e.name).collect();
        return bad_parameter(
            "report",
            format!(
                "there is no report {file:?} to export: ask for one of {} (each as <name>.csv)",
                names.join(", ")
            ),
        );
    };
    let mut vars = match variables(export, &uri) {
        Ok(vars) => vars,
        Err(response) => return *response,
    };
    let caller = match rest_caller(&state.db, &headers, export.scope).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    let query = export.query();
    if export.kind == Kind::Connection {
        vars.insert("first".into(), json!(PAGE));
    }
    // The first page runs before the answer starts, so its errors get their status.
    let data = match run(&state, &caller, &query, &vars).await {
        Ok(data) => data,
        Err(e) => return e.into_response(),
    };
    let (first_rows, mut next) = match target(export, &data) {
        Ok(found) => rows(export, found, true),
        Err(e) => return e.into_response(),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    tokio::spawn(async move {
        if tx.send(Ok(Bytes::from(first_rows))).await.is_err() {
            return;
        }
        while let Some(after) = next.take() {
            vars.insert("after".into(), Value::String(after));
            let page = run(&state, &caller, &query, &vars)
                .await
                .and_then(|data| target(export, &data).map(|found| rows(export, found, false)));
            let chunk = match page {
                Ok((lines, following)) => {
                    next = following;
                    Ok(Bytes::from(lines))
                }
                Err(e) => {
                    // Headers are sent: all that is left is to cut the body short.
                    tracing::error!(error = ?e, export = export.name, "export stopped");
                    Err(std::io::Error::other("the export stopped"))
                }
            };
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                return;
            }
        }
    });
    csv_response(export.name, body(rx))
}

/// A streamed body of what `rx` receives. Fused: the compression layer polls a body
/// again after its end, which an unfused `unfold` answers with a panic.
fn body(rx: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>) -> Body {
    use futures::StreamExt;
    Body::from_stream(
        futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        })
        .fuse(),
    )
}

fn csv_response(name: &str, body: Body) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

impl ParamKind {
    /// What a value of this kind looks like.
    fn expected(&self) -> String {
        match self {
            ParamKind::Month => "give a month as YYYY-MM, e.g. 2025-10".into(),
            ParamKind::Date => "give a day as YYYY-MM-DD, e.g. 2025-10-03".into(),
            ParamKind::Int => "give a whole number".into(),
            ParamKind::Bool => "give true or false".into(),
            ParamKind::Text => "give a non-empty text".into(),
            ParamKind::Enum(values) => format!("give one of {}", values().join(", ")),
            ParamKind::EnumList(values) => format!(
                "give one or more of {}, separated by commas",
                values().join(", ")
            ),
        }
    }

    /// The GraphQL variable value of `raw`, or what is expected.
    fn parse(&self, raw: &str) -> Result<Value, String> {
        let ok =
            match self {
                ParamKind::Month => crate::analytics::time::YearMonth::parse(raw)
                    .map(|m| Value::String(m.to_string())),
                ParamKind::Date => (raw.len() == 10)
                    .then(|| chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
                    .flatten()
                    .map(|_| Value::String(raw.to_owned())),
                ParamKind::Int => raw.parse::<i64>().ok().map(Value::from),
                ParamKind::Bool => match raw {
                    "true" => Some(Value::Bool(true)),
                    "false" => Some(Value::Bool(false)),
                    _ => None,
                },
                ParamKind::Text => (!raw.is_empty()).then(|| Value::String(raw.to_owned())),
                ParamKind::Enum(values) => values()
                    .contains(&raw)
                    .then(|| Value::String(raw.to_owned())),
                ParamKind::EnumList(values) => {
                    let allowed = values();
                    let items: Vec<&str> = raw.split(',').map(str::trim).collect();
                    items.iter().all(|i| allowed.contains(i)).then(|| {
                        Value::from(items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                    })
                }
            };
        ok.ok_or_else(|| self.expected())
    }
}
