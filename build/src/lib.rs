//! The WIT package read once into a plain model, for the build scripts that generate code
//! from it: the guest's (`build.rs`: input types with defaults, export delegations, the
//! `invoke` table, the catalog) and the harness's (`host-test/harness/build.rs`: the typed
//! call table). Also the hash of the guest's sources ([`source`]), which the guest embeds in
//! the component so that hosts built from this tree can refuse a stale one.
//!
//! Doc-comment conventions read here (they are also what a reader of the WIT sees):
//! - a function's docs: first paragraph is the label, second the comment, the rest details;
//!   a trigger's details hold ``Id: `system-log.new`.`` and ``Emits: what.``;
//! - a field's or case's docs: `Label: comment`, followed by optional markers, each a sentence
//!   of its own at the end: ``Range: `min-max`.`` or ``Minimum: `min`.`` (numbers),
//!   ``Default: `value`.``, `Secret.` (never echoed, logged or shown unmasked) and, on a
//!   `json` field, `Text allowed.` (text that is not JSON is kept as a string instead of
//!   being refused);
//! - a closed set of values is a WIT `enum`, never a string with a list in its docs: each
//!   case's docs are `Label: comment`, with ``Sent as `VALUE`.`` when Okta spells the value
//!   otherwise than the case name (`access-policy` is sent as `ACCESS_POLICY`). The value Okta
//!   spells is what `invoke`'s JSON takes and the catalog lists.
//! - an action's docs end with what a host can act on, in a paragraph of its own:
//!   `Hints: read-only, idempotent.` (any of `read-only`: changes nothing; `destructive`:
//!   deletes, deactivates or takes away something, a user's access or sessions included;
//!   `idempotent`: calling it again with the same input has no further effect on the org,
//!   whatever it answers (a second Delete User finds nothing: safe to retry);
//!   `none` when none applies; `unknown` when it depends on the input) and
//!   ``Scopes: `okta.users.read`.`` (the OAuth scopes its requests need, as Okta's API spec
//!   lists them per operation; a sentence without scopes when it depends on the input); a
//!   trigger's docs end with its `Scopes:`;
//! - the world's docs list ``Outbound hosts: `*.okta.com`, ....`` and the environment the
//!   component reads, one ``- `NAME`: comment. Default: `value`.`` line per variable.

pub mod source;

pub use source::{embedded_source_hash, source_hash, SOURCE_PATHS, SOURCE_SECTION};

use serde_json::{json, Map, Value};
use std::path::Path;
use wit_parser::{Docs, Function, Resolve, Results, Type, TypeDefKind, TypeId, WorldItem, WorldKey};

/// Everything the generators need.
pub struct Model {
    /// `okta:connector@0.1.0`
    pub package: String,
    /// Exported interfaces with actions, in world order (not `catalog`, not `triggers`).
    pub areas: Vec<Area>,
    /// The `connection` variant's cases.
    pub connections: Vec<Record>,
    /// The triggers, when a `triggers` interface declares them.
    pub triggers: Vec<Trigger>,
    /// The triggers' input records (generated like action inputs, in module `triggers`).
    pub trigger_inputs: Vec<Record>,
    /// Every record of the package, by name (nested input types, outputs).
    pub records: Vec<Record>,
    /// Every enum of the package: the closed sets inputs take.
    pub closed_sets: Vec<ClosedSet>,
    /// Host patterns requests may go to besides the connection's custom domain (`*.okta.com`).
    pub hosts: Vec<String>,
    /// The environment variables the component reads.
    pub environment: Vec<EnvVar>,
    /// Every kind of error (the `error` variant's cases, Okta's answers by kind): when each
    /// happens and what helps.
    pub errors: Vec<ErrorCase>,
}

/// A variable of the component's environment (`wasi:cli/environment`), a whole number.
pub struct EnvVar {
    /// `OKTA_CONNECT_TIMEOUT_MS`
    pub name: String,
    pub comment: String,
    pub default: u64,
}

/// What an action does to the org (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
}

/// A kind of error: a case of the `error` variant, or a `kind` of Okta's error answers.
pub struct ErrorCase {
    /// `invalid-input`, `not-found`
    pub kind: String,
    /// Its docs: when it happens, whether a retry can help.
    pub comment: String,
}

