//! The OAuth 2.0 connection kinds end to end, through the built component against the fake
//! org's authorization server: client credentials with `private_key_jwt` (RSA and EC keys,
//! PEM and JWK, DPoP or not) and the authorization-code flow (PKCE, rotating refresh tokens).

use crate::support::common::*;
use anyhow::Result;
use okta_fake_org::{FakeOrg, ServiceApp};
use okta_harness::*;
use serde_json::{json, Value};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys/");
const SERVICE: &str = "0oaservice0000000001";
const TOKEN_PATH: &str = "/oauth2/v1/token";

fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}{name}")).unwrap()
}

/// A seeded org with a DPoP service app holding the RSA key (`kid-1`) and the EC key (its
/// JWK's own `kid`), granted users and groups read.
fn service_org(dpop: bool) -> FakeOrg {
    let org = FakeOrg::seeded();
    let mut app =
        ServiceApp::new(SERVICE, &key("rsa-public.pem"), Some("kid-1"), &["okta.users.read", "okta.groups.read"]);
    app.keys.push((None, key("ec-p256-public.jwk.json")));
    app.dpop = dpop;
    org.register_service_app(&app).unwrap();
    org
}

fn rsa_connection(scopes: &str) -> Connection {
    client_credentials(DOMAIN, SERVICE, &key("rsa-pkcs8.pem"), Some("kid-1"), scopes)
}

/// Decodes a JWT's header and claims without verifying (what the org verified already).
fn jwt_parts(jwt: &str) -> (Value, Value) {
    use base64::Engine as _;
    let mut p = jwt.split('.');
    let mut next = || {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p.next().unwrap()).unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    (next(), next())
}

fn form_of(e: &Exchange) -> Vec<(String, String)> {
    decode_query(std::str::from_utf8(&e.request_body).unwrap())
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn lines(exchanges: &[Exchange]) -> Vec<String> {
    exchanges
        .iter()
        .map(|e| format!("{} {} {}", e.method, e.line().split_once(' ').unwrap().1, e.status.unwrap_or(0)))
        .collect()
}

#[tokio::test]
async fn client_credentials_with_dpop_run_an_action() -> Result<()> {
    let org = service_org(true);
    let connection = rsa_connection("okta.users.read okta.groups.read");
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let page = ok(instance.invoke_json("users.list", &connection, &json!({"limit": 2})).await?, "users.list");
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let ex = instance.exchanges();
    assert_eq!(
        lines(&ex),
        ["POST /oauth2/v1/token 400", "POST /oauth2/v1/token 200", "GET /api/v1/users?limit=2 200",]
    );
    // The token requests: a fresh assertion and proof each, the nonce on the second.
    let mut jtis = Vec::new();
    for (i, e) in ex[..2].iter().enumerate() {
        assert_eq!(e.request_header("content-type"), Some("application/x-www-form-urlencoded"));
        assert!(e.request_header("authorization").is_none());
        let form = form_of(e);
        assert_eq!(field(&form, "grant_type"), Some("client_credentials"));
        assert_eq!(field(&form, "scope"), Some("okta.users.read okta.groups.read"));
        assert_eq!(
            field(&form, "client_assertion_type"),
            Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        );
        let (h, c) = jwt_parts(field(&form, "client_assertion").unwrap());
        assert_eq!((h["alg"].as_str(), h["kid"].as_str()), (Some("RS256"), Some("kid-1")));
        assert_eq!((c["iss"].as_str(), c["sub"].as_str()), (Some(SERVICE), Some(SERVICE)));
        assert_eq!(c["aud"], format!("{DOMAIN}{TOKEN_PATH}"));
        assert!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap() <= 3600);
        jtis.push(c["jti"].as_str().unwrap().to_string());
        let (ph, pc) = jwt_parts(e.request_header("dpop").unwrap());
        assert_eq!((ph["typ"].as_str(), ph["alg"].as_str()), (Some("dpop+jwt"), Some("ES256")));
        assert!(ph["jwk"].get("d").is_none());
        assert_eq!(
            (pc["htm"].as_str(), pc["htu"].as_str()),
            (Some("POST"), Some(format!("{DOMAIN}{TOKEN_PATH}").as_str()))
        );
        assert!(pc.get("ath").is_none());
        assert_eq!(
            pc.get("nonce").and_then(Value::as_str),
            if i == 0 { None } else { ex[0].response_header("dpop-nonce") }
        );
        jtis.push(pc["jti"].as_str().unwrap().to_string());
    }
    let unique: std::collections::HashSet<_> = jtis.iter().collect();
    assert_eq!(unique.len(), 4, "every assertion and proof has its own jti");
    // The API call: DPoP scheme, a proof bound to the token.
    let token = ex[1].response_json().unwrap()["access_token"].as_str().unwrap().to_string();
    let api = &ex[2];
    assert_eq!(api.request_header("authorization"), Some(format!("DPoP {token}").as_str()));
    let (_, pc) = jwt_parts(api.request_header("dpop").unwrap());
    assert_eq!(
        (pc["htm"].as_str(), pc["htu"].as_str()),
        (Some("GET"), Some(format!("{DOMAIN}/api/v1/users").as_str()))
    );
    assert!(pc["ath"].is_string());
    conforms(&ex[2..]);
    Ok(())
}

// ---- helpers for the longer scenarios ---------------------------------------------------------

const T0: u64 = 1_780_000_000;

/// An instance whose wall clock is pinned at the org's (both at `T0` until advanced).
async fn pinned(org: &FakeOrg) -> Result<Instance> {
    org.pin_clock(std::time::UNIX_EPOCH + std::time::Duration::from_secs(T0));
    let options = InstanceOptions { clock: Some(Clock::pinned_at_unix(T0)), ..Default::default() };
    connector().instantiate_with(Backend::FakeOrg(org.clone()), options).await
}

/// Moves the org's clock and the instance's together.
fn advance(org: &FakeOrg, instance: &Instance, secs: u64) {
    let d = std::time::Duration::from_secs(secs);
    org.advance_clock(d);
    instance.clock().advance(d);
}

/// Runs `action` in `instance` and returns its result and the exchanges it made.
async fn act(
    instance: &mut Instance,
    connection: &Connection,
    action: &str,
    input: Value,
) -> Result<(Result<Value, WitError>, Vec<Exchange>)> {
    let before = instance.exchanges().len();
    let r = instance.invoke_json(action, connection, &input).await?;
    Ok((r, instance.exchanges()[before..].to_vec()))
}

/// The claims of the DPoP proof an exchange carried.
fn proof_claims(e: &Exchange) -> Value {
    jwt_parts(e.request_header("dpop").expect("a DPoP proof")).1
}

/// Fails when any of `secrets` (or any JWT) appears in the error.
fn assert_clean(e: &WitError, secrets: &[&str]) {
    let text = error_json(e).to_string();
    for s in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(!text.contains(s), "a secret leaked into {text}");
    }
    assert!(!text.contains("eyJ"), "a JWT leaked into {text}");
    assert!(!text.contains("PRIVATE KEY"), "a key leaked into {text}");
}

