//! Where the guest's outgoing HTTP goes: the `WasiHttpHooks::send_request` hook that
//! answers from the in-process fake org, from a script, or from the network (through the
//! pooled [`Network`]), records every exchange, and shows each one to an observer as soon
//! as it completes.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::HeaderMap;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use super::clock::Clock;
use super::exchange::Exchange;
use super::network::{Egress, Network, PooledBody};
use super::script::{ActualRequest, CannedFault, CannedResponse, ExpectedRequest};
#[cfg(feature = "fake-org")]
use okta_fake_org::{FakeOrg, Outcome};

/// Where an instance's outgoing HTTP goes.
#[derive(Clone)]
pub enum Backend {
    /// Answered in-process by the embedded fake org, whatever the URL's origin.
    #[cfg(feature = "fake-org")]
    FakeOrg(FakeOrg),
    /// Answered from a script; every request must match the next expected one.
    Scripted(Vec<(ExpectedRequest, CannedResponse)>),
    /// Sent for real through the process-wide pool ([`Network::shared`]: system roots,
    /// default timeouts): real orgs, or a fake org served on loopback.
    Network,
    /// Sent for real through this pool (its own roots, timeouts and connections).
    NetworkWith(Network),
}

impl Backend {
    /// A script from `(expected request, answer)` pairs.
    pub fn scripted(steps: impl IntoIterator<Item = (ExpectedRequest, CannedResponse)>) -> Backend {
        Backend::Scripted(steps.into_iter().collect())
    }
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            #[cfg(feature = "fake-org")]
            Backend::FakeOrg(_) => write!(f, "Backend::FakeOrg"),
            Backend::Scripted(s) => write!(f, "Backend::Scripted({} steps)", s.len()),
            Backend::Network => write!(f, "Backend::Network"),
            Backend::NetworkWith(n) => write!(f, "Backend::NetworkWith({n:?})"),
        }
    }
}

pub(crate) enum Route {
    #[cfg(feature = "fake-org")]
    FakeOrg(FakeOrg),
    Scripted(Mutex<VecDeque<(ExpectedRequest, CannedResponse)>>),
    Network(Network),
}

/// Sees each exchange as soon as it completes (response read, or failed), before the guest
/// does: the command line's `--trace` and progress use it. Give it through
/// `InstanceOptions::observer`.
#[derive(Clone)]
pub struct ExchangeObserver(Arc<dyn Fn(&Exchange) + Send + Sync>);

impl ExchangeObserver {
    pub fn new(f: impl Fn(&Exchange) + Send + Sync + 'static) -> ExchangeObserver {
        ExchangeObserver(Arc::new(f))
    }
}

impl std::fmt::Debug for ExchangeObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExchangeObserver")
    }
}

/// What an instance saw: every exchange, and every way a request broke the script.
#[derive(Default)]
pub(crate) struct Log {
    pub exchanges: Vec<Exchange>,
    /// Script violations not yet reported to the caller.
    pub failures: Vec<String>,
}

/// The per-store hook state.
pub(crate) struct Hooks {
    pub route: Arc<Route>,
    /// What the network backend may reach for this instance.
    pub egress: Egress,
    pub log: Arc<Mutex<Log>>,
    pub clock: Clock,
    pub observer: Option<ExchangeObserver>,
}

impl Hooks {
    pub fn new(backend: Backend, clock: Clock, observer: Option<ExchangeObserver>, egress: Egress) -> Hooks {
        let route = match backend {
            #[cfg(feature = "fake-org")]
            Backend::FakeOrg(org) => Route::FakeOrg(org),
            Backend::Scripted(steps) => Route::Scripted(Mutex::new(steps.into())),
            Backend::Network => Route::Network(Network::shared().clone()),
            Backend::NetworkWith(network) => Route::Network(network),
        };
        Hooks { route: Arc::new(route), egress, log: Arc::default(), clock, observer }
    }
}

/// An answer ready to hand to the guest: whole, or cut short by an error.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
    body_error: Option<HttpError>,
}

type IoFuture = Box<dyn Future<Output = Result<(), HttpError>> + Send>;
type SendFuture = Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), HttpError>> + Send>;

