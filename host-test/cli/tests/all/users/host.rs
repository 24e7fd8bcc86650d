//! Exact requests of every Users action, through the built component.
//!
//! Each test scripts the requests the WIT docs (`wit/users.wit`) promise — method, path,
//! query (booleans with a documented default are always sent), `Authorization: SSWS`,
//! `Accept`, `Content-Type` on bodies, a `User-Agent`, the JSON body — and Okta's answers,
//! then runs the same input through the typed export and through `invoke`: both must send
//! exactly the script and return the same value.

use anyhow::Result;
use okta_harness::*;
use serde_json::{json, Value};

const TOKEN: &str = "00aBcD-test-token-XyZ";
const ORIGIN: &str = "https://acme.okta.com";
const UID: &str = "00ub0oNGTSWTBKOLGLNR";

fn connector() -> &'static Connector {
    Connector::shared().unwrap_or_else(|e| panic!("{e:#}"))
}

fn connection() -> Connection {
    api_token("acme.okta.com", TOKEN)
}

/// A request with the API-token headers and no body.
fn req(method: &str, path_and_query: &str) -> ExpectedRequest {
    ExpectedRequest::new(method, path_and_query).okta_ssws(TOKEN)
}

/// A request with the API-token headers and a JSON body.
fn req_json(method: &str, path_and_query: &str, body: Value) -> ExpectedRequest {
    ExpectedRequest::new(method, path_and_query).okta_json(TOKEN, body)
}

fn user(id: &str, status: &str, login: &str) -> Value {
    json!({
        "id": id,
        "status": status,
        "created": "2026-01-05T10:00:00.000Z",
        "activated": null,
        "statusChanged": null,
        "lastLogin": null,
        "lastUpdated": "2026-01-05T10:00:00.000Z",
        "passwordChanged": null,
        "type": { "id": "oty1xq2rxmFBeyHsm0g4" },
        "profile": {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "mobilePhone": null,
            "secondEmail": null,
            "login": login,
            "email": login
        },
        "credentials": { "provider": { "type": "OKTA", "name": "OKTA" } },
        "_links": { "self": { "href": format!("{ORIGIN}/api/v1/users/{id}") } }
    })
}

/// Runs both doors and returns the (common) successful result.
async fn ok(
    script: Vec<(ExpectedRequest, CannedResponse)>,
    action: &str,
    input: Value,
) -> Result<(Value, Vec<Exchange>)> {
    let both = connector().both_doors(&script, &connection(), action, &input).await?;
    for e in &both.exchanges {
        assert!(e.url.starts_with(ORIGIN), "{action} went to {}", e.url);
    }
    match both.result {
        Ok(v) => Ok((v, both.exchanges)),
        Err(e) => panic!("{action} failed: {}", error_json(&e)),
    }
}

/// Runs both doors and returns the (common) error.
async fn fails(script: Vec<(ExpectedRequest, CannedResponse)>, action: &str, input: Value) -> Result<WitError> {
    let both = connector().both_doors(&script, &connection(), action, &input).await?;
    match both.result {
        Ok(v) => panic!("{action} succeeded with {v}, expected an error"),
        Err(e) => {
            assert!(!format!("{e:?}").contains(TOKEN), "the token leaked into {e:?}");
            Ok(e)
        }
    }
}

// ---- users.create ---------------------------------------------------------------------------

#[tokio::test]
pub(crate) async fn create_sends_profile_credentials_and_explicit_defaults() -> Result<()> {
    let login = "ada.lovelace@example.com";
    let created = user(UID, "ACTIVE", login);
    let script = vec![(
        req_json(
            "POST",
            "/api/v1/users?activate=true&provider=false",
            json!({
                "profile": {
                    "login": login,
                    "email": login,
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "locale": "en_US"
                },
                "credentials": { "password": { "value": "Tr0ub4dor&3-horse" } }
            }),
        ),
        CannedResponse::json(200, created.clone()),
    )];
    let input = json!({
        "login": login,
        "email": login,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "password": "Tr0ub4dor&3-horse"
    });
    let (out, exchanges) = ok(script, "users.create", input).await?;
    assert_eq!(out, created);
    assert_eq!(exchanges.len(), 1);
    assert!(exchanges[0].request_header("user-agent").is_some_and(|ua| !ua.is_empty()));
    Ok(())
}

