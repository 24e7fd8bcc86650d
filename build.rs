//! Derives the catalog and the `invoke` dispatch table from the WIT package, so each action's
//! input is defined once (in `wit/`) and the JSON Schema, labels, comments and defaults can
//! never drift from the typed exports.
//!
//! Doc-comment conventions read here:
//! - a function's docs: first paragraph is the label, second the comment, the rest details;
//! - a field's or case's docs: `Label: comment`, with an optional ``Range: `min-max`.`` and
//!   an optional ``Default: `value`.`` (both at the end, in that order).

use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::path::Path;
use wit_parser::{Docs, Function, Resolve, Type, TypeDefKind, TypeId, WorldItem, WorldKey};

fn main() {
    println!("cargo:rerun-if-changed=wit");
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve.push_dir(Path::new("wit")).expect("wit/ parses");
    let world = resolve.select_world(pkg, Some("connector")).expect("world `connector`");
    let package_name = resolve.packages[pkg].name.to_string();

    let mut actions = Vec::new();
    let mut dispatch = String::new();
    let mut known = String::new();
    for (key, item) in &resolve.worlds[world].exports {
        let (WorldKey::Interface(iface_id), WorldItem::Interface { .. }) = (key, item) else {
            continue;
        };
        let iface = &resolve.interfaces[*iface_id];
        let iface_name = iface.name.clone().expect("named interface");
        if iface_name == "catalog" {
            continue;
        }
        let module = snake(&iface_name);
        for (func_name, func) in &iface.functions {
            let id = format!("{iface_name}.{func_name}");
            let (label, comment, details) = split_function_docs(&func.docs);
            let input = input_type(func);
            let (schema, fields) = match input {
                Some(ty) => record_schema(&resolve, ty),
                None => (json!({"type": "object", "properties": {}, "additionalProperties": false}), vec![]),
            };
            let defaults: Map<String, Value> =
                fields.iter().filter_map(|f| f.default.clone().map(|d| (f.name.clone(), d))).collect();
            actions.push(json!({
                "id": id,
                "label": label,
                "comment": comment,
                "details": details,
                "defaults": defaults,
                "input_schema": schema,
            }));

            let rust_fn = snake(func_name);
            let guest = format!("crate::bindings::exports::okta::connector::{module}::Guest");
            let spec = fields_spec(&fields);
            let call = match input {
                Some(ty) => {
                    let ty_name = upper_camel(resolve.types[ty].name.as_deref().expect("named input"));
                    format!(
                        "{{ let input: crate::bindings::exports::okta::connector::{module}::{ty_name} = crate::catalog::parse_input(input, {spec})?; crate::catalog::output(<crate::Component as {guest}>::{rust_fn}(connection, input)) }}"
                    )
                }
                None => format!(
                    "{{ crate::catalog::parse_input::<crate::catalog::NoInput>(input, {spec})?; crate::catalog::output(<crate::Component as {guest}>::{rust_fn}(connection)) }}"
                ),
            };
            writeln!(dispatch, "        {id:?} => {call},").unwrap();
            writeln!(known, "    {id:?},").unwrap();
        }
    }

    let connections = connection_kinds(&resolve);
    let catalog = json!({
        "package": package_name,
        "connections": connections,
        "triggers": [],
        "actions": actions,
    });
    let out = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&out).join("catalog.json"), serde_json::to_string_pretty(&catalog).unwrap()).unwrap();
    let code = format!(
        "/// Every action id, in WIT order.\npub const ACTION_IDS: &[&str] = &[\n{known}];\n\n\
         /// Runs the action `action` on JSON input through its typed export.\n\
         pub fn dispatch(action: &str, connection: crate::bindings::okta::connector::types::Connection, input: &str) -> Result<String, crate::bindings::okta::connector::types::Error> {{\n    match action {{\n{dispatch}        _ => Err(crate::catalog::unknown_action(action)),\n    }}\n}}\n"
    );
    std::fs::write(Path::new(&out).join("dispatch.rs"), code).unwrap();
}

/// One input field as the catalog and `invoke` see it.
struct Field {
    name: String,
    required: bool,
    is_json: bool,
    default: Option<Value>,
}

fn fields_spec(fields: &[Field]) -> String {
    let mut s = String::from("&[");
    for f in fields {
        write!(
            s,
            "crate::catalog::FieldSpec {{ name: {:?}, required: {}, is_json: {} }},",
            f.name, f.required, f.is_json
        )
        .unwrap();
    }
    s.push(']');
    s
}

/// The record an action takes after its connection, if any.
fn input_type(func: &Function) -> Option<TypeId> {
    match func.params.get(1) {
        Some((_, Type::Id(id))) => Some(*id),
        Some((name, _)) => panic!("{}: input `{name}` must be a record", func.name),
        None => None,
    }
}