impl WasiHttpHooks for Hooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: IoFuture,
    ) -> SendFuture {
        let route = self.route.clone();
        let log = self.log.clone();
        let clock = self.clock.clone();
        let observer = self.observer.clone();
        let egress = self.egress;
        Box::new(async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await?.to_bytes();
            let mut exchange = Exchange {
                method: parts.method.as_str().to_string(),
                url: parts.uri.to_string(),
                path: parts.uri.path().to_string(),
                query: parts.uri.query().map(str::to_string),
                request_headers: header_pairs(&parts.headers),
                request_body: body.to_vec(),
                status: None,
                response_headers: Vec::new(),
                response_body: Vec::new(),
                error: None,
            };
            let index = {
                let mut log = log.lock().unwrap();
                log.exchanges.push(exchange.clone());
                log.exchanges.len()
            };

            let result = match &*route {
                #[cfg(feature = "fake-org")]
                Route::FakeOrg(org) => fake_org_reply(org, parts, body).await,
                Route::Scripted(steps) => scripted_reply(steps, &log, index, &exchange, &clock),
                Route::Network(network) => {
                    // Streamed to the guest as it arrives: the guest's own cap and deadline
                    // decide how much is read, and the host never holds more than a frame.
                    let sent = network.send(http::Request::from_parts(parts, body), options, egress).await;
                    return network_stream(sent, exchange, log, index, observer);
                }
            };

            match &result {
                Ok(reply) => {
                    exchange.status = Some(reply.status);
                    exchange.response_headers = reply.headers.clone();
                    exchange.response_body = reply.body.to_vec();
                    exchange.error = reply.body_error.as_ref().map(|e| format!("body cut short: {e}"));
                }
                Err(e) => exchange.error = Some(e.to_string()),
            }
            if let Some(observer) = &observer {
                (observer.0)(&exchange);
            }
            log.lock().unwrap().exchanges[index - 1] = exchange;

            let reply = result?;
            let mut builder = http::Response::builder().status(reply.status);
            for (k, v) in &reply.headers {
                builder = builder.header(k, v);
            }
            let response = builder
                .body(CannedBody { data: Some(reply.body), error: reply.body_error }.boxed_unsync())
                .map_err(|e| HttpError::InternalError(Some(e.to_string())))?;
            Ok((response, Box::new(async { Ok(()) }) as IoFuture))
        })
    }
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers.iter().map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect()
}

#[cfg(feature = "fake-org")]
async fn fake_org_reply(org: &FakeOrg, parts: http::request::Parts, body: Bytes) -> Result<Reply, HttpError> {
    match org.handle(http::Request::from_parts(parts, body)).await {
        Outcome::Response { response, truncate_at } => {
            let (parts, body) = response.into_parts();
            let (body, body_error) = match truncate_at {
                Some(n) if n < body.len() => (body.slice(..n), Some(HttpError::HttpResponseIncomplete)),
                _ => (body, None),
            };
            Ok(Reply { status: parts.status.as_u16(), headers: header_pairs(&parts.headers), body, body_error })
        }
        Outcome::Dropped => Err(HttpError::ConnectionTerminated),
    }
}

fn scripted_reply(
    steps: &Mutex<VecDeque<(ExpectedRequest, CannedResponse)>>,
    log: &Mutex<Log>,
    index: usize,
    exchange: &Exchange,
    clock: &Clock,
) -> Result<Reply, HttpError> {
    let next = steps.lock().unwrap().pop_front();
    let Some((expected, canned)) = next else {
        let msg = format!("request #{index} was not in the script (the script ran out):\n  got {}", exchange.line());
        log.lock().unwrap().failures.push(msg);
        return Err(HttpError::InternalError(Some("scripted backend: unexpected request".into())));
    };
    let actual = ActualRequest {
        method: &exchange.method,
        path: &exchange.path,
        query: exchange.query.as_deref(),
        headers: &exchange.request_headers,
        body: &exchange.request_body,
    };
    let diffs = expected.differences(&actual);
    if !diffs.is_empty() {
        let msg = format!(
            "request #{index} does not match the script:\n  expected {}\n  got      {}\n  - {}",
            expected.line(),
            exchange.line(),
            diffs.join("\n  - ")
        );
        log.lock().unwrap().failures.push(msg);
        return Err(HttpError::InternalError(Some("scripted backend: request does not match the script".into())));
    }
    let mut headers = canned.headers;
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("date")) {
        headers.push(("date".into(), clock.http_date()));
    }
    match canned.fault {
        CannedFault::None => Ok(Reply { status: canned.status, headers, body: canned.body, body_error: None }),
        CannedFault::Dropped => Err(HttpError::ConnectionTerminated),
        CannedFault::TruncateAt(n) => Ok(Reply {
            status: canned.status,
            headers,
            body: canned.body.slice(..n.min(canned.body.len())),
            body_error: Some(HttpError::HttpResponseIncomplete),
        }),
    }
}

