//! The network backend: the guest's requests sent for real over HTTP/1.1, with connections
//! kept alive and pooled per origin, TLS through rustls, and wasi-http's request options
//! (connect, first-byte and between-bytes timeouts) honoured per request.
//!
//! Why not `wasmtime_wasi_http::default_send_request`: it opens a connection (and a TLS
//! session) per request, so a 250-page listing pays 250 handshakes. Why not hyper-util's
//! legacy pooled client: its connector is shared by every request and sees only the origin,
//! so a per-request connect timeout cannot reach it, and its response future covers the
//! connect too, so the first-byte clock could not start once the connection is ready, as
//! wasi-http defines it. This pool sits directly on hyper's HTTP/1 connections instead:
//!
//! * connect = TCP connect + TLS handshake + HTTP/1 handshake, all inside the connect timeout;
//! * first byte = from handing the request to a ready connection to the response head;
//! * between bytes = the longest pause between two frames of the response body;
//! * a connection goes back to the pool only once its response body was read to the end
//!   (anything else leaves the connection in an unknown state, so it is closed);
//! * an idle connection the server closed meanwhile is noticed at checkout, and a request that
//!   a reused connection could not even start is sent again on a fresh one.
//!
//! Defaults when the guest sets no option: [`Timeouts::default`] (connect 10 s, first byte
//! 30 s, between bytes 30 s); idle connections are dropped after 90 s. Roots: the system's
//! (rustls-native-certs, which also honours `SSL_CERT_FILE` and `SSL_CERT_DIR`), or Mozilla's
//! (webpki-roots) where the system has none.
//!
//! **Egress.** Each request is sent under an [`Egress`] policy (an instance's, see
//! `InstanceOptions::allow_local_orgs`). [`Egress::Strict`], the default, sends https only, and
//! only to public addresses: the name is resolved here and every address it resolves to is
//! checked before connecting, so a name that resolves to a loopback, private, link-local or
//! unspecified address is refused (`destination-ip-prohibited`) just as an IP literal would
//! be. Connections are pooled per policy, so one opened for a local org is never handed to a
//! strict request.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions};

/// How long each phase of a request may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect, TLS handshake and HTTP/1 handshake of a new connection, together.
    pub connect: Duration,
    /// From sending the request on a ready connection to the response head.
    pub first_byte: Duration,
    /// The longest pause between two frames of the response body.
    pub between_bytes: Duration,
}

impl Default for Timeouts {
    /// Connect 10 s (a TLS handshake to a real org takes well under a second), first byte
    /// 30 s (Okta answers large pages in a few seconds), between bytes 30 s.
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(10),
            first_byte: Duration::from_secs(30),
            between_bytes: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// These timeouts, each replaced by the guest's own where it set one.
    pub fn with_options(self, options: Option<&RequestOptions>) -> Timeouts {
        let Some(o) = options else { return self };
        Timeouts {
            connect: o.connect_timeout.unwrap_or(self.connect),
            first_byte: o.first_byte_timeout.unwrap_or(self.first_byte),
            between_bytes: o.between_bytes_timeout.unwrap_or(self.between_bytes),
        }
    }
}

/// Which addresses a request may reach.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Egress {
    /// https to public addresses only: what a host running other people's connections wants.
    #[default]
    Strict,
    /// Also http, and loopback, private, link-local and unspecified addresses: a local org.
    AllowLocal,
}

impl Egress {
    /// Whether a connection to `ip` is allowed.
    pub fn allows(self, ip: std::net::IpAddr) -> bool {
        self == Egress::AllowLocal || !is_local(ip)
    }
}

/// Loopback, private, link-local, shared (CGNAT), unspecified, broadcast or multicast: never
/// an org on the internet (IPv4-mapped IPv6 addresses by their IPv4 address).
pub fn is_local(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (b & 0xc0) == 64)
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local(IpAddr::V4(v4)),
            None => {
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
            }
        },
    }
}

/// Idle connections older than this are closed rather than reused.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Idle connections kept per origin; more are closed when they come back.
const MAX_IDLE_PER_ORIGIN: usize = 16;

/// What a [`Network`] has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetworkStats {
    /// Requests sent (a request re-sent on a fresh connection counts once).
    pub requests: u64,
    /// Connections opened (TCP, and TLS where the origin is `https`).
    pub connections: u64,
    /// Requests that went out on a connection an earlier request had used.
    pub reused: u64,
}

