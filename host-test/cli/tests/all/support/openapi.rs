//! Conformance check of recorded HTTP requests against Okta's management OpenAPI spec
//! (`fixtures/okta/management-api.yaml`).
//!
//! Only what the check needs is kept: paths → methods → parameters (name, location,
//! required), with `$ref: '#/components/parameters/...'` resolved and path-item level
//! parameters merged into each operation.
//!
//! Parsing the whole 3.4 MB document with the YAML parser is slow in a debug build, so
//! [`OpenApi::parse`] first cuts the text down to the two top-level blocks it needs
//! (`paths:` and `components:` → `parameters:`) and parses only those; if that slice does
//! not parse on its own (e.g. an alias pointing at an anchor outside it), it falls back to
//! parsing the full document.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

/// Location of the spec, relative to this crate.
pub const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/okta/management-api.yaml");

/// HTTP methods an OpenAPI path item can define, in spec order.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// A resolved parameter of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    /// `query`, `path`, `header` or `cookie`.
    pub location: String,
    pub required: bool,
}

/// One operation (path template + method).
#[derive(Debug, Clone)]
pub struct Operation {
    pub operation_id: Option<String>,
    /// Path-item and operation parameters merged (operation-level wins on `(name, in)`).
    pub params: Vec<Param>,
    /// The OAuth 2.0 scopes its `security` requires (`oauth2: [...]`), when it lists any.
    pub oauth2_scopes: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param,
}

/// One path template with its operations.
#[derive(Debug, Clone)]
pub struct PathTemplate {
    pub template: String,
    segments: Vec<Segment>,
    /// Lower-case method → operation.
    pub operations: BTreeMap<String, Operation>,
}

impl PathTemplate {
    fn literal_count(&self) -> usize {
        self.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count()
    }

    fn matches(&self, segments: &[String]) -> bool {
        self.segments.len() == segments.len()
            && self.segments.iter().zip(segments).all(|(t, s)| match t {
                Segment::Literal(l) => l == s,
                Segment::Param => !s.is_empty(),
            })
    }

    /// Ordering key: more literal segments first, then literals earlier in the path.
    fn specificity(&self) -> (usize, Vec<bool>) {
        (self.literal_count(), self.segments.iter().map(|s| matches!(s, Segment::Literal(_))).collect())
    }
}

/// Okta's management API spec, reduced to what request checking needs.
pub struct OpenApi {
    paths: Vec<PathTemplate>,
}

// ---- serde model of the parts of the document we read -------------------------------

#[derive(Deserialize)]
struct RawDoc {
    #[serde(default)]
    paths: HashMap<String, RawPathItem>,
    #[serde(default)]
    components: RawComponents,
}

#[derive(Deserialize, Default)]
struct RawComponents {
    #[serde(default)]
    parameters: HashMap<String, RawParam>,
}

#[derive(Deserialize, Default)]
struct RawPathItem {
    #[serde(default)]
    parameters: Vec<RawParam>,
    get: Option<RawOperation>,
    put: Option<RawOperation>,
    post: Option<RawOperation>,
    delete: Option<RawOperation>,
    options: Option<RawOperation>,
    head: Option<RawOperation>,
    patch: Option<RawOperation>,
    trace: Option<RawOperation>,
}

