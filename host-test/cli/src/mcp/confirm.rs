//! Confirmation of destructive tools through MCP elicitation: the user sees what will happen
//! and to which object, and must tick "go ahead"; anything else does nothing.
//!
//! Two protocol generations ask differently. A session opened with `initialize` (up to
//! 2025-11-25) gets an `elicitation/create` request while the call waits. On 2026-07-28 a
//! server may not send requests of its own: the call answers `input_required` with the
//! elicitation, and the client calls again with the answer and the `requestState` it was
//! given. That state is only a handle to an entry kept here, bound to the tool and its
//! arguments, used once, and forgotten after [`PENDING_LIFETIME`].

use std::collections::HashMap;
use std::hash::Hasher as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, ElicitRequest, ElicitRequestParams, ElicitationAction, ElicitationSchema, InputRequest,
    InputRequests, InputRequiredResult, JsonObject, ProtocolVersion,
};
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use serde_json::{json, Value};

use super::tools::ActionTool;

/// How long the user has to answer a confirmation.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a 2026-07-28 confirmation waits for the client's second call.
const PENDING_LIFETIME: Duration = Duration::from_secs(600);
/// The most confirmations waiting for a second call at once (older ones are dropped).
const MAX_PENDING: usize = 32;
/// The key of the confirmation among the call's input requests.
const INPUT_KEY: &str = "confirm";
/// Argument values longer than this are cut in the message.
const MAX_SHOWN_VALUE: usize = 200;

/// What to do with a call that needs confirming.
pub enum Decision {
    /// The user said go ahead, or the server was told not to ask a client that cannot.
    Go,
    /// The user declined or cancelled, or did not tick the box.
    Declined,
    /// The client cannot ask the user, and the server was not told to go ahead anyway.
    CannotAsk,
    /// Ask through the client, then expect the same call again with the answer.
    Ask(InputRequiredResult),
    /// The second call's state does not match a confirmation of this call.
    Mismatch,
}

/// Confirmations asked on 2026-07-28 sessions, waiting for the client's second call.
#[derive(Default)]
pub struct Pending {
    entries: Mutex<HashMap<String, (u64, Instant)>>,
}

impl Pending {
    /// A new one-use handle for a confirmation of the call `binding` stands for; `None` without
    /// a secure random source to draw it from.
    fn open(&self, binding: u64) -> Option<String> {
        let mut entries = self.entries.lock().unwrap();
        entries.retain(|_, (_, at)| at.elapsed() < PENDING_LIFETIME);
        if entries.len() >= MAX_PENDING {
            if let Some(oldest) = entries.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| k.clone()) {
                entries.remove(&oldest);
            }
        }
        let handle = crate::authorize::random_state().ok()?;
        entries.insert(handle.clone(), (binding, Instant::now()));
        Some(handle)
    }

    /// Takes the confirmation `handle` names, if it is alive and was opened for `binding`.
    fn take(&self, handle: &str, binding: u64) -> bool {
        let mut entries = self.entries.lock().unwrap();
        match entries.remove(handle) {
            Some((b, at)) => b == binding && at.elapsed() < PENDING_LIFETIME,
            None => false,
        }
    }
}

/// Decides about one call of a tool that needs confirming.
pub async fn decide(
    pending: &Pending,
    tool: &ActionTool,
    request: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
    org: &str,
    allow_without_asking: bool,
) -> Decision {
    let args = request.arguments.clone().unwrap_or_default();
    let binding = binding(&tool.name, &args);
    if let Some(handle) = &request.request_state {
        if !pending.take(handle, binding) {
            return Decision::Mismatch;
        }
        let answer = request.input_responses.as_ref().and_then(|r| r.get(INPUT_KEY));
        return if answer.is_some_and(accepted) { Decision::Go } else { Decision::Declined };
    }
    if !can_ask(context) {
        return if allow_without_asking { Decision::Go } else { Decision::CannotAsk };
    }
    let params = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: message(tool, &args, org),
        requested_schema: schema(),
    };
    if asks_inline(context) {
        let mut requests = InputRequests::new();
        requests.insert(INPUT_KEY.to_string(), InputRequest::Elicitation(ElicitRequest::new(params)));
        // Without a handle nothing could tie the answer to this call: nothing is done.
        let Some(handle) = pending.open(binding) else { return Decision::Declined };
        return Decision::Ask(InputRequiredResult::new(Some(requests), Some(handle)));
    }
    match context.peer.create_elicitation_with_timeout(params, Some(ANSWER_TIMEOUT)).await {
        Ok(result) => {
            let answer = json!({ "action": result.action, "content": result.content });
            if result.action == ElicitationAction::Accept && accepted(&answer) {
                Decision::Go
            } else {
                Decision::Declined
            }
        }
        // No answer in time, or the client failed to ask: nothing is done.
        Err(_) => Decision::Declined,
    }
}

/// The client declared it can show a form to the user.
fn can_ask(context: &RequestContext<RoleServer>) -> bool {
    context.client_capabilities().and_then(|c| c.elicitation).is_some_and(|e| e.form.is_some() || e.url.is_none())
}

