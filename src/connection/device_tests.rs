//! The device authorization (RFC 8628) on a scripted wire and clock: the start, each answer a
//! poll can get (pending, slow down, denied, expired, tokens, a refused client), the tokens
//! becoming the connection's session, and refreshes as a public client with and without
//! rotation. Each test asserts every request sent, its credentials, and the result.

use super::oauth::device::{Poll, Start, DEVICE_CODE_GRANT};
use super::oauth::{base64url, sessions, OAuth, Tokens};
use super::oauth_device;
use crate::bindings::okta::connector::types::OauthDeviceConnection;
use crate::error::Error;
use crate::okta::config::Config;
use crate::okta::testing::{on, Reply, Script, SCRIPT_EPOCH};
use crate::okta::transport::{Limits, TransportError};
use crate::okta::{Auth, Okta, Request, Secret};
use serde_json::Value;
use std::rc::Rc;

const CLIENT: &str = "0oa-native";
const DEVICE_CODE: &str = "5cbeb234-7e00-4ff7-9aa2-b1a4558a75d2";

fn native_app(org: &str, access_token: Option<&str>, refresh_token: Option<&str>) -> OauthDeviceConnection {
    OauthDeviceConnection {
        domain: format!("{org}.okta.com"),
        scopes: vec!["okta.users.read".into(), " ".into(), "offline_access".into()],
        client_id: CLIENT.into(),
        access_token: access_token.map(str::to_string),
        refresh_token: refresh_token.map(str::to_string),
    }
}

/// `begin` as the export runs it, on the script's wire and clock within an action's bounds.
fn begin(connection: &OauthDeviceConnection, script: &Rc<Script>) -> Result<Start, Error> {
    let creds = oauth_device::credentials(connection).unwrap();
    let limits = bounds(&creds, script);
    oauth_device::begin(connection, &creds, creds.endpoint(&**script, &limits))
}

/// `poll` as the export runs it.
fn poll(connection: &OauthDeviceConnection, script: &Rc<Script>) -> Result<Poll, Error> {
    let creds = oauth_device::credentials(connection).unwrap();
    let limits = bounds(&creds, script);
    oauth_device::poll(&creds, creds.endpoint(&**script, &limits), DEVICE_CODE)
}

/// An action's bounds, on the script's clock.
fn bounds(creds: &OAuth, script: &Rc<Script>) -> Limits {
    let okta =
        Okta::with_transport(creds.origin.clone(), Auth::ApiToken(Secret::new("")), Config::default(), script.clone());
    okta.limits(okta.config.max_response_bytes).unwrap()
}

/// One action's client for the connection, as the exports make them.
fn client(connection: &OauthDeviceConnection, script: &Rc<Script>) -> Okta {
    let creds = oauth_device::credentials(connection).unwrap();
    Okta::with_transport(creds.origin.clone(), Auth::OAuth(Rc::new(creds)), Config::default(), script.clone())
}

/// The newest tokens of the session `connection` reaches, handed back as `current-device-tokens`
/// does.
fn session_of(connection: &OauthDeviceConnection) -> Option<Tokens> {
    let creds = oauth_device::credentials(connection).unwrap();
    sessions::with(|s| s.hand_back(&creds.identity, &creds.presented))
}

fn me(okta: &Okta) -> Result<String, Error> {
    okta.run(Request::get("/api/v1/users/me").send_object())
}

fn token_url(org: &str) -> String {
    format!("https://{org}.okta.com/oauth2/v1/token")
}

