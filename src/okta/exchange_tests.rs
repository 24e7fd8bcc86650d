//! The retry loop and the rate-limit waits of [`Okta::exchange`], on a scripted wire and clock:
//! each case asserts every request sent and every wait, in order, and the result.

use super::auth::{Auth, Secret};
use super::config::Config;
use super::domain;
use super::request::{Method, Request};
use super::retry::Custom;
use super::testing::{on, Reply, Script, SCRIPT_EPOCH};
use super::transport::TransportError;
use super::Okta;
use crate::error::Error;
use std::rc::Rc;
use std::time::Duration;

const S: fn(u64) -> Duration = Duration::from_secs;
const MS: fn(u64) -> Duration = Duration::from_millis;

/// `Date` of every scripted answer: the script's wall clock when it starts.
const DATE: &str = "Tue, 14 Nov 2023 22:13:20 GMT";

fn okta(org: &str, config: Config, script: &Rc<Script>) -> Okta {
    let origin = domain::parse(&format!("{org}.okta.com")).unwrap();
    Okta::with_transport(origin, Auth::ApiToken(Secret::new("test-token")), config, script.clone())
}

/// A 429 with the bucket's headers, the reset `reset_in` seconds after `Date`.
fn rate_limited(reply: Reply, limit: u64, reset_in: u64) -> Reply {
    reply
        .okta_error(429, "E0000047")
        .header("date", DATE)
        .header("x-rate-limit-limit", &limit.to_string())
        .header("x-rate-limit-remaining", "0")
        .header("x-rate-limit-reset", &(SCRIPT_EPOCH + reset_in).to_string())
}

/// The result as a short line: the status of the answer returned, or the error's kind.
fn outcome(result: &Result<u16, Error>) -> String {
    match result {
        Ok(status) => status.to_string(),
        Err(Error::Okta(e)) => format!("okta {}", e.status),
        Err(Error::Transport(_)) => "transport".into(),
        Err(Error::TooLarge(_)) => "too large".into(),
        Err(other) => format!("{other:?}"),
    }
}