#[tokio::test]
async fn create_with_every_option() -> Result<()> {
    let login = "grace@example.com";
    let created = user(UID, "STAGED", login);
    let script = vec![(
        req_json(
            "POST",
            "/api/v1/users?activate=true&provider=true&nextLogin=changePassword",
            json!({
                "profile": {
                    "login": login,
                    "email": "grace.hopper@example.com",
                    "firstName": "Grace",
                    "lastName": "Hopper",
                    "mobilePhone": "+1 555 0100",
                    "department": "Navy",
                    "employeeNumber": "1906",
                    "locale": "en_GB",
                    "costCenter": "10",
                    "nickName": "Amazing Grace"
                },
                "credentials": {
                    "password": { "value": "C0bol-is-f1ne" },
                    "recovery_question": { "question": "First compiler?", "answer": "A-0" },
                    "provider": { "type": "OKTA", "name": "OKTA" }
                },
                "groupIds": ["00g1emaKYZTWRYYRRTSK", "00garwpuyxHaWOkdV0g4"],
                "type": { "id": "oty1xq2rxmFBeyHsm0g4" },
                "realmId": "guo1afiNtSnZYILxO0g4"
            }),
        ),
        CannedResponse::json(200, created.clone()),
    )];
    let input = json!({
        "login": login,
        "email": "grace.hopper@example.com",
        "first_name": "Grace",
        "last_name": "Hopper",
        "mobile_phone": "+1 555 0100",
        "department": "Navy",
        "employee_number": "1906",
        "locale": "en_GB",
        "password": "C0bol-is-f1ne",
        "question": "First compiler?",
        "answer": "A-0",
        "provider_type": "OKTA",
        "provider_name": "OKTA",
        "group_ids": ["00g1emaKYZTWRYYRRTSK", "00garwpuyxHaWOkdV0g4"],
        "realm_id": "guo1afiNtSnZYILxO0g4",
        "user_type": "oty1xq2rxmFBeyHsm0g4",
        "next_login": "changePassword",
        "provider": true,
        "activate": true,
        "profile_extra_attributes": "{\"costCenter\": \"10\", \"nickName\": \"Amazing Grace\"}"
    });
    let (out, _) = ok(script, "users.create", input).await?;
    assert_eq!(out, created);
    Ok(())
}

#[tokio::test]
async fn create_staged_with_a_password_hash() -> Result<()> {
    let created = user(UID, "STAGED", "alan@example.com");
    let script = vec![(
        req_json(
            "POST",
            "/api/v1/users?activate=false&provider=false",
            json!({
                "profile": { "login": "alan@example.com", "locale": "en_US" },
                "credentials": { "password": { "hash": {
                    "algorithm": "BCRYPT",
                    "value": "Zq9b1GfV0Sh7c6q1ZbFLtL3dnZV7t8m",
                    "salt": "rwh3vH166HCH/NT9XV5FYu",
                    "workFactor": 10
                } } }
            }),
        ),
        CannedResponse::json(200, created.clone()),
    )];
    let input = json!({
        "login": "alan@example.com",
        "activate": false,
        "hash_password": {
            "algorithm": "BCRYPT",
            "value": "Zq9b1GfV0Sh7c6q1ZbFLtL3dnZV7t8m",
            "salt": "rwh3vH166HCH/NT9XV5FYu",
            "work_factor": 10
        }
    });
    let (out, _) = ok(script, "users.create", input).await?;
    assert_eq!(out, created);
    Ok(())
}

/// The typed export with a hand-built record (not through serde), as a Rust host would call it.
#[tokio::test]
async fn create_through_a_hand_built_record() -> Result<()> {
    let created = user(UID, "PROVISIONED", "ada@example.com");
    let script = vec![(
        req_json(
            "POST",
            "/api/v1/users?activate=true&provider=false",
            json!({ "profile": { "login": "ada@example.com", "email": "ada@example.com", "locale": "en_US" } }),
        ),
        CannedResponse::json(200, created.clone()),
    )];
    let input = CreateUserInput {
        login: "ada@example.com".into(),
        email: Some("ada@example.com".into()),
        department: None,
        employee_number: None,
        locale: None,
        first_name: None,
        last_name: None,
        mobile_phone: None,
        password: None,
        hash_password: None,
        question: None,
        answer: None,
        provider_name: None,
        provider_type: None,
        group_ids: None,
        realm_id: None,
        user_type: None,
        next_login: None,
        provider: None,
        activate: None,
        profile_extra_attributes: None,
    };
    let mut instance = connector().instantiate(Backend::scripted(script)).await?;
    let out = instance.users().create(&connection(), &input).await?.expect("users.create");
    assert_eq!(serde_json::from_str::<Value>(&out)?, created);
    instance.assert_script_consumed()?;
    Ok(())
}