/// Every secret the exchanges carried: tokens, assertions, proofs, client secrets, codes.
fn exchanged_secrets(exchanges: &[Exchange]) -> Vec<String> {
    let mut out = Vec::new();
    for e in exchanges {
        for (k, v) in &e.request_headers {
            if k == "authorization" || k == "dpop" {
                out.push(v.split_once(' ').map(|(_, t)| t.to_string()).unwrap_or_else(|| v.clone()));
            }
        }
        for (k, v) in form_of(e) {
            if ["client_assertion", "code", "code_verifier", "refresh_token"].contains(&k.as_str()) {
                out.push(v);
            }
        }
        if let Some(j) = e.response_json() {
            for k in ["access_token", "refresh_token"] {
                if let Some(t) = j[k].as_str() {
                    out.push(t.to_string());
                }
            }
        }
    }
    out
}

// ---- client credentials ---------------------------------------------------------------------

#[tokio::test]
async fn a_bearer_service_app_sends_bearer_and_still_a_proof_on_the_token_call() -> Result<()> {
    let org = service_org(false);
    let connection = rsa_connection("okta.users.read");
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let (r, ex) = act(&mut instance, &connection, "users.list", json!({"limit": 1})).await?;
    ok(r, "users.list");
    assert_eq!(lines(&ex), ["POST /oauth2/v1/token 200", "GET /api/v1/users?limit=1 200"]);
    assert!(ex[0].request_header("dpop").is_some(), "the token request always carries a proof");
    let token = ex[0].response_json().unwrap()["access_token"].as_str().unwrap().to_string();
    assert_eq!(ex[1].request_header("authorization"), Some(format!("Bearer {token}").as_str()));
    assert!(ex[1].request_header("dpop").is_none());
    Ok(())
}

#[tokio::test]
async fn a_hundred_actions_on_one_instance_cost_one_token() -> Result<()> {
    let org = service_org(true);
    let connection = rsa_connection("okta.users.read okta.groups.read");
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let ids = org.user_ids();
    let mut per_action = Vec::new();
    for (i, id) in ids.iter().take(100).enumerate() {
        let (r, ex) = if i % 2 == 0 {
            act(&mut instance, &connection, "users.get", json!({"id": id})).await?
        } else {
            act(&mut instance, &connection, "groups.list", json!({"limit": 1})).await?
        };
        ok(r, "an action");
        per_action.push(ex.len());
    }
    let stats = org.token_stats();
    assert_eq!((stats.issued, stats.nonce_challenges, stats.requests), (1, 1, 2), "one token for 100 actions");
    assert_eq!(per_action[0], 3, "cold: nonce challenge, token, the call");
    assert!(per_action[1..].iter().all(|n| *n == 1), "warm: the call alone");
    Ok(())
}

#[tokio::test]
async fn tokens_are_renewed_before_expiry_and_after_a_401() -> Result<()> {
    let org = service_org(true);
    let connection = rsa_connection("okta.users.read");
    let mut instance = pinned(&org).await?;
    let list = json!({"limit": 1});
    let (r, ex) = act(&mut instance, &connection, "users.list", list.clone()).await?;
    ok(r, "first");
    assert_eq!(ex.len(), 3);
    let first_token = ex[1].response_json().unwrap()["access_token"].as_str().unwrap().to_string();
    let expires_at = T0 + 3600;

    // Half an hour later: the cached token.
    advance(&org, &instance, 1800);
    let (r, ex) = act(&mut instance, &connection, "users.list", list.clone()).await?;
    ok(r, "cached");
    assert_eq!(lines(&ex), ["GET /api/v1/users?limit=1 200"]);

    // Less than a minute before expiry: a new token first (the nonce is remembered: no challenge).
    advance(&org, &instance, expires_at - 30 - (T0 + 1800));
    let (r, ex) = act(&mut instance, &connection, "users.list", list.clone()).await?;
    ok(r, "renewed");
    assert_eq!(lines(&ex), ["POST /oauth2/v1/token 200", "GET /api/v1/users?limit=1 200"]);
    let second_token = ex[0].response_json().unwrap()["access_token"].as_str().unwrap().to_string();
    assert_ne!(first_token, second_token);
    assert_eq!(proof_claims(&ex[0])["nonce"].as_str(), ex[0].response_header("dpop-nonce"));

    // Okta refuses a token the connector thought good: renewed once, the call retried once.
    org.revoke_access_tokens();
    let (r, ex) = act(&mut instance, &connection, "users.list", list.clone()).await?;
    ok(r, "after a 401");
    assert_eq!(
        lines(&ex),
        ["GET /api/v1/users?limit=1 401", "POST /oauth2/v1/token 200", "GET /api/v1/users?limit=1 200"]
    );
    let third_token = ex[1].response_json().unwrap()["access_token"].as_str().unwrap().to_string();
    let (refused, retried) = (proof_claims(&ex[0]), proof_claims(&ex[2]));
    assert_ne!(refused["jti"], retried["jti"], "a fresh proof for the retry");
    assert_eq!(retried["htm"], "GET");
    assert_eq!(retried["ath"], sha256(&third_token));
    assert_eq!(ex[2].request_header("authorization"), Some(format!("DPoP {third_token}").as_str()));

    // Refused again after the renewal: no loop, the second 401 is the answer.
    org.inject_fault("GET", "/api/v1/users", okta_fake_org::Fault::Status(401), 2);
    let (r, ex) = act(&mut instance, &connection, "users.list", list).await?;
    let e = r.expect_err("refused twice");
    assert_eq!(error_kind(&e), "unauthorized");
    assert_eq!(
        lines(&ex),
        ["GET /api/v1/users?limit=1 401", "POST /oauth2/v1/token 200", "GET /api/v1/users?limit=1 401"]
    );
    assert_clean(&e, &exchanged_secrets(&instance.exchanges()).iter().map(String::as_str).collect::<Vec<_>>());
    Ok(())
}

fn sha256(text: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(text.as_bytes()))
}

