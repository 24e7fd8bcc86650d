//! What an action hands the core: requests as data, and [`Flow`]s that say what to send next
//! given the previous answer. Nothing here performs I/O, so an action's requests can be
//! asserted in a native unit test (`okta::testing`) and the core alone decides how
//! they go on the wire (auth, retries, rate limits, pagination, caps).

use crate::error::Error;
use crate::okta::transport::HttpResponse;
use serde_json::Value;

/// HTTP methods an action may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    /// Safe to repeat after a 5xx or a transport error: the first try may have been applied,
    /// and doing it again changes nothing (RFC 9110 §9.2.2).
    pub fn idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    None,
    /// Sent as `application/json`.
    Json(Vec<u8>),
    /// Sent with this content type (forms, multipart, text).
    Bytes {
        content_type: String,
        data: Vec<u8>,
    },
}

/// One request, relative to the org (`path` starts with `/api/v1/` or `/oauth2/`).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    /// Percent-encoded path, segments built with [`crate::okta::path::segment`].
    pub path: String,
    /// Decoded pairs, in order; repeated keys are kept.
    pub query: Vec<(String, String)>,
    /// Extra headers beyond the core's own (auth, `Accept`, `User-Agent`, `Content-Type`); an
    /// `Accept` or `User-Agent` here replaces the core's.
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// The caller's retry rules instead of the core's (a 429 is always waited out).
    pub retry: Option<super::retry::Custom>,
    /// The longest one attempt may take, within the action's deadline.
    pub timeout: Option<std::time::Duration>,
    /// Print each attempt and its answer on standard error, secrets redacted.
    pub debug: bool,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            retry: None,
            timeout: None,
            debug: false,
        }
    }
    pub fn get(path: impl Into<String>) -> Request {
        Request::new(Method::Get, path)
    }
    pub fn post(path: impl Into<String>) -> Request {
        Request::new(Method::Post, path)
    }
    pub fn put(path: impl Into<String>) -> Request {
        Request::new(Method::Put, path)
    }
    pub fn delete(path: impl Into<String>) -> Request {
        Request::new(Method::Delete, path)
    }

    pub fn query(mut self, key: &str, value: impl ToString) -> Request {
        self.query.push((key.to_string(), value.to_string()));
        self
    }
    pub fn query_opt(self, key: &str, value: Option<impl ToString>) -> Request {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }
    pub fn json(mut self, body: &Value) -> Request {
        self.body = Body::Json(serde_json::to_vec(body).unwrap_or_default());
        self
    }

    /// The answer must be one JSON object (an Okta resource).
    pub fn send_object(self) -> Flow<String> {
        self.expect(Expect::Json(Shape::Object))
    }
    /// The answer must be a JSON array (an unpaged list).
    pub fn send_array(self) -> Flow<String> {
        self.expect(Expect::Json(Shape::Array))
    }
    /// The answer's body is not used.
    pub fn send_empty(self) -> Flow<()> {
        Flow::send(self, Expect::Empty, |answer| match answer {
            Ok(_) => Flow::done(()),
            Err(e) => Flow::fail(e),
        })
    }
    /// The answer as it came: any 2xx or 3xx; 4xx and 5xx are errors as usual.
    pub fn send_raw(self) -> Flow<HttpResponse> {
        Flow::send(self, Expect::Raw, |answer| match answer {
            Ok(Answer::Raw(response)) => Flow::done(response),
            Ok(_) => Flow::fail(Error::UnexpectedResponse("expected a response".into())),
            Err(e) => Flow::fail(e),
        })
    }

    /// A paged list: one page, or every page (see [`Paging`]).
    pub fn send_pages(self, paging: Paging) -> Flow<Page> {
        Flow::send(self, Expect::Pages(paging), |answer| match answer {
            Ok(Answer::Page(page)) => Flow::done(page),
            Ok(_) => Flow::fail(Error::UnexpectedResponse("expected a list".into())),
            Err(e) => Flow::fail(e),
        })
    }

    fn expect(self, expect: Expect) -> Flow<String> {
        Flow::send(self, expect, |answer| match answer {
            Ok(Answer::Json(text)) => Flow::done(text),
            Ok(_) => Flow::fail(Error::UnexpectedResponse("expected JSON".into())),
            Err(e) => Flow::fail(e),
        })
    }
}

