//! Native tests without a host. [`drive`]: what actions send, a [`Flow`] driven against
//! scripted answers, each request compared with the one expected, in order. [`Script`]: the
//! core itself (retries, pagination, rate-limit waits, token renewal) on a scripted wire and
//! clock.

use super::request::{Answer, Expect, Flow, Request};
use super::transport::{HttpRequest, HttpResponse, Limits, Transport, TransportError};
use crate::error::{Error, OktaError};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// One expected request and the answer it gets.
pub struct Step {
    pub method: &'static str,
    /// Path and query as sent (`/api/v1/users?limit=200`), query form-encoded.
    pub target: String,
    pub body: Option<serde_json::Value>,
    pub expect: Option<Expect>,
    pub answer: Result<Answer, Error>,
}

pub fn expect(method: &'static str, target: &str) -> Step {
    Step { method, target: target.to_string(), body: None, expect: None, answer: Ok(Answer::Empty) }
}

impl Step {
    pub fn body(mut self, body: serde_json::Value) -> Step {
        self.body = Some(body);
        self
    }
    pub fn reads(mut self, expect: Expect) -> Step {
        self.expect = Some(expect);
        self
    }
    pub fn answer_json(mut self, json: &str) -> Step {
        self.answer = Ok(Answer::Json(json.to_string()));
        self
    }
    pub fn answer(mut self, answer: Answer) -> Step {
        self.answer = Ok(answer);
        self
    }
    /// No answer: the connection dropped after the request went out.
    pub fn lost(mut self) -> Step {
        self.answer = Err(Error::Transport("the connection was closed before a complete answer".into()));
        self
    }
    pub fn fails(mut self, status: u16, code: &str) -> Step {
        self.answer = Err(Error::Okta(Box::new(OktaError {
            status,
            code: Some(code.to_string()),
            summary: format!("{code} from the script"),
            ..OktaError::default()
        })));
        self
    }
}

/// `/path?a=1&b=2` as the core would send it.
pub fn target(request: &Request) -> String {
    if request.query.is_empty() {
        return request.path.clone();
    }
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&request.query).finish();
    format!("{}?{query}", request.path)
}

/// Drives `flow` through `steps`; panics on the first request that differs, or on steps left
/// over. Returns the flow's result.
pub fn drive<T: 'static>(mut flow: Flow<T>, steps: Vec<Step>) -> Result<T, Error> {
    let mut steps = steps.into_iter();
    loop {
        match flow.step() {
            Ok(result) => {
                let left: Vec<String> = steps.map(|s| format!("{} {}", s.method, s.target)).collect();
                assert!(left.is_empty(), "requests never sent: {left:?}");
                return result;
            }
            Err((request, expect, next)) => {
                let sent = format!("{} {}", request.method.as_str(), target(&request));
                let step = steps.next().unwrap_or_else(|| panic!("unexpected request {sent}"));
                assert_eq!(sent, format!("{} {}", step.method, step.target), "request differs");
                let body = match &request.body {
                    super::request::Body::Json(b) => Some(serde_json::from_slice::<serde_json::Value>(b).unwrap()),
                    _ => None,
                };
                assert_eq!(body, step.body, "body of {sent}");
                if let Some(want) = &step.expect {
                    assert_eq!(&expect, want, "how {sent} is read");
                }
                flow = next(step.answer);
            }
        }
    }
}

/// The wall clock of a [`Script`] when it starts: 2023-11-14T22:13:20Z.
pub const SCRIPT_EPOCH: u64 = 1_700_000_000;

/// A scripted org and clock ([`Transport`]). Each request must be the next one the script
/// expects (method and URL), which answers it; any other request fails the test. Time moves
/// only when the core sleeps, or by what an answer says it took; the wall clock starts at
/// [`SCRIPT_EPOCH`], so waits (jitter included) are exact.
#[derive(Debug)]
pub struct Script {
    replies: RefCell<VecDeque<Reply>>,
    sent: RefCell<Vec<(HttpRequest, Limits)>>,
    timeline: RefCell<Vec<String>>,
    started: Instant,
    elapsed: Cell<Duration>,
}