#[tokio::test]
async fn dpop_nonce_challenges_on_the_token_and_resource_calls() -> Result<()> {
    let org = service_org(true);
    org.require_api_dpop_nonce(true);
    let connection = rsa_connection("okta.users.read");
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let list = json!({"limit": 1});
    let (r, ex) = act(&mut instance, &connection, "users.list", list.clone()).await?;
    ok(r, "first");
    assert_eq!(
        lines(&ex),
        [
            "POST /oauth2/v1/token 400",
            "POST /oauth2/v1/token 200",
            "GET /api/v1/users?limit=1 401",
            "GET /api/v1/users?limit=1 200"
        ]
    );
    let token_nonce = ex[0].response_header("dpop-nonce").unwrap();
    let api_nonce = ex[2].response_header("dpop-nonce").unwrap().to_string();
    assert_ne!(token_nonce, api_nonce, "each server has its own nonce");
    assert!(ex[2].response_header("www-authenticate").unwrap().contains("error=\"use_dpop_nonce\""));
    let (challenged, answered) = (proof_claims(&ex[2]), proof_claims(&ex[3]));
    assert!(challenged.get("nonce").is_none());
    assert_eq!(answered["nonce"], api_nonce.as_str());
    assert_ne!(challenged["jti"], answered["jti"]);
    assert_eq!(answered["ath"], challenged["ath"]);

    // The nonce is kept for the next action.
    let (r, ex) = act(&mut instance, &connection, "users.list", list.clone()).await?;
    ok(r, "second");
    assert_eq!(lines(&ex), ["GET /api/v1/users?limit=1 200"]);
    assert_eq!(proof_claims(&ex[0])["nonce"], api_nonce.as_str());

    // A rotated nonce comes with any answer, and the next proof carries it.
    org.rotate_api_dpop_nonce();
    let (_, ex) = act(&mut instance, &connection, "users.list", list.clone()).await?;
    let rotated = ex[0].response_header("dpop-nonce").unwrap().to_string();
    assert_ne!(rotated, api_nonce);
    let (_, ex) = act(&mut instance, &connection, "users.list", list.clone()).await?;
    assert_eq!(proof_claims(&ex[0])["nonce"], rotated.as_str());

    // Nonces expired everywhere and the token revoked: the call's 401 renews the token, whose
    // request meets its own challenge; the retried call then meets the resource challenge and
    // stops there (one renewal per request).
    org.expire_dpop_nonces();
    let (r, ex) = act(&mut instance, &connection, "users.list", list.clone()).await?;
    ok(r, "new nonce");
    assert_eq!(lines(&ex), ["GET /api/v1/users?limit=1 401", "GET /api/v1/users?limit=1 200"]);
    org.revoke_access_tokens();
    org.expire_dpop_nonces();
    let (r, ex) = act(&mut instance, &connection, "users.list", list).await?;
    let e = r.expect_err("two challenges in one request");
    assert_eq!(
        lines(&ex),
        [
            "GET /api/v1/users?limit=1 401",
            "POST /oauth2/v1/token 400",
            "POST /oauth2/v1/token 200",
            "GET /api/v1/users?limit=1 401"
        ]
    );
    assert_eq!(error_kind(&e), "unauthorized");
    assert!(okta_error(&e).unwrap().authenticate.as_deref().unwrap().contains("use_dpop_nonce"));
    Ok(())
}

#[tokio::test]
async fn a_rotated_token_nonce_is_picked_up_from_the_answer() -> Result<()> {
    let org = service_org(true);
    org.set_token_lifetime(std::time::Duration::from_secs(120));
    let connection = rsa_connection("okta.users.read");
    let mut instance = pinned(&org).await?;
    let (_, ex) = act(&mut instance, &connection, "users.list", json!({"limit": 1})).await?;
    let first = ex[0].response_header("dpop-nonce").unwrap().to_string();
    org.rotate_token_dpop_nonce();
    advance(&org, &instance, 90);
    let (_, ex) = act(&mut instance, &connection, "users.list", json!({"limit": 1})).await?;
    assert_eq!(lines(&ex)[0], "POST /oauth2/v1/token 200", "the old nonce still works");
    assert_eq!(proof_claims(&ex[0])["nonce"], first.as_str());
    let second = ex[0].response_header("dpop-nonce").unwrap().to_string();
    assert_ne!(second, first);
    advance(&org, &instance, 90);
    let (_, ex) = act(&mut instance, &connection, "users.list", json!({"limit": 1})).await?;
    assert_eq!(proof_claims(&ex[0])["nonce"], second.as_str(), "the newer nonce from the last answer");
    Ok(())
}

#[tokio::test]
async fn page_two_of_a_list_under_dpop() -> Result<()> {
    let org = service_org(true);
    org.generate_users(450);
    let connection = rsa_connection("okta.users.read");
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let (r, ex) = act(&mut instance, &connection, "users.list", json!({"fetch_all": true})).await?;
    let all = ok(r, "users.list fetch_all");
    let gets: Vec<&Exchange> = ex.iter().filter(|e| e.method == "GET").collect();
    assert!(gets.len() >= 3, "{}", lines(&ex).join("\n"));
    assert!(gets[1].query.as_deref().unwrap().contains("after="));
    assert!(gets.iter().all(|e| e.status == Some(200)));
    let mut jtis = std::collections::HashSet::new();
    for e in &gets {
        let c = proof_claims(e);
        assert_eq!(c["htu"], format!("{DOMAIN}/api/v1/users"), "no query in htu");
        assert_eq!(c["htm"], "GET");
        assert!(jtis.insert(c["jti"].as_str().unwrap().to_string()));
    }
    assert_eq!(ids(&all["items"]).len(), org.user_ids().len() - deprovisioned(&org));
    // And by cursor: the next page alone, in a call of its own.
    let (r, _) = act(&mut instance, &connection, "users.list", json!({"limit": 2})).await?;
    let cursor = ok(r, "page 1")["next_cursor"].as_str().unwrap().to_string();
    let (r, ex) = act(&mut instance, &connection, "users.list", json!({"limit": 2, "after": cursor})).await?;
    assert_eq!(ok(r, "page 2")["items"].as_array().unwrap().len(), 2);
    assert_eq!(proof_claims(&ex[0])["htu"], format!("{DOMAIN}/api/v1/users"));
    conforms(&ex);
    Ok(())
}

fn deprovisioned(org: &FakeOrg) -> usize {
    org.user_ids().iter().filter(|id| org.get_user_json(id).unwrap()["status"] == "DEPROVISIONED").count()
}

#[tokio::test]
async fn a_missing_scope_is_named() -> Result<()> {
    let org = service_org(true);
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    // Granted to the app, but not asked for by the connection: the API names it.
    let connection = rsa_connection("okta.users.read");
    let (r, ex) = act(&mut instance, &connection, "groups.list", json!({"limit": 1})).await?;
    let e = r.expect_err("no groups scope");
    assert_eq!(error_kind(&e), "forbidden");
    let o = okta_error(&e).unwrap();
    assert_eq!(o.error_code.as_deref(), Some("insufficient_scope"));
    assert!(o.summary.contains("`okta.groups.read`"), "{}", o.summary);
    assert_eq!(ex.last().unwrap().status, Some(403));
    assert_eq!(ex.iter().filter(|e| e.path == "/api/v1/groups").count(), 1, "a 403 is not retried");

    // Not granted to the app at all: the token endpoint refuses the scope.
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let connection = rsa_connection("okta.users.read okta.apps.read");
    let (r, ex) = act(&mut instance, &connection, "users.list", json!({"limit": 1})).await?;
    let e = r.expect_err("apps scope not granted");
    assert_eq!(error_kind(&e), "forbidden");
    let o = okta_error(&e).unwrap();
    assert_eq!(o.error_code.as_deref(), Some("invalid_scope"));
    assert!(o.summary.contains("not granted to the app"), "{}", o.summary);
    assert_eq!(lines(&ex), ["POST /oauth2/v1/token 400", "POST /oauth2/v1/token 400"]);
    assert_clean(&e, &exchanged_secrets(&ex).iter().map(String::as_str).collect::<Vec<_>>());
    Ok(())
}