// ---- users.get / update ---------------------------------------------------------------------

#[tokio::test]
pub(crate) async fn get_by_id_with_expand() -> Result<()> {
    let u = user(UID, "ACTIVE", "ada@example.com");
    let script = vec![(
        req("GET", &format!("/api/v1/users/{UID}?expand=blocks")),
        CannedResponse::json(200, u.clone()).header("etag", "W/\"1\""),
    )];
    let (out, _) = ok(script, "users.get", json!({ "id": UID, "expand": "blocks" })).await?;
    assert_eq!(out, u);
    Ok(())
}

#[tokio::test]
async fn get_by_login_encodes_the_path_segment() -> Result<()> {
    let u = user(UID, "ACTIVE", "ada+test@example.com");
    let script = vec![(req("GET", "/api/v1/users/ada%2Btest%40example.com"), CannedResponse::json(200, u.clone()))];
    let (out, _) = ok(script, "users.get", json!({ "id": "ada+test@example.com" })).await?;
    assert_eq!(out, u);
    Ok(())
}

#[tokio::test]
async fn get_unknown_user_is_not_found_with_okta_details() -> Result<()> {
    let script = vec![(
        req("GET", "/api/v1/users/00unobody"),
        CannedResponse::okta_error(404, "E0000007", "Not found: Resource not found: 00unobody (User)"),
    )];
    let e = fails(script, "users.get", json!({ "id": "00unobody" })).await?;
    let WitError::Okta(o) = e.clone() else { panic!("expected not-found, got {e:?}") };
    assert_eq!(o.kind, OktaErrorKind::NotFound);
    assert_eq!(o.status, 404);
    assert_eq!(o.error_code.as_deref(), Some("E0000007"));
    assert_eq!(o.summary, "Not found: Resource not found: 00unobody (User)");
    assert_eq!(o.error_id.as_deref(), Some("oaeScriptedError0000000"));
    assert_eq!(o.request_id.as_deref(), Some("scripted-request-id"));
    Ok(())
}

#[tokio::test]
async fn a_rejected_token_is_unauthorized_and_not_retried() -> Result<()> {
    let script = vec![(
        req("GET", &format!("/api/v1/users/{UID}")),
        CannedResponse::okta_error(401, "E0000011", "Invalid token provided"),
    )];
    let e = fails(script, "users.get", json!({ "id": UID })).await?;
    assert!(
        matches!(&e, WitError::Okta(o) if o.kind == OktaErrorKind::Unauthorized && o.error_code.as_deref() == Some("E0000011")),
        "{e:?}"
    );
    Ok(())
}

#[tokio::test]
pub(crate) async fn update_posts_only_the_given_fields() -> Result<()> {
    let u = user(UID, "ACTIVE", "ada@example.com");
    let script = vec![(
        req_json(
            "POST",
            &format!("/api/v1/users/{UID}"),
            json!({ "profile": { "firstName": "Augusta", "department": "Math", "costCenter": "42" } }),
        ),
        CannedResponse::json(200, u.clone()),
    )];
    let input = json!({
        "id": UID,
        "first_name": "Augusta",
        "department": "Math",
        "profile_extra_attributes": "{\"costCenter\":\"42\"}"
    });
    let (out, _) = ok(script, "users.update", input).await?;
    assert_eq!(out, u);
    Ok(())
}

#[tokio::test]
async fn update_password_recovery_and_realm() -> Result<()> {
    let u = user(UID, "ACTIVE", "ada@example.com");
    let script = vec![(
        req_json(
            "POST",
            &format!("/api/v1/users/{UID}"),
            json!({
                "credentials": {
                    "password": { "value": "N3w-Passw0rd!" },
                    "recovery_question": { "question": "Pet?", "answer": "Cat" }
                },
                "realmId": "guo1afiNtSnZYILxO0g4"
            }),
        ),
        CannedResponse::json(200, u.clone()),
    )];
    let input = json!({
        "id": UID,
        "password": "N3w-Passw0rd!",
        "question": "Pet?",
        "answer": "Cat",
        "realm_id": "guo1afiNtSnZYILxO0g4"
    });
    let (out, _) = ok(script, "users.update", input).await?;
    assert_eq!(out, u);
    Ok(())
}

// ---- users.delete ---------------------------------------------------------------------------

#[tokio::test]
pub(crate) async fn delete_sends_delete_twice() -> Result<()> {
    let path = format!("/api/v1/users/{UID}?sendEmail=false");
    let script =
        vec![(req("DELETE", &path), CannedResponse::empty(204)), (req("DELETE", &path), CannedResponse::empty(204))];
    let (out, exchanges) = ok(script, "users.delete", json!({ "id": UID })).await?;
    assert_eq!(out, json!({}));
    assert_eq!(exchanges.len(), 2);
    Ok(())
}

