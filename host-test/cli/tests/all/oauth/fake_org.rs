//! The fake org's authorization server on its own (no component): client assertions, DPoP
//! proofs and nonces, the authorization-code flow with PKCE, refresh-token rotation and reuse
//! detection, expiry, and how API calls with its tokens are checked.

use std::time::{Duration, SystemTime};

use crate::support::fake_org::*;
use bytes::Bytes;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use okta_fake_org::{FakeOrg, Outcome, ServiceApp, WebApp};
use serde_json::{json, Value};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys/");
const TOKEN_URL: &str = "https://fake.okta.test/oauth2/v1/token";
const CLIENT: &str = "0oaservice0000000001";
const SCOPES: &[&str] = &["okta.users.read", "okta.groups.read"];

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}{name}")).unwrap()
}

fn now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
}

fn jti() -> String {
    format!("jti-{}-{}", now(), rand_suffix())
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A client assertion signed with the PEM key `file`, claims overridden by `with`.
fn assertion(file: &str, alg: Algorithm, kid: Option<&str>, with: Value) -> String {
    let pem = key_file(file);
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    };
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    let t = now();
    let mut claims = json!({"iss": CLIENT, "sub": CLIENT, "aud": TOKEN_URL, "iat": t, "exp": t + 300, "jti": jti()});
    for (k, v) in with.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

/// A DPoP proof signed with the fixture EC key, its public JWK in the header.
fn proof(method: &str, url: &str, nonce: Option<&str>, access_token: Option<&str>) -> String {
    proof_with(json!({"htm": method, "htu": url, "nonce": nonce, "ath": access_token.map(ath)}))
}

fn proof_with(claims: Value) -> String {
    let key = EncodingKey::from_ec_pem(key_file("ec-p256-pkcs8.pem").as_bytes()).unwrap();
    let mut jwk: Jwk = serde_json::from_str(&key_file("ec-p256-public.jwk.json")).unwrap();
    jwk.common.key_id = None;
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some("dpop+jwt".into());
    header.jwk = Some(jwk);
    let mut c = json!({"iat": now(), "jti": jti()});
    for (k, v) in claims.as_object().unwrap() {
        if !v.is_null() {
            c[k] = v.clone();
        }
    }
    jsonwebtoken::encode(&header, &c, &key).unwrap()
}

fn ath(token: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(token.as_bytes()))
}

async fn send(org: &FakeOrg, method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut b = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    match org.handle(b.body(Bytes::from(body.to_string())).unwrap()).await {
        Outcome::Response { response, truncate_at } => {
            let (parts, body) = response.into_parts();
            Resp { status: parts.status.as_u16(), headers: parts.headers, body, truncate_at }
        }
        Outcome::Dropped => panic!("dropped"),
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// A client-credentials token request with `assertion` and an optional proof.
async fn cc(org: &FakeOrg, assertion: &str, dpop: Option<&str>, scope: &str) -> Resp {
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("scope", scope),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", assertion),
    ]);
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded"), ("accept", "application/json")];
    if let Some(p) = dpop {
        headers.push(("dpop", p));
    }
    send(org, "POST", TOKEN_URL, &headers, &body).await
}

fn oauth_error(r: &Resp) -> (u16, String, String) {
    let j = r.json();
    (r.status, j["error"].as_str().unwrap_or("").into(), j["error_description"].as_str().unwrap_or("").into())
}

fn service_org(dpop: bool) -> FakeOrg {
    let org = FakeOrg::seeded();
    let mut app = ServiceApp::new(CLIENT, &key_file("rsa-public.pem"), Some("kid-1"), SCOPES);
    app.keys.push((None, key_file("ec-p256-public.jwk.json")));
    app.dpop = dpop;
    org.register_service_app(&app).unwrap();
    org
}

