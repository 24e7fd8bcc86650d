//! The connector against a broken and hostile org: a server on loopback that writes whatever
//! bytes each case needs (raw sockets, no HTTP library between it and the wire). Each case
//! asserts how long the action took, how much memory the guest used, the error kind, how many
//! requests reached the server, and that no secret appears in what the connector returned.
//!
//! The guest's bounds are shortened through its environment (timeouts of a few hundred
//! milliseconds, a 3 s action deadline, 1 MiB bodies), so the suite runs in seconds; the
//! defaults are the same mechanisms with longer numbers (see `src/okta/config.rs`).

use crate::support::common::connector;
use anyhow::Result;
use okta_harness::*;
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "00Fault-Suite-Token-Sup3rSecret";
const PASSWORD: &str = "Hunter2-Passw0rd-Secret";

type Handler = Arc<dyn Fn(Conn) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// One accepted connection: the request head read, the socket to answer on.
struct Conn {
    stream: TcpStream,
    /// The request line and headers, as sent.
    head: String,
    body: Vec<u8>,
    /// Requests on this server so far, this one included.
    n: usize,
}

impl Conn {
    async fn write(&mut self, bytes: &[u8]) {
        let _ = self.stream.write_all(bytes).await;
        let _ = self.stream.flush().await;
    }

    /// A complete response with `Content-Length`, `Connection: close`.
    async fn respond(&mut self, status: &str, headers: &[(&str, String)], body: &[u8]) {
        let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
        head.push_str(&format!("date: {}\r\n", httpdate::fmt_http_date(SystemTime::now())));
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        self.write(head.as_bytes()).await;
        self.write(body).await;
    }

    async fn json(&mut self, status: &str, headers: &[(&str, String)], body: Value) {
        let mut h = headers.to_vec();
        h.push(("content-type", "application/json".into()));
        self.respond(status, &h, body.to_string().as_bytes()).await;
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    fn target(&self) -> String {
        self.head.lines().next().unwrap_or("").split(' ').nth(1).unwrap_or("").to_string()
    }
}

/// The hostile server: every connection goes to `handler`.
struct Hostile {
    port: u16,
    requests: Arc<AtomicUsize>,
    targets: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    async fn start(handler: Handler) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let targets = Arc::new(Mutex::new(Vec::new()));
        let (r, t) = (requests.clone(), targets.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else { return };
                let (handler, r, t) = (handler.clone(), r.clone(), t.clone());
                tokio::spawn(async move {
                    // One request per connection (each answer closes it).
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break Some(p + 4);
                        }
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => break None,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        if buf.len() > 1 << 20 {
                            break None;
                        }
                    };
                    let Some(end) = head_end else { return };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    let mut body = buf[end..].to_vec();
                    while body.len() < length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => body.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let n = r.fetch_add(1, Ordering::SeqCst) + 1;
                    let target = head.lines().next().unwrap_or("").to_string();
                    t.lock().unwrap().push(target);
                    handler(Conn { stream, head, body, n }).await;
                });
            }
        });
        Hostile { port, requests, targets, task }
    }

    fn domain(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn connection(&self) -> Connection {
        api_token(&self.domain(), TOKEN)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

macro_rules! handler {
    (|$c:ident| $body:expr) => {
        Arc::new(move |#[allow(unused_mut)] mut $c: Conn| {
            Box::pin(async move { $body }) as Pin<Box<dyn Future<Output = ()> + Send>>
        })
    };
}

/// The bounds the suite runs with.
fn short() -> InstanceOptions {
    let env = [
        ("OKTA_CONNECT_TIMEOUT_MS", "500"),
        ("OKTA_FIRST_BYTE_TIMEOUT_MS", "500"),
        ("OKTA_BETWEEN_BYTES_TIMEOUT_MS", "300"),
        ("OKTA_ACTION_DEADLINE_MS", "3000"),
        ("OKTA_RETRY_BUDGET_MS", "2000"),
        ("OKTA_RETRY_BACKOFF_MS", "20"),
        ("OKTA_MAX_RESPONSE_BYTES", "1048576"),
        ("OKTA_MAX_TOTAL_BYTES", "4194304"),
    ];
    InstanceOptions {
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..InstanceOptions::default()
    }
}

/// What one case observed.
struct Seen {
    result: Result<Value, WitError>,
    elapsed: Duration,
    memory: usize,
}

impl Seen {
    fn kind(&self) -> &'static str {
        match &self.result {
            Ok(_) => "ok",
            Err(e) => error_kind(e),
        }
    }
    fn shown(&self) -> String {
        match &self.result {
            Ok(v) => v.to_string(),
            Err(e) => error_json(e).to_string(),
        }
    }
    /// No secret anywhere in what came back, whatever the server echoed.
    fn clean(&self) -> &Self {
        let shown = self.shown();
        for secret in [TOKEN, PASSWORD] {
            assert!(!shown.contains(secret), "a secret leaked: {shown}");
        }
        assert!(!shown.contains("ErrorCode::") && !shown.contains("StreamError"), "an internal error name: {shown}");
        self
    }
}

