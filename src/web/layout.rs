//! The page shell: head, header with the environment and the menu of the key's scopes,
//! the GraphQL panel, error pages, security headers, and the compiled-in CSS and script.
use super::data::Shown;
use super::session::Session;
use crate::error::AppError;
use crate::storage::keys::Scope;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

const CSS: &str = include_str!("static/dashboard.css");
const JS: &str = include_str!("static/dashboard.js");
const ICON: &str = include_str!("static/favicon.svg");

/// A menu entry: its id, label, address and the scope that shows it.
pub struct NavItem {
    pub id: &'static str,
    pub label: &'static str,
    pub href: &'static str,
    pub scope: Scope,
}

/// The menu, in order; a key sees the entries of its scopes.
pub const NAV: &[NavItem] = &[
    NavItem {
        id: "monthly",
        label: "Monthly report",
        href: "/monthly",
        scope: Scope::ReportsRead,
    },
    NavItem {
        id: "insights",
        label: "Insights",
        href: "/insights",
        scope: Scope::ReportsRead,
    },
    NavItem {
        id: "series",
        label: "Trends",
        href: "/series",
        scope: Scope::ReportsRead,
    },
    NavItem {
        id: "breakdown",
        label: "Breakdown",
        href: "/breakdown",
        scope: Scope::ReportsRead,
    },
    NavItem {
        id: "admin",
        label: "Admin dashboard",
        href: "/admin",
        scope: Scope::Admin,
    },
    NavItem {
        id: "activity",
        label: "Activity log",
        href: "/activity",
        scope: Scope::Admin,
    },
    NavItem {
        id: "reports",
        label: "Activity reports",
        href: "/activity/reports",
        scope: Scope::Admin,
    },
];

/// A page to render: its title, menu entry, status, body and the GraphQL it ran.
pub struct Page {
    pub title: String,
    pub nav: &'static str,
    pub status: StatusCode,
    pub body: Markup,
    pub shown: Vec<Shown>,
}

impl Page {
    pub fn new(title: impl Into<String>, nav: &'static str, body: Markup) -> Page {
        Page {
            title: title.into(),
            nav,
            status: StatusCode::OK,
            body,
            shown: Vec::new(),
        }
    }

    /// A page outside the menu (sign-in, errors).
    pub fn message(title: impl Into<String>, status: StatusCode, body: Markup) -> Page {
        Page {
            title: title.into(),
            nav: "",
            status,
            body,
            shown: Vec::new(),
        }
    }

    pub fn with_shown(mut self, shown: Vec<Shown>) -> Page {
        self.shown = shown;
        self
    }

    pub fn with_status(mut self, status: StatusCode) -> Page {
        self.status = status;
        self
    }
}

/// The page telling what went wrong, in words a person can act on.
pub fn error_page(err: AppError) -> Page {
    let (title, text) = match &err {
        AppError::BadUserInput(m) => ("Not accepted", m.clone()),
        AppError::Forbidden(m) => (
            "Not available with this key",
            format!("{m}. Sign in with a key that has it, or pick a page from the menu."),
        ),
        AppError::NotFound(m) => ("Not found", m.clone()),
        AppError::RateLimited { retry_after, .. } => (
            "Too many requests",
            format!("This key has spent its rate limit for now: try again in {retry_after} s."),
        ),
        _ => {
            tracing::error!(error = ?err, "dashboard page failed");
            (
                "Something went wrong",
                "The page could not be made. Try again; if it keeps failing, the server's log says why.".into(),
            )
        }
    };
    Page::message(
        title,
        err.status(),
        html! { p.error role="alert" { (text) } },
    )
}

fn security_headers(response: &mut Response) {
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "same-origin");
    set(headers, "x-frame-options", "DENY");
    set(headers, "cache-control", "no-store");
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · dam-insights" }
            link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            link rel="stylesheet" href="/static/dashboard.css";
            script src="/static/dashboard.js" defer {}
        }
    }
}

fn respond(status: StatusCode, markup: Markup, timing: Option<String>) -> Response {
    let mut response = (status, axum::response::Html(markup.into_string())).into_response();
    security_headers(&mut response);
    if let Some(timing) = timing.and_then(|t| HeaderValue::from_str(&t).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("server-timing"), timing);
    }
    response
}

