//! The OAuth 2.0 authorization-code flow against the org authorization server, for hosts that
//! run the browser redirect: the authorize URL (state, PKCE S256, the connection's scopes),
//! the code exchange and refreshes, with `client_secret_basic` client authentication.

use super::token::{Endpoint, Lost, Tokens};
use super::{base64url, random};
use crate::error::Error;
use crate::okta::domain::Origin;
use crate::okta::Secret;
use sha2::{Digest, Sha256};

/// Where to send the user, and what the host keeps until the redirect comes back.
pub struct Start {
    pub url: String,
    /// The PKCE verifier to pass to [`exchange`] (kept by the host, secret).
    pub code_verifier: String,
    pub hint: Option<String>,
}

/// A redirect URI Okta can call: absolute `https://`, or `http://` on loopback.
fn check_redirect(redirect_uri: &str) -> Result<(), Error> {
    let uri: http::Uri = redirect_uri.parse().map_err(|_| Error::input("redirect_uri", "is not a URL"))?;
    let host = uri.host().unwrap_or("");
    let loopback = host == "localhost" || host == "127.0.0.1" || host == "[::1]";
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(()),
        Some("http") if loopback => Ok(()),
        _ => Err(Error::input("redirect_uri", "must be an absolute https:// URL (http:// only on loopback)")),
    }
}

/// The authorize URL for `scopes`, with a new PKCE verifier.
pub fn start(
    origin: &Origin,
    client_id: &str,
    scopes: &[String],
    redirect_uri: &str,
    state: &str,
) -> Result<Start, Error> {
    if state.trim().is_empty() {
        return Err(Error::input(
            "state",
            "is required: Okta refuses an authorize request without it, and it protects the redirect",
        ));
    }
    check_redirect(redirect_uri)?;
    if scopes.is_empty() {
        return Err(Error::connection("scopes", "is empty: give the okta.* scopes the actions need"));
    }
    let code_verifier = base64url::encode(&random::bytes::<32>()?);
    let challenge = base64url::encode(&Sha256::digest(code_verifier.as_bytes()));
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", &scopes.join(" "))
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    let hint = (!scopes.iter().any(|s| s == "offline_access")).then(|| {
        "the scopes lack offline_access: Okta will return no refresh token, and the connection stops working when the access token expires (about an hour)".to_string()
    });
    Ok(Start { url: format!("{}/oauth2/v1/authorize?{query}", origin.base()), code_verifier, hint })
}

/// Exchanges the code the redirect brought for tokens.
pub fn exchange(
    endpoint: Endpoint,
    client_id: &str,
    client_secret: &Secret,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
) -> Result<Tokens, Error> {
    if code.trim().is_empty() {
        return Err(Error::input("code", "is required"));
    }
    if code_verifier.trim().is_empty() {
        return Err(Error::input("code_verifier", "is required: pass the one the authorization started with"));
    }
    check_redirect(redirect_uri)?;
    endpoint.request(Lost::Stop, Some((client_id, client_secret)), &|| {
        Ok(vec![
            ("grant_type".into(), "authorization_code".into()),
            ("code".into(), code.trim().to_string()),
            ("redirect_uri".into(), redirect_uri.to_string()),
            ("code_verifier".into(), code_verifier.trim().to_string()),
        ])
    })
}

/// New tokens for a refresh token. With rotation, Okta answers with a new refresh token too;
/// the old one stops working shortly after, so the new set must be kept.
pub fn refresh(
    endpoint: Endpoint,
    client_id: &str,
    client_secret: &Secret,
    refresh_token: &str,
) -> Result<Tokens, Error> {
    let mut tokens = endpoint.request(Lost::Stop, Some((client_id, client_secret)), &|| {
        Ok(vec![("grant_type".into(), "refresh_token".into()), ("refresh_token".into(), refresh_token.to_string())])
    })?;
    // Without rotation Okta returns no refresh token: the old one stays valid.
    if tokens.refresh_token.is_none() {
        tokens.refresh_token = Some(refresh_token.to_string());
    }
    Ok(tokens)
}
