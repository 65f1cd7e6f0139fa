//! Signing in and out of the dashboard, and the session every page runs as.
//!
//! Signing in is pasting an API key: the key is checked, then kept in a cookie that is
//! `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page sends it)
//! and `Secure` when the request came over TLS (see [`crate::config::CookieSecure`]);
//! it lasts [`MAX_AGE_SECONDS`]. Each page request authenticates the key again, so a
//! revoked key sends its user back to sign in at the next click. Every POST must come
//! from the dashboard's own origin (`Sec-Fetch-Site` / `Origin`), so another site
//! cannot sign a user in or out or make reports in their name.
use super::format::url_encode;
use super::layout::{self, Page};
use crate::config::CookieSecure;
use crate::error::AppError;
use crate::http::AppState;
use crate::storage::keys::{self, Caller, Scope};
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{COOKIE as COOKIE_HEADER, HOST, LOCATION, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The cookie that holds the signed-in key.
pub const COOKIE: &str = "dami_session";

/// How long a sign-in lasts: 12 hours, then the browser drops the cookie.
pub const MAX_AGE_SECONDS: u64 = 12 * 60 * 60;

/// The signed-in key of a page request, authenticated again for this request.
pub struct Session {
    pub caller: Caller,
    /// The key itself (for the CSV links, which run as it too).
    pub key: String,
    /// When the request arrived, and the time spent in GraphQL so far (for
    /// `Server-Timing`).
    pub started: Instant,
    pub graphql_micros: AtomicU64,
}

impl Session {
    pub fn has(&self, scope: Scope) -> bool {
        self.caller.scopes.contains(&scope)
    }

    /// Adds time spent running GraphQL.
    pub fn spent(&self, micros: u64) {
        self.graphql_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The page, or the page telling what went wrong: an unknown or revoked key goes
    /// back to sign in.
    pub fn respond(&self, built: Result<Page, AppError>, path: &str) -> Response {
        match built {
            Ok(page) => layout::render(self, page),
            Err(AppError::Unauthenticated(_)) => to_sign_in(path, true),
            Err(err) => layout::render(self, layout::error_page(err)),
        }
    }
}

/// The value of the dashboard cookie, if the request has one.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE_HEADER)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A redirect to the sign-in page that comes back to `path` (and clears the cookie
/// when the key in it no longer works).
pub fn to_sign_in(path: &str, expired: bool) -> Response {
    let mut location = format!("/sign-in?next={}", url_encode(path));
    if expired {
        location.push_str("&expired=1");
    }
    let mut response = see_other(&location);
    if expired {
        response
            .headers_mut()
            .insert(SET_COOKIE, clear_cookie_value());
    }
    response
}

/// A 303 to `location`.
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let started = Instant::now();
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let Some(key) = cookie(&parts.headers) else {
            return Err(to_sign_in(&path, false));
        };
        match keys::authenticate(&state.db, &key).await {
            Ok(caller) => Ok(Session {
                caller,
                key,
                started,
                graphql_micros: AtomicU64::new(0),
            }),
            Err(AppError::Unauthenticated(_)) => Err(to_sign_in(&path, true)),
            Err(err) => {
                tracing::error!(error = ?err, "dashboard sign-in check failed");
                Err(layout::bare_error(StatusCode::INTERNAL_SERVER_ERROR))
            }
        }
    }
}

/// Whether the request came over TLS, as far as the cookie's Secure flag goes. The
/// server speaks plain HTTP itself, so TLS can only end at a proxy in front of it,
/// which says so with `X-Forwarded-Proto`. A client that forges the header only makes
/// its own cookie Secure.
fn over_tls(state: &AppState, headers: &HeaderMap) -> bool {
    match state.config.cookie_secure {
        CookieSecure::Always => true,
        CookieSecure::Never => false,
        CookieSecure::Auto => headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https")),
    }
}

fn set_cookie_value(key: &str, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={key}; Path=/; Max-Age={MAX_AGE_SECONDS}; HttpOnly; SameSite=Strict{secure}"
    ))
    .ok()
}

fn clear_cookie_value() -> HeaderValue {
    HeaderValue::from_static("dami_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
}

/// Refuses a POST that another site's page made: `Sec-Fetch-Site` must be
/// `same-origin` (or `none`, typed by the user) when the browser sends it, and
/// `Origin`, when sent, must name this server's host. Clients that send neither (curl,
/// scripts) are not browsers and carry no cookie they did not choose to.
pub fn check_same_origin(headers: &HeaderMap) -> Result<(), Box<Response>> {
    let refuse = |why: &str| {
        let page = Page::message(
            "Request refused",
            StatusCode::FORBIDDEN,
            html! {
                p { "This form was sent from another site (" (why) "), so it was refused. "
                    "Open the dashboard itself and send the form from there." }
            },
        );
        Err(Box::new(layout::render_bare(page)))
    };
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or_default();
        if site != "same-origin" && site != "none" {
            return refuse(&format!("Sec-Fetch-Site: {site}"));
        }
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let authority = origin
            .split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/'));
        if host.is_empty() || authority != Some(host) {
            return refuse(&format!("Origin: {origin}"));
        }
    }
    Ok(())
}