#[tokio::test]
async fn delete_accepts_404_on_the_second_call() -> Result<()> {
    let path = format!("/api/v1/users/{UID}?sendEmail=true");
    let script = vec![
        (req("DELETE", &path), CannedResponse::empty(204)),
        (req("DELETE", &path), CannedResponse::okta_error(404, "E0000007", "Not found: Resource not found")),
    ];
    let (out, _) = ok(script, "users.delete", json!({ "id": UID, "send_email": true })).await?;
    assert_eq!(out, json!({}));
    Ok(())
}

#[tokio::test]
async fn delete_reports_404_on_the_first_call() -> Result<()> {
    let script = vec![(
        req("DELETE", "/api/v1/users/00unobody?sendEmail=false"),
        CannedResponse::okta_error(404, "E0000007", "Not found: Resource not found: 00unobody (User)"),
    )];
    let e = fails(script, "users.delete", json!({ "id": "00unobody" })).await?;
    assert!(matches!(&e, WitError::Okta(o) if o.kind == OktaErrorKind::NotFound), "{e:?}");
    Ok(())
}

// ---- lifecycle ------------------------------------------------------------------------------

#[tokio::test]
pub(crate) async fn activate_sends_send_email_false_by_default() -> Result<()> {
    let token = json!({
        "activationUrl": "https://acme.okta.com/welcome/XE6wE17zmphl3KqAPFxO",
        "activationToken": "XE6wE17zmphl3KqAPFxO"
    });
    let script = vec![(
        req("POST", &format!("/api/v1/users/{UID}/lifecycle/activate?sendEmail=false")),
        CannedResponse::json(200, token.clone()),
    )];
    let (out, _) = ok(script, "users.activate", json!({ "id": UID })).await?;
    assert_eq!(out, token);
    Ok(())
}

#[tokio::test]
async fn activate_with_email() -> Result<()> {
    let script = vec![(
        req("POST", &format!("/api/v1/users/{UID}/lifecycle/activate?sendEmail=true")),
        CannedResponse::json(200, json!({})),
    )];
    let (out, _) = ok(script, "users.activate", json!({ "id": UID, "send_email": true })).await?;
    assert_eq!(out, json!({}));
    Ok(())
}

#[tokio::test]
async fn activating_an_active_user_is_forbidden() -> Result<()> {
    let script = vec![(
        req("POST", &format!("/api/v1/users/{UID}/lifecycle/activate?sendEmail=false")),
        CannedResponse::okta_error(403, "E0000016", "Activation failed because the user is already active"),
    )];
    let e = fails(script, "users.activate", json!({ "id": UID })).await?;
    assert!(
        matches!(&e, WitError::Okta(o) if o.kind == OktaErrorKind::Forbidden && o.error_code.as_deref() == Some("E0000016")),
        "{e:?}"
    );
    Ok(())
}

#[tokio::test]
pub(crate) async fn deactivate_with_an_empty_answer_gives_an_empty_object() -> Result<()> {
    let script = vec![(
        req("POST", &format!("/api/v1/users/{UID}/lifecycle/deactivate?sendEmail=false")),
        CannedResponse::empty(200),
    )];
    let (out, _) = ok(script, "users.deactivate", json!({ "id": UID })).await?;
    assert_eq!(out, json!({}));
    Ok(())
}

#[tokio::test]
pub(crate) async fn reactivate_with_email() -> Result<()> {
    let script = vec![(
        req("POST", &format!("/api/v1/users/{UID}/lifecycle/reactivate?sendEmail=true")),
        CannedResponse::json(200, json!({})),
    )];
    let (out, _) = ok(script, "users.reactivate", json!({ "id": UID, "send_email": true })).await?;
    assert_eq!(out, json!({}));
    Ok(())
}

#[tokio::test]
async fn suspend_and_unsuspend_send_no_query() -> Result<()> {
    for op in ["suspend", "unsuspend"] {
        let script =
            vec![(req("POST", &format!("/api/v1/users/{UID}/lifecycle/{op}")), CannedResponse::json(200, json!({})))];
        let (out, _) = ok(script, &format!("users.{op}"), json!({ "id": UID })).await?;
        assert_eq!(out, json!({}));
    }
    Ok(())
}

