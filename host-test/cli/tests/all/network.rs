//! The pooled network backend against servers on 127.0.0.1: a paged listing goes over one
//! kept-alive connection (plain and TLS), an idle connection the server closed is replaced,
//! and each timeout (connect with its TLS handshake, first byte, between bytes) fires on a
//! server that stalls, whether the guest set it or the pool's default applies; and the
//! egress policy: a strict request reaches no local address, whatever name leads there.

use std::time::{Duration, Instant};

use anyhow::Result;
use bytes::Bytes;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions};

use crate::support::common::connector;
use okta_fake_org::loopback::{Delays, ServedOrg, TestCa};
use okta_fake_org::FakeOrg;
use okta_harness::network::{Network, NetworkStats, Timeouts};
use okta_harness::{api_token, error_json, Backend, Egress, InstanceOptions, WitError};

/// These servers are on loopback: local orgs, which requests reach only when allowed.
const LOCAL: Egress = Egress::AllowLocal;

fn local() -> InstanceOptions {
    InstanceOptions { allow_local_orgs: true, ..InstanceOptions::default() }
}

fn org_of(users: usize) -> FakeOrg {
    let org = FakeOrg::empty();
    org.generate_users(users);
    org.set_rate_limit(1_000_000, Duration::from_secs(60));
    org
}

