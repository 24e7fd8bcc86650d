//! The Event Hook trigger: deploy (create or update the hook for the host's URL, with a new
//! shared secret, and verify it), receive (answer Okta's requests, emit each event once),
//! teardown.
//!
//! Okta does not sign deliveries: the shared secret in the hook's auth header is the only
//! proof a request comes from Okta, so it is compared in constant time, and a delivery
//! without it emits nothing. The one-time verification GET only echoes its challenge, so it
//! is answered whatever its headers (the host must answer it before it has the new state).

use super::state;
use crate::actions::event_hooks::{hook_body_parts, HookParts};
use crate::bindings::exports::okta::connector::triggers::{HookReception, IncomingRequest};
use crate::bindings::okta::connector::types::KeyValue;
use crate::connection::oauth::{base64url, random};
use crate::error::Error;
use crate::inputs::triggers::EventHookTriggerInput;
use crate::okta::{segment, Flow, Okta, Request};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// The header Okta sends the shared secret in.
const AUTH_HEADER: &str = "X-Okta-Connector-Secret";
/// The largest delivery accepted.
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// How long an emitted event's uuid is remembered against redelivery.
const SEEN_FOR: Duration = Duration::from_secs(300);
/// The most uuids remembered (the oldest go first): about 55 bytes each in the state.
const SEEN_MAX: usize = 8000;
/// The most bytes the remembered uuids take in the state (the oldest go first), so that
/// uuids longer than Okta's 36 characters keep the state under its 512 KiB cap too.
const SEEN_BYTES: usize = 448 * 1024;

/// An emitted event's uuid and when it was emitted (Unix seconds; 0 for a uuid remembered by
/// a version that kept no time: its age then counts from the first delivery that reads it).
#[derive(Serialize, Deserialize, Clone)]
#[serde(from = "SeenForm")]
struct Seen(String, u64);

/// The forms a remembered uuid is read from: `["uuid", secs]`, or a bare uuid.
#[derive(Deserialize)]
#[serde(untagged)]
enum SeenForm {
    Timed(String, u64),
    Bare(String),
}

impl Seen {
    /// At least the bytes it takes in the state: `["uuid",1234567890],`, each character that
    /// JSON escapes counted as its longest escape (`\u0000`).
    fn state_bytes(&self) -> usize {
        let escaped = self.0.bytes().filter(|b| *b < 0x20 || *b == b'"' || *b == b'\\').count();
        self.0.len() + 5 * escaped + 16
    }
}

impl From<SeenForm> for Seen {
    fn from(form: SeenForm) -> Self {
        match form {
            SeenForm::Timed(uuid, at) => Seen(uuid, at),
            SeenForm::Bare(uuid) => Seen(uuid, 0),
        }
    }
}

/// The Event Hook trigger's state: the hook, its URL, the shared secret (so never printed
/// by `Debug`) and the uuids of the events emitted in the last [`SEEN_FOR`], at most
/// [`SEEN_MAX`].
#[derive(Serialize, Deserialize, Clone)]
pub struct HookState {
    v: u32,
    pub hook: String,
    url: String,
    secret: String,
    #[serde(default)]
    seen: Vec<Seen>,
}

impl std::fmt::Debug for HookState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookState")
            .field("hook", &self.hook)
            .field("url", &self.url)
            .field("secret", &"[redacted]")
            .field("seen", &self.seen.len())
            .finish()
    }
}

/// What a deploy did.
pub struct Deployed {
    pub id: String,
    pub state: String,
}

