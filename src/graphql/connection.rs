//! Relay connections over keyset pages. Each list gets its own named, described
//! connection and edge types through [`connection_type!`].
use async_graphql::connection::PageInfo;

/// The Relay page info of a keyset page.
pub fn page_info(
    after_given: bool,
    has_next: bool,
    start: Option<String>,
    end: Option<String>,
) -> PageInfo {
    PageInfo {
        has_previous_page: after_given,
        has_next_page: has_next,
        start_cursor: start,
        end_cursor: end,
    }
}

/// Defines `$conn` (edges, nodes, pageInfo, totalCount) and `$edge` (cursor, node) for
/// nodes of type `$node`, and `$conn::from_page` building one from a storage page.
#[macro_export]
macro_rules! connection_type {
    ($conn:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ", with a cursor per item and the total over all pages.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $conn {
            /// The items of this page, each with its cursor.
            pub edges: Vec<$edge>,
            /// The items of this page.
            pub nodes: Vec<$node>,
            /// Where this page lies: pass `endCursor` as `after` for the next one.
            pub page_info: async_graphql::connection::PageInfo,
            /// The number of items in the whole list, over all pages.
            pub total_count: u64,
        }

        #[doc = concat!("One of ", $what, " and its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Pass it as `after` to get the items that follow this one.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl $conn {
            /// Builds the connection of a storage page; `key` gives each row's cursor key.
            pub fn from_page<M>(
                page: $crate::storage::catalog::Page<M>,
                after_given: bool,
                key: impl Fn(&M) -> String,
                node: impl Fn(M) -> $node,
            ) -> Self {
                let edges: Vec<$edge> = page
                    .items
                    .into_iter()
                    .map(|m| $edge {
                        cursor: $crate::graphql::ids::cursor(&key(&m)),
                        node: node(m),
                    })
                    .collect();
                let start = edges.first().map(|e| e.cursor.clone());
                let end = edges.last().map(|e| e.cursor.clone());
                $conn {
                    nodes: edges.iter().map(|e| e.node.clone()).collect(),
                    edges,
                    page_info: $crate::graphql::connection::page_info(
                        after_given,
                        page.has_next,
                        start,
                        end,
                    ),
                    total_count: page.total,
                }
            }
        }
    };
}

/// Defines a ranked list's connection `$conn` (edges, pageInfo, totalCount, countSum) and edge
/// `$edge` (cursor, node, and the given count fields).
#[macro_export]
macro_rules! ranked_connection_type {
    ($conn:ident, $edge:ident, $node:ty, $what:literal, { $($(#[$fmeta:meta])* $field:ident : $fty:ty),* $(,)? }) => {
        #[doc = concat!("A page of ", $what, ", by count descending then by a stable key, with the total over all pages.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $conn {
            /// The items of this page, each with its cursor and counts.
            pub edges: Vec<$edge>,
            /// Where this page lies: pass `endCursor` as `after` for the next one.
            pub page_info: async_graphql::connection::PageInfo,
            /// The number of items in the whole ranking, over all pages.
            pub total_count: u64,
            /// The sum of the counts of every item in the whole ranking, over all pages
            /// (the count it is ranked by): a chart draws "all others" as this sum minus
            /// the counts it shows.
            pub count_sum: i64,
        }

        #[doc = concat!("One of ", $what, ", its cursor and its counts.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Pass it as `after` to get the items ranked after this one.
            pub cursor: String,
            /// The item.
            pub node: $node,
            $($(#[$fmeta])* pub $field: $fty,)*
        }
    };
}