/// One exported interface: an Okta area.
pub struct Area {
    /// `users`, `event-hooks`
    pub name: String,
    pub actions: Vec<Action>,
    /// Input records used by this area's actions, in first-use order.
    pub inputs: Vec<Record>,
}

pub struct Action {
    /// `users.reset-password`
    pub id: String,
    /// `reset-password`
    pub name: String,
    pub label: String,
    pub comment: String,
    pub details: String,
    /// The input record's WIT name (`reset-password-input`), when the action takes one.
    pub input: Option<String>,
    pub output: Output,
    /// `None` when it depends on the input (`Hints: unknown.`).
    pub hints: Option<Hints>,
    /// `None` when it depends on the input.
    pub scopes: Option<Vec<String>>,
}

/// What an action returns on success.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// `json`: Okta's JSON as text.
    Json,
    /// `_`: nothing.
    Unit,
    /// A record (`page`) and the interface it lives in (`types`, or the area's own).
    Record { name: String, interface: String },
}

/// A trigger: a function of the `triggers` interface whose docs say `Id: `...`.`.
pub struct Trigger {
    /// `system-log.new`
    pub id: String,
    pub label: String,
    pub comment: String,
    /// `polling` (a `poll-*` function) or `webhook`.
    pub kind: String,
    /// How it works (the function's docs after the comment, markers removed).
    pub details: String,
    /// What each item it emits is (`Emits:`).
    pub emits: String,
    pub input: Option<Record>,
    pub scopes: Vec<String>,
}

/// A WIT `enum`: a closed set of values.
#[derive(Clone, Debug)]
pub struct ClosedSet {
    /// kebab-case WIT name (`sort-order`)
    pub name: String,
    /// The interface it lives in.
    pub interface: String,
    pub docs: String,
    pub cases: Vec<Case>,
}

/// One value of a closed set.
#[derive(Clone, Debug)]
pub struct Case {
    /// kebab-case WIT name (`access-policy`)
    pub name: String,
    pub label: String,
    pub comment: String,
    /// What Okta is sent, and `invoke`'s JSON takes (`ACCESS_POLICY`).
    pub value: String,
}

/// A WIT record with its documented fields.
#[derive(Clone)]
pub struct Record {
    /// kebab-case WIT name
    pub name: String,
    /// For connection cases: the case name (`api-token`).
    pub case: Option<String>,
    pub label: String,
    pub comment: String,
    pub docs: String,
    pub fields: Vec<Field>,
}

#[derive(Clone)]
pub struct Field {
    /// kebab-case WIT name
    pub name: String,
    pub label: String,
    pub comment: String,
    pub ty: FieldType,
    pub optional: bool,
    pub default: Option<Value>,
    /// `Range:` or `Minimum:` (then the maximum is the type's).
    pub range: Option<(u64, u64)>,
    pub secret: bool,
    /// A `json` field that also takes plain text (`Text allowed.`).
    pub text_allowed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    String,
    Bool,
    U8,
    U16,
    U32,
    U64,
    S64,
    /// The `json` alias.
    Json,
    List(Box<FieldType>),
    /// A record by its kebab-case name, with the interface it lives in.
    Record {
        name: String,
        interface: String,
    },
    /// An enum (a closed set) by its kebab-case name, with the interface it lives in.
    Enum {
        name: String,
        interface: String,
    },
}

impl FieldType {
    /// The largest value of a number type.
    fn max(&self) -> u64 {
        match self {
            FieldType::U8 => u64::from(u8::MAX),
            FieldType::U16 => u64::from(u16::MAX),
            FieldType::U32 => u64::from(u32::MAX),
            FieldType::S64 => i64::MAX as u64,
            _ => u64::MAX,
        }
    }
}