async fn run(server: &Hostile, action: &str, input: Value, options: InstanceOptions) -> Result<Seen> {
    // The hostile server is on loopback: a local org, reached only when allowed.
    let options = InstanceOptions { allow_local_orgs: true, ..options };
    let mut inst = connector().instantiate_with(Backend::Network, options).await?;
    let started = Instant::now();
    let result = inst.invoke_json(action, &server.connection(), &input).await?;
    let seen = Seen { result, elapsed: started.elapsed(), memory: inst.guest_memory_peak() };
    // One row per run for the suite's table (`cargo test --test fault_suite -- --nocapture`).
    let case = std::thread::current().name().unwrap_or("?").to_string();
    eprintln!(
        "| {case} | {action} | {:.2} s | {:.1} MiB | {} |",
        seen.elapsed.as_secs_f64(),
        seen.memory as f64 / MIB as f64,
        seen.kind()
    );
    Ok(seen)
}

const MIB: usize = 1 << 20;

// ---- 1: a spent bucket whose reset is an hour away ------------------------------------------

#[tokio::test]
async fn f1_a_reset_an_hour_away_is_not_waited() -> Result<()> {
    let reset = (SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() + 3600).to_string();
    let server = Hostile::start(handler!(|c| {
        let reset = (SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600).to_string();
        c.respond(
            "204 No Content",
            &[
                ("x-rate-limit-limit", "10".into()),
                ("x-rate-limit-remaining", "0".into()),
                ("x-rate-limit-reset", reset),
            ],
            b"",
        )
        .await
    }))
    .await;
    let _ = reset;
    let seen = run(&server, "users.delete", json!({ "id": "00u1" }), short()).await?;
    seen.clean();
    assert_eq!(seen.kind(), "rate-limited", "{}", seen.shown());
    assert!(seen.shown().contains("nothing was sent"), "{}", seen.shown());
    assert_eq!(server.requests(), 1, "the second DELETE was not sent");
    assert!(seen.elapsed < Duration::from_secs(1), "{:?}", seen.elapsed);

    // Fetch All: page 1 says the bucket is spent for an hour; no wait, a clear error.
    let server = Hostile::start(handler!(|c| {
        let reset = (SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600).to_string();
        let next =
            format!("<http://{}/api/v1/users?after=x&limit=1>; rel=\"next\"", c.header("host").unwrap_or_default());
        c.json(
            "200 OK",
            &[
                ("x-rate-limit-limit", "10".into()),
                ("x-rate-limit-remaining", "0".into()),
                ("x-rate-limit-reset", reset),
                ("link", next),
            ],
            json!([{"id": "a"}]),
        )
        .await
    }))
    .await;
    let seen = run(&server, "users.list", json!({ "fetch_all": true, "limit": 1 }), short()).await?;
    assert_eq!(seen.clean().kind(), "rate-limited");
    assert_eq!(server.requests(), 1);
    assert!(seen.elapsed < Duration::from_secs(1));
    Ok(())
}

// ---- 2: no answer, a slow body -------------------------------------------------------------

#[tokio::test]
async fn f2_a_server_that_never_answers_costs_the_deadline_at_most() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(c);
    }))
    .await;
    let seen = run(&server, "users.get", json!({ "id": "00u1" }), short()).await?;
    assert_eq!(seen.clean().kind(), "transport", "{}", seen.shown());
    assert!(seen.elapsed < Duration::from_millis(3500), "{:?}", seen.elapsed);
    assert!(seen.shown().contains("timed out") || seen.shown().contains("deadline"), "{}", seen.shown());
    assert!((1..=4).contains(&server.requests()), "a GET is retried, within bounds: {}", server.requests());
    Ok(())
}