#[tokio::test]
async fn every_key_form_signs_in_and_bad_keys_fail_clearly() -> Result<()> {
    let org = FakeOrg::seeded();
    let mut app = ServiceApp::new(SERVICE, &key("rsa-public.pem"), Some("kid-1"), &["okta.users.read"]);
    app.keys.push((None, key("rsa-public.jwk.json")));
    app.keys.push((Some("ec-1".into()), key("ec-p256-public.pem")));
    app.keys.push((None, key("ec-p256-public.jwk.json")));
    org.register_service_app(&app).unwrap();
    for (file, kid, alg, sent_kid) in [
        ("rsa-pkcs8.pem", Some("kid-1"), "RS256", Some("kid-1")),
        ("rsa-pkcs1.pem", Some("kid-1"), "RS256", Some("kid-1")),
        ("rsa-private.jwk.json", None, "RS256", Some("rsa-test-key")),
        ("ec-p256-pkcs8.pem", Some("ec-1"), "ES256", Some("ec-1")),
        ("ec-p256-sec1.pem", None, "ES256", None),
        ("ec-p256-private.jwk.json", None, "ES256", Some("ec-test-key")),
    ] {
        let connection = client_credentials(DOMAIN, SERVICE, &key(file), kid, "okta.users.read");
        let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
        let (r, ex) = act(&mut instance, &connection, "users.list", json!({"limit": 1})).await?;
        ok(r, file);
        let (h, _) = jwt_parts(field(&form_of(&ex[0]), "client_assertion").unwrap());
        assert_eq!((h["alg"].as_str(), h["kid"].as_str()), (Some(alg), sent_kid), "{file}");
    }

    // Refused by the org: a key it does not know, a kid it does not know.
    for (file, kid, words) in [
        ("rsa-other-pkcs8.pem", Some("kid-1"), "signature is invalid"),
        ("rsa-other-pkcs8.pem", None, "signature is invalid"),
        ("rsa-pkcs8.pem", Some("kid-9"), "'kid'"),
    ] {
        let pem = key(file);
        let connection = client_credentials(DOMAIN, SERVICE, &pem, kid, "okta.users.read");
        let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
        let (r, ex) = act(&mut instance, &connection, "users.list", json!({"limit": 1})).await?;
        let e = r.expect_err(file);
        assert_eq!(error_kind(&e), "unauthorized", "{file}");
        let o = okta_error(&e).unwrap();
        assert_eq!(o.error_code.as_deref(), Some("invalid_client"));
        assert!(o.summary.contains("check the client id, and that its key"), "{}", o.summary);
        assert!(o.summary.contains(words), "{}", o.summary);
        assert_eq!(lines(&ex), ["POST /oauth2/v1/token 401"], "no retry of a refused client");
        let mut secrets = exchanged_secrets(&ex);
        secrets.extend(pem.lines().filter(|l| !l.starts_with("-----")).map(str::to_string));
        assert_clean(&e, &secrets.iter().map(String::as_str).collect::<Vec<_>>());
    }

    // Refused before anything is sent.
    let truncated: String =
        key("rsa-pkcs8.pem").lines().take(8).collect::<Vec<_>>().join("\n") + "\n-----END PRIVATE KEY-----";
    for (private_key, kid, field_name) in [
        ("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----".to_string(), None, "private_key"),
        (truncated, None, "private_key"),
        (key("rsa-public.pem"), None, "private_key"),
        ("just some text".to_string(), None, "private_key"),
        (key("ec-p256-private.jwk.json"), Some("another-kid"), "key_id"),
    ] {
        let connection = client_credentials(DOMAIN, SERVICE, &private_key, kid, "okta.users.read");
        let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
        let (r, ex) = act(&mut instance, &connection, "users.list", json!({"limit": 1})).await?;
        match r {
            Err(WitError::InvalidConnection(f)) => {
                assert_eq!(f.field, field_name);
                for line in private_key.lines().filter(|l| l.len() > 12 && !l.starts_with("-----")) {
                    assert!(!f.message.contains(line), "{}", f.message);
                }
            }
            other => panic!("{private_key:.40}: {other:?}"),
        }
        assert!(ex.is_empty(), "nothing is sent for a bad key");
    }
    Ok(())
}

fn token_step(status: u16, body: Value, nonce: Option<&str>) -> (ExpectedRequest, CannedResponse) {
    let expected = ExpectedRequest::post(TOKEN_PATH)
        .any_body()
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header_present("dpop");
    let mut canned = CannedResponse::json(status, body);
    if let Some(n) = nonce {
        canned = canned.header("dpop-nonce", n);
    }
    (expected, canned)
}

#[tokio::test]
async fn token_endpoint_errors_become_typed_readable_errors() -> Result<()> {
    let connection = client_credentials(ORIGIN, SERVICE, &key("rsa-pkcs8.pem"), Some("kid-1"), "okta.users.read");
    let cases = [
        (
            vec![token_step(
                400,
                json!({"error": "invalid_dpop_proof", "error_description": "The DPoP proof JWT signature is invalid."}),
                Some("n1"),
            )],
            "unauthorized",
            "Okta refused the DPoP proof",
        ),
        (
            vec![
                token_step(
                    400,
                    json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."}),
                    Some("n1"),
                ),
                token_step(
                    400,
                    json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."}),
                    Some("n2"),
                ),
            ],
            "unauthorized",
            "asked for a new DPoP nonce twice in a row",
        ),
        (
            vec![token_step(
                401,
                json!({"error": "invalid_client", "error_description": "The client_assertion signature is invalid."}),
                None,
            )],
            "unauthorized",
            "check the client id",
        ),
        (
            vec![token_step(
                400,
                json!({"error": "invalid_scope", "error_description": "One or more scopes are not configured for the authorization server resource."}),
                None,
            )],
            "forbidden",
            "not granted to the app",
        ),
        (
            vec![token_step(
                400,
                json!({"error": "unauthorized_client", "error_description": "The client isn't authorized to use the provided grant type."}),
                None,
            )],
            "forbidden",
            "may not use this grant type",
        ),
        (
            vec![(token_step(200, json!({}), None).0, CannedResponse::raw(200, "text/html", "<html>"))],
            "unexpected-response",
            "not a token response",
        ),
    ];
    for (script, kind, words) in cases {
        let steps = script.len();
        let mut instance = connector().instantiate(Backend::Scripted(script)).await?;
        let r = instance.invoke_json("users.list", &connection, &json!({"limit": 1})).await?;
        instance.assert_script_consumed()?;
        let e = r.expect_err(words);
        assert_eq!(error_kind(&e), kind, "{words}: {}", error_json(&e));
        assert!(error_json(&e).to_string().contains(words), "{}", error_json(&e));
        assert_eq!(instance.exchanges().len(), steps);
        assert_clean(&e, &exchanged_secrets(&instance.exchanges()).iter().map(String::as_str).collect::<Vec<_>>());
    }
    // The second token request of a nonce challenge carries the nonce and new jtis.
    let ex = {
        let script = vec![
            token_step(
                400,
                json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."}),
                Some("n1"),
            ),
            token_step(
                400,
                json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."}),
                Some("n2"),
            ),
        ];
        let mut instance = connector().instantiate(Backend::Scripted(script)).await?;
        let _ = instance.invoke_json("users.list", &connection, &json!({"limit": 1})).await?;
        instance.exchanges()
    };
    assert_eq!(proof_claims(&ex[1])["nonce"], "n1");
    assert_ne!(proof_claims(&ex[0])["jti"], proof_claims(&ex[1])["jti"]);
    let a = |e: &Exchange| jwt_parts(field(&form_of(e), "client_assertion").unwrap()).1["jti"].clone();
    assert_ne!(a(&ex[0]), a(&ex[1]), "a new assertion for the retry");
    Ok(())
}

