//! DPoP (RFC 9449): one key pair per instance, generated from the host's secure random
//! source and never leaving the instance, and a fresh proof for every request and every
//! retry: new `jti`, the method, the URL without query or fragment (percent-decoded, as Okta
//! compares it), the server's current nonce, and `ath` when it goes with an access token.

use super::jws::{self, Key, PublicJwk};
use super::{base64url, random};
use crate::error::Error;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::HashMap;

struct KeyPair {
    key: Key,
    jwk: PublicJwk,
}

thread_local! {
    static KEY: RefCell<Option<std::rc::Rc<KeyPair>>> = const { RefCell::new(None) };
    /// The last `DPoP-Nonce` each server (origin + token endpoint or API) handed out.
    static NONCES: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

fn key_pair() -> Result<std::rc::Rc<KeyPair>, Error> {
    if let Some(k) = KEY.with(|k| k.borrow().clone()) {
        return Ok(k);
    }
    let key = loop {
        // A random 32-byte string is a valid P-256 scalar except with negligible probability.
        if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&random::bytes::<32>()?) {
            break key;
        }
    };
    // The proof carries the public key only, without an `alg` hint.
    let jwk = PublicJwk::of(&key);
    let pair = std::rc::Rc::new(KeyPair { key: Key::Es256(key), jwk });
    KEY.with(|k| *k.borrow_mut() = Some(pair.clone()));
    Ok(pair)
}

/// Which server a nonce belongs to.
pub fn server(url: &str) -> String {
    let (origin_and_path, _) = url.split_once('?').unwrap_or((url, ""));
    if origin_and_path.contains("/oauth2/") {
        format!("{}#token", origin(url))
    } else {
        format!("{}#api", origin(url))
    }
}

fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

pub fn nonce(server: &str) -> Option<String> {
    NONCES.with(|n| n.borrow().get(server).cloned())
}

pub fn remember_nonce(server: &str, nonce: &str) {
    let nonce = nonce.trim();
    if !nonce.is_empty() && nonce.len() <= 1024 {
        NONCES.with(|n| {
            let mut n = n.borrow_mut();
            // One entry per org and server: a bound keeps a long-lived instance small.
            if n.len() >= 256 && !n.contains_key(server) {
                n.clear();
            }
            n.insert(server.to_string(), nonce.to_string())
        });
    }
}

/// `htu`: the URL without query and fragment, its path percent-decoded.
pub fn htu(url: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or(url);
    let origin = origin(base);
    let path = &base[origin.len()..];
    format!("{origin}{}", percent_encoding::percent_decode_str(path).decode_utf8_lossy())
}

/// A proof for one attempt of `method` on `url`.
pub fn proof(method: &str, url: &str, access_token: Option<&str>, now: u64) -> Result<String, Error> {
    #[derive(Serialize)]
    struct Claims {
        htm: String,
        htu: String,
        iat: u64,
        jti: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        ath: Option<String>,
    }
    let pair = key_pair()?;
    let claims = Claims {
        htm: method.to_string(),
        htu: htu(url),
        iat: now,
        jti: random::id()?,
        nonce: nonce(&server(url)),
        ath: access_token.map(|t| base64url::encode(&Sha256::digest(t.as_bytes()))),
    };
    jws::sign(&pair.key, "dpop+jwt", Some(&pair.jwk), None, &claims)
        .ok_or_else(|| Error::Unsupported("a DPoP proof could not be signed".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn parts(jwt: &str) -> (Value, Value) {
        let mut p = jwt.split('.');
        let h = serde_json::from_slice(&base64url::decode(p.next().unwrap()).unwrap()).unwrap();
        let c = serde_json::from_slice(&base64url::decode(p.next().unwrap()).unwrap()).unwrap();
        (h, c)
    }

    #[test]
    fn proofs_are_fresh_and_exact() {
        let url = "https://acme.okta.com/api/v1/users/a%40b.com?limit=2&after=x";
        remember_nonce(&server(url), "n-1");
        let a = proof("GET", url, Some("token-abc"), 1_700_000_000).unwrap();
        let b = proof("GET", url, Some("token-abc"), 1_700_000_000).unwrap();
        let (ha, ca) = parts(&a);
        let (_, cb) = parts(&b);
        assert_eq!(ha["typ"], "dpop+jwt");
        assert_eq!(ha["alg"], "ES256");
        assert_eq!(ha["jwk"]["kty"], "EC");
        assert!(ha["jwk"].get("d").is_none(), "the public key only");
        assert_eq!(ca["htm"], "GET");
        assert_eq!(ca["htu"], "https://acme.okta.com/api/v1/users/a@b.com");
        assert_eq!(ca["nonce"], "n-1");
        assert_eq!(ca["ath"], base64url::encode(&Sha256::digest(b"token-abc")));
        assert_ne!(ca["jti"], cb["jti"], "a new jti each time");
        let (_, token) = parts(&proof("POST", "https://acme.okta.com/oauth2/v1/token", None, 1).unwrap());
        assert!(token.get("ath").is_none() && token.get("nonce").is_none());
    }

    #[test]
    fn nonces_are_per_server() {
        assert_eq!(server("https://a.okta.com/oauth2/v1/token"), "https://a.okta.com#token");
        assert_eq!(server("https://a.okta.com/api/v1/users?x=1"), "https://a.okta.com#api");
        remember_nonce("https://z.okta.com#token", "t");
        assert_eq!(nonce("https://z.okta.com#api"), None);
    }
}