#[tokio::test]
async fn f2_a_body_at_one_byte_a_second_is_cut() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        c.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n").await;
        for _ in 0..100 {
            c.write(b" ").await;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }))
    .await;
    let seen = run(&server, "users.get", json!({ "id": "00u1" }), short()).await?;
    assert_eq!(seen.clean().kind(), "transport", "{}", seen.shown());
    assert!(seen.elapsed < Duration::from_millis(3500), "{:?}", seen.elapsed);
    Ok(())
}

#[tokio::test]
async fn f2_a_trickle_that_beats_the_gap_timeout_still_ends_at_the_deadline() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        c.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n").await;
        for _ in 0..1000 {
            c.write(b" ").await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }))
    .await;
    let seen = run(&server, "users.get", json!({ "id": "00u1" }), short()).await?;
    assert_eq!(seen.clean().kind(), "transport", "{}", seen.shown());
    assert!(seen.elapsed < Duration::from_millis(3800), "{:?}", seen.elapsed);
    Ok(())
}

// ---- 3: bodies and listings without end ----------------------------------------------------

#[tokio::test]
async fn f3_an_endless_chunked_body_stops_at_the_cap() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        c.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "[".repeat(64 * 1024));
        loop {
            if c.stream.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
    }))
    .await;
    let seen = run(&server, "users.get", json!({ "id": "00u1" }), short()).await?;
    assert_eq!(seen.clean().kind(), "too-large", "{}", seen.shown());
    assert!(seen.memory < 64 * MIB, "guest memory {} MiB", seen.memory / MIB);
    assert!(seen.elapsed < Duration::from_secs(3));
    Ok(())
}

#[tokio::test]
async fn f3_endless_next_links_stop_within_bounds() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        let next = format!(
            "<http://{}/api/v1/users?after=c{}&limit=200>; rel=\"next\"",
            c.header("host").unwrap_or_default(),
            c.n
        );
        let page: Vec<Value> =
            (0..200).map(|i| json!({ "id": format!("{}-{i}", c.n), "pad": "x".repeat(200) })).collect();
        c.json("200 OK", &[("link", next)], Value::Array(page)).await
    }))
    .await;
    let seen = run(&server, "users.list", json!({ "fetch_all": true }), short()).await?;
    assert_eq!(seen.clean().kind(), "too-large", "{}", seen.shown());
    assert!(seen.shown().contains("After"), "the error says to page with After: {}", seen.shown());
    assert!(seen.memory < 64 * MIB, "guest memory {} MiB", seen.memory / MIB);
    assert!(server.requests() < 200, "{} requests", server.requests());
    Ok(())
}

#[tokio::test]
async fn f3_a_body_larger_than_the_default_cap_is_an_error_not_a_trap() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        let size = 20 * MIB;
        c.write(
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n").as_bytes(),
        )
        .await;
        let block = vec![b' '; MIB];
        for _ in 0..20 {
            if c.stream.write_all(&block).await.is_err() {
                return;
            }
        }
    }))
    .await;
    // The default bounds: 16 MiB per response.
    let seen = run(&server, "users.get", json!({ "id": "00u1" }), InstanceOptions::default()).await?;
    assert_eq!(seen.clean().kind(), "too-large", "{}", seen.shown());
    assert!(seen.memory < 64 * MIB, "guest memory {} MiB", seen.memory / MIB);
    Ok(())
}

// ---- 4: a reset no clock can hold ----------------------------------------------------------

#[tokio::test]
async fn f4_a_huge_reset_does_not_trap() -> Result<()> {
    for status in ["429 Too Many Requests", "200 OK"] {
        let server = Hostile::start(handler!(|c| {
            let status = if c.n == 1 || status.starts_with('2') { status } else { "200 OK" };
            let body = if status.starts_with('2') {
                json!({ "id": "00u1" })
            } else {
                json!({ "errorCode": "E0000047", "errorSummary": "rate limited" })
            };
            c.json(
                status,
                &[
                    ("x-rate-limit-limit", "10".into()),
                    ("x-rate-limit-remaining", "0".into()),
                    ("x-rate-limit-reset", "18446744073709551615".into()),
                ],
                body,
            )
            .await
        }))
        .await;
        let seen = run(&server, "users.get", json!({ "id": "00u1" }), short()).await?;
        seen.clean();
        assert!(matches!(seen.kind(), "ok" | "rate-limited"), "{status}: {}", seen.shown());
        assert!(seen.elapsed < Duration::from_secs(3));
    }
    Ok(())
}

// ---- 5: secrets echoed back ----------------------------------------------------------------