#[tokio::test]
async fn suspending_a_staged_user_is_rejected() -> Result<()> {
    let script = vec![(
        req("POST", &format!("/api/v1/users/{UID}/lifecycle/suspend")),
        CannedResponse::okta_error(400, "E0000001", "Api validation failed: suspendUser"),
    )];
    let e = fails(script, "users.suspend", json!({ "id": UID })).await?;
    assert!(matches!(&e, WitError::Okta(o) if o.kind == OktaErrorKind::Rejected && o.status == 400), "{e:?}");
    Ok(())
}

#[tokio::test]
pub(crate) async fn suspend_and_unsuspend_post_their_lifecycle_calls() -> Result<()> {
    for (action, operation) in [("users.suspend", "suspend"), ("users.unsuspend", "unsuspend")] {
        let script = vec![(
            req("POST", &format!("/api/v1/users/{UID}/lifecycle/{operation}")),
            CannedResponse::json(200, json!({})),
        )];
        let (out, _) = ok(script, action, json!({ "id": UID })).await?;
        assert_eq!(out, json!({}), "{action}");
    }
    Ok(())
}

#[tokio::test]
pub(crate) async fn unlock_does_not_send_send_email() -> Result<()> {
    let script =
        vec![(req("POST", &format!("/api/v1/users/{UID}/lifecycle/unlock")), CannedResponse::json(200, json!({})))];
    let (out, _) = ok(script, "users.unlock", json!({ "id": UID, "send_email": true })).await?;
    assert_eq!(out, json!({}));
    Ok(())
}

#[tokio::test]
pub(crate) async fn reset_password_defaults_to_email_without_revoking() -> Result<()> {
    let script = vec![(
        req("POST", &format!("/api/v1/users/{UID}/lifecycle/reset_password?sendEmail=true&revokeSessions=false")),
        CannedResponse::json(200, json!({})),
    )];
    let (out, _) = ok(script, "users.reset-password", json!({ "id": UID })).await?;
    assert_eq!(out, json!({}));
    Ok(())
}

#[tokio::test]
async fn reset_password_without_email_returns_the_link() -> Result<()> {
    let link = json!({ "resetPasswordUrl": "https://acme.okta.com/reset_password/XE6wE17zmphl3KqAPFxO" });
    let script = vec![(
        req("POST", &format!("/api/v1/users/{UID}/lifecycle/reset_password?sendEmail=false&revokeSessions=true")),
        CannedResponse::json(200, link.clone()),
    )];
    let input = json!({ "id": UID, "send_email": false, "revoke_sessions": true });
    let (out, _) = ok(script, "users.reset-password", input).await?;
    assert_eq!(out, link);
    Ok(())
}

// ---- users.set-password ---------------------------------------------------------------------

#[tokio::test]
pub(crate) async fn set_password_without_old_password_is_an_admin_set() -> Result<()> {
    let u = user(UID, "ACTIVE", "ada@example.com");
    let script = vec![(
        req_json(
            "POST",
            &format!("/api/v1/users/{UID}"),
            json!({ "credentials": { "password": { "value": "Adm1n-Set-Pw!" } } }),
        ),
        CannedResponse::json(200, u.clone()),
    )];
    let (out, _) = ok(script, "users.set-password", json!({ "user_id": UID, "new_password": "Adm1n-Set-Pw!" })).await?;
    assert_eq!(out, u);
    Ok(())
}

#[tokio::test]
async fn set_password_admin_set_then_revokes_sessions() -> Result<()> {
    let u = user(UID, "ACTIVE", "ada@example.com");
    let script = vec![
        (
            req_json(
                "POST",
                &format!("/api/v1/users/{UID}"),
                json!({ "credentials": { "password": { "value": "Adm1n-Set-Pw!" } } }),
            ),
            CannedResponse::json(200, u.clone()),
        ),
        (
            req("DELETE", &format!("/api/v1/users/{UID}/sessions?oauthTokens=false&forgetDevices=false")),
            CannedResponse::empty(204),
        ),
    ];
    let input = json!({ "user_id": UID, "new_password": "Adm1n-Set-Pw!", "revoke_sessions": true });
    let (out, _) = ok(script, "users.set-password", input).await?;
    assert_eq!(out, u);
    Ok(())
}

