//! Many tenants in one host, as an integration platform runs the connector: one process,
//! eight fake orgs served on loopback, each with a connection kind and credentials of its own
//! (three API tokens, three web apps whose refresh tokens rotate and whose access tokens expire
//! every few seconds, two DPoP service apps behind API nonces), and 50 long-lived instances
//! sharing one pooled network backend, each running whichever tenant's action comes next.
//!
//! The host keeps each web app's newest tokens (read back with `current-tokens` after every
//! call) and runs one call at a time per token family, as rotation requires. Each org's
//! requests are checked as they arrive: every one carried that org's own credentials (its API
//! token, its client's Basic authentication or assertion, tokens it issued) and no secret of
//! another tenant anywhere in its headers, path or body; at the end no access token, refresh
//! token, DPoP key or DPoP nonce was seen by two orgs, every action succeeded, and memory
//! (the process's, and every instance's) stayed flat after the first quarter.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash as _, Hasher as _};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use okta_fake_org::loopback::{Delays, ServedOrg};
use okta_fake_org::{FakeOrg, SeenRequest, ServiceApp, WebApp};
use okta_harness::network::Network;
use okta_harness::*;
use serde_json::{json, Value};

use crate::support::common::connector;

const INSTANCES: usize = 50;
const ACTIONS: usize = 3_000;
const REDIRECT: &str = "http://localhost:8765/callback";
const SCOPES: [&str; 5] =
    ["okta.users.read", "okta.users.manage", "okta.groups.read", "okta.logs.read", "offline_access"];
const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys/");

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    ApiToken,
    Code,
    Service,
}

/// One tenant: its org, its connection (the newest tokens, for a web app) and what only it
/// may send.
struct Tenant {
    name: String,
    kind: Kind,
    org: FakeOrg,
    _served: ServedOrg,
    connection: Mutex<Connection>,
    /// One call at a time per token family: a refresh rotates the family.
    family: tokio::sync::Mutex<()>,
    api_token: String,
    client_id: String,
    client_secret: String,
    private_key: String,
    /// What the org saw, checked as it arrived.
    seen: Mutex<Seen>,
}

/// What one org's requests carried.
#[derive(Default)]
struct Seen {
    requests: usize,
    access_tokens: HashSet<String>,
    refresh_tokens: HashSet<String>,
    dpop_keys: HashSet<String>,
    nonces: HashSet<String>,
    /// Per request, the hashes of its long words (where another tenant's secret would show).
    words: Vec<Vec<u64>>,
    /// Requests without this tenant's own credentials.
    wrong: Vec<String>,
}

fn word_hash(w: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    w.hash(&mut h);
    h.finish()
}

/// The words of a request long enough to be a secret: every header value, the path, the
/// query and the body, split on what cannot be part of a token.
fn long_words(r: &SeenRequest) -> Vec<String> {
    let mut text = format!("{} {} ", r.path, r.query.as_deref().unwrap_or(""));
    for (_, v) in &r.headers {
        text.push_str(v);
        text.push(' ');
    }
    text.push_str(&String::from_utf8_lossy(&r.body));
    let decoded = url::form_urlencoded::parse(text.as_bytes()).map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>();
    let all = format!("{text} {}", decoded.join(" "));
    all.split(|c: char| !(c.is_ascii_alphanumeric() || "-_.~+/=".contains(c)))
        .filter(|w| w.len() >= 16)
        .map(str::to_string)
        .collect()
}

