//! `okta-connector hook serve` under load, as Okta and the internet would load it: 2 000 events
//! delivered 64 at a time in batches of one to four, each batch delivered again two or three
//! times (Okta delivers at least once; the copies come close together, as Okta's retry a few
//! seconds later does), forged deliveries without the secret or with a wrong one, and slow
//! clients that connect and never finish their headers. Every event prints exactly once, no
//! forged one does, the slow clients are cut off within the header and idle timeouts, the
//! process never holds more connections than `--max-connections`, and its memory stays
//! bounded.

use std::collections::HashMap;
use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use okta_fake_org::loopback::{Delays, ServedOrg};
use okta_fake_org::FakeOrg;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const EVENTS: usize = 2_000;
const AT_ONCE: usize = 64;
const FORGED: usize = 200;
const SLOW_CLIENTS: usize = 100;
const MAX_CONNECTIONS: usize = 128;
const HEADER_TIMEOUT: Duration = Duration::from_secs(2);
const IDLE_TIMEOUT: Duration = Duration::from_secs(4);

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Shuffle(u64);

impl Shuffle {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// One POST to the hook: its headers and body.
struct Delivery {
    headers: Vec<(String, String)>,
    body: String,
    forged: bool,
}

fn envelope(uuids: &[String], event_id: usize) -> String {
    let events: Vec<Value> = uuids
        .iter()
        .map(|u| json!({ "uuid": u, "eventType": "user.lifecycle.create", "published": "2024-01-01T00:00:00.000Z" }))
        .collect();
    json!({
        "eventType": "com.okta.event_hook", "eventTypeVersion": "1.0", "cloudEventsVersion": "0.1",
        "eventId": format!("delivery-{event_id}"), "contentType": "application/json", "data": { "events": events },
    })
    .to_string()
}

/// Every delivery to make, in the order they start: genuine batches with their copies close
/// together (each wave of 50 batches shuffled, well inside the 1 000-event dedupe window), and
/// forged deliveries mixed in.
fn deliveries(secret_headers: &[(String, String)]) -> (Vec<Delivery>, usize) {
    let mut rng = Shuffle(0x5eed_1234_abcd_9876);
    let mut batches: Vec<Vec<String>> = Vec::new();
    let mut next = 0;
    while next < EVENTS {
        let size = (1 + rng.below(4)).min(EVENTS - next);
        batches.push((next..next + size).map(|i| format!("event-{i:05}")).collect());
        next += size;
    }
    let mut out = Vec::new();
    let mut redeliveries = 0;
    let mut id = 0;
    for wave in batches.chunks(50) {
        let mut this = Vec::new();
        for batch in wave {
            let copies = 3 + rng.below(2);
            redeliveries += copies - 1;
            for _ in 0..copies {
                id += 1;
                this.push(Delivery { headers: secret_headers.to_vec(), body: envelope(batch, id), forged: false });
            }
        }
        // About FORGED in all, spread over the waves.
        for _ in 0..FORGED.div_ceil(batches.len().div_ceil(50)) {
            id += 1;
            let forged = vec![format!("forged-{id}")];
            let headers = if id % 2 == 0 {
                Vec::new()
            } else {
                vec![("X-Okta-Connector-Secret".to_string(), "not-the-secret-of-this-hook".to_string())]
            };
            this.push(Delivery { headers, body: envelope(&forged, id), forged: true });
        }
        rng.shuffle(&mut this);
        out.extend(this);
    }
    (out, redeliveries)
}

/// `VmRSS` and `VmHWM` of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The sockets a process holds open now.
fn sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|e| std::fs::read_link(e.path()).is_ok_and(|t| t.to_string_lossy().starts_with("socket:")))
                .count()
        })
        .unwrap_or(0)
}