/// 2026-07-28 and later: no server-to-client requests, the call itself returns the question.
fn asks_inline(context: &RequestContext<RoleServer>) -> bool {
    context.protocol_version().is_some_and(|v| v.as_str() >= ProtocolVersion::V_2026_07_28.as_str())
}

/// An answer is a yes only when accepted with the box ticked.
fn accepted(answer: &Value) -> bool {
    answer["action"] == "accept" && answer["content"]["confirm"] == true
}

/// The form: one box to tick.
fn schema() -> ElicitationSchema {
    serde_json::from_value(json!({
        "type": "object",
        "properties": {
            "confirm": {
                "type": "boolean",
                "title": "Go ahead",
                "description": "Tick to run it; anything else does nothing.",
                "default": false,
            }
        },
        "required": ["confirm"],
    }))
    .expect("a valid elicitation schema")
}

/// What the user reads: the action, the org, the object (its ids) and the other arguments,
/// secret ones left out.
pub fn message(tool: &ActionTool, args: &JsonObject, org: &str) -> String {
    let shown = |v: &Value| {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match text.char_indices().nth(MAX_SHOWN_VALUE) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text,
        }
    };
    let is_id = |k: &str| k == "id" || k.ends_with("_id") || k == "path";
    let mut objects = Vec::new();
    let mut others = Vec::new();
    for (k, v) in args {
        if tool.secret_inputs.contains(k) {
            others.push(format!("{k} = (secret, not shown)"));
        } else if is_id(k) {
            objects.push(format!("{k} = {}", shown(v)));
        } else {
            others.push(format!("{k} = {}", shown(v)));
        }
    }
    let mut text = format!("Run \"{}\" ({}) on {org}?\n{}", tool.label, tool.action, first_sentence(&tool.description));
    if !objects.is_empty() {
        text.push_str(&format!("\nObject: {}", objects.join(", ")));
    }
    if !others.is_empty() {
        text.push_str(&format!("\nWith: {}", others.join(", ")));
    }
    text.push_str("\nNothing is done unless you tick \"Go ahead\" and accept.");
    text
}

fn first_sentence(description: &str) -> &str {
    description.split("\n\n").next().unwrap_or(description)
}

/// What a confirmation is bound to: the tool and its exact arguments. (The handle the client
/// echoes is the unguessable part; this only ties it to one call.)
fn binding(tool: &str, args: &JsonObject) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(tool.as_bytes());
    h.write_u8(0);
    h.write(Value::Object(args.clone()).to_string().as_bytes());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::tools::Catalog;

    fn delete_tool() -> ActionTool {
        Catalog::from_json(&json!({"actions": [{"id": "users.delete", "label": "Delete User",
            "comment": "Permanently delete a user.", "details": "`DELETE /api/v1/users/{id}`.",
            "input_schema": {"type": "object", "properties": {"id": {"type": "string"},
                "send_email": {"type": "boolean"}, "answer": {"type": "string", "writeOnly": true}}}}]}))
        .unwrap()
        .tools[0]
            .clone()
    }

    #[test]
    fn the_message_says_what_and_to_which_object() {
        let args: JsonObject = serde_json::from_value(json!({"id": "00u1abc", "send_email": false,
            "answer": "my-secret-answer", "note": "x".repeat(500)}))
        .unwrap();
        let m = message(&delete_tool(), &args, "https://acme.okta.com");
        assert!(
            m.starts_with("Run \"Delete User\" (users.delete) on https://acme.okta.com?\nPermanently delete a user.\n"),
            "{m}"
        );
        assert!(m.contains("Object: id = 00u1abc"), "{m}");
        assert!(m.contains("send_email = false"), "{m}");
        assert!(!m.contains("my-secret-answer"), "{m}");
        assert!(m.contains(&format!("{}…", "x".repeat(MAX_SHOWN_VALUE))), "long values are cut");
    }

    #[test]
    fn only_a_ticked_acceptance_is_a_yes() {
        assert!(accepted(&json!({"action": "accept", "content": {"confirm": true}})));
        assert!(!accepted(&json!({"action": "accept", "content": {"confirm": false}})));
        assert!(!accepted(&json!({"action": "accept", "content": {}})));
        assert!(!accepted(&json!({"action": "decline"})));
        assert!(!accepted(&json!({"action": "cancel", "content": {"confirm": true}})));
        let s = serde_json::to_value(schema()).unwrap();
        assert_eq!(s["required"], json!(["confirm"]));
    }

    #[test]
    fn a_pending_confirmation_is_bound_to_its_call_and_used_once() {
        let pending = Pending::default();
        let args: JsonObject = serde_json::from_value(json!({"id": "00u1"})).unwrap();
        let other: JsonObject = serde_json::from_value(json!({"id": "00u2"})).unwrap();
        let h = pending.open(binding("users_delete", &args)).unwrap();
        assert!(!pending.take(&h, binding("users_delete", &other)), "other arguments");
        let h = pending.open(binding("users_delete", &args)).unwrap();
        assert!(pending.take(&h, binding("users_delete", &args)));
        assert!(!pending.take(&h, binding("users_delete", &args)), "used once");
        assert!(!pending.take("forged", binding("users_delete", &args)));
        for _ in 0..MAX_PENDING + 5 {
            pending.open(1);
        }
        assert!(pending.entries.lock().unwrap().len() <= MAX_PENDING);
    }
}