/// The JSON an answer must hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Object,
    Array,
}

/// How to read the answer to a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    Json(Shape),
    Empty,
    Pages(Paging),
    /// The response as it came, 2xx or 3xx (Raw Request).
    Raw,
}

/// How far a paged listing goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paging {
    /// Follow `rel="next"` to the end; otherwise one page and its next cursor.
    pub fetch_all: bool,
    /// Stop after this many items and say so ([`Page::capped`]); the cursor then continues.
    pub max_items: Option<usize>,
    /// Stop at the first empty page: the System Log's polling stream never ends otherwise.
    pub stop_on_empty: bool,
}

impl Paging {
    pub fn new(fetch_all: bool) -> Paging {
        Paging { fetch_all, max_items: None, stop_on_empty: false }
    }
}

/// One page of a list, or all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// A JSON array.
    pub items: String,
    /// The `after` cursor of the next page, absent on the last one.
    pub next_cursor: Option<String>,
    /// Stopped at [`Paging::max_items`] with more to come.
    pub capped: bool,
}

/// What the core hands back for a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Json(String),
    Empty,
    Page(Page),
    Raw(HttpResponse),
}

type Next<T> = Box<dyn FnOnce(Result<Answer, Error>) -> Flow<T>>;

/// What an action does: finished with a result, or a request to send and what to do with its
/// answer. The core ([`crate::okta::Okta::run`]) drives it to the end.
pub struct Flow<T>(Step<T>);

enum Step<T> {
    Done(Result<T, Error>),
    Send { request: Request, expect: Expect, next: Next<T> },
}

impl<T: 'static> Flow<T> {
    pub fn done(value: T) -> Flow<T> {
        Flow(Step::Done(Ok(value)))
    }
    pub fn fail(error: Error) -> Flow<T> {
        Flow(Step::Done(Err(error)))
    }
    pub fn from_result(result: Result<T, Error>) -> Flow<T> {
        Flow(Step::Done(result))
    }
    pub fn send(
        request: Request,
        expect: Expect,
        next: impl FnOnce(Result<Answer, Error>) -> Flow<T> + 'static,
    ) -> Flow<T> {
        Flow(Step::Send { request, expect, next: Box::new(next) })
    }

    /// Continues with `f` once this flow succeeded.
    pub fn and_then<U: 'static>(self, f: impl FnOnce(T) -> Flow<U> + 'static) -> Flow<U> {
        self.then(|r| match r {
            Ok(v) => f(v),
            Err(e) => Flow::fail(e),
        })
    }

    /// Continues with `f` on the outcome, success or error.
    pub fn then<U: 'static>(self, f: impl FnOnce(Result<T, Error>) -> Flow<U> + 'static) -> Flow<U> {
        match self.0 {
            Step::Done(r) => f(r),
            Step::Send { request, expect, next } => {
                Flow(Step::Send { request, expect, next: Box::new(move |answer| next(answer).then(f)) })
            }
        }
    }

    pub fn map<U: 'static>(self, f: impl FnOnce(T) -> U + 'static) -> Flow<U> {
        self.and_then(|v| Flow::done(f(v)))
    }

    /// The next request to send, or the result. Taking the request consumes the flow: feed
    /// the answer to the returned continuation.
    pub fn step(self) -> Result<Result<T, Error>, (Request, Expect, Next<T>)> {
        match self.0 {
            Step::Done(r) => Ok(r),
            Step::Send { request, expect, next } => Err((request, expect, next)),
        }
    }
}

impl<T: 'static> From<Error> for Flow<T> {
    fn from(e: Error) -> Self {
        Flow::fail(e)
    }
}
