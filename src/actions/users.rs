//! Users: `/api/v1/users`, `/api/v1/users/{id}` and its `lifecycle/*`, `credentials/*`,
//! `sessions`, `appLinks`, `groups` and `factors`, and `/api/v1/meta/types/user`.
//!
//! `{id}` paths accept an ID, login or login shortname; `{userId}` paths an ID only (Okta's
//! rule). Every boolean with a documented default is sent explicitly, so Okta's own defaults
//! (e.g. `sendEmail=true` on activate, `forgetDevices=true` in Identity Engine) never apply
//! behind the user's back.

use super::{json_object, limit, optional, required};
use crate::bindings::exports::okta::connector::users::{
    ClearSessionsInput, CreateUserInput, GetUserInput, ListFactorsInput, ListUsersInput, ResetPasswordInput,
    SetPasswordInput, UnenrollFactorInput, UpdateUserInput, UserEmailInput, UserRefInput,
};
use crate::bindings::okta::connector::types::{Connection, Page, PasswordHash};
use crate::connection::connect;
use crate::error::Error;
use crate::okta::{segment, Okta};
use serde_json::{json, Map, Value};

/// `POST /api/v1/users?activate=&provider=[&nextLogin=]`.
pub fn create(c: &Connection, input: CreateUserInput) -> Result<String, Error> {
    let login = required("login", &input.login)?;
    let mut profile = json_object("profile_extra_attributes", &input.profile_extra_attributes)?;
    let locale = optional(&input.locale).unwrap_or("en_US");
    put_named(&mut profile, &named_profile!(input, Some(login), Some(locale)));
    let credentials = credentials(
        optional(&input.password),
        input.hash_password.as_ref(),
        optional(&input.question),
        optional(&input.answer),
        provider(optional(&input.provider_type), optional(&input.provider_name)),
    )?;
    let mut body = user_body(profile, credentials, optional(&input.realm_id));
    if let Some(ids) = &input.group_ids {
        let ids = ids.iter().map(|g| required("group_ids", g).map(Value::from)).collect::<Result<Vec<_>, _>>()?;
        if !ids.is_empty() {
            body.insert("groupIds".into(), Value::Array(ids));
        }
    }
    if let Some(t) = optional(&input.user_type) {
        body.insert("type".into(), json!({ "id": t }));
    }

    let activate = input.activate.unwrap_or(true);
    let next_login = optional(&input.next_login);
    if let Some(n) = next_login {
        if n != "changePassword" {
            return Err(Error::input("next_login", "the only value Okta accepts is `changePassword`"));
        }
        if !activate {
            return Err(Error::input("next_login", "needs activate=true"));
        }
    }
    connect(c)?
        .post("/api/v1/users")
        .query("activate", activate)
        .query("provider", input.provider.unwrap_or(false))
        .query_opt("nextLogin", next_login)
        .json(&Value::Object(body))
        .json_text()
}

/// `GET /api/v1/users/{id}[?expand=]`.
pub fn get(c: &Connection, input: GetUserInput) -> Result<String, Error> {
    let id = required("id", &input.id)?;
    connect(c)?.get(format!("/api/v1/users/{}", segment(id))).query_opt("expand", optional(&input.expand)).json_text()
}

/// `POST /api/v1/users/{id}`: partial update.
pub fn update(c: &Connection, input: UpdateUserInput) -> Result<String, Error> {
    let id = required("id", &input.id)?;
    let mut profile = json_object("profile_extra_attributes", &input.profile_extra_attributes)?;
    put_named(&mut profile, &named_profile!(input, optional(&input.login), optional(&input.locale)));
    let credentials = credentials(
        optional(&input.password),
        input.hash_password.as_ref(),
        optional(&input.question),
        optional(&input.answer),
        None,
    )?;
    let body = user_body(profile, credentials, optional(&input.realm_id));
    if body.is_empty() {
        return Err(Error::input("input", "nothing to update: give at least one attribute, a password or a realm"));
    }
    connect(c)?.post(format!("/api/v1/users/{}", segment(id))).json(&Value::Object(body)).json_text()
}

