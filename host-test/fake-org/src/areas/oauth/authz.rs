//! The org authorization server (`/oauth2/v1`), checking what Okta checks: the OAuth apps
//! registered on the org, the codes and tokens it issued, and the DPoP nonces it handed out.
//!
//! * Client authentication: a `private_key_jwt` assertion verified against the app's
//!   registered public keys (`kid`, `alg`, signature, `iss` = `sub` = client id, `aud` = the
//!   token URL, `exp` at most an hour ahead, a `jti` used once), or `client_secret_basic` /
//!   `client_secret_post` — never two at once.
//! * DPoP (RFC 9449) for apps that require it: a proof on every token request, signed by the
//!   public key in its header, with exact `htm` and `htu` (no query, path percent-decoded as
//!   Okta compares it), a recent `iat`, a `jti` never seen before and the current nonce
//!   (`use_dpop_nonce` + `DPoP-Nonce` otherwise). Tokens it issues are bound to the key's
//!   thumbprint (`cnf.jkt`); API calls must then prove possession of that key (`ath` too).
//! * Grants: client credentials (service apps, no refresh token), authorization code with
//!   PKCE S256 (codes live 300 s and are single-use), the device code of native apps (public
//!   clients naming themselves by `client_id`, see [`super::device`]), refresh tokens with
//!   rotation, a grace period, and reuse detection (a rotated token used after the grace
//!   revokes its family).
//! * Access tokens expire (`expires_in`, one hour by default) by the org clock.
//!
//! Errors are RFC 6749 JSON bodies (`{"error","error_description"}`) as Okta words them.

use std::collections::{BTreeMap, HashMap};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::device::{Devices, DEVICE_CODE_GRANT};
use crate::infra::json::J;
use crate::infra::util;

/// `client_assertion_type` of a JWT client assertion.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Okta's access-token lifetime for the org authorization server.
pub const DEFAULT_LIFETIME_SECS: i64 = 3600;
/// How long an authorization code can be exchanged.
pub const CODE_LIFETIME_SECS: i64 = 300;
/// Default refresh-token rotation grace period (Okta: 30 s, 0–60 allowed).
pub const DEFAULT_GRACE_SECS: i64 = 30;
/// How far a DPoP proof's `iat` may be from the org clock.
const PROOF_WINDOW_SECS: i64 = 300;
/// An assertion may not live longer than this.
const MAX_ASSERTION_SECS: i64 = 3600;
/// Scopes a user-delegated token may carry besides the granted `okta.*` ones.
const OIDC_SCOPES: [&str; 5] = ["openid", "profile", "email", "address", "offline_access"];

/// An OAuth error answer of the authorization server.
#[derive(Clone, Debug, PartialEq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    pub(super) fn new(status: u16, error: &'static str, description: impl Into<String>) -> OAuthError {
        OAuthError { status, error, description: description.into() }
    }
    fn invalid_client(description: impl Into<String>) -> OAuthError {
        OAuthError::new(401, "invalid_client", description)
    }
    fn invalid_request(description: impl Into<String>) -> OAuthError {
        OAuthError::new(400, "invalid_request", description)
    }
    /// A token request whose body is not form-encoded.
    pub fn invalid_request_body() -> OAuthError {
        OAuthError::invalid_request("The request body must be `application/x-www-form-urlencoded`.")
    }
    fn invalid_grant(description: impl Into<String>) -> OAuthError {
        OAuthError::new(400, "invalid_grant", description)
    }
    pub fn invalid_dpop_proof(description: impl Into<String>) -> OAuthError {
        OAuthError::new(400, "invalid_dpop_proof", description)
    }
    fn invalid_scope() -> OAuthError {
        OAuthError::new(
            400,
            "invalid_scope",
            "One or more scopes are not configured for the authorization server resource.",
        )
    }
    /// `{"error","error_description"}`.
    pub fn body(&self) -> J {
        J::obj([("error", J::s(self.error)), ("error_description", J::s(self.description.clone()))])
    }
}

/// A public key registered on a service app.
#[derive(Clone, Debug)]
pub struct PublicKey {
    pub kid: Option<String>,
    key: DecodingKey,
}

impl PublicKey {
    /// From a public JWK (its `kid` unless `kid` is given) or a PEM `PUBLIC KEY` (RSA or EC).
    pub fn parse(text: &str, kid: Option<&str>) -> Result<PublicKey, String> {
        let text = text.trim();
        let (key, own_kid) = if text.starts_with('{') {
            let jwk: Jwk = serde_json::from_str(text).map_err(|e| format!("not a JWK: {e}"))?;
            if let AlgorithmParameters::EllipticCurve(p) = &jwk.algorithm {
                if p.curve != EllipticCurve::P256 {
                    return Err("only P-256 EC keys are registered here".into());
                }
            }
            let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("unusable JWK: {e}"))?;
            (key, jwk.common.key_id.clone())
        } else if text.contains("-----BEGIN PUBLIC KEY-----") {
            let key = DecodingKey::from_rsa_pem(text.as_bytes())
                .or_else(|_| DecodingKey::from_ec_pem(text.as_bytes()))
                .map_err(|e| format!("unusable PEM public key: {e}"))?;
            (key, None)
        } else {
            return Err("a public key is a JWK or a `-----BEGIN PUBLIC KEY-----` PEM".into());
        };
        if !matches!(key.family(), jsonwebtoken::AlgorithmFamily::Rsa | jsonwebtoken::AlgorithmFamily::Ec) {
            return Err("only RSA and EC keys sign client assertions".into());
        }
        Ok(PublicKey { kid: kid.map(str::to_string).or(own_kid), key })
    }
}

