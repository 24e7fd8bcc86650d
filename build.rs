//! Generates everything that only repeats the WIT package, so that an action is written once:
//! its WIT function (with documented input record) and its function in `src/actions/`.
//!
//! - `inputs.rs`: per input record, the type the action receives (defaults of `Default:`
//!   applied, `Range:` and `One of:` checked, blank text absent, `json` parsed, `Secret.`
//!   fields listed for scrubbing), its raw JSON form, and the conversions from both doors;
//! - `exports.rs`: the `impl Guest` of every area, each function delegating to its action;
//! - `dispatch.rs`: `invoke`'s table from action id to the same action, and the JSON form of
//!   each output record;
//! - `catalog.json`: every connection, trigger and action with label, comment, defaults and
//!   the JSON Schema of its input.
//!
//! - `source-hash`: the hash of the sources the component is built from, embedded as a
//!   custom section (see `okta_wit_model::source`).
//!
//! The doc-comment conventions are described in the `okta-wit-model` crate (`build/`).

use okta_wit_model::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const BINDINGS: &str = "crate::bindings";

fn main() {
    for path in SOURCE_PATHS {
        println!("cargo:rerun-if-changed={path}");
    }
    let dir = Path::new("wit");
    let model = Model::load(dir);
    let records = record_lookup(dir);
    let out = std::env::var("OUT_DIR").unwrap();
    let out = Path::new(&out);

    std::fs::write(out.join("inputs.rs"), inputs_rs(&model)).unwrap();
    std::fs::write(out.join("exports.rs"), exports_rs(&model)).unwrap();
    std::fs::write(out.join("dispatch.rs"), dispatch_rs(&model, &records)).unwrap();
    let catalog = catalog_json(&model, &records);
    std::fs::write(out.join("catalog.json"), serde_json::to_string_pretty(&catalog).unwrap()).unwrap();
    let hash = source_hash(Path::new(".")).expect("the sources are readable");
    std::fs::write(out.join("source-hash"), hash).unwrap();
}

fn wit_record_path(interface: &str, name: &str) -> String {
    if interface == "types" {
        format!("{BINDINGS}::okta::connector::types::{}", upper_camel(name))
    } else {
        format!("{BINDINGS}::exports::okta::connector::{}::{}", snake(interface), upper_camel(name))
    }
}

fn rust_type(ty: &FieldType) -> String {
    match ty {
        FieldType::String => "String".into(),
        FieldType::Bool => "bool".into(),
        FieldType::U16 => "u16".into(),
        FieldType::U32 => "u32".into(),
        FieldType::U64 => "u64".into(),
        FieldType::S64 => "i64".into(),
        FieldType::Json => "serde_json::Value".into(),
        FieldType::List(inner) => format!("Vec<{}>", rust_type(inner)),
        FieldType::Record { name, interface } => wit_record_path(interface, name),
    }
}

fn literal(ty: &FieldType, value: &serde_json::Value) -> String {
    match (ty, value) {
        (FieldType::String, serde_json::Value::String(s)) => format!("{s:?}.to_string()"),
        (FieldType::Bool, serde_json::Value::Bool(b)) => b.to_string(),
        (FieldType::U16 | FieldType::U32 | FieldType::U64 | FieldType::S64, serde_json::Value::Number(n)) => {
            n.to_string()
        }
        (ty, v) => panic!("default {v} does not fit {ty:?}"),
    }
}

fn doc_lines(text: &str, indent: &str) -> String {
    text.lines().map(|l| format!("{indent}/// {}\n", l.trim())).collect()
}

fn inputs_rs(model: &Model) -> String {
    let mut s = String::new();
    for area in &model.areas {
        writeln!(s, "/// Inputs of the `{}` actions.\npub mod {} {{", area.name, snake(&area.name)).unwrap();
        writeln!(s, "    #[allow(unused_imports)]\n    use crate::input::*;").unwrap();
        for rec in &area.inputs {
            input_type(&mut s, &area.name, rec);
        }
        writeln!(s, "}}\n").unwrap();
    }
    if !model.trigger_inputs.is_empty() {
        writeln!(
            s,
            "/// Inputs of the triggers.\npub mod triggers {{\n    #[allow(unused_imports)]\n    use crate::input::*;"
        )
        .unwrap();
        for rec in &model.trigger_inputs {
            input_type(&mut s, "triggers", rec);
        }
        writeln!(s, "}}\n").unwrap();
    }
    s
}