impl Model {
    pub fn load(dir: &Path) -> Model {
        let mut resolve = Resolve::default();
        let (pkg, _) = resolve.push_dir(dir).expect("wit/ parses");
        let world = resolve.select_world(pkg, Some("connector")).expect("world `connector`");
        let package = resolve.packages[pkg].name.to_string();
        let mut areas = Vec::new();
        let mut triggers = Vec::new();
        let mut trigger_inputs: Vec<Record> = Vec::new();
        for (key, item) in &resolve.worlds[world].exports {
            let (WorldKey::Interface(iface_id), WorldItem::Interface { .. }) = (key, item) else { continue };
            let iface = &resolve.interfaces[*iface_id];
            let name = iface.name.clone().expect("named interface");
            // Hand-written: the generic door, listings, and the connections' own calls.
            if name == "catalog" || name == "listings" || name == "connections" {
                continue;
            }
            if name == "triggers" {
                (triggers, trigger_inputs) = read_triggers(&resolve, *iface_id);
                continue;
            }
            let mut actions = Vec::new();
            let mut inputs: Vec<Record> = Vec::new();
            for (func_name, func) in &iface.functions {
                let (label, comment, mut details) = split_function_docs(&func.docs);
                let id = format!("{name}.{func_name}");
                let hints = take_sentence(&mut details, "Hints: ")
                    .unwrap_or_else(|| panic!("{id}: its docs need a `Hints:` sentence"));
                let hints = parse_hints(&id, &hints);
                let scopes = take_sentence(&mut details, "Scopes: ")
                    .unwrap_or_else(|| panic!("{id}: its docs need a `Scopes:` sentence"));
                let scopes = code_spans(&scopes);
                let input = input_type(func).map(|ty| {
                    let rec = read_record(&resolve, ty, None);
                    let name = rec.name.clone();
                    if !inputs.iter().any(|r| r.name == name) {
                        inputs.push(rec);
                    }
                    name
                });
                actions.push(Action {
                    id,
                    name: func_name.clone(),
                    label,
                    comment,
                    details,
                    input,
                    output: output_of(&resolve, func),
                    hints,
                    scopes,
                });
            }
            areas.push(Area { name, actions, inputs });
        }
        let connections = connection_kinds(&resolve);
        let mut records = Vec::new();
        let mut closed_sets = Vec::new();
        for (id, def) in resolve.types.iter() {
            match (&def.kind, &def.name) {
                (TypeDefKind::Record(_), Some(_)) => records.push(read_record(&resolve, id, None)),
                (TypeDefKind::Enum(_), Some(_)) => closed_sets.push(read_closed_set(&resolve, id)),
                _ => {}
            }
        }
        let world_docs = resolve.worlds[world].docs.contents.clone().unwrap_or_default();
        let (hosts, environment) = read_world_docs(&world_docs);
        let errors = error_cases(&resolve);
        Model {
            package,
            areas,
            connections,
            triggers,
            trigger_inputs,
            records,
            closed_sets,
            hosts,
            environment,
            errors,
        }
    }

    /// The record named `name` (kebab-case).
    pub fn record(&self, name: &str) -> &Record {
        self.records.iter().find(|r| r.name == name).unwrap_or_else(|| panic!("no record `{name}`"))
    }

    /// Whether `action` is a list action: one whose result is a page of items with the cursor
    /// of the next (`page`, `log-page`). `listings.open` streams exactly these.
    pub fn is_listing(&self, action: &Action) -> bool {
        let Output::Record { name, .. } = &action.output else { return false };
        let fields = &self.record(name).fields;
        ["items", "next-cursor"].iter().all(|f| fields.iter().any(|field| field.name == *f))
    }

    /// The closed set named `name` (kebab-case).
    pub fn closed_set(&self, name: &str) -> &ClosedSet {
        self.closed_sets.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no enum `{name}`"))
    }

    /// Every record reachable from the actions' and triggers' inputs through their fields,
    /// inputs included, each once: the types an input's checks are generated for.
    pub fn input_records(&self) -> Vec<&Record> {
        let mut out: Vec<&Record> = Vec::new();
        let mut stack: Vec<&Record> =
            self.areas.iter().flat_map(|a| a.inputs.iter()).chain(self.trigger_inputs.iter()).collect();
        while let Some(rec) = stack.pop() {
            if out.iter().any(|r| r.name == rec.name) {
                continue;
            }
            out.push(rec);
            for f in &rec.fields {
                if let Some(name) = f.ty.record_name() {
                    stack.push(self.record(name));
                }
            }
        }
        out
    }

