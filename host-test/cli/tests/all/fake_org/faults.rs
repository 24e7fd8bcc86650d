//! Every fault kind, in-process (`FakeOrg::handle`) and over a real 127.0.0.1 socket
//! (`FakeOrg::serve`, driven by a hyper HTTP/1 client).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::support::fake_org::*;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use okta_fake_org::{FakeOrg, Fault, Outcome};

fn date_secs(r: &Resp) -> i64 {
    let d = httpdate::parse_http_date(r.header("date").unwrap()).unwrap();
    d.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn status_faults_in_process() {
    let org = FakeOrg::seeded();
    org.inject_fault("GET", "/api/v1/users", Fault::Status(500), 1);
    let r = get(&org, "/api/v1/users?limit=1").await;
    assert_error(&r, 500, "E0000009");
    assert_eq!(r.json()["errorSummary"], "Internal Server Error");
    for h in [
        "x-okta-request-id",
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
        "cache-control",
        "date",
    ] {
        assert!(r.header(h).is_some(), "{h}");
    }
    assert_eq!(get(&org, "/api/v1/users?limit=1").await.status, 200, "the fault applies once");

    org.inject_fault("GET", "/api/v1/users/*", Fault::Status(503), 1);
    assert_error(&get(&org, "/api/v1/users/me").await, 503, "E0000010");

    org.inject_fault("GET", "/api/v1/users", Fault::Status(429), 1);
    let r = get(&org, "/api/v1/users").await;
    assert_error(&r, 429, "E0000047");
    assert_eq!(r.header("x-rate-limit-remaining"), Some("0"));
    assert!(r.header("retry-after").is_none() && r.header("cache-control").is_none());

    org.inject_fault("GET", "/api/v1/users", Fault::RateLimited { reset_after_secs: 7 }, 1);
    let r = get(&org, "/api/v1/users").await;
    assert_error(&r, 429, "E0000047");
    assert_eq!(r.header("x-rate-limit-limit"), Some("600"));
    assert_eq!(r.header("x-rate-limit-remaining"), Some("0"));
    assert_eq!(r.header("x-rate-limit-reset").unwrap().parse::<i64>().unwrap(), date_secs(&r) + 7);

    org.inject_fault("*", "/api/v1/**", Fault::ConcurrencyLimited, 1);
    let r = get(&org, "/api/v1/meta/types/user").await;
    assert_error(&r, 429, "E0000047");
    assert_eq!((r.header("x-rate-limit-limit"), r.header("x-rate-limit-remaining")), (Some("0"), Some("0")));

    // `*` matches one segment; `times` counts matching requests only
    let id = org.get_user_json("me").unwrap()["id"].as_str().unwrap().to_string();
    org.inject_fault("POST", "/api/v1/users/*/lifecycle/suspend", Fault::Status(500), 2);
    assert_eq!(call(&org, "POST", &format!("/api/v1/users/{id}/lifecycle/unsuspend"), None).await.status, 400);
    assert_eq!(call(&org, "POST", &format!("/api/v1/users/{id}/lifecycle/suspend"), None).await.status, 500);
    assert_eq!(call(&org, "POST", &format!("/api/v1/users/{id}/lifecycle/suspend"), None).await.status, 500);
    assert_eq!(call(&org, "POST", &format!("/api/v1/users/{id}/lifecycle/suspend"), None).await.status, 200);

    // faulted requests are recorded too
    let seen = org.requests();
    assert_eq!(seen.len(), 10);
    assert_eq!(seen[0].path, "/api/v1/users");
}

#[tokio::test]
async fn transport_faults_in_process() {
    let org = FakeOrg::seeded();
    org.inject_fault("GET", "/api/v1/users", Fault::Delay(Duration::from_millis(200)), 1);
    let t = Instant::now();
    let r = get(&org, "/api/v1/users?limit=1").await;
    assert!(t.elapsed() >= Duration::from_millis(200));
    assert_eq!(r.status, 200);

    org.inject_fault("GET", "/api/v1/users", Fault::DropConnection, 1);
    let req = http::Request::builder()
        .uri(format!("{ORIGIN}/api/v1/users"))
        .header("authorization", format!("SSWS {}", FakeOrg::TOKEN))
        .body(Bytes::new())
        .unwrap();
    assert!(matches!(org.handle(req).await, Outcome::Dropped));

    org.inject_fault("GET", "/api/v1/users", Fault::TruncateBody, 1);
    let r = get(&org, "/api/v1/users?limit=3").await;
    assert_eq!(r.status, 200);
    let cut = r.truncate_at.expect("truncate_at");
    assert!(cut > 0 && cut < r.body.len());
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body[..cut]).is_err());
    assert_eq!(get(&org, "/api/v1/users?limit=1").await.truncate_at, None);
}