/// The token endpoint's 429s and 5xx are retried like an API call's (a new assertion and proof
/// each time), within the retry budget; a 429 whose reset is past the budget is not waited.
#[tokio::test]
async fn token_endpoint_429_and_5xx_are_retried_within_the_budget() -> Result<()> {
    let connection = client_credentials(ORIGIN, SERVICE, &key("rsa-pkcs8.pem"), Some("kid-1"), "okta.users.read");
    let token = json!({"access_token": "at-after-retries", "token_type": "Bearer", "expires_in": 3600, "scope": "okta.users.read"});
    let script = vec![
        token_step(
            429,
            json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."}),
            None,
        ),
        token_step(503, json!({"errorCode": "E0000010", "errorSummary": "Service is temporarily unavailable."}), None),
        token_step(500, json!({"error": "server_error"}), None),
        token_step(200, token, None),
        (
            ExpectedRequest::get("/api/v1/users?limit=1").header("authorization", "Bearer at-after-retries"),
            CannedResponse::json(200, json!([])),
        ),
    ];
    let options = InstanceOptions { env: vec![("OKTA_RETRY_BACKOFF_MS".into(), "10".into())], ..Default::default() };
    let mut instance = connector().instantiate_with(Backend::Scripted(script), options.clone()).await?;
    let r = instance.invoke_json("users.list", &connection, &json!({"limit": 1})).await?;
    instance.assert_script_consumed()?;
    ok(r, "after a 429, a 503 and a 500 on the token endpoint");
    let ex = instance.exchanges();
    let jti = |e: &Exchange| jwt_parts(field(&form_of(e), "client_assertion").unwrap()).1["jti"].clone();
    assert!(ex[..4]
        .windows(2)
        .all(|w| jti(&w[0]) != jti(&w[1]) && proof_claims(&w[0])["jti"] != proof_claims(&w[1])["jti"]));

    // A reset an hour away is past the budget: one request, `rate-limited`, no wait.
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let reset = (std::time::SystemTime::now() + std::time::Duration::from_secs(3600))
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let (expected, canned) = token_step(
        429,
        json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."}),
        None,
    );
    let canned = canned
        .header("date", &date)
        .header("x-rate-limit-limit", "600")
        .header("x-rate-limit-remaining", "0")
        .header("x-rate-limit-reset", &reset.to_string());
    let mut instance =
        connector().instantiate_with(Backend::Scripted(vec![(expected, canned)]), options.clone()).await?;
    let started = std::time::Instant::now();
    let e = instance.invoke_json("users.list", &connection, &json!({"limit": 1})).await?.expect_err("rate-limited");
    assert_eq!(error_kind(&e), "rate-limited", "{}", error_json(&e));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    // A refresh whose answer is lost is not sent again: the rotating refresh token may be spent.
    let web = Connection::OauthCode(OauthCodeConnection {
        refresh_token: Some("rt-may-be-spent".into()),
        ..oauth_code(ORIGIN, WEB, WEB_SECRET, &["okta.users.read", "offline_access"])
    });
    let script = vec![(token_step(200, json!({}), None).0, CannedResponse::dropped())];
    let mut instance = connector().instantiate_with(Backend::Scripted(script), options).await?;
    let e = instance.invoke_json("users.list", &web, &json!({"limit": 1})).await?.expect_err("lost");
    instance.assert_script_consumed()?;
    assert_eq!(error_kind(&e), "transport");
    assert_eq!(instance.exchanges().len(), 1);
    Ok(())
}

/// An `expires_in` no clock can add is an unknown lifetime: the token is kept (and used until
/// refused), not wrapped around into one that is always stale.
#[tokio::test]
async fn an_expires_in_beyond_any_date_keeps_the_token() -> Result<()> {
    let connection = client_credentials(ORIGIN, SERVICE, &key("rsa-pkcs8.pem"), Some("kid-1"), "okta.users.read");
    let token = json!({"access_token": "at-forever", "token_type": "Bearer", "expires_in": u64::MAX, "scope": "okta.users.read"});
    let list = || {
        (
            ExpectedRequest::get("/api/v1/users?limit=1").header("authorization", "Bearer at-forever"),
            CannedResponse::json(200, json!([])),
        )
    };
    let script = vec![token_step(200, token, None), list(), list()];
    let mut instance = connector().instantiate(Backend::Scripted(script)).await?;
    for _ in 0..2 {
        ok(instance.invoke_json("users.list", &connection, &json!({"limit": 1})).await?, "with the token");
    }
    instance.assert_script_consumed()?;
    Ok(())
}

#[tokio::test]
async fn connections_test_proves_each_kind() -> Result<()> {
    let org = service_org(true);
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let check = instance
        .connections()
        .test(&rsa_connection("okta.users.read okta.groups.read"))
        .await?
        .expect("a working service app");
    assert_eq!(
        (check.kind.as_str(), check.org.as_str(), check.principal.as_deref(), check.token_type.as_str()),
        ("client_credentials", DOMAIN, None, "DPoP")
    );
    assert_eq!(check.scopes, ["okta.users.read", "okta.groups.read"]);
    assert_eq!(lines(&instance.exchanges()), ["POST /oauth2/v1/token 400", "POST /oauth2/v1/token 200"]);
    // The token it got serves the next action.
    let (r, ex) =
        act(&mut instance, &rsa_connection("okta.users.read okta.groups.read"), "users.list", json!({"limit": 1}))
            .await?;
    ok(r, "after test");
    assert_eq!(ex.len(), 1);

    let check = instance.connections().test(&connection()).await?.expect("the API token");
    assert_eq!((check.kind.as_str(), check.token_type.as_str()), ("api_token", "SSWS"));
    assert_eq!(check.principal.as_deref(), Some("fake.admin@example.com"));

    let bad = client_credentials(DOMAIN, SERVICE, &key("rsa-other-pkcs8.pem"), Some("kid-1"), "okta.users.read");
    let e = instance.connections().test(&bad).await?.expect_err("a wrong key");
    assert_eq!(error_kind(&e), "unauthorized");
    let e = instance.connections().test(&api_token(DOMAIN, "wrong-token-0000")).await?.expect_err("a wrong token");
    assert_eq!(error_kind(&e), "unauthorized");
    Ok(())
}

