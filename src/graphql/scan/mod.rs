//! The scan of a parsed document before async-graphql validates it: the size each
//! operation has once every fragment spread is expanded (fields, aliases included; depth;
//! directives; cost), with each fragment's size worked out once and reused, so that no
//! expansion is ever built and the work is linear in the document. It also refuses
//! fragment spreads that are unknown or cyclic, enum arguments written as strings, and, in
//! production mode, introspection.
//!
//! Cost: a field costs 1 plus what it selects (`__typename` costs nothing). A field taking `first` is a page of a
//! connection: it costs 1, plus its connection-level fields (`totalCount`, `pageInfo`)
//! once, plus `first` (default 10, at least 1) times its list fields (`edges`, `nodes`),
//! so what a page costs is what one row selects times the rows.
pub mod schema_index;
pub mod tokens;

use async_graphql::Variables;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet, Type};
use async_graphql::{Name, Positioned};
use async_graphql_value::{ConstValue, Value};
use schema_index::SchemaIndex;
use std::collections::HashMap;

/// An operation's (or fragment's) size with every spread expanded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// Fields, aliases included, each time a spread repeats them.
    pub fields: u64,
    /// The deepest nesting of fields.
    pub depth: u64,
    pub directives: u64,
    /// The cost of its fields that are not lists.
    pub once: u64,
    /// The cost of its list fields (multiplied by `first` of a page around them).
    pub rows: u64,
    /// Whether it selects `__schema` or `__type` on the query root.
    pub introspects: bool,
    /// Whether it selects any other field than those and `__typename` on the query root.
    pub queries_data: bool,
}

impl Size {
    pub fn cost(&self) -> u64 {
        self.once.saturating_add(self.rows)
    }

    fn add(&mut self, other: &Size) {
        self.fields = self.fields.saturating_add(other.fields);
        self.depth = self.depth.max(other.depth);
        self.directives = self.directives.saturating_add(other.directives);
        self.once = self.once.saturating_add(other.once);
        self.rows = self.rows.saturating_add(other.rows);
        self.introspects |= other.introspects;
        self.queries_data |= other.queries_data;
    }
}

/// Why a document was refused by the scan.
#[derive(Debug)]
pub struct Refusal {
    pub message: String,
    pub code: &'static str,
}

fn refuse(message: String) -> Refusal {
    Refusal {
        message,
        code: "BAD_USER_INPUT",
    }
}

enum Memo {
    InProgress,
    Done(Size),
}

struct Scanner<'a> {
    index: &'a SchemaIndex,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    /// Default values of the document's variables, when the request gives none.
    defaults: HashMap<&'a str, &'a ConstValue>,
    fragments: HashMap<&'a str, Memo>,
    /// Fragments being scanned, one inside the other.
    chain: usize,
}

/// How deeply fragments may spread one inside the other (bounds the scan's recursion).
pub const MAX_FRAGMENT_CHAIN: usize = 100;

/// The expanded size of every operation (by name; `None` for an anonymous one) and of
/// every fragment.
pub struct Scanned {
    pub operations: Vec<(Option<String>, Size)>,
    pub fragments: Vec<(String, Size)>,
}

/// Scans `doc` (see the module's documentation).
pub fn scan(
    index: &SchemaIndex,
    doc: &ExecutableDocument,
    variables: &Variables,
) -> Result<Scanned, Refusal> {
    let mut scanner = Scanner {
        index,
        doc,
        variables,
        defaults: HashMap::new(),
        fragments: HashMap::new(),
        chain: 0,
    };
    for (_, op) in doc.operations.iter() {
        for def in &op.node.variable_definitions {
            let name = def.node.name.node.as_str();
            if let Some(value) = variables.get(&def.node.name.node) {
                check_variable(index, name, &def.node.var_type.node, value)?;
            }
            if let Some(default) = &def.node.default_value {
                scanner
                    .defaults
                    .entry(def.node.name.node.as_str())
                    .or_insert(&default.node);
            }
        }
    }
    let mut operations = Vec::new();
    for (name, op) in doc.operations.iter() {
        let root = match op.node.ty {
            async_graphql::parser::types::OperationType::Query => index.query.as_str(),
            async_graphql::parser::types::OperationType::Mutation => index.mutation.as_str(),
            async_graphql::parser::types::OperationType::Subscription => "",
        };
        let mut size = scanner.selection_set(Some(root), &op.node.selection_set)?;
        size.directives = size
            .directives
            .saturating_add(op.node.directives.len() as u64);
        operations.push((name.map(|n| n.to_string()), size));
    }
    // Then the fragments no operation spreads (validation refuses them, after looking).
    let mut fragments = Vec::new();
    for name in doc.fragments.keys() {
        fragments.push((name.to_string(), scanner.fragment(name.as_str())?));
    }
    Ok(Scanned {
        operations,
        fragments,
    })
}

