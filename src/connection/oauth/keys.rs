//! The service app's private key (PEM PKCS#1, PKCS#8 or SEC1, or a JWK) and the
//! `private_key_jwt` client assertion it signs.

use super::jws::{self, Key};
use super::{base64url, random};
use crate::error::Error;
use serde::Serialize;
use serde_json::Value;

/// A key ready to sign, with its key id.
pub struct SigningKey {
    key: Key,
    kid: Option<String>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, kid {:?})", self.key.alg(), self.kid)
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::connection("private_key", message)
}

/// Keys parsed so far in this instance, by a hash of the key text and key id: decoding and
/// checking an RSA key costs milliseconds in the component, too much to pay on every action.
const MAX_CACHED_KEYS: usize = 16;

thread_local! {
    static PARSED: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<SigningKey>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// [`parse`], once per instance for the same key and key id.
pub fn parse_cached(text: &str, key_id: Option<&str>) -> Result<std::rc::Rc<SigningKey>, Error> {
    let id = super::identity(&[text.trim(), key_id.map(str::trim).unwrap_or("")]);
    if let Some(key) = PARSED.with(|p| p.borrow().get(&id).cloned()) {
        return Ok(key);
    }
    let key = std::rc::Rc::new(parse(text, key_id)?);
    PARSED.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= MAX_CACHED_KEYS {
            p.clear();
        }
        p.insert(id, key.clone());
    });
    Ok(key)
}

/// Reads the Private Key input: PEM (`RSA PRIVATE KEY`, `PRIVATE KEY`, `EC PRIVATE KEY`) or a
/// private JWK (RSA, or EC on P-256). `key_id` is the `kid` to send; a JWK's own `kid` is
/// used when none is given. The key is decoded in full (RSA numbers checked, the EC scalar
/// on the curve), so a broken key fails here, named, rather than at the first signature.
pub fn parse(text: &str, key_id: Option<&str>) -> Result<SigningKey, Error> {
    let text = text.trim();
    // A PEM pasted into a JSON string often arrives with its line breaks escaped.
    let text = if !text.contains('\n') && text.contains("\\n") { text.replace("\\n", "\n") } else { text.to_string() };
    let (key, jwk_kid) = if text.starts_with('{') {
        from_jwk(&text)?
    } else if text.contains("-----BEGIN") {
        from_pem(&text)?
    } else {
        return Err(bad("is neither a PEM private key (-----BEGIN PRIVATE KEY-----) nor a JWK"));
    };
    let kid = match (key_id.map(str::trim).filter(|k| !k.is_empty()), jwk_kid) {
        (Some(given), Some(own)) if given != own => {
            return Err(Error::connection("key_id", "differs from the `kid` inside the JWK"));
        }
        (Some(given), _) => Some(given.to_string()),
        (None, own) => own,
    };
    Ok(SigningKey { key, kid })
}

fn rs256(key: rsa::PrivateKey) -> Key {
    Key::Rs256(rsa::pkcs1v15::SigningKey::new(key))
}

fn es256(secret: p256::SecretKey) -> Key {
    Key::Es256(secret.into())
}

fn from_pem(text: &str) -> Result<(Key, Option<String>), Error> {
    if text.contains("ENCRYPTED PRIVATE KEY") {
        return Err(bad("is encrypted: export it without a passphrase"));
    }
    if text.contains("PUBLIC KEY") || text.contains("CERTIFICATE") {
        return Err(bad("is a public key or a certificate; give the private key"));
    }
    if text.contains("BEGIN RSA PRIVATE KEY") {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        let key = rsa::PrivateKey::from_pkcs1_pem(text).map_err(|_| bad("is not a valid PKCS#1 RSA key"))?;
        return Ok((rs256(key), None));
    }
    if text.contains("BEGIN EC PRIVATE KEY") {
        let secret = p256::SecretKey::from_sec1_pem(text).map_err(|_| bad("is not a valid P-256 EC key (SEC1)"))?;
        return Ok((es256(secret), None));
    }
    if text.contains("BEGIN PRIVATE KEY") {
        // Decoding tells the kind and checks the key without signing (an RSA signature costs
        // tens of milliseconds in the component).
        use p256::pkcs8::DecodePrivateKey as _;
        if let Ok(key) = rsa::PrivateKey::from_pkcs8_pem(text) {
            return Ok((rs256(key), None));
        }
        if let Ok(secret) = p256::SecretKey::from_pkcs8_pem(text) {
            return Ok((es256(secret), None));
        }
        return Err(bad("is a PKCS#8 key of a kind Okta does not take here: use RSA (RS256) or EC P-256 (ES256)"));
    }
    Err(bad("is not a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)"))
}

