//! The real DPoP token exchanges Okta's Python SDK recorded (`test_dpop_it`), replayed through
//! the component: each recorded answer is served in order, and the component must send the
//! same sequence of requests — method and URL, the recorded header names, the same form
//! fields, a client assertion with the same claims, the scheme of `Authorization`, and the
//! nonce Okta handed out in the next proof.

use crate::support::common::*;
use anyhow::{Context as _, Result};
use okta_harness::*;
use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/okta/recorded/okta-sdk-python/test_dpop_it/");
const KEY: &str = include_str!("../../../../../fixtures/keys/rsa-pkcs8.pem");

/// Response headers worth serving back; transport ones (`Content-Encoding: gzip` over a plain
/// body, cookies, …) are the recorder's, not Okta's meaning.
const SERVED: [&str; 12] = [
    "content-type",
    "date",
    "x-okta-request-id",
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
    "dpop-nonce",
    "link",
    "cache-control",
    "pragma",
    "expires",
    "x-robots-tag",
];

/// One recorded interaction.
struct Recorded {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    form: Vec<(String, String)>,
    status: u16,
    response_headers: Vec<(String, String)>,
    response_body: String,
}

fn text(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Header maps as vcrpy writes them: a list of values, or one scalar.
fn headers(v: &Yaml) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(map) = v.as_mapping() {
        for (k, v) in map {
            let name = text(k).unwrap_or_default().to_ascii_lowercase();
            match v {
                Yaml::Sequence(items) => out.extend(items.iter().filter_map(text).map(|t| (name.clone(), t))),
                other => out.extend(text(other).map(|t| (name.clone(), t))),
            }
        }
    }
    out
}

fn load(file: &str) -> Result<Vec<Recorded>> {
    let doc: Yaml = serde_yaml_ng::from_str(&std::fs::read_to_string(format!("{DIR}{file}"))?)?;
    let items = doc["interactions"].as_sequence().context("interactions")?;
    Ok(items
        .iter()
        .map(|it| {
            let req = &it["request"];
            let resp = &it["response"];
            let form = req["body"]
                .as_mapping()
                .map(|m| m.iter().filter_map(|(k, v)| Some((text(k)?, text(v)?))).collect())
                .unwrap_or_default();
            Recorded {
                method: text(&req["method"]).unwrap_or_default(),
                uri: text(&req["uri"]).unwrap_or_default(),
                headers: headers(&req["headers"]),
                form,
                status: resp["status"]["code"].as_u64().unwrap_or(0) as u16,
                response_headers: headers(&resp["headers"]),
                response_body: text(&resp["body"]["string"]).unwrap_or_default(),
            }
        })
        .collect())
}

fn script(recorded: &[Recorded]) -> Vec<(ExpectedRequest, CannedResponse)> {
    recorded
        .iter()
        .map(|r| {
            let path_and_query = r.uri.strip_prefix("https://test.okta.com").unwrap_or(&r.uri);
            let mut expected = ExpectedRequest::new(&r.method, path_and_query);
            if !r.form.is_empty() {
                expected = expected.any_body();
            }
            let content_type =
                r.response_headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.as_str()).unwrap_or("");
            let mut canned = CannedResponse::raw(r.status, content_type, r.response_body.clone().into_bytes());
            for (k, v) in r.response_headers.iter().filter(|(k, _)| SERVED.contains(&k.as_str()) && k != "content-type")
            {
                canned = canned.header(k, v);
            }
            (expected, canned)
        })
        .collect()
}

fn jwt_claims(jwt: &str) -> (Value, Value) {
    use base64::Engine as _;
    let mut p = jwt.split('.');
    let mut next = || {
        let b =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p.next().unwrap().trim_end_matches('=')).unwrap();
        serde_json::from_slice::<Value>(&b).unwrap()
    };
    (next(), next())
}