/// A pool of keep-alive connections and the TLS settings to open them with. Clones share
/// the pool; a host makes one and passes it to every instance (`Backend::NetworkWith`), or
/// uses the process-wide [`Network::shared`] (`Backend::Network`).
#[derive(Clone)]
pub struct Network {
    inner: Arc<Inner>,
}

struct Inner {
    tls: tokio_rustls::TlsConnector,
    resolve: HashMap<String, std::net::IpAddr>,
    timeouts: Timeouts,
    idle_timeout: Duration,
    idle: Mutex<HashMap<Origin, Vec<Idle>>>,
    requests: AtomicU64,
    connections: AtomicU64,
    reused: AtomicU64,
}

/// Where a connection goes: scheme, host and port, and the policy it was opened under.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Origin {
    https: bool,
    host: String,
    port: u16,
    egress: Egress,
}

impl Origin {
    fn of(uri: &http::Uri, egress: Egress) -> Result<Origin, HttpError> {
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(HttpError::HttpProtocolError),
        };
        let host = uri.host().filter(|h| !h.is_empty()).ok_or(HttpError::HttpRequestUriInvalid)?;
        // `Uri::host` keeps an IPv6 literal's brackets; sockets and TLS want it bare.
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        if !https && egress == Egress::Strict {
            return Err(HttpError::HttpRequestDenied);
        }
        Ok(Origin { https, host, port, egress })
    }
}

/// A connection waiting for its next request.
struct Idle {
    sender: http1::SendRequest<Full<Bytes>>,
    /// The runtime whose task drives the connection: a connection is only handed to requests
    /// on the same runtime, since a current-thread runtime drives it only while it runs.
    runtime: tokio::runtime::Id,
    since: Instant,
}

/// The builder of a [`Network`].
pub struct NetworkBuilder {
    timeouts: Timeouts,
    idle_timeout: Duration,
    system_roots: bool,
    extra_roots: Vec<CertificateDer<'static>>,
    resolve: HashMap<String, std::net::IpAddr>,
}

impl NetworkBuilder {
    /// The timeouts used where the guest sets none (default: [`Timeouts::default`]).
    pub fn timeouts(mut self, timeouts: Timeouts) -> NetworkBuilder {
        self.timeouts = timeouts;
        self
    }

    /// How long a connection may sit idle and still be reused (default 90 s).
    pub fn idle_timeout(mut self, idle: Duration) -> NetworkBuilder {
        self.idle_timeout = idle;
        self
    }

    /// Also trust the certificates of this PEM text (a test CA, a corporate proxy's CA).
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<NetworkBuilder> {
        let mut found = 0;
        for cert in rustls_pemfile_certs(pem)? {
            self.extra_roots.push(cert);
            found += 1;
        }
        if found == 0 {
            bail!("no certificate in the PEM text");
        }
        Ok(self)
    }

    /// Resolve `host` to `ip` instead of asking DNS (as curl's `--resolve`): a host that pins
    /// an org's address, or a test. The egress policy checks it like any resolved address.
    pub fn resolve(mut self, host: &str, ip: std::net::IpAddr) -> NetworkBuilder {
        self.resolve.insert(host.to_ascii_lowercase(), ip);
        self
    }

    /// Trust only the roots added with [`NetworkBuilder::add_root_pem`], not the system's.
    pub fn without_system_roots(mut self) -> NetworkBuilder {
        self.system_roots = false;
        self
    }

    pub fn build(self) -> Result<Network> {
        let mut roots = rustls::RootCertStore::empty();
        if self.system_roots {
            roots.roots.extend(system_roots().iter().cloned());
        }
        for cert in self.extra_roots {
            roots.add(cert).context("a root certificate was refused")?;
        }
        // The ring provider explicitly: rustls picks a process default only when exactly one
        // provider is compiled in, which other crates' features could change.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Network {
            inner: Arc::new(Inner {
                tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
                resolve: self.resolve,
                timeouts: self.timeouts,
                idle_timeout: self.idle_timeout,
                idle: Mutex::default(),
                requests: AtomicU64::new(0),
                connections: AtomicU64::new(0),
                reused: AtomicU64::new(0),
            }),
        })
    }
}

