//! Who is calling. One place decides the caller from the request: an API token
//! (`Authorization: SSWS <token>`) acting as the admin who created it, or an access token of
//! the org authorization server ([`crate::areas::oauth::authz`]): `Bearer`, or `DPoP` with a proof of the
//! key the token is bound to. Anything else is 401 E0000011. Routes declare the OAuth scope
//! Okta requires for them ([`Scope`]) and the edge enforces it ([`insufficient_scope`]).
//!
//! Okta reports OAuth and DPoP problems of API calls in `WWW-Authenticate` with an empty body:
//! `invalid_dpop_proof` (400), `use_dpop_nonce` (401, with a `DPoP-Nonce`), and
//! `insufficient_scope` (403).

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue};

use super::errors::ApiError;
use crate::areas::oauth::authz::ProofError;
use crate::areas::state::State;
use crate::areas::system_log::events::Actor;

pub use super::scope::Scope;

/// The API token the fake org accepts.
pub const TOKEN: &str = "fake-org-token-0123456789";

/// The algorithms Okta lists in its DPoP challenges.
const DPOP_ALGS: &str = "RS256 RS384 RS512 ES256 ES384 ES512";

/// How the caller authenticated.
#[derive(Clone, Debug, PartialEq)]
pub enum Credential {
    /// `SSWS`: the admin's permissions, no scopes involved.
    ApiToken,
    /// An OAuth access token granted these scopes; `dpop` when it is DPoP-bound.
    OAuth { scopes: Vec<Scope>, dpop: bool },
    /// Endpoints of the authorization server, which authenticate their own way.
    None,
}

/// The authenticated caller of one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Caller {
    pub actor: Actor,
    pub credential: Credential,
}

impl Caller {
    /// Whether the caller may use an endpoint that requires `scope`.
    pub fn allows(&self, scope: Option<Scope>) -> bool {
        match (&self.credential, scope) {
            (Credential::ApiToken, _) | (_, None) => true,
            (Credential::OAuth { scopes, .. }, Some(s)) => scopes.contains(&s),
            (Credential::None, Some(_)) => false,
        }
    }
}

/// What authentication looks at in a request.
pub struct Facts<'a> {
    pub method: &'a str,
    /// `scheme://authority` the request was sent to.
    pub origin: &'a str,
    /// The request path (normalised).
    pub path: &'a str,
    pub headers: &'a HeaderMap,
    /// The org clock, epoch seconds.
    pub now: i64,
    /// The scope the endpoint requires (named in challenges).
    pub scope: Option<Scope>,
}

impl Facts<'_> {
    /// A `WWW-Authenticate` challenge as Okta words it for the API.
    pub fn challenge(&self, dpop: bool, error: &str, description: &str) -> String {
        let scope = self.scope.map(Scope::as_str).unwrap_or_default();
        let (scheme, algs) = if dpop { ("DPoP", format!("algs=\"{DPOP_ALGS}\", ")) } else { ("Bearer", String::new()) };
        format!(
            "{scheme} {algs}authorization_uri=\"{o}/oauth2/v1/authorize\", realm=\"{o}\", scope=\"{scope}\", error=\"{error}\", error_description=\"{description}\", resource=\"{p}\"",
            o = self.origin,
            p = self.path
        )
    }
}

/// A request refused before its handler ran.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    /// An Okta error body, or none (OAuth problems answer with an empty body).
    pub body: Option<Box<ApiError>>,
    pub challenge: Option<String>,
    pub nonce: Option<String>,
}

impl Refusal {
    fn invalid_token() -> Refusal {
        Refusal { status: 401, body: Some(Box::new(ApiError::invalid_token())), challenge: None, nonce: None }
    }
    fn challenge(status: u16, challenge: String) -> Refusal {
        Refusal { status, body: None, challenge: Some(challenge), nonce: None }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut resp = match self.body {
            Some(e) => (*e).into_response(),
            None => Response::new(Body::empty()),
        };
        *resp.status_mut() = http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::UNAUTHORIZED);
        if let Some(v) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            resp.headers_mut().insert(http::header::WWW_AUTHENTICATE, v);
        }
        if let Some(v) = self.nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
            resp.headers_mut().insert("dpop-nonce", v);
        }
        resp
    }
}

