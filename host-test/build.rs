//! Two things the host needs from the rest of the workspace, at build time.
//!
//! **The typed call table**, generated from the WIT package (`../wit`), so a new action needs
//! no host code: one accessor per area (`instance.users().create(..)`), a `Call` enum with
//! every action and its typed input, `Call::from_json` (the same snake_case JSON `invoke`
//! takes), `Instance::call` (the typed export, its result as `invoke` would give it), and the
//! JSON form of every output record.
//!
//! **The release component** that the `okta-connector` binary embeds (`include_bytes!`), so
//! a binary copied or installed anywhere (`cargo install --path host-test`) needs no checkout.
//! Where it comes from, first found:
//! 1. `OKTA_CONNECTOR_WASM` at build time: a component built elsewhere;
//! 2. `<target>/wasm32-wasip2/release/okta_connector.wasm`, what `make build` writes (`<target>`
//!    is `CARGO_TARGET_DIR`, else the workspace's `target/`); `cargo install --path` uses the
//!    same target directory, so an install after `make build` embeds that file;
//! 3. otherwise it is built here: `cargo build --release --target wasm32-wasip2 -p
//!    okta-connector` into a target directory under `OUT_DIR` (the workspace's own is locked by
//!    the build running this script). That needs the `wasm32-wasip2` target, which
//!    `rust-toolchain.toml` installs; without it the build stops with what to do.
//!
//! The file's path reaches the code as `OKTA_CONNECTOR_COMPONENT`. Rebuilding the component
//! (`make build`) re-runs this script, so the binary always carries the last build.

#[path = "../build/wit_model.rs"]
mod wit_model;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use wit_model::*;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    generate_calls();
    embed_component();
}

const B: &str = "crate::harness::bindings";

fn generate_calls() {
    println!("cargo:rerun-if-changed=../wit");
    println!("cargo:rerun-if-changed=../build/wit_model.rs");
    let dir = Path::new("../wit");
    let model = Model::load(dir);
    let records = record_lookup(dir);
    let out = std::env::var("OUT_DIR").unwrap();
    std::fs::write(Path::new(&out).join("calls.rs"), calls_rs(&model, &records)).unwrap();
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

fn calls_rs(model: &Model, records: &dyn Fn(&str) -> Option<Record>) -> String {
    let mut s = String::new();
    let mut variants = String::new();
    let mut action_arms = String::new();
    let mut json_arms = String::new();
    let mut call_arms = String::new();
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
                    writeln!(
                        json_arms,
                        "            {:?} => Call::{variant}(de(action, input, &[{}], &[{}])?),",
                        a.id,
                        json_fields.join(", "),
                        renames.join(", ")
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
                    writeln!(action_arms, "            Call::{variant} => {:?},", a.id).unwrap();
                    writeln!(
                        json_arms,
                        "            {:?} => {{ de::<NoInput>(action, input, &[], &[])?; Call::{variant} }}",
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

    for (path, name) in outputs {
        let rec = records(&name).expect("output record");
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

const COMPONENT: &str = "okta_connector.wasm";

fn embed_component() {
    println!("cargo:rerun-if-env-changed=OKTA_CONNECTOR_WASM");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest.parent().expect("host-test lives in the workspace").to_path_buf();

    let component = match std::env::var_os("OKTA_CONNECTOR_WASM").filter(|p| !p.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            if !path.is_file() {
                fail(&format!("OKTA_CONNECTOR_WASM is set to {}, which is not a file", path.display()));
            }
            path
        }
        None => {
            let target =
                std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace.join("target"));
            let built = target.join("wasm32-wasip2/release").join(COMPONENT);
            if built.is_file() {
                built
            } else {
                build_component(&workspace)
            }
        }
    };
    println!("cargo:rerun-if-changed={}", component.display());
    println!("cargo:rustc-env=OKTA_CONNECTOR_COMPONENT={}", component.display());
}

/// Builds the guest into `OUT_DIR/component-target` and gives the component's path. Re-runs
/// when the guest's sources change (the file it builds is not watched: it does not exist
/// until built, and a missing watched file would re-run this script on every build).
fn build_component(workspace: &Path) -> PathBuf {
    for watched in ["src", "wit", "build.rs", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("component-target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!(
        "cargo:warning=no {COMPONENT} at target/wasm32-wasip2/release (make build writes it): building it for \
         the okta-connector binary"
    );
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--release", "--target", "wasm32-wasip2", "-p", "okta-connector", "--target-dir"])
        .arg(&out)
        // The host's flags (this script's build) are not the guest's.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .status();
    let built = out.join("wasm32-wasip2/release").join(COMPONENT);
    match status {
        Ok(s) if s.success() && built.is_file() => built,
        Ok(s) => fail(&format!("building the component failed ({s})")),
        Err(e) => fail(&format!("cannot run cargo to build the component: {e}")),
    }
}

fn fail(why: &str) -> ! {
    panic!(
        "\n\nokta-host embeds the connector component in the okta-connector binary, and {why}.\n\
         Build it first at the repository root: `make build` (that is `cargo build --release --target \
         wasm32-wasip2`; `rustup target add wasm32-wasip2` if the target is missing), or set \
         OKTA_CONNECTOR_WASM to a built okta_connector.wasm.\n\n"
    );
}