/// How a client proves who it is.
#[derive(Clone, Debug)]
pub enum ClientAuth {
    /// A service app: `private_key_jwt` against these keys; client credentials only.
    PrivateKeyJwt { keys: Vec<PublicKey> },
    /// A web app: a client secret, redirect URIs; authorization code and refresh tokens.
    Secret { secret: String, redirect_uris: Vec<String>, rotation: Rotation },
    /// A native app: a public client (no secret, named by `client_id` in the form); the device
    /// code and refresh tokens.
    Public { rotation: Rotation },
}

/// Refresh-token behaviour of a web app.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rotation {
    /// The same refresh token is returned on every refresh.
    Static,
    /// A new refresh token on every refresh; the previous one keeps working `grace_secs`.
    Rotate { grace_secs: i64 },
}

/// A registered OAuth app.
#[derive(Clone, Debug)]
pub struct Client {
    pub id: String,
    pub auth: ClientAuth,
    /// The scopes granted to the app (its "Okta API Scopes" grants).
    pub scopes: Vec<String>,
    /// "Require DPoP header in token requests".
    pub dpop: bool,
}

/// What an access token lets its bearer do.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
    /// Epoch seconds; `None` never expires (tokens made by `issue_access_token`).
    pub expires_at: Option<i64>,
    /// The DPoP key thumbprint the token is bound to (`cnf.jkt`).
    pub jkt: Option<String>,
    /// Delegated by the org's admin (authorization code) rather than held by a service app.
    pub delegated: bool,
    revoked: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum RefreshState {
    Active,
    /// Replaced by a newer token at this time (epoch seconds).
    Rotated(i64),
    Revoked,
}

#[derive(Clone, Debug)]
struct RefreshToken {
    client_id: String,
    scopes: Vec<String>,
    /// Every token of one authorization shares a family; reuse revokes it whole.
    family: u64,
    state: RefreshState,
}

#[derive(Clone, Debug)]
struct Code {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    challenge: Option<String>,
    expires_at: i64,
    used: bool,
    family: u64,
}

/// Counters of the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TokenStats {
    /// `POST /oauth2/v1/token` calls, whatever their outcome.
    pub requests: u64,
    /// Access tokens issued.
    pub issued: u64,
    /// Answers `use_dpop_nonce`.
    pub nonce_challenges: u64,
}

/// One call of the token endpoint, as the edge received it.
pub struct TokenCall<'a> {
    pub form: &'a [(String, String)],
    pub authorization: Option<&'a str>,
    /// Every `DPoP` header value (more than one is an error).
    pub dpop: Vec<&'a str>,
    /// `{origin}/oauth2/v1/token`.
    pub url: &'a str,
    pub now: i64,
}

/// The token endpoint's answer: a JSON body, and the nonce to send as `DPoP-Nonce`.
pub struct TokenAnswer {
    pub status: u16,
    pub body: J,
    pub nonce: Option<String>,
}

/// A DPoP proof that passed every check.
pub struct Proof {
    pub jkt: String,
}

/// Why a request's DPoP proof was refused.
#[derive(Debug, PartialEq)]
pub enum ProofError {
    /// Wrong or missing nonce: `use_dpop_nonce`.
    Nonce,
    /// `invalid_dpop_proof` with this description.
    Invalid(String),
}

/// The authorization server's data.
#[derive(Debug)]
pub struct AuthServer {
    clients: BTreeMap<String, Client>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    codes: HashMap<String, Code>,
    /// Device codes of the device authorization.
    pub devices: Devices,
    /// The token endpoint's nonce and the one before it (an old nonce keeps working a while).
    token_nonce: String,
    previous_token_nonce: Option<String>,
    /// The resource server's nonce and the one before it, demanded only when
    /// `require_api_nonce` is on.
    api_nonce: String,
    previous_api_nonce: Option<String>,
    /// Okta does not demand a nonce on API calls today; a test turns this on.
    pub require_api_nonce: bool,
    /// `jti`s of accepted DPoP proofs and client assertions, with when they may be forgotten.
    proof_jtis: HashMap<String, i64>,
    assertion_jtis: HashMap<String, i64>,
    /// Access-token lifetime in seconds.
    pub lifetime_secs: i64,
    next_family: u64,
    pub stats: TokenStats,
}

