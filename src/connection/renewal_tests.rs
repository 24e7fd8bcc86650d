//! OAuth 2.0 connections on a scripted wire and clock: tokens fetched once and reused, renewed
//! before they expire, renewed once after a 401; DPoP nonce challenges; authorization-code
//! refreshes with rotation; the token endpoint's retries. Each test asserts every request
//! sent, its credentials, and the result.

use super::oauth::keys::tests::{EC_PKCS8, RSA_PKCS8};
use super::oauth::{base64url, sessions, OAuth};
use super::{client_credentials, oauth_code};
use crate::bindings::okta::connector::types::{ClientCredentialsConnection, OauthCodeConnection};
use crate::error::Error;
use crate::okta::config::Config;
use crate::okta::testing::{on, Reply, Script, SCRIPT_EPOCH};
use crate::okta::transport::TransportError;
use crate::okta::{Auth, Okta, Request};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::rc::Rc;
use std::time::Duration;

fn service_app(org: &str, private_key: &str) -> ClientCredentialsConnection {
    ClientCredentialsConnection {
        domain: format!("{org}.okta.com"),
        client_id: "0oa-service".into(),
        private_key: private_key.into(),
        key_id: Some("kid-1".into()),
        scopes: "okta.users.read okta.groups.read".into(),
    }
}

fn web_app(org: &str, refresh_token: Option<&str>) -> OauthCodeConnection {
    OauthCodeConnection {
        domain: format!("{org}.okta.com"),
        scopes: vec!["okta.users.read".into(), "offline_access".into()],
        client_id: "0oa-web".into(),
        client_secret: "s3cret-value".into(),
        access_token: Some("at-0".into()),
        refresh_token: refresh_token.map(str::to_string),
    }
}

/// One action's client: a new one per action, as the exports make them.
fn client(credentials: OAuth, script: &Rc<Script>) -> Okta {
    Okta::with_transport(
        credentials.origin.clone(),
        Auth::OAuth(Rc::new(credentials)),
        Config::default(),
        script.clone(),
    )
}

fn me(okta: &Okta) -> Result<String, Error> {
    okta.run(Request::get("/api/v1/users/me").send_object())
}

fn token(org: &str, token_type: &str, access_token: &str, expires_in: u64) -> Reply {
    on("POST", &format!("https://{org}.okta.com/oauth2/v1/token")).body(&format!(
        r#"{{"token_type":"{token_type}","expires_in":{expires_in},"access_token":"{access_token}","scope":"okta.users.read okta.groups.read"}}"#
    ))
}