/// A DPoP token for the service app, through the nonce challenge.
async fn dpop_token(org: &FakeOrg) -> String {
    let first = cc(
        org,
        &assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({})),
        Some(&proof("POST", TOKEN_URL, None, None)),
        "okta.users.read",
    )
    .await;
    let nonce = first.header("dpop-nonce").unwrap().to_string();
    let r = cc(
        org,
        &assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({})),
        Some(&proof("POST", TOKEN_URL, Some(&nonce), None)),
        "okta.users.read",
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn client_credentials_with_dpop_go_through_the_nonce_challenge() {
    let org = service_org(true);
    let a = assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({}));
    let r = cc(&org, &a, Some(&proof("POST", TOKEN_URL, None, None)), "okta.users.read okta.groups.read").await;
    assert_eq!(
        oauth_error(&r),
        (400, "use_dpop_nonce".into(), "Authorization server requires nonce in DPoP proof.".into())
    );
    let nonce = r.header("dpop-nonce").expect("a nonce with the challenge").to_string();
    assert!(r.header("x-rate-limit-remaining").is_some() && r.header("x-okta-request-id").is_some());

    // The same assertion again: its jti was used.
    let again = cc(&org, &a, Some(&proof("POST", TOKEN_URL, Some(&nonce), None)), "okta.users.read").await;
    assert_eq!(oauth_error(&again).1, "invalid_client");
    assert!(oauth_error(&again).2.contains("already been used"));

    let a = assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({}));
    let r = cc(&org, &a, Some(&proof("POST", TOKEN_URL, Some(&nonce), None)), "okta.users.read okta.groups.read").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let keys: Vec<String> = r.ordered().keys();
    assert_eq!(keys, ["token_type", "expires_in", "access_token", "scope"]);
    let body = r.json();
    assert_eq!((body["token_type"].as_str(), body["expires_in"].as_i64()), (Some("DPoP"), Some(3600)));
    assert_eq!(body["scope"], "okta.users.read okta.groups.read");
    assert_eq!(r.header("x-robots-tag"), Some("noindex,nofollow"));
    assert_eq!(r.header("dpop-nonce"), Some(nonce.as_str()));
    let stats = org.token_stats();
    assert_eq!((stats.requests, stats.issued, stats.nonce_challenges), (3, 1, 1));

    // The EC key (registered as a JWK whose own kid names it) signs as well, ES256.
    let a = assertion("ec-p256-pkcs8.pem", Algorithm::ES256, Some("ec-test-key"), json!({}));
    let r = cc(&org, &a, Some(&proof("POST", TOKEN_URL, Some(&nonce), None)), "okta.users.read").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // Without a kid every key is tried.
    let a = assertion("ec-p256-pkcs8.pem", Algorithm::ES256, None, json!({}));
    let r = cc(&org, &a, Some(&proof("POST", TOKEN_URL, Some(&nonce), None)), "okta.users.read").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    // A nonce rotated once still works; after expiry the challenge comes back.
    org.rotate_token_dpop_nonce();
    let a = assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({}));
    let r = cc(&org, &a, Some(&proof("POST", TOKEN_URL, Some(&nonce), None)), "okta.users.read").await;
    assert_eq!(r.status, 200);
    assert_ne!(r.header("dpop-nonce"), Some(nonce.as_str()), "the new nonce is handed out");
    org.expire_dpop_nonces();
    let a = assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({}));
    let r = cc(&org, &a, Some(&proof("POST", TOKEN_URL, Some(&nonce), None)), "okta.users.read").await;
    assert_eq!(oauth_error(&r).1, "use_dpop_nonce");
}