/// A client that connects and never finishes its request's headers: `trickle` sends a header
/// byte every 300 ms, otherwise it sends nothing at all. Gives how long the server kept it.
async fn slow_client(addr: String, trickle: bool) -> Duration {
    let started = Instant::now();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    if trickle {
        let _ = tcp.write_all(b"POST /okta HTTP/1.1\r\nHost: x\r\nX-Okta-Connector-Secret: ").await;
    }
    let mut buf = [0u8; 256];
    let give_up = tokio::time::sleep(Duration::from_secs(60));
    tokio::pin!(give_up);
    loop {
        tokio::select! {
            _ = &mut give_up => panic!("a slow client was never cut off"),
            read = tcp.read(&mut buf) => match read {
                Ok(0) | Err(_) => return started.elapsed(),
                // A 408 or 400 before closing is an answer too: read on to the close.
                Ok(_) => {}
            },
            _ = tokio::time::sleep(Duration::from_millis(300)), if trickle => {
                if tcp.write_all(b"x").await.is_err() {
                    return started.elapsed();
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_events_redelivered_forged_and_slow_clients() {
    let org = FakeOrg::seeded();
    let served = ServedOrg::start(org.clone(), None, Delays::default()).await.unwrap();
    let conn = format!(r#"{{"api_token": {{"domain": "{}", "token": "{}"}}}}"#, served.url(), FakeOrg::TOKEN);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let public = format!("http://{addr}/okta");
    let mut child = Command::new(Path::new(env!("CARGO_BIN_EXE_okta-connector")))
        .env_remove("OKTA_CONNECTOR_WASM")
        .env("XDG_CACHE_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"))
        .args(["hook", "serve", "--input", r#"{"items": ["user.lifecycle.create"]}"#, "--listen", &addr])
        .args(["--public-url", &public, "--connection", &conn])
        .args(["--header-timeout", &HEADER_TIMEOUT.as_secs().to_string()])
        .args(["--idle-timeout", &IDLE_TIMEOUT.as_secs().to_string()])
        .args(["--max-connections", &MAX_CONNECTIONS.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let printed = Arc::new(Mutex::new(Vec::<String>::new()));
    let stdout = child.stdout.take().unwrap();
    let p = printed.clone();
    let stdout_reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            p.lock().unwrap().push(line);
        }
    });
    let said = Arc::new(Mutex::new(String::new()));
    let stderr = child.stderr.take().unwrap();
    let s = said.clone();
    let stderr_reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            s.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let hook_id = loop {
        let text = said.lock().unwrap().clone();
        if let Some(id) = text.split("Event hook ").nth(1).and_then(|t| t.split_whitespace().next()) {
            break id.to_string();
        }
        assert!(Instant::now() < deadline && child.try_wait().unwrap().is_none(), "never deployed: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let (uri, secret_headers) = org.event_hook_endpoint(&hook_id).expect("the deployed hook");
    assert_eq!(uri, public);
    let (_, baseline) = memory_kib(pid);
    // The listener, the connection to the org, the signal handler's pair: before any client.
    let own_sockets = sockets(pid);

    // Slow clients first, so that they hold connections while the deliveries come.
    let slow: Vec<_> = (0..SLOW_CLIENTS).map(|i| tokio::spawn(slow_client(addr.clone(), i % 2 == 0))).collect();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let most_sockets = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let watching = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let (m, w) = (most_sockets.clone(), watching.clone());
    let watcher = std::thread::spawn(move || {
        while w.load(std::sync::atomic::Ordering::Relaxed) {
            m.fetch_max(sockets(pid), std::sync::atomic::Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(20));
        }
    });

    let (all, redeliveries) = deliveries(&secret_headers);
    let total = all.len();
    let forged = all.iter().filter(|d| d.forged).count();
    assert!(forged >= FORGED, "{forged} forged deliveries");
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let gate = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
    let started = Instant::now();
    let mut sent = Vec::new();
    for d in all {
        let permit = gate.clone().acquire_owned().await.unwrap();
        let (client, uri) = (client.clone(), uri.clone());
        sent.push(tokio::spawn(async move {
            let mut request = http::Request::post(&uri).header("content-type", "application/json");
            for (k, v) in &d.headers {
                request = request.header(k.as_str(), v.as_str());
            }
            let response = client.request(request.body(Full::new(Bytes::from(d.body))).unwrap()).await.unwrap();
            let status = response.status().as_u16();
            let _ = response.into_body().collect().await;
            drop(permit);
            (d.forged, status)
        }));
    }
    let mut statuses: HashMap<(bool, u16), usize> = HashMap::new();
    for s in sent {
        *statuses.entry(s.await.unwrap()).or_default() += 1;
    }
    let load_time = started.elapsed();
    let cut_after: Vec<Duration> = futures_join(slow).await;
    watching.store(false, std::sync::atomic::Ordering::Relaxed);
    watcher.join().unwrap();
    let (_, peak) = memory_kib(pid);

    assert!(Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    stdout_reader.join().unwrap();
    stderr_reader.join().unwrap();
    assert!(status.success(), "{}", said.lock().unwrap());

    assert_eq!(
        statuses.get(&(false, 200)),
        Some(&(total - forged)),
        "every genuine delivery answered 200: {statuses:?}"
    );
    assert_eq!(statuses.get(&(true, 401)), Some(&forged), "every forged delivery answered 401: {statuses:?}");

    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in printed.lock().unwrap().iter() {
        let event: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        *seen.entry(event["uuid"].as_str().unwrap().to_string()).or_default() += 1;
    }
    assert!(!seen.keys().any(|u| u.starts_with("forged-")), "a forged event was printed");
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "printed more than once: {twice:?}");
    assert_eq!(seen.len(), EVENTS, "every event printed");

    let (fastest, slowest) = (cut_after.iter().min().unwrap(), cut_after.iter().max().unwrap());
    assert!(*fastest >= HEADER_TIMEOUT - Duration::from_millis(100), "a slow client was cut too early: {fastest:?}");
    assert!(*slowest <= IDLE_TIMEOUT + Duration::from_secs(3), "a slow client was kept too long: {slowest:?}");
    let most = most_sockets.load(std::sync::atomic::Ordering::Relaxed) - own_sockets;
    assert!(most <= MAX_CONNECTIONS, "{most} client connections at once, the limit is {MAX_CONNECTIONS}");
    let grown_mib = peak.saturating_sub(baseline) / 1024;
    assert!(grown_mib < 64, "memory grew by {grown_mib} MiB under load (peak {} MiB)", peak / 1024);
    println!(
        "hook load: {EVENTS} events in {total} deliveries ({redeliveries} redeliveries, {forged} forged), {AT_ONCE} at once, \
         {load_time:.1?}; every event printed once, none forged; {SLOW_CLIENTS} slow clients cut after {fastest:.1?}..{slowest:.1?}; \
         at most {most} client connections (limit {MAX_CONNECTIONS}); peak RSS {} MiB ({grown_mib} MiB over the deployed process)",
        peak / 1024
    );
}

/// Awaits every task, in order.
async fn futures_join(tasks: Vec<tokio::task::JoinHandle<Duration>>) -> Vec<Duration> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