fn record_schema(resolve: &Resolve, id: TypeId) -> (Value, Vec<Field>) {
    let TypeDefKind::Record(record) = &resolve.types[id].kind else {
        panic!("input type must be a record");
    };
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut fields = Vec::new();
    for field in &record.fields {
        let name = snake(&field.name);
        let (inner, optional) = match &field.ty {
            Type::Id(t) => match &resolve.types[*t].kind {
                TypeDefKind::Option(inner) => (*inner, true),
                _ => (field.ty, false),
            },
            _ => (field.ty, false),
        };
        let (label, comment, default) = split_field_docs(&field.docs);
        let (comment, range) = split_range(&comment);
        let mut schema = type_schema(resolve, inner);
        let obj = schema.as_object_mut().unwrap();
        if let Some((min, max)) = range {
            obj.insert("minimum".into(), json!(min));
            obj.insert("maximum".into(), json!(max));
        }
        obj.insert("title".into(), json!(label));
        obj.insert("description".into(), json!(comment));
        if let Some(d) = &default {
            obj.insert("default".into(), d.clone());
        }
        if !optional {
            required.push(json!(name));
        }
        fields.push(Field { name: name.clone(), required: !optional, is_json: is_json_alias(resolve, inner), default });
        properties.insert(name, schema);
    }
    let schema = json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    (schema, fields)
}

fn is_json_alias(resolve: &Resolve, ty: Type) -> bool {
    matches!(ty, Type::Id(id) if resolve.types[id].name.as_deref() == Some("json"))
}

fn type_schema(resolve: &Resolve, ty: Type) -> Value {
    match ty {
        Type::Bool => json!({"type": "boolean"}),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => json!({"type": "integer", "minimum": 0}),
        Type::S8 | Type::S16 | Type::S32 | Type::S64 => json!({"type": "integer"}),
        Type::F32 | Type::F64 => json!({"type": "number"}),
        Type::String | Type::Char => json!({"type": "string"}),
        Type::Id(id) => {
            if is_json_alias(resolve, ty) {
                return json!({"type": "object"});
            }
            match &resolve.types[id].kind {
                TypeDefKind::Type(inner) => type_schema(resolve, *inner),
                TypeDefKind::List(inner) => json!({"type": "array", "items": type_schema(resolve, *inner)}),
                TypeDefKind::Option(inner) => type_schema(resolve, *inner),
                TypeDefKind::Record(_) => record_schema(resolve, id).0,
                other => panic!("no JSON Schema for WIT {}", other.as_str()),
            }
        }
    }
}

fn connection_kinds(resolve: &Resolve) -> Vec<Value> {
    let (_, def) =
        resolve.types.iter().find(|(_, t)| t.name.as_deref() == Some("connection")).expect("a `connection` variant");
    let TypeDefKind::Variant(variant) = &def.kind else {
        panic!("`connection` must be a variant");
    };
    variant
        .cases
        .iter()
        .map(|case| {
            let (label, comment, _) = split_field_docs(&case.docs);
            let Some(Type::Id(record)) = case.ty else { panic!("connection case needs a record") };
            json!({
                "id": snake(&case.name),
                "label": label,
                "comment": comment,
                "input_schema": record_schema(resolve, record).0,
            })
        })
        .collect()
}

fn split_function_docs(docs: &Docs) -> (String, String, String) {
    let text = docs.contents.clone().unwrap_or_default();
    let mut paragraphs = text.split("\n\n").map(|p| p.trim().replace('\n', " "));
    let label = paragraphs.next().unwrap_or_default();
    let comment = paragraphs.next().unwrap_or_default();
    let details = paragraphs.collect::<Vec<_>>().join("\n\n");
    assert!(!label.is_empty() && !comment.is_empty(), "function docs need a label and a comment");
    (label, comment, details)
}

fn split_field_docs(docs: &Docs) -> (String, String, Option<Value>) {
    let text = docs.contents.clone().unwrap_or_default().replace('\n', " ");
    let (label, rest) = text.split_once(": ").unwrap_or((text.as_str(), ""));
    let mut comment = rest.trim().to_string();
    let mut default = None;
    if let Some(pos) = comment.find("Default: `") {
        let tail = &comment[pos + "Default: `".len()..];
        let raw = &tail[..tail.find('`').expect("closing backtick")];
        default = Some(serde_json::from_str(raw).unwrap_or_else(|_| json!(raw)));
        comment = comment[..pos].trim().to_string();
    }
    (label.trim().to_string(), comment, default)
}

/// Takes a trailing ``Range: `min-max`.`` off a comment.
fn split_range(comment: &str) -> (String, Option<(u64, u64)>) {
    let Some(pos) = comment.find("Range: `") else { return (comment.to_string(), None) };
    let tail = &comment[pos + "Range: `".len()..];
    let raw = &tail[..tail.find('`').expect("closing backtick")];
    let (min, max) = raw.split_once('-').expect("Range: `min-max`");
    let range = (min.parse().expect("a minimum"), max.parse().expect("a maximum"));
    (comment[..pos].trim().to_string(), Some(range))
}

fn snake(kebab: &str) -> String {
    kebab.replace('-', "_")
}

fn upper_camel(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}
