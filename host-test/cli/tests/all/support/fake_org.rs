//! Helpers shared by the fake-org integration tests: an in-process client, reading bodies with
//! their key order (the fake org's own [`J`]), and `Link` parsing.

pub mod receiver;
pub mod replay;

use bytes::Bytes;
use okta_fake_org::{FakeOrg, Outcome};
use serde_json::Value;

/// JSON with its objects' key order, as the fake org renders it.
pub use okta_fake_org::json::J;

pub const ORIGIN: &str = "https://fake.okta.test";

/// A response from the fake org.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub truncate_at: Option<usize>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    /// The body with its objects' key order.
    pub fn ordered(&self) -> J {
        serde_json::from_slice(&self.body).unwrap_or(J::Null)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn header_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.headers.keys().map(|k| k.as_str().to_string()).collect();
        v.dedup();
        v
    }
    /// `Link` header values, one per line, parsed as (url, rel).
    pub fn links(&self) -> Vec<(String, String)> {
        self.headers.get_all("link").iter().filter_map(|v| parse_link(v.to_str().ok()?)).collect()
    }
    pub fn link(&self, rel: &str) -> Option<String> {
        self.links().into_iter().find(|(_, r)| r == rel).map(|(u, _)| u)
    }
}

/// Parses exactly `<url>; rel="x"`.
pub fn parse_link(v: &str) -> Option<(String, String)> {
    let rest = v.strip_prefix('<')?;
    let (url, params) = rest.split_once('>')?;
    let rel = params.strip_prefix("; rel=\"")?.strip_suffix('"')?;
    if rel.contains('"') || rel.contains(';') {
        return None;
    }
    Some((url.to_string(), rel.to_string()))
}

/// Sends one request in-process (absolute URI on [`ORIGIN`], valid token unless given).
pub async fn call_with(org: &FakeOrg, method: &str, path: &str, body: Option<&Value>, token: Option<&str>) -> Resp {
    let uri = if path.starts_with("http") { path.to_string() } else { format!("{ORIGIN}{path}") };
    let mut b = http::Request::builder().method(method).uri(uri).header("accept", "application/json");
    let auth = match token {
        Some(t) => t.to_string(),
        None => format!("SSWS {}", FakeOrg::TOKEN),
    };
    b = b.header("authorization", auth);
    let bytes = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Bytes::from(serde_json::to_vec(v).unwrap())
        }
        None => Bytes::new(),
    };
    match org.handle(b.body(bytes).unwrap()).await {
        Outcome::Response { response, truncate_at } => {
            let (parts, body) = response.into_parts();
            Resp { status: parts.status.as_u16(), headers: parts.headers, body, truncate_at }
        }
        Outcome::Dropped => panic!("{method} {path}: connection dropped"),
    }
}

pub async fn call(org: &FakeOrg, method: &str, path: &str, body: Option<&Value>) -> Resp {
    call_with(org, method, path, body, None).await
}

pub async fn get(org: &FakeOrg, path: &str) -> Resp {
    call(org, "GET", path, None).await
}

/// Creates a user and returns its id.
pub async fn create_user(org: &FakeOrg, query: &str, body: Value) -> String {
    let r = call(org, "POST", &format!("/api/v1/users{query}"), Some(&body)).await;
    assert_eq!(r.status, 200, "create failed: {}", String::from_utf8_lossy(&r.body));
    r.json()["id"].as_str().unwrap().to_string()
}

pub fn new_user(login: &str, password: Option<&str>) -> Value {
    let local = login.split('@').next().unwrap();
    let mut v = serde_json::json!({
        "profile": {"firstName": "Test", "lastName": format!("User {local}"), "email": login, "login": login}
    });
    if let Some(p) = password {
        v["credentials"] = serde_json::json!({"password": {"value": p}});
    }
    v
}

/// Follows `rel="next"` from `first` and returns every item id, checking each page's links.
pub async fn collect_ids(org: &FakeOrg, first: &str) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut url = first.to_string();
    let mut pages = 0;
    loop {
        let r = get(org, &url).await;
        assert_eq!(r.status, 200, "{url}: {}", String::from_utf8_lossy(&r.body));
        let links = r.links();
        assert_eq!(links.first().map(|l| l.1.as_str()), Some("self"), "self must come first: {links:?}");
        pages += 1;
        for u in r.json().as_array().unwrap() {
            ids.push(u["id"].as_str().unwrap().to_string());
        }
        match r.link("next") {
            Some(next) => url = next,
            None => return (ids, pages),
        }
    }
}

pub const USER_KEYS: [&str; 12] = [
    "id",
    "status",
    "created",
    "activated",
    "statusChanged",
    "lastLogin",
    "lastUpdated",
    "passwordChanged",
    "type",
    "profile",
    "credentials",
    "_links",
];
pub const ERROR_KEYS: [&str; 5] = ["errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"];

/// Asserts the Okta error shape and returns the code.
pub fn assert_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "body: {}", String::from_utf8_lossy(&r.body));
    let o = r.ordered();
    assert_eq!(o.keys(), ERROR_KEYS, "error key order");
    let j = r.json();
    assert_eq!(j["errorCode"], code, "body: {j}");
    assert_eq!(j["errorLink"], code);
    let id = j["errorId"].as_str().unwrap();
    assert!(
        id.len() == 25
            && id.starts_with("oae")
            && id[3..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "errorId {id}"
    );
    for c in j["errorCauses"].as_array().unwrap() {
        assert_eq!(c.as_object().unwrap().keys().collect::<Vec<_>>(), vec!["errorSummary"]);
    }
}
