//! JSON for the users area's objects, which other areas return too: users (also group
//! members and embedded app users), factors, user types. Keys in Okta's order, `_links` in
//! each object's style.

use serde_json::{Map, Value};

use super::model::{Factor, Status, User, UserType};
use crate::areas::state::State;
use crate::infra::json::J;
use crate::infra::shapes::{allow, ts};
use crate::infra::time::iso;

/// Which `_links` a user object carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkSet {
    /// Users in lists carry only `_links.self`.
    SelfOnly,
    /// Single GET / create / update: one link per allowed lifecycle transition.
    Full,
}

/// Profile keys in Okta's response order: `firstName, lastName, mobilePhone, …, secondEmail,
/// login, email`, with the six base keys always present (null when unset).
fn render_profile(p: &Map<String, Value>) -> J {
    const HEAD: [&str; 3] = ["firstName", "lastName", "mobilePhone"];
    const TAIL: [&str; 3] = ["secondEmail", "login", "email"];
    let get = |k: &str| p.get(k).map(J::from).unwrap_or(J::Null);
    let mut out: Vec<(String, J)> = HEAD.iter().map(|k| (k.to_string(), get(k))).collect();
    out.extend(
        p.iter()
            .filter(|(k, _)| !HEAD.contains(&k.as_str()) && !TAIL.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), J::from(v))),
    );
    out.extend(TAIL.iter().map(|k| (k.to_string(), get(k))));
    J::Obj(out)
}

/// `{"password":{},"emails":[…],"provider":{…}}` with a password, else just the provider.
pub fn render_credentials(u: &User, with_emails: bool) -> J {
    let mut c = J::empty_obj();
    if u.password.is_some() {
        c.push("password", J::empty_obj());
        if with_emails {
            if let Some(email) = u.email() {
                c.push(
                    "emails",
                    J::Arr(vec![J::obj([
                        ("value", J::s(email)),
                        ("status", J::s("VERIFIED")),
                        ("type", J::s("PRIMARY")),
                    ])]),
                );
            }
        }
    }
    if let Some((q, _)) = &u.recovery_question {
        c.push("recovery_question", J::obj([("question", J::s(q.clone()))]));
    }
    c.push("provider", J::obj([("type", J::s(u.provider.0.clone())), ("name", J::s(u.provider.1.clone()))]));
    c
}

/// Lifecycle link names per status, in the order real single-GET responses list them.
fn link_names(u: &User) -> Vec<&'static str> {
    let pw = u.password.is_some();
    let mut v: Vec<&'static str> = match u.status {
        Status::Staged => vec!["schema", "activate", "self", "resetFactors", "type"],
        Status::Provisioned => {
            vec!["suspend", "schema", "resetPassword", "reactivate", "self", "resetFactors", "type", "deactivate"]
        }
        Status::Active | Status::PasswordExpired if pw => vec![
            "suspend",
            "schema",
            "resetPassword",
            "forgotPassword",
            "expirePassword",
            "changeRecoveryQuestion",
            "self",
            "resetFactors",
            "type",
            "changePassword",
            "deactivate",
        ],
        Status::Active | Status::PasswordExpired => {
            vec!["suspend", "schema", "resetPassword", "self", "resetFactors", "type", "deactivate"]
        }
        Status::Recovery => vec![
            "suspend",
            "schema",
            "resetPassword",
            "reactivate",
            "self",
            "resetFactors",
            "type",
            "changePassword",
            "deactivate",
        ],
        Status::LockedOut => {
            vec!["schema", "resetPassword", "unlock", "expirePassword", "self", "resetFactors", "type", "deactivate"]
        }
        Status::Suspended => vec!["schema", "unsuspend", "self", "resetFactors", "type", "deactivate"],
        Status::Deprovisioned => vec!["schema", "activate", "self", "resetFactors", "type", "delete"],
    };
    if !pw {
        v.retain(|n| *n != "changePassword");
    }
    v
}

