//! Creates whose answer is lost. The core never repeats a `POST` (Okta may have applied it),
//! so a create whose answer never came (the connection dropped after the request went out,
//! or timed out) would leave the caller guessing. Create User and Create Group instead look
//! the object up by its unique key (login, name) and:
//! - return it when it was created during this action: its `created` is not before the
//!   action began, on Okta's clock (the lookup's `Date` less the time the action has run,
//!   less a second for `Date`'s granularity), so the two clocks never need to agree;
//! - report the conflict when it existed before (someone else made it);
//! - otherwise send the create once more, and look once more if that answer is lost too.

use crate::error::{Error, OktaError};
use crate::okta::transport::HttpResponse;
use crate::okta::{Flow, Request};
use crate::timestamp::parse_iso;
use serde_json::Value;
use std::rc::Rc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// How to find what a create would have made.
pub struct Lookup {
    /// The `GET` that finds the object (a 404 means there is none).
    pub request: Request,
    /// The object in the lookup's answer, if it is there.
    pub pick: fn(&Value, &str) -> Option<Value>,
    /// The unique key (`pick`'s second argument).
    pub key: String,
    /// What it is, for messages: `user with login a@b.c`.
    pub what: String,
}

/// When the action began.
#[derive(Clone, Copy)]
struct Began {
    at: Instant,
    wall_ms: i64,
}

impl Began {
    fn now() -> Began {
        let wall_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        Began { at: Instant::now(), wall_ms }
    }

    /// The action's start on the server's clock, from an answer's `Date` (this instance's
    /// clock when there is none), a second early for `Date`'s whole seconds.
    fn on_server_clock(&self, answer: &HttpResponse) -> i64 {
        let ran = self.at.elapsed().as_millis() as i64;
        let date = answer.header("date").and_then(|d| httpdate::parse_http_date(d.trim()).ok());
        match date.and_then(|d| d.duration_since(UNIX_EPOCH).ok()) {
            Some(d) => d.as_millis() as i64 - ran - 1000,
            None => self.wall_ms - 1000,
        }
    }
}

/// Sends `create`; when its answer is lost, finds out what happened with `lookup`.
pub fn create_once(create: Request, lookup: Lookup) -> Flow<String> {
    let began = Began::now();
    let again = create.clone();
    create.send_object().then(move |result| match result {
        Err(Error::Transport(lost)) => look(Rc::new(lookup), began, lost, Some(again)),
        other => Flow::from_result(other),
    })
}

fn look(lookup: Rc<Lookup>, began: Began, lost: String, retry: Option<Request>) -> Flow<String> {
    lookup.request.clone().send_raw().then(move |answer| {
        let found = match &answer {
            Ok(response) if (200..300).contains(&response.status) => serde_json::from_slice::<Value>(&response.body)
                .ok()
                .and_then(|body| (lookup.pick)(&body, &lookup.key))
                .map(|object| (object, began.on_server_clock(response))),
            Ok(response) => {
                return Flow::fail(Error::Transport(format!(
                    "{lost}; looking up the {} was answered {}, so whether it was created is unknown: look for it before creating it again",
                    lookup.what, response.status
                )))
            }
            Err(e) if e.status() == Some(404) => None,
            Err(e) => {
                return Flow::fail(Error::Transport(format!(
                    "{lost}; looking up the {} failed too ({e}), so whether it was created is unknown: look for it before creating it again",
                    lookup.what
                )))
            }
        };
        match found {
            Some((object, began_ms)) => {
                let created = object.get("created").and_then(Value::as_str).unwrap_or("");
                match parse_iso(created) {
                    Some(ms) if ms >= began_ms => Flow::done(object.to_string()),
                    _ => Flow::fail(conflict(&lookup.what, created)),
                }
            }
            None => match retry {
                Some(create) => create.send_object().then(move |result| match result {
                    Err(Error::Transport(lost)) => look(lookup, began, lost, None),
                    other => Flow::from_result(other),
                }),
                None => Flow::fail(Error::Transport(format!(
                    "{lost}; the create was sent twice without an answer and the {} does not exist: nothing was created",
                    lookup.what
                ))),
            },
        }
    })
}

