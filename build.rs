//! Generates everything that only repeats the WIT package, so that an action is written once:
//! its WIT function (with documented input record) and its function in `src/actions/`.
//!
//! - `inputs.rs`: per input record, the type the action receives (defaults of `Default:`
//!   applied, `Range:` and `One of:` checked, blank text absent, `json` parsed, `Secret.`
//!   fields listed for scrubbing), its raw JSON form, and the conversions from both doors;
//! - `exports.rs`: the `impl Guest` of every area, each function delegating to its action;
//! - `dispatch.rs`: `invoke`'s table from action id to the same action, and the JSON form of
//!   each output record;
//! - `listings.rs`: `listings.open`'s table from the id of each list action (one whose result
//!   is a page) to the same action;
//! - `catalog.json`: every connection, trigger and action with label, comment, defaults and
//!   the JSON Schema of its input (and of its result, where that has a fixed shape); each
//!   action's hints and scopes, each trigger's scopes; every kind of error with what it means;
//!   the environment the component reads and the hosts it may call;
//! - `environment.rs`: each environment variable's name and default, for `okta::config`;
//!   `hosts.rs`: Okta's domains from the outbound hosts, for `okta::domain`.
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
    let out = std::env::var("OUT_DIR").unwrap();
    let out = Path::new(&out);

    std::fs::write(out.join("inputs.rs"), inputs_rs(&model)).unwrap();
    std::fs::write(out.join("exports.rs"), exports_rs(&model)).unwrap();
    std::fs::write(out.join("dispatch.rs"), dispatch_rs(&model)).unwrap();
    std::fs::write(out.join("listings.rs"), listings_rs(&model)).unwrap();
    std::fs::write(out.join("connection_secrets.rs"), model.connection_secrets_fn("secrets")).unwrap();
    std::fs::write(out.join("environment.rs"), environment_rs(&model)).unwrap();
    std::fs::write(out.join("hosts.rs"), hosts_rs(&model)).unwrap();
    let catalog = catalog_json(&model);
    std::fs::write(out.join("catalog.json"), serde_json::to_string(&catalog).unwrap()).unwrap();
    let hash = source_hash(Path::new(".")).expect("the sources are readable");
    std::fs::write(out.join("source-hash"), hash).unwrap();
}

fn environment_rs(model: &Model) -> String {
    let mut s = String::new();
    for v in &model.environment {
        writeln!(
            s,
            "/// `{}`: {}.\npub const {}: Variable = Variable {{ name: {:?}, default: {} }};",
            v.name, v.comment, v.name, v.name, v.default
        )
        .unwrap();
    }
    s
}

fn hosts_rs(model: &Model) -> String {
    let domains: Vec<&str> = model.hosts.iter().filter_map(|h| h.strip_prefix("*.")).collect();
    format!(
        "/// Okta's own domains, under which an org is `{{org}}.{{domain}}` and `{{org}}-admin.{{domain}}` its\n\
         /// admin host.\nconst OKTA_DOMAINS: [&str; {}] = {domains:?};\n",
        domains.len()
    )
}

fn wit_record_path(interface: &str, name: &str) -> String {
    if interface == "types" {
        format!("{BINDINGS}::okta::connector::types::{}", upper_camel(name))
    } else {
        format!("{BINDINGS}::exports::okta::connector::{}::{}", snake(interface), upper_camel(name))
    }
}

/// The module of `crate::inputs` a record's generated type lives in.
fn inputs_module(interface: &str) -> String {
    snake(interface)
}

/// The type a resolved input field has.
fn rust_type(ty: &FieldType) -> String {
    match ty {
        FieldType::String => "String".into(),
        FieldType::Bool => "bool".into(),
        FieldType::U8 => "u8".into(),
        FieldType::U16 => "u16".into(),
        FieldType::U32 => "u32".into(),
        FieldType::U64 => "u64".into(),
        FieldType::S64 => "i64".into(),
        FieldType::Json => "serde_json::Value".into(),
        FieldType::List(inner) => format!("Vec<{}>", rust_type(inner)),
        FieldType::Record { name, interface } => {
            format!("crate::inputs::{}::{}", inputs_module(interface), upper_camel(name))
        }
        FieldType::Enum { name, interface } => wit_record_path(interface, name),
    }
}