#[tokio::test]
async fn f5_secrets_the_server_echoes_are_scrubbed() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        let auth = c.header("authorization").unwrap_or_default();
        let body = String::from_utf8_lossy(&c.body).into_owned();
        let echo = format!("{auth} {body}");
        c.json(
            "400 Bad Request",
            &[("x-okta-request-id", auth.clone()), ("www-authenticate", format!("SSWS realm=\"{echo}\""))],
            json!({ "errorCode": "E0000001", "errorSummary": echo, "errorLink": auth, "errorId": body, "errorCauses": [{ "errorSummary": echo }] }),
        )
        .await
    }))
    .await;
    let input = json!({ "login": "a@example.com", "password": PASSWORD });
    let seen = run(&server, "users.create", input, short()).await?;
    seen.clean();
    assert_eq!(seen.kind(), "rejected");
    assert!(seen.shown().contains("[redacted]"), "{}", seen.shown());
    assert_eq!(server.requests(), 1, "a POST is not retried");

    // A mistyped password is named, never repeated.
    let seen =
        run(&server, "users.create", json!({ "login": "a@example.com", "password": 123456789 }), short()).await?;
    assert_eq!(seen.kind(), "invalid-input");
    assert!(!seen.shown().contains("123456789"), "{}", seen.shown());
    Ok(())
}

// ---- 6: the smaller findings ---------------------------------------------------------------

#[tokio::test]
async fn f6_smaller_findings() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        let target = c.target();
        let host = c.header("host").unwrap_or_default();
        if target.starts_with("/api/v1/users?after=x") {
            c.json("200 OK", &[], json!([{ "id": "second" }])).await
        } else if target.starts_with("/api/v1/users?") {
            // A relative next link: the org's own.
            c.json(
                "200 OK",
                &[("link", "</api/v1/users?after=x&limit=1>; rel=\"next\"".into())],
                json!([{ "id": "first" }]),
            )
            .await
        } else if target.starts_with("/api/v1/users/array") {
            c.json("200 OK", &[], json!([{ "id": "not-one-user" }])).await
        } else {
            let _ = host;
            c.json("200 OK", &[], json!({})).await
        }
    }))
    .await;
    // A 1 MB id: refused, named, nothing sent, a short message.
    let seen = run(&server, "users.get", json!({ "id": "x".repeat(1 << 20) }), short()).await?;
    assert_eq!(seen.kind(), "invalid-input");
    assert!(seen.shown().len() < 500, "{} bytes of error", seen.shown().len());
    assert_eq!(server.requests(), 0);
    // A token that is only the scheme.
    let mut inst =
        connector().instantiate_with(Backend::Network, InstanceOptions { allow_local_orgs: true, ..short() }).await?;
    let r = inst.invoke_json("users.get", &api_token(&server.domain(), "SSWS   "), &json!({ "id": "a" })).await?;
    assert_eq!(error_kind(&r.unwrap_err()), "invalid-connection");
    assert_eq!(server.requests(), 0);
    // A relative next link is followed: both pages.
    let seen = run(&server, "users.list", json!({ "fetch_all": true, "limit": 1 }), short()).await?;
    assert_eq!(
        seen.result.as_ref().ok().map(|v| v["items"].clone()),
        Some(json!([{ "id": "first" }, { "id": "second" }])),
        "{}",
        seen.shown()
    );
    // Get User answering an array: an error, not a success.
    let seen = run(&server, "users.get", json!({ "id": "array" }), short()).await?;
    assert_eq!(seen.kind(), "unexpected-response", "{}", seen.shown());
    // Extra parameters cannot repeat a named one.
    let seen = run(&server, "users.list", json!({ "extra_parameters": [{ "key": "limit", "value": "999" }] }), short())
        .await?;
    assert_eq!(seen.kind(), "invalid-input");
    Ok(())
}

#[tokio::test]
async fn f6_transport_errors_read_as_words() -> Result<()> {
    // Nothing listens on this port once the listener is gone.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let mut inst =
        connector().instantiate_with(Backend::Network, InstanceOptions { allow_local_orgs: true, ..short() }).await?;
    let r = inst
        .invoke_json("users.get", &api_token(&format!("http://127.0.0.1:{port}"), TOKEN), &json!({ "id": "a" }))
        .await?;
    let e = error_json(&r.unwrap_err());
    assert_eq!(e["kind"], "transport");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("refused") || message.contains("connect"), "{message}");
    assert!(!message.contains("ErrorCode"), "{message}");
    Ok(())
}

// ---- what already held, kept -----------------------------------------------------------------