/// The token endpoint's OAuth error `code`, as Okta answers a poll.
fn oauth_error(org: &str, code: &str) -> Reply {
    on("POST", &token_url(org))
        .status(400)
        .body(&format!(r#"{{"error":"{code}","error_description":"{code} from the script"}}"#))
}

fn tokens(org: &str, access_token: &str, refresh_token: Option<&str>) -> Reply {
    let refresh = refresh_token.map(|r| format!(r#","refresh_token":"{r}""#)).unwrap_or_default();
    on("POST", &token_url(org)).body(&format!(
        r#"{{"token_type":"Bearer","expires_in":3600,"access_token":"{access_token}","scope":"okta.users.read offline_access"{refresh}}}"#
    ))
}

fn form(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The claims of the DPoP proof of the `n`th request.
fn proof(script: &Script, n: usize) -> Value {
    let jwt = script.header(n, "dpop").unwrap_or_else(|| panic!("request {n} has no DPoP proof"));
    serde_json::from_slice(&base64url::decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

/// What a poll sends: the device code grant, naming the client, with no client authentication.
fn assert_poll(script: &Script, n: usize) {
    assert_eq!(
        form(&script.body(n)),
        pairs(&[("grant_type", DEVICE_CODE_GRANT), ("device_code", DEVICE_CODE), ("client_id", CLIENT)]),
        "poll {n}"
    );
    assert_eq!(script.header(n, "authorization"), None, "a native app has no secret");
    assert_eq!(script.header(n, "content-type").as_deref(), Some("application/x-www-form-urlencoded"));
}

#[test]
fn the_start_names_the_client_and_its_scopes_and_is_shown_as_okta_gave_it() {
    let org = "device-begin";
    let script = Script::new([on("POST", &format!("https://{org}.okta.com/oauth2/v1/device/authorize")).body(
        &format!(
            r#"{{"device_code":"{DEVICE_CODE}","user_code":"RGTCFDTL","verification_uri":"https://{org}.okta.com/activate","verification_uri_complete":"https://{org}.okta.com/activate?user_code=RGTCFDTL","expires_in":600,"interval":5}}"#
        ),
    )]);
    let start = begin(&native_app(org, None, None), &script).unwrap();
    script.assert_done();
    assert_eq!(
        form(&script.body(0)),
        pairs(&[("client_id", CLIENT), ("scope", "okta.users.read offline_access")]),
        "the scopes without blanks"
    );
    assert_eq!(script.header(0, "authorization"), None);
    assert_eq!(script.header(0, "accept").as_deref(), Some("application/json"));
    assert_eq!(
        start,
        Start {
            user_code: "RGTCFDTL".into(),
            verification_uri: format!("https://{org}.okta.com/activate"),
            verification_uri_complete: Some(format!("https://{org}.okta.com/activate?user_code=RGTCFDTL")),
            device_code: DEVICE_CODE.into(),
            interval: 5,
            expires_at: SCRIPT_EPOCH + 600,
        }
    );
}

#[test]
fn a_start_pointing_the_user_elsewhere_or_malformed_is_refused_and_an_error_is_typed() {
    let org = "device-begin-bad";
    let url = format!("https://{org}.okta.com/oauth2/v1/device/authorize");
    let script = Script::new([
        on("POST", &url).body(&format!(
            r#"{{"device_code":"{DEVICE_CODE}","user_code":"RGTCFDTL","verification_uri":"https://phish.example.com/activate","expires_in":600}}"#
        )),
        on("POST", &url).body(&format!(
            r#"{{"device_code":"{DEVICE_CODE}","user_code":"RGTCFDTL","verification_uri":"https://{org}.okta.com/activate","expires_in":600,"interval":"5"}}"#
        )),
        on("POST", &url).body(r#"{"user_code":"RGTCFDTL","expires_in":600}"#),
        on("POST", &url).status(400).body(r#"{"error":"invalid_client","error_description":"Invalid value for 'client_id' parameter."}"#),
    ]);
    match begin(&native_app(org, None, None), &script) {
        Err(Error::UnexpectedResponse(m)) => assert!(m.contains("verification_uri"), "{m}"),
        other => panic!("{other:?}"),
    }
    for _ in 0..2 {
        match begin(&native_app(org, None, None), &script) {
            Err(Error::UnexpectedResponse(m)) => assert!(m.contains("RFC 8628"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    match begin(&native_app(org, None, None), &script) {
        Err(Error::Okta(e)) => {
            assert_eq!((e.status, e.code.as_deref()), (401, Some("invalid_client")));
            assert!(e.summary.contains("check the client id"), "{}", e.summary);
        }
        other => panic!("{other:?}"),
    }
    script.assert_done();
}

#[test]
fn polls_read_pending_and_slow_down_then_the_tokens_become_the_session() {
    let org = "device-poll";
    let script = Script::new([
        // Okta's first answer to a DPoP token request: the nonce, then the same poll again.
        oauth_error(org, "use_dpop_nonce").header("dpop-nonce", "n-1"),
        oauth_error(org, "authorization_pending"),
        oauth_error(org, "slow_down"),
        tokens(org, "at-1", Some("rt-1")),
        // The host brings the issued tokens back: the session goes on, no new token request.
        on("GET", &format!("https://{org}.okta.com/api/v1/users/me")).body(r#"{"id":"00u1"}"#),
    ]);
    let connection = native_app(org, None, None);
    assert_eq!(poll(&connection, &script).unwrap(), Poll::Pending);
    assert_eq!(poll(&connection, &script).unwrap(), Poll::SlowDown);
    let Poll::Tokens(issued) = poll(&connection, &script).unwrap() else {
        panic!("the third poll gets the tokens");
    };
    assert_eq!((issued.access_token.as_str(), issued.refresh_token.as_deref()), ("at-1", Some("rt-1")));
    assert_eq!(issued.expires_at, Some(SCRIPT_EPOCH + 3600));

    let signed_in = native_app(org, Some("at-1"), Some("rt-1"));
    assert_eq!(me(&client(&signed_in, &script)).unwrap(), r#"{"id":"00u1"}"#);
    script.assert_done();

    for n in 0..4 {
        assert_poll(&script, n);
        assert_eq!(proof(&script, n)["htu"], token_url(org).as_str());
    }
    assert_eq!(proof(&script, 0)["nonce"], Value::Null);
    assert_eq!(proof(&script, 1)["nonce"], "n-1", "the nonce answered");
    assert_eq!(script.header(4, "authorization").as_deref(), Some("Bearer at-1"));
    assert_eq!(session_of(&signed_in), Some(issued));
    assert!(script.timeline().iter().all(|t| !t.starts_with("sleep")), "the host paces the polls, not the guest");
    // The session is the tokens': the same app's connection without them finds none.
    assert_eq!(session_of(&connection), None);
    match me(&client(&connection, &Script::new([]))) {
        Err(Error::Okta(e)) => assert_eq!(e.code.as_deref(), Some("no_token")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_denied_an_expired_and_a_refused_authorization_end_the_polls() {
    let org = "device-ends";
    let script = Script::new([
        oauth_error(org, "access_denied"),
        oauth_error(org, "expired_token"),
        oauth_error(org, "invalid_grant"),
        // A 503 comes before Okta acts on the grant: asked again after a wait.
        on("POST", &token_url(org)).status(503).body(""),
        oauth_error(org, "authorization_pending"),
        // A lost answer may have spent the device code on tokens: not asked again.
        on("POST", &token_url(org)).fails(TransportError::Failed("connection reset".into())),
    ]);
    let connection = native_app(org, None, None);
    assert_eq!(poll(&connection, &script).unwrap(), Poll::Denied);
    assert_eq!(poll(&connection, &script).unwrap(), Poll::Expired);
    match poll(&connection, &script) {
        Err(Error::Okta(e)) => {
            assert_eq!((e.status, e.code.as_deref()), (401, Some("invalid_grant")));
            assert!(!e.summary.contains(DEVICE_CODE), "{}", e.summary);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(poll(&connection, &script).unwrap(), Poll::Pending);
    assert!(matches!(poll(&connection, &script), Err(Error::Transport(_))));
    script.assert_done();
    (0..6).for_each(|n| assert_poll(&script, n));
    let timeline = script.timeline();
    assert!(timeline[4].starts_with("sleep"), "a wait before asking again: {timeline:?}");
    assert_eq!(timeline.iter().filter(|t| t.starts_with("sleep")).count(), 1, "{timeline:?}");
}

#[test]
fn a_refused_token_is_refreshed_as_a_public_client_and_the_rotated_set_kept() {
    let org = "device-refresh";
    let me_url = format!("https://{org}.okta.com/api/v1/users/me");
    let script = Script::new([
        on("GET", &me_url).status(401).body(""),
        tokens(org, "at-1", Some("rt-1")),
        on("GET", &me_url).body(r#"{"id":"00u1"}"#),
    ]);
    let connection = native_app(org, Some("at-0"), Some("rt-0"));
    me(&client(&connection, &script)).unwrap();
    script.assert_done();
    assert_eq!(script.header(0, "authorization").as_deref(), Some("Bearer at-0"), "the host's token first");
    assert_eq!(
        form(&script.body(1)),
        pairs(&[("grant_type", "refresh_token"), ("refresh_token", "rt-0"), ("client_id", CLIENT)])
    );
    assert_eq!(script.header(1, "authorization"), None, "a native app has no secret");
    assert_eq!(script.header(2, "authorization").as_deref(), Some("Bearer at-1"));
    let kept = session_of(&connection).unwrap();
    assert_eq!((kept.access_token.as_str(), kept.refresh_token.as_deref()), ("at-1", Some("rt-1")));
}

#[test]
fn without_rotation_the_refresh_token_stays_and_without_any_token_nothing_is_sent() {
    let org = "device-no-rotation";
    let script = Script::new([
        tokens(org, "at-1", None),
        on("GET", &format!("https://{org}.okta.com/api/v1/users/me")).body(r#"{"id":"00u1"}"#),
    ]);
    let connection = native_app(org, None, Some("rt-0"));
    me(&client(&connection, &script)).unwrap();
    script.assert_done();
    let kept = session_of(&connection).unwrap();
    assert_eq!((kept.access_token.as_str(), kept.refresh_token.as_deref()), ("at-1", Some("rt-0")));

    let nothing = Script::new([]);
    match me(&client(&native_app("device-no-token", None, None), &nothing)) {
        Err(Error::Okta(e)) => {
            assert_eq!((e.status, e.code.as_deref()), (401, Some("no_token")));
            assert!(e.summary.contains("begin-device-authorization"), "{}", e.summary);
        }
        other => panic!("{other:?}"),
    }
}
