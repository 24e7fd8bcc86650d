//! Tool results: an action's JSON as text (and as structured content where the tool has an
//! output schema); a failed action as an `isError` result carrying the typed error (kind,
//! Okta's errorCode and summary, what to do), never a protocol error; and the cap that keeps a
//! Fetch All within what an agent can read.

use std::collections::HashMap;

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{json, Map, Value};

use super::tools::ActionTool;

/// A successful result. `note` (a capped listing's) goes after the JSON as its own text.
pub fn success(tool: &ActionTool, result: Value, note: Option<String>) -> CallToolResult {
    let text = serde_json::to_string(&result).unwrap_or_default();
    let mut content = vec![ContentBlock::text(text)];
    content.extend(note.map(ContentBlock::text));
    let mut r = CallToolResult::success(content);
    if tool.output_schema.is_some() {
        r.structured_content = Some(result);
    }
    r
}

/// A failed action: `error` is the CLI's error JSON (`{"kind", "status", "error_code",
/// "summary", ...}`), already scrubbed of secrets; `errors` the catalog's meaning of each kind.
pub fn failure(error: Value, errors: &HashMap<String, String>) -> CallToolResult {
    let mut error = match error {
        Value::Object(o) => o,
        other => Map::from_iter([("kind".to_string(), json!("host")), ("message".to_string(), other)]),
    };
    // Fields with nothing in them only cost the agent's context.
    error.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
    let kind = error.get("kind").and_then(Value::as_str).unwrap_or("host").to_string();
    if let Some(meaning) = errors.get(&kind) {
        error.insert("what_to_do".into(), json!(meaning));
    }
    let headline = match (error.get("error_code").and_then(Value::as_str), error.get("summary").and_then(Value::as_str))
    {
        (Some(code), Some(summary)) => format!("{kind} ({code}): {summary}"),
        (None, Some(summary)) => format!("{kind}: {summary}"),
        _ => match (error.get("field").and_then(Value::as_str), error.get("message").and_then(Value::as_str)) {
            (Some(field), Some(message)) => format!("{kind}: `{field}` {message}"),
            (None, Some(message)) => format!("{kind}: {message}"),
            _ => kind.clone(),
        },
    };
    let body = json!({ "error": error });
    CallToolResult::error(vec![ContentBlock::text(headline), ContentBlock::text(body.to_string())])
}

/// The result of a refusal the server makes itself (a declined confirmation, a destructive
/// tool without a way to ask): an `isError` result, so that no output schema applies.
pub fn refused(kind: &str, message: &str) -> CallToolResult {
    let body = json!({ "error": { "kind": kind, "message": message } });
    CallToolResult::error(vec![ContentBlock::text(format!("{kind}: {message}")), ContentBlock::text(body.to_string())])
}

/// Pages gathered for a Fetch All, up to a size in bytes of their items.
#[derive(Debug)]
pub struct Gathered {
    items: Vec<Value>,
    bytes: usize,
    max_bytes: usize,
    /// The last page's other fields (`next_cursor`, and e.g. the System Log's `capped`).
    last: Map<String, Value>,
    pages: usize,
}

/// What to do after a page.
#[derive(Debug, PartialEq)]
pub enum Next {
    /// Fetch the page after this cursor.
    Page(String),
    /// Stop: the listing ended, or the cap was reached.
    Done,
}

impl Gathered {
    pub fn new(max_bytes: usize) -> Gathered {
        Gathered { items: Vec::new(), bytes: 0, max_bytes, last: Map::new(), pages: 0 }
    }

    /// Adds one page (`{"items": [...], "next_cursor": ...}`). Items past the cap are not
    /// kept: the page is then dropped whole and its own cursor is where to continue, so
    /// nothing is lost or repeated.
    pub fn add(&mut self, page: Value, cursor_of_page: Option<&str>) -> Next {
        let Value::Object(mut page) = page else { return Next::Done };
        let items = match page.remove("items") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        let size: usize = items.iter().map(|i| serde_json::to_string(i).map_or(0, |s| s.len() + 1)).sum();
        if self.pages > 0 && self.bytes + size > self.max_bytes {
            // This page would break the cap: continue from where it started.
            self.last.insert("next_cursor".into(), cursor_of_page.map_or(Value::Null, |c| json!(c)));
            self.last.insert("capped_by_server".into(), json!(true));
            return Next::Done;
        }
        let empty = items.is_empty();
        self.bytes += size;
        self.items.extend(items);
        self.pages += 1;
        let next = page.get("next_cursor").and_then(Value::as_str).map(str::to_string);
        self.last = page;
        match next {
            // An empty page with a cursor is a polling query's end (the System Log's).
            Some(c) if !empty && Some(c.as_str()) != cursor_of_page && self.bytes < self.max_bytes => Next::Page(c),
            Some(_) if self.bytes >= self.max_bytes => {
                self.last.insert("capped_by_server".into(), json!(true));
                Next::Done
            }
            _ => Next::Done,
        }
    }

    pub fn pages(&self) -> usize {
        self.pages
    }