#[tokio::test]
async fn redirects_other_hosts_resets_and_5xx() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        let target = c.target();
        if target.contains("redirect") {
            c.respond("302 Found", &[("location", "http://evil.example/steal".into())], b"").await
        } else if target.starts_with("/api/v1/users?") {
            c.json(
                "200 OK",
                &[("link", "<http://evil.example/api/v1/users?after=x>; rel=\"next\"".into())],
                json!([{ "id": "a" }]),
            )
            .await
        } else if target.contains("reset") {
            c.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"id\":").await;
            // Dropped here: the connection closes 990 bytes short.
        } else if target.contains("html") {
            c.respond(
                "502 Bad Gateway",
                &[("content-type", "text/html".into())],
                b"<html><body>Bad gateway</body></html>",
            )
            .await
        } else if target.contains("badjson") {
            c.respond("200 OK", &[("content-type", "application/json".into())], b"{\"id\": ").await
        } else if target.contains("gzip") {
            c.respond(
                "200 OK",
                &[("content-type", "application/json".into()), ("content-encoding", "gzip".into())],
                &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0],
            )
            .await
        } else if target.contains("headers") {
            let big: Vec<(&str, String)> = (0..2000).map(|_| ("x-big", "y".repeat(200))).collect();
            c.json("200 OK", &big, json!({})).await
        } else {
            c.json(
                "500 Internal Server Error",
                &[],
                json!({ "errorCode": "E0000009", "errorSummary": "Internal Server Error" }),
            )
            .await
        }
    }))
    .await;
    let kind_of = |s: &Seen| s.kind();
    let seen = run(&server, "users.get", json!({ "id": "redirect" }), short()).await?;
    assert_eq!(kind_of(seen.clean()), "rejected", "a redirect is not followed: {}", seen.shown());
    let seen = run(&server, "users.list", json!({ "fetch_all": true }), short()).await?;
    assert_eq!(kind_of(seen.clean()), "unexpected-response", "a next link to another host is refused");
    let seen = run(&server, "users.get", json!({ "id": "reset" }), short()).await?;
    assert_eq!(kind_of(seen.clean()), "transport");
    let seen = run(&server, "users.get", json!({ "id": "html" }), short()).await?;
    assert_eq!(kind_of(seen.clean()), "server");
    assert!(seen.shown().contains("Bad Gateway"), "{}", seen.shown());
    let seen = run(&server, "users.get", json!({ "id": "badjson" }), short()).await?;
    assert_eq!(kind_of(seen.clean()), "unexpected-response");
    let seen = run(&server, "users.get", json!({ "id": "gzip" }), short()).await?;
    assert_eq!(kind_of(seen.clean()), "unexpected-response");
    let seen = run(&server, "users.get", json!({ "id": "headers" }), short()).await?;
    assert_eq!(kind_of(seen.clean()), "transport", "{}", seen.shown());

    let before = server.requests();
    let seen = run(&server, "groups.create", json!({ "name": "x" }), short()).await?;
    assert_eq!(kind_of(seen.clean()), "server");
    assert_eq!(server.requests() - before, 1, "a 500 on a POST is not retried");
    let before = server.requests();
    let seen = run(&server, "groups.get", json!({ "group_id": "g" }), short()).await?;
    assert_eq!(kind_of(seen.clean()), "server");
    assert_eq!(server.requests() - before, 4, "a 500 on a GET is tried four times");
    Ok(())
}

// ---- a user caught mid-transition ------------------------------------------------------------

#[tokio::test]
async fn a_409_still_being_activated_is_retried_writes_included() -> Result<()> {
    let server = Hostile::start(handler!(|c| {
        if c.n == 1 {
            c.json("409 Conflict", &[], json!({ "errorCode": "E0000112", "errorSummary": "Unable to update the user because it is still being activated. Please try again later." })).await
        } else {
            c.json("200 OK", &[], json!({ "id": "00u1", "profile": { "department": "R&D" } })).await
        }
    }))
    .await;
    let seen = run(&server, "users.update", json!({ "id": "00u1", "department": "R&D" }), short()).await?;
    assert_eq!(seen.clean().kind(), "ok", "{}", seen.shown());
    assert_eq!(server.requests(), 2, "the POST was sent again: Okta applied nothing the first time");
    let targets = server.targets.lock().unwrap().clone();
    assert!(targets.iter().all(|t| t.starts_with("POST /api/v1/users/00u1")), "{targets:?}");
    Ok(())
}