#[tokio::test]
async fn client_assertions_are_checked_like_okta() {
    let org = service_org(false);
    let ok = |r: &Resp| r.status == 200;
    let rsa = |kid: Option<&str>, with: Value| assertion("rsa-pkcs8.pem", Algorithm::RS256, kid, with);
    // Without DPoP required, tokens are Bearer (a proof sent anyway is ignored).
    let r = cc(&org, &rsa(Some("kid-1"), json!({})), None, "okta.users.read").await;
    assert!(ok(&r));
    assert_eq!(r.json()["token_type"], "Bearer");
    assert!(r.header("dpop-nonce").is_none());

    let t = now();
    for (a, error, words) in [
        (
            assertion("rsa-other-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({})),
            "invalid_client",
            "signature is invalid",
        ),
        (assertion("rsa-other-pkcs8.pem", Algorithm::RS256, None, json!({})), "invalid_client", "signature is invalid"),
        (rsa(Some("kid-2"), json!({})), "invalid_client", "'kid'"),
        (
            rsa(Some("kid-1"), json!({"aud": "https://fake.okta.test/oauth2/default/v1/token"})),
            "invalid_client",
            "audience",
        ),
        (rsa(Some("kid-1"), json!({"exp": t + 7200})), "invalid_client", "too far into the future"),
        (rsa(Some("kid-1"), json!({"exp": t - 10, "iat": t - 100})), "invalid_client", "expired"),
        (rsa(Some("kid-1"), json!({"exp": null})), "invalid_client", "'exp'"),
        (rsa(Some("kid-1"), json!({"sub": "someone"})), "invalid_client", "'sub'"),
        (rsa(Some("kid-1"), json!({"iss": "0oaunknown", "sub": "0oaunknown"})), "invalid_client", "client_id"),
        (
            assertion("ec-p256-pkcs8.pem", Algorithm::ES256, Some("kid-1"), json!({})),
            "invalid_client",
            "signature is invalid",
        ),
    ] {
        let r = cc(&org, &a, None, "okta.users.read").await;
        let (status, e, d) = oauth_error(&r);
        assert_eq!((status, e.as_str()), (401, error), "{d}");
        assert!(d.contains(words), "{words}: {d}");
    }
    // Scopes must be granted, and present.
    let r = cc(&org, &rsa(Some("kid-1"), json!({})), None, "okta.users.read okta.users.manage").await;
    assert_eq!(oauth_error(&r).0, 400);
    assert_eq!(oauth_error(&r).1, "invalid_scope");
    let r = cc(&org, &rsa(Some("kid-1"), json!({})), None, "").await;
    assert_eq!(oauth_error(&r).2, "No scopes were requested.");
    // Two client credentials at once.
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("scope", "okta.users.read"),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", &rsa(Some("kid-1"), json!({}))),
    ]);
    let r = send(
        &org,
        "POST",
        TOKEN_URL,
        &[("content-type", "application/x-www-form-urlencoded"), ("authorization", "Basic MG9hOng=")],
        &body,
    )
    .await;
    assert_eq!(oauth_error(&r).1, "invalid_request");
    assert!(oauth_error(&r).2.starts_with("Can't supply multiple client credentials"));
    // No credentials at all, and a JSON body.
    let r = send(
        &org,
        "POST",
        TOKEN_URL,
        &[("content-type", "application/x-www-form-urlencoded")],
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(oauth_error(&r), (401, "invalid_client".into(), "No client credentials found".into()));
    let r = send(&org, "POST", TOKEN_URL, &[("content-type", "application/json")], "{}").await;
    assert_eq!(oauth_error(&r).1, "invalid_request");

    // A DPoP app without a proof: what the recordings show.
    let dpop = service_org(true);
    let r = cc(&dpop, &rsa(Some("kid-1"), json!({})), None, "okta.users.read").await;
    assert_eq!(oauth_error(&r), (400, "invalid_dpop_proof".into(), "The DPoP proof JWT header is missing.".into()));
}