fn input_type(s: &mut String, interface: &str, rec: &Record) {
    let name = upper_camel(&rec.name);
    let wit = wit_record_path(interface, &rec.name);
    // The resolved type.
    s.push_str(&doc_lines(&rec.docs, "    "));
    writeln!(s, "    #[derive(Debug, Clone, PartialEq)]\n    pub struct {name} {{").unwrap();
    for f in &rec.fields {
        let ty = rust_type(&f.ty);
        let ty = if f.optional && f.default.is_none() { format!("Option<{ty}>") } else { ty };
        let mut doc = format!("{}: {}", f.label, f.comment);
        if let Some(d) = &f.default {
            write!(doc, " Default: `{d}`.").unwrap();
        }
        s.push_str(&doc_lines(&doc, "        "));
        writeln!(s, "        pub {}: {ty},", rust_ident(&f.name)).unwrap();
    }
    writeln!(s, "    }}\n").unwrap();

    // The raw (invoke) form.
    writeln!(
        s,
        "    #[doc(hidden)]\n    #[derive(serde::Deserialize)]\n    #[serde(deny_unknown_fields)]\n    pub struct {name}Raw {{"
    )
    .unwrap();
    for f in &rec.fields {
        let ty = rust_type(&f.ty);
        let field = rust_ident(&f.name);
        let rename =
            if field != snake(&f.name) { format!("#[serde(rename = {:?})] ", snake(&f.name)) } else { String::new() };
        if f.optional {
            writeln!(s, "        {rename}#[serde(default)] pub {field}: Option<{ty}>,").unwrap();
        } else {
            writeln!(s, "        {rename}pub {field}: {ty},").unwrap();
        }
    }
    writeln!(s, "    }}\n").unwrap();

    // The conversions.
    writeln!(s, "    impl Input for {name} {{\n        type Wit = {wit};\n        type Raw = {name}Raw;").unwrap();
    write!(s, "        const FIELDS: &'static [FieldSpec] = &[").unwrap();
    for f in &rec.fields {
        write!(s, "FieldSpec {{ name: {:?}, required: {} }}, ", snake(&f.name), !f.optional).unwrap();
    }
    writeln!(s, "];").unwrap();

    writeln!(s, "        fn raw_from_wit(w: {wit}) -> {name}Raw {{\n            {name}Raw {{").unwrap();
    for f in &rec.fields {
        let field = rust_ident(&f.name);
        let value = match (&f.ty, f.optional) {
            (FieldType::Json, true) => format!("w.{field}.map(serde_json::Value::String)"),
            (FieldType::Json, false) => format!("serde_json::Value::String(w.{field})"),
            _ => format!("w.{field}"),
        };
        writeln!(s, "                {field}: {value},").unwrap();
    }
    writeln!(s, "            }}\n        }}").unwrap();

    writeln!(s, "        fn resolve(r: {name}Raw) -> Result<{name}, crate::error::Error> {{\n            Ok({name} {{")
        .unwrap();
    for f in &rec.fields {
        let field = rust_ident(&f.name);
        let key = snake(&f.name);
        writeln!(s, "                {field}: {},", resolve_expr(f, &field, &key)).unwrap();
    }
    writeln!(s, "            }})\n        }}").unwrap();

    writeln!(s, "        fn secrets(&self) -> Vec<String> {{\n            #[allow(unused_mut)]\n            let mut v = Vec::new();").unwrap();
    for f in rec.fields.iter().filter(|f| f.secret) {
        let field = rust_ident(&f.name);
        match (&f.ty, f.optional && f.default.is_none()) {
            (FieldType::String, true) => writeln!(s, "            v.extend(self.{field}.clone());").unwrap(),
            (FieldType::String, false) => writeln!(s, "            v.push(self.{field}.clone());").unwrap(),
            (ty, _) => panic!("{}: only text fields can be `Secret.` (got {ty:?})", f.name),
        }
    }
    writeln!(s, "            v\n        }}\n    }}\n").unwrap();
}

