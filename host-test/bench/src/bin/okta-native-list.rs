//! `okta-native-list`: lists every user of an org the way a hand-written native client would,
//! as the bench's baseline for what this machine can do: hyper-util's pooled HTTP/1 client
//! (keep-alive, over http or over TLS through hyper-rustls with the system's roots plus
//! `--ca`), `Link: rel="next"` followed until it ends (on the org's origin only: a link
//! elsewhere is an error, so the token never leaves), every page parsed into typed users with
//! serde_json.
//!
//! ```text
//! okta-native-list --url https://localhost:8443 --token TOKEN [--limit 200] [--ca ca.pem] --out ids.txt
//! ```
//!
//! Writes the ids, one per line in listing order, to `--out` and a last line
//! `BENCH list_s=… requests=… body_bytes=…` on stderr (`list_s` includes setting up TLS). Exits 1 on any error (a non-2xx answer
//! included), with the reason on stderr.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, bail, Context as _, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde_json::Value;

/// A user as a typed client keeps it: the fields a program reads, the rest kept as JSON.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct User {
    id: String,
    status: String,
    created: Option<String>,
    activated: Option<String>,
    status_changed: Option<String>,
    last_login: Option<String>,
    last_updated: Option<String>,
    password_changed: Option<String>,
    #[serde(rename = "type")]
    user_type: Option<Value>,
    profile: BTreeMap<String, Value>,
    credentials: Option<Value>,
    #[serde(rename = "_links")]
    links: Option<Value>,
}

struct Args {
    url: String,
    token: String,
    limit: u32,
    out: String,
    /// PEM file of extra roots to trust (the bench's test CA).
    ca: Option<String>,
}

fn parse_args() -> Result<Args> {
    let mut url = None;
    let mut token = None;
    let mut limit = 200;
    let mut out = None;
    let mut ca = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| anyhow!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => url = Some(value()?),
            "--token" => token = Some(value()?),
            "--limit" => limit = value()?.parse().context("--limit")?,
            "--out" => out = Some(value()?),
            "--ca" => ca = Some(value()?),
            other => {
                bail!("unknown argument `{other}` (usage: --url URL --token TOKEN [--limit N] [--ca PEM] --out FILE)")
            }
        }
    }
    Ok(Args {
        url: url.ok_or_else(|| anyhow!("--url is required"))?,
        token: token.ok_or_else(|| anyhow!("--token is required"))?,
        limit,
        out: out.ok_or_else(|| anyhow!("--out is required"))?,
        ca,
    })
}

/// The `rel="next"` target among all `Link` header values (one per line, or comma-joined).
fn next_link(headers: &http::HeaderMap) -> Option<String> {
    headers.get_all(http::header::LINK).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).find_map(
        |link| {
            let (target, params) = link.trim().split_once(';')?;
            let is_next = params.split(';').any(|p| {
                let p = p.trim();
                p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
            });
            is_next.then(|| target.trim().trim_start_matches('<').trim_end_matches('>').to_string())
        },
    )
}

/// The page `next` points to, resolved against the current one, if it is on the same origin
/// (scheme, host and port): the token goes only to the org it was given for.
fn on_same_origin(current: &str, next: &str) -> Result<String> {
    let current = url::Url::parse(current).with_context(|| format!("not a URL: {current}"))?;
    let next = current.join(next).with_context(|| format!("a next link that is not a URL: {next}"))?;
    if next.origin() != current.origin() {
        bail!(
            "a next link to another origin ({}): not followed, the token stays with the org",
            next.origin().ascii_serialization()
        );
    }
    Ok(next.into())
}

/// The TLS settings: the system's roots and the `--ca` file's, HTTP/1.1 by ALPN.
fn tls_config(ca: Option<&str>) -> Result<rustls::ClientConfig> {
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(path) = ca {
        for cert in rustls::pki_types::CertificateDer::pem_file_iter(path).with_context(|| format!("--ca {path}"))? {
            roots.add(cert.with_context(|| format!("--ca {path}"))?)?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

async fn list(args: &Args) -> Result<(Vec<String>, usize, usize)> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(args.ca.as_deref())?)
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(https);
    let authorization = format!("SSWS {}", args.token);
    let mut url = format!("{}/api/v1/users?limit={}", args.url.trim_end_matches('/'), args.limit);
    let mut ids = Vec::new();
    let (mut requests, mut body_bytes) = (0, 0);
    loop {
        let request = http::Request::get(&url)
            .header(http::header::AUTHORIZATION, &authorization)
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::USER_AGENT, "okta-native-list")
            .body(Empty::new())?;
        let response = client.request(request).await.with_context(|| format!("GET {url}"))?;
        requests += 1;
        let status = response.status();
        let next = next_link(response.headers());
        let body = response.into_body().collect().await.context("reading a page")?.to_bytes();
        body_bytes += body.len();
        if !status.is_success() {
            bail!("GET {url}: {status}: {}", String::from_utf8_lossy(&body));
        }
        let users: Vec<User> = serde_json::from_slice(&body).with_context(|| format!("GET {url}: not users"))?;
        ids.extend(users.into_iter().map(|u| u.id));
        match next.map(|n| on_same_origin(&url, &n)).transpose()? {
            Some(next) if next != url => url = next,
            _ => return Ok((ids, requests, body_bytes)),
        }
    }
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let started = Instant::now();
    let (ids, requests, body_bytes) = runtime.block_on(list(&args))?;
    let list_s = started.elapsed().as_secs_f64();
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&args.out).with_context(|| format!("cannot write {}", args.out))?,
    );
    for id in &ids {
        writeln!(out, "{id}")?;
    }
    out.flush()?;
    eprintln!("BENCH list_s={list_s:.6} requests={requests} body_bytes={body_bytes} users={}", ids.len());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("okta-native-list: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// A server answering every request with one user and, when given, `Link: <next>;
    /// rel="next"`; it keeps the `Authorization` header of each request it got.
    async fn server(next: Option<String>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let kept = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && tcp.read(&mut byte).await.unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let auth = head.lines().find_map(|l| l.strip_prefix("authorization: ")).unwrap_or("").to_string();
                kept.lock().unwrap().push(auth);
                let body = r#"[{"id":"00u1","status":"ACTIVE","profile":{}}]"#;
                let link = next.as_ref().map(|n| format!("link: <{n}>; rel=\"next\"\r\n")).unwrap_or_default();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{link}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tcp.write_all(answer.as_bytes()).await;
            }
        });
        (url, seen)
    }

    fn args(url: &str) -> Args {
        Args { url: url.to_string(), token: "native-secret-token".into(), limit: 1, out: String::new(), ca: None }
    }

    #[tokio::test]
    async fn the_token_never_follows_a_next_link_to_another_origin() {
        let (elsewhere, seen_elsewhere) = server(None).await;
        let (org, seen_org) = server(Some(format!("{elsewhere}/api/v1/users?after=00u1"))).await;
        let err = list(&args(&org)).await.unwrap_err();
        assert!(err.to_string().contains("another origin"), "{err:#}");
        assert_eq!(seen_org.lock().unwrap().as_slice(), ["SSWS native-secret-token"]);
        assert!(seen_elsewhere.lock().unwrap().is_empty(), "the other origin got a request");
    }

    #[tokio::test]
    async fn next_links_on_the_same_origin_are_followed_to_the_end() {
        let (org, seen) = server(None).await;
        let (ids, requests, _) = list(&args(&org)).await.unwrap();
        assert_eq!((ids.len(), requests), (1, 1));
        assert_eq!(seen.lock().unwrap().len(), 1);
    }
}