fn render_links(st: &State, u: &User, origin: &str, set: LinkSet, omit_credential_links: bool) -> J {
    let base = format!("{origin}/api/v1/users/{}", u.id);
    let href = |h: String| J::obj([("href", J::s(h))]);
    let post = |h: String| J::obj([("href", J::s(h)), ("method", J::s("POST"))]);
    if set == LinkSet::SelfOnly {
        return J::obj([("self", href(base))]);
    }
    let schema_id =
        st.user_type(&u.type_id).map(|t| t.schema_id.clone()).unwrap_or_else(|| u.type_id.replacen("oty", "osc", 1));
    let mut links = J::empty_obj();
    for name in link_names(u) {
        if omit_credential_links
            && matches!(name, "resetPassword" | "forgotPassword" | "changePassword" | "changeRecoveryQuestion")
        {
            continue;
        }
        let value = match name {
            "self" => href(base.clone()),
            "schema" => href(format!("{origin}/api/v1/meta/schemas/user/{schema_id}")),
            "type" => href(format!("{origin}/api/v1/meta/types/user/{}", u.type_id)),
            "delete" => J::obj([("href", J::s(base.clone())), ("method", J::s("DELETE"))]),
            "forgotPassword" => post(format!("{base}/credentials/forgot_password")),
            "changePassword" => post(format!("{base}/credentials/change_password")),
            "changeRecoveryQuestion" => post(format!("{base}/credentials/change_recovery_question")),
            "resetPassword" => post(format!("{base}/lifecycle/reset_password")),
            "expirePassword" => post(format!("{base}/lifecycle/expire_password")),
            "resetFactors" => post(format!("{base}/lifecycle/reset_factors")),
            other => post(format!("{base}/lifecycle/{other}")),
        };
        links.push(name, value);
    }
    links
}

/// The user object, keys in Okta order: `id, status, [transitioningToStatus], created,
/// activated, statusChanged, lastLogin, lastUpdated, passwordChanged, [realmId], type, profile,
/// credentials, _links`.
pub fn render_user(st: &State, u: &User, origin: &str, set: LinkSet, omit_credentials: bool) -> J {
    let mut o = J::obj([
        ("id", J::s(u.id.clone())),
        ("status", J::s(u.status.as_str())),
        ("created", ts(Some(u.created))),
        ("activated", ts(u.activated)),
        ("statusChanged", ts(u.status_changed)),
        ("lastLogin", ts(u.last_login)),
        ("lastUpdated", ts(Some(u.last_updated))),
        ("passwordChanged", ts(u.password_changed)),
    ]);
    if let Some(r) = &u.realm_id {
        o.push("realmId", J::s(r.clone()));
    }
    o.push("type", J::obj([("id", J::s(u.type_id.clone()))]));
    o.push("profile", render_profile(&u.profile));
    if !omit_credentials {
        o.push("credentials", render_credentials(u, true));
    }
    o.push("_links", render_links(st, u, origin, set, omit_credentials));
    o
}

/// Factor object (keys as in `examples/user-factors-list.json`; `hints.allow` links).
pub fn render_factor(f: &Factor, origin: &str) -> J {
    let user = format!("{origin}/api/v1/users/{}", f.user_id);
    let base = format!("{user}/factors/{}", f.id);
    let mut o = J::obj([
        ("id", J::s(f.id.clone())),
        ("factorType", J::s(f.factor_type.clone())),
        ("provider", J::s(f.provider.clone())),
    ]);
    if let Some(v) = &f.vendor_name {
        o.push("vendorName", J::s(v.clone()));
    }
    o.push("status", J::s(f.status.clone()));
    o.push("created", J::s(iso(f.created)));
    o.push("lastUpdated", J::s(iso(f.last_updated)));
    o.push("profile", J::from(&f.profile));
    let mut links = J::empty_obj();
    if f.status == "PENDING_ACTIVATION" {
        links.push(
            "next",
            J::obj([
                ("name", J::s("activate")),
                ("href", J::s(format!("{base}/lifecycle/activate"))),
                ("hints", J::obj([("allow", J::Arr(vec![J::s("POST")]))])),
            ]),
        );
        links.push("self", allow(base, &["GET"]));
    } else {
        if f.factor_type == "question" {
            links.push("questions", allow(format!("{user}/factors/questions"), &["GET"]));
        } else {
            links.push("verify", allow(format!("{base}/verify"), &["POST"]));
        }
        links.push("self", allow(base, &["GET", "DELETE"]));
    }
    links.push("user", allow(user, &["GET"]));
    o.push("_links", links);
    o
}

/// User type object; its links use the `{rel, href, method}` style.
pub fn render_user_type(t: &UserType, origin: &str) -> J {
    let rel = |rel: &str, href: String| J::obj([("rel", J::s(rel)), ("href", J::s(href)), ("method", J::s("GET"))]);
    J::obj([
        ("id", J::s(t.id.clone())),
        ("displayName", J::s(t.display_name.clone())),
        ("name", J::s(t.name.clone())),
        ("description", J::s(t.description.clone())),
        ("createdBy", J::s(t.created_by.clone())),
        ("lastUpdatedBy", J::s(t.created_by.clone())),
        ("created", J::s(iso(t.created))),
        ("lastUpdated", J::s(iso(t.last_updated))),
        ("default", J::Bool(t.default)),
        (
            "_links",
            J::obj([
                ("schema", rel("schema", format!("{origin}/api/v1/meta/schemas/user/{}", t.schema_id))),
                ("self", rel("self", format!("{origin}/api/v1/meta/types/user/{}", t.id))),
            ]),
        ),
    ])
}
