//! What each connection kind costs per action, warm: one instance per kind makes one Get
//! User to get its credentials (the cold call: token requests, DPoP nonce challenge), then
//! `calls` more, each timed, against the in-process fake org's authorization server. The
//! requests each call sent are counted from the exchanges.

use std::time::Instant;

use anyhow::{anyhow, bail, Context as _, Result};

use okta_fake_org::{FakeOrg, ServiceApp, WebApp};
use okta_harness::{
    api_token, client_credentials, error_json, oauth_code, Backend, Connection, Connector, GetUserInput,
    OauthCodeConnection,
};

use super::stats::{summarize, Summary};

const DOMAIN: &str = "https://fake-org.okta.com";
const RSA_KEY: &str = include_str!("../../../fixtures/keys/rsa-pkcs8.pem");
const RSA_PUBLIC: &str = include_str!("../../../fixtures/keys/rsa-public.pem");
const EC_KEY: &str = include_str!("../../../fixtures/keys/ec-p256-pkcs8.pem");
const EC_PUBLIC: &str = include_str!("../../../fixtures/keys/ec-p256-public.pem");
const REDIRECT: &str = "http://localhost:8765/callback";

/// One kind's numbers.
#[derive(Clone, Debug)]
pub struct KindCost {
    pub kind: &'static str,
    /// Requests the first action sent (token requests included).
    pub cold_requests: usize,
    pub cold_s: f64,
    /// Requests per warm action, on average.
    pub warm_requests: f64,
    pub warm: Summary,
}

/// Measures every kind on `calls` warm Get Users each.
pub async fn measure(calls: usize) -> Result<Vec<KindCost>> {
    let connector = Connector::load_default()?;
    let org = FakeOrg::empty();
    org.generate_users(100);
    org.set_rate_limit(1_000_000, std::time::Duration::from_secs(60));
    let scopes = ["okta.users.read"];
    let mut rsa = ServiceApp::new("0oabenchrsa000000001", RSA_PUBLIC, Some("rsa"), &scopes);
    rsa.dpop = true;
    org.register_service_app(&rsa).map_err(|e| anyhow!(e))?;
    let mut ec = ServiceApp::new("0oabenchec0000000001", EC_PUBLIC, Some("ec"), &scopes);
    ec.dpop = false;
    org.register_service_app(&ec).map_err(|e| anyhow!(e))?;
    org.register_web_app(&WebApp::new("0oabenchweb000000001", "bench-secret", REDIRECT, &scopes))
        .map_err(|e| anyhow!(e))?;

    let code = oauth_code(DOMAIN, "0oabenchweb000000001", "bench-secret", &["okta.users.read", "offline_access"]);
    let kinds: Vec<(&'static str, Connection)> = vec![
        ("API token (SSWS)", api_token(DOMAIN, FakeOrg::TOKEN)),
        (
            "client credentials, RS256 assertion, DPoP",
            client_credentials(DOMAIN, "0oabenchrsa000000001", RSA_KEY, Some("rsa"), "okta.users.read"),
        ),
        (
            "client credentials, ES256 assertion, Bearer",
            client_credentials(DOMAIN, "0oabenchec0000000001", EC_KEY, Some("ec"), "okta.users.read"),
        ),
        ("authorization code (tokens from exchange-code)", Connection::OauthCode(code.clone())),
    ];
    let ids = org.user_ids();
    let mut out = Vec::new();
    for (kind, mut connection) in kinds {
        let mut instance = connector.instantiate(Backend::FakeOrg(org.clone())).await?;
        if let Connection::OauthCode(c) = &connection {
            // The host passes the tokens exchange-code returned: they find the instance's session.
            let tokens =
                authorize(&org, &mut instance, c).await.with_context(|| format!("{kind}: the redirect flow"))?;
            connection = Connection::OauthCode(OauthCodeConnection {
                access_token: Some(tokens.access_token),
                refresh_token: tokens.refresh_token,
                ..c.clone()
            });
        }
        let mut samples = Vec::with_capacity(calls);
        let mut cold = (0, 0.0);
        let mut warm_requests = 0;
        for i in 0..=calls {
            let id = ids[i % ids.len()].clone();
            let before = instance.exchanges().len();
            let t = Instant::now();
            let user = instance
                .users()
                .get(&connection, &GetUserInput { id: id.clone(), expand: None })
                .await?
                .map_err(|e| anyhow!("{kind}: Get User {id} failed: {}", error_json(&e)))?;
            let dt = t.elapsed().as_secs_f64();
            if !user.contains(id.as_str()) {
                bail!("{kind}: Get User {id} returned another user");
            }
            let sent = instance.exchanges().len() - before;
            if i == 0 {
                cold = (sent, dt);
            } else {
                samples.push(dt);
                warm_requests += sent;
            }
        }
        out.push(KindCost {
            kind,
            cold_requests: cold.0,
            cold_s: cold.1,
            warm_requests: warm_requests as f64 / calls.max(1) as f64,
            warm: summarize(&samples).ok_or_else(|| anyhow!("no samples (--overhead-calls 0)"))?,
        });
    }
    Ok(out)
}

/// The authorization-code flow as a host runs it: the tokens it gives, also kept in the instance.
async fn authorize(
    org: &FakeOrg,
    instance: &mut okta_harness::Instance,
    c: &OauthCodeConnection,
) -> Result<okta_harness::TokenSet> {
    let start = instance
        .connections()
        .begin_authorization(c, REDIRECT, "bench")
        .await?
        .map_err(|e| anyhow!("{}", error_json(&e)))?;
    let location = org.authorize(&start.url).await.map_err(|e| anyhow!(e))?;
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    let code = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| anyhow!("no code in {location}"))?;
    instance
        .connections()
        .exchange_code(c, &code, REDIRECT, &start.code_verifier)
        .await?
        .map_err(|e| anyhow!("{}", error_json(&e)))
}