fn from_jwk(text: &str) -> Result<(Key, Option<String>), Error> {
    let jwk: Value = serde_json::from_str(text).map_err(|_| bad("starts like a JWK but is not valid JSON"))?;
    let field = |name: &str| -> Result<Vec<u8>, Error> {
        let v = jwk.get(name).and_then(Value::as_str).ok_or_else(|| bad(format!("is a JWK without `{name}`")))?;
        base64url::decode(v).map_err(|_| bad(format!("is a JWK whose `{name}` is not base64url")))
    };
    let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_string);
    match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => {
            use rsa::BoxedUint;
            if jwk.get("d").is_none() {
                return Err(bad("is a public JWK; give the private key (with `d`)"));
            }
            let n = BoxedUint::from_be_slice_vartime(&field("n")?);
            let e = BoxedUint::from_be_slice_vartime(&field("e")?);
            let d = BoxedUint::from_be_slice_vartime(&field("d")?);
            let primes =
                vec![BoxedUint::from_be_slice_vartime(&field("p")?), BoxedUint::from_be_slice_vartime(&field("q")?)];
            let key = rsa::PrivateKey::from_components(n, e, d, primes)
                .map_err(|_| bad("is an RSA JWK whose numbers do not form a key"))?;
            Ok((rs256(key), kid))
        }
        Some("EC") => {
            if jwk.get("crv").and_then(Value::as_str) != Some("P-256") {
                return Err(bad("is an EC JWK on a curve other than P-256"));
            }
            if jwk.get("d").is_none() {
                return Err(bad("is a public JWK; give the private key (with `d`)"));
            }
            let secret = p256::SecretKey::from_slice(&field("d")?)
                .map_err(|_| bad("is an EC JWK whose `d` is not a P-256 key"))?;
            Ok((es256(secret), kid))
        }
        _ => Err(bad("is a JWK of a kind Okta does not take here: use `kty` RSA or EC")),
    }
}

impl SigningKey {
    /// A JWT of `claims`, with `typ` when given.
    pub fn sign(&self, claims: &impl Serialize, typ: Option<&str>) -> Result<String, Error> {
        jws::sign(&self.key, typ.unwrap_or("JWT"), None, self.kid.as_deref(), claims)
            .ok_or_else(|| bad("could not sign the client assertion"))
    }
}

