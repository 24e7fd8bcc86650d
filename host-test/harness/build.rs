//! Generates the typed call table from the WIT package (`../../wit`), so a new action needs
//! no host code: one accessor per area (`instance.users().create(..)`), a `Call` enum with
//! every action and its typed input, `Call::from_json` (the same snake_case JSON `invoke`
//! takes), `Instance::call` (the typed export, its result as `invoke` would give it), and the
//! JSON form of every output record.
//!
//! It also records the hash of the guest's sources in this tree (`okta_wit_model::source_hash`),
//! so that the harness can refuse a component built from other sources (see
//! `Connector::load_default`).

use okta_wit_model::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    generate_calls();
    record_source_hash();
}

fn record_source_hash() {
    let root = Path::new("../..");
    for watched in SOURCE_PATHS {
        println!("cargo:rerun-if-changed=../../{watched}");
    }
    let hash = source_hash(root).expect("the guest's sources are readable");
    println!("cargo:rustc-env=OKTA_CONNECTOR_SOURCE_HASH={hash}");
}

const B: &str = "crate::bindings";

fn generate_calls() {
    println!("cargo:rerun-if-changed=../../wit");
    let dir = Path::new("../../wit");
    let model = Model::load(dir);
    let out = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&out).join("calls.rs"), calls_rs(&model)).unwrap();
}

fn record_path(interface: &str, name: &str) -> String {
    if interface == "types" {
        format!("{B}::okta::connector::types::{}", upper_camel(name))
    } else {
        format!("{B}::exports::okta::connector::{}::{}", snake(interface), upper_camel(name))
    }
}

fn output_type(a: &Action) -> String {
    match &a.output {
        Output::Json => "String".into(),
        Output::Unit => "()".into(),
        Output::Record { name, interface } => record_path(interface, name),
    }
}

/// Where `invoke`'s JSON spells a closed-set value as Okta does and the typed record wants the
/// case (`"asc"` → `"Asc"`): `("path", [(value, case)])`, the path's segments joined by `.`
/// with `[]` for each element of a list.
fn enum_paths(model: &Model, record: &Record, at: &str, out: &mut Vec<String>) {
    for f in &record.fields {
        let path = format!("{at}{}", snake(&f.name));
        match &f.ty {
            FieldType::Enum { name, .. } => {
                let cases: Vec<String> = model
                    .closed_set(name)
                    .cases
                    .iter()
                    .map(|c| format!("({:?}, {:?})", c.value, upper_camel(&c.name)))
                    .collect();
                out.push(format!("({path:?}, &[{}])", cases.join(", ")));
            }
            FieldType::Record { name, .. } => enum_paths(model, model.record(name), &format!("{path}."), out),
            FieldType::List(inner) => {
                if let FieldType::Record { name, .. } = &**inner {
                    enum_paths(model, model.record(name), &format!("{path}[]."), out)
                }
            }
            _ => {}
        }
    }
}