/// One expected request and its answer.
#[derive(Debug)]
pub struct Reply {
    method: &'static str,
    url: String,
    answer: Result<HttpResponse, TransportError>,
    takes: Duration,
}

/// Expects `method url` next; answers 200 with an empty body unless told otherwise.
pub fn on(method: &'static str, url: &str) -> Reply {
    Reply {
        method,
        url: url.to_string(),
        answer: Ok(HttpResponse { status: 200, headers: Vec::new(), body: Vec::new() }),
        takes: Duration::ZERO,
    }
}

impl Reply {
    pub fn status(mut self, status: u16) -> Reply {
        if let Ok(r) = &mut self.answer {
            r.status = status;
        }
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Ok(r) = &mut self.answer {
            r.headers.push((name.to_ascii_lowercase(), value.to_string()));
        }
        self
    }
    pub fn body(mut self, body: &str) -> Reply {
        if let Ok(r) = &mut self.answer {
            r.body = body.as_bytes().to_vec();
        }
        self
    }
    /// Okta's error body for `code`.
    pub fn okta_error(self, status: u16, code: &str) -> Reply {
        self.status(status).body(&format!(r#"{{"errorCode":"{code}","errorSummary":"{code} from the script"}}"#))
    }
    /// No answer: the transport fails this way.
    pub fn fails(mut self, error: TransportError) -> Reply {
        self.answer = Err(error);
        self
    }
    /// The exchange takes this long on the script's clock.
    pub fn takes(mut self, time: Duration) -> Reply {
        self.takes = time;
        self
    }
}

impl Script {
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Rc<Script> {
        Rc::new(Script {
            replies: RefCell::new(replies.into_iter().collect()),
            sent: RefCell::new(Vec::new()),
            timeline: RefCell::new(Vec::new()),
            started: Instant::now(),
            elapsed: Cell::new(Duration::ZERO),
        })
    }

    /// What happened, in order: `GET https://…` per request, `sleep 1.5s` per wait.
    pub fn timeline(&self) -> Vec<String> {
        self.timeline.borrow().clone()
    }

    /// The requests sent, with the limits each went out under.
    pub fn sent(&self) -> Vec<(HttpRequest, Limits)> {
        self.sent.borrow().clone()
    }

    /// Header `name` of the `i`th request sent.
    pub fn header(&self, i: usize, name: &str) -> Option<String> {
        let sent = self.sent.borrow();
        let (request, _) = sent.get(i)?;
        request.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    }

    /// The body of the `i`th request sent, as text.
    pub fn body(&self, i: usize) -> String {
        let sent = self.sent.borrow();
        String::from_utf8_lossy(sent[i].0.body.as_deref().unwrap_or_default()).into_owned()
    }

    /// Fails the test if an expected request was never sent.
    pub fn assert_done(&self) {
        let left: Vec<String> = self.replies.borrow().iter().map(|r| format!("{} {}", r.method, r.url)).collect();
        assert!(left.is_empty(), "requests never sent: {left:?}\ntimeline: {:#?}", self.timeline());
    }
}

impl Transport for Script {
    fn send(&self, request: &HttpRequest, limits: &Limits) -> Result<HttpResponse, TransportError> {
        let line = format!("{} {}", request.method, request.url);
        self.timeline.borrow_mut().push(line.clone());
        self.sent.borrow_mut().push((request.clone(), *limits));
        let Some(reply) = self.replies.borrow_mut().pop_front() else {
            panic!("unexpected request {line}\ntimeline: {:#?}", self.timeline());
        };
        assert_eq!(line, format!("{} {}", reply.method, reply.url), "timeline: {:#?}", self.timeline());
        self.elapsed.set(self.elapsed.get() + reply.takes);
        reply.answer
    }
    fn now(&self) -> Instant {
        self.started + self.elapsed.get()
    }
    fn wall_clock(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(SCRIPT_EPOCH) + self.elapsed.get()
    }
    fn sleep(&self, wait: Duration) {
        self.timeline.borrow_mut().push(format!("sleep {wait:?}"));
        self.elapsed.set(self.elapsed.get() + wait);
    }
}