impl<'a> Scanner<'a> {
    fn fragment(&mut self, name: &'a str) -> Result<Size, Refusal> {
        match self.fragments.get(name) {
            Some(Memo::Done(size)) => return Ok(*size),
            Some(Memo::InProgress) => {
                return Err(refuse(format!(
                    "fragment {name} spreads itself (directly or through other fragments): fragments cannot be cyclic"
                )));
            }
            None => {}
        }
        let Some(definition) = self.doc.fragments.get(name) else {
            return Err(refuse(format!(
                "unknown fragment {name}: define `fragment {name} on …` in the document"
            )));
        };
        if self.chain >= MAX_FRAGMENT_CHAIN {
            return Err(Refusal {
                message: format!(
                    "fragments spread one inside the other more than {MAX_FRAGMENT_CHAIN} deep: simplify the query"
                ),
                code: "QUERY_TOO_COMPLEX",
            });
        }
        self.fragments.insert(name, Memo::InProgress);
        self.chain += 1;
        let on = definition.node.type_condition.node.on.node.as_str();
        let size = self.selection_set(Some(on), &definition.node.selection_set);
        self.chain -= 1;
        let mut size = size?;
        size.directives = size
            .directives
            .saturating_add(definition.node.directives.len() as u64);
        self.fragments.insert(name, Memo::Done(size));
        Ok(size)
    }