    /// A Rust function `fn {name}(connection: &Connection) -> Vec<String>` returning the values
    /// of the connection fields marked `Secret.`, trimmed, the blank ones left out: the one
    /// list of what must never be shown, generated for the guest and the harness alike.
    pub fn connection_secrets_fn(&self, name: &str) -> String {
        let mut arms = String::new();
        for c in &self.connections {
            let case = upper_camel(c.case.as_deref().expect("a connection case"));
            let mut pushes = String::new();
            for f in c.fields.iter().filter(|f| f.secret) {
                let field = rust_ident(&f.name);
                match (&f.ty, f.optional) {
                    (FieldType::String, false) => {
                        pushes.push_str(&format!("            v.push(c.{field}.as_str());\n"))
                    }
                    (FieldType::String, true) => {
                        pushes.push_str(&format!("            v.extend(c.{field}.as_deref());\n"))
                    }
                    (ty, _) => panic!("{}: only text connection fields can be `Secret.` (got {ty:?})", f.name),
                }
            }
            arms.push_str(&format!("        Connection::{case}(c) => {{\n{pushes}        }}\n"));
        }
        format!(
            "/// Every secret a connection carries (the fields its WIT record marks `Secret.`), trimmed,\n\
             /// blank ones left out.\n\
             pub fn {name}(connection: &Connection) -> Vec<String> {{\n    let mut v: Vec<&str> = Vec::new();\n    match connection {{\n{arms}    }}\n    v.into_iter().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()\n}}\n"
        )
    }

    /// The closed sets inputs use.
    pub fn input_closed_sets(&self) -> Vec<&ClosedSet> {
        let mut names: Vec<&str> =
            self.input_records().iter().flat_map(|r| r.fields.iter()).filter_map(|f| f.ty.enum_name()).collect();
        names.sort();
        names.dedup();
        names.into_iter().map(|n| self.closed_set(n)).collect()
    }
}

impl Area {
    pub fn input(&self, name: &str) -> &Record {
        self.inputs.iter().find(|r| r.name == name).expect("input record of this area")
    }
}

fn read_triggers(resolve: &Resolve, iface: wit_parser::InterfaceId) -> (Vec<Trigger>, Vec<Record>) {
    let mut triggers = Vec::new();
    let mut inputs: Vec<Record> = Vec::new();
    for (name, func) in &resolve.interfaces[iface].functions {
        if !func.docs.contents.as_deref().unwrap_or("").contains("Id: `") {
            continue;
        }
        let (label, comment, mut details) = split_function_docs(&func.docs);
        let Some(id) = take_marker(&mut details, "Id: `") else { continue };
        let emits = take_sentence(&mut details, "Emits: ")
            .unwrap_or_else(|| panic!("trigger {id}: its docs need `Emits: ...`"));
        let scopes = take_sentence(&mut details, "Scopes: ")
            .map(|s| code_spans(&s).unwrap_or_else(|| panic!("{id}: `Scopes:` names no scope")))
            .unwrap_or_else(|| panic!("trigger {id}: its docs need a `Scopes:` sentence"));
        let input = func.params.iter().find(|(n, _)| n == "input").map(|(_, ty)| match ty {
            Type::Id(id) => read_record(resolve, *id, None),
            _ => panic!("{name}: a trigger's input must be a record"),
        });
        if let Some(rec) = &input {
            if !inputs.iter().any(|r| r.name == rec.name) {
                inputs.push(rec.clone());
            }
        }
        let kind = if name.starts_with("poll-") { "polling" } else { "webhook" };
        triggers.push(Trigger { id, label, comment, kind: kind.into(), details, emits, input, scopes });
    }
    (triggers, inputs)
}

/// The world's `Outbound hosts:` and its environment lines.
fn read_world_docs(docs: &str) -> (Vec<String>, Vec<EnvVar>) {
    let mut text = docs.replace('\n', " ");
    let hosts = take_sentence(&mut text, "Outbound hosts: ")
        .and_then(|s| code_spans(&s))
        .expect("the world's docs need an `Outbound hosts:` sentence");
    let environment = docs
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- `"))
        .map(|line| {
            let (name, rest) = line.split_once("`: ").expect("- `NAME`: comment. Default: `value`.");
            let mut comment = rest.trim().to_string();
            let default = take_marker(&mut comment, "Default: `")
                .unwrap_or_else(|| panic!("{name} has no `Default:`"))
                .parse()
                .unwrap_or_else(|_| panic!("{name}: the default must be a whole number"));
            EnvVar { name: name.to_string(), comment: comment.trim_end_matches('.').to_string(), default }
        })
        .collect();
    (hosts, environment)
}