/// Creates the hook for `public_url`, or updates the one already there (and removes any
/// duplicate), then makes sure it is active and verifies it.
pub fn deploy(
    okta: &Okta,
    input: EventHookTriggerInput,
    public_url: String,
    previous: Option<&str>,
) -> Result<Flow<Deployed>, Error> {
    let previous = state::decode::<HookState>(previous)?.filter(|s| s.url == public_url);
    let secret = match &previous {
        Some(s) => s.secret.clone(),
        None => base64url::encode(&random::bytes::<32>()?),
    };
    let name: String = format!("okta-connector: {public_url}").chars().take(100).collect();
    let body = hook_body_parts(HookParts {
        name: &name,
        url: &public_url,
        items: input.items.as_deref(),
        dynamic_items: input.dynamic_items.clone(),
        headers: input.headers.as_deref(),
        filters: input.filters.clone(),
        description: Some("Deployed by okta-connector's Event Hook trigger"),
        auth: Some((AUTH_HEADER, &secret)),
    })?;
    let url = public_url.clone();
    Ok(okta.get("/api/v1/eventHooks").send_array().and_then(move |list| {
        let hooks: Vec<Value> = serde_json::from_str(&list).unwrap_or_default();
        let same_url: Vec<(String, bool)> = hooks
            .iter()
            .filter(|h| h.pointer("/channel/config/uri").and_then(Value::as_str) == Some(url.as_str()))
            .filter_map(|h| {
                Some((h.get("id")?.as_str()?.to_string(), h.get("status").and_then(Value::as_str) == Some("ACTIVE")))
            })
            .collect();
        // Keep the hook of the previous deploy if it is still there, else the first.
        let keep = previous
            .as_ref()
            .and_then(|p| same_url.iter().find(|(id, _)| *id == p.hook))
            .or_else(|| same_url.first())
            .cloned();
        let extras: Vec<(String, bool)> =
            same_url.into_iter().filter(|h| Some(&h.0) != keep.as_ref().map(|k| &k.0)).collect();
        let upsert = match &keep {
            Some((id, _)) => match segment("event_hook_id", id) {
                Ok(seg) => Request::put(format!("/api/v1/eventHooks/{seg}")).json(&body).send_object(),
                Err(e) => Flow::fail(e),
            },
            None => Request::post("/api/v1/eventHooks").json(&body).send_object(),
        };
        remove_each(extras).and_then(move |()| {
            upsert.and_then(move |hook| {
                let hook: Value = serde_json::from_str(&hook).unwrap_or(Value::Null);
                let Some(id) = hook.get("id").and_then(Value::as_str).map(str::to_string) else {
                    return Flow::fail(Error::UnexpectedResponse("Okta's event hook has no id".into()));
                };
                let seg = segment("event_hook_id", &id).unwrap_or_default();
                let activate = (hook.get("status").and_then(Value::as_str) != Some("ACTIVE"))
                    .then(|| Request::post(format!("/api/v1/eventHooks/{seg}/lifecycle/activate")));
                let verify = Request::post(format!("/api/v1/eventHooks/{seg}/lifecycle/verify"));
                let seen = previous.map(|p| p.seen).unwrap_or_default();
                let st = HookState { v: state::VERSION, hook: id.clone(), url, secret, seen };
                let activated = match activate {
                    Some(r) => r.send_object().map(|_| ()),
                    None => Flow::done(()),
                };
                activated
                    .and_then(move |()| verify.send_object())
                    .map(move |_| Deployed { id, state: state::encode(&st) })
            })
        })
    }))
}

/// Deactivates (when active) and deletes each hook.
fn remove_each(mut hooks: Vec<(String, bool)>) -> Flow<()> {
    let Some((id, active)) = hooks.pop() else { return Flow::done(()) };
    let Ok(seg) = segment("event_hook_id", &id) else { return Flow::done(()) };
    let delete = Request::delete(format!("/api/v1/eventHooks/{seg}"));
    let deactivated = if active {
        Request::post(format!("/api/v1/eventHooks/{seg}/lifecycle/deactivate")).send_object().map(|_| ())
    } else {
        Flow::done(())
    };
    deactivated.and_then(move |()| delete.send_empty()).and_then(move |()| remove_each(hooks))
}

/// Deactivates and deletes the deployed hook; already gone is fine.
pub fn teardown(_: &Okta, previous: &str) -> Result<Flow<()>, Error> {
    let st = state::decode::<HookState>(Some(previous))?
        .ok_or_else(|| Error::input("state", "is not the state of a deployed event hook"))?;
    let seg = segment("event_hook_id", &st.hook)?;
    let delete = Request::delete(format!("/api/v1/eventHooks/{seg}"));
    Ok(Request::post(format!("/api/v1/eventHooks/{seg}/lifecycle/deactivate")).send_object().then(move |r| match r {
        Ok(_) => delete.send_empty().then(crate::actions::not_found_is_done),
        Err(e) if e.status() == Some(404) => Flow::done(()),
        Err(e) => Flow::fail(e),
    }))
}

