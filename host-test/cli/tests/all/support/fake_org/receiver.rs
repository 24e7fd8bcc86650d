//! A real HTTP receiver on 127.0.0.1 for event-hook tests: it records every request and answers
//! verification GETs and delivery POSTs as told.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

/// How to answer the next request of a kind.
#[derive(Clone, Debug)]
pub enum Answer {
    /// Verification: 200 `{"verification": <the challenge>}`; delivery: 200 empty.
    Ok,
    /// 200 with a different challenge.
    WrongChallenge,
    Status(u16),
    /// Wait this long, then answer as `Ok`.
    Sleep(Duration),
}

/// A request as the receiver got it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Default)]
struct Script {
    got: Vec<Received>,
    gets: VecDeque<Answer>,
    posts: VecDeque<Answer>,
}

/// The receiver; dropped, it stops.
pub struct Receiver {
    pub addr: SocketAddr,
    script: Arc<Mutex<Script>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let script = Arc::new(Mutex::new(Script::default()));
        let shared = script.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let script = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let script = script.clone();
                        async move { Ok::<_, std::convert::Infallible>(answer(script, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Receiver { addr, script, task }
    }

    /// `http://127.0.0.1:port{path}`
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answers for the next verification GETs (then `Ok`).
    pub fn on_get(&self, answers: impl IntoIterator<Item = Answer>) {
        self.script.lock().unwrap().gets.extend(answers);
    }

    /// Answers for the next delivery POSTs (then `Ok`).
    pub fn on_post(&self, answers: impl IntoIterator<Item = Answer>) {
        self.script.lock().unwrap().posts.extend(answers);
    }

    pub fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().got.clone()
    }

    pub fn posts(&self) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.method == "POST").collect()
    }

    /// Waits for at least `n` POSTs, at most `timeout`.
    pub async fn wait_posts(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let posts = self.posts();
            if posts.len() >= n || tokio::time::Instant::now() >= deadline {
                return posts;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn answer(script: Arc<Mutex<Script>>, req: http::Request<hyper::body::Incoming>) -> http::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|c| c.to_bytes().to_vec()).unwrap_or_default();
    let headers: Vec<(String, String)> =
        parts.headers.iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let challenge =
        parts.headers.get("x-okta-verification-challenge").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let is_get = parts.method == http::Method::GET;
    let next = {
        let mut s = script.lock().unwrap();
        s.got.push(Received { method: parts.method.to_string(), path: parts.uri.path().to_string(), headers, body });
        let queue = if is_get { &mut s.gets } else { &mut s.posts };
        queue.pop_front().unwrap_or(Answer::Ok)
    };
    let respond = |status: u16, body: String| {
        http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .unwrap()
    };
    match next {
        Answer::Sleep(d) => {
            tokio::time::sleep(d).await;
        }
        Answer::Status(s) => return respond(s, String::new()),
        Answer::WrongChallenge => {
            return respond(200, serde_json::json!({"verification": "not-the-challenge"}).to_string())
        }
        Answer::Ok => {}
    }
    if is_get {
        respond(200, serde_json::json!({ "verification": challenge }).to_string())
    } else {
        respond(200, String::new())
    }
}