fn trusting(ca: &TestCa) -> Network {
    Network::builder().without_system_roots().add_root_pem(ca.ca_pem().as_bytes()).unwrap().build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paged_listing_uses_one_connection_over_http_and_over_tls() -> Result<()> {
    let ca = TestCa::generate()?;
    for tls in [false, true] {
        let org = org_of(1_000);
        let served = ServedOrg::start(org.clone(), tls.then_some(&ca), Delays::default()).await?;
        let network = trusting(&ca);
        let connection = api_token(served.url(), FakeOrg::TOKEN);

        let mut instance = connector().instantiate_with(Backend::NetworkWith(network.clone()), local()).await?;
        let input = json!({ "limit": 100, "fetch_all": true });
        let page = instance
            .invoke_json("users.list", &connection, &input)
            .await?
            .map_err(|e| error_json(&e))
            .unwrap_or_else(|e| panic!("users.list over {}: {e}", served.url()));
        let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
        assert_eq!(ids, org.user_ids(), "every user once, in order ({})", served.url());

        let exchanges = instance.exchanges();
        assert_eq!(exchanges.len(), 10);
        assert_eq!(exchanges[0].url, format!("{}/api/v1/users?limit=100", served.url()));
        for pair in exchanges.windows(2) {
            // Each page after the first is exactly the previous answer's `rel="next"` link,
            // on the origin (and scheme) the org was reached at.
            let next = pair[0]
                .response_headers
                .iter()
                .filter(|(k, _)| k == "link")
                .find_map(|(_, v)| v.strip_suffix(">; rel=\"next\"")?.strip_prefix('<'))
                .expect("a next link");
            assert_eq!(pair[1].method, "GET");
            assert_eq!(pair[1].url, next);
            assert!(next.starts_with(&format!("{}/api/v1/users?after=", served.url())), "{next}");
        }
        assert!(exchanges.iter().all(|e| e.status == Some(200) && e.error.is_none()));
        assert_eq!(served.connections(), 1, "one connection for 10 pages over {}", served.url());
        assert_eq!(served.requests(), 10);
        assert_eq!(network.stats(), NetworkStats { requests: 10, connections: 1, reused: 9 });

        // Another instance given the same pool picks up the same connection.
        let mut again = connector().instantiate_with(Backend::NetworkWith(network.clone()), local()).await?;
        let id = ids[0];
        let user = again.invoke_json("users.get", &connection, &json!({ "id": id })).await?;
        assert_eq!(user.map_err(|e| error_json(&e)).unwrap()["id"], id);
        assert_eq!(served.connections(), 1);
        assert_eq!(network.stats(), NetworkStats { requests: 11, connections: 1, reused: 10 });
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_pool_of_backend_network_keeps_connections_alive_too() -> Result<()> {
    let org = org_of(450);
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await?;
    let mut instance = connector().instantiate_with(Backend::Network, local()).await?;
    let connection = api_token(served.url(), FakeOrg::TOKEN);
    let page = instance.invoke_json("users.list", &connection, &json!({ "limit": 50, "fetch_all": true })).await?;
    assert_eq!(page.map_err(|e| error_json(&e)).unwrap()["items"].as_array().map(Vec::len), Some(450));
    assert_eq!(served.requests(), 9);
    assert_eq!(served.connections(), 1);
    Ok(())
}

#[tokio::test]
async fn a_direct_request_without_host_gets_one() -> Result<()> {
    let org = org_of(3);
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await?;
    let network = Network::builder().build()?;
    let request = http::Request::get(format!("{}/api/v1/users?limit=2", served.url()))
        .header("authorization", format!("SSWS {}", FakeOrg::TOKEN))
        .body(Bytes::new())?;
    let response = network.send(request, None, LOCAL).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.map_err(|e| anyhow::anyhow!("{e}"))?.to_bytes();
    let users: Vec<Value> = serde_json::from_slice(&body)?;
    assert_eq!(users.len(), 2);
    let seen = org.requests();
    let host = seen[0].headers.iter().find(|(k, _)| k == "host").map(|(_, v)| v.as_str());
    assert_eq!(host, served.url().strip_prefix("http://"));
    assert_eq!(seen[0].path, "/api/v1/users");
    assert_eq!(seen[0].query.as_deref(), Some("limit=2"));
    Ok(())
}

#[tokio::test]
async fn tls_refuses_a_server_the_pool_does_not_trust() -> Result<()> {
    let ca = TestCa::generate()?;
    let served = ServedOrg::start(org_of(1), Some(&ca), Delays::default()).await?;
    let stranger = TestCa::generate()?;
    let network = trusting(&stranger);
    let err = network.send(get(&format!("{}/api/v1/users", served.url())), None, LOCAL).await.unwrap_err();
    assert!(matches!(err, HttpError::TlsCertificateError), "{err:?}");
    assert_eq!(network.stats().connections, 0);
    Ok(())
}

/// `GET url` with the `Host` header wasi-http adds.
fn get(url: &str) -> http::Request<Bytes> {
    let uri: http::Uri = url.parse().unwrap();
    http::Request::get(uri.clone())
        .header(http::header::HOST, uri.authority().unwrap().as_str())
        .body(Bytes::new())
        .unwrap()
}

/// What a hand-written server on 127.0.0.1 does with each connection.
#[derive(Clone, Copy)]
enum Stall {
    /// Reads forever, writes nothing: no TLS handshake answer, no response.
    Silent,
    /// Answers the head and one chunk of the body, then nothing.
    MidBody,
    /// Answers each request in full (keep-alive), then closes the connection 50 ms after.
    CloseWhenIdle,
}

/// Serves `stall` on a free port; gives the port and a count of accepted connections.
async fn stalling_server(stall: Stall) -> (u16, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                match stall {
                    Stall::Silent => {
                        while let Ok(n) = socket.read(&mut buf).await {
                            if n == 0 {
                                return;
                            }
                        }
                    }
                    Stall::MidBody => {
                        let _ = read_head(&mut socket, &mut buf).await;
                        let head =
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                        let _ = socket.write_all(format!("{head}5\r\n[{{\"a\"\r\n").as_bytes()).await;
                        // Hold the connection open, silent, until the client gives up.
                        while let Ok(n) = socket.read(&mut buf).await {
                            if n == 0 {
                                return;
                            }
                        }
                    }
                    Stall::CloseWhenIdle => {
                        if read_head(&mut socket, &mut buf).await {
                            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n[]").await;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
            });
        }
    });
    (port, accepted)
}

/// Reads until the end of a request head (bounded by the client's own timeouts).
async fn read_head(socket: &mut tokio::net::TcpStream, buf: &mut [u8]) -> bool {
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    true
}

const SHORT: Duration = Duration::from_millis(300);
const LONG: Duration = Duration::from_secs(60);

fn network_with(defaults: Timeouts, ca: &TestCa) -> Network {
    Network::builder()
        .timeouts(defaults)
        .without_system_roots()
        .add_root_pem(ca.ca_pem().as_bytes())
        .unwrap()
        .build()
        .unwrap()
}

/// The guest's option for one phase, the others left to the pool.
fn option(phase: &str, d: Duration) -> RequestOptions {
    let mut o = RequestOptions::default();
    match phase {
        "connect" => o.connect_timeout = Some(d),
        "first_byte" => o.first_byte_timeout = Some(d),
        _ => o.between_bytes_timeout = Some(d),
    }
    o
}

/// The pool's defaults with one phase short, the rest long.
fn defaults(phase: &str, d: Duration) -> Timeouts {
    let mut t = Timeouts { connect: LONG, first_byte: LONG, between_bytes: LONG };
    match phase {
        "connect" => t.connect = d,
        "first_byte" => t.first_byte = d,
        _ => t.between_bytes = d,
    }
    t
}

/// Sends to a stalling server and reads the body; gives the error and when it came.
async fn fails_after(network: &Network, url: &str, options: Option<RequestOptions>) -> (HttpError, Duration) {
    let started = Instant::now();
    let outcome = async {
        let response = network.send(get(url), options, LOCAL).await?;
        response.into_body().collect().await.map(|_| ())
    };
    // The test's own bound: a timeout that never fires fails here instead of hanging.
    let result = tokio::time::timeout(Duration::from_secs(20), outcome).await.expect("the timeout fired");
    (result.expect_err("the stalled exchange failed"), started.elapsed())
}

fn assert_took(took: Duration, what: &str) {
    assert!(took >= SHORT && took < SHORT * 8, "{what}: failed after {took:?}, configured {SHORT:?}");
}

#[tokio::test]
async fn connect_timeout_covers_a_tls_handshake_that_never_completes() {
    let ca = TestCa::generate().unwrap();
    let (port, _) = stalling_server(Stall::Silent).await;
    let url = format!("https://localhost:{port}/api/v1/users");

    let network = network_with(defaults("connect", LONG), &ca);
    let (err, took) = fails_after(&network, &url, Some(option("connect", SHORT))).await;
    assert!(matches!(err, HttpError::ConnectionTimeout), "guest's connect timeout: {err:?}");
    assert_took(took, "guest's connect timeout");

    let network = network_with(defaults("connect", SHORT), &ca);
    let (err, took) = fails_after(&network, &url, None).await;
    assert!(matches!(err, HttpError::ConnectionTimeout), "default connect timeout: {err:?}");
    assert_took(took, "default connect timeout");
    assert_eq!(network.stats().connections, 0, "a connection that never opened is not counted");
}

#[tokio::test]
async fn first_byte_timeout_fires_on_a_server_that_never_answers() {
    let ca = TestCa::generate().unwrap();
    let (port, accepted) = stalling_server(Stall::Silent).await;
    let url = format!("http://127.0.0.1:{port}/api/v1/users");

    let network = network_with(defaults("first_byte", LONG), &ca);
    let (err, took) = fails_after(&network, &url, Some(option("first_byte", SHORT))).await;
    assert!(matches!(err, HttpError::ConnectionReadTimeout), "guest's first-byte timeout: {err:?}");
    assert_took(took, "guest's first-byte timeout");

    let network = network_with(defaults("first_byte", SHORT), &ca);
    let (err, took) = fails_after(&network, &url, None).await;
    assert!(matches!(err, HttpError::ConnectionReadTimeout), "default first-byte timeout: {err:?}");
    assert_took(took, "default first-byte timeout");
    assert_eq!(network.idle_connections(), 0, "a timed-out connection is not pooled");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn between_bytes_timeout_fires_on_a_body_that_stalls() {
    let ca = TestCa::generate().unwrap();
    let (port, _) = stalling_server(Stall::MidBody).await;
    let url = format!("http://127.0.0.1:{port}/api/v1/users");

    let network = network_with(defaults("between_bytes", LONG), &ca);
    let (err, took) = fails_after(&network, &url, Some(option("between_bytes", SHORT))).await;
    assert!(matches!(err, HttpError::ConnectionReadTimeout), "guest's between-bytes timeout: {err:?}");
    assert_took(took, "guest's between-bytes timeout");

    let network = network_with(defaults("between_bytes", SHORT), &ca);
    let (err, took) = fails_after(&network, &url, None).await;
    assert!(matches!(err, HttpError::ConnectionReadTimeout), "default between-bytes timeout: {err:?}");
    assert_took(took, "default between-bytes timeout");
    assert_eq!(network.idle_connections(), 0, "a connection cut mid-body is not pooled");
}

#[tokio::test]
async fn an_idle_connection_the_server_closed_is_replaced() {
    let ca = TestCa::generate().unwrap();
    let (port, accepted) = stalling_server(Stall::CloseWhenIdle).await;
    let url = format!("http://127.0.0.1:{port}/x");
    let network = network_with(Timeouts::default(), &ca);
    for round in 1..=3u64 {
        let response = network.send(get(&url), None, LOCAL).await.unwrap_or_else(|e| panic!("round {round}: {e}"));
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"[]");
        // Let the server close its side.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), round);
    }
    assert_eq!(network.stats(), NetworkStats { requests: 3, connections: 3, reused: 0 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guest_sees_a_transport_error_when_its_first_byte_timeout_fires() -> Result<()> {
    let ca = TestCa::generate()?;
    let (port, _) = stalling_server(Stall::Silent).await;
    // The guest sets its first-byte timeout in the request options (here shortened through its
    // environment); the pool enforces it.
    let network = network_with(Timeouts::default(), &ca);
    let env = vec![("OKTA_FIRST_BYTE_TIMEOUT_MS".to_string(), SHORT.as_millis().to_string())];
    let options = InstanceOptions { env, ..local() };
    let mut instance = connector().instantiate_with(Backend::NetworkWith(network), options).await?;
    let connection = api_token(&format!("http://127.0.0.1:{port}"), FakeOrg::TOKEN);
    // A POST: transport errors on writes are final, so exactly one attempt.
    let input = json!({ "id": "00u1" });
    let started = Instant::now();
    let result = instance.invoke_json("users.suspend", &connection, &input).await?;
    assert!(matches!(result, Err(WitError::Transport(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let exchanges = instance.exchanges();
    assert_eq!(exchanges.len(), 1);
    assert_eq!(exchanges[0].url, format!("http://127.0.0.1:{port}/api/v1/users/00u1/lifecycle/suspend"));
    assert_eq!(exchanges[0].status, None);
    assert_eq!(exchanges[0].error.as_deref(), Some("connection read timeout"));
    Ok(())
}

/// The egress check is on the address connected to, after DNS: `localhost` and a public-looking
/// name pinned to 127.0.0.1 are refused under the strict policy, with nothing reaching the
/// server, and a connection opened for a local org is never handed to a strict request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strict_request_reaches_no_local_address_whatever_the_name() -> Result<()> {
    let ca = TestCa::generate()?;
    let served = ServedOrg::start(org_of(3), Some(&ca), Delays::default()).await?;
    let network = trusting(&ca);
    let users = format!("{}/api/v1/users?limit=1", served.url());
    let signed = |url: &str| {
        let mut request = get(url);
        request.headers_mut().insert("authorization", format!("SSWS {}", FakeOrg::TOKEN).parse().unwrap());
        request
    };
    assert!(served.url().starts_with("https://localhost:"), "a name, not an address");
    let err = network.send(signed(&users), None, Egress::Strict).await.unwrap_err();
    assert!(matches!(err, HttpError::DestinationIpProhibited), "{err:?}");
    assert_eq!(served.connections(), 0, "nothing reached the server");

    let allowed = network.send(signed(&users), None, LOCAL).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(allowed.status(), 200);
    allowed.into_body().collect().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(network.idle_connections(), 1, "pooled for local requests");
    let err = network.send(signed(&users), None, Egress::Strict).await.unwrap_err();
    assert!(matches!(err, HttpError::DestinationIpProhibited), "the pooled local connection is not reused: {err:?}");
    assert_eq!(served.connections(), 1);

    // Plain http is for local orgs only.
    let plain = ServedOrg::start(org_of(1), None, Delays::default()).await?;
    let err = network.send(signed(&format!("{}/api/v1/users", plain.url())), None, Egress::Strict).await.unwrap_err();
    assert!(matches!(err, HttpError::HttpRequestDenied), "{err:?}");
    assert_eq!(plain.connections(), 0);

    // Through the component, with the harness's default (strict) options: a public name passes
    // the guest's check of names; the backend refuses the loopback address it resolves to.
    let pinned = Network::builder()
        .without_system_roots()
        .add_root_pem(ca.ca_pem().as_bytes())?
        .resolve("tenant.example.com", "127.0.0.1".parse()?)
        .build()?;
    let env = vec![("OKTA_RETRY_BACKOFF_MS".to_string(), "10".to_string())];
    let options = InstanceOptions { env, ..InstanceOptions::default() };
    let mut instance = connector().instantiate_with(Backend::NetworkWith(pinned), options).await?;
    let port = served.url().rsplit(':').next().unwrap_or_default();
    let connection = api_token(&format!("https://tenant.example.com:{port}"), FakeOrg::TOKEN);
    let result = instance.invoke_json("users.list", &connection, &json!({ "limit": 1 })).await?;
    match result {
        Err(WitError::Transport(m)) => assert!(m.contains("cannot be reached from here"), "{m}"),
        other => panic!("a loopback address behind a public name was reached: {other:?}"),
    }
    assert_eq!(served.connections(), 1, "still only the allowed one");
    Ok(())
}