/// The type a field has in the raw (`invoke`) form: closed sets as the text Okta spells.
fn raw_type(ty: &FieldType) -> String {
    match ty {
        FieldType::List(inner) => format!("Vec<{}>", raw_type(inner)),
        FieldType::Record { name, interface } => {
            format!("crate::inputs::{}::{}Raw", inputs_module(interface), upper_camel(name))
        }
        FieldType::Enum { .. } => "String".into(),
        other => rust_type(other),
    }
}

fn literal(model: &Model, ty: &FieldType, value: &serde_json::Value) -> String {
    match (ty, value) {
        (FieldType::String, serde_json::Value::String(s)) => format!("{s:?}.to_string()"),
        (FieldType::Bool, serde_json::Value::Bool(b)) => b.to_string(),
        (FieldType::U16 | FieldType::U32 | FieldType::U64 | FieldType::S64, serde_json::Value::Number(n)) => {
            n.to_string()
        }
        (FieldType::Enum { name, .. }, serde_json::Value::String(v)) => {
            let set = model.closed_set(name);
            let case =
                set.cases.iter().find(|c| &c.value == v).unwrap_or_else(|| panic!("default {v} is not in {name}"));
            format!("{}::{}", rust_type(ty), upper_camel(&case.name))
        }
        (ty, v) => panic!("default {v} does not fit {ty:?}"),
    }
}

fn doc_lines(text: &str, indent: &str) -> String {
    text.lines().map(|l| format!("{indent}/// {}\n", l.trim())).collect()
}

fn inputs_rs(model: &Model) -> String {
    let records = model.input_records();
    let mut modules: BTreeMap<String, Vec<&Record>> = BTreeMap::new();
    for rec in &records {
        let interface = record_interface(model, &rec.name);
        modules.entry(inputs_module(&interface)).or_default().push(rec);
    }
    let tops: Vec<&str> = model
        .areas
        .iter()
        .flat_map(|a| a.inputs.iter())
        .chain(model.trigger_inputs.iter())
        .map(|r| r.name.as_str())
        .collect();
    let mut s = String::new();
    for (module, recs) in &modules {
        writeln!(s, "/// Input types of the `{module}` interface.\npub mod {module} {{").unwrap();
        writeln!(s, "    #[allow(unused_imports)]\n    use crate::input::*;").unwrap();
        let mut recs = recs.clone();
        recs.sort_by(|a, b| a.name.cmp(&b.name));
        for rec in recs {
            let interface = record_interface(model, &rec.name);
            input_type(&mut s, model, &interface, rec, tops.contains(&rec.name.as_str()));
        }
        writeln!(s, "}}\n").unwrap();
    }
    for set in model.input_closed_sets() {
        let ty = rust_type(&FieldType::Enum { name: set.name.clone(), interface: set.interface.clone() });
        let values: Vec<String> =
            set.cases.iter().map(|c| format!("({:?}, {ty}::{})", c.value, upper_camel(&c.name))).collect();
        writeln!(
            s,
            "impl crate::input::Closed for {ty} {{\n    const VALUES: &'static [(&'static str, Self)] = &[{}];\n}}\n\n\
             /// The value Okta is sent.\nimpl std::fmt::Display for {ty} {{\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n        f.write_str(crate::input::Closed::value(*self))\n    }}\n}}\n",
            values.join(", ")
        )
        .unwrap();
    }
    s
}

/// The interface a record lives in.
fn record_interface(model: &Model, name: &str) -> String {
    model
        .areas
        .iter()
        .find(|a| a.inputs.iter().any(|r| r.name == name))
        .map(|a| a.name.clone())
        .or_else(|| model.trigger_inputs.iter().any(|r| r.name == name).then(|| "triggers".to_string()))
        .unwrap_or_else(|| "types".to_string())
}