/// The 403 for a caller without the endpoint's scope: empty body, the scope in the challenge.
pub fn insufficient_scope(facts: &Facts, caller: &Caller) -> Refusal {
    let dpop = matches!(caller.credential, Credential::OAuth { dpop: true, .. });
    Refusal::challenge(
        403,
        facts.challenge(dpop, "insufficient_scope", "The access token provided does not contain the required scopes."),
    )
}

/// Decides the caller: 401 E0000011 for a missing, malformed or unknown credential; the
/// OAuth refusals above for tokens of the authorization server.
pub fn authenticate(st: &mut State, facts: &Facts) -> Result<Caller, Refusal> {
    let value = facts.headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    // Bench only: Okta's Python SDK 3.4.x sends `SSWS<token>` (no space), which Okta refuses.
    let api_token = st.api_token.clone().unwrap_or_else(|| TOKEN.to_string());
    let tolerated =
        st.bench.tolerate_ssws_without_space && value.and_then(|v| v.strip_prefix("SSWS")) == Some(api_token.as_str());
    let Some((scheme, token)) = value.and_then(|v| v.split_once(' ')).map(|(s, t)| (s, t.trim())) else {
        return if tolerated {
            Ok(Caller { actor: st.admin_actor(), credential: Credential::ApiToken })
        } else {
            Err(Refusal::invalid_token())
        };
    };
    if scheme.eq_ignore_ascii_case("SSWS") {
        return if token == api_token {
            Ok(Caller { actor: st.admin_actor(), credential: Credential::ApiToken })
        } else {
            Err(Refusal::invalid_token())
        };
    }
    let dpop_scheme = scheme.eq_ignore_ascii_case("DPoP");
    if !dpop_scheme && !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(Refusal::invalid_token());
    }
    let grant = match st.authz.access_token(token, facts.now) {
        Ok(t) => t.clone(),
        Err(false) => return Err(Refusal::invalid_token()),
        Err(true) => {
            let mut r = Refusal::invalid_token();
            r.challenge = Some(facts.challenge(dpop_scheme, "invalid_token", "The token has expired."));
            return Err(r);
        }
    };
    match (&grant.jkt, dpop_scheme) {
        (None, false) => {}
        (None, true) => {
            return Err(Refusal::challenge(
                401,
                facts.challenge(
                    true,
                    "invalid_token",
                    "The access token is not DPoP-bound: send it as a Bearer token.",
                ),
            ))
        }
        (Some(_), false) => {
            return Err(Refusal::challenge(
                401,
                facts.challenge(
                    true,
                    "invalid_token",
                    "The access token is DPoP-bound: send it with the DPoP scheme and a DPoP proof.",
                ),
            ))
        }
        (Some(jkt), true) => {
            let proofs: Vec<&str> = facts.headers.get_all("dpop").iter().filter_map(|v| v.to_str().ok()).collect();
            let invalid = |d: &str| Refusal::challenge(400, facts.challenge(true, "invalid_dpop_proof", d));
            let proof = match proofs.as_slice() {
                [] => return Err(invalid("The DPoP proof JWT header is missing.")),
                [one] => *one,
                _ => return Err(invalid("Multiple DPoP proof JWT headers were supplied.")),
            };
            let nonce = st.authz.api_nonce().map(str::to_string);
            let known = st.authz.api_nonces();
            let accepted: Vec<&str> = known.iter().flatten().map(String::as_str).collect();
            let url = format!("{}{}", facts.origin, facts.path);
            let nonces = known.is_some().then_some(accepted.as_slice());
            match st.authz.verify_proof(proof, facts.method, &url, facts.now, Some(token), nonces) {
                Ok(p) if p.jkt == *jkt => {}
                Ok(_) => return Err(invalid("The DPoP proof JWT key does not match the access token's binding.")),
                Err(ProofError::Invalid(d)) => return Err(invalid(&d)),
                Err(ProofError::Nonce) => {
                    let mut r = Refusal::challenge(
                        401,
                        facts.challenge(true, "use_dpop_nonce", "Resource server requires nonce in DPoP proof."),
                    );
                    r.nonce = nonce;
                    return Err(r);
                }
            }
        }
    }
    let scopes = grant.scopes.iter().filter_map(|s| Scope::parse(s)).collect();
    let actor = match (&grant.client_id, grant.delegated) {
        (Some(client), false) => Actor {
            id: client.clone(),
            kind: "PublicClientApp".into(),
            alternate_id: client.clone(),
            display_name: client.clone(),
        },
        _ => st.admin_actor(),
    };
    Ok(Caller { actor, credential: Credential::OAuth { scopes, dpop: grant.jkt.is_some() } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::AUTHORIZATION, auth.parse().unwrap());
        h
    }

    fn auth(st: &mut State, value: &str) -> Result<Caller, Refusal> {
        let h = headers(value);
        let facts =
            Facts { method: "GET", origin: "https://x.test", path: "/api/v1/users", headers: &h, now: 0, scope: None };
        authenticate(st, &facts)
    }

    #[test]
    fn api_token_and_scopes() {
        let mut st = State::default();
        let caller = auth(&mut st, &format!("SSWS {TOKEN}")).unwrap();
        assert!(caller.allows(Some(Scope::EventHooksManage)));
        assert_eq!(caller.actor.kind, "User");
        assert_eq!(auth(&mut st, &format!("Bearer {TOKEN}")).unwrap_err().body.unwrap().code, "E0000011");
        assert!(auth(&mut st, &format!("SSWS{TOKEN}")).is_err());
        st.bench.tolerate_ssws_without_space = true;
        assert!(auth(&mut st, &format!("SSWS{TOKEN}")).is_ok());
        let token = st.authz.issue_static(vec![Scope::UsersRead.as_str().to_string()]);
        let oauth = auth(&mut st, &format!("Bearer {token}")).unwrap();
        assert_eq!(oauth.credential, Credential::OAuth { scopes: vec![Scope::UsersRead], dpop: false });
        assert!(oauth.allows(Some(Scope::UsersRead)) && !oauth.allows(Some(Scope::UsersManage)));
        assert!(auth(&mut st, &format!("SSWS {token}")).is_err());
        assert!(auth(&mut st, "Bearer unknown").is_err());
        // A Bearer token sent with the DPoP scheme is refused with a challenge.
        let r = auth(&mut st, &format!("DPoP {token}")).unwrap_err();
        assert_eq!((r.status, r.body.is_none()), (401, true));
        assert!(r.challenge.unwrap().contains("error=\"invalid_token\""));
        assert_eq!(Scope::parse("okta.logs.read"), Some(Scope::LogsRead));
        assert!(Scope::ALL.iter().all(|s| Scope::parse(s.as_str()) == Some(*s)));
        assert_eq!(Scope::EventHooksRead.as_str(), "okta.eventHooks.read");
    }

    #[test]
    fn challenges_name_the_scope_and_resource() {
        let h = HeaderMap::new();
        let facts = Facts {
            method: "GET",
            origin: "https://x.test",
            path: "/api/v1/groups",
            headers: &h,
            now: 0,
            scope: Some(Scope::GroupsRead),
        };
        assert_eq!(
            facts.challenge(false, "insufficient_scope", "d"),
            "Bearer authorization_uri=\"https://x.test/oauth2/v1/authorize\", realm=\"https://x.test\", scope=\"okta.groups.read\", error=\"insufficient_scope\", error_description=\"d\", resource=\"/api/v1/groups\""
        );
        assert!(facts.challenge(true, "e", "d").starts_with("DPoP algs=\"RS256 RS384 RS512 ES256 ES384 ES512\", "));
    }
}