#[tokio::test]
async fn dpop_proofs_are_checked_on_the_token_endpoint() {
    let org = service_org(true);
    let nonce = {
        let r = cc(
            &org,
            &assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({})),
            Some(&proof("POST", TOKEN_URL, None, None)),
            "okta.users.read",
        )
        .await;
        r.header("dpop-nonce").unwrap().to_string()
    };
    for (p, words) in [
        (proof("GET", TOKEN_URL, Some(&nonce), None), "'htm'"),
        (proof("POST", &format!("{TOKEN_URL}?x=1"), Some(&nonce), None), "'htu'"),
        (proof("POST", "https://other.okta.test/oauth2/v1/token", Some(&nonce), None), "'htu'"),
        (proof_with(json!({"htm": "POST", "htu": TOKEN_URL, "nonce": nonce, "iat": now() - 3600})), "'iat'"),
        ("not.a.jwt".to_string(), "malformed"),
    ] {
        let a = assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({}));
        let r = cc(&org, &a, Some(&p), "okta.users.read").await;
        let (status, e, d) = oauth_error(&r);
        assert_eq!((status, e.as_str()), (400, "invalid_dpop_proof"), "{d}");
        assert!(d.contains(words), "{words}: {d}");
    }
    // A replayed proof.
    let p = proof("POST", TOKEN_URL, Some(&nonce), None);
    let a = assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({}));
    assert_eq!(cc(&org, &a, Some(&p), "okta.users.read").await.status, 200);
    let a = assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({}));
    let r = cc(&org, &a, Some(&p), "okta.users.read").await;
    assert_eq!(oauth_error(&r).2, "The DPoP proof JWT has already been used.");
}