/// Hands a network response to the guest as a stream, recording it in the exchange log (the
/// first [`RECORDED`] bytes of the body) and telling the observer once it ends.
fn network_stream(
    sent: Result<http::Response<PooledBody>, HttpError>,
    mut exchange: Exchange,
    log: Arc<Mutex<Log>>,
    index: usize,
    observer: Option<ExchangeObserver>,
) -> Result<(http::Response<WasiBody>, IoFuture), HttpError> {
    let response = match sent {
        Ok(r) => r,
        Err(e) => {
            exchange.error = Some(e.to_string());
            if let Some(observer) = &observer {
                (observer.0)(&exchange);
            }
            log.lock().unwrap().exchanges[index - 1] = exchange;
            return Err(e);
        }
    };
    let (parts, body) = response.into_parts();
    exchange.status = Some(parts.status.as_u16());
    exchange.response_headers = header_pairs(&parts.headers);
    log.lock().unwrap().exchanges[index - 1] = exchange;
    let tee = TeeBody { inner: body, log, index, observer, recorded: 0, finished: false };
    let response = http::Response::from_parts(parts, tee.boxed_unsync());
    Ok((response, Box::new(async { Ok(()) }) as IoFuture))
}

/// The most body bytes the exchange log keeps per response.
const RECORDED: usize = 16 << 20;

/// A network body on its way to the guest, copied into the exchange log as it passes.
struct TeeBody {
    inner: PooledBody,
    log: Arc<Mutex<Log>>,
    index: usize,
    observer: Option<ExchangeObserver>,
    recorded: usize,
    finished: bool,
}

impl TeeBody {
    fn finish(&mut self, error: Option<String>) {
        if self.finished {
            return;
        }
        self.finished = true;
        let mut log = self.log.lock().unwrap();
        let exchange = &mut log.exchanges[self.index - 1];
        if error.is_some() {
            exchange.error = error;
        }
        if let Some(observer) = &self.observer {
            (observer.0)(exchange);
        }
    }
}

impl Body for TeeBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let room = RECORDED.saturating_sub(self.recorded);
                    if room > 0 {
                        let keep = &data[..data.len().min(room)];
                        self.recorded += keep.len();
                        let mut log = self.log.lock().unwrap();
                        log.exchanges[self.index - 1].response_body.extend_from_slice(keep);
                    }
                }
            }
            Poll::Ready(Some(Err(e))) => {
                let message = format!("body cut short: {e}");
                self.finish(Some(message));
            }
            Poll::Ready(None) => self.finish(None),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for TeeBody {
    fn drop(&mut self) {
        if !self.finished {
            self.finish(Some("the guest stopped reading the body".into()));
        }
    }
}

/// A body that yields its bytes, then its error if it has one.
struct CannedBody {
    data: Option<Bytes>,
    error: Option<HttpError>,
}

impl Body for CannedBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        if let Some(data) = self.data.take().filter(|d| !d.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        Poll::Ready(self.error.take().map(Err))
    }

    fn is_end_stream(&self) -> bool {
        self.data.as_ref().is_none_or(|d| d.is_empty()) && self.error.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, &self.error) {
            (Some(d), None) => SizeHint::with_exact(d.len() as u64),
            (None, None) => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}