#[tokio::test]
async fn set_password_with_old_password_uses_change_password() -> Result<()> {
    let credentials = json!({
        "password": {},
        "recovery_question": { "question": "Pet?" },
        "provider": { "type": "OKTA", "name": "OKTA" }
    });
    let script = vec![(
        req_json(
            "POST",
            &format!("/api/v1/users/{UID}/credentials/change_password"),
            json!({
                "oldPassword": { "value": "0ld-Passw0rd" },
                "newPassword": { "value": "N3w-Passw0rd" },
                "revokeSessions": false
            }),
        ),
        CannedResponse::json(200, credentials.clone()),
    )];
    let input = json!({ "user_id": UID, "old_password": "0ld-Passw0rd", "new_password": "N3w-Passw0rd" });
    let (out, _) = ok(script, "users.set-password", input).await?;
    assert_eq!(out, credentials);
    Ok(())
}

#[tokio::test]
async fn set_password_with_a_new_hash_on_a_staged_user() -> Result<()> {
    let u = user(UID, "STAGED", "ada@example.com");
    let script = vec![(
        req_json(
            "POST",
            &format!("/api/v1/users/{UID}"),
            json!({ "credentials": { "password": { "hash": {
                "algorithm": "PBKDF2",
                "value": "aGFzaA==",
                "salt": "c2FsdA==",
                "saltOrder": "PREFIX",
                "iterationCount": 4096,
                "keySize": 32,
                "digestAlgorithm": "SHA256_HMAC"
            } } } }),
        ),
        CannedResponse::json(200, u.clone()),
    )];
    let input = json!({
        "user_id": UID,
        "new_hash_password": {
            "algorithm": "PBKDF2",
            "value": "aGFzaA==",
            "salt": "c2FsdA==",
            "salt_order": "PREFIX",
            "iteration_count": 4096,
            "key_size": 32,
            "digest_algorithm": "SHA256_HMAC"
        }
    });
    let (out, _) = ok(script, "users.set-password", input).await?;
    assert_eq!(out, u);
    Ok(())
}

// ---- sessions and factors -------------------------------------------------------------------

#[tokio::test]
pub(crate) async fn clear_sessions_sends_both_flags() -> Result<()> {
    let script = vec![(
        req("DELETE", &format!("/api/v1/users/{UID}/sessions?oauthTokens=false&forgetDevices=false")),
        CannedResponse::empty(204),
    )];
    let (out, _) = ok(script, "users.clear-sessions", json!({ "user_id": UID })).await?;
    assert_eq!(out, json!({}));

    let script = vec![(
        req("DELETE", &format!("/api/v1/users/{UID}/sessions?oauthTokens=true&forgetDevices=true")),
        CannedResponse::empty(204),
    )];
    let input = json!({ "user_id": UID, "oauth_tokens": true, "forget_devices": true });
    let (out, _) = ok(script, "users.clear-sessions", input).await?;
    assert_eq!(out, json!({}));
    Ok(())
}

#[tokio::test]
pub(crate) async fn list_factors() -> Result<()> {
    let factors = json!([{
        "id": "ufs2bysphxKODSZKWVCT",
        "factorType": "question",
        "provider": "OKTA",
        "status": "ACTIVE",
        "profile": { "question": "favorite_art_piece", "questionText": "What is your favorite piece of art?" }
    }]);
    let script =
        vec![(req("GET", &format!("/api/v1/users/{UID}/factors")), CannedResponse::json(200, factors.clone()))];
    let (out, _) = ok(script, "users.list-factors", json!({ "user_id": UID })).await?;
    assert_eq!(out, factors);
    Ok(())
}

#[tokio::test]
pub(crate) async fn unenroll_factor_sends_remove_recovery_enrollment() -> Result<()> {
    let fid = "mbl1nz9JHJGHWRKMTLHP";
    let script = vec![(
        req("DELETE", &format!("/api/v1/users/{UID}/factors/{fid}?removeRecoveryEnrollment=false")),
        CannedResponse::empty(204),
    )];
    let (out, _) = ok(script, "users.unenroll-factor", json!({ "user_id": UID, "factor_id": fid })).await?;
    assert_eq!(out, json!({}));

    let script = vec![(
        req("DELETE", &format!("/api/v1/users/{UID}/factors/{fid}?removeRecoveryEnrollment=true")),
        CannedResponse::empty(204),
    )];
    let input = json!({ "user_id": UID, "factor_id": fid, "remove_recovery_enrollment": true });
    let (out, _) = ok(script, "users.unenroll-factor", input).await?;
    assert_eq!(out, json!({}));
    Ok(())
}

// ---- lists ----------------------------------------------------------------------------------

#[tokio::test]
pub(crate) async fn list_sends_limit_200_by_default_and_returns_one_page() -> Result<()> {
    let users = json!([user(UID, "ACTIVE", "ada@example.com")]);
    let script = vec![(req("GET", "/api/v1/users?limit=200"), CannedResponse::json(200, users.clone()))];
    let (out, _) = ok(script, "users.list", json!({})).await?;
    assert_eq!(out, json!({ "items": users, "next_cursor": null }));
    Ok(())
}