#[tokio::test]
async fn api_calls_with_dpop_tokens_prove_the_key() {
    let org = service_org(true);
    let token = dpop_token(&org).await;
    let users = "https://fake.okta.test/api/v1/users";
    let auth = format!("DPoP {token}");
    let call = |p: String, auth: String, url: &'static str| {
        let org = org.clone();
        async move {
            send(&org, "GET", url, &[("authorization", &auth), ("dpop", &p), ("accept", "application/json")], "").await
        }
    };
    let ok = call(proof("GET", users, None, Some(&token)), auth.clone(), "https://fake.okta.test/api/v1/users?limit=1")
        .await;
    assert_eq!(ok.status, 200);
    assert!(ok.header("dpop-nonce").is_none(), "Okta asks no nonce on API calls by default");
    // Page 2: the proof's htu never carries the query.
    let next = ok.link("next").unwrap();
    let with_query =
        send(&org, "GET", &next, &[("authorization", &auth), ("dpop", &proof("GET", &next, None, Some(&token)))], "")
            .await;
    assert_eq!(with_query.status, 400);
    assert!(with_query.body.is_empty());
    let challenge = with_query.header("www-authenticate").unwrap();
    assert_eq!(
        challenge,
        "DPoP algs=\"RS256 RS384 RS512 ES256 ES384 ES512\", authorization_uri=\"https://fake.okta.test/oauth2/v1/authorize\", realm=\"https://fake.okta.test\", scope=\"okta.users.read\", error=\"invalid_dpop_proof\", error_description=\"'htu' claim in the DPoP proof JWT is invalid.\", resource=\"/api/v1/users\""
    );
    let page2 =
        send(&org, "GET", &next, &[("authorization", &auth), ("dpop", &proof("GET", users, None, Some(&token)))], "")
            .await;
    assert_eq!(page2.status, 200);

    let describe = |r: &Resp| (r.status, r.header("www-authenticate").unwrap_or("").to_string());
    for (p, a, words) in [
        (proof("GET", users, None, None), auth.clone(), "'ath'"),
        (proof("GET", users, None, Some("another-token")), auth.clone(), "'ath'"),
        (proof("POST", users, None, Some(&token)), auth.clone(), "'htm'"),
        (proof("GET", users, None, Some(&token)), format!("Bearer {token}"), "DPoP-bound"),
    ] {
        let (status, challenge) = describe(&call(p, a, "https://fake.okta.test/api/v1/users").await);
        assert!(status == 400 || status == 401, "{status}");
        assert!(challenge.contains(words), "{words}: {challenge}");
    }
    // A proof is good for one request only.
    let p = proof("GET", users, None, Some(&token));
    assert_eq!(call(p.clone(), auth.clone(), "https://fake.okta.test/api/v1/users").await.status, 200);
    let (status, challenge) = describe(&call(p, auth.clone(), "https://fake.okta.test/api/v1/users").await);
    assert_eq!(status, 400);
    assert!(challenge.contains("already been used"), "{challenge}");
    // Percent-encoded logins: htu carries the decoded path.
    let me = "https://fake.okta.test/api/v1/users/fake.admin%40example.com";
    let r = send(
        &org,
        "GET",
        me,
        &[
            ("authorization", &auth),
            ("dpop", &proof("GET", "https://fake.okta.test/api/v1/users/fake.admin@example.com", None, Some(&token))),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.header("www-authenticate").unwrap_or(""));

    // A scope the token lacks: 403, empty body, the scope named.
    let groups = "https://fake.okta.test/api/v1/groups";
    let r =
        send(&org, "GET", groups, &[("authorization", &auth), ("dpop", &proof("GET", groups, None, Some(&token)))], "")
            .await;
    assert_eq!(r.status, 403);
    assert!(r.body.is_empty());
    let c = r.header("www-authenticate").unwrap();
    assert!(
        c.contains("scope=\"okta.groups.read\", error=\"insufficient_scope\"")
            && c.contains("resource=\"/api/v1/groups\""),
        "{c}"
    );

    // Resource nonces, when the org asks for them.
    org.require_api_dpop_nonce(true);
    let r = call(proof("GET", users, None, Some(&token)), auth.clone(), "https://fake.okta.test/api/v1/users").await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().contains("error=\"use_dpop_nonce\""));
    let api_nonce = r.header("dpop-nonce").unwrap().to_string();
    let r =
        call(proof("GET", users, Some(&api_nonce), Some(&token)), auth.clone(), "https://fake.okta.test/api/v1/users")
            .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("dpop-nonce"), Some(api_nonce.as_str()), "every answer hands out the nonce");
    // A rotated nonce: the old one still works, the answer hands out the new one.
    org.rotate_api_dpop_nonce();
    let r =
        call(proof("GET", users, Some(&api_nonce), Some(&token)), auth.clone(), "https://fake.okta.test/api/v1/users")
            .await;
    assert_eq!(r.status, 200);
    let newer = r.header("dpop-nonce").unwrap().to_string();
    assert_ne!(newer, api_nonce);
    org.expire_dpop_nonces();
    let r = call(proof("GET", users, Some(&newer), Some(&token)), auth.clone(), "https://fake.okta.test/api/v1/users")
        .await;
    assert_eq!(r.status, 401);
    assert_ne!(r.header("dpop-nonce"), Some(newer.as_str()));
}

#[tokio::test]
async fn access_tokens_expire_by_the_org_clock() {
    let org = service_org(false);
    org.pin_clock(SystemTime::UNIX_EPOCH + Duration::from_secs(now()));
    org.set_token_lifetime(Duration::from_secs(120));
    let r = cc(&org, &assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({})), None, "okta.users.read")
        .await;
    assert_eq!(r.json()["expires_in"], 120);
    let token = r.json()["access_token"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {token}");
    assert_eq!(call_with(&org, "GET", "/api/v1/users?limit=1", None, Some(&bearer)).await.status, 200);
    org.advance_clock(Duration::from_secs(121));
    let r = call_with(&org, "GET", "/api/v1/users?limit=1", None, Some(&bearer)).await;
    assert_error(&r, 401, "E0000011");
    assert!(r.header("www-authenticate").unwrap().contains("The token has expired."));
    // Revoked tokens are simply unknown.
    let r = cc(
        &org,
        &assertion("rsa-pkcs8.pem", Algorithm::RS256, Some("kid-1"), json!({"iat": null})),
        None,
        "okta.users.read",
    )
    .await;
    let fresh = format!("Bearer {}", r.json()["access_token"].as_str().unwrap());
    org.revoke_access_tokens();
    let r = call_with(&org, "GET", "/api/v1/users?limit=1", None, Some(&fresh)).await;
    assert_error(&r, 401, "E0000011");
    assert!(r.header("www-authenticate").is_none());
}