fn input_type(s: &mut String, model: &Model, interface: &str, rec: &Record, top: bool) {
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
    writeln!(s, "    #[doc(hidden)]\n    pub struct {name}Raw {{").unwrap();
    for f in &rec.fields {
        let ty = raw_type(&f.ty);
        let field = rust_ident(&f.name);
        if f.optional {
            writeln!(s, "        pub {field}: Option<{ty}>,").unwrap();
        } else {
            writeln!(s, "        pub {field}: {ty},").unwrap();
        }
    }
    writeln!(s, "    }}\n").unwrap();

    // Both doors into one check.
    writeln!(s, "    impl InputRecord for {name} {{\n        type Wit = {wit};\n        type Raw = {name}Raw;")
        .unwrap();
    writeln!(s, "        fn raw_from_wit(w: {wit}) -> {name}Raw {{\n            {name}Raw {{").unwrap();
    for f in &rec.fields {
        let field = rust_ident(&f.name);
        writeln!(s, "                {field}: {},", wit_to_raw(&f.ty, f.optional, &format!("w.{field}"))).unwrap();
    }
    writeln!(s, "            }}\n        }}").unwrap();

    let names: Vec<String> = rec.fields.iter().map(|f| format!("{:?}", snake(&f.name))).collect();
    writeln!(
        s,
        "        fn raw_from_json(value: serde_json::Value, at: &str) -> Result<{name}Raw, crate::error::Error> {{\n            #[allow(unused_mut)]\n            let mut f = Fields::of(value, at, &[{}])?;\n            Ok({name}Raw {{",
        names.join(", ")
    )
    .unwrap();
    for f in &rec.fields {
        let field = rust_ident(&f.name);
        let key = snake(&f.name);
        let read = match (&f.ty, f.optional) {
            (FieldType::Record { .. }, false) => format!("f.required_record::<{}>({key:?})?", rust_type(&f.ty)),
            (FieldType::Record { .. }, true) => format!("f.optional_record::<{}>({key:?})?", rust_type(&f.ty)),
            (FieldType::List(inner), optional) if matches!(**inner, FieldType::Record { .. }) => {
                let which = if optional { "optional" } else { "required" };
                format!("f.{which}_records::<{}>({key:?})?", rust_type(inner))
            }
            (_, false) => format!("f.required({key:?})?"),
            (_, true) => format!("f.optional({key:?})?"),
        };
        writeln!(s, "                {field}: {read},").unwrap();
    }
    writeln!(s, "            }})\n        }}").unwrap();

    writeln!(
        s,
        "        fn resolve_at(r: {name}Raw, at: &str) -> Result<{name}, crate::error::Error> {{\n            let _ = at;\n            Ok({name} {{"
    )
    .unwrap();
    for f in &rec.fields {
        let field = rust_ident(&f.name);
        writeln!(s, "                {field}: {},", resolve_expr(model, f, &field, &snake(&f.name))).unwrap();
    }
    writeln!(s, "            }})\n        }}").unwrap();

    writeln!(s, "        fn secrets(&self) -> Vec<String> {{\n            #[allow(unused_mut)]\n            let mut v = Vec::new();").unwrap();
    for f in &rec.fields {
        let field = rust_ident(&f.name);
        let plain = f.optional && f.default.is_none();
        if f.secret {
            match (&f.ty, plain) {
                (FieldType::String, true) => writeln!(s, "            v.extend(self.{field}.clone());").unwrap(),
                (FieldType::String, false) => writeln!(s, "            v.push(self.{field}.clone());").unwrap(),
                (ty, _) => panic!("{}: only text fields can be `Secret.` (got {ty:?})", f.name),
            }
        }
        match (&f.ty, plain) {
            (FieldType::Record { .. }, true) => {
                writeln!(s, "            v.extend(self.{field}.iter().flat_map(InputRecord::secrets));").unwrap()
            }
            (FieldType::Record { .. }, false) => writeln!(s, "            v.extend(self.{field}.secrets());").unwrap(),
            (FieldType::List(inner), true) if matches!(**inner, FieldType::Record { .. }) => {
                writeln!(s, "            v.extend(self.{field}.iter().flatten().flat_map(InputRecord::secrets));")
                    .unwrap()
            }
            (FieldType::List(inner), false) if matches!(**inner, FieldType::Record { .. }) => {
                writeln!(s, "            v.extend(self.{field}.iter().flat_map(InputRecord::secrets));").unwrap()
            }
            _ => {}
        }
    }
    writeln!(s, "            v\n        }}\n    }}\n").unwrap();

    if top {
        writeln!(s, "    impl Input for {name} {{}}\n").unwrap();
    }
}

/// The raw form of a typed field `value` (of WIT type `ty`).
fn wit_to_raw(ty: &FieldType, optional: bool, value: &str) -> String {
    // A function from one typed value to its raw form, when it needs one.
    let convert = |ty: &FieldType| -> Option<String> {
        match ty {
            FieldType::Json => Some("serde_json::Value::String".into()),
            FieldType::Enum { .. } => Some("crate::input::closed_text".into()),
            FieldType::Record { .. } => Some(format!("<{} as InputRecord>::raw_from_wit", rust_type(ty))),
            _ => None,
        }
    };
    let one = match ty {
        FieldType::List(inner) => convert(inner).map(|f| format!("|v| v.into_iter().map({f}).collect()")),
        other => convert(other),
    };
    match (one, optional) {
        (None, _) => value.to_string(),
        (Some(f), true) => format!("{value}.map({f})"),
        (Some(f), false) => format!("({f})({value})"),
    }
}