#[tokio::test]
async fn the_catalog_marks_every_secret_of_every_kind() -> Result<()> {
    let mut instance = connector().instantiate(Backend::Scripted(vec![])).await?;
    let catalog = instance.describe_json().await?;
    let text = catalog.to_string();
    let mut secret_fields = Vec::new();
    let mut plain_fields = Vec::new();
    walk_properties(&catalog, &mut |name, schema| {
        if schema.get("writeOnly") == Some(&json!(true)) {
            assert_eq!(schema["format"], "password", "{name}");
            secret_fields.push(name.to_string());
        } else {
            plain_fields.push(name.to_string());
        }
    });
    for secret in ["token", "client_secret", "access_token", "refresh_token", "private_key"] {
        assert!(secret_fields.iter().any(|f| f == secret), "{secret} is not marked secret in {text:.2000}");
    }
    for plain in ["domain", "client_id", "key_id", "scopes"] {
        assert!(!secret_fields.iter().any(|f| f == plain), "{plain} is marked secret");
        assert!(plain_fields.iter().any(|f| f == plain), "{plain} is missing");
    }
    Ok(())
}

/// Calls `f` with every (property name, schema) under any `properties` of the JSON.
fn walk_properties(v: &Value, f: &mut dyn FnMut(&str, &Value)) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                for (name, schema) in props {
                    f(name, schema);
                }
            }
            for child in map.values() {
                walk_properties(child, f);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk_properties(i, f)),
        _ => {}
    }
}

// ---- authorization code -----------------------------------------------------------------------

const WEB: &str = "0oaweb00000000000001";
/// Characters that must be form-encoded inside the Basic credentials.
const WEB_SECRET: &str = "s3cret+with/odd:chars=";
const REDIRECT: &str = "http://localhost:8765/callback";

fn web_org(rotation_grace: Option<u64>, dpop: bool) -> FakeOrg {
    let org = FakeOrg::seeded();
    let mut app = okta_fake_org::WebApp::new(WEB, WEB_SECRET, REDIRECT, &["okta.users.read", "okta.groups.read"]);
    app.rotation_grace = rotation_grace.map(std::time::Duration::from_secs);
    app.dpop = dpop;
    org.register_web_app(&app).unwrap();
    org
}

fn web_connection(scopes: &[&str]) -> OauthCodeConnection {
    oauth_code(DOMAIN, WEB, WEB_SECRET, scopes)
}

/// The connection as the host stores it after a token set.
fn with_tokens(c: &OauthCodeConnection, t: &TokenSet) -> OauthCodeConnection {
    OauthCodeConnection {
        access_token: Some(t.access_token.clone()),
        refresh_token: t.refresh_token.clone(),
        ..c.clone()
    }
}

fn query_pairs_of(url: &str) -> Vec<(String, String)> {
    decode_query(url.split_once('?').map(|(_, q)| q).unwrap_or(""))
}

/// Runs the redirect flow: authorize URL, the user's approval at the org, code exchange.
async fn connect_user(org: &FakeOrg, instance: &mut Instance, c: &OauthCodeConnection) -> Result<TokenSet> {
    let start = instance.connections().begin_authorization(c, REDIRECT, "state-42").await?.expect("an authorize URL");
    let location = org.authorize(&start.url).await.map_err(anyhow::Error::msg)?;
    let q = query_pairs_of(&location);
    assert_eq!(field(&q, "state"), Some("state-42"));
    let code = field(&q, "code").expect("a code").to_string();
    Ok(instance.connections().exchange_code(c, &code, REDIRECT, &start.code_verifier).await?.expect("tokens"))
}

#[tokio::test]
async fn authorization_code_end_to_end() -> Result<()> {
    let org = web_org(Some(30), false);
    let c = web_connection(&["okta.users.read", "okta.groups.read", "offline_access"]);
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;

    let start = instance.connections().begin_authorization(&c, REDIRECT, "state-42").await?.expect("a start");
    assert!(start.url.starts_with(&format!("{DOMAIN}/oauth2/v1/authorize?")), "{}", start.url);
    let q = query_pairs_of(&start.url);
    assert_eq!(field(&q, "client_id"), Some(WEB));
    assert_eq!(field(&q, "response_type"), Some("code"));
    assert_eq!(field(&q, "scope"), Some("okta.users.read okta.groups.read offline_access"));
    assert_eq!(field(&q, "redirect_uri"), Some(REDIRECT));
    assert_eq!(field(&q, "state"), Some("state-42"));
    assert_eq!(field(&q, "code_challenge_method"), Some("S256"));
    assert_eq!(field(&q, "code_challenge"), Some(sha256(&start.code_verifier).as_str()));
    assert!((43..=128).contains(&start.code_verifier.len()));
    assert_eq!(start.hint, None);
    assert!(instance.exchanges().is_empty(), "begin-authorization sends nothing");
    let again = instance.connections().begin_authorization(&c, REDIRECT, "state-43").await?.unwrap();
    assert_ne!(again.code_verifier, start.code_verifier, "a new verifier each time");

    // The user approves; the redirect brings the code back.
    let location = org.authorize(&start.url).await.map_err(anyhow::Error::msg)?;
    let code = field(&query_pairs_of(&location), "code").unwrap().to_string();
    let wrong = instance.connections().exchange_code(&c, &code, REDIRECT, &again.code_verifier).await?;
    let e = wrong.expect_err("the other verifier");
    assert_eq!(error_kind(&e), "unauthorized");
    assert!(okta_error(&e).unwrap().summary.contains("must connect again"));
    assert_clean(&e, &[&code, &again.code_verifier, WEB_SECRET]);

    let location = org.authorize(&start.url).await.map_err(anyhow::Error::msg)?;
    let code = field(&query_pairs_of(&location), "code").unwrap().to_string();
    let before = instance.exchanges().len();
    let tokens =
        instance.connections().exchange_code(&c, &code, REDIRECT, &start.code_verifier).await?.expect("tokens");
    let ex = instance.exchanges()[before..].to_vec();
    assert_eq!(lines(&ex), ["POST /oauth2/v1/token 200"]);
    let form = form_of(&ex[0]);
    assert_eq!(
        form.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["grant_type", "code", "redirect_uri", "code_verifier"]
    );
    assert_eq!(field(&form, "grant_type"), Some("authorization_code"));
    assert_eq!(field(&form, "code_verifier"), Some(start.code_verifier.as_str()));
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{WEB}:s3cret%2Bwith%2Fodd%3Achars%3D"));
    assert_eq!(ex[0].request_header("authorization"), Some(format!("Basic {basic}").as_str()));
    assert!(ex[0].request_header("dpop").is_some());
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.scope, "okta.users.read okta.groups.read offline_access");
    assert!(tokens.refresh_token.is_some());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    assert!(tokens.expires_at.unwrap().abs_diff(now + 3600) < 60);

    // Actions with the stored tokens use them: no token call. The bare connection (the same
    // app, no token) is not this user's session: refused, nothing sent.
    let stored = Connection::OauthCode(with_tokens(&c, &tokens));
    let (r, ex) = act(&mut instance, &stored, "users.list", json!({"limit": 1})).await?;
    ok(r, "with the tokens");
    assert_eq!(lines(&ex), ["GET /api/v1/users?limit=1 200"]);
    assert_eq!(ex[0].request_header("authorization"), Some(format!("Bearer {}", tokens.access_token).as_str()));
    let (r, ex) = act(&mut instance, &Connection::OauthCode(c.clone()), "groups.list", json!({"limit": 1})).await?;
    let e = r.expect_err("a bare connection has no session");
    assert_eq!((error_kind(&e), okta_error(&e).unwrap().error_code.as_deref()), ("unauthorized", Some("no_token")));
    assert!(ex.is_empty());
    assert_eq!(instance.connections().current_tokens(&c).await?, None);
    let check = instance.connections().test(&stored).await?.expect("a working connection");
    assert_eq!(
        (check.kind.as_str(), check.principal.as_deref(), check.token_type.as_str()),
        ("oauth_code", Some("fake.admin@example.com"), "Bearer")
    );
    assert_eq!(check.scopes, ["okta.users.read", "okta.groups.read", "offline_access"]);

    // In a new instance the host's tokens work as they are.
    let mut fresh = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    for _ in 0..100 {
        let (r, _) = act(&mut fresh, &stored, "users.list", json!({"limit": 1})).await?;
        ok(r, "fresh instance");
    }
    assert_eq!(fresh.exchanges().len(), 100, "a hundred actions, no token request");
    assert_eq!(org.token_stats().issued, 1);
    Ok(())
}