#[tokio::test]
async fn list_gives_the_next_cursor_from_the_link_header() -> Result<()> {
    let users =
        json!([user(UID, "ACTIVE", "ada@example.com"), user("00ub0oNGTSWTBKOLGLNS", "ACTIVE", "bob@example.com")]);
    let script = vec![(
        req("GET", "/api/v1/users?filter=status+eq+%22ACTIVE%22&limit=2"),
        CannedResponse::json(200, users.clone())
            .header("link", &format!("<{ORIGIN}/api/v1/users?filter=status+eq+%22ACTIVE%22&limit=2>; rel=\"self\""))
            .link_next(&format!(
                "{ORIGIN}/api/v1/users?after=00ub0oNGTSWTBKOLGLNS&filter=status+eq+%22ACTIVE%22&limit=2"
            )),
    )];
    let (out, _) = ok(script, "users.list", json!({ "filter": "status eq \"ACTIVE\"", "limit": 2 })).await?;
    assert_eq!(out, json!({ "items": users, "next_cursor": "00ub0oNGTSWTBKOLGLNS" }));
    Ok(())
}

#[tokio::test]
async fn list_with_search_sort_after_and_extra_parameters() -> Result<()> {
    let script = vec![(
        req(
            "GET",
            "/api/v1/users?search=profile.department+eq+%22Sales%22&after=00uCursor&limit=50&sortBy=profile.lastName&sortOrder=desc&fields=id%2Cstatus",
        ),
        CannedResponse::json(200, json!([])),
    )];
    let input = json!({
        "search": "profile.department eq \"Sales\"",
        "after": "00uCursor",
        "limit": 50,
        "sort_by": "profile.lastName",
        "sort_order": "desc",
        "extra_parameters": [{ "key": "fields", "value": "id,status" }]
    });
    let (out, _) = ok(script, "users.list", input).await?;
    assert_eq!(out, json!({ "items": [], "next_cursor": null }));
    Ok(())
}

#[tokio::test]
async fn list_with_q() -> Result<()> {
    let script = vec![(req("GET", "/api/v1/users?q=ada&limit=10"), CannedResponse::json(200, json!([])))];
    let (out, _) = ok(script, "users.list", json!({ "q": "ada", "limit": 10 })).await?;
    assert_eq!(out, json!({ "items": [], "next_cursor": null }));
    Ok(())
}

#[tokio::test]
async fn list_fetch_all_follows_next_links() -> Result<()> {
    let a = user("00ua", "ACTIVE", "a@example.com");
    let b = user("00ub", "ACTIVE", "b@example.com");
    let c = user("00uc", "ACTIVE", "c@example.com");
    let script = vec![
        (
            req("GET", "/api/v1/users?limit=2"),
            CannedResponse::json(200, json!([a, b])).link_next(&format!("{ORIGIN}/api/v1/users?after=00ub&limit=2")),
        ),
        (req("GET", "/api/v1/users?after=00ub&limit=2"), CannedResponse::json(200, json!([c]))),
    ];
    let (out, _) = ok(script, "users.list", json!({ "limit": 2, "fetch_all": true })).await?;
    assert_eq!(out, json!({ "items": [a, b, c], "next_cursor": null }));
    Ok(())
}

#[tokio::test]
pub(crate) async fn list_applications() -> Result<()> {
    let links = json!([{
        "id": "auc1jjd4xjalaAtOp0g4",
        "label": "Salesforce",
        "linkUrl": "https://acme.okta.com/home/salesforce/0oa1jjd4xjalaAtOp0g4/46",
        "appName": "salesforce",
        "appInstanceId": "0oa1jjd4xjalaAtOp0g4",
        "appAssignmentId": "0ua1jjd4xkXtKSsKc0g4",
        "credentialsSetup": false,
        "hidden": false,
        "sortOrder": 0
    }]);
    let script = vec![(req("GET", &format!("/api/v1/users/{UID}/appLinks")), CannedResponse::json(200, links.clone()))];
    let (out, _) = ok(script, "users.list-applications", json!({ "id": UID })).await?;
    assert_eq!(out, links);
    Ok(())
}