/// Two `DELETE /api/v1/users/{id}?sendEmail=`: the first deactivates a user that is not yet
/// DEPROVISIONED, the second deletes. A 404 on the second means the first already deleted.
pub fn delete(c: &Connection, input: UserEmailInput) -> Result<(), Error> {
    let id = required("id", &input.id)?;
    let okta = connect(c)?;
    let path = format!("/api/v1/users/{}", segment(id));
    let send_email = input.send_email.unwrap_or(false);
    okta.delete(path.clone()).query("sendEmail", send_email).no_content()?;
    match okta.delete(path).query("sendEmail", send_email).no_content() {
        Err(e) if e.status() == Some(404) => Ok(()),
        other => other,
    }
}

/// `POST /api/v1/users/{id}/lifecycle/activate?sendEmail=`.
pub fn activate(c: &Connection, input: UserEmailInput) -> Result<String, Error> {
    lifecycle_with_email(c, input, "activate")
}

/// `POST /api/v1/users/{id}/lifecycle/deactivate?sendEmail=`.
pub fn deactivate(c: &Connection, input: UserEmailInput) -> Result<String, Error> {
    lifecycle_with_email(c, input, "deactivate")
}

/// `POST /api/v1/users/{id}/lifecycle/reactivate?sendEmail=`.
pub fn reactivate(c: &Connection, input: UserEmailInput) -> Result<String, Error> {
    lifecycle_with_email(c, input, "reactivate")
}

/// `POST /api/v1/users/{id}/lifecycle/suspend`.
pub fn suspend(c: &Connection, input: UserRefInput) -> Result<String, Error> {
    lifecycle(c, &input.id, "suspend")
}

/// `POST /api/v1/users/{id}/lifecycle/unsuspend`.
pub fn unsuspend(c: &Connection, input: UserRefInput) -> Result<String, Error> {
    lifecycle(c, &input.id, "unsuspend")
}

/// `POST /api/v1/users/{id}/lifecycle/unlock`. Okta's unlock takes no `sendEmail`.
pub fn unlock(c: &Connection, input: UserEmailInput) -> Result<String, Error> {
    lifecycle(c, &input.id, "unlock")
}

/// `POST /api/v1/users/{id}/lifecycle/reset_password?sendEmail=&revokeSessions=`
/// (`sendEmail` is required by Okta).
pub fn reset_password(c: &Connection, input: ResetPasswordInput) -> Result<String, Error> {
    let id = required("id", &input.id)?;
    connect(c)?
        .post(format!("/api/v1/users/{}/lifecycle/reset_password", segment(id)))
        .query("sendEmail", input.send_email.unwrap_or(true))
        .query("revokeSessions", input.revoke_sessions.unwrap_or(false))
        .json_text()
}

/// With an old password: `POST /api/v1/users/{userId}/credentials/change_password`.
/// Without: `POST /api/v1/users/{userId}` with the new credential, then
/// `DELETE /api/v1/users/{userId}/sessions` when sessions are to be revoked.
pub fn set_password(c: &Connection, input: SetPasswordInput) -> Result<String, Error> {
    let user_id = required("user_id", &input.user_id)?;
    let new =
        password_credential(optional(&input.new_password), input.new_hash_password.as_ref(), "new_hash_password")?
            .ok_or_else(|| Error::input("new_password", "give New Password or New Hash Password"))?;
    let old =
        password_credential(optional(&input.old_password), input.old_hash_password.as_ref(), "old_hash_password")?;
    let revoke = input.revoke_sessions.unwrap_or(false);
    let okta = connect(c)?;
    match old {
        Some(old) => okta
            .post(format!("/api/v1/users/{}/credentials/change_password", segment(user_id)))
            .json(&json!({ "oldPassword": old, "newPassword": new, "revokeSessions": revoke }))
            .json_text(),
        None => {
            let user = okta
                .post(format!("/api/v1/users/{}", segment(user_id)))
                .json(&json!({ "credentials": { "password": new } }))
                .json_text()?;
            if revoke {
                // Only the sessions: tokens and remembered devices stay, as in Clear User
                // Sessions' defaults.
                delete_sessions(&okta, user_id, false, false)?;
            }
            Ok(user)
        }
    }
}

/// `DELETE /api/v1/users/{userId}/sessions?oauthTokens=&forgetDevices=`.
pub fn clear_sessions(c: &Connection, input: ClearSessionsInput) -> Result<(), Error> {
    let user_id = required("user_id", &input.user_id)?;
    delete_sessions(&connect(c)?, user_id, input.oauth_tokens.unwrap_or(false), input.forget_devices.unwrap_or(false))
}