/// Removes the sentence that starts with `marker` from `text` (a period inside backticks does
/// not end it) and returns what follows the marker, without the final period.
fn take_sentence(text: &mut String, marker: &str) -> Option<String> {
    let pos = text.find(marker)?;
    let tail = &text[pos + marker.len()..];
    let mut in_code = false;
    let mut end = tail.len();
    for (i, c) in tail.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '.' if !in_code => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let value = tail[..end].trim().to_string();
    let rest = tail.get(end + 1..).unwrap_or("").trim_start().to_string();
    *text = format!("{} {rest}", text[..pos].trim_end()).trim().to_string();
    Some(value)
}

/// The `code` spans of a sentence, or `None` when it has none (a sentence in words).
fn code_spans(sentence: &str) -> Option<Vec<String>> {
    let spans: Vec<String> = sentence.split('`').skip(1).step_by(2).map(str::to_string).collect();
    (!spans.is_empty()).then_some(spans)
}

fn parse_hints(id: &str, text: &str) -> Option<Hints> {
    let mut hints = Hints::default();
    match text {
        "unknown" => return None,
        "none" => return Some(hints),
        _ => {}
    }
    for word in text.split(',').map(str::trim) {
        match word {
            "read-only" => hints.read_only = true,
            "destructive" => hints.destructive = true,
            "idempotent" => hints.idempotent = true,
            other => panic!("{id}: unknown hint `{other}` (read-only, destructive, idempotent, none, unknown)"),
        }
    }
    assert!(!(hints.read_only && hints.destructive), "{id}: read-only and destructive at once");
    Some(hints)
}

fn input_type(func: &Function) -> Option<TypeId> {
    match func.params.get(1) {
        Some((_, Type::Id(id))) => Some(*id),
        Some((name, _)) => panic!("{}: input `{name}` must be a record", func.name),
        None => None,
    }
}

fn output_of(resolve: &Resolve, func: &Function) -> Output {
    let Results::Anon(Type::Id(result)) = &func.results else { panic!("{}: must return a result", func.name) };
    let TypeDefKind::Result(r) = &resolve.types[*result].kind else { panic!("{}: must return a result", func.name) };
    match r.ok {
        None => Output::Unit,
        Some(ty) if is_json_alias(resolve, ty) => Output::Json,
        Some(Type::Id(mut id)) => {
            // Follow `use` aliases to the record's own interface.
            while let TypeDefKind::Type(Type::Id(inner)) = resolve.types[id].kind {
                id = inner;
            }
            let def = &resolve.types[id];
            let interface = match def.owner {
                wit_parser::TypeOwner::Interface(i) => resolve.interfaces[i].name.clone().expect("named"),
                _ => panic!("records must live in an interface"),
            };
            Output::Record { name: def.name.clone().expect("named record"), interface }
        }
        Some(other) => panic!("{}: unsupported result {other:?}", func.name),
    }
}

fn read_record(resolve: &Resolve, id: TypeId, case: Option<String>) -> Record {
    let def = &resolve.types[id];
    let TypeDefKind::Record(record) = &def.kind else { panic!("input type must be a record") };
    let docs = def.docs.contents.clone().unwrap_or_default();
    let first = docs.split("\n\n").next().unwrap_or("").replace('\n', " ");
    let (label, comment) = match first.split_once(": ") {
        Some((l, c)) if !l.contains(' ') || l.len() < 40 => (l.trim().to_string(), c.trim().to_string()),
        _ => (first.trim().to_string(), String::new()),
    };
    let fields = record.fields.iter().map(|f| read_field(resolve, &f.name, f.ty, &f.docs)).collect();
    Record { name: def.name.clone().expect("named record"), case, label, comment, docs, fields }
}

fn read_field(resolve: &Resolve, name: &str, ty: Type, docs: &Docs) -> Field {
    let (inner, optional) = match ty {
        Type::Id(t) => match &resolve.types[t].kind {
            TypeDefKind::Option(inner) => (*inner, true),
            _ => (ty, false),
        },
        _ => (ty, false),
    };
    let text = docs.contents.clone().unwrap_or_default().replace('\n', " ");
    let (label, rest) = text.split_once(": ").unwrap_or((text.as_str(), ""));
    let mut comment = rest.trim().to_string();
    let default = take_marker(&mut comment, "Default: `").map(|raw| serde_json::from_str(&raw).unwrap_or(json!(raw)));
    let ty = field_type(resolve, inner);
    let range = take_marker(&mut comment, "Range: `").map(|raw| {
        let (min, max) = raw.split_once('-').expect("Range: `min-max`");
        (min.parse().expect("a minimum"), max.parse().expect("a maximum"))
    });
    let range = range
        .or_else(|| take_marker(&mut comment, "Minimum: `").map(|min| (min.parse().expect("a minimum"), ty.max())));
    assert!(
        !comment.contains("One of:"),
        "{name}: a closed set of values is a WIT enum, not a string with `One of:` in its docs"
    );
    let secret = take_flag(&mut comment, "Secret.");
    let text_allowed = take_flag(&mut comment, "Text allowed.");
    Field {
        name: name.to_string(),
        label: label.trim().to_string(),
        comment,
        ty,
        optional,
        default,
        range,
        secret,
        text_allowed,
    }
}