fn jwt_part(jwt: &str, i: usize) -> Value {
    jwt.split('.')
        .nth(i)
        .and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

impl Tenant {
    /// Checks one request this tenant's org received and records what it carried.
    fn inspect(&self, r: &SeenRequest, seen: &mut Seen) {
        let header = |name: &str| r.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let auth = header("authorization").unwrap_or("");
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&r.body).into_owned().collect();
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let mut wrong = |why: &str| seen.wrong.push(format!("{}: {} {}: {why}", self.name, r.method, r.path));
        let token_call = r.path == "/oauth2/v1/token";
        match (self.kind, token_call) {
            (Kind::ApiToken, false) if auth == format!("SSWS {}", self.api_token) => {}
            (Kind::Code, true) => {
                let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let basic = base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    enc(&self.client_id),
                    enc(&self.client_secret)
                ));
                if auth != format!("Basic {basic}") {
                    wrong("not its client's Basic authentication");
                }
            }
            (Kind::Code, false) if auth.starts_with("Bearer ") => {}
            (Kind::Service, true) => {
                let claims = jwt_part(field("client_assertion").unwrap_or(""), 1);
                if claims["iss"] != self.client_id.as_str() || claims["sub"] != self.client_id.as_str() {
                    wrong("not its client's assertion");
                }
            }
            (Kind::Service, false) if auth.starts_with("DPoP ") => {}
            _ => wrong("not its own kind of credential"),
        }
        if let Some(token) = auth.strip_prefix("Bearer ").or_else(|| auth.strip_prefix("DPoP ")) {
            seen.access_tokens.insert(token.to_string());
        }
        if let Some(refresh) = field("refresh_token") {
            seen.refresh_tokens.insert(refresh.to_string());
        }
        if let Some(proof) = header("dpop") {
            let (head, claims) = (jwt_part(proof, 0), jwt_part(proof, 1));
            seen.dpop_keys.insert(head["jwk"].to_string());
            if let Some(n) = claims["nonce"].as_str() {
                seen.nonces.insert(n.to_string());
            }
        }
        seen.words.push(long_words(r).iter().map(|w| word_hash(w)).collect());
        seen.requests += 1;
    }

    /// Drains and checks what the org received so far.
    fn check_arrivals(&self) {
        let requests = self.org.take_requests();
        let mut seen = self.seen.lock().unwrap();
        for r in &requests {
            self.inspect(r, &mut seen);
        }
    }

    /// Everything only this tenant may send: its static secrets and every token its org saw.
    fn secrets(&self) -> HashSet<u64> {
        let seen = self.seen.lock().unwrap();
        [&self.api_token, &self.client_secret]
            .into_iter()
            .cloned()
            .chain(self.private_key.lines().filter(|l| l.len() >= 16).map(str::to_string))
            .chain(seen.access_tokens.iter().cloned())
            .chain(seen.refresh_tokens.iter().cloned())
            .chain(seen.nonces.iter().cloned())
            .filter(|s| s.len() >= 16)
            .map(|s| word_hash(&s))
            .collect()
    }
}

async fn tenant(i: usize, kind: Kind, setup: &mut Instance) -> Tenant {
    let org = FakeOrg::seeded();
    org.set_rate_limit(1_000_000, Duration::from_secs(60));
    let api_token = format!("00tenant{i}-api-token-{:016x}", word_hash(&format!("api-{i}")));
    org.set_api_token(&api_token);
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await.unwrap();
    let url = served.url().to_string();
    let client_id = format!("0oatenant{i}client000");
    let client_secret = format!("tenant-{i}-client-secret-{:016x}", word_hash(&format!("secret-{i}")));
    let (connection, private_key) = match kind {
        Kind::ApiToken => (okta_harness::api_token(&url, &api_token), String::new()),
        Kind::Code => {
            org.register_web_app(&WebApp::new(&client_id, &client_secret, REDIRECT, &SCOPES[..4])).unwrap();
            // Access tokens expire every few seconds: the soak refreshes, and rotates, often.
            org.set_token_lifetime(Duration::from_secs(4));
            let c = oauth_code(&url, &client_id, &client_secret, &SCOPES);
            let start = setup.connections().begin_authorization(&c, REDIRECT, "soak").await.unwrap().unwrap();
            let back = org.authorize(&start.url).await.unwrap();
            let code = url::form_urlencoded::parse(back.split_once('?').unwrap().1.as_bytes())
                .find(|(k, _)| k == "code")
                .unwrap()
                .1
                .into_owned();
            let t =
                setup.connections().exchange_code(&c, &code, REDIRECT, &start.code_verifier).await.unwrap().unwrap();
            let c = OauthCodeConnection { access_token: Some(t.access_token), refresh_token: t.refresh_token, ..c };
            (Connection::OauthCode(c), String::new())
        }
        Kind::Service => {
            let (private, public) = if i.is_multiple_of(2) {
                ("rsa-pkcs8.pem", "rsa-public.pem")
            } else {
                ("ec-p256-pkcs8.pem", "ec-p256-public.pem")
            };
            let public = std::fs::read_to_string(format!("{KEYS}{public}")).unwrap();
            let private = std::fs::read_to_string(format!("{KEYS}{private}")).unwrap();
            let scopes = &SCOPES[..4];
            org.register_service_app(&ServiceApp::new(&client_id, &public, Some("kid-1"), scopes)).unwrap();
            org.require_api_dpop_nonce(true);
            (client_credentials(&url, &client_id, &private, Some("kid-1"), &scopes.join(" ")), private)
        }
    };
    Tenant {
        name: format!("tenant {i} ({kind:?})"),
        kind,
        org,
        _served: served,
        connection: Mutex::new(connection),
        family: tokio::sync::Mutex::new(()),
        api_token,
        client_id,
        client_secret: if kind == Kind::Code { client_secret } else { String::new() },
        private_key,
        seen: Mutex::new(Seen::default()),
    }
}

