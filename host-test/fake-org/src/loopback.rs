//! A fake org served on 127.0.0.1 the way a real org is reached: over TLS with a test CA made
//! at run time, with the delays of a distant server, counting the connections it accepts.
//! The network tests and the TLS bench use it; it wraps the public [`FakeOrg::handle`].
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use okta_fake_org::loopback::{Delays, ServedOrg, TestCa};
//! let ca = TestCa::generate()?;
//! let served = ServedOrg::start(okta_fake_org::FakeOrg::seeded(), Some(&ca), Delays::default()).await?;
//! println!("{} trusts {} bytes of CA PEM", served.url(), ca.ca_pem().len());
//! # Ok(()) }
//! ```

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::{Context as _, Result};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::{FakeOrg, Outcome};

/// A certificate authority made at run time, and a server certificate it signed for
/// `localhost`, `127.0.0.1` and `::1`.
pub struct TestCa {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

impl TestCa {
    /// A fresh CA (ECDSA P-256) and server certificate.
    pub fn generate() -> Result<TestCa> {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
            KeyUsagePurpose,
        };
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "okta-host loopback test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let ca_key = KeyPair::generate()?;
        let ca_cert = ca.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca, ca_key);

        let mut leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".into(), "::1".into()])?;
        leaf.distinguished_name.push(DnType::CommonName, "localhost");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf.use_authority_key_identifier_extension = true;
        let leaf_key = KeyPair::generate()?;
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(leaf_cert.der().to_vec()), CertificateDer::from(ca_cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .context("the test server certificate")?;
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TestCa { ca_pem: ca_cert.pem(), server: Arc::new(server) })
    }

    /// The CA certificate as PEM, for a client to trust (`NODE_EXTRA_CA_CERTS`,
    /// `SSL_CERT_FILE`, `NetworkBuilder::add_root_pem`).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
}

/// Delays that imitate a distant org on loopback.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delays {
    /// Before a new connection's first byte from the server (before the TLS handshake's
    /// answer): the round trips of a TCP and TLS handshake.
    pub per_connection: Duration,
    /// Before each response: the request's round trip.
    pub per_request: Duration,
}

impl Delays {
    /// A real org seen from a nearby region: 30 ms per new connection, 10 ms per request.
    pub const REAL_ORG: Delays =
        Delays { per_connection: Duration::from_millis(30), per_request: Duration::from_millis(10) };
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    requests: AtomicU64,
}

/// A fake org being served; stops when dropped.
pub struct ServedOrg {
    url: String,
    counters: Arc<Counters>,
    task: tokio::task::JoinHandle<()>,
}

impl ServedOrg {
    /// Serves `org` on a free port of 127.0.0.1 from the current tokio runtime: over TLS
    /// when `tls` is given (`https://localhost:PORT`), else plain (`http://127.0.0.1:PORT`).
    pub async fn start(org: FakeOrg, tls: Option<&TestCa>, delays: Delays) -> Result<ServedOrg> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("cannot listen on 127.0.0.1")?;
        let port = listener.local_addr()?.port();
        let url = match tls {
            Some(_) => format!("https://localhost:{port}"),
            None => format!("http://127.0.0.1:{port}"),
        };
        let acceptor = tls.map(|ca| tokio_rustls::TlsAcceptor::from(ca.server.clone()));
        let counters = Arc::new(Counters::default());
        let task = tokio::spawn(accept_loop(listener, org, acceptor, delays, counters.clone()));
        Ok(ServedOrg { url, counters, task })
    }

    /// `https://localhost:PORT` or `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.counters.connections.load(Ordering::SeqCst)
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::SeqCst)
    }
}

impl Drop for ServedOrg {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    org: FakeOrg,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    delays: Delays,
    counters: Arc<Counters>,
) {
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    // Connection tasks live in the set, so aborting this loop closes them too.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else { continue };
                counters.connections.fetch_add(1, Ordering::SeqCst);
                let _ = tcp.set_nodelay(true);
                let (org, acceptor, counters) = (org.clone(), acceptor.clone(), counters.clone());
                connections.spawn(async move {
                    tokio::time::sleep(delays.per_connection).await;
                    let service = hyper::service::service_fn(move |req| {
                        let (org, counters) = (org.clone(), counters.clone());
                        async move {
                            counters.requests.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(delays.per_request).await;
                            answer(&org, scheme, req).await
                        }
                    });
                    let http = hyper::server::conn::http1::Builder::new();
                    let _ = match acceptor {
                        Some(acceptor) => {
                            // A handshake that never completes must not hold the task forever.
                            let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(30), acceptor.accept(tcp)).await
                            else {
                                return;
                            };
                            http.serve_connection(TokioIo::new(tls), service).await
                        }
                        None => http.serve_connection(TokioIo::new(tcp), service).await,
                    };
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One request: its URI made absolute (so the org's links carry this scheme), answered by the
/// org in-process.
async fn answer(
    org: &FakeOrg,
    scheme: &str,
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<Answer>, std::io::Error> {
    let (mut parts, body) = req.into_parts();
    let body = body.collect().await.map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?.to_bytes();
    let host = parts.headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    parts.uri = format!("{scheme}://{host}{path}")
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    match org.handle(http::Request::from_parts(parts, body)).await {
        // hyper closes the connection without an answer when the service fails.
        Outcome::Dropped => Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "injected fault: drop")),
        Outcome::Response { response, truncate_at } => {
            let (parts, body) = response.into_parts();
            let answer = match truncate_at {
                Some(n) => Answer { data: Some(body.slice(..n.min(body.len()))), fail: true },
                None => Answer { data: Some(body), fail: false },
            };
            Ok(http::Response::from_parts(parts, answer))
        }
    }
}

/// A response body: its bytes, then an error when the org cut it short.
struct Answer {
    data: Option<Bytes>,
    fail: bool,
}

impl Body for Answer {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(data) = self.data.take().filter(|d| !d.is_empty()) {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if std::mem::take(&mut self.fail) {
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "injected fault: truncated",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.as_ref().is_none_or(Bytes::is_empty) && !self.fail
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}