const WEB: &str = "0oaweb00000000000001";
const SECRET: &str = "web-secret-0123456789";
const REDIRECT: &str = "http://localhost:8765/callback";

fn web_org(rotation: Option<Duration>) -> FakeOrg {
    let org = FakeOrg::seeded();
    let mut app = WebApp::new(WEB, SECRET, REDIRECT, &["okta.users.read"]);
    app.rotation_grace = rotation;
    org.register_web_app(&app).unwrap();
    org
}

fn authorize_url(scope: &str, state: &str, challenge: Option<&str>) -> String {
    let mut pairs = vec![
        ("client_id", WEB),
        ("response_type", "code"),
        ("scope", scope),
        ("redirect_uri", REDIRECT),
        ("state", state),
    ];
    if let Some(c) = challenge {
        pairs.push(("code_challenge", c));
        pairs.push(("code_challenge_method", "S256"));
    }
    format!("https://fake.okta.test/oauth2/v1/authorize?{}", form(&pairs))
}

fn query_of(location: &str) -> Vec<(String, String)> {
    let q = location.split_once('?').unwrap().1;
    url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

async fn web_token(org: &FakeOrg, pairs: &[(&str, &str)]) -> Resp {
    use base64::Engine as _;
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{WEB}:{SECRET}")));
    send(
        org,
        "POST",
        TOKEN_URL,
        &[("content-type", "application/x-www-form-urlencoded"), ("authorization", &basic)],
        &form(pairs),
    )
    .await
}

#[tokio::test]
async fn authorization_code_with_pkce_and_rotating_refresh_tokens() {
    let org = web_org(Some(Duration::from_secs(30)));
    org.pin_clock(SystemTime::UNIX_EPOCH + Duration::from_secs(now()));
    let verifier = "a-verifier-of-enough-length-0123456789-abcdefghijkl";
    let challenge = ath(verifier);
    let location =
        org.authorize(&authorize_url("okta.users.read offline_access", "st-1", Some(&challenge))).await.unwrap();
    assert!(location.starts_with(&format!("{REDIRECT}?code=")), "{location}");
    let q = query_of(&location);
    assert_eq!(param(&q, "state"), Some("st-1"));
    let code = param(&q, "code").unwrap().to_string();

    // Refusals before and after the redirect.
    let q = query_of(&org.authorize(&authorize_url("okta.users.read", "", None)).await.unwrap());
    assert_eq!(param(&q, "error"), Some("invalid_request"));
    let q = query_of(&org.authorize(&authorize_url("okta.groups.read", "s", None)).await.unwrap());
    assert_eq!((param(&q, "error"), param(&q, "state")), (Some("invalid_scope"), Some("s")));
    let bad_redirect = authorize_url("okta.users.read", "s", None).replace("callback", "elsewhere");
    assert!(org.authorize(&bad_redirect).await.unwrap_err().starts_with("400 "));

    let exchange = |code: String, verifier: &'static str| {
        let org = org.clone();
        async move {
            web_token(
                &org,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", verifier),
                ],
            )
            .await
        }
    };
    let other = org.authorize(&authorize_url("okta.users.read", "st-2", Some(&challenge))).await.unwrap();
    let other = param(&query_of(&other), "code").unwrap().to_string();
    let r = exchange(other, "the-wrong-verifier-0123456789-0123456789-abcdef").await;
    assert_eq!(oauth_error(&r).2, "PKCE verification failed.");
    let r = exchange(code.clone(), verifier).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    assert_eq!(r.ordered().keys(), ["token_type", "expires_in", "access_token", "scope", "refresh_token"]);
    assert_eq!(
        (body["token_type"].as_str(), body["scope"].as_str()),
        (Some("Bearer"), Some("okta.users.read offline_access"))
    );
    let access = body["access_token"].as_str().unwrap().to_string();
    let refresh1 = body["refresh_token"].as_str().unwrap().to_string();
    let me = call_with(&org, "GET", "/api/v1/users/me", None, Some(&format!("Bearer {access}"))).await;
    assert_eq!(me.json()["profile"]["login"], "fake.admin@example.com");

    // Rotation: each refresh gives a new refresh token.
    let refresh = |t: String| {
        let org = org.clone();
        async move { web_token(&org, &[("grant_type", "refresh_token"), ("refresh_token", &t)]).await }
    };
    let r = refresh(refresh1.clone()).await;
    assert_eq!(r.status, 200);
    let refresh2 = r.json()["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(refresh2, refresh1);
    // Within the grace period the old one still works (and rotates again).
    org.advance_clock(Duration::from_secs(10));
    let r = refresh(refresh1.clone()).await;
    assert_eq!(r.status, 200);
    let refresh3 = r.json()["refresh_token"].as_str().unwrap().to_string();
    // After it, the old one is a reuse: refused, and the whole family with it.
    org.advance_clock(Duration::from_secs(60));
    let r = refresh(refresh1).await;
    assert_eq!(oauth_error(&r), (400, "invalid_grant".into(), "The refresh token is invalid or expired.".into()));
    assert_eq!(oauth_error(&refresh(refresh3).await).1, "invalid_grant", "the newest token went with its family");
    assert_eq!(oauth_error(&refresh(refresh2).await).1, "invalid_grant");
    // A code works once; presented again, what it bought is revoked.
    assert_eq!(oauth_error(&exchange(code, verifier).await).1, "invalid_grant");
    let location =
        org.authorize(&authorize_url("okta.users.read offline_access", "s", Some(&challenge))).await.unwrap();
    let code = param(&query_of(&location), "code").unwrap().to_string();
    let r = exchange(code.clone(), verifier).await;
    let kept = r.json()["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(oauth_error(&exchange(code, verifier).await).1, "invalid_grant");
    assert_eq!(oauth_error(&refresh(kept).await).1, "invalid_grant");
    // A wrong client secret.
    let wrong = {
        use base64::Engine as _;
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{WEB}:nope")))
    };
    let r = send(
        &org,
        "POST",
        TOKEN_URL,
        &[("content-type", "application/x-www-form-urlencoded"), ("authorization", &wrong)],
        &form(&[("grant_type", "refresh_token"), ("refresh_token", "x")]),
    )
    .await;
    assert_eq!(
        oauth_error(&r),
        (401, "invalid_client".into(), "The client secret supplied for a confidential client is invalid.".into())
    );
}

#[tokio::test]
async fn static_refresh_tokens_and_revocation() {
    let org = web_org(None);
    let location = org.authorize(&authorize_url("okta.users.read offline_access", "s", None)).await.unwrap();
    let code = param(&query_of(&location), "code").unwrap().to_string();
    let r = web_token(&org, &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT)]).await;
    let refresh = r.json()["refresh_token"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let r = web_token(&org, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
        assert_eq!(r.json()["refresh_token"].as_str(), Some(refresh.as_str()));
    }
    org.revoke_refresh_tokens(WEB);
    let r = web_token(&org, &[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await;
    assert_eq!(oauth_error(&r).1, "invalid_grant");
    // Without offline_access, no refresh token.
    let location = org.authorize(&authorize_url("okta.users.read", "s", None)).await.unwrap();
    let code = param(&query_of(&location), "code").unwrap().to_string();
    let r = web_token(&org, &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT)]).await;
    assert_eq!(r.status, 200);
    assert!(r.json().get("refresh_token").is_none());
}