fn read_closed_set(resolve: &Resolve, id: TypeId) -> ClosedSet {
    let def = &resolve.types[id];
    let TypeDefKind::Enum(e) = &def.kind else { panic!("not an enum") };
    let cases = e
        .cases
        .iter()
        .map(|case| {
            let text = case.docs.contents.clone().unwrap_or_default().replace('\n', " ");
            let (label, rest) = text.split_once(": ").unwrap_or((text.as_str(), ""));
            let mut comment = rest.trim().to_string();
            let value = take_marker(&mut comment, "Sent as `").unwrap_or_else(|| case.name.clone());
            ClosedSet::check_label(&case.name, label);
            Case { name: case.name.clone(), label: label.trim().to_string(), comment, value }
        })
        .collect();
    ClosedSet {
        name: def.name.clone().expect("named enum"),
        interface: owner_interface(resolve, def),
        docs: def.docs.contents.clone().unwrap_or_default(),
        cases,
    }
}

impl ClosedSet {
    fn check_label(case: &str, label: &str) {
        assert!(!label.trim().is_empty(), "enum case `{case}` needs docs: `Label: comment`");
    }

    /// The values `invoke` takes and the catalog lists, in WIT order.
    pub fn values(&self) -> Vec<&str> {
        self.cases.iter().map(|c| c.value.as_str()).collect()
    }
}

fn owner_interface(resolve: &Resolve, def: &wit_parser::TypeDef) -> String {
    match def.owner {
        wit_parser::TypeOwner::Interface(i) => resolve.interfaces[i].name.clone().expect("named"),
        _ => panic!("types must live in an interface"),
    }
}

/// Removes ``Marker `value`.`` from the end part of a comment and returns the value.
fn take_marker(comment: &mut String, marker: &str) -> Option<String> {
    let pos = comment.find(marker)?;
    let tail = &comment[pos + marker.len()..];
    let end = tail.find('`').expect("closing backtick");
    let raw = tail[..end].to_string();
    let after = tail[end + 1..].strip_prefix('.').unwrap_or(&tail[end + 1..]).to_string();
    *comment = format!("{} {}", comment[..pos].trim_end(), after.trim()).trim().to_string();
    Some(raw)
}

/// A flag sentence at the very end of the comment.
fn take_flag(comment: &mut String, flag: &str) -> bool {
    match comment.strip_suffix(flag) {
        Some(rest) if rest.is_empty() || rest.ends_with(' ') => {
            *comment = rest.trim_end().to_string();
            true
        }
        _ => false,
    }
}

fn is_json_alias(resolve: &Resolve, ty: Type) -> bool {
    matches!(ty, Type::Id(id) if resolve.types[id].name.as_deref() == Some("json"))
}

fn field_type(resolve: &Resolve, ty: Type) -> FieldType {
    match ty {
        Type::Bool => FieldType::Bool,
        Type::U8 => FieldType::U8,
        Type::U16 => FieldType::U16,
        Type::U32 => FieldType::U32,
        Type::U64 => FieldType::U64,
        Type::S64 => FieldType::S64,
        Type::String => FieldType::String,
        Type::Id(id) if is_json_alias(resolve, ty) => {
            let _ = id;
            FieldType::Json
        }
        Type::Id(id) => {
            let def = &resolve.types[id];
            match &def.kind {
                TypeDefKind::Type(inner) => field_type(resolve, *inner),
                TypeDefKind::List(inner) => FieldType::List(Box::new(field_type(resolve, *inner))),
                TypeDefKind::Record(_) => FieldType::Record {
                    name: def.name.clone().expect("named record"),
                    interface: owner_interface(resolve, def),
                },
                TypeDefKind::Enum(_) => FieldType::Enum {
                    name: def.name.clone().expect("named enum"),
                    interface: owner_interface(resolve, def),
                },
                other => panic!("unsupported WIT input type {}", other.as_str()),
            }
        }
        other => panic!("unsupported WIT input type {other:?}"),
    }
}

