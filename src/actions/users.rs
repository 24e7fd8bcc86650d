//! Users: `/api/v1/users`, `/api/v1/users/{id}` and its `lifecycle/*`, `credentials/*`,
//! `sessions`, `appLinks`, `groups` and `factors`, and `/api/v1/meta/types/user`.
//!
//! `{id}` paths accept an ID, login or login shortname; `{userId}` paths an ID only (Okta's
//! rule). Every boolean with a documented default is sent explicitly, so Okta's own defaults
//! (e.g. `sendEmail=true` on activate, `forgetDevices=true` in Identity Engine) never apply
//! behind the user's back.

use super::lost_create::{create_once, Lookup};
use super::{extra_parameters, json_object, not_found_is_done};
use crate::error::Error;
use crate::input::Closed;
use crate::inputs::types::PasswordHash;
use crate::inputs::users::*;
use crate::okta::{segment, Flow, Okta, Page, Paging};
use serde_json::{json, Map, Value};

/// `/api/v1/users/{id}`
fn user_path(field: &str, id: &str) -> Result<String, Error> {
    Ok(format!("/api/v1/users/{}", segment(field, id)?))
}

/// Create User: `POST /api/v1/users?activate=&provider=[&nextLogin=]`. When its answer is
/// lost, `GET /api/v1/users/{login}` says whether it was applied (see [`super::lost_create`]).
pub fn create(okta: &Okta, input: CreateUserInput) -> Result<Flow<String>, Error> {
    let mut profile = json_object("profile_extra_attributes", input.profile_extra_attributes)?;
    put_named(&mut profile, &named_profile!(input, Some(input.login.as_str()), Some(input.locale.as_str())));
    let credentials = credentials(
        input.password.as_deref(),
        input.hash_password.as_ref(),
        input.question.as_deref(),
        input.answer.as_deref(),
        provider(input.provider_type.map(Closed::value), input.provider_name.as_deref()),
    )?;
    let mut body = user_body(profile, credentials, input.realm_id.as_deref());
    if let Some(ids) = &input.group_ids {
        let ids = ids
            .iter()
            .map(|g| match g.trim() {
                "" => Err(Error::input("group_ids", "must not hold an empty id")),
                g => Ok(Value::from(g)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !ids.is_empty() {
            body.insert("groupIds".into(), Value::Array(ids));
        }
    }
    if let Some(t) = &input.user_type {
        body.insert("type".into(), json!({ "id": t }));
    }
    if input.next_login.is_some() && !input.activate {
        return Err(Error::input("next_login", "needs activate=true"));
    }
    let create = okta
        .post("/api/v1/users")
        .query("activate", input.activate)
        .query("provider", input.provider)
        .query_opt("nextLogin", input.next_login)
        .json(&Value::Object(body));
    let lookup = Lookup {
        request: okta.get(user_path("login", &input.login)?),
        pick: with_login,
        what: format!("user with login {}", input.login),
        key: input.login,
    };
    Ok(create_once(create, lookup))
}

/// The user, if its login is `login` (`/users/{id}` also matches an id or a login shortname;
/// Okta compares logins without case).
fn with_login(user: &Value, login: &str) -> Option<Value> {
    let found = user.pointer("/profile/login").and_then(Value::as_str)?;
    found.eq_ignore_ascii_case(login).then(|| user.clone())
}

/// Get User: `GET /api/v1/users/{id}[?expand=]`.
pub fn get(okta: &Okta, input: GetUserInput) -> Result<Flow<String>, Error> {
    Ok(okta.get(user_path("id", &input.id)?).query_opt("expand", input.expand).send_object())
}

/// Update User: `POST /api/v1/users/{id}`, a partial update.
pub fn update(okta: &Okta, input: UpdateUserInput) -> Result<Flow<String>, Error> {
    let path = user_path("id", &input.id)?;
    let mut profile = json_object("profile_extra_attributes", input.profile_extra_attributes.clone())?;
    put_named(&mut profile, &named_profile!(input, input.login.as_deref(), input.locale.as_deref()));
    let credentials = credentials(
        input.password.as_deref(),
        input.hash_password.as_ref(),
        input.question.as_deref(),
        input.answer.as_deref(),
        None,
    )?;
    let body = user_body(profile, credentials, input.realm_id.as_deref());
    if body.is_empty() {
        return Err(Error::input("input", "nothing to update: give at least one attribute, a password or a realm"));
    }
    Ok(okta.post(path).json(&Value::Object(body)).send_object())
}

/// Delete User: two `DELETE /api/v1/users/{id}?sendEmail=`. The first deactivates a user that
/// is not yet DEPROVISIONED, the second deletes; a 404 on the second means the first deleted.
pub fn delete(okta: &Okta, input: UserEmailInput) -> Result<Flow<()>, Error> {
    let path = user_path("id", &input.id)?;
    let second = okta.delete(&path).query("sendEmail", input.send_email);
    Ok(okta
        .delete(path)
        .query("sendEmail", input.send_email)
        .send_empty()
        .and_then(move |()| second.send_empty().then(not_found_is_done)))
}

/// Activate User: `POST /api/v1/users/{id}/lifecycle/activate?sendEmail=`.
pub fn activate(okta: &Okta, input: UserEmailInput) -> Result<Flow<String>, Error> {
    lifecycle(okta, &input.id, "activate", Some(input.send_email))
}

/// Deactivate User: `POST /api/v1/users/{id}/lifecycle/deactivate?sendEmail=`.
pub fn deactivate(okta: &Okta, input: UserEmailInput) -> Result<Flow<String>, Error> {
    lifecycle(okta, &input.id, "deactivate", Some(input.send_email))
}

/// Reactivate User: `POST /api/v1/users/{id}/lifecycle/reactivate?sendEmail=`.
pub fn reactivate(okta: &Okta, input: UserEmailInput) -> Result<Flow<String>, Error> {
    lifecycle(okta, &input.id, "reactivate", Some(input.send_email))
}

/// Suspend User: `POST /api/v1/users/{id}/lifecycle/suspend`.
pub fn suspend(okta: &Okta, input: UserRefInput) -> Result<Flow<String>, Error> {
    lifecycle(okta, &input.id, "suspend", None)
}

/// Unsuspend User: `POST /api/v1/users/{id}/lifecycle/unsuspend`.
pub fn unsuspend(okta: &Okta, input: UserRefInput) -> Result<Flow<String>, Error> {
    lifecycle(okta, &input.id, "unsuspend", None)
}

/// Unlock User: `POST /api/v1/users/{id}/lifecycle/unlock`. Okta's unlock takes no `sendEmail`,
/// so Send Email is accepted and not sent.
pub fn unlock(okta: &Okta, input: UserEmailInput) -> Result<Flow<String>, Error> {
    lifecycle(okta, &input.id, "unlock", None)
}

/// Reset User Password: `POST /api/v1/users/{id}/lifecycle/reset_password?sendEmail=&revokeSessions=`
/// (`sendEmail` is required by Okta).
pub fn reset_password(okta: &Okta, input: ResetPasswordInput) -> Result<Flow<String>, Error> {
    Ok(okta
        .post(format!("{}/lifecycle/reset_password", user_path("id", &input.id)?))
        .query("sendEmail", input.send_email)
        .query("revokeSessions", input.revoke_sessions)
        .send_object())
}

/// Set User Password. With an old password:
/// `POST /api/v1/users/{userId}/credentials/change_password`. Without: an admin set,
/// `POST /api/v1/users/{userId}` with the new credential, then
/// `DELETE /api/v1/users/{userId}/sessions` when sessions are to be revoked.
pub fn set_password(okta: &Okta, input: SetPasswordInput) -> Result<Flow<String>, Error> {
    let path = user_path("user_id", &input.user_id)?;
    let new =
        password_credential(input.new_password.as_deref(), input.new_hash_password.as_ref(), "new_hash_password")?
            .ok_or_else(|| Error::input("new_password", "give New Password or New Hash Password"))?;
    let old =
        password_credential(input.old_password.as_deref(), input.old_hash_password.as_ref(), "old_hash_password")?;
    let revoke = input.revoke_sessions;
    Ok(match old {
        Some(old) => okta
            .post(format!("{path}/credentials/change_password"))
            .json(&json!({ "oldPassword": old, "newPassword": new, "revokeSessions": revoke }))
            .send_object(),
        None => {
            let set = okta.post(&path).json(&json!({ "credentials": { "password": new } })).send_object();
            if !revoke {
                return Ok(set);
            }
            // Only the sessions: tokens and remembered devices stay, as in Clear User
            // Sessions' defaults.
            let sessions = delete_sessions(okta, &path, false, false);
            set.and_then(move |user| sessions.map(move |()| user))
        }
    })
}

/// Clear User Sessions: `DELETE /api/v1/users/{userId}/sessions?oauthTokens=&forgetDevices=`.
pub fn clear_sessions(okta: &Okta, input: ClearSessionsInput) -> Result<Flow<()>, Error> {
    Ok(delete_sessions(okta, &user_path("user_id", &input.user_id)?, input.oauth_tokens, input.forget_devices))
}

fn delete_sessions(okta: &Okta, user_path: &str, oauth_tokens: bool, forget_devices: bool) -> Flow<()> {
    okta.delete(format!("{user_path}/sessions"))
        .query("oauthTokens", oauth_tokens)
        .query("forgetDevices", forget_devices)
        .send_empty()
}

/// List Users: `GET /api/v1/users` with search, filter or q, paged by `after`/`limit`.
/// Okta answers `q` with at most `limit` users and no further pages.
pub fn list(okta: &Okta, input: ListUsersInput) -> Result<Flow<Page>, Error> {
    let named = ["search", "filter", "q", "after", "limit", "sortBy", "sortOrder"];
    let request = okta
        .get("/api/v1/users")
        .query_opt("search", input.search)
        .query_opt("filter", input.filter)
        .query_opt("q", input.q)
        .query_opt("after", input.after)
        .query("limit", input.limit)
        .query_opt("sortBy", input.sort_by)
        .query_opt("sortOrder", input.sort_order);
    Ok(extra_parameters(request, input.extra_parameters, &named)?.send_pages(Paging::new(input.fetch_all)))
}

/// List User Applications: `GET /api/v1/users/{id}/appLinks` (not paged).
pub fn list_applications(okta: &Okta, input: UserRefInput) -> Result<Flow<String>, Error> {
    Ok(okta.get(format!("{}/appLinks", user_path("id", &input.id)?)).send_array())
}

/// List User Groups: `GET /api/v1/users/{id}/groups`, following every `next` page.
pub fn list_groups(okta: &Okta, input: UserRefInput) -> Result<Flow<String>, Error> {
    Ok(okta.get(format!("{}/groups", user_path("id", &input.id)?)).send_pages(Paging::new(true)).map(|p| p.items))
}

/// List User Factors: `GET /api/v1/users/{userId}/factors` (not paged).
pub fn list_factors(okta: &Okta, input: ListFactorsInput) -> Result<Flow<String>, Error> {
    Ok(okta.get(format!("{}/factors", user_path("user_id", &input.user_id)?)).send_array())
}

/// Unenroll User Factor: `DELETE /api/v1/users/{userId}/factors/{factorId}?removeRecoveryEnrollment=`.
pub fn unenroll_factor(okta: &Okta, input: UnenrollFactorInput) -> Result<Flow<()>, Error> {
    Ok(okta
        .delete(format!(
            "{}/factors/{}",
            user_path("user_id", &input.user_id)?,
            segment("factor_id", &input.factor_id)?
        ))
        .query("removeRecoveryEnrollment", input.remove_recovery_enrollment)
        .send_empty())
}

/// List User Types: `GET /api/v1/meta/types/user` (not paged).
pub fn list_types(okta: &Okta) -> Result<Flow<String>, Error> {
    Ok(okta.get("/api/v1/meta/types/user").send_array())
}

fn lifecycle(okta: &Okta, id: &str, operation: &str, send_email: Option<bool>) -> Result<Flow<String>, Error> {
    Ok(okta
        .post(format!("{}/lifecycle/{operation}", user_path("id", id)?))
        .query_opt("sendEmail", send_email)
        .send_object())
}

/// The profile attributes Create User and Update User both name, as `(Okta name, value)`.
macro_rules! named_profile {
    ($input:expr, $login:expr, $locale:expr) => {
        [
            ("login", $login),
            ("email", $input.email.as_deref()),
            ("firstName", $input.first_name.as_deref()),
            ("lastName", $input.last_name.as_deref()),
            ("mobilePhone", $input.mobile_phone.as_deref()),
            ("department", $input.department.as_deref()),
            ("employeeNumber", $input.employee_number.as_deref()),
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
        (None, Some(h)) => Ok(Some(json!({ "hash": password_hash(h) }))),
        (None, None) => Ok(None),
    }
}

/// Okta's `credentials.password.hash`: every check already made on the input.
fn password_hash(h: &PasswordHash) -> Value {
    let mut out = Map::new();
    out.insert("algorithm".into(), json!(h.algorithm.value()));
    out.insert("value".into(), json!(h.value));
    let optional_fields = [
        ("salt", h.salt.as_ref().map(|v| json!(v))),
        ("saltOrder", h.salt_order.map(|v| json!(v.value()))),
        ("workFactor", h.work_factor.map(|v| json!(v))),
        ("iterationCount", h.iteration_count.map(|v| json!(v))),
        ("keySize", h.key_size.map(|v| json!(v))),
        ("digestAlgorithm", h.digest_algorithm.map(|v| json!(v.value()))),
    ];
    for (key, value) in optional_fields {
        if let Some(v) = value {
            out.insert(key.into(), v);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use crate::okta::testing::{drive, expect};

    fn okta() -> Okta {
        Okta::for_tests()
    }

    #[test]
    fn a_create_whose_answer_is_lost_looks_the_login_up() {
        let input =
            CreateUserInput::from_json(r#"{"login":"a@b.com","email":"a@b.com","first_name":"A","last_name":"B"}"#)
                .unwrap();
        let body = json!({"profile": {"login": "a@b.com", "email": "a@b.com", "firstName": "A", "lastName": "B", "locale": "en_US"}});
        let created = crate::timestamp::iso(std::time::SystemTime::now());
        let user = json!({"id": "00u1", "created": created, "profile": {"login": "A@B.com"}}).to_string();
        let date = httpdate::fmt_http_date(std::time::SystemTime::now() + std::time::Duration::from_secs(1));
        let out = drive(
            create(&okta(), input.clone()).unwrap(),
            vec![
                expect("POST", "/api/v1/users?activate=true&provider=false").body(body.clone()).lost(),
                expect("GET", "/api/v1/users/a%40b.com").answer(crate::okta::request::Answer::Raw(
                    crate::okta::transport::HttpResponse {
                        status: 200,
                        headers: vec![("date".into(), date)],
                        body: user.clone().into_bytes(),
                    },
                )),
            ],
        )
        .unwrap();
        assert_eq!(out, user, "the user this action created");
        // A user with another login behind the same path (an id or shortname match) is not it.
        assert_eq!(with_login(&json!({"profile": {"login": "a@b.com.au"}}), "a@b.com"), None);
    }

    #[test]
    fn delete_sends_two_deletes_and_a_404_on_the_second_is_done() {
        let input = UserEmailInput::from_json(r#"{"id":"a@b.com"}"#).unwrap();
        let flow = delete(&okta(), input.clone()).unwrap();
        drive(
            flow,
            vec![
                expect("DELETE", "/api/v1/users/a%40b.com?sendEmail=false"),
                expect("DELETE", "/api/v1/users/a%40b.com?sendEmail=false").fails(404, "E0000007"),
            ],
        )
        .unwrap();
        // A failure of the first is the action's failure, and nothing more is sent.
        let flow = delete(&okta(), input).unwrap();
        let e = drive(flow, vec![expect("DELETE", "/api/v1/users/a%40b.com?sendEmail=false").fails(403, "E0000006")]);
        assert!(matches!(e, Err(Error::Okta(o)) if o.code.as_deref() == Some("E0000006")));
    }

    #[test]
    fn set_password_without_old_then_revokes_sessions() {
        let input =
            SetPasswordInput::from_json(r#"{"user_id":"00u1","new_password":"N3w-Passw0rd","revoke_sessions":true}"#)
                .unwrap();
        let user = drive(
            set_password(&okta(), input).unwrap(),
            vec![
                expect("POST", "/api/v1/users/00u1")
                    .body(json!({"credentials": {"password": {"value": "N3w-Passw0rd"}}}))
                    .answer_json(r#"{"id":"00u1"}"#),
                expect("DELETE", "/api/v1/users/00u1/sessions?oauthTokens=false&forgetDevices=false"),
            ],
        )
        .unwrap();
        assert_eq!(user, r#"{"id":"00u1"}"#, "the result is the updated user");
    }

    #[test]
    fn list_keeps_named_parameters_named() {
        let input = ListUsersInput::from_json(
            r#"{"search":"status eq \"ACTIVE\"","extra_parameters":[{"key":"expand","value":"classification"}]}"#,
        )
        .unwrap();
        drive(
            list(&okta(), input).unwrap(),
            vec![expect("GET", "/api/v1/users?search=status+eq+%22ACTIVE%22&limit=200&expand=classification").answer(
                crate::okta::request::Answer::Page(Page { items: "[]".into(), next_cursor: None, capped: false }),
            )],
        )
        .unwrap();
        let input = ListUsersInput::from_json(r#"{"extra_parameters":[{"key":"limit","value":"999"}]}"#).unwrap();
        let e = list(&okta(), input).map(|_| ()).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "extra_parameters[0].key"), "{e:?}");
    }
}