/// The expression that turns raw field `r.{field}` into the resolved value.
fn resolve_expr(f: &Field, field: &str, key: &str) -> String {
    let raw = format!("r.{field}");
    let check_text = |value: &str| -> String {
        match &f.one_of {
            Some(values) => {
                let list: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                format!("one_of({key:?}, {value}, &[{}])?", list.join(", "))
            }
            None => value.to_string(),
        }
    };
    let check_num = |value: &str| -> String {
        match f.range {
            Some((min, max)) => format!("in_range({key:?}, {value}, {min}, {max})?"),
            None => value.to_string(),
        }
    };
    match (&f.ty, f.optional, &f.default) {
        (FieldType::String, false, _) => check_text(&format!("required_text({key:?}, {raw}, {})?", f.secret)),
        (FieldType::String, true, None) => match &f.one_of {
            Some(values) => {
                let list: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                format!(
                    "optional_text({raw}, {}).map(|v| one_of({key:?}, v, &[{}])).transpose()?",
                    f.secret,
                    list.join(", ")
                )
            }
            None => format!("optional_text({raw}, {})", f.secret),
        },
        (FieldType::String, true, Some(d)) => {
            check_text(&format!("optional_text({raw}, {}).unwrap_or_else(|| {})", f.secret, literal(&f.ty, d)))
        }
        (FieldType::Json, false, _) => format!("required_json({key:?}, {raw})?"),
        (FieldType::Json, true, _) if f.text_allowed => format!("json_or_text({raw})"),
        (FieldType::Json, true, _) => format!("json_value({key:?}, {raw})?"),
        (FieldType::U16 | FieldType::U32 | FieldType::U64 | FieldType::S64, false, _) => check_num(&raw),
        (FieldType::U16 | FieldType::U32 | FieldType::U64 | FieldType::S64, true, None) => match f.range {
            Some((min, max)) => format!("{raw}.map(|v| in_range({key:?}, v, {min}, {max})).transpose()?"),
            None => raw,
        },
        (ty @ (FieldType::U16 | FieldType::U32 | FieldType::U64 | FieldType::S64), true, Some(d)) => {
            check_num(&format!("{raw}.unwrap_or({})", literal(ty, d)))
        }
        (FieldType::Bool, true, Some(d)) => format!("{raw}.unwrap_or({})", literal(&f.ty, d)),
        (_, true, Some(d)) => panic!("{key}: a default ({d}) is only supported on text, numbers and booleans"),
        _ => raw,
    }
}

fn output_type(action: &Action) -> String {
    match &action.output {
        Output::Json => "String".into(),
        Output::Unit => "()".into(),
        Output::Record { name, interface } => wit_record_path(interface, name),
    }
}

fn exports_rs(model: &Model) -> String {
    let mut s = String::new();
    for area in &model.areas {
        let module = snake(&area.name);
        writeln!(s, "impl {BINDINGS}::exports::okta::connector::{module}::Guest for crate::Component {{").unwrap();
        for a in &area.actions {
            let f = rust_ident(&a.name);
            let out = output_type(a);
            let conn = format!("{BINDINGS}::okta::connector::types::Connection");
            let err = format!("{BINDINGS}::okta::connector::types::Error");
            match &a.input {
                Some(input) => {
                    let ty = upper_camel(input);
                    writeln!(
                        s,
                        "    fn {f}(connection: {conn}, input: {BINDINGS}::exports::okta::connector::{module}::{ty}) -> Result<{out}, {err}> {{\n        crate::glue::typed::<crate::inputs::{module}::{ty}, _, _>(connection, input, crate::actions::{module}::{f})\n    }}"
                    )
                    .unwrap();
                }
                None => writeln!(
                    s,
                    "    fn {f}(connection: {conn}) -> Result<{out}, {err}> {{\n        crate::glue::typed0(connection, crate::actions::{module}::{f})\n    }}"
                )
                .unwrap(),
            }
        }
        writeln!(s, "}}\n").unwrap();
    }
    s
}

