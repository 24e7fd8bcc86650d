//! `okta-connector authorize`: the OAuth 2.0 sign-in flows from the command line.
//!
//! * The authorization code: the connector builds the authorize URL (state, PKCE) and makes
//!   the token call; the user's browser does the rest, and the URL it is sent back to is
//!   pasted on standard input.
//! * `--device`, the device authorization (RFC 8628) for a native app: the connector asks for
//!   a code, the command prints it with the URL to enter it at, and polls (every `interval`,
//!   5 s more after a `slow_down`, never past the code's expiry) until the user has signed in.
//!
//! With the embedded fake org, its admin approves at once.

use std::io::{BufRead as _, Read as _};

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::{json, Value};

use okta_fake_org::{demo_apps, FakeOrg};

use super::output::err;
use okta_harness::{
    connection_from_json, error_json, oauth_code, oauth_device, Backend, Connection, DevicePoll, OauthCodeConnection,
    OauthDeviceConnection, TokenSet,
};

/// The most the pasted redirect URL may take.
const MAX_PASTED: u64 = 64 * 1024;

/// Runs the flow; returns the connection with its tokens, as `--connection` takes it.
pub async fn authorize(connection: Option<&str>, redirect: Option<&str>, fake_domain: Option<&str>) -> Result<Value> {
    let connection = match (connection, fake_domain) {
        (Some(text), _) => match connection_from_json(text).context("--connection")? {
            Connection::OauthCode(c) => c,
            _ => bail!("--connection: `authorize` needs an `oauth_code` connection"),
        },
        (None, Some(domain)) => oauth_code(
            domain,
            demo_apps::WEB_CLIENT_ID,
            demo_apps::WEB_CLIENT_SECRET,
            &["okta.users.read", "okta.groups.read", "offline_access"],
        ),
        (None, None) => bail!("--connection is required: an `oauth_code` connection (or --fake-org)"),
    };
    let redirect = match (redirect, fake_domain) {
        (Some(r), _) => r.to_string(),
        (None, Some(_)) => demo_apps::WEB_REDIRECT_URI.to_string(),
        (None, None) => bail!("--redirect-uri is required: one registered on the app"),
    };
    let org = fake_domain.map(|_| {
        let org = FakeOrg::seeded();
        org.register_demo_apps();
        org
    });
    let backend = org.clone().map(Backend::FakeOrg).unwrap_or(Backend::Network);
    let connector = super::load_connector()?;
    let mut instance = connector.instantiate_with(backend, super::instance_options()).await?;
    let state = random_state()?;
    let start = instance
        .connections()
        .begin_authorization(&connection, &redirect, &state)
        .await?
        .map_err(|e| anyhow!("{}", error_json(&e)))?;
    err(&format!("Open this URL in a browser, sign in and approve:\n  {}\n", start.url));
    if let Some(hint) = &start.hint {
        err(&format!("Note: {hint}\n"));
    }
    let back = match &org {
        Some(org) => {
            err("(the fake org's admin approves at once)\n");
            org.authorize(&start.url).await.map_err(|e| anyhow!("the fake org refused: {e}"))?
        }
        None => {
            err(&format!("Then paste the URL the browser was sent back to ({redirect}?code=...):\n"));
            let mut line = String::new();
            std::io::stdin().lock().take(MAX_PASTED).read_line(&mut line).context("cannot read standard input")?;
            line.trim().to_string()
        }
    };
    let code = code_from(&back, &state)?;
    let tokens = instance
        .connections()
        .exchange_code(&connection, &code, &redirect, &start.code_verifier)
        .await?
        .map_err(|e| anyhow!("{}", error_json(&e)))?;
    let stored = with_tokens(&connection, &tokens);
    if org.is_some() {
        let page = instance
            .invoke_json("users.list", &Connection::OauthCode(stored.clone()), &json!({ "limit": 2 }))
            .await?
            .map_err(|e| anyhow!("users.list with the new tokens: {}", error_json(&e)))?;
        let lines: Vec<String> = instance.exchanges().iter().map(|e| e.line()).collect();
        err(&format!("Requests: {}\n", lines.join(", ")));
        err(&format!("users.list with the new tokens: {} users\n", page["items"].as_array().map_or(0, Vec::len)));
    }
    err("The connection with its tokens (secret: store it safely; refresh tokens rotate):\n");
    Ok(json!({ "oauth_code": {
        "domain": stored.domain,
        "scopes": stored.scopes,
        "client_id": stored.client_id,
        "client_secret": stored.client_secret,
        "access_token": stored.access_token,
        "refresh_token": stored.refresh_token,
    }}))
}

