//! The device authorization (RFC 8628) through the component. Against a scripted
//! authorization server: each request as sent (method, path, form, headers: no client secret,
//! a DPoP proof on token calls only), each poll answer as its outcome, hostile answers refused
//! before a host could show them, a public client's refresh with rotation, and no secret in any
//! error. Against the fake org's: the whole sign-in with the user's decision, polls too early,
//! denial, expiry, refusals, and rotating refresh tokens by the org clock.

use crate::support::common::*;
use anyhow::Result;
use okta_fake_org::{demo_apps, FakeOrg, NativeApp};
use okta_harness::*;
use serde_json::{json, Value};

const NATIVE: &str = "0oanative00000000001";
const DEVICE_CODE: &str = "5cbeb234-7e00-4ff7-9aa2-b1a4558a75d2";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn native(scopes: &[&str]) -> OauthDeviceConnection {
    oauth_device(ORIGIN, NATIVE, scopes)
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn device_authorize_answer(uri: &str) -> CannedResponse {
    CannedResponse::json(
        200,
        json!({
            "user_code": "RGTCFDTL",
            "device_code": DEVICE_CODE,
            "interval": 5,
            "verification_uri_complete": format!("{uri}?user_code=RGTCFDTL"),
            "verification_uri": uri,
            "expires_in": 600,
        }),
    )
}

/// `POST /oauth2/v1/device/authorize`: the client id and the scopes, nothing secret, no proof.
fn device_authorize_request() -> ExpectedRequest {
    ExpectedRequest::post("/oauth2/v1/device/authorize")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header_absent("authorization")
        .header_absent("dpop")
        .bytes(form(&[("client_id", NATIVE), ("scope", "okta.users.read offline_access")]))
}

/// One poll: the device code grant, the client named in the form, a DPoP proof.
fn poll_request() -> ExpectedRequest {
    ExpectedRequest::post("/oauth2/v1/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .header_absent("authorization")
        .header_present("dpop")
        .bytes(form(&[("grant_type", DEVICE_GRANT), ("device_code", DEVICE_CODE), ("client_id", NATIVE)]))
}

fn oauth_error(error: &str) -> CannedResponse {
    CannedResponse::json(400, json!({ "error": error, "error_description": format!("The {error} description.") }))
}

fn tokens(access: &str, refresh: &str) -> CannedResponse {
    CannedResponse::json(
        200,
        json!({"token_type": "Bearer", "expires_in": 3600, "access_token": access,
               "scope": "okta.users.read offline_access", "refresh_token": refresh}),
    )
}

#[tokio::test]
async fn begin_asks_for_a_code_with_the_client_and_scopes_only() -> Result<()> {
    let script = vec![(device_authorize_request(), device_authorize_answer(&format!("{ORIGIN}/activate")))];
    let mut instance = connector().instantiate(Backend::Scripted(script)).await?;
    let start = instance
        .connections()
        .begin_device_authorization(&native(&["okta.users.read", "offline_access"]))
        .await?
        .expect("a device authorization");
    instance.assert_script_consumed()?;
    assert_eq!(start.user_code, "RGTCFDTL");
    assert_eq!(start.verification_uri, format!("{ORIGIN}/activate"));
    assert_eq!(start.verification_uri_complete.as_deref(), Some(&*format!("{ORIGIN}/activate?user_code=RGTCFDTL")));
    assert_eq!((start.device_code.as_str(), start.interval), (DEVICE_CODE, 5));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    assert!((now + 590..=now + 610).contains(&start.expires_at), "{} vs {now}", start.expires_at);

    // Nothing is sent without scopes, or for a bad domain.
    let mut instance = connector().instantiate(Backend::Scripted(Vec::new())).await?;
    let e = instance.connections().begin_device_authorization(&native(&[])).await?.unwrap_err();
    assert!(matches!(&e, WitError::InvalidConnection(f) if f.field == "scopes"), "{}", error_json(&e));
    let mut bad = native(&["okta.users.read"]);
    bad.domain = "ftp://acme.okta.com".into();
    let e = instance.connections().begin_device_authorization(&bad).await?.unwrap_err();
    assert!(matches!(&e, WitError::InvalidConnection(f) if f.field == "domain"), "{}", error_json(&e));
    assert!(instance.exchanges().is_empty());
    Ok(())
}

#[tokio::test]
async fn answers_unfit_to_show_are_refused() -> Result<()> {
    let answers = [
        device_authorize_answer("https://evil.example.com/activate"),
        device_authorize_answer("https://acme.okta.com.evil.example.com/activate"),
        CannedResponse::json(
            200,
            json!({"user_code": "A\nB", "device_code": DEVICE_CODE, "expires_in": 600,
            "verification_uri": format!("{ORIGIN}/activate")}),
        ),
        CannedResponse::json(
            200,
            json!({"user_code": "ABCD", "device_code": DEVICE_CODE, "expires_in": 864000,
            "verification_uri": format!("{ORIGIN}/activate")}),
        ),
        CannedResponse::raw(200, "text/html", "<html>"),
    ];
    for answer in answers {
        let mut instance =
            connector().instantiate(Backend::Scripted(vec![(device_authorize_request(), answer)])).await?;
        let e = instance
            .connections()
            .begin_device_authorization(&native(&["okta.users.read", "offline_access"]))
            .await?
            .unwrap_err();
        assert_eq!(error_kind(&e), "unexpected-response", "{}", error_json(&e));
    }
    // Okta's refusals are typed: an app without the grant, an unknown client.
    for (error, kind) in [("unauthorized_client", "forbidden"), ("invalid_client", "unauthorized")] {
        let mut instance =
            connector().instantiate(Backend::Scripted(vec![(device_authorize_request(), oauth_error(error))])).await?;
        let e = instance
            .connections()
            .begin_device_authorization(&native(&["okta.users.read", "offline_access"]))
            .await?
            .unwrap_err();
        assert_eq!(error_kind(&e), kind, "{error}: {}", error_json(&e));
    }
    Ok(())
}

#[tokio::test]
async fn each_poll_answer_is_its_outcome_and_the_tokens_serve_the_actions() -> Result<()> {
    let connection = native(&["okta.users.read", "offline_access"]);
    let script = vec![
        (poll_request(), oauth_error("authorization_pending")),
        (poll_request(), oauth_error("slow_down")),
        (poll_request(), oauth_error("authorization_pending")),
        (poll_request(), tokens("device-access-1", "device-refresh-1")),
        (
            ExpectedRequest::get("/api/v1/users?limit=1").header("authorization", "Bearer device-access-1"),
            CannedResponse::json(200, json!([{"id": "00u1"}])),
        ),
    ];
    let mut instance = connector().instantiate(Backend::Scripted(script)).await?;
    let mut outcomes = Vec::new();
    loop {
        let poll = instance.connections().poll_device_authorization(&connection, DEVICE_CODE).await?.expect("a poll");
        let done = matches!(poll, DevicePoll::Tokens(_));
        outcomes.push(poll);
        if done {
            break;
        }
    }
    assert_eq!(outcomes.len(), 4);
    assert!(matches!(outcomes[..3], [DevicePoll::Pending, DevicePoll::SlowDown, DevicePoll::Pending]));
    let DevicePoll::Tokens(set) = &outcomes[3] else { unreachable!() };
    assert_eq!(
        (set.access_token.as_str(), set.refresh_token.as_deref()),
        ("device-access-1", Some("device-refresh-1"))
    );
    // The tokens are a session for the connection that carries them, and for no other.
    let signed_in = OauthDeviceConnection {
        access_token: Some(set.access_token.clone()),
        refresh_token: set.refresh_token.clone(),
        ..connection.clone()
    };
    assert_eq!(instance.connections().current_device_tokens(&signed_in).await?.as_ref(), Some(set));
    assert_eq!(instance.connections().current_device_tokens(&connection).await?, None, "none without tokens");
    let page =
        instance.invoke_json("users.list", &Connection::OauthDevice(signed_in.clone()), &json!({"limit": 1})).await?;
    assert_eq!(page.expect("a page")["items"], json!([{"id": "00u1"}]));
    instance.assert_script_consumed()?;
    // The same app's connection without tokens does not act as the user who signed in.
    let e = instance
        .invoke_json("users.list", &Connection::OauthDevice(connection.clone()), &json!({"limit": 1}))
        .await?
        .unwrap_err();
    assert_eq!((error_kind(&e), error_json(&e)["error_code"].as_str()), ("unauthorized", Some("no_token")));
    assert_eq!(instance.exchanges().len(), 5, "nothing sent for it");
    Ok(())
}

#[tokio::test]
async fn a_declined_or_expired_sign_in_ends_and_other_errors_are_typed_without_the_code() -> Result<()> {
    let connection = native(&["okta.users.read"]);
    for (error, outcome) in [("access_denied", "denied"), ("expired_token", "expired")] {
        let mut instance =
            connector().instantiate(Backend::Scripted(vec![(poll_request(), oauth_error(error))])).await?;
        let poll = instance.connections().poll_device_authorization(&connection, DEVICE_CODE).await?.expect("a poll");
        let seen = match poll {
            DevicePoll::Denied => "denied",
            DevicePoll::Expired => "expired",
            _ => "other",
        };
        assert_eq!(seen, outcome);
    }
    // A device code Okta does not know, echoed back in the description: typed, and scrubbed.
    let echo = CannedResponse::json(
        400,
        json!({"error": "invalid_grant", "error_description": format!("The device code '{DEVICE_CODE}' is invalid.")}),
    );
    let mut instance = connector().instantiate(Backend::Scripted(vec![(poll_request(), echo)])).await?;
    let e = instance.connections().poll_device_authorization(&connection, DEVICE_CODE).await?.unwrap_err();
    assert_eq!(error_kind(&e), "unauthorized");
    assert!(!error_json(&e).to_string().contains(DEVICE_CODE), "{}", error_json(&e));
    // No code, or one that could inject a header: refused before anything is sent.
    let mut instance = connector().instantiate(Backend::Scripted(Vec::new())).await?;
    for code in ["", "a\r\nb"] {
        let e = instance.connections().poll_device_authorization(&connection, code).await?.unwrap_err();
        assert_eq!((error_kind(&e), invalid_field(&e)), ("invalid-input", "device_code"));
    }
    assert!(instance.exchanges().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_public_client_refreshes_naming_itself_and_the_refresh_token_rotates() -> Result<()> {
    let mut connection = native(&["okta.users.read", "offline_access"]);
    connection.access_token = Some("device-access-1".into());
    connection.refresh_token = Some("device-refresh-1".into());
    let refresh = ExpectedRequest::post("/oauth2/v1/token")
        .header_absent("authorization")
        .header_present("dpop")
        .bytes(form(&[("grant_type", "refresh_token"), ("refresh_token", "device-refresh-1"), ("client_id", NATIVE)]));
    let script = vec![
        (
            ExpectedRequest::get("/api/v1/users?limit=1").header("authorization", "Bearer device-access-1"),
            CannedResponse::okta_error(401, "E0000011", "Invalid token provided"),
        ),
        (refresh, tokens("device-access-2", "device-refresh-2")),
        (
            ExpectedRequest::get("/api/v1/users?limit=1").header("authorization", "Bearer device-access-2"),
            CannedResponse::json(200, json!([])),
        ),
    ];
    let mut instance = connector().instantiate(Backend::Scripted(script)).await?;
    let r =
        instance.invoke_json("users.list", &Connection::OauthDevice(connection.clone()), &json!({"limit": 1})).await?;
    assert_eq!(r.expect("a page")["items"], json!([]));
    instance.assert_script_consumed()?;
    let newest = instance.connections().current_device_tokens(&connection).await?.expect("rotated tokens");
    assert_eq!(
        (newest.access_token.as_str(), newest.refresh_token.as_deref()),
        ("device-access-2", Some("device-refresh-2"))
    );
    // A connection bringing the new tokens is the same session.
    let mut rotated = connection.clone();
    rotated.refresh_token = newest.refresh_token.clone();
    rotated.access_token = Some(newest.access_token.clone());
    assert_eq!(instance.connections().current_device_tokens(&rotated).await?, Some(newest));
    Ok(())
}

#[tokio::test]
async fn a_device_connection_without_tokens_says_how_to_sign_in() -> Result<()> {
    let mut instance = connector().instantiate(Backend::Scripted(Vec::new())).await?;
    let r = instance
        .invoke_json("users.list", &Connection::OauthDevice(native(&["okta.users.read"])), &json!({"limit": 1}))
        .await?;
    let e = r.unwrap_err();
    assert_eq!(error_kind(&e), "unauthorized");
    assert!(error_json(&e).to_string().contains("begin-device-authorization"), "{}", error_json(&e));
    assert!(instance.exchanges().is_empty());
    let check: Value = error_json(&e);
    assert_eq!(check["error_code"], "no_token");
    Ok(())
}

// ---- against the fake org's authorization server ----------------------------------------------

const T0: u64 = 1_780_000_000;

/// A seeded org with a native app granted users read, and an instance whose clock is pinned
/// with the org's.
async fn native_org(rotation_grace: Option<u64>) -> Result<(FakeOrg, Instance)> {
    let org = FakeOrg::seeded();
    org.register_demo_apps();
    let mut app = NativeApp::new(NATIVE, &["okta.users.read"]);
    app.rotation_grace = rotation_grace.map(std::time::Duration::from_secs);
    org.register_native_app(&app).map_err(anyhow::Error::msg)?;
    org.pin_clock(std::time::UNIX_EPOCH + std::time::Duration::from_secs(T0));
    let options = InstanceOptions { clock: Some(Clock::pinned_at_unix(T0)), ..Default::default() };
    let instance = connector().instantiate_with(Backend::FakeOrg(org.clone()), options).await?;
    Ok((org, instance))
}

fn advance(org: &FakeOrg, instance: &Instance, secs: u64) {
    let d = std::time::Duration::from_secs(secs);
    org.advance_clock(d);
    instance.clock().advance(d);
}

fn on_org(scopes: &[&str]) -> OauthDeviceConnection {
    oauth_device(DOMAIN, NATIVE, scopes)
}

async fn poll(instance: &mut Instance, c: &OauthDeviceConnection, code: &str) -> Result<DevicePoll> {
    Ok(instance.connections().poll_device_authorization(c, code).await?.expect("a poll"))
}

#[tokio::test]
async fn the_whole_sign_in_against_the_fake_org() -> Result<()> {
    let (org, mut instance) = native_org(Some(30)).await?;
    let c = on_org(&["okta.users.read", "offline_access"]);
    let start = instance.connections().begin_device_authorization(&c).await?.expect("codes");
    assert_eq!(start.verification_uri, format!("{DOMAIN}/activate"));
    assert_eq!((start.interval, start.expires_at), (5, T0 + 600));
    assert!(matches!(poll(&mut instance, &c, &start.device_code).await?, DevicePoll::Pending));
    // Too early: slow down, and the interval grows by 5 s.
    advance(&org, &instance, 2);
    assert!(matches!(poll(&mut instance, &c, &start.device_code).await?, DevicePoll::SlowDown));
    advance(&org, &instance, 5);
    assert!(matches!(poll(&mut instance, &c, &start.device_code).await?, DevicePoll::SlowDown), "10 s now");
    advance(&org, &instance, 15);
    assert!(matches!(poll(&mut instance, &c, &start.device_code).await?, DevicePoll::Pending), "15 s now");
    org.decide_device(&start.user_code, true).map_err(anyhow::Error::msg)?;
    advance(&org, &instance, 15);
    let DevicePoll::Tokens(tokens) = poll(&mut instance, &c, &start.device_code).await? else {
        panic!("tokens after the user allowed");
    };
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.scope, "okta.users.read offline_access");
    let refresh = tokens.refresh_token.clone().expect("offline_access gives a refresh token");
    // The code buys tokens once.
    advance(&org, &instance, 15);
    let again = instance.connections().poll_device_authorization(&c, &start.device_code).await?.unwrap_err();
    assert_eq!(error_kind(&again), "unauthorized");

    // The stored connection acts as the user; a scope the user did not grant is refused.
    let stored = OauthDeviceConnection {
        access_token: Some(tokens.access_token.clone()),
        refresh_token: Some(refresh.clone()),
        ..c.clone()
    };
    let page =
        instance.invoke_json("users.list", &Connection::OauthDevice(stored.clone()), &json!({"limit": 2})).await?;
    assert_eq!(page.expect("a page")["items"].as_array().map(Vec::len), Some(2));
    let groups =
        instance.invoke_json("groups.list", &Connection::OauthDevice(stored.clone()), &json!({"limit": 2})).await?;
    assert_eq!(error_kind(&groups.unwrap_err()), "forbidden");
    let check = instance.connections().test(&Connection::OauthDevice(stored.clone())).await?.expect("a check");
    assert_eq!((check.kind.as_str(), check.token_type.as_str()), ("oauth_device", "Bearer"));
    assert_eq!(check.principal.as_deref(), Some("fake.admin@example.com"), "the org's admin signed in");

    // An hour later the access token has expired: the action refreshes, and the refresh token
    // rotates; the instance hands the new one back.
    advance(&org, &instance, 3600);
    let page =
        instance.invoke_json("users.list", &Connection::OauthDevice(stored.clone()), &json!({"limit": 1})).await?;
    assert!(page.is_ok(), "{:?}", page.map_err(|e| error_json(&e)));
    let newest = instance.connections().current_device_tokens(&stored).await?.expect("rotated tokens");
    assert_ne!(newest.refresh_token.as_deref(), Some(refresh.as_str()));
    assert_ne!(newest.access_token, tokens.access_token);
    // The old refresh token, past the grace period, is refused: a new instance must use the new one.
    advance(&org, &instance, 60);
    let mut fresh = connector()
        .instantiate_with(
            Backend::FakeOrg(org.clone()),
            InstanceOptions { clock: Some(Clock::pinned(org.now())), ..Default::default() },
        )
        .await?;
    let rotated = OauthDeviceConnection {
        access_token: Some(newest.access_token.clone()),
        refresh_token: newest.refresh_token.clone(),
        ..c.clone()
    };
    let ok = fresh.invoke_json("users.list", &Connection::OauthDevice(rotated), &json!({"limit": 1})).await?;
    assert!(ok.is_ok());
    Ok(())
}

#[tokio::test]
async fn a_denied_an_expired_and_a_refused_sign_in_against_the_fake_org() -> Result<()> {
    let (org, mut instance) = native_org(None).await?;
    let c = on_org(&["okta.users.read"]);
    let denied = instance.connections().begin_device_authorization(&c).await?.expect("codes");
    org.decide_device(&denied.user_code, false).map_err(anyhow::Error::msg)?;
    assert!(matches!(poll(&mut instance, &c, &denied.device_code).await?, DevicePoll::Denied));

    let late = instance.connections().begin_device_authorization(&c).await?.expect("codes");
    advance(&org, &instance, 601);
    assert!(org.decide_device(&late.user_code, true).is_err(), "too late to allow");
    assert!(matches!(poll(&mut instance, &c, &late.device_code).await?, DevicePoll::Expired));

    // A scope not granted to the app, and an app that is not a native one, are refused.
    let e = instance.connections().begin_device_authorization(&on_org(&["okta.apps.read"])).await?.unwrap_err();
    assert_eq!(error_kind(&e), "forbidden", "{}", error_json(&e));
    let web = oauth_device(DOMAIN, demo_apps::WEB_CLIENT_ID, &["okta.users.read"]);
    let e = instance.connections().begin_device_authorization(&web).await?.unwrap_err();
    assert_eq!(error_kind(&e), "forbidden", "{}", error_json(&e));
    assert!(error_json(&e).to_string().contains("may not use this grant type"), "{}", error_json(&e));
    let unknown = oauth_device(DOMAIN, "0oaunknown0000000001", &["okta.users.read"]);
    let e = instance.connections().begin_device_authorization(&unknown).await?.unwrap_err();
    assert_eq!(error_kind(&e), "unauthorized", "{}", error_json(&e));
    Ok(())
}