/// The `n`th action of the mix, for tenant `t`.
fn action(t: usize, n: usize) -> (&'static str, Value) {
    match n % 6 {
        0 => ("users.list", json!({ "limit": 3 })),
        1 => ("users.get", json!({ "id": "fake.admin@example.com" })),
        2 => ("groups.list", json!({ "limit": 3 })),
        3 => {
            let login = format!("soak.t{t}.n{n}@example.com");
            (
                "users.create",
                json!({ "login": login, "email": login, "first_name": "Soak", "last_name": "Tenant", "activate": false }),
            )
        }
        4 => ("raw.request", json!({ "url": "/users?limit=1", "method": "GET" })),
        _ => ("system-log.get", json!({ "limit": 2 })),
    }
}

/// A memory figure of this process (`VmRSS:` now, `VmHWM:` its peak), in KiB.
fn memory_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn rss_kib() -> u64 {
    memory_kib("VmRSS:")
}

/// Set in the process [`fifty_instances_eight_tenants_nothing_crosses`] runs alone in.
const ALONE: &str = "OKTA_TENANTS_SOAK_ALONE";

/// The soak measures its process's memory, so it runs in a process of its own: the test
/// binary again, with only this test (other tests running beside it would count too).
#[test]
fn fifty_instances_eight_tenants_nothing_crosses() {
    if std::env::var_os(ALONE).is_some() {
        return tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(soak());
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "tenants::fifty_instances_eight_tenants_nothing_crosses", "--nocapture"])
        .env(ALONE, "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the soak failed in its own process:\n{text}");
    assert!(text.contains("tenants soak:"), "the soak did not run in its own process:\n{text}");
    print!("{}", text.lines().filter(|l| l.starts_with("tenants soak:")).collect::<Vec<_>>().join("\n"));
}

