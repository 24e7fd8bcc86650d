//! Who is calling. One place decides the caller from the request: today an API token
//! (`Authorization: SSWS <token>`) acting as the admin who created it, anything else 401
//! E0000011. Routes declare the OAuth scope Okta requires for them ([`Scope`]), so a later
//! authorization server can hand out Bearer/DPoP callers with scopes and the edge enforces them
//! without any area changing.

use http::HeaderMap;

use super::errors::ApiError;
use super::events::Actor;
use super::state::State;

/// The API token the fake org accepts.
pub const TOKEN: &str = "fake-org-token-0123456789";

/// OAuth 2.0 scopes of the management API, as the spec lists them per operation.
#[allow(dead_code)] // used by the areas that follow
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    UsersRead,
    UsersManage,
    GroupsRead,
    GroupsManage,
    AppsRead,
    AppsManage,
    PoliciesRead,
    PoliciesManage,
    RealmsRead,
    RealmsManage,
    LogsRead,
    EventHooksRead,
    EventHooksManage,
    UserTypesRead,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::UsersRead => "okta.users.read",
            Scope::UsersManage => "okta.users.manage",
            Scope::GroupsRead => "okta.groups.read",
            Scope::GroupsManage => "okta.groups.manage",
            Scope::AppsRead => "okta.apps.read",
            Scope::AppsManage => "okta.apps.manage",
            Scope::PoliciesRead => "okta.policies.read",
            Scope::PoliciesManage => "okta.policies.manage",
            Scope::RealmsRead => "okta.realms.read",
            Scope::RealmsManage => "okta.realms.manage",
            Scope::LogsRead => "okta.logs.read",
            Scope::EventHooksRead => "okta.eventHooks.read",
            Scope::EventHooksManage => "okta.eventHooks.manage",
            Scope::UserTypesRead => "okta.userTypes.read",
        }
    }
}

/// How the caller authenticated.
#[allow(dead_code)] // used by the areas that follow
#[derive(Clone, Debug, PartialEq)]
pub enum Credential {
    /// `SSWS`: the admin's permissions, no scopes involved.
    ApiToken,
    /// An OAuth access token granted these scopes (not issued yet; the seam for it).
    OAuth { scopes: Vec<Scope> },
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
            (Credential::OAuth { scopes }, Some(s)) => scopes.contains(&s),
        }
    }
}

/// Decides the caller; 401 E0000011 for a missing, malformed or unknown credential.
pub fn authenticate(st: &State, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let value = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    // Bench only: Okta's Python SDK 3.4.x sends `SSWS<token>` (no space), which Okta refuses.
    let tolerated = st.tolerate_ssws_without_space && value.and_then(|v| v.strip_prefix("SSWS")) == Some(TOKEN);
    let ssws = value
        .and_then(|v| v.split_once(' '))
        .map(|(scheme, token)| scheme.eq_ignore_ascii_case("SSWS") && token.trim() == TOKEN)
        .unwrap_or(false);
    if ssws || tolerated {
        Ok(Caller { actor: st.admin_actor(), credential: Credential::ApiToken })
    } else {
        Err(ApiError::invalid_token())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::AUTHORIZATION, auth.parse().unwrap());
        h
    }

    #[test]
    fn api_token_and_scopes() {
        let mut st = State::default();
        let caller = authenticate(&st, &headers(&format!("SSWS {TOKEN}"))).unwrap();
        assert!(caller.allows(Some(Scope::EventHooksManage)));
        assert_eq!(caller.actor.kind, "User");
        assert_eq!(authenticate(&st, &headers(&format!("Bearer {TOKEN}"))).unwrap_err().code, "E0000011");
        assert!(authenticate(&st, &headers(&format!("SSWS{TOKEN}"))).is_err());
        st.tolerate_ssws_without_space = true;
        assert!(authenticate(&st, &headers(&format!("SSWS{TOKEN}"))).is_ok());
        let oauth = Caller { actor: Actor::system(), credential: Credential::OAuth { scopes: vec![Scope::UsersRead] } };
        assert!(oauth.allows(Some(Scope::UsersRead)) && !oauth.allows(Some(Scope::UsersManage)));
        assert_eq!(Scope::EventHooksRead.as_str(), "okta.eventHooks.read");
    }
}
