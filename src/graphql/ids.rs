//! Opaque global ids (`node(id:)`) and keyset cursors, both base64url of a typed string.
use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The node types that have global ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeType {
    Asset,
    User,
    Collection,
    Job,
    Portal,
    Event,
}

impl NodeType {
    const ALL: [NodeType; 6] = [
        NodeType::Asset,
        NodeType::User,
        NodeType::Collection,
        NodeType::Job,
        NodeType::Portal,
        NodeType::Event,
    ];

    fn name(self) -> &'static str {
        match self {
            NodeType::Asset => "Asset",
            NodeType::User => "User",
            NodeType::Collection => "Collection",
            NodeType::Job => "Job",
            NodeType::Portal => "Portal",
            NodeType::Event => "Event",
        }
    }
}

pub fn global_id(kind: NodeType, id: &str) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// Decodes a global id into its type and the DAM's own id.
pub fn parse_global_id(id: &str) -> AppResult<(NodeType, String)> {
    let bad = || {
        AppError::BadUserInput(format!(
            "{} is not a global id of this API: pass the `id` field of an Asset, User, Collection, Job, Portal or Event",
            quoted(id)
        ))
    };
    let decoded = URL_SAFE_NO_PAD.decode(id).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (kind, local) = decoded.split_once(':').ok_or_else(bad)?;
    let kind = NodeType::ALL
        .into_iter()
        .find(|k| k.name() == kind)
        .ok_or_else(bad)?;
    if local.is_empty() {
        return Err(bad());
    }
    Ok((kind, local.to_owned()))
}

/// A cursor after the row with this sort key.
pub fn cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("k:{key}"))
}

/// Decodes a cursor made by [`cursor`].
pub fn parse_cursor(cursor: &str) -> AppResult<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|s| s.strip_prefix("k:").map(str::to_owned))
        .ok_or_else(|| {
            AppError::BadUserInput(format!(
                "{} is not a cursor of this list: pass an `endCursor` or edge `cursor` this API returned",
                quoted(cursor)
            ))
        })
}

/// Checks a page size: `first` defaults to 10 and lies in 0..=100.
pub fn page_size(first: Option<i32>) -> AppResult<u64> {
    match first {
        None => Ok(10),
        Some(n @ 0..=100) => Ok(n as u64),
        Some(n) => Err(AppError::BadUserInput(format!(
            "first is {n}: a page holds 0 to 100 items (default 10)"
        ))),
    }
}

/// A value a caller sent, quoted for an error message: at most 64 characters of it.
pub fn quoted(value: &str) -> String {
    if value.chars().count() <= 64 {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(64).collect();
        format!("{head:?}… ({} characters)", value.chars().count())
    }
}