/// Runs the device authorization; returns the `oauth_device` connection with its tokens.
pub async fn authorize_device(connection: Option<&str>, fake_domain: Option<&str>) -> Result<Value> {
    let connection = match (connection, fake_domain) {
        (Some(text), _) => match connection_from_json(text).context("--connection")? {
            Connection::OauthDevice(c) => c,
            _ => bail!("--connection: `authorize --device` needs an `oauth_device` connection"),
        },
        (None, Some(domain)) => oauth_device(domain, demo_apps::NATIVE_CLIENT_ID, &demo_apps::NATIVE_SCOPES),
        (None, None) => bail!("--connection is required: an `oauth_device` connection (or --fake-org)"),
    };
    let org = fake_domain.map(|_| {
        let org = FakeOrg::seeded();
        org.register_demo_apps();
        // The demo need not wait Okta's 5 s twice.
        org.set_device_interval(std::time::Duration::from_secs(1));
        org
    });
    let backend = org.clone().map(Backend::FakeOrg).unwrap_or(Backend::Network);
    let connector = super::load_connector()?;
    let mut instance = connector.instantiate_with(backend, super::instance_options()).await?;
    let start = instance
        .connections()
        .begin_device_authorization(&connection)
        .await?
        .map_err(|e| anyhow!("{}", error_json(&e)))?;
    err(&format!(
        "To sign in, open {} on any device and enter the code:\n\n    {}\n\n",
        start.verification_uri, start.user_code
    ));
    if let Some(complete) = &start.verification_uri_complete {
        err(&format!("(or open {complete})\n"));
    }
    let mut interval = u64::from(start.interval);
    let mut approved = false;
    let tokens = loop {
        tokio::time::sleep(std::time::Duration::from_secs(interval)).await;
        if okta_now() > start.expires_at {
            bail!("the code expired before the sign-in was finished: run `authorize --device` again");
        }
        match instance
            .connections()
            .poll_device_authorization(&connection, &start.device_code)
            .await?
            .map_err(|e| anyhow!("{}", error_json(&e)))?
        {
            DevicePoll::Pending => {
                if let (Some(org), false) = (&org, approved) {
                    err("(the fake org's admin enters the code and allows the device)\n");
                    org.decide_device(&start.user_code, true).map_err(|e| anyhow!("the fake org refused: {e}"))?;
                    approved = true;
                }
            }
            DevicePoll::SlowDown => interval += 5,
            DevicePoll::Denied => bail!("the sign-in was declined: nothing was granted"),
            DevicePoll::Expired => {
                bail!("the code expired before the sign-in was finished: run `authorize --device` again")
            }
            DevicePoll::Tokens(tokens) => break tokens,
        }
    };
    let stored = OauthDeviceConnection {
        access_token: Some(tokens.access_token.clone()),
        refresh_token: tokens.refresh_token.clone(),
        ..connection
    };
    if org.is_some() {
        let page = instance
            .invoke_json("users.list", &Connection::OauthDevice(stored.clone()), &json!({ "limit": 2 }))
            .await?
            .map_err(|e| anyhow!("users.list with the new tokens: {}", error_json(&e)))?;
        err(&format!("users.list with the new tokens: {} users\n", page["items"].as_array().map_or(0, Vec::len)));
    }
    if tokens.refresh_token.is_none() {
        err("Note: no refresh token came (the scopes lack offline_access): the connection stops working when the access token expires.\n");
    }
    err("Signed in. The connection carries its tokens: keep it secret (refresh tokens rotate).\n");
    Ok(json!({ "oauth_device": {
        "domain": stored.domain,
        "scopes": stored.scopes,
        "client_id": stored.client_id,
        "access_token": stored.access_token,
        "refresh_token": stored.refresh_token,
    }}))
}

/// Seconds since the Unix epoch, as the component counts `expires-at`.
fn okta_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn with_tokens(c: &OauthCodeConnection, t: &TokenSet) -> OauthCodeConnection {
    OauthCodeConnection {
        access_token: Some(t.access_token.clone()),
        refresh_token: t.refresh_token.clone(),
        ..c.clone()
    }
}

/// The code of the redirect URL, after checking its state. A bare code is refused: without
/// the state nothing shows it comes from this flow's redirect (a code injected by someone
/// else would connect their account).
fn code_from(back: &str, state: &str) -> Result<String> {
    let Some((_, query)) = back.split_once('?') else {
        bail!(
            "no state: paste the whole URL the browser was sent back to (with its code and state), not the code alone"
        );
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if let Some(error) = get("error") {
        bail!("Okta refused the authorization: {error}: {}", get("error_description").unwrap_or(""));
    }
    // Compared in constant time: the state is this flow's secret until the redirect comes.
    let given = get("state").unwrap_or("");
    let same = given.len() == state.len() && given.bytes().zip(state.bytes()).fold(0, |d, (a, b)| d | (a ^ b)) == 0;
    if !same {
        bail!("the redirect's state is missing or not the one this flow sent: start again");
    }
    get("code").map(str::to_string).ok_or_else(|| anyhow!("the redirect URL has no code"))
}

/// An unguessable `state` for one flow: 256 bits from the operating system's secure random
/// source, in hex.
pub(crate) fn random_state() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("no secure random source for the OAuth state: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_comes_back_with_its_state() {
        assert_eq!(code_from("http://localhost:8765/callback?code=abc&state=s1", "s1").unwrap(), "abc");
        assert!(code_from("http://localhost:8765/callback?code=abc&state=other", "s1").is_err());
        assert!(code_from("http://localhost:8765/callback?code=abc", "s1").is_err(), "no state");
        let refused = code_from("http://x/cb?error=access_denied&error_description=no&state=s1", "s1").unwrap_err();
        assert!(refused.to_string().contains("access_denied"));
        // A bare code carries no state: nothing shows it comes from this flow's redirect.
        let bare = code_from("bare-code", "s1").unwrap_err();
        assert!(bare.to_string().contains("state"), "{bare}");
    }

    #[test]
    fn the_state_is_256_random_bits() {
        let states: Vec<String> = (0..64).map(|_| random_state().unwrap()).collect();
        for s in &states {
            assert_eq!(s.len(), 64, "{s}");
            assert!(s.bytes().all(|b| b.is_ascii_hexdigit()), "{s}");
        }
        let distinct: std::collections::HashSet<&String> = states.iter().collect();
        assert_eq!(distinct.len(), states.len());
        // Every hex digit shows up across 4 096 random ones; a counter or clock would not do that.
        let digits: std::collections::HashSet<char> = states.iter().flat_map(|s| s.chars()).collect();
        assert_eq!(digits.len(), 16);
    }
}
