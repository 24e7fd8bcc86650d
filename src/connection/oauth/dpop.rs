//! DPoP (RFC 9449): one key pair per connection identity (its holder) in the instance,
//! generated from the host's secure random source and never leaving the instance, so no two
//! tenants' tokens are bound to one key; and a fresh proof for every request and every
//! retry: new `jti`, the method, the URL without query or fragment (percent-decoded, as Okta
//! compares it), the nonce the server last gave that holder, and `ath` when it goes with an
//! access token.

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

/// Holders (and holder and server pairs, for nonces) remembered; beyond, the map starts
/// over: a token bound to a forgotten key is refused once and renewed with a new key.
const MAX_HOLDERS: usize = 1024;

thread_local! {
    static KEYS: RefCell<HashMap<String, std::rc::Rc<KeyPair>>> = RefCell::new(HashMap::new());
    /// The last `DPoP-Nonce` each server (origin + token endpoint or API) handed each holder.
    static NONCES: RefCell<HashMap<(String, String), String>> = RefCell::new(HashMap::new());
}

fn key_pair(holder: &str) -> Result<std::rc::Rc<KeyPair>, Error> {
    if let Some(k) = KEYS.with(|k| k.borrow().get(holder).cloned()) {
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
    KEYS.with(|k| {
        let mut k = k.borrow_mut();
        if k.len() >= MAX_HOLDERS {
            k.clear();
        }
        k.insert(holder.to_string(), pair.clone())
    });
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

pub fn nonce(holder: &str, server: &str) -> Option<String> {
    NONCES.with(|n| n.borrow().get(&(holder.to_string(), server.to_string())).cloned())
}

pub fn remember_nonce(holder: &str, server: &str, nonce: &str) {
    let nonce = nonce.trim();
    if !nonce.is_empty() && nonce.len() <= 1024 {
        NONCES.with(|n| {
            let mut n = n.borrow_mut();
            let key = (holder.to_string(), server.to_string());
            // A bound keeps a long-lived instance small; a forgotten nonce costs one challenge.
            if n.len() >= MAX_HOLDERS && !n.contains_key(&key) {
                n.clear();
            }
            n.insert(key, nonce.to_string())
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

/// A proof by `holder`'s key for one attempt of `method` on `url`.
pub fn proof(holder: &str, method: &str, url: &str, access_token: Option<&str>, now: u64) -> Result<String, Error> {
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
    let pair = key_pair(holder)?;
    let claims = Claims {
        htm: method.to_string(),
        htu: htu(url),
        iat: now,
        jti: random::id()?,
        nonce: nonce(holder, &server(url)),
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
        remember_nonce("h", &server(url), "n-1");
        let a = proof("h", "GET", url, Some("token-abc"), 1_700_000_000).unwrap();
        let b = proof("h", "GET", url, Some("token-abc"), 1_700_000_000).unwrap();
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
        let (_, token) = parts(&proof("h", "POST", "https://acme.okta.com/oauth2/v1/token", None, 1).unwrap());
        assert!(token.get("ath").is_none() && token.get("nonce").is_none());
    }

    #[test]
    fn keys_and_nonces_are_per_holder() {
        let url = "https://acme.okta.com/api/v1/users";
        remember_nonce("tenant-a", &server(url), "nonce-a");
        let (ha, ca) = parts(&proof("tenant-a", "GET", url, None, 1).unwrap());
        let (ha2, _) = parts(&proof("tenant-a", "GET", url, None, 1).unwrap());
        let (hb, cb) = parts(&proof("tenant-b", "GET", url, None, 1).unwrap());
        assert_eq!(ha["jwk"], ha2["jwk"], "one key per holder");
        assert_ne!(ha["jwk"], hb["jwk"], "another holder, another key");
        assert_eq!(ca["nonce"], "nonce-a");
        assert!(cb.get("nonce").is_none(), "a nonce given to one holder is not another's");
    }

    #[test]
    fn nonces_are_per_server() {
        assert_eq!(server("https://a.okta.com/oauth2/v1/token"), "https://a.okta.com#token");
        assert_eq!(server("https://a.okta.com/api/v1/users?x=1"), "https://a.okta.com#api");
        remember_nonce("h", "https://z.okta.com#token", "t");
        assert_eq!(nonce("h", "https://z.okta.com#api"), None);
    }
}