impl RawPathItem {
    fn operations(self) -> [(&'static str, Option<RawOperation>); 8] {
        [
            ("get", self.get),
            ("put", self.put),
            ("post", self.post),
            ("delete", self.delete),
            ("options", self.options),
            ("head", self.head),
            ("patch", self.patch),
            ("trace", self.trace),
        ]
    }
}

#[derive(Deserialize)]
struct RawOperation {
    #[serde(rename = "operationId")]
    operation_id: Option<String>,
    #[serde(default)]
    parameters: Vec<RawParam>,
    /// Alternatives, each a scheme name and the scopes it needs.
    #[serde(default)]
    security: Vec<HashMap<String, Vec<String>>>,
}

#[derive(Deserialize, Clone)]
struct RawParam {
    #[serde(rename = "$ref")]
    reference: Option<String>,
    name: Option<String>,
    #[serde(rename = "in")]
    location: Option<String>,
    #[serde(default)]
    required: bool,
}

// ---- parsing ------------------------------------------------------------------------

/// Keeps only the top-level `paths:` block and the `parameters:` block of `components:`.
/// Relies on block-style YAML with two-space indentation, as the Okta spec uses.
fn reduce(text: &str) -> String {
    let mut out = String::with_capacity(text.len() / 2);
    let mut top = "";
    let mut sub_keep = false;
    for line in text.split_inclusive('\n') {
        let starts_key = |indent: usize| {
            line.len() > indent
                && line.as_bytes()[..indent].iter().all(|&b| b == b' ')
                && !matches!(line.as_bytes()[indent], b' ' | b'#' | b'\n' | b'\r' | b'-')
        };
        if starts_key(0) {
            top = line.split(':').next().unwrap_or("").trim();
            sub_keep = false;
            if top == "paths" || top == "components" {
                out.push_str(line);
            }
            continue;
        }
        match top {
            "paths" => out.push_str(line),
            "components" => {
                if starts_key(2) {
                    sub_keep = line.trim_start().starts_with("parameters:");
                }
                if sub_keep {
                    out.push_str(line);
                }
            }
            _ => {}
        }
    }
    out
}

fn resolve(p: &RawParam, components: &HashMap<String, RawParam>, depth: usize) -> Result<Param, String> {
    if let Some(r) = &p.reference {
        let key =
            r.strip_prefix("#/components/parameters/").ok_or_else(|| format!("unsupported parameter $ref {r:?}"))?;
        let target = components.get(key).ok_or_else(|| format!("dangling parameter $ref {r:?}"))?;
        if depth > 16 {
            return Err(format!("parameter $ref cycle at {r:?}"));
        }
        return resolve(target, components, depth + 1);
    }
    match (&p.name, &p.location) {
        (Some(name), Some(location)) => {
            Ok(Param { name: name.clone(), location: location.clone(), required: p.required || location == "path" })
        }
        _ => Err("parameter without name/in".to_string()),
    }
}

fn parse_segments(template: &str) -> Vec<Segment> {
    template
        .trim_start_matches('/')
        .split('/')
        .map(|s| if s.starts_with('{') && s.ends_with('}') { Segment::Param } else { Segment::Literal(s.to_string()) })
        .collect()
}

fn split_path(path: &str) -> Vec<String> {
    path.trim_start_matches('/')
        .split('/')
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

impl OpenApi {
    /// The spec at [`SPEC_PATH`], parsed once per process.
    pub fn get() -> &'static OpenApi {
        static SPEC: OnceLock<OpenApi> = OnceLock::new();
        SPEC.get_or_init(|| {
            let text = std::fs::read_to_string(SPEC_PATH)
                .unwrap_or_else(|e| panic!("cannot read OpenAPI spec {SPEC_PATH}: {e}"));
            OpenApi::parse(&text).unwrap_or_else(|e| panic!("cannot parse OpenAPI spec {SPEC_PATH}: {e}"))
        })
    }

    /// Parses an OpenAPI 3 document (YAML or JSON).
    pub fn parse(text: &str) -> Result<OpenApi, String> {
        let doc: RawDoc = match serde_yaml_ng::from_str::<RawDoc>(&reduce(text)) {
            Ok(doc) if !doc.paths.is_empty() => doc,
            _ => serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?,
        };
        let components = doc.components.parameters;
        let mut paths = Vec::with_capacity(doc.paths.len());
        for (template, item) in doc.paths {
            let ctx = |e: String| format!("{template}: {e}");
            let common = item
                .parameters
                .iter()
                .map(|p| resolve(p, &components, 0))
                .collect::<Result<Vec<_>, _>>()
                .map_err(ctx)?;
            let mut operations = BTreeMap::new();
            for (method, op) in item.operations() {
                let Some(op) = op else { continue };
                let mut params = common.clone();
                for p in &op.parameters {
                    let p = resolve(p, &components, 0).map_err(ctx)?;
                    params.retain(|q| !(q.name == p.name && q.location == p.location));
                    params.push(p);
                }
                let oauth2_scopes = op.security.iter().find_map(|s| s.get("oauth2").cloned());
                operations
                    .insert(method.to_string(), Operation { operation_id: op.operation_id, params, oauth2_scopes });
            }
            paths.push(PathTemplate { segments: parse_segments(&template), template, operations });
        }
        // Most specific first, so the first match wins.
        paths.sort_by(|a, b| b.specificity().cmp(&a.specificity()).then_with(|| a.template.cmp(&b.template)));
        Ok(OpenApi { paths })
    }

    /// All path templates, most specific first.
    pub fn paths(&self) -> &[PathTemplate] {
        &self.paths
    }

    /// The most specific template matching `path` (URL path as sent, percent-encoded).
    pub fn find_path(&self, path: &str) -> Option<&PathTemplate> {
        let segments = split_path(path);
        self.paths.iter().find(|t| t.matches(&segments))
    }

    /// Checks one request: `path` is the URL path as sent (percent-encoded segments),
    /// `query` the raw query string. Ok(operationId) when a spec path template matches
    /// (each `{param}` matches one non-empty segment, the template with more literal
    /// segments wins), the method is defined for it, every query parameter sent is
    /// declared (`in: query`, path- or operation-level) and every required query
    /// parameter is present. Err(readable message) otherwise.
    pub fn check(&self, method: &str, path: &str, query: Option<&str>) -> Result<String, String> {
        let request = match query {
            Some(q) if !q.is_empty() => format!("{} {path}?{q}", method.to_uppercase()),
            _ => format!("{} {path}", method.to_uppercase()),
        };
        let Some(template) = self.find_path(path) else {
            return Err(format!("{request}: no path in the Okta management API spec matches {path:?}"));
        };
        let method_lc = method.to_ascii_lowercase();
        let Some(op) = template.operations.get(&method_lc) else {
            let defined: Vec<String> =
                METHODS.iter().filter(|m| template.operations.contains_key(**m)).map(|m| m.to_uppercase()).collect();
            return Err(format!(
                "{request}: method {} is not defined for {} (defined: {})",
                method.to_uppercase(),
                template.template,
                defined.join(", ")
            ));
        };
        let op_name =
            op.operation_id.clone().unwrap_or_else(|| format!("{} {}", method.to_uppercase(), template.template));
        let declared: Vec<&Param> = op.params.iter().filter(|p| p.location == "query").collect();

        let mut sent: Vec<String> = Vec::new();
        for pair in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
            let raw = pair.split('=').next().unwrap_or("").replace('+', " ");
            let name = percent_encoding::percent_decode_str(&raw).decode_utf8_lossy().into_owned();
            if !sent.contains(&name) {
                sent.push(name);
            }
        }

        let mut problems = Vec::new();
        let undeclared: Vec<&str> =
            sent.iter().filter(|n| !declared.iter().any(|p| &p.name == *n)).map(String::as_str).collect();
        if !undeclared.is_empty() {
            problems.push(format!("undeclared query parameter(s) {}", undeclared.join(", ")));
        }
        let missing: Vec<&str> =
            declared.iter().filter(|p| p.required && !sent.contains(&p.name)).map(|p| p.name.as_str()).collect();
        if !missing.is_empty() {
            problems.push(format!("missing required query parameter(s) {}", missing.join(", ")));
        }
        if problems.is_empty() {
            return Ok(op_name);
        }
        let names: Vec<String> = declared
            .iter()
            .map(|p| if p.required { format!("{} (required)", p.name) } else { p.name.clone() })
            .collect();
        Err(format!(
            "{request}: {} for {op_name} ({} {}); declared query parameters: {}",
            problems.join("; "),
            method.to_uppercase(),
            template.template,
            if names.is_empty() { "none".to_string() } else { names.join(", ") }
        ))
    }
}