/// The `private_key_jwt` client assertion Okta wants: `iss` = `sub` = client id, `aud` = the
/// token URL, `exp` ≤ 1 h ahead, a fresh `jti` (an assertion is single-use).
pub fn client_assertion(key: &SigningKey, client_id: &str, token_url: &str, now: u64) -> Result<String, Error> {
    #[derive(Serialize)]
    struct Claims<'a> {
        iss: &'a str,
        sub: &'a str,
        aud: &'a str,
        iat: u64,
        exp: u64,
        jti: String,
    }
    key.sign(
        &Claims { iss: client_id, sub: client_id, aud: token_url, iat: now, exp: now + 300, jti: random::id()? },
        None,
    )
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A 2048-bit RSA test key (PKCS#8), made for these tests only.
    pub const RSA_PKCS8: &str = include_str!("../../../fixtures/keys/rsa-pkcs8.pem");
    pub const RSA_PKCS1: &str = include_str!("../../../fixtures/keys/rsa-pkcs1.pem");
    pub const EC_PKCS8: &str = include_str!("../../../fixtures/keys/ec-p256-pkcs8.pem");
    pub const EC_SEC1: &str = include_str!("../../../fixtures/keys/ec-p256-sec1.pem");
    pub const RSA_JWK: &str = include_str!("../../../fixtures/keys/rsa-private.jwk.json");
    pub const EC_JWK: &str = include_str!("../../../fixtures/keys/ec-p256-private.jwk.json");

    fn claims_of(jwt: &str) -> (Value, Value) {
        let mut parts = jwt.split('.');
        let header = serde_json::from_slice(&base64url::decode(parts.next().unwrap()).unwrap()).unwrap();
        let claims = serde_json::from_slice(&base64url::decode(parts.next().unwrap()).unwrap()).unwrap();
        (header, claims)
    }

    #[test]
    fn every_key_form_signs_an_assertion_okta_accepts() {
        let cases = [
            (RSA_PKCS8, Some("kid-1"), "RS256", "kid-1"),
            (RSA_PKCS1, Some("kid-1"), "RS256", "kid-1"),
            (EC_PKCS8, Some("kid-1"), "ES256", "kid-1"),
            (EC_SEC1, Some("kid-1"), "ES256", "kid-1"),
            (RSA_JWK, None, "RS256", "rsa-test-key"),
            (EC_JWK, Some("ec-test-key"), "ES256", "ec-test-key"),
        ];
        for (pem, key_id, alg, kid) in cases {
            let key = parse(pem, key_id).unwrap_or_else(|e| panic!("{alg}: {e}"));
            let jwt = client_assertion(&key, "0oa1", "https://acme.okta.com/oauth2/v1/token", 1_700_000_000).unwrap();
            let (header, claims) = claims_of(&jwt);
            assert_eq!(header["alg"], alg);
            assert_eq!(header["kid"], kid);
            assert_eq!(claims["iss"], "0oa1");
            assert_eq!(claims["sub"], "0oa1");
            assert_eq!(claims["aud"], "https://acme.okta.com/oauth2/v1/token");
            assert!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap() <= 3600);
            assert!(claims["jti"].as_str().unwrap().len() >= 16);
        }
    }

    #[test]
    fn a_key_is_parsed_once_per_instance() {
        let a = parse_cached(RSA_PKCS8, Some("kid-1")).unwrap();
        let b = parse_cached(&format!("  {RSA_PKCS8}\n"), Some("kid-1")).unwrap();
        assert!(std::rc::Rc::ptr_eq(&a, &b), "the same key text and kid: the same parsed key");
        let other_kid = parse_cached(RSA_PKCS8, Some("kid-2")).unwrap();
        assert!(!std::rc::Rc::ptr_eq(&a, &other_kid));
        assert_eq!(other_kid.kid.as_deref(), Some("kid-2"));
        assert!(parse_cached("not a key", None).is_err(), "errors are not cached as keys");
    }

    #[test]
    fn escaped_line_breaks_and_jwk_kids() {
        let escaped = RSA_PKCS8.trim().replace('\n', "\\n");
        assert!(parse(&escaped, None).is_ok());
        let key = parse(EC_JWK, None).unwrap();
        assert_eq!(key.kid.as_deref(), Some("ec-test-key"));
        assert!(
            matches!(parse(EC_JWK, Some("other")), Err(Error::InvalidConnection { ref field, .. }) if field == "key_id")
        );
    }

    #[test]
    fn bad_keys_are_named() {
        for bad_key in [
            "",
            "not a key",
            "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----",
            r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#,
            r#"{"kty":"oct","k":"AA"}"#,
            "{oops",
            // Throwaway keys of kinds Okta does not take for private_key_jwt here.
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIIXf41sLP1hqHomEo6Ov5lWw9HTgOmjzq0SELz+B4M1\n-----END PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nMIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAeIsWiuld8pKyAKy0v\nH4m3GhIcvuCol6+JnUvprzh0a4uLatdLwmEwFd+axnLh4SyhZANiAASpoviZmNjh\nPad3soEf1g411MllIj1KDRyjeMneDQaa2otXWr/i+rAneZZkFBxNYDHL/oPPy5s4\nXUo5MoewaJ1TgdXTdkgqPC9LVnSOzmOenbu5g7yo5NdBkV/qEV0d2T0=\n-----END PRIVATE KEY-----",
        ] {
            match parse(bad_key, None) {
                Err(Error::InvalidConnection { field, message }) => {
                    assert_eq!(field, "private_key", "{bad_key}");
                    assert!(!message.contains("bm90"), "{message}");
                }
                other => panic!("{bad_key:?} gave {other:?}"),
            }
        }
    }
}