fn calls_rs(model: &Model) -> String {
    let mut s = String::new();
    let mut variants = String::new();
    let mut action_arms = String::new();
    let mut json_arms = String::new();
    let mut call_arms = String::new();
    let mut action_variants = String::new();
    let mut action_ids = String::new();
    let mut outputs: BTreeMap<String, String> = BTreeMap::new();

    for area in &model.areas {
        let module = snake(&area.name);
        let accessor = format!("okta_connector_{module}");
        let wrapper = upper_camel(&area.name);
        writeln!(
            s,
            "/// The typed `{}` exports of one instance.\npub struct {wrapper}<'a>(&'a mut Instance);\n\nimpl {wrapper}<'_> {{",
            area.name
        )
        .unwrap();
        for a in &area.actions {
            let f = rust_ident(&a.name);
            let out = output_type(a);
            let variant = upper_camel(&format!("{}-{}", area.name, a.name));
            let input_ty =
                a.input.as_ref().map(|i| format!("{B}::exports::okta::connector::{module}::{}", upper_camel(i)));
            match &input_ty {
                Some(ty) => {
                    writeln!(
                        s,
                        "    /// `{id}`: {label}\n    pub async fn {f}(&mut self, connection: &Connection, input: &{ty}) -> CallResult<{out}> {{\n        let inst = &mut *self.0;\n        let r = inst.bindings.{accessor}().call_{f}(&mut inst.store, connection, input).await;\n        inst.finish({id:?}, r)\n    }}",
                        id = a.id,
                        label = a.label
                    )
                    .unwrap();
                    writeln!(variants, "    {variant}({ty}),").unwrap();
                    writeln!(action_variants, "    /// `{}`: {}\n    {variant},", a.id, a.label).unwrap();
                    writeln!(action_ids, "            Action::{variant} => {:?},", a.id).unwrap();
                    writeln!(action_arms, "            Call::{variant}(_) => {:?},", a.id).unwrap();
                    let fields = &area.input(a.input.as_deref().unwrap()).fields;
                    let json_fields: Vec<String> = fields
                        .iter()
                        .filter(|f| f.ty == FieldType::Json)
                        .map(|f| format!("{:?}", snake(&f.name)))
                        .collect();
                    // Fields whose Rust name differs from the JSON key (`type` → `type_`).
                    let renames: Vec<String> = fields
                        .iter()
                        .filter(|f| rust_ident(&f.name) != snake(&f.name))
                        .map(|f| format!("({:?}, {:?})", snake(&f.name), rust_ident(&f.name)))
                        .collect();
                    let mut enums = Vec::new();
                    enum_paths(model, area.input(a.input.as_deref().unwrap()), "", &mut enums);
                    writeln!(
                        json_arms,
                        "            {:?} => Call::{variant}(de(action, input, &[{}], &[{}], &[{}])?),",
                        a.id,
                        json_fields.join(", "),
                        renames.join(", "),
                        enums.join(", ")
                    )
                    .unwrap();
                    writeln!(
                        call_arms,
                        "            Call::{variant}(i) => self.{module}().{f}(connection, i).await?.map(OutputJson::output_json),"
                    )
                    .unwrap();
                }
                None => {
                    writeln!(
                        s,
                        "    /// `{id}`: {label}\n    pub async fn {f}(&mut self, connection: &Connection) -> CallResult<{out}> {{\n        let inst = &mut *self.0;\n        let r = inst.bindings.{accessor}().call_{f}(&mut inst.store, connection).await;\n        inst.finish({id:?}, r)\n    }}",
                        id = a.id,
                        label = a.label
                    )
                    .unwrap();
                    writeln!(variants, "    {variant},").unwrap();
                    writeln!(action_variants, "    /// `{}`: {}\n    {variant},", a.id, a.label).unwrap();
                    writeln!(action_ids, "            Action::{variant} => {:?},", a.id).unwrap();
                    writeln!(action_arms, "            Call::{variant} => {:?},", a.id).unwrap();
                    writeln!(
                        json_arms,
                        "            {:?} => {{ de::<NoInput>(action, input, &[], &[], &[])?; Call::{variant} }}",
                        a.id
                    )
                    .unwrap();
                    writeln!(
                        call_arms,
                        "            Call::{variant} => self.{module}().{f}(connection).await?.map(OutputJson::output_json),"
                    )
                    .unwrap();
                }
            }
            if let Output::Record { name, interface } = &a.output {
                outputs.insert(record_path(interface, name), name.clone());
            }
        }
        writeln!(s, "}}\n").unwrap();
        writeln!(
            s,
            "impl Instance {{\n    /// The typed `{}` exports.\n    pub fn {module}(&mut self) -> {wrapper}<'_> {{\n        {wrapper}(self)\n    }}\n}}\n",
            area.name
        )
        .unwrap();
    }

    write!(
        s,
        "/// One typed call of any action, so a test can run the same input through the typed export\n\
         /// and through `invoke` and compare.\n#[derive(Clone, Debug)]\npub enum Call {{\n{variants}}}\n\n\
         impl Call {{\n    /// The catalog's action id (`users.reset-password`).\n    pub fn action(&self) -> &'static str {{\n        match self {{\n{action_arms}        }}\n    }}\n\n\
         \x20   /// The typed call for `action` with its input as `invoke` takes it (snake_case keys;\n\
         \x20   /// missing optional fields are `None`; `json` fields as JSON values or JSON text).\n\
         \x20   pub fn from_json(action: &str, input: &Value) -> Result<Call> {{\n        Ok(match action {{\n{json_arms}            other => bail!(\"no typed export for `{{other}}`\"),\n        }})\n    }}\n}}\n\n\
         impl Instance {{\n    /// Runs `call` through its typed export and gives its result as `invoke` would: the JSON,\n\
         \x20   /// `{{\"items\": [...], ...}}` for a record, `{{}}` for no result.\n\
         \x20   pub async fn call(&mut self, connection: &Connection, call: &Call) -> CallResult<Value> {{\n        let text: Result<Result<Value>, WitError> = match call {{\n{call_arms}        }};\n        Ok(match text {{\n            Ok(v) => Ok(v.with_context(|| format!(\"{{}} returned text that is not JSON\", call.action()))?),\n            Err(e) => Err(e),\n        }})\n    }}\n}}\n\n"
    )
    .unwrap();

    let all: Vec<String> =
        action_ids.lines().filter_map(|l| l.trim().split(" =>").next().map(str::to_string)).collect();
    write!(
        s,
        "/// Every action of the WIT package, for checks that must name each one: a new action adds\n\
         /// a variant, and every exhaustive `match` on it stops compiling until it is handled.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Action {{\n{action_variants}}}\n\n\
         impl Action {{\n    /// Every action, in the catalog's order.\n    pub const ALL: &'static [Action] = &[{}];\n\n\
         \x20   /// The catalog's id (`users.reset-password`).\n    pub fn id(self) -> &'static str {{\n        match self {{\n{action_ids}        }}\n    }}\n}}\n\n",
        all.join(", ")
    )
    .unwrap();

    s.push_str(&model.connection_secrets_fn("connection_secrets"));

    for (path, name) in outputs {
        let rec = model.record(&name);
        let mut fields = String::new();
        for f in &rec.fields {
            let field = rust_ident(&f.name);
            let value = match (&f.ty, f.optional) {
                (FieldType::Json, false) => format!("serde_json::from_str::<Value>(&self.{field})?"),
                (FieldType::Json, true) => {
                    format!("self.{field}.as_deref().map(serde_json::from_str::<Value>).transpose()?.unwrap_or(Value::Null)")
                }
                _ => format!("serde_json::to_value(self.{field})?"),
            };
            writeln!(fields, "            {:?}: {value},", snake(&f.name)).unwrap();
        }
        writeln!(
            s,
            "impl OutputJson for {path} {{\n    fn output_json(self) -> Result<Value> {{\n        Ok(serde_json::json!({{\n{fields}        }}))\n    }}\n}}\n"
        )
        .unwrap();
    }
    s
}