/// The page to come back to after signing in: a path of this site only.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.into(),
        _ => "/".into(),
    }
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    next: Option<String>,
    expired: Option<String>,
}

/// `GET /sign-in`.
pub async fn sign_in_page(State(state): State<AppState>, Query(q): Query<SignInQuery>) -> Response {
    let notice = q
        .expired
        .is_some()
        .then_some("Your sign-in has ended: the key was revoked or is unknown. Sign in again.");
    layout::render_bare(sign_in_form(
        &state,
        &safe_next(q.next.as_deref()),
        notice,
        None,
        StatusCode::OK,
    ))
}

fn sign_in_form(
    state: &AppState,
    next: &str,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Page {
    let body = html! {
        div.sign-in {
            h1 { "Sign in to dam-insights" }
            p.lead { "Paste an API key. The dashboard shows the reports its scopes allow: "
                strong { "reports:read" } " for the reports, " strong { "admin" } " for the admin dashboard and the activity log." }
            @if let Some(notice) = notice { p.notice role="status" { (notice) } }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            form method="post" action="/sign-in" {
                input type="hidden" name="next" value=(next);
                label for="key" { "API key" }
                input #key type="password" name="key" required autocomplete="off"
                    placeholder="dami_…" spellcheck="false";
                p.hint { "Keys are made with " code { "dam-insights keys create --environment NAME --scopes reports:read,admin" } "." }
                button.primary type="submit" { "Sign in" }
            }
            @if let Some(demo) = &state.demo_key {
                div.demo {
                    h2 { "Demo data" }
                    p { "This server runs the embedded demo. Its key has every scope:" }
                    code.demo-key #demo-key { (demo) }
                    form method="post" action="/sign-in" {
                        input type="hidden" name="next" value=(next);
                        input type="hidden" name="key" value=(demo);
                        button.primary #use-demo-key type="submit" { "Sign in with the demo key" }
                    }
                }
            }
            p.hint { "The key is kept in an HttpOnly, SameSite=Strict cookie for 12 hours; signing out removes it." }
        }
    };
    Page::message("Sign in", status, body)
}

#[derive(Deserialize)]
pub struct SignInForm {
    key: Option<String>,
    next: Option<String>,
}

/// `POST /sign-in`: checks the key, keeps it in the cookie, goes on to `next`.
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    if let Err(refused) = check_same_origin(&headers) {
        return *refused;
    }
    let next = safe_next(form.next.as_deref());
    let raw = form.key.unwrap_or_default();
    let key = raw.trim();
    let key = key
        .strip_prefix("Bearer ")
        .or_else(|| key.strip_prefix("bearer "))
        .unwrap_or(key)
        .trim();
    let refuse = |message: &str, status| {
        layout::render_bare(sign_in_form(&state, &next, None, Some(message), status))
    };
    if key.is_empty() {
        return refuse(
            "Paste an API key: it starts with dami_.",
            StatusCode::BAD_REQUEST,
        );
    }
    if !key.starts_with(keys::TOKEN_PREFIX)
        || key.len() > 200
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return refuse(
            "That is not an API key: keys start with dami_ followed by letters, digits, - and _.",
            StatusCode::BAD_REQUEST,
        );
    }
    match keys::authenticate(&state.db, key).await {
        Ok(_) => {
            let mut response = see_other(&next);
            if let Some(cookie) = set_cookie_value(key, over_tls(&state, &headers)) {
                response.headers_mut().insert(SET_COOKIE, cookie);
            }
            response
        }
        Err(AppError::Unauthenticated(_)) => refuse(
            "This key is unknown or revoked. Check that you pasted all of it, or make a new one.",
            StatusCode::UNAUTHORIZED,
        ),
        Err(err) => {
            tracing::error!(error = ?err, "dashboard sign-in failed");
            layout::bare_error(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// `POST /sign-out`: removes the cookie.
pub async fn sign_out(headers: HeaderMap) -> Response {
    if let Err(refused) = check_same_origin(&headers) {
        return *refused;
    }
    let mut response = see_other("/sign-in");
    response
        .headers_mut()
        .insert(SET_COOKIE, clear_cookie_value());
    response
}