#[tokio::test]
pub(crate) async fn list_groups_follows_every_page() -> Result<()> {
    let g1 = json!({ "id": "00g1", "type": "BUILT_IN", "profile": { "name": "Everyone" } });
    let g2 = json!({ "id": "00g2", "type": "OKTA_GROUP", "profile": { "name": "Engineering" } });
    let script = vec![
        (
            req("GET", &format!("/api/v1/users/{UID}/groups")),
            CannedResponse::json(200, json!([g1])).link_next(&format!("{ORIGIN}/api/v1/users/{UID}/groups?after=00g1")),
        ),
        (req("GET", &format!("/api/v1/users/{UID}/groups?after=00g1")), CannedResponse::json(200, json!([g2]))),
    ];
    let (out, _) = ok(script, "users.list-groups", json!({ "id": UID })).await?;
    assert_eq!(out, json!([g1, g2]));
    Ok(())
}

#[tokio::test]
pub(crate) async fn list_types() -> Result<()> {
    let types = json!([{
        "id": "oty1xq2rxmFBeyHsm0g4",
        "name": "user",
        "displayName": "User",
        "description": "Okta user profile template with default permission settings",
        "default": true
    }]);
    let script = vec![(req("GET", "/api/v1/meta/types/user"), CannedResponse::json(200, types.clone()))];
    let (out, _) = ok(script, "users.list-types", json!({})).await?;
    assert_eq!(out, types);
    Ok(())
}

// ---- the harness itself ---------------------------------------------------------------------

/// A request that differs from the script fails the call with a diff, and nothing secret
/// shows in it.
#[tokio::test]
async fn a_request_off_script_fails_the_call_with_a_diff() -> Result<()> {
    let script = vec![(
        req("POST", &format!("/api/v1/users/{UID}/lifecycle/activate?sendEmail=true")),
        CannedResponse::json(200, json!({})),
    )];
    let mut instance = connector().instantiate(Backend::scripted(script)).await?;
    let input = UserEmailInput { id: UID.into(), send_email: None };
    let err = instance.users().activate(&connection(), &input).await.expect_err("off-script request must fail");
    let text = format!("{err:#}");
    assert!(text.contains("does not match the script"), "{text}");
    assert!(text.contains("query: missing sendEmail=true; unexpected sendEmail=false"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(text.contains("SSWS [redacted]"), "{text}");
    Ok(())
}

/// A request after the script ran out fails the call too.
#[tokio::test]
async fn a_request_beyond_the_script_fails_the_call() -> Result<()> {
    // A POST, which the guest does not retry (a GET would be retried with backoff first).
    let mut instance = connector().instantiate(Backend::scripted([])).await?;
    let err = instance
        .users()
        .suspend(&connection(), &UserRefInput { id: UID.into() })
        .await
        .expect_err("unscripted request must fail");
    assert!(format!("{err:#}").contains("was not in the script"), "{err:#}");
    Ok(())
}

/// A dropped connection and a cut-off body reach the guest as transport errors.
#[tokio::test]
async fn transport_failures_reach_the_guest() -> Result<()> {
    let path = format!("/api/v1/users/{UID}/lifecycle/suspend");
    let script = vec![(req("POST", &path), CannedResponse::dropped())];
    let mut instance = connector().instantiate(Backend::scripted(script)).await?;
    let r = instance.users().suspend(&connection(), &UserRefInput { id: UID.into() }).await?;
    assert!(matches!(r, Err(WitError::Transport(_))), "{r:?}");
    instance.assert_script_consumed()?;

    let script =
        vec![(req("POST", &path), CannedResponse::json(200, user(UID, "SUSPENDED", "a@example.com")).truncated_at(10))];
    let mut instance = connector().instantiate(Backend::scripted(script)).await?;
    let r = instance.users().suspend(&connection(), &UserRefInput { id: UID.into() }).await?;
    assert!(matches!(r, Err(WitError::Transport(_))), "{r:?}");
    let exchanges = instance.exchanges();
    assert_eq!(exchanges[0].response_body.len(), 10);
    assert!(exchanges[0].error.is_some());
    Ok(())
}

/// Exchanges print with the token redacted.
#[tokio::test]
async fn exchanges_print_redacted() -> Result<()> {
    let script = vec![(req("GET", "/api/v1/meta/types/user"), CannedResponse::json(200, json!([])))];
    let mut instance = connector().instantiate(Backend::scripted(script)).await?;
    instance.users().list_types(&connection()).await?.expect("users.list-types");
    let exchanges = instance.exchanges();
    assert_eq!(exchanges[0].request_header("authorization"), Some(format!("SSWS {TOKEN}").as_str()));
    let printed = format!("{}{:?}", render(&exchanges), exchanges);
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(printed.contains("authorization: SSWS [redacted]"), "{printed}");
    Ok(())
}