fn delete_sessions(okta: &Okta, user_id: &str, oauth_tokens: bool, forget_devices: bool) -> Result<(), Error> {
    okta.delete(format!("/api/v1/users/{}/sessions", segment(user_id)))
        .query("oauthTokens", oauth_tokens)
        .query("forgetDevices", forget_devices)
        .no_content()
}

/// `GET /api/v1/users` with search, filter or q, paged by `after`/`limit`.
pub fn list(c: &Connection, input: ListUsersInput) -> Result<Page, Error> {
    let q = optional(&input.q);
    // Okta answers `q` with at most `limit` users (default 10) and no further pages.
    let limit = limit("limit", input.limit, 200, 200)?;
    let sort_order = match optional(&input.sort_order).map(str::to_ascii_lowercase) {
        None => None,
        Some(o) if o == "asc" || o == "desc" => Some(o),
        Some(_) => return Err(Error::input("sort_order", "must be `asc` or `desc`")),
    };
    let okta = connect(c)?;
    let mut call = okta
        .get("/api/v1/users")
        .query_opt("search", optional(&input.search))
        .query_opt("filter", optional(&input.filter))
        .query_opt("q", q)
        .query_opt("after", optional(&input.after))
        .query("limit", limit)
        .query_opt("sortBy", optional(&input.sort_by))
        .query_opt("sortOrder", sort_order);
    for kv in input.extra_parameters.iter().flatten() {
        call = call.query(required("extra_parameters", &kv.key)?, &kv.value);
    }
    let page = call.page(input.fetch_all.unwrap_or(false))?;
    Ok(Page { items: page.items, next_cursor: page.next_cursor })
}

/// `GET /api/v1/users/{id}/appLinks`.
pub fn list_applications(c: &Connection, input: UserRefInput) -> Result<String, Error> {
    let id = required("id", &input.id)?;
    connect(c)?.get(format!("/api/v1/users/{}/appLinks", segment(id))).json_text()
}

/// `GET /api/v1/users/{id}/groups`, following every `next` page.
pub fn list_groups(c: &Connection, input: UserRefInput) -> Result<String, Error> {
    let id = required("id", &input.id)?;
    Ok(connect(c)?.get(format!("/api/v1/users/{}/groups", segment(id))).page(true)?.items)
}

/// `GET /api/v1/users/{userId}/factors`.
pub fn list_factors(c: &Connection, input: ListFactorsInput) -> Result<String, Error> {
    let user_id = required("user_id", &input.user_id)?;
    connect(c)?.get(format!("/api/v1/users/{}/factors", segment(user_id))).json_text()
}

/// `DELETE /api/v1/users/{userId}/factors/{factorId}?removeRecoveryEnrollment=`.
pub fn unenroll_factor(c: &Connection, input: UnenrollFactorInput) -> Result<(), Error> {
    let user_id = required("user_id", &input.user_id)?;
    let factor_id = required("factor_id", &input.factor_id)?;
    connect(c)?
        .delete(format!("/api/v1/users/{}/factors/{}", segment(user_id), segment(factor_id)))
        .query("removeRecoveryEnrollment", input.remove_recovery_enrollment.unwrap_or(false))
        .no_content()
}

/// `GET /api/v1/meta/types/user`.
pub fn list_types(c: &Connection) -> Result<String, Error> {
    connect(c)?.get("/api/v1/meta/types/user").json_text()
}

fn lifecycle(c: &Connection, id: &str, operation: &str) -> Result<String, Error> {
    let id = required("id", id)?;
    connect(c)?.post(format!("/api/v1/users/{}/lifecycle/{operation}", segment(id))).json_text()
}

fn lifecycle_with_email(c: &Connection, input: UserEmailInput, operation: &str) -> Result<String, Error> {
    let id = required("id", &input.id)?;
    connect(c)?
        .post(format!("/api/v1/users/{}/lifecycle/{operation}", segment(id)))
        .query("sendEmail", input.send_email.unwrap_or(false))
        .json_text()
}

/// The profile attributes Create User and Update User both name, as `(Okta name, value)`.
macro_rules! named_profile {
    ($input:expr, $login:expr, $locale:expr) => {
        [
            ("login", $login),
            ("email", optional(&$input.email)),
            ("firstName", optional(&$input.first_name)),
            ("lastName", optional(&$input.last_name)),
            ("mobilePhone", optional(&$input.mobile_phone)),
            ("department", optional(&$input.department)),
            ("employeeNumber", optional(&$input.employee_number)),
            ("locale", $locale),
        ]
    };
}
use named_profile;

