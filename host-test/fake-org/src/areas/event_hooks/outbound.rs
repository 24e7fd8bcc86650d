//! Calls the org makes to event-hook endpoints: the one-time verification GET and event
//! deliveries, as Okta makes them (API-NOTES §3.7).
//!
//! - Verification: `GET` with `X-Okta-Verification-Challenge: <random>`, the `authScheme`
//!   header, the custom headers and `User-Agent: Okta-Integrations`; the answer must be 200 with
//!   JSON `{"verification": "<same>"}` within the timeout (3 s), one retry.
//! - Delivery: `POST` of a CloudEvents 0.1 envelope with `data.events[]`, `Content-Type:
//!   application/json`, the same headers; 2xx is done; a timeout, connection failure or 5xx is
//!   retried once; a 4xx is not. Every attempt is reported, and whether the delivery failed for
//!   good.
//!
//! Only `http://` URIs on loopback (127.0.0.1, localhost, ::1) are called: the fake org makes
//! no calls off the machine and speaks no TLS. Anything else fails like an endpoint that does
//! not answer. Header values (the hook's secret among them) never appear in errors.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::mpsc;

use super::model::Delivery;
use crate::infra::util;

/// Okta waits 3 s for a hook endpoint.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// Okta's user agent on hook calls.
pub const USER_AGENT: &str = "Okta-Integrations";

/// Where and how to call a hook.
#[derive(Clone)]
pub struct Endpoint {
    pub hook_id: String,
    pub uri: String,
    /// The authScheme header and the custom headers.
    pub headers: Vec<(String, String)>,
}

/// One delivery to make.
pub struct Job {
    pub endpoint: Endpoint,
    pub event_id: String,
    pub uuids: Vec<String>,
    pub body: Vec<u8>,
}

/// Receives each attempt and whether the delivery failed for good.
pub type Report = Arc<dyn Fn(Delivery, bool) + Send + Sync>;

/// The outbound side of the org: the hook timeout and the delivery queue.
#[derive(Default)]
pub struct Outbound {
    timeout: Arc<Mutex<Option<Duration>>>,
    queue: Mutex<Option<mpsc::UnboundedSender<(Job, Report)>>>,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound").field("timeout", &self.timeout()).finish()
    }
}

impl Outbound {
    pub fn timeout(&self) -> Duration {
        self.timeout.lock().ok().and_then(|t| *t).unwrap_or(DEFAULT_TIMEOUT)
    }

    pub fn set_timeout(&self, d: Duration) {
        if let Ok(mut t) = self.timeout.lock() {
            *t = Some(d);
        }
    }

    /// Queues deliveries, in order, on one worker task (started on first use). Returns false
    /// when there is no tokio runtime to run it on.
    pub fn dispatch(&self, jobs: Vec<Job>, report: Report) -> bool {
        if jobs.is_empty() {
            return true;
        }
        let Ok(mut queue) = self.queue.lock() else { return false };
        if queue.as_ref().map(|q| q.is_closed()).unwrap_or(true) {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else { return false };
            let (tx, rx) = mpsc::unbounded_channel();
            runtime.spawn(worker(rx, self.timeout.clone()));
            *queue = Some(tx);
        }
        if let Some(q) = queue.as_ref() {
            for job in jobs {
                let _ = q.send((job, report.clone()));
            }
        }
        true
    }
}

async fn worker(mut rx: mpsc::UnboundedReceiver<(Job, Report)>, timeout: Arc<Mutex<Option<Duration>>>) {
    while let Some((job, report)) = rx.recv().await {
        let limit = timeout.lock().ok().and_then(|t| *t).unwrap_or(DEFAULT_TIMEOUT);
        deliver(&job, &report, limit).await;
    }
}

/// One delivery with Okta's retry rule.
async fn deliver(job: &Job, report: &Report, timeout: Duration) {
    let mut headers = job.endpoint.headers.clone();
    headers.push(("Content-Type".into(), "application/json".into()));
    for attempt in 1..=2u32 {
        let result = call("POST", &job.endpoint.uri, &headers, job.body.clone(), timeout).await;
        let (status, error, retry) = match result {
            Ok((s, _)) if (200..300).contains(&s) => (Some(s), None, false),
            // 4xx is the receiver refusing: Okta does not retry it.
            Ok((s, _)) if (400..500).contains(&s) => (Some(s), Some(format!("endpoint answered {s}")), false),
            Ok((s, _)) => (Some(s), Some(format!("endpoint answered {s}")), true),
            Err(e) => (None, Some(e), true),
        };
        let failed = error.is_some();
        let last = !failed || !retry || attempt == 2;
        let d = Delivery {
            hook_id: job.endpoint.hook_id.clone(),
            event_id: job.event_id.clone(),
            uuids: job.uuids.clone(),
            attempt,
            status,
            error,
        };
        report(d, failed && last);
        if last {
            return;
        }
    }
}

/// Checks that a hook endpoint may be called: `http://` on loopback.
pub fn callable(uri: &str) -> Result<http::Uri, String> {
    let u: http::Uri = uri.parse().map_err(|_| "the hook URI is not a valid URI".to_string())?;
    let host = u.host().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
    if u.scheme_str() != Some("http") || !matches!(host, "127.0.0.1" | "localhost" | "::1") {
        return Err("the fake org only calls http:// endpoints on loopback".to_string());
    }
    Ok(u)
}

/// One call with a bound on the whole exchange. Returns the status and body.
pub async fn call(
    method: &str,
    uri: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
    timeout: Duration,
) -> Result<(u16, Bytes), String> {
    let u = callable(uri)?;
    let mut req = http::Request::builder()
        .method(method)
        .uri(u)
        .header("user-agent", USER_AGENT)
        .header("accept", "application/json");
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let req = req.body(Full::new(Bytes::from(body))).map_err(|_| "invalid hook header".to_string())?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let exchange = async {
        let resp = client.request(req).await.map_err(|_| "the endpoint could not be reached".to_string())?;
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await.map_err(|_| "the answer was cut short".to_string())?.to_bytes();
        Ok::<_, String>((status, bytes))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    }
}

/// The one-time verification, one retry. `Err` says why it failed.
pub async fn verify(endpoint: &Endpoint, timeout: Duration) -> Result<(), String> {
    let mut why = String::new();
    for _ in 0..2 {
        let challenge = util::token(32);
        let mut headers = endpoint.headers.clone();
        headers.push(("X-Okta-Verification-Challenge".into(), challenge.clone()));
        match call("GET", &endpoint.uri, &headers, Vec::new(), timeout).await {
            Ok((200, body)) => {
                let answer: Option<String> = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("verification").and_then(|x| x.as_str()).map(str::to_string));
                if answer.as_deref() == Some(challenge.as_str()) {
                    return Ok(());
                }
                why = "the answer did not echo the challenge".into();
            }
            Ok((s, _)) => why = format!("endpoint answered {s}"),
            Err(e) => why = e,
        }
    }
    Err(why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http() {
        assert!(callable("http://127.0.0.1:9/x").is_ok());
        assert!(callable("http://localhost:9/x").is_ok());
        assert!(callable("http://[::1]:9/x").is_ok());
        assert!(callable("https://127.0.0.1:9/x").is_err());
        assert!(callable("http://example.com/x").is_err());
        assert!(callable("not a uri").is_err());
    }
}
