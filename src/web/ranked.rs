//! Ranked lists (top users, top assets, breakdowns…): a table of one page of a ranked
//! connection, its counts as numbers and as a meter against the first, and paging.
use super::components::{Here, pager};
use super::data::{Connection, PageInfo};
use super::format;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value};

/// What a ranked item names: any of these, as its type has them.
#[derive(Deserialize, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub asset_id: Option<String>,
    pub user_id: Option<String>,
    pub collection_id: Option<String>,
    pub filename: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub asset_type: Option<String>,
    pub query: Option<String>,
    pub field: Option<String>,
    pub value: Option<String>,
    pub expression: Option<String>,
    pub count: Option<i64>,
    pub users: Option<i64>,
    pub uploader: Option<Box<Item>>,
    pub groups: Option<Vec<String>>,
    pub last_login_at: Option<String>,
}

impl Item {
    pub fn as_ref(&self) -> super::data::EntityRef {
        super::data::EntityRef {
            asset_id: self.asset_id.clone(),
            user_id: self.user_id.clone(),
            collection_id: self.collection_id.clone(),
            job_id: None,
            filename: self.filename.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
        }
    }
}

/// One ranked edge: its item and its counts by name (`downloads`, `total`, …).
#[derive(Deserialize, Clone)]
pub struct Ranked {
    pub node: Item,
    #[serde(flatten)]
    pub counts: Map<String, Value>,
}

impl Ranked {
    /// A count of the edge (or of its node, for lists that count on the node).
    pub fn count(&self, name: &str) -> i64 {
        self.counts
            .get(name)
            .and_then(Value::as_i64)
            .or(match name {
                "count" => self.node.count,
                "users" => self.node.users,
                _ => None,
            })
            .unwrap_or(0)
    }
}

/// The address a count of an edge links to, if any.
pub type CountLink<'a> = &'a dyn Fn(&Ranked) -> Option<String>;

/// A column of a ranked table.
pub enum Column<'a> {
    /// The item, as the page links it.
    Item(&'a str, &'a dyn Fn(&Ranked) -> Markup),
    /// A count, with a link when the page has one for it.
    Count(&'a str, &'a str, Option<CountLink<'a>>),
    /// A count drawn as a meter against the first item's, with the number.
    Meter(&'a str, &'a str),
    /// Text of the item.
    Text(&'a str, &'a dyn Fn(&Ranked) -> String),
}

/// Where the table's paging goes: the page, its cursor parameter and the anchor.
pub struct Paging<'a> {
    pub here: &'a Here,
    pub param: &'a str,
    pub anchor: &'a str,
}

/// A page of a ranked connection as a table, with paging.
pub fn table(
    list: &Connection<Ranked>,
    columns: &[Column],
    paging: Option<Paging>,
    data_list: &str,
) -> Markup {
    let top = columns
        .iter()
        .find_map(|c| match c {
            Column::Meter(_, count) => list.edges.first().map(|e| e.count(count)),
            _ => None,
        })
        .unwrap_or(0)
        .max(1);
    html! {
        div.table-scroll {
            table.ranked data-list=(data_list) {
                thead { tr {
                    @for c in columns {
                        @match c {
                            Column::Item(h, _) | Column::Text(h, _) => th scope="col" { (h) },
                            Column::Count(h, _, _) => th.num scope="col" { (h) },
                            Column::Meter(h, _) => th.meter-col scope="col" { (h) },
                        }
                    }
                } }
                tbody {
                    @if list.edges.is_empty() {
                        tr { td.empty colspan=(columns.len()) { "Nothing in this period." } }
                    }
                    @for e in &list.edges {
                        tr {
                            @for c in columns {
                                @match c {
                                    Column::Item(_, cell) => td { (cell(e)) },
                                    Column::Text(_, text) => td { (text(e)) },
                                    Column::Count(_, name, link) => td.num data-count=(name) {
                                        @match link.and_then(|l| l(e)) {
                                            Some(href) => a href=(href) { (format::int(e.count(name))) },
                                            None => (format::int(e.count(name))),
                                        }
                                    },
                                    Column::Meter(_, name) => td.meter-col {
                                        meter min="0" max=(top) value=(e.count(name)) {}
                                    },
                                }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(p) = paging {
            (pager(p.here, p.param, &list.page_info, list.edges.len(), list.total_count, p.anchor))
        } @else {
            (pager_none(&list.page_info, list.edges.len(), list.total_count))
        }
    }
}

fn pager_none(_info: &PageInfo, shown: usize, total: i64) -> Markup {
    html! { div.pager { span.count { (format::int(shown as i64)) " shown of " (format::int(total)) } } }
}
