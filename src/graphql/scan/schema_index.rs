//! What the document scan needs to know of the schema, read once from its SDL: each
//! object's and interface's fields (their type, whether they page with `first`, the types
//! of their arguments), the enums, and each input object's fields.
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use std::collections::{HashMap, HashSet};

/// A field of an object or interface.
#[derive(Debug)]
pub struct FieldInfo {
    /// The named type it returns (lists and non-null removed).
    pub ty: String,
    /// Whether it returns a list.
    pub is_list: bool,
    /// Whether it takes `first` (a page of a connection).
    pub pages: bool,
    /// Its arguments' types.
    pub args: HashMap<String, Type>,
}

/// The schema as the scan sees it.
#[derive(Debug, Default)]
pub struct SchemaIndex {
    /// Fields per object or interface type.
    pub fields: HashMap<String, HashMap<String, FieldInfo>>,
    /// Input objects' fields and their types.
    pub inputs: HashMap<String, HashMap<String, Type>>,
    pub enums: HashSet<String>,
    pub query: String,
    pub mutation: String,
}

/// The named type under lists and non-null.
pub fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

impl SchemaIndex {
    /// Reads `sdl`, the schema's SDL as async-graphql prints it.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut index = SchemaIndex {
            query: "Query".into(),
            mutation: "Mutation".into(),
            ..Default::default()
        };
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            return index;
        };
        for definition in doc.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    if let Some(q) = &schema.node.query {
                        index.query = q.node.to_string();
                    }
                    if let Some(m) = &schema.node.mutation {
                        index.mutation = m.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(ty) => {
                    let name = ty.node.name.node.to_string();
                    let fields = match &ty.node.kind {
                        TypeKind::Object(o) => &o.fields,
                        TypeKind::Interface(i) => &i.fields,
                        TypeKind::Enum(_) => {
                            index.enums.insert(name);
                            continue;
                        }
                        TypeKind::InputObject(input) => {
                            let fields = input
                                .fields
                                .iter()
                                .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()))
                                .collect();
                            index.inputs.insert(name, fields);
                            continue;
                        }
                        _ => continue,
                    };
                    let fields = fields
                        .iter()
                        .map(|f| {
                            let f = &f.node;
                            let args: HashMap<String, Type> = f
                                .arguments
                                .iter()
                                .map(|a| (a.node.name.node.to_string(), a.node.ty.node.clone()))
                                .collect();
                            let info = FieldInfo {
                                ty: named(&f.ty.node).to_owned(),
                                is_list: matches!(f.ty.node.base, BaseType::List(_)),
                                pages: args.contains_key("first"),
                                args,
                            };
                            (f.name.node.to_string(), info)
                        })
                        .collect();
                    index.fields.insert(name, fields);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        index
    }

    /// The field `name` of type `ty`, when both are known.
    pub fn field(&self, ty: Option<&str>, name: &str) -> Option<&FieldInfo> {
        self.fields.get(ty?)?.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_served_schema() {
        let index = SchemaIndex::from_sdl(&crate::graphql::schema_builder().finish().sdl());
        let top = index
            .field(Some("DownloadsReport"), "topAssets")
            .expect("a field");
        assert!(top.pages && !top.is_list);
        assert!(
            index
                .field(Some("DownloadedAssetConnection"), "edges")
                .unwrap()
                .is_list
        );
        assert!(index.enums.contains("Interval"));
        assert!(index.inputs.contains_key("DateRange"));
    }
}