fn connection_kinds(resolve: &Resolve) -> Vec<Record> {
    let (_, def) =
        resolve.types.iter().find(|(_, t)| t.name.as_deref() == Some("connection")).expect("a `connection` variant");
    let TypeDefKind::Variant(variant) = &def.kind else { panic!("`connection` must be a variant") };
    variant
        .cases
        .iter()
        .map(|case| {
            let text = case.docs.contents.clone().unwrap_or_default().replace('\n', " ");
            let (label, comment) = text.split_once(": ").unwrap_or((text.as_str(), ""));
            let Some(Type::Id(record)) = case.ty else { panic!("connection case needs a record") };
            let mut rec = read_record(resolve, record, Some(case.name.clone()));
            rec.label = label.trim().to_string();
            rec.comment = comment.trim().to_string();
            rec
        })
        .collect()
}

/// The `error` variant's cases, a case whose payload has a `kind` (Okta's answers) as one
/// entry per kind: what a host shows as the error's kind is what the catalog explains.
fn error_cases(resolve: &Resolve) -> Vec<ErrorCase> {
    let (_, def) = resolve.types.iter().find(|(_, t)| t.name.as_deref() == Some("error")).expect("an `error` variant");
    let TypeDefKind::Variant(variant) = &def.kind else { panic!("`error` must be a variant") };
    let kinds_of = |payload: &Option<Type>| {
        let Some(Type::Id(id)) = payload else { return None };
        let TypeDefKind::Record(record) = &resolve.types[*id].kind else { return None };
        let kind = record.fields.iter().find(|f| f.name == "kind")?;
        let Type::Id(kind) = kind.ty else { return None };
        matches!(resolve.types[kind].kind, TypeDefKind::Enum(_)).then(|| read_closed_set(resolve, kind))
    };
    let mut errors = Vec::new();
    for case in &variant.cases {
        match kinds_of(&case.ty) {
            Some(kinds) => {
                errors.extend(kinds.cases.into_iter().map(|k| ErrorCase { kind: k.name, comment: k.comment }))
            }
            None => errors.push(ErrorCase {
                kind: case.name.clone(),
                comment: case.docs.contents.clone().unwrap_or_default().replace('\n', " ").trim().to_string(),
            }),
        }
    }
    errors
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

// ---- JSON Schema ------------------------------------------------------------------------------

impl Record {
    /// The JSON Schema of this record as `invoke` takes it (snake_case keys).
    pub fn schema(&self, model: &Model) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for f in &self.fields {
            let mut schema = f.ty.schema(model);
            let obj = schema.as_object_mut().unwrap();
            if let Some((min, max)) = f.range {
                obj.insert("minimum".into(), json!(min));
                if max < f.ty.max() {
                    obj.insert("maximum".into(), json!(max));
                } else if f.ty == FieldType::U64 {
                    obj.remove("maximum");
                }
            }
            obj.insert("title".into(), json!(f.label));
            obj.insert("description".into(), json!(f.comment));
            if let Some(d) = &f.default {
                obj.insert("default".into(), d.clone());
            }
            if f.secret {
                obj.insert("writeOnly".into(), json!(true));
                obj.insert("format".into(), json!("password"));
            }
            if !f.optional {
                required.push(json!(snake(&f.name)));
            }
            properties.insert(snake(&f.name), schema);
        }
        json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
    }

    /// The JSON Schema of this record as `invoke` returns it: every field present (snake_case),
    /// optional ones `null` when absent, `json` fields as the JSON they hold.
    pub fn output_schema(&self, model: &Model) -> Value {
        let mut properties = Map::new();
        for f in &self.fields {
            let mut schema = f.ty.schema(model);
            let obj = schema.as_object_mut().unwrap();
            if f.optional {
                if let Some(ty) = obj.get("type").cloned() {
                    obj.insert("type".into(), json!([ty, "null"]));
                }
            }
            let description = match f.comment.as_str() {
                "" => f.label.clone(),
                comment => format!("{}: {comment}", f.label),
            };
            obj.insert("description".into(), json!(description));
            properties.insert(snake(&f.name), schema);
        }
        let required: Vec<Value> = self.fields.iter().map(|f| json!(snake(&f.name))).collect();
        json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
    }

    pub fn defaults(&self) -> Map<String, Value> {
        self.fields.iter().filter_map(|f| f.default.clone().map(|d| (snake(&f.name), d))).collect()
    }
}

