//! The one error type of the API. Each variant's doc says what the client sees.
use async_graphql::ErrorExtensions;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// BAD_USER_INPUT (HTTP 400): the message says what was wrong and what is accepted.
    #[error("{0}")]
    BadUserInput(String),
    /// UNAUTHENTICATED (HTTP 401): no key, or an unknown or revoked key.
    #[error("{0}")]
    Unauthenticated(String),
    /// FORBIDDEN (HTTP 403): the key lacks the scope the field or endpoint needs.
    #[error("{0}")]
    Forbidden(String),
    /// NOT_FOUND (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// PAYLOAD_TOO_LARGE (HTTP 413): the body is over the configured limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// UNSUPPORTED_MEDIA_TYPE (HTTP 415): a body of a content type the endpoint does not take.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// RATE_LIMITED (HTTP 429 with Retry-After): the key spent its allowance.
    #[error("{message}")]
    RateLimited { message: String, retry_after: u64 },
    /// INTERNAL (HTTP 500): an opaque message; the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadUserInput(_) => "BAD_USER_INPUT",
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::PayloadTooLarge(_) => "PAYLOAD_TOO_LARGE",
            AppError::UnsupportedMediaType(_) => "UNSUPPORTED_MEDIA_TYPE",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadUserInput(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::Internal(err.into())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        AppError::Internal(err)
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        self.log();
        async_graphql::Error::new(self.to_string()).extend_with(|_, e| {
            e.set("code", self.code());
            if let AppError::RateLimited { retry_after, .. } = self {
                e.set("retryAfter", *retry_after);
            }
        })
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.to_string() }
        });
        let retry = match &self {
            AppError::RateLimited { retry_after, .. } => Some(retry_after.to_string()),
            _ => None,
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Some(value) = retry.and_then(|r| axum::http::HeaderValue::from_str(&r).ok()) {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        response
    }
}
