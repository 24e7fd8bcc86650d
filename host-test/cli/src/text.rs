//! Text shown to people: a catalog entry (action, trigger or connection kind) as readable
//! text, and JSON indented without reordering its keys.

use serde_json::Value;

use super::catalog::Kind;

/// A catalog entry as text: header, comment, details, what a trigger keeps and emits, then
/// each input (a connection kind's fields).
pub fn describe_text(kind: Kind, entry: &Value) -> String {
    let s = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
    let what = match kind {
        Kind::Action => String::new(),
        Kind::Trigger => format!(" ({} trigger)", s("kind")),
        Kind::Connection => " (connection kind)".to_string(),
    };
    let mut out = format!("{}: {}{what}\n", s("id"), s("label"));
    for k in ["comment", "details"] {
        if !s(k).is_empty() {
            out.push_str(&format!("\n{}\n", s(k)));
        }
    }
    if kind == Kind::Trigger {
        out.push_str(&format!("\nEmits: {}.\n", s("emits")));
        let state = match s("kind") {
            "polling" => {
                "an opaque string each poll returns; keep it and pass it to the next poll \
                 (`okta-connector poll ID --state @FILE`)"
            }
            _ => "an opaque string from the deploy, holding the hook's shared secret; every delivery updates it",
        };
        out.push_str(&format!("State: {state}.\n"));
    }
    let schema = entry.get("input_schema").cloned().unwrap_or(Value::Null);
    let has_inputs = schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
    let heading = match kind {
        Kind::Connection => "Fields (under the kind's id in --connection's JSON; keys in snake_case)",
        _ => "Input (a JSON object; keys in snake_case)",
    };
    if has_inputs {
        out.push_str(&format!("\n{heading}:\n"));
        schema_fields(&schema, 1, &mut out);
    } else {
        out.push_str("\nInput: none (pass {}).\n");
    }
    out
}

fn schema_fields(schema: &Value, depth: usize, out: &mut String) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let indent = "  ".repeat(depth);
    let mut names: Vec<&String> = props.keys().collect();
    // Required fields first, then the catalog's order (alphabetical).
    names.sort_by_key(|n| !required.contains(&n.as_str()));
    for name in names {
        let p = &props[name];
        let mut facts = vec![type_name(p)];
        if required.contains(&name.as_str()) {
            facts.push("required".into());
        }
        if let Some(d) = p.get("default") {
            facts.push(format!("default: {d}"));
        }
        if let Some(values) = p.get("enum").and_then(Value::as_array) {
            let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            facts.push(format!("one of: {}", values.join(", ")));
        }
        match (p.get("minimum").and_then(Value::as_u64), p.get("maximum").and_then(Value::as_u64)) {
            (Some(min), Some(max)) if min > 0 || max < u64::from(u32::MAX) => facts.push(format!("{min} to {max}")),
            (Some(min), None) if min > 0 => facts.push(format!("at least {min}")),
            _ => {}
        }
        if p.get("writeOnly") == Some(&Value::Bool(true)) {
            facts.push("secret".into());
        }
        out.push_str(&format!("{indent}{name} ({})\n", facts.join(", ")));
        let title = p.get("title").and_then(Value::as_str).unwrap_or("");
        let description = p.get("description").and_then(Value::as_str).unwrap_or("");
        let text = match (title.is_empty(), description.is_empty()) {
            (false, false) => format!("{title}: {description}"),
            (false, true) => title.to_string(),
            _ => description.to_string(),
        };
        if !text.is_empty() {
            out.push_str(&format!("{indent}    {text}\n"));
        }
        let nested = match p.get("items") {
            Some(items) if items.get("properties").is_some() => Some(items),
            _ if p.get("properties").is_some() => Some(p),
            _ => None,
        };
        if let Some(n) = nested {
            schema_fields(n, depth + 2, out);
        }
    }
}

fn type_name(p: &Value) -> String {
    let t = match p.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        _ => "any".to_string(),
    };
    match (t.as_str(), p.get("items").and_then(|i| i.get("type")).and_then(Value::as_str)) {
        ("array", Some(item)) => format!("array of {item}"),
        _ => t,
    }
}

/// Indents JSON text without parsing it into a map, so Okta's key order survives (the text
/// comes from the component, which passes Okta's JSON through as sent).
pub fn pretty_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut chars = text.trim().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                match chars.peek() {
                    Some(&close) if close == '}' || close == ']' => {
                        out.push(close);
                        chars.next();
                    }
                    _ => {
                        depth += 1;
                        newline(&mut out, depth);
                    }
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_keeps_key_order_and_strings() {
        let text = r#"{"z":1,"a":{"s":"x, {y}: \"q\"","e":{},"l":[]},"n":[1,2]}"#;
        let pretty = pretty_json(text);
        let reparsed: Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(reparsed, serde_json::from_str::<Value>(text).unwrap());
        assert!(pretty.starts_with("{\n  \"z\": 1,\n  \"a\": {"), "{pretty}");
        assert!(pretty.contains("\"e\": {}"), "{pretty}");
        assert!(pretty.contains("\"s\": \"x, {y}: \\\"q\\\"\""), "{pretty}");
    }
}