/// A create or update body: the profile when not empty, credentials and realm when given.
fn user_body(profile: Map<String, Value>, credentials: Option<Value>, realm_id: Option<&str>) -> Map<String, Value> {
    let mut body = Map::new();
    if !profile.is_empty() {
        body.insert("profile".into(), Value::Object(profile));
    }
    if let Some(credentials) = credentials {
        body.insert("credentials".into(), credentials);
    }
    if let Some(realm) = realm_id {
        body.insert("realmId".into(), json!(realm));
    }
    body
}

/// Named inputs win over the same key in Profile Extra Attributes.
fn put_named(profile: &mut Map<String, Value>, named: &[(&str, Option<&str>)]) {
    for (key, value) in named {
        if let Some(v) = value {
            profile.insert((*key).to_string(), json!(v));
        }
    }
}

fn provider(kind: Option<&str>, name: Option<&str>) -> Option<Value> {
    match (kind, name) {
        (None, None) => None,
        (kind, name) => {
            let mut p = Map::new();
            if let Some(k) = kind {
                p.insert("type".into(), json!(k));
            }
            if let Some(n) = name {
                p.insert("name".into(), json!(n));
            }
            Some(Value::Object(p))
        }
    }
}

/// Okta's `credentials` object, if any part of it was given.
fn credentials(
    password: Option<&str>,
    hash: Option<&PasswordHash>,
    question: Option<&str>,
    answer: Option<&str>,
    provider: Option<Value>,
) -> Result<Option<Value>, Error> {
    let mut credentials = Map::new();
    if let Some(p) = password_credential(password, hash, "hash_password")? {
        credentials.insert("password".into(), p);
    }
    match (question, answer) {
        (Some(q), Some(a)) => {
            credentials.insert("recovery_question".into(), json!({ "question": q, "answer": a }));
        }
        (Some(_), None) => return Err(Error::input("answer", "is required with a recovery question")),
        (None, Some(_)) => return Err(Error::input("question", "is required with a recovery answer")),
        (None, None) => {}
    }
    if let Some(p) = provider {
        credentials.insert("provider".into(), p);
    }
    Ok((!credentials.is_empty()).then_some(Value::Object(credentials)))
}

/// `{"value": …}` or `{"hash": {…}}`; both at once is ambiguous.
fn password_credential(
    value: Option<&str>,
    hash: Option<&PasswordHash>,
    hash_field: &str,
) -> Result<Option<Value>, Error> {
    match (value, hash) {
        (Some(_), Some(_)) => Err(Error::input(hash_field, "give a password or a password hash, not both")),
        (Some(v), None) => Ok(Some(json!({ "value": v }))),
        (None, Some(h)) => Ok(Some(json!({ "hash": password_hash(hash_field, h)? }))),
        (None, None) => Ok(None),
    }
}

fn password_hash(field: &str, h: &PasswordHash) -> Result<Value, Error> {
    const ALGORITHMS: [&str; 6] = ["BCRYPT", "SHA-512", "SHA-256", "SHA-1", "MD5", "PBKDF2"];
    let algorithm = h.algorithm.trim().to_ascii_uppercase();
    if !ALGORITHMS.contains(&algorithm.as_str()) {
        return Err(Error::input(&format!("{field}.algorithm"), format!("must be one of {}", ALGORITHMS.join(", "))));
    }
    required(&format!("{field}.value"), &h.value)?;
    let mut out = Map::new();
    out.insert("algorithm".into(), json!(algorithm));
    out.insert("value".into(), json!(h.value));
    let optional_fields = [
        ("salt", h.salt.as_ref().map(|v| json!(v))),
        ("saltOrder", h.salt_order.as_ref().map(|v| json!(v))),
        ("workFactor", h.work_factor.map(|v| json!(v))),
        ("iterationCount", h.iteration_count.map(|v| json!(v))),
        ("keySize", h.key_size.map(|v| json!(v))),
        ("digestAlgorithm", h.digest_algorithm.as_ref().map(|v| json!(v))),
    ];
    for (key, value) in optional_fields {
        if let Some(v) = value {
            out.insert(key.into(), v);
        }
    }
    Ok(Value::Object(out))
}