/// Okta's own answer to a duplicate, saying what was found.
fn conflict(what: &str, created: &str) -> Error {
    Error::Okta(Box::new(OktaError {
        status: 400,
        code: Some("E0000001".into()),
        summary: format!(
            "the {what} already exists (created {created}, before this action began): the create's answer was lost and the lookup found that one, so nothing was created"
        ),
        causes: vec![format!("{what}: An object with this field already exists in the current organization")],
        ..OktaError::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::request::{Answer, Expect};
    use crate::okta::testing::{drive, expect};
    use serde_json::json;

    fn pick(body: &Value, key: &str) -> Option<Value> {
        (body.get("name").and_then(Value::as_str) == Some(key)).then(|| body.clone())
    }

    fn lookup() -> Lookup {
        Lookup { request: Request::get("/api/v1/things/x"), pick, key: "x".into(), what: "thing named x".into() }
    }

    /// A lookup answer dated now on a server clock an hour ahead of ours.
    fn found(created_secs_before_date: i64) -> Answer {
        let date = SystemTime::now() + std::time::Duration::from_secs(3600);
        let date_ms = date.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64 / 1000 * 1000;
        let created = crate::timestamp::iso(
            UNIX_EPOCH + std::time::Duration::from_millis((date_ms - created_secs_before_date * 1000) as u64),
        );
        Answer::Raw(HttpResponse {
            status: 200,
            headers: vec![("date".into(), httpdate::fmt_http_date(date))],
            body: json!({"id": "t1", "name": "x", "created": created}).to_string().into_bytes(),
        })
    }

    fn create() -> Request {
        Request::post("/api/v1/things").json(&json!({"name": "x"}))
    }

    #[test]
    fn applied_then_lost_returns_what_was_created() {
        let out = drive(
            create_once(create(), lookup()),
            vec![
                expect("POST", "/api/v1/things").body(json!({"name": "x"})).lost(),
                expect("GET", "/api/v1/things/x").reads(Expect::Raw).answer(found(0)),
            ],
        )
        .unwrap();
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["id"], "t1");
    }

    #[test]
    fn lost_before_applied_is_sent_once_more() {
        let out = drive(
            create_once(create(), lookup()),
            vec![
                expect("POST", "/api/v1/things").body(json!({"name": "x"})).lost(),
                expect("GET", "/api/v1/things/x").fails(404, "E0000007"),
                expect("POST", "/api/v1/things").body(json!({"name": "x"})).answer_json(r#"{"id":"t2"}"#),
            ],
        )
        .unwrap();
        assert_eq!(out, r#"{"id":"t2"}"#);
    }

    #[test]
    fn one_that_existed_before_is_a_conflict() {
        let e = drive(
            create_once(create(), lookup()),
            vec![
                expect("POST", "/api/v1/things").body(json!({"name": "x"})).lost(),
                expect("GET", "/api/v1/things/x").answer(found(600)),
            ],
        )
        .unwrap_err();
        assert!(matches!(&e, Error::Okta(o) if o.status == 400 && o.code.as_deref() == Some("E0000001")), "{e:?}");
        assert!(e.to_string().contains("before this action began"), "{e}");
    }

    #[test]
    fn lost_twice_looks_twice_and_never_sends_a_third() {
        let e = drive(
            create_once(create(), lookup()),
            vec![
                expect("POST", "/api/v1/things").body(json!({"name": "x"})).lost(),
                expect("GET", "/api/v1/things/x").fails(404, "E0000007"),
                expect("POST", "/api/v1/things").body(json!({"name": "x"})).lost(),
                expect("GET", "/api/v1/things/x").fails(404, "E0000007"),
            ],
        )
        .unwrap_err();
        assert!(matches!(&e, Error::Transport(m) if m.contains("nothing was created")), "{e:?}");
        let out = drive(
            create_once(create(), lookup()),
            vec![
                expect("POST", "/api/v1/things").body(json!({"name": "x"})).lost(),
                expect("GET", "/api/v1/things/x").fails(404, "E0000007"),
                expect("POST", "/api/v1/things").body(json!({"name": "x"})).lost(),
                expect("GET", "/api/v1/things/x").answer(found(1)),
            ],
        )
        .unwrap();
        assert!(out.contains("t1"));
    }

    #[test]
    fn a_failed_lookup_says_the_outcome_is_unknown() {
        let e = drive(
            create_once(create(), lookup()),
            vec![
                expect("POST", "/api/v1/things").body(json!({"name": "x"})).lost(),
                expect("GET", "/api/v1/things/x").fails(403, "E0000006"),
            ],
        )
        .unwrap_err();
        assert!(matches!(&e, Error::Transport(m) if m.contains("unknown")), "{e:?}");
    }

    #[test]
    fn other_answers_are_final() {
        let e = drive(
            create_once(create(), lookup()),
            vec![expect("POST", "/api/v1/things").body(json!({"name": "x"})).fails(500, "E0000009")],
        )
        .unwrap_err();
        assert_eq!(e.status(), Some(500), "an answer, even a 5xx, is not a lost answer");
    }
}