fn api(org: &str, path: &str) -> Reply {
    on("GET", &format!("https://{org}.okta.com{path}")).body(r#"{"id":"00u1"}"#)
}

fn unauthorized(reply: Reply) -> Reply {
    reply.status(401).body("").header(
        "www-authenticate",
        r#"Bearer realm="IdpMyAccountAPI", error="invalid_token", error_description="The access token is invalid.""#,
    )
}

/// The header and claims of a compact JWT.
fn jwt(text: &str) -> (Value, Value) {
    let mut parts = text.split('.');
    let mut next = || serde_json::from_slice(&base64url::decode(parts.next().unwrap()).unwrap()).unwrap();
    (next(), next())
}

fn form(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

fn field(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

#[test]
fn a_client_credentials_token_is_asked_for_once_and_reused_across_actions() {
    let org = "cc-cached";
    let script = Script::new([
        token(org, "Bearer", "at-1", 3600),
        api(org, "/api/v1/users/me"),
        api(org, "/api/v1/groups/00g1"),
    ]);
    let first = client(client_credentials::credentials(&service_app(org, RSA_PKCS8)).unwrap(), &script);
    me(&first).unwrap();
    let second = client(client_credentials::credentials(&service_app(org, RSA_PKCS8)).unwrap(), &script);
    second.run(Request::get("/api/v1/groups/00g1").send_object()).unwrap();
    script.assert_done();

    // The token request: a form with a fresh private_key_jwt assertion, and a DPoP proof.
    let token_url = format!("https://{org}.okta.com/oauth2/v1/token");
    assert_eq!(script.header(0, "content-type").as_deref(), Some("application/x-www-form-urlencoded"));
    assert_eq!(script.header(0, "authorization"), None, "the assertion is the client's credential");
    let sent = form(&script.body(0));
    assert_eq!(field(&sent, "grant_type").as_deref(), Some("client_credentials"));
    assert_eq!(field(&sent, "scope").as_deref(), Some("okta.users.read okta.groups.read"));
    assert_eq!(
        field(&sent, "client_assertion_type").as_deref(),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    let (header, claims) = jwt(&field(&sent, "client_assertion").unwrap());
    assert_eq!((header["alg"].as_str(), header["kid"].as_str()), (Some("RS256"), Some("kid-1")));
    assert_eq!(claims["iss"], "0oa-service");
    assert_eq!(claims["sub"], "0oa-service");
    assert_eq!(claims["aud"], token_url.as_str());
    assert_eq!(claims["iat"], SCRIPT_EPOCH, "signed at the script's time");
    let (_, proof) = jwt(&script.header(0, "dpop").unwrap());
    assert_eq!((proof["htm"].as_str(), proof["htu"].as_str()), (Some("POST"), Some(token_url.as_str())));

    // Both actions use the one token, Bearer: no proof on the API.
    for n in [1, 2] {
        assert_eq!(script.header(n, "authorization").as_deref(), Some("Bearer at-1"));
        assert_eq!(script.header(n, "dpop"), None);
    }
}

#[test]
fn a_token_about_to_expire_is_renewed_before_it_is_used() {
    let org = "cc-expiring";
    let script = Script::new([
        token(org, "Bearer", "at-1", 120),
        // The first action takes a minute: the token then has less than a minute left.
        api(org, "/api/v1/users/me").takes(Duration::from_secs(61)),
        token(org, "Bearer", "at-2", 3600),
        api(org, "/api/v1/users/me"),
    ]);
    for _ in 0..2 {
        me(&client(client_credentials::credentials(&service_app(org, EC_PKCS8)).unwrap(), &script)).unwrap();
    }
    script.assert_done();
    assert_eq!(script.header(1, "authorization").as_deref(), Some("Bearer at-1"));
    assert_eq!(script.header(3, "authorization").as_deref(), Some("Bearer at-2"));
    let (header, claims) = jwt(&field(&form(&script.body(2)), "client_assertion").unwrap());
    assert_eq!(header["alg"], "ES256");
    assert_eq!(claims["iat"], SCRIPT_EPOCH + 61, "a new assertion, at the new time");
}

#[test]
fn a_401_renews_the_token_once_and_retries_once() {
    let org = "cc-401";
    let script = Script::new([
        token(org, "Bearer", "at-1", 3600),
        unauthorized(api(org, "/api/v1/users/me")),
        token(org, "Bearer", "at-2", 3600),
        api(org, "/api/v1/users/me"),
    ]);
    let okta = client(client_credentials::credentials(&service_app(org, EC_PKCS8)).unwrap(), &script);
    assert_eq!(me(&okta).unwrap(), r#"{"id":"00u1"}"#);
    script.assert_done();
    assert_eq!(script.header(1, "authorization").as_deref(), Some("Bearer at-1"));
    assert_eq!(script.header(3, "authorization").as_deref(), Some("Bearer at-2"));
    assert!(script.timeline().iter().all(|t| !t.starts_with("sleep")), "a renewal does not wait");
}

#[test]
fn a_second_401_is_final() {
    let org = "cc-401-twice";
    let script = Script::new([
        token(org, "Bearer", "at-1", 3600),
        unauthorized(api(org, "/api/v1/users/me")),
        token(org, "Bearer", "at-2", 3600),
        unauthorized(api(org, "/api/v1/users/me")),
    ]);
    let okta = client(client_credentials::credentials(&service_app(org, EC_PKCS8)).unwrap(), &script);
    match me(&okta) {
        Err(Error::Okta(e)) => {
            assert_eq!(e.status, 401);
            assert!(e.authenticate.as_deref().is_some_and(|a| a.contains("invalid_token")), "{e:?}");
            assert!(!e.summary.contains("at-2"), "no token in the error: {}", e.summary);
        }
        other => panic!("{other:?}"),
    }
    script.assert_done();
}

#[test]
fn dpop_nonce_challenges_are_answered_once_each() {
    let org = "cc-dpop";
    let token_url = format!("https://{org}.okta.com/oauth2/v1/token");
    let me_url = format!("https://{org}.okta.com/api/v1/users/me");
    let script = Script::new([
        on("POST", &token_url).status(400).header("dpop-nonce", "n-token").body(
            r#"{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof."}"#,
        ),
        token(org, "DPoP", "at-d", 3600),
        on("GET", &me_url).status(401).header("dpop-nonce", "n-api").header(
            "www-authenticate",
            r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#,
        ),
        api(org, "/api/v1/users/me"),
    ]);
    let okta = client(client_credentials::credentials(&service_app(org, EC_PKCS8)).unwrap(), &script);
    me(&okta).unwrap();
    script.assert_done();

    let proofs: Vec<(Value, Value)> = (0..4).map(|n| jwt(&script.header(n, "dpop").unwrap())).collect();
    let ath = base64url::encode(&Sha256::digest(b"at-d"));
    #[rustfmt::skip]
    let want = [
        ("POST", token_url.as_str(), None, None),
        ("POST", token_url.as_str(), Some("n-token"), None),
        ("GET", me_url.as_str(), None, Some(ath.as_str())),
        ("GET", me_url.as_str(), Some("n-api"), Some(ath.as_str())),
    ];
    for (n, ((header, claims), (htm, htu, nonce, ath))) in proofs.iter().zip(want).enumerate() {
        assert_eq!((header["typ"].as_str(), header["alg"].as_str()), (Some("dpop+jwt"), Some("ES256")), "proof {n}");
        assert_eq!(claims["htm"], htm, "proof {n}");
        assert_eq!(claims["htu"], htu, "proof {n}");
        assert_eq!(claims["nonce"].as_str(), nonce, "proof {n}");
        assert_eq!(claims["ath"].as_str(), ath, "proof {n}");
    }
    let jtis: std::collections::HashSet<&str> = proofs.iter().map(|(_, c)| c["jti"].as_str().unwrap()).collect();
    assert_eq!(jtis.len(), 4, "a new proof for every attempt");
    for n in [2, 3] {
        assert_eq!(script.header(n, "authorization").as_deref(), Some("DPoP at-d"));
    }
}

#[test]
fn a_refused_user_token_is_refreshed_and_the_rotated_set_kept() {
    let org = "code-refresh";
    let token_url = format!("https://{org}.okta.com/oauth2/v1/token");
    let script = Script::new([
        unauthorized(api(org, "/api/v1/users/me")),
        on("POST", &token_url).body(
            r#"{"token_type":"Bearer","expires_in":3600,"access_token":"at-1","refresh_token":"rt-1","scope":"okta.users.read offline_access"}"#,
        ),
        api(org, "/api/v1/users/me"),
        // The host brings the same connection again: the session goes on with the new token.
        api(org, "/api/v1/users/me"),
    ]);
    let connection = web_app(org, Some("rt-0"));
    for _ in 0..2 {
        me(&client(oauth_code::credentials(&connection).unwrap(), &script)).unwrap();
    }
    script.assert_done();
    assert_eq!(script.header(0, "authorization").as_deref(), Some("Bearer at-0"), "the host's token first");
    // client_secret_basic: both parts form-encoded, then base64.
    assert_eq!(script.header(1, "authorization").as_deref(), Some("Basic MG9hLXdlYjpzM2NyZXQtdmFsdWU="));
    let sent = form(&script.body(1));
    assert_eq!(field(&sent, "grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(field(&sent, "refresh_token").as_deref(), Some("rt-0"));
    assert_eq!(script.header(2, "authorization").as_deref(), Some("Bearer at-1"));
    assert_eq!(script.header(3, "authorization").as_deref(), Some("Bearer at-1"));
    let creds = oauth_code::credentials(&connection).unwrap();
    let kept = sessions::with(|s| s.hand_back(&creds.identity, &creds.presented)).unwrap();
    assert_eq!((kept.access_token.as_str(), kept.refresh_token.as_deref()), ("at-1", Some("rt-1")));
    assert_eq!(kept.expires_at, Some(SCRIPT_EPOCH + 3600));
}

#[test]
fn without_a_refresh_token_a_401_is_final() {
    let org = "code-no-refresh";
    let script = Script::new([unauthorized(api(org, "/api/v1/users/me"))]);
    let okta = client(oauth_code::credentials(&web_app(org, None)).unwrap(), &script);
    assert!(matches!(me(&okta), Err(Error::Okta(e)) if e.status == 401));
    script.assert_done();
}

/// The requests in `script`'s timeline, and how many waits came between them.
fn requests_and_waits(script: &Script) -> (Vec<String>, usize) {
    let timeline = script.timeline();
    let waits = timeline.iter().filter(|t| t.starts_with("sleep")).count();
    (timeline.into_iter().filter(|t| !t.starts_with("sleep")).collect(), waits)
}

#[test]
fn token_endpoint_5xx_and_lost_answers_are_retried_for_a_service_app() {
    let org = "cc-token-retry";
    let token_url = format!("https://{org}.okta.com/oauth2/v1/token");
    let script = Script::new([
        on("POST", &token_url).okta_error(503, "E0000010"),
        on("POST", &token_url).fails(TransportError::Failed("the connection was reset".into())),
        token(org, "Bearer", "at-r", 3600),
        api(org, "/api/v1/users/me"),
    ]);
    let okta = client(client_credentials::credentials(&service_app(org, RSA_PKCS8)).unwrap(), &script);
    me(&okta).unwrap();
    script.assert_done();
    let (requests, waits) = requests_and_waits(&script);
    assert_eq!(requests.len(), 4);
    assert_eq!(waits, 2, "a backoff before each retry");
    // Each attempt carries a new assertion and a new proof.
    let assertions: std::collections::HashSet<String> =
        (0..3).map(|n| field(&form(&script.body(n)), "client_assertion").unwrap()).collect();
    let proofs: std::collections::HashSet<String> = (0..3).map(|n| script.header(n, "dpop").unwrap()).collect();
    assert_eq!((assertions.len(), proofs.len()), (3, 3));
    assert_eq!(script.header(3, "authorization").as_deref(), Some("Bearer at-r"));
}

#[test]
fn a_token_endpoint_429_past_the_budget_is_not_waited() {
    let org = "cc-token-429";
    let token_url = format!("https://{org}.okta.com/oauth2/v1/token");
    let script = Script::new([on("POST", &token_url)
        .okta_error(429, "E0000047")
        .header("date", &httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(SCRIPT_EPOCH)))
        .header("x-rate-limit-limit", "50")
        .header("x-rate-limit-remaining", "0")
        .header("x-rate-limit-reset", &(SCRIPT_EPOCH + 3600).to_string())]);
    let okta = client(client_credentials::credentials(&service_app(org, RSA_PKCS8)).unwrap(), &script);
    assert!(matches!(me(&okta), Err(Error::Okta(e)) if e.status == 429));
    script.assert_done();
    assert_eq!(requests_and_waits(&script), (vec![format!("POST {token_url}")], 0));
}

#[test]
fn a_refresh_whose_answer_is_lost_is_not_sent_again() {
    let org = "code-refresh-lost";
    let token_url = format!("https://{org}.okta.com/oauth2/v1/token");
    let script = Script::new([
        unauthorized(api(org, "/api/v1/users/me")),
        on("POST", &token_url).fails(TransportError::Failed("the connection was reset".into())),
    ]);
    let okta = client(oauth_code::credentials(&web_app(org, Some("rt-lost"))).unwrap(), &script);
    assert!(matches!(me(&okta), Err(Error::Transport(_))));
    script.assert_done();
    assert_eq!(requests_and_waits(&script).1, 0, "the rotating refresh token may be spent: no retry");
}