    fn selection_set(
        &mut self,
        ty: Option<&'a str>,
        set: &'a Positioned<SelectionSet>,
    ) -> Result<Size, Refusal> {
        let mut size = Size::default();
        for item in &set.node.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    let info = self.index.field(ty, name);
                    if let Some(info) = info {
                        for (arg, value) in &field.arguments {
                            if let Some(arg_ty) = info.args.get(arg.node.as_str()) {
                                self.check_value(name, arg.node.as_str(), arg_ty, &value.node)?;
                            }
                        }
                    }
                    let child_ty = info.map(|i| i.ty.as_str());
                    let child = self.selection_set(child_ty, &field.selection_set)?;
                    let cost = match info {
                        Some(info) if info.pages => {
                            let first = self.first(&field.arguments);
                            if info.is_list {
                                first.saturating_mul(child.cost()).saturating_add(1)
                            } else {
                                first
                                    .saturating_mul(child.rows)
                                    .saturating_add(child.once)
                                    .saturating_add(1)
                            }
                        }
                        // `__typename` is answered without resolving anything.
                        _ if name == "__typename" => 0,
                        _ => child.cost().saturating_add(1),
                    };
                    let mut own = Size {
                        fields: child.fields.saturating_add(1),
                        depth: child.depth + 1,
                        directives: child
                            .directives
                            .saturating_add(field.directives.len() as u64),
                        ..Size::default()
                    };
                    if info.is_some_and(|i| i.is_list) {
                        own.rows = cost;
                    } else {
                        own.once = cost;
                    }
                    if ty == Some(self.index.query.as_str()) {
                        match name {
                            "__schema" | "__type" => own.introspects = true,
                            "__typename" => {}
                            _ => own.queries_data = true,
                        }
                    }
                    size.add(&own);
                }
                Selection::FragmentSpread(spread) => {
                    let fragment = self.fragment(spread.node.fragment_name.node.as_str())?;
                    size.add(&fragment);
                    size.directives = size
                        .directives
                        .saturating_add(spread.node.directives.len() as u64);
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str())
                        .or(ty);
                    let inner = self.selection_set(on, &inline.node.selection_set)?;
                    size.add(&inner);
                    size.directives = size
                        .directives
                        .saturating_add(inline.node.directives.len() as u64);
                }
            }
        }
        Ok(size)
    }

    /// The `first` of a page: written, from a variable, or 10; at least 1.
    fn first(&self, arguments: &[(Positioned<Name>, Positioned<Value>)]) -> u64 {
        let value = arguments
            .iter()
            .find(|(name, _)| name.node == "first")
            .map(|(_, value)| &value.node);
        let number = match value {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::Variable(v)) => match self
                .variables
                .get(v)
                .or_else(|| self.defaults.get(v.as_str()).copied())
            {
                Some(ConstValue::Number(n)) => n.as_i64(),
                Some(_) => None,
                None => Some(10),
            },
            _ => None,
        };
        number.unwrap_or(10).max(1) as u64
    }

    /// Refuses a string literal where an enum is expected (at any depth of lists and
    /// input objects): the GraphQL spec takes only enum values (or variables) there; and
    /// a `Month` or `Date` that is not one, saying what is accepted.
    fn check_value(&self, field: &str, arg: &str, ty: &Type, value: &Value) -> Result<(), Refusal> {
        use async_graphql::parser::types::BaseType;
        match (&ty.base, value) {
            (_, Value::Variable(_) | Value::Null) => Ok(()),
            (BaseType::List(inner), Value::List(items)) => items
                .iter()
                .try_for_each(|v| self.check_value(field, arg, inner, v)),
            (BaseType::List(inner), v) => self.check_value(field, arg, inner, v),
            (BaseType::Named(name), v) => {
                if let Some(refusal) = calendar(name, arg, text_of(v)) {
                    return Err(refuse(refusal));
                }
                if self.index.enums.contains(name.as_str()) {
                    if let Value::String(s) = v {
                        return Err(refuse(format!(
                            "argument `{arg}` of `{field}` takes a value of the enum {name}, not a string: write {s} without quotes"
                        )));
                    }
                } else if let (Some(fields), Value::Object(map)) =
                    (self.index.inputs.get(name.as_str()), v)
                {
                    for (key, item) in map {
                        if let Some(item_ty) = fields.get(key.as_str()) {
                            let path = format!("{arg}.{key}");
                            self.check_value(field, &path, item_ty, item)?;
                        }
                    }
                }
                Ok(())
            }
        }
    }
}

fn text_of(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Why `text`, given for `arg` of type `ty`, is not a `Month` or `Date` (None when it is
/// one, or `ty` is neither).
fn calendar(ty: &str, arg: &str, text: Option<&str>) -> Option<String> {
    let text = text?;
    match ty {
        "Month" if crate::graphql::month::Month::year_month(text).is_none() => {
            Some(crate::graphql::month::Month::refusal(text))
        }
        "Date" if crate::graphql::range::Date::day(text).is_none() => {
            Some(crate::graphql::range::Date::refusal(arg, text))
        }
        _ => None,
    }
}

/// Checks the `Month` and `Date` values among `value`, a variable of type `ty`.
fn check_variable(
    index: &SchemaIndex,
    name: &str,
    ty: &Type,
    value: &ConstValue,
) -> Result<(), Refusal> {
    use async_graphql::parser::types::BaseType;
    match (&ty.base, value) {
        (BaseType::List(inner), ConstValue::List(items)) => items
            .iter()
            .try_for_each(|v| check_variable(index, name, inner, v)),
        (BaseType::List(inner), v) => check_variable(index, name, inner, v),
        (BaseType::Named(ty), ConstValue::String(text)) => match calendar(ty, name, Some(text)) {
            Some(refusal) => Err(refuse(refusal)),
            None => Ok(()),
        },
        (BaseType::Named(ty), ConstValue::Object(map)) => {
            if let Some(fields) = index.inputs.get(ty.as_str()) {
                for (key, item) in map {
                    if let Some(item_ty) = fields.get(key.as_str()) {
                        check_variable(index, &format!("{name}.{key}"), item_ty, item)?;
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