impl Default for AuthServer {
    fn default() -> Self {
        AuthServer {
            clients: BTreeMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            codes: HashMap::new(),
            devices: Devices::default(),
            token_nonce: util::token(32),
            previous_token_nonce: None,
            api_nonce: util::token(32),
            previous_api_nonce: None,
            require_api_nonce: false,
            proof_jtis: HashMap::new(),
            assertion_jtis: HashMap::new(),
            lifetime_secs: DEFAULT_LIFETIME_SECS,
            next_family: 1,
            stats: TokenStats::default(),
        }
    }
}

/// `base64url(SHA-256(text))`: PKCE S256 challenges and DPoP `ath`.
pub fn sha256_b64url(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

/// A URL without query and fragment, its path percent-decoded (how Okta compares `htu`).
pub fn htu_of(url: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or(url);
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_at = base[after_scheme..].find('/').map(|i| i + after_scheme).unwrap_or(base.len());
    let (origin, path) = base.split_at(path_at);
    format!("{origin}{}", percent_encoding::percent_decode_str(path).decode_utf8_lossy())
}

fn str_claim<'a>(claims: &'a Value, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

fn int_claim(claims: &Value, name: &str) -> Option<i64> {
    claims.get(name).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

/// The JSON of a JWT's header, unverified (to read `kid`, `jwk`, `typ`).
fn raw_header(jwt: &str) -> Option<Value> {
    use base64::Engine as _;
    let first = jwt.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(first.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The claims of a JWT, unverified (to find the client before its key).
fn raw_claims(jwt: &str) -> Option<Value> {
    jsonwebtoken::dangerous::insecure_decode::<Value>(jwt).ok().map(|d| d.claims)
}

/// Verifies `jwt`'s signature with `key` for `alg`, without time checks (done by the org
/// clock), and returns its claims.
fn verified_claims(jwt: &str, key: &DecodingKey, alg: Algorithm) -> Option<Value> {
    let mut v = Validation::new(alg);
    v.validate_exp = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(jwt, key, &v).ok().map(|d| d.claims)
}

const ASYMMETRIC: [Algorithm; 6] =
    [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::ES256, Algorithm::ES384, Algorithm::PS256];

impl AuthServer {
    // ---- registration ----------------------------------------------------------------------

    pub fn register(&mut self, client: Client) {
        self.clients.insert(client.id.clone(), client);
    }

    /// An access token of unlimited lifetime for these scopes, sent as `Bearer`.
    pub fn issue_static(&mut self, scopes: Vec<String>) -> String {
        let token = format!("eyJ{}", util::token(40));
        self.access.insert(
            token.clone(),
            AccessToken { client_id: None, scopes, expires_at: None, jkt: None, delegated: true, revoked: false },
        );
        token
    }

    /// The token if it is known, unrevoked and unexpired at `now`; `Err(true)` when it expired.
    pub fn access_token(&self, token: &str, now: i64) -> Result<&AccessToken, bool> {
        let t = self.access.get(token).filter(|t| !t.revoked).ok_or(false)?;
        match t.expires_at {
            Some(at) if at <= now => Err(true),
            _ => Ok(t),
        }
    }

    /// Revokes every access token issued so far (as if an admin cleared the app's tokens).
    pub fn revoke_access_tokens(&mut self) {
        self.access.values_mut().for_each(|t| t.revoked = true);
    }

    /// Revokes every refresh token of a client.
    pub fn revoke_refresh_tokens(&mut self, client_id: &str) {
        for t in self.refresh.values_mut().filter(|t| t.client_id == client_id) {
            t.state = RefreshState::Revoked;
        }
    }

    /// A new token-endpoint nonce; the previous one is forgotten at once.
    pub fn expire_nonces(&mut self) {
        self.token_nonce = util::token(32);
        self.previous_token_nonce = None;
        self.api_nonce = util::token(32);
        self.previous_api_nonce = None;
    }

    /// A new token-endpoint nonce, the previous one still accepted (Okta's daily rotation).
    pub fn rotate_token_nonce(&mut self) {
        let old = std::mem::replace(&mut self.token_nonce, util::token(32));
        self.previous_token_nonce = Some(old);
    }

    /// A new resource-server nonce, the previous one still accepted.
    pub fn rotate_api_nonce(&mut self) {
        let old = std::mem::replace(&mut self.api_nonce, util::token(32));
        self.previous_api_nonce = Some(old);
    }

    /// The nonce API responses carry, when API calls need one.
    pub fn api_nonce(&self) -> Option<&str> {
        self.require_api_nonce.then_some(self.api_nonce.as_str())
    }

    /// The nonces API calls may carry (the current one first), when they need one.
    pub fn api_nonces(&self) -> Option<Vec<String>> {
        self.require_api_nonce
            .then(|| [Some(self.api_nonce.clone()), self.previous_api_nonce.clone()].into_iter().flatten().collect())
    }

    // ---- DPoP ------------------------------------------------------------------------------

    /// Checks a DPoP proof for `method` on `url` at `now`: header, signature, `htm`, `htu`,
    /// `iat`, a fresh `jti`, `ath` when `access_token` is given, and `nonce` when `nonces`
    /// lists the accepted ones. The `jti` is remembered once the proof is accepted.
    pub fn verify_proof(
        &mut self,
        proof: &str,
        method: &str,
        url: &str,
        now: i64,
        access_token: Option<&str>,
        nonces: Option<&[&str]>,
    ) -> Result<Proof, ProofError> {
        let invalid = |d: &str| ProofError::Invalid(d.to_string());
        let header = raw_header(proof).ok_or_else(|| invalid("The DPoP proof JWT is malformed."))?;
        if header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
            return Err(invalid("The DPoP proof JWT 'typ' header is invalid."));
        }
        let jwk_value = header.get("jwk").ok_or_else(|| invalid("The DPoP proof JWT 'jwk' header is missing."))?;
        if ["d", "p", "q", "dp", "dq", "qi", "k"].iter().any(|m| jwk_value.get(m).is_some()) {
            return Err(invalid("The DPoP proof JWT 'jwk' header must be a public key."));
        }
        let parsed = jsonwebtoken::decode_header(proof).map_err(|_| invalid("The DPoP proof JWT is malformed."))?;
        if !ASYMMETRIC.contains(&parsed.alg) {
            return Err(invalid("The DPoP proof JWT 'alg' header is not supported."));
        }
        let jwk = parsed.jwk.ok_or_else(|| invalid("The DPoP proof JWT 'jwk' header is missing."))?;
        let key = DecodingKey::from_jwk(&jwk).map_err(|_| invalid("The DPoP proof JWT 'jwk' header is invalid."))?;
        let claims = verified_claims(proof, &key, parsed.alg)
            .ok_or_else(|| invalid("The DPoP proof JWT signature is invalid."))?;
        if str_claim(&claims, "htm") != Some(method) {
            return Err(invalid("'htm' claim in the DPoP proof JWT is invalid."));
        }
        let htu = str_claim(&claims, "htu").unwrap_or("");
        if htu.contains(['?', '#']) || htu != htu_of(url) {
            return Err(invalid("'htu' claim in the DPoP proof JWT is invalid."));
        }
        match int_claim(&claims, "iat") {
            Some(iat) if (iat - now).abs() <= PROOF_WINDOW_SECS => {}
            _ => return Err(invalid("'iat' claim in the DPoP proof JWT is invalid.")),
        }
        let jti = str_claim(&claims, "jti")
            .filter(|j| !j.is_empty())
            .ok_or_else(|| invalid("'jti' claim in the DPoP proof JWT is missing."))?;
        self.proof_jtis.retain(|_, until| *until > now);
        if self.proof_jtis.contains_key(jti) {
            return Err(invalid("The DPoP proof JWT has already been used."));
        }
        match (access_token, str_claim(&claims, "ath")) {
            (Some(token), Some(ath)) if ath == sha256_b64url(token) => {}
            (Some(_), _) => return Err(invalid("'ath' claim in the DPoP proof JWT is invalid.")),
            (None, _) => {}
        }
        if let Some(accepted) = nonces {
            if !str_claim(&claims, "nonce").is_some_and(|n| accepted.contains(&n)) {
                return Err(ProofError::Nonce);
            }
        }
        let jkt = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|_| invalid("The DPoP proof JWT 'jwk' header is invalid."))?;
        self.proof_jtis.insert(jti.to_string(), now + 2 * PROOF_WINDOW_SECS);
        Ok(Proof { jkt })
    }

    // ---- /oauth2/v1/authorize --------------------------------------------------------------

    /// `GET /oauth2/v1/authorize` approved at once by the org's admin: the redirect URL with
    /// `code` and `state`, or with `error`. `Err` when no redirect is possible (unknown
    /// client, unregistered redirect URI), shown to the user instead.
    pub fn authorize(&mut self, query: &[(String, String)], now: i64) -> Result<String, OAuthError> {
        let q = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let client_id =
            q("client_id").ok_or_else(|| OAuthError::invalid_request("The `client_id` parameter is required."))?;
        let client = self
            .clients
            .get(client_id)
            .ok_or_else(|| OAuthError::invalid_client("Invalid value for the `client_id` parameter"))?;
        let ClientAuth::Secret { redirect_uris, .. } = &client.auth else {
            return Err(OAuthError::new(400, "unauthorized_client", "The client isn't authorized to use the provided grant type. Configured grant types: [client_credentials]."));
        };
        let redirect_uri = q("redirect_uri").unwrap_or("");
        if !redirect_uris.iter().any(|r| r == redirect_uri) {
            return Err(OAuthError::invalid_request(
                "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings",
            ));
        }
        let redirect = |pairs: Vec<(&str, &str)>| {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs {
                s.append_pair(k, v);
            }
            let sep = if redirect_uri.contains('?') { '&' } else { '?' };
            format!("{redirect_uri}{sep}{}", s.finish())
        };
        let Some(state) = q("state").filter(|s| !s.is_empty()) else {
            return Ok(redirect(vec![
                ("error", "invalid_request"),
                ("error_description", "The authentication request has an invalid 'state' parameter."),
            ]));
        };
        let refuse = |error: &str, description: &str| {
            Ok(redirect(vec![("error", error), ("error_description", description), ("state", state)]))
        };
        if q("response_type") != Some("code") {
            return refuse("unsupported_response_type", "The response type contained in the request isn't supported.");
        }
        let scopes: Vec<String> = q("scope").unwrap_or("").split_whitespace().map(str::to_string).collect();
        if scopes.is_empty() {
            return refuse("invalid_scope", "No scopes were requested.");
        }
        if scopes.iter().any(|s| !client.scopes.contains(s) && !OIDC_SCOPES.contains(&s.as_str())) {
            return refuse(
                "invalid_scope",
                "One or more scopes are not configured for the authorization server resource.",
            );
        }
        let challenge = match (q("code_challenge"), q("code_challenge_method")) {
            (None, _) => None,
            (Some(c), Some("S256")) if (43..=128).contains(&c.len()) => Some(c.to_string()),
            (Some(_), Some("S256")) => {
                return refuse(
                    "invalid_request",
                    "PKCE code challenge contains illegal characters or has an invalid length.",
                )
            }
            (Some(_), _) => {
                return refuse("invalid_request", "The PKCE code challenge method is invalid: only S256 is supported.")
            }
        };
        let code = util::token(43);
        let family = self.family();
        self.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.to_string(),
                redirect_uri: redirect_uri.to_string(),
                scopes,
                challenge,
                expires_at: now + CODE_LIFETIME_SECS,
                used: false,
                family,
            },
        );
        Ok(redirect(vec![("code", &code), ("state", state)]))
    }

    // ---- /oauth2/v1/device/authorize -------------------------------------------------------

    /// `POST /oauth2/v1/device/authorize` (form `client_id`, `scope`): codes for a native app.
    pub fn device_authorize(&mut self, form: &[(String, String)], origin: &str, now: i64) -> Result<J, OAuthError> {
        let f = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let client_id =
            f("client_id").ok_or_else(|| OAuthError::invalid_client("No client credentials found"))?.to_string();
        let client = self
            .clients
            .get(&client_id)
            .ok_or_else(|| OAuthError::invalid_client("Invalid value for the `client_id` parameter"))?;
        if !matches!(client.auth, ClientAuth::Public { .. }) {
            return Err(OAuthError::new(
                400,
                "unauthorized_client",
                "The client isn't authorized to use the provided grant type. Configured grant types: [authorization_code, refresh_token].",
            ));
        }
        let scopes: Vec<String> = f("scope").unwrap_or("").split_whitespace().map(str::to_string).collect();
        if scopes.is_empty() {
            return Err(OAuthError::new(400, "invalid_scope", "No scopes were requested."));
        }
        if scopes.iter().any(|s| !client.scopes.contains(s) && !OIDC_SCOPES.contains(&s.as_str())) {
            return Err(OAuthError::invalid_scope());
        }
        Ok(self.devices.start(&client_id, scopes, origin, now))
    }

    fn family(&mut self) -> u64 {
        self.next_family += 1;
        self.next_family
    }

    // ---- /oauth2/v1/token ------------------------------------------------------------------

    /// `POST /oauth2/v1/token`.
    pub fn token(&mut self, call: &TokenCall) -> TokenAnswer {
        self.stats.requests += 1;
        let mut nonce = None;
        let outcome = self.token_inner(call, &mut nonce);
        match outcome {
            Ok(body) => {
                self.stats.issued += 1;
                TokenAnswer { status: 200, body, nonce }
            }
            Err(e) => {
                if e.error == "use_dpop_nonce" {
                    self.stats.nonce_challenges += 1;
                }
                TokenAnswer { status: e.status, body: e.body(), nonce }
            }
        }
    }

    fn token_inner(&mut self, call: &TokenCall, nonce: &mut Option<String>) -> Result<J, OAuthError> {
        let form = |name: &str| call.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        for (k, _) in call.form {
            if call.form.iter().filter(|(k2, _)| k2 == k).count() > 1 {
                return Err(OAuthError::invalid_request(format!("The '{k}' parameter was supplied more than once.")));
            }
        }
        let client_id = self.authenticate_client(call)?;
        let client = self
            .clients
            .get(&client_id)
            .cloned()
            .ok_or_else(|| OAuthError::invalid_client("Invalid value for the `client_id` parameter"))?;
        let grant =
            form("grant_type").ok_or_else(|| OAuthError::invalid_request("The `grant_type` parameter is required."))?;
        let allowed: &[&str] = match client.auth {
            ClientAuth::PrivateKeyJwt { .. } => &["client_credentials"],
            ClientAuth::Secret { .. } => &["authorization_code", "refresh_token"],
            ClientAuth::Public { .. } => &[DEVICE_CODE_GRANT, "refresh_token"],
        };
        if !["client_credentials", "authorization_code", "refresh_token", DEVICE_CODE_GRANT].contains(&grant) {
            return Err(OAuthError::new(
                400,
                "unsupported_grant_type",
                "The grant type in the request isn't supported.",
            ));
        }
        if !allowed.contains(&grant) {
            return Err(OAuthError::new(
                400,
                "unauthorized_client",
                format!(
                    "The client isn't authorized to use the provided grant type. Configured grant types: [{}].",
                    allowed.join(", ")
                ),
            ));
        }
        let jkt = if client.dpop {
            *nonce = Some(self.token_nonce.clone());
            let proof = match call.dpop.as_slice() {
                [] => return Err(OAuthError::invalid_dpop_proof("The DPoP proof JWT header is missing.")),
                [one] => *one,
                _ => return Err(OAuthError::invalid_dpop_proof("Multiple DPoP proof JWT headers were supplied.")),
            };
            let current = self.token_nonce.clone();
            let previous = self.previous_token_nonce.clone();
            let accepted: Vec<&str> = [Some(current.as_str()), previous.as_deref()].into_iter().flatten().collect();
            match self.verify_proof(proof, "POST", call.url, call.now, None, Some(&accepted)) {
                Ok(p) => Some(p.jkt),
                Err(ProofError::Nonce) => {
                    return Err(OAuthError::new(
                        400,
                        "use_dpop_nonce",
                        "Authorization server requires nonce in DPoP proof.",
                    ))
                }
                Err(ProofError::Invalid(d)) => return Err(OAuthError::invalid_dpop_proof(d)),
            }
        } else {
            None
        };
        match grant {
            "client_credentials" => {
                let scopes: Vec<String> = form("scope").unwrap_or("").split_whitespace().map(str::to_string).collect();
                if scopes.is_empty() {
                    return Err(OAuthError::new(400, "invalid_scope", "No scopes were requested."));
                }
                if scopes.iter().any(|s| !client.scopes.contains(s) || !s.starts_with("okta.")) {
                    return Err(OAuthError::invalid_scope());
                }
                Ok(self.grant(&client, scopes, jkt, call.now, None))
            }
            "authorization_code" => {
                let code_value =
                    form("code").ok_or_else(|| OAuthError::invalid_request("The `code` parameter is required."))?;
                let Some(code) = self.codes.get_mut(code_value) else {
                    return Err(OAuthError::invalid_grant("The authorization code is invalid or has expired."));
                };
                if code.used || code.expires_at <= call.now {
                    // A code presented twice: what it bought is revoked too (RFC 6749 §4.1.2).
                    let family = code.family;
                    code.used = true;
                    self.revoke_family(family);
                    return Err(OAuthError::invalid_grant("The authorization code is invalid or has expired."));
                }
                if code.client_id != client.id {
                    return Err(OAuthError::invalid_grant("The grant was issued to another client. Ensure that the `client_id` matches the one used at the authorize request."));
                }
                if form("redirect_uri") != Some(code.redirect_uri.as_str()) {
                    return Err(OAuthError::invalid_grant(
                        "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
                    ));
                }
                if let Some(challenge) = &code.challenge {
                    match form("code_verifier") {
                        None => {
                            return Err(OAuthError::invalid_grant(
                                "PKCE verification failed: the `code_verifier` parameter is required.",
                            ))
                        }
                        Some(v) if sha256_b64url(v) != *challenge => {
                            return Err(OAuthError::invalid_grant("PKCE verification failed."))
                        }
                        Some(_) => {}
                    }
                }
                code.used = true;
                let (scopes, family) = (code.scopes.clone(), code.family);
                Ok(self.grant(&client, scopes, jkt, call.now, Some(family)))
            }
            DEVICE_CODE_GRANT => {
                let device_code = form("device_code")
                    .ok_or_else(|| OAuthError::invalid_request("The `device_code` parameter is required."))?;
                let scopes = self.devices.poll(device_code, &client.id, call.now)?;
                let family = self.family();
                Ok(self.grant(&client, scopes, jkt, call.now, Some(family)))
            }
            _ => {
                let presented = form("refresh_token")
                    .ok_or_else(|| OAuthError::invalid_request("The `refresh_token` parameter is required."))?;
                let Some(rt) = self.refresh.get(presented).cloned() else {
                    return Err(OAuthError::invalid_grant("The refresh token is invalid or expired."));
                };
                if rt.client_id != client.id {
                    return Err(OAuthError::invalid_grant("The grant was issued to another client. Ensure that the `client_id` matches the one used at the authorize request."));
                }
                let grace = match client.auth {
                    ClientAuth::Secret { rotation: Rotation::Rotate { grace_secs }, .. }
                    | ClientAuth::Public { rotation: Rotation::Rotate { grace_secs } } => Some(grace_secs),
                    _ => None,
                };
                match rt.state {
                    RefreshState::Revoked => {
                        return Err(OAuthError::invalid_grant("The refresh token is invalid or expired."))
                    }
                    RefreshState::Rotated(at) if grace.is_none_or(|g| call.now > at + g) => {
                        // Reuse of a rotated token: whoever holds the family may be an attacker.
                        self.revoke_family(rt.family);
                        return Err(OAuthError::invalid_grant("The refresh token is invalid or expired."));
                    }
                    _ => {}
                }
                let scopes = match form("scope") {
                    None => rt.scopes.clone(),
                    Some(s) => {
                        let asked: Vec<String> = s.split_whitespace().map(str::to_string).collect();
                        if asked.iter().any(|a| !rt.scopes.contains(a)) {
                            return Err(OAuthError::invalid_scope());
                        }
                        asked
                    }
                };
                let mut body = self.access_body(&client, &scopes, jkt, true, call.now);
                let refresh = match grace {
                    Some(_) => {
                        // Every token of the family still active is now superseded.
                        for t in self
                            .refresh
                            .values_mut()
                            .filter(|t| t.family == rt.family && t.state == RefreshState::Active)
                        {
                            t.state = RefreshState::Rotated(call.now);
                        }
                        self.new_refresh(&client.id, &rt.scopes, rt.family)
                    }
                    None => presented.to_string(),
                };
                body.push("refresh_token", J::s(refresh));
                Ok(body)
            }
        }
    }

    fn revoke_family(&mut self, family: u64) {
        for t in self.refresh.values_mut().filter(|t| t.family == family) {
            t.state = RefreshState::Revoked;
        }
    }

    fn new_refresh(&mut self, client_id: &str, scopes: &[String], family: u64) -> String {
        let token = util::token(43);
        self.refresh.insert(
            token.clone(),
            RefreshToken {
                client_id: client_id.to_string(),
                scopes: scopes.to_vec(),
                family,
                state: RefreshState::Active,
            },
        );
        token
    }

    /// Issues an access token (and a refresh token for `offline_access` on a code grant).
    fn grant(&mut self, client: &Client, scopes: Vec<String>, jkt: Option<String>, now: i64, family: Option<u64>) -> J {
        let delegated = family.is_some();
        let mut body = self.access_body(client, &scopes, jkt, delegated, now);
        if let Some(family) = family.filter(|_| scopes.iter().any(|s| s == "offline_access")) {
            let refresh = self.new_refresh(&client.id, &scopes, family);
            body.push("refresh_token", J::s(refresh));
        }
        body
    }

    /// A new access token and the answer that carries it (Okta's key order).
    fn access_body(&mut self, client: &Client, scopes: &[String], jkt: Option<String>, delegated: bool, now: i64) -> J {
        let token = format!("eyJ{}", util::token(60));
        let token_type = if jkt.is_some() { "DPoP" } else { "Bearer" };
        self.access.insert(
            token.clone(),
            AccessToken {
                client_id: Some(client.id.clone()),
                scopes: scopes.to_vec(),
                expires_at: Some(now + self.lifetime_secs),
                jkt,
                delegated,
                revoked: false,
            },
        );
        J::obj([
            ("token_type", J::s(token_type)),
            ("expires_in", J::Num(self.lifetime_secs.into())),
            ("access_token", J::s(token)),
            ("scope", J::s(scopes.join(" "))),
        ])
    }

    // ---- client authentication -------------------------------------------------------------

    /// The client a token request authenticates as: one JWT assertion, Basic header or
    /// posted secret (Okta refuses two at once).
    fn authenticate_client(&mut self, call: &TokenCall) -> Result<String, OAuthError> {
        let form = |name: &str| call.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let basic = call
            .authorization
            .and_then(|a| a.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Basic"))
            .map(|(_, v)| v.trim());
        let assertion = form("client_assertion");
        let posted = form("client_secret");
        if [basic.is_some(), assertion.is_some(), posted.is_some()].iter().filter(|b| **b).count() > 1 {
            return Err(OAuthError::invalid_request("Can't supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a `client_assertion` in the post body."));
        }
        if let Some(assertion) = assertion {
            if form("client_assertion_type") != Some(JWT_BEARER) {
                return Err(OAuthError::invalid_request("The `client_assertion_type` is invalid."));
            }
            return self.check_assertion(assertion, form("client_id"), call.url, call.now);
        }
        let (id, secret) = if let Some(encoded) = basic {
            use base64::Engine as _;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    OAuthError::invalid_client("The client credentials in the Authorization header are malformed.")
                })?;
            let (id, secret) = decoded.split_once(':').ok_or_else(|| {
                OAuthError::invalid_client("The client credentials in the Authorization header are malformed.")
            })?;
            // RFC 6749 §2.3.1: each part is form-encoded before base64.
            let dec = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (dec(id), dec(secret))
        } else if let Some(secret) = posted {
            let id = form("client_id").ok_or_else(|| OAuthError::invalid_client("No client credentials found"))?;
            (id.to_string(), secret.to_string())
        } else {
            // A public client names itself; no other kind may.
            return match form("client_id").and_then(|id| self.clients.get(id)) {
                Some(Client { id, auth: ClientAuth::Public { .. }, .. }) => Ok(id.clone()),
                _ => Err(OAuthError::invalid_client("No client credentials found")),
            };
        };
        let client = self
            .clients
            .get(&id)
            .ok_or_else(|| OAuthError::invalid_client("Invalid value for the `client_id` parameter"))?;
        match &client.auth {
            ClientAuth::Secret { secret: registered, .. } if *registered == secret => Ok(id),
            ClientAuth::Secret { .. } => {
                Err(OAuthError::invalid_client("The client secret supplied for a confidential client is invalid."))
            }
            ClientAuth::PrivateKeyJwt { .. } => Err(OAuthError::invalid_client(
                "The client is configured for `private_key_jwt` client authentication: send a `client_assertion`.",
            )),
            ClientAuth::Public { .. } => {
                Err(OAuthError::invalid_client("The client is a public client: it has no secret to send."))
            }
        }
    }

    /// A `private_key_jwt` assertion: the app's key (by `kid` when the header names one),
    /// then `iss`, `sub`, `aud`, `exp`, `iat` and a single-use `jti`.
    fn check_assertion(
        &mut self,
        jwt: &str,
        form_client: Option<&str>,
        url: &str,
        now: i64,
    ) -> Result<String, OAuthError> {
        let bad = OAuthError::invalid_client;
        let unverified = raw_claims(jwt).ok_or_else(|| bad("The client_assertion token is malformed."))?;
        let iss = str_claim(&unverified, "iss").unwrap_or("").to_string();
        if form_client.is_some_and(|c| c != iss) {
            return Err(bad(
                "The client_assertion token has an 'iss' claim that does not match the `client_id` parameter.",
            ));
        }
        let client = self.clients.get(&iss).ok_or_else(|| bad("Invalid value for the `client_id` parameter"))?;
        let ClientAuth::PrivateKeyJwt { keys } = &client.auth else {
            return Err(bad("The client is not configured for `private_key_jwt` client authentication."));
        };
        let header = jsonwebtoken::decode_header(jwt).map_err(|_| bad("The client_assertion token is malformed."))?;
        if !ASYMMETRIC.contains(&header.alg) {
            return Err(bad("The client_assertion token is signed with an algorithm that is not supported."));
        }
        let candidates: Vec<&PublicKey> = match &header.kid {
            Some(kid) => {
                let named: Vec<&PublicKey> = keys.iter().filter(|k| k.kid.as_deref() == Some(kid.as_str())).collect();
                if named.is_empty() {
                    return Err(bad(
                        "The client_assertion token has a 'kid' that matches no key registered on the client.",
                    ));
                }
                named
            }
            None => keys.iter().collect(),
        };
        let claims = candidates
            .iter()
            .filter(|k| k.key.family() == header.alg.family())
            .find_map(|k| verified_claims(jwt, &k.key, header.alg))
            .ok_or_else(|| bad("The client_assertion signature is invalid."))?;
        if str_claim(&claims, "sub") != Some(iss.as_str()) {
            return Err(bad("The client_assertion token's 'sub' claim must be the client id."));
        }
        let aud_ok = match claims.get("aud") {
            Some(Value::String(a)) => a == url,
            Some(Value::Array(items)) => items.len() == 1 && items[0].as_str() == Some(url),
            _ => false,
        };
        if !aud_ok {
            return Err(bad("The audience claim for client_assertion must be the endpoint invoked for the request."));
        }
        let exp =
            int_claim(&claims, "exp").ok_or_else(|| bad("The client_assertion token must have an 'exp' claim."))?;
        if exp <= now {
            return Err(bad("The client_assertion token is expired."));
        }
        if exp > now + MAX_ASSERTION_SECS {
            return Err(bad("The client_assertion token has an expiration too far into the future."));
        }
        if int_claim(&claims, "iat").is_some_and(|iat| iat > now + 60) {
            return Err(bad("The client_assertion token was issued in the future."));
        }
        if let Some(jti) = str_claim(&claims, "jti") {
            self.assertion_jtis.retain(|_, until| *until > now);
            if self.assertion_jtis.contains_key(jti) {
                return Err(bad("The client_assertion token has already been used: its 'jti' must be new."));
            }
            self.assertion_jtis.insert(jti.to_string(), exp);
        }
        Ok(iss)
    }
}