/// The expression that turns raw field `r.{field}` into the resolved value; errors name the
/// field by its path in the input (`at` + `key`).
fn resolve_expr(model: &Model, f: &Field, field: &str, key: &str) -> String {
    let raw = format!("r.{field}");
    let path = format!("&at_path(at, {key:?})");
    let check_num = |value: &str| -> String {
        match f.range {
            Some((min, max)) => format!("in_range({path}, {value}, {min}, {max})?"),
            None => value.to_string(),
        }
    };
    let nested = |v: &str, suffix: &str| format!("InputRecord::resolve_at({v}, &format!(\"{{at}}{key}{suffix}.\"))");
    match (&f.ty, f.optional, &f.default) {
        (FieldType::String, false, _) => format!("required_text({path}, {raw}, {})?", f.secret),
        (FieldType::String, true, None) => format!("optional_text({raw}, {})", f.secret),
        (FieldType::String, true, Some(d)) => {
            format!("optional_text({raw}, {}).unwrap_or_else(|| {})", f.secret, literal(model, &f.ty, d))
        }
        (FieldType::Enum { .. }, false, _) => format!("Closed::parse({path}, &{raw})?"),
        (FieldType::Enum { .. }, true, None) => format!("optional_closed({path}, {raw})?"),
        (FieldType::Enum { .. }, true, Some(d)) => {
            format!("optional_closed({path}, {raw})?.unwrap_or({})", literal(model, &f.ty, d))
        }
        (FieldType::Record { .. }, false, _) => format!("{}?", nested(&raw, "")),
        (FieldType::Record { .. }, true, None) => format!("{raw}.map(|v| {}).transpose()?", nested("v", "")),
        (FieldType::List(inner), optional, None) if matches!(**inner, FieldType::Record { .. }) => {
            let each = format!(
                "v.into_iter().enumerate().map(|(i, x)| InputRecord::resolve_at(x, &format!(\"{{at}}{key}[{{i}}].\"))).collect::<Result<Vec<_>, _>>()"
            );
            if optional {
                format!("{raw}.map(|v| {each}).transpose()?")
            } else {
                format!("{{ let v = {raw}; {each}? }}")
            }
        }
        (FieldType::List(inner), _, _) if matches!(**inner, FieldType::Enum { .. }) => {
            panic!("{key}: lists of enums are not supported yet")
        }
        (FieldType::Json, false, _) => format!("required_json({path}, {raw})?"),
        (FieldType::Json, true, _) if f.text_allowed => format!("json_or_text({raw})"),
        (FieldType::Json, true, _) => format!("json_value({path}, {raw})?"),
        (FieldType::U16 | FieldType::U32 | FieldType::U64 | FieldType::S64, false, _) => check_num(&raw),
        (FieldType::U16 | FieldType::U32 | FieldType::U64 | FieldType::S64, true, None) => match f.range {
            Some((min, max)) => format!("{raw}.map(|v| in_range({path}, v, {min}, {max})).transpose()?"),
            None => raw,
        },
        (ty @ (FieldType::U16 | FieldType::U32 | FieldType::U64 | FieldType::S64), true, Some(d)) => {
            check_num(&format!("{raw}.unwrap_or({})", literal(model, ty, d)))
        }
        (FieldType::Bool, true, Some(d)) => format!("{raw}.unwrap_or({})", literal(model, &f.ty, d)),
        (_, true, Some(d)) => panic!("{key}: a default ({d}) is only supported on text, enums, numbers and booleans"),
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

fn dispatch_rs(model: &Model) -> String {
    let mut ids = String::new();
    let mut arms = String::new();
    let mut checks = String::new();
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
            let check = match &a.input {
                Some(input) => format!("crate::inputs::{module}::{}::from_json(input).map(|_| ())", upper_camel(input)),
                None => "crate::input::NoInput::from_json(input).map(|_| ())".to_string(),
            };
            writeln!(checks, "        {:?} => {check},", a.id).unwrap();
            if let Output::Record { name, interface } = &a.output {
                outputs.insert(wit_record_path(interface, name), (name.clone(), interface.clone()));
            }
        }
    }
    let mut s = format!(
        "/// Every action id, in WIT order.\npub const ACTION_IDS: &[&str] = &[\n{ids}];\n\n\
         /// Runs the action `action` on JSON input, through the same code as its typed export.\n\
         pub fn dispatch(action: &str, connection: {BINDINGS}::okta::connector::types::Connection, input: &str) -> Result<String, {BINDINGS}::okta::connector::types::Error> {{\n    match action {{\n{arms}        _ => Err(crate::catalog::unknown_action(action)),\n    }}\n}}\n\n\
         /// Reads `action`'s JSON input as `invoke` does, and stops there (the input checks alone).\n\
         #[cfg(test)]\npub fn check_input(action: &str, input: &str) -> Result<(), crate::error::Error> {{\n    use crate::input::Input as _;\n    match action {{\n{checks}        _ => Err(crate::error::Error::input(\"action\", \"unknown\")),\n    }}\n}}\n\n"
    );
    for (path, (name, _)) in outputs {
        let rec = model.record(&name);
        writeln!(s, "impl crate::glue::InvokeOutput for {path} {{\n    fn into_json(self) -> String {{").unwrap();
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
        writeln!(s, "        crate::glue::object(&[{}])\n    }}\n}}\n", parts.join(", ")).unwrap();
    }
    s
}

