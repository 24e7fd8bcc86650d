//! Native tests of what actions send: a [`Flow`] driven against scripted answers, each request
//! compared with the one expected, in order.

use super::request::{Answer, Expect, Flow, Request};
use crate::error::{Error, OktaError};

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