async fn soak() {
    let options = InstanceOptions { allow_local_orgs: true, ..InstanceOptions::default() };
    let mut setup = connector().instantiate_with(Backend::Network, options.clone()).await.unwrap();
    let kinds = [
        Kind::ApiToken,
        Kind::Code,
        Kind::Service,
        Kind::ApiToken,
        Kind::Code,
        Kind::Service,
        Kind::ApiToken,
        Kind::Code,
    ];
    let mut tenants = Vec::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        tenants.push(Arc::new(tenant(i, kind, &mut setup).await));
    }
    let tenants = Arc::new(tenants);
    for t in tenants.iter() {
        t.org.take_requests(); // the setup's own (authorizing the web apps)
    }

    let pool = Network::builder().build().unwrap();
    let done = Arc::new(AtomicUsize::new(0));
    let created = Arc::new(Mutex::new(HashMap::<usize, usize>::new()));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..INSTANCES {
        let (tenants, done, created, pool, options) =
            (tenants.clone(), done.clone(), created.clone(), pool.clone(), options.clone());
        workers.spawn(async move {
            let mut instance = connector().instantiate_with(Backend::NetworkWith(pool), options).await.unwrap();
            let mut memory = Vec::new();
            for k in 0..ACTIONS / INSTANCES {
                let n = w * (ACTIONS / INSTANCES) + k;
                // Whichever tenant comes next, spread evenly over the run and the instances.
                let t = (word_hash(&format!("{w}/{k}")) % tenants.len() as u64) as usize;
                let tenant = &tenants[t];
                let _family = match tenant.kind {
                    Kind::Code => Some(tenant.family.lock().await),
                    _ => None,
                };
                let connection = tenant.connection.lock().unwrap().clone();
                let (name, input) = action(t, n);
                let result = instance.invoke_json(name, &connection, &input).await.unwrap();
                if let Err(e) = &result {
                    panic!("{} {name}: {}", tenant.name, error_json(e));
                }
                if name == "users.create" {
                    *created.lock().unwrap().entry(t).or_default() += 1;
                }
                if let Connection::OauthCode(c) = &connection {
                    if let Some(newest) = instance.connections().current_tokens(c).await.unwrap() {
                        let stored = OauthCodeConnection {
                            access_token: Some(newest.access_token),
                            refresh_token: newest.refresh_token.or(c.refresh_token.clone()),
                            ..c.clone()
                        };
                        *tenant.connection.lock().unwrap() = Connection::OauthCode(stored);
                    }
                }
                instance.clear_exchanges();
                done.fetch_add(1, Ordering::Relaxed);
                if k + 1 == ACTIONS / INSTANCES / 4 || k + 1 == ACTIONS / INSTANCES {
                    memory.push(instance.guest_memory_peak());
                }
            }
            memory
        });
    }
    // The orgs' arrivals are checked as they come; the process's memory is sampled each quarter.
    let mut rss = Vec::new();
    while !workers.is_empty() {
        tokio::select! {
            joined = workers.join_next() => {
                let memory = joined.unwrap().unwrap();
                assert_eq!(memory.len(), 2);
                assert!(memory[1] <= memory[0] + (1 << 20), "an instance's memory grew from {} to {} bytes", memory[0], memory[1]);
            }
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
        for t in tenants.iter() {
            t.check_arrivals();
        }
        let quarter = done.load(Ordering::Relaxed) * 4 / ACTIONS;
        if rss.len() < quarter {
            rss.push(rss_kib());
        }
    }
    for t in tenants.iter() {
        t.check_arrivals();
    }
    let elapsed = started.elapsed();
    rss.push(rss_kib());

    // Every request carried its own tenant's credentials.
    let wrong: Vec<String> = tenants.iter().flat_map(|t| t.seen.lock().unwrap().wrong.clone()).collect();
    assert!(wrong.is_empty(), "requests without their own credentials: {wrong:#?}");
    // Nothing of one tenant's reached another's org, anywhere in a request.
    let secrets: Vec<HashSet<u64>> = tenants.iter().map(|t| t.secrets()).collect();
    let mut crossing = 0;
    for (x, t) in tenants.iter().enumerate() {
        let seen = t.seen.lock().unwrap();
        for words in &seen.words {
            if secrets.iter().enumerate().any(|(y, s)| y != x && words.iter().any(|w| s.contains(w))) {
                crossing += 1;
            }
        }
    }
    assert_eq!(crossing, 0, "requests that carried another tenant's secret");
    // No token, refresh token, DPoP key or nonce was seen by two orgs.
    for (x, a) in tenants.iter().enumerate() {
        for b in tenants.iter().skip(x + 1) {
            let (sa, sb) = (a.seen.lock().unwrap(), b.seen.lock().unwrap());
            let shared = |p: &HashSet<String>, q: &HashSet<String>| p.intersection(q).count();
            assert_eq!(shared(&sa.access_tokens, &sb.access_tokens), 0, "{} and {}: access tokens", a.name, b.name);
            assert_eq!(shared(&sa.refresh_tokens, &sb.refresh_tokens), 0, "{} and {}: refresh tokens", a.name, b.name);
            assert_eq!(shared(&sa.dpop_keys, &sb.dpop_keys), 0, "{} and {}: DPoP keys", a.name, b.name);
            assert_eq!(shared(&sa.nonces, &sb.nonces), 0, "{} and {}: DPoP nonces", a.name, b.name);
        }
    }
    // Each org has exactly the users its tenant created.
    for (t, tenant) in tenants.iter().enumerate() {
        let made = created.lock().unwrap().get(&t).copied().unwrap_or(0);
        assert_eq!(tenant.org.user_count(), FakeOrg::seeded().user_count() + made, "{}", tenant.name);
    }
    let requests: usize = tenants.iter().map(|t| t.seen.lock().unwrap().requests).sum();
    let refreshes: usize = tenants.iter().map(|t| t.seen.lock().unwrap().refresh_tokens.len()).sum();
    let keys: usize = tenants.iter().map(|t| t.seen.lock().unwrap().dpop_keys.len()).sum();
    let (first, last) = (rss[0], *rss.last().unwrap());
    let peak = memory_kib("VmHWM:");
    assert!(
        last <= first + 48 * 1024,
        "the process grew from {} to {} MiB after the first quarter",
        first / 1024,
        last / 1024
    );
    println!(
        "tenants soak: {ACTIONS} actions, {} tenants (3 API token, 3 authorization code with rotation, 2 client credentials + DPoP), \
         {INSTANCES} instances on one pool ({} requests, {} connections opened), {requests} requests at the orgs, \
         {refreshes} refresh tokens presented, {keys} DPoP keys, in {elapsed:.1?}; RSS per quarter {:?} MiB, process peak {} MiB; \
         cross-tenant requests: {crossing}",
        tenants.len(),
        pool.stats().requests,
        pool.stats().connections,
        rss.iter().map(|k| k / 1024).collect::<Vec<_>>(),
        peak / 1024
    );
}
