//! The GraphQL side of telemetry: each operation counted by name and outcome, timed, and
//! its name recorded on the request's span.
use super::names;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest,
};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};
use async_graphql::{Request, Response, ServerResult, Value, Variables};
use metrics::{counter, histogram};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

/// Distinct operation names kept as labels; later new names count as `_other`, so
/// clients cannot grow the metrics without bound.
const MAX_OPERATION_NAMES: usize = 200;
/// Longest operation name kept as a label.
const MAX_NAME_LEN: usize = 64;

/// Counts and times every operation of a schema; `endpoint` labels which one.
pub struct OperationMetrics {
    pub endpoint: &'static str,
}

impl ExtensionFactory for OperationMetrics {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Operation {
            endpoint: self.endpoint,
            name: Arc::new(Mutex::new(None)),
        })
    }
}

struct Operation {
    endpoint: &'static str,
    name: Arc<Mutex<Option<String>>>,
}

impl Operation {
    fn set_name(&self, name: &str, replace: bool) {
        let mut slot = self.name.lock().unwrap_or_else(|e| e.into_inner());
        if replace || slot.is_none() {
            *slot = Some(name.to_owned());
        }
        tracing::Span::current().record("operation", name);
    }
}

/// The label for an operation name: itself when it is a GraphQL name of at most 64
/// characters among the first 200 seen; `_anonymous`, `_invalid` or `_other` otherwise.
fn label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name else {
        return "_anonymous".into();
    };
    let valid = name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    if !valid {
        return "_invalid".into();
    }
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if seen.contains(name) || seen.len() < MAX_OPERATION_NAMES && seen.insert(name.to_owned()) {
        name.to_owned()
    } else {
        "_other".into()
    }
}

/// One operation being run: recorded when it ends, or as `aborted` when dropped first
/// (its request timed out or the client went away).
struct Run {
    endpoint: &'static str,
    name: Arc<Mutex<Option<String>>>,
    started: Instant,
    done: bool,
}

impl Run {
    fn record(&mut self, outcome: &str) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        let name = self.name.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let operation = label(name.as_deref());
        counter!(names::GRAPHQL_OPERATIONS, "endpoint" => self.endpoint, "operation" => operation.clone(), "outcome" => outcome.to_owned())
            .increment(1);
        histogram!(names::GRAPHQL_DURATION, "endpoint" => self.endpoint, "operation" => operation)
            .record(super::seconds(self.started.elapsed()));
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.record("aborted");
    }
}

/// Counts an operation of `/graphql` answered from the read cache (no field ran): an
/// `ok` outcome like when it runs, timed from `started`.
pub fn cached_operation(name: Option<&str>, started: Instant) {
    if let Some(name) = name {
        tracing::Span::current().record("operation", name);
    }
    let mut run = Run {
        endpoint: "graphql",
        name: Arc::new(Mutex::new(name.map(str::to_owned))),
        started,
        done: false,
    };
    run.record("ok");
}

/// `ok`, or the code of the answer's first error.
fn outcome(response: &Response) -> String {
    match response.errors.first() {
        None => "ok".into(),
        Some(e) => match e.extensions.as_ref().and_then(|x| x.get("code")) {
            Some(Value::String(code)) => code.clone(),
            _ => "error".into(),
        },
    }
}

#[async_trait::async_trait]
impl Extension for Operation {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut run = Run {
            endpoint: self.endpoint,
            name: self.name.clone(),
            started: Instant::now(),
            done: false,
        };
        let response = next.run(ctx).await;
        run.record(&outcome(&response));
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(name) = &request.operation_name {
            self.set_name(name, true);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = match next.run(ctx, query, variables).await {
            Ok(doc) => doc,
            Err(err) => {
                // Refused (by the document limits, say): still counted under its name,
                // read from the text when it is within the limits' token bound.
                let parsed = crate::graphql::scan::tokens::check(query, 10_000, 64)
                    .ok()
                    .and_then(|()| async_graphql::parser::parse_query(query).ok());
                if let Some(DocumentOperations::Multiple(ops)) = parsed.map(|d| d.operations)
                    && ops.len() == 1
                    && let Some(name) = ops.keys().next()
                {
                    self.set_name(name, false);
                }
                return Err(err);
            }
        };
        if let DocumentOperations::Multiple(ops) = &doc.operations
            && ops.len() == 1
            && let Some(name) = ops.keys().next()
        {
            self.set_name(name, false);
        }
        Ok(doc)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(name) = operation_name {
            self.set_name(name, true);
        }
        next.run(ctx, operation_name).await
    }
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn labels_are_names_or_placeholders() {
        assert_eq!(label(None), "_anonymous");
        assert_eq!(label(Some("MonthlySummary")), "MonthlySummary");
        assert_eq!(label(Some("not a name")), "_invalid");
        assert_eq!(label(Some(&"x".repeat(65))), "_invalid");
        assert_eq!(label(Some("9lives")), "_invalid");
    }
}