fn reception(status: u16, body: &str, events: Vec<Value>, state: String) -> HookReception {
    let headers = if body.is_empty() {
        Vec::new()
    } else {
        vec![KeyValue { key: "content-type".into(), value: "application/json".into() }]
    };
    HookReception { status, headers, body: body.to_string(), events: Value::Array(events).to_string(), state }
}

fn refuse(status: u16, reason: &str, state: String) -> HookReception {
    reception(status, &json!({ "error": reason }).to_string(), Vec::new(), state)
}

/// Answers one request on the hook's URL (sends nothing).
pub fn receive(input: &EventHookTriggerInput, state_text: &str, request: IncomingRequest) -> HookReception {
    receive_at(input, state_text, request, SystemTime::now())
}

/// [`receive`] at the time `now`.
fn receive_at(
    input: &EventHookTriggerInput,
    state_text: &str,
    request: IncomingRequest,
    now: SystemTime,
) -> HookReception {
    let header =
        |name: &str| request.headers.iter().find(|h| h.key.eq_ignore_ascii_case(name)).map(|h| h.value.as_str());
    let method = request.method.to_ascii_uppercase();
    if method == "GET" {
        return match header("x-okta-verification-challenge") {
            Some(challenge) if challenge.len() <= 1024 => {
                reception(200, &json!({ "verification": challenge }).to_string(), Vec::new(), state_text.to_string())
            }
            _ => refuse(400, "a GET must carry X-Okta-Verification-Challenge", state_text.to_string()),
        };
    }
    let Ok(Some(mut st)) = state::decode::<HookState>(Some(state_text)) else {
        return refuse(
            500,
            "the trigger's state is missing or unreadable: deploy the hook again",
            state_text.to_string(),
        );
    };
    if method != "POST" {
        return refuse(405, "only GET (verification) and POST (deliveries) are expected", state_text.to_string());
    }
    let given = header(AUTH_HEADER).unwrap_or("");
    if given.len() != st.secret.len() || !bool::from(given.as_bytes().ct_eq(st.secret.as_bytes())) {
        return refuse(401, "the shared secret is missing or wrong", state_text.to_string());
    }
    if request.body.len() > MAX_BODY {
        return refuse(413, "the delivery is larger than 4 MiB", state_text.to_string());
    }
    let body: Value = match serde_json::from_slice(&request.body) {
        Ok(v) => v,
        Err(_) => return refuse(400, "the delivery is not JSON", state_text.to_string()),
    };
    let Some(events) = body.pointer("/data/events").and_then(Value::as_array) else {
        return refuse(400, "the delivery has no data.events array", state_text.to_string());
    };
    let subscribed = crate::actions::event_hooks::event_types(input.items.as_deref(), input.dynamic_items.clone())
        .unwrap_or_default();
    let now = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    for seen in st.seen.iter_mut().filter(|s| s.1 == 0) {
        seen.1 = now;
    }
    // A clock set back keeps what it remembers (its age counts as zero).
    st.seen.retain(|s| now.saturating_sub(s.1) < SEEN_FOR.as_secs());
    let mut known: HashSet<String> = st.seen.iter().map(|s| s.0.clone()).collect();
    let mut emitted = Vec::new();
    for event in events {
        let Some(uuid) = event.get("uuid").and_then(Value::as_str) else { continue };
        let kind = event.get("eventType").and_then(Value::as_str).unwrap_or("");
        if !subscribed.is_empty() && !subscribed.iter().any(|t| t == kind) {
            continue;
        }
        if !known.insert(uuid.to_string()) {
            continue;
        }
        st.seen.push(Seen(uuid.to_string(), now));
        emitted.push(event.clone());
    }
    // The oldest go first, until at most SEEN_MAX uuids of at most SEEN_BYTES remain.
    let mut first_kept = st.seen.len().saturating_sub(SEEN_MAX);
    let mut bytes: usize = st.seen[first_kept..].iter().map(Seen::state_bytes).sum();
    while bytes > SEEN_BYTES && first_kept < st.seen.len() {
        bytes -= st.seen[first_kept].state_bytes();
        first_kept += 1;
    }
    st.seen.drain(..first_kept);
    reception(200, "", emitted, state::encode(&st))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;

    fn request(method: &str, headers: &[(&str, &str)], body: &str) -> IncomingRequest {
        IncomingRequest {
            method: method.into(),
            headers: headers.iter().map(|(k, v)| KeyValue { key: k.to_string(), value: v.to_string() }).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn state() -> String {
        state::encode(&HookState {
            v: 1,
            hook: "who1".into(),
            url: "https://h".into(),
            secret: "s3cret-s3cret".into(),
            seen: vec![],
        })
    }

    fn delivery(uuids: &[(&str, &str)]) -> String {
        let events: Vec<Value> = uuids.iter().map(|(u, t)| json!({ "uuid": u, "eventType": t })).collect();
        json!({ "eventType": "com.okta.event_hook", "data": { "events": events } }).to_string()
    }

    #[test]
    fn every_case_of_receive() {
        let input = EventHookTriggerInput::from_json(r#"{"items":["user.lifecycle.create"]}"#).unwrap();
        let st = state();
        let r = receive(&input, &st, request("GET", &[("X-Okta-Verification-Challenge", "abc")], ""));
        assert_eq!((r.status, r.body.as_str()), (200, r#"{"verification":"abc"}"#));

        for headers in [vec![], vec![(AUTH_HEADER, "wrong-secret")], vec![(AUTH_HEADER, "s3cret-s3cret-longer")]] {
            let r = receive(&input, &st, request("POST", &headers, &delivery(&[("u1", "user.lifecycle.create")])));
            assert_eq!((r.status, r.events.as_str()), (401, "[]"));
        }
        let ok = [(AUTH_HEADER, "s3cret-s3cret")];
        let body = delivery(&[
            ("u1", "user.lifecycle.create"),
            ("u2", "group.lifecycle.create"),
            ("u3", "user.lifecycle.create"),
        ]);
        let r = receive(&input, &st, request("POST", &ok, &body));
        assert_eq!(r.status, 200);
        let events: Vec<Value> = serde_json::from_str(&r.events).unwrap();
        assert_eq!(
            events.iter().map(|e| e["uuid"].as_str().unwrap()).collect::<Vec<_>>(),
            ["u1", "u3"],
            "one per event, subscribed only"
        );
        // Redelivered: nothing twice.
        let again = receive(
            &input,
            &r.state,
            request("POST", &ok, &delivery(&[("u3", "user.lifecycle.create"), ("u4", "user.lifecycle.create")])),
        );
        let events: Vec<Value> = serde_json::from_str(&again.events).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["uuid"], "u4");

        assert_eq!(receive(&input, &st, request("POST", &ok, "{oops")).status, 400);
        assert_eq!(receive(&input, &st, request("POST", &ok, r#"{"data":{}}"#)).status, 400);
        let huge = format!(r#"{{"data":{{"events":[]}},"pad":"{}"}}"#, "x".repeat(MAX_BODY));
        assert_eq!(receive(&input, &st, request("POST", &ok, &huge)).status, 413);
        assert_eq!(receive(&input, &st, request("PUT", &ok, "{}")).status, 405);
    }

    fn uuids(r: &HookReception) -> Vec<String> {
        let events: Vec<Value> = serde_json::from_str(&r.events).unwrap();
        events.iter().map(|e| e["uuid"].as_str().unwrap().to_string()).collect()
    }

    #[test]
    fn a_redelivery_is_recognised_for_five_minutes_whatever_came_between() {
        let input = EventHookTriggerInput::from_json("{}").unwrap();
        let ok = [(AUTH_HEADER, "s3cret-s3cret")];
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        let first = receive_at(&input, &state(), request("POST", &ok, &delivery(&[("late", "t")])), t0);
        assert_eq!(uuids(&first), ["late"]);
        // 5 000 other events, then the copy of the first, 4 min 59 s later: not again.
        let mut st = first.state;
        for batch in 0..10 {
            let names: Vec<String> = (0..500).map(|i| format!("other-{batch}-{i}")).collect();
            let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "t")).collect();
            let r = receive_at(&input, &st, request("POST", &ok, &delivery(&pairs)), at(10 + batch));
            assert_eq!(uuids(&r).len(), 500);
            st = r.state;
        }
        assert!(st.len() < 512 * 1024 / 2, "{} bytes of state", st.len());
        let copy = receive_at(&input, &st, request("POST", &ok, &delivery(&[("late", "t")])), at(299));
        assert!(uuids(&copy).is_empty(), "recognised within the window");
        // After five minutes it is forgotten (Okta redelivers once, about 3 s later).
        let later = receive_at(&input, &st, request("POST", &ok, &delivery(&[("late", "t")])), at(300));
        assert_eq!(uuids(&later), ["late"]);
        // A clock set back forgets nothing.
        let back =
            receive_at(&input, &st, request("POST", &ok, &delivery(&[("late", "t")])), at(0) - Duration::from_secs(60));
        assert!(uuids(&back).is_empty());
    }

    #[test]
    fn at_most_8000_uuids_are_remembered_and_the_oldest_go_first() {
        let input = EventHookTriggerInput::from_json("{}").unwrap();
        let ok = [(AUTH_HEADER, "s3cret-s3cret")];
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let names: Vec<String> = (0..SEEN_MAX + 1).map(|i| format!("e{i}")).collect();
        let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "t")).collect();
        let r = receive_at(&input, &state(), request("POST", &ok, &delivery(&pairs)), now);
        assert_eq!(uuids(&r).len(), SEEN_MAX + 1);
        let st = state::decode::<HookState>(Some(&r.state)).unwrap().unwrap();
        assert_eq!(st.seen.len(), SEEN_MAX);
        let again = receive_at(&input, &r.state, request("POST", &ok, &delivery(&[("e0", "t"), ("e1", "t")])), now);
        assert_eq!(uuids(&again), ["e0"], "the oldest was forgotten, the next one not");
    }

    #[test]
    fn long_uuids_keep_the_state_under_its_cap() {
        let input = EventHookTriggerInput::from_json("{}").unwrap();
        let ok = [(AUTH_HEADER, "s3cret-s3cret")];
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut st = state();
        for batch in 0..4 {
            // 600 bytes each, 2 400 in the state (escaped).
            let names: Vec<String> = (0..300).map(|i| format!("{batch}-{i}-{}", "\u{1}\"".repeat(300))).collect();
            let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "t")).collect();
            let r = receive_at(&input, &st, request("POST", &ok, &delivery(&pairs)), now);
            assert_eq!((r.status, uuids(&r).len()), (200, 300));
            st = r.state;
            assert!(st.len() < 512 * 1024, "{} bytes of state", st.len());
        }
        // The next delivery still reads the state, and the newest uuids are remembered.
        let newest = format!("3-299-{}", "\u{1}\"".repeat(300));
        let r = receive_at(&input, &st, request("POST", &ok, &delivery(&[(&newest, "t")])), now);
        assert_eq!(r.status, 200);
        assert!(uuids(&r).is_empty());
    }

    #[test]
    fn uuids_remembered_without_a_time_count_from_now() {
        let input = EventHookTriggerInput::from_json("{}").unwrap();
        let ok = [(AUTH_HEADER, "s3cret-s3cret")];
        let old = r#"{"v":1,"hook":"who1","url":"https://h","secret":"s3cret-s3cret","seen":["u1","u2"]}"#;
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let r = receive_at(&input, old, request("POST", &ok, &delivery(&[("u1", "t"), ("u3", "t")])), now);
        assert_eq!(uuids(&r), ["u3"]);
        assert!(r.state.contains(r#"["u2",1800000000]"#), "{}", r.state);
    }

    #[test]
    fn the_state_prints_without_its_secret() {
        let st = state::decode::<HookState>(Some(&state())).unwrap().unwrap();
        let shown = format!("{st:?}");
        assert!(!shown.contains("s3cret-s3cret") && shown.contains("who1"), "{shown}");
    }
}