/// What the component sent matches what the SDK sent, request by request.
fn same_requests(recorded: &[Recorded], sent: &[Exchange]) {
    assert_eq!(sent.len(), recorded.len(), "{}", render(sent));
    // Nonces per server: the token endpoint's never goes to the API.
    let mut last_nonce: std::collections::HashMap<bool, String> = Default::default();
    let mut last_token: Option<String> = None;
    for (i, (r, e)) in recorded.iter().zip(sent).enumerate() {
        assert_eq!((e.method.as_str(), e.url.as_str()), (r.method.as_str(), r.uri.as_str()), "#{i}");
        for (name, value) in &r.headers {
            if name == "x-okta-user-agent-extended" {
                continue; // the Python SDK's own telemetry
            }
            let ours = e.request_header(name).unwrap_or_else(|| panic!("#{i}: no {name} header"));
            match name.as_str() {
                "accept" => assert_eq!(ours, value, "#{i}"),
                "authorization" => {
                    assert_eq!(ours.split_once(' ').unwrap().0, value.split_once(' ').unwrap().0, "#{i}: scheme");
                    assert_eq!(ours.split_once(' ').map(|(_, t)| t.to_string()), last_token, "#{i}: the token");
                }
                _ => {}
            }
        }
        if let Some(proof) = e.request_header("dpop") {
            let (_, claims) = jwt_claims(proof);
            let server = e.path.starts_with("/oauth2/");
            assert_eq!(
                claims.get("nonce").and_then(Value::as_str),
                last_nonce.get(&server).map(String::as_str),
                "#{i}: the nonce"
            );
            let htu = r.uri.split('?').next().unwrap();
            assert_eq!((claims["htm"].as_str(), claims["htu"].as_str()), (Some(r.method.as_str()), Some(htu)), "#{i}");
        }
        if !r.form.is_empty() {
            let ours = decode_query(std::str::from_utf8(&e.request_body).unwrap());
            let names = |f: &[(String, String)]| {
                let mut v: Vec<String> = f.iter().map(|(k, _)| k.clone()).collect();
                v.sort();
                v
            };
            assert_eq!(names(&ours), names(&r.form), "#{i}: form fields");
            for (k, v) in &r.form {
                let mine = &ours.iter().find(|(n, _)| n == k).unwrap().1;
                if k == "client_assertion" {
                    let (rh, rc) = jwt_claims(v);
                    let (oh, oc) = jwt_claims(mine);
                    assert_eq!((&oh["alg"], &oh["typ"]), (&rh["alg"], &rh["typ"]), "#{i}");
                    for claim in ["iss", "sub", "aud"] {
                        assert_eq!(oc[claim], rc[claim], "#{i}: {claim}");
                    }
                    assert!(oc["exp"].as_u64().unwrap() <= oc["iat"].as_u64().unwrap() + 3600);
                } else {
                    assert_eq!(mine, v, "#{i}: {k}");
                }
            }
        }
        if let Some(n) = e.response_header("dpop-nonce") {
            last_nonce.insert(e.path.starts_with("/oauth2/"), n.to_string());
        }
        if let Some(t) = e.response_json().and_then(|j| j["access_token"].as_str().map(str::to_string)) {
            last_token = Some(t);
        }
    }
}

fn connection_for(recorded: &[Recorded]) -> Connection {
    let token_call = recorded.iter().find(|r| !r.form.is_empty()).expect("a token request");
    let assertion = &token_call.form.iter().find(|(k, _)| k == "client_assertion").unwrap().1;
    let client_id = jwt_claims(assertion).1["iss"].as_str().unwrap().to_string();
    let scope = &token_call.form.iter().find(|(k, _)| k == "scope").unwrap().1;
    client_credentials("test.okta.com", &client_id, KEY, None, scope)
}

/// Replays `file`: each group of interactions in a new instance (the SDK made a new client),
/// `actions[g]` List Users calls in group `g`, the clock advanced `gap` seconds between them.
async fn replay(file: &str, groups: &[(std::ops::Range<usize>, usize, u64)]) -> Result<()> {
    let recorded = load(file)?;
    let connection = connection_for(&recorded);
    for (range, actions, gap) in groups {
        let part = &recorded[range.clone()];
        let clock = Clock::pinned_at_unix(1_773_291_465);
        let options = InstanceOptions { clock: Some(clock.clone()), ..Default::default() };
        let mut instance = connector().instantiate_with(Backend::Scripted(script(part)), options).await?;
        for n in 0..*actions {
            if n > 0 {
                clock.advance(std::time::Duration::from_secs(*gap));
            }
            let r = instance.invoke_json("users.list", &connection, &serde_json::json!({"limit": 1})).await?;
            assert_eq!(ok(r, file), serde_json::json!({"items": [], "next_cursor": null}));
        }
        instance.assert_script_consumed()?;
        same_requests(part, &instance.exchanges());
    }
    Ok(())
}

#[tokio::test]
async fn dpop_api_request() -> Result<()> {
    // Two clients 25 minutes apart: each meets the nonce challenge, then lists.
    replay("TestDPoPIntegration.test_dpop_api_request.yaml", &[(0..3, 1, 0), (3..6, 1, 0)]).await
}

#[tokio::test]
async fn dpop_nonce_update() -> Result<()> {
    // Two calls per client; the second one reuses the token, no new proof of the nonce.
    replay("TestDPoPIntegration.test_dpop_nonce_update.yaml", &[(0..4, 2, 2), (4..8, 2, 2)]).await
}

#[tokio::test]
async fn dpop_token_expiry_and_refresh() -> Result<()> {
    // The token expires between the two calls: a new one with the remembered nonce, no challenge.
    replay("TestDPoPTokenExpiry.test_token_expiry_and_refresh.yaml", &[(0..5, 2, 3600)]).await
}

#[tokio::test]
async fn ssws_auth_unchanged() -> Result<()> {
    let recorded = load("TestDPoPBackwardCompatibility.test_ssws_auth_unchanged.yaml")?;
    let mut instance = connector().instantiate(Backend::Scripted(script(&recorded))).await?;
    let r = instance
        .invoke_json("users.list", &api_token("test.okta.com", "myAPIToken"), &serde_json::json!({"limit": 1}))
        .await?;
    assert_eq!(ok(r, "ssws")["items"].as_array().unwrap().len(), 1);
    instance.assert_script_consumed()?;
    let sent = instance.exchanges();
    assert_eq!(sent[0].request_header("authorization"), Some("SSWS myAPIToken"));
    assert!(sent[0].request_header("dpop").is_none());
    Ok(())
}