/// Certificates in PEM text (`-----BEGIN CERTIFICATE-----` blocks).
fn rustls_pemfile_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject as _;
    CertificateDer::pem_slice_iter(pem).collect::<Result<Vec<_>, _>>().context("invalid PEM certificate")
}

/// The system's trust anchors, loaded once per process; Mozilla's where the system has none.
fn system_roots() -> &'static [rustls::pki_types::TrustAnchor<'static>] {
    static ROOTS: OnceLock<Vec<rustls::pki_types::TrustAnchor<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut store = rustls::RootCertStore::empty();
        // Unreadable or unparsable entries are skipped, as browsers do: the rest still count.
        let loaded = rustls_native_certs::load_native_certs();
        let (_added, _ignored) = store.add_parsable_certificates(loaded.certs);
        if store.is_empty() {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        store.roots
    })
}

impl Network {
    /// A pool with the system's roots and the default timeouts.
    pub fn builder() -> NetworkBuilder {
        NetworkBuilder {
            timeouts: Timeouts::default(),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            system_roots: true,
            extra_roots: Vec::new(),
            resolve: HashMap::new(),
        }
    }

    /// The process-wide pool `Backend::Network` uses: system roots, default timeouts.
    pub fn shared() -> &'static Network {
        static SHARED: OnceLock<Network> = OnceLock::new();
        SHARED.get_or_init(|| Network::builder().build().expect("the default TLS configuration builds"))
    }

    /// The timeouts used where the guest sets none.
    pub fn timeouts(&self) -> Timeouts {
        self.inner.timeouts
    }

    /// Requests, connections and reuses so far.
    pub fn stats(&self) -> NetworkStats {
        NetworkStats {
            requests: self.inner.requests.load(Ordering::Relaxed),
            connections: self.inner.connections.load(Ordering::Relaxed),
            reused: self.inner.reused.load(Ordering::Relaxed),
        }
    }

    /// Idle connections in the pool now, all origins together.
    pub fn idle_connections(&self) -> usize {
        self.inner.idle.lock().unwrap().values().map(Vec::len).sum()
    }

    /// Sends `request` (absolute URI) under `egress` on a pooled connection to its origin, or
    /// a new one. The response body streams; reading it to the end returns the connection to
    /// the pool.
    pub async fn send(
        &self,
        request: http::Request<Bytes>,
        options: Option<RequestOptions>,
        egress: Egress,
    ) -> Result<http::Response<PooledBody>, HttpError> {
        let timeouts = self.inner.timeouts.with_options(options.as_ref());
        let origin = Origin::of(request.uri(), egress)?;
        let (mut parts, body) = request.into_parts();
        // wasi-http sets `Host`; a direct caller may not, and HTTP/1.1 requires it.
        if !parts.headers.contains_key(http::header::HOST) {
            let authority = parts.uri.authority().ok_or(HttpError::HttpRequestUriInvalid)?;
            let host = http::HeaderValue::from_str(authority.as_str()).map_err(|_| HttpError::HttpRequestUriInvalid)?;
            parts.headers.insert(http::header::HOST, host);
        }
        // On the wire HTTP/1 wants the origin form (`/path?query`); the absolute form is for
        // proxies.
        parts.uri = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .parse()
            .map_err(|_| HttpError::HttpRequestUriInvalid)?;
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let runtime = tokio::runtime::Handle::current().id();
        let mut request = http::Request::from_parts(parts, Full::new(body));
        loop {
            let (mut sender, reused) = match self.checkout(&origin, runtime, timeouts.connect).await {
                Some(sender) => (sender, true),
                None => (self.connect(&origin, timeouts.connect).await?, false),
            };
            let sent = tokio::time::timeout(timeouts.first_byte, sender.try_send_request(request)).await;
            match sent {
                // Dropping the request future closes the connection: nothing else can use it.
                Err(_elapsed) => return Err(HttpError::ConnectionReadTimeout),
                Ok(Ok(response)) => {
                    if reused {
                        self.inner.reused.fetch_add(1, Ordering::Relaxed);
                    }
                    let checkin = Checkin { pool: Arc::downgrade(&self.inner), origin, runtime, sender };
                    return Ok(response.map(|incoming| PooledBody::new(incoming, timeouts.between_bytes, checkin)));
                }
                Ok(Err(mut e)) => match e.take_message() {
                    // The server closed an idle connection just as it was picked: the request
                    // never left, so it goes again (on the next idle connection or a new one).
                    Some(unsent) if reused => request = unsent,
                    _ => return Err(HttpError::from(e.into_error())),
                },
            }
        }
    }

    /// The newest usable idle connection to `origin` on this runtime, if any.
    async fn checkout(
        &self,
        origin: &Origin,
        runtime: tokio::runtime::Id,
        bound: Duration,
    ) -> Option<http1::SendRequest<Full<Bytes>>> {
        loop {
            let mut candidate = {
                let mut idle = self.inner.idle.lock().unwrap();
                let list = idle.get_mut(origin)?;
                let max_age = self.inner.idle_timeout;
                list.retain(|c| !c.sender.is_closed() && c.since.elapsed() < max_age);
                let found = list.iter().rposition(|c| c.runtime == runtime).map(|i| list.remove(i));
                if list.is_empty() {
                    idle.remove(origin);
                }
                found?
            };
            // A connection just handed back may still be finishing its previous exchange;
            // one the server closed fails here and the next one is tried.
            if let Ok(Ok(())) = tokio::time::timeout(bound, candidate.sender.ready()).await {
                return Some(candidate.sender);
            }
        }
    }

    /// Opens a connection to `origin`: DNS, the egress check of every address, TCP (to the
    /// first allowed address that answers), then TLS for `https`, then the HTTP/1 handshake,
    /// all within `bound`.
    async fn connect(&self, origin: &Origin, bound: Duration) -> Result<http1::SendRequest<Full<Bytes>>, HttpError> {
        let opening = async {
            type Opened = Result<http1::SendRequest<Full<Bytes>>, HttpError>;
            let tcp = connect_allowed(origin, self.inner.resolve.get(&origin.host).copied()).await?;
            // Requests are small writes answered by the server: Nagle's delay would only
            // add latency.
            let _ = tcp.set_nodelay(true);
            if !origin.https {
                let (sender, connection) = http1::handshake(TokioIo::new(tcp)).await?;
                tokio::spawn(connection);
                return Opened::Ok(sender);
            }
            let name = ServerName::try_from(origin.host.clone()).map_err(|_| HttpError::HttpRequestUriInvalid)?;
            let tls = self.inner.tls.connect(name, tcp).await.map_err(tls_error)?;
            let (sender, connection) = http1::handshake(TokioIo::new(tls)).await?;
            tokio::spawn(connection);
            Opened::Ok(sender)
        };
        let sender = tokio::time::timeout(bound, opening).await.map_err(|_| HttpError::ConnectionTimeout)??;
        self.inner.connections.fetch_add(1, Ordering::Relaxed);
        Ok(sender)
    }
}