fn dispatch_rs(model: &Model, records: &dyn Fn(&str) -> Option<Record>) -> String {
    let mut ids = String::new();
    let mut arms = String::new();
    let mut outputs: BTreeMap<String, (String, String)> = BTreeMap::new();
    for area in &model.areas {
        let module = snake(&area.name);
        for a in &area.actions {
            writeln!(ids, "    {:?},", a.id).unwrap();
            let f = rust_ident(&a.name);
            let out = output_type(a);
            let call = match &a.input {
                Some(input) => format!(
                    "crate::glue::invoke::<crate::inputs::{module}::{}, _, {out}>(connection, input, crate::actions::{module}::{f})",
                    upper_camel(input)
                ),
                None => format!("crate::glue::invoke0::<_, {out}>(connection, input, crate::actions::{module}::{f})"),
            };
            writeln!(arms, "        {:?} => {call},", a.id).unwrap();
            if let Output::Record { name, interface } = &a.output {
                outputs.insert(wit_record_path(interface, name), (name.clone(), interface.clone()));
            }
        }
    }
    let mut s = format!(
        "/// Every action id, in WIT order.\npub const ACTION_IDS: &[&str] = &[\n{ids}];\n\n\
         /// Runs the action `action` on JSON input, through the same code as its typed export.\n\
         pub fn dispatch(action: &str, connection: {BINDINGS}::okta::connector::types::Connection, input: &str) -> Result<String, {BINDINGS}::okta::connector::types::Error> {{\n    match action {{\n{arms}        _ => Err(crate::catalog::unknown_action(action)),\n    }}\n}}\n\n"
    );
    for (path, (name, _)) in outputs {
        let rec = records(&name).expect("output record");
        writeln!(s, "impl crate::catalog::InvokeOutput for {path} {{\n    fn into_json(self) -> String {{").unwrap();
        let mut parts = Vec::new();
        for f in &rec.fields {
            let field = rust_ident(&f.name);
            let value = match (&f.ty, f.optional) {
                (FieldType::Json, false) => format!("self.{field}"),
                (FieldType::Json, true) => format!("self.{field}.unwrap_or_else(|| \"null\".to_string())"),
                _ => format!("serde_json::to_string(&self.{field}).unwrap_or_default()"),
            };
            writeln!(s, "        let {field} = {value};").unwrap();
            parts.push(format!("({:?}, {field}.as_str())", snake(&f.name)));
        }
        writeln!(s, "        crate::catalog::object(&[{}])\n    }}\n}}\n", parts.join(", ")).unwrap();
    }
    s
}

fn catalog_json(model: &Model, records: &dyn Fn(&str) -> Option<Record>) -> serde_json::Value {
    let mut actions = Vec::new();
    for area in &model.areas {
        for a in &area.actions {
            let (schema, defaults) = match &a.input {
                Some(input) => {
                    let rec = area.input(input);
                    (rec.schema(records), rec.defaults())
                }
                None => (
                    json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false}),
                    Default::default(),
                ),
            };
            actions.push(json!({
                "id": a.id,
                "label": a.label,
                "comment": a.comment,
                "details": a.details,
                "defaults": defaults,
                "input_schema": schema,
            }));
        }
    }
    let connections: Vec<_> = model
        .connections
        .iter()
        .map(|c| {
            json!({
                "id": snake(c.case.as_deref().unwrap_or(&c.name)),
                "label": c.label,
                "comment": c.comment,
                "input_schema": c.schema(records),
            })
        })
        .collect();
    let triggers: Vec<_> = model
        .triggers
        .iter()
        .map(|t| {
            let empty = json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false});
            json!({
                "id": t.id,
                "label": t.label,
                "comment": t.comment,
                "kind": t.kind,
                "defaults": t.input.as_ref().map(Record::defaults).unwrap_or_default(),
                "input_schema": t.input.as_ref().map(|i| i.schema(records)).unwrap_or(empty),
            })
        })
        .collect();
    json!({
        "package": model.package,
        "connections": connections,
        "triggers": triggers,
        "actions": actions,
    })
}