struct WireResp {
    status: u16,
    headers: http::HeaderMap,
    body: Result<Bytes, String>,
}

/// One request on a fresh connection. `Err` when the server answered nothing.
async fn send(addr: SocketAddr, method: &str, path: &str) -> Result<WireResp, String> {
    let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    send_on(&mut sender, addr, method, path).await
}

async fn send_on(
    sender: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    addr: SocketAddr,
    method: &str,
    path: &str,
) -> Result<WireResp, String> {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header("accept", "application/json")
        .header("authorization", format!("SSWS {}", FakeOrg::TOKEN))
        .body(Empty::<Bytes>::new())
        .unwrap();
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.map(|c| c.to_bytes()).map_err(|e| e.to_string());
    Ok(WireResp { status: parts.status.as_u16(), headers: parts.headers, body })
}

#[tokio::test]
async fn faults_over_a_real_socket() {
    let org = FakeOrg::seeded();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(org.clone().serve(listener));

    // normal answer: chunked, two Link lines on the Host origin, keep-alive works
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let r = send_on(&mut sender, addr, "GET", "/api/v1/users?limit=2").await.unwrap();
    assert_eq!(r.status, 200);
    assert!(r.headers.get("content-length").is_none());
    assert_eq!(r.headers.get("transfer-encoding").unwrap(), "chunked");
    let links: Vec<_> = r.headers.get_all("link").iter().map(|v| parse_link(v.to_str().unwrap()).unwrap()).collect();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0], (format!("http://{addr}/api/v1/users?limit=2"), "self".to_string()));
    assert_eq!(links[1].1, "next");
    let users: serde_json::Value = serde_json::from_slice(&r.body.unwrap()).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 2);
    let next_path = links[1].0.trim_start_matches(&format!("http://{addr}")).to_string();
    let r = send_on(&mut sender, addr, "GET", &next_path).await.unwrap();
    assert_eq!(r.status, 200);
    let id = users[0]["id"].as_str().unwrap().to_string();
    let r = send_on(&mut sender, addr, "DELETE", &format!("/api/v1/users/{id}/sessions")).await.unwrap();
    assert_eq!(r.status, 204);
    assert!(r.body.unwrap().is_empty());
    assert!(r.headers.get("content-type").is_none());

    // status faults
    org.inject_fault("GET", "/api/v1/users", Fault::Status(500), 1);
    let r = send(addr, "GET", "/api/v1/users").await.unwrap();
    assert_eq!(r.status, 500);
    assert!(String::from_utf8(r.body.unwrap().to_vec()).unwrap().contains("E0000009"));
    org.inject_fault("GET", "/api/v1/users", Fault::RateLimited { reset_after_secs: 3 }, 1);
    let r = send(addr, "GET", "/api/v1/users").await.unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(r.headers.get("x-rate-limit-remaining").unwrap(), "0");
    org.inject_fault("GET", "/api/v1/users", Fault::ConcurrencyLimited, 1);
    let r = send(addr, "GET", "/api/v1/users").await.unwrap();
    assert_eq!((r.status, r.headers.get("x-rate-limit-limit").unwrap().to_str().unwrap()), (429, "0"));

    // delay
    org.inject_fault("GET", "/api/v1/users", Fault::Delay(Duration::from_millis(150)), 1);
    let t = Instant::now();
    let r = send(addr, "GET", "/api/v1/users?limit=1").await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert_eq!(r.status, 200);
    assert!(r.body.is_ok());

    // dropped connection: no response at all
    org.inject_fault("GET", "/api/v1/users", Fault::DropConnection, 1);
    let err = send(addr, "GET", "/api/v1/users").await;
    assert!(err.is_err(), "expected a transport error");

    // truncated body: headers arrive, the body fails
    org.inject_fault("GET", "/api/v1/users", Fault::TruncateBody, 1);
    let r = send(addr, "GET", "/api/v1/users?limit=5").await.unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body.is_err(), "body should fail after a partial read");

    // and the server still serves new connections
    let r = send(addr, "GET", "/api/v1/users/me").await.unwrap();
    assert_eq!(r.status, 200);
    assert!(r.headers.get("etag").is_some());

    server.abort();
    let _ = server.await;
    assert!(send(addr, "GET", "/api/v1/users").await.is_err(), "server stopped");
}