/// A TCP connection to the first of `origin`'s addresses its policy allows that accepts.
/// The name is resolved here and each address checked before connecting: what is checked is
/// what is connected to, so a name that resolves to a private address is refused too.
async fn connect_allowed(
    origin: &Origin,
    pinned: Option<std::net::IpAddr>,
) -> Result<tokio::net::TcpStream, HttpError> {
    let resolved: Vec<std::net::SocketAddr> = match pinned {
        Some(ip) => vec![std::net::SocketAddr::new(ip, origin.port)],
        None => tokio::net::lookup_host((origin.host.as_str(), origin.port))
            .await
            .map_err(|_| HttpError::DnsError { rcode: None, info_code: None })?
            .collect(),
    };
    let allowed: Vec<std::net::SocketAddr> = resolved.into_iter().filter(|a| origin.egress.allows(a.ip())).collect();
    if allowed.is_empty() {
        return Err(HttpError::DestinationIpProhibited);
    }
    let mut last = None;
    for addr in allowed {
        match tokio::net::TcpStream::connect(addr).await {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => HttpError::ConnectionRefused,
        Some(e) => HttpError::Connect(e),
        None => HttpError::DestinationUnavailable,
    })
}

/// A TLS handshake failure as wasi-http names it.
fn tls_error(e: std::io::Error) -> HttpError {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidCertificate(_)) | Some(rustls::Error::NoCertificatesPresented) => {
            HttpError::TlsCertificateError
        }
        Some(rustls::Error::AlertReceived(alert)) => {
            HttpError::TlsAlertReceived { alert_id: Some(u8::from(*alert)), alert_message: Some(format!("{alert:?}")) }
        }
        Some(_) => HttpError::TlsProtocolError,
        None => HttpError::Tls(e),
    }
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network").field("timeouts", &self.inner.timeouts).field("stats", &self.stats()).finish()
    }
}