    /// The result (the page's shape, every item gathered) and, when the cap stopped it, the
    /// note telling the agent how to continue.
    pub fn finish(mut self, tool_name: &str) -> (Value, Option<String>) {
        let capped = self.last.remove("capped_by_server").is_some();
        let count = self.items.len();
        let mut out = Map::new();
        out.insert("items".into(), Value::Array(self.items));
        out.extend(self.last);
        let note = match (capped, out.get("next_cursor").and_then(Value::as_str)) {
            (true, Some(cursor)) => Some(format!(
                "Stopped after {count} items ({} pages, the server's cap of {} bytes): more remain. To continue, call {tool_name} again with the same input and \"after\": \"{cursor}\" (fetch_all may stay on).",
                self.pages, self.max_bytes
            )),
            _ => None,
        };
        (Value::Object(out), note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::tools::Catalog;

    fn tool(output_schema: Value) -> ActionTool {
        let c = Catalog::from_json(&json!({"actions": [{"id": "users.list", "label": "List Users", "comment": "C.",
            "input_schema": {"type": "object", "properties": {}}, "output_schema": output_schema}]}))
        .unwrap();
        c.tools[0].clone()
    }

    #[test]
    fn results_with_a_fixed_shape_are_also_structured() {
        let page = json!({"items": [{"id": "00u1"}], "next_cursor": null});
        let r = success(&tool(json!({"type": "object"})), page.clone(), None);
        assert_eq!(r.structured_content, Some(page.clone()));
        assert_eq!(r.is_error, Some(false));
        let r = success(&tool(Value::Null), page, Some("note".into()));
        assert_eq!(r.structured_content, None);
        assert_eq!(r.content.len(), 2);
    }

    #[test]
    fn a_failure_is_an_error_result_with_the_typed_error() {
        let errors = HashMap::from([("not-found".to_string(), "404: no such user.".to_string())]);
        let e = json!({"kind": "not-found", "status": 404, "error_code": "E0000007",
            "summary": "Not found: Resource not found: nobody (User)", "causes": [], "error_id": null});
        let r = failure(e, &errors);
        assert_eq!(r.is_error, Some(true));
        let text: Vec<String> = r.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect();
        assert_eq!(text[0], "not-found (E0000007): Not found: Resource not found: nobody (User)");
        let body: Value = serde_json::from_str(&text[1]).unwrap();
        assert_eq!(body["error"]["what_to_do"], "404: no such user.");
        assert!(body["error"].get("causes").is_none() && body["error"].get("error_id").is_none());
        let input =
            failure(json!({"kind": "invalid-input", "field": "limit", "message": "must be at most 200"}), &errors);
        assert_eq!(input.content[0].as_text().unwrap().text, "invalid-input: `limit` must be at most 200");
    }

    fn page(n: usize, next: Option<&str>) -> Value {
        let items: Vec<Value> = (0..n).map(|i| json!({"id": format!("00u{i:05}")})).collect();
        json!({"items": items, "next_cursor": next})
    }

    #[test]
    fn gathering_stops_at_the_cap_with_the_cursor_of_the_page_it_left_out() {
        let one = serde_json::to_string(&json!({"id": "00u00000"})).unwrap().len() + 1;
        let mut g = Gathered::new(one * 25);
        assert_eq!(g.add(page(10, Some("c1")), None), Next::Page("c1".into()));
        assert_eq!(g.add(page(10, Some("c2")), Some("c1")), Next::Page("c2".into()));
        assert_eq!(g.add(page(10, Some("c3")), Some("c2")), Next::Done);
        let (v, note) = g.finish("users_list");
        assert_eq!(v["items"].as_array().unwrap().len(), 20);
        assert_eq!(v["next_cursor"], "c2", "the dropped page is fetched again from its own cursor");
        assert!(note.unwrap().contains("\"after\": \"c2\""));
    }

    #[test]
    fn gathering_ends_with_the_listing() {
        let mut g = Gathered::new(1 << 20);
        assert_eq!(g.add(page(3, Some("c1")), None), Next::Page("c1".into()));
        assert_eq!(g.add(page(2, None), Some("c1")), Next::Done);
        let (v, note) = g.finish("users_list");
        assert_eq!(v["items"].as_array().unwrap().len(), 5);
        assert_eq!(v["next_cursor"], Value::Null);
        assert!(note.is_none());
        // A repeated cursor or an empty page ends it too.
        let mut g = Gathered::new(1 << 20);
        assert_eq!(g.add(page(3, Some("c1")), Some("c1")), Next::Done);
        let mut g = Gathered::new(1 << 20);
        assert_eq!(g.add(page(0, Some("c1")), None), Next::Done);
        // A first page larger than the cap is kept whole: the agent gets something.
        let mut g = Gathered::new(10);
        assert_eq!(g.add(page(3, Some("c1")), None), Next::Done);
        let (v, note) = g.finish("users_list");
        assert_eq!(v["items"].as_array().unwrap().len(), 3);
        assert!(note.unwrap().contains("\"after\": \"c1\""));
    }
}