impl FieldType {
    pub fn schema(&self, model: &Model) -> Value {
        match self {
            FieldType::Bool => json!({"type": "boolean"}),
            FieldType::U8 | FieldType::U16 | FieldType::U32 => {
                json!({"type": "integer", "minimum": 0, "maximum": self.max()})
            }
            FieldType::U64 => json!({"type": "integer", "minimum": 0}),
            FieldType::S64 => json!({"type": "integer"}),
            FieldType::String => json!({"type": "string"}),
            FieldType::Json => json!({}),
            FieldType::List(inner) => json!({"type": "array", "items": inner.schema(model)}),
            FieldType::Record { name, .. } => model.record(name).schema(model),
            FieldType::Enum { name, .. } => json!({"type": "string", "enum": model.closed_set(name).values()}),
        }
    }

    /// The record's name, for a record or a list of records.
    pub fn record_name(&self) -> Option<&str> {
        match self {
            FieldType::Record { name, .. } => Some(name),
            FieldType::List(inner) => inner.record_name(),
            _ => None,
        }
    }

    /// The enum's name, for an enum or a list of enums.
    pub fn enum_name(&self) -> Option<&str> {
        match self {
            FieldType::Enum { name, .. } => Some(name),
            FieldType::List(inner) => inner.enum_name(),
            _ => None,
        }
    }
}

pub fn snake(kebab: &str) -> String {
    kebab.replace('-', "_")
}

pub fn upper_camel(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// A Rust identifier for a kebab-case WIT name (`list` → `list`, `type` → `type_`).
pub fn rust_ident(kebab: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
        "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
        "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super",
        "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ];
    let s = snake(kebab);
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_come_out_whole_with_periods_inside_code() {
        let mut details =
            "`DELETE /x`. Gone.\n\nHints: destructive, idempotent. Scopes: `okta.users.manage`.".to_string();
        assert_eq!(take_sentence(&mut details, "Hints: ").as_deref(), Some("destructive, idempotent"));
        assert_eq!(take_sentence(&mut details, "Scopes: ").as_deref(), Some("`okta.users.manage`"));
        assert_eq!(details, "`DELETE /x`. Gone.");
        assert_eq!(take_sentence(&mut details, "Hints: "), None);
    }

    #[test]
    fn hints_and_scopes_read_as_declared() {
        let h = parse_hints("a", "read-only, idempotent").unwrap();
        assert!(h.read_only && h.idempotent && !h.destructive);
        assert_eq!(parse_hints("a", "none"), Some(Hints::default()));
        assert_eq!(parse_hints("a", "unknown"), None);
        assert_eq!(code_spans("`a.b`, `c`"), Some(vec!["a.b".to_string(), "c".to_string()]));
        assert_eq!(code_spans("those of the path requested"), None);
    }

    #[test]
    #[should_panic(expected = "unknown hint `safe`")]
    fn an_unknown_hint_is_refused() {
        parse_hints("users.get", "read-only, safe");
    }

    #[test]
    #[should_panic(expected = "read-only and destructive at once")]
    fn read_only_and_destructive_contradict() {
        parse_hints("users.get", "read-only, destructive");
    }

    #[test]
    fn the_world_docs_give_hosts_and_environment() {
        let docs = "The connector.\n\nOutbound hosts: `*.okta.com`,\n`*.okta.mil`, and the custom domain.\n\n\
                    Environment:\n- `A_MS`: a wait, per attempt. Default: `10000`.\n- `B_BYTES`: a body. Default: `16`.";
        let (hosts, env) = read_world_docs(docs);
        assert_eq!(hosts, ["*.okta.com", "*.okta.mil"]);
        let env: Vec<(&str, &str, u64)> =
            env.iter().map(|v| (v.name.as_str(), v.comment.as_str(), v.default)).collect();
        assert_eq!(env, [("A_MS", "a wait, per attempt", 10000), ("B_BYTES", "a body", 16)]);
    }
}
