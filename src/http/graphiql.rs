//! GraphiQL for browsers asking for `/graphql`: exact production builds of GraphiQL and
//! React, each pinned by its integrity hash (the browser refuses a file that differs).
//! No crate on crates.io ships GraphiQL's built files, and this repository holds no
//! third-party code, so the browser takes them from unpkg.com; when it cannot (offline,
//! blocked, a hash that does not match) the page says so and shows a curl command with
//! the key and where the schema is. On the embedded demo the headers start with the demo
//! key; GraphiQL keeps the headers in the browser, so a key is entered once.
use serde_json::json;

/// GraphiQL's version: 4.x is the last line with a browser (UMD) build.
pub const GRAPHIQL_VERSION: &str = "4.1.2";
/// React's version: 18.x is the last line with UMD builds.
pub const REACT_VERSION: &str = "18.3.1";

/// One pinned file: its address and its Subresource Integrity hash (sha384 of the file
/// the npm package holds at that path).
struct Pinned {
    url: &'static str,
    sri: &'static str,
}

const GRAPHIQL_CSS: Pinned = Pinned {
    url: "https://unpkg.com/graphiql@4.1.2/graphiql.min.css",
    sri: "sha384-1el1QShFBnnXTx9x/Cprg82hZWKt0ry29OAYIXt05swbi0KcZDFoj0CWguMpopJr",
};
const GRAPHIQL_JS: Pinned = Pinned {
    url: "https://unpkg.com/graphiql@4.1.2/graphiql.min.js",
    sri: "sha384-9XdHu7ajgGJziD4J1zNBKQ842Q/+zZfDv+ib1eMhZWBH6hPAs806x+Jbcf0yNO6B",
};
const REACT_JS: Pinned = Pinned {
    url: "https://unpkg.com/react@18.3.1/umd/react.production.min.js",
    sri: "sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
};
const REACT_DOM_JS: Pinned = Pinned {
    url: "https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js",
    sri: "sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
};

const TEMPLATE: &str = include_str!("graphiql.html");

/// The page for `endpoint`, its headers starting with `demo_key` when given.
pub fn page(endpoint: &str, demo_key: Option<&str>) -> String {
    // JSON inside a <script> element: `<` escaped so no value can close the element.
    let config = json!({ "endpoint": endpoint, "demoKey": demo_key })
        .to_string()
        .replace('<', "\\u003c");
    [
        ("{{graphiql_css}}", GRAPHIQL_CSS.url),
        ("{{graphiql_css_sri}}", GRAPHIQL_CSS.sri),
        ("{{graphiql_js}}", GRAPHIQL_JS.url),
        ("{{graphiql_js_sri}}", GRAPHIQL_JS.sri),
        ("{{react_js}}", REACT_JS.url),
        ("{{react_js_sri}}", REACT_JS.sri),
        ("{{react_dom_js}}", REACT_DOM_JS.url),
        ("{{react_dom_js_sri}}", REACT_DOM_JS.sri),
        ("{{graphiql_version}}", GRAPHIQL_VERSION),
        ("{{react_version}}", REACT_VERSION),
        ("{{config}}", &config),
    ]
    .iter()
    .fold(TEMPLATE.to_owned(), |html, (from, to)| {
        html.replace(from, to)
    })
}
