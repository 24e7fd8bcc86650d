//! Signed JWTs in the JWS compact serialization (RFC 7515 §7.1):
//! `base64url(header).base64url(claims).base64url(signature)`, with the two algorithms the
//! connector signs with: RS256 (RSASSA-PKCS1-v1_5 with SHA-256) and ES256 (ECDSA on P-256 with
//! SHA-256, the signature as the 64 bytes R‖S, RFC 7518 §3.4). The keys and signatures come
//! from the `rsa` and `p256` crates; nothing here parses a token.

use super::base64url;
use p256::ecdsa::signature::Signer as _;
use rsa::signature::SignatureEncoding as _;
use serde::Serialize;
use sha2::Sha256;

/// A private key to sign with, and so its algorithm.
pub enum Key {
    Rs256(rsa::pkcs1v15::SigningKey<Sha256>),
    Es256(p256::ecdsa::SigningKey),
}

impl Key {
    /// The JWS `alg`.
    pub fn alg(&self) -> &'static str {
        match self {
            Key::Rs256(_) => "RS256",
            Key::Es256(_) => "ES256",
        }
    }
}

/// A P-256 public key as a JWK (RFC 7518 §6.2.1), as a DPoP proof carries it: no `alg`, no
/// private part.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct PublicJwk {
    kty: &'static str,
    crv: &'static str,
    x: String,
    y: String,
}

impl PublicJwk {
    pub fn of(key: &p256::ecdsa::SigningKey) -> PublicJwk {
        let point = key.verifying_key().to_sec1_point(false);
        let coordinate = |c: Option<&[u8]>| base64url::encode(c.unwrap_or_default());
        PublicJwk {
            kty: "EC",
            crv: "P-256",
            x: coordinate(point.x().map(|x| x.as_slice())),
            y: coordinate(point.y().map(|y| y.as_slice())),
        }
    }
}

/// The JOSE header, its members in the order JWT libraries commonly write them.
#[derive(Serialize)]
struct Header<'a> {
    typ: &'a str,
    alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    jwk: Option<&'a PublicJwk>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// A JWT of `claims` with header `{typ, alg, jwk?, kid?}`, signed with `key`. `None` when the
/// signature fails (it does not for a valid key).
pub fn sign(
    key: &Key,
    typ: &str,
    jwk: Option<&PublicJwk>,
    kid: Option<&str>,
    claims: &impl Serialize,
) -> Option<String> {
    let header = Header { typ, alg: key.alg(), jwk, kid };
    let mut jwt = base64url::encode(&serde_json::to_vec(&header).ok()?);
    jwt.push('.');
    jwt.push_str(&base64url::encode(&serde_json::to_vec(claims).ok()?));
    let signature = match key {
        Key::Rs256(key) => key.try_sign(jwt.as_bytes()).ok()?.to_vec(),
        Key::Es256(key) => {
            let signature: p256::ecdsa::Signature = key.try_sign(jwt.as_bytes()).ok()?;
            signature.to_bytes().to_vec()
        }
    };
    jwt.push('.');
    jwt.push_str(&base64url::encode(&signature));
    Some(jwt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier as _;
    use rsa::pkcs8::DecodePrivateKey as _;

    const RSA_PKCS8: &str = include_str!("../../../fixtures/keys/rsa-pkcs8.pem");
    const EC_PKCS8: &str = include_str!("../../../fixtures/keys/ec-p256-pkcs8.pem");

    fn parts(jwt: &str) -> Vec<Vec<u8>> {
        jwt.split('.').map(|p| base64url::decode(p).unwrap()).collect()
    }

    #[test]
    fn rs256_is_pkcs1_v1_5_over_the_signing_input() {
        let private = rsa::PrivateKey::from_pkcs8_pem(RSA_PKCS8).unwrap();
        let public = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(private.to_public_key());
        let key = Key::Rs256(rsa::pkcs1v15::SigningKey::new(private));
        let jwt = sign(&key, "JWT", None, Some("kid-1"), &serde_json::json!({"iss": "0oa1"})).unwrap();
        let p = parts(&jwt);
        assert_eq!(p[0], br#"{"typ":"JWT","alg":"RS256","kid":"kid-1"}"#);
        assert_eq!(p[1], br#"{"iss":"0oa1"}"#);
        let input = jwt.rsplit_once('.').unwrap().0;
        let signature = rsa::pkcs1v15::Signature::try_from(p[2].as_slice()).unwrap();
        use rsa::signature::Verifier as _;
        public.verify(input.as_bytes(), &signature).unwrap();
    }

    #[test]
    fn es256_is_r_and_s_over_the_signing_input() {
        let key = p256::ecdsa::SigningKey::from_pkcs8_pem(EC_PKCS8).unwrap();
        let jwk = PublicJwk::of(&key);
        let verifying = *key.verifying_key();
        let jwt = sign(&Key::Es256(key), "dpop+jwt", Some(&jwk), None, &serde_json::json!({"htm": "GET"})).unwrap();
        let p = parts(&jwt);
        // Byte for byte what jsonwebtoken 12 writes for this key and header.
        assert_eq!(
            String::from_utf8(p[0].clone()).unwrap(),
            r#"{"typ":"dpop+jwt","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"MKjbEzWa2a_VQhEgiI5kehVeAphwI8MbI_k3eykkwas","y":"pZujAThxuc60w438VgLjoc-oI81UFJaWd7MsV-voYHw"}}"#
        );
        assert_eq!(p[2].len(), 64, "R and S, 32 bytes each");
        let signature = p256::ecdsa::Signature::from_slice(&p[2]).unwrap();
        let input = jwt.rsplit_once('.').unwrap().0;
        verifying.verify(input.as_bytes(), &signature).unwrap();
    }
}
