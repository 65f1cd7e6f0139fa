//! The dashboard's sign-in: the cookie's flags, sign-out, refused keys, cross-site POSTs
//! refused, revoked keys sent back to sign in, and the pages each scope may see.
use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dam_insights::config::CookieSecure;
use dam_insights::storage::{environments, keys};

pub const HOST: &str = "dash.example";

/// POSTs a form to `path` as the dashboard's own page would (same origin).
pub async fn post_form(
    app: &TestApp,
    path: &str,
    form: &str,
    cookie: Option<&str>,
    extra: &[(&str, &str)],
) -> Reply {
    let mut request = Request::post(path)
        .header("host", HOST)
        .header("content-type", "application/x-www-form-urlencoded");
    let same_origin = extra.is_empty();
    if same_origin {
        request = request
            .header("origin", format!("http://{HOST}"))
            .header("sec-fetch-site", "same-origin");
    }
    for (k, v) in extra {
        request = request.header(*k, *v);
    }
    if let Some(c) = cookie {
        request = request.header("cookie", format!("dami_session={c}"));
    }
    app.send(request.body(Body::from(form.to_owned())).unwrap())
        .await
}

/// GETs a page with the session cookie of `key`.
pub async fn page(app: &TestApp, key: &str, path: &str) -> Reply {
    let request = Request::get(path)
        .header("host", HOST)
        .header("cookie", format!("dami_session={key}"))
        .body(Body::empty())
        .unwrap();
    app.send(request).await
}

pub fn html(reply: &Reply) -> String {
    String::from_utf8(reply.body.clone()).unwrap()
}

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn form_key(key: &str) -> String {
    format!("key={key}&next=%2Fmonthly%3Fmonth%3D2025-10")
}