/// A page of the signed-in dashboard.
pub fn render(session: &Session, page: Page) -> Response {
    let env = &session.caller.environment;
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(&page.title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    div.bar {
                        a.brand href="/" { span.logo aria-hidden="true" { "◆" } " dam-insights" }
                        span.env title="The environment of the key, and its time zone" {
                            (env.name) span.tz { " · " (env.time_zone.name()) }
                        }
                        form.sign-out method="post" action="/sign-out" {
                            button type="submit" { "Sign out" }
                        }
                    }
                    nav aria-label="Reports" {
                        ul {
                            @for item in NAV.iter().filter(|i| session.has(i.scope)) {
                                li {
                                    a href=(item.href) aria-current=[(item.id == page.nav).then_some("page")] { (item.label) }
                                }
                            }
                        }
                    }
                }
                main #main {
                    (page.body)
                    @if !page.shown.is_empty() { (graphql_panel(&page.shown)) }
                }
                footer.bottom {
                    p { "Every figure on this page comes from the public GraphQL API at "
                        a href="/graphql" { "/graphql" } ", run as your key. Times are in "
                        (env.time_zone.name()) "." }
                }
            }
        }
    };
    let graphql = session
        .graphql_micros
        .load(std::sync::atomic::Ordering::Relaxed) as f64
        / 1000.0;
    let total = session.started.elapsed().as_secs_f64() * 1000.0;
    let timing = format!(
        "graphql;dur={graphql:.2};desc=\"GraphQL\", render;dur={:.2};desc=\"HTML and charts\", total;dur={total:.2}",
        (total - graphql).max(0.0)
    );
    respond(page.status, markup, Some(timing))
}

/// A page without the menu (sign-in, refusals).
pub fn render_bare(page: Page) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            (head(&page.title))
            body.bare {
                header.top { div.bar { a.brand href="/" { span.logo aria-hidden="true" { "◆" } " dam-insights" } } }
                main #main { (page.body) }
            }
        }
    };
    respond(page.status, markup, None)
}

/// A bare error page for failures before a session exists.
pub fn bare_error(status: StatusCode) -> Response {
    render_bare(Page::message(
        "Something went wrong",
        status,
        html! { h1 { "Something went wrong" } p.error { "Try again; if it keeps failing, the server's log says why." } },
    ))
}

/// The documents the page ran, each with its variables, to copy.
fn graphql_panel(shown: &[Shown]) -> Markup {
    html! {
        section.graphql aria-labelledby="graphql-title" {
            h2 #graphql-title { "The GraphQL behind this page" }
            p.hint { "Send it to " code { "POST /graphql" } " with " code { "Authorization: Bearer <key>" }
                " to get exactly these figures." }
            @for (i, s) in shown.iter().enumerate() {
                details open[i == 0] {
                    summary { (s.label) }
                    div.code-block {
                        div.code-head { span { "Query" } button.copy type="button" data-copy=(format!("q{i}")) { "Copy" } }
                        pre #(format!("q{i}")) { code { (s.query) } }
                    }
                    div.code-block {
                        div.code-head { span { "Variables" } button.copy type="button" data-copy=(format!("v{i}")) { "Copy" } }
                        pre #(format!("v{i}")) { code { (serde_json::to_string_pretty(&s.variables).unwrap_or_default()) } }
                    }
                }
            }
        }
    }
}

/// `GET /static/dashboard.css`.
pub async fn stylesheet() -> Response {
    static_file(CSS, "text/css; charset=utf-8")
}

/// `GET /static/dashboard.js`: copy buttons, and charts' hover values; pages work
/// without it.
pub async fn script() -> Response {
    static_file(JS, "text/javascript; charset=utf-8")
}

/// `GET /static/favicon.svg`.
pub async fn favicon() -> Response {
    static_file(ICON, "image/svg+xml")
}

fn static_file(body: &'static str, media: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(media)),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
            (
                HeaderName::from_static("x-content-type-options"),
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Trusted markup (an SVG plotters drew).
pub fn trusted(svg: String) -> Markup {
    PreEscaped(svg)
}