fn message(result: &Result<u16, Error>) -> String {
    match result {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

struct Case {
    name: &'static str,
    method: Method,
    retry: Option<Custom>,
    timeout: Option<Duration>,
    config: Config,
    /// The answers, in order, each made from the expected request.
    answers: Vec<fn(Reply) -> Reply>,
    /// Requests (`GET`/`POST` + the case's URL, shortened to the method) and waits, in order.
    timeline: Vec<&'static str>,
    outcome: &'static str,
    /// A part of the error's text, when it matters.
    says: &'static str,
}

fn case(name: &'static str, method: Method) -> Case {
    Case {
        name,
        method,
        retry: None,
        timeout: None,
        config: Config::default(),
        answers: Vec::new(),
        timeline: Vec::new(),
        outcome: "",
        says: "",
    }
}

impl Case {
    fn answers<const N: usize>(mut self, answers: [fn(Reply) -> Reply; N]) -> Case {
        self.answers = answers.to_vec();
        self
    }
    fn then(mut self, timeline: &[&'static str], outcome: &'static str) -> Case {
        self.timeline = timeline.to_vec();
        self.outcome = outcome;
        self
    }
    fn says(mut self, text: &'static str) -> Case {
        self.says = text;
        self
    }
    fn retry(mut self, custom: Custom) -> Case {
        self.retry = Some(custom);
        self
    }
}

fn ok(r: Reply) -> Reply {
    r.body(r#"{"id":"00u1"}"#)
}
fn e500(r: Reply) -> Reply {
    r.okta_error(500, "E0000009")
}
fn e503(r: Reply) -> Reply {
    r.okta_error(503, "E0000010")
}
fn e404(r: Reply) -> Reply {
    r.okta_error(404, "E0000007")
}
fn busy(r: Reply) -> Reply {
    r.okta_error(409, "E0000112")
}
fn reset_in_20(r: Reply) -> Reply {
    rate_limited(r, 600, 20)
}
fn reset_in_5(r: Reply) -> Reply {
    rate_limited(r, 600, 5)
}
fn reset_in_an_hour(r: Reply) -> Reply {
    rate_limited(r, 600, 3600)
}
fn concurrency(r: Reply) -> Reply {
    rate_limited(r, 0, 60)
}
fn refused(r: Reply) -> Reply {
    r.fails(TransportError::Failed("the connection was refused".into()))
}
fn timed_out(r: Reply) -> Reply {
    r.fails(TransportError::TimedOut("timed out waiting for the answer".into()))
}
fn too_large(r: Reply) -> Reply {
    r.fails(TransportError::TooLarge(16 << 20))
}
fn found(r: Reply) -> Reply {
    r.status(302).header("location", "https://elsewhere.example.com/")
}
fn e503_slow(r: Reply) -> Reply {
    e503(r).takes(MS(9_800))
}
fn e503_9s(r: Reply) -> Reply {
    e503(r).takes(S(9))
}
fn e503_1s(r: Reply) -> Reply {
    e503(r).takes(S(1))
}

fn custom(max_retries: u32, all_errors: bool) -> Custom {
    Custom { max_retries, delay: MS(250), exponential: false, all_errors }
}

#[test]
fn the_retry_loop() {
    use Method::{Get, Post};
    let short_budget = Config { retry_budget: S(1), ..Config::default() };
    let short_deadline = Config { action_deadline: S(10), ..Config::default() };
    #[rustfmt::skip]
    let cases = vec![
        case("a success is returned at once", Get).answers([ok])
            .then(&["GET"], "200"),
        case("a 429 waits for the reset by the server's clock, plus a second", Get).answers([reset_in_20, ok])
            .then(&["GET", "sleep 21s", "GET"], "200"),
        case("a 429 on a POST is retried too: Okta did not process it", Post).answers([reset_in_5, ok])
            .then(&["POST", "sleep 6s", "POST"], "200"),
        case("a concurrency 429 backs off instead of waiting for its reset", Get).answers([concurrency, concurrency, ok])
            .then(&["GET", "sleep 500ms", "GET", "sleep 1s", "GET"], "200"),
        case("a 429 whose reset is beyond the budget is not waited, and says so", Get).answers([reset_in_an_hour])
            .then(&["GET"], "okta 429").says("resets in 3600 s"),
        case("5xx on a GET backs off, doubling", Get).answers([e503, e500, ok])
            .then(&["GET", "sleep 500ms", "GET", "sleep 1s", "GET"], "200"),
        case("5xx on a POST is final: it may have been applied", Post).answers([e500])
            .then(&["POST"], "okta 500"),
        case("Okta still changing a user's state: a POST is retried", Post).answers([busy, ok])
            .then(&["POST", "sleep 500ms", "POST"], "200"),
        case("a 404 is final", Get).answers([e404])
            .then(&["GET"], "okta 404"),
        case("a transport error on a GET is retried", Get).answers([refused, ok])
            .then(&["GET", "sleep 500ms", "GET"], "200"),
        case("a transport error on a POST is final", Post).answers([refused])
            .then(&["POST"], "transport").says("refused"),
        case("an answer over the cap is final", Get).answers([too_large])
            .then(&["GET"], "too large").says("16 MiB"),
        case("attempts run out after four", Get).answers([e503, e503, timed_out, e503])
            .then(&["GET", "sleep 500ms", "GET", "sleep 1s", "GET", "sleep 2s", "GET"], "okta 503"),
        Case { config: short_budget, ..case("the retry budget runs out", Get).answers([e503, e503])
            .then(&["GET", "sleep 500ms", "GET"], "okta 503") },
        Case { config: short_deadline, ..case("no wait runs past the action's deadline", Get).answers([e503_slow])
            .then(&["GET"], "okta 503") },
        Case { config: short_deadline, ..case("waits fit the deadline until one does not", Get).answers([e503_9s, e503_1s])
            .then(&["GET", "sleep 500ms", "GET"], "okta 503") },
        Case { timeout: Some(S(2)), ..case("a timeout names the request's Timeout", Get).answers([timed_out, timed_out, timed_out, timed_out])
            .then(&["GET", "sleep 500ms", "GET", "sleep 1s", "GET", "sleep 2s", "GET"], "transport")
            .says("(the request's Timeout is 2000 ms)") },
        case("Retry On All Errors retries a POST's 404 with the delay", Post).retry(custom(2, true)).answers([e404, e404, e404])
            .then(&["POST", "sleep 250ms", "POST", "sleep 250ms", "POST"], "okta 404"),
        case("custom retries leave a POST's 500 alone without All Errors", Post).retry(custom(2, false)).answers([e500])
            .then(&["POST"], "okta 500"),
        case("custom retries retry a GET's 500", Get).retry(custom(1, false)).answers([e500, ok])
            .then(&["GET", "sleep 250ms", "GET"], "200"),
        case("custom retries still wait out a 429, even with none allowed", Post).retry(custom(0, false)).answers([reset_in_5, ok])
            .then(&["POST", "sleep 6s", "POST"], "200"),
        case("a redirect is returned as it came", Get).answers([found])
            .then(&["GET"], "302"),
        case("Retry On All Errors retries a redirect", Get).retry(custom(1, true)).answers([found, ok])
            .then(&["GET", "sleep 250ms", "GET"], "200"),
        case("the last redirect is returned when the retries run out", Get).retry(custom(1, true)).answers([found, found])
            .then(&["GET", "sleep 250ms", "GET"], "302"),
    ];
    for (i, c) in cases.into_iter().enumerate() {
        // An org per case: spent rate-limit buckets are remembered per org for the instance.
        let org = format!("retry-{i}");
        let url = format!("https://{org}.okta.com/api/v1/users/00u1");
        let script = Script::new(c.answers.iter().map(|answer| answer(on(c.method.as_str(), &url))));
        let okta = okta(&org, c.config, &script);
        let mut request = Request::new(c.method, "/api/v1/users/00u1");
        request.retry = c.retry;
        request.timeout = c.timeout;
        if c.method == Method::Post {
            request = request.json(&serde_json::json!({"profile": {}}));
        }
        let result = okta.run(request.send_raw()).map(|r| r.status);

        let want: Vec<String> = c
            .timeline
            .iter()
            .map(|t| if t.starts_with("sleep") { t.to_string() } else { format!("{t} {url}") })
            .collect();
        assert_eq!(script.timeline(), want, "{}", c.name);
        script.assert_done();
        assert_eq!(outcome(&result), c.outcome, "{}: {result:?}", c.name);
        assert!(message(&result).contains(c.says), "{}: {result:?}", c.name);
        for (n, (sent, limits)) in script.sent().iter().enumerate() {
            let header = |name| script.header(n, name);
            assert_eq!(header("authorization").as_deref(), Some("SSWS test-token"), "{}", c.name);
            assert_eq!(header("accept").as_deref(), Some("application/json"), "{}", c.name);
            assert_eq!(header("user-agent").as_deref(), Some(super::client::USER_AGENT), "{}", c.name);
            let json = (c.method == Method::Post).then_some("application/json");
            assert_eq!(header("content-type").as_deref(), json, "{}", c.name);
            assert_eq!(sent.body.is_some(), c.method == Method::Post, "{}", c.name);
            if let Some(timeout) = c.timeout {
                assert!(limits.first_byte_timeout <= timeout && limits.connect_timeout <= timeout, "{}", c.name);
            }
        }
    }
}

fn remaining_zero(url: &str, reset_in: u64) -> Reply {
    on("GET", url)
        .body("{}")
        .header("date", DATE)
        .header("x-rate-limit-limit", "600")
        .header("x-rate-limit-remaining", "0")
        .header("x-rate-limit-reset", &(SCRIPT_EPOCH + reset_in).to_string())
}

#[test]
fn remaining_zero_makes_the_next_call_in_that_bucket_wait() {
    let users = "https://bucket-wait.okta.com/api/v1/users/00u1";
    let groups = "https://bucket-wait.okta.com/api/v1/groups/00g1";
    let script = Script::new([
        remaining_zero(users, 30),
        on("GET", groups).body("{}"),
        on("GET", users).body("{}"),
        on("GET", users).body("{}"),
    ]);
    let okta = okta("bucket-wait", Config::default(), &script);
    for path in ["/api/v1/users/00u1", "/api/v1/groups/00g1", "/api/v1/users/00u1", "/api/v1/users/00u1"] {
        okta.run(Request::get(path).send_object()).unwrap();
    }
    assert_eq!(
        script.timeline(),
        [
            &format!("GET {users}"),
            &format!("GET {groups}"),
            "sleep 31s",
            &format!("GET {users}"),
            &format!("GET {users}")
        ],
        "another bucket goes at once; the spent one waits for its reset once, then is forgotten"
    );
    script.assert_done();
}

#[test]
fn a_bucket_spent_beyond_the_budget_fails_without_sending() {
    let users = "https://bucket-spent.okta.com/api/v1/users/00u1";
    let script = Script::new([remaining_zero(users, 3600)]);
    let okta = okta("bucket-spent", Config::default(), &script);
    okta.run(Request::get("/api/v1/users/00u1").send_object()).unwrap();
    let second = okta.run(Request::get("/api/v1/users/00u2").send_object());
    match second {
        Err(Error::Okta(e)) => {
            assert_eq!(e.status, 429);
            assert!(e.summary.contains("/api/v1/users is spent for another 3601 s"), "{}", e.summary);
            assert!(e.summary.contains("nothing was sent"), "{}", e.summary);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(script.timeline(), [format!("GET {users}")], "the second request never went out");
}