#[tokio::test]
async fn signing_in_sets_an_http_only_strict_cookie_and_signing_out_clears_it() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    let reply = post_form(&app, "/sign-in", &form_key(&key), None, &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(header(&reply, "location"), "/monthly?month=2025-10");
    let cookie = header(&reply, "set-cookie");
    assert!(
        cookie.starts_with(&format!("dami_session={key};")),
        "{cookie}"
    );
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("; Path=/"), "{cookie}");
    assert!(cookie.contains("; Max-Age=43200"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");

    // Behind a TLS proxy the cookie is Secure.
    let tls = post_form(
        &app,
        "/sign-in",
        &form_key(&key),
        None,
        &[
            ("origin", "https://dash.example"),
            ("sec-fetch-site", "same-origin"),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await;
    assert!(
        header(&tls, "set-cookie").ends_with("; Secure"),
        "{}",
        header(&tls, "set-cookie")
    );

    // Only a path of this site is a place to go on to.
    let away = post_form(
        &app,
        "/sign-in",
        &format!("key={key}&next=%2F%2Fevil.example"),
        None,
        &[],
    )
    .await;
    assert_eq!(header(&away, "location"), "/");

    let out = post_form(&app, "/sign-out", "", Some(&key), &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(header(&out, "location"), "/sign-in");
    assert!(
        header(&out, "set-cookie")
            .starts_with("dami_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
    );
}

#[tokio::test]
async fn cookies_are_secure_always_when_configured() {
    let app = spawn_app_with(|c| c.cookie_secure = CookieSecure::Always).await;
    let key = app.full_key().await;
    let reply = post_form(&app, "/sign-in", &form_key(&key), None, &[]).await;
    assert!(header(&reply, "set-cookie").ends_with("; Secure"));
    let app = spawn_app_with(|c| c.cookie_secure = CookieSecure::Never).await;
    let key = app.full_key().await;
    let reply = post_form(
        &app,
        "/sign-in",
        &form_key(&key),
        None,
        &[("x-forwarded-proto", "https")],
    )
    .await;
    assert!(!header(&reply, "set-cookie").contains("Secure"));
}

#[tokio::test]
async fn a_wrong_key_is_refused_with_what_is_accepted() {
    let app = spawn_app().await;
    app.full_key().await;
    let unknown = post_form(&app, "/sign-in", "key=dami_nottherealkeyatall", None, &[]).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(html(&unknown).contains("unknown or revoked"));
    assert!(unknown.headers.get("set-cookie").is_none());
    let junk = post_form(&app, "/sign-in", "key=%3Cscript%3E", None, &[]).await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
    assert!(
        html(&junk).contains("keys start with dami_"),
        "{}",
        html(&junk)
    );
    assert!(!html(&junk).contains("<script>"));
    let empty = post_form(&app, "/sign-in", "key=", None, &[]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app().await;
    let key = app.full_key().await;
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
    ] {
        let sign_in = post_form(&app, "/sign-in", &form_key(&key), None, &headers).await;
        assert_eq!(sign_in.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(sign_in.headers.get("set-cookie").is_none());
        let sign_out = post_form(&app, "/sign-out", "", Some(&key), &headers).await;
        assert_eq!(sign_out.status, StatusCode::FORBIDDEN);
        assert!(sign_out.headers.get("set-cookie").is_none());
        let report = post_form(
            &app,
            "/activity/reports",
            "from=2025-10-01&to=2025-10-02",
            Some(&key),
            &headers,
        )
        .await;
        assert_eq!(report.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.count("activity_reports").await, 0, "no report was made");
    // The same form from the dashboard itself makes one.
    let made = post_form(
        &app,
        "/activity/reports",
        "from=2025-10-01&to=2025-10-02",
        Some(&key),
        &[],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", html(&made));
    assert_eq!(app.count("activity_reports").await, 1);
}

#[tokio::test]
async fn without_a_working_key_pages_send_you_to_sign_in() {
    let app = spawn_app().await;
    let request = Request::get("/monthly?month=2025-10")
        .body(Body::empty())
        .unwrap();
    let none = app.send(request).await;
    assert_eq!(none.status, StatusCode::SEE_OTHER);
    assert_eq!(
        header(&none, "location"),
        "/sign-in?next=%2Fmonthly%3Fmonth%3D2025-10"
    );

    let key = app.full_key().await;
    assert_eq!(
        page(&app, &key, "/monthly?month=2025-10").await.status,
        StatusCode::OK
    );
    let env = environments::find_by_name(&app.db, "acme")
        .await
        .unwrap()
        .unwrap();
    let id = keys::list(&app.db, env.id).await.unwrap()[0].id.clone();
    keys::revoke(&app.db, env.id, &id).await.unwrap();
    let revoked = page(&app, &key, "/monthly?month=2025-10").await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        header(&revoked, "location"),
        "/sign-in?next=%2Fmonthly%3Fmonth%3D2025-10&expired=1"
    );
    assert!(header(&revoked, "set-cookie").contains("Max-Age=0"));
    let csv = page(&app, &key, "/csv/top-downloaded-assets.csv?month=2025-10").await;
    assert_eq!(csv.status, StatusCode::SEE_OTHER);
    let signin = app
        .send(
            Request::get("/sign-in?expired=1")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(html(&signin).contains("Sign in again"));
}

#[tokio::test]
async fn a_key_sees_the_pages_of_its_scopes_only() {
    let app = spawn_app().await;
    let reports = app.environment("acme", "UTC", "reports:read").await;
    let admin = app.environment("acme", "UTC", "admin").await;
    let writer = app.environment("acme", "UTC", "events:write").await;

    assert_eq!(
        header(&page(&app, &reports, "/").await, "location"),
        "/monthly"
    );
    assert_eq!(header(&page(&app, &admin, "/").await, "location"), "/admin");
    assert_eq!(page(&app, &writer, "/").await.status, StatusCode::FORBIDDEN);

    let monthly = page(&app, &reports, "/monthly?month=2025-10").await;
    assert_eq!(monthly.status, StatusCode::OK);
    let menu = html(&monthly);
    assert!(menu.contains("href=\"/insights\""));
    assert!(
        !menu.contains("href=\"/admin\""),
        "no admin menu for a reports key"
    );
    for path in ["/admin", "/activity", "/activity/reports"] {
        let reply = page(&app, &reports, path).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert!(html(&reply).contains("lacks the admin scope"), "{path}");
    }
    assert_eq!(
        page(&app, &reports, "/csv/dashboard-users-by-role.csv")
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let dash = page(&app, &admin, "/admin").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(
        !html(&dash).contains("href=\"/monthly\""),
        "no report menu for an admin-only key"
    );
    for path in [
        "/monthly",
        "/insights",
        "/series",
        "/breakdown",
        "/events",
        "/assets/a1",
    ] {
        assert_eq!(
            page(&app, &admin, path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        page(&app, &admin, "/csv/top-downloaded-assets.csv?month=2025-10")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_sign_in_page_offers_the_demo_key_only_on_the_demo() {
    let app = spawn_app().await;
    let reply = app
        .send(Request::get("/sign-in").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(!html(&reply).contains("use-demo-key"));
    let csp = header(&reply, "content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );

    let database = crate::helpers::fresh_database().await;
    let config = dam_insights::config::Config::for_database(database.url.clone());
    let mut state = dam_insights::build(config).await.unwrap();
    state.demo_key = Some("dami_demo".into());
    let demo = TestApp::from_state(state, database);
    let reply = demo
        .send(Request::get("/sign-in").body(Body::empty()).unwrap())
        .await;
    assert!(html(&reply).contains("use-demo-key"));
    assert!(html(&reply).contains("dami_demo"));
}