#[tokio::test]
async fn begin_authorization_checks_its_inputs_and_hints() -> Result<()> {
    let mut instance = connector().instantiate(Backend::Scripted(vec![])).await?;
    let c = web_connection(&["okta.users.read"]);
    let start = instance.connections().begin_authorization(&c, "https://app.example.com/cb", "s").await?.unwrap();
    assert!(start.hint.unwrap().contains("offline_access"));
    for (redirect, state, field_name) in [
        (REDIRECT, "", "state"),
        (REDIRECT, "   ", "state"),
        ("http://app.example.com/cb", "s", "redirect_uri"),
        ("/cb", "s", "redirect_uri"),
    ] {
        match instance.connections().begin_authorization(&c, redirect, state).await? {
            Err(WitError::InvalidInput(f)) => assert_eq!(f.field, field_name),
            other => panic!("{redirect} {state:?}: {other:?}"),
        }
    }
    match instance.connections().begin_authorization(&web_connection(&[]), REDIRECT, "s").await? {
        Err(WitError::InvalidConnection(f)) => assert_eq!(f.field, "scopes"),
        other => panic!("{other:?}"),
    }
    assert!(instance.exchanges().is_empty());
    Ok(())
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_means_reconnect() -> Result<()> {
    let org = web_org(Some(30), false);
    org.set_token_lifetime(std::time::Duration::from_secs(300));
    let c = web_connection(&["okta.users.read", "offline_access"]);
    let mut instance = pinned(&org).await?;
    let first = connect_user(&org, &mut instance, &c).await?;
    let stored = with_tokens(&c, &first);
    assert_eq!(first.expires_at, Some(T0 + 300));

    // Near expiry an action refreshes first; the rotated set can be read back.
    advance(&org, &instance, 250);
    let (r, ex) = act(&mut instance, &Connection::OauthCode(stored.clone()), "users.list", json!({"limit": 1})).await?;
    ok(r, "refreshed");
    assert_eq!(lines(&ex), ["POST /oauth2/v1/token 200", "GET /api/v1/users?limit=1 200"]);
    let form = form_of(&ex[0]);
    assert_eq!(field(&form, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&form, "refresh_token"), first.refresh_token.as_deref());
    let second = instance.connections().current_tokens(&stored).await?.expect("the newest set");
    assert_ne!(second.refresh_token, first.refresh_token, "rotated");
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(second.expires_at, Some(T0 + 250 + 300));
    assert_eq!(ex[1].request_header("authorization"), Some(format!("Bearer {}", second.access_token).as_str()));
    // The host stores the new set; the instance knows it by either.
    let newer = with_tokens(&c, &second);
    assert_eq!(instance.connections().current_tokens(&newer).await?, Some(second.clone()));

    // An explicit refresh rotates again.
    let third = instance.connections().refresh(&newer).await?.expect("refreshed");
    assert_ne!(third.refresh_token, second.refresh_token);
    assert_eq!(instance.connections().current_tokens(&newer).await?, Some(third.clone()));

    // A host that kept the first set: its refresh token was rotated long ago. Reusing it is
    // refused, and revokes the newer tokens too: the user must connect again.
    advance(&org, &instance, 400);
    let mut stale = pinned_at(&org, T0 + 650).await?;
    let (r, ex) = act(&mut stale, &Connection::OauthCode(stored.clone()), "users.list", json!({"limit": 1})).await?;
    let e = r.expect_err("reused refresh token");
    assert_eq!(lines(&ex), ["GET /api/v1/users?limit=1 401", "POST /oauth2/v1/token 400"]);
    assert_eq!(error_kind(&e), "unauthorized");
    let o = okta_error(&e).unwrap();
    assert_eq!(o.error_code.as_deref(), Some("invalid_grant"));
    assert!(o.summary.contains("the user must connect again"), "{}", o.summary);
    let mut secrets = exchanged_secrets(&ex);
    secrets.extend([first.access_token.clone(), WEB_SECRET.to_string()]);
    assert_clean(&e, &secrets.iter().map(String::as_str).collect::<Vec<_>>());
    let e = instance.connections().refresh(&with_tokens(&c, &third)).await?.expect_err("family revoked");
    assert!(okta_error(&e).unwrap().summary.contains("must connect again"));
    Ok(())
}

/// Two users of one web app in one long-lived instance, as a multi-tenant host runs them: each
/// connection acts with its own tokens, a refresh of one rotates only its own, and neither a
/// connection without tokens nor the other user gets anything from `current-tokens`.
#[tokio::test]
async fn two_users_of_one_app_in_one_instance_never_cross() -> Result<()> {
    let org = web_org(Some(30), false);
    org.set_token_lifetime(std::time::Duration::from_secs(300));
    let c = web_connection(&["okta.users.read", "offline_access"]);
    let mut instance = pinned(&org).await?;
    let alice = connect_user(&org, &mut instance, &c).await?;
    let bob = connect_user(&org, &mut instance, &c).await?;
    assert_ne!(alice.refresh_token, bob.refresh_token);
    let (a, b) = (with_tokens(&c, &alice), with_tokens(&c, &bob));
    for (who, conn, tokens) in [("alice", &a, &alice), ("bob", &b, &bob)] {
        let (r, ex) =
            act(&mut instance, &Connection::OauthCode(conn.clone()), "users.list", json!({"limit": 1})).await?;
        ok(r, who);
        assert_eq!(ex[0].request_header("authorization"), Some(format!("Bearer {}", tokens.access_token).as_str()));
    }
    // Alice's session refreshes (rotating her refresh token); Bob's is untouched.
    advance(&org, &instance, 250);
    let (r, ex) = act(&mut instance, &Connection::OauthCode(a.clone()), "users.list", json!({"limit": 1})).await?;
    ok(r, "alice refreshed");
    assert_eq!(field(&form_of(&ex[0]), "refresh_token"), alice.refresh_token.as_deref());
    let alice2 = instance.connections().current_tokens(&a).await?.expect("alice's newest");
    assert_ne!(alice2.refresh_token, alice.refresh_token);
    assert_eq!(instance.connections().current_tokens(&b).await?, Some(bob.clone()), "bob's own, unrotated");
    assert_eq!(instance.connections().current_tokens(&c).await?, None, "a connection without tokens");
    let stranger = OauthCodeConnection { refresh_token: Some("not-a-token-of-this-instance".into()), ..c.clone() };
    assert_eq!(instance.connections().current_tokens(&stranger).await?, None);
    // Bob's next action still carries Bob's token, never Alice's new one.
    let (r, ex) = act(&mut instance, &Connection::OauthCode(b.clone()), "users.list", json!({"limit": 1})).await?;
    ok(r, "bob");
    for e in &ex {
        let shown = format!("{:?} {:?}", e.request_headers, String::from_utf8_lossy(&e.request_body));
        for t in [&alice.access_token, &alice2.access_token] {
            assert!(!shown.contains(t.as_str()), "alice's token in bob's request");
        }
        assert!(
            !shown.contains(alice.refresh_token.as_deref().unwrap())
                && !shown.contains(alice2.refresh_token.as_deref().unwrap())
        );
    }
    Ok(())
}

/// An instance pinned at `at` (the org's clock is already there).
async fn pinned_at(_org: &FakeOrg, at: u64) -> Result<Instance> {
    let options = InstanceOptions { clock: Some(Clock::pinned_at_unix(at)), ..Default::default() };
    connector().instantiate_with(Backend::FakeOrg(_org.clone()), options).await
}

#[tokio::test]
async fn an_expired_token_refreshes_once_and_the_call_is_retried() -> Result<()> {
    let org = web_org(Some(30), false);
    let c = web_connection(&["okta.users.read", "offline_access"]);
    let mut first = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let tokens = connect_user(&org, &mut first, &c).await?;
    let stored = with_tokens(&c, &tokens);
    // Okta no longer takes the access token (the new instance cannot know its lifetime).
    org.revoke_access_tokens();
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let (r, ex) = act(&mut instance, &Connection::OauthCode(stored.clone()), "users.list", json!({"limit": 1})).await?;
    ok(r, "after refresh");
    assert_eq!(
        lines(&ex),
        ["GET /api/v1/users?limit=1 401", "POST /oauth2/v1/token 200", "GET /api/v1/users?limit=1 200"]
    );
    let newest = instance.connections().current_tokens(&stored).await?.expect("new tokens");
    assert_ne!(newest.refresh_token, tokens.refresh_token);
    assert_eq!(ex[2].request_header("authorization"), Some(format!("Bearer {}", newest.access_token).as_str()));

    // Revoked refresh tokens: a clear unauthorized error.
    org.revoke_refresh_tokens(WEB);
    org.revoke_access_tokens();
    let (r, ex) =
        act(&mut instance, &Connection::OauthCode(with_tokens(&c, &newest)), "users.list", json!({"limit": 1})).await?;
    let e = r.expect_err("revoked");
    assert_eq!(error_kind(&e), "unauthorized");
    assert!(okta_error(&e).unwrap().summary.contains("the user must connect again"));
    assert_eq!(lines(&ex), ["GET /api/v1/users?limit=1 401", "POST /oauth2/v1/token 400"]);
    Ok(())
}

#[tokio::test]
async fn without_offline_access_an_expired_token_means_reconnect() -> Result<()> {
    let org = web_org(Some(30), false);
    org.set_token_lifetime(std::time::Duration::from_secs(120));
    let c = web_connection(&["okta.users.read"]);
    let mut instance = pinned(&org).await?;
    let tokens = connect_user(&org, &mut instance, &c).await?;
    assert_eq!(tokens.refresh_token, None);
    advance(&org, &instance, 100);
    let (r, ex) =
        act(&mut instance, &Connection::OauthCode(with_tokens(&c, &tokens)), "users.list", json!({"limit": 1})).await?;
    let e = r.expect_err("no refresh token");
    assert!(ex.is_empty(), "nothing to send");
    assert_eq!(error_kind(&e), "unauthorized");
    assert!(okta_error(&e).unwrap().summary.contains("offline_access"));
    Ok(())
}

#[tokio::test]
async fn a_dpop_web_app_gets_bound_tokens() -> Result<()> {
    let org = web_org(Some(30), true);
    let c = web_connection(&["okta.users.read", "offline_access"]);
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let tokens = connect_user(&org, &mut instance, &c).await?;
    assert_eq!(tokens.token_type, "DPoP");
    assert_eq!(
        lines(&instance.exchanges()),
        ["POST /oauth2/v1/token 400", "POST /oauth2/v1/token 200"],
        "the code exchange meets the nonce challenge; the code survives it"
    );
    let stored = Connection::OauthCode(with_tokens(&c, &tokens));
    let (r, ex) = act(&mut instance, &stored, "users.list", json!({"limit": 1})).await?;
    ok(r, "DPoP call");
    assert_eq!(ex[0].request_header("authorization"), Some(format!("DPoP {}", tokens.access_token).as_str()));
    assert_eq!(proof_claims(&ex[0])["ath"], sha256(&tokens.access_token));

    // Another instance has another key: the bound token is refused, the refresh token buys one
    // bound to the new key.
    let mut other = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let (r, ex) = act(&mut other, &stored, "users.list", json!({"limit": 1})).await?;
    ok(r, "other instance");
    assert_eq!(
        lines(&ex),
        [
            "GET /api/v1/users?limit=1 401",
            "POST /oauth2/v1/token 400",
            "POST /oauth2/v1/token 200",
            "GET /api/v1/users?limit=1 200"
        ]
    );
    let (a, b) = (
        jwt_parts(ex[1].request_header("dpop").unwrap()).0,
        jwt_parts(instance.exchanges()[0].request_header("dpop").unwrap()).0,
    );
    assert_ne!(a["jwk"], b["jwk"], "each instance makes its own DPoP key");
    Ok(())
}

#[tokio::test]
async fn traces_show_no_token_assertion_proof_or_code() -> Result<()> {
    let org = web_org(Some(30), true);
    let mut app = ServiceApp::new(SERVICE, &key("rsa-public.pem"), Some("kid-1"), &["okta.users.read"]);
    app.dpop = true;
    org.register_service_app(&app).unwrap();
    let mut instance = connector().instantiate(Backend::FakeOrg(org.clone())).await?;
    let c = web_connection(&["okta.users.read", "offline_access"]);
    let tokens = connect_user(&org, &mut instance, &c).await?;
    instance.connections().refresh(&with_tokens(&c, &tokens)).await?.expect("refreshed");
    act(&mut instance, &rsa_connection("okta.users.read"), "users.list", json!({"limit": 1})).await?.0.expect("listed");
    let ex = instance.exchanges();
    let trace = render(&ex);
    let debug = format!("{ex:?}");
    let mut secrets = exchanged_secrets(&ex);
    secrets.push(WEB_SECRET.to_string());
    assert!(secrets.len() >= 10, "{secrets:?}");
    for s in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(!trace.contains(s.as_str()) && !debug.contains(s.as_str()), "{s:.12}… is in the trace");
    }
    assert!(trace.contains("DPoP [redacted]") && trace.contains("Basic [redacted]"));
    Ok(())
}