/// What returns a connection to its pool once its response was read to the end.
struct Checkin {
    pool: Weak<Inner>,
    origin: Origin,
    runtime: tokio::runtime::Id,
    sender: http1::SendRequest<Full<Bytes>>,
}

impl Checkin {
    fn release(self) {
        let Some(pool) = self.pool.upgrade() else { return };
        if self.sender.is_closed() {
            return;
        }
        let mut idle = pool.idle.lock().unwrap();
        let list = idle.entry(self.origin).or_default();
        if list.len() >= MAX_IDLE_PER_ORIGIN {
            list.remove(0);
        }
        list.push(Idle { sender: self.sender, runtime: self.runtime, since: Instant::now() });
    }
}

/// A response body from the pool: enforces the between-bytes timeout, and hands the
/// connection back when it reaches its end (dropped earlier, the connection is closed).
pub struct PooledBody {
    incoming: Incoming,
    between_bytes: Duration,
    pause: Pin<Box<tokio::time::Sleep>>,
    checkin: Option<Checkin>,
    done: bool,
}

impl PooledBody {
    fn new(incoming: Incoming, between_bytes: Duration, checkin: Checkin) -> PooledBody {
        PooledBody {
            incoming,
            between_bytes,
            pause: Box::pin(tokio::time::sleep(between_bytes)),
            checkin: Some(checkin),
            done: false,
        }
    }
}

impl std::fmt::Debug for PooledBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PooledBody").field("between_bytes", &self.between_bytes).field("done", &self.done).finish()
    }
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        if self.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.incoming).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let next = tokio::time::Instant::now() + self.between_bytes;
                self.pause.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                self.done = true;
                self.checkin = None;
                Poll::Ready(Some(Err(HttpError::from(e))))
            }
            Poll::Ready(None) => {
                self.done = true;
                if let Some(checkin) = self.checkin.take() {
                    checkin.release();
                }
                Poll::Ready(None)
            }
            Poll::Pending => match self.pause.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    self.done = true;
                    self.checkin = None;
                    Poll::Ready(Some(Err(HttpError::ConnectionReadTimeout)))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_default_their_port_and_lose_ipv6_brackets() {
        let o = |u: &str| Origin::of(&u.parse::<http::Uri>().unwrap(), Egress::AllowLocal);
        let local = Egress::AllowLocal;
        assert_eq!(
            o("https://Acme.okta.com/api").unwrap(),
            Origin { https: true, host: "acme.okta.com".into(), port: 443, egress: local }
        );
        assert_eq!(
            o("http://127.0.0.1:8080/").unwrap(),
            Origin { https: false, host: "127.0.0.1".into(), port: 8080, egress: local }
        );
        assert_eq!(
            o("https://[::1]:9443/x").unwrap(),
            Origin { https: true, host: "::1".into(), port: 9443, egress: local }
        );
        assert!(matches!(o("ftp://acme.okta.com/"), Err(HttpError::HttpProtocolError)));
        assert!(matches!(o("/relative"), Err(HttpError::HttpProtocolError)));
        let strict = Origin::of(&"http://acme.okta.com/".parse::<http::Uri>().unwrap(), Egress::Strict);
        assert!(matches!(strict, Err(HttpError::HttpRequestDenied)), "plain http only for local orgs");
    }

    #[test]
    fn local_addresses_are_refused_unless_allowed() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            assert!(!Egress::Strict.allows(ip), "{ip}");
            assert!(Egress::AllowLocal.allows(ip), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(Egress::Strict.allows(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn guest_options_override_each_default_alone() {
        let defaults = Timeouts::default();
        assert_eq!(defaults.with_options(None), defaults);
        let options = RequestOptions { connect_timeout: Some(Duration::from_secs(30)), ..RequestOptions::default() };
        assert_eq!(defaults.with_options(Some(&options)), Timeouts { connect: Duration::from_secs(30), ..defaults });
    }
}