fn listings_rs(model: &Model) -> String {
    let mut ids = String::new();
    let mut arms = String::new();
    for area in &model.areas {
        let module = snake(&area.name);
        for a in area.actions.iter().filter(|a| model.is_listing(a)) {
            let input = a.input.as_deref().unwrap_or_else(|| panic!("{}: a list action takes an input", a.id));
            writeln!(ids, "    {:?},", a.id).unwrap();
            writeln!(
                arms,
                "        {:?} => open::<crate::inputs::{module}::{}, _>(connection, input, crate::actions::{module}::{}),",
                a.id,
                upper_camel(input),
                rust_ident(&a.name)
            )
            .unwrap();
        }
    }
    format!(
        "/// Every list action, in WIT order: the ids `listings.open` takes.\npub const LISTING_IDS: &[&str] = &[\n{ids}];\n\n\
         /// Opens a listing of the list action `action` on its JSON input.\n\
         pub fn open_listing(action: &str, connection: {BINDINGS}::okta::connector::types::Connection, input: &str) -> Result<Listing, crate::error::Error> {{\n    match action {{\n{arms}        _ => Err(not_a_listing(action)),\n    }}\n}}\n"
    )
}

fn catalog_json(model: &Model) -> serde_json::Value {
    let mut actions = Vec::new();
    for area in &model.areas {
        for a in &area.actions {
            let (schema, defaults) = match &a.input {
                Some(input) => {
                    let rec = area.input(input);
                    (rec.schema(model), rec.defaults())
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
                "output_schema": output_schema(&a.output, model),
                "hints": a.hints.map(|h| json!({
                    "read_only": h.read_only,
                    "destructive": h.destructive,
                    "idempotent": h.idempotent,
                })),
                "scopes": a.scopes,
                "listing": model.is_listing(a),
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
                "input_schema": c.schema(model),
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
                "details": t.details,
                "emits": t.emits,
                "scopes": t.scopes,
                "defaults": t.input.as_ref().map(Record::defaults).unwrap_or_default(),
                "input_schema": t.input.as_ref().map(|i| i.schema(model)).unwrap_or(empty),
            })
        })
        .collect();
    let errors: Vec<_> = model.errors.iter().map(|e| json!({ "kind": e.kind, "comment": e.comment })).collect();
    let environment: Vec<_> =
        model.environment.iter().map(|v| json!({"name": v.name, "default": v.default, "comment": v.comment})).collect();
    json!({
        "package": model.package,
        "connections": connections,
        "triggers": triggers,
        "actions": actions,
        "errors": errors,
        "environment": environment,
        "hosts": model.hosts,
    })
}

/// The JSON Schema of a result through `invoke` where its shape is fixed: a record's, or an
/// empty object for an action without a result. `null` for Okta's own JSON, whose shape is
/// Okta's (and grows over time).
fn output_schema(output: &Output, model: &Model) -> serde_json::Value {
    match output {
        Output::Json => serde_json::Value::Null,
        Output::Unit => json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false}),
        Output::Record { name, .. } => model.record(name).output_schema(model),
    }
}
